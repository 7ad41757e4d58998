"""Fault 6 of issue 6: a fourth lab host set up as a worker but absent from the inventory
registers with the master. health.yml and remediate.yml name it and leave it running; with
alluxio_remediate_remove_unintended remediate.yml takes it out (decommissioned on the master,
its processes stopped and off at boot), and data it held reads back from the UFS."""
import pytest

from labkit import ALLUXIO_CLI, HEALTH, REMEDIATE, SITE, inventory_without, lab_up, main_pid, on, playbook

STRAY = "lab-worker3"


@pytest.fixture(scope="module")
def four_hosts(cluster, tmp_path_factory):
    """Four hosts deployed by site.yml; the inventory the tests use leaves the fourth out.
    Last in the session (conftest's MODULE_ORDER): the lab keeps its fourth host until it goes down."""
    # The session's lab grows a fourth host in place; site.yml sets up only what is new (conf/workers
    # changes on the others, which restarts nothing).
    lab_up(hosts=4)
    playbook(SITE)
    # Written through the stray worker's own FUSE mount (its blocks land on it), then persisted.
    wrote = on(STRAY, "head -c 8M /dev/urandom > /mnt/alluxio-fuse/stray.bin && sha256sum /mnt/alluxio-fuse/stray.bin | cut -c1-64")
    assert wrote.returncode == 0, wrote.stderr
    persisted = on("lab-master", f"{ALLUXIO_CLI} fs persist /stray.bin")
    assert persisted.returncode == 0, persisted.stdout + persisted.stderr
    three = inventory_without(tmp_path_factory.mktemp("inventory"), STRAY)
    return {"inventory": three, "digest": wrote.stdout.strip()}


def test_health_names_the_unintended_worker(four_hosts):
    res = playbook(HEALTH, inventory=four_hosts["inventory"], check=False)
    assert res.returncode != 0
    assert f"worker {STRAY} is registered but not in the inventory" in res.stdout


def test_remediate_reports_it_and_leaves_it_running(four_hosts):
    stray_pid = main_pid(STRAY, "alluxio-worker.service")
    res = playbook(REMEDIATE, inventory=four_hosts["inventory"], check=False)
    assert res.returncode != 0
    assert f"unintended worker registered: {STRAY} (left running" in res.stdout
    assert all(c["changed"] == 0 for c in res.recap.values())
    assert main_pid(STRAY, "alluxio-worker.service") == stray_pid != "0"


def test_remediate_takes_it_out_when_asked(four_hosts):
    res = playbook(REMEDIATE, "-e", "alluxio_remediate_remove_unintended=true", inventory=four_hosts["inventory"])
    assert f"take out unintended worker {STRAY} (decommission, then stop)" in res.stdout
    assert "remove unintended workers: " in res.stdout  # its phase time
    assert on(STRAY, "systemctl is-active alluxio-worker.service alluxio-job-worker.service").stdout.split() == ["inactive"] * 2
    assert on(STRAY, "systemctl is-enabled alluxio-worker.service alluxio-job-worker.service").stdout.split() == ["disabled"] * 2
    playbook(HEALTH, inventory=four_hosts["inventory"])
    # Its blocks are gone with it; the file reads back from the UFS, through FUSE and the client.
    assert on("lab-worker1", "sha256sum /mnt/alluxio-fuse/stray.bin | cut -c1-64").stdout.strip() == four_hosts["digest"]
    assert on("lab-worker2", f"{ALLUXIO_CLI} fs cat /stray.bin | sha256sum | cut -c1-64").stdout.strip() == four_hosts["digest"]
    again = playbook(REMEDIATE, "-e", "alluxio_remediate_remove_unintended=true", inventory=four_hosts["inventory"])
    assert "healthy: nothing to do" in again.stdout
    assert all(c["changed"] == 0 for c in again.recap.values())
