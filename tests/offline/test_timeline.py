"""The timeline page: lanes show Map concurrency and Parallel branches, and the page needs nothing
from the network. The Parallel tests read a real execution history: a small state machine shaped
like PreReview, run by moto's ASL interpreter (the one the embedded account runs)."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from scripts.offline import history, timeline
from scripts.offline.history import StateSpan

T0 = datetime(2026, 1, 1)
REGION = "us-east-1"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def get_item(table: str, **fields) -> dict:
    """A Task that reads DynamoDB: it succeeds on a table that exists and fails with
    DynamoDB.ResourceNotFoundException on one that does not, with no Lambda to run."""
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:getItem",
        "Parameters": {"TableName": table, "Key": {"pk": {"S": "draft"}}},
        "ResultPath": None,
        **fields,
    }


def caught_by(target: str) -> list[dict]:
    return [{"ErrorEquals": ["States.ALL"], "Next": target, "ResultPath": "$.error"}]


def pre_review(citations_caught: bool) -> dict:
    """Compliance fails twice (agent, then fallback) and ends in its missing Pass; citations
    succeeds, or (`citations_caught` False) fails with no Catch, failing the Parallel."""
    check_citations = get_item(
        "reviews" if citations_caught else "no-such-table",
        End=True,
        **({"Catch": caught_by("CitationCheckMissing")} if citations_caught else {}),
    )
    missing = {"Type": "Pass", "Result": {"status": "missing"}, "End": True}
    return {
        "StartAt": "SummarizeSources",
        "States": {
            "SummarizeSources": {
                "Type": "Map",
                "ItemsPath": "$.sources",
                "ItemProcessor": {"StartAt": "SummarizeSource", "States": {"SummarizeSource": {"Type": "Pass", "End": True}}},
                "ResultPath": None,
                "Next": "PreReview",
            },
            "PreReview": {
                "Type": "Parallel",
                "Next": "Reviewed",
                "Branches": [
                    {
                        "StartAt": "CheckCompliance",
                        "States": {
                            "CheckCompliance": get_item("no-such-table", Catch=caught_by("CheckComplianceFallback"), End=True),
                            "CheckComplianceFallback": get_item(
                                "no-such-table", Catch=caught_by("ComplianceCheckMissing"), End=True
                            ),
                            "ComplianceCheckMissing": missing,
                        },
                    },
                    {
                        "StartAt": "HoldBranchOpen",
                        "States": {
                            # A second's wait keeps this branch running while the other one runs,
                            # so the overlap the tests look for never hangs on thread scheduling.
                            "HoldBranchOpen": {"Type": "Wait", "Seconds": 1, "Next": "CheckCitations"},
                            "CheckCitations": check_citations,
                            **({"CitationCheckMissing": missing} if citations_caught else {}),
                        },
                    },
                ],
            },
            "Reviewed": {"Type": "Succeed"},
        },
    }


def run(definition: dict) -> tuple[list[dict], dict]:
    """The execution's history and its description, once it ended."""
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(
        name=f"pre-review-{time.monotonic_ns()}",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/workflow",
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"sources": [1, 2, 3]}))["executionArn"]
    deadline = time.monotonic() + 30
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end within 30 s"
        time.sleep(0.05)
    return history.fetch_history(sfn, execution), described


