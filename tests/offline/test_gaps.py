"""Each gap fill (scripts/offline/gaps.py), pinned twice: the behaviour AWS has, through the
embedded account; and a canary on plain moto showing the gap is still there. The day a canary
fails, moto has caught up: delete the fill and its canary.

Fills whose behaviour only a workflow run shows (mocked callbacks, task tokens known once issued,
SNS e-mail to the mailbox, events to state machines) are pinned by the end-to-end tests; the
plain-moto canaries of the EventBridge one are here, with its delivery to Lambda functions.
"""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from scripts.offline import gaps

REGION = "us-east-1"
PASSING_DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
BROKEN_DEFINITION = json.dumps({"StartAt": "Missing", "States": {"Done": {"Type": "Nope"}}})
POWERTOOLS_LAYER = f"arn:aws:lambda:{REGION}:{gaps.POWERTOOLS_LAYER_ACCOUNT}:layer:{gaps.POWERTOOLS_LAYER_NAMES['arm64']}:7"
ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def a_zip(handler: str = "def handler(event, context):\n    return event\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", handler)
    return buffer.getvalue()


@pytest.fixture
def plain():
    """Plain moto, in this process: what the provider would meet without the fills."""
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")


def a_role(client_for) -> str:
    return client_for("iam").create_role(RoleName=unique("gap-role"), AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]


def a_budget(client_for, account_id: str, name: str) -> None:
    client_for("budgets").create_budget(
        AccountId=account_id,
        Budget={"BudgetName": name, "BudgetLimit": {"Amount": "10", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"},
        NotificationsWithSubscribers=[
            {
                "Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80},
                "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "ops@example.com"}],
            }
        ],
        ResourceTags=[{"Key": "owner", "Value": "platform"}],
    )


NOTIFICATION = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80}


# --- budgets ------------------------------------------------------------------------------------


def test_budget_subscribers_and_tags(account):
    name, budgets = unique("gap-budget"), account.client("budgets")
    a_budget(account.client, account.account_id, name)
    subscribers = budgets.describe_subscribers_for_notification(
        AccountId=account.account_id, BudgetName=name, Notification=NOTIFICATION
    )
    assert subscribers["Subscribers"] == [{"SubscriptionType": "EMAIL", "Address": "ops@example.com"}]
    arn = f"arn:aws:budgets::{account.account_id}:budget/{name}"
    budgets.tag_resource(ResourceARN=arn, ResourceTags=[{"Key": "team", "Value": "research"}])
    budgets.untag_resource(ResourceARN=arn, ResourceTagKeys=["owner"])
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [{"Key": "team", "Value": "research"}]


def test_canary_plain_moto_lacks_budget_subscribers_and_tags(plain):
    a_budget(plain, "123456789012", "b")
    with pytest.raises((ClientError, NotImplementedError)):
        plain("budgets").describe_subscribers_for_notification(
            AccountId="123456789012", BudgetName="b", Notification=NOTIFICATION
        )
    with pytest.raises((ClientError, NotImplementedError)):
        plain("budgets").list_tags_for_resource(ResourceARN="arn:aws:budgets::123456789012:budget/b")


# --- step functions -----------------------------------------------------------------------------


def test_state_machine_definitions_are_validated_and_versions_listed(account):
    sfn = account.client("stepfunctions")
    assert sfn.validate_state_machine_definition(definition=PASSING_DEFINITION)["result"] == "OK"
    assert sfn.validate_state_machine_definition(definition=BROKEN_DEFINITION)["result"] == "FAIL"
    machine = sfn.create_state_machine(name=unique("gap-machine"), definition=PASSING_DEFINITION, roleArn=a_role(account.client))
    assert sfn.list_state_machine_versions(stateMachineArn=machine["stateMachineArn"])["stateMachineVersions"] == []
    for _ in range(2):
        sfn.update_state_machine(stateMachineArn=machine["stateMachineArn"], definition=PASSING_DEFINITION, publish=True)
    listed = sfn.list_state_machine_versions(stateMachineArn=machine["stateMachineArn"])["stateMachineVersions"]
    assert [v["stateMachineVersionArn"].rsplit(":", 1)[1] for v in listed] == ["2", "1"]  # newest first, as AWS lists them


def test_a_test_case_needs_a_loaded_mock_config_that_names_it(account):
    sfn = account.client("stepfunctions")
    machine = sfn.create_state_machine(name=unique("gap-machine"), definition=PASSING_DEFINITION, roleArn=a_role(account.client))
    with pytest.raises(ClientError):
        sfn.start_execution(stateMachineArn=f"{machine['stateMachineArn']}#NoSuchCase", input="{}")


def test_canary_plain_moto_lacks_definition_validation_versions_and_test_cases(plain):
    sfn = plain("stepfunctions")
    with pytest.raises((ClientError, NotImplementedError)):
        sfn.validate_state_machine_definition(definition=PASSING_DEFINITION)
    machine = sfn.create_state_machine(name="m", definition=PASSING_DEFINITION, roleArn=a_role(plain))["stateMachineArn"]
    with pytest.raises((ClientError, NotImplementedError, AttributeError)):
        sfn.list_state_machine_versions(stateMachineArn=machine)
    with pytest.raises(ClientError):
        sfn.start_execution(stateMachineArn=f"{machine}#Case", input="{}")


def a_published_machine_with_an_alias(sfn, client_for) -> tuple[str, str]:
    machine = sfn.create_state_machine(
        name=unique("gap-machine"), definition=PASSING_DEFINITION, roleArn=a_role(client_for), publish=True
    )
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": machine["stateMachineVersionArn"], "weight": 100}]
    )
    return machine["stateMachineArn"], alias["stateMachineAliasArn"]


