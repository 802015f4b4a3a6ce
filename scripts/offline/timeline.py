"""A self-contained HTML Gantt chart of an execution: one row per state, bars over time.

A Parallel state's branches are lanes: under the Parallel's row, each branch has a row whose bar
runs from the branch's first state entered to its last state exited, with the branch's states
indented beneath it. Branches that ran at once have overlapping lane bars; a branch that ended in
the Pass state its Catch leads to (the check's "missing" stand-in result) is marked as missing.
States are placed in branches by name: Step Functions requires state names to be unique in the
whole state machine, branches and Map iterations included.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text

from scripts.offline.history import StateSpan

_COLOURS = {
    "agent": "#4e79a7",
    "fallback": "#f28e2b",
    "approval": "#59a14f",
    "failure": "#e15759",
    "end": "#76b7b2",
    "other": "#9c9c9c",
}
_LANE_STYLES = {  # a branch's lane bar: fill, stroke, dash
    "completed": ("#d5d1ce", "#a39e9a", ""),
    "missing": ("#f8d3d3", "#e15759", "4 2"),
    "failed": ("#f8d3d3", "#e15759", "4 2"),
    "unfinished": ("#f8d3d3", "#e15759", "4 2"),
}
_ROW, _LABEL, _WIDTH, _INDENT = 22, 250, 900, 14


def category(name: str, state_types: dict[str, str]) -> str:
    kind = state_types.get(name, "")
    if name.endswith("Fallback"):
        return "fallback"
    if name.startswith("Record") or name == "SourceFailed" or kind == "Fail":
        return "failure"
    if "Approval" in name or name == "CheckDecision":
        return "approval"
    if kind == "Succeed":
        return "end"
    if name in ("Search", "SummarizeSource", "WriteDraft", "Revise", "CheckCompliance"):
        return "agent"
    return "other"


def _rows(spans: list[StateSpan], ended: datetime) -> list[tuple[str, StateSpan]]:
    """(row label, span) with Map iterations spread over lanes: one lane per iteration running at
    the same time, so the rows show the Map's real concurrency."""
    lane_ends: dict[str, list[datetime]] = {}
    placed = []
    for span in spans:
        label = span.name
        if span.in_map:
            ends = lane_ends.setdefault(span.name, [])
            free = next((i for i, end in enumerate(ends) if end <= span.entered), None)
            if free is None:
                ends.append(span.exited or ended)
                free = len(ends) - 1
            else:
                ends[free] = span.exited or ended
            label = f"{span.name} · lane {free + 1}"
        placed.append((label, span))
    return placed


def lane_outcome_note(lane: Lane) -> str:
    """What a person reads beside a branch's lane that did not complete."""
    return {
        "missing": f"✗ missing: ended in {lane.last_state}",
        "failed": f"✗ failed in {lane.last_state}",
        "unfinished": f"✗ unfinished: {lane.last_state} never exited",
    }.get(lane.outcome, "")


def _layout(
    spans: list[StateSpan], ended: datetime, branches: dict[str, Branch]
) -> tuple[list[tuple[str, str, int]], list[tuple[str, StateSpan]], list[tuple[str, Lane]]]:
    """Rows top to bottom as (key, label, depth); the state bars as (row key, span); the branch
    lanes as (row key, lane). Rows are in first-entered order, except that a Parallel's branches
    follow its row, in branch order, each a lane row with the branch's states indented under it."""
    placed = _rows(spans, ended)
    branch_lanes = lanes(spans, branches)

    def lane_key(parallel: str, index: int) -> str:
        return f"{parallel} › branch {index + 1}"

    def depth(name: str) -> int:
        branch = branches.get(name)
        return 0 if branch is None else depth(branch.parallel) + 2

    children: dict[tuple[str, int] | None, list[str]] = {}
    name_of: dict[str, str] = {}
    for key, span in placed:
        if key not in name_of:
            name_of[key] = span.name
            branch = branches.get(span.name)
            children.setdefault(None if branch is None else (branch.parallel, branch.index), []).append(key)
    order: list[tuple[str, str, int]] = []
    done: set[tuple[str, int] | None] = set()

    def emit(group: tuple[str, int] | None) -> None:
        done.add(group)
        for key in children.get(group, []):
            order.append((key, key, depth(name_of[key])))
            for inner in sorted(g for g in children if g is not None and g[0] == name_of[key] and g not in done):
                order.append((lane_key(*inner), f"branch {inner[1] + 1}", depth(name_of[key]) + 1))
                emit(inner)

    emit(None)
    for group in sorted(g for g in children if g not in done):  # a branch whose Parallel has no span of its own
        order.append((lane_key(*group), f"{group[0]} · branch {group[1] + 1}", 0))
        emit(group)
    return order, placed, [(lane_key(lane.branch.parallel, lane.branch.index), lane) for lane in branch_lanes]


