"""Unit tests for tools/lab.py: the logic that needs no root and no hosts."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import lab


def test_host_names_first_is_master():
    assert lab.host_names(3) == ["lab-master", "lab-worker1", "lab-worker2"]
    assert lab.host_names(1) == ["lab-node1"]
    # A quorum: the further masters come after the workers (a 3-host lab grows into one in place).
    assert lab.host_names(3, 3) == ["lab-master", "lab-worker1", "lab-worker2", "lab-master2", "lab-master3"]


@pytest.mark.parametrize("existing,hosts,masters,grows", [
    # the state file lists its hosts sorted by name
    (["lab-master", "lab-master2", "lab-master3", "lab-worker1", "lab-worker2"], 3, 5, True),
    (["lab-master", "lab-worker1", "lab-worker2"], 3, 3, True),
    (["lab-master", "lab-worker1", "lab-worker2"], 4, 1, True),
    (["lab-master", "lab-master2", "lab-master3", "lab-worker1", "lab-worker2"], 3, 3, True),   # the same lab
    (["lab-master", "lab-master2", "lab-master3", "lab-worker1", "lab-worker2"], 3, 1, False),  # shrinks
    (["lab-node1"], 3, 1, False),
    (["lab-master", "lab-worker1", "lab-worker2"], 1, 1, False),
])
def test_a_lab_grows_in_place_only_by_adding_hosts(existing, hosts, masters, grows):
    assert lab.grows_in_place(dict.fromkeys(existing), lab.host_names(hosts, masters)) is grows


def test_every_host_keeps_its_address_whatever_the_shape():
    """The workers count up from the master, the further masters down from the top: no two collide."""
    import labnet
    names = lab.host_names(3, 3) + ["lab-worker3", "lab-worker17", "lab-node1"]
    addresses = {name: labnet.address(name) for name in names}
    assert addresses["lab-master"] == addresses["lab-node1"] == "198.51.100.11"
    assert addresses["lab-worker1"] == "198.51.100.12" and addresses["lab-master2"] == "198.51.100.30"
    assert len(set(addresses.values())) == len(names) - 1
    for bad in ("lab-master1", "lab-worker0", "lab-worker20", "lab-master21", "master"):
        with pytest.raises(KeyError):
            labnet.address(bad)


def test_addresses_stay_in_the_lab_subnet():
    addresses = [lab.host_address(i) for i in range(lab.MAX_HOSTS)]
    assert addresses[0] == "198.51.100.11"
    assert len(set(addresses)) == lab.MAX_HOSTS
    assert all(a.startswith("198.51.100.") and a != lab.GATEWAY for a in addresses)


@pytest.mark.parametrize("count,release,message", [
    (0, "bookworm", "--hosts must be between 1 and 20, got 0"),
    (21, "bookworm", "--hosts must be between 1 and 20, got 21"),
    (3, "sid", "unknown release 'sid'"),
])
def test_preflight_rejects_bad_shapes(monkeypatch, count, release, message):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(lab, "is_fuse_device", lambda _p: True)
    with pytest.raises(lab.LabError, match=message):
        lab.preflight_up(count, release)


@pytest.mark.parametrize("count,masters,message", [
    (3, 2, "--masters must be 1 or an odd number"),
    (3, 0, "--masters must be 1 or an odd number"),
    (1, 3, "--masters above 1 needs workers of their own"),
    (19, 3, "--hosts 19 and --masters 3 make more than 20 hosts"),
])
def test_preflight_rejects_a_quorum_it_cannot_make(monkeypatch, count, masters, message):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(lab, "is_fuse_device", lambda _p: True)
    with pytest.raises(lab.LabError, match=message):
        lab.preflight_up(count, "bookworm", masters)
    lab.preflight_up(3, "bookworm", 3)


def test_preflight_collects_every_problem(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(lab, "is_fuse_device", lambda _p: False)
    with pytest.raises(lab.LabError) as err:
        lab.preflight_up(0, "nope")
    text = str(err.value)
    for part in ("must run as root", "--hosts", "unknown release", "/dev/fuse"):
        assert part in text


def test_fuse_device_check(tmp_path):
    assert not lab.is_fuse_device(tmp_path / "missing")
    assert not lab.is_fuse_device(Path("/dev/null"))  # a char device, but 1:3


def test_apt_sources_deb822(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n"
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n")
    assert lab.apt_sources(tmp_path) == ("http://mirror.example/debian", "http://mirror.example/debian-security")


def test_apt_sources_legacy_list(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb [arch=amd64] http://m.example/debian bookworm main\n"
        "deb http://m.example/debian-security bookworm-security main\n")
    assert lab.apt_sources(tmp_path) == ("http://m.example/debian", "http://m.example/debian-security")


def test_apt_sources_none(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    with pytest.raises(lab.LabError, match="no Debian archive"):
        lab.apt_sources(tmp_path)


def test_process_identity_survives_pid_reuse():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    record = lab.record_process(proc.pid)
    assert lab.same_process(record)
    # A record with another start time is a different process that got the same PID.
    assert not lab.same_process({"pid": proc.pid, "start": record["start"] + 1})
    assert lab.end_process(record, timeout=5)
    proc.wait()
    assert not lab.same_process(record)


def test_end_process_escalates_to_sigkill():
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    started = time.monotonic()
    assert lab.end_process(lab.record_process(proc.pid), timeout=0.5)
    assert proc.wait() == -signal.SIGKILL
    assert time.monotonic() - started < 5


def test_inventory_groups(tmp_path):
    state = {"release": "bookworm", "hosts": {n: {"address": lab.host_address(i)} for i, n in enumerate(lab.host_names(3))}}
    path = tmp_path / "hosts.yml"
    lab.write_inventory(state, path)
    import yaml  # from ansible-core's dependencies
    inv = yaml.safe_load(path.read_text())
    children = inv["all"]["children"]
    assert list(children["alluxio_masters"]["hosts"]) == ["lab-master"]
    assert list(children["alluxio_workers"]["hosts"]) == ["lab-worker1", "lab-worker2"]
    assert children["alluxio_workers"]["hosts"]["lab-worker2"]["ansible_host"] == "198.51.100.13"
    assert "StrictHostKeyChecking=yes" in inv["all"]["vars"]["ansible_ssh_common_args"]


def test_single_host_inventory_is_master_and_worker(tmp_path):
    state = {"release": "bullseye", "hosts": {"lab-node1": {"address": lab.host_address(0)}}}
    path = tmp_path / "hosts.yml"
    lab.write_inventory(state, path)
    import yaml
    inv = yaml.safe_load(path.read_text())
    assert inv["all"]["vars"]["alluxio_master_is_worker"] is True
    assert list(inv["all"]["children"]["alluxio_workers"]["hosts"]) == ["lab-node1"]


def test_the_lab_firewall_admits_the_controller():
    """The lab's group_vars name the controller's bridge address as a client network (the tests
    read the master's REST API from it): it must be labnet's GATEWAY."""
    import yaml
    import labnet
    group_vars = yaml.safe_load((Path(__file__).resolve().parents[2] / "inventories/lab/group_vars/all.yml").read_text())
    assert group_vars["alluxio_client_networks"] == [labnet.GATEWAY]


def test_the_inventory_of_a_quorum_lab(tmp_path):
    import yaml
    names = lab.host_names(3, 3)
    state = {"release": "bookworm", "hosts": {n: {"address": f"198.51.100.{i}"} for i, n in enumerate(names)}}
    lab.write_inventory(state, tmp_path / "hosts.yml")
    groups = yaml.safe_load((tmp_path / "hosts.yml").read_text())["all"]["children"]
    assert list(groups["alluxio_masters"]["hosts"]) == ["lab-master", "lab-master2", "lab-master3"]
    assert list(groups["alluxio_workers"]["hosts"]) == ["lab-worker1", "lab-worker2"]
    assert list(groups["alluxio_monitoring"]["hosts"]) == ["lab-master"]
