# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Filters for monitoring: metrics ports, FUSE web ports, the Prometheus scrape configuration,
alert rules and the dashboard (all from module_utils/alluxio_monitoring.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible.parsing.yaml.dumper import AnsibleDumper
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_monitoring import (
    SINK_CLASS, alert_rules, cluster_health_checks, dashboard, fuse_web_options, fuse_web_ports, health_textfile, metrics_ports,
    panel_lines, panel_queries, prometheus_config, scrape_targets)


def alluxio_fuse_web_ports(inventory_mounts, base, other_mount_points=()):
    """{mount point: web port} of a host's FUSE mounts (see module_utils/alluxio_monitoring)."""
    return fuse_web_ports(inventory_mounts, base, other_mount_points)


def alluxio_fuse_web_options(port):
    """The -D options of one FUSE process's web server (its metrics) on port."""
    return fuse_web_options(port)


def alluxio_metrics_properties(_ignored=None):
    """metrics.properties: Alluxio's Prometheus servlet sink for every process."""
    return {"sink.prometheus.class": SINK_CLASS}


def alluxio_metrics_ports(site_properties, fuse_ports=(), node_exporter_port=None):
    return metrics_ports(site_properties, fuse_ports, node_exporter_port)


def alluxio_scrape_targets(hostvars, masters, workers, defaults):
    return scrape_targets(hostvars, masters, workers, defaults)


def alluxio_prometheus_config(targets, scrape_interval, evaluation_interval, rule_files, self_target=None):
    return prometheus_config(targets, scrape_interval, evaluation_interval, rule_files, self_target)


def alluxio_alert_rules(settings):
    return alert_rules(settings)


def alluxio_dashboard(_ignored=None):
    return dashboard()


def alluxio_rule_files(rule_files):
    """{file name: rule file as data} -> {file name: its YAML text} (alluxio_prometheus_extra_rules)."""
    return dict((name, yaml.dump(content, Dumper=AnsibleDumper, default_flow_style=False, width=1000))
                for name, content in (rule_files or {}).items())


class FilterModule(object):
    """alnair.alluxio monitoring filters."""

    def filters(self):
        return {
            "alluxio_fuse_web_ports": alluxio_fuse_web_ports,
            "alluxio_fuse_web_options": alluxio_fuse_web_options,
            "alluxio_metrics_properties": alluxio_metrics_properties,
            "alluxio_metrics_ports": alluxio_metrics_ports,
            "alluxio_scrape_targets": alluxio_scrape_targets,
            "alluxio_prometheus_config": alluxio_prometheus_config,
            "alluxio_alert_rules": alluxio_alert_rules,
            "alluxio_dashboard": alluxio_dashboard,
            "alluxio_rule_files": alluxio_rule_files,
            # (host, checks) -> the textfile health.yml leaves for node exporter.
            "alluxio_health_textfile": health_textfile,
            # cluster_info's result -> checks for alluxio_health_textfile.
            "alluxio_cluster_health_checks": cluster_health_checks,
            # The dashboard's queries, {title: expr}, for prometheus_query.
            "alluxio_panel_queries": panel_queries,
            # prometheus_query's results -> the lines status.yml prints.
            "alluxio_panel_lines": panel_lines,
        }
