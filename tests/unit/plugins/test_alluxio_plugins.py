"""Unit tests for the collection's module_utils and filters."""
import os

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.alnair.alluxio.plugins.filter import alluxio as filters
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import describe_problems, summarize
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import SizeError, format_size, parse_size


@pytest.mark.parametrize("text,expected", [
    ("100GB", 100 * 2**30), ("62.51GB", int(62.51 * 2**30)), ("512MB", 512 * 2**20), ("1g", 2**30),
    ("64 mb", 64 * 2**20), ("4096", 4096), (1048576, 1048576), ("2TB", 2 * 2**40), ("10B", 10),
])
def test_sizes_parse_like_alluxio(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["lots", "-5GB", "0", "0GB", "", "5 XB", "1.2.3GB", True, -1, "GB", "1" * 400, "\u0661\u0660\u0660GB",
                                  10 ** 30, "2000000PB", "1" * 100 + "GB"])
def test_bad_sizes_are_refused(text):
    with pytest.raises(SizeError):
        parse_size(text)


def test_format_size():
    assert format_size(100 * 2**30) == "100.00GB"
    assert format_size(512) == "512B"


def test_properties_are_sorted_and_typed():
    text = filters.alluxio_properties({"b": 1, "a": True, "c": None, "d": "x"})
    assert text == "a=true\nb=1\nd=x\n"
    with pytest.raises(AnsibleFilterError):
        filters.alluxio_properties({"a": "x\ny"})


@pytest.mark.parametrize("path,unit", [
    ("/mnt/ramdisk", "mnt-ramdisk.mount"), ("/mnt/ram-disk/", "mnt-ram\\x2ddisk.mount"), ("/", "-.mount"),
    ("/srv/a b", "srv-a\\x20b.mount"),
])
def test_systemd_mount_unit_names(path, unit):
    assert filters.systemd_mount_unit(path) == unit


def test_systemd_mount_unit_needs_absolute_path():
    with pytest.raises(AnsibleFilterError):
        filters.systemd_mount_unit("mnt/ramdisk")


DEFAULTS = {"alluxio_version": "2.9.6", "alluxio_install_root": "/opt/alluxio", "alluxio_worker_mem_size": "1GB",
            "alluxio_memory_reserve": "2GB", "alluxio_master_is_worker": False}


def preflight(groups, hostvars=None):
    hostvars = hostvars or {}
    hosts = set(sum(groups.values(), []))
    full = {h: dict(hostvars.get(h, {})) for h in hosts}
    return filters.alluxio_preflight(full, groups, DEFAULTS)


def test_a_good_inventory_passes():
    assert preflight({"alluxio_masters": ["m"], "alluxio_workers": ["w1", "w2"]},
                     {"w1": {"alluxio_worker_mem_size": "100GB", "ansible_memtotal_mb": 256 * 1024}}) == []


@pytest.mark.parametrize("groups,hostvars,message", [
    ({"alluxio_masters": [], "alluxio_workers": ["w"]}, {}, "group alluxio_masters has no host: one master, or an odd number"),
    # A quorum is a majority: 2 masters are no better than 1, 4 no better than 3.
    ({"alluxio_masters": ["m1", "m2"], "alluxio_workers": ["w"]}, {},
     "group alluxio_masters has 2 hosts (m1, m2): the masters' journal needs a majority of them to run, so 2 masters "
     "survive no more failures than 1; use 1 or an odd number of 3 or more"),
    ({"alluxio_masters": ["m1", "m2", "m3", "m4"], "alluxio_workers": ["w"]}, {}, "so 4 masters survive no more failures than 3"),
    # A master that is also a worker still needs the flag in a quorum.
    ({"alluxio_masters": ["m1", "m2", "m3"], "alluxio_workers": ["m3"]}, {},
     "m3 is in both alluxio_masters and alluxio_workers"),
    # An address list of one's own (override) naming a host outside the group: that member never joins.
    ({"alluxio_masters": ["m1", "m2", "m3"], "alluxio_workers": ["w"]},
     {h: {"alluxio_site_properties": {"alluxio.master.embedded.journal.addresses": "m1:19200,m2:19200,x9:19200"},
          "alluxio_site_properties_override": ["alluxio.master.embedded.journal.addresses"]}
      for h in ("m1", "m2", "m3", "w")},
     "w: alluxio_site_properties alluxio.master.embedded.journal.addresses names x9:19200, which is not a host of the "
     "masters group (m1, m2, m3)"),
    ({"alluxio_masters": ["m"], "alluxio_workers": []}, {}, "group alluxio_workers has no host"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["m"]}, {}, "m is in both alluxio_masters and alluxio_workers"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]}, {"w": {"alluxio_worker_mem_size": "lots"}},
     "w: alluxio_worker_mem_size: 'lots' is not a size"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]}, {"w": {"alluxio_worker_mem_size": "-5GB"}},
     "w: alluxio_worker_mem_size: '-5GB' is not a size"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]}, {"m": {"alluxio_install_root": "opt/alluxio"}},
     "m: alluxio_install_root must be an absolute path, got 'opt/alluxio'"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]}, {"w": {"alluxio_version": "2.9"}},
     "w: alluxio_version '2.9' is not an Alluxio 2.x version"),
    ({"alluxio_masters": ["m"], "alluxio_workers": ["w"]},
     {"w": {"alluxio_worker_mem_size": "31GB", "alluxio_host": {"memtotal_mb": 32 * 1024}}},
     "w: alluxio_worker_mem_size 31GB is larger than the host's memory (32768 MiB) minus alluxio_memory_reserve 2GB"),
])
def test_preflight_names_host_and_variable(groups, hostvars, message):
    problems = preflight(groups, hostvars)
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize("masters", [["m"], ["m1", "m2", "m3"], ["m1", "m2", "m3", "m4", "m5"]])
def test_one_master_or_an_odd_quorum_passes(masters):
    assert preflight({"alluxio_masters": masters, "alluxio_workers": ["w"]}) == []


