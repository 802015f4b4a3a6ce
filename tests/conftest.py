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
