"""Powertools Tracer in every handler: with tracing on (as Lambda runs a function with active
tracing), each invocation reaches an X-Ray daemon as a `## lambda_handler` subsegment carrying the
ColdStart and Service annotations, with the AWS SDK calls it made as subsegments inside it. The
daemon is a UDP socket on loopback (the X-Ray daemon protocol: a JSON header line, then the
segment document); the AWS calls go to moto, the agent's model calls to the local Bedrock endpoints.
"""

from __future__ import annotations

import json
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from lambda_helpers import (
    ARTIFACT_ENV_VALIDATE,
    BUCKET,
    BUS,
    EXECUTION_ARN,
    LAMBDA_SRC_DIR,
    WORKFLOW_TABLE,
    agent_env,
    approval_callback_env,
    approval_request_env,
    function_url_event,
)


@dataclass
class XRayDaemon:
    """What a local X-Ray daemon received: every subsegment document, nested ones flattened."""

    sock: socket.socket
    documents: list[dict[str, Any]] = field(default_factory=list)

    def receive(self, settle_s: float = 0.3) -> list[dict[str, Any]]:
        deadline = time.monotonic() + settle_s
        while time.monotonic() < deadline:
            try:
                datagram = self.sock.recv(65536)
            except TimeoutError:
                continue
            header, _, body = datagram.decode().partition("\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            self.documents.append(json.loads(body))
        return self.documents

    def subsegments(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []

        def walk(document: dict[str, Any]) -> None:
            found.append(document)
            for child in document.get("subsegments", []):
                walk(child)

        for document in self.receive():
            walk(document)
        return found


@pytest.fixture
def xray(monkeypatch: pytest.MonkeyPatch) -> Iterator[XRayDaemon]:
    """Tracing on, as Lambda runs a function with active tracing: LAMBDA_TASK_ROOT, a sampled trace
    header, the daemon's address. Off again afterwards, for the other tests in this process."""
    from aws_lambda_powertools import Tracer
    from aws_xray_sdk import global_sdk_config
    from aws_xray_sdk.core import xray_recorder
    from aws_xray_sdk.core.context import Context
    from aws_xray_sdk.core.lambda_launcher import LambdaContext

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    address = f"127.0.0.1:{sock.getsockname()[1]}"
    trace_id = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    for name, value in {
        "LAMBDA_TASK_ROOT": str(LAMBDA_SRC_DIR),
        "POWERTOOLS_TRACE_DISABLED": "false",
        "AWS_XRAY_DAEMON_ADDRESS": address,
        "_X_AMZN_TRACE_ID": f"Root={trace_id};Parent={secrets.token_hex(8)};Sampled=1",
    }.items():
        monkeypatch.setenv(name, value)
    # Tracer keeps its configuration per process, and once any Tracer was disabled (every handler
    # the other tests import) so is the next; Powertools' own tests start each from the defaults.
    Tracer._reset_config()
    global_sdk_config.set_sdk_enabled(True)
    xray_recorder.configure(context=LambdaContext(), daemon_address=address)
    try:
        yield XRayDaemon(sock)
    finally:
        global_sdk_config.set_sdk_enabled(False)  # botocore stays patched in this process; recording stops
        xray_recorder.configure(context=Context())
        Tracer._reset_config()
        sock.close()


def assert_traced(daemon: XRayDaemon, service: str, method: str, *aws_calls: str) -> None:
    """One `## lambda_handler` subsegment annotated with ColdStart and the service; inside it the
    handler's captured method and each AWS call ("dynamodb.PutItem": service and operation)."""
    subsegments = daemon.subsegments()
    by_id = {s["id"]: s for s in subsegments}
    handlers = [s for s in subsegments if s["name"] == "## lambda_handler"]
    assert len(handlers) == 1, [s["name"] for s in subsegments]
    handler = handlers[0]
    assert set(handler["annotations"]) == {"ColdStart", "Service"} and handler["annotations"]["Service"] == service

    def inside_handler(segment: dict[str, Any]) -> bool:
        while segment.get("parent_id") in by_id:
            segment = by_id[segment["parent_id"]]
            if segment is handler:
                return True
        return any(child is segment for child in handler.get("subsegments", []))

    # Powertools names a captured method by its module path: "## validate_input.handler.validate".
    assert any(s["name"].endswith(f".{method}") and inside_handler(s) for s in subsegments), [s["name"] for s in subsegments]
    made = sorted(
        {(s["name"], s.get("aws", {}).get("operation")) for s in subsegments if s.get("namespace") == "aws" and inside_handler(s)}
    )
    for call in aws_calls:
        assert tuple(call.split(".")) in made, made


def test_validate_input_is_traced_with_its_dynamodb_write(resources, load_handler, context, xray) -> None:
    module = load_handler("validate_input", POWERTOOLS_SERVICE_NAME="validate_input", **ARTIFACT_ENV_VALIDATE)
    request = {"topic": "Traced topic", "tenant": "acme", "requested_by": "ana@example.com"}
    module.lambda_handler({"input": request, "execution_arn": EXECUTION_ARN, "state": "ValidateInput"}, context)
    assert_traced(xray, "validate_input", "validate", "dynamodb.PutItem")


def test_an_agent_is_traced_with_its_cache_lookup_artifact_writes_and_bedrock_call(
    resources, load_handler, bedrock, context, xray
) -> None:
    module = load_handler("agent", POWERTOOLS_SERVICE_NAME="agent_search", **agent_env("search"))
    workflow = {**WORKFLOW, "topic": "Map concurrency and Bedrock quotas"}
    module.lambda_handler({"execution_arn": EXECUTION_ARN, "state": "Search", "workflow": workflow, "fallback": False}, context)
    assert_traced(
        xray, "agent_search", "call_agent", "dynamodb.GetItem", "s3.GetObject", "s3.PutObject", "bedrock-runtime.Converse"
    )


def test_approval_request_and_callback_are_traced_with_their_secret_item_and_mail(
    resources, load_handler, context, monkeypatch, xray
) -> None:
    boto3.client("s3").put_object(Bucket=BUCKET, Key=DRAFT["draft_key"], Body=b"# Draft\n")
    request = load_handler("approval_request", POWERTOOLS_SERVICE_NAME="approval_request", **approval_request_env(resources))
    event = {
        "task_token": "AQCEtoken==",
        "workflow": WORKFLOW,
        "draft": DRAFT,
        "execution_arn": EXECUTION_ARN,
        "state": "RequestApproval",
    }
    request.lambda_handler(event, context)
    assert_traced(
        xray, "approval_request", "request_approval", "secretsmanager.GetSecretValue", "dynamodb.PutItem", "sns.Publish"
    )

    mail = boto3.client("sqs").receive_message(QueueUrl=resources["mail_queue_url"])["Messages"][0]
    link = next(
        word for word in json.loads(mail["Body"])["Message"].split() if word.startswith("https://") and "decision=approve" in word
    )
    callback = load_handler("approval_callback", POWERTOOLS_SERVICE_NAME="approval_callback", **approval_callback_env(resources))

    class StepFunctions:  # the token is not one moto's Step Functions issued
        def send_task_heartbeat(self, **kwargs: Any) -> dict[str, Any]:
            return {}

    monkeypatch.setattr(callback, "SFN", StepFunctions())
    xray.documents.clear()
    response = callback.lambda_handler(function_url_event("GET", link.split("?", 1)[1]), context)
    assert response["statusCode"] == 200, response
    assert_traced(xray, "approval_callback", "_call_step_functions", "secretsmanager.GetSecretValue", "dynamodb.GetItem")


def test_publish_and_on_failure_are_traced_with_their_record_updates_and_events(resources, load_handler, context, xray) -> None:
    table = boto3.resource("dynamodb").Table(WORKFLOW_TABLE)
    table.put_item(
        Item={
            "pk": "WF#wf-001",
            "sk": "META",
            "status": "RUNNING",
            "tenant": "acme",
            "execution_arn": EXECUTION_ARN,
            "revision": 1,
        }
    )
    boto3.client("s3").put_object(Bucket=BUCKET, Key=DRAFT["draft_key"], Body=b"# Report\n", Tagging="retention=intermediate")
    env = {"ENVIRONMENT": "test", "WORKFLOW_TABLE": WORKFLOW_TABLE, "EVENT_BUS_NAME": BUS}
    publish = load_handler("publish", POWERTOOLS_SERVICE_NAME="publish", ARTIFACT_BUCKET=BUCKET, **env)
    approval = {"approval_id": "a-1", "decision": "approve", "reviewer": "rita@example.com", "comments": ""}
    publish.lambda_handler(
        {"workflow": WORKFLOW, "draft": DRAFT, "approval": approval, "execution_arn": EXECUTION_ARN, "state": "Publish"}, context
    )
    assert_traced(xray, "publish", "publish", "s3.CopyObject", "dynamodb.UpdateItem", "events.PutEvents")

    xray.documents.clear()
    on_failure = load_handler("on_failure", POWERTOOLS_SERVICE_NAME="on_failure", **env)
    error = {"Error": "AgentFailed", "Cause": "the agent refused"}
    on_failure.lambda_handler(
        {"input": {"workflow": WORKFLOW, "error": error}, "reason": "Failed", "execution_arn": EXECUTION_ARN, "state": "Failed"},
        context,
    )
    assert_traced(xray, "on_failure", "record_failure", "dynamodb.UpdateItem", "events.PutEvents")


WORKFLOW = {
    "workflow_id": "wf-001",
    "tenant": "acme",
    "topic": "Bedrock quotas",
    "requested_by": "ana@example.com",
    "max_sources": 2,
    "execution_arn": EXECUTION_ARN,
}
DRAFT = {"draft_key": "wf-001/drafts/v2.md", "version": 2, "summarized": 2, "failed_sources": 0}
