#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: node_textfile
short_description: Write one file of Prometheus metrics for node exporter's textfile collector, never through a link
version_added: "0.1.0"
description:
  - Writes I(content) (Prometheus' text format) as I(dir)/I(name), which node exporter's textfile
    collector serves with its own metrics; health.yml writes its checks this way.
  - The file is written to a temporary file in the same directory and renamed over the old one,
    so node exporter never reads half a file.
  - Root never follows a symbolic link here. Debian gives the C(prometheus) user
    C(/var/lib/prometheus), the parent of the textfile directory, so that user could swap the
    directory for a link; every component of I(dir) is opened without following links, and the
    file is created and renamed relative to that directory's descriptor. A link in the path, or a
    link or anything but a plain file at I(name), is refused and nothing is written.
  - The content is compared, not the time. An unchanged file is left alone and reported unchanged.
author:
  - alnair platform team (@alnair)
options:
  dir:
    description: The textfile collector's directory (C(--collector.textfile.directory)); it must exist.
    type: path
    default: /var/lib/prometheus/node-exporter
  name:
    description: The file's name in I(dir); node exporter reads only names ending in C(.prom).
    type: str
    required: true
  content:
    description: The metrics in Prometheus' text format, with I(state=present).
    type: str
  state:
    description: C(present) writes the file, C(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Reports what it would write or remove, and changes nothing.
    support: full
  diff_mode:
    description: The old and the new content.
    support: full
"""

EXAMPLES = r"""
- name: Leave health.yml's checks for node exporter
  alnair.alluxio.node_textfile:
    name: alnair_alluxio_health.prom
    content: "{{ inventory_hostname | alnair.alluxio.alluxio_health_textfile(alluxio_health.checks) }}"
"""

RETURN = r"""
path:
  description: The file written or removed.
  returned: always
  type: str
  sample: /var/lib/prometheus/node-exporter/alnair_alluxio_health.prom
"""

import errno
import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import open_directory_nofollow, write_file_atomically


class TextfileError(Exception):
    pass


def read_current(dir_fd, name):
    """The file's bytes, or None when there is none. A link or anything but a plain file is refused."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None
        if exc.errno == errno.ELOOP:
            raise TextfileError("%s is a symbolic link: not followed, nothing written" % name)
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise TextfileError("%s is not a plain file: nothing written" % name)
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type="path", default="/var/lib/prometheus/node-exporter"),
            name=dict(type="str", required=True),
            content=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ["content"])],
        supports_check_mode=True,
    )
    directory, name, state = module.params["dir"], module.params["name"], module.params["state"]
    path = os.path.join(directory, name)
    if "/" in name or name.startswith(".") or not name.endswith(".prom"):
        module.fail_json(msg="name %r must be a plain file name ending in .prom (node exporter reads only those)" % name, path=path)
    try:
        dir_fd, _made = open_directory_nofollow(directory)
    except FileNotFoundError:
        module.fail_json(msg="%s does not exist: is prometheus-node-exporter installed (site.yml installs it "
                             "when the inventory has alluxio_monitoring hosts)?" % directory, path=path)
    except OSError as exc:
        module.fail_json(msg="cannot open %s: %s" % (directory, exc.strerror or exc), path=path)
    try:
        old = read_current(dir_fd, name)
        new = to_bytes(module.params["content"] or "") if state == "present" else None
        changed = old != new
        if changed and not module.check_mode:
            if new is None:
                os.unlink(name, dir_fd=dir_fd)
            else:
                write_file_atomically(dir_fd, name, new, 0o644)  # readable by node exporter
    except TextfileError as exc:
        module.fail_json(msg="%s: %s" % (directory, exc), path=path)
    except OSError as exc:
        module.fail_json(msg="cannot write %s: %s" % (path, exc), path=path)
    finally:
        os.close(dir_fd)
    diff = {"before_header": path, "after_header": path,
            "before": (old or b"").decode("utf-8", "replace") if old is not None else "",
            "after": new.decode("utf-8", "replace") if new is not None else ""}
    module.exit_json(changed=changed, path=path, diff=diff if changed else {})


if __name__ == "__main__":
    main()
