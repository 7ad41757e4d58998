# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Read an Alluxio master's REST view of the cluster and compare it with the inventory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.module_utils.urls import open_url
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_model import LOCAL_MASTER_URL, MASTER_WEB_PORT

# Where the collection installs Alluxio (the install role's current link).
DEFAULT_HOME = "/opt/alluxio/current"

MASTER_INFO_PATH = "/api/v1/master/info"


WORKER_INFO_PATH = "/api/v1/worker/info"


def site_properties(text):
    """The key=value pairs of an alluxio-site.properties text (comments and blank lines skipped)."""
    found = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")) and "=" in line:
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip()
    return found


def http_url(host, port):
    """http://host:port, an IPv6 address in brackets."""
    return "http://%s:%s" % ("[%s]" % host if ":" in host else host, port)


def local_master_url(alluxio_home=DEFAULT_HOME):
    """The master this host's own configuration names (alluxio.master.hostname and
    alluxio.master.web.port of <alluxio_home>/conf/alluxio-site.properties, where the collection's
    configure role writes them): it listens there, not on localhost, once bound to its cluster
    address. With a quorum (alluxio.master.rpc.addresses) every master's URL, comma-separated.
    LOCAL_MASTER_URL when the host has no such file."""
    try:
        with open(os.path.join(alluxio_home, "conf", "alluxio-site.properties")) as handle:
            props = site_properties(handle.read())
    except (IOError, OSError):
        return LOCAL_MASTER_URL
    port = props.get("alluxio.master.web.port") or MASTER_WEB_PORT
    quorum = [address.strip().rsplit(":", 1)[0].strip("[]")
              for address in (props.get("alluxio.master.rpc.addresses") or "").split(",") if address.strip()]
    if len(quorum) > 1:
        return ",".join(http_url(host, port) for host in quorum)
    host = props.get("alluxio.master.hostname")
    if not host:
        return LOCAL_MASTER_URL
    return http_url(host, port)


def split_master_urls(master_url):
    """The URLs of a master_url option: one, or a quorum's comma-separated."""
    return [url.strip() for url in (master_url or "").split(",") if url.strip()]


# The status a standby master's REST API answers with (HTTP 500, "Alluxio master is in safe mode").
STANDBY_STATUS = "UNAVAILABLE"


def is_leader(info):
    """Whether a master's /api/v1/master/info comes from the quorum's leader. A standby's REST API
    (alluxio.standby.master.web.enabled) answers UNAVAILABLE, or (seen in an earlier run) with no
    rpcAddress, no capacity and no workers; the leader has both."""
    return bool(info.get("rpcAddress")) and info.get("capacity") is not None


def read_cluster(master_url, timeout=5, fetch=None):
    """(the leader's /api/v1/master/info, every master's answer as [{url, answered, leader, error}]).
    One URL is the master, as it answers. Of several, each is asked in turn (each request bounded
    by timeout) and the leader's answer is returned; IOError when no master leads, naming each."""
    fetch = fetch or fetch_json
    urls = split_master_urls(master_url)
    if len(urls) < 2:
        url = urls[0] if urls else LOCAL_MASTER_URL
        return fetch(url.rstrip("/") + MASTER_INFO_PATH, timeout), [
            {"url": url, "answered": True, "leader": True, "error": None}]
    masters, leader_info = [], None
    for url in urls:
        try:
            info = fetch(url.rstrip("/") + MASTER_INFO_PATH, timeout)
        except AlluxioStatusError as exc:
            # A standby answers UNAVAILABLE ("in safe mode", seen on 2.9.6): it runs, it does not lead.
            standby = exc.status == STANDBY_STATUS
            masters.append({"url": url, "answered": standby, "leader": False, "error": None if standby else str(exc)})
            continue
        except IOError as exc:
            masters.append({"url": url, "answered": False, "leader": False, "error": str(exc)})
            continue
        leads = leader_info is None and is_leader(info)
        leader_info = info if leads else leader_info
        masters.append({"url": url, "answered": True, "leader": leads, "error": None})
    if leader_info is None:
        raise IOError("no master leads the quorum: %s" % "; ".join(
            "%s %s" % (m["url"], "is a standby" if m["answered"] else "does not answer (%s)" % m["error"])
            for m in masters))
    return leader_info, masters


# Each master's metrics servlet, and the gauge of the last journal (Raft log) entry it applied: the
# leader's minus a standby's is how far that standby trails.
METRICS_JSON_PATH = "/metrics/json/"
APPLIED_INDEX_GAUGE = "Master.JournalLastAppliedCommitIndex"


