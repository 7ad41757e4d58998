#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fuse_io_bench
short_description: Run Alluxio's own FUSE benchmark (StressBench FuseIOBench) on this host, as a second opinion
version_added: "0.2.0"
description:
  - Runs C(bin/alluxio runClass alluxio.stress.cli.fuse.FuseIOBench) in this host's process
    (C(--in-process)), as the Alluxio user, under I(path) (a directory of an Alluxio FUSE mount), and
    returns its JSON summary with the rate in bytes per second.
  - C(Write) lays out I(dirs) x I(files_per_dir) files of I(file_size) in C(I(path)/fuse-io-bench)
    (a writable mount); C(LocalRead) reads the files this host wrote, with I(threads) threads, for
    I(duration) after I(warmup); C(ListFile) lists them. C(absent) removes the directory the
    benchmark laid out (only C(fuse-io-bench) under I(path)).
  - Bounded in time (I(timeout)); a run that exceeds it is ended and fails.
author:
  - alnair platform team (@alnair)
options:
  path:
    description: The directory under an Alluxio FUSE mount to work in.
    type: path
    required: true
  operation:
    description: What to do.
    type: str
    choices: [Write, LocalRead, ListFile, absent]
    required: true
  file_size:
    description: Bytes per file, in Alluxio's notation (C(128k), C(1m)).
    type: str
    default: 128k
  files_per_dir:
    description: Files per directory.
    type: int
    default: 250
  dirs:
    description: Directories.
    type: int
    default: 4
  threads:
    description: Threads of the benchmark.
    type: int
    default: 4
  buffer_size:
    description: The read and write buffer.
    type: str
    default: 128k
  duration:
    description: How long C(LocalRead) measures (C(10s), C(1m)).
    type: str
    default: 10s
  warmup:
    description: How long C(LocalRead) reads before it measures.
    type: str
    default: 2s
  alluxio_home:
    description: The Alluxio installation.
    type: path
    default: /opt/alluxio/current
  user:
    description: The user the benchmark runs as (the FUSE mount must let it write for C(Write)).
    type: str
    default: alluxio
  timeout:
    description: Seconds the run may take.
    type: int
    default: 300
  label:
    description: A name for the result in the report.
    type: str
attributes:
  check_mode:
    description: Checks that the benchmark class and the path are there; runs nothing.
    support: full
  diff_mode:
    description: Nothing to show as a diff.
    support: none
"""

EXAMPLES = r"""
- name: Lay out 1,000 files of 128 KiB through a writable FUSE mount
  alnair.alluxio.fuse_io_bench:
    path: /mnt/alluxio-fuse/stress
    operation: Write

- name: Read them back with 4 threads for 10 s
  alnair.alluxio.fuse_io_bench:
    path: /mnt/alluxio-fuse/stress
    operation: LocalRead
"""

RETURN = r"""
target:
  description: The label, path and operation.
  returned: always
  type: dict
  sample: {label: alluxio-fuse (FuseIOBench), path: /mnt/alluxio-fuse/stress, operation: LocalRead}
summary:
  description: FuseIOBench's own JSON summary (its parameters, C(ioBytes), C(ioMBps), C(recordStartMs), C(endMs)...).
  returned: success, for Write and LocalRead
  type: dict
bytes_per_sec:
  description: Bytes moved per second while it measured (C(ioBytes) over C(endMs - recordStartMs)).
  returned: success, for Write and LocalRead
  type: float
  sample: 312000000.0
"""

import json
import os
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import path_responds
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_shell import reason

BENCH_CLASS = "alluxio.stress.cli.fuse.FuseIOBench"
# FuseIOBench's own directory under --local-path.
BENCH_DIR = "fuse-io-bench"


def summary_of(text):
    """FuseIOBench's JSON summary out of its output (log lines may come before it)."""
    decoder = json.JSONDecoder()
    found = None
    for index, char in enumerate(text):
        if char != "{" or (index and text[index - 1] != "\n"):
            continue
        try:
            value, _end = decoder.raw_decode(text[index:])
        except ValueError:
            continue
        if isinstance(value, dict) and "ioBytes" in value:
            found = value
    return found


