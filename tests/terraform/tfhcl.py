"""Helpers for the Python-side Terraform gates: load HCL with python-hcl2 and find the IAM statements
written in it (for parliament and the least-privilege checks).

Terraform's own rules (validations, preconditions, checks) are proven by `terraform test`
(tests/*.tftest.hcl in each root; scripts/terraform_runner.py), never re-evaluated here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scripts.hcl import (  # the one HCL loader; the gates add their own views on top
    ENVIRONMENTS,
    ENVS_DIR,
    MODULES_DIR,
    REPO_ROOT,
    ROOT_STACK,
    environment_values,
    load_file,
    load_text,
)
from scripts.hcl import labelled_blocks as labelled
from scripts.offline import plan

MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")
CHECKOV = plan.CHECKOV  # the same checkov `make security` runs on plans
POLICIES_DIR = REPO_ROOT / "policies"

# Re-exported so the gates import everything HCL from here.
__all__ = ["ENVIRONMENTS", "ENVS_DIR", "REPO_ROOT", "ROOT_STACK", "environment_values", "labelled", "load_file", "load_text"]


def run_checkov(*args: str) -> tuple[dict[str, Any], int]:
    """Run checkov (its own virtualenv) from the repository root with JSON output; (report, exit code).
    A run that produced no JSON fails the calling test with checkov's stderr."""
    import json
    import subprocess

    import pytest

    if not CHECKOV.is_file():
        pytest.fail(f"{CHECKOV} is missing: run `make setup`")
    result = subprocess.run(
        [str(CHECKOV), *args, "--output", "json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov produced no JSON (exit {result.returncode}): {result.stderr[-2000:]}")
    return report, result.returncode


# The root stack's scan: the repository's checkov settings (.checkov.yaml) with passed checks listed
# too, so that one scan per environment serves both gates that read it (tests/terraform/test_checkov.py:
# no check fails; tests/policies/test_custom_policies.py: every custom policy ran and passed). A scan
# takes 12-20 s; the two gates scanned separately before.
ROOT_SCAN_CONFIG = REPO_ROOT / "tests" / "policies" / "checkov.yaml"


def scanned_environments() -> list:
    """The environments whose root-stack scan the checkov gates read: the pilot in `make test`,
    team and bu in `make test-deploy` (deploy_gate), which applies and plan-scans them too."""
    import pytest

    return [env if env == "pilot" else pytest.param(env, marks=pytest.mark.deploy_gate) for env in ENVIRONMENTS]


def root_stack_scan(env: str, shared_dir: Path) -> tuple[dict[str, Any], int]:
    """checkov over the root stack (and through it the local modules) for `env`: every built-in and
    custom check, passed ones included; (report, exit code). Made once per test session: the first
    pytest worker to ask scans while holding a lock in `shared_dir` (the session's, seen by every
    worker), the others wait for it and read its report."""
    import fcntl
    import json

    report_file = shared_dir / f"checkov-root-stack-{env}.json"
    with (shared_dir / f"checkov-root-stack-{env}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the scan fails the test
        if report_file.is_file():
            scanned = json.loads(report_file.read_text(encoding="utf-8"))
            return scanned["report"], scanned["returncode"]
        report, returncode = run_checkov(
            "--config-file", str(ROOT_SCAN_CONFIG), "-d", "terraform", "--var-file", f"envs/{env}.tfvars"
        )
        report_file.write_text(json.dumps({"report": report, "returncode": returncode}), encoding="utf-8")
        return report, returncode


def module_dirs() -> list[Path]:
    return sorted(p for p in MODULES_DIR.iterdir() if p.is_dir())


def stack_dirs() -> list[Path]:
    """The root stack and every module."""
    return [ROOT_STACK, *module_dirs()]


def hcl_files() -> list[Path]:
    files = [p for d in stack_dirs() for p in sorted(d.glob("*.tf"))]
    return files + sorted(ENVS_DIR.glob("*.tfvars"))


def blocks(directory: Path, block_type: str) -> list[tuple[Path, Any]]:
    """(file, block) for every block of one type in a module directory."""
    found = []
    for path in sorted(directory.glob("*.tf")):
        for block in load_file(path).get(block_type, []):
            found.append((path, block))
    return found


def resources(directory: Path, resource_type: str) -> dict[str, dict[str, Any]]:
    """Resources (or data sources, with data_type) of one type keyed by name."""
    result: dict[str, dict[str, Any]] = {}
    for _, block in blocks(directory, "resource"):
        result.update(block.get(resource_type, {}))
    return result


def data_sources(directory: Path, data_type: str) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for _, block in blocks(directory, "data"):
        result.update(block.get(data_type, {}))
    return result


def locals_of(directory: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for _, block in blocks(directory, "locals"):
        result.update(block)
    return result


def tfvars(env: str) -> dict[str, Any]:
    return load_file(ENVS_DIR / f"{env}.tfvars")


def unwrap(expression: Any) -> Any:
    """`${x}` -> `x` for a whole-string interpolation; anything else unchanged."""
    if isinstance(expression, str) and expression.startswith("${") and expression.endswith("}"):
        return expression[2:-1]
    return expression


# --- IAM statements -----------------------------------------------------------------------------


class Statement(dict):
    """One IAM statement found in the HCL, with where it was found."""

    @property
    def where(self) -> str:
        return f"{self['file']}:{self['document']}:{self.get('sid', '?')}"

    @property
    def allows(self) -> bool:
        return self.get("effect", "Allow") == "Allow"


def _split_top_level(text: str, sep: str = ",") -> list[str]:
    parts, depth, quoted, current = [], 0, False, []
    i = 0
    while i < len(text):
        ch = text[i]
        if quoted:
            current.append(ch)
            if ch == "\\" and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
            current.append(ch)
        elif ch in "([{":
            depth += 1
            current.append(ch)
        elif ch in ")]}":
            depth -= 1
            current.append(ch)
        elif depth == 0 and text.startswith(sep, i):
            parts.append("".join(current).strip())
            current = []
            i += len(sep) - 1
        else:
            current.append(ch)
        i += 1
    tail = "".join(current).strip()
    if tail:
        parts.append(tail)
    return parts


def _matching(text: str, start: int) -> int:
    """Index of the bracket closing the one at text[start], ignoring quoted text."""
    pairs = {"[": "]", "{": "}", "(": ")"}
    stack, quoted, i = [], False, start
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch in pairs:
            stack.append(pairs[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                return i
        i += 1
    raise ValueError(f"unbalanced brackets in {text[start : start + 80]!r}")


def _unquote(item: str) -> str:
    item = item.strip()
    if item.startswith('"') and item.endswith('"'):
        return item[1:-1]
    return "${" + item + "}"


def statements_in_expression(text: str) -> Iterator[dict[str, Any]]:
    """Statement objects written inside an HCL expression (for/merge/concat in locals)."""
    for match in re.finditer(r"\{\s*sid\s*=", text):
        end = _matching(text, match.start())
        body = text[match.start() + 1 : end]
        fields: dict[str, Any] = {}
        for part in _split_top_level(body):
            key, _, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if value.startswith("["):
                fields[key] = [_unquote(v) for v in _split_top_level(value[1:-1])]
            else:
                fields[key] = _unquote(value)
        yield fields


def _walk(node: Any, document: str, file: str) -> Iterator[Statement]:
    if isinstance(node, dict):
        if "actions" in node and ("resources" in node or "not_resources" in node):
            yield Statement(node, document=document, file=file)
            return
        for value in node.values():
            yield from _walk(value, document, file)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, document, file)
    elif isinstance(node, str) and "sid" in node and "actions" in node:
        for fields in statements_in_expression(node):
            yield Statement(fields, document=document, file=file)


def variable_defaults(directory: Path) -> dict[str, Any]:
    """`${var.<name>}` -> the variable's default, for the variables of a module that have one."""
    return {
        f"${{var.{name}}}": unwrap(body["default"])
        for _, block in blocks(directory, "variable")
        for name, body in block.items()
        if "default" in body
    }


def iam_statements() -> list[Statement]:
    """Every statement of every aws_iam_policy_document and every statement object in locals.
    Actions given by a variable (`actions = var.x`) are linted as its default."""
    found: list[Statement] = []
    for directory in stack_dirs():
        rel = str(directory.relative_to(REPO_ROOT))
        for name, doc in data_sources(directory, "aws_iam_policy_document").items():
            found.extend(_walk(doc, f"data.aws_iam_policy_document.{name}", rel))
        for name, value in locals_of(directory).items():
            found.extend(_walk(value, f"local.{name}", rel))
    for statement in found:
        defaults = variable_defaults(REPO_ROOT / statement["file"])
        if isinstance(statement.get("actions"), str) and statement["actions"] in defaults:
            statement["actions"] = defaults[statement["actions"]]
    return found


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
