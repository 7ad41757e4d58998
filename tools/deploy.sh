#!/usr/bin/env bash
# The main job (README): set everything up and deploy an Alluxio cluster. With no
# inventory given, on the built-in local lab (brought up first); otherwise on
# yours: tools/deploy.sh -i inventories/production [ansible-playbook options].
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tools/bootstrap.sh
python3 tools/alluxio_dist.py
if [ $# -eq 0 ]; then
  python3 tools/lab.py up
  set -- -i inventories/lab
fi
tarball=$(python3 tools/alluxio_dist.py 2>/dev/null | tail -1)
.venv/bin/ansible-playbook tests/integration/playbooks/smoke.yml -e alluxio_version=2.9.6 \
  -e "smoke_tarball=$tarball" -e smoke_capacity=64MB -e smoke_result=/tmp/alnair-smoke.json "$@"
python3 - <<'PY'
import json
d = json.load(open("/tmp/alnair-smoke.json"))
info = d["info"]
print(f"Alluxio {info['version']} is up: {len(info['workers'])} live worker(s), {len(info['lostWorkers'])} lost, "
      f"capacity {info['capacity']['total'] / 2**20:.0f} MiB")
for w in info["workers"]:
    print(f"  {w['address']['host']:<14} {w['state']:<7} {w['capacityBytes'] / 2**20:.0f} MiB")
print("a file written on", d["writer"], "read back identical on the master:", d["written"] == d["read"])
PY
