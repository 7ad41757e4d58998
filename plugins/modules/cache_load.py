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
  - Lists the path first with C(alluxio fs du), which also loads its metadata (a load submitted before any
    listing of a new mount ends SUCCEEDED with no file), then submits
    C(alluxio fs load PATH --submit), Alluxio 2.9's distributed load run by the master on every
    worker, unless the path is already entirely in memory (then nothing changes).
  - Returns at once; poll M(alnair.alluxio.cache_info) with C(until) to wait and show progress
    (the C(alnair.alluxio.dataset) role does).
author:
  - alnair platform team (@alnair)
options:
  path:
    description: Absolute Alluxio path (a directory is loaded recursively).
    type: str
    required: true
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
  description: The cache state before the submission (as M(alnair.alluxio.cache_info) returns it).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import DEFAULT_HOME
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_shell import (
    DEFAULT_USER, ShellError, alluxio, cache_state)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="str", required=True),
            alluxio_home=dict(type="path", default=DEFAULT_HOME),
            user=dict(type="str", default=DEFAULT_USER),
        ),
        supports_check_mode=True,
    )
    path, home, user = module.params["path"], module.params["alluxio_home"], module.params["user"]
    if not path.startswith("/"):
        module.fail_json(msg="path %r is not an absolute Alluxio path" % path)
    try:
        before = cache_state(module, home, path, user)
        if before["in_memory_percent"] >= 100:
            module.exit_json(changed=False, before=before, msg="%s is already entirely in memory" % path)
        if not module.check_mode:
            alluxio(module, home, ["fs", "load", path, "--submit"], user=user)
    except ShellError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=True, before=before, msg="%s a load of %s" % ("would submit" if module.check_mode else "submitted", path))


if __name__ == "__main__":
    main()
