"""The offline workflow: moto as the account, the same definition, the same handlers, in-process.

    with OfflineWorkflow(env="pilot") as workflow:
        result = workflow.run(topic="...", approve="auto")

Deploy happens once on enter; each `run` is one execution, so a second run can hit the search
cache the first one filled.
"""

from __future__ import annotations

import json
import os
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from scripts import cost_estimate, hcl
from scripts.offline import history, interpreter, timeline
from scripts.offline.approvals import Reviewer, answer_mocked_callback, serve_links
from scripts.offline.embedded_aws import ACCOUNT, REGION, Deployment, EmbeddedAws
from scripts.offline.lambdas import InProcessLambdas
from scripts.offline.mock_config import TestCase

REPO_ROOT = hcl.REPO_ROOT
DEFAULT_CORPUS = REPO_ROOT / "corpus"
DEFAULT_DIST = REPO_ROOT / "dist"
TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
DEFAULT_RUN_TIMEOUT_S = 600.0


class RunTimedOut(RuntimeError):
    """The execution did not finish within the run's deadline (the execution is stopped)."""


class RunInputError(ValueError):
    """Bad options for a run (unknown env, missing corpus, ...): reported as one line, exit 2."""


@dataclass
class RunResult:
    execution_arn: str
    summary: dict[str, Any]
    history: list[dict[str, Any]]
    report: str | None
    timeline_html: str
    invocations: list[Any] = field(default_factory=list)


def check_corpus(corpus: Path) -> Path:
    if not corpus.is_dir():
        raise RunInputError(f"corpus directory not found: {corpus}")
    if not any(p.suffix in (".md", ".txt") for p in corpus.rglob("*")):
        raise RunInputError(f"corpus directory {corpus} holds no .md or .txt files")
    return corpus.resolve()


