"""Fault injection from a file in AWS Step Functions Local's MockConfigFile format.

    {"StateMachines": {"research-report": {"TestCases": {"WriterThrottled": {"WriteDraft": "Throttled2"}}}},
     "MockedResponses": {"Throttled2": {"0-1": {"Throw": {"Error": "AgentThrottled", "Cause": "..."}}}}}

A response index counts the invocations of that state in the execution: retries, revisions and
Map iterations alike ("0" is the first). Unlike Step Functions Local, invocations past the last
index run the real handler, so "throttled twice, then the real writer" needs no hand-made payload.
A `Return` for a `lambda:invoke` state may be the whole invoke result (`{"StatusCode", "Payload"}`)
or just the payload; for a `.waitForTaskToken` state it is the callback's output.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

WORKFLOW_NAME = "research-report"
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
T = TypeVar("T")


class MockConfigError(ValueError):
    """The mock config file is missing, malformed, or has no such test case."""


@dataclass(frozen=True)
class MockedResponse:
    returns: Any = None
    error: str | None = None
    cause: str = ""

    @property
    def is_throw(self) -> bool:
        return self.error is not None


@dataclass
class TestCase:
    name: str
    responses: dict[str, list[MockedResponse]]
    _counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    __test__ = False  # not a pytest class

    def next_response(self, state: str) -> MockedResponse | None:
        """The response for this invocation of `state`, or None to run the real handler."""
        sequence = self.responses.get(state)
        if sequence is None:
            return None
        with self._lock:
            index = self._counts.get(state, 0)
            self._counts[state] = index + 1
        return sequence[index] if index < len(sequence) else None


def indexed_sequence(
    where: str, raw: Any, parse_one: Callable[[str, Any], T], error: type[ValueError] = MockConfigError
) -> list[T]:
    """`{"0": ..., "1-3": ...}` as a list: indices N or N-M, consecutive from 0 (a response per
    invocation, as MockedResponses counts them). `parse_one(where, body)` reads one response."""
    if not isinstance(raw, dict) or not raw:
        raise error(f"{where} must be a non-empty object")
    parsed = []
    for key, body in raw.items():
        match = _RANGE.match(key)
        if not match:
            raise error(f"{where}: index {key!r} is not N or N-M")
        start, end = int(match.group(1)), int(match.group(2) or match.group(1))
        if end < start:
            raise error(f"{where}: range {key!r} ends before it starts")
        parsed.append((range(start, end + 1), parse_one(f"{where}.{key}", body)))
    sequence: list[T] = []
    for indices, response in sorted(parsed, key=lambda item: item[0].start):
        if indices.start != len(sequence):
            raise error(f"{where}: indices must be consecutive from 0; expected {len(sequence)}, got {indices.start}")
        sequence.extend([response] * len(indices))
    return sequence


def _parse_response(where: str, body: Any) -> MockedResponse:
    if not isinstance(body, dict) or len(body.keys() & {"Return", "Throw"}) != 1:
        raise MockConfigError(f"{where}: needs exactly one of Return or Throw")
    if "Throw" in body:
        throw = body["Throw"]
        if not isinstance(throw, dict) or not isinstance(throw.get("Error"), str) or not throw["Error"]:
            raise MockConfigError(f"{where}.Throw needs an Error name")
        return MockedResponse(error=throw["Error"], cause=str(throw.get("Cause", "")))
    return MockedResponse(returns=body["Return"])


def _sequence(name: str, raw: Any) -> list[MockedResponse]:
    return indexed_sequence(f"MockedResponses.{name}", raw, _parse_response)


def read_json_file(path: Path, what: str, error: type[ValueError] = MockConfigError) -> Any:
    """A fault file's JSON, or `error` saying in one line what is wrong with the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} file not found: {path}") from None
    except IsADirectoryError:
        raise error(f"{what} {path} is a directory, not a file") from None
    except UnicodeDecodeError:
        raise error(f"{what} file {path} is not UTF-8 text") from None
    except OSError as problem:
        raise error(f"{what} file {path} cannot be read: {problem.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as problem:
        raise error(f"{what} file {path} is not JSON: {problem}") from None


def read_document(path: Path) -> dict[str, Any]:
    """The mock config file as a JSON object, or a MockConfigError saying what is wrong with it."""
    document = read_json_file(path, "mock config")
    parse_document(document, str(path))
    return document


def parse_document(document: Any, source: str) -> dict[str, dict[str, list[MockedResponse]]]:
    """Every test case of a MockConfigFile, validated: {state machine: {test case: ...}} flattened to
    {test case: {state: responses}} per state machine."""
    if not isinstance(document, dict):
        raise MockConfigError(f"{source} must hold a JSON object")
    machines = document.get("StateMachines")
    if not isinstance(machines, dict) or not machines:
        raise MockConfigError(f"{source}: StateMachines must be a non-empty object")
    mocked = document.get("MockedResponses")
    if not isinstance(mocked, dict):
        raise MockConfigError(f"{source}: MockedResponses must be an object")
    parsed: dict[str, dict[str, list[MockedResponse]]] = {}
    for machine, body in machines.items():
        cases = body.get("TestCases") if isinstance(body, dict) else None
        if not isinstance(cases, dict):
            raise MockConfigError(f"{source}: StateMachines.{machine}.TestCases must be an object")
        for case, states in cases.items():
            if not isinstance(states, dict):
                raise MockConfigError(f"{source}: test case {case!r} must map state names to response names")
            responses = {}
            for state, response_name in states.items():
                if not isinstance(response_name, str):
                    raise MockConfigError(f"{source}: test case {case!r}: the response of {state!r} must be a name")
                if response_name not in mocked:
                    raise MockConfigError(f"{source}: test case {case!r} names unknown response {response_name!r}")
                responses[state] = _sequence(response_name, mocked[response_name])
            parsed[f"{machine}#{case}"] = responses
    return parsed


def test_case_from_document(document: dict[str, Any], test_case: str, state_machine: str) -> TestCase:
    """`test_case` of the state machine named `state_machine`; a file keyed by the workflow's name
    (research-report) serves every deployment of it (research-report-<env>)."""
    parsed = parse_document(document, "mock config")
    for machine in (state_machine, WORKFLOW_NAME):
        if f"{machine}#{test_case}" in parsed:
            return TestCase(test_case, parsed[f"{machine}#{test_case}"])
    known = ", ".join(sorted(key.partition("#")[2] for key in parsed)) or "none"
    raise MockConfigError(f"no test case {test_case!r} for {state_machine} (known: {known})")


def test_case_names(document: dict[str, Any]) -> list[str]:
    """Every test case name of a (validated) mock config, whatever state machine it is under."""
    return sorted({name for machine in document.get("StateMachines", {}).values() for name in machine.get("TestCases", {})})


def load_test_case(path: Path, test_case: str, state_machine: str = WORKFLOW_NAME) -> TestCase:
    return test_case_from_document(read_document(path), test_case, state_machine)


def list_test_cases(path: Path, state_machine: str = WORKFLOW_NAME) -> list[str]:
    return sorted(
        key.partition("#")[2] for key in parse_document(read_document(path), str(path)) if key.startswith(state_machine + "#")
    )


def check_against_definition(test_case: TestCase, definition: dict[str, Any]) -> None:
    """Refuse a test case that the deployed definition cannot run as written: a state that does
    not exist or is not a Task (it would be silently ignored), or a `States.*` error that Step
    Functions never raises on that task. Step Functions itself raises States.Timeout and
    States.HeartbeatTimeout, only on a task with TimeoutSeconds / HeartbeatSeconds; offline that
    is mocked on callback (`.waitForTaskToken`) tasks. A Lambda function that runs out of time
    fails its task with `Sandbox.Timedout`: mock that name for it."""
    from scripts.offline.timeline import all_states

    states = all_states(definition)
    for name, responses in test_case.responses.items():
        state = states.get(name)
        if state is None:
            raise MockConfigError(f"test case {test_case.name!r} mocks {name!r}, which is not a state of the deployed workflow")
        if state.get("Type") != "Task":
            raise MockConfigError(
                f"test case {test_case.name!r} mocks {name!r}, a {state.get('Type')} state: only Task states run"
            )
        callback = str(state.get("Resource", "")).endswith(".waitForTaskToken")
        allowed = {
            error
            for error, field_name in (("States.Timeout", "TimeoutSeconds"), ("States.HeartbeatTimeout", "HeartbeatSeconds"))
            if callback and (field_name in state or f"{field_name}Path" in state)
        }
        for response in responses:
            if response.is_throw and response.error.startswith("States.") and response.error not in allowed:
                raise MockConfigError(
                    f"test case {test_case.name!r}: {name} cannot throw {response.error}; Step Functions raises "
                    + (f"only {', '.join(sorted(allowed))} there" if allowed else "no States.* error on that task")
                    + " (a Lambda function that runs out of time fails its task with Sandbox.Timedout)"
                )
