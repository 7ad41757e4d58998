# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What the modules read from a host: /proc files, dpkg and systemctl output, mounts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import posixpath

FUSE_UNIT_TEMPLATE = "alluxio-fuse@.service"


def read_text(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ""


def memtotal_mb(meminfo):
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return None


def os_release_codename(text):
    for line in text.splitlines():
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return None


def fuse_user_allow_other(text):
    return any(line.strip() == "user_allow_other" for line in text.splitlines())


def _unescape(field):
    # mountinfo escapes space, tab, newline and backslash as octal.
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def parse_mountinfo(text):
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, tail = left.split(), right.split()
        if len(fields) < 6 or len(tail) < 3:
            continue
        mounts.append({
            "mount_point": _unescape(fields[4]),
            "root": _unescape(fields[3]),
            "fstype": tail[0],
            "source": _unescape(tail[1]),
            "options": fields[5] + "," + tail[2],
        })
    return mounts


def parse_dpkg(text, wanted):
    versions = dict((name, None) for name in wanted)
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].startswith("ii") and parts[1] in versions:
            versions[parts[1]] = parts[2]
    return versions


def parse_systemctl_show(text):
    units = {}
    for block in text.split("\n\n"):
        fields = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        if "Id" in fields:
            units[fields["Id"]] = {"active": fields.get("ActiveState", ""), "enabled": fields.get("UnitFileState", "")}
    return units


def systemd_escape_path(path):
    """systemd-escape --path: /mnt/ram-disk -> mnt-ram\\x2ddisk, / -> -."""
    parts = [p for p in posixpath.normpath(path).split("/") if p]
    if not parts:
        return "-"
    escaped = []
    for part in parts:
        out = ""
        for i, char in enumerate(part):
            if char.isalnum() or char in ":_" or (char == "." and i > 0):
                out += char
            else:
                out += "\\x%02x" % ord(char)
        escaped.append(out)
    return "-".join(escaped)


def fuse_unit_name(mount_point):
    """The instance of the FUSE template unit that serves a mount point."""
    return FUSE_UNIT_TEMPLATE.replace("@", "@" + systemd_escape_path(mount_point))


def mount_at(mounts, mount_point):
    """The mount on top at mount_point (the last one in mountinfo order), or None."""
    found = None
    for mount in mounts:
        if mount["mount_point"] == mount_point:
            found = mount
    return found


def path_responds(run_command, path, timeout=5):
    """None when path answers stat within timeout seconds (a missing path is an answer), else why
    not. A stale FUSE mount fails with ENOTCONN or hangs; stat runs in a child process so a hang cannot block us.
    run_command is AnsibleModule.run_command."""
    rc, _out, err = run_command(["timeout", str(timeout), "stat", "--format=%i", "--", path])
    if rc == 0:
        return None
    if rc == 124:
        return "stat hung for %d s" % timeout
    if "No such file or directory" in err or "Not a directory" in err:
        return None  # an answer: the path is missing, the file system is alive
    if "Transport endpoint is not connected" in err:
        return os.strerror(errno.ENOTCONN)
    return err.strip() or "stat failed (rc %d)" % rc
