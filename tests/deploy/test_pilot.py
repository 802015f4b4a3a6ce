"""The pilot as a fresh account deploys it (team and bu are in test_environments.py): checkov on its
plan, and `make load`'s smallest case, a burst of workflows through its event bus past its Lambda
concurrency and under a tenth of its Bedrock quotas, which loses no event and leaves no execution
without a named end state (scripts/load.py). One apply serves both."""

from __future__ import annotations

import pytest

from scripts.load import run_load
from scripts.offline.runtime import OfflineWorkflow
from tests.deploy.plan_scan import assert_plan_passes_checkov

# An apply, a scan and a load take minutes on 2 cores: more than the suite-wide per-test limit.
pytestmark = [pytest.mark.deploy_gate, pytest.mark.timeout(900)]
FULL_STACK = 91  # resources of the pilot today
WORKFLOWS = 4  # twice what the pilot's agent sandboxes (4) and Map concurrency (2) run at once
QUOTA_FACTOR = 0.1  # a tenth of the pilot's quotas: a search's reservation empties a bucket
TIME_SCALE = 0.05  # retries back off and quotas refill twenty times faster than on AWS


def test_the_pilot_plan_passes_checkov_and_a_burst_past_its_quotas_loses_nothing(fresh_account, corpus, tmp_path):
    with OfflineWorkflow(env="pilot", corpus=corpus, account=fresh_account, work_dir=tmp_path, scale=TIME_SCALE) as workflow:
        resources = assert_plan_passes_checkov(workflow.deployer(), tmp_path / "pilot.plan.json", FULL_STACK)
        # The approval links' endpoint, with the resources checkov reviews for it.
        assert {
            "module.approvals.aws_apigatewayv2_api.callback[0]",
            "module.approvals.aws_apigatewayv2_stage.callback[0]",
            'module.approvals.aws_apigatewayv2_route.callback["GET /"]',
            'module.approvals.aws_lambda_permission.api_routes["POST /"]',
        } <= set(resources)

        result = run_load(workflow, WORKFLOWS, quota_factor=QUOTA_FACTOR, timeout_s=600, warm=False)

    assert result["events"] == {"put": WORKFLOWS, "accepted": WORKFLOWS, "refused": 0}
    assert (result["events_lost"], result["duplicate_executions"]) == (0, 0)
    assert result["executions"]["started"] == result["executions"]["ended"] == WORKFLOWS
    assert result["problems"] == []
    assert sum(result["end_states"].values()) == WORKFLOWS
    assert all(state.split(":", 1)[1] not in ("", "None") for state in result["end_states"]), result["end_states"]
    assert result["published"] + result["failed"] + result["other"] == WORKFLOWS
    assert result["dlq_new"] == 0
    # The quotas were hit on the deployed path (two searches' reservations do not fit in a tenth of
    # the pilot's Sonnet quota). Whether a throttle outlasts the SDK's own retry and reaches Step
    # Functions as AgentThrottled depends on how fast the bucket refills while two cores are busy.
    assert result["bedrock_throttles"] > 0, result["bedrock_quotas"]
