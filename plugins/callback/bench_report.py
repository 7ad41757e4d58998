# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: bench_report
type: aggregate
short_description: Collect every host's benchmark results into one Markdown, JSON and HTML report
version_added: "0.1.0"
description:
  - Collects the results of M(alnair.alluxio.direct_io_bench), M(alnair.alluxio.fio_bench) and
    M(alnair.alluxio.net_bench) from every host, errors included, and at the end of the run writes
    on the controller a Markdown table shaped like the runbook's (rows are targets; columns are
    read and write), a JSON file with every raw number (bytes, nanoseconds, seconds since the
    epoch; units named in it), and one self-contained HTML page with bar charts (inline SVG, no
    script, no external fetch), per host and across hosts, with ratios to the local-disk baseline.
  - Training reads of M(alnair.alluxio.training_read_bench) get a table per host and dataset shape (a
    row per target and epoch, samples/s, MB/s, latency p50/p99, CPU per GiB, ratios to the same
    epoch of the cold local-disk and cold under-storage reads) and a chart of samples/s per epoch.
  - Where direct_io_bench ran fio in turns, the cross-check table flags a target whose two medians
    differ by more than 10% as UNSTABLE, with the widest spread.
  - Across hosts, a target measured on several hosts at overlapping times is summed as a
    parallel aggregate; measured one at a time, the sum is labelled so.
  - Does nothing in a run without benchmark results. Prints a short summary and the report paths.
  - Enable it in ansible.cfg (C(callbacks_enabled)); the collection's own ansible.cfg does.
author:
  - alnair platform team (@alnair)
requirements:
  - enabled in callbacks_enabled
options:
  output_dir:
    description: Directory of the reports (created when missing); files are named C(bench-<UTC time>.<format>).
    type: path
    default: bench-reports
    env:
      - name: ALNAIR_BENCH_REPORT_DIR
    ini:
      - section: alnair_bench_report
        key: output_dir
  formats:
    description: Which files to write, of C(md), C(json) and C(html).
    type: list
    elements: str
    default: [md, json, html]
    env:
      - name: ALNAIR_BENCH_REPORT_FORMATS
    ini:
      - section: alnair_bench_report
        key: formats
"""

import datetime
import html
import json
import os

from ansible.plugins.callback import CallbackBase

TOOLS = {"direct_io_bench": "io", "fio_bench": "fio", "net_bench": "net", "training_read_bench": "training"}
DIRECTIONS = ("read", "write")
FORMATS = ("md", "json", "html")


def tool_of(task):
    """'io', 'fio', 'net' or 'training' for a task running one of the benchmark modules, else None."""
    name = getattr(task, "resolved_action", None) or task.action or ""
    short = name.rsplit(".", 1)[-1]
    if short in TOOLS and name in (short, "alnair.alluxio." + short):
        return TOOLS[short]
    return None


def clean(data):
    return dict((key, value) for key, value in data.items() if not key.startswith("_") and key not in ("invocation", "item"))


def mbps(rate):
    return "-" if rate is None else "%.1f" % (rate / 1e6)


def size_name(count):
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= factor and count % factor == 0:
            return "%d %s" % (count // factor, unit)
    return "%d B" % count


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


# -- rendering: the tables are built once, as rows, and written as Markdown or HTML ----------------

def host_tables(name, host):
    """(title, header, rows) tables of one host."""
    tables = []
    baseline = next((t["baseline"] for t in host["targets"] if t.get("baseline")), None)
    vs = "vs %s" % baseline if baseline else "vs local (none)"
    blocks = sorted(set(r["block_bytes"] for t in host["targets"] for r in t["results"]))
    for block in blocks:
        rows = []
        for target in host["targets"]:
            result = next((r for r in target["results"] if r["block_bytes"] == block), None)
            if result is None:
                continue
            notes = ["fallback %s: %s" % (result["mode"], result.get("fallback_reason", ""))] if result["mode"] != "direct" else []
            notes += ["IMPLAUSIBLE %s" % why for why in result.get("implausible", [])]
            cells = [target["label"]]
            for direction in DIRECTIONS:
                rate = result[direction]["bytes_per_sec"]
                cells.append("%s [%s-%s]" % (mbps(rate["median"]), mbps(rate["min"]), mbps(rate["max"])))
            for direction in DIRECTIONS:
                ratio = result["vs_baseline"].get(direction)
                cells.append("-" if ratio is None else "%.2fx" % ratio)
            cells.append("%.2f" % (result["cpu_ns_per_gib"] / 1e9) if result.get("cpu_ns_per_gib") is not None else "-")
            cells.append("; ".join(notes))
            rows.append(cells)
        tables.append(("%s: %s blocks" % (name, size_name(block)),
                       ["Target", "Read MB/s median [min-max]", "Write MB/s median [min-max]", "Read " + vs,
                        "Write " + vs, "CPU s per GiB", "Notes"], rows))
    fio_rows = []
    for target in host["targets"]:
        if not (target.get("fio") and target["fio"]["results"]):
            continue
        fio = target["fio"]["results"][0]
        ours = next((r for r in target["results"] if r["block_bytes"] == fio["block_bytes"]), None)
        cells = [target["label"], size_name(fio["block_bytes"]), "in turns" if target["fio"].get("interleaved") else "after"]
        for direction in DIRECTIONS:
            mine, theirs = median_of(ours[direction]) if ours else None, median_of(fio[direction])
            cells += [mbps(mine), mbps(theirs), "%.3f" % (mine / theirs) if mine and theirs else "-"]
        cells.append(agreement_note(fio.get("agreement") or {}))
        fio_rows.append(cells)
    if fio_rows:
        header = ["Target", "Block", "fio ran", "Read (module)", "Read (fio)", "Read ratio", "Write (module)", "Write (fio)",
                  "Write ratio", "Agreement"]
        tables.append(("%s: fio cross-check" % name, header, fio_rows))
    return tables


def agreement_note(agreement):
    """'UNSTABLE read: ...' for each direction whose two tools' medians differ by more than the limit."""
    notes = []
    for direction in DIRECTIONS:
        found = agreement.get(direction)
        if found and found.get("unstable"):
            notes.append("UNSTABLE %s: medians differ %.0f%%, widest spread %.0f%%"
                         % (direction, abs(found["ratio"] - 1) * 100, found["spread"] * 100))
    if notes:
        return "; ".join(notes)
    return "within 10%" if agreement else "-"


