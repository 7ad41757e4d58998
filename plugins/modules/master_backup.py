#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: master_backup
short_description: Take a backup of an Alluxio namespace (the masters' metadata), and keep the newest few
version_added: "0.1.0"
description:
  - With I(take=true), runs C(alluxio fsadmin backup DIR --local). The leading master, or a standby it
    delegates to, writes the whole namespace (inodes, blocks, mount table) to a file
    C(alluxio-backup-DATE-MILLIS.gz) in I(dir) on B(its own) disk; the module returns the host and path.
  - With I(keep), removes this host's oldest backups in I(dir) beyond that many (each with its
    C(.complete) marker). A backup lands on whichever master Alluxio picks, so run the pruning on every master.
  - Each backup is a change; pruning that removes nothing is not.
author:
  - alnair platform team (@alnair)
options:
  dir:
    description: Absolute directory on the masters' local disks (it must exist on each, owned by the masters' user).
    type: path
    required: true
  take:
    description: Take a backup now (it needs a leading master).
    type: bool
    default: true
  keep:
    description: Backups to keep in I(dir) on this host, newest first (by the time in their names); C(0) keeps all.
    type: int
    default: 0
  timeout:
    description: Seconds the backup may take (it grows with the namespace).
    type: int
    default: 600
extends_documentation_fragment:
  - alnair.alluxio.alluxio.shell
attributes:
  check_mode:
    description: Reports the backup it would take and the files it would remove, and does neither.
    support: full
  diff_mode:
    description: Nothing to show as a diff.
    support: none
"""

EXAMPLES = r"""
- name: Back up the namespace before the masters restart
  alnair.alluxio.master_backup:
    dir: /var/lib/alluxio/backups
  run_once: true
  register: backup

- name: Keep the newest 7 backups on every master
  alnair.alluxio.master_backup:
    dir: /var/lib/alluxio/backups
    take: false
    keep: 7
"""

RETURN = r"""
backup_host:
  description: The master that wrote the backup (as Alluxio names it).
  type: str
  returned: when a backup was taken
  sample: alluxio-m2
backup_path:
  description: The backup file on I(backup_host).
  type: str
  returned: when a backup was taken
  sample: /var/lib/alluxio/backups/alluxio-backup-2026-12-06-1796593949046.gz
entry_count:
  description: Journal entries in the backup.
  type: int
  returned: when a backup was taken
backups:
  description: The backup files in I(dir) on this host after pruning, newest first.
  type: list
  elements: str
  returned: always
removed:
  description: The backup files removed on this host (or that would be, in check mode).
  type: list
  elements: str
  returned: always
"""

import errno
import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import DEFAULT_HOME
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_shell import DEFAULT_USER, ShellError, alluxio

# alluxio-backup-YYYY-MM-DD-<milliseconds>.gz, as Alluxio 2.9 names them.
BACKUP_NAME = re.compile(r"^alluxio-backup-\d{4}-\d{2}-\d{2}-(\d+)\.gz$")
COMPLETE_SUFFIX = ".complete"


def parse_backup_report(text):
    """{host, uri, entry_count} from `alluxio fsadmin backup`'s report ("Backup Host : h" lines, after
    progress lines that carriage returns overwrite). ValueError without a Backup URI."""
    found = {}
    for line in (text or "").replace("\r", "\n").splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in ("backup host", "backup uri", "backup entry count"):
            found[key] = value.strip()
    if not found.get("backup uri"):
        raise ValueError("no Backup URI in the output of alluxio fsadmin backup: %r" % (text or "")[-300:])
    count = found.get("backup entry count", "")
    return {"host": found.get("backup host"), "uri": found["backup uri"],
            "entry_count": int(count) if count.isdigit() else None}


def uri_path(uri):
    """The local path of a file:// backup URI (a --local backup)."""
    return uri[len("file://"):] if uri.startswith("file://") else uri


def backups_newest_first(names):
    """The backup file names among names, newest first (by the milliseconds in the name)."""
    matched = [(int(m.group(1)), name) for name, m in ((n, BACKUP_NAME.match(n)) for n in names) if m]
    return [name for _millis, name in sorted(matched, reverse=True)]


def to_remove(names, keep):
    """The backups beyond the newest keep (none when keep is 0)."""
    ordered = backups_newest_first(names)
    return ordered[keep:] if keep > 0 else []


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type="path", required=True),
            take=dict(type="bool", default=True),
            keep=dict(type="int", default=0),
            timeout=dict(type="int", default=600),
            alluxio_home=dict(type="path", default=DEFAULT_HOME),
            user=dict(type="str", default=DEFAULT_USER),
        ),
        supports_check_mode=True,
    )
    params = module.params
    directory = params["dir"]
    if not os.path.isabs(directory):
        module.fail_json(msg="dir must be an absolute path, got %r" % directory)
    if params["keep"] < 0:
        module.fail_json(msg="keep must be 0 (keep all) or more, got %d" % params["keep"])
    result = dict(changed=False, removed=[], backups=[])
    if params["take"]:
        result["changed"] = True
        if not module.check_mode:
            try:
                rc, out, err = alluxio(module, params["alluxio_home"], ["fsadmin", "backup", directory, "--local"],
                                       user=params["user"], timeout=params["timeout"])
                report = parse_backup_report(out)
            except (ShellError, ValueError) as exc:
                module.fail_json(msg="the backup failed: %s" % exc)
            result.update(backup_host=report["host"], backup_path=uri_path(report["uri"]), entry_count=report["entry_count"])
    # The directory is opened without following a link (it belongs to the masters' user).
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        if module.check_mode and exc.errno == errno.ENOENT:
            # Check mode before the directory is made: nothing to prune yet.
            module.exit_json(**result)
        module.fail_json(msg="cannot open the backup directory %s: %s" % (directory, exc), **result)
    try:
        names = os.listdir(fd)
        removed = to_remove(names, params["keep"])
        if removed and not module.check_mode:
            for name in removed:
                for victim in (name, name + COMPLETE_SUFFIX):
                    try:
                        os.unlink(victim, dir_fd=fd)
                    except FileNotFoundError:
                        pass
            names = os.listdir(fd)
    finally:
        os.close(fd)
    result["removed"] = [os.path.join(directory, name) for name in removed]
    result["backups"] = [os.path.join(directory, name) for name in backups_newest_first(names) if name not in removed]
    result["changed"] = result["changed"] or bool(removed)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
