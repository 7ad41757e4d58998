# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Monitoring, decided once: which Alluxio process serves Prometheus metrics where, the scrape
configuration a Prometheus server reads, the alert rules and the queries the dashboard draws.
The configure, fuse, firewall and monitoring roles read it through filters (plugins/filter/monitoring.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_model import LISTEN_PORT_PROPERTIES
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_network import bind_address
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import format_size

# Where every Alluxio 2.9 web server serves its metrics in Prometheus' text format
# (alluxio.web.WebServer adds alluxio.metrics.sink.PrometheusMetricsServlet, context /metrics/prometheus).
METRICS_PATH = "/metrics/prometheus/"
SINK_CLASS = "alluxio.metrics.sink.PrometheusMetricsServlet"
# The processes with a web server, one scrape job each: (process, host kind, job, port property,
# the collection's variable for that port when it has one).
PROCESS_JOBS = (
    ("master", "master", "alluxio_master", "alluxio.master.web.port", "alluxio_master_web_port"),
    ("job_master", "master", "alluxio_job_master", "alluxio.job.master.web.port", None),
    ("worker", "worker", "alluxio_worker", "alluxio.worker.web.port", "alluxio_worker_web_port"),
    ("job_worker", "worker", "alluxio_job_worker", "alluxio.job.worker.web.port", None),
)
FUSE_JOB = "alluxio_fuse"
# node_exporter (Debian's prometheus-node-exporter) on every Alluxio host: the machine's figures and,
# through its textfile collector, health.yml's checks (HEALTH_METRIC).
NODE_JOB = "node"
NODE_METRICS_PATH = "/metrics"
HEALTH_METRIC = "alluxio_health_check"
# Properties of one FUSE process (its own -D options: each mount has its own web port).
FUSE_WEB_ENABLED = "alluxio.fuse.web.enabled"
FUSE_WEB_PORT = "alluxio.fuse.web.port"


def _port(value):
    try:
        port = int(value)
    except (TypeError, ValueError):
        return None
    return port if 0 < port < 65536 else None


def fuse_web_ports(inventory_mounts, base, other_mount_points=()):
    """{mount point: web port} of a host's FUSE mounts. An inventory mount's own web_port, else
    base plus its place in the inventory's list (a removed mount keeps its place while it is listed
    with state absent, so the others keep their ports); mount points outside the inventory (a mount
    remediate.yml puts back as it found it) take the next free ports after those, in name order."""
    ports, problems = {}, []
    mounts = [m for m in (inventory_mounts or []) if isinstance(m, dict) and m.get("mount_point")]
    taken = set(p for p in (_port(m.get("web_port")) for m in mounts) if p)
    start = _port(base) or LISTEN_PORT_PROPERTIES[FUSE_WEB_PORT]
    for index, mount in enumerate(mounts):
        own = _port(mount.get("web_port"))
        ports[mount["mount_point"]] = own if own else start + index
    taken |= set(ports.values())
    candidate = start + len(mounts)
    for mount_point in sorted(set(other_mount_points) - set(ports)):
        while candidate in taken:
            candidate += 1
        ports[mount_point] = candidate
        taken.add(candidate)
    return ports


def fuse_web_problems(host, inventory_mounts, base, other_ports=()):
    """Why the FUSE web ports of a host's mounts cannot all listen: not a port, one port twice,
    or a port another Alluxio server of the host listens on."""
    problems = []
    if _port(base) is None:
        problems.append("%s: alluxio_fuse_web_port %r is not a TCP port (1-65535)" % (host, base))
    mounts = [m for m in (inventory_mounts or []) if isinstance(m, dict) and m.get("mount_point")]
    for mount in mounts:
        if mount.get("web_port") not in (None, "") and _port(mount.get("web_port")) is None:
            problems.append("%s: the web_port of the FUSE mount %s, %r, is not a TCP port (1-65535)"
                            % (host, mount["mount_point"], mount.get("web_port")))
    if problems:
        return problems
    ports = fuse_web_ports(mounts, base)
    seen = {}
    for mount_point, port in sorted(ports.items()):
        if port in seen:
            problems.append("%s: the FUSE mounts %s and %s would both serve metrics on port %d: give one a web_port"
                            % (host, seen[port], mount_point, port))
        seen[port] = mount_point
        if port in set(int(p) for p in other_ports):
            problems.append("%s: the FUSE mount %s would serve metrics on port %d, which another Alluxio server "
                            "of the host listens on: set alluxio_fuse_web_port or the mount's web_port" % (host, mount_point, port))
    return problems


def fuse_web_options(port):
    """The -D options that give one FUSE process its web server (and so its metrics) on port."""
    return ["-D%s=true" % FUSE_WEB_ENABLED, "-D%s=%d" % (FUSE_WEB_PORT, int(port))]


def metrics_ports(site_properties, fuse_ports=(), node_exporter_port=None):
    """The ports a host serves metrics on (its web servers, moved ports followed, its FUSE mounts'
    and its node exporter's): the only ones the firewall opens to the monitoring hosts."""
    ports = set(int(p) for p in fuse_ports)
    if _port(node_exporter_port):
        ports.add(_port(node_exporter_port))
    for _process, _kind, _job, prop, _variable in PROCESS_JOBS:
        ports.add(_port(site_properties.get(prop)) or LISTEN_PORT_PROPERTIES[prop])
    return sorted(ports)


def _host_value(hostvars, host, name, default):
    values = hostvars.get(host, {})
    return values[name] if name in values else default


def _target_address(hostvars, host):
    """Where a host's servers are reached: its bind address, its name when they listen everywhere."""
    values = hostvars.get(host, {})
    address = bind_address(values.get("alluxio_bind_address"), values.get("ansible_host"), host)
    if address in ("0.0.0.0", "::"):
        address = values.get("alluxio_hostname") or host
    return "[%s]" % address if ":" in address else address


def scrape_targets(hostvars, masters, workers, defaults):
    """[{job, instance, address, port, labels}] of every process that serves metrics: the master's
    and job master's on each master, the worker's and job worker's on each worker, one per FUSE mount.
    defaults: the collection's values for hosts that do not set them (alluxio_master_web_port,
    alluxio_worker_web_port, alluxio_fuse_web_port, alluxio_fuse_mounts, alluxio_metrics,
    alluxio_node_exporter, alluxio_node_exporter_port); with node_exporter true (the inventory has
    monitoring hosts, so site.yml runs one), each host's node exporter too."""
    targets = []
    hosts = list(masters) + [w for w in workers if w not in masters]
    for host in hosts:
        properties = _host_value(hostvars, host, "alluxio_site_properties", {}) or {}
        kinds = (["master"] if host in masters else []) + (["worker"] if host in workers else [])
        address = _target_address(hostvars, host)
        for process, kind, job, prop, variable in PROCESS_JOBS:
            if kind not in kinds:
                continue
            port = properties.get(prop)
            if port is None and variable:
                port = _host_value(hostvars, host, variable, defaults.get(variable))
            port = _port(port) or LISTEN_PORT_PROPERTIES[prop]
            targets.append({"job": job, "instance": host, "address": address, "port": port,
                            "labels": {"alluxio_role": process}})
        if not _host_value(hostvars, host, "alluxio_metrics", defaults.get("alluxio_metrics", True)):
            continue
        node_exporter = _host_value(hostvars, host, "alluxio_node_exporter", defaults.get("alluxio_node_exporter", True))
        if defaults.get("node_exporter") and node_exporter:
            port = _host_value(hostvars, host, "alluxio_node_exporter_port", defaults.get("alluxio_node_exporter_port"))
            targets.append({"job": NODE_JOB, "instance": host, "address": address, "port": _port(port) or 9100,
                            "labels": {}})
        mounts = _host_value(hostvars, host, "alluxio_fuse_mounts", defaults.get("alluxio_fuse_mounts", []))
        base = _host_value(hostvars, host, "alluxio_fuse_web_port", defaults.get("alluxio_fuse_web_port"))
        ports = fuse_web_ports(mounts, base)
        for mount in mounts or []:
            if not isinstance(mount, dict) or mount.get("state", "mounted") == "absent":
                continue
            targets.append({"job": FUSE_JOB, "instance": host, "address": address, "port": ports[mount["mount_point"]],
                            "labels": {"alluxio_role": "fuse", "mount_point": mount["mount_point"]}})
    return targets


def prometheus_config(targets, scrape_interval, evaluation_interval, rule_files, self_target=None):
    """prometheus.yml as a dict: one job per process kind, every target labelled with its inventory
    name (instance), its process (alluxio_role) and, for FUSE, its mount point."""
    jobs = []
    paths = dict([(j[2], METRICS_PATH) for j in PROCESS_JOBS] + [(FUSE_JOB, METRICS_PATH), (NODE_JOB, NODE_METRICS_PATH)])
    for job in [j[2] for j in PROCESS_JOBS] + [FUSE_JOB, NODE_JOB]:
        members = [t for t in targets if t["job"] == job]
        if not members:
            continue
        jobs.append({
            "job_name": job,
            "metrics_path": paths[job],
            "static_configs": [
                {"targets": ["%s:%d" % (t["address"], t["port"])],
                 "labels": dict(t["labels"], instance=t["instance"])} for t in members],
        })
    if self_target:
        jobs.append({"job_name": "prometheus", "static_configs": [{"targets": [self_target]}]})
    return {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval},
        "rule_files": list(rule_files),
        "scrape_configs": jobs,
    }


