"""The bench_report callback: results of several hosts become one report (data, Markdown, HTML),
errors included; parallel runs are told from runs one at a time."""
import json

import pytest

from ansible_collections.alnair.alluxio.plugins.plugin_utils import bench_model, bench_render, bench_tables

MB = 1e6


def side(median, low=None, high=None):
    return {"bytes_per_sec": {"min": low or median, "median": median, "max": high or median},
            "latency_ns": {"p50": 1, "p90": 2, "p99": 3, "max": 4}, "runs": 3}


def io(label, kind, read, write, started, ended, block=1 << 20, **extra):
    result = {"block_bytes": block, "mode": "direct", "read": side(read), "write": side(write),
              "cpu_ns_per_gib": 250000000, "implausible": []}
    result.update(extra)
    return {"target": {"label": label, "path": "/x/" + label, "kind": kind, "remote": False}, "size_bytes": 1 << 26,
            "memory_copy_bytes_per_sec": 8e9, "results": [result], "started": started, "ended": ended,
            "line_rate": {"bytes_per_sec": None, "source": "local target"}}


def records(second_start):
    """Two workers measured FUSE and local disk; worker2 started at second_start."""
    found = []
    for host, start in (("w1", 100.0), ("w2", second_start)):
        found.append({"host": host, "tool": "io", "label": "alluxio-fuse", "error": None,
                      "data": io("alluxio-fuse", "fuse", 400 * MB, 200 * MB, start, start + 10)})
        found.append({"host": host, "tool": "io", "label": "local-disk", "error": None,
                      "data": io("local-disk", "local", 200 * MB, 100 * MB, start + 10, start + 20)})
    found.append({"host": "w1", "tool": "fio", "label": "local-disk", "error": None,
                  "data": {"target": {"label": "local-disk"}, "fio_version": "fio-3.33",
                           "results": [{"block_bytes": 1 << 20, "mode": "direct", "read": side(210 * MB), "write": side(100 * MB)}]}})
    found.append({"host": "w1", "tool": "io", "label": "nfs", "error": "nfs: /mnt/nfs does not exist or is not a directory",
                  "data": {"target": {"label": "nfs", "path": "/mnt/nfs", "kind": "nfs"}}})
    found.append({"host": "w2", "tool": "io", "label": "<b>odd</b>", "error": "bad | input", "data": {}})
    found.append({"host": "w1", "tool": "net", "label": None, "error": None,
                  "data": {"tool": "iperf3", "server": "10.0.0.1", "bytes_per_sec": 117 * MB, "retransmits": 3,
                           "line_rate": {"bytes_per_sec": 125e6, "source": "eno1 link speed 1000 Mb/s"}, "implausible": []}})
    found.append({"host": "w2", "tool": "net", "label": None, "error": "network to 10.0.0.1: refused", "data": {}})
    return found


def test_report_holds_every_host_with_ratios_to_the_local_disk():
    report = bench_model.build_report(records(101.0), "2026-11-24T00:00:00Z")
    w1 = {t["label"]: t for t in report["hosts"]["w1"]["targets"]}
    assert w1["alluxio-fuse"]["results"][0]["vs_baseline"] == {"read": 2.0, "write": 2.0}
    assert w1["local-disk"]["fio"]["version"] == "fio-3.33"
    assert w1["nfs"]["error"].endswith("does not exist or is not a directory") and w1["nfs"]["results"] == []
    assert report["hosts"]["w2"]["network"] == {"error": "network to 10.0.0.1: refused"}
    assert report["units"]["bytes_per_sec"] == "bytes per second"
    json.dumps(report)  # the JSON file is this, as is


def test_parallel_runs_are_summed_and_runs_one_at_a_time_are_labelled():
    parallel = bench_model.build_report(records(101.0), "t")["across_hosts"]
    fuse_read = next(r for r in parallel if r["label"] == "alluxio-fuse" and r["direction"] == "read")
    assert fuse_read["mode"] == "parallel" and fuse_read["hosts"] == ["w1", "w2"]
    assert fuse_read["bytes_per_sec_sum"] == 800 * MB
    alone = bench_model.build_report(records(500.0), "t")["across_hosts"]
    assert {r["mode"] for r in alone} == {"one at a time"}


