#!/usr/bin/env python3
"""Measure the lab and deployment figures in BENCHMARKS.md (medians of several runs).

    python3 tools/measure.py lab [--runs 5]        lab up / ping / down
    python3 tools/measure.py site [--runs 3]       site.yml first converge and second run
    python3 tools/measure.py startup [--runs 3]    systemctl start to healthy, per process (converged lab)
    python3 tools/measure.py memory                PSS per idle host and per Alluxio JVM
    python3 tools/measure.py fuse [--runs 5]       kill -9 of a FUSE JVM to its mount answering again (systemd)
    python3 tools/measure.py accuracy [--runs 5] [--dir D] [--size 1GB]
                                                   direct_io_bench vs fio on one local directory (ratios)
    python3 tools/measure.py bench [--runs 3]      bench.yml on the deployed lab, all workers in parallel and
                                                   one at a time: aggregate, FUSE/local ratio, CPU per GiB
    python3 tools/measure.py training [--runs 3]   bench.yml's training scenario on the deployed lab, one worker at a
                                                   time: samples/s per epoch of each FUSE profile (and the steps
                                                   from writable to dataset), the local disk and the UFS, cold and warm
    python3 tools/measure.py epoch1 [--runs 3] [--option O ...] [--libfuse 3] [--profile]
                                                   after `training`: a fresh dataset-profile FUSE mount on lab-worker1,
                                                   listed, then its 1,000 small files read once in chunks of 200:
                                                   files/s per chunk, master RPCs per open, the machine's CPU busy,
                                                   CPU ms per file (machine, FUSE JVM, worker JVMs); --profile:
                                                   the FUSE JVM's CPU samples by part (Flight Recording; with --epochs, of the later reads only); --epochs N:
                                                   N-1 more reads by the warm JVMs, the page cache dropped before each
    python3 tools/measure.py fusejvm [--runs 3] [--heap H ...] [--gc G ...]
                                                   after `training`: a fresh dataset-profile FUSE mount on lab-worker1
                                                   per heap (and collector), in turns, with a Flight Recording: files/s
                                                   per epoch, GC pauses, heap after GC, direct memory, peak RSS
    python3 tools/measure.py fuseheap [--runs 3] [--entries N ...]
                                                   FUSE heap per cached metadata entry: trees of N empty files in the
                                                   root UFS, each listed through a fresh dataset-profile mount, live heap
    python3 tools/measure.py rerun [--runs 3] [--baseline REV]
                                                   site.yml's second run on the deployed lab: an earlier commit (a git
                                                   worktree) against this checkout, each converged once first
    python3 tools/measure.py health [--runs 5]     health.yml on the deployed (healthy) lab
    python3 tools/measure.py faults [--runs 3]       remediate.yml on the deployed lab, healthy, then after the four
                                                   faults of issue 14 at once (tools/labfaults.py), and its phases
    python3 tools/measure.py remediate [--runs 3] [--rolling]
                                                   remediate.yml -e alluxio_remediate_restart=true (everything
                                                   restarts, FUSE included) on the deployed lab, and its phases;
                                                   --rolling: workers one at a time, the master left running
    python3 tools/measure.py restarts [--runs 2] [--baseline REV]
                                                   remediate.yml on the lab with this checkout's runbook-shaped sizes,
                                                   an earlier commit's code (a git worktree) then this checkout's:
                                                   processes restarted per run (MainPIDs), health.yml's exit code

Prints one Markdown table row per figure, with the runs behind the median.
"""
import argparse
import json
import os
import re
import shlex
import tempfile
import socket
import urllib.request
import statistics
import subprocess
import sys
import time
from pathlib import Path

import labnet  # the lab's addresses and SSH settings (tools/ is this script's directory)

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


MASTER, WORKER = labnet.address("lab-master"), labnet.address("lab-worker1")


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
            subprocess.run(labnet.ssh_command(address, f"systemctl stop alluxio-{name}"), check=True)
            time.sleep(2)
            since_ms = int(time.time() * 1000)
            started = time.monotonic()
            subprocess.run(labnet.ssh_command(address, f"systemctl start alluxio-{name}"), check=True)
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
    return subprocess.run(labnet.ssh_command(WORKER, command), capture_output=True, text=True, check=False).stdout.strip()


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


def ratio_row(name, samples, command):
    runs = ", ".join(f"{s:.3f}" for s in samples)
    print(f"| {name} | {statistics.median(samples):.3f} | {len(samples)} ({runs}) | `{command}` |", flush=True)


