# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The benchmark report's tables, built once as (title, header, rows) of text cells, which the
Markdown and HTML renderers write, and the short summary the callback prints."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.alnair.alluxio.plugins.plugin_utils.bench_model import DIRECTIONS, errors, median_of

INTRO = ("Rates in MB/s (10^6 bytes per second): median of the repetitions [min-max], sequential, "
         "direct I/O unless the notes say otherwise. Training reads: whole files in a shuffled order per epoch "
         "by parallel reader processes; cold targets had the files' cached pages dropped (posix_fadvise DONTNEED) "
         "before every epoch. Raw numbers (bytes, nanoseconds) are in the JSON file.")


def mbps(rate):
    return "-" if rate is None else "%.1f" % (rate / 1e6)


def size_name(count):
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= factor and count % factor == 0:
            return "%d %s" % (count // factor, unit)
    return "%d B" % count


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
    """Per direction whose two tools' medians differ by more than 10%: UNSTABLE when a tool's own
    repetitions spread wider too (the target moved), DIFFERS when each tool agrees with itself
    (a systematic difference between the tools). A record without a verdict (older) is read by its flag."""
    notes = []
    for direction in DIRECTIONS:
        found = agreement.get(direction)
        if not found:
            continue
        verdict = found.get("verdict") or ("unstable" if found.get("unstable") else "agree")
        if verdict == "unstable":
            notes.append("UNSTABLE %s: medians differ %.0f%%, widest spread %.0f%% (the target moved)"
                         % (direction, abs(found["ratio"] - 1) * 100, found["spread"] * 100))
        elif verdict == "differs":
            notes.append("DIFFERS %s: medians differ %.0f%%, each tool within %.0f%% of itself"
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
                rows.append([run["label"], run["cache"] or "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "ERROR " + run["error"]])
                continue
            for epoch in run["epochs"]:
                rows.append([run["label"], "cold (page cache dropped)" if run["cache"] == "drop" else "as it is",
                             str(epoch["epoch"]), "%.0f" % epoch["samples_per_sec"], mbps(epoch["bytes_per_sec"]),
                             milliseconds(epoch["latency_ns"]["p50"]), milliseconds(epoch["latency_ns"]["p99"]),
                             "-" if epoch.get("cpu_ns_per_gib") is None else "%.2f" % (epoch["cpu_ns_per_gib"] / 1e9),
                             milliseconds(epoch.get("cpu_ns_per_file")),
                             ratio_text(epoch.get("vs_cold_local")), ratio_text(epoch.get("vs_cold_ufs")), ""])
        runs = [run for run in host["training"] if run["shape"] == shape and not run["error"]]
        about = runs[0] if runs else {}
        title = "%s: training reads, %s (%s files, %s per epoch, %s readers)" % (
            name, shape, about.get("files", "?"), size_name(about["bytes_per_epoch"]) if about.get("bytes_per_epoch") else "?",
            about.get("readers", "?"))
        tables.append((title, ["Target", "Cache", "Epoch", "Samples/s", "MB/s", "p50 ms", "p99 ms", "CPU s per GiB",
                               "CPU ms per file", "vs cold local", "vs cold UFS", "Notes"], rows))
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
