"""The local model behind the embedded Bedrock endpoints (scripts/offline/model.py): deterministic,
it reads only what a Converse request shows a model (the prompt, the tool specs, the results of its
own earlier tool calls), answers from tool results only, and says which model it stands in for.
The prompts come from the handlers' own code (workflow_core.roles), the tool specs from the
agents' own tools (workflow_core.tools)."""

from __future__ import annotations

import json

import pytest
from workflow_core import roles, tools

from scripts.offline.model import LABEL_MARK, Conversation, LocalModel, PromptError, ToolOutcome, ToolUse

SESSION = "0123456789abcdef0123456789abcdef"
BACKOFF = "exponential backoff with jitter for throttled retries"
SONNET = {"model_name": "Claude Sonnet 5.5", "model_id": "global.anthropic.claude-sonnet-5-5"}


def _no_index():
    raise AssertionError("the model never runs a tool: the agent's loop does")


LIBRARY_TOOLS = tuple(tool.spec()["toolSpec"] for tool in tools.library_tools(_no_index))
READ_ONLY = tuple(spec for spec in LIBRARY_TOOLS if spec["name"] == "read_document")
KNOWLEDGE_BASE = tools.knowledge_base_tool(None, "KB12345678").spec()["toolSpec"]


def passage(uri: str, title: str = "Backoff", text: str = "Retry with exponential backoff and full jitter.") -> dict:
    return {"uri": uri, "title": title, "text": text, "score": 1.0}


def searched(query: str, results: list[dict], ok: bool = True, max_results: int | None = None) -> ToolOutcome:
    arguments = {"query": query} | ({"max_results": max_results} if max_results else {})
    return ToolOutcome("search_documents", arguments, ok, {"results": results} if ok else "the index is not there")


def search(max_sources: int = 3, tools_: tuple = LIBRARY_TOOLS, outcomes: tuple = (), turn: int = 0):
    prompt = roles.search_request(BACKOFF, max_sources, SESSION).prompt
    return LocalModel().answer("search", Conversation(prompt, tools_, outcomes, turn, **SONNET))


# --- determinism and the prompt ----------------------------------------------------------------


def test_the_same_conversation_gets_the_same_answer_from_any_instance():
    outcomes = (searched(BACKOFF, [passage("s3://lib/documents/backoff.md#p1")], max_results=3),)
    assert search(outcomes=outcomes, turn=1) == search(outcomes=outcomes, turn=1)
    assert search() == search()


def test_a_search_prompt_without_its_source_count_is_refused():
    with pytest.raises(PromptError, match="source count"):
        LocalModel().answer("search", Conversation(f"You are the search agent.\nTopic: {BACKOFF}\n", LIBRARY_TOOLS))


# --- search ----------------------------------------------------------------------------------------


def test_search_first_asks_the_document_search_tool_for_the_topic_and_the_source_count():
    answer = search(max_sources=4)
    assert answer.text == ""
    assert answer.tool_uses == (ToolUse("tooluse_local_0_0", "search_documents", {"query": BACKOFF, "max_results": 4}),)


def test_search_prefers_the_tool_that_searches_documents_over_another_query_tool():
    answer = search(tools_=(KNOWLEDGE_BASE, *LIBRARY_TOOLS))
    assert [use.name for use in answer.tool_uses] == ["search_documents"]
    only_kb = search(tools_=(KNOWLEDGE_BASE,))
    assert [(use.name, use.input) for use in only_kb.tool_uses] == [("retrieve", {"query": BACKOFF, "max_results": 3})]