def measure_accuracy(runs, directory, size_text):
    """direct_io_bench's transfer loop and fio on the same directory, 1 MiB blocks, O_DIRECT,
    synchronous I/O. Per run: each writes a new file, then each reads the same file (the one the
    module wrote); who goes first alternates from run to run, so drift hits both alike."""
    sys.path.insert(0, str(REPO / ".collections"))
    from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_bench as bench
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import parse_size
    size, block = parse_size(size_text), 1 << 20
    Path(directory).mkdir(parents=True, exist_ok=True)
    module_file = bench.ScratchFile(directory, "module")
    files = {"fio": Path(directory) / "fio.bin"}

    def module_pass(write):
        done = bench.transfer(module_file, size, block, True, write)
        return done["bytes"] * 1e9 / done["ns"]

    def fio_pass(write):
        target = files["fio"] if write else Path(module_file.path)
        if write and target.exists():
            target.unlink()
        out = subprocess.run(bench.fio_command(str(target), size, block, True, write),
                             capture_output=True, text=True, check=True).stdout
        return bench.parse_fio(out, write)["bytes_per_sec"]

    ratios = {"write": [], "read": []}
    try:
        for index in range(runs):
            order = [("module", module_pass), ("fio", fio_pass)]
            if index % 2:
                order.reverse()
            found = {}
            for direction in ratios:
                for name, measure in order:
                    found[(name, direction)] = measure(direction == "write")
                ratios[direction].append(found[("module", direction)] / found[("fio", direction)])
            print(f"run {index + 1}: " + ", ".join(f"{k[0]} {k[1]} {v / 1e6:.1f} MB/s" for k, v in sorted(found.items())),
                  file=sys.stderr, flush=True)
    finally:
        module_file.remove()
        for path in files.values():
            if path.exists():
                path.unlink()
    command = f"python3 tools/measure.py accuracy --runs {runs} --dir {directory} --size {size_text}"
    for direction, samples in ratios.items():
        ratio_row(f"direct_io_bench / fio, {direction}, 1 MiB O_DIRECT psync, {size_text} in {directory}", samples, command)


def alone_results(found):
    """(1 MiB result, target label) of every worker's targets in the runs one at a time."""
    for report in found["one at a time"]:
        for host in report["hosts"].values():
            for target in host["targets"]:
                for result in target["results"]:
                    if result["block_bytes"] == 1 << 20:
                        yield result, target["label"]