def milliseconds(ns):
    return "-" if ns is None else "%.2f" % (ns / 1e6)


def ratio_text(value):
    return "-" if value is None else "%.2fx" % value


def training_tables(name, host):
    """Per dataset shape: a row per target and epoch."""
    tables = []
    for shape in sorted(set(run["shape"] for run in host.get("training", []))):
        rows = []
        for run in host["training"]:
            if run["shape"] != shape:
                continue
            if run["error"]:
                rows.append([run["label"], run["cache"] or "-", "-", "-", "-", "-", "-", "-", "-", "-", "ERROR " + run["error"]])
                continue
            for epoch in run["epochs"]:
                rows.append([run["label"], "cold (page cache dropped)" if run["cache"] == "drop" else "as it is",
                             str(epoch["epoch"]), "%.0f" % epoch["samples_per_sec"], mbps(epoch["bytes_per_sec"]),
                             milliseconds(epoch["latency_ns"]["p50"]), milliseconds(epoch["latency_ns"]["p99"]),
                             "-" if epoch.get("cpu_ns_per_gib") is None else "%.2f" % (epoch["cpu_ns_per_gib"] / 1e9),
                             ratio_text(epoch.get("vs_cold_local")), ratio_text(epoch.get("vs_cold_ufs")), ""])
        runs = [run for run in host["training"] if run["shape"] == shape and not run["error"]]
        about = runs[0] if runs else {}
        title = "%s: training reads, %s (%s files, %s per epoch, %s readers)" % (
            name, shape, about.get("files", "?"), size_name(about["bytes_per_epoch"]) if about.get("bytes_per_epoch") else "?",
            about.get("readers", "?"))
        tables.append((title, ["Target", "Cache", "Epoch", "Samples/s", "MB/s", "p50 ms", "p99 ms", "CPU s per GiB",
                               "vs cold local", "vs cold UFS", "Notes"], rows))
    return tables


def network_table(hosts):
    rows = []
    for name, host in sorted(hosts.items()):
        net = host.get("network")
        if not net:
            continue
        if net.get("error"):
            rows.append([name, "-", "-", "-", "-", "ERROR " + net["error"]])
            continue
        line = net.get("line_rate") or {}
        rows.append([name, net.get("server", "-"), mbps(net.get("bytes_per_sec")), net.get("tool", "-"),
                     "-" if net.get("retransmits") is None else str(net["retransmits"]),
                     "; ".join([line.get("source") or ""] + ["IMPLAUSIBLE " + why for why in net.get("implausible", [])])])
    return ("Network baseline (to the master)", ["Host", "Server", "MB/s", "Tool", "Retransmits", "Line rate"], rows)


def across_table(report):
    rows = [[row["label"], size_name(row["block_bytes"]), row["direction"], str(len(row["hosts"])), row["mode"],
             mbps(row["bytes_per_sec_sum"])] for row in report["across_hosts"]]
    return ("Across hosts", ["Target", "Block", "Direction", "Hosts", "Measured", "Sum of medians MB/s"], rows)


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


