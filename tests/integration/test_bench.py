"""bench.yml on the deployed lab cluster: every worker measures Alluxio FUSE and its local disk
(direct I/O, fio cross-check) and the network to the master; bad targets fail alone; the
callback writes the Markdown, JSON and HTML report; Chromium renders the page offline."""
import json
import subprocess
import textwrap

import pytest

from labkit import REPO, on, playbook

BENCH = REPO / "playbooks" / "bench.yml"
WORKERS = ["lab-worker1", "lab-worker2"]
GOOD = ["alluxio-fuse", "local-disk"]
# The training scenario, small: 200 samples of 128 KiB and two 8 MiB shards, two epochs.
TRAINING = {"alluxio_bench_training": True, "alluxio_bench_training_small_files": 200, "alluxio_bench_training_shards": 2,
            "alluxio_bench_training_shard_size": "8MB", "alluxio_bench_training_epochs": 2}
TRAINING_TARGETS = ["alluxio-fuse dataset", "alluxio-fuse writable", "local-disk cold", "local-disk warm", "ufs cold", "ufs warm"]
# worker1 also gets one target for each bad input of the issue.
BAD = {
    "missing": ("/var/tmp/bench-missing", "does not exist"),
    "read-only": ("/var/tmp/bench-ro", "is not writable"),
    "too-small": ("/var/tmp/bench-small", "larger than the free space"),
    "unaligned": ("/var/tmp/alnair-bench", "not a multiple of 512 bytes"),
    "stale-fuse": ("/mnt/bench-stale", "does not answer (Transport endpoint is not connected)"),
}
# A FUSE mount whose daemon is gone: mount with an open /dev/fuse, then close it unanswered.
STALE = textwrap.dedent("""
    import ctypes, os
    os.makedirs("/mnt/bench-stale", exist_ok=True)
    fd = os.open("/dev/fuse", os.O_RDWR)
    opts = ("fd=%d,rootmode=40000,user_id=0,group_id=0" % fd).encode()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(b"stale", b"/mnt/bench-stale", b"fuse", 0, opts) != 0:
        raise OSError(ctypes.get_errno(), "mount")
    os.close(fd)
""")


@pytest.fixture(scope="module")
def report(cluster, tmp_path_factory):
    setup = on("lab-worker1", "mkdir -p /var/tmp/bench-ro /var/tmp/bench-small && "
                              "mount -t tmpfs -o ro,size=1m tmpfs /var/tmp/bench-ro && "
                              "mount -t tmpfs -o size=16m tmpfs /var/tmp/bench-small && "
                              f"python3 -c '{STALE}' && ! stat /mnt/bench-stale")
    assert setup.returncode == 0, setup.stderr
    targets = [{"label": "alluxio-fuse", "path": "/mnt/alluxio-fuse/bench/lab-worker1", "kind": "fuse", "create": True},
               {"label": "local-disk", "path": "/var/tmp/alnair-bench", "kind": "local", "create": True}]
    targets += [{"label": label, "path": path, "kind": "fuse" if "fuse" in label else "other"}
                for label, (path, _why) in BAD.items()]
    targets[[t["label"] for t in targets].index("unaligned")]["block_sizes"] = ["1000B"]
    out = tmp_path_factory.mktemp("bench")
    # Only worker1 takes the extra targets: host_vars of a second inventory source (the test's own).
    extra = tmp_path_factory.mktemp("inventory")
    (extra / "host_vars").mkdir()
    (extra / "host_vars" / "lab-worker1.yml").write_text("---\nalluxio_bench_targets: " + json.dumps(targets) + "\n")
    try:
        res = playbook(BENCH, "-i", str(extra), "-e", "alluxio_bench_repetitions=2", "-e", json.dumps(TRAINING),
                       env={"ALNAIR_BENCH_REPORT_DIR": str(out)})
    finally:
        on("lab-worker1", "umount -l /mnt/bench-stale; umount /var/tmp/bench-ro /var/tmp/bench-small")
    files = {path.suffix: path for path in out.iterdir()}
    return {"output": res.stdout, "files": files, "json": json.loads(files[".json"].read_text())}


def test_three_report_files_are_written(report):
    assert set(report["files"]) == {".md", ".json", ".html"}
    for path in report["files"].values():
        assert f"report: {path}" in report["output"]


