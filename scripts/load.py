"""Load test: many workflows at once through one deployment's event bus, under the account's Bedrock
quotas, until every execution has ended; then what happened to them.

  python -m scripts.load --env bu --workflows 50                       # all at once
  python -m scripts.load --env bu --workflows 50 --rate 0.0833 --approve-after 600
                                  # bu's peak, 5 a minute, each approved 10 minutes later: 50 in flight
  python -m scripts.load --env bu --workflows 50 --rate 0.0833 --quota-factor 0.5   # half bu's quotas
  python -m scripts.load --env team --workflows 20 --json

ENV is applied into the embedded account as `make demo` applies it (scripts/offline/runtime.py),
and the account gets the Bedrock quotas the environment is sized for (`bedrock_quotas` in its
tfvars; --quota-factor scales them, as a smaller account would have them). The account's time
scale (--time-scale) stretches every wait Step Functions makes, its retries' back-off, each
Bedrock quota's minute and RATE's seconds alike: at the default 0.25 an account minute is 15 s of
wall time, and this 2-core machine still keeps up with bu's peak of 5 workflows a minute. Lambda
and the model run at the machine's speed (a summary in tens of milliseconds, where Bedrock takes
seconds); times are printed in wall seconds and in the account's seconds (wall / scale). Before
the load the sandboxes it needs are started (POST /_offline/warm; --cold skips it): two cores
start a burst of cold sandboxes one after another, Lambda starts them side by side.

The N WorkflowRequested events go on the bus as a client puts them (PutEvents, ten at a time, or
one every 1/RATE s of the account's time); the rule Terraform created starts each execution. Every
approval request is approved through its signed link, as the scripted reviewer of `make demo`
does (the env's approval endpoint throttle applies), at once or --approve-after seconds later.
Then it prints the end states (published, failed, other), the
completion times (p50, p95, max), Step Functions retries, Bedrock throttles (what the account's
quotas refused), Lambda throttles (TooManyRequestsException the tasks met), fallbacks and how
many throttling caused, the events' dead-letter queue depth, and events lost: every event the
bus accepted must have started exactly one execution. Exit status 1 if one was lost or an
execution did not end in a named state.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.offline import history, timeline
from scripts.offline.approvals import Reviewer, links_in
from scripts.offline.deploy import REVIEWER_EMAIL
from scripts.offline.runtime import (
    DEFAULT_CORPUS,
    DEFAULT_DIST,
    EVENT_SOURCE,
    TERMINAL,
    OfflineWorkflow,
    RunInputError,
    scaled_quotas,
)

TOPIC = "How do Step Functions and Bedrock Agents share work in a research workflow?"
PUT_EVENTS_BATCH = 10  # PutEvents takes at most ten entries
POLL_S = 0.5
DEFAULT_TIME_SCALE = 0.25
DEFAULT_TIMEOUT_S = 1800.0
THROTTLING_ERRORS = ("AgentThrottled", "Lambda.TooManyRequestsException")
_WORKFLOW_IN_REQUEST = re.compile(r"\(workflow ([A-Za-z0-9._-]+),")
_FUNCTION_NAME = re.compile(r":function:([^:]+)")
MAP_UNBOUNDED = 40  # a Map without MaxConcurrency: Step Functions runs up to 40 inline iterations at once


@dataclass
class Request:
    """One WorkflowRequested event as the client put it."""

    workflow_id: str
    detail: dict[str, Any]
    put_at: float | None = None  # wall clock (time.time) when the bus answered
    refused: str | None = None  # the bus's ErrorCode for this entry


@dataclass
class Execution:
    arn: str
    workflow_id: str | None
    status: str
    stop: float | None = None


class Approver:
    """Approves the approval request of each of the load's workflows through its signed link, one
    at a time (a person's clicks; the approval endpoint's throttle answers a burst with 429),
    `after_s` wall seconds after the request arrived (a reviewer who reads it later)."""

    def __init__(self, workflow: OfflineWorkflow, workflow_ids: set[str], after_s: float = 0.0) -> None:
        outputs = workflow.deployment.outputs
        self.reviewer = Reviewer(
            "auto", workflow.account, REVIEWER_EMAIL, outputs["approval_topic_arn"], outputs["approval_callback_url"]
        )
        self.account, self.topic, self.workflow_ids = workflow.account, outputs["approval_topic_arn"], workflow_ids
        self.after_s = after_s
        self.since = len(workflow.account.control("GET", "mailbox?since=0"))
        self._due: list[tuple[float, str]] = []  # (when to click, the approve link), oldest first
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-approver", daemon=True)

    def __enter__(self) -> Approver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            mail = self.account.control("GET", f"mailbox?since={self.since}")
            self.since += len(mail)
            for message in mail:
                found = _WORKFLOW_IN_REQUEST.search(message["message"])
                if message["to"] == REVIEWER_EMAIL and message["topic_arn"] == self.topic and found:
                    if found.group(1) in self.workflow_ids:
                        self._due.append((time.monotonic() + self.after_s, links_in(message["message"])["approve"]))
            while self._due and self._due[0][0] <= time.monotonic() and not self._stop.is_set():
                self.reviewer.click(self._due.pop(0)[1], comments="Looks good.")
            if not mail:
                self._stop.wait(POLL_S)


def load_requests(count: int, run_id: str) -> list[Request]:
    """Distinct topics, as different users ask: no request is answered from the search cache."""
    requests = []
    for number in range(1, count + 1):
        workflow_id = f"load-{run_id}-{number:04d}"
        detail = {
            "topic": f"{TOPIC} (load {run_id}, request {number})",
            "tenant": "load",
            "requested_by": "load@example.com",
            "workflow_id": workflow_id,
        }
        requests.append(Request(workflow_id, detail))
    return requests


def publish(events, bus: str, requests: list[Request], rate: float | None, scale: float) -> None:
    """PutEvents as a client calls it: ten entries a call, or one entry every 1/rate seconds of the
    account's time (scale x 1/rate of wall time)."""
    size = PUT_EVENTS_BATCH if rate is None else 1
    started = time.monotonic()
    for at in range(0, len(requests), size):
        batch = requests[at : at + size]
        if rate is not None:
            time.sleep(max(0.0, started + at / rate * scale - time.monotonic()))
        answer = events.put_events(
            Entries=[
                {"Source": EVENT_SOURCE, "DetailType": "WorkflowRequested", "Detail": json.dumps(r.detail), "EventBusName": bus}
                for r in batch
            ]
        )
        now = time.time()
        for request, entry in zip(batch, answer["Entries"], strict=True):
            request.put_at, request.refused = now, entry.get("ErrorCode")


