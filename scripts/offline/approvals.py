"""The reviewer: reads approval requests from the mailbox of the address Terraform subscribed to
the approval topic, and answers by "clicking" the signed links: an HTTP request to the link's URL,
which the embedded account's front door (front_door.py) serves as API Gateway or a Function URL
would, throttle, permissions and all, before the real approval_callback function runs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from scripts.offline.account import AccountClient
from scripts.offline.front_door import HttpRequest, payload_v2

POLICIES = ("auto", "reject-then-approve", "interactive", "none")
REJECTION_COMMENT = "Please add a section on cost drivers and say which line dominates."
REVIEWER = "reviewer@example.com"
# A throttled click is tried again after a pause (API Gateway refills its bucket every second).
THROTTLED_ATTEMPTS, THROTTLED_PAUSE_S = 10, 0.5
_LINK = re.compile(r"https?://[^\s<>\"']+")


def function_url_event(
    method: str,
    url: str,
    body: str = "",
    content_type: str = "application/x-www-form-urlencoded",
    base64_body: bool = False,
) -> dict[str, Any]:
    """The payload (format 2.0) a Lambda Function URL sends for this request, every field AWS
    documents for an unauthenticated (NONE) URL."""
    return payload_v2(HttpRequest(method, url, body, {"content-type": content_type}, base64_body=base64_body))


def loopback_link(url: str, port: int) -> str:
    """The same link on the loopback server `serve_links` runs: a browser here cannot reach the
    Function URL's host, so the path and the signed query string move to 127.0.0.1."""
    parts = urlsplit(url)
    return f"http://127.0.0.1:{port}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def links_in(message: str) -> dict[str, str]:
    """{"approve": url, "reject": url} from an approval message."""
    links = {}
    for url in _LINK.findall(message):
        decision = dict(parse_qsl(urlsplit(url).query)).get("decision")
        if decision in ("approve", "reject"):
            links[decision] = url
    return links


@dataclass
class Decision:
    decision: str
    status: int


@dataclass
class Reviewer:
    """Answers approval requests according to a policy, through the real callback function."""

    policy: str
    account: AccountClient
    address: str
    topic_arn: str
    callback_url: str  # the endpoint the links point at (the stack's approval_callback_url)
    on_links: Callable[[dict[str, str]], None] | None = None
    # Answer only the requests of this workflow (the message names it). Until it is known, requests
    # wait unanswered: a reviewer never answers another run's request in the same mailbox.
    workflow_id: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    throttled: int = 0  # requests the endpoint answered 429
    requests_seen: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"unknown approval policy {self.policy!r}; choose from {', '.join(POLICIES)}")

    def start(self, since: int = 0) -> None:
        self._thread = threading.Thread(target=self._run, args=(since,), name="reviewer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self, since: int) -> None:
        while not self._stop.is_set():
            if self.workflow_id is None:
                self._stop.wait(0.02)
                continue
            mail = self.account.control("GET", f"mailbox?since={since}")
            since += len(mail)
            for message in mail:
                if self._stop.is_set():
                    return
                if message["to"] != self.address or message["topic_arn"] != self.topic_arn:
                    continue
                if f"workflow {self.workflow_id}," not in message["message"]:
                    continue  # another run's request, in the same mailbox
                self.requests_seen += 1
                self._answer(links_in(message["message"]))
            if not mail:
                self._stop.wait(0.02)

    def _answer(self, links: dict[str, str]) -> None:
        if self.on_links:
            self.on_links(links)
        if self.policy in ("none", "interactive"):
            return  # interactive answers come from the browser or the terminal
        if self.policy == "reject-then-approve" and self.requests_seen == 1:
            self.click(links["reject"], comments=REJECTION_COMMENT)
        else:
            self.click(links["approve"], comments="Looks good.")

    def click(self, url: str, comments: str = "", reviewer: str = REVIEWER) -> int:
        """Open the link (GET: heartbeat + form), then submit the form (POST) as a browser would."""
        opened = self.call("GET", url)
        form = dict(parse_qsl(urlsplit(url).query))
        form.update({"reviewer": reviewer, "comments": comments})
        submitted = self.call("POST", url.split("?")[0], urlencode(form)) if opened < 400 else opened
        self.decisions.append(Decision(form.get("decision", "?"), submitted))
        return submitted

    def call(self, method: str, url: str, body: str = "") -> int:
        """One request; a 429 (the endpoint's throttle) is tried again, as a person clicks again."""
        for _ in range(THROTTLED_ATTEMPTS - 1):
            status = self.http(method, url, body)["statusCode"]
            if status != 429:
                return status
            self.throttled += 1
            self._stop.wait(THROTTLED_PAUSE_S)
        return self.http(method, url, body)["statusCode"]

    def http(
        self, method: str, url: str, body: str = "", content_type: str = "application/x-www-form-urlencoded"
    ) -> dict[str, Any]:
        # To the link's URL, as a browser reaches it: the front door's auth, throttle and permissions apply.
        request = {
            "method": method,
            "url": url,
            "body": body,
            "headers": {"content-type": content_type, "user-agent": "local-run"},
        }
        return self.account.control("POST", "http", request)


def serve_links(reviewer: Reviewer, host: str = "127.0.0.1", port: int = 8765) -> ThreadingHTTPServer:
    """Serve the approval links on loopback so a person can click them in a browser."""

    class Handler(BaseHTTPRequestHandler):
        def _forward(self, method: str) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            response = reviewer.http(
                method, reviewer.callback_url.rstrip("/") + self.path, body, self.headers.get("content-type", "")
            )
            content = (response.get("body") or "").encode()
            self.send_response(int(response.get("statusCode", 200)))
            for name, value in (response.get("headers") or {}).items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._forward("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._forward("POST")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="approval-links", daemon=True).start()
    return server
