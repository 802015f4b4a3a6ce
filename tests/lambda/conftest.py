"""Fixtures for the Lambda handler tests: moto-backed AWS resources and fresh handler imports.

Handlers read their configuration and create their clients at import (as on Lambda), so each test
sets the environment first and then imports the handler module afresh with ``load_handler``.
The zips put packages at the zip root, so ``lambda_src`` goes on ``sys.path``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import botocore.session
import pytest
from moto import mock_aws

from scripts.offline import sdk_sessions

REPO = Path(__file__).resolve().parents[2]
LAMBDA_SRC = REPO / "lambda_src"
for path in (LAMBDA_SRC, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from lambda_helpers import (  # noqa: E402
    BUCKET,
    BUS,
    CACHE_TABLE,
    LIBRARY_BUCKET,
    REGION,
    SECRET_NAME,
    SECRET_VALUE,
    WORKFLOW_TABLE,
    LocalBedrock,
)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "POWERTOOLS_METRICS_NAMESPACE": "ResearchReport",
        "POWERTOOLS_SERVICE_NAME": "test",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(name, value)
    # moto gives each mock a new default boto3 session, and handlers make their own sessions; each
    # would read botocore's service models from disk again (about half a handler test's time).
    # Clients are still created afresh inside this mock; only the static model files are shared.
    monkeypatch.setattr(botocore.session, "create_loader", sdk_sessions.shared_loader)
    with mock_aws():
        yield


@pytest.fixture
def resources(aws: None) -> dict[str, Any]:
    """Buckets (artifacts, library), both tables, event bus (with a queue to observe events), topic,
    signing secret."""
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    boto3.client("s3").create_bucket(Bucket=LIBRARY_BUCKET)
    ddb = boto3.client("dynamodb")
    ddb.create_table(
        TableName=WORKFLOW_TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.create_table(
        TableName=CACHE_TABLE,
        KeySchema=[{"AttributeName": "cache_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "cache_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    events = boto3.client("events")
    events.create_event_bus(Name=BUS)
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="events-tap")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventBusName=BUS, EventPattern='{"source": ["research-report"]}')
    events.put_targets(Rule="all", EventBusName=BUS, Targets=[{"Id": "tap", "Arn": queue_arn}])
    sns = boto3.client("sns")
    topic_arn = sns.create_topic(Name="approvals")["TopicArn"]
    mail_url = sqs.create_queue(QueueName="mail-tap")["QueueUrl"]
    mail_arn = sqs.get_queue_attributes(QueueUrl=mail_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=mail_arn)
    secret_arn = boto3.client("secretsmanager").create_secret(Name=SECRET_NAME, SecretString=SECRET_VALUE)["ARN"]
    return {
        "bucket": BUCKET,
        "library_bucket": LIBRARY_BUCKET,
        "workflow_table": WORKFLOW_TABLE,
        "cache_table": CACHE_TABLE,
        "bus": BUS,
        "events_queue_url": queue_url,
        "topic_arn": topic_arn,
        "mail_queue_url": mail_url,
        "secret_arn": secret_arn,
    }


@pytest.fixture
def load_handler(monkeypatch: pytest.MonkeyPatch) -> Callable[..., ModuleType]:
    """``load_handler("agent", AGENT_ROLE="search", ...)``: set env, import ``<package>.handler``
    afresh (config and clients are created at import, inside the active moto mock)."""

    def load(package: str, **env: str) -> ModuleType:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        name = f"{package}.handler"
        sys.modules.pop(name, None)
        # A fresh import stands for a new sandbox: no library index cached from an earlier test
        # (moto's ETags repeat across tests, so a warm cache would skip the GetObject).
        from workflow_core import documents

        documents._cache.clear()
        module = importlib.import_module(name)
        monkeypatch.setattr(sys.modules[package], "handler", module, raising=False)
        return module

    return load


@pytest.fixture
def handler_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The handlers' JSON log records at INFO for one test (the suite logs at WARNING)."""
    import io
    import json

    from workflow_core.observability import logger

    buffer = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", buffer)
    level = logger.log_level
    logger.setLevel("INFO")
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    logger.setLevel(level)


@pytest.fixture
def context() -> Any:
    from scripts.offline.lambda_worker import LambdaContext  # the one local stand-in for Lambda's context

    return LambdaContext("test", "arn:aws:lambda:us-east-1:123456789012:function:test", 256, 900, "/aws/lambda/test")


@pytest.fixture(scope="session")
def local_bedrock() -> LocalBedrock:
    return LocalBedrock()


@pytest.fixture
def bedrock(local_bedrock: LocalBedrock, monkeypatch: pytest.MonkeyPatch) -> LocalBedrock:
    """The Bedrock endpoints for one test: the SDK pointed at them, nothing recorded or injected yet,
    and the backends' per-process clients created afresh (as in a new Lambda sandbox)."""
    from workflow_core.agents import bedrock as agent_backend
    from workflow_core.agents import converse as converse_backend

    local_bedrock.reset()
    for name, value in local_bedrock.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(agent_backend, "_client", None)
    monkeypatch.setattr(converse_backend, "_client", None)
    return local_bedrock
