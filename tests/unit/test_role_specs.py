"""Every role's defaults/ and meta/argument_specs.yml name the same public variables."""
from pathlib import Path

import pytest
import yaml

ROLES = Path(__file__).resolve().parents[2] / "roles"


def spec_and_defaults(role):
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    declared = {name for entry in specs.values() for name in (entry.get("options") or {})}
    defaults = {}
    for path in sorted((role / "defaults").glob("*.yml")):
        defaults.update(yaml.safe_load(path.read_text()) or {})
    return declared, set(defaults)


def drift(declared, defaults, required):
    """What defaults/ sets but no spec declares, and what a spec declares optional but defaults/ lacks."""
    problems = [f"{name}: in defaults/, not in meta/argument_specs.yml" for name in sorted(defaults - declared)]
    problems += [f"{name}: in meta/argument_specs.yml, not in defaults/" for name in sorted(declared - defaults - required)]
    return problems


def required_options(role):
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    return {name for entry in specs.values() for name, opt in (entry.get("options") or {}).items() if opt.get("required")}


@pytest.mark.parametrize("role", sorted(p.name for p in ROLES.iterdir() if (p / "meta" / "argument_specs.yml").exists()))
def test_defaults_and_argument_specs_name_the_same_variables(role):
    path = ROLES / role
    declared, defaults = spec_and_defaults(path)
    assert drift(declared, defaults, required_options(path)) == []


def test_every_role_with_defaults_has_argument_specs():
    missing = [p.name for p in ROLES.iterdir() if (p / "defaults").is_dir() and not (p / "meta" / "argument_specs.yml").exists()]
    assert missing == []


@pytest.mark.parametrize("declared,defaults,required,problems", [
    ({"a", "b"}, {"a", "b"}, set(), []),
    ({"a"}, {"a", "b"}, set(), ["b: in defaults/, not in meta/argument_specs.yml"]),
    ({"a", "b"}, {"a"}, set(), ["b: in meta/argument_specs.yml, not in defaults/"]),
    ({"a", "b"}, {"a"}, {"b"}, []),  # a required option has no default
])
def test_the_check_catches_drift(declared, defaults, required, problems):
    assert drift(declared, defaults, required) == problems
