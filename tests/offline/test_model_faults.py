"""Faults at the model (scripts/offline/model_faults.py, scripts/mock_configs/model_faults.json).

How a faults file is read (callers Agent, Fallback and InvokeAgent; the responses each may answer),
which caller a Bedrock call is (scripts/offline/bedrock.py: Converse on the role's registered
fallback model is the Fallback, any other Converse the Agent), and end to end: the embedded Bedrock
endpoints answer an error, an empty or malformed reply, or a tool call; the agent handler
translates it, Step Functions retries or falls back on the error name, and the run ends where the
deployed definition says, with every artifact it recorded still in S3."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.eventstream import EventStreamBuffer
from workflow_core import roles, tools

from scripts.offline.bedrock import BedrockRuntime
from scripts.offline.bedrock_catalog import BedrockError, catalogue
from scripts.offline.model import Conversation, label
from scripts.offline.model_faults import ModelFaultsError, calls_meet, case_from_document, read_document
from scripts.offline.runtime import emf_documents

FAULTS = Path(__file__).resolve().parents[2] / "scripts" / "mock_configs" / "model_faults.json"
ACCOUNT_ID, REGION = "123456789012", "us-east-1"
MODEL = "global.anthropic.claude-sonnet-5-5"
FALLBACK_MODEL = "global.anthropic.claude-haiku-5-5"
AGENT = {"agent_id": "SRCHAGENT1", "alias_id": "SRCHALIAS1"}
EXECUTION = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:research-report:faulted"
ROOT = "1-6a000000-0123456789abcdef01234567"
TRACED = {"HTTP_X_AMZN_TRACE_ID": f"Root={ROOT};Parent=0123456789abcdef;Sampled=0"}  # as botocore sends it on Lambda
SEARCH_PROMPT = roles.search_request("Bedrock quotas", 3, "wf-faults").prompt


def _no_index():
    raise AssertionError("Converse never runs a tool: the agent's loop does")


TOOL_CONFIG = {"tools": [tool.spec() for tool in tools.library_tools(_no_index)]}


def faults(cases: dict, responses: dict) -> dict:
    return {"TestCases": {"Case": cases}, "ModelResponses": responses}


# --- reading a faults file ---------------------------------------------------------------------


def test_faults_are_read_per_caller_and_refused_when_its_api_cannot_answer_them():
    timeout = {"Timeout": {"0": {"Error": "ModelTimeoutException"}}}
    with pytest.raises(ModelFaultsError, match="InvokeAgent cannot answer 'ModelTimeoutException'"):
        case_from_document(faults({"search": {"InvokeAgent": "Timeout"}}, timeout), "Case")
    case = case_from_document(faults({"search": {"Agent": "Timeout", "Fallback": "Timeout"}}, timeout), "Case")
    assert case.next_response("search", "Agent").status == 408  # the status Converse's API model gives it
    assert case.next_response("search", "Agent") is None  # past the last index the local model answers
    assert case.next_response("search", "Fallback").error == "ModelTimeoutException"  # a count of its own
    assert case.next_response("summary", "Agent") is None


@pytest.mark.parametrize("caller", ["Converse", "InvokeModel", "agent"])
def test_a_caller_other_than_agent_fallback_or_invoke_agent_is_refused(caller):
    document = faults({"search": {caller: "Empty"}}, {"Empty": {"0": {"Completion": ""}}})
    with pytest.raises(ModelFaultsError, match=f"search.{caller} is not Agent, Fallback or InvokeAgent"):
        case_from_document(document, "Case")


def test_a_tool_use_response_asks_for_that_tool_call_on_converse_callers_only():
    asks = {"Read": {"0-1": {"ToolUse": {"Name": "read_document", "Input": {"uri": "s3://lib/documents/a.md#p1"}}}}}
    case = case_from_document(faults({"reviser": {"Fallback": "Read"}}, asks), "Case")
    assert [case.next_response("reviser", "Fallback").tool_use for _ in range(2)] == [
        {"name": "read_document", "input": {"uri": "s3://lib/documents/a.md#p1"}}
    ] * 2
    with pytest.raises(ModelFaultsError, match="InvokeAgent runs its tools itself"):
        case_from_document(faults({"reviser": {"InvokeAgent": "Read"}}, asks), "Case")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ToolUse": {"Input": {}}}, "ToolUse needs Name"),
        ({"ToolUse": {"Name": "read_document", "Input": "s3://lib/a.md"}}, "ToolUse needs Name"),
        ({"ToolUse": "read_document"}, "ToolUse needs Name"),
        ({"ToolUse": {"Name": "read_document", "Input": {}}, "Completion": ""}, "exactly one of"),
        ({"StreamError": "throttlingException"}, "StreamError is for InvokeAgent"),
        ({"Meet": 0}, "Meet must be a positive integer"),
        ({"Meet": 2, "TimeoutSeconds": 600}, "TimeoutSeconds must be a number of seconds"),
    ],
    ids=[
        "no-name",
        "input-not-an-object",
        "not-an-object",
        "two-kinds",
        "stream-error-on-converse",
        "meet-none",
        "meet-too-long",
    ],
)
def test_a_malformed_response_for_an_agent_is_refused(body, message):
    with pytest.raises(ModelFaultsError, match=message):
        case_from_document(faults({"search": {"Agent": "Bad"}}, {"Bad": {"0": body}}), "Case")


def test_calls_that_meet_are_held_until_that_many_are_held_together_then_answered_by_the_local_model():
    name, document = calls_meet("search", 3, timeout_s=10)
    bedrock = BedrockRuntime(ACCOUNT_ID, REGION, execution_of_trace=lambda root: EXECUTION if root == ROOT else None)
    bedrock.register({"agents": {"search": AGENT}})
    bedrock.use_faults(EXECUTION, case_from_document(document, name))
    with ThreadPoolExecutor(max_workers=3) as pool:
        first_two = [pool.submit(converse, bedrock, MODEL) for _ in range(2)]
        time.sleep(0.3)
        assert not any(call.done() for call in first_two)  # two of three are held
        third = pool.submit(converse, bedrock, MODEL)
        answers = [call.result(timeout=5) for call in [*first_two, third]]
    assert {answer["stopReason"] for answer in answers} == {"tool_use"}  # the local model's first turn
    started = time.monotonic()
    converse(bedrock, MODEL)  # the fourth call is past the case: answered at once
    assert time.monotonic() - started < 1


def test_calls_that_never_meet_are_answered_after_the_timeout():
    name, document = calls_meet("search", 2, timeout_s=0.5)
    case = case_from_document(document, name)
    meet = case.next_response("search", "Agent")
    started = time.monotonic()
    assert case.meet("search", "Agent", meet) is False
    assert 0.5 <= time.monotonic() - started < 2
    # The one that timed out is no longer held: the next two meet each other.
    with ThreadPoolExecutor(max_workers=2) as pool:
        met = [pool.submit(case.meet, "search", "Agent", meet) for _ in range(2)]
        assert [call.result(timeout=5) for call in met] == [True, True]


# --- which caller a Bedrock call is ------------------------------------------------------------


def bedrock_with(cases: dict, responses: dict) -> BedrockRuntime:
    """The account's Bedrock with the search role's agent and fallback model registered, and this
    case's faults on the execution whose X-Ray trace root the calls carry."""
    bedrock = BedrockRuntime(ACCOUNT_ID, REGION, execution_of_trace=lambda root: EXECUTION if root == ROOT else None)
    bedrock.register({"agents": {"search": AGENT}, "fallback_models": {"search": FALLBACK_MODEL}})
    bedrock.use_faults(EXECUTION, case_from_document(faults(cases, responses), "Case"))
    return bedrock


