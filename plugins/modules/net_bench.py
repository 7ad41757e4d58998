#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: net_bench
short_description: Measure TCP throughput between two hosts (iperf3, or plain TCP where it is missing)
version_added: "0.1.0"
description:
  - The network baseline of a benchmark. I(mode=serve) starts a one-shot server on this host in
    the background (C(iperf3 -s -1), or a plain TCP sink when iperf3 is missing or I(tool=tcp))
    that ends after one client or after I(timeout) seconds; I(mode=measure) sends to it for
    I(seconds) and returns the received throughput.
  - Pass the I(tool) the server reported to the client, so both ends speak the same protocol.
  - The plain TCP measurement stops its clock when the server has counted every byte (the
    server answers the count), not when the send buffer took them.
  - A rate above the line rate of the default route's physical interface is flagged
    C(implausible). A virtual interface (the lab's veth) has no line rate.
author:
  - alnair platform team (@alnair)
options:
  mode:
    description: C(serve) on the receiving host, then C(measure) on the sending host.
    type: str
    choices: [serve, measure]
    required: true
  server:
    description: Address of the serving host (I(mode=measure)).
    type: str
  port:
    description: TCP port of the server.
    type: int
    default: 5201
  tool:
    description: C(auto) is iperf3 when installed, else plain TCP.
    type: str
    choices: [auto, iperf3, tcp]
    default: auto
  seconds:
    description: How long the client sends.
    type: int
    default: 5
  timeout:
    description: Seconds a server waits for its one client before it ends.
    type: int
    default: 120
attributes:
  check_mode:
    description: Reports which tool it would use; starts and measures nothing.
    support: full
  diff_mode:
    description: Nothing to show as a diff.
    support: none
"""

EXAMPLES = r"""
- name: One-shot server on the master
  alnair.alluxio.net_bench:
    mode: serve
  delegate_to: "{{ groups['alluxio_masters'] | first }}"
  register: server

- name: Send to it from this worker
  alnair.alluxio.net_bench:
    mode: measure
    server: "{{ hostvars[groups['alluxio_masters'] | first].ansible_host }}"
    tool: "{{ server.tool }}"
"""

RETURN = r"""
tool:
  description: The tool used (C(iperf3) or C(tcp)).
  returned: always
  type: str
pid:
  description: PID of the started server (detached; it ends after one client or I(timeout) seconds).
  returned: when a server was started
  type: int
bytes_per_sec:
  description: Received throughput (I(mode=measure)).
  returned: when measured
  type: float
bytes:
  description: Bytes received by the server.
  returned: when measured
  type: int
ns:
  description: Nanoseconds the transfer took.
  returned: when measured
  type: int
retransmits:
  description: TCP retransmits (iperf3 only).
  returned: when measured
  type: int
line_rate:
  description: The line rate checked against and where it came from.
  returned: when measured
  type: dict
  sample: {bytes_per_sec: null, source: eth0 is virtual; no line rate}
implausible:
  description: Why the rate cannot be a fact (empty when it can).
  returned: when measured
  type: list
  elements: str
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_bench import (
    BenchError, default_route_interface, line_rate, listening, parse_iperf3, plausibility, tcp_send, tcp_sink)
from ansible_collections.alnair.alluxio.plugins.module_utils.alluxio_host import read_text


def detach(run):
    """Run run() in a detached process (double fork, new session, no inherited stdio), so the
    module returns while the server waits for its client. Returns the process's PID."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child:
        os.close(write_end)
        os.waitpid(child, 0)
        with os.fdopen(read_end) as pipe:
            return int(pipe.read() or 0)
    try:
        os.close(read_end)
        os.setsid()
        if os.fork():
            os._exit(0)
        os.write(write_end, str(os.getpid()).encode())
        os.close(write_end)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        run()
    finally:
        os._exit(0)


def serve(module, tool, iperf3):
    port, timeout = module.params["port"], module.params["timeout"]
    if listening(port):
        module.fail_json(msg="TCP port %d is already in use on this host" % port, tool=tool)
    if module.check_mode:
        module.exit_json(changed=False, tool=tool, msg="would start a one-shot %s server on port %d" % (tool, port))
    if tool == "iperf3":
        # timeout(1) ends a server whose client never comes; -1: iperf3 ends after one client.
        command = [module.get_bin_path("timeout", required=True), str(timeout), iperf3, "-s", "-1", "-p", str(port)]
        pid = detach(lambda: os.execv(command[0], command))
    else:
        pid = detach(lambda: tcp_sink(port, time.time() + timeout))
    deadline = time.time() + 10
    while not listening(port):
        if time.time() > deadline:
            module.fail_json(msg="the %s server did not listen on port %d within 10 s" % (tool, port), tool=tool)
        time.sleep(0.1)
    module.exit_json(changed=True, tool=tool, pid=pid, port=port)


def measure(module, tool, iperf3):
    params = module.params
    if not params["server"]:
        module.fail_json(msg="mode=measure needs server", tool=tool)
    if module.check_mode:
        module.exit_json(changed=False, tool=tool, msg="would measure to %s with %s" % (params["server"], tool))
    started = time.time()
    try:
        if tool == "iperf3":
            rc, out, err = module.run_command([iperf3, "-c", params["server"], "-p", str(params["port"]),
                                               "-t", str(params["seconds"]), "-J"])
            if rc != 0 and not out.strip().startswith("{"):
                raise BenchError("iperf3 exited %d: %s" % (rc, (err or out).strip()[-300:]))
            found = parse_iperf3(out)
        else:
            found = tcp_send(params["server"], params["port"], params["seconds"])
    except (BenchError, OSError, ValueError, KeyError) as exc:
        module.fail_json(msg="network to %s: %s" % (params["server"], exc), tool=tool)
    rate, source = line_rate("/sys/class/net", default_route_interface(read_text("/proc/net/route")))
    reason = plausibility(found["bytes_per_sec"], None, rate)
    module.exit_json(changed=False, tool=tool, server=params["server"], started=started, ended=time.time(),
                     line_rate={"bytes_per_sec": rate, "source": source}, implausible=[reason] if reason else [],
                     **found)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            mode=dict(type="str", required=True, choices=["serve", "measure"]),
            server=dict(type="str"),
            port=dict(type="int", default=5201),
            tool=dict(type="str", default="auto", choices=["auto", "iperf3", "tcp"]),
            seconds=dict(type="int", default=5),
            timeout=dict(type="int", default=120),
        ),
        supports_check_mode=True,
    )
    iperf3 = module.get_bin_path("iperf3")
    tool = module.params["tool"]
    if tool == "auto":
        tool = "iperf3" if iperf3 else "tcp"
    if tool == "iperf3" and not iperf3:
        module.fail_json(msg="tool=iperf3, but iperf3 is not installed on this host", tool=tool)
    if module.params["mode"] == "serve":
        serve(module, tool, iperf3)
    measure(module, tool, iperf3)


if __name__ == "__main__":
    main()
