"""site.yml on the lab: converge, idempotence, check mode, a real client, and bad input."""
import shutil
import time

import pytest
import yaml

from labkit import ADDRESS, ALLUXIO_CLI, INVENTORY, REPO, SITE, lab_down, lab_up, live_worker_samples, on, playbook, recap, run


@pytest.fixture(scope="module")
def converged(lab, tarball):
    # Bare hosts: whatever earlier tests left on the lab is gone.
    lab_down()
    lab_up()
    started = time.monotonic()
    res = playbook(SITE)
    return {"seconds": time.monotonic() - started, "output": res.stdout}


def test_converge_reaches_every_worker(converged):
    counts = recap(converged["output"])
    assert set(counts) == {"lab-master", "lab-worker1", "lab-worker2"}
    assert all(c["failed"] == 0 and c["unreachable"] == 0 for c in counts.values())


def test_second_run_changes_nothing(converged):
    res = playbook(SITE)
    counts = recap(res.stdout)
    assert {h: c["changed"] for h, c in counts.items()} == {"lab-master": 0, "lab-worker1": 0, "lab-worker2": 0}


def test_check_diff_on_a_converged_cluster_reports_nothing(converged):
    res = playbook(SITE, "--check", "--diff")
    assert all(c["changed"] == 0 for c in recap(res.stdout).values()), res.stdout[-3000:]


def test_check_diff_after_a_property_change_reports_the_file_and_restarts_only(converged):
    before = on("lab-worker1", "md5sum /etc/alluxio/alluxio-site.properties").stdout
    res = playbook(SITE, "--check", "--diff", "-e", '{"alluxio_site_properties": {"alluxio.user.block.size.bytes.default": "32MB"}}')
    assert "+alluxio.user.block.size.bytes.default=32MB" in res.stdout
    counts = recap(res.stdout)
    # The properties file, and a restart of each process on the host.
    assert counts["lab-master"]["changed"] == 3 and counts["lab-worker1"]["changed"] == 3, counts
    assert on("lab-worker1", "md5sum /etc/alluxio/alluxio-site.properties").stdout == before


def test_services_ports_and_files(converged):
    expected = {"lab-master": ["alluxio-master", "alluxio-job-master"],
                "lab-worker1": ["alluxio-worker", "alluxio-job-worker"], "lab-worker2": ["alluxio-worker", "alluxio-job-worker"]}
    for host, units in expected.items():
        for unit in units:
            state = on(host, f"systemctl show -p ActiveState -p User {unit}").stdout
            assert "ActiveState=active" in state and "User=alluxio" in state, (host, unit, state)
    ports = {"lab-master": [19998, 19999, 20001], "lab-worker1": [29999, 30001], "lab-worker2": [29999, 30001]}
    for host, wanted in ports.items():
        listening = on(host, "ss -Htln").stdout
        for port in wanted:
            assert f":{port} " in listening, (host, port, listening)
    workers = on("lab-master", "grep -v '^#' /etc/alluxio/workers").stdout.split()
    assert workers == ["lab-worker1", "lab-worker2"]
    props = on("lab-worker2", "cat /etc/alluxio/alluxio-site.properties").stdout
    assert "alluxio.master.hostname=lab-master" in props
    assert f"alluxio.worker.tieredstore.level0.dirs.quota={192 * 2**20}" in props
    assert on("lab-master", "cat /var/lib/alluxio/.journal-formatted").stdout.startswith("formatted by alnair.alluxio")
    # Ramdisk: a tmpfs of the configured size.
    assert f"size={192 * 1024}k" in on("lab-worker2", "findmnt -no OPTIONS /mnt/ramdisk").stdout


def test_master_reports_the_inventory_capacities(converged):
    res = run(["curl", "-sf", "http://198.51.100.11:19999/api/v1/master/info"])
    info = yaml.safe_load(res.stdout)
    capacities = {w["address"]["host"]: w["capacityBytes"] for w in info["workers"]}
    assert capacities == {"lab-worker1": 256 * 2**20, "lab-worker2": 192 * 2**20}


