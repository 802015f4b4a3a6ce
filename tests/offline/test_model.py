"""The local model behind the embedded Bedrock endpoints (scripts/offline/model.py): deterministic,
reads the corpus it is given, and says that it wrote what it wrote. It reads only prompts, so the
prompts come from the handlers' own code (workflow_core.roles)."""

from __future__ import annotations

import json

from workflow_core.roles import search_request, summary_request, writer_request

from scripts.offline.model import AGENT_LABEL, FALLBACK_LABEL, LocalModel

SESSION = "0123456789abcdef0123456789abcdef"
BACKOFF = "exponential backoff with jitter for throttled retries"


def test_the_same_prompt_gets_the_same_answer() -> None:
    prompt = search_request(BACKOFF, 5, SESSION).prompt
    assert LocalModel().answer("search", prompt) == LocalModel().answer("search", prompt)


def test_search_ranks_the_matching_note_first_and_numbers_sources_by_rank() -> None:
    sources = json.loads(LocalModel().answer("search", search_request(BACKOFF, 3, SESSION).prompt).text)
    assert [s["id"] for s in sources] == ["src-001", "src-002", "src-003"]
    assert "exponential-backoff-with-jitter.md" in sources[0]["uri"]


def test_search_reads_the_corpus_it_is_given(tmp_path) -> None:
    (tmp_path / "note.md").write_text("# Zebras\n\nZebras have black and white stripes that confuse biting flies.\n")
    sources = json.loads(LocalModel(tmp_path).answer("search", search_request("zebra stripes", 5, SESSION).prompt).text)
    assert [(s["title"], s["uri"]) for s in sources] == [("Zebras", "corpus://note.md#p1")]


def test_summary_is_extractive_keeps_the_source_id_and_is_shorter_as_the_fallback() -> None:
    text = "Cats sleep a lot. Bedrock quotas limit requests. Quotas differ per Bedrock model. Dogs bark."
    prompt = summary_request("Bedrock quotas", {"id": "src-007", "title": "T", "uri": "u", "text": text}, SESSION).prompt
    assert (
        LocalModel().answer("summary", prompt).text == "[src-007] Bedrock quotas limit requests. Quotas differ per Bedrock model."
    )
    assert LocalModel().answer("summary", prompt, fallback=True).text == "[src-007] Bedrock quotas limit requests."


def test_the_report_says_which_stand_in_wrote_it_and_usage_is_counted_from_the_text() -> None:
    summaries = [{"source_id": "src-001", "title": "Quotas", "uri": "u", "summary": "Stay under the TPS."}]
    prompt = writer_request("Bedrock quotas", summaries, [], SESSION).prompt
    agent, fallback = LocalModel().answer("writer", prompt), LocalModel().answer("writer", prompt, fallback=True)
    assert AGENT_LABEL in agent.text and FALLBACK_LABEL in fallback.text
    assert "stands in for the smaller model" in FALLBACK_LABEL and "not a real model" in AGENT_LABEL
    assert (agent.input_tokens, agent.output_tokens) == (round(len(prompt) / 4), round(len(agent.text) / 4))
