# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Training-shaped reads (DLIO-like): a generated dataset of whole files, read in a shuffled order
per epoch by several reader processes, as a data loader's workers read. Bytes and nanoseconds."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import random
import select
import signal
import time

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_bench import BenchError, percentile
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import (
    fork_child, fuse_jvm_args, mount_holding, parse_mountinfo, read_text, write_file_atomically, write_json)

MANIFEST = ".alnair-dataset.json"
READ_CHUNK = 1 << 20


# -- the dataset --------------------------------------------------------------------------------

def sample_name(index, count):
    """sample-000042.bin: names sort in index order and have the same width in one dataset."""
    return "sample-%0*d.bin" % (max(6, len(str(count - 1))), index)


def sample_bytes(seed, index, size):
    """The deterministic content of one sample: the same seed, index and size give the same bytes
    on every host (the local-disk copy and the under storage hold identical files)."""
    if size == 0:
        return b""
    return random.Random("%d/%d" % (seed, index)).getrandbits(8 * size).to_bytes(size, "little")


def manifest_for(files, file_size, seed):
    return {"files": files, "file_size": file_size, "seed": seed}


def dataset_plan(directory, files, file_size, seed):
    """What generating the dataset would change: {state, write: [names], remove: [names]}.
    state: 'ok' (manifest and every file of the right size), 'create' (no manifest, empty
    directory), 'update' (our manifest, something differs). A directory with other content and no
    manifest is not ours: BenchError."""
    wanted = dict((sample_name(i, files), i) for i in range(files))
    try:
        present = sorted(os.listdir(directory))
    except OSError:
        present = None
    if present is None:
        return {"state": "create", "write": sorted(wanted), "remove": []}
    found = None
    if MANIFEST in present:
        try:
            found = json.loads(read_text(os.path.join(directory, MANIFEST)))
        except ValueError:
            found = None
    if found is None:
        if present:
            raise BenchError("%s has content and no %s: not a dataset this module wrote, not writing into it"
                             % (directory, MANIFEST))
        return {"state": "create", "write": sorted(wanted), "remove": []}
    ours = set(name for name in present if name.startswith("sample-") and name.endswith(".bin"))
    same = found == manifest_for(files, file_size, seed)
    write = []
    for name in sorted(wanted):
        path = os.path.join(directory, name)
        if not same or name not in ours or not os.path.isfile(path) or os.lstat(path).st_size != file_size:
            write.append(name)
    remove = sorted(ours - set(wanted))
    return {"state": "ok" if same and not write and not remove else "update", "write": write, "remove": remove}


def write_sample(directory, name, data, mode):
    """Write one file through a temporary name and rename it into place (write_file_atomically)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        write_file_atomically(fd, name, data, mode)
    finally:
        os.close(fd)


# -- reading it as training does ----------------------------------------------------------------

def list_files(directory, limit=0):
    """Regular files under directory (recursively, sorted; the manifest left out), at most limit (0: all)."""
    found = []
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        for name in sorted(names):
            if name == MANIFEST or name.startswith("."):
                continue
            path = os.path.join(root, name)
            if os.path.isfile(path):
                found.append(path)
    return found[:limit] if limit else found


def epoch_order(count, seed, epoch):
    """The shuffled order of one epoch (indices): a new order every epoch, the same for a seed."""
    order = list(range(count))
    random.Random("%d/epoch/%d" % (seed, epoch)).shuffle(order)
    return order


def split_for_readers(order, readers):
    """Deal the epoch's order to the readers as a data loader deals batches: reader k takes
    positions k, k + readers, ... so all of them advance through the shuffled order together."""
    return [order[k::readers] for k in range(readers)]


def read_whole(path):
    """Read a file to its end as a loader reads a sample (open, read, close); its byte count."""
    fd = os.open(path, os.O_RDONLY)
    total = 0
    try:
        while True:
            chunk = os.read(fd, READ_CHUNK)
            if not chunk:
                return total
            total += len(chunk)
    finally:
        os.close(fd)


def drop_page_cache(paths):
    """Ask the kernel to drop these files' cached pages (posix_fadvise DONTNEED): the next read
    comes from the storage. Returns the number of files it was asked for."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return len(paths)