def test_every_worker_measured_fuse_and_local_disk_with_fio_and_network(report):
    hosts = report["json"]["hosts"]
    for host in WORKERS:
        targets = {t["label"]: t for t in hosts[host]["targets"]}
        for label in GOOD:
            target = targets[label]
            assert target["error"] is None, target["error"]
            assert sorted(r["block_bytes"] for r in target["results"]) == [512 << 10, 1 << 20]
            for result in target["results"]:
                for direction in ("read", "write"):
                    rates = result[direction]["bytes_per_sec"]
                    assert 0 < rates["min"] <= rates["median"] <= rates["max"] < target["memory_copy_bytes_per_sec"]
                    assert result[direction]["runs"] == 2
                assert result["implausible"] == []
            assert target["fio"]["results"][0]["read"]["bytes_per_sec"]["median"] > 0
            # fio ran in turns with the module, and the two are compared.
            assert target["fio"]["interleaved"] and set(target["fio"]["results"][0]["agreement"]) == {"read", "write"}
        assert targets["local-disk"]["results"][0]["vs_baseline"]["read"] == 1.0
        network = hosts[host]["network"]
        assert network["tool"] == "iperf3" and network["bytes_per_sec"] > 0
    across = [row for row in report["json"]["across_hosts"] if row["label"] == "alluxio-fuse"]
    assert across and all(row["mode"] == "parallel" and len(row["hosts"]) == 2 for row in across)


def test_training_reads_of_every_target_per_epoch(report):
    """Each worker read both datasets through a FUSE mount of each profile, the local disk and the
    UFS, cold and warm; every epoch read every file; the run's FUSE mounts are gone afterwards."""
    for host in WORKERS:
        runs = report["json"]["hosts"][host]["training"]
        for shape, files in (("small-files", 200), ("shards", 2)):
            found = {run["label"]: run for run in runs if run["shape"] == shape}
            assert sorted(found) == sorted(TRAINING_TARGETS), (host, shape, sorted(found))
            for label, run in found.items():
                assert run["error"] is None, (host, label, run["error"])
                assert [e["epoch"] for e in run["epochs"]] == [1, 2] and run["readers"] == 4
                for epoch in run["epochs"]:
                    assert epoch["files"] == files and epoch["samples_per_sec"] > 0
                    assert epoch["latency_ns"]["p50"] <= epoch["latency_ns"]["p99"]
                    assert epoch["vs_cold_local"] is not None and epoch["vs_cold_ufs"] is not None
            assert found["alluxio-fuse dataset"]["cache"] == "keep" and found["local-disk cold"]["cache"] == "drop"
        assert on(host, "findmnt /mnt/alnair-bench-dataset || findmnt /mnt/alnair-bench-writable").returncode != 0
    text = report["files"][".md"].read_text()
    assert "## lab-worker1: training reads, small-files (200 files, 25 MiB per epoch, 4 readers)" in text


def test_each_bad_target_has_its_own_error(report):
    targets = {t["label"]: t for t in report["json"]["hosts"]["lab-worker1"]["targets"]}
    for label, (_path, why) in BAD.items():
        assert why in (targets[label]["error"] or ""), (label, targets[label]["error"])
        assert not targets[label]["results"]
    for label, (_path, why) in BAD.items():
        assert f"ERROR lab-worker1 / {label}: " in report["output"]


def test_markdown_table_is_shaped_like_the_runbook(report):
    text = report["files"][".md"].read_text()
    assert "| Target | Read MB/s median [min-max] | Write MB/s median [min-max] | Read vs local-disk |" in text
    for label in GOOD:
        assert f"| {label} | " in text
    assert "## Errors (targets not measured)" in text and "## Network baseline" in text


def test_html_page_renders_every_target_in_chromium_without_fetching(report, tmp_path):
    page = report["files"][".html"]
    netlog = tmp_path / "netlog.json"
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
         f"--log-net-log={netlog}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True).stdout
    for label in GOOD + list(BAD):
        assert f">{label}<" in dom, label
    assert dom.count("<svg") >= 5 and "Across hosts" in dom
    for label in TRAINING_TARGETS:
        assert f">{label}<" in dom, label
    assert "training reads of small-files (samples/s per epoch)" in dom and "training reads of shards" in dom
    # Requests the page made (Chromium's own background requests carry another isolation key).
    log = json.loads(netlog.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    fetched = [e["params"]["url"] for e in log["events"]
               if e["type"] == start_job and "file://" in e["params"].get("network_isolation_key", "")
               and not e["params"]["url"].startswith("file:")]
    assert fetched == []


def test_check_mode_checks_the_targets_and_writes_no_report(report, tmp_path):
    res = playbook(BENCH, "--check", env={"ALNAIR_BENCH_REPORT_DIR": str(tmp_path / "out")})
    assert "nothing measured (check mode checks the targets only): no report written" in res.stdout
    assert not (tmp_path / "out").exists()
