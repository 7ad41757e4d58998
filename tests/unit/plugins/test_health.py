"""health.yml's pieces: finding Alluxio JVMs in /proc, ports, ramdisk size, the summary table."""
import pytest

from fake_clock import Clock

from ansible_collections.alnair.alluxio.plugins.filter.alluxio import (
    alluxio_health_table, alluxio_recorded_fuse_mounts, alluxio_remediation_plan)
from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_host as host
from ansible_collections.alnair.alluxio.plugins.modules import host_health

WORKER_ARGV = ["/usr/bin/java", "-cp", "/etc/alluxio/:/opt/alluxio/current/assembly/alluxio-server-2.9.6.jar",
               "-Dalluxio.home=/opt/alluxio/current", "-Xmx4g", "alluxio.worker.AlluxioWorker"]


def fake_proc(root, pid, argv, uid, start):
    proc = root / str(pid)
    proc.mkdir()
    (proc / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    (proc / "status").write_text("Name:\tjava\nUid:\t%d\t%d\t%d\t%d\n" % (uid, uid, uid, uid))
    fields = ["S"] + ["0"] * 18 + [str(start)] + ["0"] * 10
    (proc / "stat").write_text("%d (java) %s\n" % (pid, " ".join(fields)))


def test_main_class_of_an_alluxio_jvm_and_nothing_else():
    assert host.alluxio_main_class(WORKER_ARGV) == "alluxio.worker.AlluxioWorker"
    assert host.alluxio_main_class(["/usr/bin/java", "-cp", "alluxio.fake", "org.example.Main"]) is None
    assert host.alluxio_main_class(["/usr/bin/python3", "alluxio.worker.AlluxioWorker"]) is None
    assert host.alluxio_main_class([]) is None


def test_alluxio_jvms_of_one_user_with_their_start_time(tmp_path):
    fake_proc(tmp_path, 812, WORKER_ARGV, 999, 4242)
    fake_proc(tmp_path, 900, WORKER_ARGV[:-1] + ["alluxio.fuse.AlluxioFuse"], 999, 5000)
    fake_proc(tmp_path, 901, WORKER_ARGV, 0, 6000)  # root's: not the alluxio user's
    fake_proc(tmp_path, 902, ["/bin/sleep", "100"], 999, 7000)
    (tmp_path / "self").mkdir()
    found = host.alluxio_jvms(str(tmp_path), uid=999)
    assert found == [{"pid": 812, "main_class": "alluxio.worker.AlluxioWorker", "uid": 999, "start_ticks": 4242},
                     {"pid": 900, "main_class": "alluxio.fuse.AlluxioFuse", "uid": 999, "start_ticks": 5000}]
    assert len(host.alluxio_jvms(str(tmp_path))) == 3


def test_listening_ports_and_ramdisk_size():
    tcp = ("  sl  local_address rem_address   st\n"
           "   0: 00000000:7530 00000000:0000 0A 00000000:00000000\n"
           "   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000\n")
    assert host.listening_ports([tcp, ""]) == {30000}
    assert host.mount_size_bytes("rw,relatime,size=262144k,mode=755") == 256 << 20
    assert host.mount_size_bytes("rw,relatime") is None


def test_summary_table_names_every_failed_check_and_unreachable_host():
    hostvars = {
        "m": {"alluxio_health": {"checks": [{"check": "service alluxio-master.service", "ok": True, "detail": "active, pid 1"}]}},
        "w1": {"alluxio_health": {"checks": [{"check": "FUSE /mnt/f", "ok": False, "detail": "mounted, Transport endpoint is not connected"}]}},
        "w2": {},
    }
    cluster = {"reachable": True, "healthy": False, "version": "2.9.6", "live_workers": [{"host": "w1"}],
               "problems": ["missing worker w2"]}
    lines = alluxio_health_table(hostvars, ["m", "w1", "w2"], cluster)
    assert lines[0].startswith("ok    m ")
    assert lines[1].startswith("FAIL  w1 ") and lines[1].endswith("Transport endpoint is not connected")
    assert lines[2].startswith("FAIL  w2 ") and "unreachable" in lines[2]
    assert lines[3].startswith("FAIL  cluster") and lines[3].endswith("live workers: w1")
    assert lines[4].endswith("missing worker w2")
    assert alluxio_health_table({}, [], {"reachable": False})[0].startswith("FAIL  cluster")


# The remedy host_health gives each kind of failed check, by its table label (the longest that fits).
LABEL_REMEDIES = sorted(((label, host_health.REMEDIES[kind]) for kind, label in host_health.LABELS.items()),
                        key=lambda pair: -len(pair[0]))


def remedy_of(check):
    return next(remedy for label, remedy in LABEL_REMEDIES if check.startswith(label + " "))


def health(*failed):
    checks = [{"check": "service alluxio-worker.service", "ok": True, "detail": "active, pid 5", "remedy": "none"}]
    return {"alluxio_health": {"checks": checks + [{"check": c, "ok": False, "detail": "bad", "remedy": remedy_of(c)}
                                                   for c in failed]}}


def test_remediation_plan_restarts_only_what_is_broken():
    hostvars = {"m": health(), "w1": dict(health("service alluxio-worker.service", "port 29999"), alluxio_fuse_mounts=[{}]),
                "w2": health("FUSE /mnt/f", "free space /tmp"), "w3": {}}
    cluster = {"reachable": True, "missing_workers": ["w1"], "unintended_workers": ["stray"]}
    plan = alluxio_remediation_plan(hostvars, ["m"], ["w1", "w2", "w3"], cluster)
    assert plan["masters"] == {}
    assert list(plan["workers"]) == ["w1"] and "the master does not list it live" in plan["workers"]["w1"]
    assert plan["fuse"] == {"w1": ["its worker restarts"], "w2": ["FUSE /mnt/f: bad"]}
    assert plan["unreachable"] == ["w3"] and plan["unintended"] == ["stray"]
    assert plan["report_only_problems"] == ["w2 free space /tmp: bad"]
    assert "restart worker and job worker on w1" in plan["actions"][0]


def test_remediation_plan_for_a_dead_master_restarts_everything_and_a_healthy_cluster_nothing():
    plan_of = alluxio_remediation_plan
    hostvars = {"m": health("service alluxio-master.service"), "w1": health(), "w2": health()}
    plan = plan_of(hostvars, ["m"], ["w1", "w2"], {"reachable": False})
    assert list(plan["masters"]) == ["m"] and sorted(plan["workers"]) == ["w1", "w2"]
    healthy = plan_of({"m": health(), "w1": health()}, ["m"], ["w1"], {"reachable": True})
    assert healthy["actions"] == ["healthy: nothing to do"] and not healthy["workers"]
    forced = plan_of({"m": health(), "w1": health()}, ["m"], ["w1"], {"reachable": True}, restart=True)
    assert forced["masters"] == {"m": ["restart asked for"]} and forced["workers"] == {"w1": ["the master restarts"]}


def test_phase_times():
    from ansible_collections.alnair.alluxio.plugins.callback.phases import phase_lines
    marks = [("health before", 100.0, False), ("plan", 103.5, False), (None, 110.3, False), ("stop workers", 111.0, True),
             ("FUSE", 111.0, False)]
    assert phase_lines(marks, 120.0) == ["  health before: 3.5 s", "  plan: 6.8 s", "  FUSE: 9.0 s",
                                         "  skipped (no hosts): stop workers"]
    rolling = [("restart one at a time", 0.0, False), ("restart one at a time", 16.0, False), ("after", 33.0, False)]
    assert phase_lines(rolling, 35.0) == ["  restart one at a time (batch 1): 16.0 s", "  restart one at a time (batch 2): 17.0 s",
                                          "  after: 2.0 s"]


def test_remediation_plan_rolling_limit_and_unintended():
    plan_of = alluxio_remediation_plan
    hostvars = {"m": health(), "w1": health(), "w2": health()}
    cluster = {"reachable": True, "unintended_workers": ["stray"]}
    rolling = plan_of(hostvars, ["m"], ["w1"], cluster, restart=True, rolling=True, outside=["w2"])
    assert rolling["masters"] == {} and rolling["workers"] == {"w1": ["restart asked for"]}
    assert rolling["actions"][-1] == "outside --limit, not checked: w2"
    assert "unintended worker registered: stray (left running" in rolling["actions"][1]
    removing = plan_of(hostvars, ["m"], ["w1", "w2"], cluster, remove_unintended=True)
    assert removing["actions"] == ["take out unintended worker stray (decommission, then stop)"]
    limited = plan_of(hostvars, ["m"], ["w1"], {"reachable": True}, outside=["w2"])
    assert limited["actions"] == ["healthy: nothing to do", "outside --limit, not checked: w2"]


def test_fuse_mounts_in_place_are_recorded_with_their_arguments():
    argv = WORKER_ARGV[:-1] + ["alluxio.fuse.AlluxioFuse", "-m", "/mnt/manual", "-a", "/data", "-o", "allow_other,max_read=131072", "-o", "ro"]
    assert host.fuse_process_args(argv) == {"mount_point": "/mnt/manual", "alluxio_path": "/data",
                                            "options": ["allow_other", "max_read=131072", "ro"]}
    assert host.fuse_process_args(["java", "alluxio.fuse.AlluxioFuse", "--mount-point=/mnt/x"])["mount_point"] == "/mnt/x"
    inventory = [{"mount_point": "/mnt/alluxio-fuse"}]
    in_place = [{"mount_point": "/mnt/alluxio-fuse", "alluxio_path": "/", "options": [], "pid": 1, "unit": "u"},
                {"mount_point": "/mnt/manual", "alluxio_path": None, "options": ["allow_other"], "pid": 2, "unit": None}]
    manual = {"mount_point": "/mnt/manual", "alluxio_path": "/", "options": ["allow_other"]}
    assert alluxio_recorded_fuse_mounts(inventory, in_place) == inventory + [manual]
    hostvars = {"m": health(), "w1": dict(health("service alluxio-worker.service"), alluxio_fuse_mounts=inventory)}
    hostvars["w1"]["alluxio_health"]["fuse_in_place"] = in_place
    plan = alluxio_remediation_plan(hostvars, ["m"], ["w1"], {"reachable": True})
    assert plan["fuse"] == {"w1": ["its worker restarts"]} and plan["fuse_not_in_inventory"] == {"w1": ["/mnt/manual (alluxio:/)"]}
    assert "FUSE mounts in place on w1, not in the inventory, put back as units: /mnt/manual (alluxio:/)" in plan["actions"]


# The remediation planner, table-driven: the faults health.yml finds (one or several at once) in,
# what restarts out. "m" is the master, "w1"/"w2" workers with a FUSE mount each.
FUSE = [{"mount_point": "/mnt/alluxio-fuse"}]
UP = {"reachable": True}
NONE = set()
PLAN_CASES = {
    "healthy": ({}, UP, NONE, NONE, NONE),
    "worker JVM dead": ({"w1": ["service alluxio-worker.service", "port 29999"]}, dict(UP, missing_workers=["w1"]),
                        NONE, {"w1"}, {"w1"}),
    "job worker dead": ({"w2": ["service alluxio-job-worker.service"]}, UP, NONE, {"w2"}, {"w2"}),
    "FUSE JVM dead": ({"w2": ["FUSE /mnt/alluxio-fuse"]}, UP, NONE, NONE, {"w2"}),
    "ramdisk gone": ({"w1": ["ramdisk /mnt/ramdisk"]}, UP, NONE, {"w1"}, {"w1"}),
    "master dead": ({"m": ["service alluxio-master.service"]}, {"reachable": False}, {"m"}, {"w1", "w2"}, {"w1", "w2"}),
    "master unreachable over REST only": ({}, {"reachable": False}, {"m"}, {"w1", "w2"}, {"w1", "w2"}),
    "job master dead": ({"m": ["service alluxio-job-master.service"]}, UP, {"m"}, {"w1", "w2"}, {"w1", "w2"}),
    "free space low: reported, nothing restarts": ({"w1": ["free space /tmp"]}, UP, NONE, NONE, NONE),
    "four faults at once": ({"w1": ["service alluxio-worker.service", "service alluxio-job-worker.service"],
                             "w2": ["ramdisk /mnt/ramdisk", "FUSE /mnt/alluxio-fuse"],
                             "m": ["service alluxio-master.service"]}, {"reachable": False}, {"m"}, {"w1", "w2"}, {"w1", "w2"}),
    "lost worker listed by the master": ({}, dict(UP, lost_workers=[{"host": "w2"}]), NONE, {"w2"}, {"w2"}),
    # A worker JVM stopped or deadlocked: its port is open but its REST API has not answered for
    # alluxio_worker_down_after seconds. Its host's processes restart, its FUSE mount with them.
    "worker JVM hung": ({"w1": ["REST API of worker"]}, UP, NONE, {"w1"}, {"w1"}),
    # Security findings are reported; no restart fixes them (site.yml does).
    "port exposed, firewall missing: reported": (
        {"w2": ["exposed port 29999", "firewall inet alnair_alluxio"]}, UP, NONE, NONE, NONE),
}


@pytest.mark.parametrize("case", list(PLAN_CASES))
def test_remediation_plan_table(case):
    failed, cluster, masters, workers, fuse = PLAN_CASES[case]
    hostvars = {h: dict(health(*failed.get(h, [])), **({"alluxio_fuse_mounts": FUSE} if h != "m" else {}))
                for h in ("m", "w1", "w2")}
    plan = alluxio_remediation_plan(hostvars, ["m"], ["w1", "w2"], cluster)
    assert (set(plan["masters"]), set(plan["workers"]), set(plan["fuse"])) == (masters, workers, fuse)
    nothing = not masters and not workers and not fuse and not plan["report_only_problems"]
    assert (plan["actions"] == ["healthy: nothing to do"]) == nothing


class FakeModule:
    """What host_health's Health reads from AnsibleModule: params and systemctl show output."""
    def __init__(self, shown):
        self.params = {"user": "alluxio", "stat_timeout": 5}
        self.shown = shown

    def run_command(self, args):
        out = "".join("Id=%s\nActiveState=active\nMainPID=%d\n\n" % (unit, pid) for unit, pid in self.shown.items())
        return 0, out, ""

    def fail_json(self, **kw):
        raise AssertionError(kw)


SERVERS = ["alluxio.master.AlluxioMaster", "alluxio.master.AlluxioJobMaster", "alluxio.worker.AlluxioWorker",
           "alluxio.worker.AlluxioJobWorker", "alluxio.proxy.AlluxioProxy", "alluxio.fuse.AlluxioFuse"]


@pytest.mark.parametrize("stray,kind,ok", [
    ("alluxio.cli.fs.FileSystemShell", "clients", True),     # an operator's `alluxio fs cat`
    ("alluxio.cli.fsadmin.FileSystemAdminShell", "clients", True),
    ("alluxio.cli.TestRunner", "clients", True),              # runTests
    ("alluxio.worker.AlluxioWorker", "server_jvm", False),    # a worker JVM no unit owns (left from a stop)
])
def test_only_server_jvms_are_orphaned_clients_are_listed(monkeypatch, stray, kind, ok):
    jvms = [{"pid": 10, "main_class": "alluxio.master.AlluxioMaster", "uid": 2001, "start_ticks": 1},
            {"pid": 20, "main_class": stray, "uid": 2001, "start_ticks": 2}]
    monkeypatch.setattr(host_health, "alluxio_jvms", lambda uid: [dict(j) for j in jvms])
    health = host_health.Health(FakeModule({"alluxio-master.service": 10}))
    health.services({"alluxio-master.service": "alluxio.master.AlluxioMaster"}, {}, 2001, SERVERS)
    extra = [c for c in health.checks if c["kind"] != "service"]
    assert [(c["kind"], c["ok"]) for c in extra] == [(kind, ok)]
    assert extra[0]["remedy"] == ("none" if ok else "restart_processes")
    assert all(c["ok"] for c in health.checks if c["kind"] == "service")


@pytest.mark.parametrize("point,mounted,owned,why", [
    ("/mnt/byhand", True, False, None),                  # a real mount made by hand
    ("/mnt/empty", False, True, None),                   # its JVM died, the directory is the alluxio user's
    ("/mnt/roots", False, False, "not the alluxio user's"),
    ("/usr/local/bin", False, False, "system directory /usr/local/bin"),  # the forged -m /usr/local/bin
    ("/usr/local/bin", True, True, "system directory"),
    ("/srv/data/x", True, True, "not under alluxio_fuse_mount_roots"),
    ("/mnt", True, True, "system directory /mnt"),
    ("mnt/rel", True, True, "must be an absolute path"),
])
def test_what_a_forged_fuse_command_line_can_not_get_put_back(point, mounted, owned, why):
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_checks import put_back_refusal
    found = put_back_refusal(point, ["/mnt"], mounted, owned)
    assert (found is None) if why is None else (why in found), found


def test_a_refused_mount_is_reported_not_recorded():
    inventory = [{"mount_point": "/mnt/alluxio-fuse"}]
    in_place = [{"mount_point": "/usr/local/bin", "alluxio_path": "/", "options": [], "pid": 3, "unit": None,
                 "refused": "mount point is the system directory /usr/local/bin"}]
    assert alluxio_recorded_fuse_mounts(inventory, in_place) == inventory
    hostvars = {"m": health(), "w1": dict(health("service alluxio-worker.service"), alluxio_fuse_mounts=inventory)}
    hostvars["w1"]["alluxio_health"]["fuse_in_place"] = in_place
    plan = alluxio_remediation_plan(hostvars, ["m"], ["w1"], {"reachable": True})
    assert "FUSE processes on w1 claim mounts that are not put back: /usr/local/bin (mount point is the system" in " ".join(plan["actions"])
    assert "fuse_not_in_inventory" in plan and plan["fuse_not_in_inventory"] == {}


def test_processes_using_a_mount_are_found_from_proc(tmp_path):
    proc = tmp_path / "proc"
    for pid, cwd, fds, cmd in ((100, "/home/u", {"3": "/mnt/alluxio-fuse/datasets/x/img-1.jpg"}, "python3\0train.py"),
                               (200, "/mnt/alluxio-fuse/datasets", {}, "bash"),
                               (300, "/", {"0": "/dev/null", "4": "/mnt/alluxio-fuse-other/a"}, "cat"),
                               (400, "/", {"5": "/mnt/alluxio-fuse/x"}, "alluxio-fuse-jvm")):
        (proc / str(pid) / "fd").mkdir(parents=True)
        (proc / str(pid) / "cwd").symlink_to(cwd)
        for fd, target in fds.items():
            (proc / str(pid) / "fd" / fd).symlink_to(target)
        (proc / str(pid) / "cmdline").write_text(cmd)
    (proc / "self").mkdir()
    found = host.processes_using(["/mnt/alluxio-fuse"], proc=str(proc), exclude_pids={400})
    assert found == {"/mnt/alluxio-fuse": [{"pid": 100, "command": "python3 train.py"}, {"pid": 200, "command": "bash"}]}


def test_the_plan_names_who_a_remount_disturbs():
    hostvars = {"m": health(), "w1": dict(health("FUSE /mnt/alluxio-fuse"), alluxio_fuse_mounts=[{"mount_point": "/mnt/alluxio-fuse"}])}
    hostvars["w1"]["alluxio_health"]["fuse_users"] = {"/mnt/alluxio-fuse": [{"pid": 100, "command": "python3 train.py"}]}
    plan = alluxio_remediation_plan(hostvars, ["m"], ["w1"], {"reachable": True})
    assert "  processes using /mnt/alluxio-fuse on w1 will see errors: pid 100 python3 train.py" in plan["actions"]


def test_a_fuse_mount_that_hung_while_the_master_was_slow_is_not_remounted():
    def hostvars(hung):
        hv = {"m": health(), "w1": dict(health(), alluxio_fuse_mounts=[{"mount_point": "/mnt/alluxio-fuse"}])}
        hv["w1"]["alluxio_health"]["checks"].append({"check": "FUSE /mnt/alluxio-fuse", "kind": "fuse", "ok": False,
                                                     "detail": "mounted, stat hung for 5 s", "remedy": "remount_fuse",
                                                     "hung": hung})
        return hv
    slow = {"reachable": True, "waited_seconds": 9.0}
    plan = alluxio_remediation_plan(hostvars(True), ["m"], ["w1"], slow)
    assert plan["fuse"] == {} and "FUSE was waiting for the master" in plan["report_only_problems"][0]
    # A dead FUSE process (not hung) is remounted; so is a hung one when the master answered at once.
    assert list(alluxio_remediation_plan(hostvars(False), ["m"], ["w1"], slow)["fuse"]) == ["w1"]
    assert list(alluxio_remediation_plan(hostvars(True), ["m"], ["w1"], {"reachable": True, "waited_seconds": 0.0})["fuse"]) == ["w1"]


def test_a_fuse_mount_that_hung_while_the_master_did_not_answer_is_not_remounted():
    hostvars = {"m": health(), "w1": dict(health(), alluxio_fuse_mounts=[{"mount_point": "/mnt/alluxio-fuse"}])}
    hostvars["w1"]["alluxio_health"]["checks"].append({"check": "FUSE /mnt/alluxio-fuse", "kind": "fuse", "ok": False,
                                                       "detail": "mounted, stat hung for 5 s", "remedy": "remount_fuse",
                                                       "hung": True, "master_answered": False})
    plan = alluxio_remediation_plan(hostvars, ["m"], ["w1"], {"reachable": True, "waited_seconds": 0.0})
    assert plan["fuse"] == {} and plan["actions"] == ["not fixed by a restart: " + plan["report_only_problems"][0]]


@pytest.mark.parametrize("answers_at,down_after,answered,waited", [
    ([0], 30, True, 0),              # answers at once
    ([12], 30, True, 12),            # a 12 s GC pause: no failure
    ([], 30, False, 30),             # stopped (SIGSTOP), deadlocked: hung after 30 s
    ([], 0, False, 0),               # down_after 0: one try
    ([31], 30, False, 30),           # answers only after the bound
])
def test_a_pause_is_not_a_death(answers_at, down_after, answered, waited):
    clock = Clock()
    got = host_health.answers_within(lambda: any(clock.now >= t for t in answers_at), down_after, clock.time, clock.sleep)
    assert got == (answered, waited)


def test_a_worker_answers_only_when_its_port_is_open(monkeypatch):
    asked = []
    monkeypatch.setattr(host_health, "fetch_json", lambda url, timeout: asked.append(url) or {})
    health = host_health.Health(FakeModule({}))
    health.worker_answers("http://198.51.100.12:30000", 30, {29999: ["198.51.100.12"]})
    assert health.checks == [] and asked == []          # the port is closed: the service checks say why
    health.worker_answers("http://198.51.100.12:30000", 30, {30000: ["198.51.100.12"]})
    assert asked == ["http://198.51.100.12:30000/api/v1/worker/info"]
    assert health.checks[0]["kind"] == "server_answers" and health.checks[0]["ok"]


@pytest.mark.parametrize("port,unbindable,exposed", [
    (19998, [], True),          # a master RPC port on 0.0.0.0 while told to bind one address: exposed
    (19200, [19200, 20003], False),  # the embedded journal's port cannot be bound to one address in 2.9
    (19200, [], True),
])
def test_a_port_listening_everywhere_is_exposed_unless_alluxio_cannot_bind_it(monkeypatch, port, unbindable, exposed):
    tcp = "  sl  local_address rem_address   st\n   0: 00000000:%04X 00000000:0000 0A 00000000:00000000\n" % port
    monkeypatch.setattr(host_health, "read_text", lambda path: tcp if path == "/proc/net/tcp" else "")
    health = host_health.Health(module=None)
    health.ports([port], "198.51.100.11", unbindable)
    assert [c["kind"] for c in health.checks if not c["ok"]] == (["exposure"] if exposed else [])


# A quorum of three masters (m1 leads): a master's fault restarts that master only; workers and
# their FUSE mounts stay up (the quorum keeps a leader); no leader restarts every master.
QUORUM_UP = dict(UP, masters=[{"url": "http://m%d:19999" % i, "answered": True} for i in (1, 2, 3)])
QUORUM_CASES = {
    "healthy": ({}, QUORUM_UP, NONE, NONE),
    "standby JVM dead": ({"m2": ["service alluxio-master.service"]}, dict(QUORUM_UP, unanswered_masters=["http://m2:19999"]),
                         {"m2"}, NONE),
    "standby REST API silent only": ({}, dict(QUORUM_UP, unanswered_masters=["http://m3:19999"]), {"m3"}, NONE),
    "standby job master dead": ({"m3": ["service alluxio-job-master.service"]}, QUORUM_UP, {"m3"}, NONE),
    "no leader": ({"m1": ["service alluxio-master.service"], "m2": ["service alluxio-master.service"]}, {"reachable": False},
                  {"m1", "m2", "m3"}, NONE),
    "worker dead beside a healthy quorum": ({"w1": ["service alluxio-worker.service"]}, dict(QUORUM_UP, missing_workers=["w1"]),
                                            NONE, {"w1"}),
}


@pytest.mark.parametrize("case", list(QUORUM_CASES))
def test_remediation_plan_of_a_quorum(case):
    failed, cluster, masters, workers = QUORUM_CASES[case]
    hostvars = dict((h, dict(health(*failed.get(h, [])), alluxio_hostname=h)) for h in ("m1", "m2", "m3", "w1", "w2"))
    plan = alluxio_remediation_plan(hostvars, ["m1", "m2", "m3"], ["w1", "w2"], cluster)
    assert (set(plan["masters"]), set(plan["workers"])) == (masters, workers)


def test_summary_table_shows_each_quorum():
    members = [{"address": "m1:19200", "state": "AVAILABLE"}, {"address": "m2:19200", "state": "UNAVAILABLE"}]
    quorum = {"quorums": {"MASTER": {"leader": "m1:19200", "members": members}},
              "problems": ["MASTER quorum member m2:19200 is UNAVAILABLE"]}
    lines = alluxio_health_table({}, [], {"reachable": True, "healthy": True, "version": "2.9.6"}, quorum)
    assert lines[1] == "ok    cluster        MASTER quorum                      leader m1:19200, 1 of 2 members available"
    assert lines[2].startswith("FAIL  cluster        quorum") and lines[2].endswith("m2:19200 is UNAVAILABLE")
