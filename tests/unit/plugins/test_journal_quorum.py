"""journal_quorum's reading of `alluxio fsadmin journal quorum info` and what makes a quorum whole."""
import pytest

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_quorum import (
    joining_problems, member_host, parse_quorum_info, quorum_problems, removal_plan)

from module_args import run_module_process

# As 2.9.6 printed it on the 3-master lab (session 13).
INFO_296 = ("Journal domain\t: MASTER\nQuorum size\t: 3\nQuorum leader\t: lab-master:19200\n\n"
            "STATE       | PRIORITY | SERVER ADDRESS\n"
            "AVAILABLE   | 0        | lab-master:19200\n"
            "AVAILABLE   | 0        | lab-master2:19200\n"
            "UNAVAILABLE | 0        | lab-master3:19200\n")
# The older layout (no leader line, no priority): tab-separated.
INFO_OLD = "Journal domain\t: JOB_MASTER\nQuorum size\t: 2\nSTATE\t\tSERVER ADDRESS\nAVAILABLE\t m1:20003\nAVAILABLE\t m2:20003\n"
MEMBERS = ["lab-master:19200", "lab-master2:19200", "lab-master3:19200"]


def test_quorum_info_of_2_9_6():
    info = parse_quorum_info(INFO_296)
    assert (info["domain"], info["size"], info["leader"]) == ("MASTER", 3, "lab-master:19200")
    assert [(m["address"], m["state"], m["priority"]) for m in info["members"]] == [
        ("lab-master:19200", "AVAILABLE", 0), ("lab-master2:19200", "AVAILABLE", 0), ("lab-master3:19200", "UNAVAILABLE", 0)]


def test_quorum_info_without_priority_or_leader_line():
    info = parse_quorum_info(INFO_OLD)
    assert info["leader"] is None and [m["address"] for m in info["members"]] == ["m1:20003", "m2:20003"]


def test_an_error_instead_of_quorum_info_is_refused():
    with pytest.raises(ValueError):
        parse_quorum_info("Exception in thread main: UNAVAILABLE: io exception\n")


def quorum(leader, *states):
    return {"domain": "MASTER", "leader": leader,
            "members": [{"address": a, "state": s} for a, s in zip(MEMBERS, states)]}


@pytest.mark.parametrize("info,expected,problems", [
    (quorum("lab-master:19200", "AVAILABLE", "AVAILABLE", "AVAILABLE"), MEMBERS, []),
    # a standby down: degraded, named
    (quorum("lab-master:19200", "AVAILABLE", "UNAVAILABLE", "AVAILABLE"), MEMBERS,
     ["MASTER quorum member lab-master2:19200 is UNAVAILABLE"]),
    # two of three down: no majority, no leader
    (quorum(None, "AVAILABLE", "UNAVAILABLE", "UNAVAILABLE"), MEMBERS,
     ["MASTER quorum has no leader", "MASTER quorum lost its majority: 1 of 3 members available",
      "MASTER quorum member lab-master2:19200 is UNAVAILABLE", "MASTER quorum member lab-master3:19200 is UNAVAILABLE"]),
    # the configuration names a member the quorum does not know, and the quorum one it does not name
    (quorum("lab-master:19200", "AVAILABLE", "AVAILABLE", "AVAILABLE"), MEMBERS[:2] + ["lab-master4:19200"],
     ["MASTER quorum does not know member lab-master4:19200",
      "MASTER quorum has member lab-master3:19200, which the inventory does not name"]),
    (quorum("lab-master:19200", "AVAILABLE", "AVAILABLE", "AVAILABLE"), None, []),   # nothing to compare with
])
def test_what_makes_a_quorum_whole(info, expected, problems):
    assert quorum_problems(info, expected) == problems


@pytest.mark.parametrize("address,host", [("m3:19200", "m3"), ("[fd00::3]:19200", "fd00::3"), ("m3", "m3")])
def test_the_host_of_a_member_address(address, host):
    assert member_host(address) == host


