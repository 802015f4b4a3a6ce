"""docs/deploy.md walked as a user follows it, against a fresh embedded account: every block that
runs offline, pasted into one bash in a checkout of this repository, with only the environment
pointing the AWS CLI, Terraform and boto3 at the account instead of AWS (AWS_ENDPOINT_URL and the
deployer's key). A reviewer clicks the e-mail's Approve link, as the runbook's person does."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from scripts import terraform_runner
from scripts.offline.account import DEPLOYER_CREDENTIALS
from scripts.offline.approvals import Reviewer
from scripts.offline.deploy import REPO_ROOT, leftovers, provider_cli_config
from tests.runbook import blocks, walk_script

pytestmark = [pytest.mark.deploy_gate, pytest.mark.timeout(1200)]
REVIEWER = "reviewer@example.com"  # the address the runbook subscribes
# What a checkout holds that the walk must not write into: Terraform's working files and the
# runbook's own files go into copies of these folders, every file in them a link to the real one.
WRITTEN_INTO = ("terraform", "envs")
LEFT_OUT = {".git", "out", ".pytest_cache", ".ruff_cache"}


def checkout(tree: Path) -> Path:
    tree.mkdir(parents=True)
    for entry in REPO_ROOT.iterdir():
        if entry.name in LEFT_OUT:
            continue
        if entry.name in WRITTEN_INTO:
            (tree / entry.name).mkdir()
            for child in entry.iterdir():
                if not child.name.startswith((".terraform", "terraform.tfstate")):
                    (tree / entry.name / child.name).symlink_to(child)
        else:
            (tree / entry.name).symlink_to(entry)
    return tree


def walk_environment(account, work_dir: Path) -> dict[str, str]:
    """The caller's shell, pointed at the embedded account; nothing of the machine's own AWS or
    Terraform setup leaks in."""
    cli_config = work_dir / "cli.tfrc"
    cli_config.write_text(provider_cli_config(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_", "MAKE"))}
    tools = [str(REPO_ROOT / ".venv" / "bin"), str(Path(terraform_runner.terraform_binary()).parent)]
    env.update(
        {
            "PATH": os.pathsep.join([*tools, env.get("PATH", "")]),
            "AWS_ENDPOINT_URL": account.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            **DEPLOYER_CREDENTIALS,
        }
    )
    return env


def test_the_runbook_deploys_runs_a_report_through_the_bus_and_removes_everything(fresh_account, tmp_path):
    tree = checkout(tmp_path / "checkout")
    script = walk_script(blocks())
    reviewer = Reviewer("auto", fresh_account, REVIEWER, topic_arn="", callback_url="")
    reviewer.start()
    lines: list[str] = []
    started = time.monotonic()
    try:
        with subprocess.Popen(
            ["bash", "-c", script],
            cwd=tree,
            env=walk_environment(fresh_account, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as walk:
            assert walk.stdout is not None
            for line in walk.stdout:
                lines.append(line)
                requested = re.match(r"requested workflow (\S+)", line)
                if requested:  # the person reads the e-mail for this workflow
                    topics = fresh_account.client("sns").list_topics()["Topics"]
                    reviewer.topic_arn = next(t["TopicArn"] for t in topics if t["TopicArn"].endswith("-approvals"))
                    reviewer.workflow_id = requested.group(1)
            walk.wait(timeout=60)
    finally:
        reviewer.stop()
    output = "".join(lines)
    (tmp_path / "walk.log").write_text(output, encoding="utf-8")
    last_block = [line for line in lines if line.startswith("::runbook block")][-1:]
    assert walk.returncode == 0, (
        f"the runbook stopped in {last_block} after {time.monotonic() - started:.0f} s:\n{output[-6000:]}"
    )

    # Every block ran, in order.
    ran = [b for b in blocks() if not b.not_run_offline]
    assert len(re.findall(r"^::runbook block", output, re.MULTILINE)) == len(ran)
    # The subscriptions the local tfvars asked for, on both topics.
    assert re.search(rf"^{re.escape(REVIEWER)}\s+arn:aws:sns:", output, re.MULTILINE), output
    assert re.search(r"^ops@example\.com\s+arn:aws:sns:", output, re.MULTILINE), output
    # checkov passed on the HCL with the env's values (make plan stops at a failed check).
    assert re.search(r"Failed checks: 0\b", output), output
    # The bus took the event, the rule started the run, the person approved it once, and it published.
    workflow_id = reviewer.workflow_id
    assert re.search(rf"^0\nrequested workflow {workflow_id}$", output, re.MULTILINE), "FailedEntryCount 0, then the request"
    execution = re.search(r"^arn:aws:states:[^:]+:\d+:execution:research-report-pilot:(\S+)$", output, re.MULTILINE)
    assert execution and not execution.group(1).startswith("acme-"), "the bus rule names the execution, not the runbook"
    assert [(d.decision, d.status < 400) for d in reviewer.decisions] == [("approve", True)]
    assert re.search(rf"^PUBLISHED\s+published/{workflow_id}/report\.md$", output, re.MULTILINE), output[-3000:]
    report = (tree / "out" / "report.md").read_text(encoding="utf-8")
    assert "[src-" in report, report[:500]

    # Nothing is left but the state bucket the user made, and the signing secret is gone, not
    # waiting out a recovery window that would block re-creating the env.
    state_bucket = re.search(r'^bucket\s*=\s*"([^"]+)"', (tree / "envs" / "pilot.backend.hcl").read_text(), re.MULTILINE)
    assert state_bucket
    assert leftovers(fresh_account) == {"s3 buckets": [state_bucket.group(1)]}
    secrets = fresh_account.client("secretsmanager").list_secrets(IncludePlannedDeletion=True)["SecretList"]
    assert secrets == [], [s["Name"] for s in secrets]
