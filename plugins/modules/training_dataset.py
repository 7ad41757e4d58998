#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: training_dataset
short_description: Generate a synthetic training dataset of whole files (many small samples or a few large shards)
version_added: "0.2.0"
description:
  - Writes I(files) files of I(file_size) bytes named C(sample-NNNNNN.bin) into the directory
    I(path), with content derived from I(seed) and each file's index, so the same parameters give
    identical bytes on every host (a local-disk copy and the under storage hold the same dataset).
  - Records its parameters in C(.alnair-dataset.json) in the directory. A second run with the same
    parameters changes nothing; other parameters rewrite what differs and remove samples beyond
    I(files).
  - Refuses a directory that has content but no such manifest (data that is not a dataset it
    wrote), so it never writes into or removes from somebody's directory. Each file is written under
    a temporary name (C(O_EXCL|O_NOFOLLOW)) and renamed into place.
author:
  - alnair platform team (@alnair)
options:
  path:
    description: The dataset's directory (created when missing; its parent must exist).
    type: path
    required: true
  files:
    description: How many files.
    type: int
    required: true
  file_size:
    description: Bytes per file, or a size (C(128KB) = 128 KiB, C(32MB)).
    type: str
    required: true
  seed:
    description: Seeds the content.
    type: int
    default: 0
  mode:
    description: Permissions of the files (readable by the Alluxio user that loads them).
    type: raw
    default: "0644"
  state:
    description: C(present) generates it; C(absent) removes the files and the manifest it wrote (only those).
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Reports what it would write or remove.
    support: full
  diff_mode:
    description: The number of files and their size, before and after.
    support: full
"""

EXAMPLES = r"""
- name: 2000 ImageNet-sized samples in the shared under storage
  alnair.alluxio.training_dataset:
    path: /srv/nfs/alnair-training/small
    files: 2000
    file_size: 128KB

- name: Four 256 MiB shards (TFRecord / WebDataset tar sized)
  alnair.alluxio.training_dataset:
    path: /srv/nfs/alnair-training/shards
    files: 4
    file_size: 256MB
"""

RETURN = r"""
path:
  description: The dataset's directory.
  returned: always
  type: str
written:
  description: How many files were (or in check mode would be) written.
  returned: always
  type: int
  sample: 2000
removed:
  description: How many files were (or would be) removed.
  returned: always
  type: int
  sample: 0
bytes:
  description: Bytes of the whole dataset.
  returned: always
  type: int
  sample: 268435456
"""

import json
import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_bench import BenchError
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import SizeError, parse_size
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_training import (
    MANIFEST, dataset_plan, manifest_for, sample_bytes, sample_name, write_sample)


def described(manifest):
    return "%d files of %d bytes, seed %d\n" % (manifest["files"], manifest["file_size"], manifest["seed"]) if manifest else "absent\n"


def remove_dataset(module, path):
    """Remove only what this module writes (samples and the manifest) and the directory if then empty.
    Returns the number of samples, None when there is no dataset of this module there."""
    if not os.path.isdir(path) or not os.path.exists(os.path.join(path, MANIFEST)):
        return None
    ours = [name for name in os.listdir(path) if name == MANIFEST or (name.startswith("sample-") and name.endswith(".bin"))]
    if not module.check_mode:
        for name in ours:
            found = os.lstat(os.path.join(path, name))
            if stat.S_ISREG(found.st_mode):
                os.unlink(os.path.join(path, name))
        if not os.listdir(path):
            os.rmdir(path)
    return len(ours) - 1


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            files=dict(type="int", required=True),
            file_size=dict(type="str", required=True),
            seed=dict(type="int", default=0),
            mode=dict(type="raw", default="0644"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"].rstrip("/") or "/"
    try:
        size = parse_size(params["file_size"])
        mode = int(str(params["mode"]), 8)
    except (SizeError, ValueError) as exc:
        module.fail_json(msg="file_size or mode: %s" % exc, path=path)
    if params["files"] < 1:
        module.fail_json(msg="files must be at least 1", path=path)
    if not os.path.isabs(path) or os.path.normpath(path) != path or path.count("/") < 2:
        module.fail_json(msg="path must be an absolute, normalised directory below a top-level one: %s" % path, path=path)
    if os.path.islink(path):
        module.fail_json(msg="%s is a symbolic link: not following it" % path, path=path)
    wanted = manifest_for(params["files"], size, params["seed"])
    if params["state"] == "absent":
        removed = remove_dataset(module, path)
        module.exit_json(changed=removed is not None, path=path, written=0, removed=removed or 0, bytes=0,
                         diff={"before": "absent\n" if removed is None else "%d files\n" % removed, "after": "absent\n"})
    try:
        plan = dataset_plan(path, params["files"], size, params["seed"])
    except BenchError as exc:
        module.fail_json(msg=str(exc), path=path)
    changed = plan["state"] != "ok"
    result = dict(changed=changed, path=path, written=len(plan["write"]), removed=len(plan["remove"]),
                  bytes=params["files"] * size)
    if changed:
        before = None
        if os.path.exists(os.path.join(path, MANIFEST)):
            try:
                with open(os.path.join(path, MANIFEST)) as handle:
                    before = json.load(handle)
            except ValueError:
                before = None
        result["diff"] = {"before": described(before), "after": described(wanted)}
    if module.check_mode or not changed:
        module.exit_json(**result)
    try:
        if not os.path.isdir(path):
            os.mkdir(path, 0o755)
        index = dict((sample_name(i, params["files"]), i) for i in range(params["files"]))
        for name in plan["write"]:
            write_sample(path, name, sample_bytes(params["seed"], index[name], size), mode)
        for name in plan["remove"]:
            os.unlink(os.path.join(path, name))
        write_sample(path, MANIFEST, (json.dumps(wanted, sort_keys=True) + "\n").encode("ascii"), mode)
    except OSError as exc:
        module.fail_json(msg="writing the dataset in %s: %s" % (path, exc), path=path)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
