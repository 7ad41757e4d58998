"""The lab integration tier: real hosts (systemd-nspawn), real SSH, real Alluxio.

The session brings the lab up once (harmless when already up) and always takes it
down at the end, also when a test fails. Tests that take the lab down themselves
call `lab_up()` again afterwards.
"""
import os
import sys

import pytest

from labkit import ALLUXIO_VERSION, INVENTORY, REPO, lab_down, lab_up, run


@pytest.fixture(scope="session")
def lab():
    if os.geteuid() != 0:
        pytest.fail("the lab integration tests run as root (CI does)")
    lab_up()
    yield INVENTORY
    lab_down()


@pytest.fixture(scope="session")
def tarball():
    """The Alluxio distribution, built from Maven Central once and cached."""
    res = run([sys.executable, str(REPO / "tools" / "alluxio_dist.py"), "--version", ALLUXIO_VERSION])
    path = res.stdout.strip().splitlines()[-1]
    assert path.endswith(f"alluxio-{ALLUXIO_VERSION}-bin.tar.gz")
    return path
