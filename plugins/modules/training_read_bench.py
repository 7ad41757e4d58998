#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: training_read_bench
short_description: Read a dataset the way training data loaders read it, and measure each epoch
version_added: "0.2.0"
description:
  - Lists the regular files under I(path) (a dataset of many small samples or a few large shards),
    then for each of I(epochs) epochs shuffles them (a new order every epoch, the same for a
    I(seed)) and deals them to I(readers) reader processes, forked anew each epoch like a
    PyTorch DataLoader's workers; each opens, reads to the end and closes its files in turn.
  - Reports per epoch the samples per second, bytes per second, the per-file latency (open to
    close) percentiles and the CPU time per GiB read, the readers' own plus, on an Alluxio FUSE
    mount, the FUSE process's (found by its mount point).
  - I(cache=drop) asks the kernel to drop the files' cached pages (C(posix_fadvise(DONTNEED))) before
    every epoch, not timed, for a cold read of a local disk or a shared under storage;
    I(cache=keep) leaves caches alone (a FUSE mount's own caching is what it measures, and a warm
    local read is the page-cache ceiling). The result says which.
  - Nothing is written. A path that does not answer C(stat) within 5 s (a stale FUSE mount) is
    refused before reading; readers still running at I(timeout) are killed (only this module's own
    reader processes) and the measurement fails with what it saw.
author:
  - alnair platform team (@alnair)
