#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cluster_info
short_description: Read an Alluxio cluster's state from its master and compare it with the inventory
version_added: "0.1.0"
description:
  - Reads C(GET /api/v1/master/info) from an Alluxio 2.x master and returns the version, uptime,
    capacity, mount points, and the live and lost workers with their capacity and used bytes.
  - Given a quorum's masters (I(master_url) comma-separated), asks each and reads the cluster from the
    leader (a standby answers without an RPC address or capacity); no leader is an unreachable cluster,
    a standby that does not answer a degraded one (not healthy, named in I(problems)).
  - Given the workers the inventory expects (and their capacities), also returns the missing
    workers, the unintended ones (registered but not expected) and the capacity mismatches.
  - With I(wait=true) it polls until the cluster matches the expectation or I(timeout) passes, and
    then fails naming what is missing. This is the health gate between deployment steps.
  - Changes nothing.
author:
  - alnair platform team (@alnair)
options:
  expected_workers:
    description:
      - Worker host name (as the worker registers, C(alluxio.worker.hostname)) to its expected
        capacity. A capacity is bytes or an Alluxio size such as C(100GB), taken as the collection
        sizes a MEM tier (rounded up to a whole 64 KiB, as the ramdisk and the tier quota are); null
        skips the capacity check for that worker.
      - When omitted, nothing is compared and C(healthy) only means no worker is lost.
    type: dict
  ignore_unintended:
    description: Do not count live workers missing from I(expected_workers) as a problem (a gate for some workers only).
    type: bool
    default: false
  max_last_contact_sec:
    description:
      - A worker of I(expected_workers) whose last heartbeat is older than this counts as not live.
        The master keeps listing a stopped worker for minutes before it declares it lost.
    type: int
  wait:
    description: Poll until the cluster is healthy (or the master reachable, without I(expected_workers)).
    type: bool
    default: false
  timeout:
    description: Seconds to wait with I(wait=true); also the limit for reaching the master.
    type: int
    default: 120
  down_after:
    description:
      - Seconds the master may fail to answer (each request bounded by I(request_timeout)), retried once a
        second, before it is reported unreachable, also without I(wait). A garbage-collection pause or a
        slow answer is not a dead master. C(0) reports it at the first failed request.
    type: int
    default: 0
  request_timeout:
    description: Seconds one HTTP request may take.
    type: int
    default: 5
  fail_unhealthy:
    description: Fail when the cluster is not healthy (after waiting, with I(wait=true)).
    type: bool
    default: false
  journal_lag:
    description:
      - Also read each master's last applied journal entry (the C(Master.JournalLastAppliedCommitIndex) gauge of its
        C(/metrics/json/)) and how far each trails the leader (C(applied_index) and C(lag) in I(masters)).
    type: bool
    default: false
extends_documentation_fragment:
  - alnair.alluxio.alluxio.master_url
attributes:
  check_mode:
    description: Can run in check_mode and return the same facts; it never changes anything.
    support: full
  diff_mode:
    description: Reads only, so there is never a diff.
    support: none
notes:
  - Runs on the host it is given; point I(master_url) at an address that host can reach.
"""

EXAMPLES = r"""
- name: Wait until every inventory worker is live with its capacity
  alnair.alluxio.cluster_info:
    master_url: "http://{{ groups['alluxio_masters'][0] }}:19999"
    expected_workers:
      blue4: 100GB
      fw0013513: 62.51GB
    wait: true
    timeout: 180
    fail_unhealthy: true

- name: Read a quorum's cluster from whichever master leads
  alnair.alluxio.cluster_info:
    master_url: http://m1:19999,http://m2:19999,http://m3:19999
  register: quorum

- name: Just read the cluster
  alnair.alluxio.cluster_info:
  register: cluster

- name: Show the live workers
  ansible.builtin.debug:
    msg: "{{ cluster.live_workers | map(attribute='host') | list }}"
"""

RETURN = r"""
reachable:
  description: Whether the master answered.
  type: bool
  returned: always
healthy:
  description: Every expected worker live with its capacity, none lost, none unintended.
  type: bool
  returned: always
version:
  description: Alluxio version the master runs.
  type: str
  returned: when reachable
  sample: 2.9.6
uptime_ms:
  description: Master uptime in milliseconds.
  type: int
  returned: when reachable
start_time_ms:
  description: Master start time, milliseconds since the epoch.
  type: int
  returned: when reachable
