#!/usr/bin/env python3
"""The alnair local lab: N Debian hosts with real systemd on this machine.

Each host is a systemd-nspawn container booted with systemd as PID 1, with its
own network namespace (a veth into a private bridge, a static address, NAT to
the outside for apt), its own overlay file system over a shared base image,
/dev/fuse, and SSH key access from the controller.

    lab.py up [--hosts N] [--release bookworm|bullseye]
    lab.py down
    lab.py status
    lab.py base [--release R]       build (or reuse) the cached base image

Safety rules this file keeps: it only ends processes whose PIDs it recorded in
the controller's PID namespace (checked against their start time, so a reused
PID is never hit), never kills by name, and records every resource in the state
file *before* creating it, so `down` cleans up after an interrupted `up`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Names, addresses, paths and SSH settings shared with measure.py and the tests.
from labnet import (CACHE_DIR, GATEWAY, KNOWN_HOSTS, LAB_KEY, MAX_HOSTS, SHARED_DIR, SHARED_MOUNT,  # noqa: E402
                    SSH_BATCH_OPTIONS, SSH_OPTIONS, STATE_DIR, SUBNET, host_address, host_index, host_names)

REPO = Path(__file__).resolve().parent.parent
STATE_FILE = STATE_DIR / "state.json"
DEFAULT_INVENTORY = REPO / "inventories" / "lab" / "hosts.yml"

BRIDGE = "alnair-br0"
CGROUP_ROOTS = (Path("/sys/fs/cgroup/systemd"), Path("/sys/fs/cgroup/unified"))
CGROUP_NAME = "alnair-lab"
NSPAWN_RUN = Path("/run/systemd/nspawn")
NAT_RULE = ["POSTROUTING", "-s", str(SUBNET), "!", "-o", BRIDGE, "-j", "MASQUERADE",
            "-m", "comment", "--comment", "alnair-lab"]
FORWARD_RULES = (
    ["FORWARD", "-i", BRIDGE, "-j", "ACCEPT", "-m", "comment", "--comment", "alnair-lab"],
    ["FORWARD", "-o", BRIDGE, "-j", "ACCEPT", "-m", "comment", "--comment", "alnair-lab"],
)

# The base image recipe. Any change here gives a new cache key, so the base is
# rebuilt. The JRE is baked in because installing it takes most of a minute.
BASE_PACKAGES = ["systemd", "systemd-sysv", "openssh-server", "python3", "python3-apt",
                 "dbus", "iproute2", "sudo", "fuse3", "procps", "ca-certificates",
                 "curl", "libfuse2"]
RELEASES = {
    # release: (JRE package baked into the base, what we found runs Alluxio 2.9.6)
    "bookworm": "openjdk-17-jre-headless",
    "bullseye": "openjdk-11-jre-headless",
}
RECIPE_VERSION = 3


class LabError(Exception):
    """A problem the user can act on; printed without a traceback."""


def log(msg: str) -> None:
    print(f"[lab] {msg}", flush=True)


def run(cmd: list[str], check: bool = True, capture: bool = False, **kw) -> subprocess.CompletedProcess:
    """Run an argument list (never a shell string)."""
    res = subprocess.run(cmd, text=True, capture_output=capture, **kw)
    if check and res.returncode != 0:
        detail = (res.stderr or "").strip() if capture else ""
        raise LabError(f"command failed ({res.returncode}): {' '.join(cmd)}" + (f"\n{detail}" if detail else ""))
    return res


def quiet(cmd: list[str]) -> bool:
    """Run a command for its exit status only."""
    return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


# ---------------------------------------------------------------- state

def load_state() -> dict:
    if STATE_FILE.exists():
        return json.loads(STATE_FILE.read_text())
    return {}


def save_state(state: dict) -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = STATE_FILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    os.replace(tmp, STATE_FILE)


# ---------------------------------------------------------------- processes

def proc_start_time(pid: int) -> int | None:
    """Start time of a PID in clock ticks since boot, or None if it is gone (or a zombie)."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may contain spaces and parentheses: split after the last ')'.
    fields = data.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def same_process(record: dict | None) -> bool:
    return bool(record) and proc_start_time(record["pid"]) == record["start"]


