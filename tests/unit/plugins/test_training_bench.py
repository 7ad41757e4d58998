"""Unit tests of the training-read benchmark: the dataset's plan and bytes, shuffled epochs dealt
to readers, a real forked epoch in a temporary directory, the time limit, and the fio agreement."""
import json
import os
import time

import pytest

from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_bench as bench
from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_training as training


def make_dataset(directory, files, size, seed=0):
    os.makedirs(directory, exist_ok=True)
    for index in range(files):
        training.write_sample(str(directory), training.sample_name(index, files), training.sample_bytes(seed, index, size), 0o644)
    training.write_sample(str(directory), training.MANIFEST, json.dumps(training.manifest_for(files, size, seed)).encode(), 0o644)


def test_samples_are_deterministic_and_distinct():
    assert training.sample_bytes(1, 2, 4096) == training.sample_bytes(1, 2, 4096)
    assert training.sample_bytes(1, 2, 4096) != training.sample_bytes(1, 3, 4096)
    assert training.sample_bytes(2, 2, 4096) != training.sample_bytes(1, 2, 4096)
    assert len(training.sample_bytes(0, 0, 131072)) == 131072 and training.sample_bytes(0, 0, 0) == b""
    assert training.sample_name(7, 1000) == "sample-000007.bin"
    assert training.sample_name(7, 10 ** 7) == "sample-0000007.bin"


@pytest.mark.parametrize("setup, files, size, seed, state, write, remove", [
    ("missing", 3, 10, 0, "create", 3, 0),
    ("empty", 3, 10, 0, "create", 3, 0),
    ("same", 3, 10, 0, "ok", 0, 0),
    ("same", 3, 10, 1, "update", 3, 0),      # another seed: every file differs
    ("same", 5, 10, 0, "update", 5, 0),      # more files: the manifest changed, all rewritten
    ("same", 2, 10, 0, "update", 2, 1),      # fewer: the third removed
    ("truncated", 3, 10, 0, "update", 1, 0),  # one file of the wrong size
])
def test_dataset_plan(tmp_path, setup, files, size, seed, state, write, remove):
    directory = tmp_path / "ds"
    if setup == "empty":
        directory.mkdir()
    elif setup in ("same", "truncated"):
        make_dataset(directory, 3, 10)
        if setup == "truncated":
            (directory / training.sample_name(1, 3)).write_bytes(b"x")
    plan = training.dataset_plan(str(directory), files, size, seed)
    assert (plan["state"], len(plan["write"]), len(plan["remove"])) == (state, write, remove)


def test_a_directory_with_other_content_is_not_touched(tmp_path):
    (tmp_path / "photos.tar").write_bytes(b"precious")
    with pytest.raises(bench.BenchError, match="not a dataset this module wrote"):
        training.dataset_plan(str(tmp_path), 3, 10, 0)


