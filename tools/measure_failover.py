#!/usr/bin/env python3
"""Leader failover on a lab with a quorum of masters (`tools/lab.py up --masters 3`, site.yml):
SIGKILL the leading master while a worker reads its FUSE mount in a loop, and measure

  - failover: from the kill to the first answer of a new leader's REST API (polled every 0.1 s
    from another host),
  - stall: the longest time between two completed reads on the FUSE mount around the kill,
  - failed reads (an error reaching the reader, not a slow read).

systemd brings the killed master back (Restart=on-failure) as a standby, and it may win the election
itself (then new_leader is the old one). With --hold the killed master stays down (as a dead host
would) until a leader answers, so another master must take over; then it is started again. The next
kill waits until the quorum has every member again. Prints one JSON line per kill and a summary:

    python3 tools/measure_failover.py [--kills 5] [--hold] [--reader lab-worker1] [--poller lab-worker2]

With --rolling EXTRA_VARS it kills nothing: it runs site.yml with those extra variables (a change
that restarts the masters) while the reader reads, and reports the playbook's time, the longest
read stall, failed reads, each master's restart time and the leader's changes.
"""
from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labnet  # noqa: E402

MOUNT = "/mnt/alluxio-fuse"
FILES_DIR = MOUNT + "/failover"
FILES = 16
MASTER_UNIT = "alluxio-master.service"

# A reader or poller ends early when this file appears on its host (the rolling mode's end).
STOP_FILE = "/tmp/alnair-failover-stop"
# Runs on the reader host: open and read whole files in turn (each open asks the master for the
# file's status), for SECONDS; prints the completions' gaps as JSON.
READER = r"""
import json, os, sys, time
directory, seconds, stop = sys.argv[1], float(sys.argv[2]), sys.argv[3]
names = sorted(os.listdir(directory))
end = time.time() + seconds
last = time.time(); reads = 0; failures = []; gaps = []
i = 0
while time.time() < end and not os.path.exists(stop):
    path = os.path.join(directory, names[i % len(names)]); i += 1
    try:
        with open(path, "rb") as handle:
            while handle.read(1 << 20):
                pass
        reads += 1
    except OSError as exc:
        failures.append([time.time(), str(exc)])
        continue
    now = time.time()
    gaps.append([last, now - last]); last = now
print(json.dumps({"reads": reads, "failures": failures, "gaps": sorted(gaps, key=lambda g: -g[1])[:5]}))
"""

# Runs on the poller host: which master's REST API answers as the leader, every 0.1 s. Given a time
# (seconds since the epoch, the lab's hosts share the clock), it ends once, after that time, no leader
# answered for 2 s and then one did (the failover is over); a single slow answer is not a failover.
POLLER = r"""
import json, os, sys, time, urllib.request
urls, seconds, stop = sys.argv[1].split(","), float(sys.argv[2]), sys.argv[3]
settle_after = float(sys.argv[4]) if len(sys.argv) > 4 else None
end = time.time() + seconds
changes = []; current = "?"; gap = False; none_since = None
while time.time() < end and not os.path.exists(stop):
    leader = None
    for url in urls:
        try:
            with urllib.request.urlopen(url + "/api/v1/master/info", timeout=0.5) as answer:
                info = json.loads(answer.read())
            if info.get("rpcAddress") and info.get("capacity") is not None:
                leader = url
                break
        except Exception:
            pass
    if leader != current:
        changes.append([time.time(), leader]); current = leader
    now = time.time()
    none_since = (none_since or now) if leader is None else None
    gap = gap or (settle_after is not None and none_since is not None and none_since > settle_after and now - none_since >= 2)
    if gap and leader is not None:
        break
    time.sleep(0.1)
print(json.dumps(changes))
"""


def remote(host, command):
    """The ssh command line running command (an argument list) on host: ssh joins its arguments into
    one line for the remote shell, so each is quoted."""
    return labnet.ssh_command(labnet.address(host), " ".join(shlex.quote(word) for word in command))


def ssh(host, *command, check=True):
    return subprocess.run(remote(host, command), capture_output=True, text=True, check=check, timeout=300)


