"""site.yml on the session's converged lab: idempotence (from the checkout, after the installed
collection converged), check mode, a real client, bad input, a reboot. The one converge is
`cluster` (conftest, test_installed_collection); this module is the one place that tests
idempotence and check mode; units, ports and files are molecule's testinfra verify (test_molecule)."""
import base64
import json
import shutil

import pytest
import yaml

from ansible_collections.alnair.alluxio.plugins.filter.alluxio import alluxio_unit_exec as format_unit_exec
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import format_size
from labkit import (ADDRESS, ALLUXIO_CLI, INVENTORY, REPO, SITE, UNUSED_ADDRESS, WORKER_MEM_SIZE, WORKER_TIER_BYTES, adhoc,
                    cluster_pids, host, main_pid, on, playbook, wait_for)

PROPERTY_CHANGE = '{"alluxio_site_properties": {"alluxio.user.block.size.bytes.default": "32MB"}}'


def test_second_run_changes_nothing(cluster):
    res = playbook(SITE)
    assert res.changed() == {"lab-master": 0, "lab-worker1": 0, "lab-worker2": 0}


def test_check_diff_on_a_converged_cluster_reports_nothing(cluster):
    res = playbook(SITE, "--check", "--diff")
    assert all(c["changed"] == 0 for c in res.recap.values()), res.stdout[-3000:]


def test_check_diff_after_a_property_change_reports_the_file_and_restarts_only(cluster):
    props = host("lab-worker1").file("/etc/alluxio/alluxio-site.properties")
    before = props.md5sum
    res = playbook(SITE, "--check", "--diff", "-e", PROPERTY_CHANGE)
    assert "+alluxio.user.block.size.bytes.default=32MB" in res.stdout
    # The properties file, and a restart of each process on the host; on the master, the namespace
    # backup taken before its restart too.
    assert res.recap["lab-master"]["changed"] == 4 and res.recap["lab-worker1"]["changed"] == 3, res.recap
    assert "backup of ? journal entries on ?: (check mode)" in res.stdout
    assert props.md5sum == before


def test_status_shows_the_cluster_with_capacities_in_binary_units(cluster):
    res = playbook(REPO / "playbooks" / "status.yml")
    assert "Alluxio 2.9.6 on lab-master: 2 live worker(s), 0 lost, healthy: True" in res.stdout, res.stdout[-2000:]
    for name, tier in WORKER_TIER_BYTES.items():  # 256.01MB is 256.06MB: rounded up to whole 64 KiB
        assert f"{name} capacity {format_size(tier)}" in res.stdout, res.stdout[-2000:]
    assert all(c["changed"] == 0 for c in res.recap.values())


def test_alluxio_own_test_suite_passes(cluster):
    res = on("lab-worker1", f"{ALLUXIO_CLI} runTests")
    assert res.returncode == 0, res.stdout[-3000:]
    assert res.stdout.count("Passed the test!") >= 20 and "Failed the test" not in res.stdout


def test_file_written_on_one_worker_reads_back_on_the_other(cluster):
    write = on("lab-worker1", "head -c 20000000 /dev/urandom > /tmp/x.bin && sha256sum /tmp/x.bin | cut -c1-64 && "
                              f"{ALLUXIO_CLI} fs rm -f /x.bin >/dev/null 2>&1; "
                              "cp /tmp/x.bin /tmp/x-copy.bin && chmod 644 /tmp/x-copy.bin && "
                              f"{ALLUXIO_CLI} fs copyFromLocal /tmp/x-copy.bin /x.bin >/dev/null")
    assert write.returncode == 0, write.stderr
    read = on("lab-worker2", f"{ALLUXIO_CLI} fs cat /x.bin | sha256sum | cut -c1-64")
    assert read.stdout.strip() == write.stdout.strip().splitlines()[0]


def variant(tmp_path, masters, workers, hostvars=None):
    """An inventory of the lab hosts in other groups, with the lab's group_vars beside it."""
    base = yaml.safe_load((INVENTORY / "hosts.yml").read_text())
    hostvars = hostvars or {}

    def hosts(names):
        return {n: dict({"ansible_host": ADDRESS.get(n, UNUSED_ADDRESS)}, **hostvars.get(n, {})) for n in names}
    inventory = {"all": {"vars": base["all"]["vars"], "children": {
        "alluxio_masters": {"hosts": hosts(masters)}, "alluxio_workers": {"hosts": hosts(workers)}}}}
    shutil.copytree(INVENTORY / "group_vars", tmp_path / "group_vars")
    shutil.copytree(INVENTORY / "host_vars", tmp_path / "host_vars")
    # A host_vars file wins over the hosts file: the variant's values go there too (lab-worker2 has one).
    for name, values in hostvars.items():
        path = tmp_path / "host_vars" / f"{name}.yml"
        merged = dict(yaml.safe_load(path.read_text()) or {}) if path.exists() else {}
        merged.update(values)
        path.write_text(yaml.safe_dump(merged))
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inventory))
    return tmp_path / "hosts.yml"


