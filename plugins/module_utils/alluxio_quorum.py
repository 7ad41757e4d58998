# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Masters as a quorum (Alluxio 2.9's embedded journal, Raft): how many masters an inventory may
have, and the properties that tell every server and client where the quorum's members are.
Preflight and the common role's variables read it through filters (plugins/filter/alluxio.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_model import LISTEN_PORT_PROPERTIES

# The properties the collection derives for more than one master, each from the masters' names and
# the port property its members listen on (Alluxio's defaults unless alluxio_site_properties moves them).
QUORUM_PROPERTIES = (
    ("alluxio.master.embedded.journal.addresses", "alluxio.master.embedded.journal.port"),
    ("alluxio.master.rpc.addresses", "alluxio.master.rpc.port"),
    ("alluxio.job.master.embedded.journal.addresses", "alluxio.job.master.embedded.journal.port"),
    ("alluxio.job.master.rpc.addresses", "alluxio.job.master.rpc.port"),
)


def quorum_size_problems(group, masters):
    """Why the masters of group cannot form a quorum: none, or an even number (a quorum is a
    majority: 2 masters stop when either is lost, as 1 would, and 4 survive no more losses than 3)."""
    count = len(masters)
    if count == 0:
        return ["group %s has no host: one master, or an odd number of 3 or more, is needed" % group]
    if count % 2 == 0:
        return ["group %s has %d hosts (%s): the masters' journal needs a majority of them to run, so %d masters "
                "survive no more failures than %d; use 1 or an odd number of 3 or more"
                % (group, count, ", ".join(masters), count, count - 1)]
    return []


def _port(site_properties, prop):
    try:
        return int((site_properties or {}).get(prop, LISTEN_PORT_PROPERTIES[prop]))
    except (TypeError, ValueError):
        return LISTEN_PORT_PROPERTIES[prop]


def journal_ports(site_properties=None):
    """{process: port} of the master's and the job master's embedded journal (Raft). Alluxio 2.9 has
    no bind-host property for them: they listen on every address, and only the firewall guards them."""
    return {"master": _port(site_properties, "alluxio.master.embedded.journal.port"),
            "job_master": _port(site_properties, "alluxio.job.master.embedded.journal.port")}


def _address(name, port):
    return "[%s]:%d" % (name, port) if ":" in name else "%s:%d" % (name, port)


# With more than one master, the standbys serve their web port (REST, /metrics/prometheus/) too:
# Prometheus then sees each master up, and the health checks can ask each which one leads.
STANDBY_PROPERTIES = {"alluxio.standby.master.web.enabled": True, "alluxio.standby.master.metrics.sink.enabled": True}


def quorum_properties(master_hostnames, site_properties=None):
    """The address lists of the masters and job masters (journal and RPC) for every server and client,
    and the standbys' web servers, when there is more than one master; nothing for one master
    (Alluxio then uses alluxio.master.hostname)."""
    names = list(master_hostnames or [])
    if len(names) < 2:
        return {}
    properties = dict((prop, ",".join(_address(name, _port(site_properties, port_prop)) for name in names))
                      for prop, port_prop in QUORUM_PROPERTIES)
    properties.update(STANDBY_PROPERTIES)
    return properties


def quorum_address_problems(host, site_properties, master_hostnames):
    """An address list the inventory sets itself (alluxio_site_properties_override) that names a
    host outside the masters group: that member would never join, and the quorum could not be met."""
    problems = []
    names = set(master_hostnames or [])
    for prop, _port_prop in QUORUM_PROPERTIES:
        value = (site_properties or {}).get(prop)
        if value in (None, ""):
            continue
        for address in str(value).split(","):
            name = address.strip().rsplit(":", 1)[0].strip("[]")
            if name not in names:
                problems.append("%s: alluxio_site_properties %s names %s, which is not a host of the masters group (%s)"
                                % (host, prop, address.strip() or "an empty address", ", ".join(sorted(names))))
    return problems


# The states `alluxio fsadmin journal quorum info` prints for a member (Raft's view of it).
MEMBER_STATES = ("AVAILABLE", "UNAVAILABLE")
JOURNAL_DOMAINS = ("MASTER", "JOB_MASTER")