def test_quorum_properties_name_every_master_on_its_ports():
    assert filters.FilterModule().filters()["alluxio_quorum_properties"](["m1"]) == {}
    props = filters.FilterModule().filters()["alluxio_quorum_properties"](
        ["m1", "m2", "fd00::3"], {"alluxio.master.embedded.journal.port": "19300"})
    assert props["alluxio.master.embedded.journal.addresses"] == "m1:19300,m2:19300,[fd00::3]:19300"
    assert props["alluxio.master.rpc.addresses"] == "m1:19998,m2:19998,[fd00::3]:19998"
    assert props["alluxio.job.master.embedded.journal.addresses"] == "m1:20003,m2:20003,[fd00::3]:20003"
    assert props["alluxio.job.master.rpc.addresses"] == "m1:20001,m2:20001,[fd00::3]:20001"
    assert props["alluxio.standby.master.web.enabled"] is True


def test_master_may_be_a_worker_when_asked():
    assert preflight({"alluxio_masters": ["m"], "alluxio_workers": ["m"]}, {"m": {"alluxio_master_is_worker": True}}) == []


@pytest.mark.parametrize("url,path,sha,message", [
    ("", "", "a" * 64, "set exactly one of"),
    ("http://x/a.tgz", "/a.tgz", "a" * 64, "set exactly one of"),
    ("", "rel/a.tgz", "a" * 64, "must be an absolute path"),
    ("", __file__, "", "alluxio_tarball_sha256 is mandatory"),
    ("", __file__, "abc", "is not a sha256"),
    # A version whose tarball was never built: the missing file is named, not a lookup error.
    ("", "/no/such/alluxio-2.9-bin.tar.gz", "", "does not exist on the controller"),
])
def test_tarball_source_problems(url, path, sha, message):
    assert any(message in p for p in filters.alluxio_tarball_problems(url, path, sha))


def test_expected_workers_use_registered_names_and_sizes():
    hostvars = {"w1": {"alluxio_hostname": "w1.example", "alluxio_worker_mem_size": "100GB"}, "w2": {}}
    assert filters.alluxio_expected_workers(hostvars, ["w1", "w2"], "1GB") == {"w1.example": 100 * 2**30, "w2": 2**30}


INFO = {
    "version": "2.9.6", "uptimeMs": 5, "capacity": {"total": 3, "used": 0}, "mountPoints": {"/": {}},
    "workers": [{"address": {"host": "w1", "rpcPort": 29999}, "state": "ACTIVE", "capacityBytes": 100},
                {"address": {"host": "stray"}, "state": "ACTIVE", "capacityBytes": 5}],
    "lostWorkers": [{"address": {"host": "w3"}, "lastContactSec": 400}],
}


