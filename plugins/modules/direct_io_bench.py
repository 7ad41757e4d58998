#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: direct_io_bench
short_description: Measure sequential write and read throughput of a directory with direct I/O
version_added: "0.1.0"
description:
  - Writes, then reads, a file of I(size) bytes sequentially at each of I(block_sizes), with
    C(O_DIRECT) and page-aligned buffers (no dd, no output parsing), I(repetitions) times.
  - Where C(O_DIRECT) is refused (by the file system, or for a block size it cannot align), and
    I(direct=auto), it measures with the labelled fallback C(fadvise) (C(fdatasync) then
    C(posix_fadvise(DONTNEED)) before each read); I(direct=required) makes that an error.
  - Reports bytes per second (min, median, max over the repetitions), per-block latency
    percentiles in nanoseconds, and the CPU time the measurement used per GiB moved.
  - Each rate is checked against the host's own memory copy speed (measured) and, for a remote
    target, the network line rate (I(line_rate_bytes_per_sec), else the link speed of the
    default route's physical interface); a rate above them is flagged C(implausible) with the
    reason instead of being reported as a fact.
  - With I(cross_check=fio), fio measures the same target at the block size I(fio_block_size) in
    turns with this module (ours, fio, ours, fio and so on, so both see the same moments of a noisy disk), and
    the result says per direction the ratio of the two medians, the widest spread of the two tools' own
    repetitions, and a C(verdict) - C(agree) (medians within 10%), C(unstable) (apart, and a tool's own runs
    spread more than 10%, so the target moved) or C(differs) (apart while each tool agrees with itself, a
    systematic difference between the tools).
  - Refuses, before writing anything, a target that does not answer C(stat) within 5 s (a stale
    FUSE mount), a missing or unwritable directory, a size larger than its free space and a
    block size O_DIRECT cannot use (not a multiple of 512). Its file is removed afterwards.
author:
  - alnair platform team (@alnair)
options:
  path:
    description: The directory to measure (a FUSE mount, a local disk, an NFS mount...).
    type: path
    required: true
  size:
    description: Bytes of the test file, or an Alluxio-style size (C(1GB) = 1 GiB).
    type: str
    default: 1GB
  block_sizes:
    description: Request sizes in bytes or sizes (C(512KB), C(1MB)); C(512B) reproduces the runbook.
    type: list
    elements: str
    default: [512KB, 1MB]
  repetitions:
    description: Runs per block size and direction.
    type: int
    default: 3
  direct:
    description: C(auto) uses C(O_DIRECT) where it works and the fallback elsewhere; C(required) fails instead; C(off) always uses the fallback.
    type: str
    choices: [auto, required, "off"]
    default: auto
  kind:
    description: What the target is, for the report (C(fuse), C(local), C(nfs), C(other)).
    type: str
    choices: [fuse, local, nfs, other]
    default: other
  remote:
    description: Whether the data crosses the network (checked against the line rate). Defaults to true for C(nfs).
    type: bool
  line_rate_bytes_per_sec:
    description: The network line rate of a remote target; rates above it are implausible. Read from the link when unset.
    type: int
  label:
    description: A name for the target in the results (defaults to I(path)).
    type: str
  cross_check:
    description: C(fio) runs fio in turns with each repetition at I(fio_block_size) (fio must be installed); C(none) does not.
    type: str
    choices: [none, fio]
    default: none
  fio_block_size:
    description: The block size fio cross-checks, one of I(block_sizes); unset, 1 MiB where measured, else the largest.
    type: str
  timeout:
    description:
      - Seconds the whole measurement may take (its passes run in a child process). One still running
        then (blocked in a mount that stopped answering) is killed and left behind, never waited for,
        and the module fails naming the path; its test file may be left behind with it.
    type: int
    default: 3600
  fio_pass_timeout:
    description:
      - Seconds one fio pass of the cross-check may take. A pass still running then (blocked in a mount
        that stopped answering) is killed and left behind, never waited for, and the module fails naming the path.
    type: int
    default: 600
attributes:
  check_mode:
    description: Checks the target (exists, writable, free space) and measures nothing.
    support: full
  diff_mode:
    description: Nothing to show as a diff.
    support: none
"""

EXAMPLES = r"""
- name: Alluxio FUSE against the local disk, 1 MiB blocks
  alnair.alluxio.direct_io_bench:
    path: "{{ item }}"
    size: 512MB
    block_sizes: [1MB]
  loop: [/mnt/alluxio-fuse/bench, /var/tmp/bench]
"""

RETURN = r"""
target:
  description: The label, path, kind and remoteness of the target.
  returned: always
  type: dict
  sample: {label: local-disk, path: /var/tmp/bench, kind: local, remote: false}
started:
  description: When the measurement began (seconds since the epoch); with I(ended) it tells runs in parallel from runs one at a time.
  returned: success
  type: float
ended:
  description: When the measurement ended (seconds since the epoch).
  returned: success
  type: float
seconds:
  description: Wall time of the whole measurement, memory copy ceiling included.
  returned: success
  type: float
line_rate:
  description: The line rate a remote target was checked against and where it came from.
  returned: success
  type: dict
  sample: {bytes_per_sec: 125000000.0, source: eno1 link speed 1000 Mb/s}
size_bytes:
  description: Bytes of the test file.
  returned: always
  type: int
memory_copy_bytes_per_sec:
  description: The host's single-core memory copy speed, the ceiling for any rate.
  returned: success
  type: float
results:
  description: One entry per block size.
  returned: success
  type: list
  elements: dict
  sample:
    - block_bytes: 1048576
      mode: direct
      write: {bytes_per_sec: {min: 1.1e9, median: 1.2e9, max: 1.3e9}, latency_ns: {p50: 800000, p90: 900000, p99: 1000000, max: 2000000}, runs: 3}
      read: {bytes_per_sec: {min: 2.1e9, median: 2.2e9, max: 2.3e9}, latency_ns: {p50: 400000, p90: 500000, p99: 600000, max: 900000}, runs: 3}
      cpu_ns_per_gib: 210000000
      implausible: []
cross_check:
  description: With I(cross_check=fio), fio's result at I(fio_block_size), measured in turns with this module, and the agreement per direction.
  returned: success, with cross_check=fio
  type: dict
  sample:
    tool: fio
    version: fio-3.33
    block_bytes: 1048576
    write: {bytes_per_sec: {min: 1.0e9, median: 1.1e9, max: 1.2e9}, latency_ns: {p50: 800000, p90: 900000, p99: 1000000, max: 2000000}, runs: 3}
    read: {bytes_per_sec: {min: 2.0e9, median: 2.1e9, max: 2.3e9}, latency_ns: {p50: 400000, p90: 500000, p99: 600000, max: 900000}, runs: 3}
    agreement:
      write: {ratio: 1.09, unstable: false, spread: 0.18, verdict: agree}
      read: {ratio: 1.05, unstable: false, spread: 0.14, verdict: agree}
"""

import errno
import resource
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_bench import (
    BenchError, ScratchFile, agreement, check_target, default_route_interface, fio_passes, fio_side, line_rate, memory_copy_rate,
    plausibility, probe_direct, summarize, transfer)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import (
    CallFailed, Unanswered, call_with_deadline, path_responds, read_text, run_with_deadline)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import SizeError, parse_size


def cpu_ns():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


def measure(path, size, blocks, repetitions, direct_policy, line_rate, fio_turn=None):
    """Each block size: repetitions of a write and a read pass. fio_turn(block, direct), when given,
    is called after each repetition (it runs fio for the block size it checks, nothing for the others)."""
    ceiling = memory_copy_rate()
    results = []
    test_file = ScratchFile(path, ".alnair-bench")
    try:
        for block in blocks:
            why_not = "direct" if direct_policy != "off" else "direct I/O switched off"
            if direct_policy != "off":
                why_not = probe_direct(path, block)
            direct = why_not == "direct"
            if not direct and direct_policy == "required":
                raise BenchError("O_DIRECT is required, but %s" % why_not)
            cpu_used = 0
            writes, reads = [], []
            for _repetition in range(repetitions):
                cpu_before = cpu_ns()
                writes.append(transfer(test_file, size, block, direct, write=True))
                reads.append(transfer(test_file, size, block, direct, write=False))
                cpu_used += cpu_ns() - cpu_before
                if fio_turn:
                    fio_turn(block, direct)
            entry = {"block_bytes": block, "mode": "direct" if direct else "fadvise",
                     "write": summarize(writes), "read": summarize(reads),
                     "cpu_ns_per_gib": int(cpu_used * (1 << 30) / (2.0 * size * repetitions)), "implausible": []}
            if not direct:
                entry["fallback_reason"] = why_not
            for direction in ("write", "read"):
                reason = plausibility(entry[direction]["bytes_per_sec"]["max"], ceiling, line_rate)
                if reason:
                    entry["implausible"].append("%s: %s" % (direction, reason))
            results.append(entry)
    finally:
        test_file.remove()
    return ceiling, results


def measure_bounded(seconds, path, size, blocks, repetitions, direct_policy, line_rate, fio_turns=None):
    """measure() in a child process, ended after seconds (alluxio_host.call_with_deadline): the I/O,
    its CPU and fio's turns are the child's; fio_turns gets back what its turns found."""
    def in_child():
        ceiling, results = measure(path, size, blocks, repetitions, direct_policy, line_rate, fio_turns)
        return {"ceiling": ceiling, "results": results,
                "fio": {"found": fio_turns.found, "direct": fio_turns.direct} if fio_turns else None}
    reply = call_with_deadline(in_child, (), seconds, "measuring %s" % path)
    if fio_turns:
        fio_turns.found, fio_turns.direct = reply["fio"]["found"], reply["fio"]["direct"]
    return reply["ceiling"], reply["results"]


class FioTurns(object):
    """fio's passes at one block size, one repetition per turn, and the comparison at the end."""

    def __init__(self, module, fio, path, size, block, pass_timeout=600):
        self.module, self.fio, self.size, self.block = module, fio, size, block
        self.pass_timeout = pass_timeout
        self.scratch = ScratchFile(path, ".alnair-fio")
        self.found = {"write": [], "read": []}
        self.direct = None

    def __call__(self, block, direct):
        if block != self.block:
            return
        self.direct = direct
        try:
            turn = fio_passes(lambda argv: run_with_deadline(argv, self.pass_timeout), self.fio, self.scratch, self.size,
                              block, direct, 1)
        finally:
            self.scratch.remove()
        for direction in ("write", "read"):
            self.found[direction] += turn[direction]

    def result(self, results):
        if not self.found["read"]:
            return None
        found = {"tool": "fio", "version": self.module.run_command([self.fio, "--version"])[1].strip(),
                 "block_bytes": self.block, "mode": "direct" if self.direct else "buffered", "agreement": {}}
        ours = next(entry for entry in results if entry["block_bytes"] == self.block)
        for direction in ("write", "read"):
            found[direction] = fio_side(self.found[direction])
            found["agreement"][direction] = agreement(ours[direction]["bytes_per_sec"], found[direction]["bytes_per_sec"])
        return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            size=dict(type="str", default="1GB"),
            block_sizes=dict(type="list", elements="str", default=["512KB", "1MB"]),
            repetitions=dict(type="int", default=3),
            direct=dict(type="str", default="auto", choices=["auto", "required", "off"]),
            kind=dict(type="str", default="other", choices=["fuse", "local", "nfs", "other"]),
            remote=dict(type="bool"),
            line_rate_bytes_per_sec=dict(type="int"),
            label=dict(type="str"),
            cross_check=dict(type="str", default="none", choices=["none", "fio"]),
            fio_block_size=dict(type="str"),
            fio_pass_timeout=dict(type="int", default=600),
            timeout=dict(type="int", default=3600),
        ),
        supports_check_mode=True,
    )
    params = module.params
    remote = params["remote"] if params["remote"] is not None else params["kind"] == "nfs"
    target = {"label": params["label"] or params["path"], "path": params["path"], "kind": params["kind"],
              "remote": remote}
    try:
        size = parse_size(params["size"])
        blocks = [parse_size(b) for b in params["block_sizes"]]
        fio_block = parse_size(params["fio_block_size"]) if params["fio_block_size"] else (1 << 20 if (1 << 20) in blocks else max(blocks))
    except SizeError as exc:
        module.fail_json(msg="%s: %s" % (target["label"], exc), target=target)
    if params["repetitions"] < 1:
        module.fail_json(msg="repetitions must be at least 1", target=target)
    fio_turns = None
    if params["cross_check"] == "fio":
        fio = module.get_bin_path("fio")
        if not fio:
            module.fail_json(msg="%s: cross_check=fio, but fio is not installed on this host" % target["label"], target=target)
        if fio_block not in blocks:
            module.fail_json(msg="%s: fio_block_size %s is not one of block_sizes %s" % (
                target["label"], params["fio_block_size"], ", ".join(params["block_sizes"])), target=target)
        fio_turns = FioTurns(module, fio, params["path"], size, fio_block, params["fio_pass_timeout"])
    try:
        check_target(params["path"], size, blocks, params["direct"], path_responds)
        if module.check_mode:
            module.exit_json(changed=False, target=target, size_bytes=size, msg="target checked, nothing measured")
        rate, source = None, "local target"
        if remote:
            rate, source = params["line_rate_bytes_per_sec"], "given"
            if not rate:
                rate, source = line_rate("/sys/class/net", default_route_interface(read_text("/proc/net/route")))
        started = time.time()
        ceiling, results = measure_bounded(params["timeout"], params["path"], size, blocks, params["repetitions"],
                                           params["direct"], rate, fio_turns)
        cross_check = fio_turns.result(results) if fio_turns else None
    except (BenchError, Unanswered, CallFailed, OSError, ValueError, KeyError) as exc:
        hint = ""
        if isinstance(exc, OSError) and exc.errno == errno.EIO and params["kind"] == "fuse":
            hint = (" (Alluxio FUSE answers EIO when the write fails inside Alluxio, e.g. a worker without space "
                    "for the file: see the FUSE log)")
        module.fail_json(msg="%s: %s%s" % (target["label"], exc, hint), target=target, size_bytes=size)
    ended = time.time()
    module.exit_json(changed=False, target=target, size_bytes=size, memory_copy_bytes_per_sec=ceiling,
                     results=results, started=started, ended=ended, seconds=round(ended - started, 2),
                     line_rate={"bytes_per_sec": rate, "source": source}, **({"cross_check": cross_check} if cross_check else {}))


if __name__ == "__main__":
    main()