# What a refused run must leave exactly as it was on every host: the properties file, the unit
# files, and the PID of every Alluxio process.
SNAPSHOT = ("md5sum /etc/alluxio/alluxio-site.properties /etc/systemd/system/alluxio*.service; "
            "for unit in $(systemctl list-units 'alluxio*' --no-legend --plain | cut -d' ' -f1); do "
            "echo \"$unit $(systemctl show -p MainPID --value $unit)\"; done")


def snapshot():
    return {name: on(name, SNAPSHOT).stdout for name in ADDRESS}


def refused(inventory, message, *extra, pending=PROPERTY_CHANGE):
    """A run with a bad value and a pending property change stops in preflight: nothing changes."""
    before = snapshot()
    res = playbook(SITE, "-e", pending, *extra, inventory=inventory, check=False)
    assert res.returncode != 0, res.stdout[-6000:]
    assert message in res.stdout, res.stdout[-4000:]
    assert res.recap and all(c["changed"] == 0 for c in res.recap.values()), res.recap
    assert snapshot() == before
    return res


@pytest.mark.parametrize("masters,workers,hostvars,message", [
    ([], ["lab-worker1"], {}, "group alluxio_masters has no host: one master, or an odd number of 3 or more, is needed"),
    (["lab-master"], ["lab-worker1"], {"lab-worker1": {"alluxio_worker_mem_size": "lots"}},
     "lab-worker1: alluxio_worker_mem_size: 'lots' is not a size"),
    (["lab-master"], ["lab-worker1"], {"lab-worker1": {"alluxio_worker_mem_size": "100TB"}},
     "lab-worker1: alluxio_worker_mem_size 100TB is larger than the host's memory"),
    (["lab-master"], ["lab-worker1"], {"lab-master": {"alluxio_root_ufs": "srv/ufs"}},
     "lab-master: alluxio_root_ufs must be an absolute path, got 'srv/ufs'"),
    (["lab-master"], ["lab-worker1"], {"lab-worker1": {"alluxio_fuse_mounts": [{"mount_point": "mnt/rel"}]}},
     "lab-worker1: alluxio_fuse_mounts[0]: mount_point must be an absolute path, got 'mnt/rel'"),
    (["lab-master"], ["lab-worker1"], {"lab-worker1": {"alluxio_uid": 2002}},
     "lab-worker1: the user alluxio exists with uid 2001, alluxio_uid is 2002"),
    # The lab's tarball lookup of a version never built must not fail before preflight speaks.
    (["lab-master"], ["lab-worker1"], {"lab-master": {"alluxio_version": "2.9"}, "lab-worker1": {"alluxio_version": "2.9"}},
     "lab-worker1: alluxio_version '2.9' is not an Alluxio 2.x version"),
])
def test_bad_inventories_are_refused_before_any_change(cluster, tmp_path, masters, workers, hostvars, message):
    """The wiring: preflight's decisions are table-tested in tests/unit (test_alluxio_plugins);
    here one shape error, one bad value and one that needs the host's facts stop a real run."""
    refused(variant(tmp_path, masters, workers, hostvars), message)


def test_a_derived_property_set_again_is_refused_before_any_change(cluster, tmp_path):
    inventory = variant(tmp_path, ["lab-master"], ["lab-worker1", "lab-worker2"])
    pending = json.dumps({"alluxio_site_properties": {"alluxio.master.journal.folder": "/tmp/elsewhere",
                                                      "alluxio.user.block.size.bytes.default": "32MB"}})
    refused(inventory, "alluxio_site_properties sets alluxio.master.journal.folder, which the collection derives from "
            "alluxio_journal_dir", pending=pending)


def ramdisk_used():
    """{worker: bytes its ramdisk holds}."""
    return {name: int(on(name, "df -B1 --output=used /mnt/ramdisk | tail -1").stdout) for name in WORKER_MEM_SIZE}


