"""Faults injected into the lab (host, shell command run there as root), shared by the remediate
tests and tools/measure.py's `faults` timing, so both break the cluster the same way."""

# The lab workers' one FUSE mount, /mnt/alluxio-fuse (inventories/lab), as its systemd unit.
FUSE_UNIT = "alluxio-fuse@mnt-alluxio\\x2dfuse.service"
# Every long-running process of the default lab, (host, unit): a test that must restart nothing
# (or one process alone) compares their MainPIDs before and after.
CLUSTER_UNITS = ([(name, unit) for name in ("lab-worker1", "lab-worker2")
                  for unit in ("alluxio-worker.service", "alluxio-job-worker.service", FUSE_UNIT)]
                 + [("lab-master", "alluxio-master.service"), ("lab-master", "alluxio-job-master.service")])
KILL = "kill -9 $(systemctl show -p MainPID --value {})"

FOUR_AT_ONCE = "four at once: worker and job worker killed, ramdisk and FUSE gone on the other, master killed"

# Faults injected together; each repair path of remediate.yml runs once. Which fault leads to
# which restart is table-tested in tests/unit (test_remediation_plan_table).
FAULTS = {
    "worker side: FUSE JVM killed (stale mount) on one worker, ramdisk unmounted on the other": [
        ("lab-worker2", f"systemctl kill -s KILL '{FUSE_UNIT}'"),
        ("lab-worker1", "umount -l /mnt/ramdisk"),
    ],
    # The four faults at once (issue 14): the master restarts, and with it everything.
    FOUR_AT_ONCE: [
        ("lab-worker1", KILL.format("alluxio-worker.service") + " && " + KILL.format("alluxio-job-worker.service")),
        ("lab-worker2", "umount -l /mnt/ramdisk && " + f"systemctl kill -s KILL '{FUSE_UNIT}'"),
        ("lab-master", KILL.format("alluxio-master.service")),
    ],
}