def test_markdown_has_the_runbook_table_the_cross_check_and_the_errors():
    text = bench_render.render_markdown(bench_model.build_report(records(101.0), "t"))
    assert "| Target | Read MB/s median [min-max] | Write MB/s median [min-max] | Read vs local-disk |" in text
    assert "| alluxio-fuse | 400.0 [400.0-400.0] | 200.0 [200.0-200.0] | 2.00x | 2.00x | 0.25 |  |" in text
    assert "| local-disk | 1 MiB | after | 200.0 | 210.0 | 0.952 | 100.0 | 100.0 | 1.000 | - |" in text
    assert "| w1 | nfs | /mnt/nfs does not exist or is not a directory |" in text
    assert "| w2 | <b>odd</b> | bad / input |" in text
    assert "| w2 | - | - | - | - | ERROR network to 10.0.0.1: refused |" in text
    assert "| w1 | 10.0.0.1 | 117.0 | iperf3 | 3 | eno1 link speed 1000 Mb/s |" in text


def test_fio_in_turns_is_compared_and_an_unstable_target_is_flagged():
    rec = records(101.0)
    check = {"tool": "fio", "version": "fio-3.33", "block_bytes": 1 << 20, "mode": "direct",
             "read": side(300 * MB, 250 * MB, 330 * MB), "write": side(190 * MB),
             "agreement": {"read": {"ratio": 400 / 300.0, "unstable": True, "spread": 0.2, "verdict": "unstable"},
                           "write": {"ratio": 200 / 190.0, "unstable": False, "spread": 0.0, "verdict": "agree"}}}
    rec[0]["data"]["cross_check"] = check
    report = bench_model.build_report(rec, "t")
    fuse = next(t for t in report["hosts"]["w1"]["targets"] if t["label"] == "alluxio-fuse")
    assert fuse["fio"] == {"version": "fio-3.33", "interleaved": True, "results": [check]}
    text = bench_render.render_markdown(report)
    assert ("| alluxio-fuse | 1 MiB | in turns | 400.0 | 300.0 | 1.333 | 200.0 | 190.0 | 1.053 | "
            "UNSTABLE read: medians differ 33%, widest spread 20% (the target moved) |") in text
    rec[0]["data"]["cross_check"]["agreement"]["read"].update(verdict="differs", spread=0.05, unstable=False)
    assert ("| DIFFERS read: medians differ 33%, each tool within 5% of itself |"
            in bench_render.render_markdown(bench_model.build_report(rec, "t")))
    rec[0]["data"]["cross_check"]["agreement"]["read"].update(verdict="agree", ratio=1.05)
    assert "| within 10% |" in bench_render.render_markdown(bench_model.build_report(rec, "t"))
    # a record of an earlier release (no verdict) is read by its flag
    del rec[0]["data"]["cross_check"]["agreement"]["read"]["verdict"]
    rec[0]["data"]["cross_check"]["agreement"]["read"]["unstable"] = True
    assert "UNSTABLE read" in bench_render.render_markdown(bench_model.build_report(rec, "t"))


def test_implausible_and_fallback_results_are_flagged_not_reported_as_facts():
    rec = records(101.0)
    rec[0]["data"] = io("alluxio-fuse", "fuse", 235799 * MB, 200 * MB, 100, 110, mode="fadvise",
                        fallback_reason="the file system refuses O_DIRECT",
                        implausible=["read: 235799000000 B/s is faster than this host copies memory"])
    text = bench_render.render_markdown(bench_model.build_report(rec, "t"))
    assert "fallback fadvise: the file system refuses O_DIRECT; IMPLAUSIBLE read: 235799000000 B/s" in text
    assert "IMPLAUSIBLE" in "\n".join(bench_tables.summary_lines(bench_model.build_report(rec, "t")))


def test_html_is_self_contained_and_escaped(tmp_path):
    page = bench_render.render_html(bench_model.build_report(records(101.0), "t"))
    assert "&lt;b&gt;odd&lt;/b&gt;" in page and "<b>odd</b>" not in page
    assert "<script" not in page and "src=" not in page and "href=" not in page and "@import" not in page
    assert page.count("<svg") == 3  # w1, w2 and across hosts
    paths = bench_render.write_reports(bench_model.build_report(records(101.0), "t"), str(tmp_path / "out"), ["md", "json", "html"], "stamp")
    assert [p.rsplit("/", 1)[1] for p in paths] == ["bench-stamp.md", "bench-stamp.json", "bench-stamp.html"]
    with pytest.raises(ValueError, match="unknown report format"):
        bench_render.write_reports({}, str(tmp_path), ["pdf"], "stamp")


class Task:
    def __init__(self, action, loop=None):
        self.action = self.resolved_action = action
        self.loop, self.loop_with = loop, None


