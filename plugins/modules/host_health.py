#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_health
short_description: Check one Alluxio host (services, JVMs, ports, FUSE mounts, ramdisk, free space)
version_added: "0.1.0"
description:
  - Reads, in one call, what an operator checks by hand on an Alluxio host, and returns one line
    per check with its verdict; changes nothing.
  - Each check is a typed record (I(kind), I(target), I(ok), I(detail), I(remedy)) that a repair
    decides from, never from its wording.
  - Services are active; each service's JVM runs once and is the unit's main process (a second
    JVM of the same main class is C(duplicated); a server JVM (one of I(server_main_classes)) of
    I(user) that no checked unit owns is C(orphaned)). Any other Alluxio JVM of I(user) is a client
    (shell, fsadmin, runTests, a load job) and is listed as C(clients running), never a problem.
  - The ports listen; each FUSE mount is mounted and answers C(stat) within I(stat_timeout) seconds;
    the ramdisk is a tmpfs of the configured size; the file systems of I(free_space) have that much free.
  - Returns the Alluxio JVMs it found with their owner unit, so a repair can end leftovers by
    PID (with their start time, which tells a reused PID).
  - Returns the Alluxio FUSE mounts in place (each FUSE JVM of I(user), with its mount point,
    Alluxio path and options, from its command line), so a repair can put back what it takes
    down. A FUSE JVM runs under the unit of its mount point (C(alluxio-fuse@...)) or was started
    by hand; one started by hand is not C(orphaned) while its mount answers, and its mount is
    checked like those of I(fuse_mounts).
author:
  - alnair platform team (@alnair)
