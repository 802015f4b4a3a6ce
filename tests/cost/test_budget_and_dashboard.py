"""Budgets and alarms warn on drift, and the dashboard reads the metrics the handlers really emit."""

from __future__ import annotations

import re

import pytest

from scripts import cost_estimate, hcl

BUDGET = hcl.MODULES_DIR / "budget"
MONITORING = hcl.MODULES_DIR / "monitoring"
OBSERVABILITY = (hcl.REPO_ROOT / "lambda_src" / "workflow_core" / "observability.py").read_text(encoding="utf-8")
EMITTED = set(re.findall(r'add_metric\(name="([A-Za-z]+)"', OBSERVABILITY))


def resource(directory, kind, name):
    for block in hcl.load_directory(directory)["resource"]:
        if kind in block and name in block[kind]:
            return block[kind][name]
    raise KeyError(f"{kind}.{name} not in {directory}")


def root_module(name):
    return hcl.labelled_blocks(hcl.ROOT_STACK, "module")[name]


def test_root_budget_takes_the_env_limit_the_stack_tag_and_the_ops_topic():
    budget = root_module("budget")
    assert budget["monthly_limit_usd"] == "${var.monthly_budget_usd}"
    assert budget["cost_filter_tag"] == {"key": "stack", "value": "${local.prefix}"}
    assert budget["notification_topic_arns"] == ["${module.monitoring.ops_topic_arn}"]
    assert root_module("monitoring")["budget_notifications"] is True  # the topic admits Budgets


def test_the_stack_tag_the_budget_filters_on_is_a_default_tag():
    providers = hcl.load_file(hcl.ROOT_STACK / "providers.tf")["provider"][0]["aws"]
    assert providers["default_tags"][0]["tags"]["stack"] == "${local.prefix}"


def test_bedrock_alarm_prices_the_token_metrics_the_handlers_emit():
    assert {"InputTokens", "OutputTokens"} <= EMITTED
    alarm = resource(BUDGET, "aws_cloudwatch_metric_alarm", "bedrock_spend")
    text = str(alarm)
    assert '"InputTokens"' in text and '"OutputTokens"' in text
    assert hcl.labelled_blocks(BUDGET, "variable")["bedrock_spend"]["type"]
    assert 'namespace      = optional(string, "ResearchReport")' in (BUDGET / "variables.tf").read_text(encoding="utf-8")


def test_root_alarm_names_the_exact_emf_dimensions_of_each_agent():
    # alarms cannot SEARCH: the dimensions must equal the EMF ones (role, environment, Powertools' service)
    text = (hcl.ROOT_STACK / "main.tf").read_text(encoding="utf-8")
    assert 'role => { role = role, environment = var.environment, service = "agent_${role}" } }' in text
    assert text.count("local.agent_metric_dimensions") == 2  # the spend alarm and the fallback alarm
    assert 'wanted = {"role": role, "environment": environment}' in OBSERVABILITY
    assert "POWERTOOLS_SERVICE_NAME      = key" in text  # service = function key, e.g. agent_summary


def test_monitoring_metric_names_are_the_ones_the_handlers_emit():
    defaults = (MONITORING / "variables.tf").read_text(encoding="utf-8")
    names = set(re.findall(r'optional\(string, "([A-Za-z]+)"\)', defaults[defaults.index('variable "agent_metric_names"') :]))
    assert names and names <= EMITTED, names - EMITTED


def test_dashboard_shows_the_four_effectiveness_metrics():
    text = (MONITORING / "main.tf").read_text(encoding="utf-8")
    assert '"ExecutionTime"' in text and 'stat = "p50"' in text and 'stat = "p90"' in text  # completion time
    assert "agent_metric_names.invocations" in text and "agent_metric_names.latency" in text  # utilisation
    assert "agent_metric_names.retries" in text  # retry counts
    assert "USD per execution" in text and "ExecutionsStarted" in text and "transitions_per_execution" in text  # cost


def test_root_dashboard_plots_every_agent_role_and_watches_every_function():
    # The module plots the roles of fallback_alarm.role_dimensions and token_prices_usd_per_1k
    # (both per agent role of the stack) unless agent_roles lists them: a list here would go stale.
    monitoring = root_module("monitoring")
    assert "agent_roles" not in monitoring
    assert monitoring["fallback_alarm"]["role_dimensions"] == "${local.agent_metric_dimensions}"
    assert "for key, fn in module.functions : key => fn.function_name" in monitoring["lambda_function_names"]


def test_root_dashboard_gets_token_prices_and_transitions():
    monitoring = root_module("monitoring")
    assert monitoring["token_prices_usd_per_1k"] == "${local.agent_token_prices}"
    assert monitoring["transitions_per_execution"] == "${var.transitions_per_execution}"


@pytest.mark.parametrize("env", hcl.ENVIRONMENTS)
def test_tfvars_transitions_per_execution_is_the_models_count(env):
    model = cost_estimate.estimate(env)["assumptions"]["transitions_per_run"]
    assert hcl.environment_values(env)["transitions_per_execution"] == round(model)


def test_transition_price_default_equals_the_price_file():
    default = hcl.labelled_blocks(MONITORING, "variable")["transition_price_usd"]["default"]
    assert default == cost_estimate.price("step_functions.standard_transition")


def test_monitoring_no_longer_owns_a_budget():
    assert "aws_budgets_budget" not in (MONITORING / "main.tf").read_text(encoding="utf-8")
