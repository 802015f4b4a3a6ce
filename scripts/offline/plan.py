"""checkov on the plan of each environment, not only on its HCL.

The plan is `terraform show -json` of a plan made against the environment applied into an
embedded account: every resource with the values Terraform and AWS computed (policies rendered,
names joined, key ARNs known; a plan from nothing would leave each key ARN unknown, which checkov
reads as "not encrypted"). checkov's terraform_plan framework scans it with this repository's
custom policies; the inline skips in the HCL apply through plan enrichment.

  python -m scripts.offline.plan --env pilot          # plan, then checkov; exit 1 on a failed check
  python -m scripts.offline.plan --env pilot --out out/security/pilot.plan.json

Uses the account `make up` keeps running when there is one (the apply is skipped if current),
else a temporary account.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from scripts.offline import account as accounts
from scripts.offline.deploy import REPO_ROOT, DeployError, StackDeployer

CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"


def planned_resources(plan: dict[str, Any]) -> list[str]:
    """Addresses of the managed resources in the plan's planned values (every module)."""
    addresses, modules = [], [plan.get("planned_values", {}).get("root_module", {})]
    while modules:
        module = modules.pop()
        addresses += [r["address"] for r in module.get("resources", []) if r.get("mode") == "managed"]
        modules += module.get("child_modules", [])
    return sorted(addresses)


def run_checkov(plan_file: Path, deployer: StackDeployer, *args: str) -> subprocess.CompletedProcess:
    """checkov --framework terraform_plan on `plan_file`. Enrichment (file, lines, inline skips)
    reads the deployment's own mirror of the stack: only the root and the modules it uses, never
    the test fixtures that declare resources of the same addresses."""
    if not CHECKOV.is_file():
        raise DeployError(f"{CHECKOV} is missing: run `make setup`")
    command = [
        str(CHECKOV),
        "--config-file",
        str(REPO_ROOT / ".checkov.yaml"),
        "--framework",
        "terraform_plan",
        "-f",
        str(plan_file),
        "--repo-root-for-plan-enrichment",
        str(deployer.work_dir / "tree"),
        *args,
    ]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)


def scan(env: str, out: Path, deployer: StackDeployer, checkov_args: list[str]) -> int:
    plan = deployer.plan_json()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(plan), encoding="utf-8")
    print(f"{env}: {len(planned_resources(plan))} resources in the plan ({out})")
    result = run_checkov(out, deployer, *checkov_args)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", required=True, help="environment (envs/<env>.tfvars)")
    parser.add_argument("--out", type=Path, help="where to write the plan JSON (default out/security/<env>.plan.json)")
    parser.add_argument("checkov_args", nargs="*", help="more checkov arguments (after --)")
    args = parser.parse_args(argv)
    out = (args.out or REPO_ROOT / "out" / "security" / f"{args.env}.plan.json").resolve()
    try:
        account = accounts.connect(accounts.DEFAULT_WORK_DIR)
        if account is not None:
            deployments = accounts.DEFAULT_WORK_DIR.parent / "deployments" / f"{account.id[:12]}-{args.env}"
            return scan(args.env, out, StackDeployer(account, args.env, work_dir=deployments), args.checkov_args)
        with tempfile.TemporaryDirectory() as scratch:
            account = accounts.start(Path(scratch) / "account")
            try:
                deployer = StackDeployer(account, args.env, work_dir=Path(scratch) / "deployment")
                return scan(args.env, out, deployer, args.checkov_args)
            finally:
                account.close()
    except (DeployError, accounts.AccountError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
