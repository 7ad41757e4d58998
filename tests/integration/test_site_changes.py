"""site.yml changes a running cluster: a version and a property change roll over the workers
one batch at a time; a worker whose port is taken shows why it did not start. Each test
leaves the session's cluster as it found it (the last site.yml run converges it back)."""
import sys

from labkit import ADDRESS, REPO, SITE, host, live_worker_samples, master_info, on, playbook, run

PROPERTY_CHANGE = '{"alluxio_site_properties": {"alluxio.user.block.size.bytes.default": "32MB"}}'
ROLLING_PLAY = "PLAY [Running workers restart for a change one batch at a time]"


def test_version_and_property_change_roll_over_the_workers_and_back(cluster):
    """2.9.4 (2.9.5 is incomplete on Maven Central) installed beside 2.9.6 and a property changed, in
    one run: link switched, processes restarted one worker batch at a time, some worker always
    live. Then back to 2.9.6 without the property: the session's cluster again."""
    run([sys.executable, str(REPO / "tools" / "alluxio_dist.py"), "--version", "2.9.4"])
    with live_worker_samples() as samples:
        res = playbook(SITE, "-e", "alluxio_version=2.9.4", "-e", PROPERTY_CHANGE)
    # The properties file and both processes restarted on each worker, the workers in turn.
    assert res.recap["lab-worker1"]["changed"] >= 3 and res.recap["lab-worker2"]["changed"] >= 3, res.recap
    assert res.stdout.count(ROLLING_PLAY) == 2
    assert samples and min(samples) >= 1, samples
    for name in ADDRESS:
        assert host(name).file("/opt/alluxio/current").linked_to == "/opt/alluxio/alluxio-2.9.4"
        assert host(name).file("/opt/alluxio/alluxio-2.9.6/assembly").is_directory
        assert "alluxio.user.block.size.bytes.default=32MB" in host(name).file("/etc/alluxio/alluxio-site.properties").content_string
    info = master_info()
    assert info["version"] == "2.9.4"
    assert sorted((w["address"]["host"], w["version"]) for w in info["workers"]) == [
        ("lab-worker1", "2.9.4"), ("lab-worker2", "2.9.4")]
    # And back: the newer version is already unpacked, only the link, the file and the processes change.
    back = playbook(SITE)
    assert all(c["failed"] == 0 for c in back.recap.values())
    assert master_info()["version"] == "2.9.6"


def test_port_taken_shows_the_log_tail(cluster):
    name = "lab-worker2"
    on(name, "systemctl stop alluxio-job-worker alluxio-worker")
    squat = on(name, "systemd-run --unit=port-squatter python3 -m http.server --bind 0.0.0.0 29999")
    assert squat.returncode == 0, squat.stderr
    try:
        res = playbook(SITE, "--limit", f"lab-master,{name}", "-e", "alluxio_gate_timeout=15", check=False)
        assert res.returncode != 0
        assert f"worker on {name} did not pass its health gate" in res.stdout
        assert "Address already in use" in res.stdout, res.stdout[-4000:]
    finally:
        on(name, "systemctl stop port-squatter")
    playbook(SITE)