def ssh_background(host, *command):
    return subprocess.Popen(remote(host, command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def masters():
    return [name for name in labnet.host_names(5, masters=3) if name.startswith("lab-master")]


def leader_url(poller, urls):
    out = ssh(poller, "python3", "-c", POLLER, ",".join(urls), "0.05", STOP_FILE).stdout
    changes = json.loads(out)
    return changes[-1][1] if changes else None


def quorum_whole(master):
    res = ssh(master, "runuser", "-u", "alluxio", "--", "timeout", "30", "/opt/alluxio/current/bin/alluxio",
              "fsadmin", "journal", "quorum", "info", "-domain", "MASTER", check=False)
    available = [line for line in res.stdout.splitlines() if line.strip().startswith("AVAILABLE")]
    return res.returncode == 0 and len(available) == len(masters())


def wait_quorum_whole(master, seconds=180):
    """Whether every master is AVAILABLE in the quorum within seconds (the killed one is back)."""
    deadline = time.time() + seconds
    while not quorum_whole(master):
        if time.time() > deadline:
            return False
        time.sleep(2)
    return True


def started_at(host, unit):
    """When the unit's main process started (seconds since the epoch)."""
    out = ssh(host, "systemctl", "show", "-p", "ExecMainStartTimestampMonotonic", "-p", "MainPID", unit).stdout
    return dict(line.split("=", 1) for line in out.split())


# The rolling mode's reader and poller run until the playbook has ended (the stop file), at most this.
ROLLING_LIMIT = 3600
# After a kill the poller waits at most this long for a leader (Alluxio's election timeout is 10-20 s;
# a busy machine stretches it).
FAILOVER_LIMIT = 180


def rolling(args, names, urls):
    repo = Path(__file__).resolve().parents[1]
    before = dict((name, started_at(name, MASTER_UNIT)) for name in names)
    reader = ssh_background(args.reader, "python3", "-c", READER, FILES_DIR, str(ROLLING_LIMIT), STOP_FILE)
    poller = ssh_background(args.poller, "python3", "-c", POLLER, ",".join(urls), str(ROLLING_LIMIT), STOP_FILE)
    time.sleep(3)
    started = time.time()
    play = subprocess.run([str(repo / ".venv" / "bin" / "ansible-playbook"), "-i", str(repo / "inventories" / "lab"),
                           str(repo / "playbooks" / "site.yml"), "-e", args.rolling] + (["--limit", args.limit] if args.limit else []),
                          cwd=repo, capture_output=True, text=True)
    took = time.time() - started
    time.sleep(3)
    for host in (args.reader, args.poller):
        ssh(host, "touch", STOP_FILE)
    read = json.loads(reader.communicate(timeout=120)[0])
    changes = json.loads(poller.communicate(timeout=120)[0])
    after = dict((name, started_at(name, MASTER_UNIT)) for name in names)
    print(json.dumps({"playbook_rc": play.returncode, "playbook_s": round(took, 1),
                      "restarted": [n for n in names if after[n]["MainPID"] != before[n]["MainPID"]],
                      "restart_order": sorted((n for n in names if after[n]["MainPID"] != before[n]["MainPID"]),
                                              key=lambda n: int(after[n]["ExecMainStartTimestampMonotonic"])),
                      "leader_changes": [[round(t - started, 1), names[urls.index(u)] if u else None] for t, u in changes],
                      "longest_read_stall_s": round(max([g[1] for g in read["gaps"]] or [0]), 2),
                      "reads": read["reads"], "failed_reads": len(read["failures"]),
                      "playbook_tail": "\n".join(line for line in play.stdout.splitlines() if "backup of" in line)
                      + "\n" + play.stdout[-1500:]}))
    if play.returncode:
        print(play.stdout[-3000:], file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--reader", default="lab-worker1")
    parser.add_argument("--poller", default="lab-worker2")
    parser.add_argument("--seconds", type=float, default=45.0, help="reading time per kill (the kill comes after 8 s)")
    parser.add_argument("--hold", action="store_true", help="keep the killed master down until another one leads")
    parser.add_argument("--rolling", metavar="EXTRA_VARS", help="run site.yml with these extra variables instead of killing")
    parser.add_argument("--limit", help="site.yml's --limit in the rolling mode")
    args = parser.parse_args()
    names = masters()
    urls = ["http://%s:19999" % name for name in names]
    ssh(args.reader, "sh", "-c", "mkdir -p %s && for i in $(seq 1 %d); do f=%s/f$i; [ -s $f ] || "
        "dd if=/dev/urandom of=$f bs=1M count=1 status=none; done" % (FILES_DIR, FILES, FILES_DIR))
    for host in (args.reader, args.poller):
        ssh(host, "rm", "-f", STOP_FILE)
    if args.rolling:
        return rolling(args, names, urls)
    results = []
    for kill in range(args.kills):
        wait_quorum_whole(names[0])
        old = leader_url(args.poller, urls)
        if old is None:
            raise SystemExit("no master leads: is the 3-master lab up and converged?")
        old_host = names[urls.index(old)]
        reader = ssh_background(args.reader, "python3", "-c", READER, FILES_DIR, str(args.seconds), STOP_FILE)
        settle_after = time.time() + 7
        poller = ssh_background(args.poller, "python3", "-c", POLLER, ",".join(urls), str(8 + FAILOVER_LIMIT), STOP_FILE,
                                str(settle_after))
        time.sleep(8)
        # With --hold, stop right after the kill: systemd's restart (RestartSec) has not come yet, and a
        # stop cancels it.
        hold = "; systemctl stop %s" % MASTER_UNIT if args.hold else ""
        killed_at = float(ssh(old_host, "sh", "-c", "date +%%s.%%N; systemctl kill --signal=SIGKILL %s%s" % (MASTER_UNIT, hold))
                          .stdout.split()[0])
        changes = json.loads(poller.communicate(timeout=8 + FAILOVER_LIMIT + 60)[0])
        if args.hold:
            ssh(old_host, "systemctl", "start", MASTER_UNIT)
        read = json.loads(reader.communicate(timeout=args.seconds + FAILOVER_LIMIT + 60)[0])
        # The first master to answer as the leader after the kill (the old one too: it may be re-elected).
        new = next(((t, url) for t, url in changes if t > killed_at and url is not None), None)
        stall = max((g for g in read["gaps"] if g[0] <= killed_at + 60), key=lambda g: g[1], default=[killed_at, 0])
        result = {"kill": kill + 1, "old_leader": old_host, "new_leader": names[urls.index(new[1])] if new else None,
                  "failover_s": round(new[0] - killed_at, 2) if new else None,
                  "longest_read_stall_s": round(stall[1], 2), "reads": read["reads"], "failed_reads": len(read["failures"])}
        results.append(result)
        print(json.dumps(result), flush=True)
    failovers = [r["failover_s"] for r in results if r["failover_s"] is not None]
    print(json.dumps({"kills": len(results), "quorum_whole": wait_quorum_whole(names[0]),
                      "median_failover_s": statistics.median(failovers) if failovers else None,
                      "max_failover_s": max(failovers) if failovers else None,
                      "median_read_stall_s": statistics.median(r["longest_read_stall_s"] for r in results),
                      "max_read_stall_s": max(r["longest_read_stall_s"] for r in results),
                      "failed_reads": sum(r["failed_reads"] for r in results)}))


if __name__ == "__main__":
    main()
