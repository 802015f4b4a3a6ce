"""The pre-review on the embedded account: the compliance agent and the citation check run side by
side on every draft version; blocking findings go to the reviser before any person is asked; the
reviewer sees every finding, and which check is missing when one failed."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from scripts.offline.mock_config import read_document
from scripts.offline.model_faults import read_document as read_model_faults

MODEL_FAULTS = Path("scripts/mock_configs/model_faults.json")
FAULTS = Path("scripts/mock_configs/faults.json")


def run(workflow, case=None, mock_config=False, approve="auto"):
    topic = f"How Step Functions shares work between agents {uuid.uuid4().hex[:8]}"  # no search-cache hit
    faults = {"mock_config": read_document(FAULTS)} if mock_config else {"model_faults": read_model_faults(MODEL_FAULTS)}
    return workflow.run(topic=topic, approve=approve, max_sources=3, test_case=case, **(faults if case else {}))


def approval_items(workflow, workflow_id):
    """The approval items of one workflow, oldest first: what each link's page shows."""
    table = workflow.deployment.outputs["workflow_table_name"]
    items = workflow.client("dynamodb").scan(
        TableName=table,
        FilterExpression="workflow_id = :wf AND sk = :sk",
        ExpressionAttributeValues={":wf": {"S": workflow_id}, ":sk": {"S": "APPROVAL"}},
    )["Items"]
    from boto3.dynamodb.types import TypeDeserializer

    plain = [{k: TypeDeserializer().deserialize(v) for k, v in item.items()} for item in items]
    return sorted(plain, key=lambda item: item["created_at"])


def mails_about(workflow, workflow_id):
    return [m["message"] for m in workflow.account.control("GET", "mailbox") if f"workflow {workflow_id}," in m["message"]]


def read_findings(workflow, key):
    body = workflow.client("s3").get_object(Bucket=workflow.deployment.bucket, Key=key)["Body"].read()
    return json.loads(body)["findings"]


def bus_details(workflow, summary, detail_type):
    return [
        e["detail"]
        for e in workflow.account.control("GET", "bus_events")
        if e["detail_type"] == detail_type and e["detail"].get("execution_arn") == summary["execution_arn"]
    ]


def test_a_clean_draft_reaches_the_reviewer_after_both_checks_ran_side_by_side(workflow):
    result = run(workflow)
    summary = result.summary
    assert (summary["end_state"], summary["automatic_revisions"], summary["approvals_requested"]) == ("Published", 0, 1)
    assert summary["pre_reviews"] == [
        {
            "version": 1,
            "compliance": {"status": "completed", "blocking": 0, "advisory": 0, "error": None},
            "citations": {"status": "completed", "blocking": 0, "advisory": 0, "error": None},
        }
    ]
    assert summary["events"] == [
        "WorkflowRequested",
        "SourcesGathered",
        "DraftWritten",
        "DraftReviewed",
        "ApprovalRequested",
        "ReportPublished",
    ]
    # The two branches overlapped in time: the Parallel state started both before either ended.
    started = {
        e["stateEnteredEventDetails"]["name"]: e["id"]
        for e in result.history
        if e["type"] == "TaskStateEntered" and e["stateEnteredEventDetails"]["name"] in ("CheckCompliance", "CheckCitations")
    }
    first_exit = min(
        e["id"]
        for e in result.history
        if e["type"] == "TaskStateExited" and e["stateExitedEventDetails"]["name"] in ("CheckCompliance", "CheckCitations")
    )
    assert len(started) == 2 and max(started.values()) < first_exit
    wf = summary["workflow_id"]
    assert {f"{wf}/reviews/v1/compliance.json", f"{wf}/reviews/v1/citations.json"} <= set(summary["artifacts"])
    (reviewed,) = bus_details(workflow, summary, "DraftReviewed")
    assert (reviewed["version"], reviewed["blocking_findings"]) == (1, 0)
    assert reviewed["checks"]["compliance"]["findings_key"] == f"{wf}/reviews/v1/compliance.json"


