"""FUSE on the lab: site.yml mounts Alluxio on every worker; fuse_mount repairs, predicts and refuses."""
import json
import time

import pytest

from labkit import INVENTORY, SITE, lab_down, lab_up, main_pid, on, playbook, run, wait_for

MOUNT = "/mnt/alluxio-fuse"
UNIT = "alluxio-fuse@mnt-alluxio\\x2dfuse.service"


def fuse_mount(host, check=False, **args):
    """Run alnair.alluxio.fuse_mount ad hoc; returns (status word, output)."""
    args.setdefault("mount_point", MOUNT)
    args.setdefault("options", ["allow_other"])
    cmd = ["ansible", host, "-i", str(INVENTORY), "-m", "alnair.alluxio.fuse_mount", "-a", json.dumps(args)]
    res = run(cmd + (["--check"] if check else []), check=False, timeout=300)
    status = next((word for word in ("CHANGED", "SUCCESS", "FAILED") if f"| {word}" in res.stdout), "UNKNOWN")
    return status, res.stdout + res.stderr


def answers(host, path=MOUNT):
    """A FUSE file system is mounted at path and answers (not the empty directory under it)."""
    script = f"grep -q ' {path} .* - fuse' /proc/self/mountinfo && timeout 5 stat {path} >/dev/null 2>&1 && echo ok"
    return on(host, script).stdout.strip() == "ok"


@pytest.fixture(scope="module")
def mounted(lab, tarball):
    lab_down()
    lab_up()
    playbook(SITE)
    return True


def test_every_worker_mounts_and_reads_what_another_wrote(mounted):
    for host in ("lab-worker1", "lab-worker2"):
        assert " fuse.alluxio-fuse " in on(host, f"grep ' {MOUNT} ' /proc/self/mountinfo").stdout
        assert on(host, f"systemctl is-enabled '{UNIT}'").stdout.strip() == "enabled"
    wrote = on("lab-worker1", f"head -c 3000000 /dev/urandom > /tmp/f.bin && cp /tmp/f.bin {MOUNT}/from-worker1.bin "
                              "&& sha256sum < /tmp/f.bin").stdout.split()[0]
    read = on("lab-worker2", f"sha256sum < {MOUNT}/from-worker1.bin").stdout.split()[0]
    assert read == wrote


def test_killed_fuse_goes_stale_and_the_module_repairs_it(mounted):
    host = "lab-worker1"
    # Hold systemd's own restart back for this test, to see the module do the repair.
    dropin = f"/run/systemd/system/{UNIT}.d"
    on(host, f"mkdir -p '{dropin}' && printf '[Service]\\nRestartSec=300\\n' > '{dropin}/slow.conf' && systemctl daemon-reload")
    try:
        on(host, f"kill -9 {main_pid(host, UNIT)}")
        stale = wait_for(lambda: "not connected" in on(host, f"stat {MOUNT} 2>&1").stdout, 10)
        assert stale, "the mount did not go stale"
        status, out = fuse_mount(host)
        assert status == "CHANGED", out
        assert "unmounted the stale mount" in out
        assert answers(host)
        assert fuse_mount(host)[0] == "SUCCESS"
    finally:
        on(host, f"rm -rf '{dropin}' && systemctl daemon-reload")


def test_systemd_brings_a_killed_fuse_back_by_itself(mounted):
    host = "lab-worker2"
    before = main_pid(host, UNIT)
    on(host, f"kill -9 {before}")
    started = time.monotonic()
    back = wait_for(lambda: main_pid(host, UNIT) not in ("0", before) and answers(host), 120, interval=0.2)
    seconds = time.monotonic() - started
    assert back, "systemd did not bring the mount back within 120 s"
    print(f"FUSE back after kill -9 (systemd restart): {seconds:.1f} s")
    assert on(host, f"sha256sum < {MOUNT}/from-worker1.bin").returncode == 0


def test_check_mode_predicts_and_changes_nothing(mounted):
    host = "lab-worker2"
    on(host, f"systemctl stop '{UNIT}'")
    # A graceful stop unmounts.
    assert " fuse" not in on(host, f"grep ' {MOUNT} ' /proc/self/mountinfo").stdout
    status, out = fuse_mount(host, check=True)
    assert status == "CHANGED" and "started " in out, out
    assert on(host, f"systemctl is-active '{UNIT}'").stdout.strip() != "active"
    status, out = fuse_mount(host)
    assert status == "CHANGED" and answers(host), out
    status, out = fuse_mount(host, check=True, state="unmounted")
    assert status == "CHANGED" and answers(host), out


def test_reboot_brings_the_mount_back(mounted):
    run(["ansible", "lab-worker2", "-i", str(INVENTORY), "-m", "ansible.builtin.reboot"], timeout=600)
    assert wait_for(lambda: answers("lab-worker2") and main_pid("lab-worker2", UNIT) != "0", 180, interval=1)
    assert on("lab-worker2", f"test -s {MOUNT}/from-worker1.bin && echo ok").stdout.strip() == "ok"


@pytest.mark.parametrize("setup,args,message,teardown", [
    ("", {"mount_point": "mnt/relative"}, "is not an absolute path", ""),
    ("", {"mount_point": "/mnt/missing-path", "alluxio_path": "/no/such/dir"},
     "does not exist in the Alluxio namespace", ""),
    ("mkdir -p /mnt/taken && mount -t tmpfs tmpfs /mnt/taken", {"mount_point": "/mnt/taken"},
     "already used by another file system (tmpfs)", "umount /mnt/taken"),
    ("", {"mount_point": "/mnt/f3", "options": ["direct_io"], "libfuse_version": 3}, "direct_io is refused by libfuse 3", ""),
    ("sed -i 's/^user_allow_other/#user_allow_other/' /etc/fuse.conf", {"mount_point": "/mnt/other"},
     "allow_other needs user_allow_other", "sed -i 's/^#user_allow_other/user_allow_other/' /etc/fuse.conf"),
    ("mv /usr/lib/x86_64-linux-gnu/libfuse.so.2 /root/libfuse.so.2.away", {"mount_point": "/mnt/nofuse"},
     "FUSE is not installed", "mv /root/libfuse.so.2.away /usr/lib/x86_64-linux-gnu/libfuse.so.2"),
    ("mkdir -p /mnt/full && touch /mnt/full/keep", {"mount_point": "/mnt/full"}, "is not empty", ""),
])
def test_bad_input_is_refused_and_nothing_is_left(mounted, setup, args, message, teardown):
    host = "lab-worker1"
    if setup:
        assert on(host, setup).returncode == 0
    try:
        status, out = fuse_mount(host, **args)
    finally:
        if teardown:
            on(host, teardown)
    assert status == "FAILED" and message in out, out
    point = args["mount_point"]
    if point.startswith("/"):
        unit = run(["systemd-escape", "--path", "--template=alluxio-fuse@.service", point]).stdout.strip()
        assert on(host, f"test -e '/etc/systemd/system/{unit}.d' || echo none").stdout.strip() == "none"
        assert on(host, f"systemctl is-active '{unit}'").stdout.strip() != "active"
        assert " fuse" not in on(host, f"grep ' {point} ' /proc/self/mountinfo").stdout
