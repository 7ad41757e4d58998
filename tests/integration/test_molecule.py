"""The molecule default scenario: create (lab up), converge site.yml, idempotence, testinfra verify, destroy."""
import re

from labkit import REPO, lab_up, run

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_molecule_default_scenario(lab, tarball):
    res = run([str(REPO / ".venv" / "bin" / "molecule"), "test", "--scenario-name", "default"], check=False, timeout=2400)
    output = ANSI.sub("", res.stdout + res.stderr)
    try:
        assert res.returncode == 0, output[-8000:]
        for step in ("converge", "idempotence", "verify"):
            assert re.search(rf"default\W{{1,4}}{step}\W{{0,3}} Executed: Successful", output), (step, output[-8000:])
        assert re.search(r"=+ \d+ passed", output)
    finally:
        # destroy took the lab down: later tests find it up again.
        lab_up()
