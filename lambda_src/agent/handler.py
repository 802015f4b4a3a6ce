"""Agent task: one code package, five functions (AGENT_ROLE = search | summary | writer | reviser |
compliance).

Payload (docs/design.md): ``{"execution_arn", "state", "workflow", "fallback": bool, ...}`` plus
``source_id`` (summary), ``draft`` + ``approval`` + optional ``review`` (reviser: the reviewer's
comments and the pre-review's blocking findings) or ``draft`` (compliance); optional ``retry_count``
(``$$.State.RetryCount``) feeds the AgentRetries metric. Results are pointers, never bodies:

* search  -> ``{sources_key, source_ids, source_count, cache_hit}``
* summary -> ``{source_id, summary_key}``
* writer  -> ``{draft_key, version: 1, summarized, failed_sources}``
* reviser -> ``{draft_key, version: n + 1, summarized, failed_sources}``
* compliance -> ``{check: "compliance", status: "completed", blocking, advisory, findings_key, error: null}``

Idempotency: Powertools idempotency on the workflow table (pk ``IDEMPOTENCY#agent_<role>``, sk the
hashed key) keyed on execution ARN, state, workflow id, source id, fallback flag and draft version,
so a task that Step Functions retries after it had already succeeded returns the stored result
instead of calling Bedrock again. A retry after a failure runs again with the same Bedrock session id.

The agent (AGENT_RUNTIME=converse, the default) is code: its instructions are
``agents/<role>/instructions.md`` (packaged with the function), its model AGENT_MODEL_ID, its tools
``workflow_core.tools`` (search and reviser: the document library in LIBRARY_BUCKET, plus a
Knowledge Base's Retrieve when KNOWLEDGE_BASE_ID is set). The compliance agent also reads
``agents/compliance/policy.md`` and sends it with every draft; it has no tools. Every tool call is logged and counted
(ToolCalls, ToolErrors). A search source whose uri no tool returned is dropped: sources come from
the library, never from the model's memory.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import boto3
from aws_lambda_powertools import Tracer
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from workflow_core import artifacts, documents, review, roles, tools
from workflow_core.agents import RUNTIMES, AgentBackend, create_backend
from workflow_core.artifacts import ArtifactStore
from workflow_core.config import load_config, optional_env
from workflow_core.errors import ArtifactMissing, InvalidInput, TooManySourceFailures
from workflow_core.observability import (
    logger,
    metrics,
    record_agent_call,
    record_cache_hit,
    record_findings,
    record_tool_call,
    start_invocation,
)
from workflow_core.store import NotFound, SearchCache, WorkflowStore, search_cache_key

REQUIRED_ENV = (
    "ENVIRONMENT",
    "AGENT_ROLE",
    "AGENT_RUNTIME",
    "AGENT_MODEL_ID",
    "FALLBACK_MODEL_ID",
    "MAX_AGENT_TURNS",
    "ARTIFACT_BUCKET",
    "WORKFLOW_TABLE",
    "SEARCH_CACHE_TABLE",
    "SEARCH_CACHE_TTL_SECONDS",
    "TOLERATED_FAILURE_PERCENTAGE",
)

# Before any client: the X-Ray SDK patches botocore, so each AWS call is a subsegment of the
# invocation. Powertools disables it outside Lambda and where POWERTOOLS_TRACE_DISABLED says so.
tracer = Tracer()

CONFIG = load_config(REQUIRED_ENV)
ENVIRONMENT = CONFIG.str("ENVIRONMENT")
ROLE = CONFIG.choice("AGENT_ROLE", roles.ROLES)
TOLERATED_FAILURE_PERCENTAGE = CONFIG.float("TOLERATED_FAILURE_PERCENTAGE", 0, 100)
RUNTIME = CONFIG.choice("AGENT_RUNTIME", RUNTIMES)
MAX_AGENT_TURNS = CONFIG.int("MAX_AGENT_TURNS", minimum=1, maximum=50)
# Optional: the library (search, reviser), a Knowledge Base (search), Agents Classic ids.
LIBRARY_BUCKET = optional_env("LIBRARY_BUCKET")
KNOWLEDGE_BASE_ID = optional_env("KNOWLEDGE_BASE_ID")
AGENT_ID, AGENT_ALIAS_ID = optional_env("AGENT_ID"), optional_env("AGENT_ALIAS_ID")
if RUNTIME == "bedrock_agents" and not (AGENT_ID and AGENT_ALIAS_ID):
    raise ValueError("AGENT_RUNTIME=bedrock_agents needs AGENT_ID and AGENT_ALIAS_ID")
if ROLE in ("search", "reviser") and not LIBRARY_BUCKET:
    raise ValueError(f"the {ROLE} agent needs LIBRARY_BUCKET: its tools search the document library")

S3 = boto3.client("s3")
DYNAMODB = boto3.resource("dynamodb")
ARTIFACTS = ArtifactStore(S3, CONFIG.str("ARTIFACT_BUCKET"))
STORE = WorkflowStore(DYNAMODB.Table(CONFIG.str("WORKFLOW_TABLE")))
CACHE = SearchCache(
    DYNAMODB.Table(CONFIG.str("SEARCH_CACHE_TABLE")),
    CONFIG.int("SEARCH_CACHE_TTL_SECONDS", minimum=0),
)
IDEMPOTENCY_STORE = DynamoDBPersistenceLayer(
    table_name=CONFIG.str("WORKFLOW_TABLE"),
    key_attr="pk",
    sort_key_attr="sk",
    static_pk_value=f"IDEMPOTENCY#agent_{ROLE}",
    expiry_attr="expires_at",
)
IDEMPOTENCY = IdempotencyConfig(
    event_key_jmespath="[execution_arn, state, workflow.workflow_id, source_id, fallback, draft.version]",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=24 * 3600,
)

_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _instructions_dir() -> Path:
    """agents/ beside the handler's package in the zip; the repository's agents/ when run from it."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[1] / "agents", here.parents[2] / "agents"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no agents/ directory with the agents' instructions beside the handler")


