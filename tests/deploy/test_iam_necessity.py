"""Least privilege, proven by running: every IAM statement a run needs fails that run without it.

The pilot is applied into a fresh embedded account (IAM enforced for the functions). A set of runs
covers the paths the handlers take (approved, revised, each role's fallback, a failed run, a cached
search). For every statement of every function role, the runs' own requests are replayed without
it (scripts/offline/iam_report.py) to find a run that needs it; that run is repeated with the
statement removed from the deployed policy through the IAM API, as an apply of the changed
Terraform would, and must be denied that statement's action. Statements of different roles that
the same run needs are removed together (one per role, so a denial names its statement); one whose
request another removal cut short is proved again on a run of its own. Statements no run needs are what
`make iam-report` lists (and scripts/offline/unused_permissions.json explains).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.offline.iam_policy import statement_applies
from scripts.offline.iam_report import role_policies, statement_uses
from scripts.offline.mock_config import read_document
from scripts.offline.model_faults import read_document as read_model_faults
from scripts.offline.runtime import OfflineWorkflow

pytestmark = [pytest.mark.deploy_gate, pytest.mark.timeout(1500)]
CONFIGS = Path(__file__).resolve().parents[2] / "scripts" / "mock_configs"
TOPIC = "Bedrock quotas and Map concurrency"
CACHED_TOPIC = f"{TOPIC} {uuid.uuid4().hex[:8]}"
LIBRARY_WORD = uuid.uuid4().hex[
    :8
]  # a word only the document the "library changed" run adds has  # searched once before the runs: the cache answers it
MODEL_FAULTS = read_model_faults(CONFIGS / "model_faults.json")
SCENARIOS = {
    "approved": {"approve": "auto"},
    "cached": {"approve": "auto"},  # the same topic again: the search cache answers
    "revised by the fallback": {"approve": "reject-then-approve", "test_case": "ReviserAgentRefusesFallbackRevises"},
    "written by the fallback": {"approve": "auto", "test_case": "WriterAgentRefusesFallbackWrites"},
    "summary fallback fails": {"approve": "auto", "test_case": "OneSummaryEmptyThenFallbackTimesOut"},
    "search by the fallback": {"approve": "auto", "test_case": "SearchFailsUseFallback", "mock_config": True},
    "failed": {"approve": "auto", "test_case": "SearchReplyNotJson"},
    "nothing found": {"approve": "auto", "topic": "Zyxwvut qwrtpsd"},  # no passage shares a word with it
    "cached sources expired": {"approve": "auto"},  # the cache entry points at a sources index that is gone
    # A document put into the library just before the run: the indexer's requests are in this run.
    "library changed": {"approve": "auto", "topic": f"Quokka habitats {LIBRARY_WORD}"},
    # No index yet (a library nobody filled): S3 says NoSuchKey only to a role that may list it.
    "library index missing": {"approve": "auto"},
}
EXPIRED_TOPIC = f"{TOPIC} expiring {uuid.uuid4().hex[:8]}"
last_workflow: dict[str, str] = {}  # topic -> the workflow whose search the cache entry points at
APPROVAL_WAIT_S = 10.0  # a run whose reviewer cannot decide waits for approval; stop it after this


def run(workflow, scenario: str, timeout_s: float = 120.0):
    options = dict(SCENARIOS[scenario])
    mock_config = options.pop("mock_config", False)
    if "test_case" in options:
        options["mock_config" if mock_config else "model_faults"] = (
            read_document(CONFIGS / "faults.json") if mock_config else MODEL_FAULTS
        )
    topic = options.pop("topic", None) or {"cached": CACHED_TOPIC, "cached sources expired": EXPIRED_TOPIC}.get(
        scenario, f"{TOPIC} {uuid.uuid4().hex[:8]}"
    )
    if scenario == "cached sources expired":  # its index expires from S3 while the cache entry is fresh
        origin = last_workflow[EXPIRED_TOPIC]
        workflow.client("s3").delete_object(Bucket=workflow.deployment.bucket, Key=f"{origin}/sources.json")
    library, s3 = workflow.deployment.outputs["document_library_bucket"], workflow.client("s3")
    index_key = "index/library-index.json"
    saved_index = s3.get_object(Bucket=library, Key=index_key)["Body"].read() if scenario == "library index missing" else None
    if saved_index is not None:
        s3.delete_object(Bucket=library, Key=index_key)
    before = Counter({_key(d): d["count"] for d in workflow.account.control("GET", "authorizations")})
    if scenario == "library changed":
        seen = len(workflow.account.control("GET", "invocations"))
        note = f"# Quokkas\n\nQuokka habitats {LIBRARY_WORD} are dense scrub and swamp edges near fresh water.\n"
        s3.put_object(Bucket=library, Key=f"documents/quokkas-{uuid.uuid4().hex[:8]}.md", Body=note.encode())
        _wait_for_the_indexer(workflow, library, seen)
    try:
        result = workflow.run(topic=topic, max_sources=2, timeout_s=timeout_s, **options)
    finally:
        if saved_index is not None:
            s3.put_object(Bucket=library, Key=index_key, Body=saved_index)
    if not result.summary["cache_hits"]:
        last_workflow[topic] = result.summary["workflow_id"]
    after = workflow.account.control("GET", "authorizations")
    # This run's requests: the runs go one at a time, so the difference is theirs (the approval
    # callback's too, which a reviewer's click invokes outside the execution).
    decisions = [{**d, "count": d["count"] - before[_key(d)]} for d in after if d["count"] > before[_key(d)]]
    return result, decisions


def _wait_for_the_indexer(workflow, library: str, seen: int, timeout_s: float = 30.0) -> None:
    """Until an indexer invocation after the first ``seen`` invocations has ended (indexed or denied)."""
    name = workflow.deployment.outputs["document_indexer_function_name"]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(i["function"] == name for i in workflow.account.control("GET", f"invocations?since={seen}")):
            return
        time.sleep(0.2)
    raise AssertionError(f"the document indexer did not run within {timeout_s:.0f} s of the upload to {library}")


def _key(decision: dict) -> str:
    return json.dumps({k: v for k, v in decision.items() if k != "count"}, sort_keys=True)


def test_every_statement_a_run_needs_fails_that_run_without_it(fresh_account, corpus, tmp_path):
    started = time.monotonic()
    with OfflineWorkflow(env="pilot", corpus=corpus, account=fresh_account, work_dir=tmp_path) as workflow:
        workflow.run(topic=CACHED_TOPIC, approve="auto", max_sources=2)
        last_workflow[EXPIRED_TOPIC] = workflow.run(topic=EXPIRED_TOPIC, approve="auto", max_sources=2).summary["workflow_id"]
        workflow.account.control("POST", "recycle", {})  # cold sandboxes: what handlers read at start is in the runs
        baseline = {name: run(workflow, name) for name in SCENARIOS}
        assert baseline["approved"][0].summary["end_state"] == "Published"
        assert baseline["cached"][0].summary["cache_hits"] == 1
        assert baseline["nothing found"][0].summary["end_state"] == "NoSources"
        assert baseline["library changed"][0].summary["end_state"] == "Published"
        assert baseline["library index missing"][0].summary["end_state"] == "NoSources"
        iam = workflow.client("iam")
        roles = role_policies(workflow.account)
        shown, failures = [], []
        every_decision = [d for _, ds in baseline.values() for d in ds]
        pending = [
            Check(
                function,
                role,
                use.sid,
                _statement(documents, use.sid),
                _scenario_needing(function, role, documents, use.sid, baseline),
            )
            for function, (role, documents) in sorted(roles.items())
            for use in statement_uses(function, role, documents, every_decision)
            if use.needed_by
        ]
        runs = 0
        while pending:
            batch = _next_batch(pending)
            removed = {check.role: _remove(iam, check.role, check.sid) for check in batch}
            for check in batch:
                if check.function in workflow.deployment.functions:  # what its handler read at start, it reads again
                    workflow.account.control("POST", "recycle", {"function": workflow.deployment.functions[check.function]})
            scenario, runs = batch[0].scenario, runs + 1
            try:
                callback = any(check.function == "approval_callback" for check in batch)
                result, decisions = run(workflow, scenario, timeout_s=APPROVAL_WAIT_S if callback else 120.0)
            except (
                RuntimeError
            ) as not_started:  # the rule's role may not start it, or the state machine's role may not encrypt its data
                assert len(batch) == 1 and (batch[0].function.startswith("rule:") or batch[0].function == "state_machine"), (
                    not_started
                )
                assert "no execution started" in str(not_started), not_started
                result, decisions = None, workflow.account.control("GET", "authorizations")
            finally:
                for role, (policy_name, original) in removed.items():
                    iam.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps(original))
            summary = (
                result.summary if result else {"status": "NOT STARTED", "end_state": None, "fallbacks": 0, "map_failures": 0}
            )
            outcome = (summary["status"], summary["end_state"], summary["fallbacks"], summary["map_failures"])
            for check in batch:
                denied = [d for d in decisions if d["role"] == check.role and not d["allowed"] and _grants(check.statement, d)]
                if not denied and len(batch) > 1:
                    # Another removal in the batch may have ended the run before this statement's
                    # request: it is proved on a run of its own.
                    pending.append(Check(**{**check.__dict__, "alone": True}))
                    continue
                shown.append(
                    f"{check.function} {check.sid}: run '{scenario}' denied {sorted({d['action'] for d in denied})} -> {outcome}"
                )
                if not denied:
                    failures.append(f"{check.function} {check.sid}: run '{scenario}' without it was not denied")
            if result and summary["end_state"] == "WorkflowFailed":  # the denial is in the failed task's cause
                assert "not authorized to perform" in json.dumps(result.history, default=str), summary
        shown.extend(_api_route_permissions_are_necessary(workflow))
        print("\n".join(shown))
        print(f"necessity suite: {len(shown)} statements shown necessary in {runs} runs, {time.monotonic() - started:.0f} s")
        assert not failures, failures
        assert len(shown) >= len(roles) * 2  # every role has at least two statements its runs need


@dataclass(frozen=True)
class Check:
    """One statement to prove necessary: removed, the run that needs it must be denied."""

    function: str
    role: str
    sid: str
    statement: dict
    scenario: str
    alone: bool = False


def _next_batch(pending: list[Check]) -> list[Check]:
    """The next run's removals, taken out of ``pending``: the first check and, run by the same
    scenario, one statement of each other role whose denial the run gets past. A denial that
    fails the run would hide every later request, so a run proves at most one such statement.
    With one statement per role a denial names the statement removed; a run that never starts
    (the rule's or the state machine's role), one that waits at the approval (the callback's) and
    a check that needs a run of its own go alone."""
    first = pending.pop(0)

    def alone(check: Check) -> bool:
        return check.alone or check.function in ("state_machine", "approval_callback") or check.function.startswith("rule:")

    batch = [first]
    if not alone(first):
        for check in list(pending):
            if (
                check.scenario == first.scenario
                and not alone(check)
                and _the_run_goes_on_without(check)
                and check.role not in {c.role for c in batch}
            ):
                batch.append(check)
                pending.remove(check)
    return batch


def _the_run_goes_on_without(check: Check) -> bool:
    """Whether the workflow is built to get past this statement's denial, so that it cannot hide
    another removal's: a pre-review check ends 'missing', an agent's model falls back to the
    smaller one. Only a guess for packing runs; a wrong one costs a run of its own, not a result."""
    return check.function in ("agent_compliance", "citation_check") or (
        check.function.startswith("agent_") and check.sid.startswith("InvokeAgent")
    )


def _statement(documents: list, sid: str) -> dict:
    return next(s for doc in documents for s in doc["Statement"] if s.get("Sid") == sid)


def _remove(iam, role: str, sid: str) -> tuple[str, dict]:
    """Take one statement out of the role's deployed policy, as an apply of the changed Terraform
    would; return the policy's name and document, to put back."""
    policy_name, original = _policy_holding(iam, role, sid)
    narrowed = {**original, "Statement": [s for s in original["Statement"] if s.get("Sid") != sid]}
    if narrowed["Statement"]:
        iam.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps(narrowed))
    else:  # its only statement: a policy must have one, so the policy goes
        iam.delete_role_policy(RoleName=role, PolicyName=policy_name)
    return policy_name, original