def rate_of(summary):
    """Bytes per second of a summary, None when it measured no time."""
    elapsed_ms = (summary.get("endMs") or 0) - (summary.get("recordStartMs") or 0)
    if elapsed_ms <= 0:
        return None
    return summary.get("ioBytes", 0) * 1000.0 / elapsed_ms


def command(params):
    shell = os.path.join(params["alluxio_home"], "bin", "alluxio")
    args = [shell, "runClass", BENCH_CLASS, "--operation", params["operation"], "--local-path", params["path"],
            "--file-size", params["file_size"], "--num-files-per-dir", str(params["files_per_dir"]),
            "--num-dirs", str(params["dirs"]), "--threads", str(params["threads"]),
            "--buffer-size", params["buffer_size"], "--duration", params["duration"], "--warmup", params["warmup"],
            "--in-process"]
    bounded = ["timeout", "--kill-after=10", str(params["timeout"])] + args
    if params["user"] and os.geteuid() == 0 and params["user"] != "root":
        bounded = ["runuser", "-u", params["user"], "--"] + bounded
    return bounded


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            operation=dict(type="str", required=True, choices=["Write", "LocalRead", "ListFile", "absent"]),
            file_size=dict(type="str", default="128k"),
            files_per_dir=dict(type="int", default=250),
            dirs=dict(type="int", default=4),
            threads=dict(type="int", default=4),
            buffer_size=dict(type="str", default="128k"),
            duration=dict(type="str", default="10s"),
            warmup=dict(type="str", default="2s"),
            alluxio_home=dict(type="path", default="/opt/alluxio/current"),
            user=dict(type="str", default="alluxio"),
            timeout=dict(type="int", default=300),
            label=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    target = {"label": params["label"] or params["path"], "path": params["path"], "operation": params["operation"]}
    trouble = path_responds(module.run_command, params["path"])
    if trouble:
        module.fail_json(msg="%s: %s does not answer (%s): a stale mount?" % (target["label"], params["path"], trouble), target=target)
    if params["operation"] == "absent":
        laid_out = os.path.join(params["path"], BENCH_DIR)
        present = os.path.isdir(laid_out) and not os.path.islink(laid_out)
        if present and not module.check_mode:
            shutil.rmtree(laid_out)
        module.exit_json(changed=present, target=target)
    if not os.path.exists(os.path.join(params["alluxio_home"], "bin", "alluxio")):
        module.fail_json(msg="%s: no bin/alluxio under %s" % (target["label"], params["alluxio_home"]), target=target)
    if module.check_mode:
        module.exit_json(changed=False, target=target, msg="checked, nothing run")
    rc, out, err = module.run_command(command(params), cwd="/")
    if rc == 124 or rc == 137:
        module.fail_json(msg="%s: FuseIOBench %s did not end within %d s" % (target["label"], params["operation"], params["timeout"]),
                         target=target)
    if rc != 0:
        module.fail_json(msg="%s: FuseIOBench %s failed (rc %d): %s" % (target["label"], params["operation"], rc, reason(out + "\n" + err)),
                         target=target)
    summary = summary_of(out)
    if params["operation"] == "ListFile":
        module.exit_json(changed=False, target=target, summary=summary)
    if summary is None:
        module.fail_json(msg="%s: FuseIOBench printed no summary: %s" % (target["label"], reason(out + "\n" + err)), target=target)
    errors = summary.get("errors") or []
    if errors:
        module.fail_json(msg="%s: FuseIOBench reported errors: %s" % (target["label"], "; ".join(str(e) for e in errors[:5])),
                         target=target, summary=summary)
    module.exit_json(changed=params["operation"] == "Write", target=target, summary=summary, bytes_per_sec=rate_of(summary))


if __name__ == "__main__":
    main()
