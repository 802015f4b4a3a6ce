"""Make the interpreter's waits fast without touching the process-wide `time.sleep`.

moto's ASL interpreter sleeps for real between retries (IntervalSeconds x BackoffRate^n) and polls
callback tasks every half second. We swap the `time` name inside those two interpreter modules only
for a proxy whose sleep is scaled; every other module keeps the real clock.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_callback

_CALLBACK_POLL_SECONDS = 0.5  # moto's own value; scaled like any other wait


def _scaled_clock(scale: float) -> SimpleNamespace:
    def sleep(seconds: float) -> None:
        time.sleep(max(0.0, seconds * scale))

    return SimpleNamespace(sleep=sleep, time=time.time, monotonic=time.monotonic, perf_counter=time.perf_counter)


def apply(scale: float) -> None:
    """Scale retry back-off and callback polling by `scale` (1.0 = real time)."""
    if scale < 0:
        raise ValueError("time scale must be >= 0")
    clock = _scaled_clock(scale)
    retrier_decl.time = clock
    state_task_service_callback.time = clock
    # At least 5 ms between polls so a waiting callback task doesn't spin a core.
    state_task_service_callback._DELAY_SECONDS_SYNC_CONDITION_CHECK = max(0.005, _CALLBACK_POLL_SECONDS * scale)
