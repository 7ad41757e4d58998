"""Network confinement: bind address, ports, admitted sources, the nftables rules and the preflight
checks, table-driven; the port_firewall module against a fake nft."""
import json
import os
import stat

import pytest
from module_args import run_module_process

from ansible.errors import AnsibleFilterError
from ansible_collections.alnair.alluxio.plugins.filter import alluxio as filters
from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_network as net
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import global_addresses, listening_addresses
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_model import BIND_HOST_PROPERTIES


@pytest.mark.parametrize("configured,ansible_host,name,want", [
    ("", "198.51.100.12", "w1", "198.51.100.12"),
    ("10.0.0.5", "198.51.100.12", "w1", "10.0.0.5"),
    ("", "", "w1.example", "w1.example"),
    (None, None, "w1", "w1"),
    (" 0.0.0.0 ", "198.51.100.12", "w1", "0.0.0.0"),
])
def test_bind_address(configured, ansible_host, name, want):
    assert net.bind_address(configured, ansible_host, name) == want


@pytest.mark.parametrize("address,addresses,problem", [
    ("198.51.100.12", ["198.51.100.12"], None),
    ("198.51.100.12", None, None),                 # not read: cannot tell
    ("0.0.0.0", ["198.51.100.12"], None),
    ("w1.example", ["198.51.100.12"], None),       # a name: Alluxio resolves it
    ("10.9.9.9", ["198.51.100.12"], "is not an address of the host (it has 198.51.100.12)"),
    ("127.0.0.1", ["198.51.100.12"], "loopback"),
    ("bad name!", None, "neither an address nor a host name"),
])
def test_bind_problems(address, addresses, problem):
    problems = net.bind_problems("w1", address, addresses)
    assert (problem is None and problems == []) or (problem and problem in problems[0]), problems


def test_listen_ports_follow_moved_ports():
    ports = net.listen_ports({"alluxio.worker.rpc.port": "31999"})
    assert 31999 in ports and 29999 not in ports
    assert {19998, 19999, 19200, 20001, 20002, 20003, 30000, 30001, 30002, 30003, 39999} <= set(ports)
    assert 22 not in ports


@pytest.mark.parametrize("hosts,networks,v4,v6", [
    (["198.51.100.12", "198.51.100.11"], [], ["198.51.100.11", "198.51.100.12"], []),
    # overlaps merged (an nftables interval set refuses them); loopback dropped; names ignored
    (["198.51.100.12", "127.0.0.1", "lab-master"], ["198.51.100.0/24"], ["198.51.100.0/24"], []),
    (["2001:db8::5"], ["10.20.0.0/16", "2001:db8::/64"], ["10.20.0.0/16"], ["2001:db8::/64"]),
])
def test_allowed_sources(hosts, networks, v4, v6):
    assert net.allowed_sources(hosts, networks) == (v4, v6)


@pytest.mark.parametrize("networks,problem", [
    (["10.0.0.0/8", "192.0.2.7"], None),
    (["0.0.0.0/0"], "admits every address"),
    (["::/0"], "admits every address"),
    (["10.0.0.0/33"], "is not an address or a network"),
    ("10.0.0.0/8", "must be a list"),
])
def test_client_networks(networks, problem):
    problems = net.parse_networks(networks)[1]
    assert (problem is None and problems == []) or (problem and problem in problems[0]), problems


def test_ruleset_guards_only_alluxio_ports_and_carries_its_digest():
    text = net.firewall_ruleset([29999, 19998, 19998], ["198.51.100.11"], [])
    assert text.splitlines()[2:5] == ["table inet alnair_alluxio", "delete table inet alnair_alluxio",
                                      "table inet alnair_alluxio {"]
    assert "elements = { 19998, 29999 }" in text
    assert "elements = { 198.51.100.11 }" in text
    # an empty set has no elements line; other protocols and ports pass; replies pass; the rest is reset
    assert text.count("elements") == 2
    for rule in ("meta l4proto != tcp accept", "tcp dport != @alluxio_ports accept", "ct state established,related accept",
                 'iifname "lo" accept', "policy accept;", "reject with tcp reset"):
        assert rule in text
    assert net.ruleset_digest(text) and net.ruleset_digest(text) == net.ruleset_digest(text.replace("# Managed", "# managed"))
    assert net.ruleset_digest(text) != net.ruleset_digest(net.firewall_ruleset([29999], ["198.51.100.11"], []))
    with pytest.raises(ValueError):
        net.firewall_ruleset([1], [], [], table="bad table; flush ruleset")


