"""Fixtures for every test directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def session_shared_dir(tmp_path_factory) -> Path:
    """A folder of this test session that every pytest-xdist worker sees (each worker's own base
    temp is a subfolder of the run's), for work the workers share instead of each doing it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


# The IAM necessity suite is the longest test of `make test-deploy` and runs one workflow at a
# time, so it bounds the whole run; the other deployment gates have minutes to spare beside it.
# On a machine with fewer cores than tests they yield the CPU to it: it runs first, in a worker of
# its own, and every other deploy_gate test lowers its worker's priority (and so that of the
# Terraform, checkov and account processes it starts). Nothing changes for `make test`.
LONGEST_DEPLOYMENT_GATE = "tests/deploy/test_iam_necessity.py"
YIELDING_NICENESS = 10


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_DEPLOYMENT_GATE))


@pytest.fixture(autouse=True)
def _deployment_gates_yield_to_the_longest(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("deploy_gate") is None or request.node.nodeid.startswith(LONGEST_DEPLOYMENT_GATE):
        return
    current = os.nice(0)
    if current < YIELDING_NICENESS:
        os.nice(YIELDING_NICENESS - current)
