"""Parsing of Step Functions Local mock config files and how responses are handed out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.offline.mock_config import MockConfigError, list_test_cases, load_test_case

SHIPPED = "scripts/mock_configs/faults.json"


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
        ["WriterThrottledTwice", "OneSummaryFails", "SearchFailsUseFallback", "RejectUntilRevisionLimit", "ApprovalTimesOut"]
    )
    for name in names:
        assert load_test_case(Path(SHIPPED), name).responses
