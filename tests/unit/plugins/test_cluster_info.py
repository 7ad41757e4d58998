"""cluster_info: a master that does not answer for a while (a GC pause, SIGSTOP) is retried for
down_after seconds before it is reported unreachable. The master and the clock are faked."""
import json

import pytest
from ansible.module_utils.testing import patch_module_args

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
