# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What the modules read from a host: /proc files, dpkg and systemctl output, mounts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import grp
import ipaddress
import json
import os
import posixpath
import pwd
import select
import signal
import subprocess
import time

from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_model import MAIN_CLASSES

FUSE_UNIT_TEMPLATE = "alluxio-fuse@.service"


def read_text(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ""


def memtotal_mb(meminfo):
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return None


def os_release_codename(text):
    for line in text.splitlines():
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return None


def fuse_user_allow_other(text):
    return any(line.strip() == "user_allow_other" for line in text.splitlines())


def _unescape(field):
    # mountinfo escapes space, tab, newline and backslash as octal.
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def parse_mountinfo(text):
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, tail = left.split(), right.split()
        if len(fields) < 6 or len(tail) < 3:
            continue
        mounts.append({
            "mount_point": _unescape(fields[4]),
            "root": _unescape(fields[3]),
            "fstype": tail[0],
            "source": _unescape(tail[1]),
            "options": fields[5] + "," + tail[2],
        })
    return mounts


def parse_dpkg(text, wanted):
    versions = dict((name, None) for name in wanted)
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].startswith("ii") and parts[1] in versions:
            versions[parts[1]] = parts[2]
    return versions


# Exit status of `timeout` when the command ran out of time (it then ended the command's process group).
TIMED_OUT = 124


# Seconds a systemctl start, stop or reload may take here (a unit's own TimeoutStopSec is shorter).
SYSTEMCTL_TIMEOUT = 120
# Seconds a lazy unmount or a journal read may take (neither touches the mounted file system).
QUICK_TIMEOUT = 10


def bounded(command, seconds, grace=5):
    """command run under coreutils timeout: TERM to its whole process group after seconds, KILL
    grace seconds later if it is still there. Nothing a module starts can then hang a play."""
    return ["timeout", "--kill-after=%d" % grace, str(int(seconds))] + list(command)


class HostError(Exception):
    """A host tool (systemctl) that failed; its message says which and why."""


# The unit properties systemctl_show reads, and the keys it gives them.
UNIT_PROPERTIES = (("ActiveState", "active"), ("UnitFileState", "enabled"), ("LoadState", "load"), ("User", "user"),
                   ("MainPID", "main_pid"))
_NO_UNIT = {"active": "", "enabled": "", "load": "", "user": "", "main_pid": 0}


def parse_systemctl_show(text):
    """{unit: {active, enabled, load, user, main_pid}} of `systemctl show --property=Id,...` output."""
    units = {}
    for block in text.split("\n\n"):
        fields = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        if "Id" in fields:
            unit = dict((key, fields.get(prop, "")) for prop, key in UNIT_PROPERTIES)
            unit["main_pid"] = int(unit["main_pid"] or 0)
            units[fields["Id"]] = unit
    return units


def systemctl_show(run_command, units):
    """The state of each unit in one `systemctl show` call (the host toolkit's one systemctl reader):
    {unit: {active, enabled, load, user, main_pid}}; a unit systemd does not know has load
    "not-found". run_command is AnsibleModule.run_command. Raises HostError."""
    units = list(units)
    if not units:
        return {}
    rc, out, err = run_command(bounded(["systemctl", "show", "--property=Id," + ",".join(p for p, _k in UNIT_PROPERTIES)] + units, 30))
    if rc == TIMED_OUT:
        raise HostError("systemctl show %s did not answer within 30 s (is systemd busy?)" % " ".join(units))
    if rc != 0:
        raise HostError("systemctl show failed: %s" % (err or out).strip())
    shown = parse_systemctl_show(out)
    return dict((unit, shown.get(unit, dict(_NO_UNIT))) for unit in units)


def passwd_entry(user):
    """The passwd entry of a user name or numeric uid (the toolkit's one user lookup), or None."""
    try:
        return pwd.getpwuid(int(user)) if str(user).isdigit() else pwd.getpwnam(str(user))
    except KeyError:
        return None


def group_entry(group):
    """The group entry of a group name or numeric gid, or None."""
    try:
        return grp.getgrgid(int(group)) if str(group).isdigit() else grp.getgrnam(str(group))
    except KeyError:
        return None


def systemd_escape_path(path):
    """What `systemd-escape --path` prints: /mnt/ram-disk -> mnt-ram\\x2ddisk, / -> -, /mnt/café ->
    mnt-caf\\xc3\\xa9. Each byte of the UTF-8 name that is not an ASCII letter, digit, ':', '_' or
    '.' is escaped as \\xNN; a '.' only at the very start (no unit name starts with a dot)."""
    parts = [p for p in posixpath.normpath(path).split("/") if p]
    if not parts:
        return "-"
    out = []
    for index, byte in enumerate("/".join(parts).encode("utf-8")):
        char = chr(byte)
        if char == "/":
            out.append("-")
        elif byte < 128 and (char.isalnum() or char in ":_" or (char == "." and index > 0)):
            out.append(char)
        else:
            out.append("\\x%02x" % byte)
    return "".join(out)


