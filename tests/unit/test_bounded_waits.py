"""Every wait on a path ends within its bound (issue 22, item 7).

The path that never answers is a FIFO: opening it for reading blocks until a writer comes, and
none does, as a read or a listing blocks in a FUSE mount whose daemon stopped answering. Each
test checks that the call returns (fails, naming the path) within its bound plus a little.
"""
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_host as host
from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_training as training
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_bench import BenchError, ScratchFile, fio_passes

SLACK = 3.0  # seconds a bounded call may take past its bound on a busy 2-core machine


@pytest.fixture
def never_answers(tmp_path):
    path = tmp_path / "hung"
    os.mkfifo(str(path))
    return str(path)


def block_on(path):
    """Open path for reading: blocks for good on a FIFO nobody writes."""
    with open(path, "rb") as stream:
        return len(stream.read())


def within(seconds, call, *args):
    started = time.monotonic()
    try:
        return call(*args)
    finally:
        assert time.monotonic() - started < seconds + SLACK


def test_a_call_that_hangs_is_ended_at_its_bound(never_answers):
    with pytest.raises(host.Unanswered, match="reading %s did not finish within 1 s" % never_answers):
        within(1, host.call_with_deadline, block_on, (never_answers,), 1, "reading %s" % never_answers)


def test_a_call_that_answers_returns_its_result_and_its_errors(tmp_path):
    (tmp_path / "f").write_bytes(b"abc")
    assert host.call_with_deadline(block_on, (str(tmp_path / "f"),), 5, "reading f") == 3
    with pytest.raises(OSError) as err:
        host.call_with_deadline(block_on, (str(tmp_path / "missing"),), 5, "reading missing")
    assert err.value.filename == str(tmp_path / "missing")


def test_a_command_that_hangs_is_killed_and_never_waited_for(never_answers):
    assert within(1, host.run_with_deadline, ["cat", never_answers], 1) == (None, "", "")
    assert host.run_with_deadline(["echo", "ok"], 5) == (0, "ok\n", "")


def test_listing_a_dataset_that_hangs(never_answers, monkeypatch):
    """training_read_bench lists through call_with_deadline: a listing that blocks ends at the bound."""
    monkeypatch.setattr(training.os, "walk", lambda _directory: block_on(never_answers))
    with pytest.raises(host.Unanswered, match="listing /data did not finish within 1 s"):
        within(1, host.call_with_deadline, training.list_files, ("/data", 0), 1, "listing /data")


def test_dropping_the_cache_of_a_file_that_hangs(never_answers):
    with pytest.raises(host.Unanswered, match="did not finish within 1 s"):
        within(1, host.call_with_deadline, training.drop_page_cache, ([never_answers],), 1, "dropping the cached pages")


def test_an_epoch_whose_readers_hang_ends_at_its_deadline(never_answers):
    """The readers are killed and not waited for (one blocked in a hung FUSE read could not be reaped)."""
    with pytest.raises(BenchError, match="1 of 1 readers did not finish before the time limit"):
        within(1, training.run_epoch, [never_answers], [0], 1, time.monotonic() + 1)


def test_a_fio_pass_that_hangs_fails_naming_the_target(tmp_path, never_answers):
    fio = tmp_path / "fio"   # stands for fio blocked in a read of a hung mount
    fio.write_text("#!/bin/sh\nexec cat %s\n" % never_answers)
    fio.chmod(fio.stat().st_mode | stat.S_IXUSR)
    target = tmp_path / "target"
    target.mkdir()
    scratch = ScratchFile(str(target), ".t")
    try:
        with pytest.raises(BenchError, match="fio's write pass on %s did not finish in time" % target):
            within(1, fio_passes, lambda argv: host.run_with_deadline(argv, 1), str(fio), scratch, 4096, 4096, False, 1)
    finally:
        scratch.remove()  # as fio_bench and direct_io_bench do
    assert os.listdir(str(target)) == []  # its private directory went with it


def test_a_mount_point_that_hangs_stops_fuse_mount(never_answers, monkeypatch):
    from ansible_collections.alnair.alluxio.plugins.modules import fuse_mount
    monkeypatch.setattr(fuse_mount, "point_situation", lambda mount_point, owner: block_on(never_answers))
    monkeypatch.setattr(fuse_mount, "QUICK_TIMEOUT", 1)
    mount = fuse_mount.FuseMount.__new__(fuse_mount.FuseMount)
    mount.mount_point = "/mnt/alluxio-fuse"
    with pytest.raises(fuse_mount.FuseError, match="reading the mount point /mnt/alluxio-fuse did not finish within 1 s"):
        within(1, mount.point_situation, "root")


def test_the_mount_point_situation_is_read_as_before(tmp_path):
    from ansible_collections.alnair.alluxio.plugins.modules import fuse_mount
    assert fuse_mount.point_situation(str(tmp_path / "none"), None) == {
        "exists": False, "is_dir": False, "empty": True, "owner_ok": True}
    st = os.stat(str(tmp_path))
    assert fuse_mount.point_situation(str(tmp_path), (st.st_uid, st.st_gid))["owner_ok"] is True
    assert fuse_mount.point_situation(str(tmp_path), (st.st_uid + 1, st.st_gid))["owner_ok"] is False


def test_the_dataset_sample_read_ends_at_its_bound(tmp_path, never_answers):
    """dataset.yml's own task file, run by Ansible: a sample file that never answers fails the run
    within dataset_verify_timeout, naming the mount."""
    repo = Path(__file__).resolve().parents[2]
    play = tmp_path / "play.yml"
    play.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "vars": {"_dataset_sample": [os.path.basename(never_answers)], "_dataset_fuse_path": str(tmp_path),
                 "dataset_verify_timeout": 3},
        "tasks": [{"ansible.builtin.include_tasks": str(repo / "roles" / "dataset" / "tasks" / "read_sample.yml")}]}]))
    started = time.monotonic()
    try:
        # The ansible-core under test: the running interpreter's venv (tests/lint runs this tier on each release).
        out = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(play)],
                             capture_output=True, text=True, timeout=120, cwd=str(repo), check=False)
    finally:
        release(never_answers)
    assert out.returncode != 0
    assert "did not finish within 3 s" in out.stdout and str(tmp_path) in out.stdout, out.stdout[-2000:]
    assert time.monotonic() - started < 60  # Ansible's own start included


def release(fifo):
    """Let whatever still blocks on the FIFO go (a writer opens and closes it: the reader sees its end)."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass  # nobody is reading it any more


def test_a_direct_io_measurement_that_hangs_ends_at_its_bound(tmp_path, never_answers, monkeypatch):
    """direct_io_bench's own passes run in a child: one blocked in the target fails at the module's timeout."""
    from ansible_collections.alnair.alluxio.plugins.modules import direct_io_bench
    monkeypatch.setattr(direct_io_bench, "transfer", lambda *_a, **_k: block_on(never_answers))
    with pytest.raises(host.Unanswered, match="measuring %s did not finish within 1 s" % tmp_path):
        within(1, direct_io_bench.measure_bounded, 1, str(tmp_path), 1 << 20, [1 << 20], 1, "off", None)
