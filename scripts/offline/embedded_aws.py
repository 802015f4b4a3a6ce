"""Create, inside moto, the resources the Terraform root stack creates.

Names of functions, their handlers and the names of their environment variables come from the
root stack's HCL (`local.function_environment`), values from the environment's tfvars where the
HCL binds a variable and from the resources made here otherwise. The state machine is rendered
from the same template with the same bindings. So the local deployment cannot drift from the
Terraform one without a test noticing (tests/offline/test_contract.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from scripts import hcl, render_definition
from scripts.offline.lambdas import InProcessLambdas, extract_code
from scripts.package_lambdas import CODE_PACKAGES
from scripts.seed_signing_secret import new_signing_key

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
EVENT_SOURCE = "research-report"
LOCAL_OVERRIDES = {"AGENT_BACKEND": "local"}
LOCAL_ONLY_VARIABLES = ("LOCAL_CORPUS_DIR",)
APPROVAL_BASE_URL = "http://127.0.0.1:8765/approval"


class DeploymentError(RuntimeError):
    """The root stack's HCL cannot be mirrored locally."""


@dataclass(frozen=True)
class FunctionSpec:
    key: str
    name: str
    package: str
    handler: str
    environment: dict[str, str]
    memory_mb: int = 512
    timeout_seconds: int = 60


@dataclass
class Deployment:
    env: str
    prefix: str
    bucket: str
    workflow_table: str
    cache_table: str
    approval_topic_arn: str
    approval_queue_url: str
    event_bus_name: str
    event_tap_queue_url: str
    secret_arn: str
    state_machine_arn: str = ""
    definition: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    region: str = REGION
    account: str = ACCOUNT

    def function_arn(self, key: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.functions[key].name}"


def root_function_environments() -> dict[str, dict[str, Any]]:
    """`local.function_environment` of the root stack: function key -> {VAR: HCL expression}."""
    blocks = hcl.load_directory(hcl.ROOT_STACK).get("locals", [])
    named = {name: value for block in blocks for name, value in block.items()}
    if "function_environment" not in named:
        raise DeploymentError("terraform/ defines no local.function_environment")
    # An entry may be another local (approval_callback's: `local.approval_callback_environment`).
    return {
        key: named[value[len("${local.") : -1]] if isinstance(value, str) and value.startswith("${local.") else value
        for key, value in named["function_environment"].items()
    }


def root_function_packages() -> dict[str, str]:
    """`local.function_packages` of the root stack: function key -> code package."""
    for block in hcl.load_directory(hcl.ROOT_STACK).get("locals", []):
        if "function_packages" in block:
            return block["function_packages"]
    raise DeploymentError("terraform/ defines no local.function_packages")


_FOR_BODY = re.compile(r"^\$\{\{for (\w+) in keys\(local\.function_packages\) : \1 => \{(?P<body>[^{}]*)\}\}\}$")


def root_powertools_environment() -> dict[str, str]:
    """The body of `local.powertools_environment` (one object per function key) as expressions.

    The loop variable comes back as `"${key}"`, so resolve it per function with `{"key": ...}`.
    """
    for block in hcl.load_directory(hcl.ROOT_STACK).get("locals", []):
        if "powertools_environment" in block:
            match = _FOR_BODY.match(block["powertools_environment"])
            if not match:
                raise DeploymentError(
                    "local.powertools_environment is not `{ for key in keys(local.function_packages) : key => {...} }`"
                )
            expressions = {}
            for assignment in match.group("body").split(","):
                name, _, expression = (part.strip() for part in assignment.partition("="))
                expressions[name] = expression[1:-1] if expression.startswith('"') else "${" + expression + "}"
            return expressions
    raise DeploymentError("terraform/ defines no local.powertools_environment")


def resolve_environment(
    key: str, expressions: dict[str, Any], variables: dict[str, Any], resources: dict[str, str]
) -> dict[str, str]:
    """Values for one function's variables, as the root stack would bind them in this environment."""
    values, missing = {}, []
    for name, expression in expressions.items():
        variable = hcl.variable_reference(expression)
        if name in LOCAL_OVERRIDES:
            values[name] = LOCAL_OVERRIDES[name]
        elif variable is not None:
            if variable in variables:
                values[name] = _as_env_text(variables[variable])
            else:
                missing.append(f"{name} (var.{variable})")
        elif isinstance(expression, str) and "${" not in expression:
            values[name] = expression
        elif name in resources:
            values[name] = resources[name]
        else:
            missing.append(f"{name} = {expression}")
    if missing:
        raise DeploymentError(f"{key}: no local value for " + ", ".join(missing))
    return values


def _as_env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


