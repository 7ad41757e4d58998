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


def quorum_size_problems(group, masters, preview=False):
    """Why the masters of group cannot form a quorum: none, or an even number (a quorum is a
    majority: 2 masters stop when either is lost, as 1 would, and 4 survive no more losses than 3).
    More than one is refused until health and remediate know the quorum (issue 24), unless preview:
    on the lab, health.yml then names the standbys' journal ports (which listen on every address)
    and their REST API knows no workers."""
    count = len(masters)
    if count == 0:
        return ["group %s has no host: one master, or an odd number of 3 or more, is needed" % group]
    if count % 2 == 0:
        return ["group %s has %d hosts (%s): the masters' journal needs a majority of them to run, so %d masters "
                "survive no more failures than %d; use 1 or an odd number of 3 or more"
                % (group, count, ", ".join(masters), count, count - 1)]
    if count > 1 and not preview:
        return ["group %s has %d hosts (%s): a quorum of masters deploys, but health.yml and remediate.yml do not "
                "know it yet (issue 24); use one master, or set alluxio_quorum_preview: true to try it"
                % (group, count, ", ".join(masters))]
    return []


def _port(site_properties, prop):
    try:
        return int((site_properties or {}).get(prop, LISTEN_PORT_PROPERTIES[prop]))
    except (TypeError, ValueError):
        return LISTEN_PORT_PROPERTIES[prop]


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
