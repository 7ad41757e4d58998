"""cluster_info: a master that does not answer for a while (a GC pause, SIGSTOP) is retried for
down_after seconds before it is reported unreachable. The master and the clock are faked."""
import json

import pytest
from module_args import patch_module_args

from ansible_collections.alnair.alluxio.plugins.modules import cluster_info
from fake_clock import Clock

INFO = {"version": "2.9.6", "workers": [], "lostWorkers": [], "mountPoints": {}}


def run(monkeypatch, capsys, silent_for, **args):
    """The master does not answer for silent_for (fake) seconds, then it does."""
    clock = Clock(1000.0)
    monkeypatch.setattr(cluster_info.time, "time", clock.time)
    monkeypatch.setattr(cluster_info.time, "sleep", clock.sleep)

    def fetch(url, timeout):
        if clock.now - 1000.0 < silent_for:
            clock.now += timeout if silent_for == float("inf") else 0
            raise IOError("timed out")
        return INFO, [{"url": url, "answered": True, "leader": True, "error": None}]
    monkeypatch.setattr(cluster_info, "read_cluster", fetch)
    with patch_module_args(dict({"master_url": "http://m:19999"}, **args)):
        with pytest.raises(SystemExit):
            cluster_info.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("silent_for,down_after,reachable", [
    (0, 0, True),
    (10, 30, True),              # a 10 s pause within the 30 s allowed: not a dead master
    (10, 0, False),              # without down_after the first failed request decides
    (float("inf"), 30, False),   # dead: reported once down_after has passed
])
def test_a_pause_is_not_a_death(monkeypatch, capsys, silent_for, down_after, reachable):
    result = run(monkeypatch, capsys, silent_for, down_after=down_after)
    assert result["reachable"] is reachable, result
    if not reachable and down_after:
        assert result["waited_seconds"] >= down_after


@pytest.mark.parametrize("properties,url", [
    ("alluxio.master.hostname=lab-master\nalluxio.master.web.port=19999\n", "http://lab-master:19999"),
    ("# comment\nalluxio.master.hostname = m1\n", "http://m1:19999"),          # Alluxio's default web port
    ("alluxio.master.hostname=2001:db8::1\nalluxio.master.web.port=20999\n", "http://[2001:db8::1]:20999"),
    ("alluxio.worker.hostname=w1\n", "http://localhost:19999"),                  # names no master
    (None, "http://localhost:19999"),                                            # no configuration here
])
def test_the_default_master_is_the_one_the_host_configuration_names(tmp_path, properties, url):
    """A master bound to its cluster address does not listen on localhost: the modules' default URL
    comes from the host's alluxio-site.properties."""
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import local_master_url
    (tmp_path / "conf").mkdir()
    if properties is not None:
        (tmp_path / "conf" / "alluxio-site.properties").write_text(properties)
    assert local_master_url(str(tmp_path)) == url


LEADER = {"version": "2.9.6", "rpcAddress": "m2/<unresolved>:19998", "capacity": {"total": 1, "used": 0},
          "workers": [], "lostWorkers": [], "mountPoints": {}}
# A standby's REST API (alluxio.standby.master.web.enabled), as 2.9.6 answers it.
STANDBY = {"version": "2.9.6", "rpcAddress": None, "capacity": None, "workers": [], "lostWorkers": []}
QUORUM = "http://m1:19999, http://m2:19999,http://m3:19999"


@pytest.mark.parametrize("answers,leader,unanswered,error", [
    ({"m1": STANDBY, "m2": LEADER, "m3": STANDBY}, "http://m2:19999", [], None),
    # 2.9.6's standbys answer HTTP 500 {"statusCode": "UNAVAILABLE", "message": "...in safe mode..."}
    ({"m1": "safe mode", "m2": "safe mode", "m3": LEADER}, "http://m3:19999", [], None),
    ({"m1": "safe mode", "m2": "safe mode", "m3": "safe mode"}, None, None, "http://m1:19999 is a standby"),
    ({"m1": None, "m2": LEADER, "m3": STANDBY}, "http://m2:19999", ["http://m1:19999"], None),   # degraded
    ({"m1": STANDBY, "m2": STANDBY, "m3": None}, None, None, "no master leads the quorum"),        # no leader
    ({"m1": None, "m2": None, "m3": None}, None, None, "http://m3:19999 does not answer"),
])
def test_a_quorum_is_read_from_its_leader(answers, leader, unanswered, error):
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import (
        AlluxioStatusError, read_cluster, summarize)

    def fetch(url, timeout):
        answer = answers[url.split("//")[1].split(":")[0]]
        if answer is None:
            raise IOError("cannot read %s: refused" % url)
        if answer == "safe mode":
            raise AlluxioStatusError("cannot read %s: UNAVAILABLE Alluxio master is in safe mode." % url, "UNAVAILABLE")
        return answer
    if error:
        with pytest.raises(IOError, match=error):
            read_cluster(QUORUM, 5, fetch)
        return
    info, masters = read_cluster(QUORUM, 5, fetch)
    assert info is LEADER
    summary = summarize(info, {}, masters=masters)
    assert summary["leader_url"] == leader
    assert summary["unanswered_masters"] == unanswered
    assert summary["healthy"] is (not unanswered)


def test_one_master_is_read_as_it_answers():
    """One master is the leader whatever its answer holds (as before quorums)."""
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import read_cluster
    info, masters = read_cluster("http://m:19999", 5, lambda url, timeout: STANDBY)
    assert info is STANDBY and masters[0]["leader"]


def test_the_default_master_of_a_quorum_host_is_every_master(tmp_path):
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import local_master_url
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "alluxio-site.properties").write_text(
        "alluxio.master.hostname=m1\nalluxio.master.rpc.addresses=m1:19998,m2:19998,[2001:db8::3]:19998\n")
    assert local_master_url(str(tmp_path)) == "http://m1:19999,http://m2:19999,http://[2001:db8::3]:19999"


def _metrics(index):
    return {"gauges": {"Master.JournalLastAppliedCommitIndex": {"value": index}, "Master.TotalPaths": {"value": 9}}}


@pytest.mark.parametrize("metrics,indexes,lags", [
    ({"m1": _metrics(120), "m2": _metrics(125), "m3": _metrics(101)}, [120, 125, 101], [5, 0, 24]),
    # a master whose metrics cannot be read (or that does not answer): unknown, not 0
    ({"m1": None, "m2": _metrics(125), "m3": {"gauges": {}}}, [None, 125, None], [None, 0, None]),
    # the leader's unknown: no lag can be said
    ({"m1": _metrics(120), "m2": None, "m3": _metrics(101)}, [120, None, 101], [None, None, None]),
])
def test_how_far_each_standby_trails_the_leader(metrics, indexes, lags):
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import with_journal_lag
    masters = [{"url": "http://%s:19999" % h, "answered": True, "leader": h == "m2", "error": None} for h in ("m1", "m2", "m3")]

    def fetch(url, timeout):
        assert url.endswith("/metrics/json/")
        answer = metrics[url.split("//")[1].split(":")[0]]
        if answer is None:
            raise IOError("cannot read %s" % url)
        return answer
    result = with_journal_lag(masters, 5, fetch)
    assert [m["applied_index"] for m in result] == indexes and [m["lag"] for m in result] == lags