def _grants(statement: dict, decision: dict) -> bool:
    from scripts.offline.iam_policy import Request

    return statement_applies({**statement, "Condition": {}}, Request(decision["action"], decision["resource"]))


def _scenario_needing(function: str, role: str, documents: list, sid: str, baseline: dict) -> str:
    for name, (_, decisions) in baseline.items():
        for use in statement_uses(function, role, documents, decisions):
            if use.sid == sid and use.needed_by:
                return name
    raise AssertionError(f"{function} {sid}: needed by the runs together but by no single run")


def _policy_holding(iam, role: str, sid: str) -> tuple[str, dict]:
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        document = json.loads(document) if isinstance(document, str) else document
        if any(s.get("Sid") == sid for s in document["Statement"]):
            return name, document
    raise AssertionError(f"{role}: no inline policy holds {sid}")


def _api_route_permissions_are_necessary(workflow) -> list[str]:
    """The callback's resource policy: modules/approvals lets apigateway.amazonaws.com invoke it for
    each route of the approval API (`AllowApprovalApiGet`, `AllowApprovalApiPost`, scoped by
    source ARN). Without one, API Gateway answers that route 500 and the approval never arrives."""
    functions, name = workflow.client("lambda"), workflow.deployment.functions["approval_callback"]
    statements = {
        s["Sid"]: s
        for s in json.loads(functions.get_policy(FunctionName=name)["Policy"])["Statement"]
        if s.get("Principal") == {"Service": "apigateway.amazonaws.com"}
    }
    assert set(statements) == {"AllowApprovalApiGet", "AllowApprovalApiPost"}, statements
    shown = []
    for sid, statement in statements.items():
        source_arn = statement["Condition"]["ArnLike"]["AWS:SourceArn"]
        functions.remove_permission(FunctionName=name, StatementId=sid)
        try:
            result, _ = run(workflow, "approved", timeout_s=APPROVAL_WAIT_S)
        finally:
            functions.add_permission(
                FunctionName=name,
                StatementId=sid,
                Action="lambda:InvokeFunction",
                Principal="apigateway.amazonaws.com",
                SourceArn=source_arn,
            )
        summary = result.summary
        assert 500 in summary["reviewer_http_statuses"], summary
        assert (summary["status"], summary["end_state"]) == ("ABORTED", "RequestApproval"), summary
        shown.append(
            f"approval_callback {sid}: run 'approved' answered {sorted(set(summary['reviewer_http_statuses']))} -> ABORTED"
        )
    after, _ = run(workflow, "approved")
    assert after.summary["end_state"] == "Published"  # restored: the links work again
    return shown
