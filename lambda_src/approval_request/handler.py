"""ApprovalRequest: invoked with ``.waitForTaskToken``; stores the approval and mails signed links.

Event: ``{"task_token", "workflow", "draft", "review"?, "execution_arn", "state"}``. The task token is
stored server-side on the approval item (``APPROVAL#<approval_id>``) and never leaves it: the message
and the ApprovalRequested event carry only the approval id and signed approve/reject links. The
pre-review's findings (``review``: pointers to the checks' files) are read from S3 and shown in the
message and, kept on the approval item, on the link's page; a missing check says so. Returns
``{"approval_id"}`` (Step Functions waits for the callback, not for this result).
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import boto3
from aws_lambda_powertools import Tracer
from aws_lambda_powertools.utilities.parameters import SecretsProvider
from workflow_core import artifacts, review
from workflow_core import events as event_types
from workflow_core.artifacts import ArtifactStore
from workflow_core.config import load_config
from workflow_core.errors import ArtifactMissing, InvalidInput
from workflow_core.events import EventPublisher
from workflow_core.observability import logger, metrics, start_task_invocation
from workflow_core.signing import DECISIONS, sign_link
from workflow_core.store import PENDING, WorkflowStore, now_iso

REQUIRED_ENV = (
    "ENVIRONMENT",
    "WORKFLOW_TABLE",
    "ARTIFACT_BUCKET",
    "APPROVAL_TOPIC_ARN",
    "SIGNING_SECRET_ARN",
    "APPROVAL_BASE_URL",
    "APPROVAL_LINK_TTL_SECONDS",
    "EVENT_BUS_NAME",
)

# Before any client: the X-Ray SDK patches botocore, so each AWS call is a subsegment of the
# invocation. Powertools disables it outside Lambda and where POWERTOOLS_TRACE_DISABLED says so.
tracer = Tracer()

CONFIG = load_config(REQUIRED_ENV)
ENVIRONMENT = CONFIG.str("ENVIRONMENT")
LINK_TTL_SECONDS = CONFIG.int("APPROVAL_LINK_TTL_SECONDS", minimum=60)
SECRET_MAX_AGE_SECONDS = 300

STORE = WorkflowStore(boto3.resource("dynamodb").Table(CONFIG.str("WORKFLOW_TABLE")))
SNS = boto3.client("sns")
ARTIFACTS = ArtifactStore(boto3.client("s3"), CONFIG.str("ARTIFACT_BUCKET"))
EVENTS = EventPublisher(boto3.client("events"), CONFIG.str("EVENT_BUS_NAME"))
SECRETS = SecretsProvider(boto3_client=boto3.client("secretsmanager"))

_SUBJECT_UNSAFE = re.compile(r"[^\x20-\x7e]")


def signing_secret() -> str:
    """The HMAC key, cached for a few minutes (rotation takes effect within SECRET_MAX_AGE_SECONDS)."""
    return str(SECRETS.get(CONFIG.str("SIGNING_SECRET_ARN"), max_age=SECRET_MAX_AGE_SECONDS))


def _subject(topic: str) -> str:
    # SNS subjects: ASCII, no line breaks, under 100 characters.
    return _SUBJECT_UNSAFE.sub("?", f"Review requested: {topic}")[:99]


def compose_message(
    workflow: dict[str, Any], draft: dict[str, Any], links: dict[str, str], expires_at: int, pre_review: list[dict[str, Any]]
) -> str:
    expires = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires_at))
    return "\n".join(
        [
            f"A research report is ready for review (workflow {workflow['workflow_id']}, tenant {workflow['tenant']}).",
            "",
            f"Topic: {workflow['topic']}",
            f"Requested by: {workflow.get('requested_by', '-')}",
            f"Draft: {draft['draft_key']} (version {draft['version']})",
            "",
            *review.reviewer_lines(pre_review),
            "",
            f"Approve: {links['approve']}",
            "",
            f"Reject (you can add comments for a revision): {links['reject']}",
            "",
            f"Each link opens a confirmation page and works once. The links expire at {expires}.",
        ]
    )


def _parse(event: Any) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    problems = []
    if not isinstance(event, dict):
        raise InvalidInput("approval payload must be a JSON object")
    if not isinstance(event.get("task_token"), str) or not event["task_token"]:
        problems.append("task_token is required")
    workflow, draft = event.get("workflow"), event.get("draft")
    if not isinstance(workflow, dict) or not all(isinstance(workflow.get(k), str) for k in ("workflow_id", "tenant", "topic")):
        problems.append("workflow with workflow_id, tenant and topic is required")
    if not isinstance(draft, dict) or not isinstance(draft.get("draft_key"), str) or not isinstance(draft.get("version"), int):
        problems.append("draft with draft_key and version is required")
    if not isinstance(event.get("execution_arn"), str):
        problems.append("execution_arn is required")
    if event.get("review") is not None and not isinstance(event["review"], dict):
        problems.append("review must be an object")
    if problems:
        raise InvalidInput("; ".join(problems))
    return event["task_token"], workflow, draft, event["execution_arn"]


def pre_review_for(workflow_id: str, version: int, pre_review: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The reviewer's view of the pre-review; only this workflow's findings files of this version."""

    def read_findings(key: str) -> list[dict[str, Any]] | None:
        if key not in {artifacts.review_key(workflow_id, version, check) for check in review.CHECKS}:
            raise InvalidInput("review names a findings file of another workflow or draft version")
        try:
            return list(ARTIFACTS.get_json(key)["findings"])
        except ArtifactMissing:
            logger.warning("a pre-review findings file is missing", extra={"key": key})
            return None

    return review.for_reviewer(pre_review, read_findings)


@tracer.capture_method
def request_approval(event: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    task_token, workflow, draft, execution_arn = _parse(event)
    shown = pre_review_for(workflow["workflow_id"], int(draft["version"]), event.get("review"))
    current = int(time.time() if now is None else now)
    approval_id = str(uuid.uuid4())
    expires_at = current + LINK_TTL_SECONDS
    STORE.put_approval(
        {
            "approval_id": approval_id,
            "workflow_id": workflow["workflow_id"],
            "execution_arn": execution_arn,
            "task_token": task_token,
            "draft_key": draft["draft_key"],
            "revision": int(draft["version"]) - 1,
            "status": PENDING,
            "pre_review": shown,
            "created_at": now_iso(current),
            "expires_at": expires_at,
        }
    )
    secret = signing_secret()
    links = {
        decision: sign_link(CONFIG.str("APPROVAL_BASE_URL"), approval_id, decision, expires_at, secret) for decision in DECISIONS
    }
    SNS.publish(
        TopicArn=CONFIG.str("APPROVAL_TOPIC_ARN"),
        Subject=_subject(workflow["topic"]),
        Message=compose_message(workflow, draft, links, expires_at, shown),
        MessageAttributes={"workflow_id": {"DataType": "String", "StringValue": workflow["workflow_id"]}},
    )
    EVENTS.publish(
        event_types.APPROVAL_REQUESTED,
        {
            "workflow_id": workflow["workflow_id"],
            "tenant": workflow["tenant"],
            "execution_arn": execution_arn,
            "approval_id": approval_id,
            "draft_key": draft["draft_key"],
            "version": draft["version"],
            "expires_at": expires_at,
        },
    )
    logger.info("approval requested", extra={"approval_id": approval_id, "version": draft["version"]})
    return {"approval_id": approval_id}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    start_task_invocation(ENVIRONMENT, "approval_request", event)
    return request_approval(event)
