"""The offline workflow: Terraform deploys the stack into the embedded account, and runs go
through it exactly as they would through AWS.

    with OfflineWorkflow(env="pilot") as workflow:
        result = workflow.run(topic="...", approve="auto")

On enter: connect to the account `make up` keeps running (or start one for this workflow), and
`terraform apply -var-file envs/<env>.tfvars` into it (skipped when nothing changed since the last
apply into that account). Everything the runner knows about the deployment comes from
`terraform output -json` and from the account's APIs. Each `run` is one execution: a client
request is put on the event bus and the rule Terraform created starts it (or, for a fault-
injection test case, StartExecution with `<arn>#<TestCase>` as in Step Functions Local).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scripts import cost_estimate
from scripts.offline import account as accounts
from scripts.offline import history, timeline
from scripts.offline.approvals import Reviewer, serve_links
from scripts.offline.deploy import REVIEWER_EMAIL, StackDeployer
from scripts.offline.mock_config import MockConfigError, check_against_definition, test_case_from_document, test_case_names
from scripts.offline.model_faults import test_case_names as model_faults_case_names
from scripts.seed_signing_secret import new_signing_key

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT / "corpus"
DEFAULT_DIST = REPO_ROOT / "dist"
DEFAULT_WORK_DIR = REPO_ROOT / "out" / "offline"
TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
DEFAULT_RUN_TIMEOUT_S = 600.0
QUEUE_DRAIN_TIMEOUT_S = 120.0  # the library's queued upload events, after its index is complete
EVENT_SOURCE = "research-report"
# The error a run's deadline stops its execution with (`--deadline`): the summary says where it waited.
DEADLINE_ERROR = "LocalRunDeadline"


class RunInputError(ValueError):
    """Bad options for a run (unknown env, missing corpus, ...): reported as one line, exit 2."""


@dataclass
class RunResult:
    execution_arn: str
    summary: dict[str, Any]
    history: list[dict[str, Any]]
    report: str | None
    timeline_html: str
    invocations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Deployment:
    """What the runner uses of a deployment: Terraform's outputs and what the account reports."""

    env: str
    outputs: dict[str, Any]
    definition: dict[str, Any]
    region: str
    account_id: str

    @property
    def state_machine_arn(self) -> str:
        return self.outputs["state_machine_arn"]

    @property
    def bucket(self) -> str:
        return self.outputs["artifact_bucket_name"]

    @property
    def event_bus_name(self) -> str:
        return self.outputs["event_bus_name"]

    @property
    def functions(self) -> dict[str, str]:
        """Function key -> deployed function name."""
        return self.outputs["function_names"]


def known_environments() -> list[str]:
    return sorted(path.stem for path in (REPO_ROOT / "envs").glob("*.tfvars"))


def check_environment(env: str) -> str:
    if env not in known_environments():
        raise RunInputError(f"unknown environment {env!r} (known: {', '.join(known_environments())})")
    return env


def check_test_case_known(test_case: str, mock_config: dict[str, Any] | None, model_faults: dict[str, Any] | None) -> None:
    """A test case must be in the mock config, the model faults, or both."""
    known = set(test_case_names(mock_config) if mock_config else []) | set(model_faults_case_names(model_faults))
    if test_case not in known:
        raise RunInputError(f"no test case {test_case!r} in the fault files (known: {', '.join(sorted(known)) or 'none'})")


def check_corpus(corpus: Path) -> Path:
    """The folder --corpus names: the documents the deployment's library will hold."""
    from scripts.library import LibraryError, folder_documents, unreadable_documents

    try:
        documents = folder_documents(corpus)
    except LibraryError as error:
        raise RunInputError(f"corpus: {error}") from None
    unreadable = unreadable_documents(documents)
    if len(unreadable) == len(documents):  # the library would be empty: every run would end NoSources
        first, reason = next(iter(unreadable.items()))
        raise RunInputError(f"corpus: none of the {len(documents)} document(s) in {corpus} can be indexed ({first}: {reason})")
    return corpus.resolve()


