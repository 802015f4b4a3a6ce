"""A self-contained HTML Gantt chart of an execution: one row per state, bars over time."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from scripts.offline.history import StateSpan

_COLOURS = {
    "agent": "#4e79a7",
    "fallback": "#f28e2b",
    "approval": "#59a14f",
    "failure": "#e15759",
    "end": "#76b7b2",
    "other": "#9c9c9c",
}
_ROW, _LABEL, _WIDTH = 22, 230, 900


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
    if name in ("Search", "SummarizeSource", "WriteDraft", "Revise"):
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
            lanes = lane_ends.setdefault(span.name, [])
            free = next((i for i, end in enumerate(lanes) if end <= span.entered), None)
            if free is None:
                lanes.append(span.exited or ended)
                free = len(lanes) - 1
            else:
                lanes[free] = span.exited or ended
            label = f"{span.name} · lane {free + 1}"
        placed.append((label, span))
    return placed


def render(
    spans: list[StateSpan], summary: dict[str, Any], state_types: dict[str, str], started: datetime, ended: datetime
) -> str:
    total = max((ended - started).total_seconds(), 1e-6)
    placed = _rows(spans, ended)
    rows = list(dict.fromkeys(label for label, _ in placed))  # first-entered order
    height = _ROW * len(rows) + 40

    def x(moment: datetime) -> float:
        return _LABEL + (moment - started).total_seconds() / total * _WIDTH

    shapes = []
    for index, name in enumerate(rows):
        y = 20 + index * _ROW
        shapes.append(f'<text x="{_LABEL - 8}" y="{y + 15}" text-anchor="end">{html.escape(name)}</text>')
        shapes.append(f'<line x1="{_LABEL}" x2="{_LABEL + _WIDTH}" y1="{y + _ROW - 1}" y2="{y + _ROW - 1}" class="grid"/>')
    for label, span in placed:
        y = 20 + rows.index(label) * _ROW
        end = span.exited or ended
        left, width = x(span.entered), max(x(end) - x(span.entered), 1.5)
        seconds = (end - span.entered).total_seconds()
        colour = _COLOURS[category(span.name, state_types)]
        shapes.append(
            f'<rect x="{left:.1f}" y="{y + 3}" width="{width:.1f}" height="{_ROW - 8}" rx="2" fill="{colour}" opacity="0.85">'
            f"<title>{html.escape(span.name)}: {seconds * 1000:.0f} ms</title></rect>"
        )
    for tick in range(6):
        tx = _LABEL + tick * _WIDTH / 5
        shapes.append(f'<text x="{tx:.0f}" y="{height - 4}" text-anchor="middle" class="tick">{total * tick / 5:.2f}s</text>')
    legend = "".join(f'<span><i style="background:{colour}"></i>{name}</span>' for name, colour in _COLOURS.items())
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
