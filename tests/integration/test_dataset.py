"""dataset.yml on the lab: 1,000 small files and a few large ones, mounted, loaded, read through FUSE."""
import json
import os

import kubernetes_validate
import pytest
import yaml

import labnet
from labkit import REPO, adhoc, master_info, on, playbook

DATASET = REPO / "playbooks" / "dataset.yml"
SHARED, SHARED_MOUNT = labnet.SHARED_DIR, labnet.SHARED_MOUNT  # the same directory, seen from the controller / a lab host
NAME = "train-set"
MOUNT = "/mnt/alluxio-datasets"  # dataset.yml's own mount (profile dataset) of alluxio:/datasets
WORKERS = ["lab-worker1", "lab-worker2"]


def make_dataset(root):
    os.makedirs(os.path.join(root, "small"), exist_ok=True)
    for i in range(1000):
        with open(os.path.join(root, "small", f"img-{i:04d}.bin"), "wb") as out:
            out.write(os.urandom(4096))
    for i in range(3):
        with open(os.path.join(root, f"shard-{i}.bin"), "wb") as out:
            out.write(os.urandom(24 * 1024 * 1024))
    for path, dirs, files in os.walk(root):
        os.chmod(path, 0o755)
        for name in files:
            os.chmod(os.path.join(path, name), 0o644)


def mount_table():
    """{Alluxio path: (UFS, read-only, shared)} at the master."""
    points = master_info()["mountPoints"]
    return {path: (p["ufsUri"], p["readOnly"], p["shared"]) for path, p in points.items()}


@pytest.fixture(scope="module")
def loaded(cluster, tmp_path_factory):
    make_dataset(f"{SHARED}/datasets/{NAME}")
    k8s = tmp_path_factory.mktemp("k8s")
    try:
        res = playbook(DATASET, "-e", f"dataset_name={NAME}", "-e", f"dataset_ufs={SHARED_MOUNT}/datasets/{NAME}",
                       "-e", f"dataset_k8s_dir={k8s}", "-e", "dataset_poll_interval=1")
        yield {"output": res.stdout, "k8s": k8s}
    finally:
        # The tests after this module find the lab as site.yml left it: one FUSE mount per worker.
        adhoc("alluxio_workers", "alnair.alluxio.fuse_mount", {"mount_point": MOUNT, "state": "absent"})


def test_everything_is_in_memory_with_progress_shown(loaded):
    out = loaded["output"]
    assert f"done: [lab-master] /datasets/{NAME}: 100.0 % in memory" in out, out[-3000:]
    # About 80 MiB load within the first poll on the lab, so only the final line shows here;
    # the lines printed while a load runs are tested with the callback (tests/unit).
    assert "load SUCCEEDED, 1003 files" in out
    assert mount_table()[f"/datasets/{NAME}"] == (f"{SHARED_MOUNT}/datasets/{NAME}", True, False)


def test_every_worker_read_the_sample_back_identical(loaded):
    assert loaded["output"].count("files of 1003 read back identical") == 2


