"""Helpers for the lab integration tests: playbooks and ad hoc modules through ansible-runner
(structured events and per-host stats), commands and host checks through testinfra on the lab
inventory, and the lab's own commands. Addresses and SSH settings come from tools/labnet.py and
the inventory `lab.py up` writes; nothing here repeats them."""
import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import ansible_runner
import testinfra
import yaml
from testinfra.utils.ansible_runner import AnsibleRunner

import labnet
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import tier_bytes

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
# ansible-runner finds ansible-playbook on PATH; the checkout's ansible.cfg wherever it runs.
os.environ["PATH"] = f"{VENV_BIN}:{os.environ['PATH']}"
ANSIBLE_ENV = {"ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_NOCOLOR": "1"}

LAB = [sys.executable, str(REPO / "tools" / "lab.py")]
INVENTORY = REPO / "inventories" / "lab"
PLAYBOOKS = REPO / "playbooks"
SITE, HEALTH, REMEDIATE = (PLAYBOOKS / f"{name}.yml" for name in ("site", "health", "remediate"))
# Alluxio's command line on a lab host, as Alluxio's superuser.
ALLUXIO_CLI = "runuser -u alluxio -- /opt/alluxio/current/bin/alluxio"
LAB_STATE = labnet.STATE_DIR / "state.json"
ALLUXIO_VERSION = os.environ.get("ALLUXIO_VERSION", "2.9.6")

# The default lab (inventories/lab); tests loop over it, so it holds only hosts that are always up.
ADDRESS = {name: labnet.address(name) for name in labnet.host_names(labnet.DEFAULT_HOSTS)}
# Started only by `lab_up(hosts=4)` at the end of the session: the stray worker of the unintended-worker tests.
SPARE_ADDRESS = {"lab-worker3": labnet.address("lab-worker3")}
# An address of the lab's subnet that no lab host ever has (more than MAX_HOSTS): an unreachable host.
UNUSED_ADDRESS = labnet.host_address(labnet.MAX_HOSTS)
MASTER_URL = f"http://{ADDRESS['lab-master']}:19999"


def _worker_mem_sizes():
    """Each lab worker's alluxio_worker_mem_size as the lab's inventory writes it (group_vars, host_vars)."""
    size = yaml.safe_load((INVENTORY / "group_vars" / "all.yml").read_text())["alluxio_worker_mem_size"]
    sizes = {}
    for name in ADDRESS:
        if name.startswith("lab-worker"):
            own = INVENTORY / "host_vars" / f"{name}.yml"
            sizes[name] = (yaml.safe_load(own.read_text()) or {}).get("alluxio_worker_mem_size", size) if own.exists() else size
    return sizes


# The lab workers' sizes, written the runbook's way (256.01MB, 192.51MB), and the bytes each tier has.
WORKER_MEM_SIZE = _worker_mem_sizes()
WORKER_TIER_BYTES = {name: tier_bytes(size) for name, size in WORKER_MEM_SIZE.items()}


def run(cmd, check=True, timeout=900, cwd=REPO, **kw):
    """A local command (argument list); its output captured."""
    env = dict(os.environ, **ANSIBLE_ENV)
    env.update(kw.pop("env", {}))
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False, **kw)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {res.returncode}\n--- stdout\n{res.stdout[-6000:]}\n--- stderr\n{res.stderr[-4000:]}")
    return res


# ------------------------------------------------------------------ Ansible, through ansible-runner

@dataclass
class AnsibleRun:
    """One ansible-playbook or ad hoc run: exit code, text output, per-host stats, module results."""
    returncode: int
    stdout: str
    recap: dict = field(default_factory=dict)  # host -> {ok, changed, failed, unreachable}
    results: dict = field(default_factory=dict)  # host -> (status, result) of the last task that ran there

    def changed(self):
        return {host: counts["changed"] for host, counts in self.recap.items()}


_STATUS = {"runner_on_ok": "SUCCESS", "runner_on_failed": "FAILED", "runner_on_unreachable": "UNREACHABLE"}


