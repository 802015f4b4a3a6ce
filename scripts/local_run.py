"""Run the research-report workflow end to end offline: no AWS account, no Docker.

`terraform apply -var-file envs/<env>.tfvars` deploys the root stack into the embedded AWS account
(moto plus the gaps it lacks, scripts/offline/account.py), which runs every Lambda function from
its `make package` zip in a worker process of its own. The request goes on the event bus and the
rule Terraform created starts the execution; a reviewer approves through the real signed-link
callback. The agent functions call InvokeAgent/Converse on the account's Bedrock endpoints, where
a deterministic local model answers (it searches the document library through the agents' tools and
summarises extractively).
Writes report.md, history.json, summary.json and timeline.html.

`make up` keeps an account running (deployments into it are reused); otherwise each run starts
one and stops it at the end.

Examples:
  python -m scripts.local_run                                  # pilot, auto-approve, default topic
  python -m scripts.local_run --approve reject-then-approve    # exercise the revise loop
  python -m scripts.local_run --mock-config scripts/mock_configs/faults.json --test-case WriterThrottledTwice
  python -m scripts.local_run --model-faults scripts/mock_configs/model_faults.json --test-case SearchThrottledTwice
  python -m scripts.local_run --approve interactive             # click the links in a browser
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from scripts.offline import history, timeline
from scripts.offline.account import AccountError
from scripts.offline.approvals import POLICIES, loopback_link
from scripts.offline.deploy import REVIEWER_EMAIL, DeployError
from scripts.offline.mock_config import MockConfigError, read_document
from scripts.offline.model_faults import ModelFaultsError
from scripts.offline.model_faults import read_document as read_model_faults
from scripts.offline.runtime import (
    DEFAULT_CORPUS,
    DEFAULT_DIST,
    DEFAULT_WORK_DIR,
    REPO_ROOT,
    OfflineWorkflow,
    RunInputError,
    RunResult,
    check_test_case_known,
)

DEFAULT_TOPIC = "How do Step Functions and Bedrock Agents share work in a research workflow?"
EXIT_BAD_INPUT = 2
DEFAULT_DEADLINE_S = 600.0
# With --approve none nobody answers: the approval would wait its deployed timeout (days), so the
# run stops early and says where it waited; the ApprovalTimesOut test case shows the timeout path.
NOBODY_ANSWERS_DEADLINE_S = 30.0
DISPLAY_CHARS = 120  # what the terminal shows of a user's text or an error cause; files keep all


def shown(text: str, limit: int = DISPLAY_CHARS) -> str:
    """`text` for the terminal: control characters made visible, cut to `limit` characters."""
    visible = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return visible if len(visible) <= limit else visible[: limit - 1] + "…"


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other bad input
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _ArgumentParser(
        prog="python -m scripts.local_run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--env", default="pilot", help="environment whose tfvars size the run: pilot, team or bu (default: pilot)"
    )
    parser.add_argument("--topic", default=DEFAULT_TOPIC, help="what the report is about")
    parser.add_argument("--tenant", default="demo", help="tenant id (lowercase letters, digits, dashes)")
    parser.add_argument("--requested-by", default="analyst@example.com", help="who asked for the report")
    parser.add_argument("--sources", type=int, help="cap the number of sources the search returns (max_sources)")
    parser.add_argument(
        "--approve",
        choices=POLICIES,
        default="auto",
        help="how the reviewer answers: auto (approve), reject-then-approve, interactive (browser or a/r), none",
    )
    parser.add_argument("--mock-config", type=Path, help="fault injection file in Step Functions Local's MockConfigFile format")
    parser.add_argument(
        "--model-faults",
        type=Path,
        help="faults the embedded Bedrock endpoints answer with, per role and call (scripts/mock_configs/model_faults.json)",
    )
    parser.add_argument("--test-case", help="test case of --mock-config and/or --model-faults to run")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder of .md/.txt/.html documents the deployment's library holds (synced into it and indexed before the run; default: corpus/)",
    )
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "out" / "demo", help="where to write the run's files (default: out/demo/)"
    )
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST, help="where `make package` put the zips (default: dist/)")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=DEFAULT_WORK_DIR,
        help="the embedded account's state (account/) and Terraform's (deployments/) (default: out/offline/)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=0.0,
        help="multiplier for retry back-off and callback polling; 1 = real time (default: 0, no waiting)",
    )
    parser.add_argument("--port", type=int, default=8765, help="loopback port for --approve interactive (default: 8765)")
    parser.add_argument(
        "--deadline",
        type=float,
        help="stop the execution after this many seconds and report where it waited "
        f"(default: {DEFAULT_DEADLINE_S:.0f}; {NOBODY_ANSWERS_DEADLINE_S:.0f} with --approve none)",
    )
    parser.add_argument("--expect-end-state", help="exit 0 only if the run ends in this state (e.g. Published, ApprovalTimedOut)")
    parser.add_argument("--json", action="store_true", help="print summary.json to stdout instead of the live view")
    args = parser.parse_args(argv)
    if (args.mock_config is None and args.model_faults is None) != (args.test_case is None):
        parser.error("--test-case goes with --mock-config and/or --model-faults")
    if args.sources is not None and args.sources < 1:
        parser.error("--sources must be at least 1")
    if args.time_scale < 0:
        parser.error("--time-scale must be >= 0")
    if args.deadline is not None and not args.deadline > 0:
        parser.error("--deadline must be a positive number of seconds")
    if args.deadline is None:
        args.deadline = NOBODY_ANSWERS_DEADLINE_S if args.approve == "none" else DEFAULT_DEADLINE_S
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} is a file; give a folder")
    return args


class LiveView:
    """One line per top-level state entered/exited with elapsed time; a progress bar for the Map.
    A Parallel's branch states are indented under it and tagged with their branch (`1│`), since
    branches interleave; when the Parallel ends, its branches are drawn as lanes over its time."""

    def __init__(self, console: Console, map_inner: set[str], branches: dict[str, timeline.Branch] | None = None) -> None:
        self.console = console
        self.map_inner = map_inner
        self.branches = branches or {}
        self.first_event_at = None  # times are the execution's own event timestamps
        self.progress: Progress | None = None
        self.task = None
        self.map_total: int | None = None
        self.map_done = 0
        self.entered_at: dict[str, float] = {}
        self.current: str | None = None
        self.failed: dict[str, str] = {}  # state -> the error it failed with (then caught, if it exits)
        # Event id -> the state it happened in, along previousEventId: with branches running at
        # once, the state entered last is not always the one a TaskFailed belongs to.
        self.state_of_event: dict[int, str] = {}
        self.open_parallels: dict[str, list[dict[str, Any]]] = {}  # Parallel -> its and its branches' state events

    def _state_of(self, event: dict[str, Any], name: str) -> str | None:
        if event["type"].endswith(("StateEntered", "StateExited")):
            state = name
        else:
            state = self.state_of_event.get(event.get("previousEventId"), self.current)
        if "id" in event and state is not None:
            self.state_of_event[event["id"]] = state
        return state

    def _nesting(self, state: str | None) -> int:
        """How many branches `state` runs inside."""
        depth = 0
        while state in self.branches:
            depth, state = depth + 1, self.branches[state].parallel
        return depth

    def _tag(self, state: str | None) -> str:
        """`1│ ` for a state in branch 1, indented by how deep it is nested; "" outside branches."""
        if state not in self.branches:
            return ""
        return "  " * self._nesting(state) + f"[magenta]{self.branches[state].index + 1}│[/] "

    def _collect(self, event: dict[str, Any], name: str) -> None:
        """Keep a branch state's event for each open Parallel it runs inside, to draw its lanes."""
        state = name
        while state in self.branches:
            state = self.branches[state].parallel
            if state in self.open_parallels:
                self.open_parallels[state].append(event)

    def _draw_lanes(self, parallel: str, ended: datetime) -> None:
        events = self.open_parallels.pop(parallel, [])
        if not events:
            return
        lanes = [lane for lane in timeline.lanes(history.spans(events, ()), self.branches) if lane.branch.parallel == parallel]
        indent = " " * 10 + "  " * self._nesting(parallel)  # under the state names of the lines above
        for line in timeline.terminal_lanes(lanes, events[0]["timestamp"], ended, self.console.width - len(indent)):
            self.console.print(Text(indent) + line, soft_wrap=True)

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
        name = details.get("name", "")
        if self.first_event_at is None:
            self.first_event_at = event["timestamp"]
        now = (event["timestamp"] - self.first_event_at).total_seconds()
        state = self._state_of(event, name)
        if kind == "ParallelStateEntered":
            self.open_parallels[name] = []
        if kind.endswith(("StateEntered", "StateExited")):
            self._collect(event, name)
        if kind in ("ParallelStateEntered", "ParallelStateExited"):
            self.open_parallels.get(name, []).append(event)
        if kind == "MapStateStarted":
            self.map_total, self.map_done = details.get("length"), 0
            if self.console.is_terminal:
                self.progress = Progress(
                    TextColumn("  summarising sources"), BarColumn(), MofNCompleteColumn(), console=self.console, transient=True
                )
                self.progress.start()
                self.task = self.progress.add_task("map", total=self.map_total)
        elif kind in ("MapIterationSucceeded", "MapIterationFailed"):
            self.map_done += 1
            if self.progress:
                self.progress.advance(self.task)
        elif kind in ("MapStateSucceeded", "MapStateFailed"):
            if self.progress:
                self.progress.stop()
                self.progress = None
            self.console.print(f"[dim]{now:7.2f}s[/]    summarised {self.map_done} source(s)")
        elif kind == "ParallelStateFailed":  # no ParallelStateExited follows: draw the lanes as they ended
            parallel = self.branches[state].parallel if state in self.branches else next(reversed(self.open_parallels), None)
            if parallel is not None:
                self.console.print(f"[dim]{now:7.2f}s[/]  {self._tag(parallel)}[red]✗[/] {parallel} failed")
                self._draw_lanes(parallel, event["timestamp"])
        if name in self.map_inner:
            return
        tag = self._tag(state)
        if kind.endswith("StateEntered"):
            self.entered_at[name], self.current = now, name
            self.failed.pop(name, None)
            self.console.print(f"[dim]{now:7.2f}s[/]  {tag}[cyan]→[/] {name}")
        elif kind.endswith("StateExited"):
            took = now - self.entered_at.get(name, now)
            if name in self.failed:  # it failed and a Catch moved on: not a success
                self.console.print(
                    f"[dim]{now:7.2f}s[/]  {tag}[yellow]↷[/] {name} caught {self.failed.pop(name)} [dim]({took * 1000:.0f} ms)[/]"
                )
            else:
                self.console.print(f"[dim]{now:7.2f}s[/]  {tag}[green]✓[/] {name} [dim]({took * 1000:.0f} ms)[/]")
            if kind == "ParallelStateExited":
                self._draw_lanes(name, event["timestamp"])
        elif kind in ("TaskFailed", "LambdaFunctionFailed"):
            if state:
                self.failed[state] = str(details.get("error"))
            error, cause = str(details.get("error")), details.get("cause")
            line = f"[dim]{now:7.2f}s[/]  {tag}[yellow]![/] {error}"
            if cause:  # cut to the end of the line rather than wrapped onto the next
                room = self.console.width - len(f"{now:7.2f}s  ! : ") - Text.from_markup(tag).cell_len - cell_len(error)
                line += ": " + shown(str(cause), max(20, min(DISPLAY_CHARS, room)))
            self.console.print(line, soft_wrap=True)
        elif kind in ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"):
            self.console.print(
                f"[dim]{now:7.2f}s[/]  [red]✗[/] execution {kind.removeprefix('Execution').lower()}: {details.get('error')}"
            )


