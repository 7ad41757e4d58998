# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Checks of values that need no host: preflight runs them on the controller for every host,
and the modules run the same ones again where they act (one definition of each rule)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

# Directories the collection must never chown, chmod, mount over or mount a tmpfs on.
SYSTEM_DIRS = frozenset([
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/media", "/mnt", "/opt", "/proc",
    "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/lib", "/usr/lib64", "/usr/local",
    "/usr/local/bin", "/usr/local/lib", "/usr/sbin", "/usr/share", "/var", "/var/cache", "/var/lib", "/var/log",
    "/var/run", "/var/tmp"])
FUSE_STATES = ("mounted", "unmounted", "remounted", "absent")
# Characters the FUSE unit's environment line cannot carry.
_FUSE_ARG_BAD = re.compile(r"[\s%\\\"']")
# Control characters: a line break (or a Unicode line separator) in a value written to a unit file,
# a properties file or a shell file starts a new line of that file's own syntax.
CONTROL_RE = re.compile(u"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What a path the roles write into units, shell files and properties may hold: no white space,
# quotes, backslash, % (systemd specifiers), $ or ` (expansions) or ; (a second command).
_PATH_BAD = re.compile(u"[\\s\"'\\\\%$`;\x00-\x1f\x7f-\x9f\u2028\u2029]")
# An Alluxio property key as java.util.Properties reads it unchanged: no white space, =, :, \\,
# # or ! (each ends the key, escapes a character or starts a comment), plain ASCII.
PROPERTY_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
# A shell variable name (alluxio-env.sh).
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def path_problem(value):
    """Why a directory is not acceptable (relative, not normalised, a system directory), or None."""
    if not isinstance(value, str) or not value.startswith("/"):
        return "must be an absolute path, got %r" % (value,)
    if posixpath.normpath(value) != value or value.startswith("//"):
        return "must be a normalised path (no trailing /, no . or .. or //), got %r: use %r" % (value, posixpath.normpath(value))
    if value in SYSTEM_DIRS:
        return "is the system directory %s: the roles would take it over; use a directory of its own" % value
    bad = _PATH_BAD.search(value)
    if bad:
        return ("has %r in %r: a path the roles write into unit, shell and properties files may not hold white space, "
                "control characters, quotes, \\, %%, $, ` or ;" % (bad.group(0), value))
    return None


def control_characters(value, where):
    """[(where, character)] for every string in value (nested lists and dicts, keys too) that has a
    control character or a line separator: where names the item (alluxio_env['X'], ...[2])."""
    found = []
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            found += control_characters(key, "%s key %r" % (where, key))
            found += control_characters(value[key], "%s[%r]" % (where, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += control_characters(item, "%s[%d]" % (where, index))
    elif isinstance(value, str):
        bad = CONTROL_RE.search(value)
        if bad:
            found.append((where, bad.group(0)))
    return found


def property_problems(properties):
    """Why alluxio_site_properties entries would be read by Java differently from what they say:
    keys that java.util.Properties would cut, unescape or skip, values with control characters or
    white space at an end (Properties.load drops leading white space; Alluxio trims values)."""
    problems = []
    for key in sorted(properties, key=str):
        value = properties[key]
        if not isinstance(key, str) or not PROPERTY_KEY_RE.match(key):
            problems.append("key %r is not a property key Java reads as written (letters, digits, '.', '_' and '-' "
                            "only: white space, =, :, \\, # and ! change what Java reads)" % (key,))
            continue
        if isinstance(value, (dict, list, tuple)):
            problems.append("%s: the value must be a string, number or boolean, got %r" % (key, value))
            continue
        text = "" if value is None else str(value)
        if CONTROL_RE.search(text):
            problems.append("%s: the value has a control character %r (Java would read another property)"
                            % (key, CONTROL_RE.search(text).group(0)))
        elif text != text.strip():
            problems.append("%s: the value %r has white space at an end (Java and Alluxio would not read it as written)"
                            % (key, text))
    return problems


def system_property_keys(options):
    """The keys of the -Dkey=value system properties in a list of JVM options (a word may hold several
    options when it came from an environment variable)."""
    keys = []
    for option in options if isinstance(options, (list, tuple)) else [options]:
        for word in str(option).split():
            if word.startswith("-D"):
                keys.append(word[2:].split("=", 1)[0])
    return keys


def fuse_mount_problems(mount_point, alluxio_path, options, state, libfuse_version, jvm_options=()):
    """Every reason to refuse a FUSE mount that its values alone give (no host needed)."""
    problems = []
    why = path_problem(mount_point)
    if why:
        problems.append("mount_point %s" % why)
    if not isinstance(alluxio_path, str) or not alluxio_path.startswith("/"):
        problems.append("alluxio_path %r is not an absolute Alluxio path" % (alluxio_path,))
    if state not in FUSE_STATES:
        problems.append("state %r is not one of %s" % (state, ", ".join(FUSE_STATES)))
    if not isinstance(options, (list, tuple)):
        problems.append("options must be a list, got %r" % (options,))
        options = []
    for value in [alluxio_path] + list(options):
        if not value or not isinstance(value, str) or _FUSE_ARG_BAD.search(value):
            problems.append("%r: empty, or with white space, quotes, %% or \\ (not supported in the FUSE arguments)" % (value,))
    for option in options:
        if isinstance(option, str) and "," in option:
            problems.append("option %r: give one option per list item" % option)
    if state in ("mounted", "remounted") and libfuse_version == 3 and "direct_io" in options:
        problems.append("option direct_io is refused by libfuse 3 as a mount option (use libfuse_version 2, or drop it)")
    if not isinstance(jvm_options, (list, tuple)):
        problems.append("jvm_options must be a list, got %r" % (jvm_options,))
        jvm_options = []
    for option in jvm_options:
        # One word each, as systemd splits $ALLUXIO_FUSE_JAVA_OPTS at white space.
        if not isinstance(option, str) or not option.startswith("-") or _FUSE_ARG_BAD.search(option):
            problems.append("jvm_options item %r: a JVM option starts with - and has no white space, quotes, %% or \\" % (option,))
    return problems


# A property or environment name that can hold a credential: its value is kept out of every
# output (module results, --diff, the hosts' journals).
SECRET_KEY_RE = re.compile(r"secret|key|password|passwd|token|credential", re.I)


def secret_values(*mappings):
    """The values (as text) of every key that can hold a credential, in the mappings given."""
    found = []
    for mapping in mappings:
        for key, value in sorted((mapping or {}).items()):
            if SECRET_KEY_RE.search(str(key)) and value not in (None, "") and str(value) not in found:
                found.append(str(value))
    return found


# The profile of a mount that names none: today's behaviour, alluxio_fuse_default_options.
DEFAULT_FUSE_PROFILE = "writable"


def mount_options(mount, profiles, default_options):
    """The options a FUSE mount item gets: its own options, else its profile's (alluxio_fuse_profiles),
    else alluxio_fuse_default_options (the writable profile); read_only: true adds ro to them (the
    kernel then refuses every change, to root too), read_only: false refuses options with ro. An
    unknown profile or a read_only that is not a boolean raises ValueError."""
    read_only = mount.get("read_only")
    if read_only is not None and not isinstance(read_only, bool):
        raise ValueError("read_only must be true or false, got %r" % (read_only,))
    if "options" in mount:
        options = mount["options"]
    else:
        profile = mount.get("profile", DEFAULT_FUSE_PROFILE)
        if profile in (profiles or {}):
            options = profiles[profile]
        elif profile == DEFAULT_FUSE_PROFILE:
            options = default_options
        else:
            raise ValueError("profile %r is not one of alluxio_fuse_profiles (%s)"
                             % (profile, ", ".join(sorted(set(profiles or {}) | set([DEFAULT_FUSE_PROFILE])))))
    if read_only and "ro" not in options:
        return list(options) + ["ro"]
    if read_only is False and "ro" in options:
        raise ValueError("read_only is false, but its options have ro (a read-only mount)")
    return options


def put_back_refusal(mount_point, roots, mounted, owned_by_user):
    """Why a FUSE mount found in place (read from a process's command line, which anyone running
    as the alluxio user can forge) must not be put back as a unit, or None. Its mount point must
    not be a system directory, must be under one of roots, and must be an Alluxio FUSE mount now
    or a directory the alluxio user owns already (nothing is ever chowned for it)."""
    why = path_problem(mount_point)
    if why:
        return "mount point %s" % why
    if not any(mount_point == root or mount_point.startswith(root.rstrip("/") + "/") for root in roots):
        return "not under alluxio_fuse_mount_roots (%s)" % ", ".join(roots)
    if not mounted and not owned_by_user:
        return "no Alluxio FUSE mount there, and the directory is not the alluxio user's"
    return None
