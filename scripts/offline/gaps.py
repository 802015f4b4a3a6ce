"""Where moto differs from AWS for this stack, each filled in one small named function.

moto 5.2.5 lacks a few APIs the Terraform provider calls (it then retries HTTP 500s until it
times out), answers a few differently from AWS, and delivers some events nowhere. Every fill
below names the API or behaviour it stands in for; `install` applies them all in the account
process. tests/offline/test_gaps.py pins each one: the behaviour through the account, and a
canary on plain moto that fails the day moto changes (then the fill should go).
"""

from __future__ import annotations

import functools
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scripts.offline.account import EmbeddedAccount

FILLS: list[Callable[[EmbeddedAccount], None]] = []

# AWS's public Powertools for AWS Lambda (Python) v3 layer: the stack names it by this account.
POWERTOOLS_LAYER_ACCOUNT = "017000801446"
# The public layer's name per architecture (one layer per instruction set, the same Python content).
POWERTOOLS_LAYER_NAMES = {arch: f"AWSLambdaPowertoolsPythonV3-python312-{arch}" for arch in ("x86_64", "arm64")}
# Versions 1..this of each exist from the account's start, as on AWS (the stack's default
# powertools_layer_version is 27); a later version a deployment names is published when named.
POWERTOOLS_LAYER_VERSIONS_AT_START = 27


def fill(function: Callable[[EmbeddedAccount], None]) -> Callable[[EmbeddedAccount], None]:
    FILLS.append(function)
    return function


def install(account: EmbeddedAccount) -> None:
    from scripts.offline import moto_dispatch

    moto_dispatch.install()  # not a gap: the same answers, dispatched for less CPU
    for function in FILLS:
        function(account)


# --- AWS Budgets ------------------------------------------------------------------------------


@fill
def budgets_describe_subscribers_for_notification(account: EmbeddedAccount) -> None:
    """DescribeSubscribersForNotification (the provider reads every notification's subscribers)."""
    from moto.budgets.responses import BudgetsResponse

    def describe_subscribers_for_notification(self) -> str:
        budget = self.backend.budgets[self._get_param("AccountId")][self._get_param("BudgetName")]
        wanted = self._get_param("Notification")
        for notification in budget.notifications:
            if all(
                notification.details.get(k) == v for k, v in wanted.items() if k in ("NotificationType", "ComparisonOperator")
            ):
                return json.dumps({"Subscribers": notification.subscribers})
        return json.dumps({"Subscribers": []})

    BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification


_BUDGET_TAGS: dict[str, dict[str, str]] = {}


@fill
def budgets_resource_tags(account: EmbeddedAccount) -> None:
    """TagResource / UntagResource / ListTagsForResource and CreateBudget's ResourceTags."""
    from moto.budgets.responses import BudgetsResponse

    original_create = BudgetsResponse.create_budget

    def create_budget(self) -> str:
        answer = original_create(self)
        arn = f"arn:aws:budgets::{self._get_param('AccountId')}:budget/{self._get_param('Budget')['BudgetName']}"
        _BUDGET_TAGS[arn] = {t["Key"]: t["Value"] for t in self._get_param("ResourceTags", [])}
        return answer

    def tag_resource(self) -> str:
        _BUDGET_TAGS.setdefault(self._get_param("ResourceARN"), {}).update(
            {t["Key"]: t["Value"] for t in self._get_param("ResourceTags", [])}
        )
        return json.dumps({})

    def untag_resource(self) -> str:
        tags = _BUDGET_TAGS.setdefault(self._get_param("ResourceARN"), {})
        for key in self._get_param("ResourceTagKeys", []):
            tags.pop(key, None)
        return json.dumps({})

    def list_tags_for_resource(self) -> str:
        tags = _BUDGET_TAGS.get(self._get_param("ResourceARN"), {})
        return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]})

    BudgetsResponse.create_budget = create_budget
    BudgetsResponse.tag_resource = tag_resource
    BudgetsResponse.untag_resource = untag_resource
    BudgetsResponse.list_tags_for_resource = list_tags_for_resource


# --- AWS Step Functions -----------------------------------------------------------------------


@fill
def stepfunctions_validate_state_machine_definition(account: EmbeddedAccount) -> None:
    """ValidateStateMachineDefinition: the provider validates the definition before creating.
    The definition really is parsed (moto's ASL parser), so a broken template still fails."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.responses import StepFunctionResponse

    def validate_state_machine_definition(self) -> ActionResult:
        try:
            AmazonStateLanguageParser.parse(self._get_param("definition"))
        except Exception as error:  # noqa: BLE001 - any parse failure is a diagnostic, as on AWS
            return ActionResult(
                {
                    "result": "FAIL",
                    "diagnostics": [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": str(error)}],
                }
            )
        return ActionResult({"result": "OK", "diagnostics": []})

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition


@fill
def stepfunctions_list_state_machine_versions(account: EmbeddedAccount) -> None:
    """ListStateMachineVersions (the provider lists versions when it reads a state machine, and
    takes the first as the one it published): newest first, as AWS sorts them."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def list_state_machine_versions(self) -> ActionResult:
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        published = sorted(getattr(machine, "versions", {}).items(), reverse=True)  # by version number
        versions = [{"stateMachineVersionArn": version.arn, "creationDate": version.creation_date} for _, version in published]
        return ActionResult({"stateMachineVersions": versions})

    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


