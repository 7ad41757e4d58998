#!/usr/bin/env bash
# Install everything the collection's commands and tests need on a fresh Debian
# controller: apt packages, a Python venv (cached outside the repository, keyed by
# the requirements files), and the ansible_collections/alnair/alluxio path that
# makes the checkout loadable as the collection. Safe to run again: it only does
# what is missing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${ALNAIR_CACHE:-/var/cache/alnair-alluxio}
say() { printf '[bootstrap] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "bootstrap: error: run as root (it installs Debian packages and the lab needs root)" >&2
  exit 2
fi

# Debian packages: the lab (nspawn, debootstrap, iproute2, iptables), SSH, Maven
# and a JDK for the Alluxio distribution build, rsync for ansible-test's copy, Chromium
# to render the benchmark report's HTML page in a test.
packages=(systemd-container debootstrap iproute2 iptables openssh-client maven
          default-jdk-headless rsync ca-certificates python3-venv curl chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# promtool (the tests check the generated Prometheus configuration and alert rules with it), taken
# out of Debian's prometheus package without installing it: on a controller with systemd the
# package would start a Prometheus server there.
promtool_dir="$cache/promtool"
if [ ! -x "$promtool_dir/usr/bin/promtool" ]; then
  say "extracting promtool from Debian's prometheus package into $promtool_dir"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq prometheus 2>/dev/null || { apt-get update -qq && apt-get download -qq prometheus; })
  rm -rf "$promtool_dir"
  # The cache itself may not exist yet on a fresh controller (dpkg-deb makes one level only).
  mkdir -p "$cache"
  dpkg-deb -x "$tmp"/prometheus_*.deb "$promtool_dir"
  rm -rf "$tmp"
fi

# The Python venv, rebuilt when a requirements file changes.
key=$(cat "$repo/requirements.txt" "$repo/requirements-test.txt" | sha256sum | cut -c1-12)
venv="$cache/venv/$key"
if [ ! -f "$venv/.complete" ]; then
  say "creating the Python venv $venv"
  rm -rf "$venv"
  mkdir -p "$cache/venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$repo/requirements-test.txt"
  touch "$venv/.complete"
fi
ln -sfn "$venv" "$repo/.venv"
ln -sfn "$promtool_dir/usr/bin/promtool" "$venv/bin/promtool"

# Plugins load only from .../ansible_collections/alnair/alluxio: ansible.cfg
# points collections_path at .collections, which holds that path as a link.
mkdir -p "$repo/.collections/ansible_collections/alnair"
ln -sfn ../../.. "$repo/.collections/ansible_collections/alnair/alluxio"
say "ready: $(. "$repo/.venv/bin/activate" && ansible --version | head -1)"
