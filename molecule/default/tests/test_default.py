"""testinfra checks of a converged lab cluster (molecule verify)."""
import json


def test_units_run_as_alluxio(host):
    name = host.backend.get_hostname()
    units = ["alluxio-master", "alluxio-job-master"] if name == "lab-master" else ["alluxio-worker", "alluxio-job-worker"]
    for unit in units:
        service = host.service(unit)
        assert service.is_running and service.is_enabled
        assert host.check_output(f"systemctl show -p User --value {unit}") == "alluxio"


def test_ports_listen(host):
    name = host.backend.get_hostname()
    ports = [19998, 19999, 20001] if name == "lab-master" else [29999, 30001]
    for port in ports:
        assert host.socket(f"tcp://0.0.0.0:{port}").is_listening or host.socket(f"tcp://{port}").is_listening


def test_conf_workers_is_the_inventory(host):
    lines = [l for l in host.file("/etc/alluxio/workers").content_string.splitlines() if l and not l.startswith("#")]
    assert lines == ["lab-worker1", "lab-worker2"]


def test_site_properties(host):
    props = host.file("/etc/alluxio/alluxio-site.properties").content_string
    assert "alluxio.master.hostname=lab-master" in props
    assert "alluxio.master.update.check.enabled=false" in props


def test_journal_formatted_once(host):
    if host.backend.get_hostname() != "lab-master":
        return
    assert host.file("/var/lib/alluxio/.journal-formatted").content_string.startswith("formatted by alnair.alluxio")


def test_master_lists_workers(host):
    if host.backend.get_hostname() != "lab-master":
        return
    info = json.loads(host.check_output("curl -sf http://localhost:19999/api/v1/master/info"))
    assert sorted(w["address"]["host"] for w in info["workers"]) == ["lab-worker1", "lab-worker2"]