def test_alluxio_own_test_suite_passes(converged):
    res = on("lab-worker1", f"{ALLUXIO_CLI} runTests")
    assert res.returncode == 0, res.stdout[-3000:]
    assert res.stdout.count("Passed the test!") >= 20 and "Failed the test" not in res.stdout


def test_file_written_on_one_worker_reads_back_on_the_other(converged):
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
        return {n: dict({"ansible_host": ADDRESS.get(n, "198.51.100.99")}, **hostvars.get(n, {})) for n in names}
    inventory = {"all": {"vars": base["all"]["vars"], "children": {
        "alluxio_masters": {"hosts": hosts(masters)}, "alluxio_workers": {"hosts": hosts(workers)}}}}
    shutil.copytree(INVENTORY / "group_vars", tmp_path / "group_vars")
    shutil.copytree(INVENTORY / "host_vars", tmp_path / "host_vars")
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inventory))
    return tmp_path / "hosts.yml"


def refused(inventory, message, *extra):
    res = run(["ansible-playbook", "-i", str(inventory), str(SITE), *extra], check=False)
    assert res.returncode != 0
    assert message in res.stdout, res.stdout[-4000:]
    counts = recap(res.stdout)
    assert counts and all(c["changed"] == 0 for c in counts.values()), counts
    return res


@pytest.mark.parametrize("masters,workers,hostvars,message", [
    ([], ["lab-worker1"], {}, "group alluxio_masters must have exactly one host, it has 0"),
    (["lab-master", "lab-worker2"], ["lab-worker1"], {}, "it has 2: lab-master, lab-worker2"),
    (["lab-master"], ["lab-master", "lab-worker1"], {}, "lab-master is in both alluxio_masters and alluxio_workers"),
    (["lab-master"], ["lab-worker1"], {"lab-worker1": {"alluxio_worker_mem_size": "lots"}},
     "lab-worker1: alluxio_worker_mem_size: 'lots' is not a size"),
    (["lab-master"], ["lab-worker1"], {"lab-worker1": {"alluxio_worker_mem_size": "-5GB"}},
     "lab-worker1: alluxio_worker_mem_size: '-5GB' is not a size"),
    (["lab-master"], ["lab-worker1"], {"lab-master": {"alluxio_log_dir": "var/log/alluxio"}},
     "lab-master: alluxio_log_dir must be an absolute path, got 'var/log/alluxio'"),
    (["lab-master"], ["lab-worker1"], {"lab-worker1": {"alluxio_worker_mem_size": "100TB"}},
     "lab-worker1: alluxio_worker_mem_size 100TB is larger than the host's memory"),
])
def test_bad_inventories_are_refused_before_any_change(converged, tmp_path, masters, workers, hostvars, message):
    refused(variant(tmp_path, masters, workers, hostvars), message)


def test_checksum_mismatch_is_refused_before_any_change(converged, tmp_path):
    inventory = variant(tmp_path, ["lab-master"], ["lab-worker1", "lab-worker2"])
    refused(inventory, "checksum mismatch", "-e", "alluxio_tarball_sha256=" + "0" * 64)


def test_unreachable_worker_is_named_and_the_others_converge(converged, tmp_path):
    inventory = variant(tmp_path, ["lab-master"], ["lab-worker1", "lab-worker2", "lab-worker9"])
    res = run(["ansible-playbook", "-i", str(inventory), str(SITE), "-e", "alluxio_gate_timeout=20"], check=False)
    assert res.returncode != 0
    counts = recap(res.stdout)
    assert counts["lab-worker9"]["unreachable"] == 1
    assert counts["lab-worker1"]["failed"] == 0 and counts["lab-worker2"]["failed"] == 0
    assert "worker lab-worker9 is not registered with the master" in res.stdout
    assert "lab-worker9: unreachable" in res.stdout


