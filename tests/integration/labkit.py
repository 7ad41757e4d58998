"""Helpers for the lab integration tests: run commands and playbooks, inspect the lab."""
import contextlib
import json
import re
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"

LAB = [sys.executable, str(REPO / "tools" / "lab.py")]
INVENTORY = REPO / "inventories" / "lab"
PLAYBOOKS = REPO / "playbooks"
SITE, HEALTH, REMEDIATE = (PLAYBOOKS / f"{name}.yml" for name in ("site", "health", "remediate"))
# Alluxio's command line on a lab host, as Alluxio's superuser.
ALLUXIO_CLI = "runuser -u alluxio -- /opt/alluxio/current/bin/alluxio"
LAB_STATE = Path(os.environ.get("ALNAIR_LAB_STATE", "/var/lib/alnair-lab")) / "state.json"
ALLUXIO_VERSION = os.environ.get("ALLUXIO_VERSION", "2.9.6")


def run(cmd, check=True, timeout=900, **kw):
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ['PATH']}", ANSIBLE_FORCE_COLOR="0")
    env.update(kw.pop("env", {}))
    res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout, env=env, check=False, **kw)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {res.returncode}\n--- stdout\n{res.stdout[-6000:]}\n--- stderr\n{res.stderr[-4000:]}")
    return res


LAB_SSH = ["ssh", "-i", "/var/cache/alnair-alluxio/lab/id_ed25519", "-o", "UserKnownHostsFile=/var/lib/alnair-lab/known_hosts",
           "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]


# The default lab (inventories/lab); tests loop over it, so it holds only hosts that are always up.
ADDRESS = {"lab-master": "198.51.100.11", "lab-worker1": "198.51.100.12", "lab-worker2": "198.51.100.13"}
# Started only by `lab_up(hosts=4)` and in no inventory: the stray worker of the unintended-worker tests.
SPARE_ADDRESS = {"lab-worker3": "198.51.100.14"}


def on(host, command):
    """Run a shell command on a lab host, by its inventory name."""
    return ssh(ADDRESS.get(host) or SPARE_ADDRESS[host], command)


def main_pid(host, unit):
    """The MainPID systemd shows for a unit on a lab host ("0" when it does not run)."""
    return on(host, f"systemctl show -p MainPID --value '{unit}'").stdout.strip()


def ssh(address, command):
    """Run a shell command on a lab host as root (host keys pinned by lab.py)."""
    return run(LAB_SSH + [f"root@{address}", command], check=False, timeout=300)


def lab_up(hosts=3):
    return run(LAB + ["up", "--hosts", str(hosts)])


def lab_down():
    return run(LAB + ["down"])


def playbook(path, *args, check=True, timeout=1800, env=None, inventory=INVENTORY):
    return run(["ansible-playbook", "-i", str(inventory), str(path), *args], check=check, timeout=timeout, env=env or {})


def lab_leftovers():
    """Everything `down` must remove, as seen from the controller."""
    left = []
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    left += [f"netns {line.split()[0]}" for line in netns.splitlines() if line.startswith("lab-")]
    if subprocess.run(["ip", "link", "show", "alnair-br0"], capture_output=True, check=False).returncode == 0:
        left.append("bridge alnair-br0")
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=False).stdout
    left += [f"veth {l.split(':')[1].strip()}" for l in links.splitlines() if "alnair-v" in l]
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            point = line.split()[4]
            if point.startswith("/var/lib/alnair-lab") or " - overlay " in line and "alnair" in line:
                left.append(f"mount {point}")
    for root in ("/sys/fs/cgroup/systemd/alnair-lab", "/sys/fs/cgroup/unified/alnair-lab"):
        if os.path.exists(root):
            left.append(f"cgroup {root}")
    nat = subprocess.run(["iptables", "-t", "nat", "-S"], capture_output=True, text=True, check=False).stdout
    fwd = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True, check=False).stdout
    left += [f"iptables {l}" for l in (nat + fwd).splitlines() if "alnair-lab" in l]
    procs = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=False).stdout
    left += [f"process {l.strip()}" for l in procs.splitlines() if "lab.py _launch" in l or "systemd-nspawn" in l and "-M lab-" in l]
    if os.path.exists("/var/lib/alnair-lab"):
        left.append("state dir /var/lib/alnair-lab")
    return left


@contextlib.contextmanager
def live_worker_samples(max_last_contact_sec=3):
    """While the block runs, count twice a second the workers the master lists with a recent
    heartbeat; yields the list of counts (no sample while the master itself is down)."""
    samples, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            try:
                with urllib.request.urlopen(f"http://{ADDRESS['lab-master']}:19999/api/v1/master/info", timeout=2) as resp:
                    info = json.load(resp)
                samples.append(sum(1 for w in info["workers"] if w["lastContactSec"] <= max_last_contact_sec))
            except OSError:
                pass  # the master restarts too
            stop.wait(0.5)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield samples
    finally:
        stop.set()
        watcher.join()


def wait_for(predicate, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def load_json(path):
    with open(path) as fh:
        return json.load(fh)


def recap(output):
    """PLAY RECAP counters per host."""
    hosts = {}
    for match in re.finditer(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output, re.M):
        hosts[match.group(1)] = {"ok": int(match.group(2)), "changed": int(match.group(3)),
                                 "unreachable": int(match.group(4)), "failed": int(match.group(5))}
    return hosts