class Executions:
    """The state machine's executions that started after the load began, with the workflow each
    one runs (from its input: the event's detail) and its status."""

    def __init__(self, sfn, state_machine_arn: str) -> None:
        self.sfn, self.state_machine_arn = sfn, state_machine_arn
        self.before = {e["executionArn"] for e in self._listed()}
        self.seen: dict[str, Execution] = {}

    def _listed(self) -> list[dict[str, Any]]:
        pages = self.sfn.get_paginator("list_executions").paginate(stateMachineArn=self.state_machine_arn)
        return [execution for page in pages for execution in page["executions"]]

    def poll(self) -> dict[str, Execution]:
        for listed in self._listed():
            arn = listed["executionArn"]
            if arn in self.before:
                continue
            execution = self.seen.get(arn)
            if execution is None:
                described = self.sfn.describe_execution(executionArn=arn)
                workflow_id = json.loads(described.get("input") or "{}").get("workflow_id")
                execution = self.seen[arn] = Execution(arn, workflow_id, described["status"])
            if execution.stop is None and listed["status"] in TERMINAL:
                execution.status = listed["status"]
                execution.stop = (listed.get("stopDate") or self.sfn.describe_execution(executionArn=arn)["stopDate"]).timestamp()
            elif execution.stop is None:
                execution.status = listed["status"]
        return self.seen


@dataclass
class Outcome:
    """What one execution's history says."""

    end_state: str | None
    retries: int
    task_failures: Counter
    fallbacks: Counter  # the error each fallback was caught from
    approval_wait_s: float


def fallback_catches(definition: dict[str, Any]) -> dict[str, str]:
    """Each fallback state and the ResultPath where the Catch that leads to it puts the error."""
    fallbacks = set(timeline.fallback_roles(definition))
    catches = {}
    for state in timeline.all_states(definition).values():
        for catch in state.get("Catch", []):
            if catch["Next"] in fallbacks:
                catches[catch["Next"]] = catch.get("ResultPath", "$")
    return catches


