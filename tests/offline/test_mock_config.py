"""Parsing of Step Functions Local mock config files and of their sibling, the model faults file
(scripts/offline/model_faults.py), and how responses are handed out; the shipped examples parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.offline.mock_config import MockConfigError, list_test_cases, load_test_case
from scripts.offline.model_faults import CALLERS, ModelFaultsError, case_from_document

SHIPPED = "scripts/mock_configs/faults.json"
SHIPPED_MODEL_FAULTS = json.loads(Path("scripts/mock_configs/model_faults.json").read_text(encoding="utf-8"))
# The most model calls an agent task may make (MAX_AGENT_TURNS; terraform/variables.tf max_agent_turns).
MOST_AGENT_TURNS = 50


def write(tmp_path, document) -> str:
    path = tmp_path / "mock.json"
    path.write_text(json.dumps(document))
    return path


def config(responses, case=None):
    return {
        "StateMachines": {"research-report": {"TestCases": {"Case": case or {"WriteDraft": "R"}}}},
        "MockedResponses": {"R": responses},
    }


def test_ranges_expand_in_order_then_the_real_handler_runs(tmp_path):
    path = write(tmp_path, config({"0-1": {"Throw": {"Error": "AgentThrottled", "Cause": "x"}}, "2": {"Return": {"ok": 1}}}))
    case = load_test_case(path, "Case")
    answers = [case.next_response("WriteDraft") for _ in range(4)]
    assert [a.error for a in answers[:2]] == ["AgentThrottled", "AgentThrottled"]
    assert answers[2].returns == {"ok": 1}
    assert answers[3] is None
    assert case.next_response("Search") is None


def test_gaps_in_indices_are_rejected(tmp_path):
    path = write(tmp_path, config({"0": {"Return": {}}, "2": {"Return": {}}}))
    with pytest.raises(MockConfigError, match="consecutive"):
        load_test_case(path, "Case")


@pytest.mark.parametrize("body", [{"Return": {}, "Throw": {"Error": "X"}}, {}, {"Throw": {"Cause": "no error"}}])
def test_a_response_needs_exactly_one_valid_outcome(tmp_path, body):
    with pytest.raises(MockConfigError):
        load_test_case(write(tmp_path, config({"0": body})), "Case")


def test_unknown_test_case_lists_the_known_ones(tmp_path):
    with pytest.raises(MockConfigError, match="known: Case"):
        load_test_case(write(tmp_path, config({"0": {"Return": {}}})), "Nope")


def test_unknown_response_name_is_reported(tmp_path):
    with pytest.raises(MockConfigError, match="unknown response"):
        load_test_case(write(tmp_path, config({"0": {"Return": {}}}, case={"Search": "Missing"})), "Case")


def test_missing_and_malformed_files_are_reported(tmp_path):
    with pytest.raises(MockConfigError, match="not found"):
        load_test_case(tmp_path / "absent.json", "Case")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(MockConfigError, match="not JSON"):
        load_test_case(broken, "Case")


def test_shipped_examples_parse():
    names = list_test_cases(Path(SHIPPED))
    assert names == sorted(
        [
            "WriterThrottledTwice",
            "OneSummaryFails",
            "SearchFailsUseFallback",
            "RejectUntilRevisionLimit",
            "ApprovalTimesOut",
            "CitationCheckFails",
        ]
    )
    for name in names:
        assert load_test_case(Path(SHIPPED), name).responses


def shipped_model_fault_case(name: str):
    """One shipped test case, parsed with only the responses it names."""
    return case_from_document({**SHIPPED_MODEL_FAULTS, "TestCases": {name: SHIPPED_MODEL_FAULTS["TestCases"][name]}}, name)


def test_shipped_model_faults_hold_the_agents_as_code_cases():
    assert sorted(SHIPPED_MODEL_FAULTS["TestCases"]) == sorted(
        [
            "SearchThrottledTwice",
            "SearchServiceUnavailableOnce",
            "WriterAgentRefusesFallbackWrites",
            "WriterAgentAndFallbackDenied",
            "ReviserAgentRefusesFallbackRevises",
            "OneSummaryEmptyThenFallbackTimesOut",
            "SearchReplyNotJson",
            "SearchToolFails",
            "SearchAgentToolLoopFallbackSearches",
            "SearchToolLoopNeverEnds",
            "WriterPutsPersonalDataInTheDraft",
            "WriterDraftNeedsAdvice",
            "ComplianceAgentAndFallbackFail",
            "ComplianceAlwaysBlocks",
        ]
    )
    callers = {caller for roles in SHIPPED_MODEL_FAULTS["TestCases"].values() for apis in roles.values() for caller in apis}
    assert callers == {"Agent", "Fallback"} and callers <= set(CALLERS)  # the agents call Converse; no Agents Classic cases


@pytest.mark.parametrize(
    "name",
    [name for name in sorted(SHIPPED_MODEL_FAULTS["TestCases"])],
)
def test_shipped_model_fault_cases_parse(name):
    assert shipped_model_fault_case(name).responses


def test_a_shipped_failing_tool_call_is_a_read_of_a_missing_document_then_the_local_model():
    case = shipped_model_fault_case("SearchToolFails")
    assert case.next_response("search", "Agent").tool_use == {
        "name": "read_document",
        "input": {"uri": "s3://no-such-library/documents/missing.md#p1"},
    }
    assert case.next_response("search", "Agent") is None


def test_a_shipped_endless_tool_loop_outlasts_the_largest_turn_budget_of_the_agent_and_its_fallback():
    case = shipped_model_fault_case("SearchToolLoopNeverEnds")
    for caller in ("Agent", "Fallback"):
        uses = [case.next_response("search", caller) for _ in range(MOST_AGENT_TURNS)]
        assert all(use is not None and use.tool_use["name"] == "search_documents" for use in uses), caller


def test_model_fault_indices_follow_the_mock_config_rules():
    document = {
        "TestCases": {"Case": {"search": {"Agent": "Gap"}}},
        "ModelResponses": {"Gap": {"0": {"Completion": ""}, "2": {"Completion": ""}}},
    }
    with pytest.raises(ModelFaultsError, match="consecutive"):
        case_from_document(document, "Case")
