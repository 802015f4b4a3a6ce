"""The timeline page: lanes show Map concurrency and Parallel branches, and the page needs nothing
from the network. The Parallel tests read a real execution history: a small state machine shaped
like PreReview, run by moto's ASL interpreter (the one the embedded account runs)."""

from __future__ import annotations

import io
import json
import time
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from rich.cells import cell_len
from rich.console import Console

from scripts.local_run import LiveView
from scripts.offline import history, timeline
from scripts.offline.history import StateSpan

T0 = datetime(2026, 1, 1)
REGION = "us-east-1"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def get_item(table: str, **fields) -> dict:
    """A Task that reads DynamoDB: it fails at once with DynamoDB.ResourceNotFoundException on a
    table that does not exist, with no Lambda to run."""
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:getItem",
        "Parameters": {"TableName": table, "Key": {"pk": {"S": "draft"}}},
        "ResultPath": None,
        **fields,
    }


def answered_by_the_test(check: str, **fields) -> dict:
    """A Task that runs until the test answers it, as a check's function would until it returned:
    it puts its task token on the queue, and the test sends SendTaskSuccess or SendTaskFailure
    when the other branch has got where the test wants it."""
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl.$": "$.queue_url", "MessageBody": {"check": check, "token.$": "$$.Task.Token"}},
        "ResultPath": None,
        **fields,
    }


def caught_by(target: str) -> list[dict]:
    return [{"ErrorEquals": ["States.ALL"], "Next": target, "ResultPath": "$.error"}]


MISSING = {"Type": "Pass", "Result": {"status": "missing"}, "End": True}


def pre_review(check_compliance: dict, check_citations: dict) -> dict:
    """PreReview's shape after a Map: compliance's agent task, its fallback (which fails) and its
    missing Pass in branch 1; the citation check, with a missing Pass if it has a Catch, in branch 2."""
    citation_states = {"CheckCitations": check_citations}
    if "Catch" in check_citations:
        citation_states["CitationCheckMissing"] = MISSING
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
                            "CheckCompliance": check_compliance,
                            "CheckComplianceFallback": get_item(
                                "no-such-table", Catch=caught_by("ComplianceCheckMissing"), End=True
                            ),
                            "ComplianceCheckMissing": MISSING,
                        },
                    },
                    {"StartAt": "CheckCitations", "States": citation_states},
                ],
            },
            "Reviewed": {"Type": "Succeed"},
        },
    }


# Each shape with the test's answers, in order: (check, the state that must have exited first, or
# None, and the error to fail it with, or None to succeed). Every answered task has entered before
# the first answer, so both branches are running by then.
SHAPES = {
    # Citations completes while compliance still runs; then compliance's agent fails, its fallback
    # fails, and the branch ends in ComplianceCheckMissing.
    "compliance_missing": (
        pre_review(
            answered_by_the_test("compliance", Catch=caught_by("CheckComplianceFallback"), End=True),
            answered_by_the_test("citations", Catch=caught_by("CitationCheckMissing"), End=True),
        ),
        [("citations", None, None), ("compliance", "CheckCitations", "AgentFailed")],
    ),
    # Compliance ends in its missing Pass; then the citation check fails with no Catch: the
    # Parallel fails, and so does the execution.
    "citations_uncaught": (
        pre_review(
            get_item("no-such-table", Catch=caught_by("CheckComplianceFallback"), End=True),
            answered_by_the_test("citations", End=True),
        ),
        [("citations", "ComplianceCheckMissing", "CitationCheckFailed")],
    ),
}


