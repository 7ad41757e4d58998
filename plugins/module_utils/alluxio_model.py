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
# The log4j appender each process picks (the distribution's conf/log4j.properties); the journal
# format writes to the console.
LOGGERS = {
    "master": "MASTER_LOGGER",
    "job_master": "JOB_MASTER_LOGGER",
    "worker": "WORKER_LOGGER",
    "job_worker": "JOB_WORKER_LOGGER",
    "proxy": "PROXY_LOGGER",
    "fuse": "FUSE_LOGGER",
    "format": "Console",
    "getconf": "Console",
}
# Commands run once, not services: the journal format, and the value of a property as Alluxio itself
# resolves it (site file, -D options, defaults): the journal guard asks it for the journal folder.
CLI_MAIN_CLASSES = {
    "format": "alluxio.cli.Format",
    "getconf": "alluxio.cli.GetConf",
}
# Alluxio's defaults, which configure keeps: clients find the master at its RPC port.
MASTER_RPC_PORT = 19998
MASTER_WEB_PORT = 19999
PROXY_WEB_PORT = 39999
# What a module run on the master itself asks when it is given no URL (the master's web port).
LOCAL_MASTER_URL = "http://localhost:%d" % MASTER_WEB_PORT
# Every TCP port an Alluxio 2.9 server process can listen on, by property, with its default. The
# collection's firewall admits them only from the cluster's hosts (alluxio_site_properties may
# move one: listen_ports reads the final properties).
LISTEN_PORT_PROPERTIES = {
    "alluxio.master.rpc.port": MASTER_RPC_PORT,
    "alluxio.master.web.port": MASTER_WEB_PORT,
    "alluxio.master.embedded.journal.port": 19200,
    "alluxio.job.master.rpc.port": 20001,
    "alluxio.job.master.web.port": 20002,
    "alluxio.job.master.embedded.journal.port": 20003,
    "alluxio.worker.rpc.port": 29999,
    "alluxio.worker.web.port": 30000,
    "alluxio.job.worker.rpc.port": 30001,
    "alluxio.job.worker.data.port": 30002,
    "alluxio.job.worker.web.port": 30003,
    "alluxio.proxy.web.port": PROXY_WEB_PORT,
    "alluxio.logserver.port": 45600,
    "alluxio.fuse.web.port": 49999,
}
# The address each server binds its listeners to (Alluxio 2.9's bind-host properties; default
# 0.0.0.0, every address of the host). The embedded journal ports have none in 2.9: they listen
# on every address whatever these say (seen on the lab), and only the firewall guards them.
BIND_HOST_PROPERTIES = (
    "alluxio.master.bind.host",
    "alluxio.master.web.bind.host",
    "alluxio.job.master.bind.host",
    "alluxio.job.master.web.bind.host",
    "alluxio.worker.bind.host",
    "alluxio.worker.web.bind.host",
    "alluxio.job.worker.bind.host",
    "alluxio.job.worker.web.bind.host",
    "alluxio.proxy.web.bind.host",
    "alluxio.fuse.web.bind.host",
)


def jvm_command_lines(process, java, class_path, home, conf_dir, log_dir, option_groups=()):
    """The command that starts an Alluxio JVM, as the distribution's bin/launch-process builds it,
    in groups of words (one line each in a unit file): java, each non-empty group of JVM options,
    the class path, the system properties, the main class. Written once for the service units,
    the FUSE unit, the journal format and getconf (the roles call it through the filter alluxio_jvm_command)."""
    if process not in LOGGERS:
        raise ValueError("unknown Alluxio process %r (one of %s)" % (process, ", ".join(sorted(LOGGERS))))
    main_class = CLI_MAIN_CLASSES.get(process) or MAIN_CLASSES[process]
    properties = ["-Dalluxio.home=%s" % home, "-Dalluxio.conf.dir=%s" % conf_dir, "-Dalluxio.logs.dir=%s" % log_dir,
                  "-Dalluxio.user.logs.dir=%s/user" % log_dir, "-Dlog4j.configuration=file:%s/log4j.properties" % conf_dir,
                  "-Dalluxio.logger.type=%s" % LOGGERS[process], "-Djava.net.preferIPv4Stack=true"]
    return ([[java]] + [list(group) for group in option_groups if group] + [["-cp", class_path]]
            + [[prop] for prop in properties] + [[main_class]])