def test_a_tier_shrunk_below_what_it_holds_empties_that_worker_alone(cluster, tmp_path):
    """48 MB of blocks in one worker's ramdisk, not persisted; its tier asked to be 16MB (a tmpfs cannot shrink
    below its contents). Refused while the file is not persisted, naming it, with nothing changed; once it is
    persisted, that worker alone restarts on a 16MB ramdisk (every other process keeps its PID) and the file
    reads back identical (from the under file system). Then the lab's size again."""
    data, local = "/shrink-test.bin", "/tmp/shrink-test.bin"
    used = ramdisk_used()
    write = on("lab-worker1", f"head -c 48000000 /dev/urandom > {local} && chmod 644 {local} && sha256sum {local} | cut -c1-64"
                              f" && ALLUXIO_USER_JAVA_OPTS=-Dalluxio.user.file.writetype.default=MUST_CACHE "
                              f"{ALLUXIO_CLI} fs copyFromLocal {local} {data} >/dev/null")
    assert write.returncode == 0, write.stderr
    digest = write.stdout.strip()
    # The client mostly writes to its local worker, not always (Alluxio's LocalFirstPolicy): the worker that holds it.
    grown = ramdisk_used()
    holder = max(used, key=lambda name: grown[name] - used[name])
    inventory = variant(tmp_path, ["lab-master"], ["lab-worker1", "lab-worker2"],
                        {holder: {"alluxio_worker_mem_size": "16MB"}})
    try:
        unit = on(holder, "md5sum /etc/systemd/system/mnt-ramdisk.mount").stdout
        pids = cluster_pids()
        # Not the only one there in a full run: runTests (above) leaves MUST_CACHE files behind.
        res = refused(inventory, f"{holder}: alluxio_worker_mem_size 16MB (16777216 bytes) is less than its ramdisk "
                                 f"/mnt/ramdisk holds now")
        assert "are not persisted to the under file system: " in res.stdout and f"{data} (NOT_PERSISTED)" in res.stdout
        assert "Persist them first (alluxio fs persist PATH)" in res.stdout
        assert on(holder, "md5sum /etc/systemd/system/mnt-ramdisk.mount").stdout == unit
        assert cluster_pids() == pids

        persist = on("lab-worker1", f"{ALLUXIO_CLI} fs ls -R / | awk '$5 == \"NOT_PERSISTED\" {{print $NF}}' "
                                    f"| xargs -r {ALLUXIO_CLI} fs persist")
        assert persist.returncode == 0 and data in persist.stdout, persist.stdout + persist.stderr
        res = playbook(SITE, inventory=inventory, check=False)
        assert res.returncode == 0, res.stdout[-4000:]
        assert f"{holder}: its tier shrinks to 16MB, less than its ramdisk holds" in res.stdout
        after = cluster_pids()
        worker = (holder, "alluxio-worker.service")
        assert after.pop(worker) not in (pids.pop(worker), "0")
        assert after == pids, "only the emptied worker restarts"
        assert "size=16384k" in on(holder, "findmnt -no OPTIONS /mnt/ramdisk").stdout
        read = on("lab-worker2", f"{ALLUXIO_CLI} fs cat {data} | sha256sum | cut -c1-64")
        assert read.stdout.strip() == digest
        assert playbook(SITE, inventory=inventory).changed() == {"lab-master": 0, "lab-worker1": 0, "lab-worker2": 0}
    finally:
        on("lab-worker1", f"{ALLUXIO_CLI} fs rm -f {data}; rm -f {local}")
        restored = playbook(SITE, check=False)
        assert restored.returncode == 0, restored.stdout[-4000:]
    assert f"size={WORKER_TIER_BYTES[holder] // 1024}k" in on(holder, "findmnt -no OPTIONS /mnt/ramdisk").stdout


def test_checksum_mismatch_is_refused_before_any_change(cluster, tmp_path):
    inventory = variant(tmp_path, ["lab-master"], ["lab-worker1", "lab-worker2"])
    refused(inventory, "checksum mismatch", "-e", "alluxio_tarball_sha256=" + "0" * 64)


