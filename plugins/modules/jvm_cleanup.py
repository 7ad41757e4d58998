#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: jvm_cleanup
short_description: End leftover Alluxio JVMs by PID (those no running unit owns)
version_added: "0.1.0"
description:
  - Finds the Alluxio JVMs of I(user) (by their main class, in C(/proc)) that are not the main
    process of an active systemd unit, and ends each by its PID, C(SIGTERM) first and C(SIGKILL)
    after I(timeout) seconds. Before each signal it checks that the PID still belongs to the same
    process (its start time), so a reused PID is never signalled.
  - Never matches by name or pattern, and never touches a JVM a running unit owns (stopping the
    unit first is the graceful way).
author:
  - alnair platform team (@alnair)
options:
  main_classes:
    description: Only JVMs of these main classes; empty means every Alluxio main class.
    type: list
    elements: str
    default: []
  user:
    description: Whose JVMs.
    type: str
    default: alluxio
  timeout:
    description: Seconds between C(SIGTERM) and C(SIGKILL).
    type: int
    default: 30
attributes:
  check_mode:
    description: Reports the JVMs it would end.
    support: full
  diff_mode:
    description: Nothing to show as a diff.
    support: none
"""

EXAMPLES = r"""
- name: End worker JVMs left after the units stopped
  alnair.alluxio.jvm_cleanup:
    main_classes: [alluxio.worker.AlluxioWorker, alluxio.worker.AlluxioJobWorker]
"""

RETURN = r"""
ended:
  description: The JVMs ended (or that would be, in check mode), and the signal that ended each.
  returned: always
  type: list
  elements: dict
  sample:
    - {pid: 812, main_class: alluxio.worker.AlluxioWorker, signal: SIGTERM}
kept:
  description: Alluxio JVMs left alone because a running unit owns them.
  returned: always
  type: list
  elements: dict
"""

import os
import signal
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import (
    QUICK_TIMEOUT, HostError, alluxio_jvms, bounded, passwd_entry, process_start_ticks, systemctl_show)


def same(jvm):
    return process_start_ticks(jvm["pid"]) == jvm["start_ticks"]


def unit_main_pids(module):
    """MainPID of every active systemd service."""
    rc, out, err = module.run_command(bounded(["systemctl", "list-units", "--type=service", "--state=active", "--no-legend", "--plain"],
                                              QUICK_TIMEOUT))
    if rc != 0:
        module.fail_json(msg="systemctl list-units failed: %s" % (err or out).strip())
    units = [line.split()[0] for line in out.splitlines() if line.strip()]
    try:
        return set(state["main_pid"] for state in systemctl_show(module.run_command, units).values() if state["main_pid"])
    except HostError as exc:
        module.fail_json(msg=str(exc))


def end(jvms, timeout):
    """SIGTERM each, wait, SIGKILL the ones still there. Returns the signal that ended each."""
    how = {}
    for jvm in jvms:
        if same(jvm):
            os.kill(jvm["pid"], signal.SIGTERM)
            how[jvm["pid"]] = "SIGTERM"
    deadline = time.time() + timeout
    while time.time() < deadline and any(same(jvm) for jvm in jvms):
        time.sleep(0.2)
    for jvm in jvms:
        if same(jvm):
            os.kill(jvm["pid"], signal.SIGKILL)
            how[jvm["pid"]] = "SIGKILL"
    return how


def main():
    module = AnsibleModule(
        argument_spec=dict(
            main_classes=dict(type="list", elements="str", default=[]),
            user=dict(type="str", default="alluxio"),
            timeout=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    params = module.params
    entry = passwd_entry(params["user"])
    if entry is None:
        module.exit_json(changed=False, ended=[], kept=[], msg="no user %s: no Alluxio JVMs" % params["user"])
    owned = unit_main_pids(module)
    found = [jvm for jvm in alluxio_jvms(uid=entry.pw_uid)
             if not params["main_classes"] or jvm["main_class"] in params["main_classes"]]
    kept = [jvm for jvm in found if jvm["pid"] in owned]
    leftovers = [jvm for jvm in found if jvm["pid"] not in owned]
    if module.check_mode or not leftovers:
        module.exit_json(changed=bool(leftovers), ended=[dict(jvm, signal=None) for jvm in leftovers], kept=kept)
    how = end(leftovers, params["timeout"])
    ended = [dict(jvm, signal=how.get(jvm["pid"])) for jvm in leftovers]
    module.exit_json(changed=bool(how), ended=ended, kept=kept)


if __name__ == "__main__":
    main()