def run(definition: dict, answers: list[tuple[str, str | None, str | None]]) -> tuple[list[dict], dict]:
    """The execution's history and its description, once it ended."""
    sfn, sqs = boto3.client("stepfunctions", region_name=REGION), boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName=f"checks-{time.monotonic_ns()}")["QueueUrl"]
    machine = sfn.create_state_machine(
        name=f"pre-review-{time.monotonic_ns()}",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/workflow",
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"sources": [1, 2, 3], "queue_url": queue_url}))[
        "executionArn"
    ]
    deadline = time.monotonic() + 30

    def wait_for(what: str, condition) -> None:
        while not condition():
            assert time.monotonic() < deadline, f"no {what} within 30 s"
            time.sleep(0.02)

    tokens: dict[str, str] = {}

    def all_tokens_arrived() -> bool:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
            body = json.loads(message["Body"])
            tokens[body["check"]] = body["token"]
        return set(tokens) == {check for check, _, _ in answers}

    def exited(state: str) -> bool:
        return any(
            event["type"].endswith("StateExited") and event["stateExitedEventDetails"]["name"] == state
            for event in history.fetch_history(sfn, execution)
        )

    wait_for("task tokens", all_tokens_arrived)
    for check, after, error in answers:
        if after is not None:
            wait_for(f"{after} exited", lambda after=after: exited(after))
        if error is None:
            sfn.send_task_success(taskToken=tokens[check], output=json.dumps({"status": "completed"}))
        else:
            sfn.send_task_failure(taskToken=tokens[check], error=error, cause=f"the {check} check failed")
    wait_for("end", lambda: sfn.describe_execution(executionArn=execution)["status"] != "RUNNING")
    return history.fetch_history(sfn, execution), sfn.describe_execution(executionArn=execution)


@pytest.fixture(scope="module")
def executions() -> dict[str, tuple[dict, list[dict], dict]]:
    """Each shape run once: {shape: (definition, history events, description)}."""
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        return {shape: (definition, *run(definition, answers)) for shape, (definition, answers) in SHAPES.items()}


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
    # ParallelStateStarted, and a failure's previousEventId chain leads to its own state.
    _, events, described = executions["compliance_missing"]
    assert described["status"] == "SUCCEEDED"
    by_id = {event["id"]: event for event in events}
    started = next(event for event in events if event["type"] == "ParallelStateStarted")
    first_states = [
        event["stateEnteredEventDetails"]["name"] for event in events if event.get("previousEventId") == started["id"]
    ]
    assert sorted(first_states) == ["CheckCitations", "CheckCompliance"]
    failed = {event["taskFailedEventDetails"]["error"]: event for event in events if event["type"] == "TaskFailed"}
    assert set(failed) == {"AgentFailed", "DynamoDB.ResourceNotFoundException"}
    chain = [failed["AgentFailed"]]  # a failure's chain leads back to its own state, whatever ran meanwhile
    while not chain[-1]["type"].endswith("StateEntered"):
        chain.append(by_id[chain[-1]["previousEventId"]])
    assert chain[-1]["stateEnteredEventDetails"]["name"] == "CheckCompliance"
    cited = next(
        event
        for event in events
        if event["type"] == "TaskStateExited" and event["stateExitedEventDetails"]["name"] == "CheckCitations"
    )
    assert cited["id"] < failed["AgentFailed"]["id"]
    parallel_events = [event["type"] for event in events if event["type"].startswith("Parallel")]
    assert parallel_events == ["ParallelStateEntered", "ParallelStateStarted", "ParallelStateSucceeded", "ParallelStateExited"]


def test_each_branch_is_its_own_lane_and_the_lanes_overlap_in_time(executions):
    definition, events, _ = executions["compliance_missing"]
    compliance, citations = lanes_of(definition, events)
    assert (compliance.branch.parallel, compliance.branch.index) == ("PreReview", 0)
    assert [span.name for span in compliance.spans] == ["CheckCompliance", "CheckComplianceFallback", "ComplianceCheckMissing"]
    assert (citations.branch.parallel, citations.branch.index) == ("PreReview", 1)
    assert [span.name for span in citations.spans] == ["CheckCitations"]
    assert compliance.started < citations.ended and citations.started < compliance.ended  # they ran at once


def test_a_branch_that_ended_in_its_missing_pass_is_marked_missing_and_the_other_completed(executions):
    definition, events, _ = executions["compliance_missing"]
    compliance, citations = lanes_of(definition, events)
    assert (compliance.outcome, compliance.last_state) == ("missing", "ComplianceCheckMissing")
    assert citations.outcome == "completed"


def test_a_branch_whose_failure_was_not_caught_is_marked_unfinished(executions):
    definition, events, described = executions["citations_uncaught"]
    assert described["status"] == "FAILED"
    compliance, citations = lanes_of(definition, events)
    assert compliance.outcome == "missing"
    assert (citations.outcome, citations.last_state, citations.ended) == ("unfinished", "CheckCitations", None)


