"""The embedded AWS account: one process that is AWS for the offline run.

It hosts moto's server on a free loopback port, fills the gaps between moto and AWS that the
Terraform provider and the handlers meet (scripts/offline/gaps.py, one function per API), runs
every deployed Lambda function in warm worker processes (scripts/offline/lambda_runtime.py) and
runs Amazon States Language with waits scaled by `time_scale` (scripts/offline/interpreter.py).
Everything else is a client over HTTP: Terraform (the provider's endpoints), the runner, the
tests, a second terminal with the AWS CLI.

It also serves the Bedrock runtime APIs the agent functions call (scripts/offline/bedrock.py).
Beside the AWS APIs it serves a few read-only views under /_offline/ for what AWS delivers through
other channels: the e-mail an SNS e-mail subscription would receive, the events put on each bus,
and each Lambda invocation (also written to the function's log group). Fault injection follows
Step Functions Local: load a MockConfigFile (and/or model faults, scripts/offline/model_faults.py),
then StartExecution with `<stateMachineArn>#<TestCase>`.

  python -m scripts.offline.account up       # start one in the background (out/offline/account/)
  python -m scripts.offline.account up --deploy pilot --background   # and apply pilot into it, without waiting
  python -m scripts.offline.account status
  python -m scripts.offline.account down

One process is one account (moto reads MOTO_PORT per process): separate accounts, for instance
one per environment in the tests, are separate processes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from scripts.offline import sdk_sessions

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WORK_DIR = REPO_ROOT / "out" / "offline" / "account"
ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "us-east-1"
# The access key of the IAM user `offline-deployer`, an administrator the account creates when it
# starts (scripts/offline/authorizer.py): Terraform and the runner sign with it.
DEPLOYER_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAOFFLINEDEPLOYER0", "AWS_SECRET_ACCESS_KEY": "offline-deployer-secret"}
CONTROL_PREFIX = "/_offline/"
START_TIMEOUT_S = 60.0


class AccountError(RuntimeError):
    """The embedded account could not be started or reached."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the account process --------------------------------------------------------------------


@dataclass
class Recorded:
    """Append-only logs of what AWS would deliver elsewhere; clients read them from an index."""

    mailbox: list[dict[str, Any]] = field(default_factory=list)
    bus_events: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, item: dict[str, Any]) -> None:
        with self.lock:
            getattr(self, kind).append(item)


