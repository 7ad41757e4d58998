# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Filters for Alluxio configuration: sizes, properties files, systemd names, preflight."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible.errors import AnsibleFilterError
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import fuse_unit_name, systemd_escape_path
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import SizeError, parse_size

VERSION_RE = re.compile(r"^2\.\d+\.\d+$")
SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
PATH_VARIABLES = ("alluxio_install_root", "alluxio_conf_dir", "alluxio_log_dir", "alluxio_data_dir",
                  "alluxio_journal_dir", "alluxio_ramdisk_path")


def alluxio_bytes(value):
    """'100GB' -> 107374182400 (binary units, as Alluxio reads them)."""
    try:
        return parse_size(value)
    except SizeError as exc:
        raise AnsibleFilterError(str(exc))


def alluxio_properties(properties):
    """A dict as the text of a Java properties file, sorted; None values are left out."""
    if not isinstance(properties, dict):
        raise AnsibleFilterError("alluxio_properties expects a dict, got %s" % type(properties).__name__)
    lines = []
    for key in sorted(properties):
        value = properties[key]
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        text = str(value)
        if "\n" in text:
            raise AnsibleFilterError("property %s has a line break in its value" % key)
        lines.append("%s=%s" % (key, text))
    return "\n".join(lines) + "\n"


def systemd_mount_unit(path):
    """The name systemd gives the .mount unit of a path: /mnt/ramdisk -> mnt-ramdisk.mount."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise AnsibleFilterError("%r is not an absolute path" % (path,))
    return systemd_escape_path(path) + ".mount"


def fuse_unit(path):
    """The alluxio-fuse@ template instance of a mount point: /mnt/alluxio -> alluxio-fuse@mnt-alluxio.service."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise AnsibleFilterError("%r is not an absolute path" % (path,))
    return fuse_unit_name(path)


def alluxio_preflight(hostvars, groups, defaults=None, masters_group="alluxio_masters",
                      workers_group="alluxio_workers", targets=None):
    """Every problem with the inventory that must stop a deployment before any host changes.

    hostvars holds what the inventory sets per host; defaults the role defaults for what it
    does not. Returns a list of sentences, each naming the host and the variable; empty means go.
    """
    defaults = defaults or {}

    def _hostvar(hostvars, host, name, default=None):
        try:
            host_vars = hostvars[host]
            if name in host_vars:
                return host_vars[name]
        except Exception:  # an undefined template in the inventory: report it as such
            return "<undefined>"
        return defaults.get(name, default)

    problems = []
    masters = list(groups.get(masters_group) or [])
    workers = list(groups.get(workers_group) or [])
    hosts = sorted(set(masters + workers) if targets is None else set(targets))
    if len(masters) != 1:
        problems.append("group %s must have exactly one host, it has %d%s"
                        % (masters_group, len(masters), (": " + ", ".join(masters)) if masters else ""))
    if not workers:
        problems.append("group %s has no host: at least one worker is needed" % workers_group)
    for host in sorted(set(masters) & set(workers)):
        if not _hostvar(hostvars, host, "alluxio_master_is_worker", False):
            problems.append("%s is in both %s and %s: set alluxio_master_is_worker: true for the small "
                            "'master and worker on one node' layout, or remove it from one group"
                            % (host, masters_group, workers_group))
    for host in hosts:
        version = str(_hostvar(hostvars, host, "alluxio_version", ""))
        if not VERSION_RE.match(version):
            problems.append("%s: alluxio_version %r is not an Alluxio 2.x version like 2.9.6" % (host, version))
        for name in PATH_VARIABLES:
            value = _hostvar(hostvars, host, name)
            if value is not None and not (isinstance(value, str) and value.startswith("/")):
                problems.append("%s: %s must be an absolute path, got %r" % (host, name, value))
        sizes = ["alluxio_memory_reserve"]
        if host in workers:
            sizes.append("alluxio_worker_mem_size")
        for name in sizes:
            value = _hostvar(hostvars, host, name)
            try:
                parse_size(value)
            except SizeError as exc:
                problems.append("%s: %s: %s" % (host, name, exc))
        if host in workers and not problems_for(problems, host, "alluxio_worker_mem_size", "alluxio_memory_reserve"):
            # alnair.alluxio.host_facts reads it; gathered facts do too.
            memtotal_mb = (_hostvar(hostvars, host, "alluxio_host") or {}).get("memtotal_mb")
            if memtotal_mb is None:
                memtotal_mb = _hostvar(hostvars, host, "ansible_memtotal_mb")
            if isinstance(memtotal_mb, int):
                size = parse_size(_hostvar(hostvars, host, "alluxio_worker_mem_size"))
                reserve = parse_size(_hostvar(hostvars, host, "alluxio_memory_reserve"))
                available = memtotal_mb * (1 << 20) - reserve
                if size > available:
                    problems.append("%s: alluxio_worker_mem_size %s is larger than the host's memory (%d MiB) "
                                    "minus alluxio_memory_reserve %s"
                                    % (host, _hostvar(hostvars, host, "alluxio_worker_mem_size"), memtotal_mb,
                                       _hostvar(hostvars, host, "alluxio_memory_reserve")))
    return problems


def alluxio_hostnames(hostvars, hosts):
    """The names inventory hosts register and are reached by (alluxio_hostname, else the inventory name)."""
    return [hostvars[host]["alluxio_hostname"] if "alluxio_hostname" in hostvars[host] else host for host in hosts]


def alluxio_expected_workers(hostvars, workers, default_size):
    """{registered host name: capacity} of the inventory's workers, for the health gates."""
    expected = {}
    for host, name in zip(workers, alluxio_hostnames(hostvars, workers)):
        host_vars = hostvars[host]
        size = host_vars["alluxio_worker_mem_size"] if "alluxio_worker_mem_size" in host_vars else default_size
        expected[name] = alluxio_bytes(size)
    return expected


def problems_for(problems, host, *names):
    return any(p.startswith(host + ": " + n) for p in problems for n in names)


def alluxio_tarball_problems(url, path, sha256):
    """Problems with where the distribution comes from (checked on the controller)."""
    problems = []
    if bool(url) == bool(path):
        problems.append("set exactly one of alluxio_tarball_url and alluxio_tarball_path")
    if path and not str(path).startswith("/"):
        problems.append("alluxio_tarball_path must be an absolute path on the controller, got %r" % (path,))
    if not sha256:
        problems.append("alluxio_tarball_sha256 is mandatory: the tarball is verified before it is unpacked")
    elif not SHA256_RE.match(str(sha256)):
        problems.append("alluxio_tarball_sha256 %r is not a sha256 (64 hex digits)" % (sha256,))
    return problems


def file_identity(path):
    """'inode size mtime_ns ctime_ns' of a controller file, or '' when it does not exist.
    Any write changes ctime (a forged mtime does not hide it): a file with the identity it
    had when it was verified has not been written since."""
    try:
        st = os.stat(str(path))
    except OSError:
        return ""
    return "%d %d %d %d" % (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class FilterModule(object):
    """alnair.alluxio filters."""

    def filters(self):
        return {
            "alluxio_bytes": alluxio_bytes,
            "alluxio_properties": alluxio_properties,
            "systemd_mount_unit": systemd_mount_unit,
            "fuse_unit": fuse_unit,
            "alluxio_preflight": alluxio_preflight,
            "alluxio_tarball_problems": alluxio_tarball_problems,
            "alluxio_expected_workers": alluxio_expected_workers,
            "alluxio_hostnames": alluxio_hostnames,
            "file_identity": file_identity,
        }
