# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Filters for Alluxio configuration: sizes, properties files, systemd names, preflight."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import socket

from ansible.module_utils.six.moves.urllib.parse import urlparse
from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_checks import (
    CONTROL_RE, ENV_NAME_RE, control_characters, fuse_mount_problems, mount_options, path_problem, property_problems,
    secret_values, system_property_keys)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import http_url
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import bounded, fuse_unit_name, systemd_escape_path
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_model import (
    BIND_HOST_PROPERTIES, MASTER_RPC_PORT, fuse_jvm_sizing, jvm_command_lines, jvm_size_mib, process_model)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_monitoring import fuse_web_problems
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_network import (
    FIREWALL_FAMILY, FIREWALL_TABLE, allowed_sources, bind_address, bind_problems, ip_literal,
    listen_ports, parse_networks)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_quorum import (
    joining_problems, journal_ports, quorum_address_problems, quorum_properties, quorum_size_problems)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_sizes import SizeError, format_size, parse_size, tier_bytes

VERSION_RE = re.compile(r"^2\.\d+\.\d+$")
SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
PATH_VARIABLES = ("alluxio_install_root", "alluxio_conf_dir", "alluxio_log_dir", "alluxio_data_dir",
                  "alluxio_journal_dir", "alluxio_ramdisk_path")
# JVM memory sizes as -Xmx and -XX:MaxDirectMemorySize take them: digits and one unit letter.
HEAP_VARIABLES = ("alluxio_master_heap", "alluxio_job_master_heap", "alluxio_worker_heap", "alluxio_worker_direct_memory",
                  "alluxio_job_worker_heap", "alluxio_proxy_heap", "alluxio_fuse_heap", "alluxio_fuse_direct_memory")
# Sized from the host when "auto" (the fuse role's defaults): heap, then direct memory.
AUTO_SIZED = ("alluxio_fuse_heap", "alluxio_fuse_direct_memory")
# The ports of each kind of host, and the master RPC port Alluxio keeps at its default.
MASTER_PORT_VARIABLES = ("alluxio_master_web_port", "alluxio_job_master_rpc_port")
WORKER_PORT_VARIABLES = ("alluxio_worker_rpc_port", "alluxio_worker_web_port", "alluxio_job_worker_rpc_port")
# Under storage URI schemes Alluxio 2.9 has a UFS for (a path without a scheme is a local/NFS directory).
UFS_SCHEMES = ("file", "hdfs", "s3", "s3a", "gs", "oss", "wasb", "wasbs", "abfs", "abfss", "cos", "cosn", "obs", "alluxio")


def root_ufs_problem(value):
    """Why alluxio_root_ufs is not acceptable, or None: an absolute path or a URI of a known scheme."""
    if isinstance(value, str) and "://" in value:
        scheme = value.split("://", 1)[0].lower()
        if scheme not in UFS_SCHEMES:
            return "has the scheme %r, which no Alluxio 2.9 under storage serves (%s)" % (scheme, ", ".join(UFS_SCHEMES))
        return None
    return path_problem(value)


def alluxio_path_problem(value):
    """Why a directory is not one the roles may own ('' when it is): module_utils/alluxio_checks.path_problem."""
    return path_problem(value) or ""


def alluxio_bytes(value):
    """'100GB' -> 107374182400 (binary units, as Alluxio reads them)."""
    try:
        return parse_size(value)
    except SizeError as exc:
        raise AnsibleFilterError(str(exc))


def alluxio_tier_bytes(value):
    """'62.51GB' -> 67119611904: a worker's MEM tier in bytes, whole pages on every host (the ramdisk
    unit's size, the tier quota, the capacity the gates expect: module_utils/alluxio_sizes.tier_bytes)."""
    try:
        return tier_bytes(value)
    except SizeError as exc:
        raise AnsibleFilterError(str(exc))


def alluxio_size_text(num_bytes):
    """107374182400 -> '100.00GB': the short binary form host_health's details use."""
    try:
        return format_size(int(num_bytes))
    except (TypeError, ValueError):
        raise AnsibleFilterError("alluxio_size_text expects a byte count, got %r" % (num_bytes,))


def java_properties_value(text):
    """text escaped so that java.util.Properties.load (ISO 8859-1, backslash escapes) reads it back
    exactly: a backslash doubled, everything outside printable ASCII as UTF-16 \\uXXXX units."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif " " <= char <= "~":
            out.append(char)
        else:
            data = char.encode("utf-16-be")
            out += ["\\u%02x%02x" % (data[i], data[i + 1]) for i in range(0, len(data), 2)]
    return "".join(out)


def alluxio_properties(properties):
    """A dict as the text of a Java properties file, sorted; None values are left out. A key or value
    that Java would read differently from what it says (property_problems) raises: preflight names it."""
    if not isinstance(properties, dict):
        raise AnsibleFilterError("alluxio_properties expects a dict, got %s" % type(properties).__name__)
    problems = property_problems(dict((k, v) for k, v in properties.items() if v is not None))
    if problems:
        raise AnsibleFilterError("alluxio_properties: " + "; ".join(problems))
    lines = []
    for key in sorted(properties):
        value = properties[key]
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        lines.append("%s=%s" % (key, java_properties_value(str(value))))
    return "\n".join(lines) + "\n"


# A word systemd takes as it is in an Exec line: no quotes, white space, backslash, specifier or
# variable. "$NAME" alone is left to expand on purpose (the FUSE unit's per-mount options).
_UNIT_WORD_SAFE = re.compile(r"^[A-Za-z0-9_@+=:,./\-]+$")
_UNIT_VARIABLE = re.compile(r"^\$[A-Z_][A-Z0-9_]*$")


def systemd_exec_word(word):
    """One argument of an Exec line, quoted so that systemd passes it as written: % as %%, $ as $$,
    in double quotes with \\ and \" escaped when it has anything but plain characters."""
    text = str(word)
    if _UNIT_VARIABLE.match(text) or _UNIT_WORD_SAFE.match(text):
        return text
    if CONTROL_RE.search(text):
        raise AnsibleFilterError("%r has a control character: it cannot be one argument of a unit's command" % (text,))
    text = text.replace("%", "%%").replace("$", "$$")
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def alluxio_unit_exec(lines):
    """The groups of words of alluxio_jvm_command as the text of a unit's ExecStart= (one line a
    group, each word quoted for systemd: a JVM option with a space or a % stays one argument)."""
    try:
        return " \\\n  ".join(" ".join(systemd_exec_word(word) for word in group) for group in lines)
    except TypeError as exc:
        raise AnsibleFilterError("alluxio_unit_exec expects groups of words: %s" % exc)


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


