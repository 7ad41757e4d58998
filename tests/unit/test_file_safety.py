"""File safety: benchmark files never follow or clobber what someone planted; the lab's state
directory must be absolute, and `down` removes only what the lab created."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_bench import ScratchFile, transfer

REPO = Path(__file__).resolve().parents[2]


def test_scratch_names_are_random(tmp_path):
    names = {ScratchFile(str(tmp_path), ".alnair-bench").path for _index in range(20)}
    assert len(names) == 20


def test_a_planted_symlink_is_never_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    scratch = ScratchFile(str(tmp_path), ".alnair-bench")
    os.symlink(victim, scratch.path)  # the attacker guessed the name
    with pytest.raises(FileExistsError):
        transfer(scratch, 4096, 4096, False, write=True)
    assert victim.read_text() == "precious"
    scratch.remove()  # not ours: left alone
    assert os.path.islink(scratch.path) and victim.read_text() == "precious"


def test_only_the_file_it_created_is_removed(tmp_path):
    scratch = ScratchFile(str(tmp_path), ".alnair-bench")
    transfer(scratch, 8192, 4096, False, write=True)
    assert os.path.isfile(scratch.path)
    # Someone replaces it between the measurement and the clean-up.
    os.unlink(scratch.path)
    other = tmp_path / "other"
    other.write_text("not the benchmark's")
    os.symlink(other, scratch.path)
    scratch.remove()
    assert os.path.islink(scratch.path) and other.read_text() == "not the benchmark's"


def test_a_replaced_file_is_not_read_as_the_measurement(tmp_path):
    scratch = ScratchFile(str(tmp_path), ".alnair-bench")
    transfer(scratch, 8192, 4096, False, write=True)
    other = tmp_path / "other"
    other.write_bytes(b"x" * 8192)
    os.replace(other, scratch.path)
    with pytest.raises(Exception, match="was replaced"):
        transfer(scratch, 8192, 4096, False, write=False)


@pytest.mark.parametrize("value", ["", "relative/dir", "/"])
def test_lab_refuses_an_empty_or_relative_state_dir(tmp_path, value):
    keep = tmp_path / "keep"
    keep.write_text("mine")
    res = subprocess.run([sys.executable, str(REPO / "tools" / "lab.py"), "status"], cwd=tmp_path, capture_output=True,
                         text=True, env=dict(os.environ, ALNAIR_LAB_STATE=value), check=False, timeout=60)
    assert res.returncode != 0 and "ALNAIR_LAB_STATE must be an absolute directory" in res.stderr, res
    assert keep.read_text() == "mine"


def test_down_removes_only_the_labs_entries(tmp_path, monkeypatch):
    sys.path.insert(0, str(REPO / "tools"))
    import lab
    state = tmp_path / "state"
    for entry in ("hosts/lab-master", "shared/datasets"):
        (state / entry).mkdir(parents=True)
    (state / "known_hosts").write_text("k")
    (state / "state.json").write_text("{}")
    (state / "notes-of-the-operator.txt").write_text("mine")
    monkeypatch.setattr(lab, "STATE_DIR", state)
    lab.remove_state_dir()
    assert sorted(p.name for p in state.iterdir()) == ["notes-of-the-operator.txt"]
    (state / "notes-of-the-operator.txt").unlink()
    lab.remove_state_dir()
    assert not state.exists()
