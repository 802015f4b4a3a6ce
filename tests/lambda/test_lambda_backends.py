"""Backends: the Converse tool loop of agents as code (botocore Stubber: the requests the loop sends
and the answers it reads), Bedrock InvokeAgent for Agents Classic (real event-stream parsing)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from lambda_helpers import (
    AGENT_ENV,
    InvokeAgentResponder,
    agent_env,
    bedrock_agent_client,
    chunk_event,
    exception_event,
    trace_event,
)
from workflow_core.agents.bedrock import BedrockAgentBackend
from workflow_core.agents.converse import ConverseAgent
from workflow_core.errors import AgentFailed, AgentThrottled, AgentToolLoopExceeded
from workflow_core.roles import AgentRequest
from workflow_core.tools import Tool, ToolError

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


# -- Converse: agents as code ------------------------------------------------------------
MODEL = "global.anthropic.claude-haiku-5-5"
INSTRUCTIONS = "You act as the summary agent of a research workflow."


def converse_response(*content: dict, stop: str = "end_turn", tokens: tuple[int, int] = (42, 9)) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": list(content)}},
        "stopReason": stop,
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 12},
    }


def echo_tool(seen: list[dict]) -> Tool:
    def echo(arguments: dict) -> dict:
        seen.append(arguments)
        if arguments.get("word") == "bad":
            raise ToolError("word must not be bad")
        return {"echo": arguments["word"]}

    schema = {"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]}
    return Tool("echo", "Repeat a word.", schema, echo)


def tool_use(tool_use_id: str, word: str) -> dict:
    return {"toolUse": {"toolUseId": tool_use_id, "name": "echo", "input": {"word": word}}}


def test_converse_returns_the_text_and_token_usage_and_sends_no_temperature() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    # Current Claude models reason before they answer: only the text blocks are the reply.
    answer = converse_response(
        {"reasoningContent": {"reasoningText": {"text": "The source says..."}}}, {"text": "A short summary."}
    )
    with Stubber(client) as stubber:
        stubber.add_response(
            "converse",
            answer,
            expected_params={
                "modelId": MODEL,
                "system": [{"text": INSTRUCTIONS}],
                "messages": [{"role": "user", "content": [{"text": "Summarise this."}]}],
                "inferenceConfig": {"maxTokens": 512},  # no temperature: the model refuses it
            },
        )
        reply = ConverseAgent(MODEL, INSTRUCTIONS, client=client).run(REQUEST)
        stubber.assert_no_pending_responses()
    assert (reply.text, reply.input_tokens, reply.output_tokens, reply.tool_calls) == ("A short summary.", 42, 9, ())
    assert reply.generated_by == f"bedrock-converse:{MODEL}"


def test_the_tool_loop_answers_each_tool_use_and_sums_usage_over_the_turns() -> None:
    client, seen = boto3.client("bedrock-runtime", region_name="us-east-1"), []
    tool = echo_tool(seen)
    first_turn = converse_response(tool_use("t1", "alpha"), tool_use("t2", "bad"), stop="tool_use", tokens=(100, 20))
    results = {
        "role": "user",
        "content": [
            {"toolResult": {"toolUseId": "t1", "content": [{"json": {"echo": "alpha"}}], "status": "success"}},
            {"toolResult": {"toolUseId": "t2", "content": [{"text": "word must not be bad"}], "status": "error"}},
        ],
    }
    with Stubber(client) as stubber:
        stubber.add_response(
            "converse",
            first_turn,
            expected_params={
                "modelId": MODEL,
                "system": [{"text": INSTRUCTIONS}],
                "messages": [{"role": "user", "content": [{"text": "Summarise this."}]}],
                "inferenceConfig": {"maxTokens": 512},
                "toolConfig": {"tools": [tool.spec()]},
            },
        )
        stubber.add_response(
            "converse",
            converse_response({"text": "done"}, tokens=(150, 5)),
            expected_params={
                "modelId": MODEL,
                "system": [{"text": INSTRUCTIONS}],
                "messages": [
                    {"role": "user", "content": [{"text": "Summarise this."}]},
                    first_turn["output"]["message"],
                    results,
                ],
                "inferenceConfig": {"maxTokens": 512},
                "toolConfig": {"tools": [tool.spec()]},
            },
        )
        reply = ConverseAgent(MODEL, INSTRUCTIONS, [tool], client=client).run(REQUEST)
        stubber.assert_no_pending_responses()
    assert (reply.text, reply.input_tokens, reply.output_tokens) == ("done", 250, 25)
    assert [(c.name, c.ok, c.error) for c in reply.tool_calls] == [("echo", True, None), ("echo", False, "word must not be bad")]
    assert seen == [{"word": "alpha"}, {"word": "bad"}]


def test_a_tool_the_agent_does_not_have_is_an_error_result_not_a_crash() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    unknown = {"toolUse": {"toolUseId": "t1", "name": "delete_everything", "input": {}}}
    with Stubber(client) as stubber:
        stubber.add_response("converse", converse_response(unknown, stop="tool_use"))
        stubber.add_response("converse", converse_response({"text": "ok"}))
        reply = ConverseAgent(MODEL, INSTRUCTIONS, [echo_tool([])], client=client).run(REQUEST)
    (call,) = reply.tool_calls
    assert not call.ok and "no tool named 'delete_everything'" in call.error


def test_a_model_that_keeps_asking_for_tools_stops_after_max_turns_with_a_named_error() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        for turn in range(3):
            stubber.add_response("converse", converse_response(tool_use(f"t{turn}", "again"), stop="tool_use"))
        with pytest.raises(AgentToolLoopExceeded, match="after 3 model calls \\(3 tool calls\\)"):
            ConverseAgent(MODEL, INSTRUCTIONS, [echo_tool([])], max_turns=3, client=client).run(REQUEST)
        stubber.assert_no_pending_responses()


def test_an_answer_without_text_is_agent_failed() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_response("converse", converse_response(stop="max_tokens"))
        with pytest.raises(AgentFailed, match="no text \\(stopReason=max_tokens\\)"):
            ConverseAgent(MODEL, INSTRUCTIONS, client=client).run(REQUEST)


def test_converse_throttling_is_agent_throttled() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
        with pytest.raises(AgentThrottled):
            ConverseAgent("m", INSTRUCTIONS, client=client).run(REQUEST)


def test_converse_validation_error_is_agent_failed() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("converse", service_error_code="ValidationException", http_status_code=400)
        with pytest.raises(AgentFailed, match="ValidationException"):
            ConverseAgent("m", INSTRUCTIONS, client=client).run(REQUEST)


def test_agent_functions_run_agents_as_code_and_their_fallback_is_the_same_agent_on_the_smaller_model(
    resources, load_handler
) -> None:
    module = load_handler("agent", **agent_env("search"))
    primary, fallback = module.backend_for(False), module.backend_for(True)
    assert isinstance(primary, ConverseAgent) and isinstance(fallback, ConverseAgent)
    assert (primary.model_id, fallback.model_id) == (AGENT_ENV["AGENT_MODEL_ID"], AGENT_ENV["FALLBACK_MODEL_ID"])
    assert list(primary.tools) == list(fallback.tools) == ["search_documents", "read_document"]
    assert primary.instructions == fallback.instructions and primary.instructions.startswith("You are the search agent")
    assert module.backend_for(False) is primary  # one backend (and client) per process


def test_agents_classic_is_the_opt_in_runtime_and_needs_its_agent_ids(resources, load_handler) -> None:
    module = load_handler("agent", **agent_env("writer", runtime="bedrock_agents"))
    primary = module.backend_for(False)
    assert isinstance(primary, BedrockAgentBackend) and primary.agent_id == agent_env("writer", "bedrock_agents")["AGENT_ID"]
    assert isinstance(module.backend_for(True), ConverseAgent)
    env = agent_env("writer", runtime="bedrock_agents")
    with pytest.raises(ValueError, match="needs AGENT_ID and AGENT_ALIAS_ID"):
        load_handler("agent", **{**env, "AGENT_ALIAS_ID": ""})


def test_the_search_agent_function_refuses_to_start_without_its_library(resources, load_handler) -> None:
    env = agent_env("search")
    with pytest.raises(ValueError, match="needs LIBRARY_BUCKET"):
        load_handler("agent", **{**env, "LIBRARY_BUCKET": ""})
