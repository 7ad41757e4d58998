"""Unit tests for the collection's module_utils and filters."""
import os

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.alnair.alluxio.plugins.filter import alluxio as filters
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import describe_problems, summarize
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import SizeError, format_size, parse_size


@pytest.mark.parametrize("text,expected", [
    ("100GB", 100 * 2**30), ("62.51GB", int(62.51 * 2**30)), ("512MB", 512 * 2**20), ("1g", 2**30),
    ("64 mb", 64 * 2**20), ("4096", 4096), (1048576, 1048576), ("2TB", 2 * 2**40), ("10B", 10),
])
def test_sizes_parse_like_alluxio(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["lots", "-5GB", "0", "0GB", "", "5 XB", "1.2.3GB", True, -1, "GB"])
def test_bad_sizes_are_refused(text):
    with pytest.raises(SizeError):
        parse_size(text)


def test_format_size():
    assert format_size(100 * 2**30) == "100.00GB"
    assert format_size(512) == "512B"


def test_properties_are_sorted_and_typed():
    text = filters.alluxio_properties({"b": 1, "a": True, "c": None, "d": "x"})
    assert text == "a=true\nb=1\nd=x\n"
    with pytest.raises(AnsibleFilterError):
        filters.alluxio_properties({"a": "x\ny"})


@pytest.mark.parametrize("path,unit", [
    ("/mnt/ramdisk", "mnt-ramdisk.mount"), ("/mnt/ram-disk/", "mnt-ram\\x2ddisk.mount"), ("/", "-.mount"),
    ("/srv/a b", "srv-a\\x20b.mount"),
])
def test_systemd_mount_unit_names(path, unit):
    assert filters.systemd_mount_unit(path) == unit


def test_systemd_mount_unit_needs_absolute_path():
    with pytest.raises(AnsibleFilterError):
        filters.systemd_mount_unit("mnt/ramdisk")


DEFAULTS = {"alluxio_version": "2.9.6", "alluxio_install_root": "/opt/alluxio", "alluxio_worker_mem_size": "1GB",
            "alluxio_memory_reserve": "2GB", "alluxio_master_is_worker": False}


def preflight(groups, hostvars=None):
    hostvars = hostvars or {}
    hosts = set(sum(groups.values(), []))
    full = {h: dict(hostvars.get(h, {})) for h in hosts}
    return filters.alluxio_preflight(full, groups, DEFAULTS)


def test_a_good_inventory_passes():
    assert preflight({"alluxio_masters": ["m"], "alluxio_workers": ["w1", "w2"]},
                     {"w1": {"alluxio_worker_mem_size": "100GB", "ansible_memtotal_mb": 256 * 1024}}) == []


@pytest.mark.parametrize("groups,hostvars,message", [
    ({"alluxio_masters": [], "alluxio_workers": ["w"]}, {}, "group alluxio_masters must have exactly one host, it has 0"),
    ({"alluxio_masters": ["m1", "m2"], "alluxio_workers": ["w"]}, {}, "it has 2: m1, m2"),
    ({"alluxio_masters": ["m"], "alluxio_workers": []}, {}, "group alluxio_workers has no host"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["m"]}, {}, "m is in both alluxio_masters and alluxio_workers"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]}, {"w": {"alluxio_worker_mem_size": "lots"}},
     "w: alluxio_worker_mem_size: 'lots' is not a size"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]}, {"w": {"alluxio_worker_mem_size": "-5GB"}},
     "w: alluxio_worker_mem_size: '-5GB' is not a size"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]}, {"m": {"alluxio_install_root": "opt/alluxio"}},
     "m: alluxio_install_root must be an absolute path, got 'opt/alluxio'"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]}, {"w": {"alluxio_version": "2.9"}},
     "w: alluxio_version '2.9' is not an Alluxio 2.x version"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]},
     {"w": {"alluxio_worker_mem_size": "31GB", "alluxio_host": {"memtotal_mb": 32 * 1024}}},
     "w: alluxio_worker_mem_size 31GB is larger than the host's memory (32768 MiB) minus alluxio_memory_reserve 2GB"),
])
def test_preflight_names_host_and_variable(groups, hostvars, message):
    problems = preflight(groups, hostvars)
    assert any(message in p for p in problems), problems


