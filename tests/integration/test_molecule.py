"""The molecule default scenario: create (lab up), converge site.yml, idempotence, testinfra verify, destroy."""
from labkit import REPO, lab_up, run


def test_molecule_default_scenario(lab, tarball):
    res = run([str(REPO / ".venv" / "bin" / "molecule"), "test", "--scenario-name", "default"], check=False, timeout=2400)
    try:
        assert res.returncode == 0, f"{res.stdout[-6000:]}\n{res.stderr[-6000:]}"
        assert "Idempotence completed successfully" in res.stdout + res.stderr
        assert "passed" in res.stdout + res.stderr
    finally:
        # destroy took the lab down: later tests find it up again.
        lab_up()