def _reader(write_fd, paths):
    """A reader process: read its share, report {bytes, latencies_ns, cpu_ns, error} on the pipe."""
    result = {"bytes": 0, "latencies_ns": [], "error": None}
    cpu_before = time.process_time_ns()
    try:
        for path in paths:
            before = time.perf_counter_ns()
            result["bytes"] += read_whole(path)
            result["latencies_ns"].append(time.perf_counter_ns() - before)
    except OSError as exc:
        result["error"] = "%s: %s" % (exc.filename or "read", exc.strerror)
    result["cpu_ns"] = time.process_time_ns() - cpu_before
    write_json(write_fd, result)


def run_epoch(paths, order, readers, deadline):
    """One epoch: fork the readers (as a loader starts its workers), each reads its share of the
    shuffled order; wait for all of them, at most until deadline (time.monotonic()). Readers still
    running then are killed (they are this process's own children) and the epoch fails.
    Returns {bytes, files, ns, latencies_ns (sorted), cpu_ns}."""
    shares = split_for_readers(order, readers)
    children = {}
    started = time.perf_counter_ns()
    for share in shares:
        pid, read_fd = fork_child(_reader, [paths[i] for i in share])
        children[read_fd] = {"pid": pid, "data": b""}
    pending = set(children)
    while pending:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _w, _x = select.select(list(pending), [], [], min(left, 1.0))
        for fd in ready:
            chunk = os.read(fd, 1 << 16)
            if chunk:
                children[fd]["data"] += chunk
            else:
                pending.discard(fd)
    elapsed = time.perf_counter_ns() - started
    for fd in pending:
        os.kill(children[fd]["pid"], signal.SIGKILL)
    for fd, child in children.items():
        # A reader blocked in a hung FUSE read cannot die until the mount answers: a killed one is
        # reaped if it could end, else left behind (alluxio_host.run_with_deadline says why).
        os.waitpid(child["pid"], os.WNOHANG if fd in pending else 0)
        os.close(fd)
    if pending:
        raise BenchError("%d of %d readers did not finish before the time limit (a hung mount?)" % (len(pending), readers))
    results = [json.loads(child["data"].decode("utf-8") or "{}") for child in children.values()]
    errors = [r.get("error") or "a reader ended without a result" for r in results if r.get("error") or "bytes" not in r]
    if errors:
        raise BenchError("; ".join(sorted(set(errors))))
    latencies = sorted(lat for r in results for lat in r["latencies_ns"])
    return {"bytes": sum(r["bytes"] for r in results), "files": len(latencies), "ns": elapsed,
            "latencies_ns": latencies, "cpu_ns": sum(r["cpu_ns"] for r in results)}


def summarize_epoch(number, run, server_cpu_ns=0):
    """One epoch's figures: samples/s, bytes/s, per-file latency percentiles, CPU ns per GiB and
    per file (readers plus the process serving the mount, when known)."""
    seconds = run["ns"] / 1e9
    latencies = run["latencies_ns"]
    cpu = run["cpu_ns"] + (server_cpu_ns or 0)
    return {"epoch": number, "files": run["files"], "bytes": run["bytes"], "ns": run["ns"],
            "samples_per_sec": run["files"] / seconds if seconds else None,
            "bytes_per_sec": run["bytes"] / seconds if seconds else None,
            "latency_ns": {"p50": percentile(latencies, 0.50), "p90": percentile(latencies, 0.90),
                           "p99": percentile(latencies, 0.99), "max": latencies[-1] if latencies else None},
            "cpu_ns_per_gib": int(cpu * (1 << 30) / run["bytes"]) if run["bytes"] else None,
            "cpu_ns_per_file": int(cpu / run["files"]) if run["files"] else None,
            "server_cpu_ns": server_cpu_ns}


# -- the process serving a FUSE mount (its CPU counts) ------------------------------------------

def fuse_server_pid(path, proc_root="/proc"):
    """The PID of the Alluxio FUSE JVM serving the mount that path lies in, or None."""
    mount = mount_holding(parse_mountinfo(read_text(os.path.join(proc_root, "self", "mountinfo"))), path)
    if not mount or not mount["fstype"].startswith("fuse"):
        return None
    return next((pid for pid, args in sorted(fuse_jvm_args(proc_root).items()) if args["mount_point"] == mount["mount_point"]), None)