def test_only_the_benchmark_modules_are_collected():
    assert bench_model.tool_of(Task("alnair.alluxio.direct_io_bench")) == "io"
    assert bench_model.tool_of(Task("fio_bench")) == "fio"
    assert bench_model.tool_of(Task("other.collection.direct_io_bench")) is None
    assert bench_model.tool_of(Task("ansible.builtin.command")) is None


def test_a_check_mode_run_measured_nothing():
    checked = [{"host": "w1", "tool": "io", "label": "local-disk", "error": None,
                "data": {"target": {"label": "local-disk", "path": "/x"}, "size_bytes": 1, "msg": "target checked, nothing measured"}}]
    assert not bench_model.measured(bench_model.build_report(checked, "t"))
    assert bench_model.measured(bench_model.build_report(records(101.0), "t"))


def epoch(number, rate, p50=2000000):
    return {"epoch": number, "files": 100, "bytes": 100 << 17, "ns": int(100 / rate * 1e9), "samples_per_sec": rate,
            "bytes_per_sec": rate * (1 << 17), "latency_ns": {"p50": p50, "p90": p50, "p99": 2 * p50, "max": 3 * p50},
            "cpu_ns_per_gib": 3 * 10 ** 9, "cpu_ns_per_file": 2500000, "server_cpu_ns": None}


def training(label, kind, cache, rates, shape="small-files", error=None):
    data = {} if error else {"target": {"label": label, "path": "/d/" + label, "kind": kind, "shape": shape, "cache": cache},
                             "readers": 4, "files": 100, "bytes_per_epoch": 100 << 17, "list_seconds": 0.1,
                             "epochs": [epoch(n + 1, rate) for n, rate in enumerate(rates)], "started": 1.0, "ended": 2.0}
    return {"host": "w1", "tool": "training", "label": label, "error": error, "data": data}


def test_training_reads_get_a_table_per_shape_with_ratios_to_the_cold_reads_and_a_chart():
    rec = [training("fuse-dataset", "fuse", "keep", [500, 5000]), training("local cold", "local", "drop", [1000, 1000]),
           training("ufs cold", "ufs", "drop", [250, 500]), training("shards-fuse", "fuse", "keep", [4], shape="shards"),
           training("broken", "fuse", "keep", [], error="broken: epoch 1: 1 of 4 readers did not finish")]
    report = bench_model.build_report(rec, "t")
    runs = {run["label"]: run for run in report["hosts"]["w1"]["training"]}
    assert [e["vs_cold_local"] for e in runs["fuse-dataset"]["epochs"]] == [0.5, 5.0]
    assert [e["vs_cold_ufs"] for e in runs["fuse-dataset"]["epochs"]] == [2.0, 10.0]
    assert runs["shards-fuse"]["epochs"][0]["vs_cold_local"] is None  # no cold local read of shards
    text = bench_render.render_markdown(report)
    assert "## w1: training reads, small-files (100 files, 12800 KiB per epoch, 4 readers)" in text
    assert "| fuse-dataset | as it is | 2 | 5000 | 655.4 | 2.00 | 4.00 | 3.00 | 2.50 | 5.00x | 10.00x |  |" in text
    assert "| local cold | cold (page cache dropped) | 1 | 1000 |" in text
    assert "| w1 | broken | epoch 1: 1 of 4 readers did not finish |" in text
    page = bench_render.render_html(report)
    assert "training reads of small-files (samples/s per epoch)" in page and "epoch 2 5000/s" in page
    assert "training reads of shards" in page
    assert bench_model.measured(report)
    assert any("fuse-dataset" in line and "5000 samples/s" in line for line in bench_tables.summary_lines(report))
    checked = training("fuse-dataset", "fuse", "keep", [])
    assert not bench_model.measured(bench_model.build_report([checked], "t"))  # check mode: listed, nothing read


def test_each_part_of_the_report_stands_alone():
    """The model is plain data, the tables are text, each renderer needs only the model."""
    report = bench_model.build_report(records(101.0), "t")
    assert json.loads(bench_render.render_json(report)) == json.loads(json.dumps(report))
    tables = bench_tables.all_tables(report)
    assert tables and all(isinstance(cell, str) for _title, header, rows in tables for row in [header] + rows for cell in row)
    chart = bench_render.bar_chart("<t>", [("a&b", {"read": 2e8, "write": None}), ("gone", None)])
    assert chart["rows"][1]["missing"] and chart["rows"][1]["bars"] == []
    assert [drawn["width"] for drawn in chart["rows"][0]["bars"]] == [420, 1]
    page = bench_render.render_html(dict(report, generated="<now>"))
    assert "&lt;now&gt;" in page and "<now>" not in page