class EmbeddedAws:
    """Builds the deployment in the active moto mock. Call inside `mock_aws(...)`."""

    def __init__(self, env: str, dist: Path, work_dir: Path, corpus: Path) -> None:
        self.env = env
        self.dist = dist
        self.work_dir = work_dir
        self.corpus = corpus
        self.variables = hcl.environment_values(env)
        self.prefix = f"{self.variables.get('name', 'research-report')}-{env}"
        self.session = boto3.Session(region_name=REGION)

    def client(self, service: str):
        return self.session.client(service)

    def deploy(self, lambdas: InProcessLambdas) -> Deployment:
        deployment = self._storage_and_messaging()
        self._functions(deployment, lambdas)
        self._state_machine(deployment)
        return deployment

    def _storage_and_messaging(self) -> Deployment:
        s3, ddb, sns, sqs, events, sm = (self.client(s) for s in ("s3", "dynamodb", "sns", "sqs", "events", "secretsmanager"))
        bucket = f"{self.prefix}-artifacts-{ACCOUNT}"
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
        )
        workflow_table, cache_table = f"{self.prefix}-workflow", f"{self.prefix}-search-cache"
        ddb.create_table(
            TableName=workflow_table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.create_table(
            TableName=cache_table,
            KeySchema=[{"AttributeName": "cache_key", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "cache_key", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for table in (workflow_table, cache_table):
            ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})

        topic_arn = sns.create_topic(Name=f"{self.prefix}-approvals")["TopicArn"]
        approval_queue_url = sqs.create_queue(QueueName=f"{self.prefix}-approval-inbox")["QueueUrl"]
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=_queue_arn(sqs, approval_queue_url),
            Attributes={"RawMessageDelivery": "true"},
        )

        bus = f"{self.prefix}-events"
        events.create_event_bus(Name=bus)
        tap_url = sqs.create_queue(QueueName=f"{self.prefix}-event-tap")["QueueUrl"]
        events.put_rule(Name=f"{self.prefix}-tap", EventBusName=bus, EventPattern=json.dumps({"source": [EVENT_SOURCE]}))
        events.put_targets(Rule=f"{self.prefix}-tap", EventBusName=bus, Targets=[{"Id": "tap", "Arn": _queue_arn(sqs, tap_url)}])

        secret_arn = sm.create_secret(Name=f"{self.prefix}/approval-signing-key", SecretString=new_signing_key())["ARN"]
        return Deployment(
            self.env, self.prefix, bucket, workflow_table, cache_table, topic_arn, approval_queue_url, bus, tap_url, secret_arn
        )

    def resource_environment(self, deployment: Deployment) -> dict[str, str]:
        """Values for the variables the root stack binds to resources rather than to tfvars."""
        return {
            "ENVIRONMENT": self.env,
            "WORKFLOW_TABLE": deployment.workflow_table,
            "SEARCH_CACHE_TABLE": deployment.cache_table,
            "ARTIFACT_BUCKET": deployment.bucket,
            "EVENT_BUS_NAME": deployment.event_bus_name,
            "APPROVAL_TOPIC_ARN": deployment.approval_topic_arn,
            "SIGNING_SECRET_ARN": deployment.secret_arn,
            "APPROVAL_BASE_URL": APPROVAL_BASE_URL,
            "AGENT_ID": "LOCALAGENT",
            "AGENT_ALIAS_ID": "LOCALALIAS",
            "FALLBACK_MODEL_ID": "local.fallback",
        }

    def _functions(self, deployment: Deployment, lambdas: InProcessLambdas) -> None:
        iam, lam = self.client("iam"), self.client("lambda")
        packages = root_function_packages()
        powertools = root_powertools_environment()
        resources = self.resource_environment(deployment)
        missing_zips = [p for p in set(packages.values()) if not (self.dist / f"{p}.zip").is_file()]
        if missing_zips:
            raise DeploymentError(f"missing {', '.join(sorted(missing_zips))} zip(s) in {self.dist}: run `make package`")
        extract_code([self.dist / f"{p}.zip" for p in CODE_PACKAGES if p in packages.values()], self.work_dir / "lambda")
        for key, expressions in root_function_environments().items():
            name = f"{self.prefix}-{key}"
            package = packages[key]
            loop = {name: key for name, expression in powertools.items() if expression == "${key}"}
            environment = resolve_environment(key, {**expressions, **powertools}, self.variables, {**resources, **loop})
            if package == "agent":
                environment["LOCAL_CORPUS_DIR"] = str(self.corpus)
            role = iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                        ],
                    }
                ),
            )["Role"]["Arn"]
            handler = f"{package}.handler.lambda_handler"
            with (self.dist / f"{package}.zip").open("rb") as archive:
                arn = lam.create_function(
                    FunctionName=name,
                    Runtime="python3.12",
                    Role=role,
                    Handler=handler,
                    Code={"ZipFile": archive.read()},
                    Environment={"Variables": environment},
                    Timeout=60,
                    MemorySize=512,
                )["FunctionArn"]
            deployment.functions[key] = FunctionSpec(key, name, package, handler, environment)
            lambdas.load(name, arn, handler, environment, 512, 60)

    def _state_machine(self, deployment: Deployment) -> None:
        iam, sfn = self.client("iam"), self.client("stepfunctions")
        resources = {f"{key}_arn": deployment.function_arn(key) for key in deployment.functions}
        resources["workflow_table_name"] = deployment.workflow_table
        deployment.definition = render_definition.render(self.env, resources)
        role = iam.create_role(
            RoleName=f"{self.prefix}-state-machine",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ],
                }
            ),
        )["Role"]["Arn"]
        deployment.state_machine_arn = sfn.create_state_machine(
            name=self.prefix,
            definition=json.dumps(deployment.definition),
            roleArn=role,
            type="STANDARD",
        )["stateMachineArn"]


def _queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
