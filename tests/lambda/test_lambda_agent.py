"""Agent functions (search, summary, writer, reviser) on their production path: agents as code on
Converse with their tools, against the embedded Bedrock endpoints, where the local model answers
(or a test injects a model fault); moto for S3/DynamoDB. The search agent's and the reviser's
library is corpus/, put into the test library bucket and indexed by the document_indexer's code."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from lambda_helpers import (
    AGENT_MODEL_ID,
    BUCKET,
    CACHE_TABLE,
    EXECUTION_ARN,
    FALLBACK_MODEL_ID,
    LIBRARY_BUCKET,
    TEST_AGENTS,
    WORKFLOW_TABLE,
    agent_env,
    fill_library,
    read_s3,
    s3_tags,
)
from workflow_core.errors import (
    AgentFailed,
    AgentThrottled,
    AgentToolLoopExceeded,
    ArtifactMissing,
    InvalidInput,
    TooManySourceFailures,
)

from scripts.offline.model import LABEL_MARK

TOPIC = "How should Map concurrency be set against Bedrock quotas?"
LIBRARY_URI = f"s3://{LIBRARY_BUCKET}/documents/"


def workflow(workflow_id: str = "wf-001", max_sources: int = 4, tenant: str = "acme", topic: str = TOPIC) -> dict[str, Any]:
    return {
        "workflow_id": workflow_id,
        "tenant": tenant,
        "topic": topic,
        "requested_by": "ana@example.com",
        "max_sources": max_sources,
        "execution_arn": EXECUTION_ARN,
    }


def task(state: str, wf: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"execution_arn": EXECUTION_ARN, "state": state, "workflow": wf or workflow(), "fallback": False, **extra}


@pytest.fixture
def library(resources, load_handler) -> dict[str, int]:
    return fill_library(load_handler)


@pytest.fixture
def agent(library, load_handler, bedrock):
    """``agent(role)`` -> the handler module of that role's function, calling the local Bedrock endpoints."""

    def load(role: str, runtime: str = "converse"):
        return load_handler("agent", **agent_env(role, runtime))

    return load


def run_search(agent, context, wf=None, fallback: bool = False) -> dict[str, Any]:
    return agent("search").lambda_handler({**task("SearchFallback" if fallback else "Search", wf), "fallback": fallback}, context)


def summarise_all(agent, context, source_ids: list[str], wf=None, skip: tuple[str, ...] = ()) -> None:
    summary = agent("summary")
    for source_id in source_ids:
        if source_id not in skip:
            summary.lambda_handler(task("Summarise", wf, source_id=source_id), context)


def logged(records: list[dict[str, Any]], message: str) -> list[dict[str, Any]]:
    return [record for record in records if record.get("message") == message]


def search_then_answer(answer: str, query: str = "map concurrency bedrock quotas") -> list[dict[str, Any]]:
    """An injected search: the model calls search_documents, then answers ``answer``."""
    return [{"ToolUse": {"Name": "search_documents", "Input": {"query": query, "max_results": 10}}}, {"Completion": answer}]


# -- search ---------------------------------------------------------------------------------
def test_search_writes_an_index_and_one_object_per_source_and_returns_only_pointers(agent, context) -> None:
    result = run_search(agent, context)
    assert result == {
        "sources_key": "wf-001/sources.json",
        "source_ids": ["src-001", "src-002", "src-003", "src-004"],
        "source_count": 4,
        "cache_hit": False,
    }
    index = json.loads(read_s3("wf-001/sources.json"))
    assert [s["id"] for s in index["sources"]] == result["source_ids"]
    assert "text" not in index["sources"][0]
    assert json.loads(read_s3("wf-001/sources/src-001.json"))["text"]
    assert s3_tags("wf-001/sources/src-001.json") == {"retention": "intermediate"}


