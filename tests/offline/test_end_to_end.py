"""The whole workflow, offline, on what `terraform apply` built in the embedded account."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from scripts.offline.approvals import loopback_link
from scripts.offline.mock_config import read_document
from scripts.offline.model import LABEL_MARK
from scripts.offline.model_faults import calls_meet

TOPIC = "How do Step Functions and Bedrock Agents share work in a research workflow?"
FAULTS = Path("scripts/mock_configs/faults.json")


def test_happy_path_publishes_a_report_with_citations(workflow):
    # A topic of its own: a cached search (another test's, perhaps by the fallback) would be reused.
    result = workflow.run(topic=f"{TOPIC} {uuid.uuid4().hex[:8]}", approve="auto", max_sources=5)
    summary = result.summary
    assert (summary["status"], summary["end_state"]) == ("SUCCEEDED", "Published")
    assert summary["map_items"] == 5 and summary["map_failures"] == 0
    assert (summary["retries"], summary["fallbacks"]) == (0, 0)  # nothing failed on the way
    assert summary["events"] == [
        "WorkflowRequested",
        "SourcesGathered",
        "DraftWritten",
        "DraftReviewed",
        "ApprovalRequested",
        "ReportPublished",
    ]
    wf = summary["workflow_id"]
    assert f"{wf}/sources.json" in summary["artifacts"]
    assert f"{wf}/drafts/v1.md" in summary["artifacts"]
    assert f"published/{wf}/report.md" in summary["artifacts"]
    assert len([k for k in summary["artifacts"] if k.startswith(f"{wf}/summaries/")]) == 5
    assert LABEL_MARK in result.report  # the report says a stand-in wrote it
    assert "[src-" in result.report
    # The agent functions ran their AWS code path: agents as code on Converse, on the inference
    # profiles Terraform configured, answered by the account's Bedrock endpoint (the local model).
    outputs = workflow.deployment.outputs
    assert outputs["bedrock_agents"] == {}
    s3 = workflow.client("s3")
    index = json.loads(s3.get_object(Bucket=workflow.deployment.bucket, Key=f"{wf}/sources.json")["Body"].read())
    assert index["generated_by"] == f"bedrock-converse:{outputs['agent_model_ids']['search']}"
    assert summary["effectiveness"]["agent_utilisation"]["summary"]["input_tokens"] > 0
    # The search agent searched the library with its tool, and every source came from a tool result.
    searches = [c for c in summary["tool_calls"] if c["role"] == "search"]
    assert [c["tool"] for c in searches] == ["search_documents"] and searches[0]["ok"], summary["tool_calls"]
    assert summary["tool_calls_by_role"]["search"] == {"search_documents": {"calls": 1, "errors": 0}}
    library = f"s3://{outputs['document_library_bucket']}/documents/"
    assert all(source["uri"].startswith(library) for source in index["sources"]), index["sources"]


def test_a_failing_agent_falls_back_to_converse_on_the_configured_model(workflow):
    topic = f"Bedrock quotas and fallbacks {uuid.uuid4().hex[:8]}"  # no search-cache hit: a model must answer
    result = workflow.run(
        topic=topic, approve="auto", max_sources=3, test_case="SearchFailsUseFallback", mock_config=read_document(FAULTS)
    )
    summary = result.summary
    assert (summary["end_state"], summary["fallbacks"]) == ("Published", 1), summary
    assert summary["fallbacks_by_role"] == {"compliance": 0, "reviser": 0, "search": 1, "summary": 0, "writer": 0}
    s3 = workflow.client("s3")
    index = json.loads(
        s3.get_object(Bucket=workflow.deployment.bucket, Key=f"{summary['workflow_id']}/sources.json")["Body"].read()
    )
    assert index["generated_by"] == f"bedrock-converse:{workflow.deployment.outputs['fallback_model_ids']['search']}"


def test_payload_carries_pointers_only(workflow):
    result = workflow.run(topic=TOPIC, approve="auto", max_sources=5)
    assert result.summary["max_payload_bytes"] < 4096
    history_text = json.dumps(result.history, default=str)
    assert LABEL_MARK in result.report
    assert LABEL_MARK not in history_text  # no artifact body ever entered the payload


def test_reject_then_approve_revises_once(workflow):
    result = workflow.run(topic=TOPIC, approve="reject-then-approve", max_sources=3)
    summary = result.summary
    assert summary["end_state"] == "Published", summary
    assert summary["revisions"] == 1 and summary["approvals_requested"] == 2, summary
    assert (summary["retries"], summary["fallbacks"]) == (0, 0), summary
    assert summary["reviewer_decisions"] == ["reject", "approve"], summary
    assert f"{summary['workflow_id']}/drafts/v2.md" in summary["artifacts"]
    assert "Revisions" in result.report
    assert summary["events"].count("ApprovalRequested") == 2


def test_second_run_with_the_same_topic_hits_the_search_cache(workflow):
    # Unique per session: an account kept running by `make up` remembers earlier sessions' searches.
    topic = f"Caching search results with DynamoDB TTL {uuid.uuid4().hex[:8]}"
    first = workflow.run(topic=topic, approve="auto", max_sources=4)
    second = workflow.run(topic=topic, approve="auto", max_sources=4)
    assert first.summary["cache_hits"] == 0
    assert second.summary["cache_hits"] == 1
    assert second.summary["end_state"] == "Published"
    assert not any(i["state"] == "Search" for i in second.invocations if i["function"].endswith("agent_search") and i["error"])


def test_a_cached_search_whose_sources_are_gone_from_s3_asks_the_agent_again(workflow):
    topic = f"Search cache entries outlive their sources {uuid.uuid4().hex[:8]}"
    first = workflow.run(topic=topic, approve="auto", max_sources=3).summary
    # The index the cache entry points at expires (lifecycle) while the entry is still fresh.
    workflow.client("s3").delete_object(Bucket=workflow.deployment.bucket, Key=f"{first['workflow_id']}/sources.json")
    second = workflow.run(topic=topic, approve="auto", max_sources=3).summary
    # S3 answers 404 (NoSuchKey) only to a role that may list the bucket; the handler then asks the agent.
    assert (second["end_state"], second["cache_hits"], second["fallbacks"]) == ("Published", 0, 0), second
    assert second["authorizations"]["denied"] == []


def test_invalid_input_ends_in_a_named_failure_with_an_event(workflow):
    result = workflow.run(
        topic="", approve="auto", execution_input={"topic": "   ", "tenant": "Bad Tenant!", "requested_by": "x"}
    )
    summary = result.summary
    assert summary["status"] == "FAILED"
    assert summary["end_state"] == "InvalidInput"
    assert summary["error"] == "InvalidInput"
    assert "WorkflowFailed" in summary["events"]


@pytest.mark.parametrize(
    ("case", "end_state", "check"),
    [
        ("WriterThrottledTwice", "Published", lambda s: s["retries"] >= 2 and s["fallbacks"] == 0),
        ("OneSummaryFails", "Published", lambda s: s["map_failures"] == 1 and s["map_items"] == 5),
        ("SearchFailsUseFallback", "Published", lambda s: s["fallbacks"] == 1),
        (
            "RejectUntilRevisionLimit",
            "RevisionLimitReached",
            lambda s: s["revisions"] == s["limits"]["max_revisions"] and "WorkflowFailed" in s["events"],
        ),
        ("ApprovalTimesOut", "ApprovalTimedOut", lambda s: s["status"] == "FAILED" and "WorkflowFailed" in s["events"]),
    ],
)
def test_shipped_fault_cases_end_where_they_should(workflow, case, end_state, check):
    result = workflow.run(topic=TOPIC, approve="auto", max_sources=5, test_case=case, mock_config=read_document(FAULTS))
    assert result.summary["end_state"] == end_state, result.summary
    assert check({**result.summary, "limits": workflow.deployment.outputs["workflow_limits"]}), result.summary


def test_the_largest_pilot_run_keeps_the_payload_small(workflow):
    limits = workflow.deployment.outputs["workflow_limits"]  # 200 sources run on bu in tests/deploy
    # The summaries' model is slow enough that the Map's first items are in flight together.
    meeting, faults = calls_meet("summary", limits["map_max_concurrency"])
    result = workflow.run(
        topic="Map concurrency and Bedrock quotas",
        approve="auto",
        max_sources=limits["max_sources_limit"],
        test_case=meeting,
        model_faults=faults,
    )
    assert result.summary["end_state"] == "Published"
    assert limits["map_max_concurrency"] < result.summary["map_items"] <= limits["max_sources_limit"]
    assert result.summary["max_payload_bytes"] < 8 * 1024
    # Map runs as many summaries at once as the deployed definition allows, and never more.
    map_state = next(s for s in workflow.deployment.definition["States"].values() if s["Type"] == "Map")
    assert map_state["MaxConcurrency"] == limits["map_max_concurrency"]
    assert result.summary["peak_concurrency"]["agent_summary"] == map_state["MaxConcurrency"]
    # Every agent together, the pre-review's too: the run never has more model calls in flight.
    assert result.summary["peak_concurrency"]["agent_*"] == map_state["MaxConcurrency"]


def test_interactive_approval_serves_the_signed_link_on_loopback_like_a_browser_would(workflow):
    import re
    import socket
    import time
    import urllib.error
    import urllib.parse
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    statuses = {}

    def browse(request) -> tuple[int, str]:
        """A person's click: the pilot's endpoint admits one request per route per second, shared
        with the runs of other test workers, so a 429 is clicked again, as a person would."""
        for _ in range(20):
            try:
                with urllib.request.urlopen(request, timeout=10) as answered:
                    return answered.status, answered.read().decode()
            except urllib.error.HTTPError as refused:
                if refused.code != 429:
                    return refused.code, ""
            time.sleep(0.5)
        return 429, ""

    def click(links: dict[str, str]) -> None:
        link = loopback_link(links["approve"], port)  # the approval endpoint, served on loopback
        statuses["get"], page = browse(link)  # GET: heartbeat + confirmation form
        form = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page))
        form.update({"reviewer": "person@example.com", "comments": ""})
        body = urllib.parse.urlencode(form).encode()
        post = f"http://127.0.0.1:{port}/"
        statuses["post"], _ = browse(urllib.request.Request(post, data=body))
        statuses["replay"], _ = browse(urllib.request.Request(post, data=body))

    result = workflow.run(topic=TOPIC, approve="interactive", max_sources=2, serve_port=port, on_links=click, timeout_s=60)
    assert statuses == {"get": 200, "post": 200, "replay": 409}
    assert result.summary["end_state"] == "Published"


def test_a_burst_of_clicks_past_the_approval_endpoints_throttle_gets_429_and_loses_no_decision(workflow):
    """The pilot's stage admits 4 requests at once: a reviewer's mail scanner opening the link ten
    times gets 429s from API Gateway before the callback runs, and the link still approves after."""
    import threading

    from scripts.offline.approvals import Reviewer
    from scripts.offline.deploy import REVIEWER_EMAIL

    outputs = workflow.deployment.outputs
    burst = {}

    def open_ten_times_then_approve(links: dict[str, str]) -> None:
        scanner = Reviewer(
            "none", workflow.account, REVIEWER_EMAIL, outputs["approval_topic_arn"], outputs["approval_callback_url"]
        )
        statuses: list[int] = []
        threads = [
            threading.Thread(target=lambda: statuses.append(scanner.http("GET", links["approve"])["statusCode"]))
            for _ in range(10)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        burst["statuses"] = sorted(statuses)
        burst["approved"] = scanner.click(links["approve"], comments="after the scanner")

    result = workflow.run(topic=TOPIC, approve="none", max_sources=2, on_links=open_ten_times_then_approve, timeout_s=90)
    assert 429 in burst["statuses"] and set(burst["statuses"]) <= {200, 429}, burst
    assert burst["approved"] == 200
    assert (result.summary["end_state"], result.summary["revisions"]) == ("Published", 0), result.summary

    group = outputs["approval_access_log_group"]
    lines = [json.loads(e["message"]) for e in workflow.client("logs").filter_log_events(logGroupName=group)["events"]]
    assert {"429", "200"} <= {line["status"] for line in lines if line["routeKey"] == "GET /"}
    assert any(line["routeKey"] == "POST /" and line["status"] == "200" for line in lines)
    assert not any("signature" in e for e in map(json.dumps, lines))  # the query string (the link's signature) is not logged


def test_a_search_that_finds_nothing_ends_in_no_sources_and_says_so_on_the_bus(workflow):
    summary = workflow.run(topic="Zyxwvut qwrtpsd", approve="auto").summary
    assert (summary["status"], summary["end_state"]) == ("SUCCEEDED", "NoSources"), summary
    assert summary["events"] == ["WorkflowRequested", "NoSourcesFound"]
    assert summary["approvals_requested"] == 0
    assert [(c["tool"], c["ok"]) for c in summary["tool_calls"]] == [("search_documents", True)]  # it looked


def test_a_document_put_into_the_library_after_deploy_is_found_by_the_next_run(workflow, tmp_path):
    from scripts.library import indexed_documents, wait_until_indexed

    topic = f"Quokka habitats {uuid.uuid4().hex[:8]}"
    word = topic.split()[-1]  # a word no other document has
    before = workflow.run(topic=topic, approve="auto", max_sources=2).summary
    assert before["end_state"] == "NoSources", before
    bucket, s3 = workflow.deployment.outputs["document_library_bucket"], workflow.client("s3")
    library = list(indexed_documents(s3, bucket) or {})
    note = tmp_path / f"quokkas-{word}.md"
    note.write_text(
        f"# Quokkas {word}\n\nQuokka habitats {word} are dense scrub and swamp edges near fresh water on Rottnest Island.\n"
    )
    key = f"documents/{note.name}"
    s3.put_object(Bucket=bucket, Key=key, Body=note.read_bytes())  # S3 -> EventBridge -> document_indexer
    try:
        wait_until_indexed(s3, bucket, [*library, key], timeout_s=60)
        after = workflow.run(topic=topic, approve="auto", max_sources=2).summary
        assert after["end_state"] == "Published", after
        index = json.loads(
            s3.get_object(Bucket=workflow.deployment.bucket, Key=f"{after['workflow_id']}/sources.json")["Body"].read()
        )
        assert [s["uri"] for s in index["sources"]] == [f"s3://{bucket}/{key}#p1"]
    finally:
        s3.delete_object(Bucket=bucket, Key=key)
        wait_until_indexed(s3, bucket, library, timeout_s=60)


def test_a_reviewer_answers_only_the_request_of_its_own_workflow(workflow):
    """Runs in one account share its mailbox. A reviewer that did not know its workflow id yet (an
    input without one) used to answer any request that arrived meanwhile: another run's
    reject-then-approve was approved at once."""
    import time

    from scripts.offline.approvals import Reviewer
    from scripts.offline.deploy import REVIEWER_EMAIL

    outputs = workflow.deployment.outputs
    mark = len(workflow.account.control("GET", "mailbox"))
    workflow.client("sns").publish(
        TopicArn=outputs["approval_topic_arn"],
        Subject="Approval requested",
        Message="A research report is ready for review (workflow wf-someone-else, tenant demo).\n"
        "Approve: https://callback.example/?approval_id=a&decision=approve&expires=1&signature=s\n"
        "Reject: https://callback.example/?approval_id=a&decision=reject&expires=1&signature=s\n",
    )

    def decisions_after_a_while(workflow_id):
        reviewer = Reviewer(
            "auto",
            workflow.account,
            REVIEWER_EMAIL,
            outputs["approval_topic_arn"],
            workflow.deployment.outputs["approval_callback_url"],
            workflow_id=workflow_id,
        )
        reviewer.start(since=mark)
        time.sleep(1.0)
        reviewer.stop()
        return [d.decision for d in reviewer.decisions]

    assert decisions_after_a_while(None) == []  # not yet known: it waits
    assert decisions_after_a_while("wf-mine") == []  # another workflow's request
    assert decisions_after_a_while("wf-someone-else") == ["approve"]  # its own (the bogus link is refused)


def test_a_run_whose_input_names_no_workflow_id_is_reviewed_under_the_id_validate_input_gave_it(workflow):
    given = {"topic": TOPIC, "tenant": "demo", "requested_by": "analyst@example.com", "max_sources": 2}
    summary = workflow.run(topic=TOPIC, approve="reject-then-approve", execution_input=given).summary
    assert (summary["end_state"], summary["revisions"]) == ("Published", 1), summary
    assert f"published/{summary['workflow_id']}/report.md" in summary["artifacts"]
