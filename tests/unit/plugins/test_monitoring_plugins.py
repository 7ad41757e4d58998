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
    assert "SUCCESS: 11 rules found" in res.stdout + res.stderr


@pytest.mark.parametrize("journal_type,has_journal_alert", [
    (None, True), ("EMBEDDED", True), ("embedded", True), ("UFS", False)])
def test_the_journal_disk_alert_only_where_the_journal_reports_its_disk(journal_type, has_journal_alert):
    names = [r["alert"] for r in mon.alert_rules(dict(ALERT_SETTINGS, journal_type=journal_type))["groups"][0]["rules"]]
    assert ("AlluxioJournalDiskLow" in names) == has_journal_alert
    # A UFS journal's folder is still watched: health.yml's space check, as a metric.
    assert "AlluxioHealthCheckFailed" in names and len(names) == 11 - (not has_journal_alert)


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
    assert mfilters.alluxio_metrics_ports({}, [], 9100) == [9100, 19999, 20002, 30000, 30003]
    assert mfilters.alluxio_metrics_ports({}, [], None) == [19999, 20002, 30000, 30003]


def test_node_exporters_are_scraped_only_when_the_inventory_has_monitoring_hosts():
    defaults = dict(DEFAULTS, alluxio_node_exporter=True, alluxio_node_exporter_port=9100)
    assert not [t for t in mon.scrape_targets(lab_hostvars(), ["m1"], ["w1"], defaults) if t["job"] == "node"]
    on = mon.scrape_targets(lab_hostvars(), ["m1"], ["w1"], dict(defaults, node_exporter=True))
    assert [(t["instance"], t["address"], t["port"]) for t in on if t["job"] == "node"] == [
        ("m1", "198.51.100.11", 9100), ("w1", "198.51.100.12", 9100)]
    off = mon.scrape_targets(lab_hostvars(alluxio_node_exporter=False), ["m1"], ["w1"], dict(defaults, node_exporter=True))
    assert [t["instance"] for t in off if t["job"] == "node"] == ["m1"]
    config = mon.prometheus_config(on, "15s", "15s", [])
    assert [(j["job_name"], j["metrics_path"]) for j in config["scrape_configs"]][-1] == ("node", "/metrics")


@pytest.mark.parametrize("checks,want", [
    ([], []),
    ([{"check": "service alluxio-worker.service", "kind": "service", "ok": True}],
     ['alluxio_health_check{host="w1",check="service alluxio-worker.service",kind="service"} 1']),
    # Label values escaped as the text format wants them.
    ([{"check": 'FUSE /mnt/a"b\\c\nd', "kind": "fuse", "ok": False}],
     ['alluxio_health_check{host="w1",check="FUSE /mnt/a\\"b\\\\c\\nd",kind="fuse"} 0']),
    # One check twice is one series, failed when either failed (node exporter refuses duplicates).
    ([{"check": "port 30000", "kind": "port", "ok": True}, {"check": "port 30000", "kind": "port", "ok": False}],
     ['alluxio_health_check{host="w1",check="port 30000",kind="port"} 0']),
])
def test_health_checks_as_textfile_metrics(checks, want):
    text = mon.health_textfile("w1", checks)
    lines = text.splitlines()
    assert lines[:2] == ["# HELP alluxio_health_check 1 when the check passed on health.yml's last run on the host, 0 when it failed.",
                         "# TYPE alluxio_health_check gauge"]
    assert lines[2:] == want and text.endswith("\n")


