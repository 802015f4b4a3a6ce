"""The document library's plain functions (workflow_core.documents) and the agents' tools over it
(workflow_core.tools): splitting, indexing with lunr (BM25), searching, reading; no AWS."""

from __future__ import annotations

import json

import pytest
from workflow_core import documents, tools
from workflow_core.documents import DocumentUnreadable, LibraryIndex, build_index, split_passages

BUCKET = "library"
RETRIES = b"""# Retrying Bedrock calls

Throttled Bedrock calls are retried with exponential backoff and full jitter by Step Functions.

## Smaller models

After the retries, the same agent runs on the role's smaller model as the fallback path.

Too short.
"""
QUOTAS = b"""# Quotas

Map state concurrency stays under the Bedrock requests-per-minute quota of the account.
"""


def index_of(**bodies: bytes) -> LibraryIndex:
    entries = {
        f"documents/{name.replace('_', '-')}.md": {
            "etag": f'"{n}"',
            "passages": split_passages(BUCKET, f"documents/{name.replace('_', '-')}.md", body),
        }
        for n, (name, body) in enumerate(bodies.items())
    }
    return LibraryIndex.from_json(json.loads(json.dumps(build_index(BUCKET, entries))))


def test_a_document_splits_at_blank_lines_into_titled_passages_and_short_blocks_are_left_out() -> None:
    passages = split_passages(BUCKET, "documents/ops/retries.md", RETRIES)
    assert [(p.uri, p.title) for p in passages] == [
        ("s3://library/documents/ops/retries.md#p1", "Retrying Bedrock calls"),
        ("s3://library/documents/ops/retries.md#p2", "Retrying Bedrock calls — Smaller models"),
    ]
    assert passages[1].text == "After the retries, the same agent runs on the role's smaller model as the fallback path."


def test_html_becomes_passages_under_its_headings_without_scripts_or_styles() -> None:
    page = b"""<html><head><title>t</title><style>p {color: red}</style></head><body>
    <h1>Runbook</h1><p>Page the on-call engineer when the fallback alarm fires for ten minutes.</p>
    <script>alert('not text')</script><h2>Escalation</h2><p>Escalate to the platform team after one hour without a fix.</p>
    </body></html>"""
    passages = split_passages(BUCKET, "documents/runbook.html", page)
    assert [(p.title, p.text) for p in passages] == [
        ("Runbook", "Page the on-call engineer when the fallback alarm fires for ten minutes."),
        ("Runbook — Escalation", "Escalate to the platform team after one hour without a fix."),
    ]


def test_a_document_that_is_not_utf8_is_unreadable_with_the_reason() -> None:
    with pytest.raises(DocumentUnreadable, match="not UTF-8"):
        split_passages(BUCKET, "documents/latin1.txt", "Caf\xe9 au lait is not UTF-8 in this file at all.".encode("latin-1"))


def test_search_ranks_by_bm25_and_answers_uri_title_text_and_score() -> None:
    index = index_of(retries=RETRIES, quotas=QUOTAS)
    results = index.search("Bedrock quota for Map concurrency", 5)
    assert results[0]["uri"] == "s3://library/documents/quotas.md#p1"
    assert set(results[0]) == {"uri", "title", "text", "score"}
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert len(index.search("Bedrock", 1)) == 1


def test_query_syntax_and_stop_words_are_only_words() -> None:
    index = index_of(retries=RETRIES, quotas=QUOTAS)
    assert index.search("title:Quotas +map* ~2 ^10", 5)[0]["uri"].endswith("quotas.md#p1")
    assert index.search("on the of", 5) == []  # "on" would otherwise match the stem of "one"
    assert index.search("zebra", 5) == []


def test_read_answers_a_passage_or_a_whole_document_and_refuses_anything_else() -> None:
    index = index_of(retries=RETRIES)
    assert index.read("s3://library/documents/retries.md#p2")["title"] == "Retrying Bedrock calls — Smaller models"
    whole = index.read("s3://library/documents/retries.md")
    assert whole["title"] == "Retrying Bedrock calls" and whole["text"].count("\n\n") == 1
    with pytest.raises(KeyError, match="no document or passage"):
        index.read("s3://library/documents/other.md")
    with pytest.raises(KeyError):
        index.read("s3://another-bucket/documents/retries.md")


def test_an_empty_library_finds_nothing() -> None:
    assert LibraryIndex.empty(BUCKET).search("anything", 5) == []
    assert index_of().search("anything", 5) == []


def test_an_index_of_another_format_is_refused_so_it_gets_rebuilt() -> None:
    with pytest.raises(ValueError, match="format"):
        LibraryIndex.from_json({"format": 0, "bucket": BUCKET})


def test_the_same_library_gives_the_same_index() -> None:
    entries = {"documents/a.md": {"etag": '"1"', "passages": split_passages(BUCKET, "documents/a.md", QUOTAS)}}
    assert json.dumps(build_index(BUCKET, entries)) == json.dumps(build_index(BUCKET, dict(entries)))