def test_a_journal_without_its_marker_is_never_formatted(cluster):
    """The master's journal has content but its format marker is gone (a reinstall, a copied disk):
    site.yml stops on the master and leaves the journal and the running master alone; with
    alluxio_journal_adopt it takes the journal as it is, and its chown follows no link planted in it
    (the alluxio user owns the journal)."""
    marker, old_marker = "/etc/alluxio/.journal-formatted", "/var/lib/alluxio/.journal-formatted"
    listing = "find /var/lib/alluxio/journal -type f"  # a format would remove every file (the master may add some)
    before, pid = set(on("lab-master", listing).stdout.split()), main_pid("lab-master", "alluxio-master.service")
    assert before
    assert on("lab-master", f"mv {marker} {marker}.away").returncode == 0
    planted = "mkdir -p /srv/victim && runuser -u alluxio -- ln -s /srv/victim /var/lib/alluxio/journal/planted"
    assert on("lab-master", planted).returncode == 0
    try:
        res = playbook(SITE, "--limit", "lab-master", check=False)  # the journal is the master's alone
        assert res.returncode != 0 and res.recap["lab-master"]["failed"] == 1, res.recap
        assert "has content" in res.stdout and "but no format marker" in res.stdout, res.stdout[-3000:]
        assert before <= set(on("lab-master", listing).stdout.split())
        assert main_pid("lab-master", "alluxio-master.service") == pid
        adopted = playbook(SITE, "--limit", "lab-master", "-e", "alluxio_journal_adopt=true")
        assert adopted.recap["lab-master"]["failed"] == 0
        assert on("lab-master", f"cat {marker}").stdout.startswith("adopted existing journal by alnair.alluxio")
        assert main_pid("lab-master", "alluxio-master.service") == pid
        assert on("lab-master", "stat -c %U /srv/victim").stdout.strip() == "root"  # the link was not followed
        # A marker where earlier releases wrote it (the alluxio user's data directory): moved when it
        # is a root-owned regular file, never taken when the alluxio user owns it.
        assert on("lab-master", f"mv {marker} {old_marker}").returncode == 0
        moved = playbook(SITE, "--limit", "lab-master")
        assert moved.recap["lab-master"]["failed"] == 0
        assert on("lab-master", f"cat {marker}").stdout.startswith(f"marker moved from {old_marker} by alnair.alluxio")
        assert on("lab-master", f"rm {marker} && chown alluxio {old_marker}").returncode == 0
        forged = playbook(SITE, "--limit", "lab-master", check=False)
        assert forged.returncode != 0 and "but no format marker" in forged.stdout, forged.stdout[-3000:]
        assert main_pid("lab-master", "alluxio-master.service") == pid
    finally:
        on("lab-master", f"mv -f {marker}.away {marker}; rm -f {old_marker} /var/lib/alluxio/journal/planted; rmdir /srv/victim")


def test_unreachable_worker_is_named_and_the_others_converge(cluster, tmp_path):
    inventory = variant(tmp_path, ["lab-master"], ["lab-worker1", "lab-worker2", "lab-worker9"])
    res = playbook(SITE, "-e", "alluxio_gate_timeout=20", inventory=inventory, check=False)
    assert res.returncode != 0
    assert res.recap["lab-worker9"]["unreachable"] == 1
    assert res.recap["lab-worker1"]["failed"] == 0 and res.recap["lab-worker2"]["failed"] == 0
    assert "worker lab-worker9 is not registered with the master" in res.stdout
    assert "lab-worker9: unreachable" in res.stdout


def test_worker_comes_back_after_a_reboot_with_its_ramdisk_services_and_fuse(cluster):
    """The ramdisk mount unit, the services and the FUSE unit are enabled: a rebooted worker rejoins by itself."""
    adhoc("lab-worker2", "ansible.builtin.reboot", {"reboot_timeout": 180})
    worker2 = host("lab-worker2")
    assert f"size={WORKER_TIER_BYTES['lab-worker2'] // 1024}k" in worker2.mount_point("/mnt/ramdisk").options
    assert worker2.service("alluxio-worker").is_running and worker2.service("alluxio-job-worker").is_running
    res = adhoc("lab-master", "alnair.alluxio.cluster_info", {
        "master_url": "http://lab-master:19999", "expected_workers": WORKER_MEM_SIZE,
        "max_last_contact_sec": 5, "wait": True, "timeout": 120, "fail_unhealthy": True})
    assert res.results["lab-master"][1]["healthy"] is True
    # The FUSE mount comes back by itself too, and answers.
    fuse = "grep -q ' /mnt/alluxio-fuse .* - fuse' /proc/self/mountinfo && timeout 5 ls /mnt/alluxio-fuse >/dev/null && echo ok"
    assert wait_for(lambda: on("lab-worker2", fuse).stdout.strip() == "ok", 120, interval=1)


QUOTED_WORDS = ["-Xmx1g", "-XX:OnOutOfMemoryError=kill -9 %p", "-Da=$HOME", '-Db="q"', "-Dc=x\\y", "-Dd=it's"]


def test_systemd_passes_each_quoted_word_as_written(cluster):
    """The words alluxio_unit_exec writes into a unit's ExecStart reach the program one argument each,
    as written (systemd's own parser on a lab host: spaces, %, $, quotes and backslashes)."""
    unit = "/run/systemd/system/alnair-quote-test.service"
    exec_start = format_unit_exec([["/usr/bin/printf", "[%s]\\n"], QUOTED_WORDS])
    text = f"[Service]\nType=oneshot\nExecStart={exec_start}\n"
    encoded = base64.b64encode(text.encode()).decode()
    try:
        assert on("lab-master", f"echo {encoded} | base64 -d > {unit} && systemctl daemon-reload").returncode == 0
        assert on("lab-master", "systemctl start alnair-quote-test").returncode == 0
        out = on("lab-master", "journalctl -u alnair-quote-test -o cat --no-pager").stdout
        assert [line[1:-1] for line in out.splitlines() if line.startswith("[")] == QUOTED_WORDS, out
    finally:
        on("lab-master", f"rm -f {unit} && systemctl daemon-reload")