def _journal_formatted(host_facts, format_marker):
    """Whether host_facts (a master's alluxio_host) found the journal's format marker; None when not read."""
    if not isinstance(host_facts, dict):
        return None
    state = (host_facts.get("paths") or {}).get(format_marker)
    return None if state is None else state != "absent"


def alluxio_preflight(hostvars, groups, defaults=None, masters_group="alluxio_masters",
                      workers_group="alluxio_workers", targets=None, derived_properties=None, format_marker=None):
    """Every problem with the inventory that must stop a deployment before any host changes.

    hostvars holds what the inventory sets per host; defaults the role defaults for what it
    does not; derived_properties {property: the variable the roles derive it from};
    format_marker the path of the journal's format marker, which host_facts read on each master
    (alluxio_host.paths). Returns a list of sentences, each naming the host and the variable; empty means go.
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

    def _inventory_var(hostvars, host, name, default):
        try:
            return hostvars[host][name] if name in hostvars[host] else default
        except Exception:  # an undefined template in the inventory: report it as such
            return "<undefined>"

    problems = []
    masters = list(groups.get(masters_group) or [])
    workers = list(groups.get(workers_group) or [])
    hosts = sorted(set(masters + workers) if targets is None else set(targets))
    problems += quorum_size_problems(masters_group, masters)
    if format_marker and len(masters) > 1:
        problems += joining_problems(masters_group, dict(
            (host, _journal_formatted(_hostvar(hostvars, host, "alluxio_host"), format_marker)) for host in masters))
    master_names = alluxio_hostnames(hostvars, [m for m in masters if m in hostvars])
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
            why = path_problem(value) if value is not None else None
            if why:
                problems.append("%s: %s %s" % (host, name, why))
        root_ufs = _hostvar(hostvars, host, "alluxio_root_ufs")
        why = root_ufs_problem(root_ufs) if root_ufs is not None else None
        if why:
            problems.append("%s: alluxio_root_ufs %s" % (host, why))
        sizes = ["alluxio_memory_reserve"]
        if host in workers:
            sizes.append("alluxio_worker_mem_size")
        for name in sizes:
            value = _hostvar(hostvars, host, name)
            try:
                parse_size(value)
            except SizeError as exc:
                problems.append("%s: %s: %s" % (host, name, exc))
        problems += account_problems(host, _inventory_var(hostvars, host, "alluxio_host", None),
                                     _hostvar(hostvars, host, "alluxio_user"), _hostvar(hostvars, host, "alluxio_group"),
                                     _hostvar(hostvars, host, "alluxio_uid"), _hostvar(hostvars, host, "alluxio_gid"))
        # Heaps: only what the inventory sets (the roles' defaults are valid).
        for name in HEAP_VARIABLES:
            value = _inventory_var(hostvars, host, name, None)
            if name in AUTO_SIZED and value == "auto":
                continue
            if value is not None and not _is_jvm_size(value):
                problems.append("%s: %s %r is not a JVM size like 512m or 8g" % (host, name, value))
        problems += port_problems(host, dict((name, _hostvar(hostvars, host, name)) for name in
                                             (MASTER_PORT_VARIABLES if host in masters else ())
                                             + (WORKER_PORT_VARIABLES if host in workers else ())), host in masters)
        # Only what the inventory sets for this host (the role default is no mount).
        fuse_mounts = _inventory_var(hostvars, host, "alluxio_fuse_mounts", [])
        if fuse_mounts:
            problems += fuse_mounts_problems(host, fuse_mounts,
                                             _hostvar(hostvars, host, "alluxio_fuse_default_options", []),
                                             _hostvar(hostvars, host, "alluxio_fuse_libfuse_version", 2),
                                             _hostvar(hostvars, host, "alluxio_fuse_profiles", {}))
            memtotal_mb = (_hostvar(hostvars, host, "alluxio_host") or {}).get("memtotal_mb")
            if isinstance(memtotal_mb, int) and not problems_for(problems, host, *AUTO_SIZED):
                problems += ["%s: %s" % (host, why) for why in fuse_jvm_sizing(
                    memtotal_mb, _hostvar(hostvars, host, "alluxio_fuse_metadata_cache_entries", 0),
                    *[_hostvar(hostvars, host, name) for name in AUTO_SIZED])["problems"]]
            if boolean(_hostvar(hostvars, host, "alluxio_metrics", True), strict=False) and isinstance(fuse_mounts, list):
                # Every other server's port: alluxio.fuse.web.port (what the mounts replace) is counted as the
                # master RPC port, which is in the list anyway.
                properties = dict(_hostvar(hostvars, host, "alluxio_site_properties", {}) or {})
                properties["alluxio.fuse.web.port"] = MASTER_RPC_PORT
                problems += fuse_web_problems(host, fuse_mounts, _hostvar(hostvars, host, "alluxio_fuse_web_port", 49999),
                                              listen_ports(properties))
        site_properties = _hostvar(hostvars, host, "alluxio_site_properties", {})
        if isinstance(site_properties, dict):
            problems += quorum_address_problems(host, site_properties, master_names)
        problems += derived_property_problems(host, _hostvar(hostvars, host, "alluxio_site_properties", {}),
                                              _hostvar(hostvars, host, "alluxio_site_properties_override", []),
                                              dict(derived_properties or {}, **BIND_PROPERTIES_DERIVED))
        problems += inventory_text_problems(host, _inventory_vars(hostvars, host),
                                            _hostvar(hostvars, host, "alluxio_site_properties_override", []),
                                            dict(derived_properties or {}, **BIND_PROPERTIES_DERIVED))
        problems += network_problems(host, _hostvar(hostvars, host, "alluxio_bind_address", ""),
                                     _inventory_var(hostvars, host, "ansible_host", ""),
                                     (_hostvar(hostvars, host, "alluxio_host") or {}).get("addresses"),
                                     _hostvar(hostvars, host, "alluxio_firewall", True),
                                     _hostvar(hostvars, host, "alluxio_client_networks", []),
                                     _inventory_var(hostvars, host, "ansible_port", 22),
                                     _hostvar(hostvars, host, "alluxio_site_properties", {}))
        if host in workers and not problems_for(problems, host, "alluxio_worker_mem_size", "alluxio_memory_reserve"):
            # alnair.alluxio.host_facts reads it; gathered facts do too.
            memtotal_mb = (_hostvar(hostvars, host, "alluxio_host") or {}).get("memtotal_mb")
            if memtotal_mb is None:
                memtotal_mb = _hostvar(hostvars, host, "ansible_memtotal_mb")
            if isinstance(memtotal_mb, int):
                size = tier_bytes(_hostvar(hostvars, host, "alluxio_worker_mem_size"))
                reserve = parse_size(_hostvar(hostvars, host, "alluxio_memory_reserve"))
                available = memtotal_mb * (1 << 20) - reserve
                if size > available:
                    problems.append("%s: alluxio_worker_mem_size %s is larger than the host's memory (%d MiB) "
                                    "minus alluxio_memory_reserve %s"
                                    % (host, _hostvar(hostvars, host, "alluxio_worker_mem_size"), memtotal_mb,
                                       _hostvar(hostvars, host, "alluxio_memory_reserve")))
            problems += tier_shrink_problems(host, _hostvar(hostvars, host, "alluxio_worker_mem_size"),
                                             _hostvar(hostvars, host, "alluxio_ramdisk_path"),
                                             (_hostvar(hostvars, host, "alluxio_host") or {}).get("memory_mounts"),
                                             _hostvar(hostvars, host, "_alluxio_cached_files"),
                                             boolean(_hostvar(hostvars, host, "alluxio_resize_drop_unpersisted", False), strict=False))
    # Every worker of the inventory, whatever --limit says: one worker with room is enough.
    tiers = [(w, _hostvar(hostvars, w, "alluxio_worker_mem_size"), _hostvar(hostvars, w, "alluxio_site_properties", {}))
             for w in workers if w in hostvars]
    if all(_is_size(size) for _w, size, _p in tiers):  # a size that is none is named per host above
        problems += tier_block_problems(tiers)
    return problems


def _is_size(value):
    try:
        parse_size(value)
    except SizeError:
        return False
    return True


BIND_PROPERTIES_DERIVED = dict((key, "alluxio_bind_address") for key in BIND_HOST_PROPERTIES)
# What the collection's own plays set (host_facts' alluxio_host, health's and remediate's results): read
# from hosts, never written to their files.
FACT_VARIABLES = frozenset(["alluxio_host", "alluxio_health", "alluxio_cluster_health", "alluxio_remediate"])
# Variables whose items are JVM options (a -D there sets an Alluxio property too; the FUSE mounts'
# jvm_options are in alluxio_fuse_mounts).
JVM_OPTION_VARIABLES = ("alluxio_java_opts_extra", "alluxio_java_opts_replace", "alluxio_fuse_mounts", "alluxio_env")


def _inventory_vars(hostvars, host):
    """{name: value} of every alluxio_* variable and ansible_host the inventory gives a host (facts aside);
    a value whose template fails is left out (the checks that read it report it)."""
    found = {}
    try:
        names = [n for n in hostvars[host] if n.startswith("alluxio_") or n == "ansible_host"]
    except Exception:  # an unknown host: nothing to check here
        return found
    for name in names:
        if name in FACT_VARIABLES:
            continue
        try:
            found[name] = hostvars[host][name]
        except Exception:  # an undefined template: reported where the variable is used
            continue
    return found


def _jvm_options_of(name, value):
    """The JVM options (strings) a JVM option variable holds."""
    if name == "alluxio_java_opts_replace" and isinstance(value, dict):
        return [o for options in value.values() if isinstance(options, (list, tuple)) for o in options]
    if name == "alluxio_fuse_mounts" and isinstance(value, (list, tuple)):
        return [o for mount in value if isinstance(mount, dict) and isinstance(mount.get("jvm_options"), (list, tuple))
                for o in mount["jvm_options"]]
    if name == "alluxio_env" and isinstance(value, dict):
        return [str(v) for v in value.values()]
    return list(value) if isinstance(value, (list, tuple)) else []


def inventory_text_problems(host, variables, override, derived):
    """Text that would reach a host's files as another syntax: a control character in any string of
    any variable (a line break in a value adds a line to a unit, a properties or a shell file),
    alluxio_site_properties that Java reads differently from what they say, alluxio_env names that
    are not shell names, and a -D system property in JVM options that sets a property the roles
    derive (it wins over alluxio-site.properties: the journal guard and the bind checks would look
    at another value)."""
    # alluxio_site_properties: property_problems below names its control characters with the key.
    problems = ["%s: %s has the control character %r: no line breaks, tabs or other control characters in "
                "values written to hosts' files" % (host, where, char)
                for name in sorted(variables) if name != "alluxio_site_properties"
                for where, char in control_characters(variables[name], name)]
    properties = variables.get("alluxio_site_properties")
    if isinstance(properties, dict):
        problems += ["%s: alluxio_site_properties: %s" % (host, why) for why in property_problems(properties)]
    env = variables.get("alluxio_env")
    if isinstance(env, dict):
        problems += ["%s: alluxio_env: %r is not a shell variable name" % (host, key)
                     for key in sorted(env, key=str) if not isinstance(key, str) or not ENV_NAME_RE.match(key)]
    override = override if isinstance(override, (list, tuple)) else []
    for name in JVM_OPTION_VARIABLES:
        for key in system_property_keys(_jvm_options_of(name, variables.get(name))):
            if key in derived and key not in override:
                problems.append("%s: %s sets -D%s, which the collection derives from %s and which a -D would override "
                                "behind its checks: set that variable instead (or list the key in "
                                "alluxio_site_properties_override)" % (host, name, key, derived[key]))
    return problems


def tier_resize_plan(size, ramdisk_path, memory_mounts):
    """What making a worker's MEM tier `size` takes, given its ramdisk now (host_facts' memory_mounts):
    'none' (no ramdisk yet, or already that size), 'in_place' (a tmpfs remount: it grows, or still
    holds its contents) or 'empty' (smaller than what it holds: a tmpfs cannot shrink below its
    contents, so the worker stops, the ramdisk is unmounted, remounted at the new size and the worker
    starts empty; blocks not persisted to the under file system would be lost)."""
    found = (memory_mounts or {}).get(ramdisk_path) if isinstance(memory_mounts, dict) else None
    if not found:
        return "none"
    wanted = tier_bytes(size)
    if wanted == found["size_bytes"]:
        return "none"
    return "in_place" if found["used_bytes"] <= wanted else "empty"


def tier_shrink_problems(host, size, ramdisk_path, memory_mounts, cached, drop_unpersisted):
    """Why a worker's tier may not be emptied to shrink it (plan 'empty'): files whose blocks there
    are not persisted (alnair.alluxio.worker_cached_files' result `cached`), or a worker that could not
    say (not running, not answering). alluxio_resize_drop_unpersisted accepts losing them."""
    if tier_resize_plan(size, ramdisk_path, memory_mounts) != "empty" or drop_unpersisted:
        return []
    found = memory_mounts[ramdisk_path]
    what = ("%s: alluxio_worker_mem_size %s (%d bytes) is less than its ramdisk %s holds now (%d bytes of %d): the worker "
            "must be emptied (stopped, its ramdisk unmounted and mounted again at the new size) and"
            % (host, size, tier_bytes(size), ramdisk_path, found["used_bytes"], found["size_bytes"]))
    lose = "-e alluxio_resize_drop_unpersisted=true to lose them, or keep a size of at least %s" % format_size(found["used_bytes"])
    if not isinstance(cached, dict) or not isinstance(cached.get("unpersisted_count"), int):
        reason = (cached or {}).get("msg") if isinstance(cached, dict) else None
        return ["%s its worker could not say which of its files are not persisted (%s). Start the worker, or %s"
                % (what, reason or "not asked", lose)]
    if cached["unpersisted_count"] == 0:
        return []
    named = ", ".join("%s (%s)" % (f["path"], f["state"]) for f in cached.get("unpersisted") or [])
    more = cached["unpersisted_count"] - len(cached.get("unpersisted") or [])
    return ["%s %d file(s) with %d bytes there are not persisted to the under file system: %s%s. Persist them first "
            "(alluxio fs persist PATH), or %s"
            % (what, cached["unpersisted_count"], cached.get("unpersisted_bytes") or 0, named,
               " and %d more" % more if more > 0 else "", lose)]


def alluxio_tier_resize(size, ramdisk_path, memory_mounts, on_invalid=None):
    """tier_resize_plan as a filter (prepare reads it for its worker); a size that is not one raises,
    or gives on_invalid when set (preflight names that problem itself)."""
    try:
        return tier_resize_plan(size, ramdisk_path, memory_mounts)
    except SizeError as exc:
        if on_invalid is not None:
            return on_invalid
        raise AnsibleFilterError("alluxio_worker_mem_size: %s" % exc)


def alluxio_tier_shrink_problems(host, size, ramdisk_path, memory_mounts, cached, drop_unpersisted):
    """tier_shrink_problems as a filter (site.yml's resize play checks again just before it empties a worker)."""
    try:
        return tier_shrink_problems(host, size, ramdisk_path, memory_mounts, cached, drop_unpersisted)
    except SizeError as exc:
        raise AnsibleFilterError("alluxio_worker_mem_size: %s" % exc)


def alluxio_system_properties(properties, except_keys=()):
    """-Dkey=value JVM options for a dict of Alluxio properties, less the keys in except_keys (those
    alluxio_site_properties sets: a -D would win over them)."""
    return ["-D%s=%s" % (key, properties[key]) for key in sorted(properties) if key not in except_keys]


def network_problems(host, configured_bind, ansible_host, addresses, firewall, client_networks, ssh_port, site_properties):
    """The bind address must be one of the host's (when read), alluxio_firewall a boolean, the
    client networks addresses or CIDRs, and SSH never on a port the firewall guards."""
    problems = bind_problems(host, bind_address(configured_bind, ansible_host, host),
                             addresses if isinstance(addresses, list) else None)
    if not isinstance(firewall, bool) and str(firewall).lower() not in ("true", "false", "yes", "no"):
        problems.append("%s: alluxio_firewall must be true or false, got %r" % (host, firewall))
    problems += ["%s: alluxio_client_networks: %s" % (host, why) for why in parse_networks(client_networks)[1]]
    try:
        ssh_port = int(ssh_port)
    except (TypeError, ValueError):
        ssh_port = None
    if ssh_port in listen_ports(site_properties if isinstance(site_properties, dict) else {}):
        problems.append("%s: ansible_port %d is one of Alluxio's ports: move SSH or the Alluxio port (the firewall "
                        "admits Alluxio's ports only from the cluster)" % (host, ssh_port))
    return problems


def alluxio_bind_address(configured, ansible_host, inventory_hostname):
    """The address a host's Alluxio servers bind to (alluxio_bind_address, else ansible_host, else
    the inventory name): the common role's _alluxio_bind_address."""
    return bind_address(configured, ansible_host, inventory_hostname)


def alluxio_bind_properties(address):
    """Every bind-host property of Alluxio 2.9 set to address (configure writes them)."""
    return dict((key, address) for key in BIND_HOST_PROPERTIES)


def alluxio_firewall_sources(hostvars, hosts, client_networks=()):
    """What the firewall admits: every address of the cluster's hosts (host_facts' addresses; for a
    host not read in this run, ansible_host when it is an address, else what its name resolves to
    here), the address each binds (alluxio_bind_address) and the client networks. A host whose
    addresses cannot be told stops the play: admitting too little would cut the cluster apart."""
    addresses = []
    for host in hosts:
        found = (hostvars.get(host, {}).get("alluxio_host") or {}).get("addresses")
        ansible_host = hostvars.get(host, {}).get("ansible_host") or host
        if ip_literal(ansible_host) is not None:
            addresses.append(str(ansible_host))
        # The address its servers bind (and so send from to its peers), also when it was not read
        # this run (--limit, unreachable): a multi-homed peer is never cut off until a full run.
        bound = hostvars.get(host, {}).get("alluxio_bind_address")
        if ip_literal(bound) is not None and not ip_literal(bound).is_unspecified:
            addresses.append(str(bound))
        if isinstance(found, list) and found:
            addresses += found
        elif ip_literal(ansible_host) is None:
            try:
                addresses += sorted(set(info[4][0] for info in socket.getaddrinfo(ansible_host, None, 0, socket.SOCK_STREAM)))
            except socket.gaierror as exc:
                raise AnsibleFilterError("cannot tell the addresses of %s (not read in this run, %s does not resolve here: %s): "
                                         "run without --limit, or set its ansible_host to its address" % (host, ansible_host, exc))
    v4, v6 = allowed_sources(addresses, client_networks)
    return v4 + v6


def alluxio_bounded(argv, seconds):
    """argv under coreutils timeout (the modules' alluxio_host.bounded): its process group ended after
    seconds, killed 5 s later: a command task that can never hang a play."""
    try:
        return bounded(argv, int(seconds))
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("alluxio_bounded expects an argument list and seconds: %s" % exc)


def alluxio_firewall_table(_ignored=None):
    """'inet alnair_alluxio': the firewall table of the collection (module_utils/alluxio_network)."""
    return "%s %s" % (FIREWALL_FAMILY, FIREWALL_TABLE)


def alluxio_listen_ports(site_properties=None):
    """The TCP ports Alluxio's servers listen on, with the final alluxio-site.properties' moves."""
    return listen_ports(site_properties)


def account_problems(host, found, user, group, uid, gid):
    """The alluxio user and group must have the same ids on every host (a shared root UFS has one owner)."""
    problems = []
    for name, value in (("alluxio_uid", uid), ("alluxio_gid", gid)):
        if value is not None and (isinstance(value, bool) or not str(value).isdigit()):
            problems.append("%s: %s %r is not a numeric id" % (host, name, value))
    if problems or not isinstance(found, dict):
        return problems  # not read (unreachable): the host drops out of the run
    existing_user = (found.get("users") or {}).get(user)
    if existing_user and uid is not None and int(existing_user["uid"]) != int(uid):
        problems.append("%s: the user %s exists with uid %s, alluxio_uid is %s: give it uid %s on the host (usermod -u %s %s, "
                        "then chown its files) or set alluxio_uid: %s for every host" % (
                            host, user, existing_user["uid"], uid, uid, uid, user, existing_user["uid"]))
    existing_gid = (found.get("groups") or {}).get(group)
    if existing_gid is not None and gid is not None and int(existing_gid) != int(gid):
        problems.append("%s: the group %s exists with gid %s, alluxio_gid is %s: give it gid %s on the host (groupmod -g %s %s) "
                        "or set alluxio_gid: %s for every host" % (host, group, existing_gid, gid, gid, gid, group, existing_gid))
    return problems


def port_problems(host, ports, is_master):
    """Ports must be 1-65535, and no two processes of a host on one port."""
    problems, used = [], {}
    if is_master:
        used[MASTER_RPC_PORT] = "the master RPC port"
    for name, value in sorted(ports.items()):
        if value is None:
            continue
        try:
            port = int(value)
        except (TypeError, ValueError):
            port = None
        if port is None or isinstance(value, bool) or not 1 <= port <= 65535 or str(value).strip() != str(port):
            problems.append("%s: %s %r is not a port (1-65535)" % (host, name, value))
            continue
        if port in used:
            problems.append("%s: %s %d is also %s" % (host, name, port, used[port]))
        used[port] = name
    return problems


def fuse_mounts_problems(host, mounts, default_options, libfuse_version, profiles=None):
    """What fuse_mount would refuse in a host's alluxio_fuse_mounts, known on the controller."""
    if not isinstance(mounts, (list, tuple)):
        return ["%s: alluxio_fuse_mounts must be a list of mounts, got %r" % (host, mounts)]
    try:
        libfuse_version = int(libfuse_version)
    except (TypeError, ValueError):
        libfuse_version = None
    if libfuse_version not in (2, 3):
        return ["%s: alluxio_fuse_libfuse_version must be 2 or 3" % host]
    problems, seen = [], set()
    for index, mount in enumerate(mounts):
        where = "%s: alluxio_fuse_mounts[%d]" % (host, index)
        if not isinstance(mount, dict) or "mount_point" not in mount:
            problems.append("%s must be a dict with a mount_point, got %r" % (where, mount))
            continue
        known = ["mount_point", "alluxio_path", "options", "profile", "read_only", "jvm_options", "state", "allow_non_empty",
                 "web_port"]
        unknown = sorted(set(mount) - set(known))
        if unknown:
            problems.append("%s has unknown keys %s" % (where, ", ".join(unknown)))
        try:
            options = mount_options(mount, profiles, default_options)
        except ValueError as exc:
            problems.append("%s: %s" % (where, exc))
            options = []
        point = mount["mount_point"]
        if point in seen:
            problems.append("%s: mount point %s is listed twice" % (where, point))
        seen.add(point)
        problems += ["%s: %s" % (where, why) for why in fuse_mount_problems(
            point, mount.get("alluxio_path", "/"), options, mount.get("state", "mounted"), libfuse_version,
            mount.get("jvm_options", []))]
    return problems


def derived_property_problems(host, properties, override, derived):
    """A property the roles derive, set again in alluxio_site_properties without being listed in
    alluxio_site_properties_override (it would escape every check made of its variable)."""
    if not isinstance(properties, dict):
        return ["%s: alluxio_site_properties must be a dict of Alluxio properties, got %r" % (host, properties)]
    if not isinstance(override, (list, tuple)):
        return ["%s: alluxio_site_properties_override must be a list of property keys, got %r" % (host, override)]
    return ["%s: alluxio_site_properties sets %s, which the collection derives from %s: set that variable instead "
            "(or list the key in alluxio_site_properties_override to override it on purpose)" % (host, key, derived[key])
            for key in sorted(properties) if key in derived and key not in override]


def alluxio_secret_values(*mappings):
    """The values of the keys that can hold a credential (secret, key, password, token, credential)
    in dicts such as alluxio_site_properties and alluxio_env, for file_set's secrets."""
    return secret_values(*[m for m in mappings if isinstance(m, dict)])


def alluxio_jvm_command(process, class_path, paths, option_groups=()):
    """The command that starts an Alluxio JVM (master ... proxy, fuse, format) in groups of words, one
    line each in a unit file: `| alluxio_unit_exec` there (quoted for systemd), `| flatten` for an argv.
    paths: java, home, conf_dir, log_dir (common role var _alluxio_jvm_paths)."""
    try:
        return jvm_command_lines(process, paths["java"], class_path, paths["home"], paths["conf_dir"], paths["log_dir"],
                                 option_groups)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("alluxio_jvm_command: %s" % exc)


def alluxio_fuse_jvm(memtotal_mb, metadata_cache_entries, heap, direct_memory):
    """{heap, direct_memory} of the FUSE JVMs of a host (alluxio_fuse_heap / _direct_memory, auto: sized
    from its memory, memtotal_mb, and the metadata cache); a problem preflight would name raises."""
    if "auto" in (heap, direct_memory) and not memtotal_mb:
        raise AnsibleFilterError("alluxio_fuse_jvm: the host's memory is unknown (run alnair.alluxio.host_facts first)")
    sizing = fuse_jvm_sizing(memtotal_mb or 0, int(metadata_cache_entries), heap, direct_memory)
    if sizing["problems"]:
        raise AnsibleFilterError("; ".join(sizing["problems"]))
    return {"heap": sizing["heap"], "direct_memory": sizing["direct_memory"]}


def alluxio_fuse_mount_options(mount, profiles, default_options):
    """The options of one alluxio_fuse_mounts item (its own, its profile's, or the default)."""
    try:
        return mount_options(mount, profiles, default_options)
    except ValueError as exc:
        raise AnsibleFilterError("FUSE mount %s: %s" % (mount.get("mount_point"), exc))


def alluxio_training_dir(dataset):
    """The directory name of a training dataset ({shape, files, size}): its parameters, so other
    parameters give another directory (Alluxio never holds stale metadata of a rewritten file)."""
    try:
        return "%s-%dx%d" % (dataset["shape"], int(dataset["files"]), parse_size(str(dataset["size"])))
    except (KeyError, TypeError, ValueError, SizeError) as exc:
        raise AnsibleFilterError("alluxio_training_dir expects {shape, files, size}, got %r (%s)" % (dataset, exc))


def alluxio_training_mounts(profiles, mount_root, alluxio_path):
    """The FUSE mounts the training scenario makes for its run: one per profile, at <mount_root>-<profile>."""
    return [{"mount_point": "%s-%s" % (mount_root, profile), "alluxio_path": alluxio_path, "profile": profile}
            for profile in profiles]


def alluxio_training_targets(mounts, local_dir, ufs_dir=None):
    """What a worker reads in the training scenario: each FUSE mount as it is (its own caching is what
    is measured), then the local disk and the UFS (when the host sees it) read directly, cold (pages
    dropped before every epoch) and warm (the page-cache ceiling). Each: {label, kind, cache, root}."""
    targets = [{"label": "alluxio-fuse %s" % mount["profile"], "kind": "fuse", "cache": "keep", "root": mount["mount_point"]}
               for mount in mounts]
    for kind, label, root in (("local", "local-disk", local_dir), ("ufs", "ufs", ufs_dir)):
        if root:
            targets += [{"label": "%s cold" % label, "kind": kind, "cache": "drop", "root": root},
                        {"label": "%s warm" % label, "kind": kind, "cache": "keep", "root": root}]
    return targets


def alluxio_process_model(_ignored=None):
    """The Alluxio process model (main classes, fixed ports) of module_utils/alluxio_model, for the roles."""
    return process_model()


def alluxio_hostnames(hostvars, hosts):
    """The names inventory hosts register and are reached by (alluxio_hostname, else the inventory name)."""
    return [hostvars[host]["alluxio_hostname"] if "alluxio_hostname" in hostvars[host] else host for host in hosts]


def alluxio_expected_workers(hostvars, workers, default_size):
    """{registered host name: capacity} of the inventory's workers, for the health gates."""
    expected = {}
    for host, name in zip(workers, alluxio_hostnames(hostvars, workers)):
        host_vars = hostvars[host]
        size = host_vars["alluxio_worker_mem_size"] if "alluxio_worker_mem_size" in host_vars else default_size
        expected[name] = alluxio_tier_bytes(size)
    return expected


def _is_jvm_size(value):
    """A JVM size like 512m or 8g (the process model's one parser)."""
    try:
        jvm_size_mib(value)
    except ValueError:
        return False
    return True


def problems_for(problems, host, *names):
    return any(p.startswith(host + ": " + n) for p in problems for n in names)


def alluxio_tarball_problems(url, path, sha256):
    """Problems with where the distribution comes from (checked on the controller)."""
    problems = []
    if bool(url) == bool(path):
        problems.append("set exactly one of alluxio_tarball_url and alluxio_tarball_path")
    missing = bool(path) and str(path).startswith("/") and not os.path.isfile(str(path))
    if path and not str(path).startswith("/"):
        problems.append("alluxio_tarball_path must be an absolute path on the controller, got %r" % (path,))
    elif missing:
        problems.append("alluxio_tarball_path %s does not exist on the controller (for the lab: "
                        "python3 tools/alluxio_dist.py --version <alluxio_version> builds it)" % (path,))
    if not sha256 and not missing:  # a missing file has no checksum file either: fix that first
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


BLOCK_SIZE_PROPERTY = "alluxio.user.block.size.bytes.default"
BLOCK_SIZE_DEFAULT = "64MB"  # Alluxio 2.9's default


def tier_block_problems(tiers):
    """The workers' MEM tiers must hold one whole block somewhere: Alluxio caches a block in one
    tier or not at all, so when every worker's tier is smaller than a block, reading a block that
    size fails ("No available Alluxio worker found"). One small worker is fine (the others take
    such blocks). tiers: [(worker, alluxio_worker_mem_size, its alluxio_site_properties)]."""
    small, problems = [], []
    for host, mem_size, site_properties in tiers:
        properties = site_properties if isinstance(site_properties, dict) else {}  # else named elsewhere
        value = properties.get(BLOCK_SIZE_PROPERTY, BLOCK_SIZE_DEFAULT)
        try:
            block = parse_size(value)
        except SizeError as exc:
            problems.append("%s: alluxio_site_properties %s: %s" % (host, BLOCK_SIZE_PROPERTY, exc))
            continue
        if tier_bytes(mem_size) < block:
            small.append("%s (%s)" % (host, mem_size))
    if tiers and not problems and len(small) == len(tiers):
        problems.append("every worker's alluxio_worker_mem_size is smaller than one block (%s, %s by default): %s. "
                        "A block is cached in one tier or not at all, so reading a file of a block's size would fail; "
                        "give one worker a larger tier or lower the block size"
                        % (BLOCK_SIZE_PROPERTY, BLOCK_SIZE_DEFAULT, ", ".join(small)))
    return problems


def alluxio_masters_status(cluster, quorum=None):
    """status.yml's lines about the masters: each master's role (leader, standby, not answering), its
    last applied journal entry and how far it trails the leader (cluster_info's masters, with
    journal_lag), then each journal's quorum (journal_quorum's result): its leader and every member's state."""
    lines = []
    for master in (cluster or {}).get("masters") or []:
        role = "leader" if master.get("leader") else "standby" if master.get("answered") else "NOT ANSWERING"
        line = "master %s: %s" % (master["url"], role)
        if master.get("applied_index") is not None:
            line += ", journal entry %d applied" % master["applied_index"]
            if not master.get("leader") and master.get("lag") is not None:
                line += " (%d behind the leader)" % master["lag"]
        elif master.get("answered") and "applied_index" in master:
            line += ", journal position unknown (no metrics)"
        lines.append(line + ("" if master.get("answered") else ": %s" % master.get("error")))
    for domain, info in sorted(((quorum or {}).get("quorums") or {}).items()):
        members = ", ".join("%s %s" % (m["address"], m["state"]) for m in info.get("members") or [])
        lines.append("%s quorum: leader %s; members %s" % (domain, info.get("leader") or "NONE", members or "unreadable"))
    return lines + list((quorum or {}).get("problems") or [])


def alluxio_health_table(hostvars, hosts, cluster=None, quorum=None):
    """The summary of health.yml: one line per check of every host (a host without a result
    was unreachable), then the cluster's view, and a quorum's (journal_quorum's result: its leader,
    or each problem). Failed lines start with FAIL."""
    lines = []
    for host in hosts:
        health = hostvars.get(host, {}).get("alluxio_health")
        if not health or "checks" not in health:
            lines.append("FAIL  %-14s %-34s %s" % (host, "reachable", (health or {}).get("msg", "no result: unreachable?")))
            continue
        for check in health["checks"]:
            lines.append("%s  %-14s %-34s %s" % ("ok  " if check["ok"] else "FAIL", host, check["check"], check["detail"]))
    if cluster is not None:
        if not cluster.get("reachable"):
            lines.append("FAIL  %-14s %-34s %s" % ("cluster", "master", cluster.get("msg", "not reachable")))
        else:
            live = ", ".join(w["host"] for w in cluster.get("live_workers", [])) or "none"
            lines.append("%s  %-14s %-34s %s" % ("ok  " if cluster.get("healthy") else "FAIL", "cluster",
                                                 "Alluxio %s" % cluster.get("version", "?"), "live workers: " + live))
            lines += ["FAIL  %-14s %-34s %s" % ("cluster", "master" if problem.startswith("master ") else "worker", problem)
                      for problem in cluster.get("problems", [])]
    if quorum and "quorums" in quorum:
        for domain, info in sorted(quorum["quorums"].items()):
            members = info.get("members") or []
            lines.append("%s  %-14s %-34s %s" % ("ok  " if info.get("leader") else "FAIL", "cluster", "%s quorum" % domain,
                                                 "leader %s, %d of %d members available" % (
                                                     info.get("leader"), len([m for m in members if m["state"] == "AVAILABLE"]),
                                                     len(members))))
        lines += ["FAIL  %-14s %-34s %s" % ("cluster", "quorum", problem) for problem in quorum.get("problems", [])]
    return lines


def alluxio_remediation_plan(hostvars, masters, workers, cluster, restart=False, rolling=False, outside=(),
                             remove_unintended=False):
    """What remediate.yml does, from health.yml's results (alluxio_health of each host, the
    master's cluster_info), decided from each failed check's remedy (host_health's typed records:
    restart_processes, remount_fuse, report), never from its wording. Returns {masters: {host: [why]}, workers: {host: [why]}, fuse:
    {host: [why]}, unreachable: [host], unintended: [name], report_only_problems: [line], actions:
    [line]}. A host in `masters` or `workers` restarts its processes; `fuse` remounts.
    masters and workers are the hosts in scope (--limit); `outside` are the inventory's others,
    only named. In rolling mode a restart asked for restarts the workers only (the master keeps
    serving); a broken master still restarts. Unintended workers (registered, not in the
    inventory) are only named unless remove_unintended."""
    by_name = dict(zip(alluxio_hostnames(hostvars, workers), workers))
    plan = {"masters": {}, "workers": {}, "fuse": {}, "fuse_not_in_inventory": {}, "fuse_refused": {}, "unreachable": [],
            "unintended": [],
            "report_only_problems": []}

    def add(kind, host, why):
        plan[kind].setdefault(host, []).append(why)

    cluster = cluster or {}
    master_down = not cluster.get("reachable")
    master_was_slow = not master_down and (cluster.get("waited_seconds") or 0) >= 1
    for host in list(masters) + [w for w in workers if w not in masters]:
        health = hostvars.get(host, {}).get("alluxio_health")
        if not health or "checks" not in health:
            plan["unreachable"].append(host)
            continue
        for check in health["checks"]:
            if check["ok"]:
                continue
            line = "%s: %s" % (check["check"], check["detail"])
            remedy = check.get("remedy")
            if remedy == "remount_fuse" and check.get("hung") and (master_was_slow or check.get("master_answered") is False):
                # The mount hung while the master itself did not answer: a remount would not help.
                plan["report_only_problems"].append("%s %s (FUSE was waiting for the master)" % (host, line))
            elif remedy == "remount_fuse":
                add("fuse", host, line)
            elif remedy == "restart_processes":
                if host in masters:
                    add("masters", host, line)
                if host in workers:
                    add("workers", host, line)
            else:  # report (or a check of an older host_health without a remedy): no restart helps
                plan["report_only_problems"].append("%s %s" % (host, line))
    quorum = len(masters) > 1
    master_by_name = dict(zip(alluxio_hostnames(hostvars, masters), masters))
    for url in cluster.get("unanswered_masters", []):
        host = master_by_name.get(urlparse(url).hostname)
        if host and host not in plan["unreachable"]:
            add("masters", host, "its REST API does not answer (the quorum runs on the others)")
    for master in masters:
        if master_down and master not in plan["unreachable"]:
            add("masters", master, "no master leads" if quorum else "the master's REST API does not answer")
        if restart and not rolling and master not in plan["unreachable"]:
            add("masters", master, "restart asked for")
    for name in cluster.get("missing_workers", []) + [w["host"] for w in cluster.get("lost_workers", [])]:
        host = by_name.get(name)
        if host and host not in plan["unreachable"]:
            add("workers", host, "the master does not list it live")
    plan["unintended"] = list(cluster.get("unintended_workers", []))
    for host in workers:
        if host in plan["unreachable"]:
            continue
        if plan["masters"] and not quorum:
            # One master: its restart drops every worker's registration. A quorum keeps a leader
            # (masters restart one at a time), so workers and FUSE mounts stay up.
            add("workers", host, "the master restarts")
        elif restart:
            add("workers", host, "restart asked for")
        inventory_mounts = hostvars.get(host, {}).get("alluxio_fuse_mounts") or []
        in_place = (hostvars.get(host, {}).get("alluxio_health") or {}).get("fuse_in_place") or []
        recorded, refused = split_fuse_mounts(inventory_mounts, in_place)
        if host in plan["workers"] and recorded:
            add("fuse", host, "its worker restarts")
            extra = recorded[len(inventory_mounts):]
            if extra:
                plan["fuse_not_in_inventory"][host] = ["%s (alluxio:%s)" % (m["mount_point"], m["alluxio_path"]) for m in extra]
        if refused:
            plan["fuse_refused"][host] = ["%s (%s)" % (m["mount_point"], m["why"]) for m in refused]
    for kind in ("masters", "workers", "fuse"):
        plan[kind] = dict((host, sorted(set(why))) for host, why in plan[kind].items())
    actions = []
    for host, why in sorted(plan["masters"].items()):
        actions.append("restart master and job master on %s (%s)" % (host, "; ".join(why)))
    for host, why in sorted(plan["workers"].items()):
        actions.append("restart worker and job worker on %s (%s)" % (host, "; ".join(why)))
    for host, why in sorted(plan["fuse"].items()):
        actions.append("remount FUSE on %s (%s)" % (host, "; ".join(why)))
        users = (hostvars.get(host, {}).get("alluxio_health") or {}).get("fuse_users") or {}
        for point, processes in sorted(users.items()):
            if processes:
                actions.append("  processes using %s on %s will see errors: %s" % (
                    point, host, "; ".join("pid %s %s" % (p["pid"], p["command"]) for p in processes)))
    for host, mounts in sorted(plan["fuse_not_in_inventory"].items()):
        actions.append("FUSE mounts in place on %s, not in the inventory, put back as units: %s" % (host, ", ".join(mounts)))
    for host, mounts in sorted(plan["fuse_refused"].items()):
        actions.append("FUSE processes on %s claim mounts that are not put back: %s" % (host, ", ".join(mounts)))
    actions += ["not reachable, left alone: %s" % host for host in plan["unreachable"]]
    if remove_unintended:
        actions += ["take out unintended worker %s (decommission, then stop)" % name for name in plan["unintended"]]
    else:
        actions += ["unintended worker registered: %s (left running; -e alluxio_remediate_remove_unintended=true takes it out)"
                    % name for name in plan["unintended"]]
    actions += ["not fixed by a restart: %s" % line for line in plan["report_only_problems"]]
    plan["actions"] = (actions or ["healthy: nothing to do"]) + ["outside --limit, not checked: %s" % host for host in outside]
    return plan


def split_fuse_mounts(inventory_mounts, in_place):
    """(recorded, refused): the FUSE mounts remediate.yml takes down with a worker and puts back
    (the inventory's alluxio_fuse_mounts, then those found in place at other mount points, from
    host_health's fuse_in_place, e.g. mounted by hand, with the Alluxio path and options they ran
    with), and [{mount_point, why}] of those in place that host_health refused (its refused field:
    a forged command line, a system directory, outside alluxio_fuse_mount_roots)."""
    recorded = list(inventory_mounts or [])
    known = set(mount.get("mount_point") for mount in recorded)
    refused = []
    for found in in_place or []:
        if not found.get("mount_point") or found["mount_point"] in known:
            continue
        known.add(found["mount_point"])
        if found.get("refused"):
            refused.append({"mount_point": found["mount_point"], "why": found["refused"]})
        else:
            recorded.append({"mount_point": found["mount_point"], "alluxio_path": found.get("alluxio_path") or "/",
                             "options": list(found.get("options") or [])})
    return recorded, refused


def alluxio_recorded_fuse_mounts(inventory_mounts, in_place):
    """The mounts remediate.yml puts back after a worker restart (see split_fuse_mounts)."""
    return split_fuse_mounts(inventory_mounts, in_place)[0]


class FilterModule(object):
    """alnair.alluxio filters."""

    def filters(self):
        return {
            "alluxio_bytes": alluxio_bytes,
            "alluxio_path_problem": alluxio_path_problem,
            "alluxio_bounded": alluxio_bounded,
            "alluxio_firewall_table": alluxio_firewall_table,
            "alluxio_unit_exec": alluxio_unit_exec,
            "alluxio_tier_bytes": alluxio_tier_bytes,
            "alluxio_tier_resize": alluxio_tier_resize,
            "alluxio_tier_shrink_problems": alluxio_tier_shrink_problems,
            "alluxio_system_properties": alluxio_system_properties,
            "alluxio_size_text": alluxio_size_text,
            "alluxio_properties": alluxio_properties,
            "systemd_mount_unit": systemd_mount_unit,
            "fuse_unit": fuse_unit,
            "alluxio_preflight": alluxio_preflight,
            "alluxio_tarball_problems": alluxio_tarball_problems,
            "alluxio_expected_workers": alluxio_expected_workers,
            "alluxio_hostnames": alluxio_hostnames,
            "file_identity": file_identity,
            # master host names (alluxio_hostnames) -> the quorum's address lists (more than one master).
            "alluxio_quorum_properties": quorum_properties,
            "alluxio_journal_ports": journal_ports,
            # host, port -> http://host:port (an IPv6 address in brackets).
            "alluxio_http_url": http_url,
            "alluxio_health_table": alluxio_health_table,
            "alluxio_masters_status": alluxio_masters_status,
            "alluxio_remediation_plan": alluxio_remediation_plan,
            "alluxio_recorded_fuse_mounts": alluxio_recorded_fuse_mounts,
            "alluxio_fuse_mount_options": alluxio_fuse_mount_options,
            "alluxio_fuse_jvm": alluxio_fuse_jvm,
            "alluxio_jvm_command": alluxio_jvm_command,
            "alluxio_secret_values": alluxio_secret_values,
            "alluxio_training_dir": alluxio_training_dir,
            "alluxio_training_mounts": alluxio_training_mounts,
            "alluxio_training_targets": alluxio_training_targets,
            "alluxio_process_model": alluxio_process_model,
            "alluxio_bind_address": alluxio_bind_address,
            "alluxio_bind_properties": alluxio_bind_properties,
            "alluxio_firewall_sources": alluxio_firewall_sources,
            "alluxio_listen_ports": alluxio_listen_ports,
        }
