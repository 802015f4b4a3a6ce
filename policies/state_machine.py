"""Step Functions state machines: execution logging, X-Ray tracing, STANDARD for callbacks."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rr_policy_lib import GUIDELINE_BASE, first, is_unresolved

CALLBACK_PATTERNS = (".waitForTaskToken",)


class StateMachineLogsExecutions(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="State machine logs executions at a level other than OFF",
            id="CKV_RR_101",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_sfn_state_machine"],
            guideline=f"{GUIDELINE_BASE} (CKV_RR_101): set logging_configuration with level ALL, ERROR or FATAL and a log_destination; "
            "without it a failed or timed-out execution leaves no trace outside the 90-day history.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        logging = first(conf.get("logging_configuration"))
        if not isinstance(logging, dict):
            return CheckResult.FAILED
        level = first(logging.get("level"))
        destination = first(logging.get("log_destination"))
        if not destination or level is None or str(level).upper() == "OFF":
            return CheckResult.FAILED
        return CheckResult.PASSED


class StateMachineTraces(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="State machine has X-Ray tracing enabled",
            id="CKV_RR_102",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_sfn_state_machine"],
            guideline=f"{GUIDELINE_BASE} (CKV_RR_102): add tracing_configuration {{ enabled = true }} so one trace follows "
            "an execution through every Lambda task.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        tracing = first(conf.get("tracing_configuration"))
        if isinstance(tracing, dict) and first(tracing.get("enabled")) is True:
            return CheckResult.PASSED
        return CheckResult.FAILED


class CallbackStateMachineIsStandard(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="State machine whose definition uses .waitForTaskToken is STANDARD",
            id="CKV_RR_103",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_sfn_state_machine"],
            guideline=f"{GUIDELINE_BASE} (CKV_RR_103): EXPRESS workflows reject .waitForTaskToken and last at most 5 minutes; "
            "a human approval needs type = STANDARD. A type checkov cannot resolve passes only behind a lifecycle "
            "precondition that refuses EXPRESS for callback definitions (modules/state_machine has one).",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        machine_type = str(first(conf.get("type"), "STANDARD")).upper()
        if machine_type == "STANDARD":
            return CheckResult.PASSED
        definition = first(conf.get("definition"), "")
        definition = definition if isinstance(definition, str) else str(definition)
        uses_callbacks = any(p in definition for p in CALLBACK_PATTERNS)
        readable = definition.lstrip().startswith("{")
        if machine_type == "EXPRESS" and readable and not uses_callbacks:
            return CheckResult.PASSED
        if machine_type not in ("EXPRESS",) and self._guarded(conf):
            # checkov could not resolve `type` (it reads var.type of the module as "string");
            # the module's precondition refuses EXPRESS whenever the definition has callbacks.
            return CheckResult.PASSED
        if machine_type == "EXPRESS" and not readable and self._guarded(conf) and is_unresolved(definition):
            return CheckResult.PASSED
        return CheckResult.FAILED

    @staticmethod
    def _guarded(conf: dict[str, Any]) -> bool:
        for lifecycle in conf.get("lifecycle") or []:
            for precondition in (lifecycle or {}).get("precondition") or []:
                condition = str(first(precondition.get("condition"), ""))
                if '"STANDARD"' in condition and ("uses_callbacks" in condition or "waitForTaskToken" in condition):
                    return True
        return False


logs_check = StateMachineLogsExecutions()
tracing_check = StateMachineTraces()
standard_check = CallbackStateMachineIsStandard()