def test_an_execution_started_through_an_alias_runs_its_version_and_is_found_under_the_state_machine(account):
    sfn = account.client("stepfunctions")
    machine, alias = a_published_machine_with_an_alias(sfn, account.client)
    started = sfn.start_execution(stateMachineArn=alias, input="{}")["executionArn"]
    assert started.startswith(machine.replace(":stateMachine:", ":execution:") + ":")
    described = sfn.describe_execution(executionArn=started)
    assert described["stateMachineArn"] in (machine, f"{machine}:1")
    assert started in [e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]]


def test_an_alias_keeps_running_the_version_it_routes_to_after_the_state_machine_changes(account):
    sfn = account.client("stepfunctions")

    def answering(word: str) -> str:
        return json.dumps({"StartAt": "Answer", "States": {"Answer": {"Type": "Pass", "Result": {"word": word}, "End": True}}})

    machine = sfn.create_state_machine(
        name=unique("gap-machine"), definition=answering("first"), roleArn=a_role(account.client), publish=True
    )
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": machine["stateMachineVersionArn"], "weight": 100}]
    )["stateMachineAliasArn"]
    sfn.update_state_machine(stateMachineArn=machine["stateMachineArn"], definition=answering("second"), publish=True)

    def output_of(arn: str) -> str:
        started = sfn.start_execution(stateMachineArn=arn, name=unique("run"), input="{}")["executionArn"]
        for _ in range(200):
            described = sfn.describe_execution(executionArn=started)
            if described["status"] != "RUNNING":
                return json.loads(described["output"])["word"]
            time.sleep(0.02)
        raise AssertionError(f"{started} did not finish")

    assert output_of(alias) == "first"  # the alias still routes to version 1
    assert output_of(machine["stateMachineArn"]) == "second"  # the unqualified ARN runs the latest definition
    assert sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["definition"] == answering("second")


def test_canary_plain_moto_cannot_start_an_execution_through_an_alias(plain):
    sfn = plain("stepfunctions")
    machine, alias = a_published_machine_with_an_alias(sfn, plain)
    with pytest.raises(ClientError):
        sfn.start_execution(stateMachineArn=alias, input="{}")


# --- eventbridge --------------------------------------------------------------------------------


PATTERN = json.dumps({"source": ["research-report"], "detail": {"blocking_findings": [{"numeric": [">", 0]}]}})
EVENT = {
    "id": "1",
    "account": "123456789012",
    "source": "research-report",
    "time": "2025-05-06T09:00:00Z",
    "region": REGION,
    "detail-type": "DraftReviewed",
    "detail": {"blocking_findings": 1},
}


