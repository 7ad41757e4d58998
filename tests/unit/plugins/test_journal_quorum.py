"""journal_quorum's reading of `alluxio fsadmin journal quorum info` and what makes a quorum whole."""
import pytest

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_quorum import parse_quorum_info, quorum_problems

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