options:
  services:
    description: Unit name to the Alluxio main class its JVM runs (C(alluxio-master.service) -> C(alluxio.master.AlluxioMaster)).
    type: dict
    default: {}
  server_main_classes:
    description:
      - Main classes of the Alluxio server processes (master, job master, worker, job worker, proxy, FUSE).
        Only these can be C(duplicated) or C(orphaned); other Alluxio JVMs are clients.
      - Empty counts every Alluxio JVM of I(user) as a server (the behaviour before this option).
    type: list
    elements: str
    default: []
  user:
    description: The user the Alluxio JVMs run as; only its JVMs are counted.
    type: str
    default: alluxio
  ports:
    description: TCP ports that must listen on this host.
    type: list
    elements: int
    default: []
  fuse_mounts:
    description: FUSE mount points that must be mounted and answer (their units C(alluxio-fuse@...) own their JVMs).
    type: list
    elements: str
    default: []
  ramdisk_path:
    description: Where the worker's ramdisk must be mounted.
    type: str
  ramdisk_size:
    description:
      - Its configured size (an Alluxio size such as C(62.51GB)). The tmpfs must have exactly the bytes the
        collection gives a MEM tier of that size (rounded up to a whole 64 KiB, whole pages on every host).
    type: str
  free_space:
    description: Path to the free space its file system must have (an Alluxio size).
    type: dict
    default: {}
  worker_url:
    description:
      - The web URL of this host's worker (C(http://host:30000)). When its web port listens, the worker must
        answer C(/api/v1/worker/info) within I(down_after) seconds of retries; one that does not (a stopped
        or deadlocked JVM whose port is still open) is a C(server_answers) check that fails, and a repair
        restarts the host's processes. A slow answer or a pause shorter than I(down_after) is no failure.
    type: str
  down_after:
    description: Seconds a server with an open port may not answer, retried, before it counts as hung.
    type: int
    default: 30
  listen_address:
    description:
      - The address the Alluxio servers were told to bind to (C(alluxio_bind_address)). A port of I(ports)
        that listens on every address (C(0.0.0.0) or C(::)) while this is one address is a C(exposure)
        check that fails (a process still running with an old configuration). Unset, not checked.
    type: str
  unbindable_ports:
    description:
      - Ports of I(ports) that Alluxio cannot bind to one address (2.9's embedded journal ports, 19200 and
        20003 by default, have no bind-host property), so listening on every address is no C(exposure) for them.
    type: list
    elements: int
    default: []
  firewall:
    description:
      - Whether the collection's nftables table (C(inet alnair_alluxio), M(alnair.alluxio.port_firewall))
        must be loaded; a missing table is a C(firewall) check that fails (Alluxio's ports are then open to
        every host that can route to this one).
    type: bool
    default: false
  master_url:
    description:
      - The master's web URL. When a FUSE mount's stat hangs, the master is asked (3 s) whether it answers,
        and the check records C(master_answered). A mount that hangs because the master does not answer is no
        reason to remount it.
    type: str
  fuse_mount_roots:
    description:
      - Directories under which a FUSE mount found in place (a FUSE JVM's command line) may be put back by a
        repair; it must also be an Alluxio FUSE mount now or a directory the user already owns, and not a
        system directory. Others get a C(refused) reason in C(fuse_in_place).
    type: list
    elements: str
    default: [/mnt]
  stat_timeout:
    description: Seconds a FUSE mount gets to answer C(stat).
    type: int
    default: 5
attributes:
  check_mode:
    description: Reads only; the same in check mode.
    support: full
  diff_mode:
    description: Reads only, so there is never a diff.
    support: none
"""

EXAMPLES = r"""
- name: Check a worker
  alnair.alluxio.host_health:
    services:
      alluxio-worker.service: alluxio.worker.AlluxioWorker
      alluxio-job-worker.service: alluxio.worker.AlluxioJobWorker
    ports: [29999, 30000, 30001]
    fuse_mounts: [/mnt/alluxio-fuse]
    ramdisk_path: /mnt/ramdisk
    ramdisk_size: 100GB
    free_space: {/var/log/alluxio: 1GB, /tmp: 1GB}
  register: health
"""

RETURN = r"""
healthy:
  description: Every check passed.
  returned: always
  type: bool
checks:
  description:
    - One typed record per check, in the order above.
    - C(kind) is one of C(service), C(server_jvm), C(port), C(fuse), C(ramdisk), C(space), C(user), C(clients),
      C(fuse_claim) (a FUSE process whose mount point a repair must not take, reported only), C(server_answers) (the
      worker's REST API, see I(worker_url)), C(exposure) (a port
      listening on every address instead of I(listen_address)), C(firewall) (the collection's table not loaded);
      C(target) the unit, main class, port, mount point or path checked; a C(fuse) check also has C(hung)
      (its stat did not return in time); C(remedy) what repairs a failed
      check (C(restart_processes), C(remount_fuse), C(report) when no restart helps; C(none) when it is ok);
      C(check) the line a table shows.
  returned: always
  type: list
  elements: dict
  sample:
    - {check: "service alluxio-worker.service", kind: service, target: alluxio-worker.service, ok: true,
       detail: "active, pid 812", remedy: none}
    - {check: "FUSE /mnt/alluxio-fuse", kind: fuse, target: /mnt/alluxio-fuse, ok: false,
       detail: "mounted, but Transport endpoint is not connected", remedy: remount_fuse}
problems:
  description: Each failed check as one line, its name then its detail.
  returned: always
  type: list
  elements: str
fuse_in_place:
  description:
    - The Alluxio FUSE mounts in place, from the FUSE JVMs of I(user) (unit null when started by hand).
    - C(mounted) tells whether an Alluxio FUSE file system is mounted at the mount point; when it is not,
      C(owner_uid) is the owner of the directory there (null when it is not a directory). A command line can
      be forged; these let a repair refuse to put a mount back where it never was.
    - C(refused) says why a repair must not put that mount back (null when it may), see I(fuse_mount_roots).
  returned: always
  type: list
  elements: dict
  sample:
    - {mount_point: /mnt/alluxio, alluxio_path: /, options: [allow_other], pid: 901, unit: alluxio-fuse@mnt-alluxio.service,
       mounted: true, owner_uid: null, refused: null}
fuse_users:
  description:
    - For each FUSE mount point checked, the processes with a file open or their working directory under it
      (read from /proc, without entering the mount), the training jobs that see an error when it is mounted again
      or its worker restarts.
  returned: always
  type: dict
  sample: {/mnt/alluxio-fuse: [{pid: 4242, command: "python3 train.py --data /mnt/alluxio-fuse/datasets/imagenet"}]}
jvms:
  description: Every Alluxio JVM of I(user), with the unit that owns it (null when orphaned).
  returned: always
  type: list
  elements: dict
  sample:
    - {pid: 812, main_class: alluxio.worker.AlluxioWorker, unit: alluxio-worker.service, start_ticks: 123456}
"""

import os
import stat
import threading
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six.moves.urllib.parse import urlparse
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import (
    ALLUXIO_FUSE_FSTYPE, alluxio_jvms, fuse_jvm_args, fuse_unit_name, listening_addresses, mount_at,
    QUICK_TIMEOUT, HostError, bounded, mount_size_bytes, parse_mountinfo, passwd_entry, probe_path, processes_using, read_text, systemctl_show)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_checks import put_back_refusal
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import WORKER_INFO_PATH, fetch_json, fetch_master_info
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_network import FIREWALL_FAMILY, FIREWALL_TABLE, WILDCARD_ADDRESSES
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import SizeError, format_size, parse_size, tier_bytes


# What each kind of check is called in the table, and what repairs it when it fails:
# restart_processes (the host's Alluxio processes restart), remount_fuse, or report (no restart helps).
LABELS = {"service": "service", "server_jvm": "JVM", "port": "port", "fuse": "FUSE", "ramdisk": "ramdisk",
          "space": "free space", "user": "user", "clients": "clients running:", "fuse_claim": "FUSE claim",
          "exposure": "exposed port", "firewall": "firewall", "server_answers": "REST API of"}
# An exposed port or a missing firewall is a security finding, not a broken service: restarting
# would not fix it (site.yml does), so it is reported.
REMEDIES = {"service": "restart_processes", "server_jvm": "restart_processes", "port": "restart_processes",
            "fuse": "remount_fuse", "ramdisk": "restart_processes", "space": "report", "user": "report",
            "clients": "none", "fuse_claim": "report", "exposure": "report", "firewall": "report",
            "server_answers": "restart_processes"}


def master_answers(master_url, timeout=3, quickly=1.0):
    """Whether the master's REST API answers within quickly seconds (tried for timeout seconds)."""
    started = time.time()
    try:
        fetch_master_info(master_url, timeout)
    except IOError:
        return False
    return time.time() - started < quickly


def answers_within(ask, down_after, clock=time.time, sleep=time.sleep, interval=1.0):
    """(answered, seconds): ask() (True when the server answered) retried every interval seconds
    until it answers or down_after seconds have passed since the first try. A GC pause or a slow
    answer shorter than down_after is no failure."""
    started = clock()
    while True:
        if ask():
            return True, clock() - started
        if clock() - started >= down_after:
            return False, clock() - started
        sleep(interval)


class Health(object):
    def __init__(self, module):
        self.module = module
        self.checks = []
        self.fuse_in_place = []

    def add(self, kind, target, ok, detail, **more):
        """One typed check: the planner reads kind and remedy; check is the line the table shows."""
        self.checks.append(dict({"check": "%s %s" % (LABELS[kind], target), "kind": kind, "target": target, "ok": bool(ok),
                                 "detail": detail, "remedy": "none" if ok else REMEDIES[kind]}, **more))

    def unit_states(self, units):
        try:
            return systemctl_show(self.module.run_command, units)
        except HostError as exc:
            self.module.fail_json(msg=str(exc))

    def services(self, services, fuse_units, uid, server_main_classes=None):
        jvms = alluxio_jvms(uid=uid)
        fuse_args = fuse_jvm_args(uid=uid)
        # A FUSE JVM's unit follows from its mount point, also for mounts fuse_mounts does not list.
        units = set(fuse_units.values()) | set(fuse_unit_name(a["mount_point"]) for a in fuse_args.values() if a["mount_point"])
        states = self.unit_states(list(services) + sorted(units))
        owner = {}
        for unit, state in states.items():
            if state.get("main_pid"):
                owner[state["main_pid"]] = unit
        for jvm in jvms:
            jvm["unit"] = owner.get(jvm["pid"])
        self.fuse_in_place = [dict(args, pid=pid, unit=owner.get(pid)) for pid, args in sorted(fuse_args.items())
                              if args["mount_point"]]
        for unit, main_class in services.items():
            state = states[unit]
            active = state.get("active") == "active"
            mine = [jvm for jvm in jvms if jvm["main_class"] == main_class]
            detail = "%s, pid %s" % (state.get("active") or "unknown", state.get("main_pid", 0))
            if active and not any(jvm["unit"] == unit for jvm in mine):
                detail += ", but its JVM (%s) is not running as %s" % (main_class, self.module.params["user"])
                active = False
            self.add("service", unit, active, detail)
            if len(mine) > 1:
                self.add("server_jvm", main_class, False, "duplicated: pids %s" % ", ".join(str(j["pid"]) for j in mine))
        by_hand = set(m["pid"] for m in self.fuse_in_place if m["unit"] is None)
        servers = set(server_main_classes or [])
        clients = []
        for jvm in jvms:
            if jvm["unit"] is not None or jvm["pid"] in by_hand:
                continue  # a FUSE process started by hand serves its mount (checked with the FUSE mounts)
            if servers and jvm["main_class"] not in servers:
                clients.append(jvm)
            else:
                self.add("server_jvm", jvm["main_class"], False, "orphaned: pid %d belongs to no Alluxio unit" % jvm["pid"])
        if clients:
            self.add("clients", str(len(clients)), True, ", ".join("%s pid %d" % (j["main_class"], j["pid"]) for j in clients))
        return jvms

    def ports(self, ports, listen_address=None, unbindable=()):
        """Returns the listening ports ({port: [address]})."""
        listening = listening_addresses([read_text("/proc/net/tcp"), read_text("/proc/net/tcp6")])
        for port in ports:
            self.add("port", str(port), port in listening, "listening" if port in listening else "nothing listens")
        if listen_address and listen_address not in WILDCARD_ADDRESSES:
            for port in (p for p in ports if p not in unbindable):
                everywhere = [a for a in listening.get(port, []) if a in WILDCARD_ADDRESSES]
                if everywhere:
                    self.add("exposure", str(port), False, "listens on every address (%s), not only on %s: run playbooks/site.yml"
                             % (everywhere[0], listen_address))
        return listening

    def worker_answers(self, worker_url, down_after, listening):
        """The worker, when its web port is open, answers its REST API within down_after seconds.
        A worker whose port is closed is the service and port checks' (no wait for a dead one)."""
        port = urlparse(worker_url).port
        if port not in listening:
            return

        def ask():
            try:
                fetch_json(worker_url.rstrip("/") + WORKER_INFO_PATH, timeout=2)
                return True
            except IOError:
                return False
        answered, seconds = answers_within(ask, down_after)
        self.add("server_answers", "worker", answered, "answers its REST API" + (" (after %.0f s)" % seconds if seconds >= 2 else "")
                 if answered else "port %d open, but no answer for %.0f s (a stopped or deadlocked JVM)" % (port, seconds))

    def firewall(self):
        """The collection's nftables table must be loaded."""
        nft = self.module.get_bin_path("nft")
        target = "%s %s" % (FIREWALL_FAMILY, FIREWALL_TABLE)
        if not nft:
            self.add("firewall", target, False, "nft is not installed: Alluxio's ports are open to every host; run playbooks/site.yml")
            return
        rc, out, err = self.module.run_command(bounded([nft, "list", "table", FIREWALL_FAMILY, FIREWALL_TABLE], QUICK_TIMEOUT))
        self.add("firewall", target, rc == 0, "loaded" if rc == 0 else
                 "not loaded: Alluxio's ports are open to every host; run playbooks/site.yml")

    def fuse(self, mount_points, mounts):
        # Whether the master answers is needed only when a mount hangs; asked beside the first
        # probes (not after them), so a hung mount costs its stat timeout once, not that plus this.
        master = {}
        asking = None
        if mount_points and self.module.params["master_url"]:
            asking = threading.Thread(target=lambda: master.update(answered=master_answers(self.module.params["master_url"])))
            asking.daemon = True
            asking.start()
        for mount_point in mount_points:
            mount = mount_at(mounts, mount_point)
            if not mount or mount["fstype"] != ALLUXIO_FUSE_FSTYPE:
                self.add("fuse", mount_point, False, "not mounted")
                continue
            state, trouble = probe_path(mount_point, self.module.params["stat_timeout"])
            more = {"hung": state == "hung"}
            if state == "hung" and self.module.params["master_url"]:
                # A FUSE mount waits for the master: when the master is slow too (a GC pause), the
                # mount is asked once more, and a hang that remains with a slow master is recorded as
                # such (master_answered false): remounting would not help.
                asking.join()
                more["master_answered"] = master.get("answered", False)
                state, again = probe_path(mount_point, 2)
                if state == "failed":
                    trouble, more["hung"] = again, False  # it stopped hanging and failed: a dead process
                elif state == "answers":
                    trouble, more["hung"] = None, False
                    detail = "mounted, answers (its first stat hung %s)" % (
                        "while the master was slow" if not more["master_answered"] else "for a while")
                    self.add("fuse", mount_point, True, detail, **more)
                    continue
                if more["hung"] and not more["master_answered"]:
                    trouble += ", and the master was slow to answer"
            self.add("fuse", mount_point, trouble is None, "mounted, " + (trouble or "answers"), **more)

    def ramdisk(self, path, size, mounts):
        mount = mount_at(mounts, path)
        if not mount:
            self.add("ramdisk", path, False, "not mounted")
            return
        found = mount_size_bytes(mount["options"])
        ok = mount["fstype"] in ("tmpfs", "ramfs") and (size is None or found == size)
        detail = "%s of %s" % (mount["fstype"], format_size(found) if found else "no size")
        if size is not None and found != size:
            # Two sizes can print alike (62.51GB): the bytes say which is which.
            detail += "%s, configured %s (%d bytes)" % (" (%d bytes)" % found if found else "", format_size(size), size)
        self.add("ramdisk", path, ok, detail)

    def free_space(self, wanted):
        for path, minimum in sorted(wanted.items()):
            try:
                stats = os.statvfs(path)
            except OSError as exc:
                self.add("space", path, False, exc.strerror)
                continue
            free = stats.f_bavail * stats.f_frsize
            self.add("space", path, free >= minimum, "%s free, %s wanted" % (format_size(free), format_size(minimum)))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            services=dict(type="dict", default={}),
            server_main_classes=dict(type="list", elements="str", default=[]),
            user=dict(type="str", default="alluxio"),
            ports=dict(type="list", elements="int", default=[]),
            fuse_mounts=dict(type="list", elements="str", default=[]),
            ramdisk_path=dict(type="str"),
            ramdisk_size=dict(type="str"),
            free_space=dict(type="dict", default={}),
            stat_timeout=dict(type="int", default=5),
            fuse_mount_roots=dict(type="list", elements="str", default=["/mnt"]),
            master_url=dict(type="str"),
            worker_url=dict(type="str"),
            down_after=dict(type="int", default=30),
            listen_address=dict(type="str"),
            unbindable_ports=dict(type="list", elements="int", default=[]),
            firewall=dict(type="bool", default=False),
        ),
        required_together=[("ramdisk_path", "ramdisk_size")],
        supports_check_mode=True,
    )
    params = module.params
    try:
        ramdisk_size = tier_bytes(params["ramdisk_size"]) if params["ramdisk_size"] else None
        free_space = dict((path, parse_size(size)) for path, size in params["free_space"].items())
    except SizeError as exc:
        module.fail_json(msg=str(exc))
    entry = passwd_entry(params["user"])
    uid = entry.pw_uid if entry else None
    health = Health(module)
    if uid is None:
        health.add("user", params["user"], False, "no such user")
        jvms = []
    else:
        fuse_units = dict((mp, fuse_unit_name(mp)) for mp in params["fuse_mounts"])
        jvms = health.services(params["services"], fuse_units, uid, params["server_main_classes"])
    listening = health.ports(params["ports"], params["listen_address"], params["unbindable_ports"])
    if params["worker_url"]:
        health.worker_answers(params["worker_url"], params["down_after"], listening)
    if params["firewall"]:
        health.firewall()
    mounts = parse_mountinfo(read_text("/proc/self/mountinfo"))
    for found in health.fuse_in_place:
        # What a repair needs to tell a real mount from a forged command line: is an Alluxio FUSE
        # file system mounted there, and who owns the directory (read without entering a mount).
        mount = mount_at(mounts, found["mount_point"])
        found["mounted"] = bool(mount) and mount["fstype"] == ALLUXIO_FUSE_FSTYPE
        found["owner_uid"] = None
        if not found["mounted"]:
            try:
                st = os.lstat(found["mount_point"])
                found["owner_uid"] = st.st_uid if stat.S_ISDIR(st.st_mode) else None
            except OSError:
                pass
        found["refused"] = put_back_refusal(found["mount_point"], params["fuse_mount_roots"], found["mounted"],
                                            uid is not None and found["owner_uid"] == uid)
        if found["refused"]:
            # A FUSE process whose mount is not one a repair may put back (perhaps a forged command line).
            health.add("fuse_claim", found["mount_point"], False,
                       "pid %d claims it, not put back: %s" % (found["pid"], found["refused"]))
    in_place = [m["mount_point"] for m in health.fuse_in_place if not m["refused"] and m["mount_point"] not in params["fuse_mounts"]]
    health.fuse(params["fuse_mounts"] + in_place, mounts)
    # Who a remount or a worker restart disturbs (the FUSE processes themselves aside).
    fuse_pids = set(m["pid"] for m in health.fuse_in_place) | set(j["pid"] for j in jvms)
    fuse_users = processes_using(params["fuse_mounts"] + in_place, exclude_pids=fuse_pids | set([os.getpid()]))
    if params["ramdisk_path"]:
        health.ramdisk(params["ramdisk_path"], ramdisk_size, mounts)
    health.free_space(free_space)
    problems = ["%s: %s" % (c["check"], c["detail"]) for c in health.checks if not c["ok"]]
    module.exit_json(changed=False, healthy=not problems, checks=health.checks, problems=problems, jvms=jvms,
                     fuse_in_place=health.fuse_in_place, fuse_users=fuse_users)


if __name__ == "__main__":
    main()
