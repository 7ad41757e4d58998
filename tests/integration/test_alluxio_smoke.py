"""A real Alluxio 2.9.6 from Maven Central on the lab: master, workers, a file through it."""
from labkit import ALLUXIO_VERSION, REPO, load_json, playbook


def test_master_lists_workers_and_data_round_trips(lab, tarball, tmp_path):
    result = tmp_path / "smoke.json"
    playbook(REPO / "tests/integration/playbooks/smoke.yml", "-e", f"alluxio_version={ALLUXIO_VERSION}",
             "-e", f"smoke_tarball={tarball}", "-e", "smoke_capacity=64MB", "-e", f"smoke_result={result}")
    evidence = load_json(result)
    info = evidence["info"]
    assert info["version"] == ALLUXIO_VERSION
    workers = {w["address"]["host"]: w for w in info["workers"]}
    assert sorted(workers) == ["lab-worker1", "lab-worker2"]
    for worker in workers.values():
        assert worker["state"] == "ACTIVE"
        assert worker["capacityBytes"] == 64 * 2**20
    assert info["lostWorkers"] == []
    # Written on a worker, read on the master: the same bytes.
    assert len(evidence["written"]) == 64
    assert evidence["written"] == evidence["read"]
