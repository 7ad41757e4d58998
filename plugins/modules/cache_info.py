#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cache_info
short_description: How much of an Alluxio path is cached, and how its load job is doing
version_added: "0.1.0"
description:
  - Reads C(alluxio fs du -s --memory PATH) (bytes in total, in Alluxio, in memory) and the
    progress of the path's load job (C(alluxio fs load PATH --progress --format JSON)).
  - Returns a one-line C(progress) the C(alnair.alluxio.progress) callback prints while a task
    polls this module with C(until).
  - Changes nothing.
author:
  - alnair platform team (@alnair)
options:
  path:
    description: Absolute Alluxio path.
    type: str
    required: true
extends_documentation_fragment:
  - alnair.alluxio.alluxio.shell
  - alnair.alluxio.alluxio.read_only
"""

EXAMPLES = r"""
- name: Wait until the dataset is in memory, showing progress
  alnair.alluxio.cache_info:
    path: /datasets/imagenet
  register: cache
  until: cache.in_memory_percent >= 100 or cache.load.jobState | default('') in ['FAILED', 'STOPPED']
  retries: 360
  delay: 5
"""

RETURN = r"""
size_bytes:
  description: Bytes under the path.
  returned: always
  type: int
  sample: 20200000
in_alluxio_bytes:
  description: Bytes cached in Alluxio (any tier).
  returned: always
  type: int
  sample: 20200000
in_memory_bytes:
  description: Bytes in the MEM tier.
  returned: always
  type: int
  sample: 20200000
in_memory_percent:
  description: The share of the bytes in memory, in percent (100 for an empty path).
  returned: always
  type: float
  sample: 100.0
load:
  description: The path's load job report (keys as Alluxio names them, without the C(m) prefix), or null.
  returned: always
  type: dict
  sample: {jobState: SUCCEEDED, processedFileCount: 21, loadedByteCount: 20200000, totalByteCount: 20200000,
           throughput: 20200000, failedFileCount: 0, failurePercentage: 0.0}
progress:
  description: One line for people.
  returned: always
  type: str
  sample: "/datasets/demo: 100.0 % in memory (19.3 MiB of 19.3 MiB); load SUCCEEDED, 21 files"
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import DEFAULT_HOME
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_shell import (
    DEFAULT_USER, ShellError, cache_state, progress_line)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="str", required=True),
            alluxio_home=dict(type="path", default=DEFAULT_HOME),
            user=dict(type="str", default=DEFAULT_USER),
        ),
        supports_check_mode=True,
    )
    if not module.params["path"].startswith("/"):
        module.fail_json(msg="path %r is not an absolute Alluxio path" % module.params["path"])
    try:
        state = cache_state(module, module.params["alluxio_home"], module.params["path"], module.params["user"])
    except ShellError as exc:
        module.fail_json(msg=str(exc))
    state.pop("path")
    module.exit_json(changed=False, progress=progress_line(module.params["path"], state), **state)


if __name__ == "__main__":
    main()