def measure_bench(runs):
    """bench.yml on the deployed lab, alternately with all workers in parallel and one at a time."""
    found = {"parallel": [], "one at a time": []}
    for _index in range(runs):
        for serial in ("100%", "1"):
            with tempfile.TemporaryDirectory() as out:
                env = dict(os.environ, ALNAIR_BENCH_REPORT_DIR=out, PATH=f"{VENV}:{os.environ['PATH']}")
                subprocess.run([str(VENV / "ansible-playbook"), "playbooks/bench.yml", "-e", f"alluxio_bench_serial={serial}",
                                "-e", "alluxio_bench_network=false", "-e", "alluxio_bench_fio=false"],
                               cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
                report = json.loads(next(Path(out).glob("*.json")).read_text())
            errors = [(h, t["label"], t["error"]) for h, host in report["hosts"].items() for t in host["targets"] if t["error"]]
            if errors:
                raise SystemExit(f"bench.yml (serial {serial}) could not measure: {errors}")
            mode = "parallel" if serial == "100%" else "one at a time"
            found[mode].append(report)
    command = f"python3 tools/measure.py bench --runs {runs}"

    def across(report, direction):
        return next(r for r in report["across_hosts"] if r["label"] == "alluxio-fuse" and r["block_bytes"] == 1 << 20
                    and r["direction"] == direction)

    for direction in ("read", "write"):
        scaling = [across(p, direction)["bytes_per_sec_sum"] / across(a, direction)["bytes_per_sec_sum"]
                   for p, a in zip(found["parallel"], found["one at a time"])]
        ratio_row(f"FUSE 1 MiB {direction}: sum of 2 workers in parallel / sum of the same workers alone", scaling, command)
        ratios = [result["vs_baseline"][direction] for result, label in alone_results(found) if label == "alluxio-fuse"]
        ratio_row(f"FUSE / local disk, 1 MiB {direction}, each worker alone (runs x workers)", ratios, command)
    cpu = [result["cpu_ns_per_gib"] / 1e9 for result, _label in alone_results(found)]
    ratio_row("direct_io_bench CPU seconds per GiB moved, 1 MiB, FUSE and local (runs x workers x targets)", cpu, command)


def ablation_profiles():
    """The FUSE profiles of the collection plus the steps from writable to dataset, each adding one
    group of the dataset profile's settings (derived from roles/common/defaults, not repeated here)."""
    import yaml
    profiles = yaml.safe_load((REPO / "roles" / "common" / "defaults" / "main.yml").read_text())["alluxio_fuse_profiles"]
    dataset = profiles["dataset"]
    kernel = [o for o in dataset if not o.startswith(("metadata_cache", "alluxio.user.update.file.accesstime"))]
    metadata = [o for o in dataset if not o.startswith("alluxio.user.update.file.accesstime")]
    return dict(profiles, **{"step1-kernel-cache": kernel, "step2-metadata-cache": metadata})


def measure_training(runs):
    """bench.yml's training scenario, workers one at a time, runs times; medians per target and epoch."""
    profiles = ablation_profiles()
    order = ["writable", "step1-kernel-cache", "step2-metadata-cache", "dataset"]
    extra = {"alluxio_bench_training": True, "alluxio_bench_targets": [], "alluxio_bench_network": False,
             "alluxio_bench_serial": 1, "alluxio_fuse_profiles": profiles, "alluxio_bench_training_profiles": order}
    reports = []
    for _index in range(runs):
        with tempfile.TemporaryDirectory() as out:
            env = dict(os.environ, ALNAIR_BENCH_REPORT_DIR=out, PATH=f"{VENV}:{os.environ['PATH']}")
            subprocess.run([str(VENV / "ansible-playbook"), "playbooks/bench.yml", "-e", json.dumps(extra)],
                           cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
            report = json.loads(next(Path(out).glob("*.json")).read_text())
        errors = [(h, r["label"], r["error"]) for h, host in report["hosts"].items() for r in host["training"] if r["error"]]
        if errors:
            raise SystemExit(f"bench.yml's training scenario could not measure: {errors}")
        reports.append(report)
    command = f"python3 tools/measure.py training --runs {runs}"
    runs_of = [run for report in reports for host in report["hosts"].values() for run in host["training"]]
    print(f"| Dataset | Target | Epoch | Samples/s median | MB/s median | p50 ms median | p99 ms median | CPU s/GiB median | "
          f"runs x workers | Command |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for shape in ("small-files", "shards"):
        labels = []
        for run in runs_of:
            if run["shape"] == shape and run["label"] not in labels:
                labels.append(run["label"])
        for label in labels:
            mine = [run for run in runs_of if run["shape"] == shape and run["label"] == label]
            for number in sorted({e["epoch"] for run in mine for e in run["epochs"]}):
                epochs = [e for run in mine for e in run["epochs"] if e["epoch"] == number]
                rates = [e["samples_per_sec"] for e in epochs]

                def med(key, scale=1.0, epochs=epochs):
                    values = [e[key] / scale for e in epochs if e.get(key) is not None]
                    return statistics.median(values) if values else float("nan")

                p50 = statistics.median(e["latency_ns"]["p50"] / 1e6 for e in epochs)
                p99 = statistics.median(e["latency_ns"]["p99"] / 1e6 for e in epochs)
                print(f"| {shape} | {label} | {number} | {statistics.median(rates):.0f} | {med('bytes_per_sec', 1e6):.1f} | "
                      f"{p50:.2f} | {p99:.2f} | {med('cpu_ns_per_gib', 1e9):.2f} | {len(rates)} ({', '.join(f'{r:.0f}' for r in rates)}) "
                      f"| `{command}` |", flush=True)
    print()
    print("| Ratio (same run, same worker) | Median | Samples (runs x workers) | Command |")
    print("|---|---|---|---|")
    for shape in ("small-files", "shards"):
        for label in ("alluxio-fuse dataset", "alluxio-fuse writable"):
            for base in ("local-disk cold", "ufs cold", "local-disk warm"):
                for epoch_name, pick in (("epoch 1", lambda e: e["epoch"] == 1), ("epochs 2+", lambda e: e["epoch"] >= 2)):
                    ratios = []
                    for report in reports:
                        for host in report["hosts"].values():
                            runs_here = {r["label"]: r for r in host["training"] if r["shape"] == shape}
                            if label not in runs_here or base not in runs_here:
                                continue
                            for ours in runs_here[label]["epochs"]:
                                theirs = next(e for e in runs_here[base]["epochs"] if e["epoch"] == ours["epoch"])
                                if pick(ours):
                                    ratios.append(ours["samples_per_sec"] / theirs["samples_per_sec"])
                    if ratios:
                        ratio_row(f"{shape}: {label} / {base}, {epoch_name}", ratios, command)


def master_counters():
    """The master's RPC counters (/metrics/json/ of the lab master)."""
    url = f"http://{labnet.address('lab-master')}:19999/metrics/json/"
    data = json.load(urllib.request.urlopen(url, timeout=10))
    found = {name: value["count"] for name, value in data["timers"].items() if name == "Master.TotalRpcs"}
    found.update({name: value["count"] for name, value in data["counters"].items() if name.startswith("Cluster.BytesRead")})
    return found


def cpu_times():
    """(busy, total) jiffies of this machine (the lab's hosts share its kernel and cores)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def module_on(host, module, args):
    """One ad hoc module run on a lab host (ansible's minimal output: HOST | STATUS => JSON)."""
    env = dict(os.environ, PATH=f"{VENV}:{os.environ['PATH']}", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    res = subprocess.run([str(VENV / "ansible"), host, "-m", module, "-a", json.dumps(args)], cwd=REPO, env=env,
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"{module} on {host} failed: {res.stdout[-2000:]} {res.stderr[-1000:]}")
    return json.loads(res.stdout.split("=>", 1)[1])


def ssh_on(host, *command, stdin=None):
    """A command on a lab host over SSH; its standard output."""
    return subprocess.run(labnet.ssh_command(labnet.address(host), *command), input=stdin, capture_output=True, text=True,
                          check=True).stdout


def process_cpu_seconds(host, unit):
    """User + system CPU seconds of a unit's main process on a lab host (/proc/PID/stat, in clock ticks)."""
    out = ssh_on(host, f"cat /proc/$(systemctl show -p MainPID --value {shlex.quote(unit)})/stat")
    fields = out.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Where the FUSE JVM's CPU goes: a sample counts for the topmost frame of its stack that one of
# these prefixes names, else for the package of its top frame (netty's event loops, the JDK...).
CPU_PARTS = [
    ("block data read (chunks, copies)", ("alluxio.client.block.stream.BlockInStream.read",
                                          "alluxio.client.block.stream.BlockInStream.positionedRead",
                                          "alluxio.client.block.stream.BlockInStream.readChunk",
                                          "alluxio.client.block.stream.LocalFileDataReader.readChunk",
                                          "alluxio.client.block.stream.GrpcDataReader.readChunk")),
    ("block stream setup (open a block on a worker)", ("alluxio.client.block.stream.BlockInStream.create",
                                                        "alluxio.client.block.stream.LocalFileDataReader$Factory",
                                                        "alluxio.client.block.stream.GrpcDataReader$Factory",
                                                        "alluxio.client.block.stream.BlockWorkerClient",
                                                        "alluxio.client.block.BlockStoreClient.getInStream",
                                                        "alluxio.client.block.AlluxioBlockStore.getInStream",
                                                        "alluxio.client.file.FileSystemContext.acquireBlockWorkerClient")),
    ("other Alluxio client (file streams, status, metadata cache)", ("alluxio.client.",)),
    ("Alluxio's FUSE layer (open, getattr, read, release)", ("alluxio.fuse.",)),
    ("JNI-FUSE glue (requests in, replies out)", ("alluxio.jnifuse.",)),
]


def jfr_seconds(text):
    """Seconds since the epoch of a JFR JSON timestamp in UTC (2026-12-07T05:18:00.123456789Z)."""
    import calendar
    whole, _, fraction = text.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float("0." + (fraction or "0"))


def cpu_breakdown(path, since=None):
    """Shares of the Flight Recording's CPU samples (jdk.ExecutionSample, those from since on when given):
    by CPU_PARTS, and the top frames."""
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", str(path)],
                         check=True, capture_output=True, text=True).stdout
    stacks = [[f"{f['method']['type']['name'].replace('/', '.')}.{f['method']['name']}" for f in e["values"]["stackTrace"]["frames"]]
              for e in json.loads(out)["recording"]["events"]
              if e["values"].get("stackTrace") and (since is None or jfr_seconds(e["values"]["startTime"]) >= since)]
    parts, tops, inclusive = {}, {}, {}
    for frames in stacks:
        for frame in set(frames):
            if frame.startswith("alluxio."):
                inclusive[frame] = inclusive.get(frame, 0) + 1
        part = next((name for frame in frames for name, prefixes in CPU_PARTS if frame.startswith(prefixes)), None)
        top = frames[0].rsplit(".", 2)[0] if frames else "?"
        parts[part or "other: " + top] = parts.get(part or "other: " + top, 0) + 1
        tops[frames[0]] = tops.get(frames[0], 0) + 1
    return {"samples": len(stacks), "parts": parts, "top_frames": sorted(tops.items(), key=lambda kv: -kv[1])[:12],
            "inclusive": inclusive}


def measure_epoch1(runs, extra_options, libfuse, profile=False, epochs=1):
    """Epoch 1 through a fresh FUSE mount (dataset profile) of bench.yml's training data, after the listing:
    files/s per chunk, master RPCs per open, CPU per file (the machine, the FUSE JVM, the workers' JVMs);
    with profile, where the FUSE JVM's CPU goes (a Flight Recording's execution samples)."""
    options = dataset_profile_options() + list(extra_options)
    if libfuse == 3:
        options.append("alluxio.fuse.jnifuse.libfuse.version=3")
    host, mount, recording = "lab-worker1", "/mnt/alnair-epoch1", "/var/tmp/alnair-epoch1.jfr"
    fuse_unit = "alluxio-fuse@mnt-alnair\\x2depoch1.service"
    workers = ["lab-worker1", "lab-worker2"]
    data = f"{mount}/small-files-1000x131072"
    ssh_on(host, "cat > /tmp/read_chunks.py", stdin=(REPO / "tools" / "read_chunks.py").read_text())
    command = f"python3 tools/measure.py epoch1 --runs {runs}" + "".join(f" --option {o}" for o in extra_options) + (
        " --libfuse 3" if libfuse == 3 else "") + (" --profile" if profile else "") + (f" --epochs {epochs}" if epochs > 1 else "")
    jvm = [f"-XX:StartFlightRecording=filename={recording},settings=profile,dumponexit=true"] if profile else []
    chunks, rpcs, busy, per_file, profiles = {}, [], [], {"machine": [], "FUSE JVM": [], "worker JVMs": []}, []
    fuse_chunks, worker_chunks, warm = {}, {}, {}
    for _ in range(runs):
        module_on(host, "alnair.alluxio.fuse_mount", {"mount_point": mount, "alluxio_path": "/alnair-training",
                                                       "options": options, "libfuse_version": libfuse, "jvm_options": jvm})
        try:
            ssh_on(host, "find", data, "-type", "f", "-printf", "'%s\\n'")  # the listing dataset.yml makes
            before, cpu_before = master_counters(), cpu_times()
            fuse_before = process_cpu_seconds(host, fuse_unit)
            workers_before = sum(process_cpu_seconds(w, "alluxio-worker.service") for w in workers)
            local_pids = [ssh_on(host, "systemctl", "show", "-p", "MainPID", "--value", shlex.quote(unit)).strip()
                          for unit in (fuse_unit, "alluxio-worker.service")]
            out = ssh_on(host, "python3", "/tmp/read_chunks.py", data, *local_pids)
            after, cpu_after = master_counters(), cpu_times()
            fuse_after = process_cpu_seconds(host, fuse_unit)
            workers_after = sum(process_cpu_seconds(w, "alluxio-worker.service") for w in workers)
            warm_since = time.time() if epochs > 1 else None
            for epoch in range(2, epochs + 1):
                # The same files again through the same (warm) JVMs, the kernel's page cache dropped
                # (the lab's hosts share this kernel): epoch 1 of a dataset larger than the page cache.
                Path("/proc/sys/vm/drop_caches").write_text("3\n")
                for number, line in enumerate(map(json.loads, ssh_on(host, "python3", "/tmp/read_chunks.py", data,
                                                                     *local_pids).splitlines()), 1):
                    warm.setdefault((epoch, number), []).append(
                        (line["files_per_sec"], 1000.0 * line["cpu_s"][0] / line["files"], 1000.0 * line["cpu_s"][1] / line["files"]))
        finally:
            module_on(host, "alnair.alluxio.fuse_mount", {"mount_point": mount, "state": "absent"})
        lines = [json.loads(line) for line in out.splitlines()]
        files = sum(line["files"] for line in lines)
        for number, line in enumerate(lines, 1):
            chunks.setdefault(number, []).append(line["files_per_sec"])
            fuse_chunks.setdefault(number, []).append(1000.0 * line["cpu_s"][0] / line["files"])
            worker_chunks.setdefault(number, []).append(1000.0 * line["cpu_s"][1] / line["files"])
        rpcs.append((after["Master.TotalRpcs"] - before["Master.TotalRpcs"]) / files)
        busy.append(100.0 * (cpu_after[0] - cpu_before[0]) / (cpu_after[1] - cpu_before[1]))
        per_file["machine"].append(1000.0 * (cpu_after[0] - cpu_before[0]) / os.sysconf("SC_CLK_TCK") / files)
        per_file["FUSE JVM"].append(1000.0 * (fuse_after - fuse_before) / files)
        per_file["worker JVMs"].append(1000.0 * (workers_after - workers_before) / files)
        if profile:
            # With more reads, only theirs: the warm JVM, not its start, listing and first read.
            profiles.append(read_recording(host, recording, lambda path: cpu_breakdown(path, warm_since)))
    for number, rates in sorted(chunks.items()):
        print(f"| epoch 1, chunk {number} of 200 files, files/s | {statistics.median(rates):.0f} | {len(rates)} "
              f"({', '.join(f'{r:.0f}' for r in rates)}) | `{command}` |", flush=True)
    for number in sorted(fuse_chunks):
        ratio_row(f"CPU ms per file in chunk {number}, FUSE JVM (lab-worker1's worker JVM: "
                  f"{statistics.median(worker_chunks[number]):.2f})", fuse_chunks[number], command)
    for (epoch, number), found in sorted(warm.items()):
        print(f"| epoch {epoch} (page cache dropped), chunk {number}: files/s, CPU ms per file FUSE JVM, worker JVM | "
              f"{statistics.median(f[0] for f in found):.0f}, {statistics.median(f[1] for f in found):.2f}, "
              f"{statistics.median(f[2] for f in found):.2f} | {len(found)} | `{command}` |", flush=True)
    ratio_row("master RPCs per file open during those reads", rpcs, command)
    ratio_row("CPU busy % of the machine (2 cores) during those reads", busy, command)
    for what, values in per_file.items():
        ratio_row(f"CPU ms per 128 KiB file, {what}", values, command)
    if profiles:
        samples = sum(p["samples"] for p in profiles)
        shares = {}
        for found in profiles:
            for part, count in found["parts"].items():
                shares[part] = shares.get(part, 0) + count
        print(f"FUSE JVM CPU samples{' of the reads after the first' if epochs > 1 else ''}, {samples} in "
              f"{len(profiles)} recordings (`{command}`):")
        for part, count in sorted(shares.items(), key=lambda kv: -kv[1])[:15]:
            print(f"| {part} | {100.0 * count / samples:.1f} % |")
        print("top frames of the last recording:", json.dumps(profiles[-1]["top_frames"]))
        inclusive = {}
        for found in profiles:
            for method, count in found["inclusive"].items():
                inclusive[method] = inclusive.get(method, 0) + count
        print("Alluxio methods on the stack (share of all samples, inclusive):")
        for method, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:40]:
            print(f"| {method} | {100.0 * count / samples:.1f} % |")


def dataset_profile_options():
    """The dataset profile's options as the roles render them (from roles/common/defaults, not repeated here)."""
    import yaml
    defaults = yaml.safe_load((REPO / "roles" / "common" / "defaults" / "main.yml").read_text())
    return [o.replace("{{ alluxio_fuse_metadata_cache_entries }}", str(defaults["alluxio_fuse_metadata_cache_entries"]))
            for o in defaults["alluxio_fuse_profiles"]["dataset"]]


def jfr_summary(path):
    """GC pauses, heap after GC and direct memory of a Flight Recording (the JDK's jfr tool)."""
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.GarbageCollection,jdk.GCHeapSummary,"
                          "jdk.DirectBufferStatistics", str(path)], check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]

    def seconds(text):  # ISO-8601 durations: PT0.001234S
        return float(text[2:-1]) if text.endswith("S") and "M" not in text else float("nan")

    gcs = [e["values"] for e in events if e["type"] == "jdk.GarbageCollection"]
    after = [e["values"]["heapUsed"] for e in events
             if e["type"] == "jdk.GCHeapSummary" and e["values"]["when"] == "After GC"]
    direct = [e["values"]["memoryUsed"] for e in events if e["type"] == "jdk.DirectBufferStatistics"]
    return {"gcs": len(gcs), "pause_ms": 1000 * sum(seconds(g["sumOfPauses"]) for g in gcs),
            "max_pause_ms": 1000 * max([seconds(g["longestPause"]) for g in gcs] or [0.0]),
            "heap_after_gc_mib": max(after or [0]) / 2**20, "direct_mib": max(direct or [0]) / 2**20}


def read_recording(host, recording, read):
    """read(local path) of a lab host's Flight Recording, fetched to the controller (the lab's JRE has
    no jfr tool) and removed from the host."""
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "fuse.jfr"
        local.write_bytes(subprocess.run(labnet.ssh_command(labnet.address(host), "cat", recording),
                                         capture_output=True, check=True).stdout)
        ssh_on(host, "rm", "-f", recording)
        return read(local)


def live_heap_mib(path):
    """The FUSE JVM's live heap at its exit: the heap after the last full GC, the one the recording's
    final heap inspection (jdk.ObjectCount, gc=all) makes after everything else."""
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.GarbageCollection,jdk.GCHeapSummary", str(path)],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    inspection = max(e["values"]["gcId"] for e in events
                     if e["type"] == "jdk.GarbageCollection" and e["values"]["cause"] == "Heap Inspection Initiated GC")
    return next(e["values"]["heapUsed"] for e in events if e["type"] == "jdk.GCHeapSummary"
                and e["values"]["gcId"] == inspection and e["values"]["when"] == "After GC") / 2**20