def converse(bedrock: BedrockRuntime, model_id: str, environ: dict = TRACED, messages: list | None = None) -> dict:
    body = {
        "system": [{"text": "You are the search agent of a research-report workflow."}],
        "messages": messages or [{"role": "user", "content": [{"text": SEARCH_PROMPT}]}],
        "toolConfig": TOOL_CONFIG,
    }
    return bedrock.converse(model_id, body, environ)


def refused(call) -> tuple[int, str, str]:
    with pytest.raises(BedrockError) as error:
        call()
    return error.value.status, error.value.code, error.value.message


RESPONSES = {
    "Throttled": {"0": {"Error": "ThrottlingException", "Message": "Too many requests."}},
    "Denied": {"0": {"Error": "AccessDeniedException", "Message": "No access."}},
}


def test_converse_on_the_roles_fallback_model_takes_the_fallback_faults_and_any_other_model_the_agents():
    bedrock = bedrock_with({"search": {"Agent": "Throttled", "Fallback": "Denied"}}, RESPONSES)
    assert refused(lambda: converse(bedrock, FALLBACK_MODEL)) == (403, "AccessDeniedException", "No access.")
    assert refused(lambda: converse(bedrock, MODEL)) == (429, "ThrottlingException", "Too many requests.")
    assert converse(bedrock, MODEL)["stopReason"] == "tool_use"  # both sequences used up: the local model
    assert converse(bedrock, FALLBACK_MODEL)["stopReason"] == "tool_use"


