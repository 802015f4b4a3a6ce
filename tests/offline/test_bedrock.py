"""The embedded Bedrock endpoints (scripts/offline/bedrock.py), read with plain boto3 as a client
of AWS would: InvokeAgent's event stream, Converse and ConverseStream with tool use, and the
conversation checks Converse makes; and the local model reading only the prompt
(scripts/offline/model.py)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer
from botocore.exceptions import ClientError
from workflow_core import roles, tools

from scripts.offline.account import AccountError
from scripts.offline.model import Conversation, LocalModel, PromptError, context_from_prompt

AGENTS = {
    "search": {"agent_id": "SRCHAGENT1", "alias_id": "SRCHALIAS1"},
    "writer": {"agent_id": "WRTRAGENT1", "alias_id": "WRTRALIAS1"},
}
AGENT = AGENTS["search"]
MODEL = "global.anthropic.claude-sonnet-5-5"
FALLBACK_MODEL = "global.anthropic.claude-haiku-5-5"
SESSION = "wf-bedrock-test-search"
TOPIC = "Bedrock quotas and Map concurrency"
INSTRUCTIONS = Path(__file__).resolve().parents[2] / "agents"


def _no_index():
    raise AssertionError("Converse never runs a tool: the agent's loop does")


TOOL_CONFIG = {"tools": [tool.spec() for tool in tools.library_tools(_no_index)]}
RESULTS = {
    "results": [
        {"uri": "s3://lib/documents/quotas.md#p1", "title": "Bedrock quotas", "text": "Requests per minute are limited."},
        {"uri": "s3://lib/documents/map.md#p2", "title": "Map state", "text": "MaxConcurrency bounds the branches."},
    ]
}


@pytest.fixture(scope="module")
def bedrock(account):
    account.control("PUT", "bedrock", {"agents": AGENTS, "fallback_models": {"summary": FALLBACK_MODEL}})
    return account


def system(role: str) -> list[dict]:
    """The role's instructions as the agent function sends them (agents/<role>/instructions.md)."""
    return [{"text": (INSTRUCTIONS / role / "instructions.md").read_text(encoding="utf-8")}]


def user(*blocks: dict) -> dict:
    return {"role": "user", "content": list(blocks)}


SEARCH_PROMPT = {"text": roles.search_request(TOPIC, 3, SESSION).prompt}
SOURCE = {"id": "src-002", "title": "Quotas (Bedrock) — TPS", "uri": "corpus://quotas.md#p2", "text": "Line one.\nLine two."}
SUMMARIES = [
    {"source_id": "src-001", "title": "Step Functions (Map)", "uri": "corpus://a.md#p1", "summary": "It fans out (see: docs)."},
    {"source_id": "src-002", "title": "Quotas", "uri": "", "summary": "Stay under the TPS."},
]
DRAFT = "# Draft\n\n---\n\nBody [src-001]\n"
COMMENTS = ['replace "Body" with "Text"', "Shorter"]


def requests_of_every_role() -> list[tuple[roles.AgentRequest, dict]]:
    """Each role's request as the handler writes it, beside the inputs it was written from."""
    return [
        (roles.search_request(TOPIC, 7, SESSION), {"topic": TOPIC, "max_sources": 7}),
        (roles.summary_request(TOPIC, SOURCE, SESSION), {"topic": TOPIC, "source": SOURCE}),
        (
            roles.writer_request(TOPIC, SUMMARIES, ["src-003", "src-004"], SESSION),
            {"topic": TOPIC, "summaries": SUMMARIES, "failed_sources": ["src-003", "src-004"]},
        ),
        (
            roles.reviser_request(TOPIC, DRAFT, COMMENTS, 3, SESSION),
            {"topic": TOPIC, "draft": DRAFT, "comments": COMMENTS, "version": 3},
        ),
    ]


@pytest.mark.parametrize(("request_", "inputs"), requests_of_every_role(), ids=lambda r: getattr(r, "role", ""))
def test_every_prompt_carries_all_the_data_the_model_needs(request_, inputs):
    assert context_from_prompt(request_.role, request_.prompt) == inputs


def test_a_prompt_without_its_data_is_refused():
    with pytest.raises(PromptError, match="no topic"):
        context_from_prompt("summary", "Summarise this.")