def measure_fuseheap(runs, counts):
    """FUSE heap per cached metadata entry: trees of empty files in the lab's root UFS, each listed
    once through a fresh dataset-profile FUSE mount on lab-worker1; its live heap at exit."""
    host, mount, recording = "lab-worker1", "/mnt/alnair-fuseheap", "/var/tmp/alnair-fuseheap.jfr"
    root = "alnair-fuseheap"
    # The lab's root UFS (alluxio_root_ufs of inventories/lab) is the controller's shared directory:
    # the trees are written here, no command line carries them.
    ufs = labnet.SHARED_DIR / "underFSStorage" / root
    for count in counts:
        tree = ufs / str(count)
        tree.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            (tree / ("f%06d" % i)).touch()
    ssh_on("lab-master", "chown", "-R", "alluxio:alluxio", f"{labnet.SHARED_MOUNT}/underFSStorage/{root}")
    command = f"python3 tools/measure.py fuseheap --runs {runs}" + "".join(f" --entries {c}" for c in counts)
    live = {count: [] for count in counts}
    for _ in range(runs):
        for count in counts:
            jvm = ["-Xms512m", "-Xmx512m", f"-XX:StartFlightRecording=filename={recording},dumponexit=true,gc=all"]
            module_on(host, "alnair.alluxio.fuse_mount", {"mount_point": mount, "alluxio_path": f"/{root}/{count}",
                                                           "options": dataset_profile_options(), "jvm_options": jvm})
            try:
                listed = ssh_on(host, "find", mount, "-type", "f", "-printf", "x").count("x")
                assert listed == count, (listed, count)
            finally:
                module_on(host, "alnair.alluxio.fuse_mount", {"mount_point": mount, "state": "absent"})
            live[count].append(read_recording(host, recording, live_heap_mib))
    for count in counts:
        print(f"| FUSE live heap after listing {count} entries, MiB | {statistics.median(live[count]):.1f} | {runs} "
              f"({', '.join(f'{v:.1f}' for v in live[count])}) | `{command}` |", flush=True)
    low, high = min(counts), max(counts)
    per_entry = [1024 * 1024 * (b - a) / (high - low) for a, b in zip(live[low], live[high])]
    ratio_row(f"FUSE heap bytes per cached metadata entry ({low} to {high} entries)", per_entry, command)


