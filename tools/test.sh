#!/usr/bin/env bash
# The test command (README, .ci/run): installs what a fresh machine lacks, then runs
# unit tests, lint (yamllint, ansible-lint production, ansible-test sanity) and the
# lab integration tests on real hosts with a real Alluxio. The lab is always taken
# down at the end, also on failure or interrupt. Extra arguments go to pytest.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
state=${ALNAIR_LAB_STATE:-/var/lib/alnair-lab}/state.json

tools/bootstrap.sh
# The lab is one per machine: a second run at the same time would share (and break) it.
lock=/run/lock/alnair-lab-test.lock
mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
if ! flock -n 9; then
    echo "another test run holds $lock (pid(s): $(fuser "$lock" 2>/dev/null || echo unknown)); wait for it to end" >&2
    exit 1
fi
# pytest's session fixture takes the lab down; this is the net under it (a kill, a crash).
cleanup() { if [ -e "$state" ]; then python3 tools/lab.py down >&2 || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM
.venv/bin/python -m pytest "$@"