def errors_table(report):
    return ("Errors (targets not measured)", ["Host", "Target", "Error"], [list(error) for error in errors(report)])


def all_tables(report):
    tables = []
    for name, host in sorted(report["hosts"].items()):
        tables += host_tables(name, host)
    for name, host in sorted(report["hosts"].items()):
        tables += training_tables(name, host)
    if report["across_hosts"]:
        tables.append(across_table(report))
    for table in (network_table(report["hosts"]), errors_table(report)):
        if table[2]:
            tables.append(table)
    return tables


INTRO = ("Rates in MB/s (10^6 bytes per second): median of the repetitions [min-max], sequential, "
         "direct I/O unless the notes say otherwise. Training reads: whole files in a shuffled order per epoch "
         "by parallel reader processes; cold targets had the files' cached pages dropped (posix_fadvise DONTNEED) "
         "before every epoch. Raw numbers (bytes, nanoseconds) are in the JSON file.")


def render_markdown(report):
    lines = ["# Benchmark report", "", "Generated %s. %s" % (report["generated"], INTRO), ""]
    for title, header, rows in all_tables(report):
        lines += ["## " + title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


COLOURS = {"read": "#2b6cb0", "write": "#dd6b20"}
PALETTE = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096"]


def bar_chart(title, bars, series=DIRECTIONS, show=mbps):
    """Inline SVG: per label a bar of each series (read and write by default). bars: [(label,
    {series: value or None}, or None for a target that could not be measured)]."""
    colours = dict((name, COLOURS.get(name) or PALETTE[i % len(PALETTE)]) for i, name in enumerate(series))
    top = max([rate for _label, rates in bars if rates for rate in rates.values() if rate] or [1])
    # The label column fits the longest label (about 8 px a character at the default font).
    left, width, bar_height, gap = max(120, 8 * max([len(label) for label, _rates in bars] or [0]) + 12), 420, 14, 10
    height = 30 + len(bars) * (len(series) * bar_height + gap) + 20
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" aria-label="%s">'
             % (left + width + 110, height, html.escape(title)),
             '<text x="0" y="16" font-weight="bold">%s</text>' % html.escape(title)]
    y = 30
    for label, rates in bars:
        parts.append('<text x="0" y="%d" class="target">%s</text>' % (y + bar_height + 3, html.escape(label)))
        if rates is None:
            parts.append('<text x="%d" y="%d" font-size="11" fill="#b00">not measured: see Errors</text>' % (left, y + bar_height + 3))
            y += len(series) * bar_height + gap
            continue
        for offset, name in enumerate(series):
            rate = rates.get(name)
            length = int(width * rate / top) if rate else 0
            row = y + offset * bar_height
            parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s</title></rect>'
                         % (left, row, max(length, 1), bar_height - 2, colours[name], html.escape(name), show(rate)))
            parts.append('<text x="%d" y="%d" font-size="11">%s %s</text>' % (left + length + 4, row + bar_height - 4,
                                                                              html.escape(name), show(rate)))
        y += len(series) * bar_height + gap
    parts.append("</svg>")
    return "".join(parts)


def charts(report):
    found = []
    for name, host in sorted(report["hosts"].items()):
        blocks = sorted(set(r["block_bytes"] for t in host["targets"] for r in t["results"]))
        for block in blocks:
            bars = []
            for target in host["targets"]:
                result = next((r for r in target["results"] if r["block_bytes"] == block), None)
                if result:
                    bars.append((target["label"], dict((d, median_of(result[d])) for d in DIRECTIONS)))
                elif target["error"]:
                    bars.append((target["label"], None))
            found.append(bar_chart("%s, %s blocks (MB/s)" % (name, size_name(block)), bars))
    sums = {}
    for row in report["across_hosts"]:
        key = "%s, %s (%s, %d hosts)" % (row["label"], size_name(row["block_bytes"]), row["mode"], len(row["hosts"]))
        sums.setdefault(key, {})[row["direction"]] = row["bytes_per_sec_sum"]
    if sums:
        found.append(bar_chart("Across hosts: sum of medians (MB/s)", sorted(sums.items())))
    for name, host in sorted(report["hosts"].items()):
        for shape in sorted(set(run["shape"] for run in host.get("training", []))):
            runs = [run for run in host["training"] if run["shape"] == shape]
            series = ["epoch %d" % n for n in sorted(set(e["epoch"] for run in runs for e in run["epochs"]))]
            bars = [(run["label"], None if run["error"] else dict(("epoch %d" % e["epoch"], e["samples_per_sec"]) for e in run["epochs"]))
                    for run in runs]
            found.append(bar_chart("%s, training reads of %s (samples/s per epoch)" % (name, shape), bars, series or ["epoch 1"],
                                   show=lambda value: "-" if value is None else "%.0f/s" % value))
    return found


