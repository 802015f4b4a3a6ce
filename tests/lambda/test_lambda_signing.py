"""Signed approval links: HMAC-SHA256 over approval id, decision and expiry."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from workflow_core.signing import BadSignature, LinkExpired, MalformedLink, sign_link, verify

SECRET = "s3cret-key"
APPROVAL_ID = "1b4e28ba-2fa1-41d2-883f-0e9a7b2c3d4e"
NOW = 1_800_000_000


def link_params(decision: str = "approve", expires_at: int = NOW + 600, secret: str = SECRET) -> dict[str, str]:
    url = sign_link("https://approve.example/cb", APPROVAL_ID, decision, expires_at, secret)
    return dict(parse_qsl(urlsplit(url).query))


def test_signed_link_verifies_and_carries_its_fields() -> None:
    verified = verify(link_params(), SECRET, NOW)
    assert (verified.approval_id, verified.decision, verified.expires_at) == (APPROVAL_ID, "approve", NOW + 600)


def test_signed_link_never_contains_more_than_the_four_link_fields() -> None:
    assert set(link_params()) == {"approval_id", "decision", "expires", "signature"}


def test_signed_link_appends_to_a_base_url_that_already_has_a_query() -> None:
    url = sign_link("https://approve.example/cb?tenant=acme", APPROVAL_ID, "reject", NOW, SECRET)
    assert url.startswith("https://approve.example/cb?tenant=acme&approval_id=")


def test_verify_rejects_a_link_signed_with_another_secret() -> None:
    with pytest.raises(BadSignature):
        verify(link_params(secret="other"), SECRET, NOW)


def test_verify_rejects_a_decision_swapped_after_signing() -> None:
    params = link_params("reject")
    params["decision"] = "approve"
    with pytest.raises(BadSignature):
        verify(params, SECRET, NOW)


def test_verify_rejects_an_extended_expiry() -> None:
    params = link_params()
    params["expires"] = str(NOW + 10**6)
    with pytest.raises(BadSignature):
        verify(params, SECRET, NOW)


def test_verify_rejects_an_expired_link() -> None:
    with pytest.raises(LinkExpired):
        verify(link_params(expires_at=NOW - 1), SECRET, NOW)


def test_verify_checks_the_signature_before_the_expiry() -> None:
    params = link_params(expires_at=NOW - 1)
    params["signature"] = "A" * 43
    with pytest.raises(BadSignature):
        verify(params, SECRET, NOW)


@pytest.mark.parametrize("missing", ["approval_id", "decision", "expires", "signature"])
def test_verify_rejects_a_link_missing_a_field(missing: str) -> None:
    params = link_params()
    del params[missing]
    with pytest.raises(MalformedLink, match=missing):
        verify(params, SECRET, NOW)


@pytest.mark.parametrize(
    ("field", "value"),
    [("decision", "maybe"), ("expires", "tomorrow"), ("approval_id", "../../etc"), ("signature", "not!base64")],
)
def test_verify_rejects_malformed_fields(field: str, value: str) -> None:
    params = link_params()
    params[field] = value
    with pytest.raises(MalformedLink):
        verify(params, SECRET, NOW)