def _at_path(document: Any, path: str) -> Any:
    for key in path.removeprefix("$").strip(".").split(".") if path != "$" else []:
        document = document.get(key) if isinstance(document, dict) else None
    return document


def outcome(sfn, execution_arn: str, definition: dict[str, Any], catches: dict[str, str]) -> Outcome:
    events = history.fetch_history(sfn, execution_arn)
    failures = Counter(e["taskFailedEventDetails"].get("error") for e in events if e["type"] == "TaskFailed")
    fallbacks: Counter = Counter()
    for event in events:
        details = event.get("stateEnteredEventDetails") or {}
        if event["type"].endswith("StateEntered") and details.get("name") in catches:
            caught = _at_path(json.loads(details.get("input") or "{}"), catches[details["name"]])
            fallbacks[caught.get("Error", "unknown") if isinstance(caught, dict) else "unknown"] += 1
    waits = [s for s in history.spans(events, timeline.map_inner_states(definition)) if s.name == "RequestApproval"]
    approval_wait = sum(((s.exited or s.entered) - s.entered).total_seconds() for s in waits)
    return Outcome(history.end_state(events, definition["States"]), history.retries(events), failures, fallbacks, approval_wait)


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50, p95 and max by nearest rank (None without values)."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "max": None}
    rank = lambda p: ordered[max(0, math.ceil(p * len(ordered)) - 1)]  # noqa: E731
    return {"p50": round(rank(0.50), 2), "p95": round(rank(0.95), 2), "max": round(ordered[-1], 2)}


def sandboxes_needed(definition: dict[str, Any], workflows: int) -> dict[str, int]:
    """Per function the state machine invokes: how many invocations `workflows` executions can run
    at once (a Map's states as many as its MaxConcurrency, every Parallel branch one)."""
    at_once: dict[str, int] = {}

    def visit(states: dict[str, Any], width: int) -> None:
        for state in states.values():
            function = _FUNCTION_NAME.search(str((state.get("Parameters") or {}).get("FunctionName", "")))
            if state["Type"] == "Task" and function:
                at_once[function.group(1)] = max(at_once.get(function.group(1), 0), width)
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if processor:
                visit(processor["States"], width * (state.get("MaxConcurrency") or MAP_UNBOUNDED))
            for branch in state.get("Branches", []):
                visit(branch["States"], width)

    visit(definition["States"], 1)
    return {name: width * workflows for name, width in at_once.items()}


def warm_up(workflow: OfflineWorkflow, workflows: int, say: Callable[[str], None]) -> dict[str, int]:
    """Start the sandboxes the load will need before it starts (at most each function's
    concurrency): on two cores a burst of cold starts queues for the CPU, seconds each, where
    Lambda starts them side by side, and would be measured as the workflow's own time."""
    needed = sandboxes_needed(workflow.deployment.definition, workflows)
    say(
        f"warming sandboxes: {', '.join(f'{name} {n}' for name, n in sorted(needed.items()))} (capped at each function's concurrency)"
    )
    return {
        name: workflow.account.control("POST", "warm", {"function": name, "count": n}, timeout=600)["sandboxes"]
        for name, n in needed.items()
    }


def dead_letter_depth(workflow: OfflineWorkflow) -> int:
    """Messages in the dead-letter queues of the bus's rule targets (a delivery that failed)."""
    events, sqs = workflow.client("events"), workflow.client("sqs")
    bus = workflow.deployment.event_bus_name
    depth = 0
    for rule in events.list_rules(EventBusName=bus)["Rules"]:
        for target in events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]:
            queue_arn = target.get("DeadLetterConfig", {}).get("Arn")
            if queue_arn:
                url = sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
                attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
                depth += int(attributes["Attributes"]["ApproximateNumberOfMessages"])
    return depth


@dataclass
class Progress:
    """What a progress display shows while the load runs."""

    total: int
    put: int = 0
    started: int = 0
    ended: int = 0
    counts: Counter = field(default_factory=Counter)  # status -> executions


