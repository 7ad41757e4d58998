"""Unit tests for the file_set module's logic (on a temporary directory, no Ansible run)."""
import os
import stat

import pytest

from ansible_collections.alnair.alluxio.plugins.modules.file_set import Applier, FileSetError, _validate


def entry(path, **kw):
    base = {"path": str(path), "state": "file", "content": None, "copy_from": None, "src": None, "owner": None,
            "group": None, "mode": None}
    base.update(kw)
    return base


def apply(entries, check_mode=False):
    _validate(entries)
    applier = Applier(check_mode)
    return [applier.apply(e)[0] for e in entries]


def test_creates_then_changes_nothing(tmp_path):
    entries = [
        entry(tmp_path / "d", state="directory", mode="0750"),
        entry(tmp_path / "d" / "f", content="x=1\n", mode="0640"),
        entry(tmp_path / "l", state="link", src=str(tmp_path / "d")),
    ]
    first = apply(entries)
    assert [r["changed"] for r in first] == [True, True, True]
    assert stat.S_IMODE(os.stat(tmp_path / "d").st_mode) == 0o750
    assert stat.S_IMODE(os.stat(tmp_path / "d" / "f").st_mode) == 0o640
    assert (tmp_path / "d" / "f").read_text() == "x=1\n"
    assert os.readlink(tmp_path / "l") == str(tmp_path / "d")
    assert [r["changed"] for r in apply(entries)] == [False, False, False]


def test_check_mode_predicts_and_touches_nothing(tmp_path):
    (tmp_path / "f").write_text("old\n")
    os.symlink("/old", tmp_path / "l")
    results = apply([entry(tmp_path / "f", content="new\n"), entry(tmp_path / "l", state="link", src="/new"),
                     entry(tmp_path / "n", state="directory", owner="no-such-user-here")], check_mode=True)
    assert [r["actions"] for r in results] == [["content"], ["target"], ["created"]]
    assert (tmp_path / "f").read_text() == "old\n"
    assert os.readlink(tmp_path / "l") == "/old"
    assert not (tmp_path / "n").exists()


def test_content_change_keeps_mode_and_mode_change_is_reported(tmp_path):
    target = tmp_path / "f"
    target.write_text("a\n")
    os.chmod(target, 0o600)
    assert apply([entry(target, content="b\n")])[0]["actions"] == ["content"]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert apply([entry(target, content="b\n", mode="0644")])[0]["actions"] == ["mode"]


def test_link_retargets_but_never_replaces_a_directory(tmp_path):
    (tmp_path / "conf").mkdir()
    with pytest.raises(FileSetError, match="is a directory, not a link"):
        apply([entry(tmp_path / "conf", state="link", src="/etc/alluxio")])
    assert (tmp_path / "conf").is_dir()


def test_absent_removes_files_links_and_empty_directories_only(tmp_path):
    (tmp_path / "f").write_text("x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep").write_text("x")
    assert apply([entry(tmp_path / "f", state="absent")])[0]["actions"] == ["removed"]
    assert not (tmp_path / "f").exists()
    assert apply([entry(tmp_path / "f", state="absent")])[0]["changed"] is False
    with pytest.raises(FileSetError, match="not empty"):
        apply([entry(tmp_path / "full", state="absent")])
    assert (tmp_path / "full" / "keep").exists()


@pytest.mark.parametrize("bad,message", [
    ({"path": "relative/f", "content": "x"}, "not absolute"),
    ({"content": None}, "needs content or copy_from"),
    ({"state": "link"}, "needs src"),
    ({"content": "x", "mode": "rw-r--r--"}, "octal mode"),
    ({"content": "x", "mode": "99999"}, "octal mode"),
    ({"state": "directory", "content": "x"}, "only for state=file"),
    ({"content": "x", "copy_from": "/etc/hostname"}, "needs content or copy_from"),
])
def test_bad_entries_fail_before_anything_is_applied(tmp_path, bad, message):
    first = entry(tmp_path / "first", state="directory")
    with pytest.raises(FileSetError, match=message):
        apply([first, entry(bad.pop("path", tmp_path / "x"), **bad)])
    assert not (tmp_path / "first").exists()


def test_copy_from_a_file_on_the_host(tmp_path):
    source = tmp_path / "log4j.properties"
    source.write_text("log4j.rootLogger=INFO\n")
    target = entry(tmp_path / "conf-log4j", copy_from=str(source), mode="0644")
    assert apply([target])[0]["actions"] == ["created"]
    assert (tmp_path / "conf-log4j").read_text() == "log4j.rootLogger=INFO\n"
    assert apply([entry(tmp_path / "conf-log4j", copy_from=str(source), mode="0644")])[0]["changed"] is False
    missing = entry(tmp_path / "x", copy_from=str(tmp_path / "missing"))
    assert apply([missing], check_mode=True)[0]["actions"] == ["created"]
    with pytest.raises(FileSetError, match="cannot read copy_from"):
        apply([entry(tmp_path / "x", copy_from=str(tmp_path / "missing"))])


def test_a_directory_is_never_made_through_a_planted_link(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(str(elsewhere), tmp_path / "data")
    with pytest.raises(FileSetError, match="symbolic link or not a directory: not followed"):
        apply([entry(tmp_path / "data" / "ufs", state="directory")])
    assert list(elsewhere.iterdir()) == []


def test_a_directory_made_meanwhile_by_another_host_is_found_not_an_error(tmp_path, monkeypatch):
    """Two hosts making the same directory on a shared file system (seen on the lab's shared UFS):
    the one that comes second finds it made."""
    from ansible_collections.alnair.alluxio.plugins.modules import file_set

    def other_host_first(path, mode):
        os.mkdir(path, mode)
        return False
    monkeypatch.setattr(file_set, "make_directory_nofollow", other_host_first)
    result = apply([entry(tmp_path / "ufs", state="directory", mode="0755")])[0]
    assert "created" not in result["actions"] and (tmp_path / "ufs").is_dir()