class OfflineWorkflow:
    def __init__(
        self,
        env: str = "pilot",
        corpus: Path = DEFAULT_CORPUS,
        dist: Path = DEFAULT_DIST,
        work_dir: Path | None = None,
        scale: float = 0.0,
    ) -> None:
        try:
            hcl.environment_values(env)
        except hcl.UnknownEnvironment as error:
            raise RunInputError(str(error)) from None
        self.env = env
        self.corpus = check_corpus(corpus)
        self.dist = dist
        self.work_dir = work_dir or (REPO_ROOT / "out" / ".offline")
        self.scale = scale
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self.deployment: Deployment | None = None
        self.lambdas: InProcessLambdas | None = None

    def __enter__(self) -> OfflineWorkflow:
        # Handlers that emit no metric on a path (on_failure, say) make Powertools warn; on AWS that
        # goes to the function's log, here it would clutter the terminal.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        # Pinned for the whole run: moto's threads read them while functions run, so they must not
        # come and go with each invocation's environment.
        self._saved_region = {name: os.environ.get(name) for name in ("AWS_REGION", "AWS_DEFAULT_REGION")}
        os.environ.update({"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION})
        self._mock.start()
        try:
            interpreter.apply(self.scale)
            self.lambdas = InProcessLambdas(self.work_dir / "lambda", REGION)
            self.deployment = EmbeddedAws(self.env, self.dist, self.work_dir, self.corpus).deploy(self.lambdas)
            self.lambdas.on_mocked_callback = answer_mocked_callback(REGION, ACCOUNT)
            self.lambdas.install()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.lambdas:
            self.lambdas.uninstall()
        self._mock.stop()
        for name, value in self._saved_region.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def client(self, service: str):
        return boto3.client(service, region_name=REGION)

    def run(
        self,
        topic: str,
        approve: str = "auto",
        tenant: str = "demo",
        requested_by: str = "analyst@example.com",
        max_sources: int | None = None,
        workflow_id: str | None = None,
        test_case: TestCase | None = None,
        execution_input: dict[str, Any] | None = None,
        serve_port: int | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        on_links: Callable[[dict[str, str]], None] | None = None,
        timeout_s: float = DEFAULT_RUN_TIMEOUT_S,
    ) -> RunResult:
        assert self.deployment and self.lambdas, "use OfflineWorkflow as a context manager"
        deployment, sfn = self.deployment, self.client("stepfunctions")
        workflow_id = workflow_id or f"wf-{uuid.uuid4().hex[:12]}"
        if execution_input is None:
            execution_input = {"topic": topic, "tenant": tenant, "requested_by": requested_by, "workflow_id": workflow_id}
            if max_sources is not None:
                execution_input["max_sources"] = max_sources
        self.lambdas.test_case = test_case
        first_invocation = len(self.lambdas.invocations)
        lambdas = self.lambdas

        heartbeat = "HeartbeatSeconds" in deployment.definition["States"]["RequestApproval"]

        def approval_task_waiting() -> bool:
            token = lambdas.callback_tokens[-1] if lambdas.callback_tokens else None
            return token is not None and interpreter.callback_ready(token, REGION, ACCOUNT, heartbeat)

        reviewer = Reviewer(
            approve,
            deployment.approval_queue_url,
            deployment.functions["approval_callback"].name,
            REGION,
            on_links,
            ready=approval_task_waiting,
        )
        server = serve_links(reviewer, port=serve_port) if serve_port else None
        reviewer.start()
        try:
            # The client's request, as on AWS; the bus rule's StartExecution target is not
            # available in moto, so the runner starts the execution itself, named as the API path names it.
            self.client("events").put_events(
                Entries=[
                    {
                        "Source": "research-report",
                        "DetailType": "WorkflowRequested",
                        "Detail": json.dumps(execution_input),
                        "EventBusName": deployment.event_bus_name,
                    }
                ]
            )
            name = f"{tenant}-{workflow_id}"[:80]
            execution_arn = sfn.start_execution(
                stateMachineArn=deployment.state_machine_arn, name=name, input=json.dumps(execution_input)
            )["executionArn"]
            described = self._wait(sfn, execution_arn, on_event, time.monotonic() + timeout_s)
        finally:
            reviewer.stop()
            if server:
                server.shutdown()
        events = history.fetch_history(sfn, execution_arn)
        invocations = self.lambdas.invocations[first_invocation:]
        summary = self._summary(described, events, workflow_id, invocations, reviewer)
        report = self._published_report(summary)
        spans = history.spans(events, timeline.map_inner_states(deployment.definition))
        page = timeline.render(
            spans,
            summary,
            timeline.state_types(deployment.definition),
            described["startDate"],
            described.get("stopDate") or described["startDate"],
        )
        return RunResult(execution_arn, summary, events, report, page, invocations)

    def _wait(
        self, sfn, execution_arn: str, on_event: Callable[[dict[str, Any]], None] | None, deadline: float
    ) -> dict[str, Any]:
        seen = 0
        while True:
            if time.monotonic() > deadline:
                sfn.stop_execution(executionArn=execution_arn, error="LocalRunTimeout", cause="the local run's deadline passed")
                raise RunTimedOut(f"{execution_arn} did not finish in time; is something waiting for an approval?")
            described = sfn.describe_execution(executionArn=execution_arn)
            if on_event:
                events = history.fetch_history(sfn, execution_arn)
                for event in events[seen:]:
                    on_event(event)
                seen = len(events)
            if described["status"] in TERMINAL:
                if on_event:
                    for event in history.fetch_history(sfn, execution_arn)[seen:]:
                        on_event(event)
                return described
            time.sleep(0.05 if on_event else 0.01)

    def _summary(
        self,
        described: dict[str, Any],
        events: list[dict[str, Any]],
        workflow_id: str,
        invocations: list[Any],
        reviewer: Reviewer,
    ) -> dict[str, Any]:
        deployment = self.deployment
        assert deployment
        search = history.state_output(events, "Search") or history.state_output(events, "SearchFallback") or {}
        stop = described.get("stopDate") or described["startDate"]
        summary = {
            "status": described["status"],
            "end_state": history.end_state(events, deployment.definition["States"]),
            "error": described.get("error"),
            "workflow_id": workflow_id,
            "execution_arn": described["executionArn"],
            "env": self.env,
            "duration_s": round((stop - described["startDate"]).total_seconds(), 3),
            "state_transitions": history.state_transitions(events),
            "max_payload_bytes": max(history.payload_sizes(events), default=0),
            "retries": history.retries(events),
            "revisions": history.exited(events, "Revise", "ReviseFallback"),
            "fallbacks": history.entered(
                events, *[n for n in timeline.state_types(deployment.definition) if n.endswith("Fallback")]
            ),
            "approvals_requested": history.entered(events, "RequestApproval"),
            "map_items": sum(1 for e in events if e["type"] == "MapIterationStarted"),
            "map_failures": history.entered(events, "SourceFailed"),
            "cache_hits": int(bool(search.get("search", {}).get("cache_hit"))),
            "agent_invocations": _agent_invocations(invocations, deployment),
            "reviewer_decisions": [d.decision for d in reviewer.decisions],
            "reviewer_http_statuses": [d.status for d in reviewer.decisions],
            "events": self._bus_events(),
            "artifacts": self._artifacts(workflow_id),
        }
        summary["effectiveness"] = effectiveness(self.env, summary, self.lambdas.emf_metrics(invocations))
        return summary

    def _bus_events(self) -> list[str]:
        sqs, names = self.client("sqs"), []
        while True:
            messages = sqs.receive_message(QueueUrl=self.deployment.event_tap_queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return names
            for message in messages:
                names.append(json.loads(message["Body"])["detail-type"])
                sqs.delete_message(QueueUrl=self.deployment.event_tap_queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _artifacts(self, workflow_id: str) -> list[str]:
        s3, keys = self.client("s3"), []
        for prefix in (f"{workflow_id}/", f"published/{workflow_id}/"):
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.deployment.bucket, Prefix=prefix):
                keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def _published_report(self, summary: dict[str, Any]) -> str | None:
        key = f"published/{summary['workflow_id']}/report.md"
        if key not in summary["artifacts"]:
            return None
        return self.client("s3").get_object(Bucket=self.deployment.bucket, Key=key)["Body"].read().decode("utf-8")


def effectiveness(env: str, summary: dict[str, Any], emf_documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The seed's four effectiveness metrics for this run, from the same EMF metrics CloudWatch gets:
    completion time, agent utilisation per role, retries, and the cost model's price of this
    execution (its real state transitions and tokens)."""
    roles: dict[str, dict[str, float]] = {}
    agent_retries = 0
    for document in emf_documents:
        role = document.get("role")
        if role is None or "AgentInvocations" not in document:
            continue
        entry = roles.setdefault(role, {"invocations": 0, "latency_ms": 0.0, "input": 0, "output": 0})
        entry["invocations"] += _metric_sum(document, "AgentInvocations")
        entry["latency_ms"] += _metric_sum(document, "AgentLatencyMs")
        entry["input"] += _metric_sum(document, "InputTokens")
        entry["output"] += _metric_sum(document, "OutputTokens")
        agent_retries += _metric_sum(document, "AgentRetries")
    tokens = {role: {"input": e["input"], "output": e["output"]} for role, e in roles.items()}
    return {
        "completion_time_s": summary["duration_s"],
        "agent_utilisation": {
            role: {
                "invocations": int(e["invocations"]),
                "avg_latency_ms": round(e["latency_ms"] / e["invocations"], 1) if e["invocations"] else 0.0,
                "input_tokens": int(e["input"]),
                "output_tokens": int(e["output"]),
            }
            for role, e in sorted(roles.items())
        },
        "retries": {"task_retries": summary["retries"], "agent_retries": int(agent_retries)},
        "cost_per_execution_usd": cost_estimate.execution_cost(env, summary["state_transitions"], tokens),
    }


def _metric_sum(document: dict[str, Any], name: str) -> float:
    value = document.get(name, 0)
    return float(sum(value)) if isinstance(value, list) else float(value)


def _agent_invocations(invocations: list[Any], deployment: Deployment) -> dict[str, dict[str, Any]]:
    """Per function: calls, errors and handler time — the local view of agent utilisation."""
    by_name = {spec.name: key for key, spec in deployment.functions.items()}
    result: dict[str, dict[str, Any]] = {}
    for invocation in invocations:
        key = by_name.get(invocation.function, invocation.function)
        entry = result.setdefault(key, {"calls": 0, "errors": 0, "mocked": 0, "busy_s": 0.0})
        entry["calls"] += 1
        entry["errors"] += int(invocation.error is not None)
        entry["mocked"] += int(invocation.mocked)
        entry["busy_s"] = round(entry["busy_s"] + invocation.duration_s, 4)
    return dict(sorted(result.items()))