@dataclass
class Observed:
    """What a load saw, before it is summarised."""

    requests: list[Request]
    executions: dict[str, Execution]
    time_scale: float
    quota_factor: float
    rate: float | None
    wall_s: float = 0.0
    peak_running: int = 0
    quotas: list[dict[str, Any]] = field(default_factory=list)  # the account's, as it counted them
    dlq_before: int = 0
    dlq_after: int = 0
    warm_sandboxes: dict[str, int] = field(default_factory=dict)  # function -> its sandboxes at the start
    approve_after_s: float = 0.0


def run_load(
    workflow: OfflineWorkflow,
    count: int,
    rate: float | None = None,
    quota_factor: float = 1.0,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    on_progress: Callable[[Progress], None] | None = None,
    warm: bool = True,
    say: Callable[[str], None] = lambda message: None,
    approve_after_s: float = 0.0,
) -> dict[str, Any]:
    """Put `count` WorkflowRequested events on the deployment's bus, wait for every execution and
    summarise what happened; `warm`: start the sandboxes it needs first (warm_up);
    `approve_after_s`: the reviewer approves that many seconds of the account's time after each
    request (executions wait in RequestApproval meanwhile, as for a person)."""
    assert workflow.deployment is not None and workflow.account is not None, "use OfflineWorkflow as a context manager"
    deployment, sfn = workflow.deployment, workflow.client("stepfunctions")
    # What the env is sized for, times the account's factor for it (1 unless test workers share it).
    env_quotas = scaled_quotas(
        deployment.outputs["bedrock_quotas"], workflow.account.control("GET", "bedrock")["sized_quota_factor"]
    )
    requests = load_requests(count, uuid.uuid4().hex[:6])
    scale = float(workflow.account.control("GET", "status")["time_scale"])
    observed = Observed(requests, {}, scale, quota_factor, rate, dlq_before=dead_letter_depth(workflow))
    observed.approve_after_s = approve_after_s
    if warm:
        observed.warm_sandboxes = warm_up(workflow, count, say)
    # The account's quotas, set as Service Quotas sets them (the stack cannot), each bucket full:
    # what they count from here is this load's.
    workflow.account.control("PUT", "bedrock", {"quotas": scaled_quotas(env_quotas, quota_factor)})
    try:
        executions = Executions(sfn, deployment.state_machine_arn)
        shown, started = Progress(count), time.monotonic()
        with Approver(workflow, {r.workflow_id for r in requests}, approve_after_s * scale):
            putter = threading.Thread(
                target=publish, args=(workflow.client("events"), deployment.event_bus_name, requests, rate, scale)
            )
            putter.start()
            while time.monotonic() < started + timeout_s:
                seen = executions.poll()
                shown.put = sum(1 for r in requests if r.put_at is not None)
                shown.started, shown.ended = len(seen), sum(1 for e in seen.values() if e.stop is not None)
                shown.counts = Counter(e.status for e in seen.values())
                observed.peak_running = max(observed.peak_running, shown.counts["RUNNING"])
                if on_progress:
                    on_progress(shown)
                accepted = sum(1 for r in requests if r.put_at is not None and r.refused is None)
                if not putter.is_alive() and shown.ended >= accepted and shown.started >= accepted:
                    break
                time.sleep(POLL_S)
            putter.join()
        observed.executions = executions.poll()
        observed.wall_s = time.monotonic() - started
        observed.quotas = workflow.account.control("GET", "bedrock")["quotas"]
        observed.dlq_after = dead_letter_depth(workflow)
    finally:
        if quota_factor != 1.0:
            workflow.account.control("PUT", "bedrock", {"quotas": env_quotas})
    return summarise(workflow, observed)


