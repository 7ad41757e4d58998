"""The collection as users install it: built, installed into an empty collections path, the lab
deployed by its site.yml (the session's one converge, `cluster`) and checked by its health.yml;
what the tarball holds; the execution environment definition ansible-builder reads."""
import json
import shutil

import yaml

from labkit import REPO, playbook, run


def test_converge_from_the_installed_collection_reaches_every_host(cluster):
    recap = cluster["run"].recap
    assert set(recap) == {"lab-master", "lab-worker1", "lab-worker2"}
    assert all(c["failed"] == 0 and c["unreachable"] == 0 for c in recap.values()), recap
    assert all(c["changed"] > 0 for c in recap.values()), recap
    print(f"first converge from bare lab hosts (installed collection): {cluster['seconds']:.1f} s")


def test_health_from_the_installed_collection_is_green_and_changes_nothing(cluster, installed_collection):
    # The first run after a deploy leaves its checks for node exporter (README, "Monitoring"): that
    # file is all it writes, and only when a check's result changes.
    first = playbook("alnair.alluxio.health", env=installed_collection["env"])
    assert first.stdout.count("changed: [") == 4 and all(c["changed"] <= 2 for c in first.recap.values()), first.stdout[-3000:]
    res = playbook("alnair.alluxio.health", env=installed_collection["env"])
    assert all(c["changed"] == 0 and c["failed"] == 0 for c in res.recap.values()), res.recap
    assert "FAIL " not in res.stdout and "ok    cluster" in res.stdout
    assert "ok    lab-worker2    FUSE /mnt/alluxio-fuse" in res.stdout


def test_the_tarball_holds_the_collection_and_no_development_files(installed_collection):
    root = installed_collection["root"]
    manifest = json.loads((root / "MANIFEST.json").read_text())["collection_info"]
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == ("alnair", "alluxio", galaxy["version"])
    for kept in ("playbooks/site.yml", "playbooks/remediate.yml", "roles/fuse/meta/argument_specs.yml",
                 "plugins/modules/fuse_mount.py", "meta/runtime.yml", "meta/execution-environment.yml", "CHANGELOG.rst"):
        assert (root / kept).is_file(), kept
    for left_out in ("tests", "tools", "molecule", ".ci", "BENCHMARKS.md", "pytest.ini", "changelogs/fragments"):
        assert not (root / left_out).exists(), left_out


def introspect(collections):
    return run(["ansible-builder", "introspect", "--sanitize", str(collections)], check=False)


def test_ansible_builder_reads_the_execution_environment_requirements(installed_collection, tmp_path):
    res = introspect(installed_collection["root"].parents[2])
    assert res.returncode == 0, res.stdout + res.stderr
    found = yaml.safe_load(res.stdout)
    python = " ".join(found["python"])
    for package in ("paramiko", "jinja2"):
        assert package in python and "alnair.alluxio" in python, found
    assert any("openssh-client" in line for line in found["system"]), found
    # A broken definition fails: the requirements file it names is missing.
    broken = tmp_path / "ansible_collections"
    shutil.copytree(installed_collection["root"].parents[1], broken, symlinks=True)
    (broken / "alnair" / "alluxio" / "requirements.txt").unlink()
    res = introspect(tmp_path)
    assert res.returncode != 0, res.stdout
