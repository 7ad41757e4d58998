#!/usr/bin/env python3
"""Measure the lab and deployment figures in BENCHMARKS.md (medians of several runs).

    python3 tools/measure.py lab [--runs 5]        lab up / ping / down
    python3 tools/measure.py site [--runs 3]       site.yml first converge and second run
    python3 tools/measure.py startup [--runs 3]    systemctl start to healthy, per process (converged lab)
    python3 tools/measure.py memory                PSS per idle host and per Alluxio JVM
    python3 tools/measure.py fuse [--runs 5]       kill -9 of a FUSE JVM to its mount answering again (systemd)

Prints one Markdown table row per figure, with the runs behind the median.
"""
import argparse
import json
import socket
import urllib.request
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv" / "bin"
LAB = [sys.executable, str(REPO / "tools" / "lab.py")]


def timed(cmd):
    started = time.monotonic()
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def row(name, samples, command):
    runs = ", ".join(f"{s:.2f}" for s in samples)
    print(f"| {name} | {statistics.median(samples):.2f} s | {len(samples)} ({runs}) | `{command}` |", flush=True)


def measure_lab(runs):
    subprocess.run(LAB + ["down"], check=True, stdout=subprocess.DEVNULL)
    ups, pings, downs = [], [], []
    for _ in range(runs):
        ups.append(timed(LAB + ["up"]))
        pings.append(timed([str(VENV / "ansible"), "all", "-i", "inventories/lab", "-m", "ansible.builtin.ping"]))
        downs.append(timed(LAB + ["down"]))
    row("lab up, 3 hosts, cached base", ups, "python3 tools/lab.py up")
    row("`ansible all -m ping` on the lab", pings, "ansible all -i inventories/lab -m ansible.builtin.ping")
    row("lab down", downs, "python3 tools/lab.py down")


def measure_site(runs):
    firsts, seconds = [], []
    for _ in range(runs):
        subprocess.run(LAB + ["down"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(LAB + ["up"], check=True, stdout=subprocess.DEVNULL)
        firsts.append(timed([str(VENV / "ansible-playbook"), "playbooks/site.yml"]))
        seconds.append(timed([str(VENV / "ansible-playbook"), "playbooks/site.yml"]))
    row("site.yml first converge from bare lab hosts", firsts, "ansible-playbook playbooks/site.yml")
    row("site.yml second run (changed=0)", seconds, "ansible-playbook playbooks/site.yml")


SSH = ["ssh", "-i", "/var/cache/alnair-alluxio/lab/id_ed25519", "-o", "UserKnownHostsFile=/var/lib/alnair-lab/known_hosts",
       "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]
MASTER, WORKER = "198.51.100.11", "198.51.100.12"


def master_info():
    try:
        with urllib.request.urlopen(f"http://{MASTER}:19999/api/v1/master/info", timeout=1) as resp:
            return json.load(resp)
    except (OSError, ValueError):
        return None


def port_open(address, port):
    try:
        socket.create_connection((address, port), timeout=1).close()
        return True
    except OSError:
        return False


def worker_live(since_ms):
    try:
        with urllib.request.urlopen(f"http://{WORKER}:30000/api/v1/worker/info", timeout=1) as resp:
            if json.load(resp)["startTimeMs"] < since_ms:
                return False
    except (OSError, ValueError, KeyError):
        return False
    info = master_info()
    return bool(info) and any(w["address"]["host"] == "lab-worker1" and w["lastContactSec"] <= 1 for w in info["workers"])


def measure_startup(runs):
    """Seconds from `systemctl start` to the health gate's condition, per process, on a converged lab."""
    checks = {
        "master": (MASTER, lambda t: master_info() is not None),
        "job-master": (MASTER, lambda t: port_open(MASTER, 20001)),
        "worker": (WORKER, worker_live),
        "job-worker": (WORKER, lambda t: port_open(WORKER, 30001)),
    }
    for name, (address, ready) in checks.items():
        samples = []
        for _ in range(runs):
            subprocess.run(SSH + [f"root@{address}", f"systemctl stop alluxio-{name}"], check=True)
            time.sleep(2)
            since_ms = int(time.time() * 1000)
            started = time.monotonic()
            subprocess.run(SSH + [f"root@{address}", f"systemctl start alluxio-{name}"], check=True)
            while not ready(since_ms):
                if time.monotonic() - started > 180:
                    raise SystemExit(f"{name} not healthy after 180 s")
                time.sleep(0.1)
            samples.append(time.monotonic() - started)
        row(f"alluxio-{name}: systemctl start to healthy", samples, "python3 tools/measure.py startup")


def pss_kib(pid):
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next(int(l.split()[1]) for l in text.splitlines() if l.startswith("Pss:"))


def measure_memory():
    """PSS of every process in each lab host's cgroup; RSS of each JVM in it."""
    root = Path("/sys/fs/cgroup/systemd/alnair-lab")
    for host in sorted(p for p in root.iterdir() if p.is_dir()):
        pids = set()
        for procs in host.rglob("cgroup.procs"):
            pids.update(int(p) for p in procs.read_text().split())
        total = sum(pss_kib(p) for p in pids)
        jvms = []
        for pid in pids:
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            mains = [c.decode() for c in cmd if c.startswith(b"alluxio.") and b"=" not in c]
            if cmd and cmd[0].endswith(b"java") and mains:
                jvms.append(f"{mains[-1]} {pss_kib(pid) / 1024:.0f} MiB")
        print(f"| {host.name} | {total / 1024:.0f} MiB PSS | {'; '.join(jvms) or 'no JVM'} |")


FUSE_UNIT = "alluxio-fuse@mnt-alluxio\\x2dfuse.service"
FUSE_MOUNT = "/mnt/alluxio-fuse"


def on_worker(command):
    return subprocess.run(SSH + [f"root@{WORKER}", command], capture_output=True, text=True, check=False).stdout.strip()


def measure_fuse(runs):
    """Seconds from kill -9 of the FUSE JVM to a mounted FUSE answering stat again (systemd's restart)."""
    answers = (f"grep -q ' {FUSE_MOUNT} .* - fuse' /proc/self/mountinfo && timeout 5 stat {FUSE_MOUNT} >/dev/null 2>&1"
               f" && systemctl show -p MainPID --value '{FUSE_UNIT}'")
    samples = []
    for _ in range(runs):
        pid = on_worker(f"systemctl show -p MainPID --value '{FUSE_UNIT}'")
        if pid in ("", "0"):
            raise SystemExit(f"{FUSE_UNIT} is not running on {WORKER}: deploy with site.yml first")
        on_worker(f"kill -9 {pid}")
        started = time.monotonic()
        while on_worker(answers) in ("", "0", pid):
            if time.monotonic() - started > 120:
                raise SystemExit("the FUSE mount did not come back within 120 s")
            time.sleep(0.1)
        samples.append(time.monotonic() - started)
        time.sleep(3)
    row("FUSE mount back after kill -9 of its JVM (systemd restart, RestartSec=5)", samples, "python3 tools/measure.py fuse")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["lab", "site", "startup", "memory", "fuse"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    {"lab": lambda: measure_lab(args.runs), "site": lambda: measure_site(args.runs),
     "startup": lambda: measure_startup(args.runs), "memory": measure_memory, "fuse": lambda: measure_fuse(args.runs)}[args.what]()


if __name__ == "__main__":
    main()
