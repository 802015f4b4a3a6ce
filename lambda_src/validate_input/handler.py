"""ValidateInput: check the execution input, create the workflow record, return the workflow.

Event: ``{"input": <execution input>, "execution_arn", "state"}``. Execution input:
``{"topic", "tenant", "requested_by", "max_sources"?, "workflow_id"?}``; unknown keys are rejected.
Every problem is listed in one ``InvalidInput`` message. Result (the state after this step,
docs/design.md): ``{"workflow": {workflow_id, tenant, requested_by, topic, max_sources,
execution_arn}, "revision": 0}``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import boto3
from aws_lambda_powertools import Tracer
from workflow_core.config import load_config
from workflow_core.errors import InvalidInput
from workflow_core.observability import logger, metrics, start_task_invocation
from workflow_core.store import AlreadyExists, WorkflowStore

REQUIRED_ENV = (
    "ENVIRONMENT",
    "WORKFLOW_TABLE",
    "ARTIFACT_BUCKET",
    "MAX_SOURCES_LIMIT",
    "DEFAULT_MAX_SOURCES",
)

# Before any client: the X-Ray SDK patches botocore, so each AWS call is a subsegment of the
# invocation. Powertools disables it outside Lambda and where POWERTOOLS_TRACE_DISABLED says so.
tracer = Tracer()

CONFIG = load_config(REQUIRED_ENV)
ENVIRONMENT = CONFIG.str("ENVIRONMENT")
MAX_SOURCES_LIMIT = CONFIG.int("MAX_SOURCES_LIMIT", minimum=1)
DEFAULT_MAX_SOURCES = CONFIG.int("DEFAULT_MAX_SOURCES", minimum=1, maximum=MAX_SOURCES_LIMIT)

STORE = WorkflowStore(boto3.resource("dynamodb").Table(CONFIG.str("WORKFLOW_TABLE")))

ALLOWED_KEYS = ("topic", "tenant", "requested_by", "max_sources", "workflow_id")
TOPIC_MAX = 500
# C0 and C1 controls and Unicode line/paragraph separators: they split the report's title and reach
# terminals and e-mail as escape sequences.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
TENANT = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
WORKFLOW_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
# An e-mail address or an IAM-style principal (user name, role session, ARN).
REQUESTED_BY = re.compile(r"^[A-Za-z0-9+=,.@:/_-]{1,200}$")


def problems_in(request: Any, max_sources_limit: int = MAX_SOURCES_LIMIT) -> list[str]:
    """Every problem with an execution input, in a stable order; empty when it is valid."""
    if not isinstance(request, dict):
        return ["input must be a JSON object"]
    problems = [f"unknown key {key!r}" for key in sorted(set(request) - set(ALLOWED_KEYS))]
    topic = request.get("topic")
    if not isinstance(topic, str) or not topic.strip():
        problems.append("topic is required and must be a non-blank string")
    elif len(topic) > TOPIC_MAX:
        problems.append(f"topic must be at most {TOPIC_MAX} characters (got {len(topic)})")
    elif control := CONTROL_CHARACTERS.search(topic):
        problems.append(f"topic must not contain control characters (U+{ord(control.group()):04X} at position {control.start()})")
    tenant = request.get("tenant")
    if not isinstance(tenant, str) or not TENANT.match(tenant):
        problems.append("tenant is required: 1-40 of a-z, 0-9 and '-', starting with a letter or digit")
    requested_by = request.get("requested_by")
    if not isinstance(requested_by, str) or not REQUESTED_BY.match(requested_by):
        problems.append("requested_by is required: an e-mail address or principal, 1-200 characters")
    if "max_sources" in request:
        value = request["max_sources"]
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append("max_sources must be an integer")
        elif not 1 <= value <= max_sources_limit:
            problems.append(f"max_sources must be between 1 and {max_sources_limit} (got {value})")
    if "workflow_id" in request:
        value = request["workflow_id"]
        if not isinstance(value, str) or not WORKFLOW_ID.match(value):
            problems.append("workflow_id must be 1-64 of A-Z, a-z, 0-9 and '-'")
    return problems


def derive_workflow_id(execution_arn: str, tenant: str) -> str:
    """API starts are named ``<tenant>-<workflow_id>``; other names are used whole when valid."""
    name = execution_arn.rsplit(":", 1)[-1] if execution_arn else ""
    prefix = f"{tenant}-"
    if name.startswith(prefix) and WORKFLOW_ID.match(name[len(prefix) :]):
        return name[len(prefix) :]
    if WORKFLOW_ID.match(name):
        return name
    return str(uuid.uuid4())


@tracer.capture_method
def validate(event: dict[str, Any]) -> dict[str, Any]:
    execution_arn = event.get("execution_arn") if isinstance(event, dict) else None
    if not isinstance(execution_arn, str) or not execution_arn:
        raise InvalidInput("execution_arn is required in the task payload")
    request = event.get("input")
    problems = problems_in(request)
    if problems:
        raise InvalidInput("invalid workflow input: " + "; ".join(problems))
    workflow = {
        "workflow_id": request.get("workflow_id") or derive_workflow_id(execution_arn, request["tenant"]),
        "tenant": request["tenant"],
        "requested_by": request["requested_by"],
        "topic": request["topic"].strip(),
        "max_sources": request.get("max_sources", DEFAULT_MAX_SOURCES),
        "execution_arn": execution_arn,
    }
    logger.append_keys(workflow_id=workflow["workflow_id"])
    try:
        STORE.create_workflow(workflow)
    except AlreadyExists:
        raise InvalidInput(f"workflow_id {workflow['workflow_id']!r} is already used by another execution") from None
    logger.info("workflow accepted", extra={"tenant": workflow["tenant"], "max_sources": workflow["max_sources"]})
    return {"workflow": workflow, "revision": 0}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    start_task_invocation(ENVIRONMENT, "validate_input", event)
    return validate(event)
