#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fio_bench
short_description: Measure a directory with fio, as a cross-check of direct_io_bench
version_added: "0.1.0"
description:
  - Runs fio on the same target and parameters as M(alnair.alluxio.direct_io_bench)
    (one sequential synchronous job, C(psync), C(O_DIRECT) unless I(direct=false)), a write pass
    then a read pass, I(repetitions) times, and returns the results in the same shape.
  - Refuses the same bad targets as M(alnair.alluxio.direct_io_bench) before writing anything.
    Its file is removed afterwards.
author:
  - alnair platform team (@alnair)
options:
  path:
    description: The directory to measure.
    type: path
    required: true
  size:
    description: Bytes of the test file, or an Alluxio-style size (C(1GB) = 1 GiB).
    type: str
    default: 1GB
  block_size:
    description: Request size in bytes or as a size (C(1MB)).
    type: str
    default: 1MB
  repetitions:
    description: Write and read passes.
    type: int
    default: 3
  direct:
    description: Use C(O_DIRECT) (fio C(--direct=1)).
    type: bool
    default: true
  kind:
    description: What the target is, for the report.
    type: str
    choices: [fuse, local, nfs, other]
    default: other
  label:
    description: A name for the target in the results (defaults to I(path)).
    type: str
  pass_timeout:
    description:
      - Seconds one fio pass may take. A pass still running then (blocked in a mount that stopped
        answering) is killed and left behind, never waited for, and the module fails naming the path.
    type: int
    default: 600
requirements:
  - fio on the host
attributes:
  check_mode:
    description: Checks the target and that fio is there, measures nothing.
    support: full
  diff_mode:
    description: Nothing to show as a diff.
    support: none
"""

EXAMPLES = r"""
- name: Cross-check the local disk with fio
  alnair.alluxio.fio_bench:
    path: /var/tmp/bench
    size: 512MB
    block_size: 1MB
    repetitions: 5
    kind: local
"""

RETURN = r"""
target:
  description: The label, path and kind of the target.
  returned: always
  type: dict
  sample: {label: local-disk, path: /var/tmp/bench, kind: local}
fio_version:
  description: What C(fio --version) printed.
  returned: success
  type: str
  sample: fio-3.33
results:
  description: One entry (the block size), shaped like direct_io_bench's; latencies are those of the median run.
  returned: success
  type: list
  elements: dict
  sample:
    - block_bytes: 1048576
      mode: direct
      write: {bytes_per_sec: {min: 1.1e9, median: 1.2e9, max: 1.3e9}, latency_ns: {p50: 800000, p90: 900000, p99: 1000000, max: 2000000}, runs: 3}
      read: {bytes_per_sec: {min: 2.1e9, median: 2.2e9, max: 2.3e9}, latency_ns: {p50: 400000, p90: 500000, p99: 600000, max: 900000}, runs: 3}
started:
  description: When the measurement began (seconds since the epoch).
  returned: success
  type: float
ended:
  description: When the measurement ended (seconds since the epoch).
  returned: success
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_bench import (
    BenchError, ScratchFile, check_target, fio_passes, fio_side)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import path_responds, run_with_deadline
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import SizeError, parse_size


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            size=dict(type="str", default="1GB"),
            block_size=dict(type="str", default="1MB"),
            repetitions=dict(type="int", default=3),
            direct=dict(type="bool", default=True),
            kind=dict(type="str", default="other", choices=["fuse", "local", "nfs", "other"]),
            label=dict(type="str"),
            pass_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    params = module.params
    target = {"label": params["label"] or params["path"], "path": params["path"], "kind": params["kind"]}
    fio = module.get_bin_path("fio")
    if not fio:
        module.fail_json(msg="%s: fio is not installed on this host" % target["label"], target=target)
    try:
        size = parse_size(params["size"])
        block = parse_size(params["block_size"])
    except SizeError as exc:
        module.fail_json(msg="%s: %s" % (target["label"], exc), target=target)
    if params["repetitions"] < 1:
        module.fail_json(msg="repetitions must be at least 1", target=target)
    scratch = ScratchFile(params["path"], ".alnair-fio")
    try:
        check_target(params["path"], size, [block], "required" if params["direct"] else "off",
                     path_responds)
        if module.check_mode:
            module.exit_json(changed=False, target=target, msg="target checked, nothing measured")
        version = module.run_command([fio, "--version"])[1].strip()
        started = time.time()
        found = fio_passes(lambda argv: run_with_deadline(argv, params["pass_timeout"]), fio, scratch, size, block,
                           params["direct"], params["repetitions"])
    except (BenchError, OSError, ValueError, KeyError) as exc:
        module.fail_json(msg="%s: %s" % (target["label"], exc), target=target)
    finally:
        scratch.remove()
    entry = {"block_bytes": block, "mode": "direct" if params["direct"] else "buffered",
             "write": fio_side(found["write"]), "read": fio_side(found["read"])}
    module.exit_json(changed=False, target=target, fio_version=version, results=[entry], started=started,
                     ended=time.time())


if __name__ == "__main__":
    main()
