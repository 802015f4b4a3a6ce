"""document_indexer: the S3 event (through EventBridge) rebuilds the library index in S3; unchanged
documents are reused by ETag, unreadable ones are recorded as skipped, deletions leave the index."""

from __future__ import annotations

import json

import boto3
import pytest
from lambda_helpers import LIBRARY_BUCKET
from workflow_core import documents


def s3_event(key: str, change: str = "Object Created") -> dict:
    return {
        "version": "0",
        "source": "aws.s3",
        "detail-type": change,
        "detail": {"bucket": {"name": LIBRARY_BUCKET}, "object": {"key": key}},
    }


@pytest.fixture
def indexer(resources, load_handler, context):
    module = load_handler("document_indexer", ENVIRONMENT="test", LIBRARY_BUCKET=LIBRARY_BUCKET)
    return lambda key, change="Object Created": module.lambda_handler(s3_event(key, change), context)


def put(key: str, body: bytes) -> None:
    boto3.client("s3").put_object(Bucket=LIBRARY_BUCKET, Key=key, Body=body)


def stored_index() -> dict:
    return json.loads(boto3.client("s3").get_object(Bucket=LIBRARY_BUCKET, Key=documents.INDEX_KEY)["Body"].read())


NOTE = b"# Step Functions\n\nA Standard workflow keeps its history for ninety days and can wait a year.\n"


def test_an_uploaded_document_is_indexed_and_searchable(indexer) -> None:
    put("documents/sfn.md", NOTE)
    assert indexer("documents/sfn.md") == {"documents": 1, "passages": 1, "read": 1, "reused": 0, "skipped": 0}
    index = documents.LibraryIndex.from_json(stored_index())
    assert index.search("history ninety days", 5)[0]["uri"] == f"s3://{LIBRARY_BUCKET}/documents/sfn.md#p1"


def test_a_rebuild_reads_only_the_documents_whose_etag_changed(indexer) -> None:
    put("documents/a.md", NOTE)
    put("documents/b.md", NOTE.replace(b"ninety", b"ninety-one"))
    indexer("documents/b.md")
    put("documents/b.md", NOTE.replace(b"ninety", b"eighty"))
    assert indexer("documents/b.md") == {"documents": 2, "passages": 2, "read": 1, "reused": 1, "skipped": 0}
    assert "eighty" in json.dumps(stored_index()["passages"])


def test_a_deleted_document_leaves_the_index(indexer) -> None:
    put("documents/a.md", NOTE)
    indexer("documents/a.md")
    boto3.client("s3").delete_object(Bucket=LIBRARY_BUCKET, Key="documents/a.md")
    assert indexer("documents/a.md", "Object Deleted")["documents"] == 0
    assert documents.LibraryIndex.from_json(stored_index()).search("history", 5) == []


def test_an_unreadable_document_is_skipped_with_its_reason_and_the_rest_is_indexed(indexer) -> None:
    put("documents/ok.md", NOTE)
    put("documents/latin1.txt", "Caf\xe9 notes that are long enough to be a passage in the library.".encode("latin-1"))
    assert indexer("documents/latin1.txt")["skipped"] == 1
    assert stored_index()["documents"]["documents/latin1.txt"]["skipped"].startswith("not UTF-8")
    assert indexer("documents/ok.md")["reused"] == 2  # skipped stays skipped until it changes


def test_files_that_are_not_documents_are_not_indexed(indexer) -> None:
    put("documents/image.png", b"\x89PNG")
    put("documents/notes.md", NOTE)
    assert indexer("documents/notes.md")["documents"] == 1
    assert list(stored_index()["documents"]) == ["documents/notes.md"]