# --- InvokeAgent (Agents Classic) ----------------------------------------------------------------


def test_invoke_agent_is_an_aws_event_stream_that_plain_boto3_reads(bedrock):
    agent = AGENTS["writer"]
    prompt = roles.writer_request(TOPIC, SUMMARIES * 20, [], SESSION).prompt  # a long report: several chunks
    runtime = bedrock.client("bedrock-agent-runtime")
    response = runtime.invoke_agent(
        agentId=agent["agent_id"], agentAliasId=agent["alias_id"], sessionId=SESSION, inputText=prompt, enableTrace=True
    )
    chunks, usage = [], {}
    for event in response["completion"]:
        if "chunk" in event:
            chunks.append(event["chunk"]["bytes"])
        if "trace" in event:
            usage = event["trace"]["trace"]["orchestrationTrace"]["modelInvocationOutput"]["metadata"]["usage"]
    expected = LocalModel().answer("writer", Conversation(prompt, model_name=f"the Bedrock agent {agent['agent_id']}"))
    assert b"".join(chunks).decode() == expected.text and len(chunks) > 1
    assert f"standing in for the Bedrock agent {agent['agent_id']};" in expected.text
    assert usage == {"inputTokens": expected.input_tokens, "outputTokens": expected.output_tokens}
    assert response["sessionId"] == SESSION


def test_an_invoked_search_agent_has_no_tools_offline_and_finds_nothing(bedrock):
    runtime = bedrock.client("bedrock-agent-runtime")
    response = runtime.invoke_agent(
        agentId=AGENT["agent_id"], agentAliasId=AGENT["alias_id"], sessionId=SESSION, inputText=SEARCH_PROMPT["text"]
    )
    assert b"".join(event["chunk"]["bytes"] for event in response["completion"] if "chunk" in event) == b"[]"


