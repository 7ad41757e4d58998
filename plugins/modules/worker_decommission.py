#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: worker_decommission
short_description: Take Alluxio workers out of the cluster (fsadmin decommissionWorker)
version_added: "0.1.0"
description:
  - Decommissions the named workers on the master with C(alluxio fsadmin decommissionWorker), so the
    master stops listing them and clients stop using them; the command waits until the clients'
    worker lists have been refreshed (C(alluxio.user.worker.list.refresh.interval), 2 minutes by
    default) and the workers are idle. Stopping the worker processes afterwards is safe.
  - Only workers the master lists as live are decommissioned, so a second run changes nothing.
  - Runs on a host with the Alluxio client configuration (the master). Blocks cached on those
    workers are not deleted, but no longer served. Files persisted to the under file system are
    read from there again; blocks not yet persisted (C(ASYNC_THROUGH) writes) go with the workers,
    so persist them first.
author:
  - alnair platform team (@alnair)
options:
  workers:
    description: Registered host names of the workers (as the master lists them).
    type: list
    elements: str
    required: true
  wait:
    description: How long the command waits for the workers to become idle (an Alluxio duration).
    type: str
    default: 5m
  alluxio_home:
    description: The Alluxio installation whose C(bin/alluxio) runs the command.
    type: path
    default: /opt/alluxio/current
  user:
    description: The user the command runs as (Alluxio's superuser, the master's user).
    type: str
    default: alluxio
extends_documentation_fragment:
  - alnair.alluxio.alluxio.master_url
attributes:
  check_mode:
    description: Reports the workers it would decommission.
    support: full
  diff_mode:
    description: The master's live workers before and after.
    support: full
"""

EXAMPLES = r"""
- name: Take a worker the inventory does not have out of the cluster
  alnair.alluxio.worker_decommission:
    workers: [gpu-node-17]
    master_url: http://alluxio-master:19999
"""

RETURN = r"""
decommissioned:
  description: The workers decommissioned (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [gpu-node-17]
not_listed:
  description: Named workers the master did not list as live (nothing to do for them).
  returned: always
  type: list
  elements: str
  sample: []
output:
  description: What the command printed, a line each.
  returned: when the command ran
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import DEFAULT_HOME, fetch_master_info, local_master_url
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_shell import CLI_TIMEOUT, ShellError, alluxio, duration_seconds

# decommissionWorker's return codes after which the workers are out and safe to stop:
# 0 (decommissioned and idle) and 10 (decommissioned, some lost contact while it waited).
DECOMMISSIONED = (0, 10)


def live_workers(module, master_url):
    try:
        info = fetch_master_info(master_url)
    except IOError as exc:
        module.fail_json(msg="cannot read the master's workers: %s" % exc)
    return sorted((w.get("address") or {}).get("host") for w in info.get("workers") or [])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            workers=dict(type="list", elements="str", required=True),
            master_url=dict(type="str"),
            wait=dict(type="str", default="5m"),
            alluxio_home=dict(type="path", default=DEFAULT_HOME),
            user=dict(type="str", default="alluxio"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        wait_seconds = duration_seconds(params["wait"])
    except ValueError as exc:
        module.fail_json(msg="wait: %s" % exc)
    master_url = params["master_url"] or local_master_url(params["alluxio_home"])
    before = live_workers(module, master_url)
    todo = [w for w in params["workers"] if w in before]
    result = dict(changed=bool(todo), decommissioned=todo, not_listed=[w for w in params["workers"] if w not in before])
    after = [w for w in before if w not in todo]
    if module._diff:
        result["diff"] = dict(before="\n".join(before) + "\n", after="\n".join(after) + "\n",
                              before_header="live workers", after_header="live workers")
    if not todo or module.check_mode:
        module.exit_json(**result)
    try:
        rc, out, err = alluxio(module, params["alluxio_home"],
                               ["fsadmin", "decommissionWorker", "--addresses", ",".join(todo), "--wait", params["wait"]],
                               check=False, user=params["user"], timeout=CLI_TIMEOUT + int(wait_seconds))
    except ShellError as exc:
        module.fail_json(msg=str(exc), **result)
    result["output"] = [line for line in (out + "\n" + err).splitlines() if line.strip()]
    if rc not in DECOMMISSIONED:
        module.fail_json(msg="decommissionWorker %s ended with rc %d (the workers were left running): %s"
                         % (", ".join(todo), rc, " / ".join(result["output"][-4:])), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
