"""Monthly cost of an environment, before you deploy it: `make cost` or `python -m scripts.cost_estimate`.

Sizing comes from envs/<env>.tfvars (workflows per month, sources per run, the agent model per role,
Map concurrency, log levels, retention), what tfvars don't hold from scripts/cost_assumptions.json
(tokens per agent call, durations, artifact sizes, cache hit ratio, revisions), and every price from
scripts/pricing/us-east-1.json. Step Functions transitions, Lambda invocations and the events the
state machine puts are not guessed: the rendered state machine definition is walked for a run with
N sources, R revisions a reviewer asks for and P revisions the pre-review's blocking findings start.

    python -m scripts.cost_estimate --env team            # one table
    python -m scripts.cost_estimate --compare             # pilot, team, bu beside the seed's figures
    python -m scripts.cost_estimate --env bu --json --what-if summary_model=nova-micro cache_hit_ratio=0.5
    python -m scripts.cost_estimate --run out/demo/summary.json   # what an offline run would have cost
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import operator
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from scripts import hcl, terraform_values

PRICES_FILE = Path(__file__).resolve().parent / "pricing" / "us-east-1.json"
ASSUMPTIONS_FILE = Path(__file__).resolve().parent / "cost_assumptions.json"
ROLES = ("search", "summary", "writer", "reviser", "compliance")
LINES = (
    "step_functions", *(f"bedrock_{role}" for role in ROLES), "knowledge_base", "lambda", "dynamodb", "s3",
    "eventbridge", "sns", "cloudwatch_logs", "cloudwatch_metrics", "kms_and_secrets",
)  # fmt: skip
TFVARS_KEYS = (
    "workflows_per_month", "sources_per_run", "agent_model_ids", "fallback_model_ids", "map_max_concurrency", "max_revisions",
    "powertools_log_level", "sfn_log_level", "log_retention_in_days", "search_cache_ttl_seconds",
    "point_in_time_recovery", "artifact_intermediate_retention_days", "monthly_budget_usd", "lambda_architecture",
)  # fmt: skip


# --- inputs --------------------------------------------------------------------------------------


@cache
def load_prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _load_assumptions_file(path: Path = ASSUMPTIONS_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def price(key: str) -> float:
    return load_prices()["prices"][key]["usd"]


def model_id(name: str) -> str:
    """A model ID, or the alias the price file gives it (`haiku`, `nova-micro`)."""
    models = load_prices()["models"]
    if name in models:
        return name
    for model, spec in models.items():
        if spec.get("alias") == name:
            return model
    known = ", ".join(sorted(spec["alias"] for spec in models.values()))
    raise ValueError(f"no price for model {name!r} (aliases: {known})")


def model_price(name: str) -> tuple[float, float]:
    spec = load_prices()["models"][model_id(name)]
    return spec["input_usd_per_1k"], spec["output_usd_per_1k"]


def function_sizing(env: str) -> dict[str, dict[str, Any]]:
    """Memory and timeout per function, as the root stack sizes them (`local.function_sizing`)."""
    return terraform_values.stack_values(env)["function_sizing"]


def inputs(env: str, what_if: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the estimate uses: tfvars sizing + assumptions (env overrides applied) + what-ifs."""
    tfvars = hcl.environment_values(env)
    data = _load_assumptions_file()
    values = copy.deepcopy(data["defaults"])
    values.update(copy.deepcopy(data["environments"].get(env, {})))
    values.update({key: copy.deepcopy(tfvars[key]) for key in TFVARS_KEYS})
    for key, value in (what_if or {}).items():
        _apply_what_if(values, key, value)
    require_every_role(env, values)
    values["agent_model_ids"] = {role: model_id(m) for role, m in values["agent_model_ids"].items()}
    values["fallback_model_ids"] = {role: model_id(m) for role, m in values["fallback_model_ids"].items()}
    values["function_memory_mb"] = {fn: sizing["memory"] for fn, sizing in function_sizing(env).items()}
    return values


def require_every_role(env: str, values: dict[str, Any]) -> None:
    """Every role is priced on its env's own models: a role missing from the tfvars is an error, not a default."""
    for key in ("agent_model_ids", "fallback_model_ids"):
        missing = [role for role in ROLES if role not in values[key]]
        if missing:
            raise ValueError(f"envs/{env}.tfvars: {key} has no model for {', '.join(missing)}")


