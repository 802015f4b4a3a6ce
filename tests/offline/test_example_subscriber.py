"""examples/draft_reviewed_subscriber: its rule's pattern, asked of EventBridge's TestEventPattern
on the embedded account, matches DraftReviewed v1 events with blocking findings and nothing else;
and the root passes checkov with the repository's policies."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from scripts import hcl
from scripts.event_schemas import load_schemas, validate
from tests.terraform import tfhcl

EXAMPLE = hcl.REPO_ROOT / "examples" / "draft_reviewed_subscriber"
PATTERN_FILE = EXAMPLE / "event_pattern.json"


@pytest.fixture(scope="module")
def event_pattern() -> str:
    """The pattern the rule sends to EventBridge: the JSON file its event_pattern reads."""
    rules = hcl.load_directory(EXAMPLE)["resource"]
    rule = next(block["aws_cloudwatch_event_rule"]["this"] for block in rules if "aws_cloudwatch_event_rule" in block)
    assert rule["event_pattern"] == '${file("${path.module}/event_pattern.json")}', rule["event_pattern"]
    return PATTERN_FILE.read_text(encoding="utf-8")


def draft_reviewed(blocking: int, schema_version: str = "1.0", detail_type: str = "DraftReviewed") -> dict[str, Any]:
    """A DraftReviewed event as the bus delivers it, from the schema's first example."""
    event = copy.deepcopy(load_schemas()[("DraftReviewed", 1)]["examples"][0])
    event["detail-type"] = detail_type
    checks = event["detail"]["checks"]
    checks["compliance"]["blocking"] = blocking
    event["detail"].update(blocking_findings=blocking, schema_version=schema_version)
    assert sum(check["blocking"] for check in checks.values()) == blocking
    return event


def matches(account, pattern: str, event: dict[str, Any]) -> bool:
    answer = account.client("events").test_event_pattern(EventPattern=pattern, Event=json.dumps(event))
    # moto 5.2.5 answers TestEventPattern with an empty body; the account's fill answers it.
    assert "Result" in answer, "the embedded account does not answer TestEventPattern (gaps.events_test_event_pattern)"
    return answer["Result"]


def test_a_draft_reviewed_event_with_a_blocking_finding_matches(account, event_pattern):
    event = draft_reviewed(blocking=1)
    assert validate(event) == []
    assert matches(account, event_pattern, event) is True


def test_a_draft_reviewed_event_without_blocking_findings_does_not_match(account, event_pattern):
    event = draft_reviewed(blocking=0)
    assert validate(event) == []
    assert matches(account, event_pattern, event) is False


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(draft_reviewed(blocking=2, detail_type="DraftWritten"), id="another detail-type"),
        pytest.param({**draft_reviewed(blocking=2), "source": "research-report.staging"}, id="another source"),
        pytest.param(draft_reviewed(blocking=2, schema_version="2.0"), id="a later major of the schema"),
    ],
)
def test_only_draft_reviewed_events_of_schema_v1_match(account, event_pattern, event):
    assert matches(account, event_pattern, event) is False


def test_the_example_passes_checkov_with_the_custom_policies():
    report, returncode = tfhcl.run_checkov(
        "--config-file", str(tfhcl.ROOT_SCAN_CONFIG), "-d", str(EXAMPLE.relative_to(hcl.REPO_ROOT))
    )
    failed = [(c["check_id"], c["resource"]) for c in report["results"].get("failed_checks", [])]
    assert report["summary"]["failed"] == 0 and not failed and returncode == 0, failed
    assert report["summary"]["parsing_errors"] == 0
    passed = {c["check_id"] for c in report["results"]["passed_checks"]}
    assert {"CKV_RR_301", "CKV_RR_302", "CKV_AWS_27"} <= passed, sorted(passed)
