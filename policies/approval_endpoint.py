"""The approval callback endpoint (a Function URL, or an HTTP API route) authenticates its callers."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rr_policy_lib import GUIDELINE_BASE, first

# Set by checkov's terraform_plan parser on every resource of a plan.
PLAN_CHANGE_ACTIONS = "__change_actions__"


class EndpointIsAuthenticated(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Function URL or HTTP API route is IAM-authenticated or guarded by the module's signature verification",
            id="CKV_RR_501",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lambda_function_url", "aws_apigatewayv2_route"],
            guideline=f'{GUIDELINE_BASE} (CKV_RR_501): use authorization_type = "AWS_IAM", or (as modules/approvals does '
            "for e-mail links) keep NONE only with a lifecycle precondition that refuses NONE unless the function reads "
            "the module's HMAC signing secret (a condition naming callback_signing_secret_arn and "
            "aws_secretsmanager_secret.<name>.arn).",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # A route without authorization_type is NONE, as a URL's NONE is.
        if str(first(conf.get("authorization_type"), "")).upper() == "AWS_IAM":
            return CheckResult.PASSED
        if PLAN_CHANGE_ACTIONS in conf:
            # A plan holds no lifecycle blocks: this rule is decided on the HCL, which the same
            # review scans (make security runs both frameworks).
            return CheckResult.UNKNOWN
        for lifecycle in conf.get("lifecycle") or []:
            for precondition in (lifecycle or {}).get("precondition") or []:
                condition = str(first(precondition.get("condition"), ""))
                if "callback_signing_secret_arn" in condition and "aws_secretsmanager_secret." in condition:
                    return CheckResult.PASSED
        return CheckResult.FAILED


check = EndpointIsAuthenticated()
