"""Faults at the model, end to end: the embedded Bedrock endpoints answer an error, a broken
stream, an empty or malformed reply (scripts/mock_configs/model_faults.json); the agent handler
translates it, Step Functions retries or falls back on the error name, and the run ends where the
deployed definition says, with every artifact it recorded still in S3."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from scripts.offline.model import AGENT_LABEL, FALLBACK_LABEL
from scripts.offline.model_faults import ModelFaultsError, case_from_document, read_document

FAULTS = Path(__file__).resolve().parents[2] / "scripts" / "mock_configs" / "model_faults.json"


def recorded_artifacts_are_in_s3(workflow, summary) -> bool:
    """Every artifact the handlers recorded for the workflow is an object in the bucket."""
    table = workflow.client("dynamodb")
    items = table.query(
        TableName=workflow.deployment.outputs["workflow_table_name"],
        KeyConditionExpression="pk = :pk AND begins_with(sk, :artifact)",
        ExpressionAttributeValues={":pk": {"S": f"WF#{summary['workflow_id']}"}, ":artifact": {"S": "ARTIFACT#"}},
    )["Items"]
    recorded = {item["sk"]["S"].removeprefix("ARTIFACT#") for item in items}
    return bool(recorded) and recorded <= set(summary["artifacts"])


def run(workflow, case, approve="auto"):
    # A topic of its own: a search-cache hit would skip the search agent and its faults.
    topic = f"Bedrock quotas, retries and Map concurrency {uuid.uuid4().hex[:8]}"
    return workflow.run(topic=topic, approve=approve, max_sources=5, test_case=case, model_faults=read_document(FAULTS))


@pytest.mark.parametrize(
    ("case", "retries", "fallbacks", "map_failures", "label", "approve"),
    [
        ("SearchThrottledTwice", 2, 0, 0, AGENT_LABEL, "auto"),  # ThrottlingException -> AgentThrottled, retried with backoff
        ("SummaryQuotaExceededOnce", 1, 0, 0, AGENT_LABEL, "auto"),  # ServiceQuotaExceededException is throttling too
        ("WriterAgentRefusesFallbackWrites", 0, 1, 0, FALLBACK_LABEL, "auto"),  # ValidationException -> Converse writes
        ("ReviserAgentRefusesFallbackRevises", 0, 1, 0, FALLBACK_LABEL, "reject-then-approve"),  # Converse revises
        ("WriterStreamBreaks", 0, 1, 0, FALLBACK_LABEL, "auto"),  # EventStreamError mid-read -> Converse writes
        ("OneSummaryEmptyThenFallbackTimesOut", 0, 1, 1, AGENT_LABEL, "auto"),  # empty, then ModelTimeoutException: one left out
    ],
)
def test_a_model_fault_is_retried_or_falls_back_and_the_report_is_published(
    workflow, case, retries, fallbacks, map_failures, label, approve
):
    result = run(workflow, case, approve)
    summary = result.summary
    assert summary["end_state"] == "Published", summary
    assert (summary["retries"], summary["fallbacks"], summary["map_failures"]) == (retries, fallbacks, map_failures), summary
    faulted = next(role for role in ("search", "summary", "writer", "reviser") if role in case.lower())  # the case names it
    assert {role: n for role, n in summary["fallbacks_by_role"].items() if n} == ({faulted: fallbacks} if fallbacks else {})
    assert label in result.report  # who wrote the draft: the agent, or the fallback model
    assert recorded_artifacts_are_in_s3(workflow, summary)


@pytest.mark.parametrize(
    ("case", "cause"),
    [
        ("WriterAgentAndFallbackDenied", "AccessDeniedException"),
        ("SearchReplyNotJson", "search reply contains no JSON array"),
    ],
)
def test_when_the_agent_and_its_fallback_both_fail_the_failure_is_recorded_under_the_original_error(workflow, case, cause):
    summary = run(workflow, case).summary
    assert (summary["status"], summary["end_state"], summary["error"]) == ("FAILED", "WorkflowFailed", "AgentFailed"), summary
    assert cause in summary["cause"]
    assert summary["fallbacks"] == 1
    assert "WorkflowFailed" in summary["events"]
    record = workflow.client("dynamodb").get_item(
        TableName=workflow.deployment.outputs["workflow_table_name"],
        Key={"pk": {"S": f"WF#{summary['workflow_id']}"}, "sk": {"S": "META"}},
    )["Item"]
    failure = record["failure"]["M"]
    assert record["status"]["S"] == "FAILED"
    assert (failure["error"]["S"], failure["fallback_error"]["S"]) == ("AgentFailed", "AgentFailed")
    assert cause in failure["cause"]["S"]
    if case != "SearchReplyNotJson":  # a failed search has written nothing yet
        assert recorded_artifacts_are_in_s3(workflow, summary)


def test_faults_are_read_per_api_and_refused_when_the_api_cannot_answer_them():
    document = {
        "TestCases": {"Bad": {"search": {"InvokeAgent": "Timeout"}}},
        "ModelResponses": {"Timeout": {"0": {"Error": "ModelTimeoutException"}}},
    }
    with pytest.raises(ModelFaultsError, match="InvokeAgent cannot answer 'ModelTimeoutException'"):
        case_from_document(document, "Bad")
    document["TestCases"]["Bad"] = {"search": {"Converse": "Timeout"}}
    case = case_from_document(document, "Bad")
    assert case.next_response("search", "Converse").status == 408  # the status the API model gives it
    assert case.next_response("search", "Converse") is None  # past the last index the local model answers
    assert case.next_response("summary", "Converse") is None