@pytest.mark.parametrize("info,hosts,addresses,problems", [
    # a dead standby, by host name or by whole address
    (quorum("lab-master:19200", "AVAILABLE", "AVAILABLE", "UNAVAILABLE"), ["lab-master3"], ["lab-master3:19200"], []),
    (quorum("lab-master:19200", "AVAILABLE", "AVAILABLE", "UNAVAILABLE"), ["lab-master3:19200"], ["lab-master3:19200"], []),
    # removed earlier, or never a member: nothing to do
    (quorum("lab-master:19200", "AVAILABLE", "AVAILABLE"), ["lab-master3"], [], []),
    # a running master is refused, and so is a quorum without a leader
    (quorum("lab-master:19200", "AVAILABLE", "AVAILABLE", "UNAVAILABLE"), ["lab-master2"], ["lab-master2:19200"],
     ["MASTER quorum member lab-master2:19200 is AVAILABLE: its master runs (or stopped less than about 30 s ago: "
      "the leader marks a member UNAVAILABLE that long after it stops). Only a dead member is removed; "
      "stop that host's master processes first if it is leaving"]),
    (quorum(None, "AVAILABLE", "UNAVAILABLE", "UNAVAILABLE"), ["lab-master3"], ["lab-master3:19200"],
     ["MASTER quorum has no leader: only a leader can remove a member (bring a majority back first)"]),
    # a host name is not a prefix: lab-master does not match lab-master3
    (quorum("lab-master2:19200", "UNAVAILABLE", "AVAILABLE", "AVAILABLE"), ["lab-master"], ["lab-master:19200"], []),
])
def test_which_members_quorum_remove_takes(info, hosts, addresses, problems):
    assert removal_plan(info, hosts) == (addresses, problems)


@pytest.mark.parametrize("formatted,problems", [
    ({"m1": False, "m2": False, "m3": False}, []),                  # a new quorum starts together
    ({"m1": True, "m2": True, "m3": True}, []),                     # running
    ({"m1": True, "m2": True, "m4": False}, []),                    # one replaces a dead master
    ({"m1": True, "m2": None, "m4": False}, []),                    # m2 unreachable: not counted
    ({"m1": True, "m2": True, "m3": True, "m4": False, "m5": False},
     ["group alluxio_masters adds 2 masters (m4, m5) to the running quorum of m1, m2, m3 in one run: Alluxio's "
      "embedded journal takes one new member at a time. Add one, run site.yml, then the next"]),
])
def test_masters_join_a_running_quorum_one_at_a_time(formatted, problems):
    assert joining_problems("alluxio_masters", formatted) == problems


def test_preflight_reads_the_format_markers_of_the_masters():
    from ansible_collections.alnair.alluxio.plugins.filter.alluxio import alluxio_preflight
    marker = "/etc/alluxio/.journal-formatted"
    hostvars = dict((h, {"alluxio_host": {"paths": {marker: state}}})
                    for h, state in (("m1", "file"), ("m2", "file"), ("m3", "file"), ("m4", "absent"), ("m5", "absent")))
    hostvars["w1"] = {}
    groups = {"alluxio_masters": ["m1", "m2", "m3", "m4", "m5"], "alluxio_workers": ["w1"]}
    problems = alluxio_preflight(hostvars, groups, {"alluxio_worker_mem_size": "1GB"}, format_marker=marker)
    assert [p for p in problems if "one new member at a time" in p]
    assert not [p for p in alluxio_preflight(hostvars, groups, {"alluxio_worker_mem_size": "1GB"}) if "one new member" in p]


# A stand-in for bin/alluxio, across the process boundary the module crosses: quorum info prints
# the members of state/DOMAIN (address and state, one a line; the first leads), remove deletes one and
# logs it, elect puts the member first unless state/elect-failures says to fail that many times first.
FAKE_CLI = r"""#!/bin/sh
state="$(dirname "$0")/../state"
domain="$6"
if [ "$4" = info ]; then
  printf 'Journal domain\t: %s\nQuorum size\t: %s\nQuorum leader\t: %s\n\nSTATE | PRIORITY | SERVER ADDRESS\n' \
    "$domain" "$(wc -l < "$state/$domain")" "$(head -n1 "$state/$domain" | cut -d' ' -f1)"
  while read -r address member_state; do printf '%s | 0 | %s\n' "$member_state" "$address"; done < "$state/$domain"
elif [ "$4" = elect ]; then
  if [ -s "$state/elect-failures" ] && [ "$(cat "$state/elect-failures")" -gt 0 ]; then
    echo $(( $(cat "$state/elect-failures") - 1 )) > "$state/elect-failures"
    echo "Failed to elect $6 as the new leader: timed out 30000ms"; exit 255
  fi
  for d in MASTER; do
    { grep "^$6 " "$state/$d"; grep -v "^$6 " "$state/$d"; } > "$state/$d.new"; mv "$state/$d.new" "$state/$d"
  done
  echo "$6" >> "$state/elected.log"
elif [ "$4" = remove ]; then
  grep -v "^$8 " "$state/$domain" > "$state/$domain.new"; mv "$state/$domain.new" "$state/$domain"
  echo "$domain $8" >> "$state/removed.log"
fi
"""


