"""What Terraform configures is what the offline run does: change a variable, apply, and the run
changes with it (nothing in Python re-derives the stack), IAM included."""

from __future__ import annotations

import pytest

from scripts.offline.model_faults import calls_meet
from scripts.offline.runtime import OfflineWorkflow

# An apply, a run and a teardown take minutes on 2 cores: more than the suite-wide per-test limit.
pytestmark = [pytest.mark.deploy_gate, pytest.mark.timeout(1200)]
TOPIC = "Step Functions orchestrates Bedrock agents"


def test_map_concurrency_and_a_function_variable_come_from_the_apply(fresh_account, corpus, tmp_path):
    with OfflineWorkflow(env="pilot", corpus=corpus, account=fresh_account, work_dir=tmp_path) as workflow:
        pilot = workflow.deployment.outputs["workflow_limits"]
        # Re-apply the same account with two variables changed, as a user would with -var.
        limit = pilot["default_max_sources"]  # the lowest limit the other sizing variables allow
        changed = {"map_max_concurrency": pilot["map_max_concurrency"] + 1, "max_sources_limit": limit}
        deployer = workflow.deployer(variables=changed)
        outputs = deployer.apply()
        validate = fresh_account.client("lambda").get_function_configuration(
            FunctionName=outputs["function_names"]["validate_input"]
        )
        assert validate["Environment"]["Variables"]["MAX_SOURCES_LIMIT"] == str(limit)
        assert pilot["max_sources_limit"] > limit  # so the refusal below is the change's doing

        meeting, faults = calls_meet("summary", changed["map_max_concurrency"])  # the Map's first items in flight together
        within = workflow.run(topic=TOPIC, approve="auto", max_sources=limit, test_case=meeting, model_faults=faults).summary
        assert within["end_state"] == "Published", within
        assert within["peak_concurrency"]["agent_summary"] == changed["map_max_concurrency"]

        beyond = workflow.run(topic=TOPIC, approve="auto", max_sources=limit + 1).summary
        assert beyond["end_state"] == "InvalidInput"
        assert "WorkflowFailed" in beyond["events"]

        # An IAM change in the Terraform changes the run: with an AWS_IAM callback URL the e-mail
        # link, which carries no AWS signature, is refused (403), so nobody can approve.
        workflow.deployer(variables={**changed, "approval_callback_auth_type": "AWS_IAM"}).apply()
        locked = workflow.run(topic=TOPIC, approve="auto", max_sources=limit, timeout_s=15).summary
        assert set(locked["reviewer_http_statuses"]) == {403}, locked
        assert (locked["status"], locked["end_state"]) == ("ABORTED", "RequestApproval"), locked