def test_search_agent_calls_search_documents_and_cites_only_what_the_library_returned(agent, bedrock, context) -> None:
    run_search(agent, context)
    first, second = bedrock.calls()
    assert first["path"] == f"/model/{AGENT_MODEL_ID}/converse"
    assert [tool["toolSpec"]["name"] for tool in first["toolConfig"]["tools"]] == ["search_documents", "read_document"]
    asked = first["response"]["output"]["message"]["content"][0]["toolUse"]
    assert (asked["name"], asked["input"]) == ("search_documents", {"query": TOPIC, "max_results": 4})
    returned = second["messages"][-1]["content"][0]["toolResult"]["content"][0]["json"]["results"]
    sources = json.loads(read_s3("wf-001/sources.json"))["sources"]
    assert [s["uri"] for s in sources] == [r["uri"] for r in returned][:4]
    assert all(s["uri"].startswith(LIBRARY_URI) for s in sources)
    assert "map-state-concurrency" in sources[0]["uri"]  # BM25 ranks the passage about the topic first


def test_search_tool_calls_are_logged_and_counted_per_tool(agent, context, capsys, handler_logs) -> None:
    run_search(agent, context)
    output = capsys.readouterr().out
    (call,) = logged(handler_logs(), "tool call")
    assert (call["tool"], call["ok"], call["arguments"]["query"]) == ("search_documents", True, TOPIC)
    assert call["result_chars"] > 100 and call["duration_ms"] >= 0
    metric = next(json.loads(line) for line in output.splitlines() if '"ToolCalls"' in line)
    assert (metric["tool"], metric["role"], metric["ToolCalls"]) == ("search_documents", "search", [1.0])


def test_sources_no_tool_returned_are_dropped_and_the_rest_renumbered(agent, bedrock, context, handler_logs) -> None:
    real = f"{LIBRARY_URI}map-state-concurrency-and-bedrock-quotas.md#p1"
    reply = json.dumps(
        [
            {"title": "Invented", "uri": "https://example.com/made-up", "text": "a source from the model's memory"},
            {"title": "Map concurrency", "uri": real, "text": "the passage"},
        ]
    )
    bedrock.answer_with("search", *search_then_answer(reply))
    result = run_search(agent, context)
    assert result["source_ids"] == ["src-001"]
    assert json.loads(read_s3("wf-001/sources/src-001.json"))["uri"] == real
    (dropped,) = logged(handler_logs(), "sources no tool returned were dropped")
    assert dropped["uris"] == ["https://example.com/made-up"]


def test_a_search_without_any_tool_call_finds_nothing_it_may_cite(agent, bedrock, context) -> None:
    bedrock.answer_with("search", {"Completion": '[{"title": "T", "uri": "u", "text": "from memory"}]'})
    assert run_search(agent, context)["source_ids"] == []


def test_a_topic_the_library_has_nothing_on_finds_no_sources_on_the_agent_and_on_the_fallback(agent, bedrock, context) -> None:
    nothing = workflow(topic="Zebra stripes and biting flies")
    assert run_search(agent, context, wf=nothing)["source_ids"] == []
    assert run_search(agent, context, wf={**nothing, "workflow_id": "wf-002"}, fallback=True)["source_ids"] == []
    assert [call["path"].split("/")[2] for call in bedrock.calls()] == [AGENT_MODEL_ID] * 2 + [FALLBACK_MODEL_ID] * 2


def test_the_fallback_is_the_same_agent_with_the_same_tools_on_the_smaller_model(agent, bedrock, context) -> None:
    result = run_search(agent, context, fallback=True)
    assert result["source_count"] == 4
    first = bedrock.calls()[0]
    assert first["path"] == f"/model/{FALLBACK_MODEL_ID}/converse"
    assert [tool["toolSpec"]["name"] for tool in first["toolConfig"]["tools"]] == ["search_documents", "read_document"]
    assert json.loads(read_s3("wf-001/sources.json"))["generated_by"] == f"bedrock-converse:{FALLBACK_MODEL_ID}"