def parse_quorum_info(text):
    """{domain, size, leader, members: [{address, state, priority}]} from the output of `alluxio
    fsadmin journal quorum info -domain D`: "Key<TAB>: value" header lines (Journal domain, Quorum
    size, Quorum leader), then one row per member whose first word is its state and last its
    host:port, separated by tabs or "|" (2.9.6 adds a PRIORITY column between them).
    ValueError when the text has no such header (the CLI printed an error instead)."""
    info = {"domain": None, "size": None, "leader": None, "members": []}
    for line in (text or "").splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in ("journal domain", "quorum size", "quorum leader"):
            value = value.strip()
            if key == "journal domain":
                info["domain"] = value
            elif key == "quorum size":
                info["size"] = int(value) if value.isdigit() else None
            else:
                info["leader"] = value or None
            continue
        fields = [f for f in line.replace("|", " ").split() if f]
        if len(fields) >= 2 and fields[0] in MEMBER_STATES and ":" in fields[-1]:
            priority = fields[1] if len(fields) > 2 and fields[1].lstrip("-").isdigit() else None
            info["members"].append({"address": fields[-1], "state": fields[0],
                                    "priority": int(priority) if priority is not None else None})
    if info["domain"] is None:
        raise ValueError("no quorum information in the output: %r" % (text or "")[-300:])
    return info


def quorum_problems(info, expected_addresses=None):
    """Why a quorum (parse_quorum_info's) is not whole: no leader (down: no master serves), a member
    UNAVAILABLE (degraded: the quorum runs on the others while they are a majority), an expected
    member missing from it or a member the inventory does not name."""
    domain = info.get("domain") or "?"
    members = info.get("members") or []
    problems = []
    available = [m for m in members if m["state"] == "AVAILABLE"]
    if not info.get("leader"):
        problems.append("%s quorum has no leader" % domain)
    if members and len(available) * 2 <= len(members):
        problems.append("%s quorum lost its majority: %d of %d members available" % (domain, len(available), len(members)))
    for member in members:
        if member["state"] != "AVAILABLE":
            problems.append("%s quorum member %s is %s" % (domain, member["address"], member["state"]))
    if expected_addresses is not None:
        known = set(m["address"] for m in members)
        for address in expected_addresses:
            if address not in known:
                problems.append("%s quorum does not know member %s" % (domain, address))
        for address in sorted(known - set(expected_addresses)):
            problems.append("%s quorum has member %s, which the inventory does not name" % (domain, address))
    return problems


def member_host(address):
    """The host of a member address as quorum info prints it: host:port, or [v6 address]:port."""
    host = address.rsplit(":", 1)[0] if ":" in address else address
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def removal_plan(info, hosts):
    """(the member addresses of one domain to remove, problems) for `quorum remove` of hosts (host
    names as the members' addresses carry them, or whole host:port addresses). Only a member that is
    UNAVAILABLE is removed, and only by a quorum with a leader: an available member runs, and taking
    it out of the quorum would leave a master that still believes it belongs. A host that is not a
    member is nothing to do (removed earlier)."""
    domain = info.get("domain") or "?"
    wanted = set(hosts or [])
    matched = [m for m in info.get("members") or [] if m["address"] in wanted or member_host(m["address"]) in wanted]
    problems = []
    if matched and not info.get("leader"):
        problems.append("%s quorum has no leader: only a leader can remove a member (bring a majority back first)" % domain)
    for member in matched:
        if member["state"] == "AVAILABLE":
            problems.append("%s quorum member %s is AVAILABLE: its master runs (or stopped less than about 30 s ago: "
                            "the leader marks a member UNAVAILABLE that long after it stops). Only a dead member is "
                            "removed; stop that host's master processes first if it is leaving" % (domain, member["address"]))
    return [m["address"] for m in matched], problems


def joining_problems(masters_group, formatted):
    """Why masters cannot join the quorum in one run. formatted: {master: whether its journal was
    formatted (the collection's marker), None when unknown}. Alluxio's embedded journal takes one new
    member at a time into a running quorum (a new cluster, with no master formatted, starts together)."""
    running = sorted(h for h, f in formatted.items() if f)
    new = sorted(h for h, f in formatted.items() if f is False)
    if running and len(new) > 1:
        return ["group %s adds %d masters (%s) to the running quorum of %s in one run: Alluxio's embedded journal "
                "takes one new member at a time. Add one, run site.yml, then the next"
                % (masters_group, len(new), ", ".join(new), ", ".join(running))]
    return []
