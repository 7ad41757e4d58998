"""The lab integration tier: real hosts (systemd-nspawn), real SSH, real Alluxio, one lab session.

The lab is brought up once and converged once (`cluster`), by site.yml from the collection as
users install it (built with ansible-galaxy, installed into an empty collections path). Every
module after that shares it. A test that breaks something restores it before it ends (remediate,
site.yml, a reboot); the tests that must destroy run last (the stray fourth worker) or before
the session lab exists (the lab's own lifecycle). Module order is fixed here, not by file names.

The session starts from a fresh lab: one an earlier run left behind (a crash, a killed run,
`make deploy`) still holds that run's installs, so it is taken down first. The session always
takes the lab down at the end, also when a test fails.
"""
import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

from labkit import ALLUXIO_VERSION, LAB_STATE, REPO, lab_down, lab_up, playbook, run

# The order of the lab modules: first what needs no lab or takes it down itself, then the
# shared session (read-only modules first, then those that break and restore), destroyers last.
MODULE_ORDER = [
    "test_lab.py",                  # up/down lifecycle, bullseye: before the session lab exists
    "test_dist_maven.py",           # no lab
    "test_installed_collection.py",  # the converge itself, from the installed collection; health.yml
    "test_molecule.py",             # testinfra verify of the converge as it is (before test_site's variants)
    "test_monitoring.py",           # while no test has restarted anything yet (its alerts count restarts)
    "test_site.py",
    "test_dataset.py",
    "test_bench.py",
    "test_fuse.py",
    "test_remediate.py",
    "test_site_changes.py",         # property and version changes, a port taken: restored by site.yml
    "test_secrets.py",
    "test_network.py",              # a fourth host comes up outside the inventory (the outsider)
    "test_remediate_unintended.py",  # the fourth host joins
    "test_quorum.py",               # a lab of its own (3 masters): the session lab is taken down first
]


def pytest_collection_modifyitems(items):
    def rank(item):
        name = Path(str(item.fspath)).name
        if "/tests/integration/" not in str(item.fspath):
            return (-1, 0)  # unit and lint tiers keep their place, before the lab
        return (MODULE_ORDER.index(name) if name in MODULE_ORDER else len(MODULE_ORDER), 0)
    items.sort(key=rank)  # stable: the order inside a module is kept


@pytest.fixture(scope="session")
def lab():
    if os.geteuid() != 0:
        pytest.fail("the lab integration tests run as root (CI does)")
    if LAB_STATE.exists():
        print(f"\n[lab] a lab is there ({LAB_STATE}): taking it down for a fresh one", file=sys.stderr)
        lab_down()
    lab_up()
    yield
    lab_down()


@pytest.fixture(scope="session")
def tarball():
    """The Alluxio distribution, built from Maven Central once and cached."""
    res = run([sys.executable, str(REPO / "tools" / "alluxio_dist.py"), "--version", ALLUXIO_VERSION])
    path = res.stdout.strip().splitlines()[-1]
    assert path.endswith(f"alluxio-{ALLUXIO_VERSION}-bin.tar.gz")
    return path


@pytest.fixture(scope="session")
def installed_collection():
    """The collection as a user gets it: `ansible-galaxy collection build`, then `install` of that
    tarball into an empty collections path (run outside the checkout, whose ansible.cfg already
    lists the checkout as the collection). Returns the environment that makes Ansible use it."""
    with tempfile.TemporaryDirectory(prefix="alnair-installed-") as tmp:
        built = run(["ansible-galaxy", "collection", "build", "--output-path", tmp, str(REPO)])
        tarballs = sorted(Path(tmp).glob("alnair-alluxio-*.tar.gz"))
        assert len(tarballs) == 1, built.stdout
        tarball = tarballs[0]
        path = Path(tmp) / "collections"
        env = {"ANSIBLE_COLLECTIONS_PATH": str(path)}
        empty_config = Path(tmp) / "ansible.cfg"
        empty_config.write_text("")
        run(["ansible-galaxy", "collection", "install", "-p", str(path), str(tarball)], cwd=tmp,
            env=dict(env, ANSIBLE_CONFIG=str(empty_config)))
        root = path / "ansible_collections" / "alnair" / "alluxio"
        assert (root / "MANIFEST.json").is_file(), built.stdout
        yield {"env": env, "root": root, "tarball": tarball}


@pytest.fixture(scope="session")
def cluster(lab, tarball, installed_collection):
    """The session's one converge: site.yml of the installed collection on the fresh lab."""
    started = time.monotonic()
    res = playbook("alnair.alluxio.site", env=installed_collection["env"])
    # ended: the wall clock (Prometheus' time) when site.yml returned.
    return {"seconds": time.monotonic() - started, "run": res, "ended": time.time()}
