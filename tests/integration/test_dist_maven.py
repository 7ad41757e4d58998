"""The distribution builder against the real Maven Central: a bad version names the artifact."""
import subprocess
import sys

from labkit import REPO


def test_unresolvable_version_names_the_artifact_and_leaves_nothing(tmp_path):
    out = tmp_path / "dist"
    res = subprocess.run([sys.executable, str(REPO / "tools" / "alluxio_dist.py"), "--version", "2.9.99",
                          "--output-dir", str(out)], capture_output=True, text=True, timeout=600, check=False)
    assert res.returncode == 2
    assert "Maven could not resolve org.alluxio:alluxio-" in res.stderr and "2.9.99" in res.stderr, res.stderr
    assert list(out.iterdir()) == [], "no partial tarball, no temporary directory"
