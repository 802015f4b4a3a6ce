"""One warm Lambda execution environment of the embedded account: a process per concurrent
execution of a function, as Lambda gives each one its own sandbox.

Started by scripts/offline/lambda_runtime.py with exactly the environment Lambda gives the
function (its configured variables, credentials, AWS_REGION, AWS_LAMBDA_*, and the endpoint
variables that point the SDK at the embedded account) and its code and layers on the import path.
It imports the handler once (the cold start), then serves invocations one at a time:

    request  (stdin, one JSON line):  {"event": ..., "request_id": "...", "arn": "<invoked function ARN>", "trace_id": "Root=..."}
    response (fd of the original stdout, one JSON line): {"payload": ..., "error": {...} | null, "logs": "..."}

What the handler prints (Powertools logs, EMF metrics) is captured per invocation and returned as
`logs`, as Lambda sends a function's output to its log stream.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any


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
    log_stream_name: str = "offline"
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


class _InvocationOutput(io.TextIOBase):
    """sys.stdout and sys.stderr of the handler: Powertools binds its log handler to the stream at
    import, so the stream stays and only its buffer changes per invocation."""

    def __init__(self) -> None:
        self.buffer_ = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer_.write(text)

    def flush(self) -> None:
        pass

    def take(self) -> str:
        text, self.buffer_ = self.buffer_.getvalue(), io.StringIO()
        return text


def error_payload(error: BaseException) -> dict[str, Any]:
    """What Lambda returns for an unhandled exception: Step Functions matches errorType by name."""
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(type(error), error, error.__traceback__)[-3:],
    }


def _load_handler(handler: str):
    module_name, _, function_name = handler.rpartition(".")
    return getattr(importlib.import_module(module_name), function_name)


def serve(requests, responses, handler_path: str) -> None:
    output = _InvocationOutput()
    sys.stdout = sys.stderr = output
    init_error = None
    try:
        handler = _load_handler(handler_path)
    except ImportError as error:  # a module neither the zip, its layers nor the runtime holds
        module = handler_path.rpartition(".")[0]
        handler, init_error = (
            None,
            {
                "errorType": "Runtime.ImportModuleError",
                "errorMessage": f"Unable to import module '{module}': {error}",
                "stackTrace": [],
            },
        )
    except Exception as error:  # noqa: BLE001 - Lambda reports an init failure on every invoke
        handler, init_error = None, error_payload(error)
    name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    memory = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
    timeout = int(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
    print(json.dumps({"ready": True, "init_logs": output.take()}), file=responses, flush=True)
    for line in requests:
        request = json.loads(line)
        context = LambdaContext(name, request.get("arn", name), memory, timeout, os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", ""))
        context.aws_request_id = request.get("request_id") or context.aws_request_id
        # As Lambda's runtime does per invocation; botocore sends it on every call (X-Amzn-Trace-Id).
        os.environ["_X_AMZN_TRACE_ID"] = request.get("trace_id") or ""
        payload, error = None, init_error
        if handler is not None:
            try:
                payload = handler(request["event"], context)
            except Exception as raised:  # noqa: BLE001 - every handler error goes back to the caller
                error = error_payload(raised)
        try:
            text = json.dumps({"payload": payload, "error": error, "logs": output.take()}, default=str)
        except (TypeError, ValueError) as unserialisable:
            text = json.dumps({"payload": None, "error": error_payload(unserialisable), "logs": output.take()})
        print(text, file=responses, flush=True)


def main() -> None:
    # The protocol owns the real stdin/stdout; the handler gets its own captured streams.
    requests = io.TextIOWrapper(os.fdopen(os.dup(0), "rb"), encoding="utf-8")
    responses = io.TextIOWrapper(os.fdopen(os.dup(1), "wb"), encoding="utf-8", write_through=True)
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):
        serve(requests, responses, sys.argv[1])


if __name__ == "__main__":
    main()