def _ansible(check, timeout, env, describe, **how):
    work = tempfile.mkdtemp(prefix="alnair-runner-")
    # ansible-runner replaces SIGINT/SIGTERM handlers to cancel its run and never puts them back:
    # without this, Ctrl-C (or a TERM) could no longer stop the test session after the first run.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        runner = ansible_runner.run(private_data_dir=work, quiet=True, timeout=timeout, envvars=dict(ANSIBLE_ENV, **(env or {})),
                                    settings={"suppress_ansible_output": True}, **how)
        stdout = runner.stdout.read()
        stats = runner.stats or {}
        results = {}
        for event in runner.events:
            status = _STATUS.get(event.get("event"))
            if status:
                data = event["event_data"]
                res = data.get("res", {})
                if status == "SUCCESS" and res.get("changed"):
                    status = "CHANGED"
                results[data["host"]] = (status, res)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        shutil.rmtree(work, ignore_errors=True)
    if runner.status == "canceled":
        raise KeyboardInterrupt(f"{describe}: interrupted")
    hosts = set().union(*(stats.get(key, {}) for key in ("processed", "ok", "changed", "failures", "dark")))
    recap = {host: {"ok": stats.get("ok", {}).get(host, 0), "changed": stats.get("changed", {}).get(host, 0),
                    "failed": stats.get("failures", {}).get(host, 0), "unreachable": stats.get("dark", {}).get(host, 0)}
             for host in hosts}
    rc = runner.rc if runner.status != "timeout" else 124
    result = AnsibleRun(returncode=rc, stdout=stdout, recap=recap, results=results)
    if check and rc != 0:
        raise AssertionError(f"{describe} exited {rc} ({runner.status})\n--- output\n{stdout[-8000:]}")
    return result


def _inventories(inventory):
    inventory = inventory if isinstance(inventory, (list, tuple)) else [inventory]
    return [arg for inv in inventory for arg in ("-i", str(inv))]


def playbook(path, *args, check=True, timeout=1800, env=None, inventory=INVENTORY):
    """ansible-playbook PATH ARGS (PATH may be a collection playbook such as alnair.alluxio.site)."""
    cmdline = _inventories(inventory) + list(map(str, args))
    return _ansible(check, timeout, env, f"ansible-playbook {path} {shlex.join(cmdline)}",
                    playbook=str(path), cmdline=shlex.join(cmdline))


def adhoc(pattern, module, module_args, *args, check=True, timeout=900, env=None, inventory=INVENTORY):
    """ansible PATTERN -m MODULE -a ARGS; .results[host] is (SUCCESS|CHANGED|FAILED|UNREACHABLE, module result)."""
    if not isinstance(module_args, str):
        module_args = json.dumps(module_args)
    cmdline = _inventories(inventory) + list(map(str, args))
    return _ansible(check, timeout, env, f"ansible {pattern} -m {module} -a {module_args!r}",
                    host_pattern=pattern, module=module, module_args=module_args, cmdline=shlex.join(cmdline))


def inventory_without(directory, *names):
    """An inventory in directory: the lab's, with the hosts names left out (they stay up, outside
    the cluster). The lab's group_vars and host_vars are shared by links."""
    hosts = yaml.safe_load((INVENTORY / "hosts.yml").read_text())
    for group in hosts["all"]["children"].values():
        for name in names:
            (group.get("hosts") or {}).pop(name, None)
    (directory / "hosts.yml").write_text(yaml.safe_dump(hosts))
    for shared in ("group_vars", "host_vars"):
        (directory / shared).symlink_to(INVENTORY / shared)
    return directory


def reaches(source, address, port, timeout=3):
    """Whether a TCP connection from lab host source to address:port opens within timeout seconds."""
    res = on(source, f"timeout {timeout} bash -c 'exec 3<>/dev/tcp/{address}/{port}' 2>/dev/null && echo open || echo closed")
    return res.stdout.strip().endswith("open")


# ------------------------------------------------------------------ lab hosts, through testinfra

_HOSTS = {}