def test_a_document_put_into_the_library_after_deploy_is_found_by_the_next_search(agent, load_handler, context, tmp_path) -> None:
    topic = "Quokka habitats on Rottnest Island"
    assert run_search(agent, context, wf=workflow(topic=topic))["source_ids"] == []
    (tmp_path / "quokkas.md").write_text(
        "# Quokkas\n\nQuokka habitats on Rottnest Island are dense scrub and swamp edges near fresh water.\n"
    )
    s3 = boto3.client("s3")
    s3.put_object(Bucket=LIBRARY_BUCKET, Key="documents/quokkas.md", Body=(tmp_path / "quokkas.md").read_bytes())
    indexer = load_handler("document_indexer", ENVIRONMENT="test", LIBRARY_BUCKET=LIBRARY_BUCKET)
    assert indexer.rebuild(indexer.S3, LIBRARY_BUCKET)["read"] == 1  # the rest reused by ETag
    result = run_search(agent, context, wf=workflow("wf-002", topic=topic))
    assert json.loads(read_s3("wf-002/sources/src-001.json"))["uri"] == f"{LIBRARY_URI}quokkas.md#p1"
    assert result["source_count"] == 1


def test_a_tool_call_the_tool_refuses_goes_back_to_the_model_as_an_error_and_the_run_goes_on(
    agent, bedrock, context, capsys, handler_logs
) -> None:
    bedrock.answer_with("search", {"ToolUse": {"Name": "read_document", "Input": {"uri": f"{LIBRARY_URI}missing.md"}}})
    result = run_search(agent, context)
    assert result["source_count"] == 4  # the model searched after the error
    tool_result = bedrock.calls()[1]["messages"][-1]["content"][0]["toolResult"]
    assert tool_result["status"] == "error" and "no document or passage" in tool_result["content"][0]["text"]
    output = capsys.readouterr().out
    assert [(c["tool"], c["ok"]) for c in logged(handler_logs(), "tool call")] == [
        ("read_document", False),
        ("search_documents", True),
    ]
    assert any('"ToolErrors":[1.0]' in line and '"tool":"read_document"' in line for line in output.splitlines())


def test_a_model_that_never_stops_calling_tools_gets_max_agent_turns_then_a_named_error(agent, bedrock, context) -> None:
    turns = int(agent_env("search")["MAX_AGENT_TURNS"])
    bedrock.answer_with("search", *[{"ToolUse": {"Name": "search_documents", "Input": {"query": "again"}}}] * (turns + 1))
    with pytest.raises(AgentToolLoopExceeded, match=f"after {turns} model calls"):
        run_search(agent, context)
    assert len(bedrock.calls()) == turns


def test_search_records_each_artifact_in_the_workflow_table(agent, context) -> None:
    run_search(agent, context)
    table = boto3.resource("dynamodb").Table(WORKFLOW_TABLE)
    item = table.get_item(Key={"pk": "WF#wf-001", "sk": "ARTIFACT#wf-001/sources.json"})["Item"]
    assert item["kind"] == "source"


def test_search_puts_a_cache_entry_pointing_at_the_origin_workflow(agent, context) -> None:
    result = run_search(agent, context)
    items = boto3.resource("dynamodb").Table(CACHE_TABLE).scan()["Items"]
    assert len(items) == 1
    assert items[0]["origin_workflow_id"] == "wf-001"
    assert items[0]["source_ids"] == result["source_ids"]


def test_search_cache_hit_skips_the_agent_and_copies_sources_to_the_new_workflow(agent, bedrock, context, capsys) -> None:
    run_search(agent, context)
    calls = len(bedrock.calls())
    second = workflow("wf-002")
    second["topic"] = "  how should MAP concurrency be set against Bedrock quotas "
    result = run_search(agent, context, wf=second)
    assert len(bedrock.calls()) == calls == 2
    assert result["cache_hit"] is True
    assert result["source_ids"] == ["src-001", "src-002", "src-003", "src-004"]
    assert read_s3("wf-002/sources/src-003.json") == read_s3("wf-001/sources/src-003.json")
    assert json.loads(read_s3("wf-002/sources.json"))["cache_origin"] == "wf-001"
    assert '"SearchCacheHits":[1.0]' in capsys.readouterr().out


