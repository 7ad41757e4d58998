"""Unit tests for the FUSE, namespace mount and cache logic (no host, no Alluxio)."""
import pytest

from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_host as host
from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_shell as shell
from ansible_collections.alnair.alluxio.plugins.modules import fuse_mount, ufs_mount

MOUNTINFO = (
    "22 1 0:21 / / rw,relatime - overlay overlay rw\n"
    "1310 191 0:92 / /mnt/alluxio-fuse rw,nosuid,nodev,relatime shared:497 - fuse.alluxio-fuse alluxio-fuse "
    "rw,user_id=999,group_id=997,allow_other\n"
    "1400 22 0:93 / /mnt/with\\040space rw - tmpfs tmpfs rw,size=1024k\n"
)


def test_mountinfo_is_parsed_and_unescaped():
    mounts = host.parse_mountinfo(MOUNTINFO)
    fuse = host.mount_at(mounts, "/mnt/alluxio-fuse")
    assert fuse["fstype"] == "fuse.alluxio-fuse" and "allow_other" in fuse["options"]
    assert host.mount_at(mounts, "/mnt/with space")["fstype"] == "tmpfs"
    assert host.mount_at(mounts, "/mnt/none") is None


def test_dpkg_and_systemctl_output():
    dpkg = "ii \tlibfuse2\t2.9.9-6+b1\nun \tfuse\t\n"
    assert host.parse_dpkg(dpkg, ["libfuse2", "fuse", "fuse3"]) == {"libfuse2": "2.9.9-6+b1", "fuse": None, "fuse3": None}
    show = ("Id=a.service\nActiveState=active\nUnitFileState=enabled\nLoadState=loaded\nUser=alluxio\nMainPID=812\n\n"
            "Id=b.mount\nActiveState=inactive\nUnitFileState=\n")
    assert host.parse_systemctl_show(show) == {
        "a.service": {"active": "active", "enabled": "enabled", "load": "loaded", "user": "alluxio", "main_pid": 812},
        "b.mount": {"active": "inactive", "enabled": "", "load": "", "user": "", "main_pid": 0}}


def test_the_one_systemctl_reader():
    calls = []

    def run_command(args):
        calls.append(args)
        return 0, "Id=a.service\nActiveState=active\nUnitFileState=enabled\nLoadState=loaded\nUser=\nMainPID=7\n", ""

    shown = host.systemctl_show(run_command, ["a.service", "gone.service"])
    assert calls == [["timeout", "--kill-after=5", "30", "systemctl", "show", "--property=Id,ActiveState,UnitFileState,LoadState,User,MainPID",
                      "a.service", "gone.service"]]
    assert shown["a.service"]["main_pid"] == 7 and shown["gone.service"] == {
        "active": "", "enabled": "", "load": "", "user": "", "main_pid": 0}
    assert host.systemctl_show(run_command, []) == {} and len(calls) == 1
    with pytest.raises(host.HostError, match="systemctl show failed: Failed to connect to bus"):
        host.systemctl_show(lambda args: (1, "", "Failed to connect to bus\n"), ["a.service"])
    with pytest.raises(host.HostError, match="did not answer within 30 s"):
        host.systemctl_show(lambda args: (host.TIMED_OUT, "", ""), ["a.service"])


def test_the_one_user_and_group_lookup():
    assert host.passwd_entry("root").pw_uid == 0 == host.passwd_entry("0").pw_uid == host.passwd_entry(0).pw_uid
    assert host.passwd_entry("no-such-user-here") is None and host.passwd_entry("4294967") is None
    assert host.group_entry("root").gr_gid == 0 == host.group_entry("0").gr_gid
    assert host.group_entry("no-such-group-here") is None


def test_fuse_unit_names_follow_systemd_escape():
    assert host.fuse_unit_name("/mnt/alluxio-fuse") == "alluxio-fuse@mnt-alluxio\\x2dfuse.service"
    assert host.fuse_unit_name("/data/") == "alluxio-fuse@data.service"