def test_search_answers_only_the_passages_the_tool_returned_in_its_order_up_to_the_source_count():
    results = [
        passage("s3://lib/documents/backoff.md#p2", "Backoff", "Cap the delay."),
        passage("s3://lib/documents/backoff.md#p2", "Backoff", "The same passage again."),  # a duplicate uri: once
        passage("s3://lib/documents/empty.md#p1", "Empty", "  "),  # no text: nothing to quote
        {"title": "No uri", "text": "A passage without a uri cannot be cited."},
        passage("s3://lib/documents/jitter.md#p1", "", "Full jitter spreads retries."),
        passage("s3://lib/documents/quotas.md#p1", "Quotas", "Stay under the quota."),
    ]
    answer = search(max_sources=2, outcomes=(searched(BACKOFF, results, max_results=2),), turn=1)
    assert answer.tool_uses == ()
    assert json.loads(answer.text) == [
        {"id": "src-001", "title": "Backoff", "uri": "s3://lib/documents/backoff.md#p2", "text": "Cap the delay."},
        {"id": "src-002", "title": "Untitled", "uri": "s3://lib/documents/jitter.md#p1", "text": "Full jitter spreads retries."},
    ]
    parsed = roles.parse_sources(answer.text, 2)  # what the search handler reads of it
    assert [s.uri for s in parsed] == ["s3://lib/documents/backoff.md#p2", "s3://lib/documents/jitter.md#p1"]


@pytest.mark.parametrize(
    ("tools_", "outcomes"),
    [
        ((), ()),  # no tools at all
        (READ_ONLY, ()),  # a tool, but none that searches
        (LIBRARY_TOOLS, (searched(BACKOFF, []),)),  # the library has nothing on the topic
        (LIBRARY_TOOLS, (searched(BACKOFF, [], ok=False),)),  # the search failed
    ],
    ids=["no-tools", "no-search-tool", "no-results", "search-failed"],
)
def test_search_without_tool_results_answers_an_empty_list_and_invents_nothing(tools_, outcomes):
    answer = search(tools_=tools_, outcomes=outcomes, turn=len(outcomes))
    assert (answer.text, answer.tool_uses) == ("[]", ())


def test_search_after_another_tool_call_still_searches_before_answering():
    failed_read = ToolOutcome("read_document", {"uri": "s3://lib/documents/missing.md#p1"}, False, "no such document")
    answer = search(outcomes=(failed_read,), turn=1)
    assert answer.tool_uses == (ToolUse("tooluse_local_1_0", "search_documents", {"query": BACKOFF, "max_results": 3}),)


# --- summary and writer ----------------------------------------------------------------------------


def test_summary_is_extractive_and_keeps_the_source_id():
    text = "Cats sleep a lot. Bedrock quotas limit requests. Quotas differ per Bedrock model. Dogs bark."
    prompt = roles.summary_request("Bedrock quotas", {"id": "src-007", "title": "T", "uri": "u", "text": text}, SESSION).prompt
    answer = LocalModel().answer("summary", Conversation(prompt))
    assert answer.text == "[src-007] Bedrock quotas limit requests. Quotas differ per Bedrock model."


def test_the_report_cites_every_summary_and_names_the_sources_left_out():
    summaries = [
        {"source_id": "src-001", "title": "Quotas", "uri": "s3://lib/documents/quotas.md#p1", "summary": "Stay under the TPS."},
        {"source_id": "src-002", "title": "Backoff", "uri": "s3://lib/documents/backoff.md#p1", "summary": "Back off."},
    ]
    prompt = roles.writer_request("Bedrock quotas", summaries, ["src-003"], SESSION).prompt
    report = LocalModel().answer("writer", Conversation(prompt, **SONNET)).text
    assert report.startswith("# Research report: Bedrock quotas\n")
    assert "## Quotas\n\nStay under the TPS. [src-001]" in report and "## Backoff\n\nBack off. [src-002]" in report
    assert "1 source(s) could not be summarised and are left out: src-003." in report
    assert report.endswith(
        "- [src-001] Quotas — s3://lib/documents/quotas.md#p1\n- [src-002] Backoff — s3://lib/documents/backoff.md#p1\n"
    )


# --- the label ----------------------------------------------------------------------------------------


