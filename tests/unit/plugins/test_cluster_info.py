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
        return INFO
    monkeypatch.setattr(cluster_info, "fetch_master_info", fetch)
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