capacity:
  description: Cluster capacity, C(total) and C(used) bytes.
  type: dict
  returned: when reachable
  sample: {"total": 536870912, "used": 0}
mount_points:
  description: Alluxio paths that have a UFS mounted.
  type: list
  elements: str
  returned: when reachable
live_workers:
  description: Live workers with host, state, capacity_bytes, used_bytes, last_contact_sec, ports.
  type: list
  elements: dict
  returned: when reachable
lost_workers:
  description: Workers the master lost, same fields as live_workers.
  type: list
  elements: dict
  returned: when reachable
missing_workers:
  description: Expected workers that are not live.
  type: list
  elements: str
  returned: when reachable
unintended_workers:
  description: Live workers that are not expected.
  type: list
  elements: str
  returned: when reachable
stale_workers:
  description: Expected workers listed as live whose last heartbeat is older than I(max_last_contact_sec).
  type: list
  elements: str
  returned: when reachable
masters:
  description:
    - Each master asked, with C(url), C(answered), C(leader) and C(error) (why it did not answer).
    - With I(journal_lag), also C(applied_index) (its last applied journal entry, null when unknown) and C(lag) (the
      leader's index minus its own).
  type: list
  elements: dict
  returned: when reachable
leader_url:
  description: The URL of the master that leads (the only one, with one master).
  type: str
  returned: when reachable
unanswered_masters:
  description: The URLs of a quorum's masters that did not answer.
  type: list
  elements: str
  returned: when reachable
capacity_mismatches:
  description: Expected workers whose capacity differs, with expected_bytes and actual_bytes.
  type: list
  elements: dict
  returned: when reachable
problems:
  description: One sentence per problem found.
  type: list
  elements: str
  returned: always
waited_seconds:
  description: How long the module waited.
  type: float
  returned: always
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import (
    describe_problems, local_master_url, read_cluster, summarize, with_journal_lag)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import SizeError, tier_bytes


def expected_capacities(module, workers):
    if workers is None:
        return None
    expected = {}
    for host, size in workers.items():
        if size is None or size == "":
            expected[host] = None
            continue
        try:
            expected[host] = tier_bytes(size)
        except SizeError as exc:
            module.fail_json(msg="expected_workers[%s]: %s" % (host, exc))
    return expected


def main():
    module = AnsibleModule(
        argument_spec=dict(
            master_url=dict(type="str"),
            expected_workers=dict(type="dict"),
            ignore_unintended=dict(type="bool", default=False),
            max_last_contact_sec=dict(type="int"),
            wait=dict(type="bool", default=False),
            timeout=dict(type="int", default=120),
            down_after=dict(type="int", default=0),
            request_timeout=dict(type="int", default=5),
            fail_unhealthy=dict(type="bool", default=False),
            journal_lag=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    master_url = params["master_url"] or local_master_url()
    expected = expected_capacities(module, params["expected_workers"])
    started = time.time()
    deadline = started + (params["timeout"] if params["wait"] else 0)
    # An unanswered master is retried at least down_after seconds before it counts as down.
    down_deadline = max(deadline, started + params["down_after"])
    summary, error = None, None
    while True:
        try:
            info, masters = read_cluster(master_url, params["request_timeout"])
            summary = summarize(info, expected, params["ignore_unintended"], params["max_last_contact_sec"], masters)
            error = None
        except IOError as exc:
            summary, error = None, str(exc)
        if summary is not None and (summary["healthy"] or time.time() >= deadline):
            break
        if summary is None and time.time() >= down_deadline:
            break
        time.sleep(1)
    waited = round(time.time() - started, 1)

    if summary is None:
        result = dict(changed=False, reachable=False, healthy=False, problems=[error], waited_seconds=waited)
        if params["fail_unhealthy"] or params["wait"]:
            module.fail_json(msg="Alluxio master not reachable after %ss: %s" % (waited, error), **result)
        module.exit_json(**result)
    if params["journal_lag"]:
        summary["masters"] = with_journal_lag(summary["masters"], params["request_timeout"])
    problems = describe_problems(summary)
    result = dict(changed=False, reachable=True, problems=problems, waited_seconds=waited, **summary)
    if params["fail_unhealthy"] and not summary["healthy"]:
        module.fail_json(msg="Alluxio cluster unhealthy after %ss: %s" % (waited, "; ".join(problems)), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