def test_global_addresses_and_listeners():
    out = json.dumps([{"ifname": "host0", "addr_info": [{"family": "inet", "local": "198.51.100.12", "prefixlen": 24},
                                                        {"family": "inet6", "local": "2001:db8::12", "prefixlen": 64}]}])
    assert global_addresses(out) == ["198.51.100.12", "2001:db8::12"]
    assert global_addresses("not json") == []
    tcp = ("  sl  local_address rem_address   st\n"
           "   0: 00000000:7530 00000000:0000 0A\n"
           "   1: 0C6433C6:752F 00000000:0000 0A\n"
           "   2: 0C6433C6:752F 0B6433C6:D431 01\n")
    tcp6 = ("  sl  local_address rem_address st\n"
            "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A\n")
    assert listening_addresses([tcp, tcp6]) == {30000: ["0.0.0.0"], 29999: ["198.51.100.12"], 22: ["::"]}


class HostVars(dict):
    pass


def test_firewall_sources_from_facts_literals_and_names(monkeypatch):
    hostvars = HostVars({
        "m": {"ansible_host": "198.51.100.11", "alluxio_host": {"addresses": ["198.51.100.11", "10.1.0.11"]}},
        "w1": {"ansible_host": "198.51.100.12"},            # not read this run: its ansible_host
        "w2": {"ansible_host": "w2.example"},                 # not read, a name: resolved here
    })
    monkeypatch.setattr(filters.socket, "getaddrinfo", lambda name, *a: [(2, 1, 6, "", ("198.51.100.13", 0))])
    assert filters.alluxio_firewall_sources(hostvars, ["m", "w1", "w2"], ["10.20.0.0/16"]) == [
        "10.1.0.11", "10.20.0.0/16", "198.51.100.11", "198.51.100.12/31"]  # 12 and 13 merged

    def unknown(*_args):
        raise filters.socket.gaierror("Name or service not known")
    monkeypatch.setattr(filters.socket, "getaddrinfo", unknown)
    with pytest.raises(AnsibleFilterError, match="cannot tell the addresses of w2"):
        filters.alluxio_firewall_sources(hostvars, ["m", "w2"], [])


@pytest.mark.parametrize("args,problem", [
    (("", "198.51.100.12", ["198.51.100.12"], True, [], 22, {}), None),
    (("10.9.9.9", "198.51.100.12", ["198.51.100.12"], True, [], 22, {}), "alluxio_bind_address 10.9.9.9 is not an address"),
    (("", "198.51.100.12", None, "maybe", [], 22, {}), "alluxio_firewall must be true or false"),
    (("", "198.51.100.12", None, "false", [], 22, {}), None),       # -e alluxio_firewall=false
    (("", "198.51.100.12", None, True, ["0.0.0.0/0"], 22, {}), "alluxio_client_networks: 0.0.0.0/0 admits every address"),
    (("", "198.51.100.12", None, True, [], 19999, {}), "ansible_port 19999 is one of Alluxio's ports"),
    (("", "198.51.100.12", None, True, [], 2222, {"alluxio.worker.rpc.port": 2222}), "ansible_port 2222 is one of"),
])
def test_network_preflight(args, problem):
    problems = filters.network_problems("w1", *args)
    assert (problem is None and problems == []) or (problem and problem in problems[0]), problems


