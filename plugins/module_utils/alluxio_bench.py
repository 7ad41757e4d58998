# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Sequential direct I/O measurement: aligned buffers, O_DIRECT or a labelled fallback,
per-block latencies, summaries and plausibility checks. Bytes and nanoseconds throughout."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import math
import mmap
import os
import time

PAGE = mmap.PAGESIZE


class BenchError(Exception):
    """A per-target error: the target cannot be measured as asked."""


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    # rank = ceil(fraction * n); rounding first keeps 0.9 * 100 from becoming 91.
    index = max(0, min(len(sorted_values) - 1, int(math.ceil(round(fraction * len(sorted_values), 9))) - 1))
    return sorted_values[index]


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def summarize(runs):
    """min / median / max bytes per second over runs, and latency percentiles over every block."""
    rates = [run["bytes"] * 1e9 / run["ns"] for run in runs]
    latencies = sorted(lat for run in runs for lat in run["latencies_ns"])
    return {
        "bytes_per_sec": {"min": min(rates), "median": median(rates), "max": max(rates)},
        "latency_ns": {"p50": percentile(latencies, 0.50), "p90": percentile(latencies, 0.90),
                       "p99": percentile(latencies, 0.99), "max": latencies[-1] if latencies else None},
        "runs": len(runs),
    }


def plausibility(rate, memory_copy_rate, line_rate=None):
    """Why a measured rate cannot be a fact, or None when it can."""
    if memory_copy_rate and rate > memory_copy_rate:
        return ("%.0f B/s is faster than this host copies memory (%.0f B/s): the page cache or a "
                "measurement error, not the storage" % (rate, memory_copy_rate))
    if line_rate and rate > line_rate * 1.02:
        return "%.0f B/s is faster than the network line rate (%.0f B/s) of a remote target" % (rate, line_rate)
    return None


def memory_copy_rate(size=256 * 1024 * 1024, repeat=3):
    """Bytes per second one core copies memory (best of a few copies of size bytes)."""
    source = bytearray(size)
    target = bytearray(size)
    best = None
    for _attempt in range(repeat):
        started = time.perf_counter_ns()
        target[:] = source
        elapsed = time.perf_counter_ns() - started
        best = elapsed if best is None else min(best, elapsed)
    return size * 1e9 / best


def aligned_buffer(size):
    """A page-aligned buffer (anonymous mmap), filled with non-zero bytes."""
    buf = mmap.mmap(-1, size)
    pattern = os.urandom(min(size, 1 << 20))
    for offset in range(0, size, len(pattern)):
        buf[offset:offset + len(pattern)] = pattern[:size - offset]
    return buf


def _open(path, flags, direct):
    if direct:
        flags |= os.O_DIRECT
    return os.open(path, flags, 0o644)


def transfer(path, size, block, direct, write):
    """Write (or read) size bytes of path sequentially in block-sized requests from (into) a
    page-aligned buffer. Returns {bytes, ns, latencies_ns}; a write ends with fsync."""
    buf = aligned_buffer(block) if write else mmap.mmap(-1, block)
    view = memoryview(buf)
    latencies = []
    if not write and not direct:
        drop_cache(path)
    request = os.pwritev if write else os.preadv
    fd = _open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC if write else os.O_RDONLY, direct)
    try:
        started = time.perf_counter_ns()
        for offset in range(0, size, block):
            before = time.perf_counter_ns()
            done = request(fd, [view], offset)
            latencies.append(time.perf_counter_ns() - before)
            if done != block:
                raise BenchError("short %s of %d bytes at offset %d" % ("write" if write else "read", done, offset))
        if write:
            os.fsync(fd)
        elapsed = time.perf_counter_ns() - started
    finally:
        os.close(fd)
        view.release()
        buf.close()
    if write and not direct:
        drop_cache(path)
    return {"bytes": size, "ns": elapsed, "latencies_ns": latencies}


def drop_cache(path):
    """The fallback for file systems without O_DIRECT: write back, then ask the kernel to drop
    the file's pages, so the next read comes from the storage."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def probe_direct(directory, block):
    """'direct' when O_DIRECT I/O of this block size works in directory, else the reason it does not."""
    path = os.path.join(directory, ".alnair-bench-probe-%d" % os.getpid())
    try:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_DIRECT, 0o644)
        except OSError as exc:
            if exc.errno == errno.EINVAL:
                return "the file system refuses O_DIRECT"
            raise BenchError("cannot create a file in %s: %s" % (directory, exc.strerror))
        buf = aligned_buffer(block)
        try:
            os.pwritev(fd, [memoryview(buf)], 0)
        except OSError as exc:
            if exc.errno == errno.EINVAL:
                return "block size %d is not aligned for O_DIRECT here" % block
            raise BenchError("cannot write in %s: %s" % (directory, exc.strerror))
        finally:
            os.close(fd)
            buf.close()
        return "direct"
    finally:
        if os.path.exists(path):
            os.unlink(path)
