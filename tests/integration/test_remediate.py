"""health.yml and remediate.yml on the lab: a healthy cluster is reported healthy and left alone;
each injected fault is found and repaired, and data written before reads back identical."""
import os
import subprocess
import time

import pytest

import labnet
from labfaults import FAULTS, FUSE_UNIT
from labkit import (ADDRESS, ALLUXIO_CLI, ANSIBLE_ENV, HEALTH, INVENTORY, PLAYBOOKS, REMEDIATE, REPO, VENV_BIN, adhoc,
                    cluster_pids, live_worker_samples, main_pid, on, playbook, run, wait_for)


@pytest.fixture(scope="module")
def data(cluster):
    # Checksummed data, persisted to the UFS (it must survive a lost ramdisk too).
    wrote = on("lab-master", f"head -c 8M /dev/urandom > /tmp/r.bin && chmod 644 /tmp/r.bin && sha256sum /tmp/r.bin | cut -c1-64 && "
                             f"{ALLUXIO_CLI} fs mkdir /remediate >/dev/null && {ALLUXIO_CLI} fs copyFromLocal /tmp/r.bin /remediate/r.bin >/dev/null && "
                             f"{ALLUXIO_CLI} fs persist /remediate/r.bin >/dev/null")
    assert wrote.returncode == 0, wrote.stderr
    return wrote.stdout.strip()


def data_reads_back(digest):
    through_client = on("lab-worker1", f"{ALLUXIO_CLI} fs cat /remediate/r.bin | sha256sum | cut -c1-64").stdout.strip()
    through_fuse = on("lab-worker2", "sha256sum /mnt/alluxio-fuse/remediate/r.bin | cut -c1-64").stdout.strip()
    return through_client == digest and through_fuse == digest


def restart_job_worker(name):
    """Undo a stopped job worker directly (each repair path of remediate.yml is tested elsewhere)."""
    assert on(name, "systemctl start alluxio-job-worker.service").returncode == 0

    def listening():
        return on(name, "ss -Htln 'sport = :30001'").stdout.strip()
    assert wait_for(listening, 60)


def remediate(*args, check=True):
    started = time.monotonic()
    res = playbook(REMEDIATE, *args, check=check)
    return res, time.monotonic() - started


def test_remediate_leaves_a_healthy_cluster_alone(data):
    """On the lab's runbook-shaped sizes (256.01MB, 192.51MB: not whole pages) too: no process restarts."""
    pids = cluster_pids()
    assert "0" not in pids.values(), pids
    res, _seconds = remediate()
    assert "healthy: nothing to do" in res.stdout
    assert all(c["changed"] == 0 for c in res.recap.values()), res.stdout[-3000:]
    assert cluster_pids() == pids


def test_past_the_deadline_no_stage_starts_and_the_summary_names_them(data):
    """alluxio_remediate_deadline 0 with a restart asked for: every repair stage would start past
    it, so none does (no process restarts), the summary names each with its hosts, and the run fails."""
    units = (("lab-master", "alluxio-master.service"), ("lab-worker1", "alluxio-worker.service"))
    pids = {name: main_pid(name, unit) for name, unit in units}
    res, _seconds = remediate("-e", "alluxio_remediate_restart=true", "-e", "alluxio_remediate_deadline=0", check=False)
    assert res.returncode != 0
    assert "NOT DONE (past alluxio_remediate_deadline, 0 s)" in res.stdout
    assert "stop and restart workers: lab-worker1, lab-worker2" in res.stdout and "restart master: lab-master" in res.stdout
    assert {name: main_pid(name, unit) for name, unit in units} == pids
    assert "PHASES" in res.stdout


