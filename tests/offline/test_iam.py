"""IAM enforced in the embedded account (scripts/offline/authorizer.py): each function signs as
the execution role Terraform attached, and each of its requests is allowed or denied by that
role's policies on the request's own resource, as AWS decides it."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import boto3
import pytest
from botocore.exceptions import ClientError

from scripts.offline.authorizer import CONDITION_KEYS
from scripts.offline.iam_policy import parse_operator
from scripts.offline.iam_report import role_policies

# Functions an approved run invokes on behalf of its execution (the callback is invoked through
# its Function URL by the reviewer, outside the execution).
EXECUTION_FUNCTIONS = (
    "validate_input",
    "agent_search",
    "agent_summary",
    "agent_writer",
    "agent_compliance",
    "citation_check",
    "approval_request",
    "publish",
)


def role_of(workflow, key: str) -> str:
    return _configuration(workflow)(key)["Role"]


def _configuration(workflow):
    functions = workflow.client("lambda")
    return lambda key: functions.get_function_configuration(FunctionName=workflow.deployment.functions[key])


def as_role(workflow, key: str, service: str):
    """A client signing with the function's execution role, assumed as any principal would."""
    credentials = workflow.client("sts").assume_role(RoleArn=role_of(workflow, key), RoleSessionName="probe")["Credentials"]
    return boto3.client(
        service,
        endpoint_url=workflow.account.endpoint,
        region_name=workflow.deployment.region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_a_run_is_authorized_request_by_request_as_each_functions_execution_role(workflow):
    topic = f"Map concurrency under Bedrock quotas {uuid.uuid4().hex[:8]}"
    summary = workflow.run(topic=topic, approve="auto", max_sources=3).summary
    assert summary["end_state"] == "Published", summary
    assert summary["authorizations"]["denied"] == [] and summary["authorizations"]["allowed"] > 0
    arn = quote(summary["execution_arn"], safe="")
    decisions = workflow.account.control("GET", f"authorizations?execution={arn}")
    roles = {key: role_of(workflow, key).rsplit("/", 1)[-1] for key in EXECUTION_FUNCTIONS}
    machine = workflow.client("stepfunctions").describe_state_machine(stateMachineArn=workflow.deployment.state_machine_arn)
    roles["state_machine"] = machine["roleArn"].rsplit("/", 1)[-1]  # its integrations: invoking each function
    assert {d["role"] for d in decisions} == set(roles.values())  # one principal per function, nothing else
    invoked = {d["resource"] for d in decisions if d["role"] == roles["state_machine"] and d["action"] == "lambda:InvokeFunction"}
    assert invoked == {c["FunctionArn"] for c in map(_configuration(workflow), EXECUTION_FUNCTIONS)}
    # The writer's Converse calls: authorized on its model's inference profile and, through it, on a
    # destination Region's foundation model; never an agent.
    profile = workflow.deployment.outputs["agent_model_ids"]["writer"]
    writer = {
        (d["action"], d["resource"])
        for d in decisions
        if d["role"] == roles["agent_writer"] and d["action"].startswith("bedrock:")
    }
    region, account = workflow.deployment.region, workflow.deployment.account_id
    assert ("bedrock:InvokeModel", f"arn:aws:bedrock:{region}:{account}:inference-profile/{profile}") in writer
    assert any(":foundation-model/" in resource for _, resource in writer), writer
    assert {action for action, _ in writer} == {"bedrock:InvokeModel"}
    writes = {d["resource"] for d in decisions if d["action"] == "s3:PutObject"}
    assert writes and all(f"/{summary['workflow_id']}/" in w or f"/published/{summary['workflow_id']}/" in w for w in writes)


def _policies(workflow) -> list[dict]:
    """What the account evaluates: every service role's policies, the bucket policy, and the
    statements of the stack's keys' policies that name AWS principals."""
    documents = [document for _, policies in role_policies(workflow.account).values() for document in policies]
    documents.append(workflow.client("s3").get_bucket_policy(Bucket=workflow.deployment.bucket)["Policy"])
    kms = workflow.client("kms")
    for key in kms.list_keys()["Keys"]:
        if kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyManager"] == "CUSTOMER":
            policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
            policy["Statement"] = [s for s in policy["Statement"] if "Service" not in (s.get("Principal") or {})]
            documents.append(policy)
    return [json.loads(d) if isinstance(d, str) else d for d in documents]


def test_the_deployed_policies_use_only_conditions_the_account_evaluates(workflow):
    used = {
        (operator, key)
        for document in _policies(workflow)
        for statement in document["Statement"]
        for operator, keys in (statement.get("Condition") or {}).items()
        for key in keys
    }
    assert ("ForAllValues:StringEquals", "dynamodb:LeadingKeys") in used  # the scan reads the roles' policies
    for operator, key in sorted(used):
        parse_operator(operator)  # raises on an operator the evaluator does not implement
        assert key in CONDITION_KEYS, f"{operator} on {key}: the account sets no such key on requests"


def test_a_role_may_do_what_its_policy_allows_and_is_denied_the_rest_as_aws_denies(workflow):
    table = workflow.deployment.outputs["workflow_table_name"]
    dynamodb = as_role(workflow, "publish", "dynamodb")
    with pytest.raises(ClientError) as refused:  # allowed by the role: DynamoDB itself refuses the update
        dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": "WF#nobody"}, "sk": {"S": "META"}},
            UpdateExpression="SET #s = :s",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "PUBLISHED"}},
        )
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as denied:
        dynamodb.delete_item(TableName=table, Key={"pk": {"S": "WF#nobody"}, "sk": {"S": "META"}})
    error = denied.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "dynamodb:DeleteItem" in error["Message"] and f":table/{table}" in error["Message"]
    with pytest.raises(ClientError) as denied:
        as_role(workflow, "publish", "secretsmanager").get_secret_value(SecretId="anything")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(ClientError) as denied:
        as_role(workflow, "publish", "s3").delete_object(Bucket=workflow.deployment.bucket, Key="published/x/report.md")
    assert (denied.value.response["Error"]["Code"], denied.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AccessDenied",
        403,
    )