@fill
def stepfunctions_executions_through_versions_and_aliases(account: EmbeddedAccount) -> None:
    """StartExecution on an alias ARN (moto resolves none: the EventBridge rule targets the alias)
    starts the version the alias routes to, by weight. moto cannot run a version (a version lacks
    what its interpreter reads from a state machine) and would file the execution under the
    version, where DescribeExecution never finds it: here a version's execution runs under its
    state machine with the definition the version was published with."""
    import random

    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend.start_execution
    swapping = threading.Lock()

    def start_execution(self, state_machine_arn: str, name=None, execution_input=None, trace_header=None):
        qualifier = state_machine_arn.split(":")[7:8]
        if qualifier and not qualifier[0].isdigit() and "#" not in qualifier[0]:
            routes = self.describe_state_machine_alias(state_machine_arn).routing_configuration
            weights = [int(route.get("weight", 0)) for route in routes]
            state_machine_arn = random.choices([route["stateMachineVersionArn"] for route in routes], weights)[0]
        version = self.describe_state_machine(state_machine_arn)
        _encrypt_execution_data(account, version)
        source = getattr(version, "source_arn", None)
        if source is None:
            return original(self, state_machine_arn, name, execution_input, trace_header)
        machine = self.describe_state_machine(source)
        with swapping:  # the interpreter snapshots the state machine when the execution starts
            current, machine.definition = machine.definition, version.definition
            try:
                return original(self, source, name, execution_input, trace_header)
            finally:
                machine.definition = current

    StepFunctionsParserBackend.start_execution = start_execution


@functools.cache
def _kms_access_denied() -> type:
    """Step Functions' KmsAccessDeniedException, as moto's error type (defined once, on first use:
    moto is imported lazily here)."""
    from moto.core.exceptions import AWSError

    class KmsAccessDeniedException(AWSError):
        TYPE = code = "KmsAccessDeniedException"  # code: the ERROR_CODE of a failed EventBridge delivery
        STATUS = 400

    return KmsAccessDeniedException


def _encrypt_execution_data(account: EmbeddedAccount, machine: Any) -> None:
    """A state machine under a customer managed key: Step Functions encrypts the execution's data
    with a data key it generates, and decrypts it to run, with the state machine role's rights in
    the state machine's encryption context. Without them the start fails, as on AWS."""
    encryption = getattr(machine, "encryptionConfiguration", None) or {}
    if encryption.get("type") != "CUSTOMER_MANAGED_KMS_KEY":
        return
    unqualified = getattr(machine, "source_arn", None) or machine.arn
    context = {"kms:EncryptionContext:aws:states:stateMachineArn": unqualified}
    actions = ("kms:GenerateDataKey", "kms:Decrypt")
    if not account.authorizer.allows_key_use(machine.roleArn, actions, encryption["kmsKeyId"], "states", context):
        raise _kms_access_denied()(f"{machine.roleArn} may not use {encryption['kmsKeyId']} for {unqualified}'s data")


