"""The lab itself: bad input refused before anything exists, real hosts, clean teardown.
Runs before the session's shared lab exists (conftest's MODULE_ORDER): it takes the lab down."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from labkit import ADDRESS, LAB, REPO, adhoc, lab_down, lab_leftovers, lab_up, run, ssh


def refused(cmd, message, **kw):
    before = sorted(lab_leftovers())
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw, check=False)
    assert res.returncode == 2, res
    assert message in res.stderr, res.stderr
    assert sorted(lab_leftovers()) == before, "a refused `up` must create nothing"
    return res


@pytest.mark.parametrize("args,message", [
    (["--hosts", "0"], "--hosts must be between 1 and 20, got 0"),
    (["--hosts", "-2"], "--hosts must be between 1 and 20, got -2"),
    (["--release", "sid"], "unknown release 'sid'; supported: bookworm, bullseye"),
])
def test_up_refuses_bad_shapes(args, message):
    refused(LAB + ["up", *args], message)


def test_up_refuses_without_root():
    # Copy the tool where an unprivileged user can read it, and run it as nobody.
    where = tempfile.mkdtemp(prefix="alnair-lab-test-")
    tool = os.path.join(where, "lab.py")
    shutil.copy(REPO / "tools" / "lab.py", tool)
    shutil.copy(REPO / "tools" / "labnet.py", os.path.join(where, "labnet.py"))
    os.chmod(where, 0o755)
    os.chmod(tool, 0o755)
    os.chmod(os.path.join(where, "labnet.py"), 0o644)
    try:
        refused(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", str(tool), "up"],
                "the lab must run as root")
    finally:
        shutil.rmtree(where)


def test_up_refuses_without_fuse_device():
    # In a private mount namespace, /dev/fuse is replaced by /dev/null (a char device, not FUSE).
    script = 'mount --bind /dev/null /dev/fuse && exec "$@"'
    refused(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *LAB, "up"],
            "/dev/fuse is missing or is not the FUSE device")


def test_lifecycle_real_hosts_and_clean_teardown():
    lab_down()
    assert lab_leftovers() == []

    res = lab_up()
    assert "3 bookworm host(s)" in res.stdout
    assert run(LAB + ["status"]).returncode == 0
    # Real hosts: systemd as PID 1, own address, own file system, FUSE device, SSH keys.
    pong = adhoc("all", "ansible.builtin.ping", "")
    assert sorted(pong.results) == sorted(ADDRESS) and {status for status, _result in pong.results.values()} == {"SUCCESS"}
    facts = adhoc("all", "ansible.builtin.shell", "cat /proc/1/comm; hostname; ip -4 -o addr show eth0; test -c /dev/fuse && echo fuse-ok")
    for name, addr in ADDRESS.items():
        out = facts.results[name][1]["stdout"]
        assert out.startswith("systemd\n" + name) and f"{addr}/24" in out and "fuse-ok" in out, out
    master, worker1, worker2 = ADDRESS.values()
    assert ssh(master, "echo only-here > /opt/marker").returncode == 0
    assert ssh(worker1, "test -e /opt/marker").returncode == 1
    assert not os.path.exists("/opt/marker")
    # apt through NAT to the controller's package mirror.
    apt = ssh(worker2, "apt-get update -qq")
    assert apt.returncode == 0, apt.stderr

    # A second `up` is harmless: same launchers, nothing restarted.
    before = subprocess.run(["pgrep", "-f", "lab.py _launch"], capture_output=True, text=True, check=False).stdout.split()
    lab_up()
    after = subprocess.run(["pgrep", "-f", "lab.py _launch"], capture_output=True, text=True, check=False).stdout.split()
    assert sorted(before) == sorted(after) and len(after) == 3
    assert ssh(master, "cat /opt/marker").stdout.strip() == "only-here"

    lab_down()
    assert lab_leftovers() == []
    assert open("/proc/sys/net/ipv4/ip_forward").read().strip() == os.environ.get("EXPECT_IP_FORWARD", "0")


@pytest.mark.parametrize("delay", [0.3, 1.2])
def test_down_after_interrupted_up_leaves_nothing(delay):
    lab_down()
    proc = subprocess.Popen(LAB + ["up"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    lab_down()
    assert lab_leftovers() == []


def test_bullseye_lab_host_has_java_11():
    lab_down()
    res = run(LAB + ["up", "--hosts", "1", "--release", "bullseye"])
    assert "1 bullseye host(s)" in res.stdout
    java = ssh(ADDRESS["lab-master"], "java -version 2>&1; cat /etc/debian_version")
    assert 'version "11.' in java.stdout and java.stdout.strip().splitlines()[-1].startswith("11."), java.stdout
    lab_down()
    assert lab_leftovers() == []
