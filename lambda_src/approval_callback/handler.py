"""ApprovalCallback: the function behind the signed approve/reject links, reached through the
approvals module's HTTP API (GET / and POST /; any other path or method is API Gateway's 404) or,
with IAM-authenticated reviewers, a Function URL. Both deliver the same payload 2.0 event.

* GET  with a valid link -> SendTaskHeartbeat, then a confirmation form (POST) with a reviewer field
  and a comments box. Opening a link never records a decision (mail scanners open links too).
* POST -> verify again, then move the approval PENDING -> DECIDED with a conditional update (single
  use), then SendTaskSuccess with ``{approval_id, decision, reviewer, comments}``.

Delivery is reliable: the decision is recorded before it is sent, and marked sent only after
Step Functions took it. If SendTaskSuccess fails (throttling, a service error past the SDK's
retries), the function fails (a 5xx that counts toward the Lambda errors alarm) and the decision
stays "delivery pending": opening or submitting the *same* link again delivers it, once. A
delivered decision, or a different one, is refused with 409 and never resumes the execution.

Status codes: 400 malformed link or form (every field is parsed to its exact ASCII format);
403 bad signature (forged, or signed with another secret); 410 expired link or the task is no
longer waiting; 404 unknown approval id; 409 already decided (replay); 405 other methods. No input
an outsider can send raises: hostile requests get a 4xx and are never a Lambda error. A link that
fails verification never reaches Step Functions, not even for a heartbeat. The task token and the
signature are never logged.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import boto3
from aws_lambda_powertools import Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.parameters import SecretsProvider
from botocore.exceptions import ClientError
from workflow_core.config import load_config
from workflow_core.observability import logger, metrics, start_invocation
from workflow_core.signing import LinkError, MalformedLink, VerifiedLink, verify
from workflow_core.store import DECIDED, DELIVERED, DELIVERY_GONE, DELIVERY_PENDING, PENDING, AlreadyDecided, WorkflowStore

REQUIRED_ENV = ("ENVIRONMENT", "WORKFLOW_TABLE", "SIGNING_SECRET_ARN")

# Before any client: the X-Ray SDK patches botocore, so each AWS call is a subsegment of the
# invocation. Powertools disables it outside Lambda and where POWERTOOLS_TRACE_DISABLED says so.
tracer = Tracer()

CONFIG = load_config(REQUIRED_ENV)
ENVIRONMENT = CONFIG.str("ENVIRONMENT")
SECRET_MAX_AGE_SECONDS = 300
MAX_BODY_BYTES = 16_384
MAX_QUERY_BYTES = 2_048
MAX_FIELDS = 8  # a link has 4, the form 6; mail gateways may append a tracking parameter or two
MAX_REVIEWER = 200
MAX_COMMENTS = 4_000
TASK_GONE = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}

STORE = WorkflowStore(boto3.resource("dynamodb").Table(CONFIG.str("WORKFLOW_TABLE")))
SFN = boto3.client("stepfunctions")
SECRETS = SecretsProvider(boto3_client=boto3.client("secretsmanager"))

# C0 and C1 control characters; comments keep tab and newlines, the reviewer keeps none.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
}


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class DeliveryFailed(Exception):
    """Step Functions did not take a heartbeat or a decision: an internal fault, so the function
    fails and the Lambda errors alarm hears of it. Only the error code is kept (AWS's message can
    echo the task token)."""


def signing_secret() -> str:
    return str(SECRETS.get(CONFIG.str("SIGNING_SECRET_ARN"), max_age=SECRET_MAX_AGE_SECONDS))


# -- HTTP plumbing ------------------------------------------------------------------------------
def page(status: int, title: str, body_html: str) -> dict[str, Any]:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{html.escape(title)}</title>'
        "<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em}"
        "label{display:block;margin-top:1em}input,textarea{width:100%}button{margin-top:1em}</style>"
        f"</head><body><h1>{html.escape(title)}</h1>{body_html}</body></html>"
    )
    return {"statusCode": status, "headers": dict(HEADERS), "body": document}


def error_page(error: HttpError) -> dict[str, Any]:
    titles = {
        400: "Bad request",
        403: "Link not valid",
        404: "Unknown approval",
        405: "Method not allowed",
        409: "Already decided",
        410: "Link no longer valid",
    }
    return page(error.status, titles.get(error.status, "Error"), f"<p>{html.escape(error.message)}</p>")


def _fields(text: str, limit: int) -> dict[str, str]:
    if len(text) > limit:
        raise MalformedLink("request is too large")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:  # more fields than max_num_fields
        raise MalformedLink("too many fields") from None
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise MalformedLink(f"repeated field(s): {', '.join(repeated)}")
    return dict(pairs)


def query_params(event: dict[str, Any]) -> dict[str, str]:
    return _fields(str(event.get("rawQueryString") or ""), MAX_QUERY_BYTES)


def form_params(event: dict[str, Any]) -> dict[str, str]:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise MalformedLink("body is not valid base64 UTF-8") from None
    return _fields(str(body), MAX_BODY_BYTES)


# -- the two steps ---------------------------------------------------------------------------
def _verified(params: Mapping[str, str], now: float) -> VerifiedLink:
    try:
        return verify(params, signing_secret(), now)
    except LinkError as error:
        logger.info("approval link rejected", extra={"reason": type(error).__name__, "status": error.status})
        raise HttpError(error.status, str(error)) from None


def _approval(link: VerifiedLink) -> dict[str, Any]:
    approval = STORE.get_approval(link.approval_id)
    if approval is None:
        raise HttpError(404, "There is no approval request with this id.")
    return approval


def _undelivered(approval: dict[str, Any], link: VerifiedLink) -> bool:
    """This link's own decision, recorded but not yet taken by Step Functions."""
    return (
        approval.get("status") == DECIDED
        and approval.get("decision") == link.decision
        and approval.get("delivery") == DELIVERY_PENDING
    )


