# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The Alluxio 2.x process model, written once: each process's JVM main class and the ports the
collection does not make variables of. The modules import it; the roles read it through the
filter alnair.alluxio.alluxio_process_model (common role vars)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MAIN_CLASSES = {
    "master": "alluxio.master.AlluxioMaster",
    "job_master": "alluxio.master.AlluxioJobMaster",
    "worker": "alluxio.worker.AlluxioWorker",
    "job_worker": "alluxio.worker.AlluxioJobWorker",
    "proxy": "alluxio.proxy.AlluxioProxy",
    "fuse": "alluxio.fuse.AlluxioFuse",
}
# Alluxio's defaults, which configure keeps: clients find the master at its RPC port.
MASTER_RPC_PORT = 19998
PROXY_WEB_PORT = 39999


def process_model():
    """The model as plain data, for the roles."""
    return {"main_classes": dict(MAIN_CLASSES), "master_rpc_port": MASTER_RPC_PORT, "proxy_web_port": PROXY_WEB_PORT}
