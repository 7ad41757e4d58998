"""Issue 23 on the lab: site.yml's monitoring play runs Debian's Prometheus on the master
(alluxio_monitoring), scraping every Alluxio process of the inventory and each host's node
exporter. Every process is up in Prometheus within 60 s of site.yml's end; every dashboard query
returns series; health.yml's checks show as metrics and a failed one fires its alert; a worker
JVM killed (and not restarted by systemd) fires AlluxioWorkerDown, pending then firing, and
remediate.yml clears it; a rule file promtool refuses changes nothing, on disk or in the running
server; a new scrape configuration reloads Prometheus without a restart; the files exported for a
Prometheus of one's own make a second, separate Prometheus scrape the same processes."""
import json
import shlex
import time
from pathlib import Path
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_monitoring import PANELS
from labkit import ADDRESS, HEALTH, INVENTORY, PLAYBOOKS, REMEDIATE, SITE, adhoc, main_pid, on, playbook, wait_for

PROMETHEUS = f"http://{ADDRESS['lab-master']}:9090"
WORKERS = ["lab-worker1", "lab-worker2"]
HOSTS = ["lab-master"] + WORKERS
FUSE_MOUNT = "/mnt/alluxio-fuse"
# What the inventory runs: (job, instance, mount point).
EXPECTED = ({("alluxio_master", "lab-master", ""), ("alluxio_job_master", "lab-master", "")}
            | {(job, w, "") for w in WORKERS for job in ("alluxio_worker", "alluxio_job_worker")}
            | {("alluxio_fuse", w, FUSE_MOUNT) for w in WORKERS}
            | {("node", h, "") for h in HOSTS})
PLAYBOOKS_STATUS = PLAYBOOKS / "status.yml"
NO_RESTART = "/run/systemd/system/alluxio-worker.service.d/zz-test-no-restart.conf"


def api(path, server=PROMETHEUS, **params):
    url = f"{server}/api/v1/{path}" + (("?" + urllib.parse.urlencode(params)) if params else "")
    with urllib.request.urlopen(url, timeout=10) as resp:
        body = json.load(resp)
    assert body["status"] == "success", body
    return body["data"]


def query(expr, server=PROMETHEUS):
    return api("query", server=server, query=expr)["result"]


def process(metric):
    return metric["job"], metric["instance"], metric.get("mount_point", "")


def up_processes(server=PROMETHEUS):
    return {process(r["metric"]) for r in query("up == 1", server) if r["metric"]["job"] != "prometheus"}


def alert_state(name, instance):
    states = [a["state"] for a in api("alerts")["alerts"]
              if a["labels"]["alertname"] == name and a["labels"].get("instance") == instance]
    return states[0] if states else "inactive"


@pytest.fixture(scope="module")
def monitored(cluster):
    return cluster


def test_every_inventory_process_is_up_within_60_seconds_of_site_yml(monitored):
    """Read back from Prometheus' own samples: the first second after site.yml returned at which
    every process of the inventory was up (the test itself may run minutes later)."""
    ended = monitored["ended"]

    def first_all_up():
        end = min(time.time(), ended + 60)
        samples = api("query_range", query="up == 1", start=f"{ended:.3f}", end=f"{end:.3f}", step="1")["result"]
        up_at = {}
        for series in samples:
            for stamp, _value in series["values"]:
                up_at.setdefault(float(stamp), set()).add(process(series["metric"]))
        return min((stamp for stamp, up in up_at.items() if EXPECTED <= up), default=None)
    # Waits only when the test runs within a minute of site.yml (alone, not after the others).
    assert wait_for(lambda: first_all_up() is not None or time.time() > ended + 62, 65, interval=1)
    first = first_all_up()
    assert first is not None, sorted(EXPECTED - up_processes())
    print(f"every process up in Prometheus {first - ended:.0f} s after site.yml returned")
    labels = {r["metric"]["instance"]: r["metric"]["alluxio_role"] for r in query('up{job="alluxio_worker"}')}
    assert labels == {w: "worker" for w in WORKERS}


def test_the_rules_are_loaded_and_quiet_on_a_healthy_cluster(monitored):
    rules = [r for g in api("rules")["groups"] for r in g["rules"]]
    assert len(rules) == 11 and all(r["health"] == "ok" for r in rules), rules
    # Right after Prometheus (re)starts, AlluxioNoLeader is pending until the master's first scrape.
    seen = []

    def quiet():
        alerts = api("alerts")["alerts"]
        seen.extend((a["labels"]["alertname"], a["state"]) for a in alerts)
        return not alerts
    assert wait_for(quiet, 60, interval=1), seen[-5:]
    assert [a for a in seen if a[1] == "firing"] == []