def test_a_dataset_load_during_remediate_completes(data, tmp_path):
    """dataset.yml loads a dataset while remediate.yml runs on the healthy cluster: its polling
    clients restart nothing, and the load completes."""
    name = "during-remediate"
    root = f"{labnet.SHARED_DIR}/datasets/{name}"
    os.makedirs(root, exist_ok=True)
    for i in range(300):
        with open(f"{root}/img-{i:04d}.bin", "wb") as out:
            out.write(os.urandom(65536))
    for path in [root] + [f"{root}/{f}" for f in os.listdir(root)]:
        os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)
    pids = {name_: main_pid(name_, "alluxio-worker.service") for name_ in ("lab-worker1", "lab-worker2")}
    # Our own child, started here and ended (if it must be) by the PID we hold.
    load = subprocess.Popen([str(VENV_BIN / "ansible-playbook"), "-i", str(INVENTORY), str(PLAYBOOKS / "dataset.yml"),
                             "-e", f"dataset_name={name}", "-e", f"dataset_ufs={labnet.SHARED_MOUNT}/datasets/{name}",
                             "-e", f"dataset_k8s_dir={tmp_path}", "-e", "dataset_poll_interval=1"],
                            cwd=REPO, env=dict(os.environ, **ANSIBLE_ENV), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(5)  # the load's first plays (preflight, the UFS mount) are under way
        res, _seconds = remediate()
        assert "healthy: nothing to do" in res.stdout, res.stdout[-3000:]
        out = load.communicate(timeout=900)[0]
        assert load.returncode == 0, out[-4000:]
    finally:
        if load.poll() is None:
            load.kill()
            load.wait()
        adhoc("alluxio_workers", "alnair.alluxio.fuse_mount", {"mount_point": "/mnt/alluxio-datasets", "state": "absent"})
    assert {name_: main_pid(name_, "alluxio-worker.service") for name_ in ("lab-worker1", "lab-worker2")} == pids


# An operator's `alluxio fs cat` held by a slow reader: a client JVM of the alluxio user that no
# unit owns. Started in its own session; the PID is the lab host's own, and is used there.
SLOW_CLIENT = ("cd /; setsid sh -c '" + ALLUXIO_CLI + " fs cat /remediate/r.bin | (sleep 300; cat >/dev/null)' "
               "</dev/null >/dev/null 2>&1 & echo $!")
CLIENT_JVM = "ps -u alluxio -o args= | grep -c '[F]ileSystemShell'"


def test_clients_running_are_listed_and_never_a_reason_to_restart(data):
    clients = {name: on(name, SLOW_CLIENT).stdout.strip() for name in ("lab-master", "lab-worker1")}
    try:
        assert all(pid.isdigit() for pid in clients.values()), clients
        assert all(wait_for(lambda n=name: on(n, CLIENT_JVM).stdout.strip() == "1", 60) for name in clients)
        master = main_pid("lab-master", "alluxio-master.service")
        health = playbook(HEALTH)
        assert "FAIL " not in health.stdout
        assert "ok    lab-master     clients running: 1" in health.stdout, health.stdout[-3000:]
        assert "ok    lab-worker1    clients running: 1" in health.stdout
        res, _seconds = remediate()
        assert "healthy: nothing to do" in res.stdout
        assert all(c["changed"] == 0 for c in res.recap.values()), res.recap
        assert main_pid("lab-master", "alluxio-master.service") == master
        for name, pid in clients.items():
            assert on(name, f"kill -0 {pid}").returncode == 0, name
            assert on(name, CLIENT_JVM).stdout.strip() == "1", name
    finally:
        for name, pid in clients.items():
            if pid.isdigit():
                on(name, f"kill -- -{pid} 2>/dev/null")


# Longer than health.yml's host checks take (about 12 s with FUSE stats that hang), shorter than
# alluxio_master_down_after (30 s): without that wait the master would be called down.
PAUSE = 20


def pause_command(pid):
    """Stop pid now and continue it PAUSE s later, by a systemd timer on the host (its default
    accuracy of 1 min would make the pause up to 80 s)."""
    return f"kill -STOP {pid} && systemd-run --collect --on-active={PAUSE} --timer-property=AccuracySec=100ms /bin/kill -CONT {pid}"


def test_a_paused_master_restarts_nothing(data):
    """SIGSTOP for 20 s, like a long GC pause (continued by a timer on the host): health.yml waits for
    the master (alluxio_master_down_after) instead of calling it dead, and remediate.yml restarts nothing.
    While the master is paused, FUSE cannot answer either: health says so (it is true), it is no death."""
    pid = main_pid("lab-master", "alluxio-master.service")
    workers = {name: main_pid(name, "alluxio-worker.service") for name in ("lab-worker1", "lab-worker2")}
    pause = on("lab-master", pause_command(pid))
    try:
        assert pause.returncode == 0, pause.stderr
        started = time.monotonic()
        health = playbook(HEALTH, check=False)
        assert "ok    cluster" in health.stdout and "FAIL  cluster" not in health.stdout, health.stdout[-3000:]
        assert time.monotonic() - started >= PAUSE - 2  # it did wait for the master
        assert wait_for(lambda: on("lab-worker1", "timeout 5 stat /mnt/alluxio-fuse >/dev/null && echo ok").stdout.strip() == "ok", 60)
        res, _seconds = remediate()
        assert "healthy: nothing to do" in res.stdout
        # remediate.yml run during a pause: FUSE mounts that hang while the master is slow are not remounted.
        fuse = {name: main_pid(name, FUSE_UNIT) for name in workers}
        assert on("lab-master", pause_command(pid)).returncode == 0
        during, _seconds = remediate(check=False)
        done = during.stdout.split("DONE", 1)[-1].split("AFTER", 1)[0]
        assert "remount FUSE" not in done and "restart " not in done, during.stdout[-4000:]
        assert main_pid("lab-master", "alluxio-master.service") == pid
        assert {name: main_pid(name, "alluxio-worker.service") for name in workers} == workers
        assert {name: main_pid(name, FUSE_UNIT) for name in workers} == fuse
    finally:
        on("lab-master", f"kill -CONT {pid}")


def test_health_names_a_stopped_worker_and_report_only_changes_nothing(data):
    on("lab-worker2", "systemctl stop alluxio-worker.service")
    try:
        res = playbook(HEALTH, check=False)
        assert res.returncode != 0
        assert "FAIL  lab-worker2    service alluxio-worker.service" in res.stdout
        assert "FAIL  lab-worker2    port 29999" in res.stdout
        report, _seconds = remediate("-e", "alluxio_remediate_report_only=true", check=False)
        assert "REPORT ONLY" in report.stdout and "restart worker and job worker on lab-worker2" in report.stdout
        checked, _seconds = remediate("--check", "--diff", check=False)
        assert "REPORT ONLY" in checked.stdout and "restart worker and job worker on lab-worker2" in checked.stdout
        assert all(c["changed"] == 0 for c in checked.recap.values())
        assert on("lab-worker2", "systemctl is-active alluxio-worker.service").stdout.strip() != "active"
    finally:
        remediate()
    assert data_reads_back(data)


def test_a_hung_fuse_jvm_is_named_by_health_and_mounted_again_by_remediate(data):
    """The FUSE JVM stopped with SIGSTOP (a long GC pause, a deadlock: "training is stuck"): health.yml
    names the hung mount quickly, and remediate.yml ends that JVM and mounts again, bounded."""
    old = main_pid("lab-worker1", FUSE_UNIT)
    assert on("lab-worker1", f"kill -STOP {old}").returncode == 0
    try:
        started = time.monotonic()
        res = playbook(HEALTH, check=False)
        health_seconds = time.monotonic() - started
        assert res.returncode != 0 and "/mnt/alluxio-fuse" in res.stdout and "hung" in res.stdout, res.stdout[-3000:]
        res, seconds = remediate()  # fails unless the cluster is healthy after it
    finally:
        on("lab-worker1", f"kill -CONT {old} 2>/dev/null")
    assert main_pid("lab-worker1", FUSE_UNIT) != old
    assert data_reads_back(data)
    print(f"hung FUSE: health {health_seconds:.1f} s, remediate {seconds:.1f} s")
    assert health_seconds < 30 and seconds < 120


def test_a_hung_worker_jvm_is_named_by_health_and_restarted_by_remediate(data):
    """The worker JVM stopped with SIGSTOP: its process and port are there, its REST API does not
    answer. After alluxio_worker_down_after seconds (10 here, 30 by default) health.yml calls it hung,
    and remediate.yml restarts that host's processes (systemd continues a stopped process it ends)."""
    old = main_pid("lab-worker1", "alluxio-worker.service")
    other = main_pid("lab-worker2", "alluxio-worker.service")
    assert on("lab-worker1", f"kill -STOP {old}").returncode == 0
    try:
        started = time.monotonic()
        res = playbook(HEALTH, "-e", "alluxio_worker_down_after=10", check=False)
        health_seconds = time.monotonic() - started
        assert res.returncode != 0 and "REST API of worker" in res.stdout and "no answer for" in res.stdout, res.stdout[-3000:]
        res, seconds = remediate("-e", "alluxio_worker_down_after=10")
        assert "restart worker and job worker on lab-worker1" in res.stdout
    finally:
        on("lab-worker1", f"kill -CONT {old} 2>/dev/null")
    assert main_pid("lab-worker1", "alluxio-worker.service") != old
    assert main_pid("lab-worker2", "alluxio-worker.service") == other
    assert data_reads_back(data)
    print(f"hung worker JVM: health {health_seconds:.1f} s, remediate {seconds:.1f} s")
    assert health_seconds < 40 and seconds < 150


def test_a_hung_master_jvm_is_restarted_by_remediate(data):
    """The master JVM stopped with SIGSTOP and never continued: its port is open, its REST API silent.
    After alluxio_master_down_after seconds (10 here) it counts as down, and remediate.yml restarts it
    and, with it, the workers; the data reads back."""
    old = main_pid("lab-master", "alluxio-master.service")
    assert on("lab-master", f"kill -STOP {old}").returncode == 0
    try:
        res, seconds = remediate("-e", "alluxio_master_down_after=10", "-e", "alluxio_remediate_kill_timeout=10")
        assert "restart master and job master on lab-master (the master's REST API does not answer" in res.stdout, res.stdout[-3000:]
    finally:
        on("lab-master", f"kill -CONT {old} 2>/dev/null")
    assert main_pid("lab-master", "alluxio-master.service") not in (old, "0")
    assert data_reads_back(data)
    print(f"hung master JVM: remediate {seconds:.1f} s")
    assert seconds < 180


# A training-like reader: a file open under the FUSE mount (the PID is the lab host's own).
READER = "cd /; setsid sh -c 'exec 3< /mnt/alluxio-fuse/remediate/r.bin; exec sleep 300' </dev/null >/dev/null 2>&1 & echo $!"


@pytest.mark.parametrize("faults", list(FAULTS))
def test_remediate_repairs(data, faults):
    # On lab-worker1, whose worker restarts in both cases (its FUSE mount goes down and comes back).
    reader = on("lab-worker1", READER).stdout.strip()
    try:
        for name, inject in FAULTS[faults]:
            assert on(name, inject).returncode == 0, inject
        res, seconds = remediate()
        assert "PHASES" in res.stdout and "FAIL " not in res.stdout.split("AFTER", 1)[-1].split("PHASES", 1)[0]
        # The plan says who is affected before FUSE comes back under them.
        assert f"processes using /mnt/alluxio-fuse on lab-worker1 will see errors: pid {reader} sleep 300" in res.stdout
    finally:
        on("lab-worker1", f"kill {reader} 2>/dev/null")
    assert data_reads_back(data), faults
    print(f"remediate after '{faults}': {seconds:.1f} s")


# The runbook's FUSE mount by hand (no unit), its JVM started directly as the alluxio user, from
# / with a plain environment (with the ssh session's, Alluxio's own group lookup fails).
BY_HAND = ("mkdir -p /mnt/byhand && chown alluxio: /mnt/byhand; cd /; env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp "
           "setsid setpriv --reuid=alluxio --regid=alluxio --init-groups -- /usr/bin/java -Xmx256m -XX:MaxDirectMemorySize=256m "
           "-cp /etc/alluxio/:/opt/alluxio/current/integration/fuse/alluxio-fuse-2.9.6.jar -Dalluxio.home=/opt/alluxio/current "
           "-Dalluxio.conf.dir=/etc/alluxio -Dalluxio.logs.dir=/var/log/alluxio "
           "alluxio.fuse.AlluxioFuse -m /mnt/byhand -a /remediate -o allow_other </dev/null >/dev/null 2>&1 & echo $!")


# A process of the alluxio user whose command line looks like a FUSE JVM mounting the namespace at
# /usr/local/bin (early in root's PATH): python3 run as "java" with a script named like the main
# class. remediate.yml must neither mount there nor chown the directory.
FORGED = ("mkdir -p /tmp/forge; printf 'import time\\ntime.sleep(600)\\n' > /tmp/forge/alluxio.fuse.AlluxioFuse; "
          "cd /tmp/forge; setsid setpriv --reuid=alluxio --regid=alluxio --init-groups -- bash -c "
          "'exec -a java /usr/bin/python3 alluxio.fuse.AlluxioFuse -m /usr/local/bin -a /' </dev/null >/dev/null 2>&1 & echo $!")


def test_a_forged_fuse_command_line_leads_to_no_mount_and_no_chown(data):
    owner = "stat -c '%U:%G %a' /usr/local/bin"
    before = on("lab-worker1", owner).stdout
    pid = on("lab-worker1", FORGED).stdout.strip()  # the lab host's own PID, used there
    assert pid.isdigit()
    try:
        assert wait_for(lambda: "alluxio.fuse.AlluxioFuse" in on("lab-worker1", f"tr '\\0' ' ' < /proc/{pid}/cmdline").stdout, 10)
        res, _seconds = remediate(check=False)
        assert "FAIL  lab-worker1    FUSE claim /usr/local/bin" in res.stdout, res.stdout[-3000:]
        assert "claim mounts that are not put back: /usr/local/bin (mount point is the system directory" in res.stdout
        assert on("lab-worker1", owner).stdout == before
        assert " /usr/local/bin " not in on("lab-worker1", "cat /proc/self/mountinfo").stdout
        assert on("lab-worker1", "systemctl is-enabled 'alluxio-fuse@usr-local-bin.service'").stdout.strip() != "enabled"
    finally:
        on("lab-worker1", f"kill {pid} 2>/dev/null; rm -rf /tmp/forge")
    assert data_reads_back(data)


def test_remediate_puts_back_a_fuse_mount_made_by_hand(data):
    """Recorded before its worker restarts, mounted again after (as a unit), data identical."""
    pid = on("lab-worker1", BY_HAND).stdout.strip()  # a PID of the lab host's own namespace, used there
    assert pid.isdigit()
    try:
        assert wait_for(lambda: on("lab-worker1", "sha256sum /mnt/byhand/r.bin | cut -c1-64").stdout.strip() == data, 90)
        health = playbook(HEALTH)  # a mount by hand is checked, and its JVM is not "orphaned"
        assert "ok    lab-worker1    FUSE /mnt/byhand" in health.stdout
        on("lab-worker1", "kill -9 $(systemctl show -p MainPID --value alluxio-worker.service)")
        res, _seconds = remediate()
        assert "put back as units: /mnt/byhand (alluxio:/remediate)" in res.stdout
        assert on("lab-worker1", "systemctl is-active alluxio-fuse@mnt-byhand.service").stdout.strip() == "active"
        assert on("lab-worker1", f"kill -0 {pid}").returncode != 0  # the process by hand was ended
        assert on("lab-worker1", "sha256sum /mnt/byhand/r.bin | cut -c1-64").stdout.strip() == data
    finally:
        adhoc("lab-worker1", "alnair.alluxio.fuse_mount", {"mount_point": "/mnt/byhand", "state": "absent"})
        on("lab-worker1", f"kill {pid} 2>/dev/null; rmdir /mnt/byhand")
    assert data_reads_back(data)


def test_limit_repairs_only_its_hosts(data):
    for name in ("lab-worker1", "lab-worker2"):
        on(name, "systemctl stop alluxio-job-worker.service")
    res, _seconds = remediate("--limit", "alluxio_masters:lab-worker1")
    assert "restart worker and job worker on lab-worker1" in res.stdout
    assert "outside --limit, not checked: lab-worker2" in res.stdout
    assert "lab-worker2" not in res.recap
    assert on("lab-worker1", "systemctl is-active alluxio-job-worker.service").stdout.strip() == "active"
    assert on("lab-worker2", "systemctl is-active alluxio-job-worker.service").stdout.strip() != "active"
    restart_job_worker("lab-worker2")


def test_limit_without_the_master_touches_nothing(data):
    on("lab-worker1", "systemctl stop alluxio-job-worker.service")
    try:
        res, _seconds = remediate("--limit", "lab-worker1", check=False)
        assert res.returncode != 0
        assert "leaves out the master (lab-master): nothing was touched" in res.stdout
        assert on("lab-worker1", "systemctl is-active alluxio-job-worker.service").stdout.strip() != "active"
    finally:
        restart_job_worker("lab-worker1")


def test_rolling_restart_keeps_a_worker_serving(data):
    master = main_pid("lab-master", "alluxio-master.service")
    workers = {name: main_pid(name, "alluxio-worker.service") for name in ("lab-worker1", "lab-worker2")}
    with live_worker_samples() as samples:
        res, _seconds = remediate("-e", "alluxio_remediate_restart=true", "-e", "alluxio_remediate_rolling=true")
    # Workers restarted one batch each; the master (healthy) kept running.
    assert res.stdout.count("PLAY [Restart the workers one at a time (alluxio_remediate_rolling)]") == 2
    assert main_pid("lab-master", "alluxio-master.service") == master
    assert all(main_pid(name, "alluxio-worker.service") not in (pid, "0") for name, pid in workers.items())
    assert samples and min(samples) >= 1, samples
    assert data_reads_back(data)


def test_remediate_completes_without_a_worker_host_that_is_down(data):
    on("lab-worker2", "systemctl stop alluxio-job-worker.service alluxio-worker.service")
    block = ["iptables", "-I", "OUTPUT", "-d", ADDRESS["lab-worker2"], "-p", "tcp", "--dport", "22", "-j", "REJECT", "--reject-with", "tcp-reset"]
    run(block)
    try:
        res, _seconds = remediate(check=False)
        assert res.returncode != 0
        assert "not reachable, left alone: lab-worker2" in res.stdout
        counts = res.recap
        assert counts["lab-worker1"]["failed"] == 0 and counts["lab-worker2"]["unreachable"] > 0
    finally:
        run(["iptables", "-D"] + block[2:])
    remediate()
    assert data_reads_back(data)


def test_remediate_touches_nothing_when_the_master_is_unreachable(data):
    before = main_pid("lab-worker1", "alluxio-worker.service")
    on("lab-worker1", "systemctl stop alluxio-job-worker.service")
    block = ["iptables", "-I", "OUTPUT", "-d", ADDRESS["lab-master"], "-p", "tcp", "--dport", "22", "-j", "REJECT", "--reject-with", "tcp-reset"]
    run(block)
    try:
        res, _seconds = remediate(check=False)
    finally:
        run(["iptables", "-D"] + block[2:])
    assert res.returncode != 0
    assert "did not answer over SSH" in res.stdout and "nothing was touched" in res.stdout
    assert on("lab-worker1", "systemctl is-active alluxio-job-worker.service").stdout.strip() != "active"
    assert main_pid("lab-worker1", "alluxio-worker.service") == before
    restart_job_worker("lab-worker1")
