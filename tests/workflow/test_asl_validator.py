"""asl-validator (npm, pinned in package.json) on the definition each environment deploys, rendered
by Terraform itself (scripts/terraform_values.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts import terraform_values
from scripts.hcl import ENVIRONMENTS, REPO_ROOT

VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "asl-validator"


@pytest.fixture(scope="module")
def validator() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node/npm not found: install Node.js 18+ (asl-validator is an npm package), then `make setup`")
    if not VALIDATOR.is_file():
        pytest.fail(f"{VALIDATOR.relative_to(REPO_ROOT)} is missing: run `make setup` (npm ci installs asl-validator)")
    return VALIDATOR


def validate(validator: Path, definition: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    return subprocess.run([str(validator), "--json-path", str(path)], capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_rendered_definition_is_valid_asl(validator, env, tmp_path):
    definition = terraform_values.definition(env)
    result = validate(validator, definition, tmp_path)
    assert result.returncode == 0, f"{env}: {result.stdout}{result.stderr}"
    assert "is valid" in result.stdout


def test_validator_rejects_a_broken_definition(validator, tmp_path):
    definition = json.loads(json.dumps(terraform_values.definition("pilot")))  # a copy: the value is cached
    definition["States"][definition["StartAt"]]["Next"] = "NoSuchState"
    result = validate(validator, definition, tmp_path)
    assert result.returncode != 0, result.stdout
