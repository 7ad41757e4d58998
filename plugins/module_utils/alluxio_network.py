# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Network confinement, decided once: the address Alluxio binds to, the ports it listens on, who
may reach them and the nftables table that says so. The preflight filter, the configure and
firewall roles (through filters), the port_firewall module and host_health read it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import re

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_model import LISTEN_PORT_PROPERTIES

# The collection's own nftables table: the only one it creates, changes or deletes.
FIREWALL_TABLE = "alnair_alluxio"
FIREWALL_FAMILY = "inet"
WILDCARD_ADDRESSES = ("0.0.0.0", "::")
_TABLE_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_HOSTNAME_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$")


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else u"%s" % (value,)


def ip_literal(value):
    """The ipaddress object of an address literal, None for anything else (a hostname)."""
    try:
        return ipaddress.ip_address(_text(value).strip())
    except ValueError:
        return None


def bind_address(configured, ansible_host, inventory_hostname):
    """The address a host's Alluxio servers listen on: alluxio_bind_address when set, else the
    address the inventory reaches the host at (ansible_host, else its inventory name)."""
    for value in (configured, ansible_host, inventory_hostname):
        if value not in (None, "") and _text(value).strip():
            return _text(value).strip()
    return ""


def listen_ports(site_properties=None):
    """The TCP ports Alluxio's servers listen on, with any a site property moves."""
    ports = set()
    site_properties = site_properties or {}
    for key, default in LISTEN_PORT_PROPERTIES.items():
        value = site_properties.get(key, default)
        try:
            ports.add(int(value))
        except (TypeError, ValueError):
            ports.add(default)  # preflight names a port that is not one
    return sorted(ports)


def parse_networks(values):
    """(networks, problems): each entry an address or a CIDR (v4 or v6). The whole internet is
    refused: with it the firewall admits everyone (say alluxio_firewall: false instead)."""
    networks, problems = [], []
    if not isinstance(values, (list, tuple)):
        return [], ["must be a list of addresses or networks (CIDR), got %r" % (values,)]
    for value in values:
        try:
            network = ipaddress.ip_network(_text(value).strip(), strict=False)
        except ValueError:
            problems.append("%r is not an address or a network like 10.1.0.0/16" % (value,))
            continue
        if network.prefixlen == 0:
            problems.append("%s admits every address: set alluxio_firewall: false to run without the firewall" % network)
            continue
        networks.append(network)
    # Networks that together cover every address (0.0.0.0/1 and 128.0.0.0/1) admit everyone as well.
    for version in (4, 6):
        merged = list(ipaddress.collapse_addresses(n for n in networks if n.version == version))
        if any(n.prefixlen == 0 for n in merged):
            problems.append("%s together admit every %s address: set alluxio_firewall: false to run without the firewall"
                            % (", ".join(str(n) for n in networks if n.version == version), "IPv4" if version == 4 else "IPv6"))
    return networks, problems


def allowed_sources(host_addresses, client_networks=()):
    """The sources the firewall admits: every address of the cluster's hosts and the client
    networks, merged (no overlaps, which an nftables interval set refuses), as (v4, v6) strings."""
    networks = parse_networks(list(client_networks))[0]
    for address in host_addresses:
        parsed = ip_literal(address)
        if parsed is not None and not parsed.is_loopback:
            networks.append(ipaddress.ip_network(parsed))
    v4 = [str(n) for n in ipaddress.collapse_addresses(n for n in networks if n.version == 4)]
    v6 = [str(n) for n in ipaddress.collapse_addresses(n for n in networks if n.version == 6)]
    return [_short(n) for n in v4], [_short(n) for n in v6]


def _short(network):
    """198.51.100.11/32 as 198.51.100.11 (as nft lists it)."""
    address, _sep, prefix = network.partition("/")
    return address if prefix in ("32", "128") else network