def _note_place(left: float, width: float, chars: int) -> tuple[float, str]:
    """Where a lane's note goes (x, text-anchor): right of its bar, else inside it, else left."""
    needed = 7 * chars + 12  # about 7 px a character at 12 px
    if left + width + needed <= _LABEL + _WIDTH + 20:
        return left + width + 6, "start"
    if width >= needed or left - needed < _LABEL:
        return left + 6, "start"
    return left - 6, "end"


def render(
    spans: list[StateSpan],
    summary: dict[str, Any],
    state_types: dict[str, str],
    started: datetime,
    ended: datetime,
    branches: dict[str, Branch] | None = None,
) -> str:
    """The page. `branches` (parallel_branches of the definition) lays a Parallel's branches out
    as lanes; without it their states are rows like any other."""
    branches = branches or {}
    stand_ins = {name for name, branch in branches.items() if name in branch.stand_ins}
    total = max((ended - started).total_seconds(), 1e-6)
    rows, placed, lane_bars = _layout(spans, ended, branches)
    row_of = {key: index for index, (key, _, _) in enumerate(rows)}
    state_rows = {key for key, _ in placed}
    height = _ROW * len(rows) + 40

    def x(moment: datetime) -> float:
        return _LABEL + (moment - started).total_seconds() / total * _WIDTH

    shapes = []
    for index, (key, label, depth) in enumerate(rows):
        y = 20 + index * _ROW
        kind = "" if key in state_rows else ' class="lane-label"'
        shapes.append(f'<text x="{8 + depth * _INDENT}" y="{y + 15}"{kind}>{html.escape(label)}</text>')
        shapes.append(f'<line x1="{_LABEL}" x2="{_LABEL + _WIDTH}" y1="{y + _ROW - 1}" y2="{y + _ROW - 1}" class="grid"/>')
    for key, lane in lane_bars:
        y = 20 + row_of[key] * _ROW
        end = lane.ended or ended
        left, width = x(lane.started), max(x(end) - x(lane.started), 1.5)
        fill, stroke, dash = _LANE_STYLES[lane.outcome]
        note = lane_outcome_note(lane)
        shapes.append(
            f'<g class="lane" data-parallel="{html.escape(lane.branch.parallel)}" data-branch="{lane.branch.index + 1}" '
            f'data-outcome="{lane.outcome}">'
            f'<rect x="{left:.1f}" y="{y + 2}" width="{width:.1f}" height="{_ROW - 6}" rx="3" fill="{fill}" stroke="{stroke}"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f"><title>{html.escape(lane.branch.label)} of {html.escape(lane.branch.parallel)}: "
            f"{(end - lane.started).total_seconds() * 1000:.0f} ms, {lane.outcome}</title></rect>"
        )
        if note:
            tx, anchor = _note_place(left, width, len(note))
            shapes.append(f'<text x="{tx:.1f}" y="{y + 15}" text-anchor="{anchor}" class="lane-note">{html.escape(note)}</text>')
        shapes.append("</g>")
    for key, span in placed:
        y = 20 + row_of[key] * _ROW
        end = span.exited or ended
        left, width = x(span.entered), max(x(end) - x(span.entered), 1.5)
        seconds = (end - span.entered).total_seconds()
        colour = _COLOURS["failure" if span.name in stand_ins else category(span.name, state_types)]
        shapes.append(
            f'<rect x="{left:.1f}" y="{y + 3}" width="{width:.1f}" height="{_ROW - 8}" rx="2" fill="{colour}" opacity="0.85">'
            f"<title>{html.escape(span.name)}: {seconds * 1000:.0f} ms</title></rect>"
        )
    for tick in range(6):
        tx = _LABEL + tick * _WIDTH / 5
        shapes.append(f'<text x="{tx:.0f}" y="{height - 4}" text-anchor="middle" class="tick">{total * tick / 5:.2f}s</text>')
    legend = "".join(f'<span><i style="background:{colour}"></i>{name}</span>' for name, colour in _COLOURS.items())
    if lane_bars:
        legend += "".join(
            f'<span><i style="background:{_LANE_STYLES[outcome][0]};outline:1px {"dashed" if _LANE_STYLES[outcome][2] else "solid"} '
            f'{_LANE_STYLES[outcome][1]}"></i>{text}</span>'
            for outcome, text in (("completed", "Parallel branch"), ("missing", "branch missing or failed"))
        )
    facts = "".join(
        f"<tr><th>{html.escape(str(key))}</th><td>{html.escape(_short(value))}</td></tr>"
        for key, value in summary.items()
        if key not in ("artifacts", "events")
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Research report run: {html.escape(str(summary.get("status")))}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 24px; color: #222; }}
svg text {{ font-size: 12px; fill: #333; }} svg .tick {{ fill: #777; }} svg .grid {{ stroke: #eee; }}
svg .lane-label {{ font-style: italic; fill: #555; }} svg .lane-note {{ fill: #b03a3c; }}
.legend span {{ margin-right: 14px; }} .legend i {{ display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }}
table {{ border-collapse: collapse; margin-top: 16px; }} th, td {{ text-align: left; padding: 2px 12px 2px 0; }}
</style></head><body>
<h1>Research report run — {html.escape(str(summary.get("end_state")))} ({html.escape(str(summary.get("status")))})</h1>
<p class="legend">{legend}</p>
<svg width="{_LABEL + _WIDTH + 20}" height="{height}" role="img" aria-label="states over time">{"".join(shapes)}</svg>
<table>{facts}</table>
<p>Events on the bus: {html.escape(", ".join(summary.get("events", [])))}</p>
</body></html>
"""


def _short(value: Any) -> str:
    if isinstance(value, dict):  # e.g. agent_invocations: show calls per function
        text = ", ".join(f"{key}: {item.get('calls', item) if isinstance(item, dict) else item}" for key, item in value.items())
        return text if len(text) < 160 else text[:157] + "..."
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    text = str(value)
    return text if len(text) < 120 else text[:117] + "..."


def all_states(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state of a definition by name, Map iterations' and Parallel branches' included."""
    found: dict[str, dict[str, Any]] = {}

    def walk(states: dict[str, Any]) -> None:
        for name, state in states.items():
            found[name] = state
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if processor:
                walk(processor["States"])
            for branch in state.get("Branches", []):
                walk(branch["States"])

    walk(definition["States"])
    return found


def fallback_roles(definition: dict[str, Any]) -> dict[str, str]:
    """Each fallback Task (an agent task whose payload says `fallback: true`) and the agent role
    whose function it invokes (`<prefix>-agent_<role>`)."""
    return {
        name: state["Parameters"]["FunctionName"].rsplit("agent_", 1)[-1]
        for name, state in all_states(definition).items()
        if state.get("Type") == "Task" and (state.get("Parameters") or {}).get("Payload", {}).get("fallback") is True
    }


def state_types(definition: dict[str, Any]) -> dict[str, str]:
    """Every state's Type, Map iterations' states included."""
    return {name: state["Type"] for name, state in all_states(definition).items()}


def map_inner_states(definition: dict[str, Any]) -> Iterable[str]:
    for state in definition["States"].values():
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            yield from processor["States"]


@dataclass(frozen=True)
class Branch:
    """Branch `index` (from 0, in `Branches` order) of the Parallel state `parallel`."""

    parallel: str
    index: int
    stand_ins: frozenset[str]  # Pass states a Catch leads to: the result that says "this branch's work is missing"
    fails: frozenset[str]  # Fail states

    @property
    def label(self) -> str:
        return f"branch {self.index + 1}"


@dataclass(frozen=True)
class Lane:
    """One run of one branch: its states' spans in the order they were entered."""

    branch: Branch
    spans: tuple[StateSpan, ...]

    @property
    def started(self) -> datetime:
        return self.spans[0].entered

    @property
    def ended(self) -> datetime | None:
        """When its last state exited; None while it runs, or when it failed or was stopped."""
        return self.spans[-1].exited

    @property
    def last_state(self) -> str:
        return self.spans[-1].name

    @property
    def outcome(self) -> str:
        """completed, missing (it ended in its Catch's stand-in Pass), failed (in a Fail state),
        or unfinished (its last state never exited: an uncaught error, a stop, or still running)."""
        if self.last_state in self.branch.stand_ins:
            return "missing"
        if self.ended is None:
            return "failed" if self.last_state in self.branch.fails else "unfinished"
        return "completed"


def parallel_branches(definition: dict[str, Any]) -> dict[str, Branch]:
    """Every state that runs inside a Parallel branch, and that (innermost) branch."""
    found: dict[str, Branch] = {}

    def walk(states: dict[str, Any], branch: Branch | None) -> None:
        for name, state in states.items():
            if branch is not None:
                found[name] = branch
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if processor:
                walk(processor["States"], branch)
            for index, inner in enumerate(state.get("Branches", [])):
                walk(inner["States"], _branch(name, index, inner["States"]))

    walk(definition["States"], None)
    return found


def _branch(parallel: str, index: int, states: dict[str, Any]) -> Branch:
    caught = {catcher["Next"] for state in states.values() for catcher in state.get("Catch", [])}
    return Branch(
        parallel,
        index,
        stand_ins=frozenset(name for name in caught if states.get(name, {}).get("Type") == "Pass"),
        fails=frozenset(name for name, state in states.items() if state["Type"] == "Fail"),
    )


def lanes(spans: list[StateSpan], branches: dict[str, Branch]) -> list[Lane]:
    """The branch runs in `spans`, by Parallel run (a Parallel entered again, e.g. in a revision
    loop, runs its branches again) and then branch order. A branch state belongs to the last run
    of its Parallel entered before it."""
    runs: dict[str, list[datetime]] = {}
    for span in spans:
        runs.setdefault(span.name, []).append(span.entered)
    grouped: dict[tuple[str, int], dict[int, list[StateSpan]]] = {}
    for span in sorted(spans, key=lambda span: span.entered):
        branch = branches.get(span.name)
        if branch is None:
            continue
        run = sum(1 for entered in runs.get(branch.parallel, []) if entered <= span.entered)
        grouped.setdefault((branch.parallel, run), {}).setdefault(branch.index, []).append(span)
    ordered = sorted(grouped.values(), key=lambda run: min(members[0].entered for members in run.values()))
    return [Lane(branches[run[index][0].name], tuple(run[index])) for run in ordered for index in sorted(run)]


def terminal_lanes(lanes: list[Lane], started: datetime, ended: datetime, width: int) -> list[Text]:
    """One Parallel run's branches as terminal lines of at most `width` columns: a bar per branch
    over the Parallel's time, a cell per slice, coloured by the state that ran in it (· where the
    branch had ended), then its duration and, unless it completed, what became of it."""
    total = max((ended - started).total_seconds(), 1e-6)
    notes = [lane_outcome_note(lane) or "✓" for lane in lanes]
    cells = max(10, min(40, width - len("branch 99 ") - len(" 99999 ms ") - max(map(len, notes), default=0)))

    def cell(moment: datetime) -> float:
        return (moment - started).total_seconds() / total * cells

    lines = []
    for lane, note in zip(lanes, notes, strict=True):
        styles: list[str | None] = [None] * cells
        for span in lane.spans:
            first = min(int(cell(span.entered)), cells - 1)
            last = max(first, min(cells - 1, int(cell(span.exited or ended) - 1e-9)))
            colour = "failure" if span.name in lane.branch.stand_ins else category(span.name, {})
            for index in range(first, last + 1):
                styles[index] = _COLOURS[colour]
        line = Text(f"{lane.branch.label:<9} ")
        for style in styles:
            line.append("█" if style else "·", style=style or "dim")
        line.append(f" {((lane.ended or ended) - lane.started).total_seconds() * 1000:5.0f} ms ", style="dim")
        line.append(note, style="green" if lane.outcome == "completed" else "red")
        lines.append(line)
    return lines
