"""A worker's MEM tier of a size that is not a whole number of pages (the runbook's 62.51GB).

One function, tier_bytes, owns the bytes such a tier has; the ramdisk unit, the tier quota, the
health check and the capacity gates all use it. The last test mounts real tmpfs file systems: the
kernel must report exactly the bytes the collection writes.
"""
import os
import subprocess

import pytest

from ansible_collections.alnair.alluxio.plugins.filter import alluxio as filters
from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_host as host
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import (
    TIER_GRANULE, SizeError, parse_size, tier_bytes)

# The runbook's own worker sizes, and the lab's versions of them (none a whole number of pages).
RUNBOOK_SIZES = ["100GB", "62.51GB", "200.01MB", "162.51MB", "1.3GB", "12345", "1GB", "256MB", 4097]


@pytest.mark.parametrize("size", RUNBOOK_SIZES)
def test_a_tier_is_whole_pages_on_every_page_size(size):
    written = parse_size(size)
    tier = tier_bytes(size)
    assert written <= tier < written + TIER_GRANULE
    for page in (4096, 16384, 65536):
        assert tier % page == 0
    assert tier_bytes(tier) == tier  # what the gates pass back in is taken as it is


@pytest.mark.parametrize("size,expected", [
    ("62.51GB", 67119611904),   # 67,119,601,418 as written: the kernel mounted 67,119,603,712 on 4 KiB pages
    ("100GB", 100 << 30),       # whole sizes do not move
    ("200.01MB", 209780736),
])
def test_tier_bytes_of_the_runbook_sizes(size, expected):
    assert tier_bytes(size) == expected


@pytest.mark.parametrize("size", ["lots", "-5GB", "0", True])
def test_a_bad_size_is_still_refused(size):
    with pytest.raises(SizeError):
        tier_bytes(size)


def test_the_gates_and_the_unit_expect_the_same_bytes():
    hostvars = {"w1": {"alluxio_worker_mem_size": "62.51GB"}, "w2": {"alluxio_worker_mem_size": "100GB"}}
    expected = filters.alluxio_expected_workers(hostvars, ["w1", "w2"], "1GB")
    assert expected == {"w1": filters.alluxio_tier_bytes("62.51GB"), "w2": 100 << 30}


def test_the_health_check_passes_a_mounted_tier_and_names_the_bytes_of_a_wrong_one():
    from ansible_collections.alnair.alluxio.plugins.modules.host_health import Health

    tier = tier_bytes("62.51GB")
    mounts = [{"mount_point": "/mnt/ramdisk", "fstype": "tmpfs", "options": "rw,size=%dk" % (tier >> 10)}]
    health = Health(None)
    health.ramdisk("/mnt/ramdisk", tier, mounts)
    assert health.checks[-1]["ok"], health.checks[-1]
    # The kernel's own rounding of the old, unrounded size (4 KiB pages): not the tier, and the detail says by how much.
    old = -(-parse_size("62.51GB") // 4096) * 4096
    mounts[0]["options"] = "rw,size=%dk" % (old >> 10)
    health.ramdisk("/mnt/ramdisk", tier, mounts)
    assert not health.checks[-1]["ok"]
    assert "(%d bytes), configured 62.51GB (%d bytes)" % (old, tier) in health.checks[-1]["detail"]


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")
@pytest.mark.parametrize("size", ["62.51MB", "200.01MB", "12345", "1.3MB"])
def test_the_kernel_mounts_exactly_the_tier_bytes(tmp_path, size):
    point = tmp_path / "ramdisk"
    point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d,mode=0700" % tier_bytes(size), "alnair-test", str(point)],
                   check=True, timeout=10)
    try:
        with open("/proc/self/mountinfo") as mountinfo:
            mounts = host.parse_mountinfo(mountinfo.read())
        mount = host.mount_at(mounts, str(point))
        assert mount["fstype"] == "tmpfs"
        assert host.mount_size_bytes(mount["options"]) == tier_bytes(size)
        # What preflight's shrink check reads: the size, and what the tmpfs holds.
        from ansible_collections.alnair.alluxio.plugins.modules.host_facts import memory_mount_usage
        (point / "block").write_bytes(b"x" * 8192)
        usage = memory_mount_usage(mounts, str(point))
        assert usage["size_bytes"] == tier_bytes(size) and usage["used_bytes"] >= 8192
    finally:
        subprocess.run(["umount", str(point)], check=True, timeout=10)


