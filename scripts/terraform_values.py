"""Values only Terraform computes, asked of Terraform itself through `terraform console`.

The cost model and asl-validator need the state machine definition and the functions' sizing
without a deployment. Python never re-derives them: Terraform renders the same template with the
same bindings the root stack deploys (`local.definition_variables`, `-var-file envs/<env>.tfvars`),
with placeholder ARNs standing in for the resources that do not exist yet, and reads
`local.function_sizing` as it is. The console runs in a mirror of the root stack with a local
backend (scripts/offline/deploy.py), and answers are cached by the content of what they depend on.

    python -m scripts.terraform_values --env pilot          # the definition, as JSON
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from scripts import terraform_runner
from scripts.offline.deploy import REPO_ROOT, ROOT_STACK, mirror_root, provider_cli_config

WORK_DIR = REPO_ROOT / ".terraform-cli" / "console"
PLACEHOLDER_ACCOUNT = "123456789012"
# One console expression: the definition rendered as the stack renders it, the ARN of each
# function placeholder named after its template variable, and the sizing of every function.
EXPRESSION = (
    "jsonencode({"
    ' definition = templatefile("${path.module}/workflow.asl.json.tftpl", merge(local.definition_variables,'
    f'   {{ for key, value in local.definition_variables : key => "arn:aws:lambda:us-east-1:{PLACEHOLDER_ACCOUNT}:function:${{trimsuffix(key, "_arn")}}"'
    '     if endswith(key, "_arn") },'
    '   { workflow_table_name = "${var.name}-${var.environment}-workflow" })),'
    " function_sizing = local.function_sizing,"
    " function_packages = local.function_packages"
    "})"
)


class TerraformValueError(RuntimeError):
    """Terraform could not evaluate what was asked; the message is Terraform's."""


def _depends_on(env: str) -> str:
    digest = hashlib.sha256(EXPRESSION.encode())
    for path in sorted([*ROOT_STACK.glob("*.tf"), *ROOT_STACK.glob("*.tftpl"), REPO_ROOT / "envs" / f"{env}.tfvars"]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@cache
def stack_values(env: str) -> dict[str, Any]:
    """{"definition": ..., "function_sizing": ..., "function_packages": ...} for `env`."""
    tfvars = REPO_ROOT / "envs" / f"{env}.tfvars"
    if not tfvars.is_file():
        raise TerraformValueError(f"unknown environment {env!r}: no envs/{env}.tfvars")
    cached = WORK_DIR / "cache" / f"{env}.json"
    key = _depends_on(env)
    cached.parent.mkdir(parents=True, exist_ok=True)
    # One Terraform at a time in the mirror (pytest-xdist workers share it): they would race on init.
    with (WORK_DIR / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cached.is_file():
            stored = json.loads(cached.read_text(encoding="utf-8"))
            if stored.get("key") == key:
                return stored["values"]
        values = _evaluate(tfvars)
        values["definition"] = json.loads(values["definition"])
        cached.write_text(json.dumps({"key": key, "values": values}), encoding="utf-8")
    return values


def definition(env: str) -> dict[str, Any]:
    return stack_values(env)["definition"]


def function_arns(env: str) -> dict[str, str]:
    """Placeholder ARN in the rendered definition -> function key."""
    return {
        f"arn:aws:lambda:us-east-1:{PLACEHOLDER_ACCOUNT}:function:{key}": key for key in stack_values(env)["function_packages"]
    }


def _evaluate(tfvars: Path) -> dict[str, Any]:
    root = mirror_root(WORK_DIR / "tree", ROOT_STACK, {"console_override.tf": 'terraform {\n  backend "local" {}\n}\n'})
    (WORK_DIR / "cli.tfrc").write_text(provider_cli_config(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(
        {"TF_CLI_CONFIG_FILE": str(WORK_DIR / "cli.tfrc"), "TF_DATA_DIR": str(WORK_DIR / ".terraform"), "TF_IN_AUTOMATION": "1"}
    )
    terraform = terraform_runner.terraform_binary()
    marker = WORK_DIR / ".terraform" / "init.stamp"
    stamp = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(ROOT_STACK.glob("*.tf")))).hexdigest()
    if not marker.is_file() or marker.read_text() != stamp:
        _run([terraform, f"-chdir={root}", "init", "-input=false", "-no-color", "-reconfigure"], env)
        marker.write_text(stamp)
    answer = _run([terraform, f"-chdir={root}", "console", f"-var-file={tfvars}"], env, stdin=EXPRESSION + "\n")
    return json.loads(json.loads(answer))


def _run(command: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    result = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise TerraformValueError(f"terraform {command[2]} failed: {(result.stderr or result.stdout).strip()[-2000:]}")
    return result.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.terraform_values", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", default="pilot")
    parser.add_argument("--out", type=Path, help="write the definition here instead of stdout")
    args = parser.parse_args(argv)
    try:
        text = json.dumps(definition(args.env), indent=2)
    except (TerraformValueError, terraform_runner.TerraformUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
