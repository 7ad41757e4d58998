"""Unit tests for the direct I/O measurement logic (a temporary directory, no Ansible run)."""
import pytest

from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_bench as bench
from ansible_collections.alnair.alluxio.plugins.modules.direct_io_bench import check_target, measure


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
    assert list(tmp_path.iterdir()) == []


def test_a_small_measurement_runs_and_cleans_up(tmp_path):
    ceiling, results = measure(str(tmp_path), 4 << 20, [1 << 20], 2, "auto", None)
    assert ceiling > 0 and len(results) == 1
    entry = results[0]
    assert entry["mode"] in ("direct", "fadvise")
    assert entry["write"]["runs"] == entry["read"]["runs"] == 2
    assert entry["read"]["bytes_per_sec"]["min"] > 0
    assert list(tmp_path.iterdir()) == []