# The names Alluxio 2.9's Prometheus servlet gives the metrics the rules and panels read (seen on
# the lab: Alluxio's dots become underscores). Cluster_* come only from the leading master.
LEADER_ONLY_METRIC = "Cluster_Workers"
# In a quorum the standbys serve their metrics too, with Cluster_* at 0; each master's journal role
# (Ratis: 0 leader, 1 candidate, 2 follower; seen on the lab) tells the leader's series apart. A
# master without the metric (a UFS journal) is kept.
ROLE_METRIC = 'Master_RoleId{job="alluxio_master"}'


def leader_only(expr):
    """expr without the series of masters that do not lead."""
    return "((%s) unless on (instance) (%s != 0))" % (expr, ROLE_METRIC)


JVM_UPTIME_METRIC = "uptime"
# Every alert and what repairs it. {inventory} is the inventory the monitoring host was configured
# from; {{ $labels.x }} is Prometheus' own template (kept as is).
_RUNBOOK_REMEDIATE = "ansible-playbook playbooks/remediate.yml -i {inventory}"
_RUNBOOK_SITE = "ansible-playbook playbooks/site.yml -i {inventory}"
_RUNBOOK_HEALTH = "ansible-playbook playbooks/health.yml -i {inventory}"


def alert_rules(settings):
    """The alert rule groups (a dict for the rules file). settings: workers (the inventory's
    worker count), inventory, worker_for, master_for, capacity_ratio, capacity_for,
    fuse_stall_for, journal_free_percent, restarts_per_hour, journal_type (the master's
    alluxio.master.journal.type: only the EMBEDDED journal reports its disk's free share; a UFS
    journal's local folder is health.yml's space check, which AlluxioHealthCheckFailed reports)."""
    s = dict(settings)
    inventory = s.get("inventory") or "INVENTORY"

    def rule(name, expr, duration, severity, summary, runbook, description):
        return {"alert": name, "expr": expr, "for": duration,
                "labels": {"severity": severity, "alluxio_alert": name},
                "annotations": {"summary": summary, "description": description,
                                "runbook": runbook.format(inventory=inventory)}}

    worker_jobs = 'job=~"alluxio_worker|alluxio_job_worker"'
    # A standby job master serves no web port (2.9 has no standby web for it): a job master's
    # target counts as down only while no job master answers.
    masters_down = ('up{job="alluxio_master"} == 0 or (up{job="alluxio_job_master"} == 0 '
                    'unless on () (max(up{job="alluxio_job_master"}) == 1))')
    rules = [
        rule("AlluxioWorkerDown", 'up{%s} == 0' % worker_jobs, s["worker_for"], "critical",
             "{{ $labels.alluxio_role }} on {{ $labels.instance }} does not answer",
             _RUNBOOK_REMEDIATE + " (restarts it behind its health gate)",
             "Prometheus cannot scrape the {{ $labels.alluxio_role }} of {{ $labels.instance }}: the process is down or hung. "
             "Reads of its cached blocks go to other workers or the under file system."),
        rule("AlluxioWorkersMissing", "%s < %d" % (leader_only(LEADER_ONLY_METRIC), int(s["workers"])), s["worker_for"], "critical",
             "The master sees {{ $value }} of the inventory's %d workers" % int(s["workers"]),
             _RUNBOOK_REMEDIATE + " (starts or restarts the missing ones)",
             "Fewer workers are registered with the leading master than the inventory lists."),
        rule("AlluxioUnexpectedWorker", "%s > %d" % (leader_only(LEADER_ONLY_METRIC), int(s["workers"])), s["worker_for"], "warning",
             "The master sees {{ $value }} workers; the inventory lists %d" % int(s["workers"]),
             _RUNBOOK_REMEDIATE + " (takes a worker outside the inventory out)",
             "A worker the inventory does not list registered with the master: clients may send data to it."),
        rule("AlluxioMasterDown", masters_down, s["master_for"], "critical",
             "{{ $labels.alluxio_role }} on {{ $labels.instance }} does not answer",
             _RUNBOOK_REMEDIATE + " (restarts the master and job master)",
             "Prometheus cannot scrape the {{ $labels.alluxio_role }} of {{ $labels.instance }}: no client can open a file."),
        rule("AlluxioNoLeader", "absent(%s)" % leader_only(LEADER_ONLY_METRIC), s["master_for"], "critical",
             "No Alluxio master leads: none reports the cluster's metrics",
             _RUNBOOK_REMEDIATE,
             "Only the leading master serves the cluster's metrics (a standby's are zero); none has for a while."),
        rule("AlluxioCapacityHigh", "%s > %s" % (leader_only("Cluster_CapacityUsed / Cluster_CapacityTotal"), s["capacity_ratio"]),
             s["capacity_for"], "warning",
             "The cache is {{ $value | humanizePercentage }} full",
             "ansible-playbook playbooks/dataset.yml -i {inventory} (free what is not needed), or raise "
             "alluxio_worker_mem_size and run " + _RUNBOOK_SITE,
             "New reads evict cached blocks: a training epoch may read from the under file system again."),
        rule("AlluxioFuseStalled",
             "rate(Client_Fuse_TotalCalls_count[2m]) == 0 and Client_Fuse_ReadWriteFileCount > 0",
             s["fuse_stall_for"], "critical",
             "FUSE at {{ $labels.mount_point }} on {{ $labels.instance }} answers no call while files are open",
             _RUNBOOK_REMEDIATE + " (mounts it again)",
             "Open files but no FUSE call completed: readers (training jobs) are blocked."),
        rule("AlluxioDataLost", "Master_LostBlockCount > 0 or Master_LostFileCount > 0", "1m", "critical",
             "The master counts {{ $value }} lost {{ if eq $labels.__name__ \"Master_LostFileCount\" }}files{{ else }}blocks{{ end }}",
             _RUNBOOK_HEALTH + " (names the workers), then " + _RUNBOOK_REMEDIATE,
             "Blocks only a lost worker held and no under file system copy: those files cannot be read."),
        rule("AlluxioProcessRestarting", "resets(%s[1h]) > %d" % (JVM_UPTIME_METRIC, int(s["restarts_per_hour"])), "0s",
             "warning",
             "{{ $labels.alluxio_role }} on {{ $labels.instance }} restarted {{ $value }} times in an hour",
             _RUNBOOK_HEALTH + " (reads its journal), then " + _RUNBOOK_REMEDIATE,
             "systemd restarts the process again and again: it dies soon after it starts."),
        rule("AlluxioHealthCheckFailed", "%s == 0" % HEALTH_METRIC, "0s", "warning",
             "health.yml: {{ $labels.check }} on {{ $labels.host }} failed",
             _RUNBOOK_REMEDIATE + " (repairs what a restart or a remount repairs), then " + _RUNBOOK_HEALTH,
             "The last run of health.yml on the host found this check failing (node exporter's textfile; "
             "kind {{ $labels.kind }})."),
    ]
    if str(s.get("journal_type") or "EMBEDDED").upper() == "EMBEDDED":
        rules.insert(7, rule("AlluxioJournalDiskLow",
                             '{__name__=~"Master_JournalFreePercentDevice.+"} < %s' % s["journal_free_percent"],
                             "5m", "critical",
                             "The journal disk of {{ $labels.instance }} has {{ $value | humanize }} % free",
                             "free space on the journal's disk (alluxio_journal_dir), then " + _RUNBOOK_HEALTH,
                             "A full journal disk stops the master: nothing can be written or opened."))
    return {"groups": [{"name": "alnair-alluxio", "rules": rules}]}


