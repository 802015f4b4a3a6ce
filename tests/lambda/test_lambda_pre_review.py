"""The pre-review's functions on their production path: the compliance agent (Converse, against the
embedded Bedrock endpoints where the local model answers, or a test injects its reply) and the
citation check; and what the reviser does with their blocking findings. moto for S3/DynamoDB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lambda_helpers import BUCKET, WORKFLOW_TABLE, agent_env, fill_library, read_s3
from test_lambda_agent import task
from workflow_core import review, roles
from workflow_core.errors import InvalidInput

DRAFT_KEY = "wf-001/drafts/v1.md"
CLEAN = (
    "# Research report: quotas\n\n## Introduction\n\nWhat the sources say.\n\n"
    "## Map concurrency\n\nThe Map state caps concurrent summaries [src-001].\n\n"
    "## Sources\n\n- [src-001] Map concurrency — s3://library/documents/map.md\n"
)


@pytest.fixture
def put_draft(resources):
    import boto3

    s3 = boto3.client("s3")

    def put(markdown: str, version: int = 1, source_ids: tuple[str, ...] = ("src-001", "src-002")) -> dict[str, Any]:
        key = f"wf-001/drafts/v{version}.md"
        s3.put_object(Bucket=BUCKET, Key=key, Body=markdown.encode())
        index = {"workflow_id": "wf-001", "sources": [{"id": i, "title": i, "uri": f"s3://l/{i}"} for i in source_ids]}
        s3.put_object(Bucket=BUCKET, Key="wf-001/sources.json", Body=json.dumps(index).encode())
        return {"draft_key": key, "version": version, "summarized": 2, "failed_sources": 0}

    return put


@pytest.fixture
def compliance(load_handler, bedrock, resources):
    return load_handler("agent", **agent_env("compliance"))


@pytest.fixture
def reviser(load_handler, bedrock, resources):
    fill_library(load_handler)  # its tools search the library
    return load_handler("agent", **agent_env("reviser"))


@pytest.fixture
def citations(load_handler, resources):
    return load_handler("citation_check", ENVIRONMENT="test", WORKFLOW_TABLE=WORKFLOW_TABLE, ARTIFACT_BUCKET=BUCKET)


def test_a_clean_draft_has_no_findings_and_the_policy_is_in_what_the_model_reads(compliance, bedrock, put_draft, context):
    draft = put_draft(CLEAN)
    result = compliance.lambda_handler(task("CheckCompliance", draft=draft), context)
    assert result == {
        "check": "compliance",
        "status": "completed",
        "blocking": 0,
        "advisory": 0,
        "findings_key": "wf-001/reviews/v1/compliance.json",
        "error": None,
    }
    (call,) = bedrock.calls(role="compliance")
    prompt = call["messages"][0]["content"][0]["text"]
    assert "## personal-data (blocking)" in prompt and "The Map state caps concurrent summaries" in prompt
    assert json.loads(read_s3(result["findings_key"]))["findings"] == []


def test_personal_data_and_a_claim_are_blocking_and_style_advisory_as_the_policy_says(compliance, put_draft, context):
    markdown = CLEAN.replace("What the sources say.", "Ask jane.doe@example.com! It is guaranteed to scale.")
    result = compliance.lambda_handler(task("CheckCompliance", draft=put_draft(markdown)), context)
    findings = json.loads(read_s3(result["findings_key"]))["findings"]
    assert (result["blocking"], result["advisory"]) == (2, 1), findings
    assert {(f["rule"], f["severity"]) for f in findings} == {
        ("personal-data", "blocking"),
        ("unsupported-claim", "blocking"),
        ("house-style", "advisory"),
    }


def test_findings_that_misquote_the_draft_or_name_no_rule_are_dropped_and_the_policy_sets_the_severity(
    compliance, bedrock, put_draft, context, handler_logs
):
    reply = [
        {"rule": "personal-data", "severity": "advisory", "quote": "caps concurrent", "note": "n", "suggestion": "s"},
        {"rule": "personal-data", "severity": "blocking", "quote": "not in the draft", "note": "n", "suggestion": "s"},
        {"rule": "tone", "severity": "blocking", "quote": "Map state", "note": "n", "suggestion": "s"},
    ]
    bedrock.answer_with("compliance", {"Completion": json.dumps(reply)})
    result = compliance.lambda_handler(task("CheckCompliance", draft=put_draft(CLEAN)), context)
    findings = json.loads(read_s3(result["findings_key"]))["findings"]
    assert [(f["quote"], f["severity"]) for f in findings] == [("caps concurrent", "blocking")]
    (dropped,) = [r for r in handler_logs() if r["message"].startswith("findings that name no policy rule")]
    assert dropped["dropped"] == [{"rule": "personal-data", "quote_chars": 16}, {"rule": "tone", "quote_chars": 9}]
    assert "not in the draft" not in json.dumps(handler_logs())  # a dropped quote may be personal data: never logged


def test_a_compliance_reply_that_is_not_json_fails_the_check(compliance, bedrock, put_draft, context):
    from workflow_core.errors import AgentFailed

    bedrock.answer_with("compliance", {"Completion": "Looks fine to me."})
    with pytest.raises(AgentFailed, match="compliance reply contains no JSON array"):
        compliance.lambda_handler(task("CheckCompliance", draft=put_draft(CLEAN)), context)


def test_the_compliance_check_refuses_a_draft_of_another_workflow(compliance, context):
    draft = {"draft_key": "other/drafts/v1.md", "version": 1}
    with pytest.raises(InvalidInput, match="does not belong"):
        compliance.lambda_handler(task("CheckCompliance", draft=draft), context)


def test_the_citation_check_blocks_an_unresolved_citation_and_advises_on_an_uncited_section(citations, put_draft, context):
    markdown = CLEAN.replace("[src-001].", "[src-001] [src-009].") + "\n## Outlook\n\nMore teams may adopt it.\n"
    result = citations.lambda_handler(task("CheckCitations", draft=put_draft(markdown)), context)
    assert (result["check"], result["blocking"], result["advisory"]) == ("citations", 1, 1)
    findings = json.loads(read_s3("wf-001/reviews/v1/citations.json"))["findings"]
    assert [(f["rule"], f["quote"]) for f in findings] == [
        ("unresolved-citation", "[src-009]"),
        ("uncited-section", "## Outlook"),
    ]


def test_the_citation_check_exempts_introduction_sources_and_revisions(citations, put_draft, context):
    markdown = CLEAN + "\n## Revisions (v2)\n\n1. Comment: none\n"
    result = citations.lambda_handler(task("CheckCitations", draft=put_draft(markdown, version=2)), context)
    assert (result["blocking"], result["advisory"], result["findings_key"]) == (0, 0, "wf-001/reviews/v2/citations.json")


def test_the_reviser_takes_the_blocking_findings_as_its_comments(reviser, compliance, put_draft, context):
    draft = put_draft(CLEAN.replace("What the sources say.", "Write to jane.doe@example.com for details."))
    checked = compliance.lambda_handler(task("CheckCompliance", draft=draft), context)
    missing = {"check": "citations", "status": "missing", "blocking": 0, "advisory": 0, "findings_key": None, "error": "X"}
    pre_review = {"compliance": checked, "citations": missing}
    approval = {"approval_id": "pre-review", "decision": "revise", "reviewer": "pre-review", "comments": ""}
    result = reviser.lambda_handler(task("Revise", draft=draft, approval=approval, review=pre_review), context)
    revised = read_s3(result["draft_key"])
    assert "jane.doe@example.com" not in revised  # removed, and not quoted again in the Revisions section
    assert "(pre-review personal-data:" in revised


def test_the_reviser_refuses_findings_of_another_workflow(reviser, put_draft, context):
    draft = put_draft(CLEAN)
    forged = {"check": "compliance", "status": "completed", "blocking": 1, "advisory": 0, "findings_key": "other/x.json"}
    with pytest.raises(InvalidInput, match="does not belong"):
        reviser.lambda_handler(task("Revise", draft=draft, approval={"comments": ""}, review={"compliance": forged}), context)


def test_findings_become_comments_edit_first_and_only_blocking_ones():
    findings = [
        review.Finding("personal-data", "blocking", "a@b.co", "an e-mail address", 'remove "a@b.co"'),
        review.Finding("house-style", "advisory", "Wow!", "an exclamation", 'remove "Wow!"'),
    ]
    assert review.revision_comments(findings) == ['remove "a@b.co" (pre-review personal-data: an e-mail address)']


def test_the_policy_rules_are_its_headings():
    policy = (Path(__file__).resolve().parents[2] / "agents" / "compliance" / "policy.md").read_text(encoding="utf-8")
    assert roles.policy_rules(policy) == {"personal-data": "blocking", "unsupported-claim": "blocking", "house-style": "advisory"}
    with pytest.raises(ValueError, match="no rules"):
        roles.policy_rules("# A policy without rules\n")