def test_search_cache_is_per_tenant(agent, bedrock, context) -> None:
    run_search(agent, context)
    result = run_search(agent, context, wf=workflow("wf-002", tenant="globex"))
    assert len(bedrock.calls()) == 4
    assert result["cache_hit"] is False


def test_search_treats_an_expired_cache_entry_as_a_miss(agent, bedrock, context) -> None:
    run_search(agent, context)
    table = boto3.resource("dynamodb").Table(CACHE_TABLE)
    item = table.scan()["Items"][0]
    table.update_item(
        Key={"cache_key": item["cache_key"]}, UpdateExpression="SET expires_at = :past", ExpressionAttributeValues={":past": 1}
    )
    assert run_search(agent, context, wf=workflow("wf-002"))["cache_hit"] is False
    assert len(bedrock.calls()) == 4


def test_search_falls_back_to_the_agent_when_cached_sources_have_expired_from_s3(agent, bedrock, context) -> None:
    run_search(agent, context)
    s3 = boto3.client("s3")
    s3.delete_object(Bucket=BUCKET, Key="wf-001/sources/src-002.json")
    result = run_search(agent, context, wf=workflow("wf-002"))
    assert len(bedrock.calls()) == 4
    assert (result["cache_hit"], result["source_count"]) == (False, 4)


def test_search_renumbers_agent_ids_and_drops_items_without_text(agent, bedrock, context) -> None:
    first, second = (f"{LIBRARY_URI}map-state-concurrency-and-bedrock-quotas.md#p{n}" for n in (1, 2))
    reply = (
        f'```json\n[{{"id": "../evil", "title": "A", "uri": "{first}", "text": "alpha"}}, {{"id": "x", "text": ""}}, "junk",'
        f' {{"title": "B", "uri": "{second}", "text": "beta"}}]\n```'
    )
    bedrock.answer_with("search", *search_then_answer(reply, query="map state concurrency"))
    result = run_search(agent, context)
    assert result["source_ids"] == ["src-001", "src-002"]
    assert json.loads(read_s3("wf-001/sources/src-002.json"))["title"] == "B"


def test_search_with_no_relevant_sources_returns_zero_and_caches_nothing(agent, bedrock, context) -> None:
    bedrock.answer_with("search", {"Completion": "[]"})
    result = run_search(agent, context)
    assert (result["source_count"], result["source_ids"]) == (0, [])
    assert boto3.resource("dynamodb").Table(CACHE_TABLE).scan()["Items"] == []


def test_search_reply_that_is_not_json_is_agent_failed(agent, bedrock, context) -> None:
    bedrock.answer_with("search", {"Completion": "I could not find anything, sorry."})
    with pytest.raises(AgentFailed, match="no JSON array"):
        run_search(agent, context)


def test_an_agent_function_on_agents_classic_calls_its_agent_and_keeps_converse_for_the_fallback(agent, bedrock, context) -> None:
    module = agent("search", runtime="bedrock_agents")
    module.lambda_handler(task("Search"), context)
    (invoke,) = bedrock.calls("/text")
    assert f"/agents/{TEST_AGENTS['search']['agent_id']}/agentAliases/" in invoke["path"]
    assert module.backend_for(True).model_id == FALLBACK_MODEL_ID
    assert [tool.name for tool in module.backend_for(True).tools.values()] == ["search_documents", "read_document"]