def _already_decided() -> HttpError:
    return HttpError(409, "This request has already been decided; each link works once.")


@tracer.capture_method
def _call_step_functions(action: str, **kwargs: Any) -> None:
    try:
        getattr(SFN, action)(**kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        logger.warning("step functions call failed", extra={"action": action, "code": code})  # no message: it can echo the token
        if code in TASK_GONE:
            raise HttpError(410, "The workflow is no longer waiting for this decision (it timed out or ended).") from None
        raise DeliveryFailed(f"{action} failed: {code or 'no error code'}") from None


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{html.escape(value, quote=True)}">'


def pre_review_html(shown: Any) -> str:
    """The pre-review the approval request kept on the approval item, escaped; a check that did
    not run says so, so the reviewer knows what nobody has checked."""
    if not isinstance(shown, list) or not shown:
        return "<p><strong>No pre-review ran on this draft.</strong></p>"
    parts = ["<h2>Pre-review</h2><ul>"]
    for entry in shown:
        title = html.escape(str(entry.get("title") or entry.get("check")))
        if entry.get("status") != "completed":
            why = html.escape(str(entry.get("error") or "failed"))
            parts.append(f"<li><strong>{title}: check missing</strong> ({why}). Check this yourself.</li>")
            continue
        parts.append(f"<li>{title}: {int(entry.get('blocking') or 0)} blocking, {int(entry.get('advisory') or 0)} advisory")
        findings = [
            f"<li>[{html.escape(str(f.get('severity')))}] {html.escape(str(f.get('rule')))}: "
            f"<q>{html.escape(str(f.get('quote')))}</q> {html.escape(str(f.get('note')))}</li>"
            for f in entry.get("findings") or []
        ]
        if entry.get("more"):
            findings.append(f"<li>and {int(entry['more'])} more</li>")
        parts.append(f"<ul>{''.join(findings)}</ul></li>" if findings else "</li>")
    parts.append("</ul>")
    return "".join(parts)


def open_link(event: dict[str, Any], now: float) -> dict[str, Any]:
    """GET: heartbeat and confirmation form."""
    params = query_params(event)
    link = _verified(params, now)
    approval = _approval(link)
    if approval.get("status") == PENDING:
        _call_step_functions("send_task_heartbeat", taskToken=approval["task_token"])
    elif not _undelivered(approval, link):
        raise _already_decided()
    logger.info("approval link opened", extra={"approval_id": link.approval_id, "decision": link.decision})
    action = html.escape(event.get("rawPath") or "/", quote=True)
    verb = "Approve" if link.decision == "approve" else "Reject"
    fields = "".join(
        _hidden(name, value)
        for name, value in (
            ("approval_id", link.approval_id),
            ("decision", link.decision),
            ("expires", str(link.expires_at)),
            ("signature", params["signature"]),
        )
    )
    body = (
        f"<p>Draft <code>{html.escape(str(approval.get('draft_key', '')))}</code> "
        f"(workflow <code>{html.escape(str(approval.get('workflow_id', '')))}</code>).</p>"
        + pre_review_html(approval.get("pre_review"))
        + f'<form method="post" action="{action}">{fields}'
        '<label for="reviewer">Your name or e-mail</label>'
        f'<input id="reviewer" name="reviewer" required maxlength="{MAX_REVIEWER}">'
        '<label for="comments">Comments' + (" (what should the revision change?)" if verb == "Reject" else "") + "</label>"
        f'<textarea id="comments" name="comments" rows="6" maxlength="{MAX_COMMENTS}"></textarea>'
        f'<button type="submit">{verb}</button></form>'
    )
    return page(200, f"{verb} this report?", body)


def iam_caller(event: dict[str, Any]) -> str:
    """The SigV4-authenticated caller of an AWS_IAM Function URL ("" for a NONE URL)."""
    iam = (event.get("requestContext", {}).get("authorizer") or {}).get("iam") or {}
    return str(iam.get("userArn") or "").strip()[:MAX_REVIEWER]


def submit_decision(event: dict[str, Any], now: float) -> dict[str, Any]:
    """POST: record the decision once, then deliver it with SendTaskSuccess."""
    form = form_params(event)
    link = _verified(form, now)
    approval = _approval(link)
    if approval.get("status") == PENDING:
        # With AWS_IAM auth the Function URL has authenticated the caller: that identity is the
        # reviewer, whatever the form says. With NONE only the form names the reviewer.
        reviewer = iam_caller(event) or _LINE_BREAKS.sub(" ", _CONTROL.sub("", form.get("reviewer", ""))).strip()
        comments = _CONTROL.sub("", form.get("comments", "")).strip()
        if not reviewer or len(reviewer) > MAX_REVIEWER:
            raise HttpError(400, f"Please give your name or e-mail (1-{MAX_REVIEWER} characters).")
        if len(comments) > MAX_COMMENTS:
            raise HttpError(400, f"Comments are limited to {MAX_COMMENTS} characters.")
        try:
            approval = STORE.decide_approval(link.approval_id, link.decision, reviewer, comments)
        except AlreadyDecided:  # another request decided meanwhile
            approval = _approval(link)
    if not _undelivered(approval, link):
        raise _already_decided()
    _deliver(approval)
    logger.info("approval decided", extra={"approval_id": link.approval_id, "decision": link.decision})
    verb = "approved" if link.decision == "approve" else "rejected"
    return page(200, f"Report {verb}", "<p>Thank you, your decision has been recorded. You can close this page.</p>")


def _deliver(approval: dict[str, Any]) -> None:
    """SendTaskSuccess with the recorded decision (the first submission's reviewer and comments)."""
    output = {key: approval.get(key, "") for key in ("approval_id", "decision", "reviewer", "comments")}
    try:
        _call_step_functions("send_task_success", taskToken=approval["task_token"], output=json.dumps(output))
    except HttpError:
        STORE.finish_delivery(approval["approval_id"], DELIVERY_GONE)
        raise
    STORE.finish_delivery(approval["approval_id"], DELIVERED)


# -- routing: Powertools' resolver for payload 2.0 (HTTP API and Function URL events alike) -------
# Every path is the callback (the links carry their data in the query string); the HTTP API
# forwards only its two routes.
app = APIGatewayHttpResolver()
ANY_PATH = ".+"


def _as_response(page_dict: dict[str, Any]) -> Response:
    return Response(status_code=page_dict["statusCode"], body=page_dict["body"], headers=page_dict["headers"])


@app.get(ANY_PATH)
def _open() -> Response:
    return _as_response(open_link(app.current_event.raw_event, app.context["now"]))


@app.post(ANY_PATH)
def _submit() -> Response:
    return _as_response(submit_decision(app.current_event.raw_event, app.context["now"]))


@app.not_found
def _other_method(_: Exception) -> Response:  # with every path routed, only the method can miss
    response = error_page(HttpError(405, "Use the link from the approval message."))
    response["headers"]["Allow"] = "GET, POST"
    return _as_response(response)


@app.exception_handler(MalformedLink)  # raised while parsing the query or the form
def _malformed(error: MalformedLink) -> Response:
    logger.info("approval request malformed", extra={"reason": str(error)})
    return _as_response(error_page(HttpError(400, str(error))))


@app.exception_handler(HttpError)
def _refused(error: HttpError) -> Response:
    return _as_response(error_page(error))


def handle(event: dict[str, Any], context: Any, now: float | None = None) -> dict[str, Any]:
    app.append_context(now=time.time() if now is None else now)
    return app.resolve(event, context)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    start_invocation(ENVIRONMENT, "approval_callback")
    return handle(event, context)
