"""checkov on the pilot's plan (scripts/offline/plan.py): the deployed values, every resource of
the stack, and no failed check. team and bu are scanned in tests/deploy. A deployment gate like
theirs (`make test-deploy`): the plan is made against the pilot applied into its own account."""

from __future__ import annotations

import json

import pytest

from scripts.offline.plan import planned_resources, run_checkov

pytestmark = pytest.mark.deploy_gate

FULL_STACK = 91  # resources of the pilot today: a partial plan must not pass as "no failure"


def test_the_pilot_plan_holds_the_full_stack_and_fails_no_check(workflow, tmp_path):
    deployer = workflow.deployer()
    plan = deployer.plan_json()
    resources = planned_resources(plan)
    assert len(resources) >= FULL_STACK, resources
    # The approval links' endpoint, with the resources checkov reviews for it.
    assert {
        "module.approvals.aws_apigatewayv2_api.callback[0]",
        "module.approvals.aws_apigatewayv2_stage.callback[0]",
        'module.approvals.aws_apigatewayv2_route.callback["GET /"]',
        'module.approvals.aws_lambda_permission.api_routes["POST /"]',
    } <= set(resources)

    plan_file = tmp_path / "pilot.plan.json"
    plan_file.write_text(json.dumps(plan))
    result = run_checkov(plan_file, deployer, "--output", "json")
    report = json.loads(result.stdout)
    failed = "\n".join(f"{c['check_id']} {c['resource']}" for c in report["results"].get("failed_checks", []))
    assert report["summary"]["failed"] == 0, failed
    assert report["summary"]["resource_count"] == len(resources)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 300
    assert result.returncode == 0
