"""Helpers shared by the Lambda tests (kept out of conftest so tests can import them)."""

from __future__ import annotations

import base64
import io
import json
import threading
from pathlib import Path
from typing import Any

import boto3

from scripts.offline import eventstream

LAMBDA_SRC_DIR = Path(__file__).resolve().parents[2] / "lambda_src"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
BUCKET = "research-report-test-artifacts"
WORKFLOW_TABLE = "research-report-test-workflow"
CACHE_TABLE = "research-report-test-search-cache"
BUS = "research-report-test"
SECRET_NAME = "research-report-test-signing"
SECRET_VALUE = "test-signing-secret-0123456789abcdef"
EXECUTION_ARN = "arn:aws:states:us-east-1:123456789012:execution:research-report-test:acme-wf-001"

LIBRARY_BUCKET = "research-report-test-library"
REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"

# Current models through their global inference profiles, as the env files deploy them (the
# embedded Bedrock's catalogue refuses retired ones).
AGENT_MODEL_ID = "global.anthropic.claude-sonnet-5-5"
FALLBACK_MODEL_ID = "global.anthropic.claude-haiku-5-5"
ROLES = ("search", "summary", "writer", "reviser")
# Agents Classic, for the opt-in runtime: one agent and alias per role (ids are 10 upper-case
# characters on AWS).
TEST_AGENTS = {role: {"agent_id": f"{role.upper():0<10}", "alias_id": "TSTALIASID"} for role in ROLES}
AGENT_ENV = {
    "ENVIRONMENT": "test",
    "AGENT_RUNTIME": "converse",
    "AGENT_MODEL_ID": AGENT_MODEL_ID,
    "FALLBACK_MODEL_ID": FALLBACK_MODEL_ID,
    "MAX_AGENT_TURNS": "8",
    "ARTIFACT_BUCKET": BUCKET,
    "WORKFLOW_TABLE": WORKFLOW_TABLE,
    "SEARCH_CACHE_TABLE": CACHE_TABLE,
    "SEARCH_CACHE_TTL_SECONDS": "3600",
    "TOLERATED_FAILURE_PERCENTAGE": "25",
}


def agent_env(role: str, runtime: str = "converse") -> dict[str, str]:
    """What Terraform sets on the agent function of `role` (search and reviser get the library)."""
    env = {**AGENT_ENV, "AGENT_ROLE": role, "AGENT_RUNTIME": runtime}
    if role in ("search", "reviser"):
        env["LIBRARY_BUCKET"] = LIBRARY_BUCKET
    if runtime == "bedrock_agents":
        env.update(AGENT_ID=TEST_AGENTS[role]["agent_id"], AGENT_ALIAS_ID=TEST_AGENTS[role]["alias_id"])
    return env


def fill_library(load_handler: Any, folder: Path = CORPUS) -> dict[str, int]:
    """Put a folder into the test library as users do (scripts.library.sync), then index it with
    the document_indexer function's own code, as the S3 event would."""
    from scripts.library import sync

    sync(boto3.client("s3"), LIBRARY_BUCKET, folder, delete=True)
    indexer = load_handler("document_indexer", ENVIRONMENT="test", LIBRARY_BUCKET=LIBRARY_BUCKET)
    return indexer.rebuild(indexer.S3, LIBRARY_BUCKET)


class LocalBedrock:
    """The embedded account's Bedrock endpoints (scripts/offline/bedrock.py) on a loopback port: the
    model boundary of the agent tests. The handler reaches it as it reaches any endpoint
    (AWS_ENDPOINT_URL_BEDROCK_*); the local model answers unless a test injects a model fault
    (scripts/offline/model_faults.py) for the test execution. Every request is recorded."""

    def __init__(self) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        from scripts.offline.bedrock import BedrockRuntime

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        self.runtime = BedrockRuntime(ACCOUNT_ID, REGION, execution_of_trace=lambda root: EXECUTION_ARN)
        self.runtime.register({"agents": TEST_AGENTS, "fallback_models": dict.fromkeys(ROLES, FALLBACK_MODEL_ID)})
        self.requests: list[dict[str, Any]] = []  # each with the "response" for Converse calls
        self._injected: dict[str, Any] = {"TestCases": {"unit": {}}, "ModelResponses": {}}
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=Quiet)
        threading.Thread(target=self.server.serve_forever, name="local-bedrock", daemon=True).start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        recorded = {"path": environ["PATH_INFO"], **json.loads(body or b"{}")}
        self.requests.append(recorded)
        environ["wsgi.input"] = io.BytesIO(body)
        answer = b"".join(self.runtime(environ, start_response))
        if environ["PATH_INFO"].endswith("/converse"):
            recorded["response"] = json.loads(answer)  # what the model answered, usage included
        return [answer]

    def environment(self) -> dict[str, str]:
        """How a Lambda function's SDK reaches these endpoints, and the trace id Lambda sets."""
        return {
            "AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME": self.endpoint,
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": self.endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": "test-agent",
            "_X_AMZN_TRACE_ID": "Root=1-00000000-000000000000000000000001;Parent=0000000000000001;Sampled=0",
        }

    def answer_with(self, role: str, *responses: dict[str, Any], api: str = "Agent") -> None:
        """The next model calls of `role` by `api` (Agent, Fallback or InvokeAgent) answer these,
        in order (model faults format: Error, StreamError, Completion or ToolUse); later calls get
        the local model's answer."""
        from scripts.offline.model_faults import case_from_document

        name = f"{role}-{api}"
        self._injected["TestCases"]["unit"].setdefault(role, {})[api] = name
        self._injected["ModelResponses"][name] = {str(index): response for index, response in enumerate(responses)}
        self.runtime.use_faults(EXECUTION_ARN, case_from_document(self._injected, "unit"))

    def reset(self) -> None:
        self.requests.clear()
        self._injected = {"TestCases": {"unit": {}}, "ModelResponses": {}}
        self.runtime.faults.clear()

    def calls(self, kind: str = "/converse", role: str | None = None) -> list[dict[str, Any]]:
        """Recorded Converse calls (`/converse`) or InvokeAgent calls (`/text`); with `role`, only the
        Converse calls whose system prompt is that role's instructions."""
        found = [request for request in self.requests if request["path"].endswith(kind)]
        if role:
            found = [request for request in found if f"{role} agent" in request["system"][0]["text"]]
        return found