def health_samples():
    return {(r["metric"]["host"], r["metric"]["check"]): r["value"][1] for r in query("alluxio_health_check")}


def test_health_checks_show_in_prometheus_and_a_failed_one_fires(monitored):
    """health.yml leaves its checks for each host's node exporter; a failed check (every free-space
    check, with an impossible minimum) fires AlluxioHealthCheckFailed; the next healthy run clears it."""
    playbook(HEALTH)
    assert wait_for(lambda: {h for h, _c in health_samples()} == set(HOSTS), 30, interval=1), health_samples()
    assert set(health_samples().values()) == {"1"}
    assert ("lab-master", "cluster workers live") in health_samples()
    failed = playbook(HEALTH, "-e", "alluxio_health_min_free=1PB", check=False)
    try:
        assert failed.returncode != 0
        space = {key for key in health_samples() if key[1].startswith("free space")}
        assert wait_for(lambda: {k for k, v in health_samples().items() if v == "0"} == space, 30, interval=1), health_samples()
        assert wait_for(lambda: alert_state("AlluxioHealthCheckFailed", "lab-worker1") == "firing", 30, interval=1)
    finally:
        playbook(HEALTH)
    assert wait_for(lambda: alert_state("AlluxioHealthCheckFailed", "lab-worker1") == "inactive", 30, interval=1)


def test_every_dashboard_query_returns_series(monitored):
    # A read through FUSE so that every FUSE and cache figure has samples.
    assert on("lab-worker1", f"cat {FUSE_MOUNT}/default_tests_files/* >/dev/null 2>&1; ls {FUSE_MOUNT} >/dev/null").returncode == 0
    empty = [p["title"] for p in PANELS if not wait_for(lambda p=p: query(p["expr"]), 30, interval=2)]
    assert empty == []


def test_status_prints_the_dashboards_figures(monitored):
    res = playbook(PLAYBOOKS_STATUS, "-e", "alluxio_status_metrics=true")
    figures = res.stdout[res.stdout.index("The dashboard's figures] *"):]
    for title in ("Cluster capacity", "Workers", "FUSE calls per second", "Health checks failing"):
        assert title in figures
    assert "no data" not in figures and "refused" not in figures, figures[:3000]


def test_the_export_on_the_controller_matches_the_monitoring_host(monitored):
    exported = Path.home() / ".alnair-alluxio" / "monitoring" / INVENTORY.name
    jobs = yaml.safe_load((exported / "alnair-alluxio-scrape.yml").read_text())
    assert sorted(j["job_name"] for j in jobs) == sorted({e[0] for e in EXPECTED})
    assert (exported / "alnair-alluxio-alerts.yml").read_text() == on("lab-master", "cat /etc/prometheus/alnair-alluxio-alerts.yml").stdout
    assert len(json.loads((exported / "alnair-alluxio-dashboard.json").read_text())["panels"]) == len(PANELS)


def test_a_killed_worker_fires_its_alert_and_remediate_clears_it(monitored):
    """systemd is told not to restart it (a runtime drop-in, as a unit that gave up would): the
    worker stays lost until remediate.yml starts it."""
    old = main_pid("lab-worker1", "alluxio-worker.service")
    on("lab-worker1", f"mkdir -p $(dirname {NO_RESTART}) && printf '[Service]\\nRestart=no\\n' > {NO_RESTART} && systemctl daemon-reload")
    try:
        killed = time.monotonic()
        assert on("lab-worker1", f"kill -KILL {old}").returncode == 0
        assert wait_for(lambda: alert_state("AlluxioWorkerDown", "lab-worker1") == "pending", 60, interval=1)
        pending = time.monotonic() - killed
        assert wait_for(lambda: alert_state("AlluxioWorkerDown", "lab-worker1") == "firing", 60, interval=1)
        firing = time.monotonic() - killed
        assert pending < firing and firing - pending >= 15  # its for: 20s (lab group_vars), at 5 s evaluations
    finally:
        on("lab-worker1", f"rm -f {NO_RESTART} && systemctl daemon-reload")
    res = playbook(REMEDIATE)
    assert "lab-worker1" in res.stdout and main_pid("lab-worker1", "alluxio-worker.service") not in ("0", old)
    repaired = time.monotonic()
    assert wait_for(lambda: alert_state("AlluxioWorkerDown", "lab-worker1") == "inactive", 60, interval=1)
    print(f"killed worker: alert pending after {pending:.1f} s, firing after {firing:.1f} s, "
          f"inactive {time.monotonic() - repaired:.1f} s after remediate.yml")


