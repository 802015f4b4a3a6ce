"""envs/<env>.tfvars as data: only declared keys, no secrets, sized pilot <= team <= bu. Terraform itself checks
them against the validations (terraform/tests/<env>.tftest.hcl runs each file)."""

from __future__ import annotations

import pytest

from tests.terraform import tfhcl

ROOT_VARIABLES = tfhcl.labelled(tfhcl.ROOT_STACK, "variable")
SMALL_MODEL_MARKERS = ("haiku", "nova-micro", "nova-lite", "mistral-small", "llama3-8b")


def test_every_tfvars_key_is_a_declared_variable(env):
    unknown = set(tfhcl.tfvars(env)) - set(ROOT_VARIABLES)
    assert not unknown, f"envs/{env}.tfvars sets undeclared variables {sorted(unknown)}"


def test_summary_uses_a_small_model(env_values):
    model = env_values["fallback_model_ids"]["summary"]
    assert any(marker in model for marker in SMALL_MODEL_MARKERS), model


def test_tfvars_hold_no_secret_looking_values(env):
    text = (tfhcl.ENVS_DIR / f"{env}.tfvars").read_text(encoding="utf-8").lower()
    for marker in ("secret_value", "password", "aws_secret_access_key", "signing_key ="):
        assert marker not in text


def ordered(key):
    values = [tfhcl.environment_values(e) for e in tfhcl.ENVIRONMENTS]
    return [key(v) for v in values]


@pytest.mark.parametrize(
    "label,key",
    [
        ("map_max_concurrency", lambda v: v["map_max_concurrency"]),
        ("workflows_per_month", lambda v: v["workflows_per_month"]),
        ("monthly_budget_usd", lambda v: v["monthly_budget_usd"]),
        ("sources_per_run", lambda v: v["sources_per_run"]),
        ("reserved_concurrency.agent", lambda v: v["reserved_concurrency"]["agent"]),
        ("reserved_concurrency.approval", lambda v: v["reserved_concurrency"]["approval"]),
        ("reserved_concurrency.control", lambda v: v["reserved_concurrency"]["control"]),
        ("log_retention_in_days", lambda v: v["log_retention_in_days"]),
        ("max_sources_limit", lambda v: v["max_sources_limit"]),
    ],
)
def test_environments_grow_from_pilot_to_bu(label, key):
    pilot, team, bu = ordered(key)
    assert pilot <= team <= bu, f"{label}: pilot {pilot}, team {team}, bu {bu}"


def test_sizing_matches_the_issue():
    assert ordered(lambda v: v["map_max_concurrency"]) == [2, 5, 10]
    assert ordered(lambda v: v["workflows_per_month"]) == [100, 2000, 20000]
    assert ordered(lambda v: v["sources_per_run"]) == [8, 12, 16]


def test_bu_allows_the_500_source_benchmark():
    # scripts/bench_local.py runs 8/50/200/500 sources on bu
    assert tfhcl.environment_values("bu")["max_sources_limit"] >= 500


@pytest.mark.parametrize("env_name", tfhcl.ENVIRONMENTS)
def test_backend_example_uses_s3_locking(env_name):
    text = (tfhcl.ENVS_DIR / f"{env_name}.backend.hcl.example").read_text(encoding="utf-8")
    parsed = tfhcl.load_text(text)
    assert parsed.get("use_lockfile") is True or "dynamodb_table" in parsed
    assert parsed.get("encrypt") is True
    assert env_name in parsed["key"]


def test_the_deployments_tenant_follows_the_rule_a_requests_tenant_does():
    # One tenant rule: the tenant tag Terraform accepts is a tenant validate_input accepts, and the
    # events that carry it document the same pattern.
    import json
    import re

    variable = ROOT_VARIABLES["tenant"]
    condition = tfhcl.unwrap(variable["validation"][0]["condition"])
    terraform_rule = re.search(r'regex\("(.*)", var\.tenant\)', condition).group(1).replace("\\\\", "\\")
    handler = (tfhcl.REPO_ROOT / "lambda_src" / "validate_input" / "handler.py").read_text(encoding="utf-8")
    handler_rule = re.search(r'^TENANT = re\.compile\(r"(.*)"\)$', handler, re.MULTILINE).group(1)
    assert terraform_rule == handler_rule
    for schema_file in sorted((tfhcl.REPO_ROOT / "docs" / "events").glob("*.schema.json")):
        text = json.dumps(json.loads(schema_file.read_text(encoding="utf-8")))
        for pattern in re.findall(r'"tenant": \{[^{}]*"pattern": "((?:[^"\\]|\\.)*)"', text):
            assert json.loads(f'"{pattern}"') == handler_rule, schema_file.name


# The Powertools release in each public layer version the stack may default to. Read 2026-12-03
# from the Powertools repository (aws-powertools/powertools-lambda-python issue 7689: version 27 of
# the python3.x layers was published with 3.23.0 on 2025-11-13). A new default needs its row.
POWERTOOLS_RELEASE_OF_LAYER = {27: "3.23.0"}


def test_the_deployed_powertools_layer_holds_the_release_the_tests_run():
    import re

    from aws_lambda_powertools.shared.version import VERSION

    pinned = re.search(r"^aws-lambda-powertools==(\S+)$", (tfhcl.REPO_ROOT / "requirements-dev.txt").read_text(), re.MULTILINE)
    example = tfhcl.labelled(tfhcl.REPO_ROOT / "examples" / "consumer", "variable")
    cdktn = (tfhcl.REPO_ROOT / "examples" / "cdktn_consumer" / "main.py").read_text(encoding="utf-8")
    layer = ROOT_VARIABLES["powertools_layer_version"]["default"]
    assert example["powertools_layer_version"]["default"] == layer
    assert f'"powertools_layer_version": {layer},' in cdktn
    assert pinned and POWERTOOLS_RELEASE_OF_LAYER[layer] == pinned.group(1) == VERSION


def test_the_stacks_version_is_the_changelogs():
    """Resources are tagged with the release they were deployed from: the latest released version,
    or the next one with -dev while changes wait under [Unreleased]."""
    import re

    changelog = (tfhcl.REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    released = [tuple(int(n) for n in s.split(".")) for s in sections if re.fullmatch(r"\d+\.\d+\.\d+", s)]
    default = ROOT_VARIABLES["workflow_version"]["default"]
    if sections[0] == "Unreleased":
        assert default.endswith("-dev"), default
        assert tuple(int(n) for n in default.removesuffix("-dev").split(".")) > max(released)
    else:
        assert default == sections[0]
    for env in ("pilot", "team", "bu"):
        assert "workflow_version" not in tfhcl.tfvars(env), f"envs/{env}.tfvars pins an old release"
