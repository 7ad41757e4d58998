# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The benchmark report as plain data (what its JSON file holds): built from the results of the
benchmark modules that the bench_report callback collected, with the ratios and sums derived once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

TOOLS = {"direct_io_bench": "io", "fio_bench": "fio", "net_bench": "net", "training_read_bench": "training"}
DIRECTIONS = ("read", "write")


def tool_of(task):
    """'io', 'fio', 'net' or 'training' for a task running one of the benchmark modules, else None."""
    name = getattr(task, "resolved_action", None) or task.action or ""
    short = name.rsplit(".", 1)[-1]
    if short in TOOLS and name in (short, "alnair.alluxio." + short):
        return TOOLS[short]
    return None


def clean(data):
    return dict((key, value) for key, value in data.items() if not key.startswith("_") and key not in ("invocation", "item"))


def median_of(side):
    return side["bytes_per_sec"]["median"] if side else None


def build_report(records, generated):
    """The whole report as plain data (what the JSON file holds). records: dicts with host, tool,
    error and data, in the order the results arrived."""
    hosts = {}
    for rec in records:
        host = hosts.setdefault(rec["host"], {"targets": [], "network": None, "training": []})
        data = rec["data"]
        if rec["tool"] == "net":
            host["network"] = {"error": rec["error"]} if rec["error"] else data
            continue
        if rec["tool"] == "training":
            host["training"].append(training_entry(rec))
            continue
        target = data.get("target") or {}
        label = target.get("label") or rec.get("label") or "?"
        entry = next((t for t in host["targets"] if t["label"] == label), None)
        if entry is None:
            entry = {"label": label, "path": target.get("path"), "kind": target.get("kind", "other"),
                     "remote": target.get("remote", False), "error": None, "results": [], "fio": None}
            host["targets"].append(entry)
        if rec["error"]:
            entry["error"] = entry["error"] or rec["error"]
        elif rec["tool"] == "fio":
            entry["fio"] = {"version": data.get("fio_version"), "results": data.get("results", [])}
        else:
            for key in ("size_bytes", "memory_copy_bytes_per_sec", "line_rate", "started", "ended", "seconds"):
                entry[key] = data.get(key)
            entry["results"] = data.get("results", [])
            check = data.get("cross_check")
            if check:
                entry["fio"] = {"version": check.get("version"), "interleaved": True, "results": [check]}
    for host in hosts.values():
        add_baseline_ratios(host["targets"])
        add_training_ratios(host["training"])
    return {"generated": generated,
            "units": {"bytes_per_sec": "bytes per second", "latency_ns": "nanoseconds", "size_bytes": "bytes",
                      "started/ended": "seconds since the epoch", "cpu_ns_per_gib": "CPU nanoseconds per GiB moved",
                      "cpu_ns_per_file": "CPU nanoseconds per file read (the readers and the FUSE process)",
                      "samples_per_sec": "files read whole per second"},
            "hosts": hosts, "across_hosts": across_hosts(hosts)}


def training_entry(rec):
    """One training_read_bench run (or its error) of a host."""
    data = rec["data"]
    target = data.get("target") or {}
    return {"label": target.get("label") or rec.get("label") or "?", "path": target.get("path"),
            "kind": target.get("kind", "other"), "shape": target.get("shape", "small-files"),
            "cache": target.get("cache"), "readers": data.get("readers"), "files": data.get("files"),
            "bytes_per_epoch": data.get("bytes_per_epoch"), "list_seconds": data.get("list_seconds"),
            "epochs": data.get("epochs") or [], "started": data.get("started"), "ended": data.get("ended"),
            "error": rec["error"]}


# The baselines of the training reads: the same files read cold from the local disk and the under storage.
TRAINING_BASELINES = (("local", "vs_cold_local"), ("ufs", "vs_cold_ufs"))


def add_training_ratios(runs):
    """Each epoch's samples/s as a ratio to the same epoch of the cold local-disk and cold UFS reads
    of the same dataset shape."""
    for run in runs:
        for kind, key in TRAINING_BASELINES:
            base = next((r for r in runs if r["kind"] == kind and r["cache"] == "drop" and r["shape"] == run["shape"]
                         and r["epochs"]), None)
            for epoch in run["epochs"]:
                same = next((e for e in base["epochs"] if e["epoch"] == epoch["epoch"]), None) if base else None
                epoch[key] = (epoch["samples_per_sec"] / same["samples_per_sec"]
                              if same and same.get("samples_per_sec") and epoch.get("samples_per_sec") else None)


def add_baseline_ratios(targets):
    """Each result's median as a ratio to the host's local-disk baseline (the first local target)."""
    baseline = next((t for t in targets if t["kind"] == "local" and t["results"]), None)
    for target in targets:
        target["baseline"] = baseline["label"] if baseline else None
        for result in target["results"]:
            result["vs_baseline"] = {}
            base = next((r for r in baseline["results"] if r["block_bytes"] == result["block_bytes"]), None) if baseline else None
            for direction in DIRECTIONS:
                if base and median_of(base[direction]):
                    result["vs_baseline"][direction] = median_of(result[direction]) / median_of(base[direction])


def across_hosts(hosts):
    """Per target label, block size and direction: the sum of the hosts' medians, and whether the
    hosts ran at the same time (their measurement intervals all overlap) or one at a time."""
    grouped = {}
    for name, host in sorted(hosts.items()):
        for target in host["targets"]:
            if target["results"]:
                grouped.setdefault(target["label"], []).append((name, target))
    rows = []
    for label, members in grouped.items():
        starts = [t.get("started") or 0 for _name, t in members]
        ends = [t.get("ended") or 0 for _name, t in members]
        if len(members) == 1:
            mode = "single host"
        else:
            mode = "parallel" if max(starts) < min(ends) else "one at a time"
        blocks = sorted(set(r["block_bytes"] for _name, t in members for r in t["results"]))
        for block in blocks:
            for direction in DIRECTIONS:
                per_host = {}
                for name, target in members:
                    for result in target["results"]:
                        if result["block_bytes"] == block:
                            per_host[name] = median_of(result[direction])
                rows.append({"label": label, "block_bytes": block, "direction": direction, "mode": mode,
                             "hosts": sorted(per_host), "bytes_per_sec_sum": sum(per_host.values()),
                             "bytes_per_sec_by_host": per_host})
    return rows


def errors(report):
    """(host, target label, message) of every target that could not be measured."""
    found = []
    for name, host in sorted(report["hosts"].items()):
        for target in host["targets"] + host.get("training", []):
            if target["error"]:
                message = target["error"]
                if message.startswith(target["label"] + ": "):
                    message = message[len(target["label"]) + 2:]
                found.append((name, target["label"], message))
    return found


def measured(report):
    """True when the report holds a number or an error (a check-mode run holds neither)."""
    for host in report["hosts"].values():
        if host.get("network") or any(t["results"] or t["error"] for t in host["targets"]) or any(
                run["epochs"] or run["error"] for run in host.get("training", [])):
            return True
    return False
