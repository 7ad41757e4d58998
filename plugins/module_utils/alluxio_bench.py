# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Sequential direct I/O measurement: aligned buffers, O_DIRECT or a labelled fallback,
per-block latencies, summaries and plausibility checks; fio and iperf3 results in the same
shape, and a plain TCP measurement where iperf3 is missing. Bytes and nanoseconds throughout."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import errno
import json
import math
import mmap
import os
import socket
import stat
import tempfile
import time

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import listening_ports, read_text

PAGE = mmap.PAGESIZE
# O_DIRECT requests must be multiples of the logical block size (512 on every disk we meet).
DIRECT_ALIGN = 512


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


def spread(rates):
    return {"min": min(rates), "median": median(rates), "max": max(rates)}


def summarize(runs):
    """min / median / max bytes per second over runs, and latency percentiles over every block."""
    rates = [run["bytes"] * 1e9 / run["ns"] for run in runs]
    latencies = sorted(lat for run in runs for lat in run["latencies_ns"])
    return {
        "bytes_per_sec": spread(rates),
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


class ScratchFile(object):
    """A file a benchmark writes in a target directory (which may be shared: an NFS export, a
    scratch directory). It gets a random name, is created with O_EXCL|O_NOFOLLOW (a planted
    symlink or file is never followed, truncated or overwritten), is read back only while it is
    still the file created, and is removed only then."""

    def __init__(self, directory, prefix):
        self.directory, self.prefix = directory, prefix
        self.path = os.path.join(directory, "%s-%s" % (prefix, binascii.hexlify(os.urandom(8)).decode("ascii")))
        self.identity = None
        self.private_dir = None  # (path, identity) of the directory private_path made

    def private_path(self):
        """A new path for a file another program (fio) creates and opens itself, following links:
        inside a new directory made here (mkdtemp: mode 0700, this user's), where no other user can
        plant a link between the check and fio's open. The old file and directory are removed first."""
        self.remove()
        made = tempfile.mkdtemp(prefix=self.prefix + "-", dir=self.directory)
        self.private_dir = (made, self._identity(os.lstat(made)))
        self.path = os.path.join(made, "data")
        return self.path

    def create(self, extra_flags=0):
        """A new file (the old one removed first: some file systems, Alluxio FUSE, cannot truncate)."""
        self.remove()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | extra_flags, 0o600)
        self.identity = self._identity(os.fstat(fd))
        return fd

    def open_read(self, extra_flags=0):
        fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | extra_flags)
        if self.identity is not None and self._identity(os.fstat(fd)) != self.identity:
            os.close(fd)
            raise BenchError("%s was replaced by another file while it was measured" % self.path)
        return fd

    def adopt(self):
        """Record the file another program (fio) created at the path, if it is a regular file."""
        try:
            found = os.lstat(self.path)
        except OSError:
            return
        if stat.S_ISREG(found.st_mode):
            self.identity = self._identity(found)

    def remove(self):
        """Remove the file only if it is still the one created here (and the private directory, if
        it is still the one made here and empty)."""
        if self.identity is not None:
            try:
                found = os.lstat(self.path)
            except OSError:
                found = None
            if found is not None and stat.S_ISREG(found.st_mode) and self._identity(found) == self.identity:
                os.unlink(self.path)
            self.identity = None
        if self.private_dir is not None:
            made, identity = self.private_dir
            self.private_dir = None
            try:
                found = os.lstat(made)
                if stat.S_ISDIR(found.st_mode) and self._identity(found) == identity:
                    os.rmdir(made)
            except OSError:
                pass  # gone, or not empty: something else is in it, which is not ours to remove

    @staticmethod
    def _identity(found):
        return (found.st_dev, found.st_ino)


def transfer(scratch, size, block, direct, write):
    """Write (or read) size bytes of a ScratchFile sequentially in block-sized requests from (into)
    a page-aligned buffer. Returns {bytes, ns, latencies_ns}; a write ends with fsync."""
    buf = aligned_buffer(block) if write else mmap.mmap(-1, block)
    view = memoryview(buf)
    latencies = []
    if not write and not direct:
        drop_cache(scratch)
    request = os.pwritev if write else os.preadv
    flags = os.O_DIRECT if direct else 0
    fd = scratch.create(flags) if write else scratch.open_read(flags)
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
        drop_cache(scratch)
    return {"bytes": size, "ns": elapsed, "latencies_ns": latencies}


