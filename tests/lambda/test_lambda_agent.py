"""Agent functions (search, summary, writer, reviser) on their production path: InvokeAgent and
Converse reach the embedded Bedrock endpoints, where the local model answers (or a test injects a
model fault); moto for S3/DynamoDB."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from lambda_helpers import BUCKET, CACHE_TABLE, EXECUTION_ARN, WORKFLOW_TABLE, agent_env, read_s3, s3_tags
from workflow_core.errors import AgentFailed, AgentThrottled, ArtifactMissing, InvalidInput, TooManySourceFailures

from scripts.offline.model import AGENT_LABEL, estimate_tokens

TOPIC = "How should Map concurrency be set against Bedrock quotas?"


def workflow(workflow_id: str = "wf-001", max_sources: int = 4, tenant: str = "acme") -> dict[str, Any]:
    return {
        "workflow_id": workflow_id,
        "tenant": tenant,
        "topic": TOPIC,
        "requested_by": "ana@example.com",
        "max_sources": max_sources,
        "execution_arn": EXECUTION_ARN,
    }


def task(state: str, wf: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"execution_arn": EXECUTION_ARN, "state": state, "workflow": wf or workflow(), "fallback": False, **extra}


@pytest.fixture
def agent(resources, load_handler, bedrock):
    """``agent(role)`` -> the handler module of that role's function, calling the local Bedrock endpoints."""

    def load(role: str):
        return load_handler("agent", **agent_env(role))

    return load


def run_search(agent, context, wf=None) -> dict[str, Any]:
    return agent("search").lambda_handler(task("Search", wf), context)


def summarise_all(agent, context, source_ids: list[str], wf=None, skip: tuple[str, ...] = ()) -> None:
    summary = agent("summary")
    for source_id in source_ids:
        if source_id not in skip:
            summary.lambda_handler(task("Summarise", wf, source_id=source_id), context)


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


def test_search_ranks_the_passage_about_the_topic_first(agent, context) -> None:
    run_search(agent, context)
    first = json.loads(read_s3("wf-001/sources/src-001.json"))
    assert "map-state-concurrency" in first["uri"]


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
    assert len(bedrock.calls()) == calls == 1
    assert result["cache_hit"] is True
    assert result["source_ids"] == ["src-001", "src-002", "src-003", "src-004"]
    assert read_s3("wf-002/sources/src-003.json") == read_s3("wf-001/sources/src-003.json")
    assert json.loads(read_s3("wf-002/sources.json"))["cache_origin"] == "wf-001"
    assert '"SearchCacheHits":[1.0]' in capsys.readouterr().out


def test_search_cache_is_per_tenant(agent, bedrock, context) -> None:
    run_search(agent, context)
    result = run_search(agent, context, wf=workflow("wf-002", tenant="globex"))
    assert len(bedrock.calls()) == 2
    assert result["cache_hit"] is False


def test_search_treats_an_expired_cache_entry_as_a_miss(agent, bedrock, context) -> None:
    run_search(agent, context)
    table = boto3.resource("dynamodb").Table(CACHE_TABLE)
    item = table.scan()["Items"][0]
    table.update_item(
        Key={"cache_key": item["cache_key"]}, UpdateExpression="SET expires_at = :past", ExpressionAttributeValues={":past": 1}
    )
    assert run_search(agent, context, wf=workflow("wf-002"))["cache_hit"] is False
    assert len(bedrock.calls()) == 2


def test_search_falls_back_to_the_agent_when_cached_sources_have_expired_from_s3(agent, bedrock, context) -> None:
    run_search(agent, context)
    s3 = boto3.client("s3")
    s3.delete_object(Bucket=BUCKET, Key="wf-001/sources/src-002.json")
    bedrock.answer_with("search", {"Completion": '[{"title": "T", "uri": "u", "text": "fresh passage"}]'})
    result = run_search(agent, context, wf=workflow("wf-002"))
    assert len(bedrock.calls()) == 2
    assert result["source_ids"] == ["src-001"]


