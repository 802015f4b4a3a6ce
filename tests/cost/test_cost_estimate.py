"""The cost model: reproduces the seed's figures, counts transitions on the real definition, keeps
prices in data, and its what-ifs move the numbers the right way."""

from __future__ import annotations

import ast
import json
import re

import pytest

from scripts import cost_estimate, hcl, terraform_values

ENVS = hcl.ENVIRONMENTS
PRICES = cost_estimate.load_prices()


@pytest.mark.parametrize("env", ENVS)
def test_with_the_seeds_models_the_estimate_lands_within_15_percent_of_the_seed_figure(env):
    seed = cost_estimate.seed_figures()[env]
    estimate = cost_estimate.estimate(env, cost_estimate.seed_what_if(env))["monthly_usd"]
    assert abs(estimate / seed - 1) <= 0.15, f"{env}: estimate {estimate} vs seed {seed}"


@pytest.mark.parametrize("env", ENVS)
def test_the_seed_models_are_end_of_life_and_the_environments_run_none_of_them(env):
    from scripts.offline.bedrock_catalog import catalogue

    seed_models = {cost_estimate.model_id(m) for m in cost_estimate.seed_models(env).values()}
    assert all(catalogue().models[m].lifecycle == "EOL" for m in seed_models)
    running = set(hcl.environment_values(env)["agent_model_ids"].values()) | set(
        hcl.environment_values(env)["fallback_model_ids"].values()
    )
    assert not running & seed_models


@pytest.mark.parametrize("env", ENVS)
def test_budget_limit_covers_the_estimate_and_at_most_twice_it(env):
    budget = hcl.environment_values(env)["monthly_budget_usd"]
    estimate = cost_estimate.estimate(env)["monthly_usd"]
    assert estimate <= budget <= 2 * estimate, f"{env}: budget {budget}, estimate {estimate}"


@pytest.mark.parametrize("env", ENVS)
def test_bedrock_tokens_dominate_the_bill(env):
    breakdown = cost_estimate.estimate(env)["breakdown"]
    tokens = sum(usd for line, usd in breakdown.items() if line.startswith("bedrock_"))
    # Over three quarters even in the pilot, whose fixed ~$15 of metrics weighs most on a small bill.
    assert tokens / sum(breakdown.values()) > 0.75