def test_the_report_says_the_local_model_wrote_it_standing_in_for_the_model_the_request_named():
    prompt = roles.writer_request("Bedrock quotas", [], [], SESSION).prompt
    sonnet = LocalModel().answer("writer", Conversation(prompt, **SONNET)).text
    haiku = (
        LocalModel()
        .answer("writer", Conversation(prompt, model_name="Claude Haiku 5.5", model_id="global.anthropic.claude-haiku-5-5"))
        .text
    )
    assert (
        "> Written by the local model standing in for Claude Sonnet 5.5 (global.anthropic.claude-sonnet-5-5); "
        "offline, deterministic — not a real model.\n"
    ) in sonnet
    assert "standing in for Claude Haiku 5.5 (global.anthropic.claude-haiku-5-5)" in haiku and "Sonnet" not in haiku
    assert LABEL_MARK in sonnet and LABEL_MARK in haiku


# --- reviser ----------------------------------------------------------------------------------------

DRAFT = "# Research report: Bedrock quotas\n\nIntro text.\n\n## Quotas\n\nStay under the TPS. [src-001]\n\n## Sources\n\n- [src-001] Quotas — u\n"
COMMENTS = [
    "Please add a section on retry budgets.",
    'replace "Intro text" with "Introduction"',
    "Add a section about Map concurrency",
]


def revise(tools_: tuple = LIBRARY_TOOLS, outcomes: tuple = (), comments: list[str] = COMMENTS):
    prompt = roles.reviser_request("Bedrock quotas", DRAFT, comments, 2, SESSION).prompt
    return LocalModel().answer("reviser", Conversation(prompt, tools_, outcomes, 1 if outcomes else 0, **SONNET))


def test_the_reviser_first_searches_the_library_for_each_section_it_is_asked_to_add():
    answer = revise()
    assert answer.text == ""
    assert answer.tool_uses == (
        ToolUse("tooluse_local_0_0", "search_documents", {"query": "retry budgets"}),
        ToolUse("tooluse_local_0_1", "search_documents", {"query": "Map concurrency"}),
    )


def test_the_reviser_writes_a_section_from_the_passage_found_before_the_sources_and_answers_every_comment():
    budgets = passage("s3://lib/documents/retries.md#p3", "Retries", "A retry budget caps retries per minute. Cats purr.")
    answer = revise(outcomes=(searched("retry budgets", [budgets]), searched("Map concurrency", [])))
    revised = answer.text
    body = revised.split("## Revisions (v2)")[0]
    assert answer.tool_uses == ()
    section = (
        "## Retry budgets\n\nA retry budget caps retries per minute. "
        "(Added in revision from the document library: Retries — s3://lib/documents/retries.md#p3.)"
    )
    assert section in body and body.index(section) < body.index("## Sources")
    assert "\n\nIntroduction.\n\n" in body and "Intro text" not in body
    assert "## Revisions (v2)" in revised and LABEL_MARK in revised.split("## Revisions (v2)")[1]
    assert '1. Comment: Please add a section on retry budgets.\n   Response: applied: added a section "Retry budgets"' in revised
    assert '2. Comment: replace "Intro text" with "Introduction"\n   Response: applied: replaced' in revised
    assert 'Response: not applied: the document library has nothing on "Map concurrency".' in revised
    assert "## Map concurrency" not in body


def test_the_reviser_without_a_search_tool_says_it_could_not_research_the_section():
    answer = revise(tools_=READ_ONLY, comments=["add a section on retry budgets"])
    assert answer.tool_uses == ()
    assert 'not applied: no document search tool was available to research "retry budgets".' in answer.text
    assert "## Retry budgets" not in answer.text


# --- usage ------------------------------------------------------------------------------------------


def test_usage_counts_what_the_model_saw_and_what_it_produced_at_four_characters_a_token():
    results = [passage(f"s3://lib/documents/note-{i}.md#p1", text="Backoff with jitter. " * 20) for i in range(3)]
    asking = search()
    answering = search(outcomes=(searched(BACKOFF, results, max_results=3),), turn=1)
    seen = len(json.dumps([{"results": results}])) - len(json.dumps([]))  # the tool results it read on top
    assert answering.input_tokens - asking.input_tokens == pytest.approx(seen / 4, abs=1)
    assert answering.output_tokens == pytest.approx(len(answering.text) / 4, abs=1)
    assert asking.output_tokens == round(len(json.dumps([{"query": BACKOFF, "max_results": 3}])) / 4)  # a tool call is output too
