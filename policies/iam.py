"""IAM: no service-wide grants on the orchestration services, no PassRole / task-token APIs on
"*", and Bedrock invocation only on agent-alias or model ARNs."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rr_policy_lib import GUIDELINE_BASE, allow_statements, grants, is_unresolved

POLICY_RESOURCES = ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role"]

# Grants nobody in this stack needs: a whole service (or everything) for the orchestration services.
SERVICE_WIDE = ("*", "*:*", "states:*", "bedrock:*")
# Actions that must never be granted on "*".
NOT_ON_STAR = ("iam:PassRole", "states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat")

# Bedrock invocation actions and the ARN forms they may name.
BEDROCK_INVOKE = {
    "bedrock:InvokeAgent": (":agent-alias/",),
    "bedrock:InvokeModel": (
        ":foundation-model/",
        ":inference-profile/",
        ":provisioned-model/",
        ":application-inference-profile/",
    ),
    "bedrock:InvokeModelWithResponseStream": (
        ":foundation-model/",
        ":inference-profile/",
        ":provisioned-model/",
        ":application-inference-profile/",
    ),
}


def _no_service_wide_grant(statements) -> CheckResult:
    for statement in statements:
        if any(action.lower() in SERVICE_WIDE for action in statement["actions"]):
            return CheckResult.FAILED
        if statement["not_actions"]:
            return CheckResult.FAILED  # Allow + NotAction grants everything else, orchestration services included
    return CheckResult.PASSED


def _nothing_sensitive_on_star(statements) -> CheckResult:
    for statement in statements:
        if "*" not in statement["resources"]:
            continue
        for action in statement["actions"]:
            if any(grants(action, wanted) for wanted in NOT_ON_STAR):
                return CheckResult.FAILED
    return CheckResult.PASSED


def _bedrock_only_on_agent_and_model_arns(statements) -> CheckResult:
    for statement in statements:
        for action in statement["actions"]:
            for wanted, forms in BEDROCK_INVOKE.items():
                if not grants(action, wanted):
                    continue
                for resource in statement["resources"]:
                    if is_unresolved(resource):
                        continue  # an expression checkov cannot resolve; tests/terraform pin these
                    if resource == "*" or not any(form in resource for form in forms) or resource.rstrip("/").endswith("*"):
                        return CheckResult.FAILED
    return CheckResult.PASSED


class _PolicyDocumentCheck(BaseDataCheck):
    rule = staticmethod(_no_service_wide_grant)

    def scan_data_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self.rule(list(allow_statements(conf, "aws_iam_policy_document")))


class _PolicyResourceCheck(BaseResourceCheck):
    rule = staticmethod(_no_service_wide_grant)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self.rule(list(allow_statements(conf, self.entity_type)))


def _pair(check_id: str, name: str, guideline: str, rule):
    class DataCheck(_PolicyDocumentCheck):
        def __init__(self) -> None:
            super().__init__(
                name=name,
                id=check_id,
                categories=[CheckCategories.IAM],
                supported_data=["aws_iam_policy_document"],
                guideline=guideline,
            )

    class ResourceCheck(_PolicyResourceCheck):
        def __init__(self) -> None:
            super().__init__(
                name=name,
                id=check_id,
                categories=[CheckCategories.IAM],
                supported_resources=POLICY_RESOURCES,
                guideline=guideline,
            )

    DataCheck.rule = staticmethod(rule)
    ResourceCheck.rule = staticmethod(rule)
    return DataCheck(), ResourceCheck()


service_wide_checks = _pair(
    "CKV_RR_201",
    "No IAM policy grants states:*, bedrock:* or *",
    f"{GUIDELINE_BASE} (CKV_RR_201): name the actions a role needs (states:StartExecution, bedrock:InvokeAgent, ...); "
    "a service-wide grant lets a compromised function drive or delete every workflow and agent in the account.",
    _no_service_wide_grant,
)
star_resource_checks = _pair(
    "CKV_RR_202",
    "No IAM policy grants iam:PassRole or states:SendTask* on *",
    f"{GUIDELINE_BASE} (CKV_RR_202): PassRole on * lets a principal hand any role to a service; SendTask* on * lets it "
    "answer any workflow's task token. Name the role ARN, and the state machine ARN that issued the token.",
    _nothing_sensitive_on_star,
)
bedrock_checks = _pair(
    "CKV_RR_203",
    "Bedrock invoke actions name only agent-alias or model ARNs",
    f"{GUIDELINE_BASE} (CKV_RR_203): bedrock:InvokeAgent on the agent's alias ARN "
    "(arn:aws:bedrock:<region>:<account>:agent-alias/<agent>/<alias>), bedrock:InvokeModel on the foundation-model or "
    "inference-profile ARN of the model the role uses; never * or a wildcard.",
    _bedrock_only_on_agent_and_model_arns,
)
