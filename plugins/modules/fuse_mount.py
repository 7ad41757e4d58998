#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fuse_mount
short_description: Mount an Alluxio path at a local directory through Alluxio FUSE, as a systemd unit
version_added: "0.1.0"
description:
  - Ensures the Alluxio path I(alluxio_path) is mounted at I(mount_point) with the FUSE I(options).
    The FUSE process runs as the instance C(alluxio-fuse@<escaped mount point>.service) of the
    template unit the C(alnair.alluxio.fuse) role installs, so systemd restarts it when it dies and
    starts it at boot. Its arguments are in the instance's drop-in
    C(/etc/systemd/system/<instance>.service.d/alnair-fuse.conf).
  - Compares what runs (the Alluxio path and options on the FUSE process's command line, read from
    C(/proc)) with what is wanted, not only whether something is mounted there.
  - A stale mount (C(stat) fails with C(ENOTCONN), "Transport endpoint is not connected", or hangs)
    is unmounted lazily and mounted again.
  - Refuses, before changing anything, a relative or not normalised mount point, a system directory
    (C(/), C(/etc), C(/usr), C(/mnt)...), a mount point used by another file system (it acts only on
    C(fuse.alluxio-fuse) mounts; an sshfs there is left alone, also by I(state=absent)), an existing
    directory the FUSE process's user does not own (only a mount point it creates is given to that
    user), a non-empty directory (unless I(allow_non_empty)), an option the libfuse version refuses
    (C(direct_io) with libfuse 3), an I(alluxio_path) that is not a directory of the Alluxio
    namespace, C(allow_other) for a non-root unit user without
    C(user_allow_other) in C(/etc/fuse.conf), and a host without FUSE.
  - When a new mount does not come up within I(timeout) (or its process keeps dying), the unit is
    stopped and disabled and its drop-in removed, and the error shows the unit's journal.
author:
  - alnair platform team (@alnair)
