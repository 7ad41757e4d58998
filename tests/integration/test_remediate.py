"""health.yml and remediate.yml on the lab: a healthy cluster is reported healthy and left alone;
each injected fault is found and repaired, and data written before reads back identical."""
import time

import pytest

from labkit import ADDRESS, REPO, lab_down, lab_up, main_pid, on, playbook, recap, run

SITE = REPO / "playbooks" / "site.yml"
HEALTH = REPO / "playbooks" / "health.yml"
REMEDIATE = REPO / "playbooks" / "remediate.yml"
ALLUXIO = "runuser -u alluxio -- /opt/alluxio/current/bin/alluxio"
FUSE_UNIT = "alluxio-fuse@mnt-alluxio\\x2dfuse.service"


@pytest.fixture(scope="module")
def cluster(lab, tarball):
    lab_down()
    lab_up()
    playbook(SITE)
    # Checksummed data, persisted to the UFS (it must survive a lost ramdisk too).
    wrote = on("lab-master", f"head -c 8M /dev/urandom > /tmp/r.bin && chmod 644 /tmp/r.bin && sha256sum /tmp/r.bin | cut -c1-64 && "
                             f"{ALLUXIO} fs mkdir /remediate >/dev/null && {ALLUXIO} fs copyFromLocal /tmp/r.bin /remediate/r.bin >/dev/null && "
                             f"{ALLUXIO} fs persist /remediate/r.bin >/dev/null")
    assert wrote.returncode == 0, wrote.stderr
    return wrote.stdout.strip()


def data_reads_back(digest):
    through_client = on("lab-worker1", f"{ALLUXIO} fs cat /remediate/r.bin | sha256sum | cut -c1-64").stdout.strip()
    through_fuse = on("lab-worker2", "sha256sum /mnt/alluxio-fuse/remediate/r.bin | cut -c1-64").stdout.strip()
    return through_client == digest and through_fuse == digest


def remediate(*args, check=True):
    started = time.monotonic()
    res = playbook(REMEDIATE, *args, check=check)
    return res, time.monotonic() - started


def test_health_of_a_healthy_cluster_changes_nothing(cluster):
    started = time.monotonic()
    res = playbook(HEALTH)
    seconds = time.monotonic() - started
    assert all(c["changed"] == 0 and c["failed"] == 0 for c in recap(res.stdout).values())
    assert "FAIL " not in res.stdout and "ok    cluster" in res.stdout
    assert "ok    lab-worker2    FUSE /mnt/alluxio-fuse" in res.stdout
    assert seconds < 60, seconds  # the figure (15 s on the lab) is measured by tools/measure.py health


def test_remediate_leaves_a_healthy_cluster_alone(cluster):
    pids = main_pid("lab-worker1", "alluxio-worker.service")
    res, _seconds = remediate()
    assert "healthy: nothing to do" in res.stdout
    assert all(c["changed"] == 0 for c in recap(res.stdout).values()), res.stdout[-3000:]
    assert main_pid("lab-worker1", "alluxio-worker.service") == pids


def test_health_names_a_stopped_worker_and_report_only_changes_nothing(cluster):
    on("lab-worker2", "systemctl stop alluxio-worker.service")
    try:
        res = playbook(HEALTH, check=False)
        assert res.returncode != 0
        assert "FAIL  lab-worker2    service alluxio-worker.service" in res.stdout
        assert "FAIL  lab-worker2    port 29999" in res.stdout
        report, _seconds = remediate("-e", "alluxio_remediate_report_only=true", check=False)
        assert "REPORT ONLY" in report.stdout and "restart worker and job worker on lab-worker2" in report.stdout
        assert on("lab-worker2", "systemctl is-active alluxio-worker.service").stdout.strip() != "active"
    finally:
        remediate()
    assert data_reads_back(cluster)


FAULTS = {
    "worker JVM killed": ("lab-worker1", "kill -9 $(systemctl show -p MainPID --value alluxio-worker.service)"),
    "master JVM killed": ("lab-master", "kill -9 $(systemctl show -p MainPID --value alluxio-master.service)"),
    "FUSE JVM killed (stale mount)": ("lab-worker2", f"systemctl kill -s KILL '{FUSE_UNIT}'"),
    "ramdisk unmounted": ("lab-worker1", "umount -l /mnt/ramdisk"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_remediate_repairs(cluster, fault):
    host, inject = FAULTS[fault]
    assert on(host, inject).returncode == 0
    res, seconds = remediate()
    assert "PHASES" in res.stdout and "FAIL " not in res.stdout.split("AFTER", 1)[-1].split("PHASES", 1)[0]
    assert data_reads_back(cluster), fault
    print(f"remediate after '{fault}': {seconds:.1f} s")


def test_remediate_starts_a_cluster_whose_every_service_stopped(cluster):
    for host in ("lab-worker1", "lab-worker2"):
        on(host, f"systemctl stop '{FUSE_UNIT}' alluxio-job-worker.service alluxio-worker.service")
    on("lab-master", "systemctl stop alluxio-job-master.service alluxio-master.service")
    res, _seconds = remediate()
    assert "restart master and job master on lab-master" in res.stdout
    assert data_reads_back(cluster)


def test_remediate_completes_without_a_worker_host_that_is_down(cluster):
    on("lab-worker2", "systemctl stop alluxio-job-worker.service alluxio-worker.service")
    block = ["iptables", "-I", "OUTPUT", "-d", ADDRESS["lab-worker2"], "-p", "tcp", "--dport", "22", "-j", "REJECT", "--reject-with", "tcp-reset"]
    run(block)
    try:
        res, _seconds = remediate(check=False)
        assert res.returncode != 0
        assert "not reachable, left alone: lab-worker2" in res.stdout
        counts = recap(res.stdout)
        assert counts["lab-worker1"]["failed"] == 0 and counts["lab-worker2"]["unreachable"] > 0
    finally:
        run(["iptables", "-D"] + block[2:])
    remediate()
    assert data_reads_back(cluster)


def test_remediate_touches_nothing_when_the_master_is_unreachable(cluster):
    before = main_pid("lab-worker1", "alluxio-worker.service")
    on("lab-worker1", "systemctl stop alluxio-job-worker.service")
    block = ["iptables", "-I", "OUTPUT", "-d", ADDRESS["lab-master"], "-p", "tcp", "--dport", "22", "-j", "REJECT", "--reject-with", "tcp-reset"]
    run(block)
    try:
        res, _seconds = remediate(check=False)
    finally:
        run(["iptables", "-D"] + block[2:])
    assert res.returncode != 0
    assert "did not answer over SSH" in res.stdout and "nothing was touched" in res.stdout
    assert on("lab-worker1", "systemctl is-active alluxio-job-worker.service").stdout.strip() != "active"
    assert main_pid("lab-worker1", "alluxio-worker.service") == before
    remediate()