def process_model():
    """The model as plain data, for the roles."""
    return {"main_classes": dict(MAIN_CLASSES), "master_rpc_port": MASTER_RPC_PORT, "proxy_web_port": PROXY_WEB_PORT,
            "master_web_port": MASTER_WEB_PORT}


# The FUSE JVM, sized from the host (BENCHMARKS.md, "FUSE JVM": tools/measure.py fuseheap and
# fusejvm). Its live heap is a base plus its client metadata cache: 1,221 bytes per cached entry
# (medians of 3, 2,000 to 100,000 entries). Heaps of 256m, 1g and 4g read alike (GC pauses
# 17-55 ms in 15 s of reads), and so do G1, Parallel and Serial: the JVM keeps its collector.
FUSE_HEAP_BASE_MIB = 24
FUSE_HEAP_BYTES_PER_ENTRY = 1221
FUSE_HEAP_MIN_MIB = 256
# Direct memory is a cap (4 MiB in use after 4 readers' epochs of small files and shards, NMT):
# 1/16 of the host, between these bounds (the upper one is the distribution script's default).
FUSE_DIRECT_MIN_MIB = 256
FUSE_DIRECT_MAX_MIB = 4096
_JVM_SIZE_MIB = {"k": 1.0 / 1024, "m": 1, "g": 1024, "t": 1024 * 1024}


def jvm_size_mib(value):
    """MiB of a JVM size (512m, 8g, 1048576k; a bare number is bytes); ValueError when not one."""
    text = str(value).strip().lower()
    unit = text[-1:] if text[-1:] in _JVM_SIZE_MIB else ""
    number = text[:-1] if unit else text
    if not number.isdigit() or int(number) == 0:
        raise ValueError("%r is not a JVM size like 512m or 8g" % (value,))
    return int(number) * _JVM_SIZE_MIB[unit] if unit else int(number) / (1024.0 * 1024)


def fuse_jvm_sizing(memtotal_mib, metadata_cache_entries, heap="auto", direct_memory="auto"):
    """The FUSE JVM's -Xmx/-Xms and -XX:MaxDirectMemorySize for a host, and what is wrong with them.

    auto heap: twice the live heap the metadata cache of metadata_cache_entries needs (room for the
    collector), in steps of 64 MiB, at least FUSE_HEAP_MIN_MIB. auto direct memory: 1/16 of the host
    within FUSE_DIRECT_MIN_MIB..FUSE_DIRECT_MAX_MIB. Given values are kept. A heap below the live
    need, or an auto heap above 1/8 of the host, is a problem (a sentence). Returns
    {"heap": "576m", "direct_memory": "1472m", "live_mib": 257, "problems": [...]}.
    """
    problems = []
    live = FUSE_HEAP_BASE_MIB + int(metadata_cache_entries) * FUSE_HEAP_BYTES_PER_ENTRY / (1024.0 * 1024)
    if heap == "auto":
        heap_mib = max(FUSE_HEAP_MIN_MIB, -(-int(2 * live) // 64) * 64)
        heap = "%dm" % heap_mib
        if heap_mib > memtotal_mib / 8:
            problems.append("the FUSE heap its metadata cache needs (%s for alluxio_fuse_metadata_cache_entries %d) is more "
                            "than 1/8 of the host's %d MiB: lower the entries or set alluxio_fuse_heap"
                            % (heap, metadata_cache_entries, memtotal_mib))
    else:
        try:
            if jvm_size_mib(heap) < live:
                problems.append("alluxio_fuse_heap %s is below the %.0f MiB the FUSE metadata cache of %d entries keeps live "
                                "(alluxio_fuse_metadata_cache_entries)" % (heap, live, metadata_cache_entries))
        except ValueError as exc:
            problems.append("alluxio_fuse_heap: %s" % exc)
    if direct_memory == "auto":
        direct_memory = "%dm" % min(FUSE_DIRECT_MAX_MIB, max(FUSE_DIRECT_MIN_MIB, int(memtotal_mib / 16) // 64 * 64))
    else:
        try:
            jvm_size_mib(direct_memory)
        except ValueError as exc:
            problems.append("alluxio_fuse_direct_memory: %s" % exc)
    return {"heap": heap, "direct_memory": direct_memory, "live_mib": int(round(live)), "problems": problems}
