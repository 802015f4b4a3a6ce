"""Deploy a Terraform root into the embedded account: Terraform is the only deployer, offline too.

The repository's files are never touched. A working folder mirrors the repository's layout with
symlinks (the root's .tf files and templates, modules/, agents/, dist/, envs/) and adds one
override file: the AWS provider's endpoints point at the account, credentials are the account's
deployer, and state is local to that folder. `terraform init` installs the provider from the one
the repository's own `make tf-init` installed (read-only, so concurrent deploys never race), and
`terraform apply -var-file envs/<env>.tfvars` builds exactly what it builds on AWS.

    deployer = StackDeployer(account, env="pilot")
    outputs = deployer.apply()          # skipped when nothing changed since the last apply
    deployer.plan_changes()             # [] when the account matches the configuration
    deployer.destroy()
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scripts import terraform_runner
from scripts.offline.account import ACCOUNT_ID, DEPLOYER_CREDENTIALS, AccountClient

REPO_ROOT = terraform_runner.REPO_ROOT
ROOT_STACK = REPO_ROOT / "terraform"
# Provider endpoint keys (aws provider v5) of every service the stack and the example use.
SERVICES = (
    "apigatewayv2",
    "bedrock",
    "bedrockagent",
    "budgets",
    "cloudwatch",
    "cloudwatchevents",
    "cloudwatchlogs",
    "dynamodb",
    "iam",
    "kms",
    "lambda",
    "s3",
    "secretsmanager",
    "sfn",
    "sns",
    "sqs",
    "sts",
)
# The reviewer the offline run subscribes to approval requests, as a user adds one with -var.
REVIEWER_EMAIL = "reviewer@example.com"
MIRRORED = ("modules", "agents", "dist", "envs")
# Terraform's default of 10 concurrent operations is spent, in a first apply, on the provider's
# fixed waits (three lifecycle configurations hold a slot for 55 s each, queues 25 s), while the
# functions queue behind them. The account answers at once and throttles nothing: every resource
# whose dependencies are done may start.
APPLY_PARALLELISM = 32


class DeployError(RuntimeError):
    """Terraform failed against the embedded account; the message carries its own error."""


def _tf_literal(value: Any) -> str:
    return json.dumps(value)


def mirror_root(tree: Path, source_root: Path, extra_files: dict[str, str]) -> Path:
    """`tree` laid out like the repository, every file a symlink to the real one, plus
    `extra_files` (overrides) in the root; returns the mirrored root. Idempotent."""
    root = tree / source_root.relative_to(REPO_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    for name in MIRRORED:
        link = tree / name
        if not link.exists() and (REPO_ROOT / name).exists():
            link.symlink_to(REPO_ROOT / name, target_is_directory=True)
    for path in source_root.iterdir():
        if path.is_file() and (path.suffix in (".tf", ".tftpl", ".json") or path.name.endswith(".tf.json")):
            link = root / path.name
            if not link.is_symlink():
                link.symlink_to(path)
    for stale in root.iterdir():  # a file deleted from the repository leaves a dangling link
        if stale.is_symlink() and not stale.exists():
            stale.unlink()
    for name, text in extra_files.items():
        target = root / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return root


def provider_cli_config() -> str:
    """Install the provider from the repository's own `make tf-init` (read-only: concurrent
    inits never write a shared plugin cache)."""
    installed = ROOT_STACK / ".terraform" / "providers"
    if not any(installed.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*")):
        raise DeployError("the AWS provider is not installed: run `make tf-init` first")
    return (
        "# Written by scripts/offline/deploy.py\n"
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path    = {_tf_literal(str(installed))}\n"
        '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n'
        "}\n"
    )


class StackDeployer:
    """One Terraform root (the stack by default) in one account, with its state in `work_dir`."""

    def __init__(
        self,
        account: AccountClient,
        env: str | None = "pilot",
        work_dir: Path | None = None,
        root: Path = ROOT_STACK,
        variables: dict[str, Any] | None = None,
        var_file: Path | None = None,
    ) -> None:
        self.account = account
        self.env = env
        self.source_root = root
        self.var_file = var_file or (REPO_ROOT / "envs" / f"{env}.tfvars" if env else None)
        self.variables = {"approval_subscriptions": [{"protocol": "email", "endpoint": REVIEWER_EMAIL}]} if env else {}
        self.variables.update(variables or {})
        label = env or root.name
        self.work_dir = (work_dir or (REPO_ROOT / "out" / "offline" / "deployments" / f"{account.id[:12]}-{label}")).resolve()
        relative_root = root.relative_to(REPO_ROOT)
        self.root = self.work_dir / "tree" / relative_root
        self.state = self.work_dir / "terraform.tfstate"

    # -- the working folder ---------------------------------------------------------------------
    def prepare(self) -> None:
        """Mirror the repository's layout with symlinks and write the override and CLI config."""
        mirror_root(self.work_dir / "tree", self.source_root, {"embedded_account_override.tf": self._override()})
        (self.work_dir / "cli.tfrc").write_text(provider_cli_config(), encoding="utf-8")

    def _override(self) -> str:
        endpoints = "\n".join(f"    {service} = {_tf_literal(self.account.endpoint)}" for service in SERVICES)
        return (
            "# Written by scripts/offline/deploy.py: the embedded account instead of AWS. Not in the repository.\n"
            "terraform {\n"
            f'  backend "local" {{\n    path = {_tf_literal(str(self.state))}\n  }}\n'
            "}\n\n"
            'provider "aws" {\n'
            "  skip_metadata_api_check     = true\n"
            "  skip_credentials_validation = false\n"
            "  s3_use_path_style           = true\n"
            f"  allowed_account_ids         = [{_tf_literal(ACCOUNT_ID)}]\n"
            "  endpoints {\n"
            f"{endpoints}\n"
            "  }\n"
            "}\n"
        )

    def _environment(self) -> dict[str, str]:
        # Nothing of the caller's AWS or Terraform setup leaks in, but Terraform's own logging may.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_")) or k.startswith("TF_LOG")}
        env.update(
            {
                "TF_CLI_CONFIG_FILE": str(self.work_dir / "cli.tfrc"),
                "TF_DATA_DIR": str(self.work_dir / ".terraform"),
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
                "CHECKPOINT_DISABLE": "1",
                "AWS_EC2_METADATA_DISABLED": "true",
                **DEPLOYER_CREDENTIALS,  # the deployer's key, from the environment as on a CI runner, never in a .tf file
            }
        )
        return env

    def terraform(
        self, *args: str, check: bool = True, on_line: Callable[[str], None] | None = None
    ) -> subprocess.CompletedProcess:
        command = [terraform_runner.terraform_binary(), f"-chdir={self.root}", *args]
        if on_line is None:
            result = subprocess.run(command, env=self._environment(), capture_output=True, text=True, timeout=1800, check=False)
        else:
            result = _stream(command, self._environment(), on_line)
        if check and result.returncode not in (0, 2 if "-detailed-exitcode" in args else 0):
            raise DeployError(f"terraform {args[0]} failed in the embedded account:\n{_errors(result)}")
        return result

    def _var_args(self) -> list[str]:
        args = [f"-var-file={self.var_file}"] if self.var_file else []
        for name, value in self.variables.items():
            args.append(f"-var={name}={value if isinstance(value, str) else json.dumps(value)}")
        return args

    # -- lifecycle -----------------------------------------------------------------------------
    def init(self) -> None:
        self.prepare()
        marker = self.work_dir / ".terraform" / "init.stamp"
        stamp = self._stamp(include_code=False)
        if marker.is_file() and marker.read_text() == stamp:
            return
        self.terraform("init", "-input=false", "-no-color", "-reconfigure")
        marker.write_text(stamp)

    def apply(self, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
        """`terraform apply` unless the configuration, the inputs and the code are those of the
        last apply into this same account; then the outputs."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with (self.work_dir / "apply.lock").open("w") as lock:
            # One apply per deployment at a time: a second caller (the tests, while `make test`
            # applies in the background) waits, then finds the stamp current.
            fcntl.flock(lock, fcntl.LOCK_EX)
            return self._apply_unlocked(progress)

    def _apply_unlocked(self, progress: Callable[[str], None] | None) -> dict[str, Any]:
        self.init()
        marker = self.work_dir / "apply.stamp"
        stamp = self._stamp(include_code=True)
        if marker.is_file() and marker.read_text() == stamp and self.state.is_file():
            return self.outputs()
        marker.unlink(missing_ok=True)
        started = time.monotonic()
        counter = _ApplyProgress(progress)
        with (self.work_dir / "apply.log").open(
            "w", encoding="utf-8"
        ) as log:  # Terraform's JSON lines, for a slow or failed apply

            def record(line: str) -> None:
                log.write(line)
                counter(line)

            self.terraform(
                "apply",
                "-auto-approve",
                "-input=false",
                "-json",
                f"-parallelism={APPLY_PARALLELISM}",
                *self._var_args(),
                on_line=record,
            )
        if progress:
            progress(f"applied {counter.done} resource change(s) in {time.monotonic() - started:.0f} s")
        marker.write_text(stamp)
        return self.outputs()

    def outputs(self) -> dict[str, Any]:
        shown = self.terraform("output", "-json")
        return {name: entry["value"] for name, entry in json.loads(shown.stdout).items()}

    def plan_changes(self) -> list[dict[str, Any]]:
        """Resources a fresh plan would change: each {address, actions, attributes} (empty when
        the account holds exactly what the configuration says)."""
        self.init()
        plan_file = self.work_dir / "replan.tfplan"
        self.terraform("plan", "-input=false", "-no-color", "-detailed-exitcode", f"-out={plan_file}", *self._var_args())
        shown = json.loads(self.terraform("show", "-json", str(plan_file)).stdout)
        changes = []
        for change in shown.get("resource_changes", []):
            actions = change["change"]["actions"]
            if actions in (["no-op"], ["read"]):
                continue
            before, after = change["change"].get("before") or {}, change["change"].get("after") or {}
            attributes = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            changes.append({"address": change["address"], "actions": actions, "attributes": attributes})
        return changes

    def plan_json(self) -> dict[str, Any]:
        """`terraform show -json` of a plan against this deployment as applied: every resource with
        the values AWS computed (ARNs of keys and roles are known, unlike in a plan from nothing,
        where checkov would read each unknown key as "not encrypted"). The state holds what AWS
        answered at apply, so the plan does not read every resource again (`plan_changes`, the
        re-plan gate, does)."""
        self.apply()
        plan_file = self.work_dir / "current.tfplan"
        self.terraform("plan", "-input=false", "-no-color", "-refresh=false", f"-out={plan_file}", *self._var_args())
        return json.loads(self.terraform("show", "-json", str(plan_file)).stdout)

    def destroy(self) -> None:
        self.init()
        self.terraform("destroy", "-auto-approve", "-input=false", "-no-color", *self._var_args())
        (self.work_dir / "apply.stamp").unlink(missing_ok=True)

    def forget(self) -> None:
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def _stamp(self, include_code: bool) -> str:
        """Everything an apply depends on: this account, the HCL, the inputs and (for apply) the
        code and instructions it uploads."""
        digest = hashlib.sha256(self.account.id.encode())
        digest.update(self._override().encode())
        patterns = ["terraform/*.tf", "terraform/*.tftpl", "modules/*/*.tf", "examples/*/*.tf"]
        if include_code:
            patterns += ["dist/*.zip", "agents/*/*.md", "envs/*.tfvars"]
            digest.update(json.dumps(self.variables, sort_keys=True).encode())
            if self.var_file:
                digest.update(self.var_file.read_bytes())
        for pattern in patterns:
            for path in sorted(REPO_ROOT.glob(pattern)):
                digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + path.read_bytes())
        return digest.hexdigest()


class _ApplyProgress:
    """Reads `terraform apply -json` lines: counts finished changes, reports now and then."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.progress = progress
        self.planned = 0
        self.done = 0
        self.errors: list[str] = []
        self._last = 0.0

    def __call__(self, line: str) -> None:
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            return
        kind = message.get("type")
        if kind == "change_summary" and message.get("changes", {}).get("operation") == "plan":
            self.planned = (
                message["changes"].get("add", 0) + message["changes"].get("change", 0) + message["changes"].get("remove", 0)
            )
        elif kind == "apply_complete" and message.get("hook", {}).get("action") != "read":
            self.done += 1
            if self.progress and (time.monotonic() - self._last > 2 or self.done == self.planned):
                self._last = time.monotonic()
                self.progress(f"terraform apply: {self.done}/{self.planned or '?'} resources")
        elif kind == "diagnostic" and message.get("@level") == "error":
            self.errors.append(message.get("@message", ""))


def _stream(command: list[str], env: dict[str, str], on_line: Callable[[str], None]) -> subprocess.CompletedProcess:
    lines: list[str] = []
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        on_line(line)
    process.wait()
    return subprocess.CompletedProcess(command, process.returncode, "".join(lines), "")


def _errors(result: subprocess.CompletedProcess) -> str:
    """Terraform's own error text (from -json diagnostics when the output is JSON lines)."""
    text = (result.stdout or "") + (result.stderr or "")
    messages = []
    for line in text.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(message, dict) and message.get("type") == "diagnostic" and message.get("@level") == "error":
            detail = message.get("diagnostic", {})
            messages.append(f"  {detail.get('summary', '')}: {detail.get('detail', '')}".rstrip(": "))
    return "\n".join(messages) if messages else "\n".join(text.strip().splitlines()[-30:])


def leftovers(account: AccountClient) -> dict[str, list[str]]:
    """What the account still holds that a deployment creates, per kind ({} when empty). Keys
    scheduled for deletion and secrets in their recovery window count as gone, as on AWS; so do
    the default event bus and what AWS itself manages (AWS-managed keys, service-linked roles)."""
    found: dict[str, list[str]] = {}

    def note(kind: str, names: list[str]) -> None:
        if names:
            found[kind] = sorted(names)

    s3, dynamodb, lambda_, sfn = (account.client(s) for s in ("s3", "dynamodb", "lambda", "stepfunctions"))
    note("s3 buckets", [b["Name"] for b in s3.list_buckets().get("Buckets", [])])
    note("dynamodb tables", dynamodb.list_tables()["TableNames"])
    note("lambda functions", [f["FunctionName"] for f in lambda_.list_functions()["Functions"]])
    note("state machines", [m["name"] for m in sfn.list_state_machines()["stateMachines"]])
    note("sns topics", [t["TopicArn"] for t in account.client("sns").list_topics()["Topics"]])
    note("sqs queues", account.client("sqs").list_queues().get("QueueUrls", []))
    events = account.client("events")
    buses = [b["Name"] for b in events.list_event_buses()["EventBuses"] if b["Name"] != "default"]
    note("event buses", buses)
    note("event rules", [r["Name"] for bus in ["default", *buses] for r in events.list_rules(EventBusName=bus)["Rules"]])
    note("event archives", [a["ArchiveName"] for a in events.list_archives()["Archives"]])
    kms = account.client("kms")
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    note("kms keys", [k["KeyId"] for k in keys if k["KeyManager"] == "CUSTOMER" and k["KeyState"] != "PendingDeletion"])
    note("kms aliases", [a["AliasName"] for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")])
    note("log groups", [g["logGroupName"] for g in account.client("logs").describe_log_groups()["logGroups"]])
    cloudwatch = account.client("cloudwatch")
    note("alarms", [a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]])
    note("dashboards", [d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"]])
    note(
        "secrets", [s["Name"] for s in account.client("secretsmanager").list_secrets()["SecretList"] if not s.get("DeletedDate")]
    )
    iam = account.client("iam")
    note("iam roles", [r["RoleName"] for r in iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-service-role/")])
    note("iam policies", [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]])
    note(
        "budgets",
        [b["BudgetName"] for b in account.client("budgets").describe_budgets(AccountId=account.account_id).get("Budgets", [])],
    )
    note("bedrock agents", [a["agentName"] for a in account.client("bedrock-agent").list_agents()["agentSummaries"]])
    return found