INSTRUCTIONS = (_instructions_dir() / ROLE / "instructions.md").read_text(encoding="utf-8")
# The house policy the compliance agent checks drafts against; its rule ids decide which findings count.
POLICY = (_instructions_dir() / "compliance" / "policy.md").read_text(encoding="utf-8") if ROLE == "compliance" else ""
POLICY_RULES = roles.policy_rules(POLICY) if POLICY else {}


@cache
def role_tools() -> list[tools.Tool]:
    """The role's tools, built on first use (clients once per process)."""
    if ROLE not in ("search", "reviser"):
        return []
    found = tools.library_tools(lambda: documents.load_index(S3, LIBRARY_BUCKET or ""))
    if ROLE == "search" and KNOWLEDGE_BASE_ID:
        found.append(tools.knowledge_base_tool(boto3.client("bedrock-agent-runtime"), KNOWLEDGE_BASE_ID))
    return found


@cache
def backend_for(fallback: bool) -> AgentBackend:
    """One backend (and so one SDK client) per process and mode, created on first use."""
    return create_backend(
        fallback,
        runtime=RUNTIME,
        model_id=CONFIG.str("AGENT_MODEL_ID"),
        fallback_model_id=CONFIG.str("FALLBACK_MODEL_ID"),
        instructions=INSTRUCTIONS,
        tools=role_tools(),
        max_turns=MAX_AGENT_TURNS,
        agent_id=AGENT_ID,
        agent_alias_id=AGENT_ALIAS_ID,
    )