def fuse_unit_name(mount_point):
    """The instance of the FUSE template unit that serves a mount point."""
    return FUSE_UNIT_TEMPLATE.replace("@", "@" + systemd_escape_path(mount_point))


def make_directory_nofollow(path, mode=0o755, owner=None):
    """Create the directory path (and its missing parents) as root without following a symbolic link
    anywhere in it: each component is opened with O_NOFOLLOW|O_DIRECTORY from its parent's descriptor,
    so a link planted or swapped in by another user fails (ELOOP/ENOTDIR) instead of being followed.
    Only a directory made here gets owner (uid, gid), through its own descriptor. Returns True when
    path was made here; raises OSError naming the component that is not a plain directory."""
    fd, made = open_directory_nofollow(path, create=True, mode=mode)
    try:
        if made and owner:
            os.fchown(fd, owner[0], owner[1])
        return made
    finally:
        os.close(fd)


def open_directory_nofollow(path, create=False, mode=0o755):
    """(descriptor of the directory path, whether its last component was made here), reached from /
    one component at a time with O_NOFOLLOW|O_DIRECTORY (see make_directory_nofollow). With
    create=False a missing component raises FileNotFoundError. The caller closes the descriptor."""
    if not path.startswith("/"):
        raise ValueError("%r is not an absolute path" % (path,))
    parts = [part for part in path.split("/") if part]
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    made = False
    try:
        for index, name in enumerate(parts):
            made = False
            if create:
                try:
                    os.mkdir(name, mode, dir_fd=fd)
                    made = True
                except OSError as exc:
                    if exc.errno != errno.EEXIST:
                        raise
            where = "/" + "/".join(parts[:index + 1])
            try:
                child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise OSError(exc.errno, "%s is a symbolic link or not a directory: not followed" % where)
                if exc.errno == errno.ENOENT:
                    raise FileNotFoundError(exc.errno, "%s does not exist" % where)
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd, made


def write_file_atomically(dir_fd, name, data, mode):
    """Write name in the directory dir_fd (a descriptor, or None for the working directory's paths)
    through a temporary name made with O_EXCL|O_NOFOLLOW, synced, given mode (whatever the umask)
    and renamed over name: a reader never sees half a file and a planted link is never followed."""
    temporary = ".%s.%d.tmp" % (name, os.getpid())
    where = {} if dir_fd is None else {"dir_fd": dir_fd}
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, **where)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(temporary, name, **({} if dir_fd is None else {"src_dir_fd": dir_fd, "dst_dir_fd": dir_fd}))
    except BaseException:
        try:
            os.unlink(temporary, **where)
        except OSError:
            pass
        raise


def mount_at(mounts, mount_point):
    """The mount on top at mount_point (the last one in mountinfo order), or None."""
    found = None
    for mount in mounts:
        if mount["mount_point"] == mount_point:
            found = mount
    return found


class Unanswered(Exception):
    """A command or call that did not finish within its time: killed and left behind, never waited for."""


class CallFailed(Exception):
    """A call_with_deadline function raised something other than OSError: its message."""


def run_with_deadline(argv, seconds, popen=subprocess.Popen):
    """(rc, stdout, stderr) of argv, text; rc None when it did not finish within seconds. The child
    is then killed and left behind, never waited for: a request a FUSE daemon has already taken
    cannot be interrupted (the kernel waits for its answer, SIGKILL included), so a process blocked
    on a hung mount cannot be reaped until the mount answers or is detached. coreutils `timeout`
    (bounded) waits for such a child: this does not."""
    child = popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True)
    try:
        out, err = child.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        return None, "", ""

    def text(data):
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")
    return child.returncode, text(out), text(err)