def test_test_event_pattern_answers_whether_the_pattern_matches(account):
    events = account.client("events")
    assert events.test_event_pattern(EventPattern=PATTERN, Event=json.dumps(EVENT))["Result"] is True
    cleared = {**EVENT, "detail": {"blocking_findings": 0}}
    assert events.test_event_pattern(EventPattern=PATTERN, Event=json.dumps(cleared))["Result"] is False


@pytest.mark.parametrize(
    ("pattern", "event", "code"),
    [
        ('{"source": "research-report"}', EVENT, "InvalidEventPatternException"),
        (PATTERN, {k: v for k, v in EVENT.items() if k != "time"}, "ValidationException"),
        (PATTERN, ["not", "an", "object"], "ValidationException"),
    ],
    ids=["a value that is not an array", "an event without time", "an event that is not an object"],
)
def test_test_event_pattern_refuses_what_aws_refuses(account, pattern, event, code):
    with pytest.raises(ClientError) as refused:
        account.client("events").test_event_pattern(EventPattern=pattern, Event=json.dumps(event))
    assert refused.value.response["Error"]["Code"] == code


def test_test_event_pattern_needs_no_resources_in_the_event(account):
    event = {k: v for k, v in EVENT.items() if k != "resources"}
    assert account.client("events").test_event_pattern(EventPattern=PATTERN, Event=json.dumps(event))["Result"] is True


def test_canary_plain_moto_answers_test_event_pattern_without_a_result(plain):
    answer = plain("events").test_event_pattern(EventPattern=PATTERN, Event=json.dumps(EVENT))
    assert "Result" not in answer


def test_a_failed_delivery_to_a_state_machine_lands_in_the_dead_letter_queue(account):
    events, sqs = account.client("events"), account.client("sqs")
    queue_url = sqs.create_queue(QueueName=unique("gap-dlq"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus, rule = unique("gap-bus"), unique("gap-rule")
    events.create_event_bus(Name=bus)
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["gap-test"]}))
    missing = f"arn:aws:states:{REGION}:{account.account_id}:stateMachine:{unique('gone')}"
    events.put_targets(
        Rule=rule,
        EventBusName=bus,
        Targets=[{"Id": "gone", "Arn": missing, "RoleArn": a_role(account.client), "DeadLetterConfig": {"Arn": queue_arn}}],
    )
    answer = events.put_events(Entries=[{"Source": "gap-test", "DetailType": "Probe", "Detail": "{}", "EventBusName": bus}])
    assert answer["FailedEntryCount"] == 0
    messages = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"], WaitTimeSeconds=1)["Messages"]
    assert messages[0]["MessageAttributes"]["TARGET_ARN"]["StringValue"] == missing
    assert json.loads(messages[0]["Body"])["detail-type"] == "Probe"


def test_canary_plain_moto_cannot_deliver_events_to_a_state_machine(plain):
    sfn, events = plain("stepfunctions"), plain("events")
    machine = sfn.create_state_machine(name="m", definition=PASSING_DEFINITION, roleArn=a_role(plain))["stateMachineArn"]
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["gap-test"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "m", "Arn": machine, "RoleArn": a_role(plain)}])
    with pytest.raises((ClientError, NotImplementedError)):
        events.put_events(Entries=[{"Source": "gap-test", "DetailType": "Probe", "Detail": "{}"}])


def test_the_eventbridge_fill_delivers_to_state_machines_topics_and_functions():
    assert gaps.events_deliver_to_state_machines_topics_and_functions in gaps.FILLS


PRINTS_EVENT = "import json\n\ndef handler(event, context):\n    print(json.dumps(event))\n    return {}\n"
FAILS = "def handler(event, context):\n    raise RuntimeError('indexing failed')\n"
SLOW = "import time\ndef handler(event, context):\n    time.sleep(0.3)\n    return event\n"


