"""docs/deploy.md's commands exist, and the walk in make test-deploy (tests/deploy/test_runbook.py)
leaves out only what it says it leaves out."""

from __future__ import annotations

import re
import subprocess

from tests.runbook import REPO_ROOT, Block, blocks, walk_script

MAKEFILE = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
# Each block the offline walk cannot run, by its first line. A new one must be added here, with the
# reason written in the runbook beside it.
NOT_RUN_OFFLINE = {"aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=stack,Status=Active"}


def test_the_runbook_runs_every_block_but_the_ones_it_names():
    runbook = blocks()
    assert len(runbook) >= 10
    assert {b.first_line for b in runbook if b.not_run_offline} == NOT_RUN_OFFLINE
    script = walk_script(runbook)
    assert all(b.code in script for b in runbook if not b.not_run_offline)
    assert "update-cost-allocation-tags-status" not in script


def test_a_reason_is_required_to_leave_a_block_out():
    text = "<!-- not run offline: no such service offline -->\n```bash\naws ce x\n```\n\n```bash\nmake plan\n```\n"
    assert blocks(text) == [Block("aws ce x\n", "no such service offline"), Block("make plan\n", None)]
    assert "aws ce x" not in walk_script(blocks(text))


def test_every_make_target_in_the_runbook_exists():
    used = {m for b in blocks() for m in re.findall(r"^\s*make ([a-z-]+)", b.code, re.MULTILINE)}
    assert {"setup", "package", "plan", "apply", "seed-secret", "library-sync", "destroy"} <= used
    defined = set(re.findall(r"^([a-z-]+):", MAKEFILE, re.MULTILINE))
    assert used <= defined, sorted(used - defined)


def test_make_destroy_refuses_without_the_env_named_again():
    for confirm in ([], ["CONFIRM=yes"], ["CONFIRM=team"]):
        result = subprocess.run(
            ["make", "--no-print-directory", "destroy", "ENV=pilot", *confirm],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, result
        assert "make destroy ENV=pilot CONFIRM=pilot" in result.stdout
        assert "terraform" not in result.stdout.replace("make destroy", "")  # refused before any Terraform


def test_the_deployment_files_the_runbook_writes_stay_out_of_git():
    for path in ("envs/pilot.backend.hcl", "envs/pilot.local.tfvars"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO_ROOT, check=False).returncode == 0, path
