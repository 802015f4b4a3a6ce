"""Lambda inside the embedded account: every invoke of a deployed function runs its real code in a
warm worker process of its own (scripts/offline/lambda_worker.py), as Lambda does.

- A function gets the environment Terraform configured plus what the Lambda service adds
  (credentials, AWS_REGION, AWS_LAMBDA_*) and AWS_ENDPOINT_URL pointing the SDK at the account
  (its Bedrock runtime APIs included). Nothing else of this process leaks into it, and no process
  environment is ever changed.
- Its zip and its layers' python/ folders are unpacked from what was deployed (CreateFunction,
  PublishLayerVersion) and put on the worker's import path.
- Workers are reused like warm containers; a function runs at most its reserved concurrency at
  once, and an invoke beyond it answers TooManyRequestsException (HTTP 429), as AWS does.
- An invocation that outlives the function's timeout is killed and reported as Lambda reports it.
- Mocked responses (Step Functions Local's MockConfigFile format) replace the invocation for the
  execution that asked for a test case; see scripts/offline/mock_config.py.
- Each invocation is recorded (function, state, duration, error, logs) and its output written to
  the function's CloudWatch log group, with START/END/REPORT lines as Lambda writes them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction, lambda_backends
from moto.core.exceptions import JsonRESTError

from scripts.offline.mock_config import MockedResponse, TestCase

WORKER = Path(__file__).with_name("lambda_worker.py")
UNRESERVED_LOCAL_LIMIT = 10  # workers for a function without reserved concurrency (AWS: the account's pool)
WARM_STARTS_AT_ONCE = 4  # sandboxes `warm` starts side by side (each start is mostly imports: CPU)
WARM_ROUNDS = 3
RUNTIME_VERSION = "python3.12"
# What the python3.12 runtime itself puts on the import path (/var/runtime): the AWS SDK and its
# dependencies. Nothing else of this machine's environment is importable by a function: what its
# code needs beyond these comes from its zip or its layers, or its cold start fails as on AWS.
RUNTIME_LIBRARIES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")


class ServiceException(JsonRESTError):
    """Lambda could not run the function (its sandbox failed to start): AWS answers HTTP 500
    ServiceException, which Step Functions retries as Lambda.ServiceException."""

    code = 500

    def __init__(self, message: str) -> None:
        super().__init__("ServiceException", message)


class TooManyRequests(JsonRESTError):
    """The function is at its reserved concurrency: Lambda throttles the invoke."""

    code = 429

    def __init__(self, function_name: str, limit: int) -> None:
        super().__init__(
            "TooManyRequestsException",
            f"Rate Exceeded. {function_name} is at its reserved concurrency ({limit}).",
        )
        self.description = json.dumps(
            {"Type": "User", "message": self.message, "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"}
        )


_TRACE_ROOT = re.compile(r"(?:^|;)Root=([^;]+)")


def trace_root(environ: dict[str, Any]) -> str | None:
    """The X-Ray trace root a request carries (botocore sends the invocation's `_X_AMZN_TRACE_ID`)."""
    found = _TRACE_ROOT.search(environ.get("HTTP_X_AMZN_TRACE_ID", ""))
    return found.group(1) if found else None


@dataclass
class Invocation:
    """One call of a function, as the account recorded it."""

    function: str
    state: str | None
    execution_arn: str | None
    started: float
    duration_s: float
    error: str | None
    mocked: bool
    log_lines: list[str]
    request_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def runtime_libraries(work_dir: Path) -> Path:
    """A folder holding only RUNTIME_LIBRARIES (links to this machine's copies), made once."""
    folder = work_dir / "runtime-libraries"
    if not folder.is_dir():
        partial = work_dir / f".runtime-libraries.{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for name in RUNTIME_LIBRARIES:
            spec = importlib.util.find_spec(name)
            if spec is None or spec.origin is None:
                raise RuntimeError(f"{name} is not installed: run `make setup`")
            origin = Path(spec.origin)
            source = origin.parent if origin.name == "__init__.py" else origin
            (partial / source.name).symlink_to(source)
        try:
            partial.rename(folder)
        except OSError:  # another thread made it first
            shutil.rmtree(partial, ignore_errors=True)
    return folder


@dataclass(frozen=True)
class FunctionImage:
    """What a worker is started from; a changed deployment is a new image (and new workers)."""

    name: str
    arn: str
    handler: str
    code_sha: str
    memory_mb: int
    timeout_s: int
    environment: tuple[tuple[str, str], ...]
    layers: tuple[str, ...]
    reserved: int | None
    region: str
    account_id: str
    role: str


class Worker:
    """A started worker process; `call` is one invocation (one at a time per worker)."""

    def __init__(self, image: FunctionImage, environment: dict[str, str], log_path: Path) -> None:
        self.image = image
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            # -S: no site-packages; the import path is the function's (PYTHONPATH, runtime_libraries).
            [sys.executable, "-S", "-P", str(WORKER), image.handler],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=environment,
            cwd=environment["LAMBDA_TASK_ROOT"],
        )
        ready = self._read_line(120.0)
        if ready is None:
            self.close()
            raise RuntimeError(f"worker for {image.name} did not start (see {log_path})")
        self.init_logs = json.loads(ready).get("init_logs", "")

    def _read_line(self, timeout_s: float) -> bytes | None:
        assert self.process.stdout is not None
        readable, _, _ = select.select([self.process.stdout], [], [], timeout_s)
        if not readable:
            return None
        line = self.process.stdout.readline()
        return line or None

    def call(self, event: Any, request_id: str, timeout_s: float, trace_id: str) -> dict[str, Any] | None:
        """The worker's answer, or None if it did not answer within the timeout (it is then killed)."""
        assert self.process.stdin is not None
        request = json.dumps({"event": event, "request_id": request_id, "arn": self.image.arn, "trace_id": trace_id}) + "\n"
        try:
            self.process.stdin.write(request.encode("utf-8"))
            self.process.stdin.flush()
        except BrokenPipeError:
            return None
        line = self._read_line(timeout_s)
        if line is None:
            self.close()
            return None
        return json.loads(line)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


