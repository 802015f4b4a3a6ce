"""CitationCheck: one branch of the pre-review. Every ``[src-NNN]`` of the draft must name a source
this workflow gathered, and every section that makes claims must cite one (workflow_core.review).

Deterministic code, no model: whether a citation resolves is a lookup, not a judgement.

Event: ``{"workflow", "draft", "execution_arn", "state"}``. Writes the findings to
``<wf>/reviews/v<n>/citations.json`` and returns ``{check: "citations", status: "completed",
blocking, advisory, findings_key, error: null}``. Running it twice for the same draft writes the
same file and answers the same result, so a retried task needs no idempotency record.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Tracer
from workflow_core import artifacts, review
from workflow_core.artifacts import ArtifactStore
from workflow_core.config import load_config
from workflow_core.errors import InvalidInput
from workflow_core.observability import logger, metrics, record_findings, start_task_invocation
from workflow_core.store import WorkflowStore

REQUIRED_ENV = ("ENVIRONMENT", "WORKFLOW_TABLE", "ARTIFACT_BUCKET")

# Before any client: the X-Ray SDK patches botocore, so each AWS call is a subsegment of the
# invocation. Powertools disables it outside Lambda and where POWERTOOLS_TRACE_DISABLED says so.
tracer = Tracer()

CONFIG = load_config(REQUIRED_ENV)
ENVIRONMENT = CONFIG.str("ENVIRONMENT")

ARTIFACTS = ArtifactStore(boto3.client("s3"), CONFIG.str("ARTIFACT_BUCKET"))
STORE = WorkflowStore(boto3.resource("dynamodb").Table(CONFIG.str("WORKFLOW_TABLE")))


@tracer.capture_method
def check_draft(event: dict[str, Any]) -> dict[str, Any]:
    workflow, draft = event.get("workflow"), event.get("draft")
    if not isinstance(workflow, dict) or not isinstance(workflow.get("workflow_id"), str):
        raise InvalidInput("workflow with workflow_id is required")
    problem = artifacts.draft_problem(workflow["workflow_id"], draft)
    if problem:
        raise InvalidInput(problem)
    workflow_id, version = workflow["workflow_id"], int(draft["version"])
    markdown = ARTIFACTS.get_text(draft["draft_key"])
    index = ARTIFACTS.get_json(artifacts.sources_index_key(workflow_id))
    findings = review.check_citations(markdown, {source["id"] for source in index["sources"]})
    key = artifacts.review_key(workflow_id, version, "citations")
    ARTIFACTS.put_json(
        key, review.findings_document(workflow_id, version, "citations", draft["draft_key"], "citation_check", findings)
    )
    STORE.add_artifacts(workflow_id, [key], kind="review")
    result = review.check_result("citations", key, findings)
    record_findings(result)
    logger.info("citations checked", extra={"version": version, "blocking": result["blocking"], "advisory": result["advisory"]})
    return result


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    start_task_invocation(ENVIRONMENT, "citations", event)
    return check_draft(event)
