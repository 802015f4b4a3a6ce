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
"""

from __future__ import annotations

import time
from types import SimpleNamespace

from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_callback
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackOutcomeTimedOut
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped
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


def apply(scale: float) -> None:
    scale_waits(scale)
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