def _apply_what_if(values: dict[str, Any], key: str, value: Any) -> None:
    if key.endswith("_model") and key.removesuffix("_model") in ROLES:
        values["agent_model_ids"][key.removesuffix("_model")] = model_id(str(value))
        return
    *parents, leaf = key.split(".")
    node = values
    for part in parents:
        node = node[part]
    if leaf not in node:
        raise KeyError(f"--what-if {key}: no such assumption (try one of {', '.join(sorted(values))} or <role>_model)")
    node[leaf] = value


def parse_what_if(pairs: list[str]) -> dict[str, Any]:
    result = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep:
            raise ValueError(f"--what-if expects key=value, got {pair!r}")
        try:
            result[key.strip()] = json.loads(text)
        except json.JSONDecodeError:
            result[key.strip()] = text
    return result


# --- one run, counted on the real definition -----------------------------------------------------


@dataclass
class RunCounts:
    """States entered (what Standard bills), Lambda invocations and the EventBridge entries the
    state machine puts (events:putEvents tasks) of one execution."""

    transitions: float = 0
    map_item_transitions: float = 0
    invocations: Counter = field(default_factory=Counter)
    events_put: float = 0


_COMPARE = {
    "StringEquals": operator.eq, "NumericEquals": operator.eq, "BooleanEquals": operator.eq,
    "NumericGreaterThan": operator.gt, "NumericGreaterThanEquals": operator.ge,
    "NumericLessThan": operator.lt, "NumericLessThanEquals": operator.le,
}  # fmt: skip