# -- tools ------------------------------------------------------------------------------------
def library(index: LibraryIndex) -> dict[str, tools.Tool]:
    return {tool.name: tool for tool in tools.library_tools(lambda: index)}


def test_search_documents_is_a_tool_with_a_json_schema_and_a_bounded_result_count() -> None:
    found = library(index_of(retries=RETRIES, quotas=QUOTAS))
    spec = found["search_documents"].spec()["toolSpec"]
    assert spec["inputSchema"]["json"]["required"] == ["query"]
    call = tools.call_tool(found, "search_documents", {"query": "Bedrock", "max_results": 2})
    assert call.ok and len(call.result["results"]) == 2 and call.result_chars == len(json.dumps(call.result, ensure_ascii=False))
    for bad in (
        {"query": ""},
        {"query": "x", "max_results": 0},
        {"query": "x", "max_results": 501},
        {"query": "x", "max_results": True},
    ):
        refused = tools.call_tool(found, "search_documents", bad)
        assert not refused.ok and refused.error


def test_read_document_of_an_unknown_uri_is_a_tool_error_the_model_can_read() -> None:
    call = tools.call_tool(library(index_of(retries=RETRIES)), "read_document", {"uri": "s3://library/documents/nope.md"})
    assert (call.ok, call.result) == (False, None)
    assert "use a uri search_documents returned" in call.error
    assert call.as_log()["error"] == call.error and "result" not in call.as_log()


def test_returned_uris_are_what_successful_calls_handed_the_model_with_and_without_the_passage() -> None:
    found = library(index_of(retries=RETRIES))
    calls = [
        tools.call_tool(found, "search_documents", {"query": "smaller models"}),
        tools.call_tool(found, "read_document", {"uri": "s3://library/documents/missing.md"}),
    ]
    assert tools.returned_uris(calls) == {"s3://library/documents/retries.md#p2", "s3://library/documents/retries.md"}


def test_the_knowledge_base_tool_calls_retrieve_and_answers_in_the_library_s_shape() -> None:
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("bedrock-agent-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    tool = tools.knowledge_base_tool(client, "KB12345678")
    with Stubber(client) as stubber:
        stubber.add_response(
            "retrieve",
            {
                "retrievalResults": [
                    {
                        "content": {"text": "passage"},
                        "location": {"type": "S3", "s3Location": {"uri": "s3://kb/doc.pdf"}},
                        "score": 0.5,
                    }
                ]
            },
            expected_params={
                "knowledgeBaseId": "KB12345678",
                "retrievalQuery": {"text": "quotas"},
                "retrievalConfiguration": {"vectorSearchConfiguration": {"numberOfResults": 3}},
            },
        )
        call = tools.call_tool({tool.name: tool}, "retrieve", {"query": "quotas", "max_results": 3})
    assert call.result == {"results": [{"uri": "s3://kb/doc.pdf", "title": "doc.pdf", "text": "passage", "score": 0.5}]}
    with Stubber(client) as stubber:
        stubber.add_client_error("retrieve", service_error_code="AccessDeniedException", http_status_code=403)
        denied = tools.call_tool({tool.name: tool}, "retrieve", {"query": "quotas"})
    assert not denied.ok and "AccessDeniedException" in denied.error


def test_load_index_reads_the_index_once_per_etag_and_an_absent_index_is_an_empty_library(monkeypatch) -> None:
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        assert documents.load_index(s3, BUCKET).search("quotas", 5) == []
        entries = {"documents/q.md": {"etag": '"1"', "passages": split_passages(BUCKET, "documents/q.md", QUOTAS)}}
        s3.put_object(Bucket=BUCKET, Key=documents.INDEX_KEY, Body=json.dumps(build_index(BUCKET, entries)))
        first = documents.load_index(s3, BUCKET)
        assert documents.load_index(s3, BUCKET) is first  # unchanged ETag: the parsed index is reused
        entries["documents/r.md"] = {"etag": '"2"', "passages": split_passages(BUCKET, "documents/r.md", RETRIES)}
        s3.put_object(Bucket=BUCKET, Key=documents.INDEX_KEY, Body=json.dumps(build_index(BUCKET, entries)))
        assert documents.load_index(s3, BUCKET).search("jitter", 5)[0]["uri"].endswith("r.md#p1")


def test_the_upload_command_and_the_indexer_agree_on_the_library_s_layout() -> None:
    # scripts/library.py runs on a user's machine without lambda_src on its path, so it states the
    # layout again; this pins the two copies together.
    from scripts import library

    assert (library.DOCUMENTS_PREFIX, library.INDEX_KEY) == (documents.DOCUMENTS_PREFIX, documents.INDEX_KEY)
    assert set(library.SUFFIXES) == set(documents.SUPPORTED_SUFFIXES)