options:
  path:
    description: The dataset's directory on this target (the FUSE mount's view, the local copy, the under storage).
    type: path
    required: true
  label:
    description: A name for the target in the results (defaults to I(path)).
    type: str
  kind:
    description: What the target is, for the report.
    type: str
    choices: [fuse, local, ufs, other]
    default: other
  shape:
    description: What the dataset is, for the report (C(small-files) or C(shards)).
    type: str
    default: small-files
  readers:
    description: Parallel reader processes (a loader's C(num_workers)).
    type: int
    default: 4
  epochs:
    description: Passes over the whole dataset.
    type: int
    default: 3
  seed:
    description: Seeds the shuffled orders.
    type: int
    default: 0
  cache:
    description: C(drop) drops the files' cached pages before every epoch (cold); C(keep) does not.
    type: str
    choices: [drop, keep]
    default: keep
  max_files:
    description: Read at most this many files of the listing (0 reads all).
    type: int
    default: 0
  timeout:
    description:
      - Seconds the whole measurement may take. The listing, each cache drop and each epoch end by then
        (on a mount that stops answering, what is blocked in it is killed and left behind, and the
        module fails naming the path).
    type: int
    default: 900
attributes:
  check_mode:
    description: Checks that the path answers and lists the files; reads nothing.
    support: full
  diff_mode:
    description: Nothing to show as a diff.
    support: none
"""

EXAMPLES = r"""
- name: Four loaders, three shuffled epochs, through the dataset's FUSE mount
  alnair.alluxio.training_read_bench:
    path: /mnt/alluxio-datasets/imagenet/train
    label: alluxio-fuse (dataset profile)
    kind: fuse
    readers: 4
    epochs: 3

- name: The same files on the local disk, cold every epoch
  alnair.alluxio.training_read_bench:
    path: /var/tmp/imagenet/train
    label: local-disk cold
    kind: local
    cache: drop
"""

RETURN = r"""
target:
  description: The label, path, kind, dataset shape and cache mode of the target.
  returned: always
  type: dict
  sample: {label: local-disk cold, path: /var/tmp/imagenet/train, kind: local, shape: small-files, cache: drop}
files:
  description: Files read per epoch.
  returned: always
  type: int
  sample: 1000
bytes_per_epoch:
  description: Bytes read per epoch.
  returned: always
  type: int
  sample: 131072000
readers:
  description: Reader processes.
  returned: always
  type: int
list_seconds:
  description: Time the listing of the dataset took (before the first epoch).
  returned: always
  type: float
server_pid:
  description: The FUSE process whose CPU time is counted, or null.
  returned: success
  type: int
epochs:
  description: One entry per epoch.
  returned: success
  type: list
  elements: dict
  sample:
    - epoch: 1
      files: 1000
      bytes: 131072000
      ns: 2100000000
      samples_per_sec: 476.2
      bytes_per_sec: 62415238.1
      latency_ns: {p50: 7500000, p90: 12000000, p99: 30000000, max: 41000000}
      cpu_ns_per_gib: 9100000000
      cpu_ns_per_file: 1100000
      server_cpu_ns: 1500000000
started:
  description: When the first epoch began (seconds since the epoch).
  returned: success
  type: float
ended:
  description: When the last epoch ended.
  returned: success
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_bench import BenchError
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import (
    Unanswered, call_with_deadline, path_responds, process_cpu_ns)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_training import (
    drop_page_cache, epoch_order, fuse_server_pid, list_files, run_epoch, summarize_epoch)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            label=dict(type="str"),
            kind=dict(type="str", default="other", choices=["fuse", "local", "ufs", "other"]),
            shape=dict(type="str", default="small-files"),
            readers=dict(type="int", default=4),
            epochs=dict(type="int", default=3),
            seed=dict(type="int", default=0),
            cache=dict(type="str", default="keep", choices=["drop", "keep"]),
            max_files=dict(type="int", default=0),
            timeout=dict(type="int", default=900),
        ),
        supports_check_mode=True,
    )
    params = module.params
    target = {"label": params["label"] or params["path"], "path": params["path"], "kind": params["kind"],
              "shape": params["shape"], "cache": params["cache"]}
    result = {"target": target, "readers": params["readers"], "files": 0, "bytes_per_epoch": 0, "list_seconds": 0.0}
    for name in ("readers", "epochs", "timeout"):
        if params[name] < 1:
            module.fail_json(msg="%s: %s must be at least 1" % (target["label"], name), **result)
    deadline = time.monotonic() + params["timeout"]
    trouble = path_responds(params["path"])
    if trouble:
        module.fail_json(msg="%s: %s does not answer (%s): a stale mount?" % (target["label"], params["path"], trouble), **result)
    listed = time.monotonic()
    try:
        paths = call_with_deadline(list_files, (params["path"], params["max_files"]), deadline - listed,
                                   "listing %s" % params["path"])
    except (Unanswered, OSError) as exc:
        module.fail_json(msg="%s: %s" % (target["label"], exc), **result)
    result["list_seconds"] = round(time.monotonic() - listed, 3)
    if not paths:
        module.fail_json(msg="%s: no files under %s" % (target["label"], params["path"]), **result)
    result["files"] = len(paths)
    if module.check_mode:
        module.exit_json(changed=False, msg="target checked, nothing read", **result)
    server = fuse_server_pid(params["path"]) if params["kind"] == "fuse" else None
    epochs = []
    started = time.time()
    try:
        for number in range(1, params["epochs"] + 1):
            if params["cache"] == "drop":
                call_with_deadline(drop_page_cache, (paths,), max(deadline - time.monotonic(), 0.1),
                                   "dropping the cached pages of %s" % params["path"])
            server_before = process_cpu_ns(server) if server else None
            run = run_epoch(paths, epoch_order(len(paths), params["seed"], number), params["readers"], deadline)
            server_after = process_cpu_ns(server) if server else None
            server_cpu = server_after - server_before if server_before is not None and server_after is not None else None
            epochs.append(summarize_epoch(number, run, server_cpu))
    except (BenchError, Unanswered, OSError) as exc:
        module.fail_json(msg="%s: epoch %d: %s" % (target["label"], len(epochs) + 1, exc), epochs=epochs, **result)
    result["bytes_per_epoch"] = epochs[0]["bytes"]
    module.exit_json(changed=False, epochs=epochs, server_pid=server, started=started, ended=time.time(), **result)


if __name__ == "__main__":
    main()
