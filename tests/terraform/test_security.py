"""IAM least privilege and encryption at rest, read from the HCL (no provider offline)."""

from __future__ import annotations

import re

import pytest

from tests.terraform import tfhcl

STATEMENTS = tfhcl.iam_statements()
ALLOWS = [s for s in STATEMENTS if s.allows]

# "*" resources are allowed only for these action sets, each for a reason AWS imposes.
STAR_RESOURCE_EXCEPTIONS = {
    frozenset(
        {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"}
    ): "X-Ray has no resource-level permissions",
    frozenset(
        {
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        }
    ): "CloudWatch Logs vended delivery (Step Functions logging) requires '*'",
}
# In a KMS key policy "*" means "this key"; it is the only resource a key policy can name.
KEY_POLICY_DOCUMENTS = {"data.aws_iam_policy_document.kms"}
STATE_MACHINE_REFERENCES = {"${var.state_machine_arn}", "${local.state_machine_arn}", "${module.state_machine.arn}"}
WORKFLOW_ONLY_ACTIONS = ("states:StartExecution", "states:SendTask")


def ids(statement):
    return statement.where


def test_statements_were_found_everywhere():
    documents = {s["document"] for s in STATEMENTS}
    assert len(STATEMENTS) >= 40, len(STATEMENTS)
    for expected in (
        "data.aws_iam_policy_document.kms",
        "data.aws_iam_policy_document.state_machine",
        "data.aws_iam_policy_document.start_execution",
        "local.approval_callback_statements",
        "local.agent_statements",
        "local.function_policy_statements",
    ):
        assert expected in documents, f"no statements found in {expected}"


@pytest.mark.parametrize("statement", ALLOWS, ids=ids)
def test_allow_names_its_actions(statement):
    for action in tfhcl.as_list(statement["actions"]):
        assert "*" not in action, f"{statement.where}: wildcard action {action}"


@pytest.mark.parametrize("statement", ALLOWS, ids=ids)
def test_star_resource_only_where_aws_requires_it(statement):
    resources = tfhcl.as_list(statement.get("resources"))
    if "*" not in resources:
        return
    if statement["document"] in KEY_POLICY_DOCUMENTS:
        assert statement.get("principals"), f"{statement.where}: key policy statement without principal"
        return
    actions = frozenset(tfhcl.as_list(statement["actions"]))
    assert any(actions <= allowed for allowed in STAR_RESOURCE_EXCEPTIONS), (
        f"{statement.where}: '*' resource for {sorted(actions)} is not an AWS-required exception"
    )


@pytest.mark.parametrize("statement", ALLOWS, ids=ids)
def test_execution_control_only_on_the_workflow_state_machine(statement):
    actions = tfhcl.as_list(statement["actions"])
    if not any(a.startswith(WORKFLOW_ONLY_ACTIONS) for a in actions):
        return
    resources = set(tfhcl.as_list(statement["resources"]))
    assert resources <= STATE_MACHINE_REFERENCES, f"{statement.where}: {sorted(resources)}"


@pytest.mark.parametrize("statement", ALLOWS, ids=ids)
def test_every_statement_has_a_purpose_sid(statement):
    sid = statement.get("sid", "")
    if sid.startswith("${statement.value."):
        return  # dynamic statements from a typed variable whose validation requires an alphanumeric sid
    # A sid built in a for expression ("Invoke${use}Profile", use in Agent/Fallback) names its purpose
    # around one loop variable.
    assert re.sub(r"\$\{[a-z_]+\}", "X", sid).isalnum(), f"{statement.where}: missing or non-alphanumeric sid"


def test_state_machine_references_point_at_the_workflow():
    modules = tfhcl.labelled(tfhcl.ROOT_STACK, "module")
    assert modules["approvals"]["state_machine_arn"] == "${local.state_machine_arn}"
    assert modules["event_bus"]["state_machine_arn"] == "${local.state_machine_alias_arn}"  # executions start through the alias
    root_locals = tfhcl.locals_of(tfhcl.ROOT_STACK)
    assert root_locals["state_machine_arn"].endswith(":stateMachine:${local.prefix}")
    assert root_locals["state_machine_alias_arn"] == "${local.state_machine_arn}:" + modules["state_machine"]["alias_name"]
    assert modules["state_machine"]["name"] == "${local.prefix}"


def test_checker_flags_a_wildcard_statement():
    bad = tfhcl.Statement({"sid": "Bad", "actions": ["s3:*"], "resources": ["*"]}, document="x", file="y")
    with pytest.raises(AssertionError):
        test_allow_names_its_actions(bad)
    with pytest.raises(AssertionError):
        test_star_resource_only_where_aws_requires_it(bad)


def test_statements_in_expressions_are_parsed():
    text = '${concat([{sid = "A", actions = ["states:StartExecution"], resources = [local.x[role]], conditions = []}])}'
    (statement,) = tfhcl.statements_in_expression(text)
    assert statement["actions"] == ["states:StartExecution"]
    assert statement["resources"] == ["${local.x[role]}"]


def each_resource(resource_type):
    for directory in tfhcl.stack_dirs():
        for name, spec in tfhcl.resources(directory, resource_type).items():
            yield pytest.param(directory, name, spec, id=f"{directory.name}.{resource_type}.{name}")


@pytest.mark.parametrize(("directory", "name", "spec"), list(each_resource("aws_s3_bucket")))
def test_buckets_have_sse_kms_and_a_full_public_access_block(directory, name, spec):
    ref = f"${{aws_s3_bucket.{name}.id}}"
    sse = [
        s for s in tfhcl.resources(directory, "aws_s3_bucket_server_side_encryption_configuration").values() if s["bucket"] == ref
    ]
    assert sse, f"{name}: no server-side encryption configuration"
    default = sse[0]["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] in ("aws:kms", "aws:kms:dsse")
    pab = [s for s in tfhcl.resources(directory, "aws_s3_bucket_public_access_block").values() if s["bucket"] == ref]
    assert pab, f"{name}: no public access block"
    for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert pab[0][flag] is True, f"{name}: {flag} is not true"


@pytest.mark.parametrize(("directory", "name", "spec"), list(each_resource("aws_dynamodb_table")))
def test_tables_are_encrypted(directory, name, spec):
    assert spec["server_side_encryption"][0]["enabled"] is True


@pytest.mark.parametrize(("directory", "name", "spec"), list(each_resource("aws_cloudwatch_log_group")))
def test_log_groups_have_retention(directory, name, spec):
    assert spec.get("retention_in_days") is not None


@pytest.mark.parametrize(("directory", "name", "spec"), list(each_resource("aws_sqs_queue")))
def test_queues_are_encrypted(directory, name, spec):
    assert spec.get("kms_master_key_id") is not None or spec.get("sqs_managed_sse_enabled") is not None


@pytest.mark.parametrize(("directory", "name", "spec"), list(each_resource("aws_sns_topic")))
def test_topics_are_encrypted(directory, name, spec):
    assert spec.get("kms_master_key_id") is not None


@pytest.mark.parametrize(("directory", "name", "spec"), list(each_resource("aws_lambda_function")))
def test_functions_trace_and_log_json(directory, name, spec):
    assert spec["tracing_config"][0]["mode"] == "Active"
    assert spec["logging_config"][0]["log_format"] == "JSON"


def test_every_module_resource_kind_is_covered():
    # guard against the parametrised gates above silently running on nothing
    for resource_type in ("aws_s3_bucket", "aws_dynamodb_table", "aws_cloudwatch_log_group", "aws_sqs_queue", "aws_sns_topic"):
        assert list(each_resource(resource_type)), resource_type


def test_kms_key_rotates():
    key = tfhcl.resources(tfhcl.ROOT_STACK, "aws_kms_key")["this"]
    assert key["enable_key_rotation"] is True


def test_signing_secret_has_no_value_in_terraform():
    for directory in tfhcl.stack_dirs():
        assert not tfhcl.resources(directory, "aws_secretsmanager_secret_version"), directory.name