def test_summary_compares_with_the_inventory():
    summary = summarize(INFO, {"w1": 200, "w2": None, "w3": None})
    assert summary["missing_workers"] == ["w2", "w3"]
    assert summary["unintended_workers"] == ["stray"]
    assert summary["capacity_mismatches"] == [{"host": "w1", "expected_bytes": 200, "actual_bytes": 100}]
    assert not summary["healthy"]
    text = "\n".join(describe_problems(summary))
    for part in ("w2 is not registered", "w3 is lost", "stray is registered but not in the inventory", "w1 reports 100 bytes"):
        assert part in text


def test_summary_healthy_and_partial_gate():
    info = dict(INFO, lostWorkers=[])
    assert summarize(info, {"w1": 100}, ignore_unintended=True)["healthy"]
    assert not summarize(info, {"w1": 100})["healthy"]
    assert summarize(info)["healthy"]


def test_a_worker_without_recent_heartbeat_is_stale():
    info = {"workers": [{"address": {"host": "w1"}, "capacityBytes": 100, "lastContactSec": 40}], "lostWorkers": []}
    stale = summarize(info, {"w1": 100}, max_last_contact_sec=10)
    assert stale["stale_workers"] == ["w1"] and not stale["healthy"]
    assert "w1 has sent no heartbeat recently" in describe_problems(stale)[0]
    assert summarize(info, {"w1": 100}, max_last_contact_sec=60)["healthy"]


def test_file_identity_changes_with_any_write(tmp_path):
    target = tmp_path / "alluxio.tar.gz"
    assert filters.file_identity(target) == ""
    target.write_bytes(b"x")
    first = filters.file_identity(target)
    stat = target.stat()
    target.write_bytes(b"y")
    # Same size, mtime forged back: ctime still tells.
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert filters.file_identity(target) != first


def test_hostnames_prefer_alluxio_hostname():
    hostvars = {"a": {"alluxio_hostname": "a.example"}, "b": {}}
    assert filters.alluxio_hostnames(hostvars, ["a", "b"]) == ["a.example", "b"]


def derived_properties():
    """The mapping preflight gets from roles/common/vars (the one place it is written)."""
    import yaml
    from pathlib import Path
    common = Path(__file__).resolve().parents[3] / "roles" / "common" / "vars" / "main.yml"
    return yaml.safe_load(common.read_text())["_alluxio_derived_properties"]


@pytest.mark.parametrize("hostvars,message", [
    ({"w": {"alluxio_site_properties": {"alluxio.master.journal.folder": "/elsewhere"}}},
     "w: alluxio_site_properties sets alluxio.master.journal.folder, which the collection derives from alluxio_journal_dir"),
    ({"m": {"alluxio_site_properties": {"alluxio.worker.tieredstore.level0.dirs.quota": "1GB"}}},
     "m: alluxio_site_properties sets alluxio.worker.tieredstore.level0.dirs.quota, which the collection derives from "
     "alluxio_worker_mem_size"),
    ({"w": {"alluxio_site_properties": {"alluxio.master.mount.table.root.ufs": "srv/ufs"}}},
     "derives from alluxio_root_ufs: set that variable instead"),
    ({"w": {"alluxio_site_properties": ["alluxio.user.file.readtype.default=CACHE"]}},
     "w: alluxio_site_properties must be a dict of Alluxio properties"),
    ({"w": {"alluxio_site_properties_override": "alluxio.master.hostname"}},
     "w: alluxio_site_properties_override must be a list of property keys"),
])
def test_derived_properties_are_not_overridden_by_accident(hostvars, message):
    groups = {"alluxio_masters": ["m"], "alluxio_workers": ["w"]}
    problems = filters.alluxio_preflight({h: hostvars.get(h, {}) for h in ("m", "w")}, groups, DEFAULTS,
                                         derived_properties=derived_properties())
    assert any(message in p for p in problems), problems


def test_a_derived_property_overridden_on_purpose_and_other_properties_pass():
    groups = {"alluxio_masters": ["m"], "alluxio_workers": ["w"]}
    hostvars = {"m": {}, "w": {"alluxio_site_properties": {"alluxio.master.journal.folder": "/j",
                                                           "alluxio.user.file.readtype.default": "CACHE"},
                               "alluxio_site_properties_override": ["alluxio.master.journal.folder"]}}
    assert filters.alluxio_preflight(hostvars, groups, DEFAULTS, derived_properties=derived_properties()) == []


GOOD_GROUPS = {"alluxio_masters": ["m"], "alluxio_workers": ["w"]}