# The figures the dashboard draws and status.yml prints: one query each, from the metrics above.
PANELS = (
    {"title": "Cluster capacity", "unit": "bytes", "expr": leader_only("Cluster_CapacityTotal")},
    {"title": "Cluster used", "unit": "bytes", "expr": leader_only("Cluster_CapacityUsed")},
    {"title": "Workers", "unit": "short", "expr": leader_only(LEADER_ONLY_METRIC)},
    {"title": "Bytes read, local", "unit": "bytes", "expr": leader_only("Cluster_BytesReadLocal")},
    {"title": "Bytes read, remote", "unit": "bytes", "expr": leader_only("Cluster_BytesReadRemote")},
    {"title": "Bytes read, under file system", "unit": "bytes", "expr": leader_only("Cluster_BytesReadUfsAll")},
    {"title": "Cache hit rate", "unit": "percentunit", "expr": leader_only("Cluster_CacheHitRate")},
    {"title": "Worker capacity used", "unit": "bytes", "expr": "Worker_CapacityUsed", "legend": "{{instance}}"},
    {"title": "Worker capacity", "unit": "bytes", "expr": "Worker_CapacityTotal", "legend": "{{instance}}"},
    {"title": "FUSE calls per second", "unit": "ops", "expr": "rate(Client_Fuse_TotalCalls_count[1m])",
     "legend": "{{instance}} {{mount_point}}"},
    {"title": "FUSE call latency, p99", "unit": "s", "expr": 'Client_Fuse_TotalCalls{quantile="0.99"}',
     "legend": "{{instance}} {{mount_point}}"},
    {"title": "Master RPCs per second", "unit": "ops", "expr": "rate(Master_TotalRpcs_count[1m])"},
    {"title": "Master RPC latency, p99", "unit": "s", "expr": 'Master_TotalRpcs{quantile="0.99"}'},
    {"title": "Processes up", "unit": "short", "expr": "up", "legend": "{{instance}} {{job}}"},
    {"title": "Health checks failing", "unit": "short", "expr": "sum by (host) (%s == bool 0)" % HEALTH_METRIC,
     "legend": "{{host}}"},
)