def test_fuse_arguments_round_trip():
    content = fuse_mount.env_content("/datasets/x", ["allow_other", "max_read=131072"])
    assert 'Environment="ALLUXIO_FUSE_ARGS=-a /datasets/x -o allow_other,max_read=131072"' in content
    cmdline = "java\0-Xmx1g\0alluxio.fuse.AlluxioFuse\0-m\0/mnt/a\0-a\0/datasets/x\0-o\0allow_other,max_read=131072\0"
    assert host.fuse_process_args(cmdline.split("\0")) == {
        "mount_point": "/mnt/a", "alluxio_path": "/datasets/x", "options": ["allow_other", "max_read=131072"]}
    # A mount without JVM options keeps the drop-in of earlier releases (no restart on upgrade).
    assert "ALLUXIO_FUSE_JAVA_OPTS" not in content
    with_jvm = fuse_mount.env_content("/datasets/x", ["ro"], ["-Xms4g", "-Xmx4g"])
    assert 'Environment="ALLUXIO_FUSE_JAVA_OPTS=-Xms4g -Xmx4g"' in with_jvm
    assert fuse_mount.env_jvm_options(with_jvm) == ["-Xms4g", "-Xmx4g"]
    assert fuse_mount.env_jvm_options(content) == [] == fuse_mount.env_jvm_options(None)


def params(**kw):
    base = {"mount_point": "/mnt/a", "alluxio_path": "/", "options": ["allow_other"], "state": "mounted",
            "libfuse_version": 2, "jvm_options": []}
    base.update(kw)
    return base


def problems(p, user="alluxio", fuse_conf="user_allow_other\n", lib=True, fusermount=True, dev=True):
    return " | ".join(fuse_mount.check_inputs(p, user, fuse_conf, lib, fusermount, dev))


def test_fuse_inputs_are_checked_before_anything():
    assert problems(params()) == ""
    assert "mount_point must be an absolute path" in problems(params(mount_point="mnt/a"))
    assert "system directory /mnt" in problems(params(mount_point="/mnt"))
    assert "normalised" in problems(params(mount_point="/mnt/a/"))
    assert "state 'up' is not one of" in problems(params(state="up"))
    assert "not an absolute Alluxio path" in problems(params(alluxio_path="data"))
    assert "direct_io is refused by libfuse 3" in problems(params(options=["direct_io"], libfuse_version=3))
    assert problems(params(options=["direct_io"], libfuse_version=2)) == ""
    assert "needs user_allow_other" in problems(params(), fuse_conf="#user_allow_other\n")
    assert problems(params(), user="root", fuse_conf="") == ""
    assert "FUSE is not installed" in problems(params(), lib=False)
    assert "fusermount" in problems(params(), fusermount=False)
    assert "/dev/fuse does not exist" in problems(params(), dev=False)
    assert "one option per list item" in problems(params(options=["a,b"]))
    assert "white space" in problems(params(alluxio_path="/a b"))
    assert problems(params(jvm_options=["-Xmx4g", "-XX:StartFlightRecording=filename=/var/tmp/f.jfr,settings=default"])) == ""
    for bad in (["Xmx4g"], ["-Xmx4g -Xms4g"], ["-Dx='y'"], [""]):
        assert "a JVM option starts with -" in problems(params(jvm_options=bad)), bad
    # Taking a mount away needs no FUSE at all.
    assert problems(params(state="absent"), lib=False, dev=False) == ""


def mount_params(**kw):
    base = {"alluxio_path": "/datasets/x", "ufs_uri": "/srv/nfs/x", "readonly": True, "shared": False,
            "options": {}, "replace": False, "state": "present"}
    base.update(kw)
    return base


FOUND = {"ufs_uri": "/srv/nfs/x", "readonly": True, "shared": False, "options": {}}


def test_namespace_mount_plans():
    assert ufs_mount.plan(None, mount_params()) == [["fs", "mount", "--readonly", "/datasets/x", "/srv/nfs/x"]]
    assert ufs_mount.plan(FOUND, mount_params()) == []
    assert ufs_mount.plan(dict(FOUND, ufs_uri="/srv/nfs/x/"), mount_params()) == []
    assert ufs_mount.plan(FOUND, mount_params(readonly=False, options={"k": "v"})) == [
        ["fs", "updateMount", "--option", "k=v", "/datasets/x"]]
    with pytest.raises(ValueError, match="already a mount of /srv/nfs/x"):
        ufs_mount.plan(FOUND, mount_params(ufs_uri="/srv/other"))
    assert ufs_mount.plan(FOUND, mount_params(ufs_uri="/srv/other", replace=True))[0] == ["fs", "unmount", "/datasets/x"]
    assert ufs_mount.plan(FOUND, mount_params(state="absent")) == [["fs", "unmount", "/datasets/x"]]
    assert ufs_mount.plan(None, mount_params(state="absent")) == []