@pytest.mark.parametrize("variable,value,message", [
    ("alluxio_root_ufs", "srv/ufs", "w: alluxio_root_ufs must be an absolute path, got 'srv/ufs'"),
    ("alluxio_root_ufs", "s3x://bucket/ufs", "w: alluxio_root_ufs has the scheme 's3x'"),
    ("alluxio_root_ufs", "/etc", "w: alluxio_root_ufs is the system directory /etc"),
    ("alluxio_data_dir", "/", "w: alluxio_data_dir is the system directory /"),
    ("alluxio_data_dir", "/var/lib", "w: alluxio_data_dir is the system directory /var/lib"),
    ("alluxio_install_root", "/usr", "w: alluxio_install_root is the system directory /usr"),
    ("alluxio_log_dir", "/home", "w: alluxio_log_dir is the system directory /home"),
    ("alluxio_ramdisk_path", "/mnt", "w: alluxio_ramdisk_path is the system directory /mnt"),
    ("alluxio_conf_dir", "/etc/alluxio/", "w: alluxio_conf_dir must be a normalised path"),
    ("alluxio_journal_dir", "/var/lib/alluxio/../journal", "must be a normalised path"),
    ("alluxio_journal_dir", "//var/lib/alluxio", "must be a normalised path"),
    ("alluxio_conf_dir", 5, "w: alluxio_conf_dir must be an absolute path, got 5"),
])
def test_paths_and_root_ufs_are_refused_naming_host_and_variable(variable, value, message):
    problems = preflight(GOOD_GROUPS, {"w": {variable: value}})
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize("value", ["/srv/nfs/alluxio-ufs", "hdfs://namenode:9000/alluxio", "s3://bucket/ufs", "/data/ufs"])
def test_good_root_ufs_pass(value):
    assert preflight(GOOD_GROUPS, {"w": {"alluxio_root_ufs": value}}) == []


def worker_mounts(mounts, **more):
    return preflight(GOOD_GROUPS, {"w": dict({"alluxio_fuse_mounts": mounts}, **more)})


@pytest.mark.parametrize("mounts,more,message", [
    ([{"mount_point": "mnt/rel"}], {}, "w: alluxio_fuse_mounts[0]: mount_point must be an absolute path, got 'mnt/rel'"),
    ([{"mount_point": "/mnt/a/"}], {}, "w: alluxio_fuse_mounts[0]: mount_point must be a normalised path"),
    ([{"mount_point": "/usr/local/bin"}], {}, "w: alluxio_fuse_mounts[0]: mount_point is the system directory /usr/local/bin"),
    ([{"mount_point": "/mnt"}], {}, "mount_point is the system directory /mnt"),
    ([{"mount_point": "/mnt/a"}, {"mount_point": "/mnt/a"}], {}, "w: alluxio_fuse_mounts[1]: mount point /mnt/a is listed twice"),
    ([{"mount_point": "/mnt/a", "alluxio_path": "data"}], {}, "alluxio_path 'data' is not an absolute Alluxio path"),
    ([{"mount_point": "/mnt/a", "state": "up"}], {}, "state 'up' is not one of mounted, unmounted, remounted, absent"),
    ([{"mount_point": "/mnt/a", "options": ["direct_io"]}], {"alluxio_fuse_libfuse_version": 3},
     "option direct_io is refused by libfuse 3"),
    ([{"mount_point": "/mnt/a", "options": ["ro,allow_other"]}], {}, "give one option per list item"),
    ([{"mount_point": "/mnt/a", "options": ["max_read=1 MB"]}], {}, "with white space"),
    ([{"mount_point": "/mnt/a", "mountpoint": "/x"}], {}, "w: alluxio_fuse_mounts[0] has unknown keys mountpoint"),
    (["/mnt/a"], {}, "w: alluxio_fuse_mounts[0] must be a dict with a mount_point"),
    ({"mount_point": "/mnt/a"}, {}, "w: alluxio_fuse_mounts must be a list of mounts"),
    ([{"mount_point": "/mnt/a"}], {"alluxio_fuse_libfuse_version": 4}, "w: alluxio_fuse_libfuse_version must be 2 or 3"),
])
def test_fuse_mounts_are_checked_in_preflight(mounts, more, message):
    problems = worker_mounts(mounts, **more)
    assert any(message in p for p in problems), problems


def test_good_fuse_mounts_pass():
    assert worker_mounts([{"mount_point": "/mnt/alluxio-fuse"}, {"mount_point": "/mnt/data", "alluxio_path": "/datasets",
                                                                 "options": ["allow_other", "ro"], "state": "absent"}]) == []


