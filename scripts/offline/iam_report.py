"""Which permissions the offline runs used, statement by statement: `make iam-report`.

Reads, from a running embedded account, every request the authorizer decided
(scripts/offline/authorizer.py) and each function role's deployed policies, then per role and
statement:

- **needed by**: the requests that statement alone allowed, found by replaying every request a
  function made against the role's policies without that statement (the same evaluator that
  enforced them): without the statement, those requests, and so the runs that made them, fail;
- **not needed**: each (action, resource) of the statement that no request needed, because no
  request asked for it (unused) or another statement allowed it as well.

A permission nobody needed is removed from the Terraform, or listed with its reason in
scripts/offline/unused_permissions.json (for instance a path only the Lambda service itself takes
on AWS). `--check` exits 1 on one that is not listed, and on a listed one that was needed after all.
Requests made with credentials a person or a test assumed are not counted: only the functions'.

    python -m scripts.offline.iam_report --work-dir out/offline/account          # the table
    python -m scripts.offline.iam_report --work-dir out/test-offline/account --check
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.offline.account import DEFAULT_WORK_DIR, AccountError, connect
from scripts.offline.authorizer import SECURE_TRANSPORT
from scripts.offline.iam_policy import ALLOW, Request, decide, statement_applies

ALLOW_LIST = Path(__file__).resolve().parent / "unused_permissions.json"


@dataclass
class StatementUse:
    function: str
    sid: str
    needed_by: int = 0  # requests that only this statement allowed
    not_needed: list[tuple[str, str, str]] = field(default_factory=list)  # (action, resource, why)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def service_roles(account: Any) -> dict[str, str]:
    """Key -> role name of every role the account's services act as: each function's execution
    role (keyed by function, e.g. agent_search), the state machine's (state_machine) and each
    EventBridge rule target's (rule:<rule name>)."""
    roles: dict[str, str] = {}
    for page in account.client("lambda").get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            variables = (function.get("Environment") or {}).get("Variables", {})
            roles[variables.get("POWERTOOLS_SERVICE_NAME") or function["FunctionName"]] = function["Role"].rsplit("/", 1)[-1]
    sfn = account.client("stepfunctions")
    for machine in sfn.list_state_machines()["stateMachines"]:
        role = sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["roleArn"]
        roles["state_machine" if "state_machine" not in roles else f"state_machine:{machine['name']}"] = role.rsplit("/", 1)[-1]
    events = account.client("events")
    for bus in events.list_event_buses()["EventBuses"]:
        for rule in events.list_rules(EventBusName=bus["Name"])["Rules"]:
            for target in events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus["Name"])["Targets"]:
                if target.get("RoleArn"):
                    roles[f"rule:{rule['Name']}"] = target["RoleArn"].rsplit("/", 1)[-1]
    return roles


def role_policies(account: Any) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Key -> (role name, its policy documents, inline and managed), from the account's IAM."""
    iam = account.client("iam")
    result: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for key, role in service_roles(account).items():
        documents = [
            iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
        ]
        for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
            documents.append(
                iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"]
            )
        result[key] = (role, [json.loads(d) if isinstance(d, str) else d for d in documents])
    return result


def _request(decision: dict[str, Any], role_arn: str) -> Request:
    context = {key: list(value) if isinstance(value, list) else value for key, value in decision["context"]}
    context.update({"aws:PrincipalArn": role_arn, "aws:SecureTransport": SECURE_TRANSPORT})
    return Request(decision["action"], decision["resource"], None, context)


def statement_uses(
    function: str, role: str, documents: list[dict[str, Any]], decisions: list[dict[str, Any]]
) -> list[StatementUse]:
    """Per Allow statement: how many recorded requests of the role needed it (denied without it),
    and each of its (action, resource) pairs that no request needed: never requested ("unused") or
    always allowed by another statement too ("also allowed by another statement")."""
    requests = [_request(d, f"role/{role}") for d in decisions if d["role"] == role and d["allowed"] and d["by_service"]]
    uses = []
    for index, document in enumerate(documents):
        statements = _as_list(document.get("Statement", []))
        for position, statement in enumerate(statements):
            if statement.get("Effect") != ALLOW:
                continue
            rest = {**document, "Statement": [s for i, s in enumerate(statements) if i != position]}
            without = [*documents[:index], rest, *documents[index + 1 :]]
            needing = [r for r in requests if statement_applies(statement, r) and decide(without, r) != ALLOW]
            use = StatementUse(function, statement.get("Sid") or f"#{position}", needed_by=len(needing))
            for action in _as_list(statement.get("Action", [])):
                for resource in _as_list(statement.get("Resource", [])):
                    narrowed = {**statement, "Action": action, "Resource": resource}
                    if any(statement_applies(narrowed, r) for r in needing):
                        continue
                    requested = any(statement_applies(narrowed, r) for r in requests)
                    use.not_needed.append((action, resource, "also allowed by another statement" if requested else "unused"))
            uses.append(use)
    return uses


def load_allow_list(path: Path = ALLOW_LIST) -> list[dict[str, str]]:
    return json.loads(path.read_text(encoding="utf-8"))["unused"]


def check(uses: list[StatementUse], allow_list: list[dict[str, str]]) -> list[str]:
    """Problems: a permission no request needed that the allow-list does not explain, and an
    allow-list entry that no longer matches a permission nobody needed (stale)."""

    def listed(entry: dict[str, str], function: str, sid: str, action: str) -> bool:
        return entry["function"] in ("*", function) and entry["sid"] == sid and entry["action"] == action

    problems, matched = [], set()
    for use in uses:
        for action, resource, why in use.not_needed:
            entries = [i for i, e in enumerate(allow_list) if listed(e, use.function, use.sid, action)]
            matched.update(entries)
            if not entries:
                problems.append(
                    f"{use.function} {use.sid}: {action} on {resource} is {why} offline "
                    f"(remove it from the Terraform, or list it with a reason in {ALLOW_LIST.name})"
                )
    problems += [
        f"{e['function']} {e['sid']}: {e['action']} is allow-listed but was needed (or no longer exists): drop it from {ALLOW_LIST.name}"
        for i, e in enumerate(allow_list)
        if i not in matched
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="the running account's folder")
    parser.add_argument("--check", action="store_true", help="exit 1 on an unused permission that is not allow-listed")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="with --check: no table, only the verdict")
    args = parser.parse_args(argv)
    account = connect(args.work_dir)
    if account is None:
        print(f"error: no embedded account is running in {args.work_dir} (start one: make up)", file=sys.stderr)
        return 2
    try:
        decisions = account.control("GET", "authorizations")
        uses = [
            use
            for function, (role, documents) in sorted(role_policies(account).items())
            for use in statement_uses(function, role, documents, decisions)
        ]
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([use.__dict__ for use in uses], indent=2))
    elif not args.quiet:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Permissions used offline ({sum(d['count'] for d in decisions):,} requests authorized)")
        for column in ("function", "statement", "needed by (requests)", "not needed offline"):
            table.add_column(column)
        for use in uses:
            not_needed = "\n".join(f"{action} on {resource} ({why})" for action, resource, why in use.not_needed) or "-"
            table.add_row(use.function, use.sid, str(use.needed_by), not_needed)
        Console(width=200).print(table)
    if args.check:
        problems = check(uses, load_allow_list())
        for problem in problems:
            print(f"unused permission: {problem}", file=sys.stderr)
        needed = sum(1 for use in uses if use.needed_by)
        print(f"iam-report: {len(uses)} statements, {needed} needed by the runs, {len(problems)} problem(s)")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