def host(name, inventory=INVENTORY):
    """The testinfra host of a lab host (SSH settings from the inventory lab.py wrote)."""
    key = (name, str(inventory))
    if key not in _HOSTS:
        inv = inventory / "hosts.yml" if Path(inventory).is_dir() else inventory
        _HOSTS[key] = testinfra.get_host(f"ansible://{name}?ansible_inventory={inv}")
    return _HOSTS[key]


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def on(name, command, ssh_may_fail=False):
    """Run a shell command on a lab host as root. An SSH failure (exit 255) is an error unless asked for."""
    res = host(name).run(command)
    if res.rc == 255 and not ssh_may_fail:
        raise AssertionError(f"cannot reach {name} over SSH: {res.stderr.strip()}")
    return Result(res.rc, res.stdout, res.stderr)


def main_pid(name, unit):
    """The MainPID systemd shows for a unit on a lab host ("0" when it does not run)."""
    return on(name, f"systemctl show -p MainPID --value {shlex.quote(unit)}").stdout.strip()


def cluster_pids():
    """{(host, unit): MainPID} of every long-running process of the default lab (labfaults.CLUSTER_UNITS)."""
    from labfaults import CLUSTER_UNITS
    return {unit: main_pid(*unit) for unit in CLUSTER_UNITS}


def ssh(address, command):
    """Run a command on a lab host by address, outside any inventory (lab tests)."""
    return run(labnet.ssh_command(address, command), check=False, timeout=300)


def forget_hosts():
    """The lab was rebuilt or grew: connections and inventories read before are stale (testinfra
    keeps each inventory it read, by path)."""
    _HOSTS.clear()
    AnsibleRunner._runners.clear()  # pylint: disable=protected-access


# ------------------------------------------------------------------ the lab itself

def lab_up(hosts=labnet.DEFAULT_HOSTS, masters=1):
    forget_hosts()
    return run(LAB + ["up", "--hosts", str(hosts), "--masters", str(masters)])


def lab_down():
    forget_hosts()
    return run(LAB + ["down"])


def lab_leftovers():
    """Everything `down` must remove, as seen from the controller."""
    left = []
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    left += [f"netns {line.split()[0]}" for line in netns.splitlines() if line.startswith("lab-")]
    if subprocess.run(["ip", "link", "show", "alnair-br0"], capture_output=True, check=False).returncode == 0:
        left.append("bridge alnair-br0")
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=False).stdout
    left += [f"veth {l.split(':')[1].strip()}" for l in links.splitlines() if "alnair-v" in l]
    state_dir = str(labnet.STATE_DIR)
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            point = line.split()[4]
            if point.startswith(state_dir) or " - overlay " in line and "alnair" in line:
                left.append(f"mount {point}")
    for root in ("/sys/fs/cgroup/systemd/alnair-lab", "/sys/fs/cgroup/unified/alnair-lab"):
        if os.path.exists(root):
            left.append(f"cgroup {root}")
    nat = subprocess.run(["iptables", "-t", "nat", "-S"], capture_output=True, text=True, check=False).stdout
    fwd = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True, check=False).stdout
    left += [f"iptables {l}" for l in (nat + fwd).splitlines() if "alnair-lab" in l]
    procs = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=False).stdout
    left += [f"process {l.strip()}" for l in procs.splitlines() if "lab.py _launch" in l or "systemd-nspawn" in l and "-M lab-" in l]
    if os.path.exists(state_dir):
        left.append(f"state dir {state_dir}")
    return left


def master_info(timeout=5):
    with urllib.request.urlopen(f"{MASTER_URL}/api/v1/master/info", timeout=timeout) as resp:
        return json.load(resp)


@contextlib.contextmanager
def live_worker_samples(max_last_contact_sec=3):
    """While the block runs, count twice a second the workers the master lists with a recent
    heartbeat; yields the list of counts (no sample while the master itself is down)."""
    samples, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            try:
                info = master_info(timeout=2)
                samples.append(sum(1 for w in info["workers"] if w["lastContactSec"] <= max_last_contact_sec))
            except OSError:
                pass  # the master restarts too
            stop.wait(0.5)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield samples
    finally:
        stop.set()
        watcher.join()


def wait_for(predicate, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def load_json(path):
    with open(path) as fh:
        return json.load(fh)
