#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ufs_mount
short_description: Mount an under storage (local or NFS directory, S3 URI...) into the Alluxio namespace
version_added: "0.1.0"
description:
  - Ensures that the Alluxio path I(alluxio_path) is a mount of I(ufs_uri) with the given
    read-only, shared and option settings, compared with the master's mount table
    (C(GET /api/v1/master/info), C(mountPoints)).
  - Different read-only, shared or options are changed in place (C(alluxio fs updateMount)); a
    different I(ufs_uri) is refused unless I(replace=true) (unmount, then mount).
  - Missing parent directories of I(alluxio_path) are created in Alluxio.
  - C(absent) unmounts with C(alluxio fs unmount). Alluxio forgets the path and its cached blocks;
    the under storage keeps its data.
  - Runs C(bin/alluxio) of I(alluxio_home) on the host (any Alluxio host, since it reads the master from
    the configuration).
author:
  - alnair platform team (@alnair)
options:
  alluxio_path:
    description: Absolute Alluxio path of the mount (not C(/)).
    type: str
    required: true
  ufs_uri:
    description: The under storage, e.g. C(/srv/nfs/imagenet), C(s3://bucket/prefix). Required with I(state=present).
    type: str
  readonly:
    description: Mount read-only.
    type: bool
    default: false
  shared:
    description: Let every Alluxio user see the mount.
    type: bool
    default: false
  options:
    description: UFS properties (C(--option key=value)), such as credentials. Their values never appear in the module's output.
    type: dict
    default: {}
  replace:
    description: When I(alluxio_path) is mounted from another UFS, unmount it and mount I(ufs_uri).
    type: bool
    default: false
  state:
    description: C(present) or C(absent).
    type: str
    choices: [present, absent]
    default: present
  alluxio_home:
    description: The Alluxio installation whose C(bin/alluxio) runs the mount commands.
    type: path
    default: /opt/alluxio/current
extends_documentation_fragment:
  - alnair.alluxio.alluxio.master_url
attributes:
  check_mode:
    description: Reads the mount table and reports what it would do.
    support: full
  diff_mode:
    description: The mount (UFS, read-only, shared, options) before and after.
    support: full
notes:
  - The values of I(options) (UFS credentials) are replaced by C(********) in every output of the module (results,
    diff, its log on the host). Alluxio 2.9's C(fs mount) takes them on its command line (seen in C(ps) on the
    master while it runs, about 2 s) and keeps them in the master's mount table; credentials that all mounts share
    can go in C(alluxio_site_properties) instead (a 0640 file, never on a command line).
"""

EXAMPLES = r"""
- name: Mount the team's NFS export of a dataset, read-only
  alnair.alluxio.ufs_mount:
    alluxio_path: /datasets/imagenet
    ufs_uri: /srv/nfs/imagenet
    readonly: true
    master_url: "http://{{ groups['alluxio_masters'][0] }}:19999"
"""

RETURN = r"""
found:
  description: The mount found at I(alluxio_path) (null when none).
  returned: always
  type: dict
  sample: {ufs_uri: /srv/nfs/imagenet, readonly: true, shared: false, options: {}}
actions:
  description: The C(alluxio fs) commands run (or, in check mode, that would run).
  returned: always
  type: list
  elements: str
  sample: ["mount --readonly /datasets/imagenet /srv/nfs/imagenet"]
"""

import posixpath

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_cluster import DEFAULT_HOME, fetch_master_info, local_master_url
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_shell import ShellError, alluxio, is_directory


def mount_table(info):
    """{alluxio path: {ufs_uri, readonly, shared, options}} from the master's info."""
    table = {}
    for path, point in (info.get("mountPoints") or {}).items():
        table[path] = {"ufs_uri": point.get("ufsUri"), "readonly": bool(point.get("readOnly")),
                       "shared": bool(point.get("shared")), "options": dict(point.get("properties") or {})}
    return table


def mount_flags(params):
    flags = []
    if params["readonly"]:
        flags.append("--readonly")
    if params["shared"]:
        flags.append("--shared")
    for key in sorted(params["options"]):
        flags += ["--option", "%s=%s" % (key, params["options"][key])]
    return flags


def plan(found, params):
    """The `alluxio fs` argument lists to run, in order; raises ValueError for a refused change."""
    path = params["alluxio_path"]
    if params["state"] == "absent":
        return [["fs", "unmount", path]] if found else []
    wanted = {"ufs_uri": params["ufs_uri"], "readonly": params["readonly"], "shared": params["shared"],
              "options": dict((k, str(v)) for k, v in params["options"].items())}
    if not found:
        return [["fs", "mount"] + mount_flags(params) + [path, params["ufs_uri"]]]
    if found["ufs_uri"].rstrip("/") != wanted["ufs_uri"].rstrip("/"):
        if not params["replace"]:
            raise ValueError("%s is already a mount of %s, not %s: set replace=true to unmount it and mount %s"
                             % (path, found["ufs_uri"], wanted["ufs_uri"], wanted["ufs_uri"]))
        return [["fs", "unmount", path], ["fs", "mount"] + mount_flags(params) + [path, params["ufs_uri"]]]
    if (found["readonly"], found["shared"], found["options"]) != (wanted["readonly"], wanted["shared"], wanted["options"]):
        return [["fs", "updateMount"] + mount_flags(params) + [path]]
    return []


def main():
    module = AnsibleModule(
        argument_spec=dict(
            alluxio_path=dict(type="str", required=True),
            ufs_uri=dict(type="str"),
            readonly=dict(type="bool", default=False),
            shared=dict(type="bool", default=False),
            options=dict(type="dict", default={}, no_log=True),
            replace=dict(type="bool", default=False),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            master_url=dict(type="str"),
            alluxio_home=dict(type="path", default=DEFAULT_HOME),
        ),
        required_if=[("state", "present", ["ufs_uri"])],
        supports_check_mode=True,
    )
    params = module.params
    master_url = params["master_url"] or local_master_url(params["alluxio_home"])
    path = params["alluxio_path"]
    if not path.startswith("/") or posixpath.normpath(path) == "/":
        module.fail_json(msg="alluxio_path %r must be an absolute Alluxio path other than /" % path)
    params["alluxio_path"] = path = posixpath.normpath(path)
    try:
        info = fetch_master_info(master_url)
    except IOError as exc:
        module.fail_json(msg="cannot read the mount table from %s: %s" % (master_url, exc))
    found = mount_table(info).get(path)
    try:
        commands = plan(found, params)
    except ValueError as exc:
        module.fail_json(msg=str(exc), found=found)
    parent = posixpath.dirname(path)
    try:
        if commands and params["state"] == "present" and parent != "/" and not is_directory(module, params["alluxio_home"], parent):
            commands.insert(0, ["fs", "mkdir", parent])
        if not module.check_mode:
            for args in commands:
                alluxio(module, params["alluxio_home"], args)
    except ShellError as exc:
        module.fail_json(msg=str(exc), found=found, actions=[" ".join(c[1:]) for c in commands])
    result = dict(changed=bool(commands), found=found, actions=[" ".join(c[1:]) for c in commands])
    if commands:
        after = None if params["state"] == "absent" else {
            "ufs_uri": params["ufs_uri"], "readonly": params["readonly"], "shared": params["shared"],
            "options": params["options"]}
        result["diff"] = {"before_header": path, "after_header": path,
                          "before": _describe(found), "after": _describe(after)}
    module.exit_json(**result)


def _describe(mount):
    if not mount:
        return "not mounted\n"
    return "".join("%s: %s\n" % (k, mount[k]) for k in sorted(mount))


if __name__ == "__main__":
    main()