def record_process(pid: int) -> dict:
    return {"pid": pid, "start": proc_start_time(pid)}


def end_process(record: dict | None, timeout: float) -> bool:
    """SIGTERM a recorded process, then SIGKILL after timeout. True if it is gone."""
    if not same_process(record):
        return True
    os.kill(record["pid"], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not same_process(record):
            return True
        time.sleep(0.1)
    if same_process(record):
        os.kill(record["pid"], signal.SIGKILL)
        time.sleep(0.3)
    return not same_process(record)


# ---------------------------------------------------------------- preflight

def is_fuse_device(path: Path) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return stat.S_ISCHR(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) == (10, 229)


def preflight_up(count: int, release: str, masters: int = 1) -> None:
    """Every check that can fail before anything is created."""
    problems = []
    if os.geteuid() != 0:
        problems.append("the lab must run as root (it creates network namespaces, mounts and containers)")
    if count < 1 or count > MAX_HOSTS:
        problems.append(f"--hosts must be between 1 and {MAX_HOSTS}, got {count}")
    if masters < 1 or masters % 2 == 0:
        problems.append(f"--masters must be 1 or an odd number (a quorum is a majority), got {masters}")
    elif masters > 1 and count < 2:
        problems.append("--masters above 1 needs workers of their own: --hosts 2 or more")
    elif count + masters - 1 > MAX_HOSTS:
        problems.append(f"--hosts {count} and --masters {masters} make more than {MAX_HOSTS} hosts")
    if release not in RELEASES:
        problems.append(f"unknown release {release!r}; supported: {', '.join(sorted(RELEASES))}")
    if not is_fuse_device(Path("/dev/fuse")):
        problems.append("/dev/fuse is missing or is not the FUSE device (char 10:229): load the fuse kernel "
                        "module (modprobe fuse); the lab hosts need it for Alluxio FUSE")
    for tool in ("systemd-nspawn", "debootstrap", "ip", "iptables", "ssh", "ssh-keygen", "mount"):
        if shutil.which(tool) is None:
            problems.append(f"{tool} is not installed (run tools/bootstrap.sh)")
    if problems:
        raise LabError("cannot bring the lab up:\n  - " + "\n  - ".join(problems))


# ---------------------------------------------------------------- base image

def apt_sources(apt_dir: Path = Path("/etc/apt")) -> tuple[str, str | None]:
    """The controller's Debian archive and security URIs (the lab uses the same mirror)."""
    main_uri = security_uri = None
    files = sorted((apt_dir / "sources.list.d").glob("*.sources"))
    for path in files:
        for stanza in path.read_text().split("\n\n"):
            fields = {}
            for line in stanza.splitlines():
                if ":" in line and not line.startswith("#"):
                    key, value = line.split(":", 1)
                    fields[key.strip()] = value.strip()
            if fields.get("Types", "deb").split()[0] != "deb" or "URIs" not in fields:
                continue
            uri = fields["URIs"].split()[0]
            if "-security" in fields.get("Suites", ""):
                security_uri = security_uri or uri
            else:
                main_uri = main_uri or uri
    legacy = apt_dir / "sources.list"
    if main_uri is None and legacy.exists():
        for line in legacy.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb":
                uri = next(p for p in parts[1:] if not p.startswith("["))
                if "security" in line:
                    security_uri = security_uri or uri
                else:
                    main_uri = main_uri or uri
    if main_uri is None:
        raise LabError("no Debian archive found in the controller's apt sources")
    return main_uri, security_uri


def base_recipe(release: str) -> dict:
    main_uri, security_uri = apt_sources()
    return {"version": RECIPE_VERSION, "release": release, "packages": BASE_PACKAGES,
            "jre": RELEASES[release], "mirror": main_uri, "security": security_uri}


def base_path(release: str) -> Path:
    recipe = base_recipe(release)
    key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    return CACHE_DIR / "lab" / f"base-{release}-{key}"


def nspawn_command(root: Path, *cmd: str) -> list[str]:
    """Run one command inside a root directory (not booted), sharing the host network."""
    return ["systemd-nspawn", "--quiet", "--register=no", "--keep-unit", "--resolv-conf=replace-host",
            "--timezone=off", "-D", str(root), "--", *cmd]


def build_base(release: str) -> Path:
    target = base_path(release)
    if (target / ".alnair-base.json").exists():
        return target
    own_tmpfs = str(NSPAWN_RUN) not in mount_points()
    if own_tmpfs:
        mount_nspawn_tmpfs()
    try:
        return _build_base(release, target)
    finally:
        if own_tmpfs:
            quiet(["umount", str(NSPAWN_RUN)])


def _build_base(release: str, target: Path) -> Path:
    recipe = base_recipe(release)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f".build-{release}-", dir=target.parent))
    log(f"building the {release} base image in {work} (once; cached in {target.parent})")
    try:
        run(["debootstrap", "--variant=minbase", "--include=" + ",".join(BASE_PACKAGES),
             release, str(work), recipe["mirror"]], stdout=subprocess.DEVNULL)
        sources = [f"Types: deb\nURIs: {recipe['mirror']}\nSuites: {release} {release}-updates\n"
                   "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"]
        if recipe["security"]:
            sources.append(f"Types: deb\nURIs: {recipe['security']}\nSuites: {release}-security\n"
                           "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
        (work / "etc/apt/sources.list").write_text("")
        (work / "etc/apt/sources.list.d/debian.sources").write_text("\n".join(sources))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run(nspawn_command(work, "apt-get", "update", "-qq"), env=env, stdout=subprocess.DEVNULL)
        run(nspawn_command(work, "apt-get", "install", "-y", "-qq", "--no-install-recommends", recipe["jre"]),
            env=env, stdout=subprocess.DEVNULL)
        run(nspawn_command(work, "apt-get", "clean"))
        # Each host makes its own identity at `up`; an empty machine-id and no host keys here.
        for key in (work / "etc/ssh").glob("ssh_host_*"):
            key.unlink()
        (work / "etc/machine-id").write_text("")
        lists = work / "var/lib/apt/lists"
        for entry in lists.iterdir():
            if entry.is_file():
                entry.unlink()
        # An old mtime makes Ansible's apt cache_valid_time refresh the empty lists.
        os.utime(lists, (0, 0))
        (work / ".alnair-base.json").write_text(json.dumps(recipe, indent=2))
        os.rename(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    log(f"base image ready in {time.monotonic() - started:.0f} s: {target}")
    return target


# ---------------------------------------------------------------- network

def ensure_bridge(state: dict) -> None:
    state.setdefault("created", {})
    if "ip_forward" not in state:
        state["ip_forward"] = Path("/proc/sys/net/ipv4/ip_forward").read_text().strip()
    state["created"]["bridge"] = True
    save_state(state)
    if not quiet(["ip", "link", "show", BRIDGE]):
        run(["ip", "link", "add", BRIDGE, "type", "bridge"])
        run(["ip", "addr", "add", f"{GATEWAY}/{SUBNET.prefixlen}", "dev", BRIDGE])
    run(["ip", "link", "set", BRIDGE, "up"])
    Path("/proc/sys/net/ipv4/ip_forward").write_text("1\n")
    state["created"]["nat"] = True
    save_state(state)
    for rule, table in [(NAT_RULE, "nat")] + [(r, "filter") for r in FORWARD_RULES]:
        if not quiet(["iptables", "-t", table, "-C", *rule]):
            run(["iptables", "-t", table, "-I" if table == "filter" else "-A", *rule])


def remove_bridge(state: dict) -> None:
    for rule, table in [(NAT_RULE, "nat")] + [(r, "filter") for r in FORWARD_RULES]:
        while quiet(["iptables", "-t", table, "-C", *rule]):
            run(["iptables", "-t", table, "-D", *rule])
    if quiet(["ip", "link", "show", BRIDGE]):
        run(["ip", "link", "del", BRIDGE])
    if "ip_forward" in state:
        Path("/proc/sys/net/ipv4/ip_forward").write_text(state["ip_forward"] + "\n")


def veth_name(index: int) -> str:
    return f"alnair-v{index}"


def ensure_netns(name: str, index: int) -> None:
    if not Path(f"/run/netns/{name}").exists():
        run(["ip", "netns", "add", name])
    if not quiet(["ip", "-n", name, "link", "show", "eth0"]):
        run(["ip", "link", "add", veth_name(index), "type", "veth", "peer", "name", "eth0", "netns", name])
    run(["ip", "link", "set", veth_name(index), "master", BRIDGE, "up"])
    run(["ip", "-n", name, "link", "set", "lo", "up"])
    run(["ip", "-n", name, "link", "set", "eth0", "up"])
    cidr = f"{host_address(index)}/{SUBNET.prefixlen}"
    if cidr not in run(["ip", "-n", name, "-o", "addr", "show", "dev", "eth0"], capture=True).stdout:
        run(["ip", "-n", name, "addr", "add", cidr, "dev", "eth0"])
    run(["ip", "-n", name, "route", "replace", "default", "via", GATEWAY])


# ---------------------------------------------------------------- mounts

def mount_points() -> set[str]:
    points = set()
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        points.add(line.split()[4].replace("\\040", " "))
    return points


def mount_nspawn_tmpfs() -> None:
    # With /run/systemd/nspawn on disk nspawn leaves directories behind.
    NSPAWN_RUN.mkdir(parents=True, exist_ok=True)
    run(["mount", "-t", "tmpfs", "-o", "mode=0755", "alnair-lab", str(NSPAWN_RUN)])


def ensure_nspawn_tmpfs(state: dict) -> None:
    if str(NSPAWN_RUN) in mount_points():
        return
    state["created"]["nspawn_tmpfs"] = True
    save_state(state)
    mount_nspawn_tmpfs()


def host_dir(name: str) -> Path:
    return STATE_DIR / "hosts" / name


def ensure_overlay(name: str, base: Path) -> Path:
    hdir = host_dir(name)
    root, upper, work = hdir / "root", hdir / "upper", hdir / "work"
    for d in (root, upper, work):
        d.mkdir(parents=True, exist_ok=True)
    if str(root) not in mount_points():
        run(["mount", "-t", "overlay", "overlay", "-o",
             f"lowerdir={base},upperdir={upper},workdir={work}", str(root)])
    return root


def personalise(root: Path, name: str, all_hosts: list[tuple[str, str]]) -> str:
    """Give a host its identity (written once into its upper dir). Returns its public host key."""
    (root / "etc/hostname").write_text(name + "\n")
    hosts = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"]
    hosts += [f"{addr} {host}" for host, addr in all_hosts]
    (root / "etc/hosts").write_text("\n".join(hosts) + "\n")
    machine_id = root / "etc/machine-id"
    if not machine_id.read_text().strip():
        machine_id.write_text(os.urandom(16).hex() + "\n")
    host_key = root / "etc/ssh/ssh_host_ed25519_key"
    if not host_key.exists():
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(host_key)])
    ssh_dir = root / "root/.ssh"
    ssh_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    (ssh_dir / "authorized_keys").write_text(LAB_KEY.with_suffix(".pub").read_text())
    os.chmod(ssh_dir / "authorized_keys", 0o600)
    # The controller's resolver, reached through NAT.
    resolv = root / "etc/resolv.conf"
    if resolv.is_symlink():
        resolv.unlink()
    resolv.write_text(Path("/etc/resolv.conf").read_text())
    # Only sshd's ed25519 key exists: tell it so, to keep its log clean.
    conf_d = root / "etc/ssh/sshd_config.d"
    conf_d.mkdir(exist_ok=True)
    (conf_d / "10-alnair-lab.conf").write_text("HostKey /etc/ssh/ssh_host_ed25519_key\nUseDNS no\n")
    # A GPU node's /dev/fuse is 0666 (udev), so FUSE runs as a plain user; this machine's may
    # be 0600. The host gets its own node (the machine's is bound at /dev/fuse-machine only so
    # that nspawn lets the device through); the machine's node is never changed.
    tmpfiles = root / "etc/tmpfiles.d"
    tmpfiles.mkdir(parents=True, exist_ok=True)
    (tmpfiles / "alnair-lab-fuse.conf").write_text("c /dev/fuse 0666 root root - 10:229\n")
    return Path(str(host_key) + ".pub").read_text().split()[:2]


