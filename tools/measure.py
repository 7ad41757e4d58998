#!/usr/bin/env python3
"""Measure the lab and deployment figures in BENCHMARKS.md (medians of several runs).

    python3 tools/measure.py lab [--runs 5]        lab up / ping / down
    python3 tools/measure.py site [--runs 3]       site.yml first converge and second run
    python3 tools/measure.py memory                PSS per idle host, RSS per Alluxio JVM

Prints one Markdown table row per figure, with the runs behind the median.
"""
import argparse
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["lab", "site", "memory"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    {"lab": lambda: measure_lab(args.runs), "site": lambda: measure_site(args.runs), "memory": measure_memory}[args.what]()


if __name__ == "__main__":
    main()
