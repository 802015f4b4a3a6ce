"""Run Lambda functions in this process: moto's `_invoke_lambda` calls the real handler from the zip.

Each function gets its own import of its code package and of `workflow_core`, made with that
function's environment variables, as a separate Lambda sandbox would. Invocations run one at a
time under a lock (the handlers read `os.environ` and print EMF to stdout), which also makes a run
reproducible. A handler's exception reaches Step Functions as `{"errorType": <class name>}` so
Retry and Catch match it by name, exactly as on AWS.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import threading
import time
import traceback
import uuid
import zipfile
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction

from scripts.offline.mock_config import MockedResponse, TestCase

SHARED_PACKAGE = "workflow_core"


class _SwitchableStream(io.TextIOBase):
    """A function's stdout: Powertools binds its log handler to it at import; we point it at a
    fresh buffer for each invocation."""

    def __init__(self) -> None:
        self.target: io.StringIO = io.StringIO()

    def write(self, text: str) -> int:
        return self.target.write(text)

    def flush(self) -> None:
        pass


class _ThreadRoutedStdout(io.TextIOBase):
    """sys.stdout while local functions are installed: a thread running a function writes to that
    function's log; every other thread (the runner's console, moto) writes where it always did."""

    def __init__(self, fallback) -> None:
        self.fallback = fallback
        self._local = threading.local()

    @contextlib.contextmanager
    def routed(self, target: io.TextIOBase):
        previous = getattr(self._local, "target", None)
        self._local.target = target
        try:
            yield
        finally:
            self._local.target = previous

    def _current(self):
        return getattr(self._local, "target", None) or self.fallback

    def write(self, text: str) -> int:
        return self._current().write(text)

    def flush(self) -> None:
        self._current().flush()

    def isatty(self) -> bool:
        return self.fallback.isatty()

    def fileno(self) -> int:
        return self.fallback.fileno()


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    log_group_name: str
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


@dataclass
class LocalFunction:
    name: str
    arn: str
    package: str
    environment: dict[str, str]
    memory_mb: int
    timeout_seconds: int
    handler: Callable[[dict, Any], Any]
    stdout: _SwitchableStream
    modules: dict[str, Any]


@dataclass
class Invocation:
    """One call of a function, kept for the run summary."""

    function: str
    state: str | None
    started: float
    duration_s: float
    error: str | None
    mocked: bool
    log_lines: list[str]


def extract_code(zips: list[Path], into: Path) -> Path:
    """Unpack the packaged zips into one directory (the shared package is the same in each)."""
    into.mkdir(parents=True, exist_ok=True)
    for archive in zips:
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(into)
    return into


class _ThreadEnvironment(MutableMapping):
    """`os.environ` while local functions are installed: the thread running a function sees that
    function's variables over the process's; every other thread sees the process's, untouched.

    Nothing is ever set on or removed from the process environment while a function runs: moto's
    Map threads iterate `os.environ` (botocore's config lookup) meanwhile, and a variable that came
    and went under them raised KeyError inside the interpreter (States.Runtime).
    """

    def __init__(self, process: MutableMapping[str, str]) -> None:
        self.process = process
        self._local = threading.local()

    @contextlib.contextmanager
    def overlay(self, values: dict[str, str]):
        """Within this block, this thread sees `values` over the process environment; what the
        function writes stays in its own copy, as in a separate sandbox."""
        previous = getattr(self._local, "values", None)
        self._local.values = dict(values)
        try:
            yield
        finally:
            self._local.values = previous

    def _own(self) -> dict[str, str] | None:
        return getattr(self._local, "values", None)

    def __getitem__(self, name: str) -> str:
        own = self._own()
        if own is not None and name in own:
            return own[name]
        return self.process[name]

    def __setitem__(self, name: str, value: str) -> None:
        own = self._own()
        if own is None:
            self.process[name] = value
        else:
            own[name] = value

    def __delitem__(self, name: str) -> None:
        own = self._own()
        if own is None:
            del self.process[name]
        else:
            own.pop(name, None)  # hides nothing of the process's: a sandbox cannot unset the host

    def __iter__(self):
        own = self._own()
        # A snapshot: another thread may change the process environment while this one iterates.
        return iter(list(self.process) if own is None else list({**dict(self.process.items()), **own}))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def copy(self) -> dict[str, str]:
        return dict(self.items())


def _owned(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


@contextlib.contextmanager
def _module_namespace(own: dict[str, Any], packages: tuple[str, ...]):
    """Give a function its own modules of `packages` in sys.modules while it runs.

    What the function imports meanwhile (lazy imports included) is added to `own`; whatever the
    rest of the process had under those names is put back afterwards.
    """
    # list() snapshots sys.modules in one step: other threads may be importing meanwhile.
    saved = {name: module for name, module in list(sys.modules.items()) if _owned(name, packages)}
    for name in saved:
        del sys.modules[name]
    sys.modules.update(own)
    try:
        yield
    finally:
        for name in [name for name in list(sys.modules) if _owned(name, packages)]:
            own[name] = sys.modules.pop(name)
        sys.modules.update(saved)


def _base_environment(name: str, region: str, memory_mb: int, timeout_seconds: int) -> dict[str, str]:
    return {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(timeout_seconds),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    }


class InProcessLambdas:
    """Owns the local functions and the patch that routes moto's Lambda invocations to them."""

    def __init__(self, code_dir: Path, region: str) -> None:
        self.code_dir = code_dir
        self.region = region
        self.functions: dict[str, LocalFunction] = {}
        self.invocations: list[Invocation] = []
        self.callback_tokens: list[str] = []  # task tokens handed to functions, newest last
        self.test_case: TestCase | None = None
        self.on_mocked_callback: Callable[[str, MockedResponse], None] | None = None
        self._lock = threading.RLock()
        self._original = None
        self._stdout = sys.stdout if isinstance(sys.stdout, _ThreadRoutedStdout) else _ThreadRoutedStdout(sys.stdout)
        sys.stdout = self._stdout
        # Replaced once, before any function runs; os.getenv reads the same name.
        self._environ = os.environ if isinstance(os.environ, _ThreadEnvironment) else _ThreadEnvironment(os.environ)
        os.environ = self._environ  # noqa: B003 - rebinding, not clearing, is the point

    def load(self, name: str, arn: str, handler: str, environment: dict[str, str], memory_mb: int, timeout_seconds: int) -> None:
        module_name, _, function_name = handler.rpartition(".")
        package = module_name.split(".")[0]
        stream = _SwitchableStream()
        full_env = {**_base_environment(name, self.region, memory_mb, timeout_seconds), **environment}
        modules: dict[str, Any] = {}
        if str(self.code_dir) not in sys.path:
            sys.path.insert(0, str(self.code_dir))
        with (
            self._lock,
            self._environ.overlay(full_env),
            self._stdout.routed(stream),
            _module_namespace(modules, (package, SHARED_PACKAGE)),
        ):
            module = importlib.import_module(module_name)
        self.functions[name] = LocalFunction(
            name, arn, package, full_env, memory_mb, timeout_seconds, getattr(module, function_name), stream, modules
        )

    def install(self) -> None:
        runtime = self

        def _invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
            return runtime.invoke(self.function_name, event if event is not None else {})

        self._original = LambdaFunction._invoke_lambda
        LambdaFunction._invoke_lambda = _invoke_lambda

    def uninstall(self) -> None:
        if self._original is not None:
            LambdaFunction._invoke_lambda = self._original
            self._original = None
        if sys.stdout is self._stdout:
            sys.stdout = self._stdout.fallback
        if os.environ is self._environ:
            os.environ = self._environ.process  # noqa: B003 - put the real mapping back

    def invoke(self, name: str, event: Any) -> tuple[str, bool, str]:
        """moto's contract: (response payload as JSON text, errored, log text)."""
        function = self.functions.get(name)
        if function is None:
            error = {"errorType": "ResourceNotFoundException", "errorMessage": f"no local function {name}"}
            return json.dumps(error), True, ""
        state = event.get("state") if isinstance(event, dict) else None
        if isinstance(event, dict) and "task_token" in event:
            self.callback_tokens.append(event["task_token"])
        mocked = self.test_case.next_response(state) if (self.test_case and state) else None
        started = time.monotonic()
        if mocked is not None:
            payload, errored = self._mocked(function, event, mocked)
            self._record(function, state, started, payload if errored else None, True, "")
            return payload, errored, ""
        with (
            self._lock,
            self._environ.overlay(function.environment),
            self._stdout.routed(function.stdout),
            _module_namespace(function.modules, (function.package, SHARED_PACKAGE)),
        ):
            buffer = function.stdout.target = io.StringIO()
            if sys.stdout is not self._stdout:
                # Something replaced sys.stdout since install (pytest does, per test): EMF is printed
                # to sys.stdout at call time, so route it again or the metrics are lost.
                self._stdout.fallback, sys.stdout = sys.stdout, self._stdout
            context = LambdaContext(
                function.name, function.arn, function.memory_mb, function.timeout_seconds, f"/aws/lambda/{function.name}"
            )
            try:
                result = function.handler(event, context)
                payload, errored = json.dumps(result, default=str), False
            except Exception as error:  # noqa: BLE001 - every handler error goes back to Step Functions
                payload, errored = json.dumps(_error_payload(error)), True
        logs = buffer.getvalue()
        self._record(function, state, started, payload if errored else None, False, logs)
        return payload, errored, logs

    def _mocked(self, function: LocalFunction, event: dict, response: MockedResponse) -> tuple[str, bool]:
        token = event.get("task_token")
        if token is not None:
            if self.on_mocked_callback is None:
                raise RuntimeError("a callback state is mocked but nothing answers mocked callbacks")
            self.on_mocked_callback(token, response)
            return json.dumps({"mocked": True}), False
        if response.is_throw:
            return json.dumps({"errorType": response.error, "errorMessage": response.cause}), True
        returned = response.returns
        if isinstance(returned, dict) and "Payload" in returned and "StatusCode" in returned:
            returned = returned["Payload"]
        return json.dumps(returned), False

    def _record(
        self, function: LocalFunction, state: str | None, started: float, error_payload: str | None, mocked: bool, logs: str
    ) -> None:
        error = json.loads(error_payload)["errorType"] if error_payload else None
        self.invocations.append(
            Invocation(function.name, state, started, time.monotonic() - started, error, mocked, logs.splitlines())
        )

    def emf_metrics(self, invocations: list[Any] | None = None) -> list[dict[str, Any]]:
        """Every Embedded Metric Format document the handlers printed (in `invocations`, default all)."""
        documents = []
        for invocation in self.invocations if invocations is None else invocations:
            for line in invocation.log_lines:
                if '"_aws"' not in line:
                    continue
                try:
                    document = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(document, dict) and "_aws" in document:
                    documents.append(document)
        return documents


def _error_payload(error: BaseException) -> dict[str, Any]:
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(type(error), error, error.__traceback__)[-3:],
    }
