"""The lab integration tier: real hosts (systemd-nspawn), real SSH, real Alluxio.

The session starts from a fresh lab: a lab an earlier run left behind (a crash, a killed
run, `make deploy`) still holds that run's installs and enabled services, so it is taken
down first. The session always takes the lab down at the end, also when a test fails.
Tests that take the lab down themselves call `lab_up()` again afterwards.
"""
import os
import sys

import pytest

from labkit import ALLUXIO_VERSION, INVENTORY, LAB_STATE, REPO, lab_down, lab_up, run


@pytest.fixture(scope="session")
def lab():
    if os.geteuid() != 0:
        pytest.fail("the lab integration tests run as root (CI does)")
    if LAB_STATE.exists():
        print(f"\n[lab] an earlier lab is there ({LAB_STATE}): taking it down for a fresh one", file=sys.stderr)
        lab_down()
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