def a_rule_targeting_a_function(account, handler: str = PRINTS_EVENT) -> dict:
    """A bus, a rule on it and a function as its target, with a dead-letter queue for the target."""
    events, sqs = account.client("events"), account.client("sqs")
    queue_url = sqs.create_queue(QueueName=unique("gap-dlq"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus, rule, source = unique("gap-bus"), unique("gap-rule"), unique("gap-source")
    events.create_event_bus(Name=bus)
    rule_arn = events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": [source]}))["RuleArn"]
    function = account.client("lambda").create_function(
        FunctionName=unique("gap-target"),
        Runtime="python3.12",
        Role=a_role(account.client),
        Handler="handler.handler",
        Code={"ZipFile": a_zip(handler)},
    )
    events.put_targets(
        Rule=rule,
        EventBusName=bus,
        Targets=[{"Id": "indexer", "Arn": function["FunctionArn"], "DeadLetterConfig": {"Arn": queue_arn}}],
    )
    return {"bus": bus, "rule_arn": rule_arn, "source": source, "function": function["FunctionName"], "queue_url": queue_url}


def allow(account, target: dict, principal: str = "events.amazonaws.com", source_arn: str | None = None) -> None:
    account.client("lambda").add_permission(
        FunctionName=target["function"],
        StatementId=unique("events"),
        Action="lambda:InvokeFunction",
        Principal=principal,
        SourceArn=source_arn or target["rule_arn"],
    )


def put_event(account, target: dict) -> None:
    answer = account.client("events").put_events(
        Entries=[
            {
                "Source": target["source"],
                "DetailType": "Object Created",
                "Detail": '{"key": "documents/a.md"}',
                "EventBusName": target["bus"],
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0


def invocations_of(account, function: str, count: int, timeout_s: float = 30.0) -> list[dict]:
    """The function's invocations, once there are `count` of them (the invoke is asynchronous)."""
    deadline = time.time() + timeout_s
    while True:
        found = [i for i in account.control("GET", "invocations") if i["function"] == function]
        if len(found) >= count or time.time() > deadline:
            return found
        time.sleep(0.1)


def test_a_rule_invokes_a_function_target_its_resource_policy_allows_for_that_rule(account):
    target = a_rule_targeting_a_function(account)
    allow(account, target)
    put_event(account, target)
    [invocation] = invocations_of(account, target["function"], 1)
    event = json.loads(next(line for line in invocation["log_lines"] if line.startswith("{")))
    assert (event["source"], event["detail-type"], event["detail"]) == (
        target["source"],
        "Object Created",
        {"key": "documents/a.md"},
    )
    assert invocation["error"] is None
    assert "Messages" not in account.client("sqs").receive_message(QueueUrl=target["queue_url"], WaitTimeSeconds=0)


@pytest.mark.parametrize(
    "permission",
    ["none", "another-rule", "another-service"],
)
def test_a_rule_may_not_invoke_a_function_whose_resource_policy_does_not_allow_it(account, permission):
    target = a_rule_targeting_a_function(account)
    if permission == "another-rule":
        allow(account, target, source_arn=target["rule_arn"].replace("gap-rule", "other-rule"))
    elif permission == "another-service":
        allow(account, target, principal="s3.amazonaws.com")
    put_event(account, target)
    # The resource policy is decided before PutEvents answers: the refusal is in the queue already.
    messages = account.client("sqs").receive_message(
        QueueUrl=target["queue_url"], MessageAttributeNames=["All"], WaitTimeSeconds=1
    )["Messages"]
    attributes = {name: value["StringValue"] for name, value in messages[0]["MessageAttributes"].items()}
    assert (attributes["ERROR_CODE"], attributes["RULE_ARN"]) == ("NO_PERMISSIONS", target["rule_arn"])
    assert attributes["TARGET_ARN"].endswith(f":function:{target['function']}")
    assert invocations_of(account, target["function"], 1, timeout_s=1.0) == []


def test_a_failing_function_target_is_tried_three_times_as_lambda_retries_an_asynchronous_invoke(account):
    target = a_rule_targeting_a_function(account, handler=FAILS)
    allow(account, target)
    put_event(account, target)
    attempts = invocations_of(account, target["function"], 3)
    assert [a["error"] for a in attempts] == ["RuntimeError"] * 3
    time.sleep(1.0)  # longer than the async queue's backoff: no fourth attempt comes
    assert len(invocations_of(account, target["function"], 4, timeout_s=0)) == 3


def test_throttled_asynchronous_invokes_wait_in_the_queue_until_the_function_is_free(account):
    """Reserved concurrency 1 and six events at once: Lambda's async queue retries a throttled
    invoke until the event's maximum age (not twice), so every event is processed once."""
    target = a_rule_targeting_a_function(account, handler=SLOW)
    allow(account, target)
    account.client("lambda").put_function_concurrency(FunctionName=target["function"], ReservedConcurrentExecutions=1)
    for _ in range(6):
        put_event(account, target)
    assert account.control("GET", "status")["queued_async_invokes"] >= 1  # 0.3 s each, one at a time
    attempts = invocations_of(account, target["function"], 6, timeout_s=30)
    assert len(attempts) == 6 and all(a["error"] is None for a in attempts), attempts
    deadline = time.time() + 10  # another test's upload may be queued meanwhile
    while account.control("GET", "status")["queued_async_invokes"] and time.time() < deadline:
        time.sleep(0.05)
    assert account.control("GET", "status")["queued_async_invokes"] == 0  # what a runner waits for
    assert "Messages" not in account.client("sqs").receive_message(QueueUrl=target["queue_url"], WaitTimeSeconds=0)


def test_canary_plain_moto_cannot_deliver_events_to_a_function(plain):
    created = create_function(plain)
    events = plain("events")
    rule_arn = events.put_rule(Name="r", EventPattern=json.dumps({"source": ["gap-test"]}))["RuleArn"]
    plain("lambda").add_permission(
        FunctionName=created["FunctionName"],
        StatementId="events",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        SourceArn=rule_arn,
    )
    events.put_targets(Rule="r", Targets=[{"Id": "f", "Arn": created["FunctionArn"]}])
    with pytest.raises((ClientError, NotImplementedError)):
        events.put_events(Entries=[{"Source": "gap-test", "DetailType": "Probe", "Detail": "{}"}])


# --- kms ----------------------------------------------------------------------------------------


def test_key_rotation_period_and_aws_managed_keys(account):
    kms = account.client("kms")
    key = kms.create_key(Description="gap")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    assert kms.get_key_rotation_status(KeyId=key)["RotationPeriodInDays"] == 90
    assert kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["KeyManager"] == "AWS"


def test_canary_plain_moto_drops_the_rotation_period_and_owns_aws_keys(plain):
    kms = plain("kms")
    key = kms.create_key(Description="gap")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    assert kms.get_key_rotation_status(KeyId=key).get("RotationPeriodInDays") != 90
    assert kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["KeyManager"] == "CUSTOMER"


# --- lambda -------------------------------------------------------------------------------------


def create_function(client_for, **extra):
    return client_for("lambda").create_function(
        FunctionName=unique("gap-function"),
        Runtime="python3.12",
        Role=a_role(client_for),
        Handler="handler.handler",
        Code={"ZipFile": a_zip()},
        **extra,
    )


@pytest.mark.parametrize("architecture", sorted(gaps.POWERTOOLS_LAYER_NAMES))
def test_logging_config_is_kept_and_the_public_powertools_layer_exists(account, architecture):
    layer = f"arn:aws:lambda:{REGION}:{gaps.POWERTOOLS_LAYER_ACCOUNT}:layer:{gaps.POWERTOOLS_LAYER_NAMES[architecture]}:7"
    created = create_function(account.client, LoggingConfig={"LogFormat": "JSON"}, Layers=[layer], Architectures=[architecture])
    stored = account.client("lambda").get_function_configuration(FunctionName=created["FunctionName"])
    assert stored["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": f"/aws/lambda/{created['FunctionName']}",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
    }
    assert [found["Arn"] for found in stored["Layers"]] == [layer] and stored["Architectures"] == [architecture]


IMPORTS_POWERTOOLS = "import aws_lambda_powertools, boto3\n\ndef handler(event, context):\n    return {'ok': True}\n"
IMPORTS_A_TEST_TOOL = "import pytest\n\ndef handler(event, context):\n    return {}\n"


def test_a_function_imports_only_its_code_its_layers_and_the_runtimes_sdk(account):
    """Lambda's python3.12 import path: the zip, the layers' python/, then the runtime's boto3. A
    function that needs Powertools without its layer fails its cold start as on AWS, not because
    this machine happens to have Powertools installed."""
    layer = f"arn:aws:lambda:{REGION}:{gaps.POWERTOOLS_LAYER_ACCOUNT}:layer:{gaps.POWERTOOLS_LAYER_NAMES['arm64']}:27"
    functions = account.client("lambda")

    def invoke(handler: str, layers: list[str]) -> dict:
        created = functions.create_function(
            FunctionName=unique("gap-imports"),
            Runtime="python3.12",
            Role=a_role(account.client),
            Handler="handler.handler",
            Code={"ZipFile": a_zip(handler)},
            Layers=layers,
            Architectures=["arm64"],
        )
        answer = functions.invoke(FunctionName=created["FunctionName"], Payload=b"{}")
        return {"error": answer.get("FunctionError"), "payload": json.loads(answer["Payload"].read())}

    assert invoke(IMPORTS_POWERTOOLS, [layer]) == {"error": None, "payload": {"ok": True}}
    without_layer = invoke(IMPORTS_POWERTOOLS, [])
    assert without_layer["error"] is not None
    assert without_layer["payload"]["errorType"] == "Runtime.ImportModuleError"
    assert (
        without_layer["payload"]["errorMessage"] == "Unable to import module 'handler': No module named 'aws_lambda_powertools'"
    )
    assert invoke(IMPORTS_A_TEST_TOOL, [layer])["payload"]["errorType"] == "Runtime.ImportModuleError"


def test_the_public_powertools_layer_versions_a_deployment_names_are_published_before_it_asks(plain, tmp_path):
    """What the account runs while it starts (the fill's thread), so no CreateFunction builds it."""
    from moto.awslambda.models import lambda_backends

    gaps.publish_powertools_layers(REGION, 3, tmp_path)

    backend = lambda_backends[gaps.POWERTOOLS_LAYER_ACCOUNT][REGION]
    for architecture, name in gaps.POWERTOOLS_LAYER_NAMES.items():
        arn = f"arn:aws:lambda:{REGION}:{gaps.POWERTOOLS_LAYER_ACCOUNT}:layer:{name}:"
        published = [backend.layers_versions_by_arn(f"{arn}{version}") for version in (1, 2, 3)]
        assert all(layer is not None and layer.compatible_architectures == [architecture] for layer in published)
        assert backend.layers_versions_by_arn(f"{arn}4") is None
    assert (tmp_path / "layers" / "powertools.zip").is_file()


def test_canary_plain_moto_drops_logging_config_and_lacks_public_layers(plain):
    created = create_function(plain, LoggingConfig={"LogFormat": "JSON"})
    assert (
        plain("lambda").get_function_configuration(FunctionName=created["FunctionName"]).get("LoggingConfig", {}).get("LogFormat")
        != "JSON"
    )
    with pytest.raises(ClientError):
        create_function(plain, Layers=[POWERTOOLS_LAYER])


def public_url_permission(client_for) -> dict:
    created = create_function(client_for)
    functions = client_for("lambda")
    functions.create_function_url_config(FunctionName=created["FunctionName"], AuthType="NONE")
    functions.add_permission(
        FunctionName=created["FunctionName"],
        StatementId="links",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    statements = json.loads(functions.get_policy(FunctionName=created["FunctionName"])["Policy"])["Statement"]
    return next(s for s in statements if s["Sid"] == "links")


def test_a_function_url_permission_carries_its_auth_type_as_a_condition(account):
    statement = public_url_permission(account.client)
    assert statement["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert "FunctionUrlAuthType" not in statement


def test_canary_plain_moto_keeps_the_auth_type_as_a_bare_field(plain):
    statement = public_url_permission(plain)
    assert statement.get("FunctionUrlAuthType") == "NONE" and "Condition" not in statement


# --- bedrock agents -----------------------------------------------------------------------------


def create_agent(client_for):
    return client_for("bedrock-agent").create_agent(
        agentName=unique("gap-agent"),
        agentResourceRoleArn=a_role(client_for),
        foundationModel="anthropic.claude-3-haiku-20240307-v1:0",
        instruction="Find sources for the topic you are given and list them, one per line, with a URL.",
        guardrailConfiguration={"guardrailIdentifier": "gr1234567890", "guardrailVersion": "1"},
    )["agent"]


def test_agents_follow_the_aws_lifecycle_and_take_aliases(account):
    agents = account.client("bedrock-agent")
    agent = create_agent(account.client)
    assert (len(agent["agentId"]), agent["agentStatus"], agent["agentVersion"]) == (10, "NOT_PREPARED", "DRAFT")
    assert agent["guardrailConfiguration"]["guardrailIdentifier"] == "gr1234567890"
    assert agents.prepare_agent(agentId=agent["agentId"])["agentStatus"] == "PREPARED"
    alias = agents.create_agent_alias(agentId=agent["agentId"], agentAliasName="live", tags={"owner": "platform"})["agentAlias"]
    assert (
        agents.get_agent_alias(agentId=agent["agentId"], agentAliasId=alias["agentAliasId"])["agentAlias"]["agentAliasStatus"]
        == "PREPARED"
    )
    assert agents.list_tags_for_resource(resourceArn=alias["agentAliasArn"])["tags"] == {"owner": "platform"}
    agents.delete_agent(agentId=agent["agentId"], skipResourceInUseCheck=True)
    with pytest.raises(agents.exceptions.ResourceNotFoundException):
        agents.get_agent_alias(agentId=agent["agentId"], agentAliasId=alias["agentAliasId"])


def test_canary_plain_moto_agents_have_epoch_timestamps_and_no_aliases(plain):
    from moto.bedrockagent.models import bedrockagent_backends

    agent = create_agent(plain)
    stored = bedrockagent_backends["123456789012"][REGION].agents[agent["agentId"]]
    assert isinstance(stored.created_at, float) and stored.agent_status == "PREPARED"
    with pytest.raises((ClientError, NotImplementedError)):
        plain("bedrock-agent").create_agent_alias(agentId=agent["agentId"], agentAliasName="live")


# --- s3 -----------------------------------------------------------------------------------------


def test_bucket_policy_conditions_are_evaluated_as_aws_does_for_sdk_requests(account):
    s3, kms = account.client("s3"), account.client("kms")
    bucket, key = unique("gap-bucket"), kms.create_key(Description="gap")["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket=bucket)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyOtherKeys",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {
                    "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"},
                    "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key},
                },
            },
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")  # SDK over TLS, no key header: allowed
    s3.put_object(Bucket=bucket, Key="ours", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    with pytest.raises(ClientError) as denied:
        s3.put_object(
            Bucket=bucket,
            Key="other",
            Body=b"x",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId="arn:aws:kms:us-east-1:123456789012:key/other",
        )
    assert denied.value.response["Error"]["Code"] == "AccessDenied"


# --- retried calls --------------------------------------------------------------------------------


def same_invocation(client, operation: str) -> None:
    """Every call of `operation` by `client` goes out as one more attempt of a single SDK call:
    what the SDK sends when it retries one whose answer it never read."""
    invocation, attempts = str(uuid.uuid4()), iter(range(1, 100))

    def mark(request, **_):
        request.headers["amz-sdk-invocation-id"] = invocation
        request.headers["amz-sdk-request"] = f"attempt={next(attempts)}; max=25"

    client.meta.events.register(f"before-send.{client.meta.service_model.endpoint_prefix}.{operation}", mark)


def test_a_retried_create_runs_once_and_gets_its_first_answer(account):
    iam, name = account.client("iam"), unique("gap-retried-role")
    replayed = account.control("GET", "status")["retries_replayed"]
    same_invocation(iam, "CreateRole")
    first = iam.create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_POLICY)["Role"]
    retried = iam.create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_POLICY)["Role"]
    assert retried["RoleId"] == first["RoleId"]
    assert account.control("GET", "status")["retries_replayed"] == replayed + 1
    with pytest.raises(ClientError) as second_call:  # a new call, not a retry: AWS's answer
        account.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_POLICY)
    assert second_call.value.response["Error"]["Code"] == "EntityAlreadyExists"


def test_canary_plain_moto_runs_a_retried_create_twice(plain):
    iam, name = plain("iam"), unique("gap-retried-role")
    same_invocation(iam, "CreateRole")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_POLICY)
    with pytest.raises(ClientError) as retried:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_POLICY)
    assert retried.value.response["Error"]["Code"] == "EntityAlreadyExists"


# --- S3 notifications -----------------------------------------------------------------------------


def deleted_events_of_a_versioned_bucket(client_for) -> list[dict]:
    """Delete an object of a versioned bucket with EventBridge notifications (a delete marker);
    return the "Object Deleted" events a default-bus rule received."""
    s3, sqs, events = client_for("s3"), client_for("sqs"), client_for("events")
    bucket = unique("gap-versioned")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})
    queue_url = sqs.create_queue(QueueName=unique("gap-deleted"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = unique("gap-deleted")
    pattern = {"source": ["aws.s3"], "detail-type": ["Object Deleted"], "detail": {"bucket": {"name": [bucket]}}}
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "tap", "Arn": queue_arn}])
    s3.put_object(Bucket=bucket, Key="documents/a.md", Body=b"alpha")
    s3.delete_object(Bucket=bucket, Key="documents/a.md")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_a_delete_marker_is_an_object_deleted_event(account):
    assert gaps.s3_delete_marker_notifications in gaps.FILLS
    [event] = deleted_events_of_a_versioned_bucket(account.client)
    assert (event["detail-type"], event["detail"]["object"]["key"]) == ("Object Deleted", "documents/a.md")