def test_master_may_be_a_worker_when_asked():
    assert preflight({"alluxio_masters": ["m"], "alluxio_workers": ["m"]}, {"m": {"alluxio_master_is_worker": True}}) == []


@pytest.mark.parametrize("url,path,sha,message", [
    ("", "", "a" * 64, "set exactly one of"),
    ("http://x/a.tgz", "/a.tgz", "a" * 64, "set exactly one of"),
    ("", "rel/a.tgz", "a" * 64, "must be an absolute path"),
    ("", "/a.tgz", "", "alluxio_tarball_sha256 is mandatory"),
    ("", "/a.tgz", "abc", "is not a sha256"),
])
def test_tarball_source_problems(url, path, sha, message):
    assert any(message in p for p in filters.alluxio_tarball_problems(url, path, sha))


def test_expected_workers_use_registered_names_and_sizes():
    hostvars = {"w1": {"alluxio_hostname": "w1.example", "alluxio_worker_mem_size": "100GB"}, "w2": {}}
    assert filters.alluxio_expected_workers(hostvars, ["w1", "w2"], "1GB") == {"w1.example": 100 * 2**30, "w2": 2**30}


INFO = {
    "version": "2.9.6", "uptimeMs": 5, "capacity": {"total": 3, "used": 0}, "mountPoints": {"/": {}},
    "workers": [{"address": {"host": "w1", "rpcPort": 29999}, "state": "ACTIVE", "capacityBytes": 100},
                {"address": {"host": "stray"}, "state": "ACTIVE", "capacityBytes": 5}],
    "lostWorkers": [{"address": {"host": "w3"}, "lastContactSec": 400}],
}


def test_summary_compares_with_the_inventory():
    summary = summarize(INFO, {"w1": 200, "w2": None, "w3": None})
    assert summary["missing_workers"] == ["w2", "w3"]
    assert summary["unintended_workers"] == ["stray"]
    assert summary["capacity_mismatches"] == [{"host": "w1", "expected_bytes": 200, "actual_bytes": 100}]
    assert not summary["healthy"]
    text = "\n".join(describe_problems(summary))
    for part in ("w2 is not registered", "w3 is lost", "stray is registered but not in the inventory", "w1 reports 100 bytes"):
        assert part in text


def test_summary_healthy_and_partial_gate():
    info = dict(INFO, lostWorkers=[])
    assert summarize(info, {"w1": 100}, ignore_unintended=True)["healthy"]
    assert not summarize(info, {"w1": 100})["healthy"]
    assert summarize(info)["healthy"]


def test_a_worker_without_recent_heartbeat_is_stale():
    info = {"workers": [{"address": {"host": "w1"}, "capacityBytes": 100, "lastContactSec": 40}], "lostWorkers": []}
    stale = summarize(info, {"w1": 100}, max_last_contact_sec=10)
    assert stale["stale_workers"] == ["w1"] and not stale["healthy"]
    assert "w1 has sent no heartbeat recently" in describe_problems(stale)[0]
    assert summarize(info, {"w1": 100}, max_last_contact_sec=60)["healthy"]


def test_file_identity_changes_with_any_write(tmp_path):
    target = tmp_path / "alluxio.tar.gz"
    assert filters.file_identity(target) == ""
    target.write_bytes(b"x")
    first = filters.file_identity(target)
    stat = target.stat()
    target.write_bytes(b"y")
    # Same size, mtime forged back: ctime still tells.
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert filters.file_identity(target) != first


def test_hostnames_prefer_alluxio_hostname():
    hostvars = {"a": {"alluxio_hostname": "a.example"}, "b": {}}
    assert filters.alluxio_hostnames(hostvars, ["a", "b"]) == ["a.example", "b"]