def ensure_lab_key() -> None:
    if not LAB_KEY.exists():
        LAB_KEY.parent.mkdir(parents=True, exist_ok=True)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alnair-lab", "-f", str(LAB_KEY)])


# ---------------------------------------------------------------- launcher

def cgroup_dirs(name: str) -> list[Path]:
    return [r / CGROUP_NAME / name for r in CGROUP_ROOTS if r.is_dir()]


def launch(name: str) -> int:
    """Body of the detached launcher: one per host, in the controller's PID namespace.

    It moves itself into the host's own cgroup, then runs nspawn, restarting it only
    when the container asked for a reboot (exit 133). SIGTERM is forwarded to nspawn,
    which halts the container cleanly.
    """
    for d in cgroup_dirs(name):
        d.mkdir(parents=True, exist_ok=True)
        (d / "cgroup.procs").write_text(str(os.getpid()))
    root = host_dir(name) / "root"
    stopping = False
    child: subprocess.Popen | None = None

    def forward(signum, _frame):
        nonlocal stopping
        stopping = True
        if child and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    rc = 0
    while not stopping:
        child = subprocess.Popen([
            "systemd-nspawn", "--quiet", "--keep-unit", "--register=no", "--boot",
            "-M", name, "-D", str(root), f"--network-namespace-path=/run/netns/{name}",
            "--resolv-conf=off", "--timezone=off", "--bind=/dev/fuse:/dev/fuse-machine", f"--bind={SHARED_DIR}:{SHARED_MOUNT}",
            # Its own network namespace: CAP_NET_ADMIN there is what a bare-metal host's root has
            # (the collection's firewall loads nftables rules), and reaches no other host's network.
            "--capability=CAP_NET_ADMIN", "--console=read-only"],
            stdin=subprocess.DEVNULL)
        (host_dir(name) / "nspawn.json").write_text(json.dumps(record_process(child.pid)))
        rc = child.wait()
        print(f"[launcher] nspawn for {name} exited with {rc}", flush=True)
        if rc != 133:
            break
        time.sleep(0.5)
    return rc


