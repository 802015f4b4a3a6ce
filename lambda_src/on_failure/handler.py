"""OnFailure: record why a workflow ended and emit WorkflowFailed, then feed the Fail state.

Event: ``{"input": <full state>, "reason": "InvalidInput" | "RevisionLimitReached" |
"ApprovalTimedOut" | "WorkflowFailed", "execution_arn", "state"}``. The caught error is at
``input.error`` (``{"Error", "Cause"}``, Catch ``ResultPath: $.error``; for Lambda errors ``Cause`` is
the JSON text of ``{"errorType", "errorMessage", ...}``); a failed fallback's error may be at
``input.fallback_error``. Returns ``{"Error", "Cause"}`` for the Fail state's ErrorPath/CausePath:
the original error name when there is one, else the reason.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from aws_lambda_powertools import Tracer
from workflow_core import events as event_types
from workflow_core.config import load_config
from workflow_core.events import EventPublisher
from workflow_core.observability import logger, metrics, start_task_invocation
from workflow_core.store import (
    APPROVAL_TIMED_OUT,
    FAILED,
    REVISION_LIMIT_REACHED,
    NotFound,
    WorkflowStore,
)

REQUIRED_ENV = ("ENVIRONMENT", "WORKFLOW_TABLE", "EVENT_BUS_NAME")

# Before any client: the X-Ray SDK patches botocore, so each AWS call is a subsegment of the
# invocation. Powertools disables it outside Lambda and where POWERTOOLS_TRACE_DISABLED says so.
tracer = Tracer()

CONFIG = load_config(REQUIRED_ENV)
ENVIRONMENT = CONFIG.str("ENVIRONMENT")

STORE = WorkflowStore(boto3.resource("dynamodb").Table(CONFIG.str("WORKFLOW_TABLE")))
EVENTS = EventPublisher(boto3.client("events"), CONFIG.str("EVENT_BUS_NAME"))

REASONS = ("InvalidInput", "RevisionLimitReached", "ApprovalTimedOut", "WorkflowFailed")
STATUS_FOR_REASON = {
    "RevisionLimitReached": REVISION_LIMIT_REACHED,
    "ApprovalTimedOut": APPROVAL_TIMED_OUT,
    "WorkflowFailed": FAILED,
}
MAX_CAUSE = 500


def short_cause(cause: Any) -> str:
    """Lambda causes are JSON with errorMessage; keep the message, drop the stack trace."""
    if cause is None:
        return ""
    text = str(cause)
    try:
        parsed = json.loads(text)
    except (TypeError, ValueError):
        parsed = None
    if isinstance(parsed, dict) and "errorMessage" in parsed:
        text = str(parsed["errorMessage"])
    return text[:MAX_CAUSE]


def _error(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and value.get("Error"):
        return {"Error": str(value["Error"]), "Cause": short_cause(value.get("Cause"))}
    return None


@tracer.capture_method
def record_failure(event: dict[str, Any]) -> dict[str, str]:
    reason = event.get("reason") if event.get("reason") in REASONS else "WorkflowFailed"
    state = event.get("input") if isinstance(event.get("input"), dict) else {}
    error = _error(state.get("error"))
    fallback_error = _error(state.get("fallback_error"))
    original = error or fallback_error
    if original is None:
        original = {"Error": reason, "Cause": _default_cause(reason, state)}

    workflow = state.get("workflow") if isinstance(state.get("workflow"), dict) else {}
    workflow_id = workflow.get("workflow_id")
    tenant = workflow.get("tenant") or (state.get("tenant") if isinstance(state.get("tenant"), str) else None)
    failure = {"reason": reason, "error": original["Error"], "cause": original["Cause"]}
    if error and fallback_error:
        failure["fallback_error"] = fallback_error["Error"]
    # The record is only touched when this execution owns it: with InvalidInput the workflow id
    # may be unknown, or belong to another execution (a duplicate id), and must not be overwritten.
    if workflow_id and reason != "InvalidInput":
        try:
            STORE.update_workflow(
                workflow_id, str(event.get("execution_arn", "")), status=STATUS_FOR_REASON[reason], failure=failure
            )
        except NotFound:
            logger.warning("no workflow record owned by this execution; failure not recorded")
    EVENTS.publish(
        event_types.WORKFLOW_FAILED,
        # The execution ARN lets a subscriber correlate a failure whose input named no workflow id.
        {
            "workflow_id": workflow_id,
            "execution_arn": event.get("execution_arn"),
            "tenant": tenant,
            "reason": reason,
            "error": failure,
        },
    )
    logger.info("workflow failed", extra={"reason": reason, "error": original["Error"]})
    return fail_state_error(original)


def fail_state_error(original: dict[str, str]) -> dict[str, str]:
    """The Fail state re-raises the original error name, except the `States.` names Step Functions
    reserves for itself (a Fail state may not raise them): those end as WorkflowFailed with the
    original name leading the cause. The WorkflowFailed event keeps the original either way."""
    if original["Error"].startswith("States."):
        return {"Error": "WorkflowFailed", "Cause": f"{original['Error']}: {original['Cause']}"[:MAX_CAUSE]}
    return original


def _default_cause(reason: str, state: dict[str, Any]) -> str:
    if reason == "RevisionLimitReached":
        draft = state.get("draft") if isinstance(state.get("draft"), dict) else {}
        return f"the draft was rejected after {max(0, int(draft.get('version', 1)) - 1)} revision(s)"
    if reason == "ApprovalTimedOut":
        return "nobody decided on the approval request in time"
    return reason


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    start_task_invocation(ENVIRONMENT, "on_failure", event)
    return record_failure(event)