def test_the_lab_is_shaped_like_the_runbook():
    """The lab's workers are sized the runbook's way (not whole pages), and molecule's figures are their tiers."""
    import labkit
    assert labkit.WORKER_MEM_SIZE == {"lab-worker1": "256.01MB", "lab-worker2": "192.51MB"}
    for size in labkit.WORKER_MEM_SIZE.values():
        assert parse_size(size) % 4096
    assert labkit.WORKER_TIER_BYTES == {"lab-worker1": 268500992, "lab-worker2": 201916416}


MIB = 1 << 20


@pytest.mark.parametrize("size,found,plan", [
    ("100MB", {"size_bytes": 256 * MIB, "used_bytes": 200 * MIB}, "empty"),     # the case: 256MB -> 100MB, 200 MB held
    ("100MB", {"size_bytes": 256 * MIB, "used_bytes": 90 * MIB}, "in_place"),   # shrinks in place: it still fits
    ("100MB", {"size_bytes": 256 * MIB, "used_bytes": 100 * MIB}, "in_place"),  # exactly full after the remount
    ("300MB", {"size_bytes": 256 * MIB, "used_bytes": 250 * MIB}, "in_place"),  # grows
    ("256.01MB", {"size_bytes": 268500992, "used_bytes": 268500992}, "none"),   # unchanged, full
    ("256.01MB", {"size_bytes": 268500992, "used_bytes": 0}, "none"),           # unchanged, empty
    ("100MB", None, "none"),                                                   # no ramdisk yet (a new worker)
])
def test_a_resize_is_planned_from_what_the_ramdisk_holds(size, found, plan):
    assert filters.tier_resize_plan(size, "/mnt/ramdisk", {"/mnt/ramdisk": found}) == plan
    assert filters.alluxio_tier_resize(size, "/mnt/ramdisk", {"/mnt/ramdisk": found}) == plan


def test_an_invalid_size_has_no_plan():
    mounted = {"/mnt/ramdisk": {"size_bytes": 256 * MIB, "used_bytes": 0}}
    with pytest.raises(filters.AnsibleFilterError, match="alluxio_worker_mem_size"):
        filters.alluxio_tier_resize("lots", "/mnt/ramdisk", mounted)
    assert filters.alluxio_tier_resize("lots", "/mnt/ramdisk", mounted, "none") == "none"   # preflight names it itself


HOLDS_200MB = {"/mnt/ramdisk": {"size_bytes": 256 * MIB, "used_bytes": 200 * MIB}}
TWO_UNPERSISTED = {"files": 5, "bytes": 200 * MIB, "unpersisted_count": 2, "unpersisted_bytes": 6000000,
                   "unpersisted": [{"path": "/ckpt/a", "state": "NOT_PERSISTED", "bytes": 3000000},
                                   {"path": "/ckpt/b", "state": "TO_BE_PERSISTED", "bytes": 3000000}]}
ALL_PERSISTED = dict(TWO_UNPERSISTED, unpersisted_count=0, unpersisted_bytes=0, unpersisted=[])
UNANSWERED = {"failed": True, "msg": "cannot list the files cached on the worker: connection refused"}


@pytest.mark.parametrize("size,cached,drop,says", [
    ("100MB", TWO_UNPERSISTED, False, ["2 file(s) with 6000000 bytes there are not persisted", "/ckpt/a (NOT_PERSISTED), "
                                       "/ckpt/b (TO_BE_PERSISTED)", "alluxio fs persist", "alluxio_resize_drop_unpersisted"]),
    ("100MB", dict(TWO_UNPERSISTED, unpersisted_count=30), False, ["30 file(s)", "/ckpt/b (TO_BE_PERSISTED) and 28 more"]),
    ("100MB", UNANSWERED, False, ["could not say which of its files are not persisted (cannot list the files cached on "
                                  "the worker: connection refused). Start the worker"]),
    ("100MB", None, False, ["(not asked)"]),
    ("100MB", {"skipped": True}, False, ["(not asked)"]),
    ("100MB", TWO_UNPERSISTED, True, []),       # the operator accepts losing them
    ("100MB", UNANSWERED, True, []),
    ("100MB", ALL_PERSISTED, False, []),        # everything is in the under file system: emptied, read again later
    ("220MB", TWO_UNPERSISTED, False, []),      # shrinks but still fits: remounted in place, nothing lost
    ("300MB", TWO_UNPERSISTED, False, []),      # grows
])
def test_a_worker_is_emptied_only_when_nothing_would_be_lost(size, cached, drop, says):
    problems = filters.tier_shrink_problems("w1", size, "/mnt/ramdisk", HOLDS_200MB, cached, drop)
    assert bool(problems) == bool(says), problems
    for words in says:
        assert words in problems[0], problems[0]
    if says:
        assert problems[0].startswith("w1: alluxio_worker_mem_size 100MB (104857600 bytes) is less than its ramdisk "
                                      "/mnt/ramdisk holds now (209715200 bytes of 268435456)")
        assert "keep a size of at least 200.00MB" in problems[0]


