# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: progress
type: notification
short_description: Print the progress line of polled alnair.alluxio tasks
version_added: "0.1.0"
description:
  - A task that polls with C(until) shows only "FAILED - RETRYING" between its tries. When a result
    carries a C(progress) string (M(alnair.alluxio.cache_info) does), this callback prints it at
    each try and at the end, so a long load shows how far it got.
  - Enable it in ansible.cfg (C(callbacks_enabled = alnair.alluxio.progress)); the collection's
    own ansible.cfg does.
author:
  - alnair platform team (@alnair)
requirements:
  - enabled in callbacks_enabled
"""

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "alnair.alluxio.progress"
    CALLBACK_NEEDS_ENABLED = True

    def _show(self, result, final):
        progress = result._result.get("progress")
        if isinstance(progress, str) and progress:
            self._display.display("  %s [%s] %s" % ("done:" if final else "progress:", result._host.get_name(), progress))

    def v2_runner_retry(self, result):
        self._show(result, final=False)

    def v2_runner_on_ok(self, result):
        self._show(result, final=True)
