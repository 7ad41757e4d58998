#!/usr/bin/env python3
"""Read a directory's sample files once, in chunks of 200 not-yet-read files, each chunk shuffled
and read whole by 4 processes; print a JSON line per chunk (files/s, p50). Runs on a lab host
(tools/measure.py epoch1 copies it there): successive chunks show how a fresh FUSE JVM warms up.

    python3 read_chunks.py DIRECTORY
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


def main():
    directory = sys.argv[1]
    files = sorted(os.path.join(directory, name) for name in os.listdir(directory) if name.startswith("sample-"))
    for index in range(0, len(files), 200):
        chunk = files[index:index + 200]
        random.Random(1).shuffle(chunk)
        started = time.perf_counter()
        with ProcessPoolExecutor(4) as pool:
            latencies = sorted(pool.map(read, chunk, chunksize=8))
        elapsed = time.perf_counter() - started
        print(json.dumps({"files": len(chunk), "files_per_sec": len(chunk) / elapsed,
                          "p50_ms": latencies[len(latencies) // 2] * 1e3}), flush=True)


if __name__ == "__main__":
    main()
