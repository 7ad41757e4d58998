# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Filters for monitoring: metrics ports, FUSE web ports, the Prometheus scrape configuration,
alert rules and the dashboard (all from module_utils/alluxio_monitoring.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_model import LISTEN_PORT_PROPERTIES
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_monitoring import (
    METRICS_PATH, PANELS, PROCESS_JOBS, SINK_CLASS, alert_rules, dashboard, fuse_web_options, fuse_web_ports,
    fuse_web_problems, prometheus_config, scrape_targets)


def alluxio_fuse_web_ports(inventory_mounts, base, other_mount_points=()):
    """{mount point: web port} of a host's FUSE mounts (see module_utils/alluxio_monitoring)."""
    return fuse_web_ports(inventory_mounts, base, other_mount_points)


def alluxio_fuse_web_options(port):
    """The -D options of one FUSE process's web server (its metrics) on port."""
    return fuse_web_options(port)


def alluxio_fuse_web_problems(inventory_mounts, host, base, other_ports=()):
    return fuse_web_problems(host, inventory_mounts, base, other_ports)


def alluxio_metrics_properties(_ignored=None):
    """metrics.properties: Alluxio's Prometheus servlet sink for every process."""
    return {"sink.prometheus.class": SINK_CLASS}


def alluxio_metrics_ports(site_properties, fuse_ports=()):
    """The ports this host serves metrics on (its web servers and its FUSE mounts'): the only ones
    the firewall opens to the monitoring hosts."""
    ports = set(int(p) for p in fuse_ports)
    for _process, _kind, _job, prop, _variable in PROCESS_JOBS:
        ports.add(int(site_properties.get(prop, LISTEN_PORT_PROPERTIES[prop])))
    return sorted(ports)


def alluxio_scrape_targets(hostvars, masters, workers, defaults):
    return scrape_targets(hostvars, masters, workers, defaults)


def alluxio_prometheus_config(targets, scrape_interval, evaluation_interval, rule_files, self_target=None):
    return prometheus_config(targets, scrape_interval, evaluation_interval, rule_files, self_target)


def alluxio_alert_rules(settings):
    return alert_rules(settings)


def alluxio_dashboard(_ignored=None):
    return dashboard()


def alluxio_dashboard_panels(_ignored=None):
    return [dict(p) for p in PANELS]


def alluxio_metrics_path(_ignored=None):
    return METRICS_PATH


class FilterModule(object):
    """alnair.alluxio monitoring filters."""

    def filters(self):
        return {
            "alluxio_fuse_web_ports": alluxio_fuse_web_ports,
            "alluxio_fuse_web_options": alluxio_fuse_web_options,
            "alluxio_fuse_web_problems": alluxio_fuse_web_problems,
            "alluxio_metrics_properties": alluxio_metrics_properties,
            "alluxio_metrics_ports": alluxio_metrics_ports,
            "alluxio_scrape_targets": alluxio_scrape_targets,
            "alluxio_prometheus_config": alluxio_prometheus_config,
            "alluxio_alert_rules": alluxio_alert_rules,
            "alluxio_dashboard": alluxio_dashboard,
            "alluxio_dashboard_panels": alluxio_dashboard_panels,
            "alluxio_metrics_path": alluxio_metrics_path,
        }
