"""Read the repository's Terraform with python-hcl2, as plain Python values.

Strings come back without their HCL quotes and blocks as plain dicts; expressions stay as
``"${...}"`` strings. Everything offline that needs Terraform values (the definition renderer, the
offline runner, the cost model, the policy tests) reads them through here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

REPO_ROOT = Path(__file__).resolve().parent.parent
ROOT_STACK = REPO_ROOT / "terraform"
MODULES_DIR = REPO_ROOT / "modules"
ENVS_DIR = REPO_ROOT / "envs"
ENVIRONMENTS = ("pilot", "team", "bu")

_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
_VAR_REFERENCE = re.compile(r"^\$\{var\.([A-Za-z0-9_]+)\}$")


class UnknownEnvironment(ValueError):
    """The environment has no envs/<env>.tfvars file."""


@cache
def load_file(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=_OPTIONS)


def load_text(text: str) -> dict[str, Any]:
    return hcl2.loads(text, serialization_options=_OPTIONS)


@cache
def _load_directory(directory: Path) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for path in sorted(directory.glob("*.tf")):
        for block_type, blocks in load_file(path).items():
            merged.setdefault(block_type, []).extend(blocks)
    return merged


def load_directory(directory: Path) -> dict[str, list[Any]]:
    """All blocks of the .tf files in one module directory, merged by block type."""
    return _load_directory(directory.resolve())


def labelled_blocks(directory: Path, block_type: str) -> dict[str, dict[str, Any]]:
    """Blocks with one label (variable, output, module, locals) keyed by that label."""
    blocks: dict[str, dict[str, Any]] = {}
    for entry in load_directory(directory).get(block_type, []):
        blocks.update(entry)
    return blocks


def variable_defaults(directory: Path = ROOT_STACK) -> dict[str, Any]:
    return {name: spec["default"] for name, spec in labelled_blocks(directory, "variable").items() if "default" in spec}


def environment_values(env: str) -> dict[str, Any]:
    """Root variables as `terraform apply -var-file envs/<env>.tfvars` would see them."""
    tfvars = ENVS_DIR / f"{env}.tfvars"
    if not tfvars.is_file():
        known = ", ".join(sorted(p.stem for p in ENVS_DIR.glob("*.tfvars")))
        raise UnknownEnvironment(f"unknown environment {env!r}: no {tfvars.relative_to(REPO_ROOT)} (known: {known})")
    values = variable_defaults()
    values.update(load_file(tfvars))
    return values


def variable_reference(expression: Any) -> str | None:
    """`var.name` when an expression is exactly a reference to a root variable."""
    if isinstance(expression, str):
        match = _VAR_REFERENCE.match(expression)
        if match:
            return match.group(1)
    return None
