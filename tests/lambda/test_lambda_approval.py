"""Human approval: ApprovalRequest (store, sign, notify) and ApprovalCallback (verify, decide once)."""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError
from lambda_helpers import (
    APPROVAL_BASE_URL,
    APPROVAL_TTL_SECONDS,
    BUCKET,
    EXECUTION_ARN,
    SECRET_VALUE,
    WORKFLOW_TABLE,
    approval_callback_env,
    approval_request_env,
    function_url_event,
    received_events,
)
from workflow_core.errors import InvalidInput
from workflow_core.signing import sign_link

TASK_TOKEN = "AQCEAAAAKgAAAAMAAAAAAAAAAT0pSecretTaskToken=="
WORKFLOW = {
    "workflow_id": "wf-001",
    "tenant": "acme",
    "topic": "Bedrock quotas",
    "requested_by": "ana@example.com",
    "max_sources": 4,
    "execution_arn": EXECUTION_ARN,
}
DRAFT = {"draft_key": "wf-001/drafts/v2.md", "version": 2, "summarized": 4, "failed_sources": 0}


class SfnSpy:
    """Stands in for the Step Functions client; records every call; can fail like the service."""

    def __init__(self, error_code: str | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.error_code = error_code
        self.failures_left: int | None = None  # None: fail every call while error_code is set

    def _call(self, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((name, kwargs))
        if self.error_code and self.failures_left != 0:
            if self.failures_left is not None:
                self.failures_left -= 1
            raise ClientError({"Error": {"Code": self.error_code, "Message": f"token {kwargs['taskToken']}"}}, name)
        return {}

    def send_task_heartbeat(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("send_task_heartbeat", kwargs)

    def send_task_success(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("send_task_success", kwargs)


@pytest.fixture
def request_approval(resources, load_handler, context):
    module = load_handler("approval_request", **approval_request_env(resources))

    def run(**overrides: Any) -> dict[str, Any]:
        event = {
            "task_token": TASK_TOKEN,
            "workflow": WORKFLOW,
            "draft": DRAFT,
            "execution_arn": EXECUTION_ARN,
            "state": "RequestApproval",
            **overrides,
        }
        return module.lambda_handler(event, context)

    return run


@pytest.fixture
def mail(resources):
    def read() -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        messages = sqs.receive_message(QueueUrl=resources["mail_queue_url"], MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    return read


@pytest.fixture
def callback(resources, load_handler, context, monkeypatch):
    """``callback(event)`` -> response; ``callback.sfn`` is the Step Functions spy."""
    module = load_handler("approval_callback", **approval_callback_env(resources))

    class Callback:
        sfn = SfnSpy()

        def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
            return module.lambda_handler(event, context)

        def fail_with(self, code: str, times: int | None = None) -> None:
            self.sfn.error_code = code
            self.sfn.failures_left = times

    cb = Callback()
    monkeypatch.setattr(module, "SFN", cb.sfn)
    return cb


def links_from(mail_items: list[dict[str, Any]]) -> dict[str, str]:
    urls = re.findall(r"https://\S+", mail_items[0]["Message"])
    return {dict(parse_qsl(urlsplit(u).query))["decision"]: u for u in urls}


def query_of(url: str) -> str:
    return urlsplit(url).query


def post_form(url: str, reviewer: str = "rita@example.com", comments: str = "", **changes: str) -> dict[str, Any]:
    form = dict(parse_qsl(query_of(url)))
    form.update(reviewer=reviewer, comments=comments)
    form.update(changes)
    return function_url_event("POST", body=urlencode({k: v for k, v in form.items() if v is not None}))


def approval_item(approval_id: str) -> dict[str, Any]:
    return (
        boto3.resource("dynamodb").Table(WORKFLOW_TABLE).get_item(Key={"pk": f"APPROVAL#{approval_id}", "sk": "APPROVAL"})["Item"]
    )


@pytest.fixture
def pending(request_approval, mail) -> dict[str, Any]:
    result = request_approval()
    return {"approval_id": result["approval_id"], "links": links_from(mail())}


# -- ApprovalRequest ------------------------------------------------------------------------
def test_approval_request_stores_a_pending_approval_with_the_token_server_side(request_approval) -> None:
    before = int(time.time())
    approval_id = request_approval()["approval_id"]
    item = approval_item(approval_id)
    assert (item["status"], item["task_token"], item["workflow_id"], item["draft_key"], item["revision"]) == (
        "PENDING",
        TASK_TOKEN,
        "wf-001",
        DRAFT["draft_key"],
        1,
    )
    assert before + APPROVAL_TTL_SECONDS <= item["expires_at"] <= int(time.time()) + APPROVAL_TTL_SECONDS


def test_approval_message_carries_signed_links_and_never_the_task_token(request_approval, mail) -> None:
    approval_id = request_approval()["approval_id"]
    message = mail()[0]
    assert TASK_TOKEN not in json.dumps(message)
    assert message["Subject"] == "Review requested: Bedrock quotas"
    assert message["MessageAttributes"]["workflow_id"]["Value"] == "wf-001"
    links = links_from([message])
    assert set(links) == {"approve", "reject"}
    assert all(url.startswith(APPROVAL_BASE_URL + "?approval_id=" + approval_id) for url in links.values())
    assert "wf-001/drafts/v2.md (version 2)" in message["Message"]


def test_approval_request_emits_approval_requested_without_the_token(request_approval, resources) -> None:
    approval_id = request_approval()["approval_id"]
    events = received_events(resources["events_queue_url"])
    assert [(e["source"], e["detail-type"]) for e in events] == [("research-report", "ApprovalRequested")]
    assert events[0]["detail"]["approval_id"] == approval_id
    assert TASK_TOKEN not in json.dumps(events)


def test_approval_request_keeps_the_subject_ascii_and_short(request_approval, mail) -> None:
    request_approval(workflow={**WORKFLOW, "topic": "Coûts et quotas\n" + "x" * 200})
    subject = mail()[0]["Subject"]
    assert subject.isascii() and "\n" not in subject and len(subject) < 100


# -- ApprovalCallback: happy paths ----------------------------------------------------------
def test_opening_a_valid_link_sends_a_heartbeat_and_shows_a_confirmation_form(pending, callback) -> None:
    response = callback(function_url_event("GET", query_of(pending["links"]["approve"])))
    assert response["statusCode"] == 200
    assert callback.sfn.calls == [("send_task_heartbeat", {"taskToken": TASK_TOKEN})]
    assert '<form method="post"' in response["body"] and 'name="reviewer"' in response["body"] and "<textarea" in response["body"]
    assert TASK_TOKEN not in response["body"]
    assert approval_item(pending["approval_id"])["status"] == "PENDING"


def test_submitting_the_form_sends_task_success_with_the_decision(pending, callback) -> None:
    response = callback(post_form(pending["links"]["reject"], comments="Add a section on cost drivers."))
    assert response["statusCode"] == 200
    assert len(callback.sfn.calls) == 1
    name, kwargs = callback.sfn.calls[0]
    assert (name, kwargs["taskToken"]) == ("send_task_success", TASK_TOKEN)
    assert json.loads(kwargs["output"]) == {
        "approval_id": pending["approval_id"],
        "decision": "reject",
        "reviewer": "rita@example.com",
        "comments": "Add a section on cost drivers.",
    }
    item = approval_item(pending["approval_id"])
    assert (item["status"], item["decision"], item["reviewer"]) == ("DECIDED", "reject", "rita@example.com")


def test_a_base64_encoded_form_body_is_accepted(pending, callback) -> None:
    event = post_form(pending["links"]["approve"])
    event = function_url_event("POST", body=event["body"], base64_body=True)
    assert callback(event)["statusCode"] == 200


def test_user_input_is_html_escaped_in_the_response(pending, callback) -> None:
    event = function_url_event("GET", query_of(pending["links"]["approve"]) + "")
    event["rawPath"] = '/"><script>alert(1)</script>'
    body = callback(event)["body"]
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_responses_forbid_caching_and_referrers(pending, callback) -> None:
    headers = callback(function_url_event("GET", query_of(pending["links"]["approve"])))["headers"]
    assert (headers["Cache-Control"], headers["Referrer-Policy"]) == ("no-store", "no-referrer")


# -- ApprovalCallback: hostile links never reach Step Functions -----------------------------
def tampered(url: str, **changes: str) -> str:
    params = dict(parse_qsl(query_of(url)))
    params.update(changes)
    return urlencode(params)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_approval_link_rejects_a_forged_signature(pending, callback, method) -> None:
    query = tampered(pending["links"]["reject"], decision="approve")
    event = function_url_event("GET", query) if method == "GET" else function_url_event("POST", body=query + "&reviewer=eve")
    assert callback(event)["statusCode"] == 403
    assert callback.sfn.calls == []


def test_approval_link_rejects_a_signature_made_with_the_wrong_secret(pending, callback) -> None:
    expires = int(time.time()) + 600
    url = sign_link(APPROVAL_BASE_URL, pending["approval_id"], "approve", expires, "not-the-secret")
    assert callback(post_form(url))["statusCode"] == 403
    assert callback.sfn.calls == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_approval_link_rejects_expired_signature(pending, callback, method) -> None:
    url = sign_link(APPROVAL_BASE_URL, pending["approval_id"], "approve", int(time.time()) - 1, SECRET_VALUE)
    event = function_url_event("GET", query_of(url)) if method == "GET" else post_form(url)
    response = callback(event)
    assert response["statusCode"] == 410
    assert callback.sfn.calls == []
    assert approval_item(pending["approval_id"])["status"] == "PENDING"


def test_approval_link_rejects_a_replayed_decision(pending, callback) -> None:
    assert callback(post_form(pending["links"]["approve"]))["statusCode"] == 200
    callback.sfn.calls.clear()
    assert callback(post_form(pending["links"]["reject"]))["statusCode"] == 409
    assert callback(function_url_event("GET", query_of(pending["links"]["approve"])))["statusCode"] == 409
    assert callback.sfn.calls == []


def test_approval_link_rejects_a_decision_other_than_approve_or_reject(pending, callback) -> None:
    query = tampered(pending["links"]["approve"], decision="escalate")
    assert callback(function_url_event("GET", query))["statusCode"] == 400
    assert callback(function_url_event("POST", body=query + "&reviewer=eve"))["statusCode"] == 400
    assert callback.sfn.calls == []


@pytest.mark.parametrize("missing", ["approval_id", "decision", "expires", "signature"])
def test_approval_link_rejects_missing_fields(pending, callback, missing) -> None:
    params = dict(parse_qsl(query_of(pending["links"]["approve"])))
    del params[missing]
    assert callback(function_url_event("GET", urlencode(params)))["statusCode"] == 400
    assert callback.sfn.calls == []


def test_approval_form_without_a_reviewer_is_rejected_and_stays_pending(pending, callback) -> None:
    assert callback(post_form(pending["links"]["approve"], reviewer=""))["statusCode"] == 400
    assert callback.sfn.calls == []
    assert approval_item(pending["approval_id"])["status"] == "PENDING"


def test_approval_link_rejects_repeated_fields(pending, callback) -> None:
    query = query_of(pending["links"]["approve"]) + "&decision=reject"
    assert callback(function_url_event("GET", query))["statusCode"] == 400
    assert callback.sfn.calls == []


def test_approval_link_for_an_unknown_approval_id_is_not_found(resources, callback) -> None:
    url = sign_link(APPROVAL_BASE_URL, "00000000-0000-4000-8000-000000000000", "approve", int(time.time()) + 600, SECRET_VALUE)
    assert callback(function_url_event("GET", query_of(url)))["statusCode"] == 404
    assert callback(post_form(url))["statusCode"] == 404
    assert callback.sfn.calls == []


def test_other_http_methods_are_not_allowed(pending, callback) -> None:
    response = callback(function_url_event("PUT", query_of(pending["links"]["approve"])))
    assert (response["statusCode"], response["headers"]["Allow"]) == (405, "GET, POST")
    assert callback.sfn.calls == []


# -- ApprovalCallback: the workflow stopped waiting -----------------------------------------
@pytest.mark.parametrize("code", ["TaskTimedOut", "TaskDoesNotExist"])
def test_a_decision_for_a_task_that_timed_out_is_gone(pending, callback, code) -> None:
    callback.fail_with(code)
    response = callback(post_form(pending["links"]["approve"]))
    assert response["statusCode"] == 410
    assert [name for name, _ in callback.sfn.calls] == ["send_task_success"]
    assert approval_item(pending["approval_id"])["delivery"] == "gone"


def test_opening_a_link_after_the_task_timed_out_is_gone(pending, callback) -> None:
    callback.fail_with("TaskTimedOut")
    assert callback(function_url_event("GET", query_of(pending["links"]["approve"])))["statusCode"] == 410


def test_the_task_token_and_signature_never_appear_in_the_logs(pending, callback, caplog) -> None:
    caplog.set_level(logging.INFO, logger="test")  # the Powertools logger (service "test")
    callback(function_url_event("GET", query_of(pending["links"]["approve"])))
    callback.fail_with("TaskTimedOut")  # the service's error message echoes the token
    callback(post_form(pending["links"]["approve"]))
    callback(function_url_event("GET", tampered(pending["links"]["approve"], decision="reject")))
    signature = dict(parse_qsl(query_of(pending["links"]["approve"])))["signature"]
    logged = caplog.text
    assert "approval link opened" in logged and "step functions call failed" in logged and "approval link rejected" in logged
    assert TASK_TOKEN not in logged
    assert signature not in logged


def test_an_iam_authenticated_caller_is_recorded_as_the_reviewer(pending, callback) -> None:
    # callback_auth_type = "AWS_IAM": the Function URL authenticated the caller; the form cannot override it
    event = post_form(pending["links"]["approve"], reviewer="someone-else@example.com")
    caller = "arn:aws:sts::123456789012:assumed-role/reviewers/rita"
    event["requestContext"]["authorizer"] = {"iam": {"userArn": caller, "accountId": "123456789012"}}
    assert callback(event)["statusCode"] == 200
    assert json.loads(callback.sfn.calls[0][1]["output"])["reviewer"] == caller
    assert approval_item(pending["approval_id"])["reviewer"] == caller


# -- ApprovalCallback: a decision is never lost ---------------------------------------------
def test_a_decision_step_functions_did_not_take_is_delivered_by_the_same_link_once(pending, callback, load_handler) -> None:
    module = sys.modules["approval_callback.handler"]
    callback.fail_with("ThrottlingException", times=1)
    # Step Functions refuses once: the function fails (a 5xx that raises the Lambda errors alarm)...
    with pytest.raises(module.DeliveryFailed, match="send_task_success failed: ThrottlingException"):
        callback(post_form(pending["links"]["approve"], comments="ship it"))
    item = approval_item(pending["approval_id"])
    assert (item["status"], item["decision"], item["delivery"]) == ("DECIDED", "approve", "pending")
    # ...the other decision's link cannot change it, and never reaches Step Functions...
    assert callback(post_form(pending["links"]["reject"]))["statusCode"] == 409
    assert [name for name, _ in callback.sfn.calls] == ["send_task_success"]
    # ...opening the same link again shows the form without a heartbeat, and submitting it delivers
    # the decision first recorded (its reviewer and comments), exactly once.
    assert callback(function_url_event("GET", query_of(pending["links"]["approve"])))["statusCode"] == 200
    assert callback(post_form(pending["links"]["approve"], reviewer="someone@example.com"))["statusCode"] == 200
    assert [name for name, _ in callback.sfn.calls] == ["send_task_success", "send_task_success"]
    delivered = json.loads(callback.sfn.calls[1][1]["output"])
    assert (delivered["reviewer"], delivered["comments"]) == ("rita@example.com", "ship it")
    assert approval_item(pending["approval_id"])["delivery"] == "sent"
    # Once delivered, every replay is refused without calling Step Functions.
    for event in (post_form(pending["links"]["approve"]), function_url_event("GET", query_of(pending["links"]["approve"]))):
        assert callback(event)["statusCode"] == 409
    assert len(callback.sfn.calls) == 2


def test_a_heartbeat_step_functions_refuses_is_an_internal_fault(pending, callback) -> None:
    module = sys.modules["approval_callback.handler"]
    callback.fail_with("InternalServerError")
    with pytest.raises(module.DeliveryFailed):
        callback(function_url_event("GET", query_of(pending["links"]["approve"])))
    assert approval_item(pending["approval_id"])["status"] == "PENDING"


def test_a_reviewer_name_cannot_carry_line_breaks_or_control_characters(pending, callback) -> None:
    event = post_form(pending["links"]["approve"], reviewer="rita\n\x1b[31mX-Injected: yes\x85")
    assert callback(event)["statusCode"] == 200
    assert json.loads(callback.sfn.calls[0][1]["output"])["reviewer"] == "rita [31mX-Injected: yes"


# Values an outsider can put in each field of a link (query string) or form (body): each must be
# refused with a 4xx, never reach Step Functions, and never raise (a raise is a Lambda error).
HOSTILE_VALUES = {
    "unicode digits": "\u00b2\u2460\u0663",
    "full-width digits": "\uff11\uff17\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10",
    "plus sign": "+1700000000",
    "minus sign": "-1",
    "leading space": " 1700000000",
    "trailing newline": "1700000000\n",
    "tab inside": "17000\t00000",
    "NUL": "\x00",
    "overlong": "9" * 5000,
    "empty": "",
    "non-ascii letters": "\u00e9\u00e8\u4e2d",
    "percent garbage": "%ZZ%",
    "surrogate escape": "%ED%A0%80",
    "zero padded": "00001700000000",
    "float": "1.7e9",
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("field", ["approval_id", "decision", "expires", "signature"])
def test_hostile_link_fields_get_a_4xx_and_never_reach_step_functions(pending, callback, method, field) -> None:
    params = dict(parse_qsl(query_of(pending["links"]["approve"])))
    statuses = {}
    for label, value in HOSTILE_VALUES.items():
        raw = urlencode({k: v for k, v in params.items() if k != field})
        # As it arrives on the wire: percent-encoded, unless the value is itself broken encoding.
        raw += f"&{field}=" + (value if label in ("percent garbage", "surrogate escape") else quote(value, safe=""))
        event = function_url_event("GET", raw) if method == "GET" else function_url_event("POST", body=raw + "&reviewer=eve")
        statuses[label] = callback(event)["statusCode"]
    assert {label: status for label, status in statuses.items() if not 400 <= status < 500} == {}
    assert callback.sfn.calls == []
    assert approval_item(pending["approval_id"])["status"] == "PENDING"


@pytest.mark.parametrize(
    ("method", "event_change"),
    [
        pytest.param("GET", lambda e: e.update(rawQueryString="a=" + "x" * 5000), id="overlong query"),
        pytest.param("GET", lambda e: e.update(rawQueryString="&".join(f"f{i}=1" for i in range(50))), id="too many fields"),
        pytest.param("POST", lambda e: e.update(body="%%%", isBase64Encoded=True), id="body not base64"),
        pytest.param(
            "POST", lambda e: e.update(body=base64.b64encode(b"\xff\xfe").decode(), isBase64Encoded=True), id="body not utf-8"
        ),
        pytest.param("POST", lambda e: e.update(body="reviewer=" + "x" * 20000), id="overlong body"),
        pytest.param("POST", lambda e: e.update(body="&".join(f"f{i}=1" for i in range(50))), id="too many form fields"),
    ],
)
def test_hostile_requests_get_a_4xx_and_never_reach_step_functions(pending, callback, method, event_change) -> None:
    event = function_url_event(method, query_of(pending["links"]["approve"]))
    event_change(event)
    assert 400 <= callback(event)["statusCode"] < 500
    assert callback.sfn.calls == []


# -- the pre-review, shown to the reviewer -------------------------------------------------------
def put_findings(check: str, findings: list[dict[str, str]], version: int = 2) -> dict[str, Any]:
    key = f"wf-001/reviews/v{version}/{check}.json"
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=json.dumps({"findings": findings}).encode())
    blocking = sum(1 for f in findings if f["severity"] == "blocking")
    return {"check": check, "status": "completed", "blocking": blocking, "advisory": len(findings) - blocking,
            "findings_key": key, "error": None}  # fmt: skip


MISSING_CITATIONS = {"check": "citations", "status": "missing", "blocking": 0, "advisory": 0, "findings_key": None,
                     "error": "Lambda.ServiceException"}  # fmt: skip
SCRIPT_FINDING = {
    "rule": "house-style",
    "severity": "advisory",
    "quote": "<script>alert(1)</script>!",
    "note": "an exclamation mark",
}


def test_the_mail_and_the_page_show_the_findings_and_say_which_check_is_missing(request_approval, mail, callback) -> None:
    review = {"compliance": put_findings("compliance", [SCRIPT_FINDING]), "citations": MISSING_CITATIONS}
    approval_id = request_approval(review=review)["approval_id"]
    (message,) = mail()
    assert "Compliance (agents/compliance/policy.md): 0 blocking, 1 advisory finding(s)." in message["Message"]
    assert '[advisory] house-style: "<script>alert(1)</script>!" - an exclamation mark' in message["Message"]
    assert "Citations: CHECK MISSING (Lambda.ServiceException)" in message["Message"]
    stored = {entry["check"]: entry for entry in approval_item(approval_id)["pre_review"]}
    assert (stored["compliance"]["status"], stored["citations"]["status"]) == ("completed", "missing")
    page = callback(function_url_event("GET", query_of(links_from([message])["approve"])))["body"]
    assert "<strong>Citations: check missing</strong> (Lambda.ServiceException)" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;!" in page and "<script>" not in page


def test_an_approval_without_a_pre_review_says_no_check_ran(request_approval, mail, callback) -> None:
    request_approval()
    (message,) = mail()
    assert message["Message"].count("CHECK MISSING (not run)") == 2
    page = callback(function_url_event("GET", query_of(links_from([message])["approve"])))["body"]
    assert page.count("check missing</strong> (not run)") == 2


def test_an_approval_request_refuses_findings_of_another_draft_version(request_approval) -> None:
    review = {"compliance": put_findings("compliance", [SCRIPT_FINDING], version=1), "citations": MISSING_CITATIONS}
    with pytest.raises(InvalidInput, match="another workflow or draft version"):
        request_approval(review=review)
