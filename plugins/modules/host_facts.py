#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_facts
short_description: Read, in one light call, what the alnair.alluxio roles need to know about a host
version_added: "0.1.0"
description:
  - Returns the fact C(alluxio_host) with the memory, Debian release, whether C(/etc/fuse.conf) allows
    C(allow_other), the mounts, the host clock, and the state of the packages, systemd units, users,
    groups and paths asked for.
  - The roles read it first and then call a changing module only for what differs, so a converged
    host costs one module run instead of one per resource (each remote module run costs about
    0.3 s of CPU on a small host).
  - Changes nothing.
author:
  - alnair platform team (@alnair)
options:
  packages:
    description: Debian packages whose installed version to report (C(null) when not installed).
    type: list
    elements: str
    default: []
  units:
    description: systemd units whose C(ActiveState) and C(UnitFileState) to report.
    type: list
    elements: str
    default: []
  users:
    description: Users whose uid, gid, home and shell to report (C(null) when absent).
    type: list
    elements: str
    default: []
  groups:
    description: Groups whose gid to report (C(null) when absent).
    type: list
    elements: str
    default: []
  paths:
    description: Paths whose kind to report (C(file), C(directory), C(link), C(other) or C(absent)).
    type: list
    elements: path
    default: []
  memory_mounts:
    description:
      - Mount points whose size and use to report when a tmpfs or ramfs is mounted there (a worker's
        ramdisk). Nothing else is asked (a statvfs of a FUSE mount could hang).
    type: list
    elements: path
    default: []
extends_documentation_fragment:
  - alnair.alluxio.alluxio.read_only
attributes:
  facts:
    description: Returns the fact C(alluxio_host).
    support: full
"""

EXAMPLES = r"""
- name: Read the host
  alnair.alluxio.host_facts:
    packages: [openjdk-17-jre-headless, libfuse2]
    units: [alluxio-worker.service, mnt-ramdisk.mount]
    users: [alluxio]
    groups: [alluxio]
    paths: [/opt/alluxio/alluxio-2.9.6/webui]

- name: Install Java only when it is missing
  ansible.builtin.apt:
    name: openjdk-17-jre-headless
  when: not alluxio_host.packages['openjdk-17-jre-headless']
"""

RETURN = r"""
ansible_facts:
  description: The facts.
  returned: always
  type: complex
  contains:
    alluxio_host:
      description: What was read.
      type: dict
      contains:
        memtotal_mb:
          description: MemTotal of /proc/meminfo in MiB.
          type: int
        distribution_release:
          description: VERSION_CODENAME of /etc/os-release (C(bookworm)).
          type: str
        fuse_user_allow_other:
          description: Whether /etc/fuse.conf has an active C(user_allow_other) line.
          type: bool
        clock_ms:
          description: The host's clock, in milliseconds since the epoch, when it was read.
          type: int
        addresses:
          description:
            - The host's global IPv4 and IPv6 addresses (C(ip address show scope global)); the
              firewall admits Alluxio's ports from every address of every cluster host. Empty
              when C(ip) is missing.
          type: list
          elements: str
        mounts:
          description: One entry per line of /proc/self/mountinfo.
          type: list
          elements: dict
          contains:
            mount_point:
              description: Where it is mounted.
              type: str
            root:
              description: The mounted path inside its file system.
              type: str
            fstype:
              description: File system type such as C(fuse.alluxio-fuse) or C(tmpfs).
              type: str
            source:
              description: The mount source.
              type: str
            options:
              description: Mount options, then super block options, separated by commas.
              type: str
        packages:
          description: Package name to installed version, or C(null).
          type: dict
        units:
          description: Unit to C({active, enabled}), from systemctl show.
          type: dict
        users:
          description: User name to C({uid, gid, home, shell}), or C(null).
          type: dict
        groups:
          description: Group name to gid, or C(null).
          type: dict
        paths:
          description: Path to its kind.
          type: dict
        memory_mounts:
          description: Mount point to C({size_bytes, used_bytes}) of the tmpfs or ramfs there, or C(null).
          type: dict
  sample:
    alluxio_host:
      memtotal_mb: 24105
      distribution_release: bookworm
      fuse_user_allow_other: true
      clock_ms: 1795532153517
      addresses: [198.51.100.12]
      packages: {libfuse2: 2.9.9-6+b1}
      units: {alluxio-worker.service: {active: active, enabled: enabled}}
      users: {alluxio: {uid: 999, gid: 999, home: /var/lib/alluxio, shell: /usr/sbin/nologin}}
      groups: {alluxio: 999}
      paths: {/opt/alluxio/alluxio-2.9.6/webui: absent}
