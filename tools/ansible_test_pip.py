#!/usr/bin/env python3
"""Let `ansible-test sanity` bootstrap pip without its download site.

ansible-test creates a venv per sanity test and installs pip into it by running
a get-pip script it downloads from a CI file server (not reachable from every
site). It first looks for that script in ~/.ansible/test/cache/. This tool
writes a script there that does the same job with the pip wheel of the very
version ansible-test asks for, fetched from the package index with pip itself.
Run it with the venv's Python (the one that has ansible-test).
"""
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from ansible_test._internal.python_requirements import get_venv_packages

SHIM = '''"""pip bootstrap for ansible-test, written by alnair.alluxio's tools/ansible_test_pip.py."""
import sys
sys.path.insert(0, {wheel!r})
from pip._internal.cli.main import main
# get-pip's own flags mean "do not add these packages": pip install adds none anyway.
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--no-index", "--find-links", {wheels!r}] + args))
'''


def main() -> int:
    python = SimpleNamespace(version=f"{sys.version_info.major}.{sys.version_info.minor}")
    version = get_venv_packages(python)["pip"]
    cache = Path.home() / ".ansible" / "test" / "cache"
    script = cache / f"get_pip_{version.replace('.', '_')}.py"
    wheels = cache / "wheels"
    wheel = wheels / f"pip-{version}-py3-none-any.whl"
    if not wheel.exists():
        wheels.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                        "-d", str(wheels), f"pip=={version}"], check=True)
    text = SHIM.format(wheel=str(wheel), wheels=str(wheels))
    if not script.exists() or script.read_text() != text:
        # Atomically: the lint tier runs two ansible-test sanity at once (one per ansible-core release).
        partial = script.with_name(f"{script.name}.{os.getpid()}")
        partial.write_text(text)
        os.replace(partial, script)
    print(script)
    return 0


if __name__ == "__main__":
    sys.exit(main())
