"""EventBridge targets have a DLQ and a retry policy; SQS queues and SNS topics are encrypted."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rr_policy_lib import GUIDELINE_BASE, first


class EventTargetHasDlqAndRetries(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="EventBridge target has a dead-letter queue and a retry policy",
            id="CKV_RR_301",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_cloudwatch_event_target"],
            guideline=f"{GUIDELINE_BASE} (CKV_RR_301): set dead_letter_config {{ arn = <SQS queue> }} and retry_policy "
            "{ maximum_event_age_in_seconds, maximum_retry_attempts }; otherwise an undeliverable WorkflowRequested "
            "event is dropped after 24 hours and nobody learns of it.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        dlq = first(conf.get("dead_letter_config"))
        retry = first(conf.get("retry_policy"))
        if not isinstance(dlq, dict) or not first(dlq.get("arn")):
            return CheckResult.FAILED
        if (
            not isinstance(retry, dict)
            or first(retry.get("maximum_retry_attempts")) is None
            or first(retry.get("maximum_event_age_in_seconds")) is None
        ):
            return CheckResult.FAILED
        return CheckResult.PASSED


class QueueIsEncrypted(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SQS queue is encrypted at rest",
            id="CKV_RR_302",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sqs_queue"],
            guideline=f"{GUIDELINE_BASE} (CKV_RR_302): set kms_master_key_id (customer managed key) or "
            "sqs_managed_sse_enabled = true; dead letters carry workflow payloads.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if first(conf.get("kms_master_key_id")):
            return CheckResult.PASSED
        if first(conf.get("sqs_managed_sse_enabled")) is True:
            return CheckResult.PASSED
        return CheckResult.FAILED


class TopicIsEncrypted(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SNS topic is encrypted at rest",
            id="CKV_RR_303",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sns_topic"],
            guideline=f"{GUIDELINE_BASE} (CKV_RR_303): set kms_master_key_id; approval messages carry signed links "
            "that decide a workflow.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if first(conf.get("kms_master_key_id")) else CheckResult.FAILED


event_target_check = EventTargetHasDlqAndRetries()
queue_check = QueueIsEncrypted()
topic_check = TopicIsEncrypted()