# -- session ids, retries, idempotency --------------------------------------------------------
def test_a_throttled_model_call_is_agent_throttled_after_the_sdk_s_own_retries(agent, bedrock, context) -> None:
    module = agent("search")
    sdk_attempts = module.backend_for(False).client.meta.config.retries["total_max_attempts"]
    bedrock.answer_with(
        "search",
        *[{"Error": "ThrottlingException", "Message": "Too many requests, please wait before trying again."}] * sdk_attempts,
    )
    with pytest.raises(AgentThrottled, match="ThrottlingException"):
        module.lambda_handler(task("Search"), context)
    assert len(bedrock.calls()) == sdk_attempts
    assert module.lambda_handler({**task("Search"), "retry_count": 1}, context)["source_count"] == 4  # Step Functions' retry


def test_session_id_is_stable_across_retries_of_the_same_task_on_agents_classic(agent, bedrock, context) -> None:
    module = agent("search", runtime="bedrock_agents")
    sdk_attempts = module.backend_for(False).client.meta.config.retries["total_max_attempts"]  # the SDK retries first
    bedrock.answer_with(
        "search", *[{"Error": "ThrottlingException", "Message": "Rate exceeded."}] * sdk_attempts, api="InvokeAgent"
    )
    with pytest.raises(AgentThrottled, match="ThrottlingException"):
        module.lambda_handler(task("Search"), context)
    module.lambda_handler({**task("Search"), "retry_count": 1}, context)  # Step Functions' retry
    sessions = [call["path"].split("/")[6] for call in bedrock.calls("/text")]
    assert len(sessions) == sdk_attempts + 1
    assert len(set(sessions)) == 1
    assert len(sessions[0]) == 32


def test_session_id_differs_per_source_and_per_state(agent) -> None:
    module = agent("summary")
    ids = {
        module.session_id(EXECUTION_ARN, "Summarise", "src-001"),
        module.session_id(EXECUTION_ARN, "Summarise", "src-002"),
        module.session_id(EXECUTION_ARN, "SummariseFallback", "src-001"),
    }
    assert len(ids) == 3


def test_a_retry_after_success_returns_the_stored_result_without_calling_the_agent(agent, bedrock, context) -> None:
    module = agent("search")
    first = module.lambda_handler(task("Search"), context)
    again = module.lambda_handler({**task("Search"), "retry_count": 1}, context)
    assert again == first
    assert len(bedrock.calls()) == 2  # the first run's two turns only


def test_retry_attempts_are_counted_in_the_agent_retries_metric(agent, bedrock, context, capsys) -> None:
    bedrock.answer_with("search", {"Completion": "[]"})
    agent("search").lambda_handler({**task("Search"), "retry_count": 2}, context)
    assert '"AgentRetries":[1.0]' in capsys.readouterr().out


def test_agent_metrics_carry_role_environment_and_the_token_usage_bedrock_reported(agent, bedrock, context, capsys) -> None:
    bedrock.answer_with("search", {"Completion": "[]"})
    agent("search").lambda_handler(task("Search"), context)
    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"AgentInvocations"' in line]
    (document,) = documents
    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ResearchReport"
    assert (document["role"], document["environment"]) == ("search", "test")
    (call,) = bedrock.calls()
    usage = call["response"]["usage"]
    assert (document["AgentInvocations"], document["InputTokens"], document["OutputTokens"]) == (
        [1.0],
        [float(usage["inputTokens"])],
        [float(usage["outputTokens"])],
    )


def test_token_usage_is_summed_over_every_turn_of_the_tool_loop(agent, bedrock, context, capsys) -> None:
    run_search(agent, context)
    document = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if '"AgentInvocations"' in line)
    turns = [call["response"]["usage"] for call in bedrock.calls()]
    assert len(turns) == 2
    assert document["InputTokens"] == [float(sum(t["inputTokens"] for t in turns))]
    assert document["OutputTokens"] == [float(sum(t["outputTokens"] for t in turns))]


def test_agent_payload_without_a_workflow_is_invalid_input(agent, context) -> None:
    with pytest.raises(InvalidInput, match="workflow is required"):
        agent("search").lambda_handler({"execution_arn": EXECUTION_ARN, "state": "Search"}, context)