def render_html(report):
    body = ["<h1>Benchmark report</h1>", "<p>Generated %s. %s</p>" % (html.escape(report["generated"]), html.escape(INTRO))]
    body += ['<div class="chart">%s</div>' % chart for chart in charts(report)]
    for title, header, rows in all_tables(report):
        body.append("<h2>%s</h2><table><tr>%s</tr>" % (html.escape(title), "".join("<th>%s</th>" % html.escape(h) for h in header)))
        body += ["<tr>%s</tr>" % "".join("<td>%s</td>" % html.escape(cell) for cell in row) for row in rows]
        body.append("</table>")
    style = ("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}"
             "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}.chart{margin:1em 0}.errors{color:#b00}")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Benchmark report</title>'
            "<style>%s</style></head><body>\n%s\n</body></html>\n" % (style, "\n".join(body)))


def summary_lines(report):
    lines = []
    for name, host in sorted(report["hosts"].items()):
        for target in host["targets"]:
            for result in target["results"]:
                flag = " IMPLAUSIBLE" if result.get("implausible") else ""
                lines.append("%-14s %-16s %-8s read %9s MB/s  write %9s MB/s%s" % (
                    name, target["label"], size_name(result["block_bytes"]), mbps(median_of(result["read"])),
                    mbps(median_of(result["write"])), flag))
        for run in host.get("training", []):
            for epoch in run["epochs"]:
                lines.append("%-14s %-16s epoch %d  %9.0f samples/s  %9s MB/s  p50 %s ms (%s, %s)" % (
                    name, run["label"], epoch["epoch"], epoch["samples_per_sec"], mbps(epoch["bytes_per_sec"]),
                    milliseconds(epoch["latency_ns"]["p50"]), run["shape"], "cold" if run["cache"] == "drop" else "as it is"))
        net = host.get("network")
        if net and not net.get("error"):
            lines.append("%-14s %-16s %-8s %s MB/s (%s)" % (name, "network", "", mbps(net.get("bytes_per_sec")), net.get("tool")))
    lines += ["ERROR %s / %s: %s" % error for error in errors(report)]
    return lines


def measured(report):
    """True when the report holds a number or an error (a check-mode run holds neither)."""
    for host in report["hosts"].values():
        if host.get("network") or any(t["results"] or t["error"] for t in host["targets"]) or any(
                run["epochs"] or run["error"] for run in host.get("training", [])):
            return True
    return False


def write_reports(report, directory, formats, stamp):
    """Write the chosen formats; returns their paths."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError("unknown report format(s) %s; known: %s" % (", ".join(unknown), ", ".join(FORMATS)))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    renderers = {"md": render_markdown, "json": lambda r: json.dumps(r, indent=2, sort_keys=True) + "\n", "html": render_html}
    paths = []
    for fmt in formats:
        path = os.path.join(directory, "bench-%s.%s" % (stamp, fmt))
        with open(path, "w") as handle:
            handle.write(renderers[fmt](report))
        paths.append(path)
    return paths


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "alnair.alluxio.bench_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.records = []

    def _record(self, result, failed):
        tool = tool_of(result._task)
        if tool is None:
            return
        data = result._result
        if tool == "net" and not failed and data.get("bytes_per_sec") is None:
            return  # the server start; the client's result carries the measurement
        item = data.get("item") if isinstance(data.get("item"), dict) else {}
        self.records.append({"host": result._host.get_name(), "tool": tool, "label": item.get("label"),
                             "error": data.get("msg", "failed") if failed else None, "data": clean(data)})

    def v2_runner_on_ok(self, result):
        if not (result._task.loop or result._task.loop_with):
            self._record(result, failed=False)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not (result._task.loop or result._task.loop_with):
            self._record(result, failed=True)

    def v2_runner_item_on_ok(self, result):
        self._record(result, failed=False)

    def v2_runner_item_on_failed(self, result):
        self._record(result, failed=True)

    def v2_playbook_on_stats(self, stats):
        if not self.records:
            return
        now = datetime.datetime.now(datetime.timezone.utc)
        report = build_report(self.records, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self._display.banner("BENCHMARK SUMMARY")
        if not measured(report):
            self._display.display("nothing measured (check mode checks the targets only): no report written")
            return
        for line in summary_lines(report):
            self._display.display(line)
        try:
            paths = write_reports(report, self.get_option("output_dir"), self.get_option("formats"), now.strftime("%Y%m%d-%H%M%S"))
        except (OSError, ValueError) as exc:
            self._display.error("bench_report: no report written: %s" % exc)
            return
        for path in paths:
            self._display.display("report: %s" % path)
