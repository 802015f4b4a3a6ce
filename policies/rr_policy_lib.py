"""Helpers shared by the custom checkov checks in this folder (imported by name: checkov puts
each external-checks folder on sys.path and runs every .py file in it; this one registers no check).

checkov hands a check the block's configuration with every value wrapped in a list, and leaves
what it cannot resolve as expression text ("var.x", "module.y.arn", "${...}").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

GUIDELINE_BASE = "docs/security.md#custom-checkov-policies"
UNRESOLVED = re.compile(r"^\$\{.*\}$|^(var|local|module|data|each|aws_[a-z0-9_]+)\.", re.S)


def first(value: Any, default: Any = None) -> Any:
    """checkov wraps attribute values in a one-element list."""
    if isinstance(value, list):
        return value[0] if value else default
    return default if value is None else value


def as_list(value: Any) -> list[Any]:
    value = first(value, [])
    if isinstance(value, list):
        return value
    return [value]


def is_unresolved(value: Any) -> bool:
    return isinstance(value, str) and bool(UNRESOLVED.match(value.strip()))


def _statement_from_block(block: dict[str, Any]) -> dict[str, Any]:
    return {
        "effect": str(first(block.get("effect"), "Allow")),
        "actions": [str(a) for a in as_list(block.get("actions"))],
        "not_actions": [str(a) for a in as_list(block.get("not_actions"))],
        "resources": [str(r) for r in as_list(block.get("resources"))],
        "sid": str(first(block.get("sid"), "")),
    }


def document_statements(conf: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Statements of an aws_iam_policy_document data source, including dynamic blocks whose
    content is literal (a dynamic block fed by an unresolved variable yields its expression text,
    which the checks treat as unknown rather than as a grant)."""
    for block in conf.get("statement") or []:
        if isinstance(block, dict):
            yield _statement_from_block(block)
    for dynamic in conf.get("dynamic") or []:
        if not isinstance(dynamic, dict) or "statement" not in dynamic:
            continue
        for content in dynamic["statement"].get("content") or []:
            if isinstance(content, dict):
                yield _statement_from_block(content)


def _listed(statement: dict[str, Any], key: str) -> list[str]:
    value = statement.get(key, [])
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def json_policy_statements(policy: Any) -> Iterator[dict[str, Any]]:
    """Statements of a policy given as a dict (jsonencode) or a JSON string."""
    policy = first(policy)
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except json.JSONDecodeError:
            return
    if not isinstance(policy, dict):
        return
    statements = policy.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue

        yield {
            "effect": str(statement.get("Effect", "Allow")),
            "actions": _listed(statement, "Action"),
            "not_actions": _listed(statement, "NotAction"),
            "resources": _listed(statement, "Resource"),
            "sid": str(statement.get("Sid", "")),
        }


def allow_statements(conf: dict[str, Any], entity_type: str) -> Iterator[dict[str, Any]]:
    """Allow statements of an IAM policy document, policy, role policy or inline role policy."""
    if entity_type == "aws_iam_policy_document":
        found = document_statements(conf)
    elif entity_type == "aws_iam_role":
        found = (s for inline in conf.get("inline_policy") or [] for s in json_policy_statements(inline.get("policy")))
    else:
        found = json_policy_statements(conf.get("policy"))
    for statement in found:
        if statement["effect"] == "Allow":
            yield statement


def action_matches(action: str, pattern: str) -> bool:
    """IAM wildcard match, case-insensitive like IAM itself."""
    regex = "^" + re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, action.lower()) is not None


def grants(action: str, wanted: str) -> bool:
    """True when the policy action (possibly a wildcard) grants the wanted action."""
    return action_matches(wanted, action)
