#!/usr/bin/env bash
# The main job (README): set everything up and deploy an Alluxio cluster with
# playbooks/site.yml. With no arguments, on the built-in local lab (brought up
# first, with the distribution built from Maven Central); otherwise the arguments
# go to ansible-playbook: tools/deploy.sh -i inventories/<cluster> [options].
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tools/bootstrap.sh
if [ $# -eq 0 ]; then
  python3 tools/alluxio_dist.py
  python3 tools/lab.py up
  set -- -i inventories/lab
fi
.venv/bin/ansible-playbook playbooks/site.yml "$@"
.venv/bin/ansible-playbook playbooks/status.yml "$@"