def test_one_agent_role_cannot_delete_another_roles_idempotency_records(workflow):
    table = workflow.deployment.outputs["workflow_table_name"]
    search = as_role(workflow, "agent_search", "dynamodb")
    search.delete_item(TableName=table, Key={"pk": {"S": "IDEMPOTENCY#agent_search"}, "sk": {"S": "probe"}})  # its own
    with pytest.raises(ClientError) as denied:
        search.delete_item(TableName=table, Key={"pk": {"S": "IDEMPOTENCY#agent_writer"}, "sk": {"S": "probe"}})
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"


@pytest.mark.parametrize("hostile", ["../wf-victim", "*", "wf-a/../wf-b", "wf-%2e%2e"])
def test_a_hostile_workflow_id_reaches_no_object_and_no_item(workflow, hostile):
    summary = workflow.run(topic="Bedrock quotas", approve="auto", workflow_id=hostile, max_sources=2).summary
    assert summary["end_state"] == "InvalidInput", summary
    decisions = workflow.account.control("GET", f"authorizations?execution={quote(summary['execution_arn'], safe='')}")
    assert any(d["action"] == "events:PutEvents" for d in decisions)  # the run's requests are here: WorkflowFailed
    assert summary["authorizations"]["denied"] == []
    # No artifact of any workflow is read or written; the only items touched are workflow records.
    assert not [d for d in decisions if d["action"].startswith("s3:")], decisions
    keys = {key for d in decisions for name, values in d["context"] if name == "dynamodb:LeadingKeys" for key in values}
    assert all(key.startswith("WF#") and "/" not in key and "*" not in key for key in keys), keys


# -- the deployer and other IAM users ----------------------------------------------------------------
def a_client(account, service: str, key: str | None, secret: str = "s", **config):
    from botocore import UNSIGNED
    from botocore.config import Config

    signing = {"config": Config(signature_version=UNSIGNED)} if key is None else {}
    return boto3.client(
        service,
        endpoint_url=account.endpoint,
        region_name=account.region,
        aws_access_key_id=key or "unused",
        aws_secret_access_key=secret,
        **signing,
    )