def session_id(execution_arn: str, state: str, source_id: str | None) -> str:
    """Bedrock session id: stable for a task across Step Functions retries."""
    raw = f"{execution_arn}|{state}|{source_id or '-'}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class AgentTask:
    execution_arn: str
    state: str
    workflow: dict[str, Any]
    fallback: bool
    retry_count: int
    source_id: str | None = None
    draft: dict[str, Any] | None = None
    approval: dict[str, Any] | None = None
    review: dict[str, Any] | None = None

    @property
    def workflow_id(self) -> str:
        return self.workflow["workflow_id"]

    @property
    def session_id(self) -> str:
        return session_id(self.execution_arn, self.state, self.source_id)

    @classmethod
    def parse(cls, payload: Any, role: str) -> AgentTask:
        problems: list[str] = []
        if not isinstance(payload, dict):
            raise InvalidInput("agent payload must be a JSON object")
        for name in ("execution_arn", "state"):
            if not isinstance(payload.get(name), str) or not payload[name]:
                problems.append(f"{name} is required")
        workflow = payload.get("workflow")
        if not isinstance(workflow, dict):
            problems.append("workflow is required")
            workflow = {}
        for name in ("workflow_id", "tenant", "topic"):
            if not isinstance(workflow.get(name), str) or not workflow.get(name):
                problems.append(f"workflow.{name} is required")
        if isinstance(workflow.get("workflow_id"), str) and not _ID.match(workflow["workflow_id"]):
            problems.append("workflow.workflow_id is not a valid id")
        if role == "search" and not (isinstance(workflow.get("max_sources"), int) and workflow["max_sources"] > 0):
            problems.append("workflow.max_sources must be a positive integer")
        source_id = payload.get("source_id")
        if role == "summary" and not (isinstance(source_id, str) and _ID.match(source_id)):
            problems.append("source_id is required and must be a valid id")
        draft, approval, pre_review = payload.get("draft"), payload.get("approval"), payload.get("review")
        draft_problem = artifacts.draft_problem(str(workflow.get("workflow_id")), draft)
        if role in ("reviser", "compliance") and draft_problem:
            problems.append(draft_problem)
        if role == "reviser":
            if not isinstance(approval, dict):
                problems.append("approval is required")
            if pre_review is not None and not isinstance(pre_review, dict):
                problems.append("review must be an object")
        if problems:
            raise InvalidInput("; ".join(problems))
        return cls(
            execution_arn=payload["execution_arn"],
            state=payload["state"],
            workflow=workflow,
            fallback=bool(payload.get("fallback", False)),
            retry_count=int(payload.get("retry_count") or 0),
            source_id=source_id if role == "summary" else None,
            draft=draft if role in ("reviser", "compliance") else None,
            approval=approval if role == "reviser" else None,
            review=pre_review if role == "reviser" else None,
        )


@tracer.capture_method
def call_agent(task: AgentTask, request: roles.AgentRequest) -> roles.AgentReply:
    """Run the request on the backend for this task's mode, recording metrics either way."""
    started = time.perf_counter()
    reply: roles.AgentReply | None = None
    try:
        reply = backend_for(task.fallback).run(request)
        return reply
    finally:
        latency_ms = (time.perf_counter() - started) * 1000
        record_agent_call(
            latency_ms,
            reply.input_tokens if reply else 0,
            reply.output_tokens if reply else 0,
            fallback=task.fallback,
            retry_count=task.retry_count,
        )
        logger.info(
            "agent call",
            extra={
                "role": request.role,
                "session_id": request.session_id,
                "fallback": task.fallback,
                "latency_ms": round(latency_ms, 1),
                "ok": reply is not None,
                "tool_calls": len(reply.tool_calls) if reply else None,
            },
        )
        for call in reply.tool_calls if reply else ():
            record_tool_call(call.name, call.ok)
            logger.info("tool call", extra={"role": request.role, "fallback": task.fallback, **call.as_log()})


# -- roles ------------------------------------------------------------------------------------
def _search_result(workflow_id: str, source_ids: list[str], cache_hit: bool) -> dict[str, Any]:
    return {
        "sources_key": artifacts.sources_index_key(workflow_id),
        "source_ids": source_ids,
        "source_count": len(source_ids),
        "cache_hit": cache_hit,
    }


def _reuse_cached_sources(entry: dict[str, Any], task: AgentTask) -> list[str]:
    """Copy the origin workflow's sources to this workflow's prefix; ArtifactMissing if gone."""
    origin = entry["origin_workflow_id"]
    index = ARTIFACTS.get_json(artifacts.sources_index_key(origin))
    ids = [source["id"] for source in index["sources"]]
    if origin != task.workflow_id:
        keys = ARTIFACTS.copy_many([(artifacts.source_key(origin, i), artifacts.source_key(task.workflow_id, i)) for i in ids])
        index = {**index, "workflow_id": task.workflow_id, "cache_origin": origin}
        keys.append(ARTIFACTS.put_json(artifacts.sources_index_key(task.workflow_id), index))
        STORE.add_artifacts(task.workflow_id, keys, kind="source")
    return ids


