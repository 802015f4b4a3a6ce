"""Configuration: REQUIRED_ENV matches docs/design.md, and a missing variable fails loudly by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lambda_helpers import agent_env
from workflow_core.config import ConfigError, load_config

from scripts.package_lambdas import required_env

REPO = Path(__file__).resolve().parents[2]
FUNCTION_PACKAGES = {
    "validate_input": "validate_input",
    "agent_search": "agent",
    "approval_request": "approval_request",
    "approval_callback": "approval_callback",
    "publish": "publish",
    "on_failure": "on_failure",
}


def design_env_vars() -> dict[str, tuple[str, ...]]:
    """The env-var column of the 'Lambda functions' table in docs/design.md."""
    table: dict[str, tuple[str, ...]] = {}
    for line in (REPO / "docs" / "design.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and "ENVIRONMENT" in cells[2]:
            names = re.findall(r"`([A-Z_]+)(?:=[a-z]+)?`", cells[2])
            table[cells[0].strip("`")] = tuple(names)
    return table


@pytest.mark.parametrize("function_key", sorted(FUNCTION_PACKAGES))
def test_required_env_matches_the_design_contract(function_key: str) -> None:
    assert required_env(FUNCTION_PACKAGES[function_key]) == design_env_vars()[function_key]


def test_load_config_names_every_missing_variable() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(("ENVIRONMENT", "WORKFLOW_TABLE", "EVENT_BUS_NAME"), environ={"ENVIRONMENT": "test", "EVENT_BUS_NAME": " "})
    assert str(raised.value).startswith("missing required environment variable(s): WORKFLOW_TABLE, EVENT_BUS_NAME (")


def test_load_config_rejects_a_non_integer_setting() -> None:
    config = load_config(("MAX_SOURCES_LIMIT",), environ={"MAX_SOURCES_LIMIT": "many"})
    with pytest.raises(ConfigError, match="MAX_SOURCES_LIMIT must be an integer"):
        config.int("MAX_SOURCES_LIMIT")


def test_agent_handler_import_fails_naming_the_missing_variable(resources, load_handler, monkeypatch) -> None:
    env = {k: v for k, v in agent_env("search").items() if k != "SEARCH_CACHE_TABLE"}
    monkeypatch.delenv("SEARCH_CACHE_TABLE", raising=False)
    with pytest.raises(ConfigError, match="SEARCH_CACHE_TABLE"):
        load_handler("agent", **env)


def test_agent_handler_rejects_an_unknown_role(resources, load_handler) -> None:
    with pytest.raises(ConfigError, match="AGENT_ROLE must be one of search, summary, writer, reviser"):
        load_handler("agent", **{**agent_env("search"), "AGENT_ROLE": "critic"})


def test_approval_callback_import_fails_without_the_signing_secret(resources, load_handler, monkeypatch) -> None:
    monkeypatch.delenv("SIGNING_SECRET_ARN", raising=False)
    with pytest.raises(ConfigError, match="SIGNING_SECRET_ARN"):
        load_handler("approval_callback", ENVIRONMENT="test", WORKFLOW_TABLE="t")