def test_a_rule_file_promtool_refuses_changes_nothing(monitored):
    running = api("status/config")["yaml"]
    on_disk = on("lab-master", "sha256sum /etc/prometheus/*.yml").stdout
    broken = {"alluxio_prometheus_extra_rules": {"alnair-alluxio-broken.yml": {
        "groups": [{"name": "mine", "rules": [{"alert": "Broken", "expr": "up =="}]}]}}}
    res = playbook(SITE, "-e", json.dumps(broken), check=False)
    assert res.returncode != 0 and "promtool refused the new configuration; nothing was changed" in res.stdout, res.stdout[-3000:]
    assert "alnair-alluxio-broken.yml" in res.stdout
    assert on("lab-master", "sha256sum /etc/prometheus/*.yml").stdout == on_disk
    assert on("lab-master", "ls /etc/prometheus").stdout.count("alnair-alluxio-broken") == 0
    assert api("status/config")["yaml"] == running


def test_a_new_scrape_configuration_reloads_prometheus_without_a_restart(monitored):
    pid = main_pid("lab-master", "prometheus.service")
    reloaded = float(query("prometheus_config_last_reload_success_timestamp_seconds")[0]["value"][1])
    res = playbook(SITE, "--limit", "lab-master", "-e", "alluxio_prometheus_scrape_interval=6s")
    try:
        assert "RUNNING HANDLER [alnair.alluxio.monitoring : Reload Prometheus]" in res.stdout
        assert "Restart Prometheus" not in res.stdout
        assert main_pid("lab-master", "prometheus.service") == pid
        assert "scrape_interval: 6s" in api("status/config")["yaml"]
        # Prometheus' own figure, seen at its next scrape of itself.
        assert wait_for(lambda: float(query("prometheus_config_last_reload_success_timestamp_seconds")[0]["value"][1]) > reloaded,
                        30, interval=1)
    finally:
        playbook(SITE, "--limit", "lab-master")
    assert "scrape_interval: 5s" in api("status/config")["yaml"] and main_pid("lab-master", "prometheus.service") == pid


def answering(read, server):
    """read(server), or nothing while the server does not listen yet."""
    try:
        return read(server)
    except urllib.error.URLError:
        return set()


OWN = "/var/tmp/alnair-test-own-prometheus"
OWN_UNIT = "alnair-test-own-prometheus.service"
OWN_SERVER = f"http://{ADDRESS['lab-master']}:9091"


def test_a_prometheus_of_ones_own_scrapes_the_cluster_from_the_exported_files(monitored, tmp_path):
    """alluxio_monitoring_external: site.yml leaves the managed Prometheus alone and writes the scrape
    jobs and rules; a second Prometheus (a transient unit on the monitoring host, which the firewall
    admits), configured only from them, scrapes every process and loads every rule."""
    export = tmp_path / "export"
    pid = main_pid("lab-master", "prometheus.service")
    on_disk = on("lab-master", "sha256sum /etc/prometheus/*.yml").stdout
    playbook(SITE, "--limit", "lab-master", "-e", "alluxio_monitoring_external=true", "-e", f"alluxio_monitoring_export_dir={export}")
    assert main_pid("lab-master", "prometheus.service") == pid
    assert on("lab-master", "sha256sum /etc/prometheus/*.yml").stdout == on_disk
    assert sorted(p.name for p in export.iterdir()) == ["alnair-alluxio-alerts.yml", "alnair-alluxio-dashboard.json",
                                                        "alnair-alluxio-scrape.yml"]
    # What the README tells an operator to do: the jobs under scrape_configs, the rules under rule_files.
    config = {"global": {"scrape_interval": "5s", "evaluation_interval": "5s"},
              "rule_files": [f"{OWN}/alnair-alluxio-alerts.yml"],
              "scrape_configs": yaml.safe_load((export / "alnair-alluxio-scrape.yml").read_text())}
    (export / "prometheus.yml").write_text(yaml.safe_dump(config))
    adhoc("lab-master", "ansible.builtin.copy", {"src": f"{export}/", "dest": f"{OWN}/", "mode": "0644"})
    command = ["systemd-run", f"--unit={OWN_UNIT}", "/usr/bin/prometheus", f"--config.file={OWN}/prometheus.yml",
               f"--storage.tsdb.path={OWN}/data", f"--web.listen-address={ADDRESS['lab-master']}:9091"]
    assert on("lab-master", shlex.join(command)).returncode == 0
    try:
        assert wait_for(lambda: EXPECTED <= answering(up_processes, OWN_SERVER), 60, interval=1)
        rules = [r for g in api("rules", server=OWN_SERVER)["groups"] for r in g["rules"]]
        assert len(rules) == 11 and all(r["health"] == "ok" for r in rules)
    finally:
        on("lab-master", f"systemctl stop {OWN_UNIT}; systemctl reset-failed {OWN_UNIT}; rm -rf {OWN}")