"""

import os
import stat
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import (
    QUICK_TIMEOUT, HostError, bounded, fuse_user_allow_other, global_addresses, group_entry, memtotal_mb, mount_at,
    os_release_codename, parse_dpkg, parse_mountinfo, passwd_entry, read_text, systemctl_show)


def path_kind(path):
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "absent"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


def user_entry(name):
    entry = passwd_entry(name)
    return entry and {"uid": entry.pw_uid, "gid": entry.pw_gid, "home": entry.pw_dir, "shell": entry.pw_shell}


def memory_mount_usage(mounts, point):
    """{size_bytes, used_bytes} of the tmpfs or ramfs mounted at point, or None (nothing of the kind there)."""
    mount = mount_at(mounts, point)
    if not mount or mount["fstype"] not in ("tmpfs", "ramfs"):
        return None
    stats = os.statvfs(point)
    return {"size_bytes": stats.f_blocks * stats.f_frsize, "used_bytes": (stats.f_blocks - stats.f_bfree) * stats.f_frsize}


def group_gid(name):
    entry = group_entry(name)
    return entry and entry.gr_gid


def main():
    module = AnsibleModule(
        argument_spec=dict(
            packages=dict(type="list", elements="str", default=[]),
            units=dict(type="list", elements="str", default=[]),
            users=dict(type="list", elements="str", default=[]),
            groups=dict(type="list", elements="str", default=[]),
            paths=dict(type="list", elements="path", default=[]),
            memory_mounts=dict(type="list", elements="path", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    facts = {
        "memtotal_mb": memtotal_mb(read_text("/proc/meminfo")),
        "distribution_release": os_release_codename(read_text("/etc/os-release")),
        "fuse_user_allow_other": fuse_user_allow_other(read_text("/etc/fuse.conf")),
        "clock_ms": int(time.time() * 1000),
        "addresses": [],
        "mounts": parse_mountinfo(read_text("/proc/self/mountinfo")),
        "users": dict((name, user_entry(name)) for name in params["users"]),
        "groups": dict((name, group_gid(name)) for name in params["groups"]),
        "paths": dict((path, path_kind(path)) for path in params["paths"]),
        "memory_mounts": {},
        "packages": {},
        "units": {},
    }
    for point in params["memory_mounts"]:
        facts["memory_mounts"][point] = memory_mount_usage(facts["mounts"], point)
    ip = module.get_bin_path("ip")
    if ip:
        rc, out, err = module.run_command(bounded([ip, "-json", "address", "show", "scope", "global"], QUICK_TIMEOUT))
        facts["addresses"] = global_addresses(out) if rc == 0 else []
    if params["packages"]:
        dpkg = module.get_bin_path("dpkg-query")
        if dpkg:
            # Exit status 1 only means some package is unknown.
            rc, out, err = module.run_command([dpkg, "--show", "--showformat=${db:Status-Abbrev}\t${Package}\t${Version}\n"]
                                              + params["packages"])
            facts["packages"] = parse_dpkg(out, params["packages"])
        else:
            facts["packages"] = dict((name, None) for name in params["packages"])
    if params["units"]:
        try:
            shown = systemctl_show(module.run_command, params["units"])
        except HostError as exc:
            module.fail_json(msg=str(exc))
        facts["units"] = dict((unit, {"active": state["active"], "enabled": state["enabled"]}) for unit, state in shown.items())
    module.exit_json(changed=False, ansible_facts={"alluxio_host": facts})


if __name__ == "__main__":
    main()