def test_bind_properties_are_derived():
    props = filters.alluxio_bind_properties("198.51.100.12")
    assert set(props) == set(BIND_HOST_PROPERTIES) and set(props.values()) == {"198.51.100.12"}
    problems = filters.alluxio_preflight(
        {"m": {"alluxio_site_properties": {"alluxio.master.bind.host": "0.0.0.0"}}, "w": {}},
        {"alluxio_masters": ["m"], "alluxio_workers": ["w"]})
    assert any("sets alluxio.master.bind.host, which the collection derives from alluxio_bind_address" in p for p in problems)


# port_firewall against a fake nft (a script that records its calls and keeps the "live" table in a file).
FAKE_NFT = r'''#!/usr/bin/env python3
import json, os, re, sys
state = os.environ["FAKE_NFT_STATE"]
args = sys.argv[1:]
with open(state + ".calls", "a") as log:
    log.write(json.dumps(args) + "\n")
live = open(state).read() if os.path.exists(state) else None
if args[:2] == ["list", "table"]:
    if live is None:
        sys.stderr.write("Error: No such file or directory\n"); sys.exit(1)
    print(live); sys.exit(0)
if args[:2] == ["delete", "table"]:
    os.unlink(state); sys.exit(0)
if args[0] == "-c":
    text = open(args[2]).read()
    sys.exit(3 if "bad" in text else 0)
if args[0] == "-f":
    text = open(args[1]).read()
    open(state, "w").write(text[text.index("table inet alnair_alluxio {"):])
    sys.exit(0)
sys.exit(2)
'''


@pytest.fixture
def fake_nft(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    nft = bin_dir / "nft"
    nft.write_text(FAKE_NFT)
    nft.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    monkeypatch.setenv("FAKE_NFT_STATE", str(tmp_path / "live"))
    return tmp_path


def run_module(_tmp_path, args, check=False):
    return run_module_process("port_firewall", args, check)


def calls(tmp_path):
    path = tmp_path / "live.calls"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_port_firewall_loads_once_checks_first_and_is_idempotent(fake_nft):
    rules = fake_nft / "etc" / "firewall.nft"
    args = {"ports": [19998, 29999], "sources": ["198.51.100.12", "198.51.100.11", "10.20.0.0/16"], "path": str(rules)}
    checked = run_module(fake_nft, args, check=True)
    assert checked["changed"] and not rules.exists() and not (fake_nft / "live").exists()
    assert [c[0] for c in calls(fake_nft)] == ["list", "-c"]
    first = run_module(fake_nft, args)
    assert first["changed"] and first["sources"] == ["10.20.0.0/16", "198.51.100.11", "198.51.100.12"]
    assert stat.S_IMODE(rules.stat().st_mode) == 0o644 and first["digest"] in rules.read_text()
    assert "elements = { 19998, 29999 }" in first["diff"]["after"]
    again = run_module(fake_nft, args)
    assert not again["changed"] and again["live_digest"] == first["digest"]
    # the live table deleted by hand: put back though the file is unchanged
    (fake_nft / "live").unlink()
    assert run_module(fake_nft, args)["changed"] and (fake_nft / "live").exists()
    gone = run_module(fake_nft, {"state": "absent", "path": str(rules)})
    assert gone["changed"] and not rules.exists() and not (fake_nft / "live").exists()
    assert not run_module(fake_nft, {"state": "absent", "path": str(rules)})["changed"]


def test_port_firewall_refuses_bad_input_before_any_change(fake_nft):
    rules = fake_nft / "firewall.nft"
    for args, msg in (({"ports": [0], "path": str(rules)}, "ports must be 1-65535"),
                      ({"ports": [19998], "sources": ["0.0.0.0/0"], "path": str(rules)}, "admits every address"),
                      ({"ports": [19998], "sources": ["not-an-address"], "path": str(rules)}, "is not an address"),
                      ({"ports": [19998], "table": "bad", "path": str(rules)}, "nft refused the rules")):
        res = run_module(fake_nft, args)
        assert res.get("failed") and msg in res["msg"], res
    assert not rules.exists() and not (fake_nft / "live").exists()
    assert not [c for c in calls(fake_nft) if c[0] == "-f"]
