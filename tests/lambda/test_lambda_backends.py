"""Backends: Bedrock InvokeAgent (real botocore event-stream parsing), Converse (Stubber)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from lambda_helpers import (
    AGENT_ENV,
    InvokeAgentResponder,
    bedrock_agent_client,
    chunk_event,
    exception_event,
    trace_event,
)
from workflow_core.agents.bedrock import BedrockAgentBackend
from workflow_core.agents.converse import ConverseBackend
from workflow_core.errors import AgentFailed, AgentThrottled
from workflow_core.roles import AgentRequest

SESSION = "0123456789abcdef0123456789abcdef"
REQUEST = AgentRequest("summary", "Summarise this.", SESSION)


@pytest.fixture(autouse=True)
def _credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


# -- Bedrock Agents -------------------------------------------------------------------------
def test_invoke_agent_joins_streamed_chunks_and_sums_trace_token_usage() -> None:
    responder = InvokeAgentResponder(
        trace_event(120, 0), chunk_event("Step Functions "), chunk_event("waits."), trace_event(30, 40)
    )
    reply = BedrockAgentBackend("AGENT1", "ALIAS1", client=bedrock_agent_client(responder)).run(REQUEST)
    assert (reply.text, reply.input_tokens, reply.output_tokens) == ("Step Functions waits.", 150, 40)


def test_invoke_agent_calls_the_role_alias_with_the_session_id_and_prompt() -> None:
    responder = InvokeAgentResponder(chunk_event("ok"))
    BedrockAgentBackend("AGENT1", "ALIAS1", client=bedrock_agent_client(responder)).run(REQUEST)
    sent = responder.requests[0]
    assert sent["url"].endswith(f"/agents/AGENT1/agentAliases/ALIAS1/sessions/{SESSION}/text")
    assert sent["inputText"] == "Summarise this."


def test_invoke_agent_throttling_inside_the_stream_is_agent_throttled() -> None:
    responder = InvokeAgentResponder(chunk_event("partial"), exception_event("throttlingException", "Rate exceeded"))
    with pytest.raises(AgentThrottled, match="throttlingException"):
        BedrockAgentBackend("AGENT1", "ALIAS1", client=bedrock_agent_client(responder)).run(REQUEST)


def test_invoke_agent_quota_exceeded_inside_the_stream_is_agent_throttled() -> None:
    responder = InvokeAgentResponder(exception_event("serviceQuotaExceededException", "quota"))
    with pytest.raises(AgentThrottled):
        BedrockAgentBackend("AGENT1", "ALIAS1", client=bedrock_agent_client(responder)).run(REQUEST)


def test_invoke_agent_throttling_response_is_agent_throttled() -> None:
    responder = InvokeAgentResponder(status=429, error_code="ThrottlingException")
    with pytest.raises(AgentThrottled, match="ThrottlingException"):
        BedrockAgentBackend("AGENT1", "ALIAS1", client=bedrock_agent_client(responder)).run(REQUEST)


def test_invoke_agent_access_denied_is_agent_failed() -> None:
    responder = InvokeAgentResponder(status=403, error_code="AccessDeniedException")
    with pytest.raises(AgentFailed, match="AccessDeniedException"):
        BedrockAgentBackend("AGENT1", "ALIAS1", client=bedrock_agent_client(responder)).run(REQUEST)


def test_invoke_agent_empty_completion_is_agent_failed() -> None:
    responder = InvokeAgentResponder(trace_event(1, 1))
    with pytest.raises(AgentFailed, match="empty completion"):
        BedrockAgentBackend("AGENT1", "ALIAS1", client=bedrock_agent_client(responder)).run(REQUEST)


# -- Converse fallback ----------------------------------------------------------------------
def converse_response(text: str) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 42, "outputTokens": 9, "totalTokens": 51},
        "metrics": {"latencyMs": 12},
    }


def test_converse_fallback_returns_text_and_token_usage_of_the_smaller_model() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    answer = converse_response("A short summary.")
    # Current Claude models reason before they answer: only the text blocks are the reply.
    answer["output"]["message"]["content"].insert(0, {"reasoningContent": {"reasoningText": {"text": "The source says..."}}})
    with Stubber(client) as stubber:
        stubber.add_response(
            "converse",
            answer,
            expected_params={
                "modelId": "global.anthropic.claude-haiku-5-5",
                "system": [{"text": "You act as the summary agent of a research workflow."}],
                "messages": [{"role": "user", "content": [{"text": "Summarise this."}]}],
                "inferenceConfig": {"maxTokens": 512},  # no temperature: the model refuses it
            },
        )
        reply = ConverseBackend("global.anthropic.claude-haiku-5-5", client=client).run(REQUEST)
        stubber.assert_no_pending_responses()
    assert (reply.text, reply.input_tokens, reply.output_tokens) == ("A short summary.", 42, 9)


def test_converse_throttling_is_agent_throttled() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
        with pytest.raises(AgentThrottled):
            ConverseBackend("m", client=client).run(REQUEST)


def test_converse_validation_error_is_agent_failed() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("converse", service_error_code="ValidationException", http_status_code=400)
        with pytest.raises(AgentFailed, match="ValidationException"):
            ConverseBackend("m", client=client).run(REQUEST)


def test_agent_handler_uses_invoke_agent_normally_and_converse_for_fallback(resources, load_handler) -> None:
    module = load_handler("agent", **{**AGENT_ENV, "AGENT_ROLE": "search", "AGENT_ID": "AG1", "AGENT_ALIAS_ID": "AL1"})
    primary, fallback = module.backend_for(False), module.backend_for(True)
    assert isinstance(primary, BedrockAgentBackend) and (primary.agent_id, primary.agent_alias_id) == ("AG1", "AL1")
    assert isinstance(fallback, ConverseBackend) and fallback.model_id == AGENT_ENV["FALLBACK_MODEL_ID"]
    assert module.backend_for(False) is primary  # one backend (and client) per process