@dataclass
class Pool:
    image: FunctionImage
    idle: list[Worker] = field(default_factory=list)
    busy: int = 0
    lock: threading.Condition = field(default_factory=threading.Condition)


class LambdaRuntime:
    """Owns the workers of every function and the hook through which moto invokes them."""

    def __init__(self, endpoint: str, work_dir: Path, credentials_for: Callable[[str, str], dict[str, str]]) -> None:
        self.endpoint = endpoint
        self.work_dir = work_dir
        self.credentials_for = credentials_for  # (execution role ARN, session name) -> the role's credentials
        self.invocations: list[Invocation] = []
        self.mocked_callback: Callable[[str, MockedResponse], None] | None = None
        self._pools: dict[str, Pool] = {}
        self._test_cases: dict[str, TestCase] = {}
        self.issued_tokens: dict[str, str | None] = {}  # task token handed to a function -> its execution
        self._trace_executions: dict[str, str] = {}  # X-Ray trace root -> execution ARN
        self._lock = threading.Lock()
        self._original = None

    # -- wiring ---------------------------------------------------------------------------------
    def install(self) -> LambdaRuntime:
        runtime = self

        def _invoke_lambda(function: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
            return runtime.invoke(function, event)

        self._original = LambdaFunction._invoke_lambda
        LambdaFunction._invoke_lambda = _invoke_lambda
        return self

    def close(self) -> None:
        if self._original is not None:
            LambdaFunction._invoke_lambda = self._original
        for pool in self._pools.values():
            for worker in pool.idle:
                worker.close()
        self._pools.clear()

    def recycle(self, function_name: str | None = None) -> int:
        """Retire the idle sandboxes of one function (or all), as Lambda recycles them: the next
        invocation starts cold and runs the handler's initialisation again. Returns how many."""
        retired = 0
        with self._lock:
            pools = [pool for pool in self._pools.values() if function_name in (None, pool.image.name)]
        for pool in pools:
            with pool.lock:
                idle, pool.idle = pool.idle, []
            for worker in idle:
                worker.close()
                retired += 1
        return retired

    def warm(self, function: LambdaFunction, count: int) -> int:
        """Start idle sandboxes of a function until it has `count` (at most its concurrency), as a
        steady stream of requests leaves them; returns how many it has, idle or busy. A load test
        starts from here: on two cores a burst of cold starts runs one after another, on AWS side
        by side."""
        # Every sandbox not busy is taken at once, the idle ones first (a dead one is replaced) and
        # new ones for the rest, then all are released idle. An invocation beside the warm-up may end
        # with its sandbox retired, or a configuration change replace the function's sandboxes:
        # start again until it has them all.
        for _ in range(WARM_ROUNDS):
            pool = self._pool(self._image(function))
            limit = pool.image.reserved if pool.image.reserved is not None else UNRESERVED_LOCAL_LIMIT
            target = min(count, limit)
            with pool.lock:
                if len(pool.idle) + pool.busy >= target:
                    break
                wanted = target - pool.busy
            with ThreadPoolExecutor(max_workers=WARM_STARTS_AT_ONCE) as starts:
                workers = list(starts.map(self._acquire_if_free, [pool] * wanted))
            for worker in workers:
                if worker is not None:
                    self._release(pool, worker)
        with pool.lock:
            return len(pool.idle) + pool.busy

    def use_test_case(self, execution_arn: str, test_case: TestCase) -> None:
        with self._lock:
            self._test_cases[execution_arn] = test_case

    def execution_of_trace(self, root: str) -> str | None:
        """The execution whose invocation was given this X-Ray trace root (its SDK calls carry it)."""
        with self._lock:
            return self._trace_executions.get(root)

    def trace_id(self, execution: str | None) -> str:
        """A trace id in X-Ray's format, as Lambda sets `_X_AMZN_TRACE_ID` for each invocation."""
        root = f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"
        if execution:
            with self._lock:
                self._trace_executions[root] = execution
        return f"Root={root};Parent={uuid.uuid4().hex[:16]};Sampled=0"

    # -- one invocation -------------------------------------------------------------------------
    def invoke(self, function: LambdaFunction, raw_event: Any) -> tuple[str, bool, str]:
        """moto's contract: (response payload as JSON text, errored, log text)."""
        event = json.loads(raw_event) if isinstance(raw_event, str | bytes) else (raw_event or {})
        state = event.get("state") if isinstance(event, dict) else None
        execution = event.get("execution_arn") if isinstance(event, dict) else None
        if isinstance(event, dict) and isinstance(event.get("task_token"), str):
            self.issued_tokens[event["task_token"]] = event.get("execution_arn")
        started = time.time()
        test_case = self._test_cases.get(execution or "")
        mocked = test_case.next_response(state) if (test_case and state) else None
        if mocked is not None:
            payload, errored = self._mocked(event, mocked)
            self._record(function.function_name, state, execution, started, payload if errored else None, True, [], "")
            return payload, errored, ""
        image = self._image(function)
        pool = self._pool(image)
        worker = self._acquire(pool)
        started = time.time()  # the handler's time, as Lambda's Duration counts it (not the wait for a worker)
        request_id = str(uuid.uuid4())
        try:
            answer = worker.call(event, request_id, image.timeout_s, self.trace_id(execution))
        finally:
            self._release(pool, worker)
        if answer is None:
            error = {"errorType": "Sandbox.Timedout", "errorMessage": f"Task timed out after {image.timeout_s:.2f} seconds"}
            payload, errored, logs = json.dumps(error), True, ""
        elif answer.get("error"):
            payload, errored, logs = json.dumps(answer["error"]), True, answer.get("logs", "")
        else:
            payload, errored, logs = json.dumps(answer.get("payload"), default=str), False, answer.get("logs", "")
        lines = logs.splitlines()
        self._record(function.function_name, state, execution, started, payload if errored else None, False, lines, request_id)
        self._write_logs(image, request_id, started, lines, payload if errored else None)
        return payload, errored, logs

    def _mocked(self, event: dict[str, Any], response: MockedResponse) -> tuple[str, bool]:
        token = event.get("task_token")
        if token is not None:
            if self.mocked_callback is None:
                raise RuntimeError("a callback state is mocked but nothing answers mocked callbacks")
            self.mocked_callback(token, response)
            return json.dumps({"mocked": True}), False
        if response.is_throw:
            return json.dumps({"errorType": response.error, "errorMessage": response.cause}), True
        returned = response.returns
        if isinstance(returned, dict) and "Payload" in returned and "StatusCode" in returned:
            returned = returned["Payload"]
        return json.dumps(returned), False

    def _record(
        self,
        name: str,
        state: str | None,
        execution: str | None,
        started: float,
        error_payload: str | None,
        mocked: bool,
        lines: list[str],
        request_id: str,
    ) -> None:
        error = json.loads(error_payload).get("errorType") if error_payload else None
        record = Invocation(name, state, execution, started, time.time() - started, error, mocked, lines, request_id)
        with self._lock:
            self.invocations.append(record)

    # -- workers --------------------------------------------------------------------------------
    def _image(self, function: LambdaFunction) -> FunctionImage:
        reserved = function.reserved_concurrency
        return FunctionImage(
            name=function.function_name,
            arn=function.function_arn,
            handler=function.handler,
            code_sha=function.code_sha_256,
            memory_mb=int(function.memory_size),
            timeout_s=int(function.timeout),
            environment=tuple(sorted((function.environment_vars or {}).items())),
            layers=tuple(layer["Arn"] for layer in function.layers or []),
            reserved=int(reserved) if reserved not in (None, "") else None,
            region=function.region,
            account_id=function.account_id,
            role=function.role,
        )

    def _pool(self, image: FunctionImage) -> Pool:
        with self._lock:
            pool = self._pools.get(image.arn)
            if pool is None or pool.image != image:
                if pool is not None:  # redeployed: its warm workers run old code or settings
                    for worker in pool.idle:
                        worker.close()
                pool = self._pools[image.arn] = Pool(image)
            return pool

    def _acquire(self, pool: Pool) -> Worker:
        image = pool.image
        limit = image.reserved if image.reserved is not None else UNRESERVED_LOCAL_LIMIT
        with pool.lock:
            while not pool.idle and pool.busy >= limit:
                if image.reserved is not None:
                    raise TooManyRequests(image.name, limit)
                pool.lock.wait()
            pool.busy += 1
            worker = pool.idle.pop() if pool.idle else None
        if worker is not None and worker.alive():
            return worker
        log = self.work_dir / "logs" / f"{image.name}.log"
        try:
            return Worker(image, self._worker_environment(image), log)
        except Exception as error:  # noqa: BLE001 - the caller sees what AWS would: a service error
            with pool.lock:
                pool.busy -= 1
                pool.lock.notify()
            raise ServiceException(f"the sandbox of {image.name} did not start ({error}); see {log}") from None

    def _acquire_if_free(self, pool: Pool) -> Worker | None:
        """A sandbox, or None when an invocation took the last free one meanwhile."""
        try:
            return self._acquire(pool)
        except TooManyRequests:
            return None

    def _release(self, pool: Pool, worker: Worker) -> None:
        with pool.lock:
            pool.busy -= 1
            if worker.alive() and self._pools.get(pool.image.arn) is pool:
                pool.idle.append(worker)
            else:
                worker.close()
            pool.lock.notify()

    def _worker_environment(self, image: FunctionImage) -> dict[str, str]:
        code = self._unpack_code(image)
        layers = [self._unpack_layer(arn) for arn in image.layers]
        # Lambda's order: the function's code, its layers, then the runtime's own libraries.
        python_path = [str(code)] + [str(layer / "python") for layer in layers] + [str(runtime_libraries(self.work_dir))]
        environment = dict(image.environment)
        # What the Lambda service adds to every function's environment.
        environment.update(
            {
                "AWS_REGION": image.region,
                "AWS_DEFAULT_REGION": image.region,
                "AWS_LAMBDA_FUNCTION_NAME": image.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(image.memory_mb),
                "AWS_LAMBDA_FUNCTION_TIMEOUT": str(image.timeout_s),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{image.name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": f"offline/[$LATEST]{uuid.uuid4().hex}",
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{RUNTIME_VERSION}",
                "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
                "LAMBDA_TASK_ROOT": str(code),
                "LAMBDA_RUNTIME_DIR": str(Path(sys.executable).parent),
                "_HANDLER": image.handler,
                "LANG": "en_US.UTF-8",
                "TZ": ":UTC",
                "PATH": os.defpath,
                "PYTHONPATH": os.pathsep.join(python_path),
                "PYTHONDONTWRITEBYTECODE": "1",
                # The execution role's temporary credentials, as the Lambda service provides them.
                **self.credentials_for(image.role, image.name),
                # How a user points the SDK at any endpoint (botocore honours it for every service).
                "AWS_ENDPOINT_URL": self.endpoint,
                # Active tracing sends segments to an X-Ray daemon; the embedded account runs none,
                # so Powertools' Tracer is told to stay off (tests/lambda/test_tracing.py traces
                # every handler into a local daemon instead).
                "POWERTOOLS_TRACE_DISABLED": "true",
            }
        )
        return environment

    def _unpack_code(self, image: FunctionImage) -> Path:
        target = self.work_dir / "functions" / image.name / hashlib.sha256(image.code_sha.encode()).hexdigest()[:16]
        if not target.is_dir():
            function = lambda_backends[image.account_id][image.region].get_function(image.name)
            _extract(function.code_bytes, target)
        return target

    def _unpack_layer(self, arn: str) -> Path:
        _, _, _, region, account, _, name, version = arn.split(":")
        target = self.work_dir / "layers" / f"{account}-{name}-{version}"
        if not target.is_dir():
            layer = lambda_backends[account][region].layers_versions_by_arn(arn)
            if layer is None:
                raise RuntimeError(f"layer {arn} is not published in the embedded account")
            _extract(layer.code_bytes, target)
        return target

    # -- logs -----------------------------------------------------------------------------------
    def _write_logs(self, image: FunctionImage, request_id: str, started: float, lines: list[str], error: str | None) -> None:
        """The invocation in the function's log group, framed as Lambda frames it."""
        from moto.logs.models import logs_backends

        group = f"/aws/lambda/{image.name}"
        backend = logs_backends[image.account_id][image.region]
        if group not in backend.groups:
            return  # Terraform manages the group; without it Lambda would write nowhere
        stream = f"{time.strftime('%Y/%m/%d', time.gmtime(started))}/[$LATEST]offline"
        if stream not in backend.groups[group].streams:
            backend.create_log_stream(group, stream)
        now = int(time.time() * 1000)
        duration_ms = (time.time() - started) * 1000
        messages = [f"START RequestId: {request_id} Version: $LATEST", *lines]
        if error:
            messages.append(error)
        messages += [
            f"END RequestId: {request_id}",
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tMemory Size: {image.memory_mb} MB",
        ]
        backend.put_log_events(group, stream, [{"timestamp": now, "message": m} for m in messages])


def _extract(archive: bytes, target: Path) -> None:
    partial = target.with_name(target.name + f".partial-{uuid.uuid4().hex[:8]}")
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        opened.extractall(partial)
    try:
        partial.rename(target)
    except OSError:  # another worker unpacked it first
        import shutil

        shutil.rmtree(partial, ignore_errors=True)