def test_canary_plain_moto_sends_nothing_for_a_delete_marker(plain):
    assert deleted_events_of_a_versioned_bucket(plain) == []


def a_queue_arn(client_for) -> str:
    sqs = client_for("sqs")
    url = sqs.create_queue(QueueName=unique("gap-dlq"))["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_a_function_keeps_its_dead_letter_config(account):
    assert gaps.lambda_dead_letter_config in gaps.FILLS
    queue = a_queue_arn(account.client)
    created = create_function(account.client, DeadLetterConfig={"TargetArn": queue})
    functions = account.client("lambda")
    assert functions.get_function_configuration(FunctionName=created["FunctionName"])["DeadLetterConfig"] == {"TargetArn": queue}
    other = a_queue_arn(account.client)
    functions.update_function_configuration(FunctionName=created["FunctionName"], DeadLetterConfig={"TargetArn": other})
    assert functions.get_function_configuration(FunctionName=created["FunctionName"])["DeadLetterConfig"] == {"TargetArn": other}


def test_canary_plain_moto_drops_the_dead_letter_config(plain):
    created = create_function(plain, DeadLetterConfig={"TargetArn": a_queue_arn(plain)})
    assert "DeadLetterConfig" not in plain("lambda").get_function_configuration(FunctionName=created["FunctionName"])


def eventbridge_notification_of_a_bucket(client_for) -> dict:
    s3, bucket = client_for("s3"), unique("gap-notify")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})
    return {k: v for k, v in s3.get_bucket_notification_configuration(Bucket=bucket).items() if k != "ResponseMetadata"}


def test_a_bucket_s_eventbridge_notifications_are_read_back(account):
    assert gaps.s3_eventbridge_notification_configuration in gaps.FILLS
    assert eventbridge_notification_of_a_bucket(account.client) == {"EventBridgeConfiguration": {}}


def test_canary_plain_moto_leaves_eventbridge_out_of_the_notification_configuration(plain):
    assert eventbridge_notification_of_a_bucket(plain) == {}
