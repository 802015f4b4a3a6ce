"""The few places where the offline run reaches into moto's ASL interpreter, in one module.

- Waits: the interpreter sleeps for real between retries and polls callback tasks every 0.5 s.
  We swap the `time` name inside those two interpreter modules only (never the global
  `time.sleep`) for a proxy whose sleep is scaled.
- A callback race: a task token enters the callback pool before its heartbeat endpoint exists,
  so an answer arriving in between never wakes a task that has HeartbeatSeconds. A person never
  answers that fast; the scripted reviewer does, so the wait first looks for an answer.
- Callback helpers: whether a token is registered yet, and timing a callback out on purpose
  (what the interpreter itself does when TimeoutSeconds passes).
- A stopped execution whose task waits for a token with HeartbeatSeconds keeps its thread asleep
  until the heartbeat is due (a day here); StopExecution wakes it, and the task's failure on
  waking no longer overwrites the stop: the execution ends ABORTED, as on AWS.
- JSONPath parsed once per path: the interpreter evaluates a state's paths (InputPath,
  ResultPath, Parameters' `.$` fields, ...) with jsonpath_ng, which builds a new yacc parser for
  every evaluation; a 200-source run parses the same few dozen paths thousands of times, a tenth
  of the account's CPU. A parsed path is an immutable tree (find/update never change it), so the
  same one serves every evaluation and every thread.
- Integrations signed with fixed keys: the interpreter signs every service integration (Lambda
  invoke, DynamoDB, EventBridge, ...) with the keys "ak"/"sk". Step Functions makes them as the
  state machine's execution role; here each client the interpreter creates signs with that role's
  credentials (the role of the execution whose state is being evaluated), so IAM decides them.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import boto3
from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_callback
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackOutcomeTimedOut
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

_CALLBACK_POLL_SECONDS = 0.5  # moto's own value; scaled like any other wait
_Callback = state_task_service_callback.StateTaskServiceCallback
_original_heartbeat_wait = _Callback._wait_for_task_token_heartbeat
_original_set_error = Environment.set_error


def _scaled_clock(scale: float) -> SimpleNamespace:
    def sleep(seconds: float) -> None:
        time.sleep(max(0.0, seconds * scale))

    return SimpleNamespace(sleep=sleep, time=time.time, monotonic=time.monotonic, perf_counter=time.perf_counter)


def scale_waits(scale: float) -> None:
    """Scale retry back-off and callback polling by `scale` (1.0 = real time)."""
    if scale < 0:
        raise ValueError("time scale must be >= 0")
    clock = _scaled_clock(scale)
    retrier_decl.time = clock
    state_task_service_callback.time = clock
    # At least 5 ms between polls so a waiting callback task doesn't spin a core.
    state_task_service_callback._DELAY_SECONDS_SYNC_CONDITION_CHECK = max(0.005, _CALLBACK_POLL_SECONDS * scale)


def _heartbeat_wait_that_sees_early_answers(self, env, callback_endpoint, heartbeat_endpoint):
    outcome = callback_endpoint.get_outcome()
    if outcome is not None:
        return outcome
    return _original_heartbeat_wait(self, env, callback_endpoint, heartbeat_endpoint)


def _set_error_unless_stopped(self, error) -> None:
    if isinstance(self.program_state(), ProgramStopped):
        return  # a stopped execution stays stopped: what its tasks do while unwinding is moot
    _original_set_error(self, error)


def _parse_once(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    if hasattr(parse, "cache_info"):  # applied already (a second account in this process)
        return parse
    return functools.lru_cache(maxsize=4096)(parse)


def apply(scale: float) -> None:
    scale_waits(scale)
    json_path.parse = _parse_once(json_path.parse)
    result_path.parse = _parse_once(result_path.parse)
    _Callback._wait_for_task_token_heartbeat = _heartbeat_wait_that_sees_early_answers
    Environment.set_error = _set_error_unless_stopped


def _running_pools(region: str, account: str):
    backend = stepfunctions_parser_backends[account][region]
    for execution in backend._get_executions(ExecutionStatus.RUNNING):
        yield execution.exec_worker.env.callback_pool_manager


def callback_ready(token: str, region: str, account: str, heartbeat: bool) -> bool:
    """True once a `.waitForTaskToken` task waits on `token`, so SendTask* calls will be heard.

    With HeartbeatSeconds the endpoint gets its heartbeat half a moment after it enters the pool;
    a SendTaskHeartbeat in between is refused as an invalid token.
    """
    for pool in _running_pools(region, account):
        endpoint = pool._pool.get(token)
        if endpoint is not None and (not heartbeat or endpoint._heartbeat_endpoint is not None):
            return True
    return False


def time_out_callback(token: str, region: str, account: str) -> bool:
    """End the task waiting on `token` with States.Timeout, as its TimeoutSeconds would."""
    for pool in _running_pools(region, account):
        if pool.notify(token, CallbackOutcomeTimedOut(callback_id=token)):
            return True
    return False


def finish_stop(execution_arn: str, error: str | None, cause: str | None, region: str, account: str) -> None:
    """After StopExecution: keep the stop's error and cause for DescribeExecution (AWS shows them;
    moto drops them) and wake every callback task so the interpreter sees the stop now."""
    backend = stepfunctions_parser_backends[account][region]
    for execution in backend._get_executions():
        if execution.exec_arn == execution_arn and execution.exec_worker is not None:
            execution.error, execution.cause = error, cause
            for endpoint in list(execution.exec_worker.env.callback_pool_manager._pool.values()):
                endpoint.notify_heartbeat()


_INTEGRATION_MODULES = (
    "moto.stepfunctions.parser.asl.utils.boto_client",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils",
    *(
        f"moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_{name}"
        for name in ("aws_sdk", "batch", "dynamodb", "ecs", "events", "glue", "sfn", "sns", "sqs", "unsupported")
    ),
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval.resource_eval_s3",
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.resource_eval.resource_eval_s3",
)


def _execution() -> tuple[str, str] | None:
    """(role, execution ARN) of the execution whose state is being evaluated: the ASL evaluator
    passes `env` down every call, and its context object names the execution and its role."""
    frame = sys._getframe(2)
    while frame is not None:
        env = frame.f_locals.get("env")
        if isinstance(env, Environment):
            execution = env.states.context_object.context_object_data["Execution"]
            return (execution["RoleArn"], execution["Id"]) if execution.get("RoleArn") else None
        frame = frame.f_back
    return None


def sign_integrations_as_the_execution_role(
    credentials_for: Callable[[str, str], dict[str, str]], trace_for: Callable[[str], str]
) -> None:
    """`credentials_for(role ARN, session)`: the role's credentials; `trace_for(execution ARN)`: the
    X-Ray trace header the integration carries (Step Functions passes it on), naming the execution.
    Clients are kept per role and service (moto makes a new one per call); the trace header is the
    calling thread's, set when the client is handed out for a call."""
    modules = [importlib.import_module(name) for name in _INTEGRATION_MODULES]
    original = modules[0].boto_client_for
    clients: dict[tuple[str, str, str], Any] = {}
    current = threading.local()
    lock = threading.Lock()

    def add_trace(request, **_) -> None:
        trace = getattr(current, "trace", None)
        if trace:
            request.headers["X-Amzn-Trace-Id"] = trace

    def boto_client_for(region: str, service: str, state_credentials=None):
        found = _execution()
        if found is None:
            return original(region, service, state_credentials)
        role, execution_arn = found
        current.trace = trace_for(execution_arn)
        with lock:
            client = clients.get((role, region, service))
            if client is None:
                template = original(region, service, state_credentials)
                credentials = credentials_for(role, "states")
                client = boto3.client(
                    service,
                    region_name=region,
                    endpoint_url=template.meta.endpoint_url,
                    aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
                    aws_session_token=credentials["AWS_SESSION_TOKEN"],
                    config=template.meta.config,
                )
                client.meta.events.register("before-sign", add_trace)
                clients[(role, region, service)] = client
        return client

    for module in modules:
        if getattr(module, "boto_client_for", None) is original:
            module.boto_client_for = boto_client_for
