#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: file_set
short_description: Ensure a set of directories, symbolic links and small files on a host in one call
version_added: "0.1.0"
description:
  - Ensures each entry of I(files) (a directory, a symbolic link, a file with the given content,
    or nothing) with its owner, group and mode, and reports which paths it changed.
  - One call for what would otherwise be one M(ansible.builtin.file) or two
    M(ansible.builtin.template) module runs per path. Every module run starts a remote Python that
    compiles Ansible's module library again (about 0.3 s of CPU on a small host), so a role that
    converges a dozen paths per host spends most of an idempotent run starting Python.
  - Files are written to a temporary file beside the target and renamed over it, so a reader never
    sees half a file. Entries are applied in the order given; directories a file needs come first.
  - Render file content on the controller, e.g. with C(lookup('ansible.builtin.template', ...)).
author:
  - alnair platform team (@alnair)
options:
  files:
    description: The paths to ensure, in order.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      state:
        description:
          - C(file) writes I(content); C(directory) creates the directory (and missing parents, owned
            by root); C(link) points a symbolic link at I(src), replacing a link that points elsewhere;
            C(absent) removes a file, a link or an empty directory.
          - A path that exists as another kind (a directory where a link is wanted, say) is an error;
            nothing is replaced that is not of the wanted kind.
        type: str
        choices: [file, directory, link, absent]
        default: file
      content:
        description: The file's whole content, with I(state=file).
        type: str
      copy_from:
        description:
          - A file on the host whose content is wanted, with I(state=file), instead of I(content).
          - In check mode a missing I(copy_from) counts as a change (an earlier task would create it).
        type: path
      src:
        description: The link target, with I(state=link). It does not have to exist.
        type: path
      owner:
        description: User name or uid; unchanged when omitted. Not used with I(state=link).
        type: str
      group:
        description: Group name or gid; unchanged when omitted. Not used with I(state=link).
        type: str
      mode:
        description: Octal mode as a string, such as C('0644'). New files default to C(0644), new directories to C(0755).
        type: str
  secrets:
    description:
      - Values that must not appear in any output (credentials in a file's content). Each occurrence is
        replaced by C(********) in the results, the diff and the module's log on the host.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Reports what it would change and changes nothing.
    support: full
  diff_mode:
    description: One diff per changed path (content, link target, owner, group, mode).
    support: full
notes:
  - Paths are applied in order and the module stops at the first error, naming the path; the paths
    before it stay applied.
  - In check mode an owner or group that does not exist yet (the play would create it first) counts
    as a change instead of an error.
  - Contents are written to a private (0600) temporary file in the destination directory, flushed to
    disk, given its mode (and an existing file's owner) and only then renamed over the destination. AnsibleModule's
    atomic_move is not used here on purpose, it creates a new destination with the default mode
    before the module could restrict it, a moment in which a file holding credentials would be
    readable by every local user.
"""

EXAMPLES = r"""
- name: Directories, links and configuration of an Alluxio host
  alnair.alluxio.file_set:
    files:
      - {path: /opt/alluxio, state: directory, owner: root, group: alluxio, mode: "0755"}
      - {path: /opt/alluxio/current, state: link, src: /opt/alluxio/alluxio-2.9.6}
      - path: /etc/alluxio/alluxio-site.properties
        content: "{{ lookup('ansible.builtin.template', 'alluxio-site.properties.j2') }}"
        owner: root
        group: alluxio
        mode: "0640"
  register: layout

- name: Restart when the properties changed
  ansible.builtin.debug:
    msg: restart needed
  when: "'/etc/alluxio/alluxio-site.properties' in layout.changed_paths"
"""

RETURN = r"""
changed_paths:
  description: The paths that were (or, in check mode, would be) changed, in order.
  returned: always
  type: list
  elements: str
  sample: [/opt/alluxio/current]
files:
  description: What was found and done per entry.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The path.
      type: str
    state:
      description: The wanted state.
      type: str
    found:
      description: What the path was before (C(absent), C(file), C(directory), C(link) or C(other)).
      type: str
    changed:
      description: Whether this path changed.
      type: bool
    actions:
      description: What was done, e.g. C(created), C(content), C(target), C(owner), C(group), C(mode), C(removed).
      type: list
      elements: str
  sample:
    - {path: /opt/alluxio/current, state: link, found: link, changed: true, actions: [target]}
"""

import grp
import os
import pwd
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import make_directory_nofollow


class FileSetError(Exception):
    pass


def _kind(path):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "absent", None
    if stat.S_ISLNK(st.st_mode):
        return "link", st
    if stat.S_ISDIR(st.st_mode):
        return "directory", st
    if stat.S_ISREG(st.st_mode):
        return "file", st
    return "other", st


def _account_id(name, kind, check_mode):
    """The uid (kind 'user') or gid (kind 'group') of name; None when name is None; -1 when the
    account does not exist yet and only check mode asks (the play would create it first)."""
    if name is None:
        return None
    if name.isdigit():
        return int(name)
    try:
        return pwd.getpwnam(name).pw_uid if kind == "user" else grp.getgrnam(name).gr_gid
    except KeyError:
        if check_mode:
            return -1
        raise FileSetError("%s %s does not exist" % (kind, name))


def _mode(mode, path):
    if mode is None:
        return None
    try:
        value = int(mode, 8)
    except ValueError:
        value = -1
    if not 0 <= value <= 0o7777:
        raise FileSetError("mode %r of %s is not an octal mode such as '0644'" % (mode, path))
    return value


def _describe(st, kind, link_target=None):
    if st is None:
        return "absent\n"
    if kind == "link":
        return "link -> %s\n" % link_target
    return "%s owner=%s group=%s mode=%04o\n" % (kind, _name(pwd.getpwuid, st.st_uid), _name(grp.getgrgid, st.st_gid), stat.S_IMODE(st.st_mode))


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


class Applier(object):
    def __init__(self, check_mode):
        self.check_mode = check_mode

    def apply(self, entry):
        path = entry["path"]
        if not os.path.isabs(path):
            raise FileSetError("path %r is not absolute" % path)
        wanted = entry["state"]
        kind, st = _kind(path)
        result = {"path": path, "state": wanted, "found": kind, "changed": False, "actions": []}
        if kind not in ("absent", wanted) and not (wanted == "absent" and kind != "other"):
            raise FileSetError("%s is a %s, not a %s: move it away first (nothing replaced)" % (path, kind, wanted))
        handler = getattr(self, "_" + wanted)
        diff = handler(entry, path, kind, st, result)
        result["changed"] = bool(result["actions"])
        return result, diff

    # -- kinds -------------------------------------------------------------------------------------

    def _directory(self, entry, path, kind, st, result):
        before = _describe(st, kind)
        made = kind == "absent"
        if made and not self.check_mode:
            # No link followed on the way; a directory another host made meanwhile on a shared file
            # system (the lab's UFS, an NFS export) is taken as found, not as an error.
            try:
                made = make_directory_nofollow(path, _mode(entry["mode"], path) or 0o755)
            except OSError as exc:
                raise FileSetError("%s: %s" % (path, exc))
        if made:
            result["actions"].append("created")
        self._attributes(entry, path, result, new=made)
        return before

    def _file(self, entry, path, kind, st, result):
        if entry.get("copy_from"):
            try:
                with open(entry["copy_from"], "rb") as source:
                    content = source.read()
            except (IOError, OSError) as exc:
                if not self.check_mode:
                    raise FileSetError("%s: cannot read copy_from %s: %s" % (path, entry["copy_from"], exc))
                result["actions"].append("created" if kind == "absent" else "content")
                return ""
            entry["content"] = content.decode("utf-8", "surrogateescape")
        content = to_bytes(entry["content"] or "", errors="surrogate_or_strict" if not entry.get("copy_from") else "surrogateescape")
        old = b""
        if kind == "file":
            with open(path, "rb") as handle:
                old = handle.read()
        if kind == "absent" or old != content:
            result["actions"].append("created" if kind == "absent" else "content")
            if not self.check_mode:
                self._write(path, content, st, entry)
        content_changed = bool(result["actions"])
        self._attributes(entry, path, result, new=kind == "absent")
        if not content_changed:
            return _describe(st, kind)
        return old.decode("utf-8", "replace") if kind == "file" else ""

    def _link(self, entry, path, kind, st, result):
        src = entry["src"]
        current = os.readlink(path) if kind == "link" else None
        if current != src:
            result["actions"].append("created" if kind == "absent" else "target")
            if not self.check_mode:
                temp = "%s.alnair-%d" % (path, os.getpid())
                os.symlink(src, temp)
                os.rename(temp, path)
        return _describe(st, kind, current)

    def _absent(self, entry, path, kind, st, result):
        if kind == "absent":
            return "absent\n"
        before = _describe(st, kind, os.readlink(path) if kind == "link" else None)
        if kind == "directory" and os.listdir(path):
            raise FileSetError("%s is a directory that is not empty: not removed" % path)
        result["actions"].append("removed")
        if not self.check_mode:
            (os.rmdir if kind == "directory" else os.unlink)(path)
        return before

    # -- helpers -----------------------------------------------------------------------------------

    def _write(self, path, content, st, entry):
        directory = os.path.dirname(path)
        handle, temp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            # Keep the old file's attributes unless the entry names new ones.
            mode = _mode(entry["mode"], path)
            os.chmod(temp, mode if mode is not None else (stat.S_IMODE(st.st_mode) if st else 0o644))
            if st is not None:
                os.chown(temp, st.st_uid, st.st_gid)
            os.rename(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise

    def _attributes(self, entry, path, result, new):
        uid = _account_id(entry["owner"], "user", self.check_mode)
        gid = _account_id(entry["group"], "group", self.check_mode)
        mode = _mode(entry["mode"], path)
        if new and self.check_mode:
            return
        st = os.lstat(path)
        if uid is not None and uid != st.st_uid:
            result["actions"].append("owner")
        if gid is not None and gid != st.st_gid:
            result["actions"].append("group")
        if mode is not None and mode != stat.S_IMODE(st.st_mode):
            result["actions"].append("mode")
        if self.check_mode:
            return
        if "owner" in result["actions"] or "group" in result["actions"]:
            os.chown(path, uid if uid is not None else -1, gid if gid is not None else -1, follow_symlinks=False)
        if "mode" in result["actions"] or (new and mode is not None):
            os.chmod(path, mode)


def _after(entry, result):
    if result["state"] == "absent":
        return "absent\n"
    if result["state"] == "link":
        return "link -> %s\n" % entry["src"]
    if result["state"] == "file" and set(result["actions"]) & {"created", "content"}:
        return entry["content"] or ""
    return "%s owner=%s group=%s mode=%s\n" % (result["state"], entry["owner"] or "(as is)", entry["group"] or "(as is)", entry["mode"] or "(as is)")


def _validate(entries):
    for entry in entries:
        path, wanted = entry["path"], entry["state"]
        if wanted == "file" and (entry["content"] is None) == (not entry.get("copy_from")):
            raise FileSetError("%s: state=file needs content or copy_from (one of them)" % path)
        if wanted == "link" and not entry["src"]:
            raise FileSetError("%s: state=link needs src" % path)
        if wanted != "file" and (entry["content"] is not None or entry.get("copy_from")):
            raise FileSetError("%s: content and copy_from are only for state=file" % path)
        if not os.path.isabs(path):
            raise FileSetError("path %r is not absolute" % path)
        _mode(entry["mode"], path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                state=dict(type="str", default="file", choices=["file", "directory", "link", "absent"]),
                content=dict(type="str"),
                copy_from=dict(type="path"),
                src=dict(type="path"),
                owner=dict(type="str"),
                group=dict(type="str"),
                mode=dict(type="str"),
            )),
            secrets=dict(type="list", elements="str", default=[], no_log=True),
        ),
        supports_check_mode=True,
    )
    entries = module.params["files"]
    applier = Applier(module.check_mode)
    results, diffs, changed_paths = [], [], []
    try:
        # Every entry is checked before the first one is applied.
        _validate(entries)
        for entry in entries:
            result, before = applier.apply(entry)
            results.append(result)
            if result["changed"]:
                changed_paths.append(result["path"])
                diffs.append({"before_header": result["path"], "after_header": result["path"],
                              "before": before, "after": _after(entry, result)})
    except (FileSetError, OSError) as exc:
        module.fail_json(msg=to_native(exc), files=results, changed_paths=changed_paths)
    module.exit_json(changed=bool(changed_paths), changed_paths=changed_paths, files=results, diff=diffs)


if __name__ == "__main__":
    main()
