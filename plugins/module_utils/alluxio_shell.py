# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Running Alluxio's own command line (bin/alluxio) from a module, with argument lists only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import TIMED_OUT, bounded

# Alluxio's superuser is the user its master runs as; root is an ordinary Alluxio user.
DEFAULT_USER = "alluxio"
# Seconds one CLI call may take: every call the modules make answers in a few seconds when the
# master does (a decommission passes its own --wait plus this).
CLI_TIMEOUT = 120


class ShellError(Exception):
    pass


_DURATION_UNITS = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}
_DURATION_RE = re.compile(r"^\s*(\d+)\s*([a-z]*)\s*$")


def duration_seconds(text):
    """Seconds of an Alluxio duration (5m, 30s, 1h, 500ms; a bare number is milliseconds, as Alluxio
    reads it). ValueError when it is not one."""
    match = _DURATION_RE.match(str(text).lower())
    if not match or match.group(2) not in _DURATION_UNITS and match.group(2):
        raise ValueError("%r is not an Alluxio duration like 30s or 5m" % (text,))
    return int(match.group(1)) * (_DURATION_UNITS[match.group(2)] if match.group(2) else 0.001)


def alluxio(module, home, args, check=True, user=DEFAULT_USER, timeout=CLI_TIMEOUT):
    """Run `bin/alluxio ARGS...` as user (one JVM, about 2 s), ended after timeout seconds (a
    master that does not answer makes the CLI retry for minutes). Returns (rc, stdout, stderr);
    ShellError when it ran out of time, whatever check says."""
    shell = os.path.join(home, "bin", "alluxio")
    if not os.path.exists(shell):
        raise ShellError("%s does not exist: is Alluxio installed at alluxio_home %s?" % (shell, home))
    command = bounded([shell] + list(args), timeout)
    if user and os.geteuid() == 0 and user != "root":
        command = ["runuser", "-u", user, "--"] + command
    rc, out, err = module.run_command(command, cwd="/")
    if rc == TIMED_OUT:
        raise ShellError("alluxio %s did not finish within %d s and was ended (does the master answer?)" % (" ".join(args), timeout))
    if check and rc != 0:
        raise ShellError("alluxio %s failed (rc %d): %s" % (" ".join(args), rc, reason(out + "\n" + err)))
    return rc, out, err


def reason(text):
    """The line that says why, out of a Java stack trace."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith("Caused by:")]
    if causes:
        return causes[-1][len("Caused by:"):].strip()[:500]
    messages = [line for line in lines if not line.startswith("at ") and "WARN" not in line and "jline" not in line]
    return (messages[0] if messages else "no output")[:500]


def is_directory(module, home, path):
    """True, False (a file), or None (absent, or the master cannot be reached)."""
    rc, out, err = alluxio(module, home, ["fs", "test", "-d", path], check=False)
    if rc == 0:
        return True
    if rc == 1:
        return False
    return None


def parse_du(text):
    """(size, in Alluxio, in memory) bytes from `alluxio fs du -s --memory PATH`."""
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[0].isdigit() and fields[1].isdigit() and fields[3].isdigit():
            return int(fields[0]), int(fields[1]), int(fields[3])
    raise ShellError("unexpected output of alluxio fs du: %r" % text[-300:])


def parse_load_progress(text):
    """The JSON report of `alluxio fs load PATH --progress --format JSON`, or None when no load is known."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            report = json.loads(line)
            return dict((key[1].lower() + key[2:] if key.startswith("m") else key, value) for key, value in report.items())
    return None


def cache_state(module, home, path, user=DEFAULT_USER):
    """Bytes of path, in Alluxio and in memory, and its load job's progress (or None)."""
    rc, out, err = alluxio(module, home, ["fs", "du", "-s", "--memory", path], user=user)
    size, in_alluxio, in_memory = parse_du(out)
    rc, out, err = alluxio(module, home, ["fs", "load", path, "--progress", "--format", "JSON"], check=False, user=user)
    load = parse_load_progress(out) if rc == 0 else None
    percent = 100.0 if size == 0 else round(100.0 * in_memory / size, 2)
    return {"path": path, "size_bytes": size, "in_alluxio_bytes": in_alluxio, "in_memory_bytes": in_memory,
            "in_memory_percent": percent, "load": load}


def _mib(count):
    return "%.1f MiB" % (count / 1048576.0)


def progress_line(path, state):
    line = "%s: %.1f %% in memory (%s of %s)" % (
        path, state["in_memory_percent"], _mib(state["in_memory_bytes"]), _mib(state["size_bytes"]))
    load = state.get("load")
    if load:
        line += "; load %s, %s files, %s loaded" % (
            load.get("jobState"), load.get("processedFileCount"), _mib(load.get("loadedByteCount") or 0))
        if load.get("failedFileCount"):
            line += ", %s files FAILED" % load["failedFileCount"]
    return line