def write_outputs(result: RunResult, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    report = out / "report.md"
    if result.report is not None:
        report.write_text(result.report, encoding="utf-8")
        written.append(report)
    elif report.exists():
        report.unlink()  # a stale report from an earlier run would mislead
    for name, content in (
        ("history.json", json.dumps(result.history, indent=1, default=str)),
        ("summary.json", json.dumps(result.summary, indent=2)),
        ("timeline.html", result.timeline_html),
    ):
        (out / name).write_text(content + ("\n" if not content.endswith("\n") else ""), encoding="utf-8")
        written.append(out / name)
    return written


def print_summary(console: Console, result: RunResult, written: list[Path]) -> None:
    summary = result.summary
    colour = "green" if summary["status"] == "SUCCEEDED" else "red"
    console.print(
        f"\n[bold {colour}]{summary['status']}[/] — ended in [bold]{summary['end_state']}[/] after {summary['duration_s']} s"
    )
    if summary.get("error"):
        # One line; the whole cause is in summary.json and the history in history.json.
        console.print(
            f"[red]{summary['error']}[/]: {shown(summary.get('cause') or '')} [dim](in full: summary.json)[/]", soft_wrap=True
        )
    if result.report:
        console.print(f"\nPublished report: s3://…/published/{summary['workflow_id']}/report.md")
        for line in result.report.splitlines()[:8]:
            console.print(f"  [dim]│[/] {line}")
    table = Table(show_header=False, box=None, padding=(0, 2))
    for key in (
        "state_transitions",
        "max_payload_bytes",
        "retries",
        "revisions",
        "fallbacks",
        "map_items",
        "map_failures",
        "cache_hits",
    ):
        table.add_row(key, str(summary[key]))
    if summary["fallbacks"]:
        table.add_row("fallbacks by role", ", ".join(f"{role} {n}" for role, n in summary["fallbacks_by_role"].items() if n))
    tool_calls = summary.get("tool_calls_by_role") or {}
    if tool_calls:
        table.add_row(
            "tool calls",
            ", ".join(
                f"{role} {tool} {n['calls']}" + (f" ({n['errors']} failed)" if n["errors"] else "")
                for role, tools in tool_calls.items()
                for tool, n in tools.items()
            ),
        )
    for review in summary.get("pre_reviews") or []:
        table.add_row(f"pre-review v{review['version']}", pre_review_line(review))
    table.add_row("events", ", ".join(summary["events"]))
    tokens = summary.get("tokens") or {}
    if tokens:
        table.add_row(
            "tokens (in/out)",
            ", ".join(
                f"{role}{' ' + path if path != 'agent' else ''} {u['input']:,}/{u['output']:,}"
                for role, paths in tokens.items()
                for path, u in paths.items()
            ),
        )
        table.add_row(
            "cost of this run",
            f"${summary['effectiveness']['cost_per_execution_usd']:.4f} (make cost RUN=<summary.json> itemises it)",
        )
    console.print(table)
    console.print(
        "[dim]The report was written by the deterministic local model behind the offline Bedrock endpoints, not a foundation model.[/]"
    )
    console.print(
        "Files: " + ", ".join(str(p.relative_to(REPO_ROOT)) if p.is_relative_to(REPO_ROOT) else str(p) for p in written)
    )


def pre_review_line(review: dict[str, Any]) -> str:
    """One draft version's checks: findings by severity, or that the check is missing."""
    parts = []
    for check in ("compliance", "citations"):
        result = review.get(check) or {}
        if result.get("status") == "completed":
            parts.append(f"{check} {result['blocking']} blocking / {result['advisory']} advisory")
        else:
            parts.append(f"{check} MISSING ({result.get('error') or 'not run'})")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(stderr=args.json, highlight=False)
    try:
        mock_config = read_document(args.mock_config) if args.mock_config else None
        model_faults = read_model_faults(args.model_faults) if args.model_faults else None
        if args.test_case is not None:
            check_test_case_known(args.test_case, mock_config, model_faults)  # refuse an unknown case now, before a deploy
        workflow = OfflineWorkflow(
            env=args.env,
            corpus=args.corpus,
            dist=args.dist,
            work_dir=args.work_dir,
            scale=args.time_scale,
            progress=lambda m: console.print(f"[dim]{m}[/]"),
        )
    except (MockConfigError, ModelFaultsError, RunInputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with workflow:
            definition = workflow.deployment.definition
            view = (
                None
                if args.json
                else LiveView(console, set(timeline.map_inner_states(definition)), timeline.parallel_branches(definition))
            )
            if not args.json:
                console.print(f"[bold]Research report[/] offline · env [cyan]{args.env}[/] · topic: {shown(args.topic)}")
                if args.approve == "none":
                    console.print(
                        f"[dim]Nobody answers the approval: the run stops {args.deadline:.0f} s in (--deadline). "
                        "The ApprovalTimesOut test case of scripts/mock_configs/faults.json shows the timeout path.[/]"
                    )
            limit = workflow.deployment.outputs["workflow_limits"]["max_sources_limit"]
            if args.sources is not None and args.sources > limit:
                raise RunInputError(f"--sources {args.sources} is above env {args.env}'s limit of {limit} (max_sources_limit)")

            def show_links(links: dict[str, str]) -> None:
                if args.approve == "interactive":
                    console.print("\n[bold]Approval requested.[/] Open a link in a browser, or type a (approve) / r (reject):")
                    for decision, url in links.items():
                        # whole, so it can be copied; on loopback, where the runner serves the Function URL
                        console.print(f"  {decision}: {loopback_link(url, args.port)}", soft_wrap=True)
                    _terminal_answer(workflow, links, console)

            result = workflow.run(
                topic=args.topic,
                approve=args.approve,
                tenant=args.tenant,
                requested_by=args.requested_by,
                max_sources=args.sources,
                test_case=args.test_case,
                mock_config=mock_config,
                model_faults=model_faults,
                on_event=view,
                serve_port=args.port if args.approve == "interactive" else None,
                on_links=show_links,
                timeout_s=args.deadline,
            )
    except (AccountError, DeployError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except RunInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        written = write_outputs(result, args.out)
    except OSError as error:
        print(f"error: cannot write the run's files to {args.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.summary, indent=2))
    else:
        print_summary(console, result, written)
    if args.expect_end_state:
        return 0 if result.summary["end_state"] == args.expect_end_state else 1
    return 0 if result.summary["status"] == "SUCCEEDED" else 1


def _terminal_answer(workflow: OfflineWorkflow, links: dict[str, str], console: Console) -> None:
    """Read a/r from the terminal in the background; the browser may answer first."""
    import threading

    from scripts.offline.approvals import Reviewer

    def ask() -> None:
        if not sys.stdin or not sys.stdin.isatty():
            return
        answer = input("> ").strip().lower()
        decision = "reject" if answer.startswith("r") else "approve"
        comments = input("comments> ").strip() if decision == "reject" else ""
        deployment = workflow.deployment
        reviewer = Reviewer(
            "none",
            workflow.account,
            REVIEWER_EMAIL,
            deployment.outputs["approval_topic_arn"],
            deployment.outputs["approval_callback_url"],
        )
        status = reviewer.click(links[decision], comments=comments)
        console.print(f"  {decision} → HTTP {status}")

    threading.Thread(target=ask, name="terminal-reviewer", daemon=True).start()


if __name__ == "__main__":
    raise SystemExit(main())