def bind_problems(host, address, host_addresses=None):
    """Why a host's bind address would not work: not an address or hostname, or an address the
    host does not have (its servers would not start). host_addresses None: not known (not read)."""
    text = _text(address).strip()
    parsed = ip_literal(text)
    if parsed is None:
        if not _HOSTNAME_RE.match(text):
            return ["%s: alluxio_bind_address %r is neither an address nor a host name" % (host, address)]
        return []
    if text in WILDCARD_ADDRESSES:
        return []
    if parsed.is_loopback:
        return ["%s: alluxio_bind_address %s is a loopback address: no other host could reach Alluxio" % (host, text)]
    if host_addresses is not None and text not in [_text(a) for a in host_addresses]:
        return ["%s: alluxio_bind_address %s is not an address of the host (it has %s): set alluxio_bind_address"
                % (host, text, ", ".join(host_addresses) or "none")]
    return []


def firewall_ruleset(ports, v4_sources, v6_sources, table=FIREWALL_TABLE, metrics_ports=(), metrics_v4=(), metrics_v6=()):
    """The nftables file of the collection's table: TCP to the given ports only from the given
    sources (and loopback, and replies to the host's own connections); everything else is left to
    the host's other rules (policy accept, no other port touched, SSH never). Loading it replaces
    the table in one transaction. The table's comment carries a digest of its rules, which
    port_firewall compares with the live table."""
    if not _TABLE_NAME_RE.match(table):
        raise ValueError("%r is not an nftables table name (letters, digits, _)" % (table,))
    if not ports:
        raise ValueError("no ports to guard")

    def elements(items):
        return ("\t\telements = { %s }\n" % ", ".join(str(i) for i in items)) if items else ""

    # Without monitoring sources the table is what it was before monitoring existed (same digest).
    monitored = bool(metrics_ports) and bool(list(metrics_v4) + list(metrics_v6))
    metrics_sets = (
        "\tset metrics_ports {\n\t\ttype inet_service\n" + elements(sorted(set(int(p) for p in metrics_ports))) + "\t}\n"
        "\tset monitoring_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n" + elements(metrics_v4) + "\t}\n"
        "\tset monitoring_v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n" + elements(metrics_v6) + "\t}\n") if monitored else ""
    metrics_rules = ("\t\ttcp dport @metrics_ports ip saddr @monitoring_v4 accept\n"
                     "\t\ttcp dport @metrics_ports ip6 saddr @monitoring_v6 accept\n") if monitored else ""
    body = (
        "\tset alluxio_ports {\n\t\ttype inet_service\n" + elements(sorted(set(int(p) for p in ports) | set(int(p) for p in metrics_ports))) + "\t}\n"
        "\tset cluster_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n" + elements(v4_sources) + "\t}\n"
        "\tset cluster_v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n" + elements(v6_sources) + "\t}\n"
        + metrics_sets +
        "\tchain input {\n"
        "\t\ttype filter hook input priority filter - 10; policy accept;\n"
        "\t\tiifname \"lo\" accept\n"
        # Replies to this host's own connections: an ephemeral port can be an Alluxio port number.
        "\t\tct state established,related accept\n"
        "\t\tmeta l4proto != tcp accept\n"
        "\t\ttcp dport != @alluxio_ports accept\n"
        "\t\tip saddr @cluster_v4 accept\n"
        "\t\tip6 saddr @cluster_v6 accept\n"
        + metrics_rules +
        "\t\tcounter reject with tcp reset\n"
        "\t}\n")
    digest = firewall_digest(body)
    return ("# Managed by alnair.alluxio (port_firewall): Alluxio's ports only from the cluster's hosts.\n"
            "# Rewritten on every converge; put your own rules in your own tables.\n"
            "table %(family)s %(table)s\n"
            "delete table %(family)s %(table)s\n"
            "table %(family)s %(table)s {\n"
            "\tcomment \"%(comment)s\"\n" % {"family": FIREWALL_FAMILY, "table": table, "comment": digest_comment(digest)}
            + body + "}\n")


def firewall_digest(body):
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def digest_comment(digest):
    return "alnair.alluxio rules %s" % digest


def ruleset_digest(ruleset):
    """The digest a ruleset of firewall_ruleset carries in its table comment, None if none."""
    match = re.search(r'comment "alnair\.alluxio rules ([0-9a-f]{16})"', ruleset or "")
    return match.group(1) if match else None
