"""testinfra checks of a converged lab cluster (molecule verify). CI runs them on the test
session's shared lab (tests/integration/test_molecule.py); `molecule test` runs the whole scenario."""
import json

UNITS = {"lab-master": ["alluxio-master", "alluxio-job-master"]}
WORKER_UNITS = ["alluxio-worker", "alluxio-job-worker"]
PORTS = {"lab-master": [19998, 19999, 20001]}
WORKER_PORTS = [29999, 30001]
# The lab inventory's worker memory sizes (inventories/lab/host_vars).
# The lab's 256.01MB and 192.51MB as the collection sizes a MEM tier: rounded up to a whole 64 KiB
# (module_utils/alluxio_sizes.tier_bytes; tests/unit/test_tier_sizes.py pins these figures).
WORKER_MEM = {"lab-worker1": 268500992, "lab-worker2": 201916416}


def name_of(host):
    return host.backend.get_hostname()


def test_units_run_as_alluxio_and_start_at_boot(host):
    for unit in UNITS.get(name_of(host), WORKER_UNITS):
        service = host.service(unit)
        assert service.is_running and service.is_enabled, unit
        assert host.check_output(f"systemctl show -p User --value {unit}") == "alluxio"


def test_ports_listen_on_the_cluster_address_only(host):
    address = host.ansible.get_variables()["ansible_host"]  # alluxio_bind_address's default
    for port in PORTS.get(name_of(host), WORKER_PORTS):
        assert host.socket(f"tcp://{address}:{port}").is_listening, port
        assert not any(host.socket(f"tcp://{wildcard}:{port}").is_listening for wildcard in ("0.0.0.0", "::")), port


def test_the_firewall_table_is_loaded_and_loads_at_boot(host):
    rules = host.check_output("nft list table inet alnair_alluxio")
    assert "tcp dport != @alluxio_ports accept" in rules and "reject with tcp reset" in rules
    assert host.service("alnair-alluxio-firewall").is_enabled


def test_site_properties(host):
    props = host.file("/etc/alluxio/alluxio-site.properties").content_string
    assert "alluxio.master.hostname=lab-master" in props
    assert "alluxio.master.update.check.enabled=false" in props
    if name_of(host) in WORKER_MEM:
        # The tier's size goes to the worker alone (its unit), so a resize restarts nothing else.
        assert "alluxio.worker.tieredstore.level0.dirs.quota" not in props
        unit = host.file("/etc/systemd/system/alluxio-worker.service").content_string
        assert f"-Dalluxio.worker.tieredstore.level0.dirs.quota={WORKER_MEM[name_of(host)]}" in unit
        assert f"-Dalluxio.worker.ramdisk.size={WORKER_MEM[name_of(host)]}" in unit


def test_ramdisk_is_a_tmpfs_of_the_configured_size(host):
    if name_of(host) not in WORKER_MEM:
        return
    ramdisk = host.mount_point("/mnt/ramdisk")
    assert ramdisk.filesystem == "tmpfs" and f"size={WORKER_MEM[name_of(host)] // 1024}k" in ramdisk.options


def test_master_knows_its_workers_and_formatted_its_journal_once(host):
    if name_of(host) != "lab-master":
        return
    lines = [l for l in host.file("/etc/alluxio/workers").content_string.splitlines() if l and not l.startswith("#")]
    assert lines == ["lab-worker1", "lab-worker2"]
    # The marker lives where only root writes (the alluxio user owns /var/lib/alluxio).
    assert host.file("/etc/alluxio/.journal-formatted").content_string.startswith("formatted by alnair.alluxio")
    assert host.file("/etc/alluxio/.journal-formatted").user == "root"
    assert not host.file("/var/lib/alluxio/.journal-formatted").exists
    address = host.ansible.get_variables()["ansible_host"]  # the master listens there, not on localhost
    info = json.loads(host.check_output(f"curl -sf http://{address}:19999/api/v1/master/info"))
    assert {w["address"]["host"]: w["capacityBytes"] for w in info["workers"]} == WORKER_MEM