def measure_fusejvm(runs, heaps, gcs):
    """bench.yml's training data (loaded first, see epoch1) read through a fresh dataset-profile FUSE
    mount on lab-worker1 whose JVM gets each heap (and GC) in turn, with a Flight Recording: 3 epochs
    of the small files, then 3 of the shards, 4 readers; GC pauses, live heap, direct memory, RSS."""
    host, mount, recording = "lab-worker1", "/mnt/alnair-fusejvm", "/var/tmp/alnair-fusejvm.jfr"
    variants = [(heap, gc) for heap in heaps for gc in gcs]
    command = (f"python3 tools/measure.py fusejvm --runs {runs}" + "".join(f" --heap {h}" for h in heaps)
               + "".join(f" --gc {g}" for g in gcs))
    found = {variant: [] for variant in variants}
    for _ in range(runs):
        for heap, gc in variants:  # in turns: A B C A B C, so drift hits every variant alike
            jvm = [f"-Xms{heap}", f"-Xmx{heap}", f"-XX:StartFlightRecording=filename={recording},dumponexit=true,settings=default"]
            jvm += [] if gc == "default" else [f"-XX:+Use{gc}GC"]
            module_on(host, "alnair.alluxio.fuse_mount", {"mount_point": mount, "alluxio_path": "/alnair-training",
                                                           "options": dataset_profile_options(), "jvm_options": jvm})
            try:
                reads = {shape: module_on(host, "alnair.alluxio.training_read_bench", {
                    "path": f"{mount}/{directory}", "kind": "fuse", "shape": shape, "readers": 4, "epochs": 3})
                    for shape, directory in (("small-files", "small-files-1000x131072"), ("shards", "shards-2x33554432"))}
                pid = reads["small-files"]["server_pid"]
                rss = int(next(line.split()[1] for line in ssh_on(host, "cat", f"/proc/{pid}/status").splitlines()
                               if line.startswith("VmHWM:"))) / 1024
            finally:
                module_on(host, "alnair.alluxio.fuse_mount", {"mount_point": mount, "state": "absent"})
            summary = read_recording(host, recording, jfr_summary)
            summary.update(rss_peak_mib=rss, **{f"{shape} epoch {e['epoch']}": e["samples_per_sec"]
                                                for shape, read in reads.items() for e in read["epochs"]})
            found[(heap, gc)].append(summary)
    keys = [k for k in found[variants[0]][0] if k.startswith(("small-files", "shards"))] + [
        "gcs", "pause_ms", "max_pause_ms", "heap_after_gc_mib", "direct_mib", "rss_peak_mib"]
    print("| FUSE JVM | " + " | ".join(keys) + " | runs | Command |")
    print("|---" * (len(keys) + 3) + "|")
    for (heap, gc), samples in found.items():
        cells = [f"{statistics.median(s[k] for s in samples):.1f}" for k in keys]
        print(f"| -Xmx{heap} {gc} GC | " + " | ".join(cells) + f" | {len(samples)} | `{command}` |", flush=True)