class EmbeddedAccount:
    """Runs in the account process: call `serve` (blocks) or `start`/`stop` (tests)."""

    def __init__(self, work_dir: Path, time_scale: float = 0.0, port: int | None = None) -> None:
        self.work_dir = work_dir
        self.time_scale = time_scale
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.id = uuid.uuid4().hex
        self.recorded = Recorded()
        self.retries = RetriedCalls(name_of=self.call_name)
        self.mock_config: dict[str, Any] | None = None
        self.model_faults: dict[str, Any] | None = None
        self.runtime = None
        self.bedrock = None
        self.authorizer = None
        self.front_doors = None
        self.queued_invokes = QueuedInvokes()
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> EmbeddedAccount:
        # Before any thread starts: moto's Step Functions interpreter reads MOTO_PORT on each
        # service-integration call it makes.
        os.environ["MOTO_PORT"] = str(self.port)
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
        from moto.core.config import default_user_config
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from scripts.offline import gaps, interpreter
        from scripts.offline.lambda_runtime import LambdaRuntime

        default_user_config["stepfunctions"] = {"execute_state_machine": True}
        self.work_dir.mkdir(parents=True, exist_ok=True)
        from scripts.offline.authorizer import Authorizer

        self.authorizer = Authorizer(
            ACCOUNT_ID,
            REGION,
            execution_of_token=lambda token: self.runtime.issued_tokens.get(token),
            execution_of_trace=lambda root: self.runtime.execution_of_trace(root),
        )
        self.authorizer.create_deployer(DEPLOYER_CREDENTIALS["AWS_ACCESS_KEY_ID"], DEPLOYER_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
        self.runtime = LambdaRuntime(self.endpoint, self.work_dir, self.authorizer.credentials_for).install()
        from scripts.offline.bedrock import BedrockRuntime

        self.bedrock = BedrockRuntime(
            ACCOUNT_ID, REGION, execution_of_trace=self.runtime.execution_of_trace, time_scale=lambda: self.time_scale
        )
        from scripts.offline.front_door import FrontDoors

        self.front_doors = FrontDoors(ACCOUNT_ID, REGION, self.runtime.invoke, self.authorizer)
        interpreter.apply(self.time_scale)
        interpreter.sign_integrations_as_the_execution_role(self.authorizer.credentials_for, self.runtime.trace_id)
        gaps.install(self)

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:  # a line per request would drown the log
                pass

        app = _ControlRoutes(DomainDispatcherApplication(create_backend_app), self)
        self._server = make_server("127.0.0.1", self.port, app, threaded=True, request_handler=QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="embedded-aws", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self.runtime is not None:
            self.runtime.close()

    def status(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "endpoint": self.endpoint,
            "account_id": ACCOUNT_ID,
            "region": REGION,
            "pid": os.getpid(),
            "time_scale": self.time_scale,
            "retries_replayed": self.retries.replayed,
            "queued_async_invokes": self.queued_invokes.pending,
        }

    def call_name(self, environ: dict[str, Any]) -> str:
        """`iam:CreateRole`: the API a request calls, for logs."""
        from scripts.offline.aws_operations import UnknownOperation, operation_of

        service = self.authorizer.caller_of(environ).service
        try:  # the body: _ControlRoutes has put it in a BytesIO
            return operation_of(service, environ, environ["wsgi.input"].getvalue()).action
        except UnknownOperation:
            return f"{service} {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"

    def set_time_scale(self, scale: float) -> None:
        from scripts.offline import interpreter

        interpreter.scale_waits(scale)
        self.time_scale = scale


class QueuedInvokes:
    """Asynchronous invokes Lambda has accepted and not yet finished (its event queue): a runner
    waits for none before it measures a run, as the library's upload events still run after the
    index first lists every document."""

    def __init__(self) -> None:
        self._pending = 0
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return self._pending

    def accepted(self) -> None:
        with self._lock:
            self._pending += 1

    def finished(self) -> None:
        with self._lock:
            self._pending -= 1


class _ControlRoutes:
    """WSGI middleware: /_offline/* is the account's own API, everything else goes to moto."""

    def __init__(self, moto_app: Any, account: EmbeddedAccount) -> None:
        self.moto_app = moto_app
        self.account = account

    def __call__(self, environ: dict[str, Any], start_response: Any):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(CONTROL_PREFIX):  # an AWS request: IAM decides first
            length = environ.get("CONTENT_LENGTH")
            # A chunked body without a length is read to its end (the server marks it terminated).
            body = environ["wsgi.input"].read(int(length) if length else -1 if environ.get("wsgi.input_terminated") else 0)
            environ["wsgi.input"] = io.BytesIO(body)
            if not length and body:
                environ["CONTENT_LENGTH"] = str(len(body))
            denied = self.account.authorizer.check(environ, body, self.account.authorizer.caller_of(environ))
            if denied is not None:
                status, headers, payload = denied
                start_response(f"{status} Denied", [*headers, ("Content-Length", str(len(payload))), ("Connection", "close")])
                return [payload]
        if self.account.bedrock.handles(path):  # moto serves no Bedrock runtime
            return self.account.bedrock(environ, start_response)
        if not path.startswith(CONTROL_PREFIX):
            return self.account.retries.answer(environ, _closing(start_response), self.moto_app)
        try:
            status, body = self._route(environ["REQUEST_METHOD"], path[len(CONTROL_PREFIX) :], environ)
        except (ValueError, KeyError) as error:
            status, body = 400, {"error": str(error)}
        payload = json.dumps(body, default=str).encode()
        start_response(f"{status} {'OK' if status < 400 else 'Error'}", [("Content-Type", "application/json")])
        return [payload]

    def _route(self, method: str, route: str, environ: dict[str, Any]) -> tuple[int, Any]:
        account = self.account
        query = dict(pair.split("=", 1) for pair in environ.get("QUERY_STRING", "").split("&") if "=" in pair)
        since = int(query.get("since", "0"))
        if method == "GET" and route == "status":
            return 200, account.status()
        if method == "GET" and route in ("mailbox", "bus_events"):
            with account.recorded.lock:
                return 200, getattr(account.recorded, route)[since:]
        if method == "GET" and route == "authorizations":
            return 200, account.authorizer.recorded(query.get("execution") and unquote(query["execution"]))
        if method == "GET" and route == "bedrock":
            return 200, account.bedrock.status()
        if method == "GET" and route == "invocations":
            return 200, [record.as_dict() for record in account.runtime.invocations[since:]]
        if method == "POST" and route == "http":  # a browser's request to a public URL (front_door.py)
            from scripts.offline.front_door import HttpRequest

            length = int(environ.get("CONTENT_LENGTH") or 0)
            return 200, account.front_doors.serve(HttpRequest.from_dict(json.loads(environ["wsgi.input"].read(length))))
        if method == "POST" and route == "recycle":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            return 200, {"retired": account.runtime.recycle(body.get("function"))}
        if method == "POST" and route == "warm":
            from moto.awslambda.models import lambda_backends

            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            function = lambda_backends[ACCOUNT_ID][REGION].get_function(body["function"])
            return 200, {"sandboxes": account.runtime.warm(function, int(body["count"]))}
        if method == "PUT" and route in ("mock-config", "model-faults", "time-scale", "bedrock"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"null")
            if route == "time-scale":
                account.set_time_scale(float(body))
                return 200, account.status()
            if route == "bedrock":
                return 200, account.bedrock.register(body)
            if route == "model-faults":
                from scripts.offline.model_faults import parse_document as parse_model_faults

                parse_model_faults(body, "model faults")  # refuse a malformed file before any execution uses it
                account.model_faults = body
                return 200, {"test_cases": sorted(body["TestCases"])}
            from scripts.offline.mock_config import parse_document, test_case_names

            parse_document(body, "mock config")  # refuse a malformed file before any execution uses it
            account.mock_config = body
            return 200, {"test_cases": test_case_names(body)}
        return 404, {"error": f"no route {method} {CONTROL_PREFIX}{route}"}


class RetriedCalls:
    """At most one execution per SDK call, as AWS's own clients assume.

    The Go SDK (Terraform's provider) and botocore send every attempt of one call with the same
    `amz-sdk-invocation-id` and count it in `amz-sdk-request: attempt=N`. A client retries when it
    did not get an answer it could read: the attempt may still have run. Run twice, a create answers
    409 (CreateRole: EntityAlreadyExists) and Terraform, which never learned the first attempt
    succeeded, loses track of what it made. So a retry waits for the earlier attempt and, when that
    one ended with an answer the client would not itself retry, gets the same answer; after a 5xx or a
    throttle it runs again, as on AWS. Reads (GET, HEAD) simply run again. Each replay is logged.
    """

    REMEMBERED_S = 300.0  # the SDKs' backoff between attempts is at most 20 s

    def __init__(self, name_of: Callable[[dict[str, Any]], str]) -> None:
        self._calls: OrderedDict[str, _Call] = OrderedDict()
        self._lock = threading.Lock()
        self._name_of = name_of
        self.replayed = 0

    def answer(self, environ: dict[str, Any], start_response: Any, app: Any) -> Iterable[bytes]:
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation or environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return app(environ, start_response)
        with self._lock:
            now = time.monotonic()
            while self._calls and next(iter(self._calls.values())).started < now - self.REMEMBERED_S:
                self._calls.popitem(last=False)
            call = self._calls.get(invocation)
            if call is None:
                call = self._calls[invocation] = _Call(started=now)
        with call.lock:  # a retry that overtook its first attempt waits for it
            if call.status is not None and not _retryable(call.status):
                with self._lock:
                    self.replayed += 1
                print(
                    f"retried call answered from its earlier attempt: {self._name_of(environ)} "
                    f"({environ.get('HTTP_AMZ_SDK_REQUEST', '')}; {time.monotonic() - call.started:.1f} s after the first; "
                    f"earlier answer {call.status})",
                    file=sys.stderr,
                    flush=True,
                )
                start_response(call.status, call.headers)
                return [call.body]
            captured: dict[str, Any] = {}

            def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                captured.update(status=status, headers=headers)
                return start_response(status, headers, exc_info)

            chunks = app(environ, capture)
            try:
                body = b"".join(chunks)
            finally:
                getattr(chunks, "close", lambda: None)()
            call.status, call.headers, call.body = captured["status"], captured["headers"], body
            return [body]


@dataclass
class _Call:
    started: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    status: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def _retryable(status: str) -> bool:
    """What an AWS SDK retries by its status alone: server errors and throttling."""
    code = int(status.split(" ", 1)[0])
    return code >= 500 or code == 429


def _closing(start_response: Any) -> Any:
    """Every response closes its connection. Under load the dev server and a client's keep-alive
    pool race (a request on a connection being closed): the Go SDK then retries a CreateFunction
    that moto already ran, and Terraform fails with a 409. A new loopback connection per request
    costs microseconds and removes that race; RetriedCalls answers any retry that still comes."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
        headers = [(name, value) for name, value in headers if name.lower() != "connection"]
        return start_response(status, [*headers, ("Connection", "close")], exc_info)

    return start


def write_state_file(state_file: Path, state: dict[str, Any]) -> None:
    """Write the state file whole or not at all: `start` polls it with `connect` while the account
    comes up, and a reader that opens it between truncate and write would find it empty."""
    partial = state_file.with_name(f".{state_file.name}.{os.getpid()}")
    partial.write_text(json.dumps(state), encoding="utf-8")
    os.replace(partial, state_file)


def serve(work_dir: Path, time_scale: float) -> None:
    """The account process's main: start, write the state file, run until SIGTERM/SIGINT."""
    account = EmbeddedAccount(work_dir, time_scale).start()
    state_file = work_dir / "account.json"
    write_state_file(state_file, account.status())
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    try:
        stopped.wait()
    finally:
        account.stop()
        if state_file.is_file() and json.loads(state_file.read_text(encoding="utf-8")).get("id") == account.id:
            state_file.unlink()


# --- clients --------------------------------------------------------------------------------


@dataclass
class AccountClient:
    """A client of a running account: boto3 clients for it, and its /_offline/ views."""

    endpoint: str
    id: str
    pid: int
    account_id: str = ACCOUNT_ID
    region: str = REGION
    process: subprocess.Popen | None = None  # set when this client started the account

    def session(self):
        import boto3

        return boto3.Session(
            aws_access_key_id=DEPLOYER_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DEPLOYER_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=self.region,
            botocore_session=sdk_sessions.botocore_session(),
        )

    def client(self, service: str):
        return self.session().client(service, endpoint_url=self.endpoint)

    def control(self, method: str, route: str, body: Any = None, timeout: float = 30.0) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.endpoint}{CONTROL_PREFIX}{route}", data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read() or b"{}").get("error", error.reason)
            raise AccountError(f"{method} {CONTROL_PREFIX}{route}: {detail}") from None
        except OSError as error:
            raise AccountError(f"the embedded account at {self.endpoint} does not answer: {error}") from None

    def environment(self) -> dict[str, str]:
        """Variables that point an AWS SDK or the AWS CLI at this account, as the deployer."""
        return {
            **DEPLOYER_CREDENTIALS,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    def close(self) -> None:
        """Stop the account if this client started it; an account started by `up` keeps running."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def connect(work_dir: Path = DEFAULT_WORK_DIR) -> AccountClient | None:
    """The account whose state file is in `work_dir`, if it is alive."""
    state_file = work_dir / "account.json"
    if not state_file.is_file():
        return None
    state = json.loads(state_file.read_text(encoding="utf-8"))
    client = AccountClient(state["endpoint"], state["id"], state["pid"], state["account_id"], state["region"])
    try:
        if client.control("GET", "status", timeout=5)["id"] != client.id:
            return None
    except AccountError:
        return None
    return client


def start(work_dir: Path, time_scale: float = 0.0, detach: bool = False) -> AccountClient:
    """Start an account process with its state in `work_dir` and wait until it answers."""
    work_dir.mkdir(parents=True, exist_ok=True)
    state_file = work_dir / "account.json"
    state_file.unlink(missing_ok=True)
    log = (work_dir / "account.log").open("a", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.offline.account", "serve", "--work-dir", str(work_dir), "--time-scale", str(time_scale)],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=detach,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AccountError(
                f"the embedded account exited at start (exit {process.returncode}); see {work_dir / 'account.log'}"
            )
        client = connect(work_dir)
        if client is not None:
            client.process = None if detach else process
            return client
        time.sleep(0.1)
    process.kill()
    raise AccountError(f"the embedded account did not answer within {START_TIMEOUT_S:.0f} s; see {work_dir / 'account.log'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.offline.account", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("up", "down", "status", "serve"))
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="where the account keeps its state")
    parser.add_argument("--time-scale", type=float, default=0.0, help="Wait/retry/timeout time × X (default 0: no waiting)")
    parser.add_argument("--deploy", metavar="ENV", help="with up: terraform apply envs/ENV.tfvars into the account")
    parser.add_argument("--background", action="store_true", help="with --deploy: return at once; the apply goes on")
    args = parser.parse_args(argv)
    args.work_dir = args.work_dir.resolve()
    if args.command == "serve":
        serve(args.work_dir, args.time_scale)
        return 0
    running = connect(args.work_dir)
    if args.command == "up":
        client = running or start(args.work_dir, args.time_scale, detach=True)
        print(f"embedded AWS account {client.account_id} at {client.endpoint} (pid {client.pid}); `make down` stops it")
        if args.deploy and args.background:
            log = args.work_dir / f"deploy-{args.deploy}.log"
            command = [
                sys.executable,
                "-m",
                "scripts.offline.account",
                "up",
                "--work-dir",
                str(args.work_dir),
                "--deploy",
                args.deploy,
            ]
            with log.open("w", encoding="utf-8") as output:
                subprocess.Popen(command, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
            print(f"applying {args.deploy} in the background (log: {log})")
        elif args.deploy:
            from scripts.offline.deploy import StackDeployer

            deployments = args.work_dir.parent / "deployments" / f"{client.id[:12]}-{args.deploy}"
            StackDeployer(client, args.deploy, work_dir=deployments).apply(progress=print)
        return 0
    if args.command == "status":
        print(json.dumps(running.control("GET", "status"), indent=2) if running else "no embedded account is running")
        return 0 if running else 1
    if running:
        os.kill(running.pid, signal.SIGTERM)
        print(f"stopped the embedded account (pid {running.pid})")
    else:
        print("no embedded account is running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