def fork_child(body, *args):
    """Fork: the child runs body(write_fd, *args), then leaves with os._exit (never running the parent's
    cleanup); the parent gets (pid, read_fd), the pipe's end the child reports on."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_fd)
            body(write_fd, *args)
        except BaseException:  # pylint: disable=broad-except
            code = 1
        os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def write_json(fd, value):
    """value as JSON on fd, all of it, then fd closed (a child's report to its parent)."""
    data = memoryview(json.dumps(value).encode("utf-8"))
    while data:
        data = data[os.write(fd, data):]
    os.close(fd)


def _call_and_report(write_fd, function, args):
    try:
        reply = {"result": function(*args)}
    except OSError as exc:
        reply = {"errno": exc.errno, "strerror": exc.strerror or str(exc), "filename": exc.filename}
    except Exception as exc:  # pylint: disable=broad-except
        reply = {"error": str(exc)}
    write_json(write_fd, reply)


def call_with_deadline(function, args, seconds, what):
    """function(*args) in a forked child, its JSON-able result passed back through a pipe; raises
    Unanswered naming what when it does not return within seconds (the child is killed and left
    behind, as in run_with_deadline), OSError when it raised one, CallFailed with the message of
    any other exception."""
    pid, read_fd = fork_child(_call_and_report, function, args)
    deadline = time.monotonic() + seconds
    chunks, done = [], False
    try:
        while not done:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_fd], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, os.WNOHANG)  # reaped now if it could die; else left to init
                raise Unanswered("%s did not finish within %g s (a hung mount?)" % (what, seconds))
            chunk = os.read(read_fd, 1 << 16)
            chunks.append(chunk)
            done = not chunk
    finally:
        os.close(read_fd)
    os.waitpid(pid, 0)  # it closed its end: it is exiting
    reply = json.loads(b"".join(chunks).decode("utf-8") or "{}")
    if "result" in reply:
        return reply["result"]
    if "errno" in reply:
        raise OSError(reply["errno"], reply["strerror"], reply["filename"])
    raise CallFailed(reply.get("error") or "%s ended without a result" % what)


def probe_path(path, timeout=5, popen=subprocess.Popen):
    """(state, why): state is answers, hung (stat did not return within timeout seconds) or
    failed (ENOTCONN of a dead FUSE process, another error). A missing path is an answer: the
    file system is alive. stat runs in a child process never waited for past timeout
    (run_with_deadline)."""
    rc, _out, err = run_with_deadline(["stat", "--format=%i", "--", path], timeout, popen)
    if rc is None:
        return "hung", "stat hung for %g s" % timeout
    if rc == 0:
        return "answers", None
    if "No such file or directory" in err or "Not a directory" in err:
        return "answers", None
    if "Transport endpoint is not connected" in err:
        return "failed", os.strerror(errno.ENOTCONN)
    return "failed", err.strip() or "stat failed (rc %d)" % rc


def path_responds(path, timeout=5):
    """None when path answers stat within timeout seconds, else why not (see probe_path)."""
    return probe_path(path, timeout)[1]


def processes_using(mount_points, proc="/proc", exclude_pids=()):
    """{mount point: [{pid, command}]} of the processes with a file open, or their working
    directory, under each mount point: the training jobs a remount or a worker restart will
    disturb. Read from /proc (readlink of fd and cwd entries is the kernel's path of the open
    file; it never enters the file system, so a hung FUSE mount cannot block it)."""
    found = dict((point, []) for point in mount_points)
    prefixes = [(point, point.rstrip("/") + "/") for point in mount_points]
    for name in sorted((n for n in os.listdir(proc) if n.isdigit()), key=int):
        if int(name) in exclude_pids:
            continue
        base = os.path.join(proc, name)
        paths = []
        try:
            paths.append(os.readlink(os.path.join(base, "cwd")))
            for fd in os.listdir(os.path.join(base, "fd")):
                try:
                    paths.append(os.readlink(os.path.join(base, "fd", fd)))
                except OSError:
                    continue
        except OSError:
            continue  # gone, or not ours to read
        for point, prefix in prefixes:
            if any(path == point or path.startswith(prefix) for path in paths):
                command = read_text(os.path.join(base, "cmdline")).replace("\0", " ").strip()
                found[point].append({"pid": int(name), "command": command[:200]})
    return found


def global_addresses(ip_json):
    """The addresses in the output of `ip -json address show scope global`, in its order."""
    try:
        interfaces = json.loads(ip_json or "[]")
    except ValueError:
        return []
    return [info["local"] for interface in interfaces if isinstance(interface, dict)
            for info in interface.get("addr_info") or [] if info.get("local")]


def _proc_net_address(hex_address):
    """An address of /proc/net/tcp (4 or 16 bytes, each 32-bit word in host order) as text."""
    raw = bytearray.fromhex(hex_address)
    swapped = bytes(bytearray(b for i in range(0, len(raw), 4) for b in reversed(raw[i:i + 4])))
    return str(ipaddress.ip_address(swapped))


def listening_addresses(proc_net_texts):
    """{port: [address, ...]} of the TCP sockets in LISTEN state (0A) in the text of
    /proc/net/tcp and /proc/net/tcp6 (0.0.0.0 and :: are every address of the host)."""
    found = {}
    for text in proc_net_texts:
        for line in text.splitlines()[1:]:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A":
                address, port = fields[1].rsplit(":", 1)
                found.setdefault(int(port, 16), set()).add(_proc_net_address(address))
    return dict((port, sorted(addresses)) for port, addresses in found.items())


def listening_ports(proc_net_texts):
    """TCP ports in LISTEN state in the text of /proc/net/tcp and /proc/net/tcp6."""
    return set(listening_addresses(proc_net_texts))