def summarise(workflow: OfflineWorkflow, observed: Observed) -> dict[str, Any]:
    deployment, sfn = workflow.deployment, workflow.client("stepfunctions")
    requests, seen, scale = observed.requests, observed.executions, observed.time_scale
    by_workflow: dict[str, list[Execution]] = {}
    for execution in seen.values():
        by_workflow.setdefault(execution.workflow_id or "", []).append(execution)
    accepted = [r for r in requests if r.put_at is not None and r.refused is None]
    lost = [r.workflow_id for r in accepted if r.workflow_id not in by_workflow]
    duplicated = [r.workflow_id for r in accepted if len(by_workflow.get(r.workflow_id, [])) > 1]
    strangers = [e.arn for e in seen.values() if e.workflow_id not in {r.workflow_id for r in requests}]
    catches = fallback_catches(deployment.definition)
    outcomes = {arn: outcome(sfn, arn, deployment.definition, catches) for arn, e in seen.items() if e.stop is not None}
    put_at = {r.workflow_id: r.put_at for r in requests}
    completion, working, runs = [], [], []
    for arn, result in outcomes.items():
        execution = seen[arn]
        if put_at.get(execution.workflow_id) is not None:
            completion.append(execution.stop - put_at[execution.workflow_id])
            working.append(completion[-1] - result.approval_wait_s)
        runs.append(
            {
                "workflow_id": execution.workflow_id,
                "end_state": result.end_state,
                "status": execution.status,
                "completion_s": round(completion[-1], 2) if put_at.get(execution.workflow_id) is not None else None,
                "retries": result.retries,
                "fallbacks": dict(result.fallbacks),
            }
        )
    end_states = Counter(f"{seen[arn].status}:{result.end_state}" for arn, result in outcomes.items())
    unnamed = [arn for arn, e in seen.items() if e.stop is None or outcomes[arn].end_state is None]
    failures = sum((result.task_failures for result in outcomes.values()), Counter())
    fallbacks = sum((result.fallbacks for result in outcomes.values()), Counter())
    quotas = {quota["name"]: {k: v for k, v in quota.items() if k != "name"} for quota in observed.quotas}
    in_account = lambda values: percentiles([v / scale for v in values]) if scale > 0 else None  # noqa: E731
    published = sum(1 for r in outcomes.values() if r.end_state == "Published")
    failed = sum(1 for arn in outcomes if seen[arn].status == "FAILED")
    problems = (
        [f"the event of {w} started no execution" for w in lost]
        + [f"the event of {w} started {len(by_workflow[w])} executions" for w in duplicated]
        + [f"{arn} did not end in a named state ({seen[arn].status})" for arn in unnamed]
        + [f"{arn} runs no workflow this load requested" for arn in strangers]
    )
    return {
        "env": workflow.env,
        "workflows": len(requests),
        "rate_per_s": observed.rate,
        "time_scale": scale,
        "quota_factor": observed.quota_factor,
        "approve_after_s": observed.approve_after_s,
        "wall_s": round(observed.wall_s, 1),
        "warm_sandboxes": observed.warm_sandboxes,
        "events": {"put": len(requests), "accepted": len(accepted), "refused": len(requests) - len(accepted)},
        "executions": {"started": len(seen), "ended": len(outcomes), "peak_running": observed.peak_running},
        "events_lost": len(lost),
        "duplicate_executions": len(duplicated),
        "published": published,
        "failed": failed,
        "other": len(seen) - published - failed,
        "end_states": dict(sorted(end_states.items())),
        "completion_s": {"wall": percentiles(completion), "account": in_account(completion)},
        "completion_without_approval_s": {"wall": percentiles(working), "account": in_account(working)},
        "step_functions_retries": sum(r.retries for r in outcomes.values()),
        "task_failures": dict(sorted(failures.items())),
        "bedrock_throttles": sum(q["throttled"] for q in quotas.values()),
        "bedrock_quotas": quotas,
        "lambda_throttles": failures.get("Lambda.TooManyRequestsException", 0),
        "fallbacks": sum(fallbacks.values()),
        "fallbacks_by_cause": dict(sorted(fallbacks.items())),
        "throttling_fallbacks": sum(fallbacks.get(error, 0) for error in THROTTLING_ERRORS),
        "dlq_depth": observed.dlq_after,
        "dlq_new": observed.dlq_after - observed.dlq_before,
        "problems": problems,
        "runs": sorted(runs, key=lambda run: run["workflow_id"] or ""),
    }