def ensure_launcher(state: dict, name: str) -> None:
    host = state["hosts"][name]
    if same_process(host.get("launcher")):
        return
    logfile = open(host_dir(name) / "console.log", "ab")
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "_launch", name],
                            stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT,
                            start_new_session=True, close_fds=True)
    logfile.close()
    host["launcher"] = record_process(proc.pid)
    save_state(state)


def ssh_base() -> list[str]:
    return ["ssh", "-i", str(LAB_KEY), *SSH_OPTIONS, *SSH_BATCH_OPTIONS]


def wait_running(state: dict, timeout: float) -> dict[str, str]:
    """Wait until systemd in every host reports running (or degraded)."""
    pending = dict(state["hosts"])
    result = {}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for name, host in list(pending.items()):
            if not same_process(host.get("launcher")):
                raise LabError(f"{name}: its launcher exited; see {host_dir(name) / 'console.log'}")
            res = subprocess.run(ssh_base() + [f"root@{host['address']}", "systemctl", "is-system-running", "--wait"],
                                 capture_output=True, text=True, timeout=60)
            status = res.stdout.strip()
            if status in ("running", "degraded"):
                result[name] = status
                del pending[name]
        if pending:
            time.sleep(0.3)
    if pending:
        raise LabError(f"hosts not up within {timeout:.0f} s: {', '.join(pending)}; see their console.log in {STATE_DIR}/hosts/")
    return result