@pytest.fixture(name="fake_home")
def fixture_fake_home(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "state").mkdir()
    cli = tmp_path / "bin" / "alluxio"
    cli.write_text(FAKE_CLI)
    cli.chmod(0o755)
    (tmp_path / "state" / "MASTER").write_text("m1:19200 AVAILABLE\nm2:19200 AVAILABLE\nm3:19200 UNAVAILABLE\n")
    (tmp_path / "state" / "JOB_MASTER").write_text("m1:20003 AVAILABLE\nm2:20003 AVAILABLE\nm3:20003 UNAVAILABLE\n")
    return tmp_path


def _removed_log(home):
    log = home / "state" / "removed.log"
    return log.read_text().splitlines() if log.exists() else []


def test_remove_takes_a_dead_master_out_of_both_quorums_once(fake_home):
    args = {"remove": ["m3"], "alluxio_home": str(fake_home), "user": "root"}
    checked = run_module_process("journal_quorum", args, check=True)
    assert checked["changed"] and not checked.get("failed") and _removed_log(fake_home) == []
    result = run_module_process("journal_quorum", args)
    assert result["changed"], result
    assert result["removed"] == [{"domain": "MASTER", "address": "m3:19200"}, {"domain": "JOB_MASTER", "address": "m3:20003"}]
    assert _removed_log(fake_home) == ["MASTER m3:19200", "JOB_MASTER m3:20003"]
    assert "m3:19200 UNAVAILABLE" in result["diff"]["before"] and "m3" not in result["diff"]["after"]
    again = run_module_process("journal_quorum", args)
    assert not again["changed"] and again["removed"] == [] and len(_removed_log(fake_home)) == 2


def test_remove_refuses_a_running_master_before_removing_anything(fake_home):
    result = run_module_process("journal_quorum", {"remove": ["m3", "m2"], "alluxio_home": str(fake_home), "user": "root"})
    assert result["failed"] and "m2:19200 is AVAILABLE" in result["msg"] and "Nothing was removed" in result["msg"]
    assert _removed_log(fake_home) == []


def test_status_says_each_masters_role_and_lag():
    from ansible_collections.alnair.alluxio.plugins.filter.alluxio import alluxio_masters_status
    cluster = {"masters": [
        {"url": "http://m1:19999", "answered": True, "leader": False, "error": None, "applied_index": 120, "lag": 5},
        {"url": "http://m2:19999", "answered": True, "leader": True, "error": None, "applied_index": 125, "lag": 0},
        {"url": "http://m3:19999", "answered": False, "leader": False, "error": "refused", "applied_index": None, "lag": None}]}
    info = parse_quorum_info(INFO_296)
    lines = alluxio_masters_status(cluster, {"quorums": {"MASTER": info}, "problems": ["MASTER quorum member lab-master3:19200 is UNAVAILABLE"]})
    assert lines == [
        "master http://m1:19999: standby, journal entry 120 applied (5 behind the leader)",
        "master http://m2:19999: leader, journal entry 125 applied",
        "master http://m3:19999: NOT ANSWERING: refused",
        "MASTER quorum: leader lab-master:19200; members lab-master:19200 AVAILABLE, lab-master2:19200 AVAILABLE, "
        "lab-master3:19200 UNAVAILABLE",
        "MASTER quorum member lab-master3:19200 is UNAVAILABLE"]
    # one master, no journal_lag: its role only
    assert alluxio_masters_status({"masters": [{"url": "http://m:19999", "answered": True, "leader": True, "error": None}]}) == [
        "master http://m:19999: leader"]


@pytest.mark.parametrize("failures", [0, 2])
def test_an_election_that_does_not_take_is_asked_again(fake_home, failures):
    (fake_home / "state" / "elect-failures").write_text("%d\n" % failures)
    result = run_module_process("journal_quorum", {"leader": "m2:19200", "alluxio_home": str(fake_home), "user": "root",
                                                   "domains": ["MASTER"], "timeout": 60})
    assert result["changed"] and not result.get("failed") and result["leader"] == "m2:19200", result
    assert (fake_home / "state" / "elected.log").read_text().split() == ["m2:19200"]
    assert (fake_home / "state" / "elect-failures").read_text().strip() == "0"


def test_an_election_that_never_takes_fails_within_the_timeout(fake_home):
    (fake_home / "state" / "elect-failures").write_text("99\n")
    result = run_module_process("journal_quorum", {"leader": "m2:19200", "alluxio_home": str(fake_home), "user": "root",
                                                   "domains": ["MASTER"], "timeout": 8})
    assert result["failed"] and "leadership did not move from m1:19200 to m2:19200 (2 tries in 8 s)" in result["msg"], result