@pytest.mark.parametrize("env", ENVS)
def test_json_has_the_documented_shape(env, capsys):
    assert cost_estimate.main(["--env", env, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"env", "monthly_usd", "per_1000_runs_usd", "breakdown", "assumptions"}
    assert set(result["breakdown"]) == set(cost_estimate.LINES)
    assert result["assumptions"]["sources_per_run"] == hcl.environment_values(env)["sources_per_run"]
    assert result["per_1000_runs_usd"] == pytest.approx(
        result["monthly_usd"] / result["assumptions"]["workflows_per_month"] * 1000, rel=0.001
    )


def test_compare_prints_the_three_envs_beside_the_seed(capsys):
    assert cost_estimate.main(["--compare"]) == 0
    out = capsys.readouterr().out
    for env in ENVS:
        assert env in out
    assert "seed's figure" in out and "8,200" in out and "saved by defaults" in out
    assert "today's pre-review" in out and "The seed had no pre-review" in out  # says what the comparison leaves out


@pytest.mark.parametrize("env", ENVS)
def test_the_seed_comparison_leaves_out_the_compliance_agent_the_seed_did_not_have(env):
    assert "compliance" not in cost_estimate.seed_models(env)
    at_seed = cost_estimate.estimate(env, cost_estimate.seed_what_if(env))
    today = cost_estimate.estimate(env)
    assert at_seed["breakdown"]["bedrock_compliance"] == 0 < today["breakdown"]["bedrock_compliance"]
    revisions = at_seed["assumptions"]["revisions_per_run"]  # the reviewer's alone: no revisions for findings
    assert at_seed["assumptions"]["lambda_invocations_per_run"]["agent_reviser"] == pytest.approx(revisions)


@pytest.mark.parametrize("env", ENVS)
def test_todays_pre_review_is_the_compliance_tokens_the_revisions_they_start_and_their_metrics(env):
    today = cost_estimate.estimate(env)
    without = cost_estimate.estimate(env, cost_estimate.NO_PRE_REVIEW)
    reviser = today["breakdown"]["bedrock_reviser"] - without["breakdown"]["bedrock_reviser"]
    metrics = today["breakdown"]["cloudwatch_metrics"] - without["breakdown"]["cloudwatch_metrics"]
    assert reviser > 0 and metrics > 0
    separated = today["breakdown"]["bedrock_compliance"] + reviser + metrics
    assert cost_estimate.pre_review_cost(env) == pytest.approx(separated, abs=0.05 + 0.002 * today["monthly_usd"])


def test_every_role_needs_an_agent_and_a_fallback_model_in_the_tfvars():
    four_roles = {role: "haiku" for role in ("search", "summary", "writer", "reviser")}
    with pytest.raises(ValueError, match="agent_model_ids has no model for compliance"):
        cost_estimate.require_every_role("team", {"agent_model_ids": four_roles, "fallback_model_ids": four_roles})
    every_role = {role: "haiku" for role in cost_estimate.ROLES}
    with pytest.raises(ValueError, match="fallback_model_ids has no model for compliance"):
        cost_estimate.require_every_role("team", {"agent_model_ids": every_role, "fallback_model_ids": four_roles})
    cost_estimate.require_every_role("team", {"agent_model_ids": every_role, "fallback_model_ids": every_role})


@pytest.mark.parametrize("env", ENVS)
def test_the_compliance_agent_runs_on_the_envs_own_model(env):
    values = cost_estimate.inputs(env)
    assert values["agent_model_ids"]["compliance"] == hcl.environment_values(env)["agent_model_ids"]["compliance"]
    assert values["fallback_model_ids"]["compliance"] == hcl.environment_values(env)["fallback_model_ids"]["compliance"]


# --- transitions on the real definition -----------------------------------------------------------


def pilot_walk(sources, revisions, pre_review_revisions=0):
    definition, functions = cost_estimate._definition("pilot")
    return cost_estimate.walk(definition, sources, revisions, functions, pre_review_revisions)


# What every draft version passes through: AnnounceDraftWritten, PreReview (Parallel) with its two
# branches CheckCompliance and CheckCitations, AnnounceDraftReviewed, CheckFindings.
PRE_REVIEW_STATES = 6


def test_a_published_run_enters_ten_states_plus_the_pre_review_plus_one_per_source():
    # ValidateInput, Search, HaveSources, AnnounceSourcesGathered, SummarizeSources (+N items),
    # WriteDraft, the pre-review, RequestApproval, CheckDecision, Publish, Published
    assert pilot_walk(8, 0).transitions == 10 + PRE_REVIEW_STATES + 8


def test_each_revision_adds_revise_the_pre_review_of_its_draft_approval_and_decision():
    assert pilot_walk(8, 2).transitions - pilot_walk(8, 0).transitions == 2 * (3 + PRE_REVIEW_STATES)


def test_each_pre_review_revision_adds_revise_for_findings_revise_and_the_pre_review_of_its_draft():
    assert pilot_walk(8, 0, 1).transitions - pilot_walk(8, 0).transitions == 2 + PRE_REVIEW_STATES
    assert pilot_walk(8, 1, 2).transitions - pilot_walk(8, 1).transitions == 2 * (2 + PRE_REVIEW_STATES)


def test_every_draft_version_is_pre_reviewed_once_and_announced_twice():
    counts = pilot_walk(5, 1, 1)  # the writer's draft, a revision for findings, one for the reviewer
    assert counts.invocations["agent_writer"] + counts.invocations["agent_reviser"] == 3
    assert counts.invocations["agent_compliance"] == counts.invocations["citation_check"] == 3
    assert counts.events_put == 1 + 2 * 3  # SourcesGathered, then DraftWritten and DraftReviewed per draft


def test_a_revision_for_findings_asks_no_reviewer():
    counts = pilot_walk(5, 1, 1)
    assert counts.invocations["approval_request"] == 2  # the reviewer saw the second and third draft only
    assert counts.invocations["publish"] == 1


def test_findings_past_max_revisions_go_to_the_reviewer():
    max_revisions = hcl.environment_values("pilot")["max_revisions"]
    counts = pilot_walk(4, 0, max_revisions + 1)
    assert counts.invocations["agent_reviser"] == max_revisions  # the last draft goes to the reviewer with its findings
    assert counts.invocations["approval_request"] == 1 and counts.invocations["publish"] == 1


def test_more_pre_review_revisions_than_the_definition_pre_reviews_is_an_error():
    definition, functions = cost_estimate._definition("pilot")
    without_pre_review = {
        "StartAt": "WriteDraft",
        "States": {
            "WriteDraft": {"Type": "Pass", "ResultPath": "$.draft", "Next": "Published"},
            "Published": {"Type": "Succeed"},
        },
    }
    assert cost_estimate.walk(without_pre_review, 3, 0, functions).transitions == 2
    with pytest.raises(ValueError, match="pre-reviewed 0 drafts"):
        cost_estimate.walk(without_pre_review, 3, 0, functions, 1)


def test_a_choice_on_a_field_the_walk_does_not_model_is_an_error():
    definition = {
        "StartAt": "Decide",
        "States": {
            "Decide": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.review.advisory", "NumericGreaterThan": 0, "Next": "Done"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    with pytest.raises(ValueError, match=r"reads \$.review.advisory"):
        cost_estimate.walk(definition, 3, 0, {})


def test_rejecting_past_max_revisions_ends_in_revision_limit():
    max_revisions = hcl.environment_values("pilot")["max_revisions"]
    counts = pilot_walk(4, max_revisions + 1)
    # the last rejection goes RecordRevisionLimit -> RevisionLimitReached instead of Publish -> Published
    assert counts.invocations["on_failure"] == 1 and counts.invocations["publish"] == 0


def test_walk_counts_lambda_invocations_per_function():
    counts = pilot_walk(5, 1)
    assert counts.invocations["agent_summary"] == 5
    assert counts.invocations["agent_reviser"] == 1
    assert counts.invocations["approval_request"] == 2
    assert counts.invocations["agent_compliance"] == counts.invocations["citation_check"] == 2


def test_fractional_revisions_interpolate():
    one, two = cost_estimate.run_counts("team", 12, 1), cost_estimate.run_counts("team", 12, 2)
    half = cost_estimate.run_counts("team", 12, 1.5)
    assert half.transitions == pytest.approx((one.transitions + two.transitions) / 2)


def test_fractional_pre_review_revisions_interpolate_beside_the_reviewers():
    corners = {(r, p): cost_estimate.run_counts("team", 12, r, p) for r in (1, 2) for p in (0, 1)}
    mixed = cost_estimate.run_counts("team", 12, 1.5, 0.1)
    share = {0: 0.9, 1: 0.1}  # P = 0.1 between whole runs with 0 and 1; R = 1.5 half 1, half 2
    expected = sum(0.5 * share[p] * counts.invocations["agent_compliance"] for (_, p), counts in corners.items())
    assert mixed.invocations["agent_compliance"] == pytest.approx(expected) == pytest.approx(1 + 1.5 + 0.1)


@pytest.mark.parametrize("env", ENVS)
def test_the_compliance_agent_is_called_once_per_draft_version(env):
    result = cost_estimate.estimate(env)
    values, calls = result["assumptions"], result["assumptions"]["lambda_invocations_per_run"]
    drafts = 1 + values["revisions_per_run"] + values["pre_review_revisions_per_run"]
    assert calls["agent_compliance"] == calls["citation_check"] == pytest.approx(drafts)
    assert calls["agent_reviser"] == pytest.approx(drafts - 1)
    tokens_in, tokens_out = cost_estimate.tokens_per_call(values, "compliance", values["sources_per_run"])
    per_call = cost_estimate.bedrock_cost(values["agent_model_ids"]["compliance"], tokens_in, tokens_out)
    expected = values["workflows_per_month"] * drafts * per_call
    assert result["breakdown"]["bedrock_compliance"] == pytest.approx(expected, abs=0.01)


def test_more_pre_review_revisions_cost_more_reviser_and_compliance_tokens():
    before = cost_estimate.estimate("team")["breakdown"]
    after = cost_estimate.estimate("team", {"pre_review_revisions_per_run": 0.5})["breakdown"]
    assert after["bedrock_reviser"] > before["bedrock_reviser"] and after["bedrock_compliance"] > before["bedrock_compliance"]
    assert after["step_functions"] > before["step_functions"]


def test_pre_review_and_reviewer_revisions_share_max_revisions():
    max_revisions = hcl.environment_values("team")["max_revisions"]
    result = cost_estimate.estimate("team", {"pre_review_revisions_per_run": 2, "revisions_per_run": 2})
    assert result["assumptions"]["lambda_invocations_per_run"]["agent_reviser"] == max_revisions
    assert result["assumptions"]["lambda_invocations_per_run"]["publish"] == 1  # still a published run


def test_every_function_the_stack_deploys_has_a_duration_and_every_agent_function_is_a_priced_role():
    functions = set(terraform_values.stack_values("pilot")["function_packages"])
    assumptions = json.loads(cost_estimate.ASSUMPTIONS_FILE.read_text(encoding="utf-8"))["defaults"]
    assert set(assumptions["lambda_duration_s"]) == functions
    assert set(assumptions["s3_reads_per_check"]) <= functions
    assert {key.removeprefix("agent_") for key in functions if key.startswith("agent_")} == set(cost_estimate.ROLES)
    assert set(assumptions["tokens"]) == set(cost_estimate.ROLES)


def test_free_tier_covers_the_pilot_transitions():
    assert cost_estimate.estimate("pilot")["breakdown"]["step_functions"] == 0


# --- prices live in data --------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(PRICES["prices"]))
def test_every_price_names_its_unit_source_date_and_verification(key):
    spec = PRICES["prices"][key]
    assert spec["usd"] >= 0 and spec["unit"] and spec["source"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", spec["retrieved"]) and isinstance(spec["verified"], bool)


@pytest.mark.parametrize("model", sorted(PRICES["models"]))
def test_every_model_price_names_its_source_date_and_verification(model):
    spec = PRICES["models"][model]
    assert spec["input_usd_per_1k"] >= 0 and spec["alias"] and spec["source"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", spec["retrieved"]) and isinstance(spec["verified"], bool)


def test_price_file_states_its_region():
    assert PRICES["region"] == "us-east-1" and PRICES["currency"] == "USD"


@pytest.mark.parametrize("env", ENVS)
def test_every_agent_model_of_every_env_has_a_price(env):
    for model in hcl.environment_values(env)["agent_model_ids"].values():
        assert model in PRICES["models"]


def test_terraform_token_prices_equal_the_price_file():
    default = hcl.labelled_blocks(hcl.ROOT_STACK, "variable")["bedrock_token_prices_usd_per_1k"]["default"]
    for model, spec in default.items():
        assert (spec["input"], spec["output"]) == cost_estimate.model_price(model), model


def test_the_code_holds_no_price_constants():
    tree = ast.parse((hcl.REPO_ROOT / "scripts" / "cost_estimate.py").read_text(encoding="utf-8"))
    literals = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, float)}
    prices = {spec["usd"] for spec in PRICES["prices"].values()} - {0.0, 1.0}
    prices |= {spec[k] for spec in PRICES["models"].values() for k in ("input_usd_per_1k", "output_usd_per_1k")} - {0.0}
    assert not literals & prices, f"prices written in the code: {literals & prices}"


# --- what-ifs -------------------------------------------------------------------------------------


def test_what_if_a_small_summary_model_saves_on_the_pilot():
    before = cost_estimate.estimate("pilot")
    after = cost_estimate.estimate("pilot", {"summary_model": "haiku"})
    assert after["breakdown"]["bedrock_summary"] < before["breakdown"]["bedrock_summary"] / 5
    assert after["assumptions"]["agent_model_ids"]["summary"] == "global.anthropic.claude-haiku-5-5"


def test_arm64_functions_cost_a_fifth_less_per_gb_second_than_x86_64():
    arm = cost_estimate.estimate("bu")
    x86 = cost_estimate.estimate("bu", {"lambda_architecture": "x86_64"})
    assert arm["assumptions"]["lambda_architecture"] == "arm64"  # the root stack's default
    assert arm["breakdown"]["lambda"] < x86["breakdown"]["lambda"]
    ratio = cost_estimate.price("lambda.gb_second_arm64") / cost_estimate.price("lambda.gb_second")
    assert ratio == pytest.approx(0.8, abs=0.001)


def test_what_if_a_higher_cache_hit_ratio_cuts_search_cost():
    before = cost_estimate.estimate("team")["breakdown"]["bedrock_search"]
    after = cost_estimate.estimate("team", {"cache_hit_ratio": 0.5})["breakdown"]["bedrock_search"]
    assert after == pytest.approx(before * 0.5 / 0.75, rel=0.01)


def test_a_disabled_cache_ignores_the_hit_ratio():
    off = cost_estimate.estimate("team", {"search_cache_ttl_seconds": 0, "cache_hit_ratio": 0.9})
    baseline = cost_estimate.estimate("team", {"cache_hit_ratio": 0.0})
    assert off["breakdown"]["bedrock_search"] == baseline["breakdown"]["bedrock_search"]


def test_what_if_express_for_the_map_segment_moves_item_transitions_off_standard():
    after = cost_estimate.estimate("bu", {"express_map_segment": True})["breakdown"]["step_functions"]
    assert after < cost_estimate.estimate("bu")["breakdown"]["step_functions"]


def test_debug_logging_costs_more_than_info():
    info = cost_estimate.estimate("bu")["breakdown"]["cloudwatch_logs"]
    debug = cost_estimate.estimate("bu", {"powertools_log_level": "DEBUG"})["breakdown"]["cloudwatch_logs"]
    assert debug > info


def test_dotted_what_if_reaches_nested_assumptions():
    after = cost_estimate.estimate("team", {"tokens.writer.output": 1000})
    assert after["breakdown"]["bedrock_writer"] < cost_estimate.estimate("team")["breakdown"]["bedrock_writer"]


def test_cli_what_if_prints_the_change(capsys):
    assert cost_estimate.main(["--env", "pilot", "--what-if", "summary_model=haiku"]) == 0
    assert "changes" in capsys.readouterr().out


@pytest.mark.parametrize("pair", ["nope=1", "summary_model=gpt-9", "no-equals-sign"])
def test_bad_what_if_exits_2(pair, capsys):
    assert cost_estimate.main(["--env", "team", "--what-if", pair]) == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize("env", ["team", "bu"])
def test_default_optimisations_save_against_the_all_large_no_cache_baseline(env):
    result = cost_estimate.savings(env)
    assert result["saved_usd"] > 0.3 * result["baseline_usd"]


def test_execution_cost_prices_transitions_agent_tokens_and_fallback_tokens_at_their_own_models():
    agent_only = cost_estimate.execution_cost("pilot", 1000, {"writer": {"agent": {"input": 1000, "output": 1000}}})
    sonnet = cost_estimate.model_price("sonnet")
    assert agent_only == pytest.approx(1000 * 0.000025 + sonnet[0] + sonnet[1])  # the writer's agent model (Sonnet)
    with_fallback = cost_estimate.execution_cost(
        "pilot", 1000, {"writer": {"agent": {"input": 1000, "output": 1000}, "fallback": {"input": 1000, "output": 1000}}}
    )
    haiku = cost_estimate.model_price("haiku")
    assert with_fallback - agent_only == pytest.approx(haiku[0] + haiku[1])  # the writer's fallback model


def test_a_run_summary_is_priced_and_projected_over_the_envs_monthly_runs(tmp_path):
    summary = {
        "env": "team",
        "workflow_id": "wf-1",
        "end_state": "Published",
        "state_transitions": 40,
        "tokens": {"summary": {"agent": {"input": 4000, "output": 400}}, "search": {"fallback": {"input": 100, "output": 10}}},
    }
    priced = cost_estimate.run_cost(summary)
    assert priced["per_run_usd"] == cost_estimate.execution_cost("team", 40, summary["tokens"])
    assert priced["bedrock"]["search"]["fallback"]["model"] == cost_estimate.inputs("team")["fallback_model_ids"]["search"]
    assert priced["monthly_if_every_run_were_this_usd"] == round(
        priced["per_run_usd"] * cost_estimate.inputs("team")["workflows_per_month"], 2
    )
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary))
    assert cost_estimate.main(["--run", str(path), "--json"]) == 0
    path.write_text(json.dumps({"env": "team"}))
    assert cost_estimate.main(["--run", str(path)]) == 2  # not a run summary: one line, exit 2


@pytest.mark.parametrize("env", ENVS)
def test_readme_cost_table_shows_the_current_estimate_and_seed(env):
    readme = (hcl.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| `{env}` \| ~\$([\d,]+) \| \$([\d,]+) \([^)]*\) \| \$([\d,]+) \| \$([\d,]+) \|", readme, re.M)
    assert row, f"README cost table has no row for {env}"
    seed, at_seed, shown, pre_review = (float(v.replace(",", "")) for v in row.groups())
    assert seed == cost_estimate.seed_figures()[env]
    assert at_seed == round(cost_estimate.estimate(env, cost_estimate.seed_what_if(env))["monthly_usd"])
    assert shown == round(cost_estimate.estimate(env)["monthly_usd"]), "re-run make cost and update the README table"
    assert pre_review == round(cost_estimate.pre_review_cost(env))
