"""Faults at the model: what the embedded Bedrock endpoints answer instead of the local model.

A sibling of the Step Functions mock config (scripts/mock_configs/faults.json), in the same shape
and selected by the same test-case name (`--test-case`, or StartExecution with `<arn>#<TestCase>`):

    {"TestCases": {"SearchThrottledTwice": {"search": {"Agent": "ThrottledTwice"}}},
     "ModelResponses": {"ThrottledTwice": {"0-1": {"Error": "ThrottlingException"}}}}

A test case maps an agent role and a caller to a response sequence: ``Agent`` is the role's agent
(Converse on the role's model), ``Fallback`` the same agent on its smaller model (Converse on the
role's fallback model), ``InvokeAgent`` an Agents Classic agent. The index counts that role's
model calls of that caller in the execution (every tool-use turn, retry, Map item and revision;
"0" is the first); past the last index the local model answers. A response is one of:

    {"Error": "ThrottlingException", "Message": "..."}
        the API answers this error with the HTTP status its API model gives it; only errors the
        API can return are accepted (ModelTimeoutException is Converse's, for instance).
    {"StreamError": "internalServerException", "AfterChunks": 1, "Message": "..."}
        InvokeAgent only: the event stream starts (the trace, then that many chunks of the answer)
        and breaks with this exception event; botocore raises EventStreamError mid-read.
    {"Completion": "text"}
        the model answers this text instead ("" is an empty completion).
    {"ToolUse": {"Name": "read_document", "Input": {"uri": "..."}}}
        Agent/Fallback only: the model asks for this tool call (stop reason tool_use).
    {"Meet": 5, "TimeoutSeconds": 30}
        the call is held until 5 calls of this role and caller are held at once (or the timeout
        passes), then the local model answers each: a model slow enough that the calls a run
        allows at once are all in flight together, so its peak concurrency is the allowance and
        not how fast two busy cores start sandboxes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from scripts.offline.mock_config import indexed_sequence, read_json_file
from scripts.offline.model import ROLES

# caller -> (service, operation) whose errors it may answer
CALLERS = {
    "InvokeAgent": ("bedrock-agent-runtime", "InvokeAgent"),
    "Agent": ("bedrock-runtime", "Converse"),
    "Fallback": ("bedrock-runtime", "Converse"),
}


class ModelFaultsError(ValueError):
    """The model faults file is missing, malformed, or has no such test case."""


@cache
def api_errors(caller: str) -> dict[str, int]:
    """The errors a caller's API can answer and their HTTP status, from botocore's model of the API."""
    import botocore.session

    service, name = CALLERS[caller]
    operation = botocore.session.get_session().get_service_model(service).operation_model(name)
    return {shape.name: int(shape.metadata["error"]["httpStatusCode"]) for shape in operation.error_shapes}


@cache
def stream_exceptions() -> frozenset[str]:
    """The exception events an InvokeAgent `completion` stream can carry (e.g. throttlingException)."""
    import botocore.session

    operation = botocore.session.get_session().get_service_model("bedrock-agent-runtime").operation_model("InvokeAgent")
    stream = operation.output_shape.members["completion"]
    return frozenset(name for name, shape in stream.members.items() if shape.metadata.get("exception"))


@dataclass(frozen=True)
class ModelResponse:
    error: str | None = None
    stream_error: str | None = None
    after_chunks: int = 0
    message: str = ""
    completion: str | None = None
    tool_use: dict[str, Any] | None = None  # {"name", "input"}
    meet: int = 0  # hold until this many calls are held together
    meet_timeout_s: float = 0.0
    status: int = 200  # of an Error: the HTTP status the API answers it with


def _response(api: str) -> Any:
    def parse(where: str, body: Any) -> ModelResponse:
        kinds = body.keys() & {"Error", "StreamError", "Completion", "ToolUse", "Meet"} if isinstance(body, dict) else set()
        if len(kinds) != 1:
            raise ModelFaultsError(f"{where}: needs exactly one of Error, StreamError, Completion, ToolUse or Meet")
        message = str(body.get("Message") or "injected by the model faults file")
        if "Meet" in body:
            calls, timeout = body["Meet"], body.get("TimeoutSeconds", 30)
            if not isinstance(calls, int) or isinstance(calls, bool) or calls < 1:
                raise ModelFaultsError(f"{where}.Meet must be a positive integer (the calls held together)")
            if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 120:
                raise ModelFaultsError(f"{where}.TimeoutSeconds must be a number of seconds in (0, 120]")
            return ModelResponse(meet=calls, meet_timeout_s=float(timeout))
        if "ToolUse" in body:
            use = body["ToolUse"]
            if api == "InvokeAgent":
                raise ModelFaultsError(f"{where}: ToolUse is for Agent/Fallback (Converse); InvokeAgent runs its tools itself")
            if not isinstance(use, dict) or not isinstance(use.get("Name"), str) or not isinstance(use.get("Input"), dict):
                raise ModelFaultsError(f"{where}.ToolUse needs Name (a string) and Input (an object)")
            return ModelResponse(tool_use={"name": use["Name"], "input": use["Input"]})
        if "Completion" in body:
            if not isinstance(body["Completion"], str):
                raise ModelFaultsError(f"{where}.Completion must be a string")
            return ModelResponse(completion=body["Completion"])
        if "Error" in body:
            if body["Error"] not in api_errors(api):
                known = ", ".join(sorted(api_errors(api)))
                raise ModelFaultsError(f"{where}: {api} cannot answer {body['Error']!r} (it answers {known})")
            return ModelResponse(error=body["Error"], message=message, status=api_errors(api)[body["Error"]])
        if api != "InvokeAgent":
            raise ModelFaultsError(f"{where}: StreamError is for InvokeAgent; the agents call Converse, which does not stream")
        if body["StreamError"] not in stream_exceptions():
            known = ", ".join(sorted(stream_exceptions()))
            raise ModelFaultsError(f"{where}: {body['StreamError']!r} is not an InvokeAgent stream exception ({known})")
        after = body.get("AfterChunks", 0)
        if not isinstance(after, int) or after < 0:
            raise ModelFaultsError(f"{where}.AfterChunks must be a non-negative integer")
        return ModelResponse(stream_error=body["StreamError"], after_chunks=after, message=message)

    return parse


@dataclass
class ModelFaultCase:
    """One execution's faults; counts the calls per (role, API) as they come."""

    name: str
    responses: dict[tuple[str, str], list[ModelResponse]]
    _counts: dict[tuple[str, str], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _held: dict[tuple[str, str], int] = field(default_factory=dict)
    _meetings: dict[tuple[str, str], int] = field(default_factory=dict)  # meetings that have met
    _met: threading.Condition = field(default_factory=threading.Condition)

    def next_response(self, role: str, api: str) -> ModelResponse | None:
        sequence = self.responses.get((role, api))
        if sequence is None:
            return None
        with self._lock:
            index = self._counts.get((role, api), 0)
            self._counts[(role, api)] = index + 1
        return sequence[index] if index < len(sequence) else None

    def meet(self, role: str, api: str, response: ModelResponse) -> bool:
        """Hold this call until ``response.meet`` calls of (role, api) are held; False on timeout."""
        key = (role, api)
        with self._met:
            meeting = self._meetings.get(key, 0)
            self._held[key] = self._held.get(key, 0) + 1
            if self._held[key] >= response.meet:
                self._held[key] = 0
                self._meetings[key] = meeting + 1
                self._met.notify_all()
                return True
            met = self._met.wait_for(lambda: self._meetings.get(key, 0) > meeting, timeout=response.meet_timeout_s)
            if not met:
                self._held[key] -= 1
            return met


def parse_document(document: Any, source: str) -> dict[str, dict[tuple[str, str], list[ModelResponse]]]:
    if not isinstance(document, dict):
        raise ModelFaultsError(f"{source} must hold a JSON object")
    cases, responses = document.get("TestCases"), document.get("ModelResponses")
    if not isinstance(cases, dict) or not cases:
        raise ModelFaultsError(f"{source}: TestCases must be a non-empty object")
    if not isinstance(responses, dict):
        raise ModelFaultsError(f"{source}: ModelResponses must be an object")
    parsed: dict[str, dict[tuple[str, str], list[ModelResponse]]] = {}
    for case, roles in cases.items():
        if not isinstance(roles, dict) or not roles:
            raise ModelFaultsError(f"{source}: test case {case!r} must map agent roles to APIs")
        parsed[case] = {}
        for role, apis in roles.items():
            if role not in ROLES:
                raise ModelFaultsError(f"{source}: test case {case!r}: {role!r} is not an agent role ({', '.join(ROLES)})")
            if not isinstance(apis, dict) or not apis:
                raise ModelFaultsError(
                    f"{source}: test case {case!r}: {role} must map Agent/Fallback/InvokeAgent to a response name"
                )
            for api, name in apis.items():
                if api not in CALLERS:
                    raise ModelFaultsError(f"{source}: test case {case!r}: {role}.{api} is not Agent, Fallback or InvokeAgent")
                if not isinstance(name, str) or name not in responses:
                    raise ModelFaultsError(f"{source}: test case {case!r} names unknown response {name!r}")
                parsed[case][(role, api)] = indexed_sequence(
                    f"ModelResponses.{name}", responses[name], _response(api), ModelFaultsError
                )
    return parsed


def case_from_document(document: Any, test_case: str) -> ModelFaultCase:
    parsed = parse_document(document, "model faults")
    if test_case not in parsed:
        raise ModelFaultsError(f"no test case {test_case!r} in the model faults (known: {', '.join(sorted(parsed))})")
    return ModelFaultCase(test_case, parsed[test_case])


def calls_meet(role: str, calls: int, timeout_s: float = 30.0) -> tuple[str, dict[str, Any]]:
    """A test case (name, document) whose first ``calls`` model calls of ``role``'s agent meet: the
    run's peak concurrency of that role is then what the workflow allows at once (a Map's
    MaxConcurrency), whatever the machine's speed. ``calls`` must not exceed what the run makes."""
    name = f"{role.capitalize()}CallsMeet"
    response = {"Meet": calls, "TimeoutSeconds": timeout_s}
    document = {"TestCases": {name: {role: {"Agent": name}}}, "ModelResponses": {name: {f"0-{calls - 1}": response}}}
    parse_document(document, name)
    return name, document


def read_document(path: Path) -> dict[str, Any]:
    document = read_json_file(path, "model faults", ModelFaultsError)
    parse_document(document, str(path))
    return document


def test_case_names(document: Any) -> list[str]:
    return sorted(document.get("TestCases") or {}) if isinstance(document, dict) else []
