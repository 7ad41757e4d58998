"""worker_decommission: only workers the master lists are decommissioned; check mode and a
failed command change nothing it does not say. The master and bin/alluxio are faked."""
import json

import pytest
from module_args import patch_module_args

from ansible_collections.alnair.alluxio.plugins.modules import worker_decommission

INFO = {"workers": [{"address": {"host": "w1"}}, {"address": {"host": "stray"}}]}


def run_module(monkeypatch, capsys, args, rc=0, check_mode=False):
    calls = []
    monkeypatch.setattr(worker_decommission, "fetch_master_info", lambda url: INFO)

    def fake_alluxio(module, home, argv, check=True, user=None, timeout=None):
        calls.append(argv + ["(bounded to %s s)" % timeout])
        return rc, "Set worker stray:30000 decommissioned on master\n", ""

    monkeypatch.setattr(worker_decommission, "alluxio", fake_alluxio)
    with patch_module_args(dict(args, _ansible_check_mode=check_mode, _ansible_diff=True)):
        with pytest.raises(SystemExit):
            worker_decommission.main()
    return json.loads(capsys.readouterr().out), calls


def test_decommissions_only_listed_workers(monkeypatch, capsys):
    result, calls = run_module(monkeypatch, capsys, {"workers": ["stray", "gone"]})
    assert result["changed"] and result["decommissioned"] == ["stray"] and result["not_listed"] == ["gone"]
    # bounded: the CLI's own 120 s plus the wait it is given
    assert calls == [["fsadmin", "decommissionWorker", "--addresses", "stray", "--wait", "5m", "(bounded to 420 s)"]]
    assert result["diff"]["before"] == "stray\nw1\n" and result["diff"]["after"] == "w1\n"


def test_nothing_to_do_and_check_mode_run_nothing(monkeypatch, capsys):
    result, calls = run_module(monkeypatch, capsys, {"workers": ["gone"]})
    assert not result["changed"] and calls == []
    result, calls = run_module(monkeypatch, capsys, {"workers": ["stray"]}, check_mode=True)
    assert result["changed"] and result["decommissioned"] == ["stray"] and calls == []


def test_a_failed_decommission_says_the_workers_were_left_running(monkeypatch, capsys):
    result, _calls = run_module(monkeypatch, capsys, {"workers": ["stray"]}, rc=3)
    assert result["failed"] and "rc 3 (the workers were left running)" in result["msg"]


def test_a_wait_that_is_not_a_duration_stops_before_anything(monkeypatch, capsys):
    result, calls = run_module(monkeypatch, capsys, {"workers": ["stray"], "wait": "soon"})
    assert result["failed"] and "wait: 'soon' is not an Alluxio duration" in result["msg"] and calls == []
