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
    differ by more than 10% as UNSTABLE when a tool's own repetitions spread more than 10% too (the
    target moved), and as DIFFERS when each tool agrees with itself (the tools measure differently).
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

from ansible.plugins.callback import CallbackBase
from ansible_collections.alnair.alluxio.plugins.plugin_utils.bench_model import build_report, clean, measured, tool_of
from ansible_collections.alnair.alluxio.plugins.plugin_utils.bench_render import write_reports
from ansible_collections.alnair.alluxio.plugins.plugin_utils.bench_tables import summary_lines

# The report is made in plugins/plugin_utils: bench_model (the data, the JSON file), bench_tables
# (the tables of text), bench_render (Markdown, JSON, HTML). This plugin collects and writes.


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