def test_the_health_textfile_is_valid_prometheus_text(tmp_path):
    checks = [{"check": 'FUSE /mnt/a"b', "kind": "fuse", "ok": False}] + mon.cluster_health_checks({"reachable": True, "healthy": True})
    (tmp_path / "health.prom").write_text(mon.health_textfile("m1", checks))
    res = subprocess.run([promtool(), "check", "metrics"], stdin=open(tmp_path / "health.prom"), capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("cluster,want", [
    (None, [False, False]),
    ({"reachable": True, "healthy": False}, [True, False]),
    ({"reachable": True, "healthy": True}, [True, True]),
])
def test_the_cluster_view_as_checks(cluster, want):
    assert [c["ok"] for c in mon.cluster_health_checks(cluster)] == want


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


# -- node_textfile: health.yml's checks for node exporter, never through a link --------------------

def test_a_textfile_is_written_once_and_only_then(tmp_path):
    args = {"dir": str(tmp_path), "name": "alnair_alluxio_health.prom", "content": mon.health_textfile("w1", [])}
    checked = run_module_process("node_textfile", args, check=True)
    assert checked["changed"] and not list(tmp_path.iterdir()) and checked["diff"]["after"] == args["content"]
    assert run_module_process("node_textfile", args)["changed"]
    assert (tmp_path / "alnair_alluxio_health.prom").read_text() == args["content"]
    assert oct((tmp_path / "alnair_alluxio_health.prom").stat().st_mode & 0o777) == "0o644"
    assert not run_module_process("node_textfile", args)["changed"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alnair_alluxio_health.prom"]
    gone = run_module_process("node_textfile", dict(args, state="absent", content=None))
    assert gone["changed"] and not list(tmp_path.iterdir())


@pytest.mark.parametrize("plant,message", [
    ("dir_link", "is a symbolic link or not a directory: not followed"),
    ("file_link", "is a symbolic link: not followed, nothing written"),
    ("fifo", "is not a plain file"),
    ("missing", "is prometheus-node-exporter installed"),
])
def test_a_textfile_never_follows_a_planted_link(tmp_path, plant, message):
    """The textfile directory's parent belongs to the prometheus user on Debian: it can swap the
    directory, or the file, for a link; root must write neither through it."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "alnair_alluxio_health.prom").write_text("precious\n")
    textfiles = tmp_path / "node-exporter"
    if plant == "dir_link":
        textfiles.symlink_to(victim)
    elif plant != "missing":
        textfiles.mkdir()
    if plant == "file_link":
        (textfiles / "alnair_alluxio_health.prom").symlink_to(victim / "alnair_alluxio_health.prom")
    if plant == "fifo":
        os.mkfifo(textfiles / "alnair_alluxio_health.prom")
    res = run_module_process("node_textfile", {"dir": str(textfiles), "name": "alnair_alluxio_health.prom", "content": "x 1\n"})
    assert res.get("failed") and message in res["msg"], res
    assert (victim / "alnair_alluxio_health.prom").read_text() == "precious\n"


@pytest.mark.parametrize("name", ["../evil.prom", ".hidden.prom", "health.txt"])
def test_a_textfile_name_must_be_a_prom_file_name(tmp_path, name):
    res = run_module_process("node_textfile", {"dir": str(tmp_path), "name": name, "content": "x 1\n"})
    assert res.get("failed") and "must be a plain file name ending in .prom" in res["msg"] and not list(tmp_path.iterdir())


# -- status.yml's figures --------------------------------------------------------------------------

def test_the_figures_are_printed_in_each_panels_unit():
    results = {"Cluster capacity": [{"labels": {"instance": "m1"}, "value": 2 * 1024 ** 3}],
               "Cache hit rate": [{"labels": {}, "value": 0.875}],
               "FUSE calls per second": [{"labels": {"instance": "w2", "mount_point": "/mnt/b"}, "value": 3.5},
                                         {"labels": {"instance": "w1", "mount_point": "/mnt/a"}, "value": float("nan")}],
               "Master RPC latency, p99": [{"labels": {}, "value": 0.0123}]}
    lines = mon.panel_lines(results, {"Workers": "bad_data: parse error"})
    assert len(lines) == len(mon.PANELS) + 1
    assert lines[0].split() == ["Cluster", "capacity", "2.00GB"]
    assert [line.split()[-2:] for line in lines if line.startswith("Cache hit rate")] == [["87.5", "%"]]
    assert [line.split()[-3:] for line in lines if line.startswith("FUSE calls per second")] == [["w1", "/mnt/a", "-"], ["w2", "/mnt/b", "3.50/s"]]
    assert [line.split()[-2:] for line in lines if line.startswith("Master RPC latency")] == [["12.30", "ms"]]
    assert [line for line in lines if line.startswith("Workers")][0].endswith("refused: bad_data: parse error")
    assert [line for line in lines if line.startswith("Cluster used")][0].endswith("no data")
    assert set(mfilters.FilterModule().filters()["alluxio_panel_queries"]()) == set(p["title"] for p in mon.PANELS)


@pytest.fixture
def prometheus_stub():
    """An HTTP server answering /api/v1/query as Prometheus does (the process boundary the unit tier fakes)."""
    import http.server
    import threading
    import urllib.parse

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            expr = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)["query"][0]
            if expr == "up ==":
                status, body = 400, {"status": "error", "errorType": "bad_data", "error": "parse error"}
            elif expr == "scalar(up)":
                status, body = 200, {"status": "success", "data": {"resultType": "scalar", "result": [1, "1"]}}
            else:
                status, body = 200, {"status": "success", "data": {"resultType": "vector", "result": [
                    {"metric": {"instance": "m1"}, "value": [1, "1073741824"]}]}}
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_prometheus_query_returns_series_and_names_refused_queries(prometheus_stub):
    res = run_module_process("prometheus_query", {"url": prometheus_stub, "queries": {
        "Cluster capacity": "Cluster_CapacityTotal", "Broken": "up ==", "Scalar": "scalar(up)"}}, check=True)
    assert not res.get("failed") and not res["changed"], res
    assert res["series"] == {
        "Cluster capacity": [{"labels": {"instance": "m1"}, "value": 1073741824.0}], "Scalar": [{"labels": {}, "value": 1.0}]}
    assert res["errors"] == {"Broken": "bad_data: parse error"}


def test_prometheus_query_fails_when_nothing_answers():
    res = run_module_process("prometheus_query", {"url": "http://127.0.0.1:9", "queries": {"Workers": "Cluster_Workers"}, "timeout": 2})
    assert res.get("failed") and "did not answer the query 'Workers'" in res["msg"]
