"""Lambda functions: X-Ray tracing, and no secret values in plain environment variables.
(Log retention is the graph check lambda_log_retention.yaml: it needs the log group.)"""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rr_policy_lib import GUIDELINE_BASE, first, is_unresolved

SECRET_NAME = re.compile(r"SECRET|TOKEN|KEY|PASSWORD|PASSWD|CREDENTIAL", re.I)
# What a secret-named variable may hold: where the secret lives, never the secret.
REFERENCE = re.compile(
    r"^(arn:aws[a-z-]*:(secretsmanager|ssm|kms):"  # a Secrets Manager / SSM parameter / KMS key ARN
    r"|/[A-Za-z0-9_.\-/]+$"  # an SSM parameter name
    r"|\{\{resolve:(secretsmanager|ssm|ssm-secure):)"
)


def _names_a_reference(name: str, expression: str) -> bool:
    """An expression checkov cannot resolve passes when it (or the variable name) says it is an ARN,
    a name or an id: `aws_secretsmanager_secret.x.arn`, `module.approvals.signing_secret_arn`."""
    tail = expression.strip("${} ").lower()
    return name.upper().endswith(REFERENCE_SUFFIXES) or tail.endswith((".arn", "_arn", ".name", "_name", ".id", "_id"))


REFERENCE_SUFFIXES = ("_ARN", "_NAME", "_ID", "_PARAMETER")


class FunctionTraces(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lambda function has active X-Ray tracing",
            id="CKV_RR_401",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_lambda_function"],
            guideline=f'{GUIDELINE_BASE} (CKV_RR_401): tracing_config {{ mode = "Active" }}; the state machine\'s trace '
            "otherwise stops at the Lambda task.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        tracing = first(conf.get("tracing_config"))
        if isinstance(tracing, dict) and first(tracing.get("mode")) == "Active":
            return CheckResult.PASSED
        return CheckResult.FAILED


class NoPlainSecretsInEnvironment(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lambda environment variables named *SECRET*/*TOKEN*/*KEY* hold references, not values",
            id="CKV_RR_402",
            categories=[CheckCategories.SECRETS],
            supported_resources=["aws_lambda_function"],
            guideline=f"{GUIDELINE_BASE} (CKV_RR_402): keep the secret in Secrets Manager (or SSM SecureString) and pass its "
            "ARN (e.g. SIGNING_SECRET_ARN = aws_secretsmanager_secret.x.arn); the function reads it at run time. "
            "Environment values are visible to anyone with lambda:GetFunctionConfiguration and land in the state file.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        environment = first(conf.get("environment"))
        if not isinstance(environment, dict):
            return CheckResult.PASSED
        variables = first(environment.get("variables"))
        if not isinstance(variables, dict):
            return CheckResult.PASSED  # a whole-map expression checkov cannot resolve: nothing literal to judge
        for name, value in variables.items():
            if not SECRET_NAME.search(str(name)):
                continue
            value = str(first(value, ""))
            if REFERENCE.match(value) or (is_unresolved(value) and _names_a_reference(str(name), value)):
                continue
            self.details.append(f"{name} holds a literal value")
            return CheckResult.FAILED
        return CheckResult.PASSED


tracing_check = FunctionTraces()
secrets_check = NoPlainSecretsInEnvironment()