class OfflineWorkflow:
    def __init__(
        self,
        env: str = "pilot",
        corpus: Path = DEFAULT_CORPUS,
        dist: Path = DEFAULT_DIST,
        work_dir: Path | None = None,
        scale: float = 0.0,
        account: accounts.AccountClient | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.env = check_environment(env)
        self.corpus = check_corpus(corpus)
        self.dist = dist
        self.work_dir = work_dir or DEFAULT_WORK_DIR
        self.scale = scale
        self.progress = progress
        self.account = account
        self._owns_account = False
        self._clients: dict[str, Any] = {}
        self._marks: dict[str, int] = {}  # log -> how many entries it had when last read
        self.deployment: Deployment | None = None

    # -- deploy ---------------------------------------------------------------------------------
    def __enter__(self) -> OfflineWorkflow:
        missing = [p.name for p in (self.dist,) if not any(p.glob("*.zip"))]
        if missing:
            raise RunInputError(f"no Lambda zips in {self.dist}: run `make package`")
        try:
            if self.account is None:
                self.account = accounts.connect(self.work_dir / "account")
            if self.account is None:
                self._say("starting the embedded AWS account")
                self.account = accounts.start(self.work_dir / "account", self.scale)
                self._owns_account = True
            self.account.control("PUT", "time-scale", self.scale)
            outputs = self.deployer().apply(self._say)
            self._seed_signing_secret(outputs["approval_signing_secret_arn"])
            # Agents Classic agents this deployment calls exist in the account's Bedrock (its models
            # are Bedrock's own); which Converse model is a role's fallback selects "Fallback" faults;
            # the account has the Bedrock quotas the environment is sized for, as Service Quotas would
            # (times the account's factor for them: 1 unless several test workers share it).
            factor = self.account.control("GET", "bedrock")["sized_quota_factor"]
            self.account.control(
                "PUT",
                "bedrock",
                {
                    "agents": outputs["bedrock_agents"],
                    "fallback_models": outputs["fallback_model_ids"],
                    "quotas": scaled_quotas(outputs["bedrock_quotas"], factor),
                },
            )
            self._fill_library(outputs["document_library_bucket"])
            definition = json.loads(
                self.client("stepfunctions").describe_state_machine(stateMachineArn=outputs["state_machine_arn"])["definition"]
            )
            self.deployment = Deployment(self.env, outputs, definition, self.account.region, self.account.account_id)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._owns_account and self.account is not None:
            self.account.close()

    def deployer(self, variables: dict[str, Any] | None = None) -> StackDeployer:
        """Terraform for this environment in this workflow's account (its state lives in the work
        folder); `variables` as `-var` on top of the environment's tfvars."""
        assert self.account is not None
        work_dir = self.work_dir / "deployments" / f"{self.account.id[:12]}-{self.env}"
        return StackDeployer(self.account, self.env, work_dir=work_dir, variables=variables)

    def _say(self, message: str) -> None:
        if self.progress:
            self.progress(message)

    def _fill_library(self, bucket: str) -> None:
        """--corpus means "these documents are in the library": the same path a user takes
        (PutObject -> S3 event -> EventBridge -> document_indexer -> index), then wait for the index."""
        from scripts.library import LibraryError, sync, wait_until_indexed

        s3 = self.client("s3")
        result = sync(s3, bucket, self.corpus, delete=True)
        self._say(f"library: {len(result.uploaded)} uploaded, {len(result.unchanged)} unchanged, {len(result.deleted)} deleted")
        try:
            manifest = wait_until_indexed(s3, bucket, result.keys)
        except LibraryError as error:
            raise RunInputError(str(error)) from None
        for key, entry in sorted(manifest.items()):
            if "skipped" in entry:
                self._say(f"library: not indexed: {key}: {entry['skipped']}")
        # Upload events still queued re-index the same documents: let them finish before a run, so
        # their requests are not counted in it.
        deadline = time.monotonic() + QUEUE_DRAIN_TIMEOUT_S
        while (queued := self.account.control("GET", "status").get("queued_async_invokes")) and time.monotonic() < deadline:
            time.sleep(0.1)
        if queued:
            self._say(f"library: {queued} upload event(s) still queued for the indexer after {QUEUE_DRAIN_TIMEOUT_S:.0f} s")

    def _seed_signing_secret(self, secret_arn: str) -> None:
        """As the README tells a user to after the first apply: the secret is created empty."""
        secrets = self.client("secretsmanager")
        try:
            secrets.get_secret_value(SecretId=secret_arn)
        except secrets.exceptions.ResourceNotFoundException:
            secrets.put_secret_value(SecretId=secret_arn, SecretString=new_signing_key())

    def client(self, service: str):
        """One client per service for this workflow's account: a new one reads botocore's service
        model and endpoint data again (0.1-0.2 s each, five a run), and clients are thread-safe."""
        assert self.account is not None
        if service not in self._clients:
            self._clients[service] = self.account.client(service)
        return self._clients[service]

    def _check_test_case(self, test_case: str, mock_config: dict[str, Any] | None, model_faults: dict[str, Any] | None) -> None:
        """Before anything starts: a case that is in neither file, or that the deployed workflow
        cannot run as written, is bad input."""
        check_test_case_known(test_case, mock_config, model_faults)
        try:
            if mock_config is not None and test_case in test_case_names(mock_config):
                check_against_definition(
                    test_case_from_document(mock_config, test_case, self._machine_name()), self.deployment.definition
                )
        except MockConfigError as error:
            raise RunInputError(str(error)) from None

    # -- one execution ----------------------------------------------------------------------------
    def run(
        self,
        topic: str,
        approve: str = "auto",
        tenant: str = "demo",
        requested_by: str = "analyst@example.com",
        max_sources: int | None = None,
        workflow_id: str | None = None,
        test_case: str | None = None,
        mock_config: dict[str, Any] | None = None,
        model_faults: dict[str, Any] | None = None,
        execution_input: dict[str, Any] | None = None,
        serve_port: int | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        on_links: Callable[[dict[str, str]], None] | None = None,
        timeout_s: float = DEFAULT_RUN_TIMEOUT_S,
    ) -> RunResult:
        assert self.deployment and self.account, "use OfflineWorkflow as a context manager"
        deployment, sfn = self.deployment, self.client("stepfunctions")
        workflow_id = workflow_id or f"wf-{uuid.uuid4().hex[:12]}"
        if execution_input is None:
            execution_input = {"topic": topic, "tenant": tenant, "requested_by": requested_by, "workflow_id": workflow_id}
            if max_sources is not None:
                execution_input["max_sources"] = max_sources
        marks = {name: self._mark(name) for name in ("invocations", "bus_events", "mailbox")}
        reviewer = Reviewer(
            approve,
            self.account,
            REVIEWER_EMAIL,
            deployment.outputs["approval_topic_arn"],
            deployment.outputs["approval_callback_url"],
            on_links,
            workflow_id=execution_input.get("workflow_id"),
        )
        reviewer.start(since=marks["mailbox"])
        server = serve_links(reviewer, port=serve_port) if serve_port else None
        if test_case is not None:
            self._check_test_case(test_case, mock_config, model_faults)
        try:
            if test_case is not None:
                if mock_config is not None:
                    self.account.control("PUT", "mock-config", mock_config)
                if model_faults is not None:
                    self.account.control("PUT", "model-faults", model_faults)
                execution_arn = sfn.start_execution(
                    stateMachineArn=f"{deployment.state_machine_arn}#{test_case}",
                    name=f"{execution_input.get('tenant', tenant)}-{workflow_id}"[:80],
                    input=json.dumps(execution_input),
                )["executionArn"]
            else:
                execution_arn = self._request_through_the_bus(execution_input)
            described = self._wait(sfn, execution_arn, on_event, time.monotonic() + timeout_s, reviewer)
        finally:
            reviewer.stop()
            if server:
                server.shutdown()
        events = history.fetch_history(sfn, execution_arn)
        # Only this execution's: other executions (another test, a second terminal) may run in the
        # same account meanwhile.
        since_mark = self.account.control("GET", f"invocations?since={marks['invocations']}")
        invocations = [invocation for invocation in since_mark if invocation["execution_arn"] == execution_arn]
        bus_events = self.account.control("GET", f"bus_events?since={marks['bus_events']}")
        self._marks.update(invocations=marks["invocations"] + len(since_mark), bus_events=marks["bus_events"] + len(bus_events))
        summary = self._summary(
            described,
            events,
            execution_input.get("workflow_id") or reviewer.workflow_id or workflow_id,
            invocations,
            bus_events,
            reviewer,
        )
        report = self._published_report(summary)
        spans = history.spans(events, timeline.map_inner_states(deployment.definition))
        page = timeline.render(
            spans,
            summary,
            timeline.state_types(deployment.definition),
            described["startDate"],
            described.get("stopDate") or described["startDate"],
            branches=timeline.parallel_branches(deployment.definition),
        )
        return RunResult(execution_arn, summary, events, report, page, invocations)

    def _mark(self, log: str) -> int:
        """How long one of the account's append-only logs is now, reading only what was appended
        since this workflow last looked (reading all of it made each run slower than the last)."""
        assert self.account is not None
        known = self._marks.get(log, 0)
        known += len(self.account.control("GET", f"{log}?since={known}"))
        self._marks[log] = known
        return known

    def _machine_name(self) -> str:
        assert self.deployment is not None
        return self.deployment.state_machine_arn.rsplit(":", 1)[-1]

    def _request_through_the_bus(self, execution_input: dict[str, Any]) -> str:
        """Put WorkflowRequested on the bus, as a client does; the rule Terraform created starts the
        execution (with a name AWS generates), found here by its input."""
        assert self.deployment is not None
        events, sfn = self.client("events"), self.client("stepfunctions")
        known = {e["executionArn"] for e in _executions(sfn, self.deployment.state_machine_arn)}
        answer = events.put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": "WorkflowRequested",
                    "Detail": json.dumps(execution_input),
                    "EventBusName": self.deployment.event_bus_name,
                }
            ]
        )
        if answer.get("FailedEntryCount"):
            raise RuntimeError(f"the bus refused WorkflowRequested: {answer['Entries']}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for execution in _executions(sfn, self.deployment.state_machine_arn):
                if execution["executionArn"] in known:
                    continue
                described = sfn.describe_execution(executionArn=execution["executionArn"])
                if json.loads(described.get("input") or "{}") == execution_input:
                    return execution["executionArn"]
            time.sleep(0.02)
        raise RuntimeError("WorkflowRequested was accepted but no execution started (see the events DLQ)")

    def _wait(self, sfn, execution_arn: str, on_event, deadline: float, reviewer: Reviewer) -> dict[str, Any]:
        """The execution once it ended; past the run's deadline it is stopped (error
        LocalRunDeadline, the state it was in as the cause) and ends ABORTED. An input without a
        workflow id gets one from ValidateInput: the reviewer learns it from the history."""
        seen = 0
        while True:
            if reviewer.workflow_id is None:
                events = history.fetch_history(sfn, execution_arn)
                accepted = history.state_output(events, "ValidateInput")
                if accepted is not None and "workflow" in accepted:
                    reviewer.workflow_id = accepted["workflow"]["workflow_id"]
                elif accepted is not None or history.current_state(events) not in (None, "ValidateInput"):
                    reviewer.workflow_id = ""  # the input was refused: no request will come, stop looking
            if time.monotonic() > deadline:
                waiting_in = history.current_state(history.fetch_history(sfn, execution_arn)) or "its first state"
                sfn.stop_execution(
                    executionArn=execution_arn,
                    error=DEADLINE_ERROR,
                    cause=f"the local run's deadline passed while the execution was in {waiting_in}",
                )
                deadline = float("inf")  # now wait for the stop to land
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
            time.sleep(0.05 if on_event else 0.02)

    # -- what happened ----------------------------------------------------------------------------
    def _summary(
        self,
        described: dict[str, Any],
        events: list[dict[str, Any]],
        workflow_id: str,
        invocations: list[dict[str, Any]],
        bus_events: list[dict[str, Any]],
        reviewer: Reviewer,
    ) -> dict[str, Any]:
        deployment = self.deployment
        assert deployment
        search = history.state_output(events, "Search") or history.state_output(events, "SearchFallback") or {}
        stop = described.get("stopDate") or described["startDate"]
        fallback_states = timeline.fallback_roles(deployment.definition)
        fallbacks = {
            role: history.entered(events, *[name for name, of in fallback_states.items() if of == role])
            for role in sorted(set(fallback_states.values()))
        }
        summary = {
            "status": described["status"],
            "end_state": history.end_state(events, deployment.definition["States"]),
            "error": described.get("error"),
            "cause": described.get("cause"),
            "workflow_id": workflow_id,
            "execution_arn": described["executionArn"],
            "env": self.env,
            "duration_s": round((stop - described["startDate"]).total_seconds(), 3),
            "state_transitions": history.state_transitions(events),
            "max_payload_bytes": max(history.payload_sizes(events), default=0),
            "retries": history.retries(events),
            "revisions": history.exited(events, "Revise", "ReviseFallback"),
            "fallbacks": sum(fallbacks.values()),
            "fallbacks_by_role": fallbacks,
            "approvals_requested": history.entered(events, "RequestApproval"),
            "pre_reviews": pre_reviews(events),
            "automatic_revisions": history.entered(events, "ReviseForFindings"),
            "map_items": sum(1 for e in events if e["type"] == "MapIterationStarted"),
            "map_failures": history.entered(events, "SourceFailed"),
            "cache_hits": int(bool(search.get("search", {}).get("cache_hit"))),
            "agent_invocations": _agent_invocations(invocations, deployment),
            "peak_concurrency": peak_concurrency(invocations, deployment),
            "reviewer_decisions": [d.decision for d in reviewer.decisions],
            "reviewer_http_statuses": [d.status for d in reviewer.decisions],
            "events": [
                e["detail_type"]
                for e in bus_events
                if e["bus"] == deployment.event_bus_name and _about(e, workflow_id, described["executionArn"])
            ],
            "artifacts": self._artifacts(workflow_id),
        }
        decisions = self.account.control("GET", f"authorizations?execution={quote(described['executionArn'], safe='')}")
        summary["authorizations"] = {
            "allowed": sum(d["count"] for d in decisions if d["allowed"]),
            "denied": [f"{d['role']}: {d['action']} on {d['resource']}" for d in decisions if not d["allowed"]],
        }
        emf = emf_documents(invocations)
        summary["tool_calls"] = tool_calls(invocations)
        summary["tool_calls_by_role"] = tool_call_counts(emf)
        summary["tokens"] = run_tokens(emf)
        summary["effectiveness"] = effectiveness(self.env, summary, emf)
        return summary

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


def pre_reviews(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each draft version's pre-review: per check, its status and findings by severity."""
    return [
        {
            "version": state["draft"]["version"],
            **{
                check: {key: result.get(key) for key in ("status", "blocking", "advisory", "error")}
                for check, result in state["review"].items()
            },
        }
        for state in history.state_outputs(events, "PreReview")
    ]


def _executions(sfn, state_machine_arn: str) -> list[dict[str, Any]]:
    return [
        e for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn) for e in page["executions"]
    ]


def _about(event: dict[str, Any], workflow_id: str, execution_arn: str) -> bool:
    detail = event.get("detail") or {}
    return (
        detail.get("execution_arn") == execution_arn
        or detail.get("workflow_id") == workflow_id
        or (detail.get("workflow") or {}).get("workflow_id") == workflow_id
    )


def emf_documents(invocations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every Embedded Metric Format document the handlers printed."""
    documents = []
    for invocation in invocations:
        for line in invocation["log_lines"]:
            if '"_aws"' not in line:
                continue
            try:
                document = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(document, dict) and "_aws" in document:
                documents.append(document)
    return documents


def tool_calls(invocations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The agents' tool calls in the order they ran, from the handlers' "tool call" log lines (INFO):
    role, fallback, tool, arguments, ok, result size and duration."""
    calls = []
    for invocation in sorted(invocations, key=lambda i: i["started"]):
        for line in invocation["log_lines"]:
            if '"tool call"' not in line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("message") == "tool call":
                keys = ("role", "fallback", "tool", "arguments", "ok", "result_chars", "duration_ms", "error")
                calls.append({key: record[key] for key in keys if key in record})
    return calls


def tool_call_counts(emf: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """role -> tool -> {"calls", "errors"}, from the ToolCalls / ToolErrors metrics (any log level)."""
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for document in emf:
        role, tool = document.get("role"), document.get("tool")
        if role is None or tool is None or not ({"ToolCalls", "ToolErrors"} & document.keys()):
            continue  # each metric is a document of its own (record_tool_call)
        entry = counts.setdefault(role, {}).setdefault(tool, {"calls": 0, "errors": 0})
        entry["calls"] += int(_metric_sum(document, "ToolCalls"))
        entry["errors"] += int(_metric_sum(document, "ToolErrors"))
    return {role: dict(sorted(tools.items())) for role, tools in sorted(counts.items())}


def effectiveness(env: str, summary: dict[str, Any], emf: list[dict[str, Any]]) -> dict[str, Any]:
    """The seed's four effectiveness metrics for this run, from the same EMF metrics CloudWatch gets:
    completion time, agent utilisation per role, retries, and the cost model's price of this
    execution (its real state transitions and tokens)."""
    roles: dict[str, dict[str, float]] = {}
    agent_retries = 0
    for document in emf:
        role = document.get("role")
        if role is None or "AgentInvocations" not in document:
            continue
        entry = roles.setdefault(role, {"invocations": 0, "latency_ms": 0.0, "input": 0, "output": 0})
        entry["invocations"] += _metric_sum(document, "AgentInvocations")
        entry["latency_ms"] += _metric_sum(document, "AgentLatencyMs")
        entry["input"] += _metric_sum(document, "InputTokens")
        entry["output"] += _metric_sum(document, "OutputTokens")
        agent_retries += _metric_sum(document, "AgentRetries")
    tokens = run_tokens(emf)
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


def run_tokens(emf: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """Tokens per role and path, as the handlers' metrics report Bedrock's usage: `agent` for the
    role's model, `fallback` for its smaller model (the call's FallbackUsed metric)."""
    tokens: dict[str, dict[str, dict[str, int]]] = {}
    for document in emf:
        role = document.get("role")
        if role is None or "AgentInvocations" not in document:
            continue
        path = "fallback" if _metric_sum(document, "FallbackUsed") else "agent"
        used = tokens.setdefault(role, {}).setdefault(path, {"input": 0, "output": 0})
        used["input"] += int(_metric_sum(document, "InputTokens"))
        used["output"] += int(_metric_sum(document, "OutputTokens"))
    return dict(sorted(tokens.items()))


def _metric_sum(document: dict[str, Any], name: str) -> float:
    value = document.get(name, 0)
    return float(sum(value)) if isinstance(value, list) else float(value)


def scaled_quotas(quotas: dict[str, Any], factor: float) -> dict[str, int]:
    """Bedrock quotas times ``factor``, each still a whole number of tokens >= 1."""
    return {name: max(1, round(value * factor)) for name, value in quotas.items()}


def peak_concurrency(invocations: list[dict[str, Any]], deployment: Deployment) -> dict[str, int]:
    """Per function key: the most invocations of this execution running at the same time (from
    the handler time the account recorded; mocked responses never ran). ``agent_*`` is every
    agent function together: the model calls a run has in flight, which its quota sizing bounds."""
    by_name = {name: key for key, name in deployment.functions.items()}
    edges: dict[str, list[tuple[float, int]]] = {}
    for invocation in invocations:
        if invocation["mocked"]:
            continue
        key = by_name.get(invocation["function"], invocation["function"])
        span = [(invocation["started"], 1), (invocation["started"] + invocation["duration_s"], -1)]
        edges.setdefault(key, []).extend(span)
        if key.startswith("agent_"):
            edges.setdefault("agent_*", []).extend(span)
    peaks = {}
    for key, points in edges.items():
        running = peak = 0
        for _, step in sorted(points):  # at the same instant an end (-1) sorts before a start
            running += step
            peak = max(peak, running)
        peaks[key] = peak
    return dict(sorted(peaks.items()))


def _agent_invocations(invocations: list[dict[str, Any]], deployment: Deployment) -> dict[str, dict[str, Any]]:
    """Per function key: calls, errors, mocked calls and handler time."""
    by_name = {name: key for key, name in deployment.functions.items()}
    result: dict[str, dict[str, Any]] = {}
    for invocation in invocations:
        key = by_name.get(invocation["function"], invocation["function"])
        entry = result.setdefault(key, {"calls": 0, "errors": 0, "mocked": 0, "busy_s": 0.0})
        entry["calls"] += 1
        entry["errors"] += int(invocation["error"] is not None)
        entry["mocked"] += int(invocation["mocked"])
        entry["busy_s"] = round(entry["busy_s"] + invocation["duration_s"], 4)
    return dict(sorted(result.items()))
