"""A planted credential stays secret: file_set (configuration files) and ufs_mount (UFS options)
never show it in their results, --diff or -vvv output, nor in the host's journal; the files that
hold it are written with it, readable by root and the alluxio group only."""
import time

import labnet
from labkit import adhoc, on

SECRET = "PLANTED-7f3a9c1e"
PROPERTIES = "/etc/alluxio/alnair-secret-test.properties"


def test_a_planted_secret_is_nowhere_in_the_outputs(cluster):
    since = on("lab-master", "date '+%Y-%m-%d %H:%M:%S'").stdout.strip()
    time.sleep(1)
    outputs = []
    try:
        res = adhoc("lab-master", "alnair.alluxio.file_set",
                    {"files": [{"path": PROPERTIES, "content": f"fs.s3a.secret.key={SECRET}\n", "owner": "root",
                                "group": "alluxio", "mode": "0640"}], "secrets": [SECRET]}, "--diff", "-vvv")
        outputs.append(res.stdout)
        assert res.results["lab-master"][0] == "CHANGED"
        assert on("lab-master", f"stat -c '%U:%G %a' {PROPERTIES} && grep -c {SECRET} {PROPERTIES}").stdout.split() == [
            "root:alluxio", "640", "1"]
        on("lab-master", f"mkdir -p {labnet.SHARED_MOUNT}/secret-test && chown alluxio: {labnet.SHARED_MOUNT}/secret-test")
        for state in ("present", "absent"):
            res = adhoc("lab-master", "alnair.alluxio.ufs_mount",
                        {"alluxio_path": "/secret-test", "ufs_uri": f"{labnet.SHARED_MOUNT}/secret-test",
                         "options": {"s3a.secretKey": SECRET}, "state": state}, "--diff", "-vvv")
            outputs.append(res.stdout)
            assert res.results["lab-master"][0] == "CHANGED", res.stdout[-3000:]
    finally:
        on("lab-master", f"rm -f {PROPERTIES}")
    assert all(SECRET not in out for out in outputs)
    assert any("********" in out for out in outputs)
    # Modules log their arguments there (through syslog or python3-systemd, where the host has one).
    journal = on("lab-master", f"journalctl --since '{since}' --no-pager -o cat").stdout
    assert SECRET not in journal
    # Not vacuous: the modules' own log lines of this test are in it (Python's syslog to journald).
    assert "Invoked with" in journal and "secret-test" in journal