def received_events(queue_url: str) -> list[dict[str, Any]]:
    """Events that reached the bus rule's SQS target."""
    sqs = boto3.client("sqs")
    out: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return out
        for message in messages:
            out.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def s3_tags(key: str) -> dict[str, str]:
    tags = boto3.client("s3").get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in tags}


def read_s3(key: str) -> str:
    return boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read().decode("utf-8")


# -- Bedrock InvokeAgent event stream ---------------------------------------------------------
# botocore's Stubber validates responses against the output shape and will not accept an event
# stream, so the InvokeAgent tests answer at the HTTP layer instead: a ``before-send`` hook on the
# real client returns bytes in the AWS event-stream encoding, and botocore parses them with its own
# EventStream (chunks, trace events, and exception events raised as EventStreamError).


def chunk_event(text: str) -> bytes:
    return eventstream.event("chunk", {"bytes": base64.b64encode(text.encode()).decode()})


def trace_event(input_tokens: int, output_tokens: int) -> bytes:
    usage = {"inputTokens": input_tokens, "outputTokens": output_tokens}
    return eventstream.event(
        "trace", {"agentId": "AGENT", "trace": {"orchestrationTrace": {"modelInvocationOutput": {"metadata": {"usage": usage}}}}}
    )


def exception_event(exception_type: str, message: str) -> bytes:
    return eventstream.exception(exception_type, message)


class _RawStream:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data

    def close(self) -> None:
        pass


class InvokeAgentResponder:
    """``before-send`` hook answering InvokeAgent with a canned event stream; records requests."""

    def __init__(self, *messages: bytes, status: int = 200, error_code: str | None = None) -> None:
        self.messages = messages
        self.status = status
        self.error_code = error_code
        self.requests: list[dict[str, Any]] = []  # each with the "response" for Converse calls

    def __call__(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        self.requests.append({"url": request.url, **json.loads(request.body)})
        if self.error_code:
            body = json.dumps({"message": "stubbed"}).encode()
            headers = {"x-amzn-ErrorType": self.error_code, "content-type": "application/json"}
            return AWSResponse(request.url, self.status, headers, _StaticRaw(body))
        headers = {"content-type": "application/vnd.amazon.eventstream", "x-amz-bedrock-agent-session-id": "s"}
        return AWSResponse(request.url, 200, headers, _RawStream(b"".join(self.messages)))


class _StaticRaw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data

    def read(self, *_: Any, **__: Any) -> bytes:
        data, self._data = self._data, b""
        return data

    def close(self) -> None:
        pass


def bedrock_agent_client(responder: InvokeAgentResponder) -> Any:
    from botocore.config import Config

    client = boto3.client(
        "bedrock-agent-runtime", region_name="us-east-1", config=Config(retries={"mode": "standard", "total_max_attempts": 1})
    )
    client.meta.events.register("before-send.bedrock-agent-runtime.InvokeAgent", responder)
    return client


ARTIFACT_ENV_VALIDATE = {
    "ENVIRONMENT": "test",
    "WORKFLOW_TABLE": WORKFLOW_TABLE,
    "ARTIFACT_BUCKET": BUCKET,
    "MAX_SOURCES_LIMIT": "50",
    "DEFAULT_MAX_SOURCES": "8",
}
APPROVAL_BASE_URL = "https://abc123.lambda-url.us-east-1.on.aws/"
APPROVAL_TTL_SECONDS = 3600


def approval_request_env(resources: dict[str, Any]) -> dict[str, str]:
    return {
        "ENVIRONMENT": "test",
        "WORKFLOW_TABLE": WORKFLOW_TABLE,
        "ARTIFACT_BUCKET": BUCKET,
        "APPROVAL_TOPIC_ARN": resources["topic_arn"],
        "SIGNING_SECRET_ARN": resources["secret_arn"],
        "APPROVAL_BASE_URL": APPROVAL_BASE_URL,
        "APPROVAL_LINK_TTL_SECONDS": str(APPROVAL_TTL_SECONDS),
        "EVENT_BUS_NAME": BUS,
    }


def approval_callback_env(resources: dict[str, Any]) -> dict[str, str]:
    return {"ENVIRONMENT": "test", "WORKFLOW_TABLE": WORKFLOW_TABLE, "SIGNING_SECRET_ARN": resources["secret_arn"]}


def function_url_event(method: str, query: str = "", body: str = "", base64_body: bool = False) -> dict[str, Any]:
    """A Lambda Function URL request (payload format 2.0) to the callback's URL, built as the
    offline reviewer builds it."""
    from scripts.offline.approvals import function_url_event as request

    return request(method, f"{APPROVAL_BASE_URL}?{query}" if query else APPROVAL_BASE_URL, body, base64_body=base64_body)
