"""The cost model's transition count equals what a real execution's history records, and the local
summary reports the seed's four effectiveness metrics."""

from __future__ import annotations

import pytest

from scripts import cost_estimate

TOPIC = "How do Step Functions and Bedrock Agents share work in a research workflow?"


@pytest.mark.parametrize(("sources", "approve"), [(3, "auto"), (6, "auto"), (4, "reject-then-approve")])
def test_counted_transitions_equal_the_execution_history(workflow, sources, approve):
    result = workflow.run(topic=TOPIC, approve=approve, max_sources=sources)
    summary = result.summary
    assert summary["end_state"] == "Published"
    counted = cost_estimate.run_counts("pilot", summary["map_items"], summary["revisions"])
    assert counted.transitions == summary["state_transitions"]


@pytest.mark.parametrize("case", ["WriterPutsPersonalDataInTheDraft", "ComplianceAlwaysBlocks"])
def test_counted_transitions_and_calls_follow_the_revisions_the_pre_review_asks_for(workflow, case):
    from pathlib import Path

    from scripts.offline.model_faults import read_document

    faults = read_document(Path("scripts/mock_configs/model_faults.json"))
    summary = workflow.run(topic=TOPIC, approve="auto", max_sources=3, test_case=case, model_faults=faults).summary
    automatic = summary["automatic_revisions"]
    assert summary["end_state"] == "Published" and automatic >= 1, summary
    counted = cost_estimate.run_counts("pilot", summary["map_items"], summary["revisions"] - automatic, automatic)
    assert counted.transitions == summary["state_transitions"]
    for role in cost_estimate.ROLES:
        assert summary["agent_invocations"][f"agent_{role}"]["calls"] == counted.invocations[f"agent_{role}"], role


def test_counted_agent_invocations_equal_the_run(workflow):
    summary = workflow.run(topic=TOPIC, approve="reject-then-approve", max_sources=4).summary
    counted = cost_estimate.run_counts("pilot", summary["map_items"], summary["revisions"])
    for role in cost_estimate.ROLES:
        assert summary["agent_invocations"][f"agent_{role}"]["calls"] == counted.invocations[f"agent_{role}"], role


def test_summary_reports_the_four_effectiveness_metrics(workflow):
    summary = workflow.run(topic=TOPIC, approve="reject-then-approve", max_sources=3).summary
    metrics = summary["effectiveness"]
    assert set(metrics) == {"completion_time_s", "agent_utilisation", "retries", "cost_per_execution_usd"}
    assert metrics["completion_time_s"] == summary["duration_s"]
    cached = {"search"} if summary["cache_hits"] else set()  # a search-cache hit calls no search agent
    assert set(metrics["agent_utilisation"]) == set(cost_estimate.ROLES) - cached
    assert metrics["agent_utilisation"]["summary"]["invocations"] == summary["map_items"]
    assert metrics["agent_utilisation"]["reviser"]["invocations"] == 1
    assert metrics["retries"] == {"task_retries": 0, "agent_retries": 0}
    tokens = summary["tokens"]  # per role and path, from the usage Bedrock reported through the handlers' metrics
    for role, used in metrics["agent_utilisation"].items():
        assert (used["input_tokens"], used["output_tokens"]) == (tokens[role]["agent"]["input"], tokens[role]["agent"]["output"])
    assert metrics["cost_per_execution_usd"] == cost_estimate.execution_cost("pilot", summary["state_transitions"], tokens)
    assert metrics["cost_per_execution_usd"] > summary["state_transitions"] * 0.000025  # tokens are priced too
