"""master_backup: reading `alluxio fsadmin backup`'s report, and which backups the retention keeps."""
import pytest

from ansible_collections.alnair.alluxio.plugins.modules.master_backup import parse_backup_report, to_remove, uri_path

# As 2.9.6 printed it on the 3-master lab (the progress line is overwritten with carriage returns).
REPORT = ("\r                                  Backup state: Initiating          \r"
          "Backup Host        : lab-master\n"
          "Backup URI         : file:///var/lib/alluxio/backups/alluxio-backup-2026-12-06-1796593949046.gz\n"
          "Backup Entry Count : 37\n")


def test_the_report_of_2_9_6():
    report = parse_backup_report(REPORT)
    assert report == {"host": "lab-master", "entry_count": 37,
                      "uri": "file:///var/lib/alluxio/backups/alluxio-backup-2026-12-06-1796593949046.gz"}
    assert uri_path(report["uri"]) == "/var/lib/alluxio/backups/alluxio-backup-2026-12-06-1796593949046.gz"


def test_no_report_is_an_error():
    with pytest.raises(ValueError):
        parse_backup_report("Backup state: Failed\nCaused by: UNAVAILABLE: no leader\n")


NAMES = ["alluxio-backup-2026-12-04-1000.gz", "alluxio-backup-2026-12-04-1000.gz.complete",
         "alluxio-backup-2026-12-06-3000.gz", "alluxio-backup-2026-12-05-2000.gz",
         "notes.txt", "alluxio-backup-2026-12-06-3000.gz.partial"]


@pytest.mark.parametrize("keep,removed", [
    (0, []),                                              # keep all
    (1, ["alluxio-backup-2026-12-05-2000.gz", "alluxio-backup-2026-12-04-1000.gz"]),
    (2, ["alluxio-backup-2026-12-04-1000.gz"]),
    (5, []),
])
def test_retention_removes_only_the_oldest_backups(keep, removed):
    """Newest by the milliseconds in the name; other files (markers, notes, partial) are never chosen."""
    assert to_remove(NAMES, keep) == removed