def test_the_tier_size_reaches_the_worker_alone_unless_the_site_sets_it():
    tier = {"alluxio.worker.ramdisk.size": 268500992, "alluxio.worker.tieredstore.level0.dirs.quota": 268500992}
    assert filters.alluxio_system_properties(tier, {}) == [
        "-Dalluxio.worker.ramdisk.size=268500992", "-Dalluxio.worker.tieredstore.level0.dirs.quota=268500992"]
    # alluxio_site_properties (listed in alluxio_site_properties_override) sets one: no -D to win over it.
    assert filters.alluxio_system_properties(tier, {"alluxio.worker.tieredstore.level0.dirs.quota": "1GB"}) == [
        "-Dalluxio.worker.ramdisk.size=268500992"]


def test_host_facts_reads_a_tmpfs_size_and_use(tmp_path):
    from ansible_collections.alnair.alluxio.plugins.modules.host_facts import memory_mount_usage
    mounts = [{"mount_point": str(tmp_path), "fstype": "ext4", "options": "rw"}]
    assert memory_mount_usage(mounts, str(tmp_path)) is None   # not a tmpfs: not even asked
    assert memory_mount_usage([], "/mnt/ramdisk") is None


@pytest.mark.parametrize("tiers,refused", [
    ([("w1", "62.51GB", {})], False),
    ([("w1", "64MB", {})], False),                   # exactly one block of Alluxio's default 64MB
    ([("w1", "63.99MB", {})], False),                # a tier is whole 64 KiB granules: this one is 64MB
    ([("w1", "63.9MB", {})], True),
    # One small worker is fine: the others take the blocks it cannot (test_site shrinks one to 16MB).
    ([("w1", "16MB", {}), ("w2", "256.01MB", {})], False),
    ([("w1", "16MB", {}), ("w2", "32MB", {})], True),
    ([("w1", "200.01MB", {"alluxio.user.block.size.bytes.default": "256MB"})], True),
    ([("w1", "32MB", {"alluxio.user.block.size.bytes.default": "16MB"})], False),
    ([("w1", "32MB", {"alluxio.user.block.size.bytes.default": 33554433})], True),
])
def test_tiers_that_cannot_hold_one_block_anywhere_are_refused(tiers, refused):
    """Alluxio caches a block in one tier or not at all: with no tier large enough, reads fail."""
    problems = filters.tier_block_problems(tiers)
    assert bool(problems) == refused
    if refused:
        assert problems[0].startswith("every worker's alluxio_worker_mem_size is smaller than one block")
        assert all(host in problems[0] for host, _size, _props in tiers)


def test_a_block_size_that_is_no_size_is_named():
    assert filters.tier_block_problems([("w1", "1GB", {"alluxio.user.block.size.bytes.default": "lots"})])[0].startswith(
        "w1: alluxio_site_properties alluxio.user.block.size.bytes.default")


def test_preflight_refuses_workers_that_all_are_smaller_than_a_block():
    groups = {"alluxio_masters": ["m"], "alluxio_workers": ["w1", "w2"]}
    hostvars = {"m": {}, "w1": {"alluxio_worker_mem_size": "16MB"}, "w2": {"alluxio_worker_mem_size": "32MB"}}
    problems = filters.alluxio_preflight(hostvars, groups, {"alluxio_worker_mem_size": "1GB"})
    assert any(p.startswith("every worker's alluxio_worker_mem_size is smaller than one block") for p in problems), problems
    # Under --limit too: the check is of the inventory's workers.
    hostvars["w2"]["alluxio_worker_mem_size"] = "1GB"
    assert not [p for p in filters.alluxio_preflight(hostvars, groups, {"alluxio_worker_mem_size": "1GB"}, targets=["w1"])
                if "smaller than one block" in p]
