"""The local lab's names, addresses, paths and SSH settings: the one place that says them.

tools/lab.py builds the lab from these, writes them into the inventory it generates
(inventories/lab/hosts.yml), and tools/measure.py and the tests read them from here
(or from that inventory), never from a copy.
"""
from __future__ import annotations

import ipaddress
import os
import re
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


def host_names(count: int, masters: int = 1) -> list[str]:
    """First host is the master, the others workers; a single host is both. Masters beyond the
    first (a quorum, `lab.py up --masters 3`) are lab-master2, lab-master3, ... after the workers."""
    if count == 1 and masters == 1:
        return ["lab-node1"]
    return (["lab-master"] + [f"lab-worker{i}" for i in range(1, count)]
            + [f"lab-master{i}" for i in range(2, masters + 1)])


def host_index(name: str) -> int:
    """A lab host's place in the subnet, fixed by its name: the master and the workers from the
    bottom (lab-workerN is N), the further masters from the top (lab-master2 is MAX_HOSTS - 1)."""
    if name in ("lab-node1", "lab-master"):
        return 0
    match = re.fullmatch(r"lab-(worker|master)([1-9][0-9]*)", name)
    number = int(match.group(2)) if match else 0
    if match and match.group(1) == "worker" and number < MAX_HOSTS:
        return number
    if match and match.group(1) == "master" and 2 <= number <= MAX_HOSTS:
        return MAX_HOSTS - number + 1
    raise KeyError(f"{name} is not a lab host name")


def host_address(index: int) -> str:
    return str(SUBNET.network_address + FIRST_HOST + index)


def address(name: str) -> str:
    """The address of a lab host by its name (lab-master, lab-workerN, lab-masterN, lab-node1)."""
    return host_address(host_index(name))


def ssh_command(host_address_: str, *command: str) -> list[str]:
    """The argument list of an SSH command run as root on a lab host."""
    return ["ssh", "-i", str(LAB_KEY), *SSH_OPTIONS, *SSH_BATCH_OPTIONS, f"root@{host_address_}", *command]