def test_faults_apply_only_to_calls_of_the_execution_whose_trace_they_carry():
    bedrock = bedrock_with({"search": {"Agent": "Throttled"}}, RESPONSES)
    assert converse(bedrock, MODEL, environ={})["stopReason"] == "tool_use"  # no trace header: no execution
    other = {"HTTP_X_AMZN_TRACE_ID": "Root=1-6a000000-ffffffffffffffffffffffff;Sampled=0"}
    assert converse(bedrock, MODEL, environ=other)["stopReason"] == "tool_use"
    assert refused(lambda: converse(bedrock, MODEL))[1] == "ThrottlingException"  # its first call is still index 0


def test_a_tool_use_fault_is_answered_as_a_tool_call_and_the_local_model_takes_the_next_turn():
    missing = "s3://no-such-library/documents/missing.md#p1"
    bedrock = bedrock_with(
        {"search": {"Agent": "Read"}}, {"Read": {"0": {"ToolUse": {"Name": "read_document", "Input": {"uri": missing}}}}}
    )
    first = converse(bedrock, MODEL)
    assert first["stopReason"] == "tool_use"
    assert first["output"]["message"]["content"] == [
        {"toolUse": {"toolUseId": "tooluse_fault_0", "name": "read_document", "input": {"uri": missing}}}
    ]
    failed = {"toolResult": {"toolUseId": "tooluse_fault_0", "content": [{"text": "no such document"}], "status": "error"}}
    messages = [
        {"role": "user", "content": [{"text": SEARCH_PROMPT}]},
        first["output"]["message"],
        {"role": "user", "content": [failed]},
    ]
    second = converse(bedrock, MODEL, messages=messages)
    assert [block["toolUse"]["name"] for block in second["output"]["message"]["content"]] == ["search_documents"]


def test_invoke_agent_calls_take_the_invoke_agent_faults_and_a_stream_may_break_mid_answer():
    bedrock = bedrock_with(
        {"search": {"InvokeAgent": "Breaks"}},
        {"Breaks": {"0": {"StreamError": "throttlingException", "AfterChunks": 1, "Message": "Slow down."}}},
    )
    assert converse(bedrock, MODEL)["stopReason"] == "tool_use"  # Converse calls are not InvokeAgent's
    stream = bedrock.invoke_agent(AGENT["agent_id"], AGENT["alias_id"], "wf-faults", {"inputText": SEARCH_PROMPT}, TRACED)
    buffer = EventStreamBuffer()
    buffer.add_data(stream)
    messages = list(buffer)
    assert [m.headers.get(":event-type") or m.headers[":exception-type"] for m in messages] == ["chunk", "throttlingException"]
    assert json.loads(messages[-1].payload) == {"message": "Slow down."}


# --- end to end --------------------------------------------------------------------------------


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


def label_of(workflow, role: str, path: str) -> str:
    """The label the local model writes for the role's agent model or its fallback model."""
    model_id = workflow.deployment.outputs["agent_model_ids" if path == "agent" else "fallback_model_ids"][role]
    model = catalogue().resolve(model_id, workflow.account.region, workflow.account.account_id).model
    return label(Conversation("", model_name=model.name, model_id=model_id))


