#!/usr/bin/env python3
"""Read a directory's sample files once, in chunks of 200 not-yet-read files, each chunk shuffled
and read whole by 4 processes; print a JSON line per chunk (files/s, p50). Runs on a lab host
(tools/measure.py epoch1 copies it there): successive chunks show how a fresh FUSE JVM warms up.
Given PIDs of this host (the FUSE JVM, the worker JVM), each chunk's line also has their CPU seconds
during it (user + system, all their threads: the JIT compiler and the GC included).

    python3 read_chunks.py DIRECTORY [PID ...]
"""
import json
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def read(path):
    started = time.perf_counter()
    with open(path, "rb") as handle:
        handle.read()
    return time.perf_counter() - started


def cpu_seconds(pid):
    with open("/proc/%s/stat" % pid) as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    directory, pids = sys.argv[1], sys.argv[2:]
    files = sorted(os.path.join(directory, name) for name in os.listdir(directory) if name.startswith("sample-"))
    for index in range(0, len(files), 200):
        chunk = files[index:index + 200]
        random.Random(1).shuffle(chunk)
        cpu_before = [cpu_seconds(pid) for pid in pids]
        started = time.perf_counter()
        with ProcessPoolExecutor(4) as pool:
            latencies = sorted(pool.map(read, chunk, chunksize=8))
        elapsed = time.perf_counter() - started
        cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before)]
        print(json.dumps({"files": len(chunk), "files_per_sec": len(chunk) / elapsed,
                          "p50_ms": latencies[len(latencies) // 2] * 1e3, "cpu_s": cpu}), flush=True)


if __name__ == "__main__":
    main()
