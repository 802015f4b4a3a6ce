"""HMAC-SHA256 signed approval links.

A link carries ``approval_id``, ``decision``, ``expires`` (epoch seconds) and ``signature`` =
base64url(HMAC-SHA256(secret, "approval_id|decision|expires")) without padding. The task token is
never part of a link: the callback looks it up server-side by approval id.
"""

# ruff: noqa: N818 - exception names are part of the contract (Step Functions matches them by name)

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

DECISIONS = ("approve", "reject")
LINK_FIELDS = ("approval_id", "decision", "expires", "signature")
# Exact shapes, ASCII only (fullmatch: no surrounding whitespace, no Unicode digits or letters).
FIELD_FORMATS = {
    "approval_id": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    "decision": re.compile(r"approve|reject"),
    "expires": re.compile(r"[1-9][0-9]{0,11}"),  # epoch seconds, no sign, no leading zero
    "signature": re.compile(r"[A-Za-z0-9_-]{43}"),  # 32 bytes, base64url, no padding
}
FIELD_PROBLEMS = {
    "approval_id": "approval_id is not a valid id",
    "decision": "decision must be approve or reject",
    "expires": "expires is not an epoch timestamp",
    "signature": "signature is not a base64url HMAC-SHA256",
}


class LinkError(Exception):
    """An approval link that must not reach Step Functions. ``status`` is the HTTP status."""

    status = 400


class MalformedLink(LinkError):
    status = 400


class BadSignature(LinkError):
    status = 403


class LinkExpired(LinkError):
    status = 410


@dataclass(frozen=True)
class VerifiedLink:
    approval_id: str
    decision: str
    expires_at: int


def _payload(approval_id: str, decision: str, expires_at: int) -> bytes:
    return f"{approval_id}|{decision}|{expires_at}".encode()


def sign(approval_id: str, decision: str, expires_at: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), _payload(approval_id, decision, expires_at), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def sign_link(base_url: str, approval_id: str, decision: str, expires_at: int, secret: str) -> str:
    """Return ``base_url`` with the signed query string for one decision."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    query = urlencode(
        {
            "approval_id": approval_id,
            "decision": decision,
            "expires": str(int(expires_at)),
            "signature": sign(approval_id, decision, int(expires_at), secret),
        }
    )
    return f"{base_url}{'&' if '?' in base_url else '?'}{query}"


def verify(params: Mapping[str, str], secret: str, now: float) -> VerifiedLink:
    """Check shape, then signature, then expiry (a forged link learns nothing about expiry).

    Every field must match its exact ASCII format: anything else an outsider can send is a
    MalformedLink (HTTP 400), never an exception further down."""
    missing = [name for name in LINK_FIELDS if not params.get(name)]
    if missing:
        raise MalformedLink(f"missing field(s): {', '.join(missing)}")
    for name in LINK_FIELDS:
        value = params[name]
        if not isinstance(value, str) or not FIELD_FORMATS[name].fullmatch(value):
            raise MalformedLink(FIELD_PROBLEMS[name])
    approval_id, decision, signature = params["approval_id"], params["decision"], params["signature"]
    expires_at = int(params["expires"])
    expected = sign(approval_id, decision, expires_at, secret)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
        raise BadSignature("signature does not match")
    if now >= expires_at:
        raise LinkExpired("link expired")
    return VerifiedLink(approval_id=approval_id, decision=decision, expires_at=expires_at)