def test_the_page_shows_the_branches_as_lanes_under_the_parallel_with_overlapping_bars(executions):
    svg = svg_of(page_of(*executions["compliance_missing"]))
    labels = row_labels(svg)
    pre_review_row = labels.index("PreReview")
    assert labels[pre_review_row:] == [
        "PreReview",
        "branch 1",
        "CheckCompliance",
        "CheckComplianceFallback",
        "ComplianceCheckMissing",
        "branch 2",
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
    svg = svg_of(page_of(*executions["compliance_missing"]))
    lanes = {group.get("data-branch"): group for group in svg.iter("g") if group.get("class") == "lane"}
    assert {branch: group.get("data-outcome") for branch, group in lanes.items()} == {"1": "missing", "2": "completed"}
    assert [text.text for text in lanes["1"].iter("text")] == ["✗ missing: ended in ComplianceCheckMissing"]
    assert list(lanes["2"].iter("text")) == []
    assert lanes["1"].find("rect").get("stroke-dasharray") and not lanes["2"].find("rect").get("stroke-dasharray")


def test_map_iterations_keep_their_lanes_on_a_page_with_branches(executions):
    labels = row_labels(svg_of(page_of(*executions["compliance_missing"])))
    assert labels[0] == "SummarizeSources"
    assert "SummarizeSource · lane 1" in labels
    assert labels.index("SummarizeSource · lane 1") < labels.index("PreReview")


def live_view_of(definition: dict, events: list[dict]) -> list[str]:
    """What the runner's live view prints for the history, in a 100-column terminal."""
    output = io.StringIO()
    view = LiveView(
        Console(file=output, width=100), set(timeline.map_inner_states(definition)), timeline.parallel_branches(definition)
    )
    for event in events:
        view(event)
    return output.getvalue().splitlines()


def lane_cells(line: str) -> set[int]:
    """The columns of a lane line's bar where its branch ran."""
    bar = line.split("branch ", 1)[1][len("1  ") :]
    return {index for index, char in enumerate(bar[: bar.index(" ")]) if char == "█"}


def test_the_live_view_tags_each_branch_and_blames_a_failure_on_the_state_it_happened_in(executions):
    # The agent's failure comes after the citation check entered and exited: the state entered
    # last is not the one that failed.
    lines = live_view_of(*executions["compliance_missing"][:2])
    assert any(line.endswith("1│ → CheckCompliance") for line in lines), lines
    assert any(line.endswith("2│ → CheckCitations") for line in lines), lines
    assert any("1│ ↷ CheckCompliance caught AgentFailed" in line for line in lines), lines
    assert not any("✓ CheckCompliance " in line or "CheckCitations caught" in line for line in lines), lines
    assert any("2│ ✓ CheckCitations" in line for line in lines), lines


def test_the_live_view_draws_the_branches_as_overlapping_lanes_when_the_parallel_ends(executions):
    lines = live_view_of(*executions["compliance_missing"][:2])
    exited = next(index for index, line in enumerate(lines) if "✓ PreReview" in line)
    first, second = lines[exited + 1 : exited + 3]
    assert first.lstrip().startswith("branch 1") and first.endswith("✗ missing: ended in ComplianceCheckMissing")
    assert second.lstrip().startswith("branch 2") and second.endswith(" ms ✓")
    assert lane_cells(first) & lane_cells(second)  # they ran at once
    assert max(cell_len(line) for line in lines) <= 100


def test_the_live_view_shows_a_failed_parallel_with_the_branch_that_did_not_finish(executions):
    lines = live_view_of(*executions["citations_uncaught"][:2])
    failed = next(index for index, line in enumerate(lines) if line.endswith("✗ PreReview failed"))
    first, second = lines[failed + 1 : failed + 3]
    assert first.endswith("✗ missing: ended in ComplianceCheckMissing")
    assert second.lstrip().startswith("branch 2") and second.endswith("✗ unfinished: CheckCitations never exited")
    assert any(line.endswith("2│ ! CitationCheckFailed") for line in lines), lines  # moto's TaskFailed drops the cause


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