@pytest.mark.parametrize("host,hostvars,message", [
    ("w", {"alluxio_worker_rpc_port": 0}, "w: alluxio_worker_rpc_port 0 is not a port (1-65535)"),
    ("w", {"alluxio_worker_web_port": 70000}, "w: alluxio_worker_web_port 70000 is not a port"),
    ("w", {"alluxio_job_worker_rpc_port": "http"}, "w: alluxio_job_worker_rpc_port 'http' is not a port"),
    ("w", {"alluxio_worker_web_port": 29999}, "w: alluxio_worker_web_port 29999 is also alluxio_worker_rpc_port"),
    ("m", {"alluxio_master_web_port": 19998}, "m: alluxio_master_web_port 19998 is also the master RPC port"),
    ("m", {"alluxio_master_heap": "8 GB"}, "m: alluxio_master_heap '8 GB' is not a JVM size like 512m or 8g"),
    ("w", {"alluxio_worker_direct_memory": "-4g"}, "w: alluxio_worker_direct_memory '-4g' is not a JVM size"),
    ("w", {"alluxio_fuse_heap": "1.5g"}, "w: alluxio_fuse_heap '1.5g' is not a JVM size"),
])
def test_ports_and_heaps_are_checked(host, hostvars, message):
    defaults = dict(DEFAULTS, alluxio_master_web_port=19999, alluxio_job_master_rpc_port=20001, alluxio_worker_rpc_port=29999,
                    alluxio_worker_web_port=30000, alluxio_job_worker_rpc_port=30001)
    problems = filters.alluxio_preflight({host: hostvars, ("w" if host == "m" else "m"): {}}, GOOD_GROUPS, defaults)
    assert any(message in p for p in problems), problems


def test_default_ports_and_good_heaps_pass():
    defaults = dict(DEFAULTS, alluxio_master_web_port=19999, alluxio_job_master_rpc_port=20001, alluxio_worker_rpc_port=29999,
                    alluxio_worker_web_port=30000, alluxio_job_worker_rpc_port=30001)
    hostvars = {"m": {"alluxio_master_heap": "8g"}, "w": {"alluxio_worker_heap": "512m", "alluxio_fuse_heap": "1G"}}
    assert filters.alluxio_preflight(hostvars, GOOD_GROUPS, defaults) == []


ACCOUNT_DEFAULTS = dict(DEFAULTS, alluxio_user="alluxio", alluxio_group="alluxio", alluxio_uid=2001, alluxio_gid=2001)


@pytest.mark.parametrize("found,more,message", [
    ({"users": {"alluxio": {"uid": 999, "gid": 2001}}, "groups": {"alluxio": 2001}}, {},
     "w: the user alluxio exists with uid 999, alluxio_uid is 2001"),
    ({"users": {"alluxio": None}, "groups": {"alluxio": 998}}, {}, "w: the group alluxio exists with gid 998, alluxio_gid is 2001"),
    ({"users": {}, "groups": {}}, {"alluxio_uid": "two"}, "w: alluxio_uid 'two' is not a numeric id"),
])
def test_the_alluxio_ids_are_the_same_everywhere(found, more, message):
    hostvars = {"m": {}, "w": dict({"alluxio_host": found}, **more)}
    problems = filters.alluxio_preflight(hostvars, GOOD_GROUPS, ACCOUNT_DEFAULTS)
    assert any(message in p for p in problems), problems


def test_matching_or_absent_accounts_pass():
    hostvars = {"m": {"alluxio_host": {"users": {"alluxio": None}, "groups": {"alluxio": None}}},
                "w": {"alluxio_host": {"users": {"alluxio": {"uid": 2001, "gid": 2001}}, "groups": {"alluxio": 2001}}}}
    assert filters.alluxio_preflight(hostvars, GOOD_GROUPS, ACCOUNT_DEFAULTS) == []


def test_size_text_is_the_health_tables_formatter():
    assert filters.alluxio_size_text(256 * 2**20) == "256.00MB" and filters.alluxio_size_text("107374182400") == "100.00GB"
    with pytest.raises(Exception, match="expects a byte count"):
        filters.alluxio_size_text("lots")