def test_terraform_deployed_the_stack_as_the_offline_deployer_user(workflow):
    identity = workflow.client("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{workflow.account.account_id}:user/offline-deployer"
    deployer = [d for d in workflow.account.control("GET", "authorizations") if d["role"] == "offline-deployer"]
    actions = {d["action"] for d in deployer}
    # What only an apply of this stack calls: its state machine, roles and functions were created by this principal.
    assert {"states:CreateStateMachine", "iam:CreateRole", "iam:PutRolePolicy", "lambda:CreateFunction"} <= actions
    assert all(d["allowed"] and d["resource"] == "*" and not d["by_service"] for d in deployer)


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("s3", lambda c: c.list_buckets(), "InvalidAccessKeyId"),
        ("dynamodb", lambda c: c.list_tables(), "UnrecognizedClientException"),
        ("iam", lambda c: c.list_roles(), "InvalidClientTokenId"),
        ("lambda", lambda c: c.list_functions(), "UnrecognizedClientException"),
    ],
)
def test_a_key_the_account_never_issued_is_refused(account, service, call, code):
    with pytest.raises(ClientError) as refused:
        call(a_client(account, service, "AKIANOTISSUEDBYTHIS0"))
    assert refused.value.response["Error"]["Code"] == code


def test_an_unsigned_request_is_refused(account):
    with pytest.raises(ClientError) as refused:
        a_client(account, "dynamodb", None).list_tables()
    assert refused.value.response["Error"]["Code"] == "MissingAuthenticationToken"


def test_an_iam_user_gets_what_its_own_and_its_groups_policies_allow_until_its_key_is_deactivated(account):
    iam, name = account.client("iam"), f"auditor-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="list-tables", PolicyDocument=_allow("dynamodb:ListTables"))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    dynamodb = a_client(account, "dynamodb", key["AccessKeyId"], key["SecretAccessKey"])
    sns = a_client(account, "sns", key["AccessKeyId"], key["SecretAccessKey"])
    try:
        assert "TableNames" in dynamodb.list_tables()
        with pytest.raises(ClientError) as denied:
            dynamodb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        assert f"user/{name} is not authorized to perform: dynamodb:CreateTable" in denied.value.response["Error"]["Message"]
        with pytest.raises(ClientError, match="AuthorizationError"):
            sns.list_topics()
        iam.create_group(GroupName=name)
        iam.put_group_policy(GroupName=name, PolicyName="list-topics", PolicyDocument=_allow("sns:ListTopics"))
        iam.add_user_to_group(GroupName=name, UserName=name)
        assert "Topics" in sns.list_topics()  # granted through the group
        iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
        with pytest.raises(ClientError) as refused:
            dynamodb.list_tables()
        assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
    finally:
        iam.remove_user_from_group(GroupName=name, UserName=name)
        iam.delete_group_policy(GroupName=name, PolicyName="list-topics")
        iam.delete_group(GroupName=name)
        iam.delete_user_policy(UserName=name, PolicyName="list-tables")
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=name)


def _allow(action: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


def test_step_functions_encrypts_execution_data_with_the_state_machine_roles_rights(account):
    """A state machine under a customer managed key starts only if its role may use the key in the
    state machine's encryption context (kms:EncryptionContext:aws:states:stateMachineArn)."""
    iam, kms, sfn = account.client("iam"), account.client("kms"), account.client("stepfunctions")
    name = f"encrypted-{uuid.uuid4().hex[:8]}"
    trust = {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]}))
    key = kms.create_key(Description=name)["KeyMetadata"]["Arn"]
    machine = sfn.create_state_machine(
        name=name,
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
        roleArn=role["Role"]["Arn"],
        encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key},
    )["stateMachineArn"]
    with pytest.raises(ClientError) as refused:
        sfn.start_execution(stateMachineArn=machine, name="without-the-key", input="{}")
    assert refused.value.response["Error"]["Code"] == "KmsAccessDeniedException"
    for context in ("arn:aws:states:us-east-1:123456789012:stateMachine:another", machine):
        statement = {
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": key,
            "Condition": {"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": context}},
        }
        iam.put_role_policy(
            RoleName=name, PolicyName="key", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )
        if context != machine:  # the key for another state machine's data does not do
            with pytest.raises(ClientError, match="KmsAccessDeniedException"):
                sfn.start_execution(stateMachineArn=machine, name="another-context", input="{}")
    assert sfn.start_execution(stateMachineArn=machine, name="with-the-key", input="{}")["executionArn"].endswith(":with-the-key")
