#!/usr/bin/env python3
"""The ansible-core releases the collection supports, and a test venv for each.

The range is requirements.txt's `ansible-core>=A,<B` (the one place it is written): every minor
release from A up to B. The venv of a release has requirements-test.txt with ansible-core pinned to
that release; it is cached outside the repository, keyed by the requirements files, like
tools/bootstrap.sh's main venv.

    python3 tools/ansible_cores.py list            # the supported releases, oldest first
    python3 tools/ansible_cores.py venv 2.18       # make (or reuse) its venv; prints its path
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_RANGE = re.compile(r"^ansible-core\s*>=\s*(\d+)\.(\d+)\s*,\s*<\s*(\d+)\.(\d+)\s*$")


def supported():
    """['2.18', '2.19'] from requirements.txt's ansible-core range."""
    for line in (REPO / "requirements.txt").read_text().splitlines():
        found = _RANGE.match(line.strip())
        if found:
            major, low, top_major, high = map(int, found.groups())
            if top_major != major:
                raise SystemExit("requirements.txt: the ansible-core range must stay within one major release")
            return ["%d.%d" % (major, minor) for minor in range(low, high)]
    raise SystemExit("requirements.txt has no line like ansible-core>=2.18,<2.20")


def venv(version):
    """The path of the test venv with ansible-core `version` (made once, then reused)."""
    if version not in supported():
        raise SystemExit("ansible-core %s is not supported (%s)" % (version, ", ".join(supported())))
    cache = os.environ.get("ALNAIR_CACHE", "/var/cache/alnair-alluxio")
    if not cache.startswith("/"):
        raise SystemExit("ALNAIR_CACHE must be an absolute path, got %r" % cache)
    key = hashlib.sha256(b"".join((REPO / name).read_bytes() for name in ("requirements.txt", "requirements-test.txt")))
    path = Path(cache) / "venv" / ("core-%s-%s" % (version, key.hexdigest()[:12]))
    if not (path / ".complete").exists():
        print("[ansible-core %s] creating the test venv %s" % (version, path), file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
        pip = [str(path / "bin" / "pip"), "install", "-q"]
        subprocess.run(pip + ["--upgrade", "pip"], check=True)
        subprocess.run(pip + ["-r", str(REPO / "requirements-test.txt"), "ansible-core==%s.*" % version], check=True)
        (path / ".complete").touch()
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("list")
    make = sub.add_parser("venv")
    make.add_argument("version")
    args = parser.parse_args()
    if args.what == "list":
        print("\n".join(supported()))
    else:
        print(venv(args.version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