def test_the_process_model_is_written_once():
    """Main classes and the fixed ports live in module_utils/alluxio_model.py; the roles read them
    through the filter, the modules import them: no role file spells them again."""
    import pathlib
    from ansible_collections.alnair.alluxio.plugins.filter.alluxio import alluxio_process_model
    from ansible_collections.alnair.alluxio.plugins.module_utils import alluxio_model
    from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import FUSE_MAIN_CLASS
    model = alluxio_process_model()
    assert model["main_classes"]["fuse"] == FUSE_MAIN_CLASS and model["master_rpc_port"] == 19998
    roles = pathlib.Path(__file__).resolve().parents[3] / "roles"
    for path in list(roles.glob("*/vars/*.yml")) + list(roles.glob("*/defaults/*.yml")) + list(roles.glob("*/templates/*")):
        text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))
        for main_class in alluxio_model.MAIN_CLASSES.values():
            assert main_class not in text, (path, main_class)
        for port in (alluxio_model.MASTER_RPC_PORT, alluxio_model.PROXY_WEB_PORT):
            assert str(port) not in text, (path, port)
    # The JVM command line: its system properties and loggers only in the model; tasks and
    # templates ask the filter alluxio_jvm_command (units, FUSE unit, journal format).
    for path in list(roles.glob("*/tasks/*.yml")) + list(roles.glob("*/templates/*")) + list(roles.glob("*/vars/*.yml")):
        text = path.read_text()
        for fact in (["-Dalluxio.", "-Dlog4j.", "preferIPv4Stack"] + list(alluxio_model.CLI_MAIN_CLASSES.values())
                     + [logger for logger in alluxio_model.LOGGERS.values() if logger != "Console"]):
            assert fact not in text, (path, fact)
    # The playbooks' default master web port is Alluxio's, the one modules ask when given no URL.
    import yaml
    common = yaml.safe_load((roles / "common" / "defaults" / "main.yml").read_text())
    assert "localhost:%d" % common["alluxio_master_web_port"] in alluxio_model.LOCAL_MASTER_URL


PATHS = {"java": "/usr/bin/java", "home": "/opt/alluxio/current", "conf_dir": "/etc/alluxio", "log_dir": "/var/log/alluxio"}
PROPERTIES = [["-Dalluxio.home=/opt/alluxio/current"], ["-Dalluxio.conf.dir=/etc/alluxio"], ["-Dalluxio.logs.dir=/var/log/alluxio"],
              ["-Dalluxio.user.logs.dir=/var/log/alluxio/user"], ["-Dlog4j.configuration=file:/etc/alluxio/log4j.properties"]]


@pytest.mark.parametrize("process,groups,lines", [
    ("worker", [["-Xmx4g", "-XX:MaxDirectMemorySize=4g"], []],
     [["/usr/bin/java"], ["-Xmx4g", "-XX:MaxDirectMemorySize=4g"], ["-cp", "CP"]] + PROPERTIES
     + [["-Dalluxio.logger.type=WORKER_LOGGER"], ["-Djava.net.preferIPv4Stack=true"], ["alluxio.worker.AlluxioWorker"]]),
    ("fuse", [["-Xms1g", "-Xmx1g"], ["-Dx=y"], ["$ALLUXIO_FUSE_JAVA_OPTS"]],
     [["/usr/bin/java"], ["-Xms1g", "-Xmx1g"], ["-Dx=y"], ["$ALLUXIO_FUSE_JAVA_OPTS"], ["-cp", "CP"]] + PROPERTIES
     + [["-Dalluxio.logger.type=FUSE_LOGGER"], ["-Djava.net.preferIPv4Stack=true"], ["alluxio.fuse.AlluxioFuse"]]),
    ("format", [],
     [["/usr/bin/java"], ["-cp", "CP"]] + PROPERTIES
     + [["-Dalluxio.logger.type=Console"], ["-Djava.net.preferIPv4Stack=true"], ["alluxio.cli.Format"]]),
])
def test_every_jvm_command_line_comes_from_one_place(process, groups, lines):
    assert filters.alluxio_jvm_command(process, "CP", PATHS, groups) == lines


def test_an_unknown_process_has_no_command_line():
    with pytest.raises(AnsibleFilterError, match="unknown Alluxio process 'shell'"):
        filters.alluxio_jvm_command("shell", "CP", PATHS, [])


@pytest.mark.parametrize("mappings,values", [
    ([{"fs.s3a.secret.key": "s3cr3t", "alluxio.master.hostname": "m"}], ["s3cr3t"]),
    ([{"aws.accessKeyId": "AKIA", "s3a.secretKey": "x"}, {"MY_TOKEN": "t", "JAVA_HOME": "/usr"}], ["AKIA", "x", "t"]),
    ([{"db.password": "", "oss.credential": None, "a": "b"}], []),
    ([{"x.PASSWD": 5}, None], ["5"]),
])
def test_the_values_that_can_hold_a_credential(mappings, values):
    assert filters.alluxio_secret_values(*mappings) == values