def test_snippet_parses_with_kubernetes_field_names(loaded):
    doc = yaml.safe_load((loaded["k8s"] / f"{NAME}.yaml").read_text())
    volume, mount = doc["volumes"][0], doc["volumeMounts"][0]
    assert volume["name"] == mount["name"] == NAME
    assert volume["hostPath"] == {"path": f"{MOUNT}/{NAME}", "type": "Directory"}
    assert mount["mountPath"] == f"/data/{NAME}" and mount["readOnly"] is True
    assert mount["mountPropagation"] == "HostToContainer"
    term = doc["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
    assert term["matchExpressions"] == [{"key": "kubernetes.io/hostname", "operator": "In",
                                         "values": ["lab-worker1", "lab-worker2"]}]
    # The hostPath is what the workers see.
    assert on("lab-worker2", f"ls {MOUNT}/{NAME}/small | wc -l").stdout.strip() == "1000"


@pytest.mark.parametrize("worker", WORKERS)
def test_the_dataset_mount_is_read_only_and_cached(loaded, worker):
    """dataset.yml mounts with the dataset profile: read-only to every process, kernel page cache kept,
    long name/attribute timeouts, the FUSE client's metadata cache on."""
    assert on(worker, f"findmnt -n -o FSTYPE,OPTIONS {MOUNT}").stdout.split()[0] == "fuse.alluxio-fuse"
    assert "ro" in on(worker, f"findmnt -n -o OPTIONS {MOUNT}").stdout.strip().split(",")
    victim = f"{MOUNT}/{NAME}/small/img-0000.bin"
    before = on(worker, f"sha256sum {victim}").stdout
    # Neither root nor another local user (a training container's) creates, changes or deletes anything.
    for user in ("root", "nobody"):
        for command in (f"touch {MOUNT}/{NAME}/intruder", f"rm -f {victim}", f"sh -c 'echo x >> {victim}'",
                        f"mv {victim} {victim}.moved"):
            attempt = on(worker, f"runuser -u {user} -- {command}")
            refused = ("Read-only file system",) if user == "root" else ("Read-only file system", "Permission denied")
            assert attempt.returncode != 0 and any(why in attempt.stderr for why in refused), (user, command, attempt.stderr)
    assert on(worker, f"sha256sum {victim}").stdout == before
    unit = "alluxio-fuse@" + on(worker, f"systemd-escape --path {MOUNT}").stdout.strip() + ".service"
    pid = on(worker, f"systemctl show -p MainPID --value '{unit}'").stdout.strip()
    cmdline = on(worker, f"xargs -0 echo < /proc/{pid}/cmdline").stdout
    for option in ("kernel_cache", "attr_timeout=7200", "entry_timeout=7200", "metadata_cache_size=",
                   "alluxio.user.update.file.accesstime.disabled=true"):
        assert option in cmdline, (option, cmdline)


def test_snippet_is_valid_for_the_kubernetes_api(loaded):
    """The snippet pasted into a Pod is valid against the Kubernetes schema (kubernetes-validate)."""
    doc = yaml.safe_load((loaded["k8s"] / f"{NAME}.yaml").read_text())
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "train"},
           "spec": {"volumes": doc["volumes"], "affinity": doc["affinity"],
                    "containers": [{"name": "train", "image": "trainer:1", "volumeMounts": doc["volumeMounts"]}]}}
    kubernetes_validate.validate(pod, "1.30", strict=True)
    # The validator catches a misspelt field (the shape of mistake a hand-edited snippet has).
    broken = json.loads(json.dumps(pod))
    mount = broken["spec"]["containers"][0]["volumeMounts"][0]
    mount["readonly"] = mount.pop("readOnly")
    with pytest.raises(kubernetes_validate.ValidationError, match="'readonly' was unexpected"):
        kubernetes_validate.validate(broken, "1.30", strict=True)


def test_second_run_changes_nothing(loaded):
    res = playbook(DATASET, "-e", f"dataset_name={NAME}", "-e", f"dataset_ufs={SHARED_MOUNT}/datasets/{NAME}",
                   "-e", f"dataset_k8s_dir={loaded['k8s']}")
    assert all(c["changed"] == 0 for c in res.recap.values()), res.stdout[-3000:]


@pytest.mark.parametrize("extra,message", [
    ({"dataset_name": "Bad_Name", "dataset_ufs": f"{SHARED_MOUNT}/datasets/x"}, "dataset_name must be a Kubernetes volume name"),
    ({"dataset_name": "other", "dataset_ufs": f"{SHARED_MOUNT}/datasets/elsewhere", "dataset_alluxio_path": f"/datasets/{NAME}"},
     f"/datasets/{NAME} is already a mount of {SHARED_MOUNT}/datasets/{NAME}"),
])
def test_bad_input_changes_nothing(loaded, extra, message):
    before = mount_table()
    res = playbook(DATASET, "-e", json.dumps(extra), check=False)
    assert res.returncode != 0 and message in res.stdout, res.stdout[-3000:]
    assert mount_table() == before
