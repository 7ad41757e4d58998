"""Make tools/ and the test helpers importable from every test tier."""
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS.parent / "tools"))
sys.path.insert(0, str(TESTS / "integration"))
# The collection's plugins import as ansible_collections.alnair.alluxio.* (tools/bootstrap.sh links it).
sys.path.insert(0, str(TESTS.parent / ".collections"))