def test_a_frame_with_a_corrupted_crc_makes_botocore_raise(bedrock):
    body = json.dumps({"inputText": roles.search_request(TOPIC, 2, SESSION).prompt}).encode()
    url = f"{bedrock.endpoint}/agents/{AGENT['agent_id']}/agentAliases/{AGENT['alias_id']}/sessions/{SESSION}/text"
    request = AWSRequest("POST", url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(bedrock.session().get_credentials(), "bedrock", bedrock.region).add_auth(request)  # as the deployer
    with urllib.request.urlopen(
        urllib.request.Request(url, data=body, headers=dict(request.headers), method="POST"), timeout=30
    ) as answer:
        stream = bytearray(answer.read())
    assert {message.headers[":event-type"] for message in _decode(bytes(stream))} == {"chunk"}
    stream[20] ^= 0xFF  # a byte of the first frame's headers: the message CRC no longer matches
    with pytest.raises(ChecksumMismatch):
        _decode(bytes(stream))


def _decode(stream: bytes) -> list:
    buffer = EventStreamBuffer()
    buffer.add_data(stream)
    return list(buffer)


@pytest.mark.parametrize(
    ("agent", "session", "code"),
    [
        ({"agent_id": "NOSUCHAGNT", "alias_id": AGENT["alias_id"]}, SESSION, "ResourceNotFoundException"),
        ({"agent_id": AGENT["agent_id"], "alias_id": "OTHERALIAS"}, SESSION, "ResourceNotFoundException"),
        (AGENT, "bad session!", "ValidationException"),
    ],
)
def test_invoke_agent_refuses_what_the_deployment_did_not_configure(bedrock, agent, session, code):
    runtime = bedrock.client("bedrock-agent-runtime")
    with pytest.raises(ClientError) as refused:
        response = runtime.invoke_agent(
            agentId=agent["agent_id"], agentAliasId=agent["alias_id"], sessionId=session, inputText="x"
        )
        list(response["completion"])
    assert refused.value.response["Error"]["Code"] == code


def test_registering_an_unknown_role_is_refused(bedrock):
    with pytest.raises(AccountError, match="unknown agent role 'planner'"):
        bedrock.control("PUT", "bedrock", {"fallback_models": {"planner": FALLBACK_MODEL}})


# --- Converse --------------------------------------------------------------------------------------


def test_converse_answers_as_the_model_it_was_called_on_and_refuses_unknown_models(bedrock):
    runtime = bedrock.client("bedrock-runtime")
    request = roles.summary_request(
        TOPIC, {"id": "src-001", "title": "T", "uri": "u", "text": "Bedrock quotas limit TPS. Other."}, SESSION
    )
    answer = runtime.converse(modelId=FALLBACK_MODEL, system=system("summary"), messages=[user({"text": request.prompt})])
    expected = LocalModel().answer(
        "summary", Conversation(request.prompt, model_name="Claude Haiku 5.5", model_id=FALLBACK_MODEL)
    )
    assert answer["output"]["message"]["content"] == [{"text": expected.text}]
    assert (answer["stopReason"], answer["usage"]["outputTokens"]) == ("end_turn", expected.output_tokens)
    with pytest.raises(ClientError) as refused:
        runtime.converse(modelId="amazon.unknown-v1:0", messages=[user({"text": request.prompt})])
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_converse_with_tools_asks_for_a_tool_call_with_stop_reason_tool_use(bedrock):
    answer = bedrock.client("bedrock-runtime").converse(
        modelId=MODEL, system=system("search"), messages=[user(SEARCH_PROMPT)], toolConfig=TOOL_CONFIG
    )
    assert answer["stopReason"] == "tool_use"
    assert answer["output"]["message"] == {
        "role": "assistant",
        "content": [
            {
                "toolUse": {
                    "toolUseId": "tooluse_local_0_0",
                    "name": "search_documents",
                    "input": {"query": TOPIC, "max_results": 3},
                }
            }
        ],
    }
    assert answer["usage"]["totalTokens"] == answer["usage"]["inputTokens"] + answer["usage"]["outputTokens"] > 0


def test_a_tool_result_goes_back_and_the_answer_is_built_from_it(bedrock):
    runtime = bedrock.client("bedrock-runtime")
    first = runtime.converse(modelId=MODEL, system=system("search"), messages=[user(SEARCH_PROMPT)], toolConfig=TOOL_CONFIG)
    use = first["output"]["message"]["content"][0]["toolUse"]
    result = {"toolResult": {"toolUseId": use["toolUseId"], "content": [{"json": RESULTS}], "status": "success"}}
    messages = [user(SEARCH_PROMPT), first["output"]["message"], user(result)]
    answer = runtime.converse(modelId=MODEL, system=system("search"), messages=messages, toolConfig=TOOL_CONFIG)
    assert answer["stopReason"] == "end_turn"
    sources = json.loads(answer["output"]["message"]["content"][0]["text"])
    assert [(s["id"], s["uri"], s["text"]) for s in sources] == [
        ("src-001", "s3://lib/documents/quotas.md#p1", "Requests per minute are limited."),
        ("src-002", "s3://lib/documents/map.md#p2", "MaxConcurrency bounds the branches."),
    ]


def test_a_tool_result_with_status_error_reaches_the_model_as_a_failed_call(bedrock):
    runtime = bedrock.client("bedrock-runtime")
    first = runtime.converse(modelId=MODEL, system=system("search"), messages=[user(SEARCH_PROMPT)], toolConfig=TOOL_CONFIG)
    use = first["output"]["message"]["content"][0]["toolUse"]
    failed = {"toolResult": {"toolUseId": use["toolUseId"], "content": [{"text": "the index is missing"}], "status": "error"}}
    messages = [user(SEARCH_PROMPT), first["output"]["message"], user(failed)]
    answer = runtime.converse(modelId=MODEL, system=system("search"), messages=messages, toolConfig=TOOL_CONFIG)
    assert (answer["stopReason"], answer["output"]["message"]["content"]) == ("end_turn", [{"text": "[]"}])


def tool_use(tool_use_id: str = "tooluse_a") -> dict:
    return {"toolUse": {"toolUseId": tool_use_id, "name": "search_documents", "input": {"query": TOPIC}}}


def tool_result(tool_use_id: str = "tooluse_a") -> dict:
    return {"toolResult": {"toolUseId": tool_use_id, "content": [{"json": RESULTS}]}}


ASKED = {"role": "assistant", "content": [tool_use()]}
NAMED = {"toolSpec": {"name": "search_documents", "inputSchema": {"json": {"type": "object"}}}}


@pytest.mark.parametrize(
    ("tool_config", "messages", "message"),
    [
        ({"tools": []}, [user(SEARCH_PROMPT)], "The toolConfig field must contain at least one tool."),
        (
            {"tools": [{"toolSpec": {"name": "search documents", "inputSchema": {"json": {"type": "object"}}}}]},
            [user(SEARCH_PROMPT)],
            "Value 'search documents' at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy constraint",
        ),
        ({"tools": [NAMED, NAMED]}, [user(SEARCH_PROMPT)], "duplicate tool names: search_documents"),
        (
            {"tools": [{"toolSpec": {"name": "search_documents", "inputSchema": {"json": "object"}}}]},
            [user(SEARCH_PROMPT)],
            "The json schema of tool search_documents is not a JSON object.",
        ),
        (None, [user(SEARCH_PROMPT), ASKED, user(tool_result())], "The toolConfig field must be defined when using toolUse"),
        (TOOL_CONFIG, [ASKED, user(tool_result())], "A conversation must start with a user message."),
        (TOOL_CONFIG, [user(SEARCH_PROMPT), user(SEARCH_PROMPT)], "A conversation must alternate between user and assistant"),
        (
            TOOL_CONFIG,
            [user(SEARCH_PROMPT), ASKED, user(tool_result("tooluse_other"))],
            "Expected toolResult blocks at messages.2.content for the following Ids: tooluse_a",
        ),
        (
            TOOL_CONFIG,
            [user(SEARCH_PROMPT), ASKED, user({"text": "no result"})],
            "Expected toolResult blocks at messages.2.content for the following Ids: tooluse_a",
        ),
        (
            TOOL_CONFIG,
            [user(SEARCH_PROMPT, tool_result())],
            "The number of toolResult blocks at messages.0.content exceeds the number of toolUse blocks of previous turn.",
        ),
    ],
    ids=[
        "no-tools",
        "bad-tool-name",
        "duplicate-tools",
        "schema-not-an-object",
        "tool-blocks-without-tool-config",
        "starts-with-assistant",
        "roles-do-not-alternate",
        "result-for-another-id",
        "result-missing",
        "result-without-a-use",
    ],
)
def test_converse_refuses_a_bad_tool_config_or_conversation_as_aws_does(bedrock, tool_config, messages, message):
    # Parameter validation off: the endpoint's own checks answer, as for a client that does not validate.
    runtime = bedrock.session().client(
        "bedrock-runtime", endpoint_url=bedrock.endpoint, config=Config(parameter_validation=False)
    )
    arguments = {"modelId": MODEL, "system": system("search"), "messages": messages}
    if tool_config is not None:
        arguments["toolConfig"] = tool_config
    with pytest.raises(ClientError) as refused:
        runtime.converse(**arguments)
    error = refused.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (400, "ValidationException")
    assert message in error["Error"]["Message"]


# --- ConverseStream --------------------------------------------------------------------------------


def test_converse_stream_sends_a_tool_call_as_tool_use_events(bedrock):
    runtime = bedrock.client("bedrock-runtime")
    whole = runtime.converse(modelId=MODEL, system=system("search"), messages=[user(SEARCH_PROMPT)], toolConfig=TOOL_CONFIG)
    streamed = runtime.converse_stream(
        modelId=MODEL, system=system("search"), messages=[user(SEARCH_PROMPT)], toolConfig=TOOL_CONFIG
    )
    events = list(streamed["stream"])
    assert [next(iter(event)) for event in events] == [
        "messageStart",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
    ]
    use = whole["output"]["message"]["content"][0]["toolUse"]
    assert events[1]["contentBlockStart"] == {
        "contentBlockIndex": 0,
        "start": {"toolUse": {"toolUseId": use["toolUseId"], "name": "search_documents"}},
    }
    assert json.loads(events[2]["contentBlockDelta"]["delta"]["toolUse"]["input"]) == use["input"]
    assert events[4]["messageStop"]["stopReason"] == "tool_use"
    assert events[5]["metadata"]["usage"] == whole["usage"]