@pytest.fixture(scope="module")
def executions() -> dict[str, tuple[dict, list[dict], dict]]:
    """Both shapes run once: {shape: (definition, history events, description)}."""
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        boto3.client("dynamodb", region_name=REGION).create_table(
            TableName="reviews",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        found = {}
        for shape, caught in (("caught", True), ("uncaught", False)):
            definition = pre_review(citations_caught=caught)
            found[shape] = (definition, *run(definition))
        return found


def lanes_of(definition: dict, events: list[dict]) -> list[timeline.Lane]:
    spans = history.spans(events, timeline.map_inner_states(definition))
    return timeline.lanes(spans, timeline.parallel_branches(definition))


def page_of(definition: dict, events: list[dict], described: dict) -> str:
    spans = history.spans(events, timeline.map_inner_states(definition))
    summary = {"status": described["status"], "end_state": "Reviewed", "events": []}
    return timeline.render(
        spans,
        summary,
        timeline.state_types(definition),
        described["startDate"],
        described.get("stopDate") or described["startDate"],
        branches=timeline.parallel_branches(definition),
    )


def svg_of(page: str) -> ElementTree.Element:
    return ElementTree.fromstring(page[page.index("<svg") : page.index("</svg>") + len("</svg>")])


def row_labels(svg: ElementTree.Element) -> list[str]:
    return [text.text for text in svg.iter("text") if text.get("class") in (None, "lane-label")]


def test_the_history_has_the_events_the_lanes_are_built_from(executions):
    # What moto's interpreter emits for a Parallel: each branch's first state is chained to
    # ParallelStateStarted, and a branch's caught failure still exits its Task state.
    _, events, described = executions["caught"]
    assert described["status"] == "SUCCEEDED"
    by_id = {event["id"]: event for event in events}
    started = next(event for event in events if event["type"] == "ParallelStateStarted")
    first_states = [
        event["stateEnteredEventDetails"]["name"] for event in events if event.get("previousEventId") == started["id"]
    ]
    assert sorted(first_states) == ["CheckCompliance", "HoldBranchOpen"]
    failed = [event for event in events if event["type"] == "TaskFailed"]
    assert len(failed) == 2 and all(by_id[event["previousEventId"]]["type"] == "TaskStarted" for event in failed)
    parallel_events = [event["type"] for event in events if event["type"].startswith("Parallel")]
    assert parallel_events == ["ParallelStateEntered", "ParallelStateStarted", "ParallelStateSucceeded", "ParallelStateExited"]


def test_each_branch_is_its_own_lane_and_the_lanes_overlap_in_time(executions):
    definition, events, _ = executions["caught"]
    compliance, citations = lanes_of(definition, events)
    assert (compliance.branch.parallel, compliance.branch.index) == ("PreReview", 0)
    assert [span.name for span in compliance.spans] == ["CheckCompliance", "CheckComplianceFallback", "ComplianceCheckMissing"]
    assert (citations.branch.parallel, citations.branch.index) == ("PreReview", 1)
    assert [span.name for span in citations.spans] == ["HoldBranchOpen", "CheckCitations"]
    assert compliance.started < citations.ended and citations.started < compliance.ended  # they ran at once


def test_a_branch_that_ended_in_its_missing_pass_is_marked_missing_and_the_other_completed(executions):
    definition, events, _ = executions["caught"]
    compliance, citations = lanes_of(definition, events)
    assert (compliance.outcome, compliance.last_state) == ("missing", "ComplianceCheckMissing")
    assert citations.outcome == "completed"


def test_a_branch_whose_failure_was_not_caught_is_marked_unfinished(executions):
    definition, events, described = executions["uncaught"]
    assert described["status"] == "FAILED"
    compliance, citations = lanes_of(definition, events)
    assert compliance.outcome == "missing"
    assert (citations.outcome, citations.last_state, citations.ended) == ("unfinished", "CheckCitations", None)


def test_the_page_shows_the_branches_as_lanes_under_the_parallel_with_overlapping_bars(executions):
    svg = svg_of(page_of(*executions["caught"]))
    labels = row_labels(svg)
    pre_review_row = labels.index("PreReview")
    assert labels[pre_review_row:] == [
        "PreReview",
        "branch 1",
        "CheckCompliance",
        "CheckComplianceFallback",
        "ComplianceCheckMissing",
        "branch 2",
        "HoldBranchOpen",
        "CheckCitations",
        "Reviewed",
    ]
    label_x = {text.text: float(text.get("x")) for text in svg.iter("text")}
    assert label_x["PreReview"] < label_x["branch 1"] < label_x["CheckCompliance"]  # indented under the Parallel
    lanes = {group.get("data-branch"): group for group in svg.iter("g") if group.get("class") == "lane"}
    bars = {branch: lanes[branch].find("rect") for branch in ("1", "2")}
    spans = {branch: (float(bar.get("x")), float(bar.get("x")) + float(bar.get("width"))) for branch, bar in bars.items()}
    assert spans["1"][0] < spans["2"][1] and spans["2"][0] < spans["1"][1]  # the bars overlap: they ran at once


def test_the_page_marks_the_missing_branch_and_only_that_one(executions):
    svg = svg_of(page_of(*executions["caught"]))
    lanes = {group.get("data-branch"): group for group in svg.iter("g") if group.get("class") == "lane"}
    assert {branch: group.get("data-outcome") for branch, group in lanes.items()} == {"1": "missing", "2": "completed"}
    assert [text.text for text in lanes["1"].iter("text")] == ["✗ missing: ended in ComplianceCheckMissing"]
    assert list(lanes["2"].iter("text")) == []
    assert lanes["1"].find("rect").get("stroke-dasharray") and not lanes["2"].find("rect").get("stroke-dasharray")


def test_map_iterations_keep_their_lanes_on_a_page_with_branches(executions):
    labels = row_labels(svg_of(page_of(*executions["caught"])))
    assert labels[0] == "SummarizeSources"
    assert "SummarizeSource · lane 1" in labels
    assert labels.index("SummarizeSource · lane 1") < labels.index("PreReview")


def test_overlapping_iterations_get_their_own_lanes_and_later_ones_reuse_free_lanes():
    spans = [
        StateSpan("SummarizeSource", at(0), at(2), True),
        StateSpan("SummarizeSource", at(1), at(3), True),
        StateSpan("SummarizeSource", at(2), at(4), True),
        StateSpan("WriteDraft", at(4), at(5), False),
    ]
    labels = [label for label, _ in timeline._rows(spans, at(5))]
    assert labels == ["SummarizeSource · lane 1", "SummarizeSource · lane 2", "SummarizeSource · lane 1", "WriteDraft"]


def test_a_parallel_entered_again_runs_its_branches_in_lanes_of_their_own():
    branch = timeline.Branch("PreReview", 0, frozenset({"ComplianceCheckMissing"}), frozenset())
    spans = [
        StateSpan("PreReview", at(0), at(2), False),
        StateSpan("CheckCompliance", at(0), at(1), False),
        StateSpan("ComplianceCheckMissing", at(1), at(2), False),
        StateSpan("PreReview", at(5), at(6), False),
        StateSpan("CheckCompliance", at(5), at(6), False),
    ]
    first, second = timeline.lanes(spans, {"CheckCompliance": branch, "ComplianceCheckMissing": branch})
    assert [(lane.started, lane.ended, lane.outcome) for lane in (first, second)] == [
        (at(0), at(2), "missing"),
        (at(5), at(6), "completed"),
    ]


def test_page_is_self_contained_and_escapes_state_names():
    spans = [StateSpan("<Search>", at(0), at(1), False)]
    page = timeline.render(spans, {"status": "SUCCEEDED", "end_state": "Published", "events": []}, {}, at(0), at(1))
    assert "&lt;Search&gt;" in page and "<Search>" not in page
    assert "<script" not in page and "<link" not in page and "http" not in page.split("<body>")[1]