# ---------------------------------------------------------------- inventory

def write_inventory(state: dict, path: Path) -> None:
    names = list(state["hosts"])
    masters = [n for n in names if not n.startswith("lab-worker")]  # lab-master(N), or lab-node1 alone
    workers = [n for n in names if n.startswith("lab-worker")] or names[:1]
    lines = [
        "# Written by tools/lab.py up: the local lab's hosts. Regenerated on every `up`.",
        "all:",
        "  vars:",
        "    ansible_user: root",
        f"    ansible_ssh_private_key_file: {LAB_KEY}",
        f"    ansible_ssh_common_args: {' '.join(SSH_OPTIONS)}",
        "    ansible_python_interpreter: /usr/bin/python3",
        f"    alnair_lab_release: {state['release']}",
    ]
    if len(names) == 1:
        lines.append("    alluxio_master_is_worker: true")
    lines += ["  children:"]
    for group, members in (("alluxio_masters", masters), ("alluxio_workers", workers)):
        lines += [f"    {group}:", "      hosts:"]
        for name in members:
            lines.append(f"        {name}:")
            lines.append(f"          ansible_host: {state['hosts'][name]['address']}")
    # Prometheus runs on the (first) master (site.yml's monitoring play).
    lines += ["    alluxio_monitoring:", "      hosts:"] + [f"        {name}:" for name in masters[:1]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- commands

def grows_in_place(existing, names: list[str]) -> bool:
    """Whether a lab of the hosts existing becomes one of names by adding hosts only (more workers,
    more masters); the state file keeps its hosts sorted by name, so the order is not compared."""
    return set(existing) <= set(names) and (names == ["lab-node1"]) == ("lab-node1" in existing)


def cmd_up(args) -> int:
    preflight_up(args.hosts, args.release, args.masters)
    started = time.monotonic()
    state = load_state()
    names = host_names(args.hosts, args.masters)
    if state.get("hosts"):
        # A lab grows in place (its hosts keep running; the new ones join, every /etc/hosts lists
        # them); any other change of shape needs a new lab.
        if state["release"] != args.release or not grows_in_place(state["hosts"], names):
            raise LabError(f"a lab with {len(state['hosts'])} {state['release']} host(s) is already there; "
                           "run `tools/lab.py down` first to change its shape")
    ensure_lab_key()
    base = build_base(args.release)
    state.update({"release": args.release, "base": str(base)})
    state.setdefault("hosts", {})
    for name in names:
        state["hosts"].setdefault(name, {"address": host_address(host_index(name)), "index": host_index(name)})
    save_state(state)

    ensure_bridge(state)
    ensure_nspawn_tmpfs(state)
    SHARED_DIR.mkdir(parents=True, exist_ok=True)
    all_hosts = [(n, state["hosts"][n]["address"]) for n in names]
    known = []
    for name in names:
        host = state["hosts"][name]
        ensure_netns(name, host["index"])
        root = ensure_overlay(name, base)
        key_type, key = personalise(root, name, all_hosts)
        known.append(f"{host['address']},{name} {key_type} {key}")
    KNOWN_HOSTS.write_text("\n".join(known) + "\n")
    for name in names:
        ensure_launcher(state, name)
    statuses = wait_running(state, args.timeout)
    write_inventory(state, args.inventory)
    for name in names:
        log(f"{name:<12} {state['hosts'][name]['address']:<15} systemd {statuses[name]}")
    log(f"lab up: {len(names)} {args.release} host(s) in {time.monotonic() - started:.1f} s; inventory {args.inventory}")
    return 0


def remove_cgroups(name: str) -> list[str]:
    leftovers = []
    for d in cgroup_dirs(name):
        if not d.exists():
            continue
        for sub, _dirs, _files in sorted(os.walk(d), key=lambda w: -w[0].count("/")):
            try:
                os.rmdir(sub)
            except OSError as exc:
                leftovers.append(f"cgroup {sub}: {exc.strerror}")
    return leftovers


def cmd_down(args) -> int:
    if os.geteuid() != 0:
        raise LabError("the lab must be taken down as root")
    started = time.monotonic()
    state = load_state()
    hosts = state.get("hosts", {})
    leftovers: list[str] = []
    # Halt every container at once; each launcher forwards SIGTERM to its nspawn.
    for name, host in hosts.items():
        if same_process(host.get("launcher")):
            os.kill(host["launcher"]["pid"], signal.SIGTERM)
    for name, host in hosts.items():
        nspawn_file = host_dir(name) / "nspawn.json"
        nspawn = json.loads(nspawn_file.read_text()) if nspawn_file.exists() else None
        if not end_process(host.get("launcher"), args.timeout):
            leftovers.append(f"launcher of {name} (pid {host['launcher']['pid']})")
        if not end_process(nspawn, 5):
            leftovers.append(f"systemd-nspawn of {name} (pid {nspawn['pid']})")
    points = mount_points()
    for name, host in hosts.items():
        root = host_dir(name) / "root"
        if str(root) in points:
            if not quiet(["umount", str(root)]):
                log(f"{name}: overlay busy, detaching it lazily")
                quiet(["umount", "-l", str(root)])
        if Path(f"/run/netns/{name}").exists():
            quiet(["ip", "netns", "del", name])
        if quiet(["ip", "link", "show", veth_name(host["index"])]):
            quiet(["ip", "link", "del", veth_name(host["index"])])
        leftovers += remove_cgroups(name)
    for root in CGROUP_ROOTS:
        parent = root / CGROUP_NAME
        if parent.exists():
            try:
                parent.rmdir()
            except OSError as exc:
                leftovers.append(f"cgroup {parent}: {exc.strerror}")
    remove_bridge(state)
    if state.get("created", {}).get("nspawn_tmpfs") and str(NSPAWN_RUN) in mount_points():
        if not quiet(["umount", str(NSPAWN_RUN)]):
            leftovers.append(f"tmpfs {NSPAWN_RUN} still mounted")
    points = mount_points()
    leftovers += [f"mount {p}" for p in points if p.startswith(str(STATE_DIR))]
    if not leftovers:
        remove_state_dir()
        if args.inventory.exists():
            args.inventory.unlink()
        log(f"lab down in {time.monotonic() - started:.1f} s: nothing left")
        return 0
    log("lab down left these behind:\n  - " + "\n  - ".join(leftovers))
    return 1


# What `up` creates in the state directory; `down` removes these and nothing else (the directory
# itself only when that leaves it empty).
STATE_ENTRIES = ("hosts", "shared", "known_hosts", "state.json", "state.tmp")


def remove_state_dir() -> None:
    for entry in STATE_ENTRIES:
        path = STATE_DIR / entry
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink()
    try:
        STATE_DIR.rmdir()
    except OSError:
        pass  # not empty: what is left there is not the lab's


def cmd_status(_args) -> int:
    state = load_state()
    if not state.get("hosts"):
        log("no lab")
        return 1
    healthy = True
    for name, host in state["hosts"].items():
        alive = same_process(host.get("launcher"))
        healthy &= alive
        log(f"{name:<12} {host['address']:<15} {'running' if alive else 'DOWN'}")
    return 0 if healthy else 1


def cmd_base(args) -> int:
    if os.geteuid() != 0:
        raise LabError("building the base image needs root (debootstrap)")
    if args.release not in RELEASES:
        raise LabError(f"unknown release {args.release!r}; supported: {', '.join(sorted(RELEASES))}")
    print(build_base(args.release))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="create and boot the lab hosts (harmless when already up)")
    up.add_argument("--hosts", type=int, default=int(os.environ.get("ALNAIR_LAB_HOSTS", "3")),
                    help="the master and the workers (default 3: lab-master, lab-worker1, lab-worker2)")
    up.add_argument("--masters", type=int, default=int(os.environ.get("ALNAIR_LAB_MASTERS", "1")),
                    help="masters in all (1, or an odd number for a quorum); the further ones are added to --hosts")
    up.add_argument("--release", default=os.environ.get("ALNAIR_LAB_RELEASE", "bookworm"))
    up.add_argument("--timeout", type=float, default=90)
    up.add_argument("--inventory", type=Path, default=DEFAULT_INVENTORY)
    up.set_defaults(func=cmd_up)
    down = sub.add_parser("down", help="stop every host and remove everything the lab created")
    down.add_argument("--timeout", type=float, default=20)
    down.add_argument("--inventory", type=Path, default=DEFAULT_INVENTORY)
    down.set_defaults(func=cmd_down)
    sub.add_parser("status", help="list the lab hosts").set_defaults(func=cmd_status)
    base = sub.add_parser("base", help="build or reuse the cached base image")
    base.add_argument("--release", default="bookworm")
    base.set_defaults(func=cmd_base)
    launch_p = sub.add_parser("_launch")  # internal: the per-host launcher
    launch_p.add_argument("name")
    launch_p.set_defaults(func=lambda a: launch(a.name))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except LabError as exc:
        print(f"lab: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