def playbook_seconds(*args):
    """Wall time of one ansible-playbook run, and its output."""
    env = dict(os.environ, PATH=f"{VENV}:{os.environ['PATH']}")
    started = time.monotonic()
    res = subprocess.run([str(VENV / "ansible-playbook"), *args], cwd=REPO, env=env, check=True, capture_output=True, text=True)
    return time.monotonic() - started, res.stdout


def measure_rerun(runs, baseline):
    """site.yml's second run (changed=0) on the deployed lab: an earlier commit's checkout (a git
    worktree) against this one. Each converges once (untimed: the two may render files differently),
    then runs runs times; a run that changes anything is an error, not a figure."""
    recap = re.compile(r"changed=(\d+)")
    checkouts = []
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(other), baseline], cwd=REPO, check=True, capture_output=True)
        try:
            subprocess.run(["bash", "tools/bootstrap.sh"], cwd=other, check=True, capture_output=True)
            (other / "inventories" / "lab" / "hosts.yml").write_text((REPO / "inventories" / "lab" / "hosts.yml").read_text())
            checkouts = [(f"{baseline} (before)", other), ("this checkout", REPO)]
            found = {}
            for name, checkout in checkouts:
                env = dict(os.environ, PATH=f"{checkout / '.venv' / 'bin'}:{os.environ['PATH']}")
                play = [str(checkout / ".venv" / "bin" / "ansible-playbook"), "playbooks/site.yml"]
                out = subprocess.run(play, cwd=checkout, env=env, check=True, capture_output=True, text=True).stdout
                print(f"{name}: converge changed {recap.findall(out)} (per host)", file=sys.stderr, flush=True)
                for _ in range(runs):
                    started = time.monotonic()
                    out = subprocess.run(play, cwd=checkout, env=env, check=True, capture_output=True, text=True).stdout
                    found.setdefault(name, []).append(time.monotonic() - started)
                    changed = [int(n) for n in recap.findall(out)]
                    if any(changed):
                        raise SystemExit(f"{name}: a second run of site.yml changed something: {changed}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=REPO, capture_output=True)
    command = f"python3 tools/measure.py rerun --runs {runs} --baseline {baseline}"
    for name, samples in found.items():
        row(f"site.yml second run (changed=0), {name}", samples, command)
    ratio_row("this checkout / before, medians", [statistics.median(found["this checkout"])
                                                  / statistics.median(found[f"{baseline} (before)"])], command)


# The units whose processes a remediate.yml run must leave alone on a healthy cluster.
RESTART_UNITS = {"lab-master": ["alluxio-master", "alluxio-job-master"],
                 "lab-worker1": ["alluxio-worker", "alluxio-job-worker", FUSE_UNIT],
                 "lab-worker2": ["alluxio-worker", "alluxio-job-worker", FUSE_UNIT]}


def main_pids():
    """{host unit: MainPID} of every Alluxio process of the default lab."""
    found = {}
    for host, units in RESTART_UNITS.items():
        # ssh hands its words to the remote shell: quoted, or the FUSE unit's \x2d is lost.
        out = ssh_on(host, "systemctl", "show", "--property=MainPID", "--value", *map(shlex.quote, units))
        for unit, pid in zip(units, out.split()):
            if pid == "0":
                raise SystemExit(f"{unit} does not run on {host}: nothing to compare")
            found[f"{host} {unit}"] = pid
    return found


def measure_restarts(runs, baseline):
    """remediate.yml on the lab with the runbook-shaped sizes of this checkout's lab inventory
    (256.01MB, 192.51MB: not whole pages), with an earlier commit's code (a git worktree given
    this checkout's inventory) and with this checkout's: processes restarted per run (MainPIDs
    before and after each run) and health.yml's exit code."""
    recap = re.compile(r"changed=(\d+)")
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(other), baseline], cwd=REPO, check=True, capture_output=True)
        try:
            subprocess.run(["bash", "tools/bootstrap.sh"], cwd=other, check=True, capture_output=True)
            for name in ("hosts.yml", "group_vars/all.yml", "host_vars/lab-worker2.yml"):
                (other / "inventories" / "lab" / name).write_text((REPO / "inventories" / "lab" / name).read_text())
            for name, checkout in ((f"{baseline} (before)", other), ("this checkout", REPO)):
                env = dict(os.environ, PATH=f"{checkout / '.venv' / 'bin'}:{os.environ['PATH']}")

                def play(path, checkout=checkout, env=env):
                    return subprocess.run([str(checkout / ".venv" / "bin" / "ansible-playbook"), path], cwd=checkout, env=env,
                                          check=False, capture_output=True, text=True)
                converge = play("playbooks/site.yml")
                print(f"{name}: converge rc {converge.returncode}, changed {recap.findall(converge.stdout)}", file=sys.stderr, flush=True)
                for _ in range(runs):
                    health = play("playbooks/health.yml").returncode
                    before = main_pids()
                    remediate = play("playbooks/remediate.yml")
                    after = main_pids()
                    restarted = sorted(unit for unit in before if before[unit] != after[unit])
                    found.setdefault(name, []).append(len(restarted))
                    print(f"{name}: health rc {health}, remediate rc {remediate.returncode}, changed "
                          f"{recap.findall(remediate.stdout)}, restarted {restarted}", file=sys.stderr, flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=REPO, capture_output=True)
    command = f"python3 tools/measure.py restarts --runs {runs} --baseline {baseline}"
    for name, counts in found.items():
        print(f"| remediate.yml on the runbook-shaped lab, processes restarted per run, {name} | "
              f"{statistics.median(counts):g} | {len(counts)} ({', '.join(map(str, counts))}) | `{command}` |", flush=True)


