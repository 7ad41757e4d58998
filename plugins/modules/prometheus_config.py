#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: prometheus_config
short_description: Replace a Prometheus server's configuration and rule files only after promtool accepts them
version_added: "0.2.0"
description:
  - Writes C(prometheus.yml) and the rule files it names into I(dir), as one set. The new set is
    first written to a private directory beside them and checked there with
    C(promtool check config) (which checks every rule file the configuration names); only a set
    promtool accepts replaces the files in place, each by an atomic rename. A refused set changes
    nothing, so the running server and what it would read at its next reload stay as they were.
  - Rule files this module wrote earlier (names starting with I(prefix)) that are no longer given
    are removed.
  - Reloading the server is left to the caller (the alnair.alluxio monitoring role reloads it when
    this module reports a change).
author:
  - alnair platform team (@alnair)
options:
  dir:
    description: The directory of C(prometheus.yml). Rule file names in I(config) are relative to it.
    type: path
    default: /etc/prometheus
  config:
    description: The content of C(prometheus.yml).
    type: str
    required: true
  rules:
    description:
      - Rule files, as file name (no directory, starting with I(prefix), ending in C(.yml)) and content.
    type: dict
    default: {}
  prefix:
    description: The names of the rule files this module owns in I(dir).
    type: str
    default: alnair-alluxio-
  promtool:
    description: The promtool command (Debian package C(prometheus)).
    type: path
    default: /usr/bin/promtool
  timeout:
    description: Seconds promtool may take.
    type: int
    default: 60
notes:
  - The files are written C(0644) root-owned (they hold no secret; the server reads them as its own user).
attributes:
  check_mode:
    description: Reports what would change and still checks the new set with promtool when promtool is there.
    support: full
  diff_mode:
    description: Each changed file before and after.
    support: full
"""

EXAMPLES = r"""
- name: Scrape the cluster and load its alert rules
  alnair.alluxio.prometheus_config:
    config: "{{ lookup('ansible.builtin.template', 'prometheus.yml.j2') }}"
    rules:
      alnair-alluxio-alerts.yml: "{{ lookup('ansible.builtin.file', 'alerts.yml') }}"
  register: prometheus_files

- name: Reload Prometheus for a new configuration
  ansible.builtin.systemd_service:
    name: prometheus
    state: reloaded
  when: prometheus_files is changed
"""

RETURN = r"""
changed_files:
  description: Names of the files written or removed in I(dir).
  returned: always
  type: list
  elements: str
  sample: [prometheus.yml]
checked:
  description: Whether promtool checked the new set (false only in check mode without promtool).
  returned: always
  type: bool
promtool_output:
  description: What promtool said about the new set.
  returned: when promtool ran
  type: str
"""

import os
import re
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import TIMED_OUT, bounded

CONFIG_NAME = "prometheus.yml"
_RULE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$")


def read_text(path):
    """A regular file's text, None when it is not there; a link or other type is refused."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == 2:
            return None
        raise
    with os.fdopen(fd, "rb") as handle:
        return handle.read().decode("utf-8", "replace")


def write_new(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, 0o644)


def plan(directory, config, rules, prefix):
    """(wanted {name: text}, stale [name]) for the directory as it is."""
    wanted = {CONFIG_NAME: config}
    wanted.update(rules)
    stale = []
    if os.path.isdir(directory):
        stale = sorted(n for n in os.listdir(directory)
                       if n.startswith(prefix) and _RULE_NAME_RE.match(n) and n not in rules)
    return wanted, stale


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type="path", default="/etc/prometheus"),
            config=dict(type="str", required=True),
            rules=dict(type="dict", default={}),
            prefix=dict(type="str", default="alnair-alluxio-"),
            promtool=dict(type="path", default="/usr/bin/promtool"),
            timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    params = module.params
    directory, prefix = params["dir"], params["prefix"]
    rules = dict((k, v if isinstance(v, str) else str(v)) for k, v in params["rules"].items())
    bad = [n for n in rules if not (n.startswith(prefix) and _RULE_NAME_RE.match(n))]
    if bad:
        module.fail_json(msg="rule file names must be plain names starting with %r and ending in .yml: %s"
                         % (prefix, ", ".join(sorted(bad))))
    if not os.path.isdir(directory) or os.path.islink(directory):
        module.fail_json(msg="%s is not a directory (install Prometheus first)" % directory)

    wanted, stale = plan(directory, params["config"], rules, prefix)
    try:
        current = dict((name, read_text(os.path.join(directory, name))) for name in list(wanted) + stale)
    except OSError as exc:
        module.fail_json(msg="cannot read %s: %s (a link or other non-file is not replaced)" % (exc.filename, exc.strerror))
    changed_files = sorted([n for n, text in wanted.items() if current[n] != text] + stale)
    result = dict(changed=bool(changed_files), changed_files=changed_files, checked=False)
    if module._diff:
        result["diff"] = [dict(before_header=os.path.join(directory, n), after_header=os.path.join(directory, n),
                               before=current.get(n) or "", after=wanted.get(n, "")) for n in changed_files]
    if not changed_files:
        module.exit_json(**result)

    promtool = params["promtool"]
    if not os.path.exists(promtool):
        if module.check_mode:
            module.warn("%s is not there yet: the new configuration was not checked" % promtool)
            module.exit_json(**result)
        result["changed"] = False  # a refusal changes nothing
        module.fail_json(msg="%s is not there: install the prometheus package first" % promtool, **result)

    staging = tempfile.mkdtemp(prefix=".alnair-staging-", dir=directory)
    try:
        for name, text in wanted.items():
            write_new(os.path.join(staging, name), text)
        rc, out, err = module.run_command(bounded([promtool, "check", "config", os.path.join(staging, CONFIG_NAME)],
                                                  params["timeout"]))
        output = (out + err).replace(staging + os.sep, "")
        result.update(checked=True, promtool_output=output.strip())
        # A refused set changes nothing (the list says what it would have changed).
        refused = dict(result)
        refused["changed"] = False
        if rc == TIMED_OUT:
            module.fail_json(msg="promtool check config did not return within %d s; nothing was changed" % params["timeout"],
                             **refused)
        if rc != 0:
            module.fail_json(msg="promtool refused the new configuration; nothing was changed: %s" % output.strip(), **refused)
        if not module.check_mode:
            # Rules first, the configuration that names them last: a reload between two renames
            # reads a set promtool accepted or the old one.
            for name in sorted(wanted, key=lambda n: n == CONFIG_NAME):
                if name in changed_files:
                    os.rename(os.path.join(staging, name), os.path.join(directory, name))
            for name in stale:
                os.unlink(os.path.join(directory, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
