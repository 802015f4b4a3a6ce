"""Publish: copy the approved draft to ``published/<workflow_id>/report.md`` (retention=published),
mark the workflow record PUBLISHED and emit ReportPublished.

Event: ``{"workflow", "draft", "approval"?, "execution_arn", "state"}``. Returns ``{"published_key"}``.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Tracer
from workflow_core import artifacts
from workflow_core import events as event_types
from workflow_core.artifacts import ArtifactStore
from workflow_core.config import load_config
from workflow_core.errors import InvalidInput
from workflow_core.events import EventPublisher
from workflow_core.observability import logger, metrics, start_task_invocation
from workflow_core.store import PUBLISHED, NotFound, WorkflowStore

REQUIRED_ENV = ("ENVIRONMENT", "WORKFLOW_TABLE", "ARTIFACT_BUCKET", "EVENT_BUS_NAME")

# Before any client: the X-Ray SDK patches botocore, so each AWS call is a subsegment of the
# invocation. Powertools disables it outside Lambda and where POWERTOOLS_TRACE_DISABLED says so.
tracer = Tracer()

CONFIG = load_config(REQUIRED_ENV)
ENVIRONMENT = CONFIG.str("ENVIRONMENT")

ARTIFACTS = ArtifactStore(boto3.client("s3"), CONFIG.str("ARTIFACT_BUCKET"))
STORE = WorkflowStore(boto3.resource("dynamodb").Table(CONFIG.str("WORKFLOW_TABLE")))
EVENTS = EventPublisher(boto3.client("events"), CONFIG.str("EVENT_BUS_NAME"))


@tracer.capture_method
def publish(event: dict[str, Any]) -> dict[str, Any]:
    workflow, draft = event.get("workflow"), event.get("draft")
    if not isinstance(workflow, dict) or not isinstance(workflow.get("workflow_id"), str):
        raise InvalidInput("workflow with workflow_id is required")
    workflow_id = workflow["workflow_id"]
    problem = artifacts.draft_problem(workflow_id, draft)
    if problem:
        raise InvalidInput(problem)
    approval = event.get("approval")
    if isinstance(approval, dict) and approval.get("decision") not in (None, "approve"):
        raise InvalidInput(f"refusing to publish a draft whose decision is {approval.get('decision')!r}")

    key = ARTIFACTS.copy(draft["draft_key"], artifacts.published_key(workflow_id), retention=artifacts.PUBLISHED)
    STORE.add_artifacts(workflow_id, [key], kind="published")
    try:
        STORE.update_workflow(
            workflow_id,
            str(event.get("execution_arn", "")),
            status=PUBLISHED,
            published_key=key,
            revision=int(draft["version"]) - 1,
        )
    except NotFound:
        raise InvalidInput(f"no workflow record {workflow_id} for this execution") from None
    EVENTS.publish(
        event_types.REPORT_PUBLISHED,
        {
            "workflow_id": workflow_id,
            "tenant": workflow.get("tenant"),
            "execution_arn": str(event.get("execution_arn", "")),
            "topic": workflow.get("topic"),
            "published_key": key,
            "version": draft["version"],
            "reviewer": approval.get("reviewer") if isinstance(approval, dict) else None,
        },
    )
    logger.info("report published", extra={"published_key": key, "version": draft["version"]})
    return {"published_key": key}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    start_task_invocation(ENVIRONMENT, "publish", event)
    return publish(event)
