"""Static checks: yamllint, ansible-lint (production profile), ansible-test sanity."""
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import ansible_cores

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"


def check(cmd, cwd=REPO, timeout=1200):
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", ANSIBLE_FORCE_COLOR="0", NO_COLOR="1")
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    assert res.returncode == 0, f"{' '.join(cmd)}\n{res.stdout[-8000:]}\n{res.stderr[-4000:]}"
    return res


def test_yamllint():
    check([str(BIN / "yamllint"), "--strict", "."])


def test_ansible_lint_production_profile():
    check([str(BIN / "ansible-lint"), "--profile", "production", "--nocolor"])


def test_ansible_test_sanity():
    sanity(BIN)


def sanity(bin_dir):
    """ansible-test sanity of a venv's ansible-core; it needs the tree at ansible_collections/alnair/alluxio:
    test a copy there."""
    check([str(bin_dir / "python"), str(REPO / "tools" / "ansible_test_pip.py")])
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    # tools/ are controller scripts, not collection content.
    files = [f for f in files if not f.startswith("tools/") and (REPO / f).is_file()]
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "ansible_collections" / "alnair" / "alluxio"
        for rel in files:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, dest / rel)
        subprocess.run(["git", "init", "-q", "."], cwd=dest, check=True)
        check([str(bin_dir / "ansible-test"), "sanity", "--python", f"{sys.version_info.major}.{sys.version_info.minor}",
               "--skip-test", "shellcheck", "--color", "no"], cwd=dest)


# The supported ansible-core releases (requirements.txt's range): the main venv's runs every tier; each
# other one runs the unit tests and sanity in a venv of its own (tools/ansible_cores.py, cached).
SUPPORTED = ansible_cores.supported()
MAIN = subprocess.run([str(BIN / "python"), "-c", "import ansible; print(ansible.__version__)"], capture_output=True,
                      text=True, check=True).stdout.strip()


def test_the_supported_range_is_one_claim():
    assert ".".join(MAIN.split(".")[:2]) == SUPPORTED[-1], "the main venv runs the newest supported release"
    assert f'requires_ansible: ">={SUPPORTED[0]}.0"' in (REPO / "meta" / "runtime.yml").read_text()
    assert f"ansible-core {' and '.join(SUPPORTED)}" in (REPO / "README.md").read_text()
    for ignore in (REPO / "tests" / "sanity").glob("ignore-*.txt"):
        assert ignore.stem.split("-", 1)[1] in SUPPORTED, f"{ignore.name}: a release the collection does not support"


OLDER = [v for v in SUPPORTED if v != SUPPORTED[-1]]


def older_release(version):
    """The unit tests and sanity on an older release, in its own venv; 'ansible-core X: pytest's last line'."""
    venv = ansible_cores.venv(version)
    found = check([str(venv / "bin" / "python"), "-c", "import ansible; print(ansible.__version__)"]).stdout.strip()
    assert found.startswith(version + "."), found
    res = check([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit"])
    sanity(venv / "bin")
    return f"ansible-core {found}: {res.stdout.strip().splitlines()[-1]}"


@pytest.fixture(scope="module", autouse=True)
def older_releases():
    """Started when this module starts, in threads: they run while the main venv's checks run (both are
    mostly one CPU each, and CI has two), so the older releases add little to the tier's time."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(len(OLDER), 1)) as pool:
        yield {version: pool.submit(older_release, version) for version in OLDER}


@pytest.mark.parametrize("version", OLDER)
def test_unit_and_sanity_on_an_older_supported_release(version, older_releases):
    print(older_releases[version].result(timeout=1800))


def changelog_check(tree):
    """antsibull-changelog: every fragment valid, CHANGELOG.rst what changelog.yaml generates."""
    lint = subprocess.run([str(BIN / "antsibull-changelog"), "lint"], cwd=tree, capture_output=True, text=True, check=False)
    if lint.returncode != 0 or lint.stdout.strip():
        return f"antsibull-changelog lint: {lint.stdout}{lint.stderr}"
    before = (tree / "CHANGELOG.rst").read_text()
    check([str(BIN / "antsibull-changelog"), "generate"], cwd=tree)
    if (tree / "CHANGELOG.rst").read_text() != before:
        return "CHANGELOG.rst is not what changelogs/changelog.yaml generates (run antsibull-changelog generate)"
    return None


def test_changelog_fragments_are_valid_and_the_changelog_is_generated(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("changelogs", "CHANGELOG.rst", "galaxy.yml"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, tree / name)
    assert changelog_check(tree) is None, changelog_check(tree)
    # The check fails on a broken fragment, and on a hand-edited changelog.
    (tree / "changelogs" / "fragments" / "broken.yml").write_text("---\nnew_things:\n  - something\n")
    assert "invalid section: new_things" in changelog_check(tree)
    (tree / "changelogs" / "fragments" / "broken.yml").unlink()
    (tree / "CHANGELOG.rst").write_text((tree / "CHANGELOG.rst").read_text() + "\nedited by hand\n")
    assert "is not what changelogs/changelog.yaml generates" in changelog_check(tree)
