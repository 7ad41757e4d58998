# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: phases
type: notification
short_description: Print how long each phase of a playbook took
version_added: "0.3.0"
description:
  - A play that sets the play variable C(alnair_phase) (a name) is a phase. At the end of the run
    this callback prints C(PHASES) and, for each phase in order, the seconds from its play's start
    to the next play's start (or the end of the run); the phases no host was left for, on one line.
    remediate.yml marks its stages this way, so an operator sees where the time went.
  - Enable it in ansible.cfg (C(callbacks_enabled = alnair.alluxio.phases)); the collection's own
    ansible.cfg does.
author:
  - alnair platform team (@alnair)
requirements:
  - enabled in callbacks_enabled
"""

import time

from ansible.plugins.callback import CallbackBase


def phase_lines(marks, ended):
    """["  name: 12.3 s", ..., "  skipped (no hosts): a, b"] of [(name or None, started, skipped)]
    marks, one per play in order (None: a play that is not a phase, which still ends the phase
    before it)."""
    lines, skipped = [], []
    for index, (name, started, no_hosts) in enumerate(marks):
        if name is None:
            continue
        if no_hosts:
            skipped.append(name)
            continue
        until = marks[index + 1][1] if index + 1 < len(marks) else ended
        # A serial play starts once per batch: its batches are numbered.
        batch = sum(1 for other in marks[:index] if other[0] == name)
        lines.append("  %s%s: %.1f s" % (name, " (batch %d)" % (batch + 1) if batch or any(
            other[0] == name for other in marks[index + 1:]) else "", until - started))
    return lines + (["  skipped (no hosts): %s" % ", ".join(skipped)] if skipped else [])


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "alnair.alluxio.phases"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.marks = []

    def v2_playbook_on_play_start(self, play):
        name = (getattr(play, "vars", None) or {}).get("alnair_phase")
        self.marks.append([name if isinstance(name, str) and name else None, time.monotonic(), False])

    def v2_playbook_on_no_hosts_matched(self):
        if self.marks:
            self.marks[-1][2] = True

    def v2_playbook_on_stats(self, stats):
        if any(name for name, _started, _skipped in self.marks):
            self._display.display("PHASES")
            for line in phase_lines(self.marks, time.monotonic()):
                self._display.display(line)
