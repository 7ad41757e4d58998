"""The molecule default scenario's create (lab up: harmless, it is up) and testinfra verify, on
the session's converged lab. Its converge and idempotence steps are site.yml, which the session
converges once and test_site checks for idempotence; `molecule test` runs the whole scenario."""
import re

from labkit import REPO, run

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MOLECULE = str(REPO / ".venv" / "bin" / "molecule")


def test_molecule_verify_on_the_converged_lab(cluster):
    for step in ("create", "verify"):
        res = run([MOLECULE, step, "--scenario-name", "default"], check=False, timeout=900)
        output = ANSI.sub("", res.stdout + res.stderr)
        assert res.returncode == 0, (step, output[-8000:])
    assert re.search(r"default\W{1,4}verify\W{0,3} Executed: Successful", output), output[-8000:]
    assert re.search(r"=+ \d+ passed in", output) and not re.search(r"\d+ failed", output), output[-3000:]