def drop_cache(scratch):
    """The fallback for file systems without O_DIRECT: write back, then ask the kernel to drop
    the file's pages, so the next read comes from the storage."""
    fd = scratch.open_read()
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def probe_direct(directory, block):
    """'direct' when O_DIRECT I/O of this block size works in directory, else the reason it does not."""
    probe = ScratchFile(directory, ".alnair-bench-probe")
    try:
        try:
            fd = probe.create(os.O_DIRECT)
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
        probe.remove()


def check_target(path, size, blocks, direct_policy, responds):
    """Refuse, before writing anything, a target that cannot be measured as asked.
    responds(path) is None when path answers stat in time (a stale FUSE mount does not)."""
    trouble = responds(path)
    if trouble:
        raise BenchError("%s does not answer (%s): a stale mount?" % (path, trouble))
    if not os.path.isdir(path):
        raise BenchError("%s does not exist or is not a directory" % path)
    if not os.access(path, os.W_OK):
        raise BenchError("%s is not writable" % path)
    stats = os.statvfs(path)
    free = stats.f_bavail * stats.f_frsize
    if size > free:
        raise BenchError("size %d bytes is larger than the free space of %s (%d bytes)" % (size, path, free))
    for block in blocks:
        if direct_policy != "off" and block % DIRECT_ALIGN:
            raise BenchError("block size %d is not a multiple of %d bytes, which O_DIRECT needs "
                             "(direct=off measures it through the page cache)" % (block, DIRECT_ALIGN))
        if size % block:
            raise BenchError("size %d is not a multiple of block size %d" % (size, block))


def fio_command(filename, size, block, direct, write):
    """fio's argument list for one sequential synchronous pass, JSON output. No preallocation:
    direct_io_bench writes a new file as an application does, and so must fio."""
    return ["fio", "--name=alnair", "--filename=%s" % filename, "--rw=%s" % ("write" if write else "read"),
            "--bs=%d" % block, "--size=%d" % size, "--direct=%d" % (1 if direct else 0), "--ioengine=psync",
            "--numjobs=1", "--end_fsync=%d" % (1 if write else 0), "--fallocate=none", "--output-format=json"]


def parse_fio(text, write):
    """One fio JSON report: {bytes, ns, latency_ns}. fio may print warnings before the JSON."""
    start = text.find("{")
    if start < 0:
        raise BenchError("fio printed no JSON: %s" % text.strip()[:200])
    report = json.loads(text[start:])
    job = report["jobs"][0]
    if job.get("error"):
        raise BenchError("fio reported error %s" % job["error"])
    side = job["write" if write else "read"]
    clat = side.get("clat_ns", {})
    pct = clat.get("percentile", {})
    return {"bytes": side["io_bytes"], "ns": side["runtime"] * 1000000, "bytes_per_sec": float(side["bw_bytes"]),
            "latency_ns": {"p50": pct.get("50.000000"), "p90": pct.get("90.000000"),
                           "p99": pct.get("99.000000"), "max": clat.get("max")}}


def fio_passes(run_command, fio, scratch, size, block, direct, repetitions):
    """Run fio's write and read passes; returns {write: [...], read: [...]} of parsed fio reports.
    run_command(argv) -> (rc, out, err), rc None when it did not finish in its time (the modules
    give alluxio_host.run_with_deadline: fio blocked in a hung mount is never waited for).
    fio creates the file itself, in a directory of its own made here (ScratchFile.private_path); it
    is removed only while it is still that file."""
    found = {"write": [], "read": []}
    for _repetition in range(repetitions):
        for write in (True, False):
            if write:
                scratch.private_path()
            cmd = fio_command(scratch.path, size, block, direct, write)
            cmd[0] = fio
            rc, out, err = run_command(cmd)
            if write:
                scratch.adopt()
            if rc is None:  # run_with_deadline: killed and left behind (a hung mount?)
                raise BenchError("fio's %s pass on %s did not finish in time (a hung mount?)"
                                 % ("write" if write else "read", scratch.directory))
            if rc != 0:
                raise BenchError("fio exited %d: %s" % (rc, (err or out).strip()[-500:]))
            found["write" if write else "read"].append(parse_fio(out, write))
    return found


