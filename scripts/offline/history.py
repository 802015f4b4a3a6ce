"""Turn an execution history into the numbers a person asks about a run."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_PAYLOAD_FIELDS = ("input", "output", "parameters")


@dataclass(frozen=True)
class StateSpan:
    name: str
    entered: datetime
    exited: datetime | None
    in_map: bool


def fetch_history(sfn, execution_arn: str) -> list[dict[str, Any]]:
    events, token = [], None
    while True:
        kwargs = {"executionArn": execution_arn, "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events


def _details(event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def payload_sizes(events: Iterable[dict[str, Any]]) -> Iterable[int]:
    for event in events:
        details = _details(event)
        for field in _PAYLOAD_FIELDS:
            value = details.get(field)
            if isinstance(value, str):
                yield len(value.encode("utf-8"))


def state_transitions(events: Iterable[dict[str, Any]]) -> int:
    """States entered, the unit Step Functions Standard bills (Map iterations' states included)."""
    return sum(1 for event in events if event["type"].endswith("StateEntered"))


def retries(events: list[dict[str, Any]]) -> int:
    """Task attempts that followed a failed attempt of the same task."""
    by_id = {event["id"]: event for event in events}
    count = 0
    for event in events:
        if event["type"] != "TaskScheduled":
            continue
        previous = by_id.get(event.get("previousEventId"))
        if previous is not None and previous["type"] == "TaskFailed":
            count += 1
    return count


def entered(events: Iterable[dict[str, Any]], *names: str) -> int:
    wanted = set(names)
    return sum(1 for event in events if event["type"].endswith("StateEntered") and _details(event).get("name") in wanted)


def exited(events: Iterable[dict[str, Any]], *names: str) -> int:
    wanted = set(names)
    return sum(1 for event in events if event["type"].endswith("StateExited") and _details(event).get("name") in wanted)


def state_outputs(events: Iterable[dict[str, Any]], name: str) -> list[Any]:
    """Every output of a state, parsed, in order."""
    return [
        json.loads(_details(event).get("output") or "null")
        for event in events
        if event["type"].endswith("StateExited") and _details(event).get("name") == name
    ]


def state_output(events: Iterable[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The last output of a top-level state, parsed."""
    outputs = state_outputs(events, name)
    return outputs[-1] if outputs else None


def end_state(events: list[dict[str, Any]], top_level: Iterable[str]) -> str | None:
    top = set(top_level)
    for event in reversed(events):
        if event["type"].endswith("StateEntered") and _details(event).get("name") in top:
            return _details(event)["name"]
    return None


def current_state(events: list[dict[str, Any]]) -> str | None:
    """The state the execution entered last (where a running execution is)."""
    for event in reversed(events):
        if event["type"].endswith("StateEntered"):
            return _details(event).get("name")
    return None


def spans(events: list[dict[str, Any]], map_states: Iterable[str]) -> list[StateSpan]:
    """Entered/exited pairs, first-in first-out per state name (Map iterations interleave)."""
    inner = set(map_states)
    open_spans: dict[str, list[datetime]] = {}
    result: list[StateSpan] = []
    for event in events:
        name = _details(event).get("name")
        if event["type"].endswith("StateEntered"):
            open_spans.setdefault(name, []).append(event["timestamp"])
        elif event["type"].endswith("StateExited") and open_spans.get(name):
            result.append(StateSpan(name, open_spans[name].pop(0), event["timestamp"], name in inner))
    for name, stack in open_spans.items():
        result.extend(StateSpan(name, started, None, name in inner) for started in stack)
    return sorted(result, key=lambda span: span.entered)
