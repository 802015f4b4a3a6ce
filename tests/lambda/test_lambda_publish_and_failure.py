"""Publish (copy to published/, mark PUBLISHED, ReportPublished) and OnFailure (record, emit, feed Fail)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from lambda_helpers import BUCKET, BUS, EXECUTION_ARN, WORKFLOW_TABLE, read_s3, received_events, s3_tags
from workflow_core.errors import ArtifactMissing, InvalidInput

WORKFLOW = {
    "workflow_id": "wf-001",
    "tenant": "acme",
    "topic": "Bedrock quotas",
    "requested_by": "ana@example.com",
    "max_sources": 4,
    "execution_arn": EXECUTION_ARN,
}
DRAFT = {"draft_key": "wf-001/drafts/v2.md", "version": 2, "summarized": 4, "failed_sources": 0}
APPROVAL = {"approval_id": "a-1", "decision": "approve", "reviewer": "rita@example.com", "comments": ""}


def workflow_record() -> dict[str, Any]:
    return boto3.resource("dynamodb").Table(WORKFLOW_TABLE).get_item(Key={"pk": "WF#wf-001", "sk": "META"}).get("Item")


@pytest.fixture
def running_workflow(resources) -> None:
    boto3.resource("dynamodb").Table(WORKFLOW_TABLE).put_item(
        Item={
            "pk": "WF#wf-001",
            "sk": "META",
            "status": "RUNNING",
            "tenant": "acme",
            "execution_arn": EXECUTION_ARN,
            "revision": 1,
        }
    )
    boto3.client("s3").put_object(Bucket=BUCKET, Key=DRAFT["draft_key"], Body=b"# Report v2\n", Tagging="retention=intermediate")


@pytest.fixture
def publish(resources, load_handler, context):
    module = load_handler(
        "publish", ENVIRONMENT="test", WORKFLOW_TABLE=WORKFLOW_TABLE, ARTIFACT_BUCKET=BUCKET, EVENT_BUS_NAME=BUS
    )
    return lambda **changes: module.lambda_handler(
        {
            "workflow": WORKFLOW,
            "draft": DRAFT,
            "approval": APPROVAL,
            "execution_arn": EXECUTION_ARN,
            "state": "Publish",
            **changes,
        },
        context,
    )


@pytest.fixture
def on_failure(resources, load_handler, context):
    module = load_handler("on_failure", ENVIRONMENT="test", WORKFLOW_TABLE=WORKFLOW_TABLE, EVENT_BUS_NAME=BUS)
    return lambda state, reason, arn=EXECUTION_ARN: module.lambda_handler(
        {"input": state, "reason": reason, "execution_arn": arn, "state": reason}, context
    )


# -- publish --------------------------------------------------------------------------------
def test_publish_copies_the_approved_draft_to_the_published_prefix_with_published_retention(running_workflow, publish) -> None:
    assert publish() == {"published_key": "published/wf-001/report.md"}
    assert read_s3("published/wf-001/report.md") == "# Report v2\n"
    assert s3_tags("published/wf-001/report.md") == {"retention": "published"}


def test_publish_marks_the_workflow_record_published(running_workflow, publish) -> None:
    publish()
    record = workflow_record()
    assert (record["status"], record["published_key"]) == ("PUBLISHED", "published/wf-001/report.md")


def test_publish_emits_report_published(running_workflow, publish, resources) -> None:
    publish()
    events = received_events(resources["events_queue_url"])
    assert [e["detail-type"] for e in events] == ["ReportPublished"]
    assert events[0]["detail"]["published_key"] == "published/wf-001/report.md"


def test_publish_refuses_a_rejected_draft(running_workflow, publish) -> None:
    with pytest.raises(InvalidInput, match="reject"):
        publish(approval={**APPROVAL, "decision": "reject"})


def test_publish_of_a_missing_draft_is_artifact_missing(running_workflow, publish) -> None:
    with pytest.raises(ArtifactMissing):
        publish(draft={**DRAFT, "draft_key": "wf-001/drafts/v3.md", "version": 3})


# -- on_failure ------------------------------------------------------------------------------
def lambda_error(error_type: str, message: str) -> dict[str, str]:
    cause = json.dumps({"errorType": error_type, "errorMessage": message, "stackTrace": ["  File x", "  line y"]})
    return {"Error": error_type, "Cause": cause}


def test_on_failure_returns_the_original_error_for_the_fail_state(running_workflow, on_failure) -> None:
    state = {
        "workflow": WORKFLOW,
        "revision": 0,
        "error": lambda_error("TooManySourceFailures", "3 of 4 sources have no summary"),
    }
    assert on_failure(state, "WorkflowFailed") == {"Error": "TooManySourceFailures", "Cause": "3 of 4 sources have no summary"}


def test_on_failure_records_failed_status_and_the_error_on_the_workflow_record(running_workflow, on_failure) -> None:
    on_failure({"workflow": WORKFLOW, "error": lambda_error("AgentFailed", "writer failed")}, "WorkflowFailed")
    record = workflow_record()
    assert record["status"] == "FAILED"
    assert record["failure"] == {"reason": "WorkflowFailed", "error": "AgentFailed", "cause": "writer failed"}


def test_on_failure_uses_the_fallback_error_when_only_the_fallback_failed_is_known(running_workflow, on_failure) -> None:
    result = on_failure(
        {"workflow": WORKFLOW, "fallback_error": lambda_error("AgentThrottled", "still throttled")}, "WorkflowFailed"
    )
    assert result["Error"] == "AgentThrottled"


def test_on_failure_emits_workflow_failed_with_the_reason(running_workflow, on_failure, resources) -> None:
    on_failure({"workflow": WORKFLOW, "error": {"Error": "States.HeartbeatTimeout", "Cause": "no heartbeat"}}, "ApprovalTimedOut")
    events = received_events(resources["events_queue_url"])
    assert [e["detail-type"] for e in events] == ["WorkflowFailed"]
    assert events[0]["detail"]["reason"] == "ApprovalTimedOut"
    assert (events[0]["detail"]["workflow_id"], events[0]["detail"]["tenant"]) == ("wf-001", "acme")
    assert workflow_record()["status"] == "APPROVAL_TIMED_OUT"


def test_on_failure_for_the_revision_limit_reports_the_reason_itself(running_workflow, on_failure) -> None:
    result = on_failure({"workflow": WORKFLOW, "draft": {**DRAFT, "version": 4}}, "RevisionLimitReached")
    assert result == {"Error": "RevisionLimitReached", "Cause": "the draft was rejected after 3 revision(s)"}
    assert workflow_record()["status"] == "REVISION_LIMIT_REACHED"


def test_on_failure_for_invalid_input_never_touches_another_executions_record(running_workflow, on_failure, resources) -> None:
    other = EXECUTION_ARN.rsplit(":", 1)[0] + ":acme-dup"
    state = {
        "topic": "t",
        "tenant": "acme",
        "requested_by": "x",
        "workflow_id": "wf-001",
        "error": lambda_error("InvalidInput", "workflow_id 'wf-001' is already used"),
    }
    assert on_failure(state, "InvalidInput", arn=other)["Error"] == "InvalidInput"
    assert workflow_record()["status"] == "RUNNING"
    detail = received_events(resources["events_queue_url"])[0]["detail"]
    assert (detail["reason"], detail["tenant"], detail["workflow_id"]) == ("InvalidInput", "acme", None)


def test_on_failure_keeps_a_plain_text_cause_short(running_workflow, on_failure) -> None:
    result = on_failure({"workflow": WORKFLOW, "error": {"Error": "States.TaskFailed", "Cause": "x" * 5000}}, "WorkflowFailed")
    assert len(result["Cause"]) == 500


def test_on_failure_turns_reserved_states_errors_into_workflow_failed_keeping_the_name_in_the_cause(
    running_workflow, on_failure, resources
) -> None:
    state = {"workflow": WORKFLOW, "error": {"Error": "States.Runtime", "Cause": "JSONPath not found"}}
    assert on_failure(state, "WorkflowFailed") == {"Error": "WorkflowFailed", "Cause": "States.Runtime: JSONPath not found"}
    assert received_events(resources["events_queue_url"])[-1]["detail"]["error"]["error"] == "States.Runtime"


def test_every_log_line_carries_the_execution_arn_as_correlation_id_and_the_workflow_id(
    running_workflow, on_failure, handler_logs
) -> None:
    on_failure({"workflow": WORKFLOW, "error": lambda_error("AgentFailed", "no answer")}, "WorkflowFailed")
    records = handler_logs()
    assert records, "the handler logged nothing"
    assert {record.get("correlation_id") for record in records} == {EXECUTION_ARN}
    assert {record.get("workflow_id") for record in records} == {"wf-001"}