def run(workflow, case, approve="auto"):
    # A topic of its own: a search-cache hit would skip the search agent and its faults.
    topic = f"Bedrock quotas, retries and Map concurrency {uuid.uuid4().hex[:8]}"
    return workflow.run(topic=topic, approve=approve, max_sources=5, test_case=case, model_faults=read_document(FAULTS))


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("case", "retries", "fallbacks", "map_failures", "wrote", "approve"),
    [
        ("SearchThrottledTwice", 2, 0, 0, ("writer", "agent"), "auto"),  # ThrottlingException -> AgentThrottled, retried
        ("SearchServiceUnavailableOnce", 1, 0, 0, ("writer", "agent"), "auto"),  # no capacity is throttling too
        ("WriterAgentRefusesFallbackWrites", 0, 1, 0, ("writer", "fallback"), "auto"),  # ValidationException -> fallback writes
        ("ReviserAgentRefusesFallbackRevises", 0, 1, 0, ("reviser", "fallback"), "reject-then-approve"),
        ("OneSummaryEmptyThenFallbackTimesOut", 0, 1, 1, ("writer", "agent"), "auto"),  # empty, then timeout: one left out
        ("SearchToolFails", 0, 0, 0, ("writer", "agent"), "auto"),  # a failed tool call goes back to the model
        ("SearchAgentToolLoopFallbackSearches", 0, 1, 0, ("writer", "agent"), "auto"),  # AgentToolLoopExceeded -> fallback
    ],
)
def test_a_model_fault_is_retried_or_falls_back_and_the_report_is_published(
    workflow, case, retries, fallbacks, map_failures, wrote, approve
):
    result = run(workflow, case, approve)
    summary = result.summary
    assert summary["end_state"] == "Published", summary
    assert (summary["retries"], summary["fallbacks"], summary["map_failures"]) == (retries, fallbacks, map_failures), summary
    faulted = next(role for role in ("search", "summary", "writer", "reviser") if role in case.lower())  # the case names it
    assert {role: n for role, n in summary["fallbacks_by_role"].items() if n} == ({faulted: fallbacks} if fallbacks else {})
    assert label_of(workflow, *wrote) in result.report  # who wrote it: the agent's model, or the fallback's
    assert recorded_artifacts_are_in_s3(workflow, summary)


@pytest.mark.e2e
def test_a_failed_tool_call_is_counted_as_a_tool_error_of_that_tool(workflow):
    result = run(workflow, "SearchToolFails")
    errors = [d for d in emf_documents(result.invocations) if "ToolErrors" in d]
    assert [(d.get("role"), d.get("tool")) for d in errors] == [("search", "read_document")]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("case", "error", "cause"),
    [
        ("WriterAgentAndFallbackDenied", "AgentFailed", "AccessDeniedException"),
        ("SearchReplyNotJson", "AgentFailed", "search reply contains no JSON array"),
        ("SearchToolLoopNeverEnds", "AgentToolLoopExceeded", "still asked for tools after"),
    ],
)
def test_when_the_agent_and_its_fallback_both_fail_the_failure_is_recorded_under_the_original_error(workflow, case, error, cause):
    summary = run(workflow, case).summary
    assert (summary["status"], summary["end_state"], summary["error"]) == ("FAILED", "WorkflowFailed", error), summary
    assert cause in summary["cause"]
    assert summary["fallbacks"] == 1
    assert "WorkflowFailed" in summary["events"]
    record = workflow.client("dynamodb").get_item(
        TableName=workflow.deployment.outputs["workflow_table_name"],
        Key={"pk": {"S": f"WF#{summary['workflow_id']}"}, "sk": {"S": "META"}},
    )["Item"]
    failure = record["failure"]["M"]
    assert record["status"]["S"] == "FAILED"
    assert (failure["error"]["S"], failure["fallback_error"]["S"]) == (error, error)
    assert cause in failure["cause"]["S"]
    if not case.startswith("Search"):  # a failed search has written nothing yet
        assert recorded_artifacts_are_in_s3(workflow, summary)
