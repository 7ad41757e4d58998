"""Monitoring, table-driven: FUSE web ports, scrape targets, the Prometheus configuration and
alert rules (checked and unit-tested with the real promtool), the dashboard's queries, the
firewall's metrics rules, and the prometheus_config module (real promtool, temp directories)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from module_args import run_module_process
import yaml

from ansible_collections.alnair.alluxio.plugins.filter import alluxio as filters
from ansible_collections.alnair.alluxio.plugins.filter import monitoring as mfilters
from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_monitoring as mon
from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_network as net

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# The settings tests/unit/fixtures/alerts_test.yml was written for (the role defaults, 2 workers).
ALERT_SETTINGS = dict(workers=2, inventory="inventories/prod", worker_for="1m", master_for="1m", capacity_ratio=0.9,
                      capacity_for="15m", fuse_stall_for="5m", journal_free_percent=10, restarts_per_hour=3)
DEFAULTS = {"alluxio_master_web_port": 19999, "alluxio_worker_web_port": 30000, "alluxio_fuse_web_port": 49999,
            "alluxio_fuse_mounts": [], "alluxio_metrics": True}


def promtool():
    """The promtool tools/bootstrap.sh puts beside the venv's python (CI always has it)."""
    found = shutil.which("promtool", path=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    assert found, "promtool is missing: run tools/bootstrap.sh"
    return found


M = {"mount_point": "/mnt/a"}
N = {"mount_point": "/mnt/b"}


@pytest.mark.parametrize("mounts,base,others,want", [
    ([], 49999, [], {}),
    ([M, N], 49999, [], {"/mnt/a": 49999, "/mnt/b": 50000}),
    ([dict(M, web_port=40000), N], 49999, [], {"/mnt/a": 40000, "/mnt/b": 50000}),
    # A removed mount keeps its place while listed absent: the next keeps its port.
    ([dict(M, state="absent"), N], 49999, [], {"/mnt/a": 49999, "/mnt/b": 50000}),
    # A mount outside the inventory (remediate.yml puts it back) takes the next free port.
    ([M], 49999, ["/mnt/a", "/mnt/z"], {"/mnt/a": 49999, "/mnt/z": 50000}),
    ([M, dict(N, web_port=50001)], 49999, ["/mnt/z"], {"/mnt/a": 49999, "/mnt/b": 50001, "/mnt/z": 50002}),
    ([M], "49000", [], {"/mnt/a": 49000}),
])
def test_fuse_web_ports(mounts, base, others, want):
    assert mon.fuse_web_ports(mounts, base, others) == want


@pytest.mark.parametrize("mounts,base,others,problem", [
    ([M, N], 49999, [30000], None),
    ([M, N], 29999, [29999, 30000], "another Alluxio server of the host listens on"),
    ([dict(M, web_port=50000), N], 49999, [], "would both serve metrics on port 50000"),
    ([dict(M, web_port="x")], 49999, [], "is not a TCP port"),
    ([dict(M, web_port=70000)], 49999, [], "is not a TCP port"),
    ([M], "nope", [], "alluxio_fuse_web_port 'nope' is not a TCP port"),
])
def test_fuse_web_problems(mounts, base, others, problem):
    problems = mon.fuse_web_problems("w1", mounts, base, others)
    assert (problem is None and problems == []) or (problem and problem in " ".join(problems)), problems


def test_preflight_refuses_a_fuse_web_port_on_a_worker_port():
    hostvars = {"m1": {"ansible_host": "198.51.100.11"},
                "w1": {"ansible_host": "198.51.100.12", "alluxio_fuse_mounts": [M], "alluxio_fuse_web_port": 30000}}
    problems = filters.alluxio_preflight(hostvars, {"alluxio_masters": ["m1"], "alluxio_workers": ["w1"]},
                                         {"alluxio_fuse_default_options": ["allow_other"], "alluxio_fuse_profiles": {}})
    assert any("w1: the FUSE mount /mnt/a would serve metrics on port 30000" in p for p in problems), problems


def test_fuse_web_options_are_the_fuse_processs_own():
    assert mon.fuse_web_options(50000) == ["-Dalluxio.fuse.web.enabled=true", "-Dalluxio.fuse.web.port=50000"]


def lab_hostvars(**worker):
    return {"m1": {"ansible_host": "198.51.100.11"},
            "w1": dict({"ansible_host": "198.51.100.12", "alluxio_fuse_mounts": [M, N]}, **worker),
            "w2": {"ansible_host": "198.51.100.13", "alluxio_bind_address": "0.0.0.0", "alluxio_hostname": "w2.example",
                   "alluxio_site_properties": {"alluxio.job.worker.web.port": 31003}}}


def test_scrape_targets_name_every_process_by_inventory_name():
    targets = mon.scrape_targets(lab_hostvars(), ["m1"], ["w1", "w2"], DEFAULTS)
    got = sorted((t["job"], t["instance"], "%s:%d" % (t["address"], t["port"]), t["labels"].get("mount_point", ""))
                 for t in targets)
    assert got == sorted([
        ("alluxio_master", "m1", "198.51.100.11:19999", ""),
        ("alluxio_job_master", "m1", "198.51.100.11:20002", ""),
        ("alluxio_worker", "w1", "198.51.100.12:30000", ""),
        ("alluxio_job_worker", "w1", "198.51.100.12:30003", ""),
        ("alluxio_fuse", "w1", "198.51.100.12:49999", "/mnt/a"),
        ("alluxio_fuse", "w1", "198.51.100.12:50000", "/mnt/b"),
        # Listening everywhere: reached by its name; a moved port is followed.
        ("alluxio_worker", "w2", "w2.example:30000", ""),
        ("alluxio_job_worker", "w2", "w2.example:31003", ""),
    ])


def test_no_fuse_targets_without_metrics_or_for_an_absent_mount():
    off = mon.scrape_targets(lab_hostvars(alluxio_metrics=False), ["m1"], ["w1"], DEFAULTS)
    assert not [t for t in off if t["job"] == "alluxio_fuse"]
    absent = mon.scrape_targets(lab_hostvars(alluxio_fuse_mounts=[dict(M, state="absent"), N]), ["m1"], ["w1"], DEFAULTS)
    assert [(t["labels"]["mount_point"], t["port"]) for t in absent if t["job"] == "alluxio_fuse"] == [("/mnt/b", 50000)]


def write_set(directory, settings=None):
    """prometheus.yml and the alert rules as the monitoring role writes them."""
    rules = {"alnair-alluxio-alerts.yml": yaml.safe_dump(mon.alert_rules(settings or ALERT_SETTINGS), width=1000)}
    config = mon.prometheus_config(mon.scrape_targets(lab_hostvars(), ["m1"], ["w1", "w2"], DEFAULTS),
                                   "15s", "15s", sorted(rules), "198.51.100.11:9090")
    (directory / "prometheus.yml").write_text(yaml.safe_dump(config, width=1000))
    for name, text in rules.items():
        (directory / name).write_text(text)
    return yaml.safe_dump(config, width=1000), rules


def test_promtool_accepts_the_configuration_and_rules(tmp_path):
    write_set(tmp_path)
    res = subprocess.run([promtool(), "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS: 10 rules found" in res.stdout + res.stderr


def test_every_alert_fires_when_it_should_and_only_then(tmp_path):
    """promtool test rules: tests/unit/fixtures/alerts_test.yml has a case for every alert."""
    write_set(tmp_path)
    shutil.copy(FIXTURES / "alerts_test.yml", tmp_path / "alerts_test.yml")
    cases = yaml.safe_load((FIXTURES / "alerts_test.yml").read_text())
    tested = set(c["alertname"] for t in cases["tests"] for c in t["alert_rule_test"] if c["exp_alerts"])
    assert tested == set(r["alert"] for r in mon.alert_rules(ALERT_SETTINGS)["groups"][0]["rules"])
    res = subprocess.run([promtool(), "test", "rules", "alerts_test.yml"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


def test_every_dashboard_query_is_valid_promql(tmp_path):
    """Each panel's query as a recording rule: promtool parses it as Prometheus would."""
    dashboard = mfilters.alluxio_dashboard()
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert exprs == [p["expr"] for p in mon.PANELS] and len(set(p["id"] for p in dashboard["panels"])) == len(exprs)
    rules = {"groups": [{"name": "panels", "rules": [{"record": "panel_%d" % i, "expr": e} for i, e in enumerate(exprs)]}]}
    (tmp_path / "panels.yml").write_text(yaml.safe_dump(rules))
    res = subprocess.run([promtool(), "check", "rules", str(tmp_path / "panels.yml")], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    json.dumps(dashboard)  # what Grafana imports


def test_metrics_ports_are_the_web_ports_and_fuse_ports():
    assert mfilters.alluxio_metrics_ports({"alluxio.worker.web.port": 31000}, [49999]) == [19999, 20002, 30003, 31000, 49999]


@pytest.mark.parametrize("metrics_ports,v4,monitored", [
    ([], ["198.51.100.20"], False),
    ([19999, 30000], [], False),
    ([19999, 30000, 49999], ["198.51.100.20"], True),
])
def test_firewall_admits_monitoring_hosts_to_metrics_ports_only(metrics_ports, v4, monitored):
    plain = net.firewall_ruleset([19998, 19999, 30000], ["198.51.100.11"], [])
    text = net.firewall_ruleset([19998, 19999, 30000], ["198.51.100.11"], [], metrics_ports=metrics_ports, metrics_v4=v4)
    if not monitored:
        # Without a monitoring host the table is what it was before monitoring (same digest: no reload).
        assert text == plain
        return
    assert "tcp dport @metrics_ports ip saddr @monitoring_v4 accept" in text
    assert "elements = { 198.51.100.20 }" in text and "elements = { 19999, 30000, 49999 }" in text
    # The FUSE web port is guarded like Alluxio's own ports, and the monitoring rule comes before the reject.
    assert "elements = { 19998, 19999, 30000, 49999 }" in text
    assert text.index("@monitoring_v4 accept") < text.index("reject with tcp reset")


# ---------------------------------------------------------------- prometheus_config module

def run_module(args, check=False):
    return run_module_process("prometheus_config", args, check)


@pytest.fixture
def config_set(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    config, rules = write_set(source)
    target = tmp_path / "etc"
    target.mkdir()
    return target, {"dir": str(target), "config": config, "rules": rules, "promtool": promtool()}


def test_a_checked_set_is_written_once(config_set):
    target, args = config_set
    checked = run_module(args, check=True)
    assert checked["changed"] and checked["checked"] and not list(target.iterdir())
    assert sorted(d["after_header"] for d in checked["diff"]) == [str(target / "alnair-alluxio-alerts.yml"),
                                                                  str(target / "prometheus.yml")]
    first = run_module(args)
    assert first["changed"] and first["changed_files"] == ["alnair-alluxio-alerts.yml", "prometheus.yml"]
    assert (target / "prometheus.yml").read_text() == args["config"]
    assert oct((target / "prometheus.yml").stat().st_mode & 0o777) == "0o644"
    assert not [p for p in target.iterdir() if p.name.startswith(".alnair-staging")]
    again = run_module(args)
    assert not again["changed"] and again["changed_files"] == []


def test_a_rule_promtool_refuses_changes_nothing(config_set):
    target, args = config_set
    run_module(args)
    before = dict((p.name, p.read_text()) for p in target.iterdir())
    broken = dict(args, rules=dict(args["rules"], **{"alnair-alluxio-extra.yml": "groups:\n- name: x\n  rules:\n  - alert: X\n    expr: up ==\n"}),
                  config=args["config"].replace("- alnair-alluxio-alerts.yml", "- alnair-alluxio-alerts.yml\n- alnair-alluxio-extra.yml"))
    refused = run_module(broken)
    assert refused.get("failed") and not refused["changed"], refused
    assert "promtool refused the new configuration; nothing was changed" in refused["msg"]
    assert "alnair-alluxio-extra.yml" in refused["promtool_output"]
    assert dict((p.name, p.read_text()) for p in target.iterdir()) == before


def test_a_rule_file_no_longer_given_is_removed_and_others_are_kept(config_set):
    target, args = config_set
    extra = dict(args, rules=dict(args["rules"], **{"alnair-alluxio-extra.yml": "groups: []\n"}),
                 config=args["config"].replace("- alnair-alluxio-alerts.yml", "- alnair-alluxio-alerts.yml\n- alnair-alluxio-extra.yml"))
    run_module(extra)
    (target / "someone-elses.rules.yml").write_text("groups: []\n")
    back = run_module(args)
    assert back["changed_files"] == ["alnair-alluxio-extra.yml", "prometheus.yml"]
    assert sorted(p.name for p in target.iterdir()) == ["alnair-alluxio-alerts.yml", "prometheus.yml", "someone-elses.rules.yml"]


@pytest.mark.parametrize("change,message", [
    ({"rules": {"../evil.yml": "groups: []\n"}}, "rule file names must be plain names"),
    ({"rules": {"other.yml": "groups: []\n"}}, "starting with 'alnair-alluxio-'"),
    ({"promtool": "/nonexistent/promtool"}, "install the prometheus package first"),
])
def test_bad_input_is_refused_before_any_change(config_set, change, message):
    target, args = config_set
    res = run_module(dict(args, **change))
    assert res.get("failed") and message in res["msg"] and not list(target.iterdir()), res


def test_a_planted_link_is_not_followed(config_set, tmp_path):
    target, args = config_set
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    os.symlink(victim, target / "prometheus.yml")
    res = run_module(args)
    assert res.get("failed") and "link" in res["msg"], res
    assert victim.read_text() == "keep\n"


def test_extra_rule_files_are_written_as_yaml_of_their_data():
    mine = {"groups": [{"name": "mine", "rules": [{"alert": "Mine", "expr": "up == 0", "for": "1m"}]}]}
    written = mfilters.alluxio_rule_files({"alnair-alluxio-mine.yml": mine})
    assert list(written) == ["alnair-alluxio-mine.yml"] and yaml.safe_load(written["alnair-alluxio-mine.yml"]) == mine