def _lookup(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.removeprefix("$.").split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _literal(state: dict[str, Any]) -> dict[str, Any]:
    """What a Pass state writes, as far as it is constant (`Result`, or the non-path keys of `Parameters`)."""
    if "Result" in state:
        return copy.deepcopy(state["Result"])
    return {key: value for key, value in state.get("Parameters", {}).items() if not key.endswith(".$")}


def _matches(rule: dict[str, Any], data: dict[str, Any]) -> bool:
    if "And" in rule:
        return all(_matches(r, data) for r in rule["And"])
    if "Or" in rule:
        return any(_matches(r, data) for r in rule["Or"])
    if "Not" in rule:
        return not _matches(rule["Not"], data)
    for name, compare in _COMPARE.items():
        if name in rule:
            value = _lookup(data, rule["Variable"])
            if value is None:  # a Choice on a field the walk does not model would count a path silently
                raise ValueError(f"Choice rule reads {rule['Variable']}, which no state the cost model follows sets")
            return compare(value, rule[name])
    raise ValueError(f"Choice rule not supported by the cost model: {rule}")


def walk(
    definition: dict[str, Any], sources: int, revisions: int, functions: dict[str, str], pre_review_revisions: int = 0
) -> RunCounts:
    """Follow the happy path of one execution: N sources found, the first P draft versions with
    blocking pre-review findings, R rejections by the reviewer, then approval.

    Each step's effect on the state follows design.md ("each step adds one small object"): the
    task writing `$.search` finds N sources, `$.draft` bumps the version, a task writing
    `$.approval` takes the next reviewer decision, a Pass writing it sets what it says (the
    pre-review's "revise"), and the state writing `$.review` (the pre-review's Parallel) reports
    the next draft's blocking findings. Choice states are evaluated on that state, so a changed
    definition changes the count. Parallel branches all run; only their happy path is followed.
    `functions` maps a Lambda ARN to its function key.
    """
    decisions = iter(["reject"] * revisions + ["approve"])
    data: dict[str, Any] = {}
    counts = RunCounts()
    reviews = 0

    def review() -> dict[str, Any]:
        nonlocal reviews
        reviews += 1
        blocking = 1 if reviews <= pre_review_revisions else 0
        return {"blocking": blocking, "compliance": {"blocking": blocking}, "citations": {"blocking": 0}}

    def run(states: dict[str, Any], start: str, weight: int, in_map: bool) -> None:
        name, steps = start, 0
        while name:
            steps += 1
            if steps > 10_000:
                raise ValueError("the walk does not terminate")
            state = states[name]
            counts.transitions += weight
            counts.map_item_transitions += weight if in_map else 0
            function = functions.get(str(state.get("Parameters", {}).get("FunctionName")))
            if function:
                counts.invocations[function] += weight
            if state.get("Resource", "").startswith("arn:aws:states:::events:putEvents"):
                counts.events_put += weight * len(state["Parameters"]["Entries"])
            kind = state["Type"]
            if kind == "Map":
                processor = state.get("ItemProcessor") or state["Iterator"]
                run(processor["States"], processor["StartAt"], weight * sources, True)
            elif kind == "Parallel":
                for branch in state["Branches"]:
                    run(branch["States"], branch["StartAt"], weight, in_map)
            elif kind == "Choice":
                name = next((r["Next"] for r in state["Choices"] if _matches(r, data)), state.get("Default"))
                continue
            result_path = state.get("ResultPath")
            if result_path == "$.search":
                data["search"] = {"source_count": sources}
            elif result_path == "$.draft":
                data["draft"] = {"version": _lookup(data, "$.draft.version") + 1 if "draft" in data else 1}
            elif result_path == "$.approval":
                data["approval"] = _literal(state) if kind == "Pass" else {"decision": next(decisions)}
            elif result_path == "$.review":
                data["review"] = review()
            name = None if kind in ("Succeed", "Fail") or state.get("End") else state["Next"]

    run(definition["States"], definition["StartAt"], 1, False)
    if reviews < pre_review_revisions:
        raise ValueError(
            f"{pre_review_revisions} pre-review revisions asked for, but the definition pre-reviewed {reviews} drafts"
        )
    return counts


@cache
def _definition(env: str) -> tuple[dict[str, Any], dict[str, str]]:
    return terraform_values.definition(env), terraform_values.function_arns(env)


def run_counts(env: str, sources: int, revisions: float, pre_review_revisions: float = 0) -> RunCounts:
    """RunCounts for `env`'s definition; a fractional R or P interpolates between the whole runs around it."""
    definition, functions = _definition(env)
    mixed = RunCounts()
    for r, r_share in _whole_runs(revisions):
        for p, p_share in _whole_runs(pre_review_revisions):
            counts, share = walk(definition, sources, r, functions, p), r_share * p_share
            mixed.transitions += share * counts.transitions
            mixed.map_item_transitions += share * counts.map_item_transitions
            mixed.events_put += share * counts.events_put
            for key, value in counts.invocations.items():
                mixed.invocations[key] += share * value
    return mixed


def _whole_runs(average: float) -> list[tuple[int, float]]:
    """The whole counts around `average` and their shares: 1.2 -> [(1, 0.8), (2, 0.2)]."""
    low = math.floor(average)
    share = average - low
    return [(low, 1.0)] if share == 0 else [(low, 1 - share), (low + 1, share)]


# --- pricing -------------------------------------------------------------------------------------


def bedrock_cost(model: str, input_tokens: float, output_tokens: float) -> float:
    in_price, out_price = model_price(model)
    return (input_tokens * in_price + output_tokens * out_price) / 1000


def agent_calls(values: dict[str, Any], counts: RunCounts) -> dict[str, float]:
    """Bedrock calls per run and role; a search-cache hit skips the search agent."""
    hit = values["cache_hit_ratio"] if values["search_cache_ttl_seconds"] > 0 else 0.0
    calls = {role: counts.invocations[f"agent_{role}"] for role in ROLES}
    calls["search"] *= 1 - hit
    return calls


def tokens_per_call(values: dict[str, Any], role: str, sources: int) -> tuple[float, float]:
    spec = values["tokens"][role]
    return spec["input"] + spec.get("input_per_source", 0) * sources, spec["output"]


def breakdown(values: dict[str, Any], counts: RunCounts) -> dict[str, float]:
    """Monthly USD per line for the sizing in `values` and one run's `counts`."""
    runs, n = values["workflows_per_month"], values["sources_per_run"]
    drafts = counts.invocations["agent_writer"] + counts.invocations["agent_reviser"]  # draft versions
    revises = counts.invocations["agent_reviser"]  # for the reviewer or for the pre-review's findings
    checks = {fn: counts.invocations[fn] for fn in values["s3_reads_per_check"]}  # one findings file each
    lines: dict[str, float] = {}

    # Step Functions: states entered, minus the free tier; optionally the Map segment on Express.
    transitions = counts.transitions
    express = 0.0
    if values["express_map_segment"]:
        transitions -= counts.map_item_transitions
        waves = math.ceil(n / values["map_max_concurrency"])
        seconds = math.ceil(waves * values["lambda_duration_s"]["agent_summary"] * 10) / 10
        express = runs * (price("step_functions.express_request") + seconds * 0.0625 * price("step_functions.express_gb_second"))
    free = load_prices()["prices"]["step_functions.standard_transition"]["free_per_month"]
    lines["step_functions"] = max(0.0, runs * transitions - free) * price("step_functions.standard_transition") + express

    # Bedrock tokens per role, at the role's model.
    calls = agent_calls(values, counts)
    for role in ROLES:
        tokens_in, tokens_out = tokens_per_call(values, role, n)
        lines[f"bedrock_{role}"] = runs * calls[role] * bedrock_cost(values["agent_model_ids"][role], tokens_in, tokens_out)

    # Knowledge base: the query embeddings of the search agent's retrievals (the vector store is not ours).
    queries = runs * calls["search"] * values["kb_retrievals_per_search"]
    lines["knowledge_base"] = bedrock_cost(values["embedding_model"], queries * values["kb_query_tokens"], 0)

    # Lambda: requests and GB-seconds per function; the callback runs on GET and POST of each approval.
    approvals = counts.invocations["approval_request"]
    invocations = dict(counts.invocations)
    invocations["approval_callback"] = approvals * values["callback_invocations_per_approval"]
    memory = values["function_memory_mb"]
    gb_seconds = sum(count * values["lambda_duration_s"][fn] * memory[fn] / 1024 for fn, count in invocations.items())
    total_invocations = sum(invocations.values())
    duration_price = price("lambda.gb_second_arm64" if values["lambda_architecture"] == "arm64" else "lambda.gb_second")
    lines["lambda"] = runs * (total_invocations * price("lambda.request") + gb_seconds * duration_price)

    # DynamoDB on demand: records, artifact index, idempotency records, approvals; storage and PITR.
    ddb = values["dynamodb"]
    # sources.json, N sources, N summaries, the drafts, a findings file per check, the report
    s3_objects = 2 + 2 * n + drafts + sum(checks.values())
    agent_invocations = sum(counts.invocations[f"agent_{role}"] for role in ROLES)
    writes = ddb["writes_per_run"] + s3_objects + ddb["writes_per_agent_call"] * agent_invocations
    writes += ddb["writes_per_approval"] * approvals
    reads = ddb["reads_per_run"] + agent_invocations + ddb["reads_per_approval"] * approvals
    stored_gb = runs * ddb["stored_kb_per_run"] * ddb["months_kept"] / 1024**2
    storage = stored_gb * (
        price("dynamodb.storage_gb_month") + (price("dynamodb.pitr_gb_month") if values["point_in_time_recovery"] else 0)
    )
    lines["dynamodb"] = (
        runs * (writes * price("dynamodb.write_request_unit") + reads * price("dynamodb.read_request_unit")) + storage
    )

    # S3: PutObject + PutObjectTagging per artifact, reads per design.md's layout, storage by retention.
    kb = values["artifact_kb"]
    # summaries read a source each, the writer the index and the summaries, each revision the draft,
    # its comments or findings and the summaries, each check what it reads, publish the last draft
    gets = n + (1 + n) + revises * (2 + n) + 1
    gets += sum(count * values["s3_reads_per_check"][fn] for fn, count in checks.items())
    intermediate_kb = kb["index"] + n * (kb["source"] + kb["summary"]) + drafts * kb["draft"]
    intermediate_kb += sum(checks.values()) * kb["findings"]
    stored_gb = (
        runs
        * (
            intermediate_kb * values["artifact_intermediate_retention_days"] / 30
            + kb["report"] * values["published_storage_months"]
        )
        / 1024**2
    )
    lines["s3"] = runs * (2 * s3_objects * price("s3.put_request") + gets * price("s3.get_request")) + stored_gb * price(
        "s3.standard_gb_month"
    )

    # EventBridge: WorkflowRequested (the caller's), what the state machine puts (SourcesGathered,
    # DraftWritten and DraftReviewed per draft), ApprovalRequested per approval, ReportPublished.
    # SNS: one e-mail per approval.
    events = 1 + counts.events_put + approvals + counts.invocations["publish"]
    lines["eventbridge"] = runs * events * price("eventbridge.custom_event")
    lines["sns"] = runs * approvals * (price("sns.publish_request") + price("sns.email_notification"))

    # CloudWatch Logs: function logs by log level, EMF lines, execution log by its level; stored for the retention.
    per_run_kb = total_invocations * (
        values["log_kb_per_invocation"][values["powertools_log_level"]] + values["emf_kb_per_invocation"]
    )
    per_run_kb += counts.transitions * values["sfn_log_kb_per_transition"][values["sfn_log_level"]]
    ingested_gb = runs * per_run_kb / 1024**2
    stored_gb = ingested_gb * values["log_retention_in_days"] / 30
    lines["cloudwatch_logs"] = ingested_gb * price("cloudwatch.logs_ingestion_gb") + stored_gb * price(
        "cloudwatch.logs_storage_gb_month"
    )

    # CloudWatch metrics, alarms, dashboard (fixed per month).
    lines["cloudwatch_metrics"] = (
        (values["custom_metrics"] + values["pre_review_custom_metrics"]) * price("cloudwatch.custom_metric_month")
        + (values["alarm_metrics"] + values["pre_review_alarm_metrics"]) * price("cloudwatch.alarm_metric_month")
        + values["dashboards"] * price("cloudwatch.dashboard_month")
    )

    # KMS key and requests; the signing secret and its reads.
    lines["kms_and_secrets"] = (
        price("kms.key_month")
        + runs * values["kms_requests_per_run"] * price("kms.request")
        + price("secretsmanager.secret_month")
        + runs * approvals * values["secret_reads_per_approval"] * price("secretsmanager.api_call")
    )
    return lines


def estimate(env: str, what_if: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON the CLI prints for one environment."""
    values = inputs(env, what_if)
    # Revisions for the pre-review and for the reviewer share the draft-version budget (max_revisions).
    pre_review = min(values["pre_review_revisions_per_run"], values["max_revisions"])
    revisions = min(values["revisions_per_run"], values["max_revisions"] - pre_review)
    counts = run_counts(env, values["sources_per_run"], revisions, pre_review)
    lines = breakdown(values, counts)
    total = sum(lines.values())
    return {
        "env": env,
        "monthly_usd": round(total, 2),
        "per_1000_runs_usd": round(total / values["workflows_per_month"] * 1000, 2),
        "breakdown": {line: round(usd, 2) for line, usd in sorted(lines.items(), key=lambda kv: -kv[1])},
        "assumptions": {
            **values,
            "transitions_per_run": round(counts.transitions, 2),
            "lambda_invocations_per_run": {k: round(v, 2) for k, v in sorted(counts.invocations.items())},
            "events_put_by_the_state_machine_per_run": round(counts.events_put, 2),
        },
    }


def baseline_what_if(env: str) -> dict[str, Any]:
    """Every role on the large model, no search cache: what the default optimisations are measured against."""
    large = _load_assumptions_file()["baseline_model"]
    return {**{f"{role}_model": large for role in ROLES}, "cache_hit_ratio": 0.0}


def savings(env: str) -> dict[str, float]:
    """Monthly USD the env's optimisations save against the all-large-model, no-cache baseline."""
    actual = estimate(env)["monthly_usd"]
    baseline = estimate(env, baseline_what_if(env))["monthly_usd"]
    return {"baseline_usd": baseline, "estimate_usd": actual, "saved_usd": round(baseline - actual, 2)}


def seed_figures() -> dict[str, float]:
    return dict(_load_assumptions_file()["seed_monthly_usd"])


def seed_models(env: str) -> dict[str, str]:
    """The agent model per role the seed priced the env with (the seed had no compliance agent)."""
    return dict(_load_assumptions_file()["seed_models"][env])


# The seed had no pre-review: no compliance agent, no revisions for its findings, none of its metrics and alarms.
NO_PRE_REVIEW = {
    "tokens.compliance.input": 0, "tokens.compliance.output": 0, "pre_review_revisions_per_run": 0,
    "pre_review_custom_metrics": 0, "pre_review_alarm_metrics": 0,
}  # fmt: skip


def seed_what_if(env: str) -> dict[str, Any]:
    """The seed's models and the seed's agents: the calibration of tokens and volumes is checked
    against the seed's figures with these, whatever models the env runs today. What the seed did
    not have is left out as far as the model can: the compliance agent's tokens, the revisions its
    findings start, the pre-review's metrics and alarms (its states, Lambda time, findings files and
    events stay in: the definition walked is today's; about 0.1 % of a total)."""
    return {**{f"{role}_model": model for role, model in seed_models(env).items()}, **NO_PRE_REVIEW}


def pre_review_cost(env: str) -> float:
    """Monthly USD of the pre-review as far as the model separates it: the compliance agent's
    tokens, the revisions its blocking findings start, its metrics and alarms (its transitions,
    Lambda time and storage, about 0.1 % of a total, are not separated)."""
    return round(estimate(env)["monthly_usd"] - estimate(env, NO_PRE_REVIEW)["monthly_usd"], 2)


def run_token_costs(env: str, tokens: dict[str, dict[str, dict[str, float]]]) -> dict[str, dict[str, Any]]:
    """A run's tokens per role and path (`agent`: InvokeAgent on the role's agent model; `fallback`:
    Converse on its fallback model) priced with the env's models: {role: {path: {model, input,
    output, usd}}}."""
    values = inputs(env)
    models = {"agent": values["agent_model_ids"], "fallback": values["fallback_model_ids"]}
    priced: dict[str, dict[str, Any]] = {}
    for role, paths in sorted(tokens.items()):
        for path, used in sorted(paths.items()):
            if role not in ROLES or path not in models:
                raise ValueError(f"run tokens: unknown role/path {role}/{path}")
            model = models[path][role]
            usd = bedrock_cost(model, used.get("input", 0), used.get("output", 0))
            priced.setdefault(role, {})[path] = {**used, "model": model, "usd": round(usd, 6)}
    return priced


def execution_cost(env: str, state_transitions: int, tokens: dict[str, dict[str, dict[str, float]]]) -> float:
    """Cost of one real execution: its transitions at the Standard rate and its tokens at the env's
    agent and fallback models (no free tier, no Lambda/storage: those are cents per thousand runs)."""
    priced = run_token_costs(env, tokens)
    bedrock = sum(path["usd"] for paths in priced.values() for path in paths.values())
    return round(state_transitions * price("step_functions.standard_transition") + bedrock, 6)


def run_cost(summary: dict[str, Any]) -> dict[str, Any]:
    """What one offline run (its summary.json) would have cost on AWS, with the same price table,
    and what that run repeated `workflows_per_month` times would cost a month."""
    for key in ("env", "state_transitions", "tokens"):
        if key not in summary:
            raise ValueError(f"not a run summary: it has no {key!r} (write one with `make demo` or local_run --out)")
    env, transitions = summary["env"], summary["state_transitions"]
    per_run = execution_cost(env, transitions, summary["tokens"])
    workflows = inputs(env)["workflows_per_month"]
    return {
        "env": env,
        "workflow_id": summary.get("workflow_id"),
        "end_state": summary.get("end_state"),
        "state_transitions": transitions,
        "step_functions_usd": round(transitions * price("step_functions.standard_transition"), 6),
        "bedrock": run_token_costs(env, summary["tokens"]),
        "per_run_usd": per_run,
        "workflows_per_month": workflows,
        "monthly_if_every_run_were_this_usd": round(per_run * workflows, 2),
    }


# --- output --------------------------------------------------------------------------------------


def _table(results: list[dict[str, Any]], compare: bool):
    from rich.table import Table

    seeds = seed_figures()
    table = Table(title="Monthly cost estimate (USD, us-east-1 list prices)", show_footer=False)
    table.add_column("line")
    for result in results:
        table.add_column(result["env"], justify="right")
    for line in LINES:
        table.add_row(line, *(f"{r['breakdown'][line]:,.2f}" for r in results))
    table.add_section()
    table.add_row("[bold]total / month", *(f"[bold]{r['monthly_usd']:,.2f}" for r in results))
    table.add_row("per 1,000 runs", *(f"{r['per_1000_runs_usd']:,.2f}" for r in results))
    table.add_row(
        "largest line",
        *(
            f"{max(r['breakdown'], key=r['breakdown'].get)} {max(r['breakdown'].values()) / r['monthly_usd']:.0%}"
            for r in results
        ),
    )
    if compare:
        table.add_section()
        table.add_row("seed's figure (no pre-review)", *(f"{seeds[r['env']]:,.0f}" for r in results))
        at_seed = [estimate(r["env"], seed_what_if(r["env"]))["monthly_usd"] for r in results]
        table.add_row("seed's models, no pre-review *", *(f"{usd:,.2f}" for usd in at_seed))
        table.add_row(
            "seed's models vs seed", *(f"{usd / seeds[r['env']] - 1:+.1%}" for usd, r in zip(at_seed, results, strict=True))
        )
        table.add_row("today's pre-review", *(f"{pre_review_cost(r['env']):,.2f}" for r in results))
        table.add_row("today's models vs seed", *(f"{r['monthly_usd'] / seeds[r['env']] - 1:+.1%}" for r in results))
        saved = [savings(r["env"]) for r in results]
        table.add_row("all-large, no-cache baseline", *(f"{s['baseline_usd']:,.2f}" for s in saved))
        table.add_row("saved by defaults", *(f"{s['saved_usd']:,.2f}" for s in saved))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Estimate the monthly AWS cost of an environment from envs/<env>.tfvars, "
        "scripts/cost_assumptions.json and scripts/pricing/us-east-1.json."
    )
    parser.add_argument("--env", default="pilot", help="pilot, team or bu (default pilot)")
    parser.add_argument("--compare", action="store_true", help="pilot, team and bu side by side, beside the seed's figures")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--what-if", nargs="+", default=[], metavar="KEY=VALUE",
        help="re-price with one or more assumptions changed: summary_model=haiku, cache_hit_ratio=0.5, "
        "express_map_segment=true, workflows_per_month=5000, tokens.writer.output=3000",
    )  # fmt: skip
    parser.add_argument(
        "--run", type=Path, metavar="SUMMARY_JSON",
        help="price one offline run from its summary.json (its env, transitions and the tokens Bedrock reported)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.run is not None:
        return _print_run_cost(args.run, args.json)
    try:
        what_if = parse_what_if(args.what_if)
        envs = list(hcl.ENVIRONMENTS) if args.compare else [args.env]
        results = [estimate(env, what_if) for env in envs]
    except (hcl.UnknownEnvironment, KeyError, ValueError) as error:
        print(f"error: {error.args[0] if isinstance(error, KeyError) else error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results if args.compare else results[0], indent=2, default=str))
        return 0
    from rich.console import Console

    console = Console(width=max(100, Console().width))
    console.print(_table(results, args.compare and not what_if))
    if args.compare and not what_if:
        console.print(
            "* The seed had no pre-review (compliance agent, citation check). Its figures are compared without the "
            "compliance agent's tokens, the revisions its findings start and its metrics and alarms (`today's pre-review`, "
            "in today's total); the pre-review's transitions, Lambda time and events (0.1 % of a total) stay in both."
        )
    if what_if:
        base = [estimate(env) for env in envs]
        for before, after in zip(base, results, strict=True):
            delta = after["monthly_usd"] - before["monthly_usd"]
            console.print(
                f"{after['env']}: what-if {args.what_if} changes {before['monthly_usd']:,.2f} -> {after['monthly_usd']:,.2f} ({delta:+,.2f}/month)"
            )
    console.print(
        "Bedrock tokens dominate; prices marked unverified in scripts/pricing/us-east-1.json are best-known list prices."
    )
    return 0


def _print_run_cost(path: Path, as_json: bool) -> int:
    try:
        result = run_cost(json.loads(path.read_text(encoding="utf-8")))
    except OSError as error:
        print(f"error: cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        print(f"error: {path} is not a run summary: {error}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(result, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Run {result['workflow_id']} on {result['env']} ({result['end_state']}), priced at list prices (USD)")
    for column, justify in (
        ("line", "left"),
        ("model", "left"),
        ("input tokens", "right"),
        ("output tokens", "right"),
        ("USD", "right"),
    ):
        table.add_column(column, justify=justify)
    for role, paths in result["bedrock"].items():
        for path_name, used in paths.items():
            table.add_row(
                f"bedrock {role} ({path_name})", used["model"], f"{used['input']:,}", f"{used['output']:,}", f"{used['usd']:.6f}"
            )
    table.add_row(
        f"step functions ({result['state_transitions']} transitions)", "", "", "", f"{result['step_functions_usd']:.6f}"
    )
    table.add_section()
    table.add_row("[bold]this run", "", "", "", f"[bold]{result['per_run_usd']:.6f}")
    table.add_row(
        f"× {result['workflows_per_month']:,} runs a month", "", "", "", f"{result['monthly_if_every_run_were_this_usd']:,.2f}"
    )
    Console().print(table)
    print(
        "Tokens are what the local model reported (about 4 characters a token); a real model's differ. Lambda, storage and logs are left out."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
