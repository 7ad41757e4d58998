"""Three masters on the embedded journal (issue 24), on a lab of their own (`lab.py up --masters 3`):
site.yml converges it (a second run changes nothing) and health.yml knows the quorum; the leader killed while a worker reads its
FUSE mount fails over with no failed read; remediate.yml restarts a stopped standby and nothing
else; a backup restores into a fresh quorum with the namespace as it was; a rolling change
restarts each master once, the leader last, after a backup, with no failed read.

Runs last: it takes the session lab down and brings its own up (the session's teardown takes it down)."""
import json
import subprocess
import sys

import pytest

from labkit import ALLUXIO_CLI, HEALTH, PLAYBOOKS, REMEDIATE, REPO, SITE, lab_down, lab_up, main_pid, on, playbook

MASTERS = ["lab-master", "lab-master2", "lab-master3"]
WORKERS = ["lab-worker1", "lab-worker2"]
TOOL = [sys.executable, str(REPO / "tools" / "measure_failover.py")]


@pytest.fixture(scope="module")
def quorum(lab, tarball):
    lab_down()
    lab_up(masters=3)
    return playbook(SITE)


def measure(*args):
    res = subprocess.run(TOOL + list(args), capture_output=True, text=True, timeout=1800, check=False)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    return [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]


def worker_pids():
    return dict(((name, unit), main_pid(name, unit)) for name in WORKERS
                for unit in ("alluxio-worker.service", "alluxio-job-worker.service", r"alluxio-fuse@mnt-alluxio\x2dfuse.service"))


def test_the_quorum_converges_and_health_knows_it(quorum):
    again = playbook(SITE)
    assert all(c["changed"] == 0 for c in again.recap.values()), again.recap
    res = playbook(HEALTH)
    assert "MASTER quorum" in res.stdout and "JOB_MASTER quorum" in res.stdout, res.stdout[-3000:]
    assert res.stdout.count("3 of 3 members available") == 2, res.stdout[-3000:]
    tests = on("lab-worker1", f"{ALLUXIO_CLI} runTests")
    assert tests.returncode == 0, tests.stdout[-2000:]


def test_a_killed_leader_fails_over_and_reads_go_on(quorum):
    """SIGKILL of the leading master while lab-worker1 reads its FUSE mount: another master leads
    within the election timeout (Alluxio's default max is 20 s; allowed 60 s on a shared machine),
    no read fails. systemd brings the killed one back as a standby."""
    kill, summary = measure("--kills", "1")
    assert kill["new_leader"] not in (None, kill["old_leader"]), kill
    assert kill["failover_s"] < 60 and kill["failed_reads"] == 0, kill


def test_remediate_restarts_a_stopped_standby_and_nothing_else(quorum):
    pids = worker_pids()
    standby = next(m for m in MASTERS if on(m, f"curl -s -o /dev/null -w '%{{http_code}}' http://{m}:19999/api/v1/master/info")
                   .stdout.strip() == "500")
    assert on(standby, "systemctl stop alluxio-master.service").returncode == 0
    res = playbook(REMEDIATE)
    assert f"restart master and job master on {standby}" in res.stdout, res.stdout[-3000:]
    assert res.recap[standby]["changed"] > 0 and all(res.recap[w]["changed"] == 0 for w in WORKERS), res.recap
    assert main_pid(standby, "alluxio-master.service") != "0"
    assert worker_pids() == pids
    assert playbook(HEALTH).stdout.count("3 of 3 members available") == 2


def namespace():
    """The restore test's files with their checksums, through the FUSE mount, and f1's pin."""
    sums = on("lab-worker1", "cd /mnt/alluxio-fuse && find quorum -type f | sort | xargs sha256sum").stdout
    pinned = "pinned=true" in on("lab-master", f"{ALLUXIO_CLI} fs stat /quorum/f1").stdout
    return sums, pinned


def test_a_backup_restores_into_a_fresh_quorum(quorum):
    """A pin is metadata only the masters hold (the files are persisted: Alluxio syncs the restored
    namespace with the under file system): unpinned after the backup, pinned again after the restore."""
    wrote = on("lab-worker1", "mkdir -p /mnt/alluxio-fuse/quorum && for i in 1 2 3 4; do "
                              "head -c 2M /dev/urandom > /mnt/alluxio-fuse/quorum/f$i; done")
    assert wrote.returncode == 0, wrote.stderr
    assert on("lab-master", f"{ALLUXIO_CLI} fs pin /quorum/f1").returncode == 0
    before = namespace()
    backup = playbook(PLAYBOOKS / "backup.yml")
    path = next(word.strip("'\"") for word in backup.stdout.split() if "/alluxio-backup-" in word)
    assert on("lab-master", f"{ALLUXIO_CLI} fs unpin /quorum/f1").returncode == 0
    restore = playbook(PLAYBOOKS / "restore.yml", "-e", f"alluxio_restore_backup={path}")
    assert namespace() == before, restore.stdout[-3000:]
    assert before[1] is True
    for master in MASTERS:  # the old journal is kept, the start-from-backup property gone again
        assert on(master, "ls -d /var/lib/alluxio/journal.before-restore-*").returncode == 0
        assert on(master, "grep -c init.from.backup /etc/alluxio/alluxio-site.properties").stdout.strip() == "0"


def test_a_rolling_change_restarts_each_master_once_leader_last(quorum):
    rolled, = measure("--rolling", "alluxio_master_heap=520m", "--limit", "alluxio_masters")
    assert rolled["playbook_rc"] == 0 and rolled["failed_reads"] == 0, rolled
    assert sorted(rolled["restart_order"]) == MASTERS, rolled
    leader_before = rolled["leader_changes"][0][1]
    assert rolled["restart_order"][-1] == leader_before, rolled
    assert "backup of" in rolled["playbook_tail"], rolled