# -- summary --------------------------------------------------------------------------------
def test_summary_writes_the_summary_of_one_source_and_returns_its_key(agent, bedrock, context) -> None:
    run_search(agent, context)
    result = agent("summary").lambda_handler(task("Summarise", source_id="src-002"), context)
    assert result == {"source_id": "src-002", "summary_key": "wf-001/summaries/src-002.json"}
    summary = json.loads(read_s3("wf-001/summaries/src-002.json"))
    assert summary["source_id"] == "src-002"
    assert summary["summary"] and not summary["summary"].startswith("[src-002]")
    assert summary["generated_by"] == f"bedrock-converse:{AGENT_MODEL_ID}"
    assert "toolConfig" not in bedrock.calls(role="summary")[0]  # the summary agent has no tools


def test_summary_of_a_missing_source_is_artifact_missing(agent, context) -> None:
    with pytest.raises(ArtifactMissing, match="wf-001/sources/src-009.json"):
        agent("summary").lambda_handler(task("Summarise", source_id="src-009"), context)


def test_summary_rejects_a_source_id_that_is_not_a_plain_id(agent, context) -> None:
    with pytest.raises(InvalidInput, match="source_id"):
        agent("summary").lambda_handler(task("Summarise", source_id="../other/src-001"), context)


def test_summary_in_fallback_mode_calls_converse_on_the_fallback_model_and_counts_fallback(
    agent, bedrock, context, capsys
) -> None:
    run_search(agent, context)
    agent("summary").lambda_handler({**task("SummariseFallback", source_id="src-001"), "fallback": True}, context)
    summary = json.loads(read_s3("wf-001/summaries/src-001.json"))
    assert summary["generated_by"] == f"bedrock-converse:{FALLBACK_MODEL_ID}"
    assert [call["path"] for call in bedrock.calls(role="summary")] == [f"/model/{FALLBACK_MODEL_ID}/converse"]
    assert summary["fallback"] is True
    assert '"FallbackUsed":[1.0]' in capsys.readouterr().out


# -- writer ---------------------------------------------------------------------------------
def test_writer_assembles_a_cited_markdown_draft_v1(agent, context) -> None:
    ids = run_search(agent, context)["source_ids"]
    summarise_all(agent, context, ids)
    result = agent("writer").lambda_handler(task("Write"), context)
    assert result == {"draft_key": "wf-001/drafts/v1.md", "version": 1, "summarized": 4, "failed_sources": 0}
    draft = read_s3("wf-001/drafts/v1.md")
    assert draft.startswith(f"# Research report: {TOPIC}")
    assert f"{LABEL_MARK} standing in for Claude Sonnet 5.5 ({AGENT_MODEL_ID})" in draft  # says which stand-in wrote it
    assert all(f"[{source_id}]" in draft for source_id in ids)
    assert "## Sources" in draft


def test_writer_tolerates_failed_sources_up_to_the_configured_share(agent, context) -> None:
    ids = run_search(agent, context)["source_ids"]
    summarise_all(agent, context, ids, skip=("src-004",))  # 25% failed, 25% tolerated
    result = agent("writer").lambda_handler(task("Write"), context)
    assert (result["summarized"], result["failed_sources"]) == (3, 1)
    assert "src-004" in read_s3("wf-001/drafts/v1.md")  # named as left out


def test_writer_raises_too_many_source_failures_above_the_tolerated_share(agent, context) -> None:
    ids = run_search(agent, context)["source_ids"]
    summarise_all(agent, context, ids, skip=("src-003", "src-004"))  # 50% failed
    with pytest.raises(TooManySourceFailures, match="2 of 4 sources"):
        agent("writer").lambda_handler(task("Write"), context)


def test_writer_without_a_source_index_is_artifact_missing(agent, context) -> None:
    with pytest.raises(ArtifactMissing):
        agent("writer").lambda_handler(task("Write"), context)