def applied_index(metrics):
    """The applied-index gauge of a master's /metrics/json/ document, or None when it has none."""
    gauges = (metrics or {}).get("gauges") or {}
    for name in sorted(gauges):
        if name == APPLIED_INDEX_GAUGE or name.startswith(APPLIED_INDEX_GAUGE + "."):
            value = (gauges[name] or {}).get("value")
            return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return None


def with_journal_lag(masters, timeout=5, fetch=None):
    """masters (read_cluster's) each with applied_index (None when its metrics cannot be read) and lag:
    the leader's index minus its own (0 for the leader; None when either is unknown)."""
    fetch = fetch or fetch_json
    result = []
    for master in masters:
        index = None
        if master["answered"]:
            try:
                index = applied_index(fetch(master["url"].rstrip("/") + METRICS_JSON_PATH, timeout))
            except IOError:
                index = None
        result.append(dict(master, applied_index=index))
    leader_index = next((m["applied_index"] for m in result if m["leader"]), None)
    for master in result:
        both = leader_index is not None and master["applied_index"] is not None
        master["lag"] = leader_index - master["applied_index"] if both else None
    return result


def fetch_master_info(master_url, timeout=5):
    """The leading master's /api/v1/master/info as a dict (master_url: one URL, or a quorum's
    comma-separated); raise IOError when it cannot be read."""
    return read_cluster(master_url, timeout)[0]


class AlluxioStatusError(IOError):
    """An Alluxio web server answered with an error status of its own (statusCode), for example a
    standby master's UNAVAILABLE: it runs, it does not serve."""

    def __init__(self, message, status):
        IOError.__init__(self, message)
        self.status = status


def fetch_json(url, timeout=5):
    """A JSON document of an Alluxio web server as a dict; raise IOError when it cannot be read
    (AlluxioStatusError when the server answered with an Alluxio status instead)."""
    try:
        response = open_url(url, timeout=timeout, validate_certs=False)
        try:
            return json.loads(response.read().decode("utf-8"))
        finally:
            response.close()
    except HTTPError as exc:
        try:
            answer = json.loads(exc.read().decode("utf-8"))
        except (ValueError, OSError, AttributeError):
            answer = None
        if isinstance(answer, dict) and answer.get("statusCode"):
            raise AlluxioStatusError("cannot read %s: %s %s" % (url, answer["statusCode"], answer.get("message") or ""),
                                     answer["statusCode"])
        raise IOError("cannot read %s: %s" % (url, exc))
    except (URLError, ValueError, OSError) as exc:
        raise IOError("cannot read %s: %s" % (url, exc))


def _worker(entry):
    address = entry.get("address") or {}
    return {
        "host": address.get("host"),
        "rpc_port": address.get("rpcPort"),
        "web_port": address.get("webPort"),
        "state": entry.get("state"),
        "capacity_bytes": entry.get("capacityBytes"),
        "used_bytes": entry.get("usedBytes"),
        "last_contact_sec": entry.get("lastContactSec"),
        "start_time_ms": entry.get("startTimeMs"),
        "version": entry.get("version"),
    }


def summarize(info, expected=None, ignore_unintended=False, max_last_contact_sec=None, masters=None):
    """Facts about the cluster and, given {host: capacity bytes or None}, how it differs.

    healthy means: every expected worker is live, none is lost, no live worker is
    unexpected, every expected capacity (when given) matches what the worker reports, and every
    master of a quorum (masters, read_cluster's) answers: a standby down is a degraded cluster.
    """
    live = [_worker(w) for w in info.get("workers") or []]
    lost = [_worker(w) for w in info.get("lostWorkers") or []]
    result = {
        "version": info.get("version"),
        "start_time_ms": info.get("startTimeMs"),
        "uptime_ms": info.get("uptimeMs"),
        "capacity": info.get("capacity"),
        "tier_capacity": info.get("tierCapacity"),
        "mount_points": sorted((info.get("mountPoints") or {}).keys()),
        "live_workers": sorted(live, key=lambda w: w["host"] or ""),
        "lost_workers": sorted(lost, key=lambda w: w["host"] or ""),
        "missing_workers": [],
        "unintended_workers": [],
        "capacity_mismatches": [],
        "stale_workers": [],
        "masters": list(masters or []),
        "leader_url": next((m["url"] for m in masters or [] if m["leader"]), None),
        "unanswered_masters": [m["url"] for m in masters or [] if not m["answered"]],
    }
    if expected is None:
        result["healthy"] = not (lost or result["unanswered_masters"])
        return result
    live_by_host = dict((w["host"], w) for w in live)
    for host in sorted(expected):
        worker = live_by_host.get(host)
        if worker is None:
            result["missing_workers"].append(host)
        elif max_last_contact_sec is not None and (worker["last_contact_sec"] or 0) > max_last_contact_sec:
            # The master lists a worker as live for minutes after its last heartbeat.
            result["stale_workers"].append(host)
        elif expected[host] is not None and worker["capacity_bytes"] != expected[host]:
            result["capacity_mismatches"].append(
                {"host": host, "expected_bytes": expected[host], "actual_bytes": worker["capacity_bytes"]})
    if not ignore_unintended:
        result["unintended_workers"] = sorted(h for h in live_by_host if h not in expected)
    result["healthy"] = not (result["missing_workers"] or result["unintended_workers"] or result["stale_workers"]
                             or result["capacity_mismatches"] or lost or result["unanswered_masters"])
    return result