def test_write_sample_never_follows_a_planted_link(tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    os.symlink(victim, tmp_path / (".sample-000000.bin.%d.tmp" % os.getpid()))
    with pytest.raises(OSError):
        training.write_sample(str(tmp_path), "sample-000000.bin", b"data", 0o644)
    assert victim.read_bytes() == b"keep"


def test_epochs_are_shuffled_differently_and_dealt_round_robin():
    first, second = training.epoch_order(100, 0, 1), training.epoch_order(100, 0, 2)
    assert sorted(first) == list(range(100)) and first != second and first != list(range(100))
    assert training.epoch_order(100, 0, 1) == first and training.epoch_order(100, 1, 1) != first
    shares = training.split_for_readers(list(range(10)), 4)
    assert shares == [[0, 4, 8], [1, 5, 9], [2, 6], [3, 7]]
    assert training.split_for_readers([1, 2], 4) == [[1], [2], [], []]


def test_an_epoch_reads_every_file_once_with_forked_readers(tmp_path):
    make_dataset(tmp_path, 40, 3000)
    paths = training.list_files(str(tmp_path))
    assert len(paths) == 40 and not any(p.endswith(training.MANIFEST) for p in paths)
    run = training.run_epoch(paths, training.epoch_order(40, 0, 1), 4, time.monotonic() + 60)
    assert run["files"] == 40 and run["bytes"] == 40 * 3000 and len(run["latencies_ns"]) == 40
    assert run["latencies_ns"] == sorted(run["latencies_ns"]) and run["ns"] > 0 and run["cpu_ns"] >= 0
    summary = training.summarize_epoch(1, run, server_cpu_ns=10 ** 6)
    assert summary["samples_per_sec"] == pytest.approx(40 / (run["ns"] / 1e9))
    assert summary["latency_ns"]["p50"] <= summary["latency_ns"]["p99"] <= summary["latency_ns"]["max"]
    assert summary["cpu_ns_per_gib"] == int((run["cpu_ns"] + 10 ** 6) * (1 << 30) / (40 * 3000))
    assert summary["cpu_ns_per_file"] == int((run["cpu_ns"] + 10 ** 6) / run["files"])
    assert training.drop_page_cache(paths) == 40


def test_a_file_that_disappears_fails_the_epoch_with_its_name(tmp_path):
    make_dataset(tmp_path, 4, 100)
    paths = training.list_files(str(tmp_path))
    os.unlink(paths[2])
    with pytest.raises(bench.BenchError, match="No such file"):
        training.run_epoch(paths, [0, 1, 2, 3], 2, time.monotonic() + 60)


def test_readers_past_the_time_limit_are_killed_and_the_epoch_fails(tmp_path):
    fifo = tmp_path / "never-written"
    os.mkfifo(fifo)  # opening it for reading blocks, like a hung mount
    started = time.monotonic()
    with pytest.raises(bench.BenchError, match="1 of 1 readers did not finish"):
        training.run_epoch([str(fifo)], [0], 1, time.monotonic() + 1.5)
    assert time.monotonic() - started < 10


MOUNTINFO = """\
22 1 0:21 / / rw - ext4 /dev/sda1 rw
40 22 0:40 / /mnt/alluxio-fuse rw,nosuid - fuse.alluxio-fuse alluxio-fuse rw
41 22 0:41 / /mnt/alluxio-fuse-ro rw,nosuid - fuse.alluxio-fuse alluxio-fuse ro
"""


@pytest.mark.parametrize("path, mount_point", [
    ("/mnt/alluxio-fuse/datasets/x", "/mnt/alluxio-fuse"),
    ("/mnt/alluxio-fuse-ro/x", "/mnt/alluxio-fuse-ro"),
    ("/mnt/alluxio-fuse", "/mnt/alluxio-fuse"),
    ("/var/tmp/x", "/"),
])
def test_the_mount_holding_a_path(path, mount_point):
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import mount_holding, parse_mountinfo
    assert mount_holding(parse_mountinfo(MOUNTINFO), path)["mount_point"] == mount_point


def test_cpu_of_a_process_from_proc():
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import process_cpu_ns
    before = process_cpu_ns(os.getpid())
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:  # burn 0.2 s of CPU: the count must grow by about that
        pass
    assert process_cpu_ns(os.getpid()) - before >= 0.1e9
    assert process_cpu_ns(2 ** 22 + 1) is None
    # A path on no FUSE mount has no FUSE server.
    assert training.fuse_server_pid("/") is None


@pytest.mark.parametrize("ours, theirs, ratio, verdict", [
    ({"min": 90, "median": 100, "max": 110}, {"min": 95, "median": 100, "max": 105}, 1.0, "agree"),
    ({"min": 100, "median": 109, "max": 120}, {"min": 95, "median": 100, "max": 105}, 1.09, "agree"),
    # apart, and the module's own runs spread 18%: the target moved while they ran
    ({"min": 100, "median": 112, "max": 120}, {"min": 95, "median": 100, "max": 105}, 1.12, "unstable"),
    # apart, and fio's own runs spread 40%
    ({"min": 110, "median": 112, "max": 114}, {"min": 80, "median": 100, "max": 120}, 1.12, "unstable"),
    # apart while each tool agrees with itself within 10%: the tools measure differently
    ({"min": 60, "median": 64, "max": 66}, {"min": 95, "median": 100, "max": 105}, 0.64, "differs"),
    ({"min": 365, "median": 368, "max": 372}, {"min": 210, "median": 214, "max": 219}, 368 / 214.0, "differs"),
    # exactly at the limit still agrees; a spread exactly at the limit is not unstable
    ({"min": 110, "median": 110, "max": 110}, {"min": 95, "median": 100, "max": 105}, 1.1, "agree"),
    ({"min": 115, "median": 120, "max": 127}, {"min": 100, "median": 100, "max": 100}, 1.2, "differs"),
])
def test_two_tools_apart_are_unstable_only_when_their_own_runs_spread(ours, theirs, ratio, verdict):
    found = bench.agreement(ours, theirs)
    assert found["ratio"] == pytest.approx(ratio) and found["verdict"] == verdict
    assert found["unstable"] is (verdict == "unstable")
    assert found["spread"] == pytest.approx(max((ours["max"] - ours["min"]) / ours["median"],
                                                (theirs["max"] - theirs["min"]) / theirs["median"]))
    assert bench.agreement(ours, None) is None


def test_training_mounts_and_targets():
    from ansible_collections.alnair.alluxio.plugins.filter import alluxio as flt
    mounts = flt.alluxio_training_mounts(["dataset", "writable"], "/mnt/alnair-bench", "/alnair-training")
    assert mounts[0] == {"mount_point": "/mnt/alnair-bench-dataset", "alluxio_path": "/alnair-training", "profile": "dataset"}
    with_ufs = flt.alluxio_training_targets(mounts, "/var/tmp/t", "/srv/ufs/alnair-training")
    assert [(t["label"], t["kind"], t["cache"]) for t in with_ufs] == [
        ("alluxio-fuse dataset", "fuse", "keep"), ("alluxio-fuse writable", "fuse", "keep"),
        ("local-disk cold", "local", "drop"), ("local-disk warm", "local", "keep"),
        ("ufs cold", "ufs", "drop"), ("ufs warm", "ufs", "keep")]
    # A host that does not see the root UFS reads the rest.
    assert [t["label"] for t in flt.alluxio_training_targets(mounts, "/var/tmp/t", None)][-1] == "local-disk warm"
    assert flt.alluxio_training_dir({"shape": "small-files", "files": 200, "size": "128KB"}) == "small-files-200x131072"


@pytest.mark.parametrize("mount, options", [
    ({"mount_point": "/mnt/a"}, ["allow_other"]),                                   # no profile: writable
    ({"mount_point": "/mnt/a", "profile": "writable"}, ["allow_other"]),
    ({"mount_point": "/mnt/a", "profile": "dataset"}, ["allow_other", "ro", "kernel_cache"]),
    ({"mount_point": "/mnt/a", "profile": "dataset", "options": ["x"]}, ["x"]),        # options win
    # read_only: true adds ro to whatever the options are; a profile with ro keeps it once
    ({"mount_point": "/mnt/a", "read_only": True}, ["allow_other", "ro"]),
    ({"mount_point": "/mnt/a", "options": ["x"], "read_only": True}, ["x", "ro"]),
    ({"mount_point": "/mnt/a", "profile": "dataset", "read_only": True}, ["allow_other", "ro", "kernel_cache"]),
    ({"mount_point": "/mnt/a", "read_only": False}, ["allow_other"]),
])
def test_a_mount_gets_its_options_from_its_profile(mount, options):
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_checks import mount_options
    profiles = {"writable": ["allow_other"], "dataset": ["allow_other", "ro", "kernel_cache"]}
    assert mount_options(mount, profiles, ["allow_other"]) == options


def test_an_unknown_profile_stops_in_preflight():
    from ansible_collections.alnair.alluxio.plugins.filter import alluxio as flt
    problems = flt.fuse_mounts_problems("w1", [{"mount_point": "/mnt/a", "profile": "fast"}], ["allow_other"], 2,
                                        {"writable": ["allow_other"], "dataset": ["ro"]})
    assert problems == ["w1: alluxio_fuse_mounts[0]: profile 'fast' is not one of alluxio_fuse_profiles (dataset, writable)"]
    assert flt.fuse_mounts_problems("w1", [{"mount_point": "/mnt/a", "profile": "dataset"}], [], 2, {"dataset": ["ro"]}) == []


def fake_proc(root, pid, argv, mountinfo):
    """A /proc with one process (cmdline, stat, status) and the mount table."""
    base = root / str(pid)
    base.mkdir(parents=True)
    (base / "cmdline").write_bytes(b"\0".join(arg.encode() for arg in argv) + b"\0")
    (base / "stat").write_text("%d (java) S 1 1 1 0 -1 0 0 0 0 0 5 3 0 0 20 0 1 0 4242 0 0\n" % pid)
    (base / "status").write_text("Name:\tjava\nUid:\t2001\t2001\t2001\t2001\n")
    (root / "self").mkdir(exist_ok=True)
    (root / "self" / "mountinfo").write_text(mountinfo)


def test_the_fuse_jvm_serving_a_path_is_found_by_its_mount_point(tmp_path):
    fake_proc(tmp_path, 321, ["/usr/bin/java", "-Xmx1g", "-cp", "/etc/alluxio/:x.jar", "alluxio.fuse.AlluxioFuse",
                              "-m", "/mnt/alluxio-fuse-ro", "-o", "ro,kernel_cache"], MOUNTINFO)
    assert training.fuse_server_pid("/mnt/alluxio-fuse-ro/datasets/x", str(tmp_path)) == 321
    assert training.fuse_server_pid("/mnt/alluxio-fuse/x", str(tmp_path)) is None  # a mount no JVM serves
    assert training.fuse_server_pid("/var/tmp/x", str(tmp_path)) is None           # not a FUSE mount


def test_fio_runs_in_turns_with_the_module(tmp_path, monkeypatch):
    """A B A B: after every repetition of the checked block size, one fio turn; none for the others."""
    from ansible_collections.alnair.alluxio.plugins.modules import direct_io_bench
    calls = []
    real = direct_io_bench.transfer
    monkeypatch.setattr(direct_io_bench, "transfer", lambda *a, **k: calls.append("write" if k["write"] else "read") or real(*a, **k))
    monkeypatch.setattr(direct_io_bench, "memory_copy_rate", lambda: 1e10)
    direct_io_bench.measure(str(tmp_path), 1 << 20, [512 << 10, 1 << 20], 2, "off", None,
                            lambda block, direct: calls.append("fio %d" % block) if block == 1 << 20 else None)
    assert calls == ["write", "read", "write", "read",
                     "write", "read", "fio 1048576", "write", "read", "fio 1048576"]


@pytest.mark.parametrize("mount, problem", [
    ({"mount_point": "/mnt/a", "profile": "dataset", "read_only": False}, "read_only is false, but its options have ro (a read-only mount)"),
    ({"mount_point": "/mnt/a", "read_only": "yes"}, "read_only must be true or false, got 'yes'"),
])
def test_a_read_only_that_cannot_hold_stops_in_preflight(mount, problem):
    from ansible_collections.alnair.alluxio.plugins.filter import alluxio as flt
    problems = flt.fuse_mounts_problems("w1", [mount], ["allow_other"], 2, {"dataset": ["allow_other", "ro"]})
    assert problems == ["w1: alluxio_fuse_mounts[0]: " + problem]
