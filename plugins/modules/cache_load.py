#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cache_load
short_description: Load an Alluxio path into the workers' cache with a distributed load job
version_added: "0.1.0"
description:
  - Submits C(alluxio fs load PATH --submit), Alluxio 2.9's distributed load run by the master on
    every worker, unless the path is already entirely in memory (then nothing changes).
  - With I(wait=false) it returns at once; poll M(alnair.alluxio.cache_info) with C(until) to show
    progress (the C(alnair.alluxio.dataset) role does). With I(wait=true) it waits for the job.
author:
  - alnair platform team (@alnair)
options:
  path:
    description: Absolute Alluxio path (a directory is loaded recursively).
    type: str
    required: true
  wait:
    description: Wait until the load job ends, then fail unless every file loaded.
    type: bool
    default: false
  timeout:
    description: Seconds to wait with I(wait=true).
    type: int
    default: 3600
  verify:
    description: Verify after the load and load files that appeared meanwhile (C(--verify)).
    type: bool
    default: false
  bandwidth:
    description: Read bandwidth limit per worker, such as C(100MB) (C(--bandwidth)).
    type: str
extends_documentation_fragment:
  - alnair.alluxio.alluxio.shell
attributes:
  check_mode:
    description: Reports whether a load would be submitted.
    support: full
  diff_mode:
    description: Nothing to show as a diff.
    support: none
"""

EXAMPLES = r"""
- name: Start loading a dataset
  alnair.alluxio.cache_load:
    path: /datasets/imagenet
"""

RETURN = r"""
before:
  description: The cache state before (as M(alnair.alluxio.cache_info) returns it).
  returned: always
  type: dict
after:
  description: The cache state at the end (with I(wait=true)).
  returned: when wait
  type: dict
seconds:
  description: Seconds from the submission to the end of the job (with I(wait=true)).
  returned: when wait and a job ran
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_shell import (
    DEFAULT_HOME, DEFAULT_USER, ShellError, alluxio, cache_state)

ENDED = ("SUCCEEDED", "FAILED", "STOPPED")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="str", required=True),
            wait=dict(type="bool", default=False),
            timeout=dict(type="int", default=3600),
            verify=dict(type="bool", default=False),
            bandwidth=dict(type="str"),
            alluxio_home=dict(type="path", default=DEFAULT_HOME),
            user=dict(type="str", default=DEFAULT_USER),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"]
    if not path.startswith("/"):
        module.fail_json(msg="path %r is not an absolute Alluxio path" % path)
    home, user = params["alluxio_home"], params["user"]
    try:
        before = cache_state(module, home, path, user)
        if before["in_memory_percent"] >= 100:
            module.exit_json(changed=False, before=before, msg="%s is already entirely in memory" % path)
        if module.check_mode:
            module.exit_json(changed=True, before=before, msg="would submit a load of %s" % path)
        args = ["fs", "load", path, "--submit"]
        if params["verify"]:
            args.append("--verify")
        if params["bandwidth"]:
            args += ["--bandwidth", params["bandwidth"]]
        started = time.time()
        alluxio(module, home, args, user=user)
        if not params["wait"]:
            module.exit_json(changed=True, before=before, msg="submitted a load of %s" % path)
        after = cache_state(module, home, path, user)
        while (after["load"] or {}).get("jobState") not in ENDED and time.time() - started < params["timeout"]:
            time.sleep(2)
            after = cache_state(module, home, path, user)
    except ShellError as exc:
        module.fail_json(msg=str(exc))
    result = dict(changed=True, before=before, after=after, seconds=round(time.time() - started, 1))
    state = (after["load"] or {}).get("jobState")
    if state != "SUCCEEDED" or (after["load"] or {}).get("failedFileCount"):
        module.fail_json(msg="the load of %s ended %s" % (path, state or "without a report within %d s" % params["timeout"]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