def describe_problems(summary):
    """One line per problem, for error messages."""
    lines = []
    for master in summary.get("masters", []):
        if not master["answered"]:
            lines.append("master %s does not answer (the quorum runs without it): %s" % (master["url"], master["error"]))
    for host in summary.get("missing_workers", []):
        lines.append("worker %s is not registered with the master" % host)
    for worker in summary.get("lost_workers", []):
        lines.append("worker %s is lost (no heartbeat for %ss)" % (worker["host"], worker["last_contact_sec"]))
    for host in summary.get("stale_workers", []):
        lines.append("worker %s has sent no heartbeat recently (the master still lists it)" % host)
    for host in summary.get("unintended_workers", []):
        lines.append("worker %s is registered but not in the inventory" % host)
    for item in summary.get("capacity_mismatches", []):
        lines.append("worker %s reports %s bytes, the inventory asks for %s"
                     % (item["host"], item["actual_bytes"], item["expected_bytes"]))
    return lines


WORKER_BLOCKINFO_PATH = "/api/v1/worker/webui_blockinfo"
# Alluxio's persistence state of a file whose every byte is in the under file system.
PERSISTED = "PERSISTED"


def _blocks_here(entry):
    """Bytes of a worker's blockinfo entry held on that worker (its blocks on every tier)."""
    return sum(int(block.get("blockLength") or 0)
               for blocks in (entry.get("blocksOnTier") or {}).values() for block in blocks or [])


def summarize_cached_files(entries, listed_limit):
    """Files with blocks on one worker (the entries of its webui_blockinfo pages): how many, their
    bytes there, and those whose only copy may be here (not PERSISTED: NOT_PERSISTED, TO_BE_PERSISTED
    or LOST), the first listed_limit of them by path."""
    unpersisted = sorted((e for e in entries if e.get("persistenceState") != PERSISTED),
                         key=lambda e: e.get("absolutePath") or "")
    return {
        "files": len(entries),
        "bytes": sum(_blocks_here(e) for e in entries),
        "unpersisted_count": len(unpersisted),
        "unpersisted_bytes": sum(_blocks_here(e) for e in unpersisted),
        "unpersisted": [{"path": e.get("absolutePath"), "state": e.get("persistenceState"), "bytes": _blocks_here(e)}
                        for e in unpersisted[:listed_limit]],
    }


def fetch_cached_files(worker_url, deadline, page_size, clock):
    """Every entry of a worker's webui_blockinfo (the files with blocks on it), a page at a time, each
    request bounded by what is left of the deadline (clock() seconds); IOError when a page cannot be
    read or the deadline passes first."""
    entries, total = [], None
    while total is None or len(entries) < total:
        left = deadline - clock()
        if left <= 0:
            raise IOError("%s did not list its %s files within the time allowed (%d read)"
                          % (worker_url, "?" if total is None else total, len(entries)))
        page = fetch_json("%s%s?offset=%d&limit=%d" % (worker_url.rstrip("/"), WORKER_BLOCKINFO_PATH, len(entries), page_size),
                          timeout=left)
        if page.get("fatalError"):
            raise IOError("%s: %s" % (worker_url, page["fatalError"]))
        total = int(page.get("ntotalFile") or 0)
        infos = page.get("fileInfos") or []
        if not infos and len(entries) < total:
            # The list shrank while it was read (files removed): what is left is what it has.
            break
        entries.extend(infos)
    return entries