def print_report(result: dict[str, Any], console) -> None:
    from rich.table import Table

    scale = result["time_scale"]
    pace = "at once" if result["rate_per_s"] is None else f"{result['rate_per_s']}/s"
    table = Table(
        title=f"make load: env {result['env']}, {result['workflows']} workflows ({pace}), quotas x{result['quota_factor']}, "
        f"time scale {scale} ({result['wall_s']} s wall)",
        show_header=False,
    )
    table.add_column("what")
    table.add_column("value", justify="right")

    def times(key: str) -> str:
        wall, account = result[key]["wall"], result[key]["account"]
        text = f"{wall['p50']} / {wall['p95']} / {wall['max']} s wall"
        return text + (f"  =  {account['p50']} / {account['p95']} / {account['max']} s account" if account else "")

    rows = [
        ("published / failed / other", f"{result['published']} / {result['failed']} / {result['other']}"),
        ("end states", ", ".join(f"{state} {n}" for state, n in result["end_states"].items()) or "-"),
        ("completion p50 / p95 / max", times("completion_s")),
        ("  without the wait for the reviewer", times("completion_without_approval_s")),
        ("Step Functions retries", str(result["step_functions_retries"])),
        ("task failures by error", ", ".join(f"{e} {n}" for e, n in result["task_failures"].items()) or "-"),
        ("Bedrock throttles (ThrottlingException)", str(result["bedrock_throttles"])),
        ("Lambda throttles (TooManyRequestsException)", str(result["lambda_throttles"])),
        (
            "fallbacks (by the error caught)",
            f"{result['fallbacks']} ({', '.join(f'{e} {n}' for e, n in result['fallbacks_by_cause'].items()) or '-'})",
        ),
        ("fallbacks caused by throttling", str(result["throttling_fallbacks"])),
        ("events DLQ depth (new)", f"{result['dlq_depth']} ({result['dlq_new']})"),
        (
            "events put / accepted / lost / duplicated",
            f"{result['events']['put']} / {result['events']['accepted']} / {result['events_lost']} / {result['duplicate_executions']}",
        ),
        ("peak running executions", str(result["executions"]["peak_running"])),
    ]
    for name, quota in result["bedrock_quotas"].items():
        busiest = quota["busiest_period_tokens"]  # settled in the busiest minute (day) of the account's time
        usage = f"{quota['admitted']} admitted, {quota['throttled']} throttled, {quota['tokens']:,} tokens"
        rows.append((f"  {name}", f"{quota['value']:,}: {usage}; busiest period {busiest:,} ({busiest / quota['value']:.0%})"))
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for problem in result["problems"]:
        console.print(f"[red]{problem}[/]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", default="bu", help="environment (envs/ENV.tfvars; default bu)")
    parser.add_argument("--workflows", type=int, default=50, help="WorkflowRequested events to put (default 50)")
    parser.add_argument("--rate", type=float, help="events a second of the account's time (default: all at once)")
    parser.add_argument("--quota-factor", type=float, default=1.0, help="the account's Bedrock quotas x F (default 1: the env's)")
    parser.add_argument(
        "--time-scale", type=float, default=DEFAULT_TIME_SCALE, help=f"waits and quota minutes x S (default {DEFAULT_TIME_SCALE})"
    )
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="give up waiting after this many wall seconds")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the documents in the library (default corpus/)")
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST)
    parser.add_argument("--work-dir", type=Path, help="the account's and deployments' folder (default out/offline, `make up`'s)")
    parser.add_argument(
        "--approve-after", type=float, default=0.0, help="the reviewer approves S seconds (account time) after each request"
    )
    parser.add_argument("--cold", action="store_true", help="start without warming the sandboxes the load needs")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.workflows < 1 or (args.rate is not None and args.rate <= 0) or args.quota_factor <= 0 or args.time_scale < 0:
        parser.error("--workflows must be >= 1, --rate and --quota-factor > 0, --time-scale >= 0")
    if args.rate is not None and args.time_scale == 0:
        parser.error("--rate needs a time scale above 0: at 0 the account's seconds take no time")
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    try:
        with OfflineWorkflow(
            env=args.env,
            corpus=args.corpus,
            dist=args.dist,
            work_dir=args.work_dir,
            scale=args.time_scale,
            progress=console.print,
        ) as workflow:
            with Bar(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
            ) as bar:
                task = bar.add_task("putting events", total=args.workflows)

                def show(progress: Progress) -> None:
                    counts = ", ".join(f"{n} {status.lower()}" for status, n in sorted(progress.counts.items())) or "none started"
                    bar.update(task, completed=progress.ended, description=f"{progress.put} put, {counts}")

                result = run_load(
                    workflow,
                    args.workflows,
                    args.rate,
                    args.quota_factor,
                    args.timeout,
                    show,
                    not args.cold,
                    console.print,
                    args.approve_after,
                )
    except RunInputError as error:
        console.print(f"[red]{error}[/]")
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result, Console())
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
