"""Fixtures for the Terraform gates (helpers live in tfhcl.py)."""

from __future__ import annotations

import pytest

from tests.terraform import tfhcl


@pytest.fixture(params=tfhcl.ENVIRONMENTS)
def env(request) -> str:
    return request.param


@pytest.fixture
def env_values(env) -> dict:
    return tfhcl.environment_values(env)