def fio_side(reports):
    """fio reports of one direction in direct_io_bench's shape; latencies are those of the median run."""
    ordered = sorted(reports, key=lambda report: report["bytes_per_sec"])
    return {"bytes_per_sec": spread([report["bytes_per_sec"] for report in reports]),
            "latency_ns": ordered[len(ordered) // 2]["latency_ns"], "runs": len(reports)}


# Two tools measuring the same target in turns should agree within this; and a tool whose own
# repetitions spread wider than this saw the target move while it measured.
AGREEMENT_LIMIT = 0.10


def agreement(ours, theirs, limit=AGREEMENT_LIMIT):
    """Compare two tools' spreads ({min, median, max} bytes/s) of one direction on one target.
    Returns {ratio, spread, verdict, unstable}: the ratio of the medians (ours / theirs), the widest
    relative spread (max-min over median) of the two, and the verdict: "agree" (medians within
    limit), "unstable" (they differ and a tool's own repetitions spread beyond limit: the target
    moved, the runs say nothing about the tools) or "differs" (they differ while each tool's own
    repetitions agree: the tools measure something different, a systematic difference to explain).
    unstable is verdict == "unstable"."""
    if not ours or not theirs or not ours.get("median") or not theirs.get("median"):
        return None
    ratio = ours["median"] / theirs["median"]
    widest = max((side["max"] - side["min"]) / side["median"] for side in (ours, theirs))
    # Rounded: 110 against 100 is 10 % apart, not 10.000000000000009 %.
    apart, moved = round(abs(ratio - 1.0), 9) > limit, round(widest, 9) > limit
    verdict = "agree" if not apart else "unstable" if moved else "differs"
    return {"ratio": ratio, "spread": widest, "verdict": verdict, "unstable": verdict == "unstable"}


def parse_iperf3(text):
    """An iperf3 client's JSON report: received bits per second and retransmits."""
    report = json.loads(text)
    if report.get("error"):
        raise BenchError("iperf3: %s" % report["error"])
    end = report["end"]
    return {"bytes_per_sec": end["sum_received"]["bits_per_second"] / 8.0,
            "bytes": end["sum_received"]["bytes"],
            "ns": int(end["sum_received"]["seconds"] * 1e9),
            "retransmits": end.get("sum_sent", {}).get("retransmits")}


def tcp_sink(port, deadline):
    """Accept one connection, read until EOF, answer the byte count, close (the plain TCP
    measurement where iperf3 is missing). Gives up at the deadline (epoch seconds)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen(1)
    server.settimeout(max(1.0, deadline - time.time()))
    try:
        conn, _peer = server.accept()
    except socket.timeout:
        return 0
    finally:
        server.close()
    received = 0
    conn.settimeout(max(1.0, deadline - time.time()))
    with conn:
        chunk = bytearray(1 << 20)
        while True:
            got = conn.recv_into(chunk)
            if not got:
                break
            received += got
        conn.sendall(b"%d\n" % received)
    return received


def tcp_send(address, port, seconds, timeout=30):
    """Send for `seconds` to a tcp_sink, then wait for its count: {bytes, ns, bytes_per_sec}.
    The clock stops when the sink has counted every byte, not when the send buffer took them."""
    payload = memoryview(os.urandom(1 << 20))
    conn = socket.create_connection((address, port), timeout=timeout)
    with conn:
        started = time.perf_counter_ns()
        stop = started + int(seconds * 1e9)
        while time.perf_counter_ns() < stop:
            conn.sendall(payload)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while not answer.endswith(b"\n"):
            got = conn.recv(64)
            if not got:
                break
            answer += got
        elapsed = time.perf_counter_ns() - started
    if not answer.strip().isdigit():
        raise BenchError("the TCP sink at %s:%d did not answer a byte count" % (address, port))
    received = int(answer)
    return {"bytes": received, "ns": elapsed, "bytes_per_sec": received * 1e9 / elapsed, "retransmits": None}


def listening(port):
    """True when a local socket listens on TCP port."""
    return port in listening_ports([read_text("/proc/net/tcp"), read_text("/proc/net/tcp6")])


def default_route_interface(route_text):
    """The interface of the IPv4 default route, from /proc/net/route."""
    for line in route_text.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 2 and fields[1] == "00000000":
            return fields[0]
    return None


def line_rate(sys_class_net, interface):
    """(bytes per second, source) of a physical interface's link speed; (None, why) otherwise.
    A virtual interface (veth, bridge) reports a speed that is no line rate."""
    if not interface:
        return None, "no default route"
    base = os.path.join(sys_class_net, interface)
    if not os.path.exists(os.path.join(base, "device")):
        return None, "%s is virtual: no line rate" % interface
    try:
        with open(os.path.join(base, "speed")) as handle:
            mbit = int(handle.read().strip())
    except (IOError, OSError, ValueError):
        return None, "%s reports no speed" % interface
    if mbit <= 0:
        return None, "%s reports no speed" % interface
    return mbit * 1e6 / 8.0, "%s link speed %d Mb/s" % (interface, mbit)
