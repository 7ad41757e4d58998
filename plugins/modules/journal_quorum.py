#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: journal_quorum
short_description: Read, wait for, and move the leader of an Alluxio masters' quorum (embedded journal)
version_added: "0.1.0"
description:
  - Reads C(alluxio fsadmin journal quorum info -domain MASTER) and C(-domain JOB_MASTER) on a master
    host, that is each domain's leader and members with their state (C(AVAILABLE), C(UNAVAILABLE)).
  - Compares the members with the journal addresses the host's own configuration names
    (C(alluxio.master.embedded.journal.addresses) and the job master's, which the collection's configure
    role writes). A member missing or unavailable is a degraded quorum, no leader a quorum that is down.
  - With I(wait=true) it polls until the quorum is whole (a leader, every member available) or
    I(timeout) passes. Each CLI call is bounded (a quorum without a leader makes the CLI retry for minutes).
  - With I(leader), moves the master domain's leadership there (C(fsadmin journal quorum elect)) when
    another member leads, and waits until it does (the step before restarting the old leader). An election
    that does not take (Alluxio gives a transfer up after 30 s while the new leader's journal is behind) is
    asked again within I(timeout).
  - With I(remove), takes dead masters out of each domain's quorum (C(fsadmin journal quorum remove)), so
    that the quorum's size, and so its majority, counts only the masters that are meant to run. It refuses,
    before removing anything, a member that is C(AVAILABLE) (its master runs) and a quorum without a leader.
author:
  - alnair platform team (@alnair)
options:
  domains:
    description: The journals to read. The job master's is its own quorum, on its own port.
    type: list
    elements: str
    choices: [MASTER, JOB_MASTER]
    default: [MASTER, JOB_MASTER]
  leader:
    description:
      - C(host:port) of the master journal member that should lead (as quorum info prints it, for example
        C(m2:19200)). Changed when another member led and leadership moved. Only the C(MASTER) domain can be
        moved (Alluxio 2.9 elects in it only).
    type: str
  step_down:
    description:
      - C(host:port) of a master journal member that must not lead (this master, before it restarts). When it
        leads, leadership moves to another available member (the first in the quorum's order), and the module
        waits until it does. Fails when no other member is available (a restart would then stop the cluster).
        Exclusive with I(leader).
    type: str
  remove:
    description:
      - Masters to remove from every domain of I(domains), by host name as the members' addresses carry it
        (C(m3)) or by whole address (C(m3:19200)). A host that is no longer a member is nothing to do.
      - Exclusive with I(leader), I(step_down) and I(wait).
    type: list
    elements: str
  wait:
    description: Poll until every domain has a leader and all its members are available.
    type: bool
    default: false
  timeout:
    description: Seconds to wait with I(wait=true) or for a moved leadership; also the bound of one CLI call.
    type: int
    default: 120
  fail_unhealthy:
    description: Fail when a quorum is not whole (after waiting, with I(wait=true)).
    type: bool
    default: false
extends_documentation_fragment:
  - alnair.alluxio.alluxio.shell
attributes:
  check_mode:
    description: Reads in check mode; a leadership move is reported, not made.
    support: full
  diff_mode:
    description: With I(leader), the diff shows the leader before and after; with I(remove), the members.
    support: full
notes:
  - Runs on a master host (its configuration names the quorum's members and its C(bin/alluxio) asks them).
"""

EXAMPLES = r"""
- name: Wait until both quorums have a leader and every member is available
  alnair.alluxio.journal_quorum:
    wait: true
    timeout: 180
    fail_unhealthy: true

- name: Make alluxio-m2 the leader
  alnair.alluxio.journal_quorum:
    domains: [MASTER]
    leader: alluxio-m2:19200

- name: Take the dead master alluxio-m3 out of both quorums
  alnair.alluxio.journal_quorum:
    remove: [alluxio-m3]

- name: Move the leadership away from this master before restarting it
  alnair.alluxio.journal_quorum:
    domains: [MASTER]
    step_down: "{{ alluxio_hostname }}:19200"
"""

RETURN = r"""
quorums:
  description: Per domain, C(leader) (host:port or null), C(size) and C(members) (address, state, priority).
  type: dict
  returned: always
  sample: {"MASTER": {"domain": "MASTER", "size": 3, "leader": "m1:19200",
            "members": [{"address": "m1:19200", "state": "AVAILABLE", "priority": 0}]}}
leader:
  description: The master domain's leader (host:port), or null.
  type: str
  returned: always
healthy:
  description: Every domain read has a leader and all the configured members, each available.
  type: bool
  returned: always
problems:
  description: One sentence per problem (no leader, lost majority, a member unavailable, missing or unknown).
  type: list
  elements: str
  returned: always
removed:
  description: With I(remove), the members removed (or, in check mode, that would be), as C(domain) and C(address).
  type: list
  elements: dict
  returned: always
  sample: [{"domain": "MASTER", "address": "m3:19200"}, {"domain": "JOB_MASTER", "address": "m3:20003"}]
waited_seconds:
  description: How long the module waited.
  type: float
  returned: always
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import DEFAULT_HOME, site_properties
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_quorum import (
    JOURNAL_DOMAINS, parse_quorum_info, quorum_problems, removal_plan)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_shell import DEFAULT_USER, ShellError, alluxio

# The property of the host's configuration that names each domain's members.
MEMBERS_PROPERTY = {"MASTER": "alluxio.master.embedded.journal.addresses",
                    "JOB_MASTER": "alluxio.job.master.embedded.journal.addresses"}
# Seconds one quorum info call may take: it answers in about 2 s (one JVM) when a leader serves.
INFO_TIMEOUT = 30
# Between two tries of an election that did not take.
ELECT_RETRY_SECONDS = 5


def configured_members(home):
    """{domain: [host:port]} of the host's alluxio-site.properties, or {} without a quorum."""
    try:
        with open(os.path.join(home, "conf", "alluxio-site.properties")) as handle:
            props = site_properties(handle.read())
    except (IOError, OSError):
        return {}
    return dict((domain, [a.strip() for a in props[prop].split(",") if a.strip()])
                for domain, prop in MEMBERS_PROPERTY.items() if props.get(prop))


def read_quorums(module, domains, members, timeout):
    """({domain: info}, [problem]); a domain the CLI cannot read is a problem (no leader answers)."""
    quorums, problems = {}, []
    for domain in domains:
        try:
            rc, out, err = alluxio(module, module.params["alluxio_home"], ["fsadmin", "journal", "quorum", "info", "-domain", domain],
                                   user=module.params["user"], timeout=timeout)
            quorums[domain] = parse_quorum_info(out)
        except (ShellError, ValueError) as exc:
            quorums[domain] = {"domain": domain, "size": None, "leader": None, "members": []}
            problems.append("%s quorum cannot be read: %s" % (domain, exc))
            continue
        problems += quorum_problems(quorums[domain], members.get(domain))
    return quorums, problems


def _members_text(quorums):
    return "".join("%s %s %s\n" % (domain, m["address"], m["state"])
                   for domain in sorted(quorums) for m in quorums[domain]["members"])


def remove_members(module, quorums, members):
    """Removes params.remove's dead members from each domain read, after checking them all; exits."""
    params = module.params
    started = time.time()
    plan, refusals = [], []
    for domain in params["domains"]:
        if not quorums[domain]["members"]:
            refusals.append("%s quorum cannot be read (no leader answers)" % domain)
            continue
        addresses, problems = removal_plan(quorums[domain], params["remove"])
        plan += [{"domain": domain, "address": address} for address in addresses]
        refusals += problems
    if refusals:
        module.fail_json(msg="Nothing was removed: %s" % "; ".join(refusals), quorums=quorums, removed=[])
    before = _members_text(quorums)
    if plan and not module.check_mode:
        for item in plan:
            try:
                alluxio(module, params["alluxio_home"], ["fsadmin", "journal", "quorum", "remove", "-domain", item["domain"],
                                                         "-address", item["address"]],
                        user=params["user"], timeout=max(INFO_TIMEOUT, params["timeout"]))
            except ShellError as exc:
                module.fail_json(msg="%s quorum: %s was not removed: %s" % (item["domain"], item["address"], exc),
                                 quorums=quorums, removed=plan[:plan.index(item)])
        quorums = read_quorums(module, params["domains"], members, INFO_TIMEOUT)[0]
        left = [item for item in plan if item["address"] in [m["address"] for m in quorums[item["domain"]]["members"]]]
        if left:
            module.fail_json(msg="still members after quorum remove: %s" % ", ".join(
                "%s %s" % (item["domain"], item["address"]) for item in left), quorums=quorums, removed=plan)
    elif plan:
        quorums = dict((domain, dict(info, members=[m for m in info["members"] if {"domain": domain, "address": m["address"]} not in plan]))
                       for domain, info in quorums.items())
    problems = [p for domain in sorted(quorums) for p in quorum_problems(quorums[domain], members.get(domain))]
    result = dict(changed=bool(plan), quorums=quorums, leader=quorums.get("MASTER", {}).get("leader"), removed=plan,
                  healthy=not problems, problems=problems, waited_seconds=round(time.time() - started, 1))
    if plan and module._diff:
        result["diff"] = {"before": before, "after": _members_text(quorums)}
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            domains=dict(type="list", elements="str", choices=list(JOURNAL_DOMAINS), default=list(JOURNAL_DOMAINS)),
            leader=dict(type="str"),
            step_down=dict(type="str"),
            wait=dict(type="bool", default=False),
            timeout=dict(type="int", default=120),
            fail_unhealthy=dict(type="bool", default=False),
            remove=dict(type="list", elements="str"),
            alluxio_home=dict(type="path", default=DEFAULT_HOME),
            user=dict(type="str", default=DEFAULT_USER),
        ),
        mutually_exclusive=[("leader", "step_down", "remove"), ("wait", "remove")],
        supports_check_mode=True,
    )
    params = module.params
    members = configured_members(params["alluxio_home"])
    started = time.time()
    deadline = started + (params["timeout"] if params["wait"] else 0)

    def call_timeout():
        return max(5, min(INFO_TIMEOUT, int(deadline - time.time()) if params["wait"] else INFO_TIMEOUT))
    while True:
        quorums, problems = read_quorums(module, params["domains"], members, call_timeout())
        if not problems or time.time() >= deadline:
            break
        time.sleep(2)

    if params["remove"]:
        remove_members(module, quorums, members)
    changed, diff = False, None
    leader = quorums.get("MASTER", {}).get("leader")
    wanted = params["leader"]
    if params["step_down"] and leader == params["step_down"]:
        others = [m["address"] for m in quorums["MASTER"]["members"]
                  if m["state"] == "AVAILABLE" and m["address"] != params["step_down"]]
        if not others:
            module.fail_json(msg="%s leads and no other member of the master quorum is available to take over: "
                                 "restarting it would stop the cluster" % leader, quorums=quorums, problems=problems)
        wanted = others[0]
    elif params["step_down"]:
        wanted = None
    if wanted:
        if "MASTER" not in params["domains"]:
            module.fail_json(msg="leader and step_down need the MASTER domain among domains (Alluxio 2.9 elects in it only)")
        known = [m["address"] for m in quorums["MASTER"]["members"]]
        if wanted not in known:
            module.fail_json(msg="leader %s is not a member of the master quorum (%s)" % (wanted, ", ".join(known) or "unreadable"),
                             quorums=quorums, problems=problems)
        if leader != wanted:
            changed, diff = True, {"before": "leader: %s\n" % leader, "after": "leader: %s\n" % wanted}
            if not module.check_mode:
                elect_deadline = time.time() + params["timeout"]
                tries = 0
                while leader != wanted:
                    tries += 1
                    try:
                        alluxio(module, params["alluxio_home"], ["fsadmin", "journal", "quorum", "elect", "-address", wanted],
                                user=params["user"], timeout=max(INFO_TIMEOUT, params["timeout"]))
                        break
                    except ShellError as exc:
                        # Ratis gives a transfer up after 30 s while the new leader's log is behind (a
                        # member that just joined or restarted catches up first): ask again while time is left.
                        if time.time() + ELECT_RETRY_SECONDS > elect_deadline:
                            module.fail_json(msg="leadership did not move from %s to %s (%d tries in %d s): %s"
                                                 % (leader, wanted, tries, params["timeout"], exc), quorums=quorums)
                    time.sleep(ELECT_RETRY_SECONDS)
                    quorums, problems = read_quorums(module, params["domains"], members, INFO_TIMEOUT)
                    leader = quorums["MASTER"]["leader"]
                while leader != wanted and time.time() < elect_deadline:
                    time.sleep(1)
                    quorums, problems = read_quorums(module, params["domains"], members, INFO_TIMEOUT)
                    leader = quorums["MASTER"]["leader"]
                if leader != wanted:
                    module.fail_json(msg="%s does not lead %d s after the election (leader: %s)" % (wanted, params["timeout"], leader),
                                     quorums=quorums, problems=problems)
    result = dict(changed=changed, quorums=quorums, leader=leader, healthy=not problems, problems=problems, removed=[],
                  waited_seconds=round(time.time() - started, 1))
    if diff and module._diff:
        result["diff"] = diff
    if params["fail_unhealthy"] and problems:
        module.fail_json(msg="Alluxio masters' quorum not whole after %ss: %s" % (result["waited_seconds"], "; ".join(problems)), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
