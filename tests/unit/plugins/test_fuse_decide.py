"""fuse_mount's state machine: what it does for each state against each situation it finds."""
import pytest

from ansible_collections.alnair.alluxio.plugins.modules.fuse_mount import FuseError, decide

ARGS = ("/", ["allow_other"])
POINT_MISSING = {"exists": False, "is_dir": False, "empty": True, "owner_ok": True}
POINT_EMPTY = {"exists": True, "is_dir": True, "empty": True, "owner_ok": True}
POINT_FOREIGN_OWNER = dict(POINT_EMPTY, owner_ok=False)
POINT_FULL = dict(POINT_EMPTY, empty=False)
POINT_FILE = {"exists": True, "is_dir": False, "empty": False, "owner_ok": True}


def found(mounted=False, stale=False, fstype=None, args=ARGS, active="active", enabled="enabled"):
    return {"mounted": mounted, "stale": stale, "fstype": fstype or ("fuse.alluxio-fuse" if mounted else None),
            "alluxio_path": args[0] if active == "active" else None, "options": args[1] if active == "active" else [],
            "unit_active": active, "unit_enabled": enabled}


SERVING = found(mounted=True)
STALE = found(mounted=True, stale=True)  # the process died: systemd restarts it, or not yet
STOPPED = found(active="inactive")
NEVER_SET_UP = found(active="inactive", enabled="disabled")
RUNNING_UNMOUNTED = found()  # started, not (yet) mounted
OTHER_ARGS = found(mounted=True, args=("/datasets", ["allow_other"]))
STALE_UNIT_STOPPED = found(mounted=True, stale=True, active="inactive")

# (state, found, env_matches, env_exists, point, allow_non_empty) -> steps
CASES = {
    "serving, nothing to do": ("mounted", SERVING, True, True, None, False, []),
    "serving, disabled at boot": ("mounted", found(mounted=True, enabled="disabled"), True, True, None, False, ["enable"]),
    "stale mount": ("mounted", STALE, True, True, None, False, ["check_alluxio_path", "unmount_stale", "restart"]),
    "stopped unit, empty point": ("mounted", STOPPED, True, True, POINT_EMPTY, False, ["check_alluxio_path", "start"]),
    "first mount, point missing": ("mounted", NEVER_SET_UP, False, False, POINT_MISSING, False,
                                   ["check_alluxio_path", "create_point", "write_env", "enable", "start"]),
    "non-empty point allowed": ("mounted", STOPPED, True, True, POINT_FULL, True, ["check_alluxio_path", "start"]),
    "running but not mounted": ("mounted", RUNNING_UNMOUNTED, True, True, POINT_EMPTY, False, ["check_alluxio_path", "restart"]),
    "other arguments running": ("mounted", OTHER_ARGS, True, True, None, False, ["check_alluxio_path", "restart"]),
    "drop-in differs": ("mounted", SERVING, False, True, None, False, ["check_alluxio_path", "write_env", "restart"]),
    "remounted while serving": ("remounted", SERVING, True, True, None, False, ["check_alluxio_path", "restart"]),
    "unmounted while serving": ("unmounted", SERVING, True, True, None, False, ["stop", "unmount_leftover"]),
    "unmounted, stale": ("unmounted", STALE, True, True, None, False, ["stop", "unmount_stale"]),
    "unmounted, stale, unit stopped": ("unmounted", STALE_UNIT_STOPPED, True, True, None, False, ["unmount_stale"]),
    "unmounted, already": ("unmounted", STOPPED, True, True, POINT_EMPTY, False, []),
    "absent while serving": ("absent", SERVING, True, True, None, False, ["stop", "unmount_leftover", "disable", "remove_env"]),
    "absent, already": ("absent", NEVER_SET_UP, False, False, POINT_EMPTY, False, []),
    "absent, only the drop-in left": ("absent", NEVER_SET_UP, False, True, POINT_EMPTY, False, ["remove_env"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_steps_for_each_state_and_situation(case):
    state, situation, env_matches, env_exists, point, allow_non_empty, steps = CASES[case]
    assert decide(state, situation, env_matches, env_exists, ARGS, point, allow_non_empty, "/mnt/a") == steps


REFUSALS = {
    "tmpfs there": ("mounted", found(fstype="tmpfs", active="inactive"), POINT_EMPTY, "already used by another file system (tmpfs)"),
    "sshfs there, mounted asked": ("mounted", found(fstype="fuse.sshfs", active="inactive"), POINT_EMPTY,
                                   "already used by another file system (fuse.sshfs)"),
    "sshfs there, absent asked": ("absent", found(fstype="fuse.sshfs", active="inactive"), None,
                                  "already used by another file system (fuse.sshfs)"),
    "point is a file": ("mounted", STOPPED, POINT_FILE, "exists and is not a directory"),
    "point not empty": ("mounted", STOPPED, POINT_FULL, "is not empty"),
    "point owned by another user": ("mounted", NEVER_SET_UP, POINT_FOREIGN_OWNER, "is not owned by the FUSE process's user"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_what_it_refuses(case):
    state, situation, point, message = REFUSALS[case]
    with pytest.raises(FuseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decide(state, situation, True, True, ARGS, point, False, "/mnt/a")


# restart_serving=false (site.yml's FUSE play): a serving mount with other arguments waits for the
# rolling play; anything not serving is mounted now. (state, found, env_matches, point) -> steps
DEFERRED = {
    "drop-in differs (a new master list)": ("mounted", SERVING, False, None, ["restart_pending"]),
    "other arguments running": ("mounted", OTHER_ARGS, True, None, ["restart_pending"]),
    "serving, nothing to do": ("mounted", SERVING, True, None, []),
    "stale: mounted now": ("mounted", STALE, False, None, ["check_alluxio_path", "write_env", "unmount_stale", "restart"]),
    "stopped: started now": ("mounted", STOPPED, False, POINT_EMPTY, ["check_alluxio_path", "write_env", "start"]),
    "running, not mounted: restarted now": ("mounted", RUNNING_UNMOUNTED, False, POINT_EMPTY, ["check_alluxio_path", "write_env", "restart"]),
    "remounted asked: restarted now": ("remounted", SERVING, False, None, ["check_alluxio_path", "write_env", "restart"]),
}


@pytest.mark.parametrize("case", list(DEFERRED))
def test_a_serving_mount_waits_when_restarts_are_left_for_later(case):
    state, situation, env_matches, point, steps = DEFERRED[case]
    assert decide(state, situation, env_matches, True, ARGS, point, False, "/mnt/a", restart_serving=False) == steps
