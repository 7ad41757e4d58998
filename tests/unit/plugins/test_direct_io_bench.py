"""Unit tests for the measurement logic: direct I/O in a temporary directory, fio and iperf3
reports captured from the real tools (fixtures), plain TCP over loopback. No Ansible run."""
import json
import socket
import threading
import time
from pathlib import Path

import pytest

from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_bench as bench
from ansible_collections.alnair.alluxio.plugins.modules.direct_io_bench import measure

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def answers(_path):
    return None


def check_target(path, size, blocks, direct="auto", responds=answers):
    return bench.check_target(path, size, blocks, direct, responds)


def test_percentiles_and_summary():
    values = list(range(1, 101))
    assert [bench.percentile(values, f) for f in (0.5, 0.9, 0.99, 1.0)] == [50, 90, 99, 100]
    assert bench.percentile([], 0.5) is None
    runs = [{"bytes": 10**9, "ns": 10**9, "latencies_ns": [1, 2]}, {"bytes": 10**9, "ns": 2 * 10**9, "latencies_ns": [3]},
            {"bytes": 10**9, "ns": 4 * 10**9, "latencies_ns": [4]}]
    summary = bench.summarize(runs)
    assert summary["bytes_per_sec"] == {"min": 2.5e8, "median": 5e8, "max": 1e9}
    assert summary["latency_ns"]["max"] == 4 and summary["runs"] == 3


def test_impossible_rates_are_flagged_with_a_reason():
    assert bench.plausibility(1e9, memory_copy_rate=8e9) is None
    assert "faster than this host copies memory" in bench.plausibility(235799e6, memory_copy_rate=22e9)
    assert "line rate" in bench.plausibility(2e8, memory_copy_rate=8e9, line_rate=1.17e8)
    assert bench.plausibility(1.17e8, memory_copy_rate=8e9, line_rate=1.17e8) is None


def test_bad_targets_are_refused_before_writing(tmp_path):
    with pytest.raises(bench.BenchError, match="does not exist"):
        check_target(str(tmp_path / "missing"), 1 << 20, [1 << 20])
    with pytest.raises(bench.BenchError, match="larger than the free space"):
        check_target(str(tmp_path), 1 << 60, [1 << 20])
    with pytest.raises(bench.BenchError, match="not a multiple of block size"):
        check_target(str(tmp_path), 3 << 20, [2 << 20])
    with pytest.raises(bench.BenchError, match="not a multiple of 512 bytes, which O_DIRECT needs"):
        check_target(str(tmp_path), 1000 * 1024, [1000])
    check_target(str(tmp_path), 1000 * 1024, [1000], direct="off")
    with pytest.raises(bench.BenchError, match="does not answer .Transport endpoint is not connected.: a stale mount"):
        check_target(str(tmp_path), 1 << 20, [1 << 20], responds=lambda _p: "Transport endpoint is not connected")
    assert list(tmp_path.iterdir()) == []


def test_a_small_measurement_runs_and_cleans_up(tmp_path):
    ceiling, results = measure(str(tmp_path), 4 << 20, [1 << 20], 2, "auto", None)
    assert ceiling > 0 and len(results) == 1
    entry = results[0]
    assert entry["mode"] in ("direct", "fadvise")
    assert entry["write"]["runs"] == entry["read"]["runs"] == 2
    assert entry["read"]["bytes_per_sec"]["min"] > 0
    assert list(tmp_path.iterdir()) == []


def test_fio_reports_parse_into_bytes_and_nanoseconds():
    write = bench.parse_fio((FIXTURES / "fio-3.33-write.json").read_text(), write=True)
    read = bench.parse_fio("fio: a warning before the JSON\n" + (FIXTURES / "fio-3.33-read.json").read_text(), write=False)
    assert write["bytes"] == read["bytes"] == 16 << 20
    assert write["bytes_per_sec"] == 305040290.0 and write["ns"] == 55 * 10**6
    # fio bins its percentiles, so p99 may sit a bin above the exact max.
    assert 0 < write["latency_ns"]["p50"] <= write["latency_ns"]["p99"] and write["latency_ns"]["max"] > 0
    with pytest.raises(bench.BenchError, match="no JSON"):
        bench.parse_fio("fio: command not found", write=True)
    assert bench.fio_command("/d/f", 1 << 20, 4096, True, True)[1:4] == ["--name=alnair", "--filename=/d/f", "--rw=write"]


def test_iperf3_report_parses_to_bytes_per_second():
    found = bench.parse_iperf3((FIXTURES / "iperf3-3.12-client.json").read_text())
    report = json.loads((FIXTURES / "iperf3-3.12-client.json").read_text())
    assert found["bytes_per_sec"] == report["end"]["sum_received"]["bits_per_second"] / 8
    assert found["retransmits"] == 0
    with pytest.raises(bench.BenchError, match="unable to connect"):
        bench.parse_iperf3(json.dumps({"start": {}, "error": "unable to connect to server"}))


def test_plain_tcp_measurement_counts_what_the_sink_received():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    received = []
    sink = threading.Thread(target=lambda: received.append(bench.tcp_sink(port, time.time() + 20)))
    sink.start()
    deadline = time.time() + 5
    while not bench.listening(port) and time.time() < deadline:
        time.sleep(0.05)
    found = bench.tcp_send("127.0.0.1", port, 0.3)
    sink.join(10)
    assert found["bytes"] == received[0] > 0
    assert found["bytes_per_sec"] == found["bytes"] * 1e9 / found["ns"]
    assert not bench.listening(port)


def test_line_rate_only_from_a_physical_link(tmp_path):
    route = "Iface\tDestination\tGateway\neth0\t0000A8C0\t00000000\neno1\t00000000\t0100A8C0\n"
    assert bench.default_route_interface(route) == "eno1"
    (tmp_path / "eno1" / "device").mkdir(parents=True)
    (tmp_path / "eno1" / "speed").write_text("1000\n")
    (tmp_path / "veth0").mkdir()
    (tmp_path / "veth0" / "speed").write_text("10000\n")
    assert bench.line_rate(str(tmp_path), "eno1") == (125e6, "eno1 link speed 1000 Mb/s")
    assert bench.line_rate(str(tmp_path), "veth0") == (None, "veth0 is virtual: no line rate")
    assert bench.line_rate(str(tmp_path), None)[0] is None
