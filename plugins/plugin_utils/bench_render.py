# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The benchmark report's renderers: Markdown, JSON and one self-contained HTML page (a Jinja2
template with autoescaping, bar charts as inline SVG, no script, no external fetch), each a
function of the report model alone; write_reports writes the chosen ones."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from jinja2 import Environment

from ansible_collections.alnair.alluxio.plugins.plugin_utils.bench_model import DIRECTIONS, median_of
from ansible_collections.alnair.alluxio.plugins.plugin_utils.bench_tables import INTRO, all_tables, mbps, size_name

COLOURS = {"read": "#2b6cb0", "write": "#dd6b20"}
PALETTE = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096"]
STYLE = ("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}.chart{margin:1em 0}.errors{color:#b00}")

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Benchmark report</title><style>{{ style }}</style></head><body>
<h1>Benchmark report</h1>
<p>Generated {{ generated }}. {{ intro }}</p>
{% for chart in charts %}<div class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" width="{{ chart.width }}" \
height="{{ chart.height }}" aria-label="{{ chart.title }}"><text x="0" y="16" font-weight="bold">{{ chart.title }}</text>
{% for row in chart.rows %}<text x="0" y="{{ row.y }}" class="target">{{ row.label }}</text>
{% if row.missing %}<text x="{{ chart.left }}" y="{{ row.y }}" font-size="11" fill="#b00">not measured: see Errors</text>
{% endif %}{% for bar in row.bars %}<rect x="{{ chart.left }}" y="{{ bar.y }}" width="{{ bar.width }}" height="{{ bar.height }}" \
fill="{{ bar.colour }}"><title>{{ bar.name }} {{ bar.text }}</title></rect><text x="{{ bar.text_x }}" y="{{ bar.text_y }}" \
font-size="11">{{ bar.name }} {{ bar.text }}</text>
{% endfor %}{% endfor %}</svg></div>
{% endfor %}{% for title, header, rows in tables %}<h2>{{ title }}</h2><table><tr>{% for cell in header %}<th>{{ cell }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}</body></html>
"""


def render_markdown(report):
    lines = ["# Benchmark report", "", "Generated %s. %s" % (report["generated"], INTRO), ""]
    for title, header, rows in all_tables(report):
        lines += ["## " + title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def render_json(report):
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


def bar_chart(title, bars, series=DIRECTIONS, show=mbps):
    """The geometry of a bar chart, for the page's SVG: per label a bar of each series (read and
    write by default). bars: [(label, {series: value or None}, or None for a target that could not
    be measured)]."""
    colours = dict((name, COLOURS.get(name) or PALETTE[i % len(PALETTE)]) for i, name in enumerate(series))
    top = max([rate for _label, rates in bars if rates for rate in rates.values() if rate] or [1])
    # The label column fits the longest label (about 8 px a character at the default font).
    left, width, bar_height, gap = max(120, 8 * max([len(label) for label, _rates in bars] or [0]) + 12), 420, 14, 10
    chart = {"title": title, "left": left, "width": left + width + 110,
             "height": 30 + len(bars) * (len(series) * bar_height + gap) + 20, "rows": []}
    y = 30
    for label, rates in bars:
        row = {"label": label, "y": y + bar_height + 3, "missing": rates is None, "bars": []}
        for offset, name in enumerate(series if rates is not None else ()):
            rate = rates.get(name)
            length = int(width * rate / top) if rate else 0
            top_y = y + offset * bar_height
            row["bars"].append({"name": name, "text": show(rate), "colour": colours[name], "y": top_y, "width": max(length, 1),
                                "height": bar_height - 2, "text_x": left + length + 4, "text_y": top_y + bar_height - 4})
        chart["rows"].append(row)
        y += len(series) * bar_height + gap
    return chart


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
    page = Environment(autoescape=True, keep_trailing_newline=True).from_string(PAGE)
    return page.render(style=STYLE, generated=report["generated"], intro=INTRO, charts=charts(report),
                       tables=all_tables(report))


RENDERERS = {"md": render_markdown, "json": render_json, "html": render_html}
FORMATS = tuple(RENDERERS)


def write_reports(report, directory, formats, stamp):
    """Write the chosen formats; returns their paths."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError("unknown report format(s) %s; known: %s" % (", ".join(unknown), ", ".join(FORMATS)))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    paths = []
    for fmt in formats:
        path = os.path.join(directory, "bench-%s.%s" % (stamp, fmt))
        with open(path, "w") as handle:
            handle.write(RENDERERS[fmt](report))
        paths.append(path)
    return paths