def run_search(task: AgentTask) -> dict[str, Any]:
    workflow = task.workflow
    max_sources = int(workflow["max_sources"])
    key = search_cache_key(workflow["tenant"], workflow["topic"], max_sources)
    entry = CACHE.get(key)
    if entry:
        try:
            ids = _reuse_cached_sources(entry, task)
        except ArtifactMissing as missing:
            logger.warning("search cache entry points at missing artifacts", extra={"error": str(missing)})
        else:
            record_cache_hit()
            logger.info("search cache hit", extra={"origin": entry["origin_workflow_id"]})
            return _search_result(task.workflow_id, ids, cache_hit=True)

    reply = call_agent(task, roles.search_request(workflow["topic"], max_sources, task.session_id))
    sources = roles.parse_sources(reply.text, max_sources)
    if RUNTIME == "converse" or task.fallback:  # Agents Classic runs its tools out of sight
        returned = tools.returned_uris(reply.tool_calls)
        ungrounded = [s.uri for s in sources if s.uri not in returned]
        if ungrounded:
            logger.warning("sources no tool returned were dropped", extra={"uris": ungrounded[:20], "count": len(ungrounded)})
            sources = roles.renumber([s for s in sources if s.uri in returned])
    bodies = {artifacts.source_key(task.workflow_id, s.id): s.as_dict() for s in sources}
    keys = ARTIFACTS.put_json_many(bodies)
    index = {
        "workflow_id": task.workflow_id,
        "topic": workflow["topic"],
        "generated_by": reply.generated_by,
        "sources": [{"id": s.id, "title": s.title, "uri": s.uri} for s in sources],
    }
    keys.append(ARTIFACTS.put_json(artifacts.sources_index_key(task.workflow_id), index))
    STORE.add_artifacts(task.workflow_id, keys, kind="source")
    ids = [s.id for s in sources]
    if ids:
        CACHE.put(key, task.workflow_id, ids)
    return _search_result(task.workflow_id, ids, cache_hit=False)


def run_summary(task: AgentTask) -> dict[str, Any]:
    assert task.source_id is not None
    source = ARTIFACTS.get_json(artifacts.source_key(task.workflow_id, task.source_id))
    request = roles.summary_request(task.workflow["topic"], source, task.session_id)
    reply = call_agent(task, request)
    summary = roles.parse_summary(reply.text, source)
    summary.update(generated_by=reply.generated_by, fallback=task.fallback)
    key = ARTIFACTS.put_json(artifacts.summary_key(task.workflow_id, task.source_id), summary)
    STORE.add_artifacts(task.workflow_id, [key], kind="summary")
    return {"source_id": task.source_id, "summary_key": key}


def run_writer(task: AgentTask) -> dict[str, Any]:
    index = ARTIFACTS.get_json(artifacts.sources_index_key(task.workflow_id))
    ids = [source["id"] for source in index["sources"]]
    if not ids:
        raise TooManySourceFailures("the source index is empty; nothing to write from")
    found = ARTIFACTS.get_json_many([artifacts.summary_key(task.workflow_id, i) for i in ids])
    summaries = [found[artifacts.summary_key(task.workflow_id, i)] for i in ids]
    failed = [i for i, summary in zip(ids, summaries, strict=True) if summary is None]
    summaries = [summary for summary in summaries if summary is not None]
    failed_share = 100.0 * len(failed) / len(ids)
    if failed_share > TOLERATED_FAILURE_PERCENTAGE:
        raise TooManySourceFailures(
            f"{len(failed)} of {len(ids)} sources have no summary ({failed_share:.1f}% > "
            f"tolerated {TOLERATED_FAILURE_PERCENTAGE:g}%)"
        )
    request = roles.writer_request(task.workflow["topic"], summaries, failed, task.session_id)
    reply = call_agent(task, request)
    markdown, dropped = roles.parse_markdown(reply.text, "writer", known_ids=set(ids))
    if dropped:
        logger.warning("writer cited unknown sources; citations removed", extra={"dropped": dropped})
    key = ARTIFACTS.put_text(artifacts.draft_key(task.workflow_id, 1), markdown)
    STORE.add_artifacts(task.workflow_id, [key], kind="draft")
    return {"draft_key": key, "version": 1, "summarized": len(summaries), "failed_sources": len(failed)}