def test_a_draft_that_breaks_the_policy_goes_to_the_reviser_without_a_person(workflow):
    summary = run(workflow, "WriterPutsPersonalDataInTheDraft").summary
    wf = summary["workflow_id"]
    assert summary["end_state"] == "Published", summary
    # v1 broke the policy: revised at once, and nobody was asked about v1.
    first, second = summary["pre_reviews"]
    assert (first["version"], first["compliance"]["blocking"]) == (1, 3), first  # e-mail, phone, the claim
    assert second == {
        "version": 2,
        "compliance": {"status": "completed", "blocking": 0, "advisory": 0, "error": None},
        "citations": {"status": "completed", "blocking": 0, "advisory": 0, "error": None},
    }
    assert (summary["automatic_revisions"], summary["revisions"], summary["approvals_requested"]) == (1, 1, 1)
    (item,) = approval_items(workflow, wf)
    assert item["draft_key"] == f"{wf}/drafts/v2.md"
    findings = read_findings(workflow, f"{wf}/reviews/v1/compliance.json")
    assert {(f["rule"], f["quote"]) for f in findings if f["severity"] == "blocking"} == {
        ("personal-data", "jane.doe@example.com"),
        ("personal-data", "+1 555 010 0199"),
        ("unsupported-claim", "Adding retries is guaranteed to remove every failure. [src-001]"),  # with its citation
    }
    published = workflow.client("s3").get_object(Bucket=workflow.deployment.bucket, Key=f"published/{wf}/report.md")
    report = published["Body"].read().decode()
    assert "jane.doe@example.com" not in report and "guaranteed" not in report
    assert "pre-review personal-data" in report  # the reviser's Revisions section answers the findings
    assert [d["blocking_findings"] for d in bus_details(workflow, summary, "DraftReviewed")] == [3, 0]
    assert [d["version"] for d in bus_details(workflow, summary, "DraftWritten")] == [1, 2]


def test_advisory_findings_of_both_checks_are_shown_to_the_reviewer_in_the_mail_and_on_the_page(workflow):
    summary = run(workflow, "WriterDraftNeedsAdvice").summary
    wf = summary["workflow_id"]
    assert (summary["end_state"], summary["automatic_revisions"]) == ("Published", 0), summary
    (item,) = approval_items(workflow, wf)
    shown = {entry["check"]: entry for entry in item["pre_review"]}
    assert [(f["rule"], f["severity"]) for f in shown["compliance"]["findings"]] == [("house-style", "advisory")]
    assert [(f["rule"], f["quote"]) for f in shown["citations"]["findings"]] == [("uncited-section", "## Outlook")]
    (mail,) = mails_about(workflow, wf)
    assert "Compliance (agents/compliance/policy.md): 0 blocking, 1 advisory" in mail
    assert '[advisory] uncited-section: "## Outlook"' in mail


@pytest.mark.parametrize(
    ("case", "mock_config", "missing", "error", "present"),
    [
        ("ComplianceAgentAndFallbackFail", False, "compliance", "AgentFailed", "citations"),
        ("CitationCheckFails", True, "citations", "Lambda.ServiceException", "compliance"),
    ],
)
def test_a_check_that_fails_is_shown_missing_and_the_other_checks_findings_still_reach_the_reviewer(
    workflow, case, mock_config, missing, error, present
):
    summary = run(workflow, case, mock_config=mock_config).summary
    wf = summary["workflow_id"]
    assert summary["end_state"] == "Published", summary
    (review,) = summary["pre_reviews"]
    assert review[missing] == {"status": "missing", "blocking": 0, "advisory": 0, "error": error}
    assert review[present]["status"] == "completed"
    (item,) = approval_items(workflow, wf)
    shown = {entry["check"]: entry for entry in item["pre_review"]}
    assert (shown[missing]["status"], shown[present]["status"]) == ("missing", "completed")
    if case == "ComplianceAgentAndFallbackFail":  # its draft has an uncited section: the citation check says so
        assert [f["rule"] for f in shown["citations"]["findings"]] == ["uncited-section"]
    (mail,) = mails_about(workflow, wf)
    assert "CHECK MISSING" in mail and error in mail
    (reviewed,) = bus_details(workflow, summary, "DraftReviewed")
    assert reviewed["checks"][missing] == {
        "check": missing,
        "status": "missing",
        "blocking": 0,
        "advisory": 0,
        "findings_key": None,
        "error": error,
    }


def test_blocking_findings_the_reviser_cannot_resolve_use_up_the_revisions_then_a_person_decides(workflow):
    summary = run(workflow, "ComplianceAlwaysBlocks").summary
    limit = workflow.deployment.outputs["workflow_limits"]["max_revisions"]
    assert summary["end_state"] == "Published", summary  # the scripted reviewer approves what it is shown
    assert summary["automatic_revisions"] == limit and summary["approvals_requested"] == 1
    assert [r["compliance"]["blocking"] for r in summary["pre_reviews"]] == [1] * (limit + 1)
    (item,) = approval_items(workflow, summary["workflow_id"])
    assert item["draft_key"].endswith(f"/drafts/v{limit + 1}.md")
    compliance = next(entry for entry in item["pre_review"] if entry["check"] == "compliance")
    assert compliance["blocking"] == 1 and compliance["findings"][0]["quote"] == "# Research report"
