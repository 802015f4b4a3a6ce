"""The embedded Bedrock endpoints (scripts/offline/bedrock.py), read with plain boto3 as a client
of AWS would, and the local model reading only the prompt (scripts/offline/model.py)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer
from botocore.exceptions import ClientError
from workflow_core import roles

from scripts.offline.model import LocalModel, PromptError, context_from_prompt
from scripts.offline.runtime import DEFAULT_CORPUS

AGENT = {"agent_id": "SRCHAGENT1", "alias_id": "SRCHALIAS1"}
FALLBACK_MODEL = "global.anthropic.claude-haiku-5-5"
SESSION = "wf-bedrock-test-search"
TOPIC = "Bedrock quotas and Map concurrency"


@pytest.fixture(scope="module")
def bedrock(account):
    account.control("PUT", "corpus", str(DEFAULT_CORPUS))
    account.control("PUT", "bedrock", {"agents": {"search": AGENT}})
    return account


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


def test_invoke_agent_is_an_aws_event_stream_that_plain_boto3_reads(bedrock):
    prompt = roles.search_request(TOPIC, 3, SESSION).prompt
    runtime = bedrock.client("bedrock-agent-runtime")
    response = runtime.invoke_agent(
        agentId=AGENT["agent_id"], agentAliasId=AGENT["alias_id"], sessionId=SESSION, inputText=prompt, enableTrace=True
    )
    text, usage = b"", {}
    for event in response["completion"]:
        if "chunk" in event:
            text += event["chunk"]["bytes"]
        if "trace" in event:
            usage = event["trace"]["trace"]["orchestrationTrace"]["modelInvocationOutput"]["metadata"]["usage"]
    expected = LocalModel(DEFAULT_CORPUS).answer("search", prompt)
    assert text.decode() == expected.text and len(json.loads(expected.text)) == 3
    assert usage == {"inputTokens": expected.input_tokens, "outputTokens": expected.output_tokens}
    assert response["sessionId"] == SESSION


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


def test_converse_answers_as_the_fallback_and_refuses_unknown_models(bedrock):
    runtime = bedrock.client("bedrock-runtime")
    request = roles.summary_request(
        TOPIC, {"id": "src-001", "title": "T", "uri": "u", "text": "Bedrock quotas limit TPS. Other."}, SESSION
    )
    answer = runtime.converse(
        modelId=FALLBACK_MODEL,
        system=[{"text": "You act as the summary agent of a research workflow."}],
        messages=[{"role": "user", "content": [{"text": request.prompt}]}],
    )
    expected = LocalModel(DEFAULT_CORPUS).answer("summary", request.prompt, fallback=True)
    assert answer["output"]["message"]["content"][0]["text"] == expected.text
    assert answer["usage"]["outputTokens"] == expected.output_tokens
    with pytest.raises(ClientError) as refused:
        runtime.converse(modelId="amazon.unknown-v1:0", messages=[{"role": "user", "content": [{"text": request.prompt}]}])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