@fill
def stepfunctions_start_execution_with_test_case(account: EmbeddedAccount) -> None:
    """StartExecution with `<stateMachineArn>#<TestCase>`, as Step Functions Local runs a test case
    of the loaded MockConfigFile. The case's task mocks (mock config) and model faults (model
    faults file) are bound to the execution before it starts; a case must be in at least one."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import ValidationException
    from moto.stepfunctions.responses import StepFunctionResponse

    from scripts.offline.mock_config import MockConfigError, check_against_definition, test_case_from_document, test_case_names
    from scripts.offline.model_faults import ModelFaultsError, case_from_document

    original = StepFunctionResponse.start_execution

    def start_execution(self) -> ActionResult:
        arn = self._get_param("stateMachineArn") or ""
        if "#" not in arn:
            return original(self)
        arn, _, case = arn.partition("#")
        machine = self.stepfunction_backend.describe_state_machine(arn)
        name = self._get_param("name") or str(uuid.uuid4())
        execution_arn = arn.replace(":stateMachine:", ":execution:") + f":{name}"
        mocks = model_faults = None
        try:
            if account.mock_config is not None and case in test_case_names(account.mock_config):
                mocks = test_case_from_document(account.mock_config, case, machine.name)
                check_against_definition(mocks, json.loads(machine.definition))
            if account.model_faults is not None and case in account.model_faults.get("TestCases", {}):
                model_faults = case_from_document(account.model_faults, case)
        except (MockConfigError, ModelFaultsError) as error:
            raise ValidationException(str(error)) from None
        if mocks is None and model_faults is None:
            raise ValidationException(f"no test case {case!r} in the loaded mock config or model faults")
        if mocks is not None:
            account.runtime.use_test_case(execution_arn, mocks)
        if model_faults is not None:
            account.bedrock.use_faults(execution_arn, model_faults)
        execution = self.stepfunction_backend.start_execution(arn, name, self._get_param("input", if_none="{}"))
        return ActionResult({"executionArn": execution.execution_arn, "startDate": execution.start_date})

    StepFunctionResponse.start_execution = start_execution


@fill
def stepfunctions_answer_mocked_callbacks(account: EmbeddedAccount) -> None:
    """A mocked `.waitForTaskToken` state completes as Step Functions Local completes it:
    Return -> SendTaskSuccess with the mocked output; Throw States.Timeout/HeartbeatTimeout -> the
    task times out; any other Throw -> SendTaskFailure. The token is registered only after the
    invoke returns, so delivery waits for it."""
    import boto3

    from scripts.offline import interpreter
    from scripts.offline.account import ACCOUNT_ID, DEPLOYER_CREDENTIALS, REGION

    def deliver(token: str, response) -> None:
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=account.endpoint,
            region_name=REGION,
            aws_access_key_id=DEPLOYER_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DEPLOYER_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if response.error in ("States.Timeout", "States.HeartbeatTimeout"):
                    if interpreter.time_out_callback(token, REGION, ACCOUNT_ID):
                        return
                elif response.is_throw:
                    sfn.send_task_failure(taskToken=token, error=response.error, cause=response.cause)
                    return
                else:
                    sfn.send_task_success(taskToken=token, output=json.dumps(response.returns))
                    return
            except sfn.exceptions.InvalidToken:
                pass
            time.sleep(0.01)

    def answer(token: str, response) -> None:
        threading.Thread(target=deliver, args=(token, response), name="mocked-callback", daemon=True).start()

    account.runtime.mocked_callback = answer


@fill
def stepfunctions_task_token_known_once_issued(account: EmbeddedAccount) -> None:
    """SendTaskSuccess/Failure/Heartbeat with a token just issued: AWS knows a task token from the
    moment the task hands it to its Lambda; moto registers it only after that invoke returns (and
    a heartbeat endpoint a moment later). A token the account did issue is waited for, briefly."""
    from moto.stepfunctions.responses import StepFunctionResponse

    from scripts.offline import interpreter
    from scripts.offline.account import ACCOUNT_ID, REGION

    def waiting_for(action: str, needs_heartbeat: bool):
        original = getattr(StepFunctionResponse, action)

        def answer(self):
            token = self._get_param("taskToken")
            if token in account.runtime.issued_tokens:
                deadline = time.monotonic() + 2.0
                while time.monotonic() < deadline and not interpreter.callback_ready(token, REGION, ACCOUNT_ID, needs_heartbeat):
                    time.sleep(0.005)
            return original(self)

        setattr(StepFunctionResponse, action, answer)

    waiting_for("send_task_success", needs_heartbeat=False)
    waiting_for("send_task_failure", needs_heartbeat=False)
    waiting_for("send_task_heartbeat", needs_heartbeat=True)


@fill
def stepfunctions_stop_execution_releases_waiting_tasks(account: EmbeddedAccount) -> None:
    """StopExecution ends an execution at once on AWS, also while a task waits for its token, and
    DescribeExecution then shows the stop's error and cause; moto leaves such a task asleep until
    its heartbeat is due (the execution RUNNING meanwhile) and drops error and cause."""
    from moto.stepfunctions.responses import StepFunctionResponse

    from scripts.offline import interpreter
    from scripts.offline.account import ACCOUNT_ID, REGION

    original = StepFunctionResponse.stop_execution

    def stop_execution(self):
        answer = original(self)
        interpreter.finish_stop(
            self._get_param("executionArn"), self._get_param("error"), self._get_param("cause"), REGION, ACCOUNT_ID
        )
        return answer

    StepFunctionResponse.stop_execution = stop_execution


# --- Amazon EventBridge -----------------------------------------------------------------------


@fill
def events_record_put_events(account: EmbeddedAccount) -> None:
    """Every accepted PutEvents entry, readable at /_offline/bus_events (AWS shows them to a rule
    that targets a log group; here they are kept without changing the stack)."""
    from moto.events.models import EventsBackend

    original = EventsBackend.put_events

    def put_events(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        entries = original(self, events)
        for event, entry in zip(events, entries, strict=False):
            if "EventId" in entry:
                account.recorded.add(
                    "bus_events",
                    {
                        "id": entry["EventId"],
                        "bus": self._normalize_event_bus_arn(event.get("EventBusName")),
                        "source": event.get("Source"),
                        "detail_type": event.get("DetailType"),
                        "detail": json.loads(event.get("Detail") or "{}"),
                        "time": time.time(),
                    },
                )
        return entries

    EventsBackend.put_events = put_events


@fill
def events_test_event_pattern(account: EmbeddedAccount) -> None:
    """TestEventPattern: whether a pattern matches an event, by the matcher moto routes PutEvents
    with (moto answers an empty body). As AWS: a malformed pattern is InvalidEventPatternException,
    an event that is not a JSON object with id, account, source, time, region and detail-type is
    ValidationException "Parameter Event is not valid." (AWS's reference lists resources too, but
    AWS accepts an event without it)."""
    from moto.events.exceptions import ValidationException
    from moto.events.models import EventPattern
    from moto.events.responses import EventsHandler

    required = ("id", "account", "source", "time", "region", "detail-type")

    def test_event_pattern(self: EventsHandler) -> str:
        pattern = EventPattern.load(self._get_param("EventPattern"))
        try:
            event = json.loads(self._get_param("Event") or "")
        except ValueError:
            event = None
        if not isinstance(event, dict) or any(name not in event for name in required):
            raise ValidationException("Parameter Event is not valid.")
        return json.dumps({"Result": pattern.matches_event(event)})

    EventsHandler.test_event_pattern = test_event_pattern


@fill
def events_deliver_to_state_machines_topics_and_functions(account: EmbeddedAccount) -> None:
    """Rule targets moto does not deliver to (it raises NotImplementedError, so PutEvents answers
    HTTP 500): a state machine (StartExecution with the target's InputPath), an SNS topic, and a
    Lambda function (an asynchronous invoke, allowed only by the function's resource policy for
    events.amazonaws.com with the rule as aws:SourceArn; S3's EventBridge notifications reach the
    document indexer this way). A delivery that fails goes to the target's dead-letter queue with
    AWS's error attributes."""
    from moto.events.models import Rule
    from moto.sns.models import sns_backends
    from moto.sqs.models import sqs_backends
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends
    from moto.utilities.arns import parse_arn

    original = Rule.send_to_targets

    def send_to_targets(self, original_event: dict[str, Any], transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        others = []
        for target in self.targets:
            arn = parse_arn(target["Arn"])
            if arn.service not in ("states", "sns", "lambda"):
                others.append(target)
                continue
            payload = _target_input(target, original_event)
            try:
                if arn.service == "lambda":
                    _invoke_function_for_rule(account, target["Arn"], self.arn, payload)
                elif arn.service == "states":
                    # EventBridge starts the execution as the target's role: IAM decides.
                    role = target.get("RoleArn")
                    if not role or not account.authorizer.allows(role, "states:StartExecution", target["Arn"]):
                        raise TargetNotPermitted(f"{role or 'no role'} may not states:StartExecution on {target['Arn']}")
                    stepfunctions_parser_backends[arn.account][arn.region].start_execution(
                        target["Arn"], str(uuid.uuid4()), json.dumps(payload)
                    )
                else:
                    sns_backends[arn.account][arn.region].publish(json.dumps(payload), arn=target["Arn"])
            except Exception as error:  # noqa: BLE001 - any failed delivery goes to the DLQ, as on AWS
                dlq = target.get("DeadLetterConfig", {}).get("Arn")
                if dlq:
                    queue = parse_arn(dlq)
                    sqs_backends[queue.account][queue.region].send_message(
                        queue.resource_id,
                        json.dumps(original_event, default=str),
                        message_attributes={
                            "ERROR_CODE": {"DataType": "String", "StringValue": getattr(error, "code", type(error).__name__)},
                            "ERROR_MESSAGE": {"DataType": "String", "StringValue": str(error)[:256]},
                            "RULE_ARN": {"DataType": "String", "StringValue": self.arn},
                            "TARGET_ARN": {"DataType": "String", "StringValue": target["Arn"]},
                        },
                    )
        if others:
            narrowed = _copy_with_targets(self, others)
            original(narrowed, original_event, transform_input)

    Rule.send_to_targets = send_to_targets


def _invoke_function_for_rule(account: EmbeddedAccount, function_arn: str, rule_arn: str, payload: Any) -> None:
    """EventBridge invokes a function asynchronously: the resource policy decides now, the function
    runs on its own thread from Lambda's async queue, which retries a failed invoke twice and a
    throttled one (the function's reserved concurrency in use) until the event is
    ASYNC_MAXIMUM_EVENT_AGE_S old, backing off, as Lambda's event queue does."""
    from moto.awslambda.models import lambda_backends

    from scripts.offline.iam_policy import ALLOW, Request, decide
    from scripts.offline.lambda_runtime import TooManyRequests

    arn = function_arn.split(":")
    backend = lambda_backends[arn[4]][arn[3]]
    function = backend.get_function(arn[6])
    try:
        policy = json.loads(backend.get_policy(arn[6]))["Policy"]
    except Exception:  # noqa: BLE001 - no resource policy: EventBridge may not invoke it
        policy = None
    request = Request(
        "lambda:InvokeFunction",
        function.function_arn,
        "events.amazonaws.com",
        {"aws:SourceArn": rule_arn, "aws:SourceAccount": arn[4]},
    )
    if policy is None or decide([policy], request, resource_policy=True) != ALLOW:
        raise TargetNotPermitted(f"events.amazonaws.com may not lambda:InvokeFunction on {function_arn} for {rule_arn}")

    def run() -> None:
        try:
            deliver()
        finally:
            account.queued_invokes.finished()

    def deliver() -> None:
        queued, failures, pause = time.monotonic(), 0, ASYNC_THROTTLE_FIRST_PAUSE_S
        while time.monotonic() - queued < ASYNC_MAXIMUM_EVENT_AGE_S:
            try:
                _, errored, _ = account.runtime.invoke(function, json.dumps(payload, default=str))
            except TooManyRequests:  # throttled: not a retry attempt, the event waits in the queue
                time.sleep(pause)
                pause = min(pause * 2, ASYNC_THROTTLE_MAX_PAUSE_S)
                continue
            except Exception:  # noqa: BLE001 - a system error counts as a failed attempt
                errored = True
            if not errored or failures == ASYNC_RETRY_ATTEMPTS:
                return
            failures += 1
            time.sleep(0.2 * failures)

    account.queued_invokes.accepted()
    threading.Thread(target=run, name=f"async-invoke-{arn[6]}", daemon=True).start()


# Lambda's defaults for asynchronous invocation (MaximumRetryAttempts, MaximumEventAgeInSeconds);
# its back-off between throttled attempts grows to minutes, here to a second.
ASYNC_RETRY_ATTEMPTS = 2
ASYNC_MAXIMUM_EVENT_AGE_S = 6 * 3600
ASYNC_THROTTLE_FIRST_PAUSE_S, ASYNC_THROTTLE_MAX_PAUSE_S = 0.05, 1.0


class TargetNotPermitted(Exception):
    """The target's role may not do what delivering to the target takes."""

    code = "NO_PERMISSIONS"  # the ERROR_CODE EventBridge puts on the dead-letter message


def _copy_with_targets(rule: Any, targets: list[dict[str, Any]]) -> Any:
    import copy

    narrowed = copy.copy(rule)
    narrowed.targets = targets
    return narrowed


def _target_input(target: dict[str, Any], event: dict[str, Any]) -> Any:
    """What EventBridge sends a target: Input, InputPath (a simple $.a.b path) or the event."""
    if target.get("Input"):
        return json.loads(target["Input"])
    path = target.get("InputPath")
    if not path:
        return event
    value: Any = event
    for part in path.removeprefix("$").strip(".").split("."):
        if part:
            value = value[part]
    return value


# --- AWS KMS ----------------------------------------------------------------------------------


@fill
def kms_rotation_period(account: EmbeddedAccount) -> None:
    """EnableKeyRotation's RotationPeriodInDays, and GetKeyRotationStatus answering with it (AWS
    defaults it to 365): moto drops it, so every plan wants to set it again."""
    from moto.kms.responses import KmsResponse

    periods: dict[str, int] = {}
    original_enable = KmsResponse.enable_key_rotation

    def enable_key_rotation(self) -> str:
        answer = original_enable(self)
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        periods[key.id] = int(self._get_param("RotationPeriodInDays") or 365)
        return answer

    def get_key_rotation_status(self) -> str:
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        enabled = self.kms_backend.get_key_rotation_status(key.id)
        status: dict[str, Any] = {"KeyRotationEnabled": enabled, "KeyId": key.arn}
        if enabled:
            status["RotationPeriodInDays"] = periods.get(key.id, 365)
        return json.dumps(status)

    KmsResponse.enable_key_rotation = enable_key_rotation
    KmsResponse.get_key_rotation_status = get_key_rotation_status


@fill
def kms_aws_managed_keys(account: EmbeddedAccount) -> None:
    """The keys behind alias/aws/<service> are AWS managed (KeyManager AWS): moto creates them on
    first use as customer keys, so an account looked customer-owned keys after `terraform destroy`."""
    from moto.kms.models import KmsBackend

    original = KmsBackend._generate_default_keys

    def _generate_default_keys(self, alias_name: str) -> str | None:
        key_id = original(self, alias_name)
        if key_id is not None:
            self.keys[key_id].key_manager = "AWS"
        return key_id

    KmsBackend._generate_default_keys = _generate_default_keys


# --- AWS Lambda configuration --------------------------------------------------------------------


@fill
def lambda_logging_config(account: EmbeddedAccount) -> None:
    """A function's LoggingConfig: moto neither stores nor returns it. AWS keeps what was given and
    fills in the defaults (log group /aws/lambda/<name>; INFO levels for the JSON format)."""
    from moto.awslambda.models import LambdaFunction

    def complete(given: dict[str, Any] | None, name: str) -> dict[str, Any]:
        config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}", **(given or {})}
        if config["LogFormat"] == "JSON":
            config.setdefault("ApplicationLogLevel", "INFO")
            config.setdefault("SystemLogLevel", "INFO")
        return config

    original_init = LambdaFunction.__init__
    original_update = LambdaFunction.update_configuration
    original_get = LambdaFunction.get_configuration

    def __init__(self, account_id: str, spec: dict[str, Any], region: str, version: Any = 1) -> None:  # noqa: N807
        original_init(self, account_id, spec, region, version)
        self.logging_config = complete(spec.get("LoggingConfig"), self.function_name)

    def update_configuration(self, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "LoggingConfig" in config_updates:
            self.logging_config = complete(config_updates["LoggingConfig"], self.function_name)
        return original_update(self, config_updates)

    def get_configuration(self, on_create: bool = False) -> dict[str, Any]:
        configuration = original_get(self, on_create)
        configuration["LoggingConfig"] = getattr(self, "logging_config", complete(None, self.function_name))
        return configuration

    LambdaFunction.__init__ = __init__
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.get_configuration = get_configuration


@fill
def lambda_dead_letter_config(account: EmbeddedAccount) -> None:
    """A function's DeadLetterConfig (where the Lambda service sends an asynchronous event that
    failed every attempt): moto neither stores nor returns it, so the provider plans to set it
    again after every apply."""
    from moto.awslambda.models import LambdaFunction

    original_init = LambdaFunction.__init__
    original_update = LambdaFunction.update_configuration
    original_get = LambdaFunction.get_configuration

    def __init__(self, account_id: str, spec: dict[str, Any], region: str, version: Any = 1) -> None:  # noqa: N807
        original_init(self, account_id, spec, region, version)
        self.dead_letter_config = spec.get("DeadLetterConfig") or {}

    def update_configuration(self, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "DeadLetterConfig" in config_updates:
            self.dead_letter_config = config_updates["DeadLetterConfig"] or {}
        return original_update(self, config_updates)

    def get_configuration(self, on_create: bool = False) -> dict[str, Any]:
        configuration = original_get(self, on_create)
        if getattr(self, "dead_letter_config", {}).get("TargetArn"):
            configuration["DeadLetterConfig"] = self.dead_letter_config
        return configuration

    LambdaFunction.__init__ = __init__
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.get_configuration = get_configuration


# --- Amazon S3 --------------------------------------------------------------------------------

# Every SDK request to AWS travels over TLS, so AWS sees aws:SecureTransport = true for them. The
# embedded account speaks plain http on loopback, which stands in for that TLS: this is the one
# place that decides the key, and it decides it as AWS would for an SDK request.


@fill
def s3_bucket_policy_conditions(account: EmbeddedAccount) -> None:
    """moto treats a bucket-policy statement whose condition does not match as a denial, so a Deny
    conditioned on aws:SecureTransport denies every write. The policy is evaluated here as AWS
    evaluates it (scripts/offline/iam_policy.py), with the request's condition keys: the transport
    and the S3 encryption headers it carries. A denial answers AccessDenied, as AWS does (moto
    sends an empty 403)."""
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket
    from moto.s3.responses import S3Response

    from scripts.offline.authorizer import S3_CONDITION_HEADERS, SECURE_TRANSPORT
    from scripts.offline.iam_policy import ALLOW, DENY, Request, decide

    current = threading.local()
    original_key_response = S3Response._key_response

    def _key_response(self, request: Any, full_url: str):
        current.headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            answer = original_key_response(self, request, full_url)
        finally:
            current.headers = None
        if isinstance(answer, tuple) and answer[0] == 403 and not answer[2]:
            # moto denies with an empty body; AWS says AccessDenied, which SDKs and handlers read.
            request_id = uuid.uuid4().hex[:16].upper()
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message>'
                f"<RequestId>{request_id}</RequestId></Error>"
            )
            return 403, {"Content-Type": "application/xml", "x-amz-request-id": request_id}, body
        return answer

    def get_permission(self, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        headers = getattr(current, "headers", None) or {}
        context = {"aws:SecureTransport": SECURE_TRANSPORT}
        context.update({f"s3:{name}": headers[name] for name in S3_CONDITION_HEADERS if name in headers})
        decision = decide([self.policy.decode()], Request(action, resource, context=context), resource_policy=True)
        return {DENY: PermissionResult.DENIED, ALLOW: PermissionResult.PERMITTED}.get(decision, PermissionResult.NEUTRAL)

    S3Response._key_response = _key_response
    FakeBucket.get_permission = get_permission


# --- Amazon SNS -------------------------------------------------------------------------------


@fill
def s3_eventbridge_notification_configuration(account: EmbeddedAccount) -> None:
    """GetBucketNotificationConfiguration leaves out EventBridgeConfiguration although moto keeps
    it (and sends the events): the provider then plans to turn EventBridge on again after every
    apply. AWS answers it as an empty element."""
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self: Any) -> Any:
        response = original(self)
        configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if configuration is None or configuration.event_bridge is None:
            return response
        status, headers, body = response
        text = body.decode() if isinstance(body, bytes) else body
        if "<EventBridgeConfiguration" in text:
            return response
        if "</NotificationConfiguration>" in text:
            text = text.replace("</NotificationConfiguration>", "<EventBridgeConfiguration/></NotificationConfiguration>")
        else:  # an empty result: only EventBridge is configured
            text = '<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EventBridgeConfiguration/></NotificationConfiguration>'
        return status, headers, text.encode() if isinstance(body, bytes) else text

    S3Response.get_bucket_notification = get_bucket_notification


@fill
def s3_delete_marker_notifications(account: EmbeddedAccount) -> None:
    """Deleting an object of a versioned bucket without a version id creates a delete marker; S3
    sends that as an ``s3:ObjectRemoved:DeleteMarkerCreated`` notification (EventBridge detail-type
    "Object Deleted"). moto sends nothing for it, so a document deleted from the (versioned)
    library would stay in the search index."""
    from moto.s3 import notifications
    from moto.s3.models import S3Backend

    original = S3Backend.delete_object

    def delete_object(self: Any, bucket_name: str, key_name: str, version_id: str | None = None, bypass: bool = False) -> Any:
        bucket = self.get_bucket(bucket_name)
        existing = bucket.keys.get(key_name) if getattr(bucket, "is_versioned", False) and version_id is None else None
        result = original(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
        if existing is not None and result[1].get("delete-marker") == "true":
            notifications.send_event(
                self.account_id, notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT, bucket, existing
            )
        return result

    S3Backend.delete_object = delete_object


@fill
def sns_email_delivery(account: EmbeddedAccount) -> None:
    """E-mail subscriptions: AWS sends the message to the address; moto drops it. Here it lands in
    the account's mailbox (/_offline/mailbox), which is where a reviewer reads approval requests."""
    from moto.sns.models import Subscription

    original = Subscription.publish

    def publish(self, message: str, message_id: str, subject: str | None = None, *args: Any, **kwargs: Any) -> None:
        if self.protocol in ("email", "email-json"):
            account.recorded.add(
                "mailbox",
                {
                    "to": self.endpoint,
                    "subject": subject or "AWS Notification Message",
                    "message": message,
                    "topic_arn": self.topic.arn,
                    "message_id": message_id,
                    "time": time.time(),
                },
            )
            return None
        return original(self, message, message_id, subject, *args, **kwargs)

    Subscription.publish = publish


# --- AWS Lambda -------------------------------------------------------------------------------


@fill
def lambda_function_url_permission_condition(account: EmbeddedAccount) -> None:
    """AddPermission with FunctionUrlAuthType: AWS keeps it as the condition
    `StringEquals lambda:FunctionUrlAuthType`, which GetPolicy returns and IAM evaluates; moto
    keeps a bare `FunctionUrlAuthType` field on the statement, which no evaluator reads."""
    from moto.awslambda.policy import Policy

    original = Policy.decode_policy

    def decode_policy(self, obj: dict[str, Any]):
        auth_type = obj.pop("FunctionUrlAuthType", None)
        policy = original(self, obj)
        if auth_type is not None:
            statement = policy.statements[-1]
            statement.setdefault("Condition", {}).setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = auth_type
        return policy

    Policy.decode_policy = decode_policy


@fill
def lambda_public_powertools_layer(account: EmbeddedAccount) -> None:
    """AWS publishes the Powertools layer in its own account, every version of it, and every
    account may use it; moto looks layers up only in the caller's account. Here a layer ARN is
    resolved in the account it names, and any version of the public Powertools layer exists:
    it holds the Powertools package this repository pins (requirements-dev.txt), as the real
    layer holds Powertools and its dependencies under python/."""
    from moto.awslambda.exceptions import UnknownLayerVersionException
    from moto.awslambda.models import LambdaFunction, lambda_backends

    from scripts.offline.account import REGION

    def _get_layers_data(self, layers_versions_arns: list[str]) -> list[dict[str, Any]]:
        found = []
        for arn in layers_versions_arns:
            parts = arn.split(":")
            if len(parts) != 8:
                raise UnknownLayerVersionException(layers_versions_arns)
            region, owner, name, version = parts[3], parts[4], parts[6], parts[7]
            architecture = next((arch for arch, layer in POWERTOOLS_LAYER_NAMES.items() if layer == name), None)
            if owner == POWERTOOLS_LAYER_ACCOUNT and architecture and version.isdigit():
                _publish_powertools_layer(region, architecture, int(version), account.work_dir)
            layer = lambda_backends[owner][region].layers_versions_by_arn(arn)
            if layer is None:
                raise UnknownLayerVersionException(layers_versions_arns)
            found.append({"Arn": layer.arn, "CodeSize": layer.code_size})
        return found

    LambdaFunction._get_layers_data = _get_layers_data
    # Published while the account starts, beside the server, not inside a deployment's first
    # CreateFunction; a CreateFunction that comes first waits on _LAYER_LOCK for it.
    threading.Thread(
        target=publish_powertools_layers,
        args=(REGION, POWERTOOLS_LAYER_VERSIONS_AT_START, account.work_dir),
        name="powertools-layers",
        daemon=True,
    ).start()


_LAYER_LOCK = threading.Lock()


def publish_powertools_layers(region: str, versions: int, work_dir) -> None:
    """Versions 1..`versions` of the public Powertools layer for every architecture."""
    for architecture in POWERTOOLS_LAYER_NAMES:
        _publish_powertools_layer(region, architecture, versions, work_dir)


def _publish_powertools_layer(region: str, architecture: str, version: int, work_dir) -> None:
    """Versions 1..`version` of the public layer for one architecture (AWS has them all); only the
    content is ours."""
    import base64

    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[POWERTOOLS_LAYER_ACCOUNT][region]
    name = POWERTOOLS_LAYER_NAMES[architecture]
    arn = f"arn:aws:lambda:{region}:{POWERTOOLS_LAYER_ACCOUNT}:layer:{name}:{version}"
    with _LAYER_LOCK:
        if backend.layers_versions_by_arn(arn) is not None:
            return
        content = base64.b64encode(powertools_layer_zip(work_dir)).decode()
        while backend.layers_versions_by_arn(arn) is None:
            published = backend.publish_layer_version(
                {
                    "LayerName": name,
                    "Description": "Powertools for AWS Lambda (Python) v3 (the embedded account's copy)",
                    "Content": {"ZipFile": content},
                    "CompatibleRuntimes": ["python3.12"],
                    "CompatibleArchitectures": [architecture],
                }
            )
            if int(published.version) > version:
                raise RuntimeError(f"{name} is already past version {version}")


def powertools_layer_zip(work_dir) -> bytes:
    """python/aws_lambda_powertools and what the public layer brings with it that the Lambda
    runtime lacks (typing_extensions; the X-Ray SDK and its wrapt for Tracer), zipped once per
    account work folder."""
    import importlib.util
    import io
    import zipfile
    from pathlib import Path

    cached = Path(work_dir) / "layers" / "powertools.zip"
    if cached.is_file():
        return cached.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for module in ("aws_lambda_powertools", "typing_extensions", "aws_xray_sdk", "wrapt"):
            spec = importlib.util.find_spec(module)
            origin = Path(spec.origin)
            root = origin.parent if origin.name == "__init__.py" else origin
            files = (
                [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            )
            base = root.parent
            for path in files:
                archive.write(path, f"python/{path.relative_to(base).as_posix()}")
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(buffer.getvalue())
    return buffer.getvalue()


# --- Agents for Amazon Bedrock ----------------------------------------------------------------

# Fields CreateAgent/UpdateAgent take that moto drops; AWS keeps and returns them.
_AGENT_EXTRA_FIELDS = ("guardrailConfiguration", "memoryConfiguration", "agentCollaboration")
# UpdateAgent's fields moto's Agent keeps as attributes.
_AGENT_ATTRIBUTES = {
    "agentName": "agent_name",
    "agentResourceRoleArn": "agent_resource_role_arn",
    "instruction": "instruction",
    "foundationModel": "foundation_model",
    "description": "description",
    "idleSessionTTLInSeconds": "idle_session_ttl_in_seconds",
    "customerEncryptionKeyArn": "customer_encryption_key_arn",
    "promptOverrideConfiguration": "prompt_override_configuration",
}


def _iso_now() -> str:
    """A timestamp as the Bedrock Agents API writes it (ISO 8601; moto writes epoch numbers, which
    the SDKs refuse to parse)."""
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _bedrock_resource_id() -> str:
    """Agent and alias ids are 10 characters of [0-9A-Z] on AWS."""
    import secrets
    import string

    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(10))


@fill
def bedrockagent_agent_lifecycle(account: EmbeddedAccount) -> None:
    """CreateAgent/GetAgent/UpdateAgent/PrepareAgent as AWS answers them: a 10-character id, ISO
    timestamps, status NOT_PREPARED until PrepareAgent makes it PREPARED (the provider waits for
    exactly these), version DRAFT, and the guardrail/memory/collaboration fields kept."""
    from moto.bedrockagent.models import Agent
    from moto.bedrockagent.responses import AgentsforBedrockResponse

    original_init, original_to_dict = Agent.__init__, Agent.to_dict
    original_create = AgentsforBedrockResponse.create_agent

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        original_init(self, *args, **kwargs)
        self.agent_id = _bedrock_resource_id()
        self.agent_arn = f"arn:aws:bedrock:{self.region_name}:{self.account_id}:agent/{self.agent_id}"
        self.agent_status, self.agent_version = "NOT_PREPARED", "DRAFT"
        self.created_at = self.updated_at = _iso_now()
        self.prepared_at = None
        self.recommended_actions = []
        self.extra = {"agentCollaboration": "DISABLED"}
        if self.idle_session_ttl_in_seconds is None:
            self.idle_session_ttl_in_seconds = 600  # AWS's default

    def to_dict(self) -> dict[str, Any]:
        answer = {**original_to_dict(self), **self.extra}
        answer.setdefault("promptOverrideConfiguration", {"promptConfigurations": []})
        return answer

    def create_agent(self) -> str:
        created = json.loads(original_create(self))["agent"]
        agent = self.bedrockagent_backend.get_agent(created["agentId"])
        params = json.loads(self.body)
        agent.extra.update({name: params[name] for name in _AGENT_EXTRA_FIELDS if params.get(name) is not None})
        return json.dumps({"agent": agent.to_dict()})

    def update_agent(self) -> str:
        agent = self.bedrockagent_backend.get_agent(self.path.split("/")[-2])
        params = json.loads(self.body)
        for field_name, attribute in _AGENT_ATTRIBUTES.items():  # UpdateAgent replaces the configuration
            setattr(agent, attribute, params.get(field_name))
        agent.idle_session_ttl_in_seconds = agent.idle_session_ttl_in_seconds or 600
        agent.extra.update({name: params[name] for name in _AGENT_EXTRA_FIELDS if params.get(name) is not None})
        agent.agent_status, agent.updated_at = "NOT_PREPARED", _iso_now()
        return json.dumps({"agent": agent.to_dict()})

    def prepare_agent(self) -> str:
        agent = self.bedrockagent_backend.get_agent(self.path.split("/")[-2])
        agent.agent_status, agent.prepared_at = "PREPARED", _iso_now()
        return json.dumps(
            {"agentId": agent.agent_id, "agentStatus": "PREPARED", "agentVersion": "DRAFT", "preparedAt": agent.prepared_at}
        )

    Agent.__init__, Agent.to_dict = __init__, to_dict
    AgentsforBedrockResponse.create_agent = create_agent
    AgentsforBedrockResponse.update_agent = update_agent
    AgentsforBedrockResponse.prepare_agent = prepare_agent


@fill
def bedrockagent_agent_aliases(account: EmbeddedAccount) -> None:
    """Create/Get/Update/Delete/ListAgentAliases, which moto lacks: an alias is PREPARED at once and
    routes to the agent's version 1 (AWS versions the agent when an alias is created without a
    routing configuration); its ARN takes tags; deleting the agent deletes its aliases."""
    from moto.bedrockagent.exceptions import ResourceNotFoundException
    from moto.bedrockagent.models import AgentsforBedrockBackend
    from moto.bedrockagent.responses import AgentsforBedrockResponse

    original_list_arns = AgentsforBedrockBackend._list_arns
    original_delete_agent = AgentsforBedrockBackend.delete_agent

    def aliases(backend: Any) -> dict[tuple[str, str], dict[str, Any]]:
        if not hasattr(backend, "agent_aliases"):
            backend.agent_aliases = {}
        return backend.agent_aliases

    def _list_arns(self) -> list[str]:
        return original_list_arns(self) + [alias["agentAliasArn"] for alias in aliases(self).values()]

    def delete_agent(self, agent_id: str, skip_resource_in_use_check: bool | None) -> tuple[str, str]:
        answer = original_delete_agent(self, agent_id, skip_resource_in_use_check)
        for key in [key for key in aliases(self) if key[0] == agent_id]:
            del aliases(self)[key]
        return answer

    def alias_of(response: Any) -> dict[str, Any]:
        parts = response.path.strip("/").split("/")  # agents/{agentId}/agentaliases/{aliasId}
        found = aliases(response.bedrockagent_backend).get((parts[1], parts[3]))
        if found is None:
            raise ResourceNotFoundException(f"Agent alias {parts[3]} of agent {parts[1]} not found")
        return found

    def create_agent_alias(self) -> str:
        agent = self.bedrockagent_backend.get_agent(self.path.strip("/").split("/")[1])
        params = json.loads(self.body)
        alias_id, now = _bedrock_resource_id(), _iso_now()
        alias = {
            "agentAliasArn": f"arn:aws:bedrock:{agent.region_name}:{agent.account_id}:agent-alias/{agent.agent_id}/{alias_id}",
            "agentAliasId": alias_id,
            "agentAliasName": params["agentAliasName"],
            "agentAliasStatus": "PREPARED",
            "agentId": agent.agent_id,
            "clientToken": params.get("clientToken"),
            "createdAt": now,
            "updatedAt": now,
            "routingConfiguration": params.get("routingConfiguration") or [{"agentVersion": "1"}],
            "agentAliasHistoryEvents": [],
        }
        if params.get("description"):
            alias["description"] = params["description"]
        aliases(self.bedrockagent_backend)[(agent.agent_id, alias_id)] = alias
        if params.get("tags"):
            self.bedrockagent_backend.tag_resource(alias["agentAliasArn"], params["tags"])
        return json.dumps({"agentAlias": alias})

    def get_agent_alias(self) -> str:
        return json.dumps({"agentAlias": alias_of(self)})

    def update_agent_alias(self) -> str:
        alias = alias_of(self)
        params = json.loads(self.body)
        alias.update({"agentAliasName": params["agentAliasName"], "updatedAt": _iso_now()})
        alias.pop("description", None)
        if params.get("description"):
            alias["description"] = params["description"]
        if params.get("routingConfiguration"):
            alias["routingConfiguration"] = params["routingConfiguration"]
        return json.dumps({"agentAlias": alias})

    def delete_agent_alias(self) -> str:
        alias = alias_of(self)
        del aliases(self.bedrockagent_backend)[(alias["agentId"], alias["agentAliasId"])]
        return json.dumps({"agentAliasId": alias["agentAliasId"], "agentAliasStatus": "DELETING", "agentId": alias["agentId"]})

    def list_agent_aliases(self) -> str:
        agent = self.bedrockagent_backend.get_agent(self.path.strip("/").split("/")[1])
        summaries = [
            {key: alias[key] for key in ("agentAliasId", "agentAliasName", "agentAliasStatus", "createdAt", "updatedAt")}
            for (agent_id, _), alias in aliases(self.bedrockagent_backend).items()
            if agent_id == agent.agent_id
        ]
        return json.dumps({"agentAliasSummaries": summaries})

    AgentsforBedrockBackend._list_arns = _list_arns
    AgentsforBedrockBackend.delete_agent = delete_agent
    for handler in (create_agent_alias, get_agent_alias, update_agent_alias, delete_agent_alias, list_agent_aliases):
        setattr(AgentsforBedrockResponse, handler.__name__, handler)