def alluxio_main_class(argv):
    """The Alluxio main class a JVM's command line runs (alluxio.master.AlluxioMaster...), or None."""
    if not argv or not posixpath.basename(argv[0]).startswith("java"):
        return None
    skip = False
    for arg in argv[1:]:
        if skip:
            skip = False
            continue
        if arg in ("-cp", "-classpath", "--class-path"):
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg if arg.startswith("alluxio.") else None
    return None


FUSE_MAIN_CLASS = MAIN_CLASSES["fuse"]
# The file system type of an Alluxio FUSE mount in mountinfo; the collection acts on no other.
ALLUXIO_FUSE_FSTYPE = "fuse.alluxio-fuse"
_FUSE_VALUE_OPTIONS = {"-m": "mount_point", "--mount-point": "mount_point",
                       "-a": "alluxio_path", "--alluxio-path": "alluxio_path"}


def fuse_process_args(argv):
    """{mount_point, alluxio_path, options} of an Alluxio FUSE JVM's command line: what follows
    its main class (-m/--mount-point, -a/--alluxio-path, -o/--mount-options, repeatable)."""
    words = list(argv)
    if FUSE_MAIN_CLASS in words:
        words = words[words.index(FUSE_MAIN_CLASS) + 1:]
    found = {"mount_point": None, "alluxio_path": None, "options": []}
    for i, word in enumerate(words):
        name, equals, value = word.partition("=")
        if not equals:
            value = words[i + 1] if i + 1 < len(words) else None
        if value is None or not name.startswith("-"):
            continue
        if name in _FUSE_VALUE_OPTIONS:
            found[_FUSE_VALUE_OPTIONS[name]] = value
        elif name in ("-o", "--mount-options"):
            found["options"] += [option for option in value.split(",") if option]
    return found


def _stat_fields(pid, proc_root):
    """The fields of /proc/PID/stat after the command name (field 3 first), None when it is gone."""
    stat = read_text(os.path.join(proc_root, str(pid), "stat"))
    return stat.rsplit(")", 1)[1].split() if ")" in stat else None


def process_start_ticks(pid, proc_root="/proc"):
    """Start time of a process in clock ticks since boot (field 22 of stat), None when it is gone.
    A PID with another start time is another process."""
    fields = _stat_fields(pid, proc_root)
    return int(fields[19]) if fields else None


def process_cpu_ns(pid, proc_root="/proc"):
    """CPU time of a process and its waited-for children (fields 14-17 of stat) in nanoseconds,
    None when it is gone."""
    fields = _stat_fields(pid, proc_root)
    if not fields:
        return None
    return int(sum(int(value) for value in fields[11:15]) * 1e9 / os.sysconf("SC_CLK_TCK"))


def alluxio_jvms(proc_root="/proc", uid=None):
    """Every running Alluxio JVM (optionally of one uid): [{pid, main_class, uid, start_ticks}].
    start_ticks (field 22 of /proc/PID/stat) tells a PID reused by another process."""
    found = []
    for name in os.listdir(proc_root):
        if not name.isdigit():
            continue
        base = os.path.join(proc_root, name)
        argv = [arg for arg in read_text(os.path.join(base, "cmdline")).split("\0") if arg]
        main_class = alluxio_main_class(argv)
        if main_class is None:
            continue
        owner = None
        for line in read_text(os.path.join(base, "status")).splitlines():
            if line.startswith("Uid:"):
                owner = int(line.split()[1])
        if uid is not None and owner != uid:
            continue
        found.append({"pid": int(name), "main_class": main_class, "uid": owner,
                      "start_ticks": process_start_ticks(int(name), proc_root)})
    return sorted(found, key=lambda jvm: jvm["pid"])


def fuse_jvm_args(proc_root="/proc", uid=None):
    """{pid: fuse_process_args} of every running Alluxio FUSE JVM (optionally of one uid)."""
    return dict((jvm["pid"], fuse_process_args(read_text(os.path.join(proc_root, str(jvm["pid"]), "cmdline")).split("\0")))
                for jvm in alluxio_jvms(proc_root, uid) if jvm["main_class"] == FUSE_MAIN_CLASS)


def mount_holding(mounts, path):
    """The mount (parse_mountinfo entry) a path lies in: the longest mount point that is the path or
    one of its parents, or None."""
    best = None
    for mount in mounts:
        point = mount["mount_point"]
        if path == point or path.startswith(point.rstrip("/") + "/"):
            if best is None or len(point) > len(best["mount_point"]):
                best = mount
    return best


def mount_size_bytes(options):
    """The size= of a tmpfs mount's options (in bytes; the kernel writes it as NNNk), or None."""
    for option in options.split(","):
        if option.startswith("size="):
            value = option[5:]
            scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(value[-1:].lower(), 1)
            return int(value.rstrip("kKmMgG")) * scale
    return None
