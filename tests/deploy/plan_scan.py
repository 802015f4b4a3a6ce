"""checkov on the plan of an environment applied into an embedded account (scripts/offline/plan.py):
the deployed values, every resource of the stack, and no failed check."""

from __future__ import annotations

import json
from pathlib import Path

from scripts.offline.deploy import StackDeployer
from scripts.offline.plan import planned_resources, run_checkov


def assert_plan_passes_checkov(deployer: StackDeployer, plan_file: Path, full_stack: int) -> list[str]:
    """Plan, scan, and fail on a failed check or a partial plan (fewer than ``full_stack``
    resources must not pass as "no failure"); returns the planned resources' addresses."""
    plan = deployer.plan_json()
    resources = planned_resources(plan)
    assert len(resources) >= full_stack, resources
    plan_file.write_text(json.dumps(plan))
    result = run_checkov(plan_file, deployer, "--output", "json")
    report = json.loads(result.stdout)
    failed = [f"{c['check_id']} {c['resource']}" for c in report["results"].get("failed_checks", [])]
    assert (report["summary"]["failed"], failed) == (0, [])
    assert report["summary"]["resource_count"] == len(resources)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 300
    assert result.returncode == 0
    return resources