def dashboard(title="Alluxio (alnair.alluxio)", uid="alnair-alluxio"):
    """A Grafana dashboard (JSON model) of PANELS, one time series panel each, on a datasource variable."""
    panels = []
    for index, panel in enumerate(PANELS):
        panels.append({
            "id": index + 1, "type": "timeseries", "title": panel["title"],
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"h": 8, "w": 12, "x": (index % 2) * 12, "y": (index // 2) * 8},
            "fieldConfig": {"defaults": {"unit": panel["unit"]}, "overrides": []},
            "targets": [{"refId": "A", "expr": panel["expr"], "legendFormat": panel.get("legend", "")}],
        })
    return {
        "uid": uid, "title": title, "schemaVersion": 38, "version": 1, "editable": True,
        "time": {"from": "now-1h", "to": "now"}, "refresh": "30s", "tags": ["alluxio", "alnair"],
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus"}]},
        "panels": panels,
    }


def _label_value(value):
    """A label value in Prometheus' text format: backslash, double quote and newline escaped."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def health_textfile(host, checks):
    """health.yml's checks of one host as Prometheus text for node exporter's textfile collector:
    one HEALTH_METRIC gauge per check (1 passed, 0 failed), labels host, check, kind. checks:
    host_health's typed records, or the cluster's ({check, kind, ok}). A check named twice is one
    series (node exporter refuses a file with two equal series), failed when any of them failed."""
    series = {}
    for check in checks or []:
        key = (str(host), str(check.get("check", "")), str(check.get("kind", "")))
        series[key] = series.get(key, True) and bool(check.get("ok"))
    lines = ["# HELP %s 1 when the check passed on health.yml's last run on the host, 0 when it failed." % HEALTH_METRIC,
             "# TYPE %s gauge" % HEALTH_METRIC]
    for (name, check, kind), ok in sorted(series.items()):
        lines.append('%s{host="%s",check="%s",kind="%s"} %d'
                     % (HEALTH_METRIC, _label_value(name), _label_value(check), _label_value(kind), 1 if ok else 0))
    return "\n".join(lines) + "\n"


def cluster_health_checks(cluster, quorum=None):
    """The master's view of the cluster (cluster_info's result) as checks for health_textfile: the
    master answers, and the cluster is healthy (every inventory worker live with its capacity); with
    a quorum of masters (journal_quorum's result), whether it has a leader and every member."""
    cluster = cluster or {}
    reachable = bool(cluster.get("reachable"))
    checks = [{"check": "cluster master answers", "kind": "cluster", "ok": reachable},
              {"check": "cluster workers live", "kind": "cluster", "ok": reachable and bool(cluster.get("healthy"))}]
    if quorum and "healthy" in quorum:
        checks.append({"check": "cluster quorum whole", "kind": "cluster", "ok": bool(quorum["healthy"])})
    return checks


def _figure(value, unit):
    """One sample as the terminal shows it, in the panel's unit."""
    if math.isnan(value):  # a rate or a ratio of nothing yet
        return "-"
    if unit == "bytes":
        return format_size(int(value))
    if unit == "percentunit":
        return "%.1f %%" % (value * 100)
    if unit == "ops":
        return "%.2f/s" % value
    if unit == "s":
        return "%.2f ms" % (value * 1000)
    return "%g" % value


def _legend(template, labels):
    text = template or ""
    for name, value in labels.items():
        text = text.replace("{{%s}}" % name, str(value))
    return " ".join(part for part in text.split() if not part.startswith("{{"))


def panel_queries(_ignored=None):
    """{panel title: its query}: what status.yml asks Prometheus for."""
    return dict((panel["title"], panel["expr"]) for panel in PANELS)


def panel_lines(results, errors=None):
    """The dashboard's figures as status.yml prints them, one line per series, from
    prometheus_query's series ({panel title: [{labels, value}]}) and errors ({panel title: why
    Prometheus refused it}); a panel without data says so."""
    lines = []
    for panel in PANELS:
        series = (results or {}).get(panel["title"])
        if (errors or {}).get(panel["title"]):
            lines.append("%-32s %s" % (panel["title"], "refused: " + errors[panel["title"]]))
            continue
        if not series:
            lines.append("%-32s %s" % (panel["title"], "no data"))
            continue
        for sample in sorted(series, key=lambda x: _legend(panel.get("legend"), x.get("labels", {}))):
            legend = _legend(panel.get("legend"), sample.get("labels", {}))
            lines.append("%-32s %-28s %s" % (panel["title"], legend, _figure(float(sample["value"]), panel["unit"])))
    return lines