def blocking_findings(task: AgentTask) -> list[review.Finding]:
    """The pre-review's blocking findings on the current draft, read from the checks' own files
    (only files of this workflow and version: the payload's keys are checked, not trusted)."""
    assert task.draft is not None
    found: list[review.Finding] = []
    for check in review.CHECKS:
        result = (task.review or {}).get(check)
        if not isinstance(result, dict) or result.get("status") != "completed" or not result.get("blocking"):
            continue
        expected = artifacts.review_key(task.workflow_id, int(task.draft["version"]), check)
        if result.get("findings_key") != expected:
            raise InvalidInput(f"review.{check}.findings_key does not belong to this workflow and draft version")
        findings = ARTIFACTS.get_json(expected)["findings"]
        found += [f for f in map(review.Finding.from_dict, findings) if f.severity == review.BLOCKING]
    return found


def run_reviser(task: AgentTask) -> dict[str, Any]:
    assert task.draft is not None and task.approval is not None
    current = ARTIFACTS.get_text(task.draft["draft_key"])
    version = int(task.draft["version"]) + 1
    comments = roles.split_comments(task.approval.get("comments")) + review.revision_comments(blocking_findings(task))
    request = roles.reviser_request(task.workflow["topic"], current, comments, version, task.session_id)
    reply = call_agent(task, request)
    markdown, _ = roles.parse_markdown(reply.text, "reviser")
    key = ARTIFACTS.put_text(artifacts.draft_key(task.workflow_id, version), markdown)
    STORE.add_artifacts(task.workflow_id, [key], kind="draft")
    try:
        STORE.update_workflow(task.workflow_id, task.execution_arn, revision=version - 1)
    except NotFound:
        logger.warning("workflow record not found for this execution; revision not recorded")
    return {
        "draft_key": key,
        "version": version,
        "summarized": task.draft.get("summarized", 0),
        "failed_sources": task.draft.get("failed_sources", 0),
    }


def run_compliance(task: AgentTask) -> dict[str, Any]:
    assert task.draft is not None
    version = int(task.draft["version"])
    draft = ARTIFACTS.get_text(task.draft["draft_key"])
    reply = call_agent(task, roles.compliance_request(task.workflow["topic"], POLICY, draft, version, task.session_id))
    findings, dropped = review.parse_findings(reply.text, POLICY_RULES, draft)
    if dropped:
        logger.warning(
            "findings that name no policy rule or quote no text of the draft were dropped", extra={"dropped": dropped[:20]}
        )
    key = artifacts.review_key(task.workflow_id, version, "compliance")
    ARTIFACTS.put_json(
        key,
        review.findings_document(task.workflow_id, version, "compliance", task.draft["draft_key"], reply.generated_by, findings),
    )
    STORE.add_artifacts(task.workflow_id, [key], kind="review")
    result = review.check_result("compliance", key, findings)
    record_findings(result)
    return result


ROLE_RUNNERS = {
    "search": run_search,
    "summary": run_summary,
    "writer": run_writer,
    "reviser": run_reviser,
    "compliance": run_compliance,
}


@idempotent_function(data_keyword_argument="payload", persistence_store=IDEMPOTENCY_STORE, config=IDEMPOTENCY)
def _run_once(payload: dict[str, Any]) -> dict[str, Any]:
    return ROLE_RUNNERS[ROLE](AgentTask.parse(payload, ROLE))


def handle(payload: dict[str, Any]) -> dict[str, Any]:
    """Validate the payload, then run this function's role at most once per idempotency key."""
    task = AgentTask.parse(payload, ROLE)
    start_invocation(ENVIRONMENT, ROLE, task.execution_arn, task.workflow_id)
    return _run_once(payload=payload)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    IDEMPOTENCY.register_lambda_context(context)
    return handle(event)
