"""Inventory text that must never reach a host's files as another syntax (issue 22, items 3-6).

Each bad input is refused by preflight with a message naming the host and the variable; what is
let through is written so that Java, systemd and the shell read exactly what the inventory says
(the Java and the planted-link tests run the real programs on a real file system).
"""
import ipaddress
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.alnair.alluxio.plugins.filter import alluxio as filters
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import make_directory_nofollow

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GROUPS = {"alluxio_masters": ["m1"], "alluxio_workers": ["w1"]}
DERIVED = {"alluxio.master.journal.folder": "alluxio_journal_dir", "alluxio.worker.tieredstore.level0.dirs.quota":
           "alluxio_worker_mem_size"}
JOURNAL = "alluxio.master.journal.folder"


def preflight(**host_vars):
    hostvars = {"m1": {"ansible_host": "192.0.2.10"}, "w1": dict({"ansible_host": "192.0.2.11"}, **host_vars)}
    defaults = {"alluxio_version": "2.9.6", "alluxio_worker_mem_size": "1GB", "alluxio_memory_reserve": "2GB"}
    return filters.alluxio_preflight(hostvars, GROUPS, defaults, derived_properties=DERIVED)


# (variables of w1, words every problem about it must contain). 34 cases.
REFUSED = [
    # Item 3: alluxio_site_properties that java.util.Properties reads differently from what they say.
    ({"alluxio_site_properties": {JOURNAL + " ": "/x"}}, ["alluxio_site_properties", "not a property key"]),
    ({"alluxio_site_properties": {"alluxio\\u002emaster.journal.folder": "/x"}}, ["alluxio_site_properties", "\\\\u002e"]),
    ({"alluxio_site_properties": {"alluxio.master.journal:folder": "/x"}}, ["alluxio_site_properties", "not a property key"]),
    ({"alluxio_site_properties": {"alluxio.a=b": "x"}}, ["alluxio_site_properties", "not a property key"]),
    ({"alluxio_site_properties": {"#alluxio.a": "x"}}, ["alluxio_site_properties", "not a property key"]),
    ({"alluxio_site_properties": {"!alluxio.a": "x"}}, ["alluxio_site_properties", "not a property key"]),
    ({"alluxio_site_properties": {" alluxio.a": "x"}}, ["alluxio_site_properties", "not a property key"]),
    ({"alluxio_site_properties": {"alluxio.\u00e9": "x"}}, ["alluxio_site_properties", "not a property key"]),
    ({"alluxio_site_properties": {"alluxio.user.file.readtype.default": "CACHE\r" + JOURNAL + "=/etc"}},
     ["alluxio_site_properties", "control character", "'\\r'"]),
    ({"alluxio_site_properties": {"alluxio.user.file.readtype.default": "CACHE\n" + JOURNAL + "=/etc"}},
     ["control character", "'\\n'"]),
    ({"alluxio_site_properties": {"alluxio.user.file.readtype.default": "CACHE\f"}}, ["control character"]),
    ({"alluxio_site_properties": {"alluxio.user.file.readtype.default": "CACHE "}}, ["white space at an end"]),
    ({"alluxio_site_properties": {"alluxio.user.file.readtype.default": " CACHE"}}, ["white space at an end"]),
    ({"alluxio_site_properties": {"alluxio.user.file.readtype.default": ["CACHE"]}}, ["must be a string"]),
    ({"alluxio_java_opts_extra": ["-D" + JOURNAL + "=/etc"]}, ["alluxio_java_opts_extra", "-D" + JOURNAL, "alluxio_journal_dir"]),
    ({"alluxio_java_opts_replace": {"master": ["-Xmx1g", "-D" + JOURNAL + "=/etc"]}}, ["alluxio_java_opts_replace", "-D" + JOURNAL]),
    ({"alluxio_env": {"ALLUXIO_JAVA_OPTS": "-Xmx1g -D" + JOURNAL + "=/etc"}}, ["alluxio_env", "-D" + JOURNAL]),
    ({"alluxio_java_opts_extra": ["-Dalluxio.worker.bind.host=0.0.0.0"]}, ["-Dalluxio.worker.bind.host", "alluxio_bind_address"]),
    ({"alluxio_fuse_mounts": [{"mount_point": "/mnt/a", "jvm_options": ["-D" + JOURNAL + "=/x"]}]},
     ["alluxio_fuse_mounts", "-D" + JOURNAL]),
    # Item 5: control characters anywhere, and names/paths that would change a file's syntax.
    ({"alluxio_data_dir": "/srv/alluxio\nExecStartPre=+/bin/sh"}, ["alluxio_data_dir", "control character"]),
    ({"alluxio_java_opts_extra": ["-Xss1m\nExecStartPre=+/bin/true"]}, ["alluxio_java_opts_extra[0]", "control character"]),
    ({"alluxio_env": {"ALLUXIO_X": "a\nrm -rf /"}}, ["alluxio_env['ALLUXIO_X']", "control character"]),
    ({"alluxio_env": {"A;B": "x"}}, ["alluxio_env", "not a shell variable name"]),
    ({"alluxio_env": {"1A": "x"}}, ["alluxio_env", "not a shell variable name"]),
    ({"alluxio_hostname": "w1\u2028x"}, ["alluxio_hostname", "control character"]),
    ({"alluxio_fuse_mounts": [{"mount_point": "/mnt/a", "alluxio_path": "/x\ty"}]}, ["alluxio_fuse_mounts[0]", "control character"]),
    ({"alluxio_data_dir": "/srv/my data"}, ["alluxio_data_dir", "white space"]),
    ({"alluxio_log_dir": "/var/log/al%nuxio"}, ["alluxio_log_dir", "'%'"]),
    ({"alluxio_install_root": "/opt/a$(id)"}, ["alluxio_install_root", "'$'"]),
    ({"alluxio_conf_dir": "/etc/alluxio;x"}, ["alluxio_conf_dir", "';'"]),
    ({"alluxio_ramdisk_path": "/mnt/ram\"disk"}, ["alluxio_ramdisk_path", "'\"'"]),
    # Item 6: client networks that together admit everyone.
    ({"alluxio_client_networks": ["0.0.0.0/1", "128.0.0.0/1"]}, ["alluxio_client_networks", "every IPv4 address"]),
    ({"alluxio_client_networks": ["::/1", "8000::/1"]}, ["alluxio_client_networks", "every IPv6 address"]),
    ({"alluxio_client_networks": ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"]}, ["every IPv4 address"]),
]


@pytest.mark.parametrize("host_vars,words", REFUSED)
def test_preflight_refuses_text_that_would_change_a_file(host_vars, words):
    problems = [p for p in preflight(**host_vars) if p.startswith("w1: ")]
    assert problems, "nothing refused for %r" % (host_vars,)
    assert any(all(word in p for word in words) for p in problems), problems


def test_a_derived_property_set_by_a_d_option_on_purpose_passes():
    assert not preflight(alluxio_java_opts_extra=["-D" + JOURNAL + "=/srv/j"], alluxio_site_properties_override=[JOURNAL])


@pytest.mark.parametrize("host_vars", [
    {"alluxio_site_properties": {"alluxio.underfs.s3.endpoint": "https://s3.example/a?b=c#d", "alluxio.x-y_z": "\u00e9t\u00e9\\n"}},
    {"alluxio_java_opts_extra": ["-XX:+UseG1GC", "-Dalluxio.user.file.readtype.default=CACHE"]},
    {"alluxio_env": {"ALLUXIO_USER_JAVA_OPTS": "-Xmx1g -Dfoo=bar"}},
    {"alluxio_client_networks": ["10.0.0.0/8", "0.0.0.0/1"]},
    {"alluxio_data_dir": "/srv/alluxio-data_1.0@x"},
])
def test_ordinary_values_pass(host_vars):
    assert [p for p in preflight(**host_vars) if p.startswith("w1: ")] == []


@pytest.mark.parametrize("word,written", [
    ("-Xmx1g", "-Xmx1g"),
    ("$ALLUXIO_FUSE_JAVA_OPTS", "$ALLUXIO_FUSE_JAVA_OPTS"),
    ("-XX:OnOutOfMemoryError=kill -9 %p", '"-XX:OnOutOfMemoryError=kill -9 %%p"'),
    ("-Da=$HOME", '"-Da=$$HOME"'),
    ('-Da="b"', '"-Da=\\"b\\""'),
    ("-Da=b\\c", '"-Da=b\\\\c"'),
])
def test_unit_words_are_quoted_for_systemd(word, written):
    assert filters.systemd_exec_word(word) == written


def test_a_bounded_command_is_the_modules_own():
    assert filters.alluxio_bounded(["java", "-version"], "120") == ["timeout", "--kill-after=5", "120", "java", "-version"]


def test_a_unit_word_with_a_line_break_is_refused():
    with pytest.raises(AnsibleFilterError):
        filters.systemd_exec_word("-Xmx1g\nExecStartPre=+/bin/sh")


def test_the_firewall_admits_a_host_at_its_bind_address_when_it_was_not_read():
    hostvars = {"m1": {"ansible_host": "192.0.2.10", "alluxio_bind_address": "10.9.0.10"},
                "w1": {"ansible_host": "192.0.2.11", "alluxio_host": {"addresses": ["192.0.2.11", "10.9.0.11"]}}}
    sources = [ipaddress.ip_network(s) for s in filters.alluxio_firewall_sources(hostvars, ["m1", "w1"])]
    for address in ("10.9.0.10", "192.0.2.10", "10.9.0.11", "192.0.2.11"):
        assert any(ipaddress.ip_address(address) in network for network in sources), (address, sources)


# Java itself reads the properties file the collection writes (java.util.Properties, as Alluxio does).
READ_PROPERTIES = """
import java.io.FileInputStream;
import java.util.Properties;
public class ReadProperties {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    try (FileInputStream in = new FileInputStream(args[0])) { p.load(in); }
    for (String key : new java.util.TreeSet<String>(p.stringPropertyNames())) {
      System.out.print(key + "\\u0000" + p.getProperty(key) + "\\u0000");
    }
  }
}
"""


@pytest.mark.skipif(not shutil.which("java"), reason="no java on this machine (bootstrap installs a JDK)")
def test_java_reads_every_value_as_written(tmp_path):
    properties = {"alluxio.a": "C:\\data\\new", "alluxio.b": "\u00e9t\u00e9 \u65e5\u672c \U0001F600", "alluxio.c": "x=y:z#!",
                  "alluxio.d": "\\u002e", "alluxio.e": True, "alluxio.f": 42, JOURNAL: "/srv/journal"}
    path = tmp_path / "alluxio-site.properties"
    path.write_text(filters.alluxio_properties(properties), encoding="latin-1")
    source = tmp_path / "ReadProperties.java"
    source.write_text(READ_PROPERTIES)
    out = subprocess.run(["java", str(source), str(path)], capture_output=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    fields = out.stdout.decode("utf-8").split("\0")[:-1]
    read = dict(zip(fields[::2], fields[1::2]))
    assert read == dict((k, ("true" if v is True else str(v))) for k, v in properties.items())


# Item 4: root never follows a link another user can plant.
@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root (CI runs as root)")
def test_a_mount_point_is_never_made_through_a_planted_link(tmp_path):
    target = tmp_path / "etc-like"
    target.mkdir()
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(str(shared), 0o1777)
    os.symlink(str(target), str(shared / "mnt"))           # planted by another user
    with pytest.raises(OSError) as err:
        make_directory_nofollow(str(shared / "mnt" / "alluxio"), 0o755, (65534, 65534))
    assert "not followed" in str(err.value)
    assert os.listdir(str(target)) == [] and os.stat(str(target)).st_uid == 0
    made = make_directory_nofollow(str(shared / "real" / "alluxio"), 0o755, (65534, 65534))
    assert made and os.stat(str(shared / "real" / "alluxio")).st_uid == 65534
    assert os.stat(str(shared / "real")).st_uid == 0      # only the directory asked for changes owner
    assert make_directory_nofollow(str(shared / "real" / "alluxio"), 0o755, (65534, 65534)) is False


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root (CI runs as root)")
def test_the_journal_chown_does_not_follow_a_planted_link(tmp_path):
    """The services role's own task, run by Ansible as root on a real tree with a planted link."""
    tasks = yaml.safe_load(open(os.path.join(REPO, "roles/services/tasks/format.yml")))
    chown = next(t for t in tasks if t["name"] == "Give the journal to the alluxio user")["ansible.builtin.file"]
    assert chown["follow"] is False and chown["recurse"] is True
    journal, victim = tmp_path / "journal", tmp_path / "victim"
    journal.mkdir()
    victim.mkdir()
    (victim / "passwd").write_text("root:x:0:0\n")
    os.symlink(str(victim), str(journal / "x"))
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")  # the ansible-core under test
    out = subprocess.run([ansible, "localhost", "-c", "local", "-m", "ansible.builtin.file", "-a",
                          "path=%s state=directory owner=65534 group=65534 recurse=true follow=%s" % (journal, chown["follow"])],
                         capture_output=True, text=True, timeout=120, cwd=REPO, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert os.stat(str(journal)).st_uid == 65534
    assert os.stat(str(victim)).st_uid == 0 and os.stat(str(victim / "passwd")).st_uid == 0
    assert os.lstat(str(journal / "x")).st_uid == 65534     # the link itself, not what it points at
