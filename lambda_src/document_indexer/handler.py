"""Document indexer: rebuild the library's search index after documents change.

Event: an S3 "Object Created" / "Object Deleted" event for ``documents/…`` in the library bucket,
delivered by EventBridge. The function does not patch the index with the one object the event
names: it lists the library and rebuilds, reusing the passages of every document whose ETag is
unchanged. So events that arrive late, twice or out of order all converge on the same index, and
one rebuild at a time (reserved concurrency 1) never loses another's change.
Returns ``{"documents", "passages", "read", "reused", "skipped"}``.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from aws_lambda_powertools import Tracer
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import ClientError
from workflow_core import documents
from workflow_core.config import load_config
from workflow_core.observability import logger, metrics, start_invocation

REQUIRED_ENV = ("ENVIRONMENT", "LIBRARY_BUCKET")

tracer = Tracer()

CONFIG = load_config(REQUIRED_ENV)
ENVIRONMENT = CONFIG.str("ENVIRONMENT")
LIBRARY_BUCKET = CONFIG.str("LIBRARY_BUCKET")
S3 = boto3.client("s3")


def _library_etags(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=documents.DOCUMENTS_PREFIX):
        etags.update({item["Key"]: item["ETag"] for item in page.get("Contents", []) if documents.is_document(item["Key"])})
    return etags


def _previous_index(s3: Any, bucket: str) -> dict[str, Any]:
    try:
        data = json.loads(s3.get_object(Bucket=bucket, Key=documents.INDEX_KEY)["Body"].read())
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            return {}
        raise
    return data if data.get("format") == documents.INDEX_FORMAT else {}


@tracer.capture_method
def rebuild(s3: Any, bucket: str) -> dict[str, int]:
    previous = _previous_index(s3, bucket)
    previous_documents = previous.get("documents", {})
    previous_passages: dict[str, list[documents.Passage]] = {}
    for passage in previous.get("passages", []):
        previous_passages.setdefault(passage["key"], []).append(
            documents.Passage(passage["uri"], passage["title"], passage["text"])
        )

    entries: dict[str, dict[str, Any]] = {}
    read = reused = 0
    for key, etag in _library_etags(s3, bucket).items():
        known = previous_documents.get(key)
        if known and known.get("etag") == etag:
            reused += 1
            entries[key] = (
                {"etag": etag, "skipped": known["skipped"]}
                if "skipped" in known
                else {"etag": etag, "passages": previous_passages.get(key, [])}
            )
            continue
        try:
            response = s3.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchKey":
                continue  # deleted since the listing; its own event triggers the next rebuild
            raise
        read += 1
        try:
            entries[key] = {"etag": response["ETag"], "passages": documents.split_passages(bucket, key, response["Body"].read())}
        except documents.DocumentUnreadable as error:
            logger.warning("document skipped", extra={"key": key, "reason": str(error)})
            entries[key] = {"etag": response["ETag"], "skipped": str(error)}

    index = documents.build_index(bucket, entries)
    s3.put_object(
        Bucket=bucket,
        Key=documents.INDEX_KEY,
        Body=json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        ContentType="application/json",
    )
    result = {
        "documents": len(entries),
        "passages": len(index["passages"]),
        "read": read,
        "reused": reused,
        "skipped": sum(1 for entry in entries.values() if "skipped" in entry),
    }
    metrics.add_metric(name="LibraryDocuments", unit=MetricUnit.Count, value=result["documents"])
    metrics.add_metric(name="LibraryPassages", unit=MetricUnit.Count, value=result["passages"])
    metrics.add_metric(name="LibraryDocumentsSkipped", unit=MetricUnit.Count, value=result["skipped"])
    logger.info("library index rebuilt", extra=result)
    return result


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    start_invocation(ENVIRONMENT, "document_indexer")
    detail = event.get("detail") if isinstance(event, dict) else None
    if isinstance(detail, dict):
        logger.info("library changed", extra={"change": event.get("detail-type"), "key": (detail.get("object") or {}).get("key")})
    return rebuild(S3, LIBRARY_BUCKET)