def test_search_renumbers_agent_ids_and_drops_items_without_text(agent, bedrock, context) -> None:
    reply = (
        '```json\n[{"id": "../evil", "title": "A", "uri": "u1", "text": "alpha"}, {"id": "x", "text": ""}, "junk",'
        ' {"title": "B", "text": "beta"}]\n```'
    )
    bedrock.answer_with("search", {"Completion": reply})
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


# -- session ids, retries, idempotency --------------------------------------------------------
def test_session_id_is_stable_across_retries_of_the_same_task(agent, bedrock, context) -> None:
    module = agent("search")
    sdk_attempts = module.backend_for(False).client.meta.config.retries["total_max_attempts"]  # the SDK retries first
    bedrock.answer_with("search", *[{"Error": "ThrottlingException", "Message": "Rate exceeded."}] * sdk_attempts)
    with pytest.raises(AgentThrottled, match="ThrottlingException"):
        module.lambda_handler(task("Search"), context)
    module.lambda_handler({**task("Search"), "retry_count": 1}, context)  # Step Functions' retry
    sessions = [call["path"].split("/")[6] for call in bedrock.calls()]
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
    assert len(bedrock.calls()) == 1


def test_retry_attempts_are_counted_in_the_agent_retries_metric(agent, bedrock, context, capsys) -> None:
    bedrock.answer_with("search", {"Completion": "[]"})
    agent("search").lambda_handler({**task("Search"), "retry_count": 2}, context)
    assert '"AgentRetries":[1.0]' in capsys.readouterr().out


def test_agent_metrics_carry_role_environment_and_the_token_usage_bedrock_reported(agent, bedrock, context, capsys) -> None:
    bedrock.answer_with("search", {"Completion": "[]"})
    agent("search").lambda_handler(task("Search"), context)
    document = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line)
    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ResearchReport"
    assert (document["role"], document["environment"]) == ("search", "test")
    reported = (estimate_tokens(bedrock.calls()[0]["inputText"]), estimate_tokens("[]"))  # the trace's usage block
    assert (document["AgentInvocations"], document["InputTokens"], document["OutputTokens"]) == (
        [1.0],
        [float(reported[0])],
        [float(reported[1])],
    )


def test_agent_payload_without_a_workflow_is_invalid_input(agent, context) -> None:
    with pytest.raises(InvalidInput, match="workflow is required"):
        agent("search").lambda_handler({"execution_arn": EXECUTION_ARN, "state": "Search"}, context)


# -- summary --------------------------------------------------------------------------------
def test_summary_writes_the_summary_of_one_source_and_returns_its_key(agent, context) -> None:
    run_search(agent, context)
    result = agent("summary").lambda_handler(task("Summarise", source_id="src-002"), context)
    assert result == {"source_id": "src-002", "summary_key": "wf-001/summaries/src-002.json"}
    summary = json.loads(read_s3("wf-001/summaries/src-002.json"))
    assert summary["source_id"] == "src-002"
    assert summary["summary"] and not summary["summary"].startswith("[src-002]")
    assert summary["generated_by"] == f"bedrock-agent:{agent_env('summary')['AGENT_ID']}"


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
    assert summary["generated_by"] == f"bedrock-converse:{agent_env('summary')['FALLBACK_MODEL_ID']}"
    assert len(bedrock.calls("/converse")) == 1
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
    assert AGENT_LABEL in draft  # the local model says it wrote the text
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
    revisions = [call for call in bedrock.calls() if f"/{agent_env('reviser')['AGENT_ID']}/" in call["path"]]
    assert (v2["version"], v3["version"], len(revisions)) == (2, 3, 2)
    assert "## Revisions (v3)" in revisions[1]["inputText"] and "## Revisions (v2)" in revisions[1]["inputText"]
