"""The FUSE JVM's size from the host: the decision (table-driven), preflight and the role's filter."""
import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.alnair.alluxio.plugins.filter import alluxio as filters
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_model import fuse_jvm_sizing, jvm_size_mib


@pytest.mark.parametrize("memtotal,entries,heap,direct,want_heap,want_direct,problem", [
    # auto: twice the live heap (24 MiB + 1,221 B per entry), steps of 64 MiB, at least 256m
    (24105, 200000, "auto", "auto", "576m", "1472m", None),
    (24105, 0, "auto", "auto", "256m", "1472m", None),
    (24105, 1000000, "auto", "auto", "2432m", "1472m", None),
    # direct memory: 1/16 of the host, from 256m to 4g
    (262144, 200000, "auto", "auto", "576m", "4096m", None),
    (3072, 0, "auto", "auto", "256m", "256m", None),
    # too small a host for the cache it is asked to hold
    (2048, 200000, "auto", "auto", "576m", "256m", "more than 1/8 of the host's 2048 MiB"),
    # given values are kept; one below the cache's live heap is refused
    (24105, 200000, "1g", "512m", "1g", "512m", None),
    (24105, 200000, "256m", "auto", "256m", "1472m", "alluxio_fuse_heap 256m is below the 257 MiB"),
    (24105, 0, "256m", "auto", "256m", "1472m", None),
    (24105, 0, "1.5g", "auto", "1.5g", "1472m", "alluxio_fuse_heap: '1.5g' is not a JVM size"),
    (24105, 0, "auto", "lots", "256m", "lots", "alluxio_fuse_direct_memory: 'lots' is not a JVM size"),
])
def test_fuse_jvm_sizing(memtotal, entries, heap, direct, want_heap, want_direct, problem):
    sizing = fuse_jvm_sizing(memtotal, entries, heap, direct)
    assert (sizing["heap"], sizing["direct_memory"]) == (want_heap, want_direct)
    if problem:
        assert any(problem in p for p in sizing["problems"]), sizing["problems"]
    else:
        assert sizing["problems"] == []


@pytest.mark.parametrize("text,mib", [("512m", 512), ("8g", 8192), ("1048576k", 1024), ("2097152", 2), ("1T", 1 << 20)])
def test_jvm_sizes(text, mib):
    assert jvm_size_mib(text) == mib


@pytest.mark.parametrize("text", ["0", "1.5g", "8 GB", "", "-4g", "g"])
def test_bad_jvm_sizes(text):
    with pytest.raises(ValueError):
        jvm_size_mib(text)


PREFLIGHT_DEFAULTS = {"alluxio_version": "2.9.6", "alluxio_install_root": "/opt/alluxio", "alluxio_worker_mem_size": "1GB",
                      "alluxio_memory_reserve": "2GB", "alluxio_master_is_worker": False,
                      "alluxio_fuse_metadata_cache_entries": 200000, "alluxio_fuse_heap": "auto",
                      "alluxio_fuse_direct_memory": "auto"}
GROUPS = {"alluxio_masters": ["m"], "alluxio_workers": ["w"]}


@pytest.mark.parametrize("worker,message", [
    ({"alluxio_host": {"memtotal_mb": 24105}}, None),
    ({"alluxio_host": {"memtotal_mb": 24105}, "alluxio_fuse_heap": "auto"}, None),
    ({"alluxio_host": {"memtotal_mb": 4096}}, "w: the FUSE heap its metadata cache needs (576m"),
    ({"alluxio_host": {"memtotal_mb": 24105}, "alluxio_fuse_heap": "128m"}, "w: alluxio_fuse_heap 128m is below"),
    ({"alluxio_host": {"memtotal_mb": 24105}, "alluxio_fuse_heap": "big"}, "w: alluxio_fuse_heap 'big' is not a JVM size"),
    # unknown memory (no host_facts): only the values themselves are checked
    ({"alluxio_fuse_heap": "auto"}, None),
])
def test_preflight_sizes_the_fuse_jvm_of_hosts_with_mounts(worker, message):
    worker = dict(worker, alluxio_fuse_mounts=[{"mount_point": "/mnt/a"}], alluxio_worker_mem_size="256MB",
                  alluxio_memory_reserve="256MB")
    problems = filters.alluxio_preflight({"m": {}, "w": worker}, GROUPS, PREFLIGHT_DEFAULTS)
    if message:
        assert any(message in p for p in problems), problems
    else:
        assert problems == []


def test_a_host_without_mounts_is_not_sized():
    problems = filters.alluxio_preflight({"m": {}, "w": {"alluxio_host": {"memtotal_mb": 1024}, "alluxio_worker_mem_size": "64MB",
                                                         "alluxio_memory_reserve": "64MB"}}, GROUPS, PREFLIGHT_DEFAULTS)
    assert problems == []


def test_the_roles_filter():
    assert filters.alluxio_fuse_jvm(24105, "200000", "auto", "auto") == {"heap": "576m", "direct_memory": "1472m"}
    assert filters.alluxio_fuse_jvm(None, 200000, "1g", "1g") == {"heap": "1g", "direct_memory": "1g"}
    with pytest.raises(AnsibleFilterError, match="memory is unknown"):
        filters.alluxio_fuse_jvm(None, 200000, "auto", "1g")
    with pytest.raises(AnsibleFilterError, match="below the 257 MiB"):
        filters.alluxio_fuse_jvm(24105, 200000, "200m", "1g")