def measure_health(runs):
    samples = [playbook_seconds("playbooks/health.yml")[0] for _ in range(runs)]
    row("health.yml on a healthy lab cluster (changed=0)", samples, f"python3 tools/measure.py health --runs {runs}")


def measure_faults(runs):
    """remediate.yml on the deployed lab: healthy (nothing to do), then with the four faults of
    issue 14 injected at once (tools/labfaults.py, the same as the remediate tests), runs times each;
    the phases of the faulted runs too."""
    import labfaults
    phase_line = re.compile(r"^  (.+): ([0-9.]+) s$", re.M)
    healthy, faulted, phases = [], [], {}
    for _ in range(runs):
        healthy.append(playbook_seconds("playbooks/remediate.yml")[0])
        for host, command in labfaults.FAULTS[labfaults.FOUR_AT_ONCE]:
            ssh_on(host, command)
        seconds, out = playbook_seconds("playbooks/remediate.yml")
        faulted.append(seconds)
        for phase, value in phase_line.findall(out.split("PHASES", 1)[-1]):
            phases.setdefault(phase, []).append(float(value))
    command = f"python3 tools/measure.py faults --runs {runs}"
    row("remediate.yml on a healthy cluster (changed=0)", healthy, command)
    row("remediate.yml after the four faults at once (" + labfaults.FOUR_AT_ONCE.split(": ", 1)[1] + ")", faulted, command)
    for phase, values in phases.items():
        row(f"  phase: {phase}", values, command)