def test_writer_removes_citations_of_sources_that_do_not_exist(agent, bedrock, context) -> None:
    ids = run_search(agent, context)["source_ids"]
    summarise_all(agent, context, ids)
    bedrock.answer_with("writer", {"Completion": "# Report\n\nClaim [src-001]. Invented [src-999].\n"})
    agent("writer").lambda_handler(task("Write"), context)
    draft = read_s3("wf-001/drafts/v1.md")
    assert "[src-001]" in draft and "src-999" not in draft


# -- reviser --------------------------------------------------------------------------------
def written_draft(agent, context) -> dict[str, Any]:
    ids = run_search(agent, context)["source_ids"]
    summarise_all(agent, context, ids, skip=("src-004",))
    return agent("writer").lambda_handler(task("Write"), context)


def test_reviser_writes_the_next_version_answering_every_comment(agent, context) -> None:
    draft = written_draft(agent, context)
    approval = {
        "approval_id": "a",
        "decision": "reject",
        "reviewer": "rita@example.com",
        "comments": 'replace "Research report" with "Briefing"\nAdd a section on cost drivers and say which line dominates.\nBe more concise.',
    }
    result = agent("reviser").lambda_handler(task("Revise", draft=draft, approval=approval), context)
    assert result == {"draft_key": "wf-001/drafts/v2.md", "version": 2, "summarized": 3, "failed_sources": 1}
    revised = read_s3("wf-001/drafts/v2.md")
    assert revised.startswith("# Briefing:")
    assert "## Cost drivers" in revised
    assert "(Added in revision from the document library: Cost drivers" in revised
    assert "## Revisions (v2)" in revised
    assert revised.count("   Response: ") == 3
    assert read_s3("wf-001/drafts/v1.md").startswith("# Research report:")  # v1 untouched


def test_reviser_records_the_revision_on_the_workflow_record(agent, context) -> None:
    table = boto3.resource("dynamodb").Table(WORKFLOW_TABLE)
    table.put_item(Item={"pk": "WF#wf-001", "sk": "META", "status": "RUNNING", "execution_arn": EXECUTION_ARN, "revision": 0})
    draft = written_draft(agent, context)
    agent("reviser").lambda_handler(task("Revise", draft=draft, approval={"comments": "ok"}), context)
    assert table.get_item(Key={"pk": "WF#wf-001", "sk": "META"})["Item"]["revision"] == 1


def test_reviser_refuses_a_draft_key_of_another_workflow(agent, context) -> None:
    draft = {"draft_key": "other/drafts/v1.md", "version": 1, "summarized": 1, "failed_sources": 0}
    with pytest.raises(InvalidInput, match="does not belong"):
        agent("reviser").lambda_handler(task("Revise", draft=draft, approval={}), context)


def test_each_revision_round_calls_the_agent_again(agent, bedrock, context) -> None:
    draft = written_draft(agent, context)
    module = agent("reviser")
    v2 = module.lambda_handler(task("Revise", draft=draft, approval={"comments": "one"}), context)
    v3 = module.lambda_handler(task("Revise", draft=v2, approval={"comments": "two"}), context)
    revisions = bedrock.calls(role="reviser")
    assert (v2["version"], v3["version"], len(revisions)) == (2, 3, 2)
    prompt = revisions[1]["messages"][0]["content"][0]["text"]
    assert "## Revisions (v3)" in prompt and "## Revisions (v2)" in prompt


def test_the_reviser_researches_a_section_it_is_asked_to_add_in_the_library(agent, bedrock, context) -> None:
    draft = written_draft(agent, context)
    approval = {"comments": "Add a section on cost drivers."}
    agent("reviser").lambda_handler(task("Revise", draft=draft, approval=approval), context)
    asked = bedrock.calls(role="reviser")[0]["response"]["output"]["message"]["content"]
    assert [block["toolUse"]["input"] for block in asked if "toolUse" in block] == [{"query": "cost drivers"}]
    assert f"{LIBRARY_URI}cost-drivers-tokens-dominate.md#p" in read_s3("wf-001/drafts/v2.md")