def test_worker_comes_back_after_a_reboot(converged):
    """The ramdisk mount unit and the services are enabled: a rebooted worker rejoins by itself."""
    run(["ansible", "-i", str(INVENTORY), "lab-worker2", "-m", "ansible.builtin.reboot", "-a", "reboot_timeout=180"])
    assert f"size={192 * 1024}k" in on("lab-worker2", "findmnt -no OPTIONS /mnt/ramdisk").stdout
    assert on("lab-worker2", "systemctl is-active alluxio-worker alluxio-job-worker").stdout.split() == ["active", "active"]
    res = run(["ansible", "-i", str(INVENTORY), "lab-master", "-m", "alnair.alluxio.cluster_info", "-a",
               'master_url=http://lab-master:19999 expected_workers={"lab-worker1":"256MB","lab-worker2":"192MB"} '
               "max_last_contact_sec=5 wait=true timeout=120 fail_unhealthy=true"])
    assert "SUCCESS" in res.stdout and "healthy: true" in res.stdout


def test_config_change_rolls_over_workers_without_losing_them_all(converged):
    """While site.yml restarts for a property change, some worker is always live."""
    with live_worker_samples() as samples:
        res = playbook(SITE, "-e", '{"alluxio_site_properties": {"alluxio.user.block.size.bytes.default": "32MB"}}')
    counts = recap(res.stdout)
    # The properties file and both processes (conf/workers too, when an earlier test changed it).
    assert counts["lab-worker1"]["changed"] >= 3 and counts["lab-worker2"]["changed"] >= 3, counts
    assert samples and min(samples) >= 1, samples
    # The two workers restarted in turn: each is listed in a batch of its own.
    assert res.stdout.count("PLAY [Running workers restart for a change one batch at a time]") == 2


def test_another_version_installs_beside_the_old_and_rolls_over(converged):
    """2.9.4 (2.9.5 is incomplete on Maven Central) beside 2.9.6: link switched, processes restarted in turn."""
    import sys
    run([sys.executable, str(REPO / "tools" / "alluxio_dist.py"), "--version", "2.9.4"])
    res = playbook(SITE, "-e", "alluxio_version=2.9.4")
    assert res.stdout.count("PLAY [Running workers restart for a change one batch at a time]") == 2
    for host in ADDRESS:
        assert on(host, "readlink /opt/alluxio/current").stdout.strip() == "/opt/alluxio/alluxio-2.9.4"
        assert on(host, "test -d /opt/alluxio/alluxio-2.9.6/assembly && echo kept").stdout.strip() == "kept"
    info = yaml.safe_load(run(["curl", "-sf", "http://198.51.100.11:19999/api/v1/master/info"]).stdout)
    assert info["version"] == "2.9.4"
    assert sorted((w["address"]["host"], w["version"]) for w in info["workers"]) == [
        ("lab-worker1", "2.9.4"), ("lab-worker2", "2.9.4")]
    # And back: the newer version is already unpacked, only the link and the processes change.
    back = playbook(SITE)
    assert all(c["failed"] == 0 for c in recap(back.stdout).values())
    assert yaml.safe_load(run(["curl", "-sf", "http://198.51.100.11:19999/api/v1/master/info"]).stdout)["version"] == "2.9.6"


def test_port_taken_shows_the_log_tail(converged):
    host = "lab-worker2"
    on(host, "systemctl stop alluxio-job-worker alluxio-worker")
    squat = on(host, "systemd-run --unit=port-squatter python3 -m http.server --bind 0.0.0.0 29999")
    assert squat.returncode == 0, squat.stderr
    try:
        res = playbook(SITE, "--limit", f"lab-master,{host}", "-e", "alluxio_gate_timeout=25", check=False)
        assert res.returncode != 0
        assert f"worker on {host} did not pass its health gate" in res.stdout
        assert "Address already in use" in res.stdout, res.stdout[-4000:]
    finally:
        on(host, "systemctl stop port-squatter")
    playbook(SITE)
