#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: port_firewall
short_description: Admit TCP ports only from given sources, in one nftables table of its own
version_added: "0.1.0"
description:
  - Keeps one nftables table (C(inet alnair_alluxio) by default) and its rule file. TCP to I(ports)
    is admitted from I(sources), from loopback and as replies to the host's own connections, and
    refused (TCP reset) from anywhere else. Other ports, other protocols and every other table
    are left alone (the table's chain accepts everything else); SSH is never among the ports the
    alnair.alluxio roles pass.
  - The rule file is checked with C(nft -c -f) before it is loaded, and loaded in one transaction
    that replaces the table whole, so a bad rule changes nothing and no moment is without rules.
  - The table carries a digest of its rules in its comment; the module compares it with the live
    table, so a table deleted or replaced by hand is put back on the next run.
  - The file is what a boot-time unit loads again (the alnair.alluxio firewall role installs it).
author:
  - alnair platform team (@alnair)
options:
  ports:
    description: TCP ports to guard. Required when I(state=present).
    type: list
    elements: int
  sources:
    description:
      - Addresses and networks (CIDR, IPv4 or IPv6) admitted to I(ports). Overlaps are merged.
      - An empty list admits only loopback.
    type: list
    elements: str
    default: []
  metrics_ports:
    description:
      - Ports (guarded as I(ports) are) that I(metrics_sources) reach too, and no other port of the table.
      - The alnair.alluxio firewall role passes the web servers' ports, where Prometheus scrapes the metrics.
    type: list
    elements: int
    default: []
  metrics_sources:
    description: Addresses and networks (the monitoring hosts) admitted to I(metrics_ports) only.
    type: list
    elements: str
    default: []
  table:
    description: Name of the nftables table (family C(inet)) the module owns.
    type: str
    default: alnair_alluxio
  path:
    description: The rule file (written only after its rules loaded).
    type: path
    default: /etc/alluxio/firewall.nft
  state:
    description: C(present) loads the table; C(absent) deletes it and its rule file.
    type: str
    choices: [present, absent]
    default: present
  timeout:
    description: Seconds each C(nft) call may take before the module gives up.
    type: int
    default: 30
notes:
  - Needs the C(nft) command (Debian package C(nftables)) and a kernel with nf_tables.
  - Does not enable Debian's C(nftables.service); its stock C(/etc/nftables.conf) flushes every
    table when it starts.
attributes:
  check_mode:
    description: Reports what would change and checks the new rules with C(nft -c); loads nothing.
    support: full
  diff_mode:
    description: The rule file before and after.
    support: full
"""

EXAMPLES = r"""
- name: Alluxio's ports only from the cluster and the training nodes
  alnair.alluxio.port_firewall:
    ports: [19998, 19999, 29999, 30000]
    sources: [198.51.100.11, 198.51.100.12, 10.20.0.0/16]

- name: The site manages its own firewall
  alnair.alluxio.port_firewall:
    state: absent
"""

RETURN = r"""
table:
  description: The table, as nft names it.
  returned: always
  type: str
  sample: inet alnair_alluxio
digest:
  description: The digest of the rules loaded (or to be loaded); null when absent.
  returned: always
  type: str
  sample: 3f2a9c0d1e7b4a55
live_digest:
  description: The digest of the live table before the run; null when there was none.
  returned: always
  type: str
sources:
  description: The sources admitted, merged, IPv4 then IPv6.
  returned: always
  type: list
  elements: str
  sample: [198.51.100.11, 198.51.100.12, 10.20.0.0/16]
metrics_sources:
  description: The sources admitted to the metrics ports only, merged, IPv4 then IPv6.
  returned: when I(state=present)
  type: list
  elements: str
  sample: [198.51.100.20]
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import TIMED_OUT, bounded
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_network import (
    FIREWALL_FAMILY, FIREWALL_TABLE, allowed_sources, firewall_ruleset, parse_networks, ruleset_digest)


class Firewall(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.table = "%s %s" % (FIREWALL_FAMILY, self.params["table"])
        self.nft = module.get_bin_path("nft")

    def run_nft(self, args, check_rc=False):
        rc, out, err = self.module.run_command(bounded([self.nft] + args, self.params["timeout"]))
        if rc == TIMED_OUT:
            self.module.fail_json(msg="nft %s did not return within %d s" % (" ".join(args), self.params["timeout"]),
                                  table=self.table)
        if check_rc and rc != 0:
            self.module.fail_json(msg="nft %s failed: %s" % (" ".join(args), (err or out).strip()), table=self.table)
        return rc, out, err

    def live_digest(self):
        """The digest in the live table's comment; None when the table is not there."""
        if not self.nft:
            return None
        rc, out, err = self.run_nft(["list", "table", FIREWALL_FAMILY, self.params["table"]])
        return (ruleset_digest(out) or "") if rc == 0 else None

    def file_text(self):
        try:
            with open(self.params["path"]) as handle:
                return handle.read()
        except (IOError, OSError):
            return ""

    def checked_file(self, text):
        """A temporary file beside the rule file holding text, which nft -c accepted."""
        directory = os.path.dirname(self.params["path"]) or "/"
        if not os.path.isdir(directory):
            if self.module.check_mode:
                directory = None  # the real run creates it; check the rules in a temporary place
            else:
                os.makedirs(directory, 0o755)
        handle, temp = tempfile.mkstemp(dir=directory, prefix=".alnair-firewall-", suffix=".nft")
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.chmod(temp, 0o644)
        rc, out, err = self.run_nft(["-c", "-f", temp])
        if rc != 0:
            os.unlink(temp)
            self.module.fail_json(msg="nft refused the rules (nothing was loaded): %s" % (err or out).strip(), table=self.table)
        return temp


def main():
    module = AnsibleModule(
        argument_spec=dict(
            ports=dict(type="list", elements="int"),
            sources=dict(type="list", elements="str", default=[]),
            metrics_ports=dict(type="list", elements="int", default=[]),
            metrics_sources=dict(type="list", elements="str", default=[]),
            table=dict(type="str", default=FIREWALL_TABLE),
            path=dict(type="path", default="/etc/alluxio/firewall.nft"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            timeout=dict(type="int", default=30),
        ),
        required_if=[("state", "present", ["ports"])],
        supports_check_mode=True,
    )
    params = module.params
    firewall = Firewall(module)
    result = dict(changed=False, table=firewall.table, digest=None, live_digest=None, sources=[])
    if params["state"] == "present":
        bad = [p for p in params["ports"] + params["metrics_ports"] if not 1 <= p <= 65535]
        if bad or not params["ports"]:
            module.fail_json(msg="ports must be 1-65535 and at least one, got %s" % params["ports"], **result)
        for option in ("sources", "metrics_sources"):
            problems = parse_networks(params[option])[1]
            if problems:
                module.fail_json(msg="%s: %s" % (option, "; ".join(problems)), **result)
    if not firewall.nft:
        if params["state"] == "absent":
            module.exit_json(**result)  # no nft, no table of ours
        if not module.check_mode:
            module.fail_json(msg="nft not found: install the nftables package (the prepare role does when alluxio_firewall "
                                 "is true)", **result)
    before = firewall.file_text()
    live = firewall.live_digest()
    result["live_digest"] = live or None
    if params["state"] == "absent":
        result["changed"] = live is not None or os.path.exists(params["path"])
        if result["changed"] and not module.check_mode:
            if live is not None:
                firewall.run_nft(["delete", "table", FIREWALL_FAMILY, params["table"]], check_rc=True)
            if os.path.exists(params["path"]):
                os.unlink(params["path"])
        result["diff"] = {"before": before, "after": "", "before_header": params["path"], "after_header": params["path"]}
        module.exit_json(**result)

    v4, v6 = allowed_sources([], params["sources"])
    metrics_v4, metrics_v6 = allowed_sources([], params["metrics_sources"])
    result["sources"] = v4 + v6
    result["metrics_sources"] = metrics_v4 + metrics_v6
    try:
        text = firewall_ruleset(params["ports"], v4, v6, params["table"], params["metrics_ports"], metrics_v4, metrics_v6)
    except ValueError as exc:
        module.fail_json(msg=str(exc), **result)
    result["digest"] = ruleset_digest(text)
    result["changed"] = before != text or live != result["digest"]
    result["diff"] = {"before": before, "after": text, "before_header": params["path"], "after_header": params["path"]}
    if result["changed"] and firewall.nft:
        temp = firewall.checked_file(text)
        if module.check_mode:
            os.unlink(temp)
        else:
            # Loaded first (one transaction replaces the table), then the file moves into place.
            rc, out, err = firewall.run_nft(["-f", temp])
            if rc != 0:
                os.unlink(temp)
                module.fail_json(msg="nft could not load the rules (the table is as it was): %s" % (err or out).strip(),
                                 **result)
            module.atomic_move(temp, params["path"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
