"""IAM policy evaluation as AWS documents it, for the embedded account's resource policies.

A statement applies to a request when its Action/NotAction, Resource/NotResource, Principal and
every condition match; among the statements that apply, an explicit Deny wins over an Allow, and
with neither the request is not allowed (implicit deny). Condition semantics follow the IAM
reference ("Condition operators"), the easy-to-get-wrong parts included:

- a key absent from the request context makes a positive operator false, a negated operator
  (StringNotEquals, ArnNotLike, ...) true, and any ...IfExists operator true;
- Null tests presence: "true" holds when the key is absent;
- ForAllValues holds when every request value matches (vacuously, when there are none);
  ForAnyValue needs at least one match;
- several values for one key are OR-ed; several keys and several operators are AND-ed.

Operators not listed in OPERATORS raise UnsupportedCondition rather than guess.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ALLOW, DENY = "Allow", "Deny"


class UnsupportedCondition(ValueError):
    """A policy uses a condition operator this evaluator does not implement."""


@dataclass(frozen=True)
class Request:
    """What a policy is evaluated against: an action on a resource by a principal, with context."""

    action: str
    resource: str
    principal: str | None = None  # ARN of the caller, or a service principal ("lambda.amazonaws.com")
    context: Mapping[str, Any] = field(default_factory=dict)  # condition keys -> str or list of str

    def value(self, key: str) -> list[str] | None:
        wanted = key.lower()
        for name, value in self.context.items():
            if name.lower() == wanted:
                if value is None:
                    return None
                return [str(v) for v in value] if isinstance(value, list | tuple | set) else [str(value)]
        return None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _wildcard(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """IAM wildcards: '*' any run of characters, '?' one character; nothing else is special."""
    return _wildcard_regex(pattern, case_sensitive).fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)
def _wildcard_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """Compiled once per pattern: every request of a role is decided against the same policies."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE)


def _bool(text: str) -> str:
    return str(text).strip().lower()


def _arn_like(pattern: str, value: str) -> bool:
    """ArnLike/ArnEquals compare the six ARN parts, each with wildcards."""
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(_wildcard(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


# base operator -> (matches one request value against one policy value, negated)
OPERATORS = {
    "StringEquals": (lambda p, v: v == p, False),
    "StringNotEquals": (lambda p, v: v == p, True),
    "StringEqualsIgnoreCase": (lambda p, v: v.lower() == p.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: v.lower() == p.lower(), True),
    "StringLike": (lambda p, v: _wildcard(p, v), False),
    "StringNotLike": (lambda p, v: _wildcard(p, v), True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
    "Bool": (lambda p, v: _bool(v) == _bool(p), False),
    "NumericEquals": (lambda p, v: _number(v) is not None and _number(v) == _number(p), False),
    "NumericNotEquals": (lambda p, v: _number(v) is not None and _number(v) == _number(p), True),
    "NumericLessThan": (lambda p, v: _number(v) is not None and _number(v) < _number(p), False),
    "NumericLessThanEquals": (lambda p, v: _number(v) is not None and _number(v) <= _number(p), False),
    "NumericGreaterThan": (lambda p, v: _number(v) is not None and _number(v) > _number(p), False),
    "NumericGreaterThanEquals": (lambda p, v: _number(v) is not None and _number(v) >= _number(p), False),
}


def parse_operator(operator: str) -> tuple[str | None, str, bool]:
    """`ForAllValues:StringEqualsIfExists` -> ("ForAllValues", "StringEquals", True)."""
    qualifier, _, base = operator.rpartition(":")
    if qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise UnsupportedCondition(f"unknown set qualifier {qualifier!r} in {operator!r}")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base != "Null" and base not in OPERATORS:
        raise UnsupportedCondition(f"condition operator {operator!r} is not supported")
    return qualifier or None, base, if_exists


def condition_holds(operator: str, key: str, policy_values: Any, request: Request) -> bool:
    qualifier, base, if_exists = parse_operator(operator)
    wanted = [str(v) for v in _as_list(policy_values)]
    actual = request.value(key)
    if base == "Null":
        return (actual is None) == (_bool(wanted[0]) == "true")
    if actual is None:
        if if_exists or qualifier == "ForAllValues":
            return True
        return OPERATORS[base][1] and qualifier is None  # negated operators hold on a missing key
    matches, negated = OPERATORS[base]
    if qualifier == "ForAllValues":
        return all(any(matches(p, v) for p in wanted) != negated for v in actual)
    if qualifier == "ForAnyValue":
        return any(any(matches(p, v) for p in wanted) != negated for v in actual)
    hit = any(matches(p, v) for p in wanted for v in actual)
    return not hit if negated else hit


def _principal_matches(principal_element: Any, principal: str | None) -> bool:
    if principal_element in (None, "*"):
        return True
    if not isinstance(principal_element, Mapping):
        return False
    for kind, values in principal_element.items():
        for value in _as_list(values):
            if value == "*" and kind == "AWS":
                return True
            if principal is None:
                continue
            if kind == "AWS" and (value == principal or _account_root_matches(value, principal)):
                return True
            if kind == "Service" and value == principal:
                return True
    return False


def _account_root_matches(value: str, principal: str) -> bool:
    """`arn:aws:iam::<account>:root` (or a bare account id) stands for every principal of the account."""
    account = (
        value.split(":")[4] if value.startswith("arn:") and value.endswith(":root") else (value if value.isdigit() else None)
    )
    parts = principal.split(":")
    return account is not None and len(parts) > 4 and parts[4] == account


def statement_applies(statement: Mapping[str, Any], request: Request, resource_policy: bool = False) -> bool:
    if "NotAction" in statement:
        if any(_wildcard(a, request.action, case_sensitive=False) for a in _as_list(statement["NotAction"])):
            return False
    elif not any(_wildcard(a, request.action, case_sensitive=False) for a in _as_list(statement.get("Action", []))):
        return False
    if "NotResource" in statement:
        if any(_wildcard(r, request.resource) for r in _as_list(statement["NotResource"])):
            return False
    elif "Resource" in statement:
        if not any(_wildcard(r, request.resource) for r in _as_list(statement["Resource"])):
            return False
    elif not resource_policy:
        return False
    if resource_policy and not _principal_matches(statement.get("Principal"), request.principal):
        return False
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, values in keys.items():
            if not condition_holds(operator, key, values, request):
                return False
    return True


def decide(documents: Iterable[Any], request: Request, resource_policy: bool = False) -> str | None:
    """DENY if a statement of any document denies, ALLOW if one allows, else None (implicit deny)."""
    allowed = False
    for document in documents:
        policy = json.loads(document) if isinstance(document, str | bytes) else document
        for statement in _as_list(policy.get("Statement", [])):
            if statement_applies(statement, request, resource_policy):
                if statement.get("Effect") == DENY:
                    return DENY
                allowed = allowed or statement.get("Effect") == ALLOW
    return ALLOW if allowed else None


def operators_in(document: Any) -> set[str]:
    """Every condition operator a policy uses (to check they are all supported)."""
    policy = json.loads(document) if isinstance(document, str | bytes) else document
    return {operator for statement in _as_list(policy.get("Statement", [])) for operator in (statement.get("Condition") or {})}
