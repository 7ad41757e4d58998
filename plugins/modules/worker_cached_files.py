#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: worker_cached_files
short_description: The files an Alluxio worker caches, and those not persisted to the under file system
version_added: "0.1.0"
description:
  - Lists the files with blocks on one worker from the worker's own REST API
    (C(/api/v1/worker/webui_blockinfo), paged), and says which of them are not C(PERSISTED); their
    blocks on this worker may be their only copy, so emptying the worker's ramdisk (a tier shrunk
    below its contents, a wiped host) would lose them.
  - Every request is bounded by what is left of I(timeout); a worker that does not answer fails the
    module with its address.
  - Changes nothing.
author:
  - alnair platform team (@alnair)
options:
  worker_url:
    description: The worker's web address, for example C(http://gpu-node-1:30000).
    type: str
    required: true
  timeout:
    description: Seconds to read every page in.
    type: int
    default: 60
  page_size:
    description: Files asked for per request (the worker looks each one up on the master).
    type: int
    default: 1000
  listed_limit:
    description: How many of the unpersisted files C(unpersisted) names (all are counted).
    type: int
    default: 20
extends_documentation_fragment:
  - alnair.alluxio.alluxio.read_only
"""

EXAMPLES = r"""
- name: Refuse to empty a worker that holds the only copy of some files
  alnair.alluxio.worker_cached_files:
    worker_url: http://gpu-node-1:30000
  register: cached
  failed_when: cached.unpersisted_count > 0
"""

RETURN = r"""
files:
  description: Files with at least one block on this worker.
  returned: success
  type: int
  sample: 1200
bytes:
  description: Bytes of those files' blocks held on this worker.
  returned: success
  type: int
  sample: 120000000
unpersisted_count:
  description: Files with blocks here whose persistence state is not C(PERSISTED).
  returned: success
  type: int
  sample: 2
unpersisted_bytes:
  description: Bytes of those files' blocks held on this worker.
  returned: success
  type: int
  sample: 6000000
unpersisted:
  description: The first I(listed_limit) of them, by path.
  returned: success
  type: list
  elements: dict
  contains:
    path:
      description: The file's Alluxio path.
      type: str
    state:
      description: Its persistence state (C(NOT_PERSISTED), C(TO_BE_PERSISTED) or C(LOST)).
      type: str
    bytes:
      description: Bytes of its blocks on this worker.
      type: int
  sample: [{path: /checkpoints/step-100.pt, state: NOT_PERSISTED, bytes: 3000000}]
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import fetch_cached_files, summarize_cached_files


def main():
    module = AnsibleModule(
        argument_spec=dict(
            worker_url=dict(type="str", required=True),
            timeout=dict(type="int", default=60),
            page_size=dict(type="int", default=1000),
            listed_limit=dict(type="int", default=20),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["timeout"] <= 0 or params["page_size"] <= 0 or params["listed_limit"] < 0:
        module.fail_json(msg="timeout and page_size must be positive, listed_limit not negative")
    try:
        entries = fetch_cached_files(params["worker_url"], time.monotonic() + params["timeout"], params["page_size"],
                                     time.monotonic)
    except IOError as exc:
        module.fail_json(msg="cannot list the files cached on the worker: %s" % exc)
    module.exit_json(changed=False, **summarize_cached_files(entries, params["listed_limit"]))


if __name__ == "__main__":
    main()