options:
  mount_point:
    description: Absolute local directory to mount at. Created (owned by the unit's user) when missing.
    type: str
    required: true
  alluxio_path:
    description: Absolute path in the Alluxio namespace to mount.
    type: str
    default: /
  options:
    description:
      - FUSE mount options and Alluxio properties (C(key=value)), passed as C(-o a,b,c). Replaces
        Alluxio's default list (C(direct_io)).
    type: list
    elements: str
    default: []
  state:
    description:
      - C(mounted) mounts (and enables the unit for boot); C(unmounted) stops the unit but keeps it
        enabled and its arguments, so it returns at boot; C(remounted) restarts it even when nothing
        changed; C(absent) stops and disables it and removes its drop-in.
    type: str
    choices: [mounted, unmounted, remounted, absent]
    default: mounted
  allow_non_empty:
    description: Mount over a directory that has content (hidden while mounted).
    type: bool
    default: false
  jvm_options:
    description:
      - JVM options of this mount's FUSE process, after the unit template's (the fuse role's
        C(alluxio_fuse_heap) and C(alluxio_fuse_direct_memory)), so the JVM takes these where both set
        one (C(-Xms2g), C(-Xmx2g), C(-Xlog:gc:file=/var/tmp/fuse-gc.log)). One option per item.
    type: list
    elements: str
    default: []
  libfuse_version:
    description: The libfuse the FUSE process uses (C(alluxio.fuse.jnifuse.libfuse.version)).
    type: int
    choices: [2, 3]
    default: 2
  alluxio_home:
    description: The Alluxio installation whose C(bin/alluxio) checks that I(alluxio_path) exists before a start.
    type: path
    default: /opt/alluxio/current
  timeout:
    description: Seconds to wait for the mount to answer after a start.
    type: int
    default: 90
  restart_serving:
    description:
      - With I(state=mounted), whether a mount that serves (mounted, answering) with other arguments
        than these (Alluxio path, options, JVM options) restarts now. C(false) leaves it serving as it
        is, changes nothing and returns I(restart_pending=true), for the caller to restart it later
        (site.yml restarts such mounts one batch of hosts at a time). A stale or missing mount is
        mounted either way.
    type: bool
    default: true
attributes:
  check_mode:
    description: Reports what it would do (start, restart, clean a stale mount, write the arguments) and does nothing.
    support: full
  diff_mode:
    description: Shows the Alluxio path, options and state before and after.
    support: full
notes:
  - Alluxio FUSE writes files sequentially only (no append, random write or overwrite).
"""

EXAMPLES = r"""
- name: Mount the whole namespace on a GPU node
  alnair.alluxio.fuse_mount:
    mount_point: /mnt/alluxio-fuse
    alluxio_path: /
    options: [allow_other, kernel_cache, max_read=131072, attr_timeout=7200, entry_timeout=7200]

- name: A dataset mount whose FUSE JVM gets a larger heap than the others
  alnair.alluxio.fuse_mount:
    mount_point: /mnt/imagenet
    alluxio_path: /datasets/imagenet
    options: [allow_other, ro, kernel_cache]
    jvm_options: [-Xms4g, -Xmx4g]

- name: Take a mount away for good
  alnair.alluxio.fuse_mount:
    mount_point: /mnt/alluxio-fuse
    state: absent
"""

RETURN = r"""
found:
  description: What was there before.
  returned: always
  type: dict
  contains:
    mounted:
      description: A FUSE mount is at the mount point.
      type: bool
    stale:
      description: The mount point does not answer (ENOTCONN or hung).
      type: bool
    fstype:
      description: The file system type mounted there (null when none).
      type: str
    alluxio_path:
      description: The Alluxio path the running FUSE process serves (null when none runs).
      type: str
    options:
      description: The options of the running FUSE process.
      type: list
      elements: str
    unit_active:
      description: ActiveState of the unit.
      type: str
    unit_enabled:
      description: UnitFileState of the unit.
      type: str
  sample: {mounted: true, stale: false, fstype: fuse.alluxio-fuse, alluxio_path: /, options: [allow_other],
           unit_active: active, unit_enabled: enabled}
actions:
  description: What was (or in check mode would be) done, in order.
  returned: always
  type: list
  elements: str
  sample: [unmounted the stale mount, restarted alluxio-fuse@mnt-alluxio\x2dfuse.service]
unit:
  description: The systemd unit serving the mount point.
  returned: always
  type: str
  sample: alluxio-fuse@mnt-alluxio\x2dfuse.service
restart_pending:
  description: The mount serves with other arguments than wanted and was left so (I(restart_serving=false)).
  returned: always
  type: bool
  sample: false
"""

import os
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_checks import fuse_mount_problems
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import DEFAULT_HOME
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_shell import ShellError, is_directory
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import (
    ALLUXIO_FUSE_FSTYPE, FUSE_UNIT_TEMPLATE, QUICK_TIMEOUT, SYSTEMCTL_TIMEOUT, HostError, Unanswered, bounded, call_with_deadline,
    fuse_process_args, fuse_unit_name, fuse_user_allow_other, make_directory_nofollow, mount_at, parse_mountinfo, passwd_entry,
    path_responds, read_text, systemctl_show)

UNIT_DIR = "/etc/systemd/system"
LIB_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64", "/lib"]
LIBFUSE = {2: "libfuse.so.2", 3: "libfuse3.so.3"}


class FuseError(Exception):
    pass


def _user_ids(user):
    """(uid, gid) of a user name or uid; None when unknown."""
    entry = passwd_entry(user)
    return (entry.pw_uid, entry.pw_gid) if entry else None


def point_situation(mount_point, owner):
    """{exists, is_dir, empty, owner_ok} of a mount point; owner (uid, gid) or None."""
    if not os.path.lexists(mount_point):
        return {"exists": False, "is_dir": False, "empty": True, "owner_ok": True}
    if not os.path.isdir(mount_point):
        return {"exists": True, "is_dir": False, "empty": False, "owner_ok": True}
    st = os.stat(mount_point)
    return {"exists": True, "is_dir": True, "empty": not os.listdir(mount_point),
            "owner_ok": not owner or [st.st_uid, st.st_gid] == list(owner)}


def env_content(alluxio_path, options, jvm_options=()):
    args = ["-a", alluxio_path]
    if options:
        args += ["-o", ",".join(options)]
    text = ("# alnair.alluxio.fuse_mount: arguments of the Alluxio FUSE process (managed, local edits are overwritten)\n"
            "[Service]\n"
            "Environment=\"ALLUXIO_FUSE_ARGS=%s\"\n" % " ".join(args))
    # Only when given: a drop-in of a mount without JVM options stays as earlier releases wrote it.
    if jvm_options:
        text += "Environment=\"ALLUXIO_FUSE_JAVA_OPTS=%s\"\n" % " ".join(jvm_options)
    return text


def env_jvm_options(text):
    """The JVM options a drop-in written by env_content gives (for the diff)."""
    for line in (text or "").splitlines():
        if line.startswith('Environment="ALLUXIO_FUSE_JAVA_OPTS='):
            return line[len('Environment="ALLUXIO_FUSE_JAVA_OPTS='):].rstrip('"').split()
    return []


def check_inputs(params, unit_user, fuse_conf_text, lib_present, fusermount_present, dev_fuse_present):
    """Every reason to refuse, before anything changes."""
    problems = fuse_mount_problems(params["mount_point"], params["alluxio_path"], params["options"],
                                   params["state"], params["libfuse_version"], params["jvm_options"])
    if params["state"] in ("mounted", "remounted"):
        if not dev_fuse_present:
            problems.append("FUSE is not available: /dev/fuse does not exist")
        if not lib_present:
            problems.append("FUSE is not installed: %s not found (install %s)"
                            % (LIBFUSE[params["libfuse_version"]], "libfuse2" if params["libfuse_version"] == 2 else "libfuse3-3"))
        if unit_user not in ("root", "0"):
            if not fusermount_present:
                problems.append("FUSE is not installed: no fusermount3/fusermount for the unit's user %s (install fuse3)" % unit_user)
            if "allow_other" in params["options"] and not fuse_user_allow_other(fuse_conf_text):
                problems.append("option allow_other needs user_allow_other in /etc/fuse.conf "
                                "(the FUSE process runs as %s, not root)" % unit_user)
    return problems


class FuseMount(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.mount_point = os.path.normpath(self.params["mount_point"]) if self.params["mount_point"].startswith("/") else self.params["mount_point"]
        self.unit = fuse_unit_name(self.mount_point) if self.mount_point.startswith("/") else ""
        self.env_file = os.path.join(UNIT_DIR, self.unit + ".d", "alnair-fuse.conf")
        self.actions = []
        self.created_mount_point = False
        self.restart_pending = False

    # -- reading -----------------------------------------------------------------------------------

    def systemctl(self, *args, **kwargs):
        return self.module.run_command(bounded(["systemctl"] + list(args), SYSTEMCTL_TIMEOUT), check_rc=kwargs.get("check_rc", False))

    def unit_state(self):
        """{active, enabled, load, user, main_pid} of the mount's unit."""
        try:
            return systemctl_show(self.module.run_command, [self.unit])[self.unit]
        except HostError as exc:
            raise FuseError(str(exc))

    def mount(self):
        return mount_at(parse_mountinfo(read_text("/proc/self/mountinfo")), self.mount_point)

    def responds(self):
        """None when the mount point answers stat, else why not (ENOTCONN, hung...)."""
        return path_responds(self.mount_point)

    def found(self, unit):
        mount = self.mount()
        found = {"mounted": False, "stale": False, "fstype": None, "alluxio_path": None, "options": [],
                 "unit_active": unit.get("active", ""), "unit_enabled": unit.get("enabled", "")}
        if mount:
            found["fstype"] = mount["fstype"]
            if mount["fstype"] == ALLUXIO_FUSE_FSTYPE:
                found["mounted"] = True
                found["stale"] = self.responds() is not None
        pid = unit.get("main_pid", 0)
        if pid:
            running = fuse_process_args(read_text("/proc/%s/cmdline" % pid).split("\0"))
            found["alluxio_path"], found["options"] = running["alluxio_path"], running["options"]
        return found

    # -- acting ------------------------------------------------------------------------------------

    def act(self, description, func=None, *args):
        self.actions.append(description)
        if not self.module.check_mode and func is not None:
            func(*args)

    def check_alluxio_path(self):
        try:
            kind = is_directory(self.module, self.params["alluxio_home"], self.params["alluxio_path"])
        except ShellError as exc:
            raise FuseError(str(exc))
        if kind is False:
            raise FuseError("alluxio_path %s is a file in the Alluxio namespace, not a directory" % self.params["alluxio_path"])
        if kind is None:
            raise FuseError("alluxio_path %s does not exist in the Alluxio namespace (or the master cannot be reached)"
                            % self.params["alluxio_path"])

    def lazy_unmount(self):
        rc, out, err = self.module.run_command(bounded(["umount", "-l", "--", self.mount_point], QUICK_TIMEOUT))
        if rc != 0 and self.mount() is not None:
            raise FuseError("could not unmount the stale mount at %s: %s" % (self.mount_point, err.strip()))

    def write_env(self, content):
        directory = os.path.dirname(self.env_file)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        # A unique temporary file beside the drop-in, moved over it by AnsibleModule (which keeps
        # the SELinux context and falls back safely across file systems).
        handle, temp = tempfile.mkstemp(dir=directory, prefix=".alluxio-fuse-", suffix=".conf")
        with os.fdopen(handle, "w") as stream:
            stream.write(content)
        os.chmod(temp, 0o644)
        self.module.atomic_move(temp, self.env_file)
        self.systemctl("daemon-reload", check_rc=True)

    def remove_env(self):
        os.unlink(self.env_file)
        try:
            os.rmdir(os.path.dirname(self.env_file))
        except OSError:
            pass
        self.systemctl("daemon-reload", check_rc=True)

    def make_mount_point(self, user):
        # Never through a link: a parent another user writes could hold one (alluxio_host).
        try:
            self.created_mount_point = make_directory_nofollow(self.mount_point, 0o755, _user_ids(user))
        except OSError as exc:
            self.module.fail_json(msg="cannot create the mount point %s: %s" % (self.mount_point, exc.strerror or exc))

    def restarts(self):
        rc, out, err = self.systemctl("show", "--property=NRestarts", "--value", self.unit)
        return int(out.strip() or 0) if out.strip().isdigit() else 0

    def wait_mounted(self):
        """True once the mount answers; False after the timeout, or when the process died
        and systemd had to restart it (it would only die again)."""
        deadline = time.time() + self.params["timeout"]
        restarts = self.restarts()
        while time.time() < deadline:
            mount = self.mount()
            if mount and mount["fstype"] == ALLUXIO_FUSE_FSTYPE and self.responds() is None:
                return True
            if self.unit_state()["active"] == "failed" or self.restarts() > restarts:
                return False
            time.sleep(0.5)
        return False

    def settle(self, unit):
        """systemd may be restarting the FUSE process on its own (after a crash): wait until the
        restart is over and a started process has mounted, so that what follows sees the
        outcome, not a half-way state (an empty mount point that fills up a moment later)."""
        if not self.unit or self.module.check_mode or self.params["state"] not in ("mounted", "remounted"):
            return unit
        # Up to 15 s: the unit's RestartSec (5 s) and a start; a longer hold-off is not waited for.
        deadline = time.time() + min(15, self.params["timeout"])
        while unit.get("active") == "activating" and time.time() < deadline:
            time.sleep(0.5)
            unit = self.unit_state()
        mount = self.mount()
        if unit.get("active") == "active" and not (mount and mount["fstype"] == ALLUXIO_FUSE_FSTYPE):
            self.wait_mounted()
            unit = self.unit_state()
        return unit

    def journal(self):
        rc, out, err = self.module.run_command(bounded(["journalctl", "--no-pager", "-n", "25", "-u", self.unit], QUICK_TIMEOUT))
        return out.strip()

    def give_up(self, new_mount):
        """The mount never came up: leave nothing half-mounted."""
        journal = self.journal()
        self.systemctl("stop", self.unit)
        if self.mount() is not None:
            self.module.run_command(bounded(["umount", "-l", "--", self.mount_point], QUICK_TIMEOUT))
        if new_mount:
            self.systemctl("disable", self.unit)
            if os.path.exists(self.env_file):
                self.remove_env()
            if self.created_mount_point and not os.listdir(self.mount_point):
                os.rmdir(self.mount_point)
        raise FuseError("%s did not mount %s at %s (its process died, or %d s passed)%s. Last lines of its journal:\n%s"
                        % (self.unit, self.params["alluxio_path"], self.mount_point, self.params["timeout"],
                           "; the unit was disabled, its drop-in removed (and a mount point it created)" if new_mount else "", journal))

    def point_situation(self, unit_user):
        """What the mount point is, for a mount that is not there yet: read in a child process given
        QUICK_TIMEOUT (the path can lie under another mount that hangs)."""
        try:
            return call_with_deadline(point_situation, (self.mount_point, _user_ids(unit_user)), QUICK_TIMEOUT,
                                      "reading the mount point %s" % self.mount_point)
        except (Unanswered, OSError) as exc:
            raise FuseError(str(exc))

    def run(self):
        params = self.params
        unit = self.unit_state() if self.unit else {}
        if self.unit and unit.get("load") == "not-found":
            raise FuseError("the unit template %s is not installed on this host (the alnair.alluxio.fuse role installs it)"
                            % FUSE_UNIT_TEMPLATE)
        unit_user = unit.get("user") or "root"
        problems = check_inputs(
            params, unit_user, read_text("/etc/fuse.conf"),
            lib_present=any(os.path.exists(os.path.join(d, LIBFUSE[params["libfuse_version"]])) for d in LIB_DIRS),
            fusermount_present=bool(self.module.get_bin_path("fusermount3") or self.module.get_bin_path("fusermount")),
            dev_fuse_present=os.path.exists("/dev/fuse"))
        if problems:
            raise FuseError("; ".join(problems))

        unit = self.settle(unit)
        found = self.found(unit)
        wanted_env = env_content(params["alluxio_path"], params["options"], params["jvm_options"])
        env_now = read_text(self.env_file) if os.path.exists(self.env_file) else None
        point = self.point_situation(unit_user) if not found["mounted"] else None
        steps = decide(params["state"], found, env_now == wanted_env, env_now is not None,
                       (params["alluxio_path"], params["options"]), point, params["allow_non_empty"], self.mount_point,
                       params["restart_serving"])
        self.restart_pending = steps == ["restart_pending"]
        actions = {
            "stop": ("stopped %s" % self.unit, self.systemctl, "stop", self.unit),
            "unmount_stale": ("unmounted the stale mount", self.lazy_unmount),
            "disable": ("disabled %s" % self.unit, self.systemctl, "disable", self.unit),
            "remove_env": ("removed %s" % self.env_file, self.remove_env),
            "create_point": ("created %s" % self.mount_point, self.make_mount_point, unit_user),
            "write_env": ("wrote %s" % self.env_file, self.write_env, wanted_env),
            "enable": ("enabled %s" % self.unit, self.systemctl, "enable", self.unit),
            "start": ("started %s" % self.unit, self.systemctl, "start", self.unit),
            "restart": ("restarted %s" % self.unit, self.systemctl, "restart", self.unit),
        }
        for step in steps:
            if step == "restart_pending":
                continue
            if step == "check_alluxio_path":
                # A FUSE process given a missing path neither mounts nor exits: ask the namespace first.
                self.check_alluxio_path()
            elif step == "unmount_leftover":
                # A stop that did not take the mount with it (the process ignored SIGTERM).
                if not self.module.check_mode and self.mount() is not None:
                    self.act("unmounted what the stopped process left", self.lazy_unmount)
            else:
                self.act(*actions[step])
                if step in ("start", "restart") and not self.module.check_mode and not self.wait_mounted():
                    self.give_up(env_now is None)
        return found, wanted_env, env_now


def decide(state, found, env_matches, env_exists, wanted_args, point, allow_non_empty, mount_point, restart_serving=True):
    """What fuse_mount does, in order, from what it found; no side effect (unit-tested table-driven).

    found: mounted (an Alluxio FUSE mount is there), stale (it does not answer), fstype (of any
    mount there), alluxio_path and options (of the running process), unit_active, unit_enabled.
    env_matches / env_exists: the unit's drop-in holds the wanted arguments / exists at all.
    point: for a mount point with no mount, exists, is_dir, empty, owner_ok (None when mounted).
    restart_serving: false leaves a serving mount with other arguments as it is.
    Returns step names: stop, unmount_stale, unmount_leftover, disable, remove_env,
    check_alluxio_path, create_point, write_env, enable, start, restart; or restart_pending alone
    (a serving mount left for a later restart).
    Raises FuseError for what it will not do.
    """
    if found["fstype"] and found["fstype"] != ALLUXIO_FUSE_FSTYPE:
        raise FuseError("%s is already used by another file system (%s): not touching it" % (mount_point, found["fstype"]))
    running = found["unit_active"] in ("active", "activating", "reloading")
    steps = []
    if state in ("unmounted", "absent"):
        if running or found["unit_active"] == "deactivating":
            steps.append("stop")
        # A FUSE process that died (or ignored SIGTERM) leaves its mount behind.
        if found["mounted"] and (found["stale"] or not running):
            steps.append("unmount_stale")
        elif running:
            steps.append("unmount_leftover")
        if state == "absent":
            if found["unit_enabled"] == "enabled":
                steps.append("disable")
            if env_exists:
                steps.append("remove_env")
        return steps

    # mounted / remounted
    same_args = (found["alluxio_path"], found["options"]) == tuple(wanted_args)
    answering = running and found["mounted"] and not found["stale"]
    serving = answering and env_matches and same_args
    if state == "mounted" and not restart_serving and answering and not serving:
        return ["restart_pending"]
    if state == "remounted" or not serving:
        steps.append("check_alluxio_path")
    if not found["mounted"]:
        if not point["exists"]:
            steps.append("create_point")
        else:
            if not point["is_dir"]:
                raise FuseError("%s exists and is not a directory" % mount_point)
            if not point["empty"] and not allow_non_empty:
                raise FuseError("%s is not empty: refusing to hide its content under a mount (set allow_non_empty)" % mount_point)
            if not point["owner_ok"]:
                # fusermount lets a user mount only on a directory it owns; a directory the module
                # did not create is never given away (it could be anyone's, even a system one).
                raise FuseError("%s exists and is not owned by the FUSE process's user: fuse_mount gives away only a "
                                "mount point it creates; chown it yourself if it is meant for this mount" % mount_point)
    if not env_matches:
        steps.append("write_env")
    if found["stale"]:
        steps.append("unmount_stale")
    start = None
    if state == "remounted" or found["stale"] or (running and not env_matches) or (running and found["mounted"] and not same_args):
        start = "restart"
    elif not running or not found["mounted"]:
        start = "restart" if running else "start"
    if found["unit_enabled"] != "enabled":
        steps.append("enable")
    if start:
        steps.append(start)
    return steps


def main():
    module = AnsibleModule(
        argument_spec=dict(
            mount_point=dict(type="str", required=True),
            alluxio_path=dict(type="str", default="/"),
            options=dict(type="list", elements="str", default=[]),
            jvm_options=dict(type="list", elements="str", default=[]),
            state=dict(type="str", default="mounted", choices=["mounted", "unmounted", "remounted", "absent"]),
            allow_non_empty=dict(type="bool", default=False),
            libfuse_version=dict(type="int", default=2, choices=[2, 3]),
            alluxio_home=dict(type="path", default=DEFAULT_HOME),
            timeout=dict(type="int", default=90),
            restart_serving=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    fuse = FuseMount(module)
    try:
        if not module.params["mount_point"].startswith("/"):
            raise FuseError("mount_point %r is not an absolute path" % module.params["mount_point"])
        found, wanted_env, env_now = fuse.run()
    except FuseError as exc:
        module.fail_json(msg=str(exc), actions=fuse.actions, unit=fuse.unit)
    before = {"state": "mounted" if found["mounted"] and not found["stale"] else ("stale" if found["stale"] else "unmounted"),
              "alluxio_path": found["alluxio_path"], "options": found["options"], "unit": found["unit_active"],
              "jvm_options": env_jvm_options(env_now)}
    after = {"state": "mounted" if module.params["state"] in ("mounted", "remounted") else module.params["state"],
             "alluxio_path": module.params["alluxio_path"], "options": module.params["options"],
             "jvm_options": module.params["jvm_options"]}
    result = dict(changed=bool(fuse.actions), found=found, actions=fuse.actions, unit=fuse.unit, restart_pending=fuse.restart_pending)
    if fuse.actions:
        result["diff"] = {"before_header": fuse.mount_point, "after_header": fuse.mount_point,
                          "before": _lines(before), "after": _lines(after)}
    module.exit_json(**result)


def _lines(state):
    return "".join("%s: %s\n" % (key, value) for key, value in sorted(state.items()))


if __name__ == "__main__":
    main()
