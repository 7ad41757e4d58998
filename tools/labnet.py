"""The local lab's names, addresses, paths and SSH settings: the one place that says them.

tools/lab.py builds the lab from these, writes them into the inventory it generates
(inventories/lab/hosts.yml), and tools/measure.py and the tests read them from here
(or from that inventory), never from a copy.
"""
from __future__ import annotations

import ipaddress
import os
from pathlib import Path


def _absolute_dir(variable: str, default: str) -> Path:
    """A directory from the environment, refused when set but empty or relative: the lab
    removes what it finds there, so it must never fall back to the current directory."""
    value = os.environ.get(variable)
    if value is None:
        return Path(default)
    if not value or not os.path.isabs(value) or os.path.normpath(value) == "/":
        raise SystemExit(f"lab: error: {variable} must be an absolute directory other than /, got {value!r}")
    return Path(os.path.normpath(value))


CACHE_DIR = _absolute_dir("ALNAIR_CACHE", "/var/cache/alnair-alluxio")
STATE_DIR = _absolute_dir("ALNAIR_LAB_STATE", "/var/lib/alnair-lab")
LAB_KEY = CACHE_DIR / "lab" / "id_ed25519"
KNOWN_HOSTS = STATE_DIR / "known_hosts"
# One directory every host mounts at the same path: the lab's shared storage (like NFS).
SHARED_DIR = STATE_DIR / "shared"
SHARED_MOUNT = "/srv/lab-shared"

SUBNET = ipaddress.ip_network("198.51.100.0/24")  # TEST-NET-2: never routed outside
GATEWAY = "198.51.100.1"
FIRST_HOST = 11
MAX_HOSTS = 20
DEFAULT_HOSTS = 3

# Options every SSH connection to a lab host uses: host keys pinned by `lab.py up`.
SSH_OPTIONS = ["-o", f"UserKnownHostsFile={KNOWN_HOSTS}", "-o", "StrictHostKeyChecking=yes"]
# Added for commands run without a person at the keyboard (lab.py's wait, measure.py, tests).
SSH_BATCH_OPTIONS = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR"]


def host_names(count: int) -> list[str]:
    """First host is the master, the others workers; a single host is both."""
    if count == 1:
        return ["lab-node1"]
    return ["lab-master"] + [f"lab-worker{i}" for i in range(1, count)]


def host_address(index: int) -> str:
    return str(SUBNET.network_address + FIRST_HOST + index)


def address(name: str, count: int = MAX_HOSTS) -> str:
    """The address of a lab host by its name (lab-master, lab-workerN, lab-node1)."""
    names = host_names(1) + host_names(count)
    if name not in names:
        raise KeyError(f"{name} is not a lab host name")
    return host_address(0 if name == "lab-node1" else names.index(name) - 1)


def ssh_command(host_address_: str, *command: str) -> list[str]:
    """The argument list of an SSH command run as root on a lab host."""
    return ["ssh", "-i", str(LAB_KEY), *SSH_OPTIONS, *SSH_BATCH_OPTIONS, f"root@{host_address_}", *command]
