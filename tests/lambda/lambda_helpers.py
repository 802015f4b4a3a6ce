"""Helpers shared by the Lambda tests (kept out of conftest so tests can import them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

REGION = "us-east-1"
BUCKET = "research-report-test-artifacts"
WORKFLOW_TABLE = "research-report-test-workflow"
CACHE_TABLE = "research-report-test-search-cache"
BUS = "research-report-test"
SECRET_NAME = "research-report-test-signing"
SECRET_VALUE = "test-signing-secret-0123456789abcdef"
EXECUTION_ARN = "arn:aws:states:us-east-1:123456789012:execution:research-report-test:acme-wf-001"

AGENT_ENV = {
    "ENVIRONMENT": "test",
    "AGENT_BACKEND": "local",
    "AGENT_ID": "local",
    "AGENT_ALIAS_ID": "local",
    "FALLBACK_MODEL_ID": "amazon.nova-lite-v1:0",
    "ARTIFACT_BUCKET": BUCKET,
    "WORKFLOW_TABLE": WORKFLOW_TABLE,
    "SEARCH_CACHE_TABLE": CACHE_TABLE,
    "SEARCH_CACHE_TTL_SECONDS": "3600",
    "TOLERATED_FAILURE_PERCENTAGE": "25",
    "LOCAL_CORPUS_DIR": str(Path(__file__).resolve().parents[2] / "corpus"),
}


def received_events(queue_url: str) -> list[dict[str, Any]]:
    """Events that reached the bus rule's SQS target."""
    sqs = boto3.client("sqs")
    out: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return out
        for message in messages:
            out.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def s3_tags(key: str) -> dict[str, str]:
    tags = boto3.client("s3").get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in tags}


def read_s3(key: str) -> str:
    return boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read().decode("utf-8")
