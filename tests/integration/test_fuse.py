"""FUSE on the session's lab: site.yml mounted Alluxio on every worker; fuse_mount repairs, predicts
and refuses. Its decisions (each state against each situation) are table-tested in
tests/unit/plugins/test_fuse_decide.py; here each kind of step runs once on a real host."""
import time

import pytest

from labkit import adhoc, host, main_pid, on, run, wait_for

MOUNT = "/mnt/alluxio-fuse"
UNIT = "alluxio-fuse@mnt-alluxio\\x2dfuse.service"


def fuse_mount(name, check=False, **args):
    """Run alnair.alluxio.fuse_mount ad hoc; returns (SUCCESS|CHANGED|FAILED, its actions and message)."""
    args.setdefault("mount_point", MOUNT)
    args.setdefault("options", ["allow_other"])
    res = adhoc(name, "alnair.alluxio.fuse_mount", args, *(["--check"] if check else []), check=False, timeout=300)
    status, result = res.results.get(name, ("UNKNOWN", {}))
    return status, "\n".join(result.get("actions", []) + [result.get("msg", "")])


def answers(name, path=MOUNT):
    """An Alluxio FUSE file system is mounted at path and answers (not the empty directory under it)."""
    script = f"grep -q ' {path} .* - fuse.alluxio-fuse' /proc/self/mountinfo && timeout 5 stat {path} >/dev/null 2>&1 && echo ok"
    return on(name, script).stdout.strip() == "ok"


@pytest.fixture(scope="module")
def mounted(cluster):
    return cluster


def test_every_worker_mounts_and_reads_what_another_wrote(mounted):
    for name in ("lab-worker1", "lab-worker2"):
        assert host(name).mount_point(MOUNT).filesystem == "fuse.alluxio-fuse"
        assert host(name).service(UNIT).is_enabled
    wrote = on("lab-worker1", f"head -c 3000000 /dev/urandom > /tmp/f.bin && cp /tmp/f.bin {MOUNT}/from-worker1.bin "
                              "&& sha256sum < /tmp/f.bin").stdout.split()[0]
    read = on("lab-worker2", f"sha256sum < {MOUNT}/from-worker1.bin").stdout.split()[0]
    assert read == wrote


def test_killed_fuse_goes_stale_and_the_module_repairs_it(mounted):
    name = "lab-worker1"
    # Hold systemd's own restart back for this test, to see the module do the repair.
    dropin = f"/run/systemd/system/{UNIT}.d"
    on(name, f"mkdir -p '{dropin}' && printf '[Service]\\nRestartSec=300\\n' > '{dropin}/slow.conf' && systemctl daemon-reload")
    try:
        on(name, f"kill -9 {main_pid(name, UNIT)}")
        stale = wait_for(lambda: "not connected" in on(name, f"stat {MOUNT} 2>&1").stdout, 10)
        assert stale, "the mount did not go stale"
        status, out = fuse_mount(name)
        assert status == "CHANGED", out
        assert "unmounted the stale mount" in out
        assert answers(name)
        assert fuse_mount(name)[0] == "SUCCESS"
    finally:
        on(name, f"rm -rf '{dropin}' && systemctl daemon-reload")


def test_systemd_brings_a_killed_fuse_back_by_itself(mounted):
    name = "lab-worker2"
    before = main_pid(name, UNIT)
    on(name, f"kill -9 {before}")
    started = time.monotonic()
    back = wait_for(lambda: main_pid(name, UNIT) not in ("0", before) and answers(name), 120, interval=0.2)
    seconds = time.monotonic() - started
    assert back, "systemd did not bring the mount back within 120 s"
    print(f"FUSE back after kill -9 (systemd restart): {seconds:.1f} s")
    assert on(name, f"sha256sum < {MOUNT}/from-worker1.bin").returncode == 0


def test_check_mode_predicts_and_changes_nothing(mounted):
    name = "lab-worker2"
    on(name, f"systemctl stop '{UNIT}'")
    # A graceful stop unmounts.
    assert " fuse" not in on(name, f"grep ' {MOUNT} ' /proc/self/mountinfo").stdout
    status, out = fuse_mount(name, check=True)
    assert status == "CHANGED" and "started " in out, out
    assert on(name, f"systemctl is-active '{UNIT}'").stdout.strip() != "active"
    status, out = fuse_mount(name)
    assert status == "CHANGED" and answers(name), out
    status, out = fuse_mount(name, check=True, state="unmounted")
    assert status == "CHANGED" and answers(name), out


# One refusal of each source: the namespace (a real master), the name's mount table, the name's
# FUSE setup (read from its files), the mount point's content. The other inputs: unit tests.
@pytest.mark.parametrize("setup,args,message,teardown", [
    ("", {"mount_point": "/mnt/missing-path", "alluxio_path": "/no/such/dir"},
     "does not exist in the Alluxio namespace", ""),
    ("mkdir -p /mnt/taken && mount -t tmpfs tmpfs /mnt/taken", {"mount_point": "/mnt/taken"},
     "already used by another file system (tmpfs)", "umount /mnt/taken"),
    ("sed -i 's/^user_allow_other/#user_allow_other/' /etc/fuse.conf", {"mount_point": "/mnt/other"},
     "allow_other needs user_allow_other", "sed -i 's/^#user_allow_other/user_allow_other/' /etc/fuse.conf"),
    ("mkdir -p /mnt/full && touch /mnt/full/keep", {"mount_point": "/mnt/full"}, "is not empty", ""),
])
def test_bad_input_is_refused_and_nothing_is_left(mounted, setup, args, message, teardown):
    name = "lab-worker1"
    if setup:
        assert on(name, setup).returncode == 0
    try:
        status, out = fuse_mount(name, **args)
    finally:
        if teardown:
            on(name, teardown)
    assert status == "FAILED" and message in out, out
    point = args["mount_point"]
    if point.startswith("/"):
        unit = run(["systemd-escape", "--path", "--template=alluxio-fuse@.service", point]).stdout.strip()
        assert on(name, f"test -e '/etc/systemd/system/{unit}.d' || echo none").stdout.strip() == "none"
        assert on(name, f"systemctl is-active '{unit}'").stdout.strip() != "active"
        assert " fuse" not in on(name, f"grep ' {point} ' /proc/self/mountinfo").stdout