def measure_remediate(runs, rolling):
    samples, phases = [], {}
    extra = ["-e", "alluxio_remediate_rolling=true"] if rolling else []
    for _ in range(runs):
        seconds, out = playbook_seconds("playbooks/remediate.yml", "-e", "alluxio_remediate_restart=true", *extra)
        samples.append(seconds)
        for phase, value in re.findall(r"^  (.+): ([0-9.]+) s$", out.split("PHASES", 1)[-1], re.M):
            phases.setdefault(phase, []).append(float(value))
    command = f"python3 tools/measure.py remediate --runs {runs}" + (" --rolling" if rolling else "")
    what = "workers restarted one at a time (rolling)" if rolling else "everything restarted"
    row(f"remediate.yml, {what} (alluxio_remediate_restart=true)", samples, command)
    for phase, values in phases.items():
        row(f"  phase: {phase}", values, command)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["lab", "site", "startup", "memory", "fuse", "accuracy", "bench", "training", "epoch1",
                                                "fusejvm", "fuseheap", "rerun", "health", "faults",
                                                "remediate", "restarts"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default="/var/tmp/alnair-accuracy")
    parser.add_argument("--size", default="1GB")
    parser.add_argument("--rolling", action="store_true", help="remediate: workers one at a time")
    parser.add_argument("--option", action="append", default=[], help="epoch1: an extra FUSE option (repeatable)")
    parser.add_argument("--libfuse", type=int, choices=[2, 3], default=2, help="epoch1: the libfuse of the mount")
    parser.add_argument("--profile", action="store_true", help="epoch1: where the FUSE JVM's CPU goes (Flight Recording)")
    parser.add_argument("--epochs", type=int, default=1, help="epoch1: read again N-1 times, the page cache dropped each time")
    parser.add_argument("--heap", action="append", help="fusejvm: a FUSE heap to try (repeatable; default 256m and 1g)")
    parser.add_argument("--entries", type=int, action="append", help="fuseheap: a tree size to list (default 2000 and 20000)")
    parser.add_argument("--baseline", default="HEAD", help="rerun, restarts: the commit to compare this checkout with")
    parser.add_argument("--gc", action="append", help="fusejvm: a collector to try: default, G1, Parallel, Serial (repeatable)")
    args = parser.parse_args()
    {"lab": lambda: measure_lab(args.runs), "site": lambda: measure_site(args.runs),
     "startup": lambda: measure_startup(args.runs), "memory": measure_memory, "fuse": lambda: measure_fuse(args.runs),
     "accuracy": lambda: measure_accuracy(args.runs, args.dir, args.size),
     "bench": lambda: measure_bench(args.runs), "training": lambda: measure_training(args.runs),
     "epoch1": lambda: measure_epoch1(args.runs, args.option, args.libfuse, args.profile, args.epochs),
     "faults": lambda: measure_faults(args.runs),
     "rerun": lambda: measure_rerun(args.runs, args.baseline),
     "fuseheap": lambda: measure_fuseheap(args.runs, args.entries or [2000, 20000]),
     "fusejvm": lambda: measure_fusejvm(args.runs, args.heap or ["256m", "1g"], args.gc or ["default"]), "health": lambda: measure_health(args.runs),
     "remediate": lambda: measure_remediate(args.runs, args.rolling),
     "restarts": lambda: measure_restarts(args.runs, args.baseline)}[args.what]()


if __name__ == "__main__":
    main()