def test_mount_table_from_master_info():
    info = {"mountPoints": {"/datasets/x": {"ufsUri": "/srv/nfs/x", "readOnly": True, "shared": False,
                                            "properties": {}, "ufsType": "local"}}}
    assert ufs_mount.mount_table(info) == {"/datasets/x": FOUND}


def test_du_and_load_progress_are_parsed():
    du = "File Size     In Alluxio       In Memory        Path\n20200000      10100000 (50%)   10100000 (50%)   /d x\n"
    assert shell.parse_du(du) == (20200000, 10100000, 10100000)
    with pytest.raises(shell.ShellError):
        shell.parse_du("nothing here")
    progress = ("Progress for loading path '/d':\n"
                '{"mVerbose":false,"mJobState":"RUNNING","mProcessedFileCount":21,"mLoadedByteCount":5,"mFailedFileCount":0}\n')
    assert shell.parse_load_progress(progress)["jobState"] == "RUNNING"
    assert shell.parse_load_progress("Load for path '/' cannot be found.") is None
    state = {"in_memory_percent": 50.0, "in_memory_bytes": 1048576, "size_bytes": 2097152,
             "load": {"jobState": "RUNNING", "processedFileCount": 3, "loadedByteCount": 1048576}}
    assert shell.progress_line("/d", state) == "/d: 50.0 % in memory (1.0 MiB of 2.0 MiB); load RUNNING, 3 files, 1.0 MiB loaded"


def test_java_errors_are_reduced_to_their_reason():
    trace = ("Exception in thread main\n\tat a.b(C.java:1)\n"
             "Caused by: io.grpc.StatusRuntimeException: PERMISSION_DENIED: Permission denied: user=root\n\tat x\n")
    assert shell.reason(trace) == "io.grpc.StatusRuntimeException: PERMISSION_DENIED: Permission denied: user=root"
    assert shell.reason("Path /x does not exist\n") == "Path /x does not exist"


def test_alluxio_cli_calls_are_bounded(tmp_path, monkeypatch):
    """Every bin/alluxio call runs under timeout (its whole process group ended); running out of
    time is an error whatever check says."""
    from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_shell as shell
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "alluxio").write_text("#!/bin/sh\n")
    monkeypatch.setattr(shell.os, "geteuid", lambda: 1000)  # not root: no runuser in front
    seen = []

    class Module:
        def __init__(self, rc):
            self.rc = rc

        def run_command(self, argv, cwd=None):
            seen.append(argv)
            return self.rc, "", ""

    assert shell.alluxio(Module(0), str(tmp_path), ["fs", "ls", "/"], timeout=7)[0] == 0
    assert seen[-1] == ["timeout", "--kill-after=5", "7", str(tmp_path / "bin" / "alluxio"), "fs", "ls", "/"]
    with pytest.raises(shell.ShellError, match="did not finish within 120 s and was ended"):
        shell.alluxio(Module(124), str(tmp_path), ["fs", "test", "-d", "/x"], check=False)


def test_a_hung_stat_is_left_behind_not_waited_for(tmp_path):
    """A stat stuck in a FUSE request the daemon already took cannot be killed (the kernel waits for
    the answer): probe_path must return at its timeout without waiting for the child."""
    import subprocess
    import time
    from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_host as host
    assert host.probe_path(str(tmp_path)) == ("answers", None)
    assert host.probe_path(str(tmp_path / "missing")) == ("answers", None)   # the file system answered
    children = []

    def unkillable(argv, **kw):  # a child that ignores the kill for 3 s, like a stat in D state
        children.append(subprocess.Popen(["sh", "-c", "trap '' TERM; sleep 3"], **kw))
        children[-1].kill = lambda: None
        return children[-1]
    started = time.monotonic()
    assert host.probe_path(str(tmp_path), timeout=0.5, popen=unkillable) == ("hung", "stat hung for 0.5 s")
    assert time.monotonic() - started < 2 and children[0].poll() is None
    children[0].wait()
    assert host.path_responds(str(tmp_path)) is None
