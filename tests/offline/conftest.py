"""Fixtures for runs of the whole workflow in moto."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import package_lambdas
from scripts.offline.runtime import OfflineWorkflow


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """Zips built by the real packaging code, so tests never run stale `make package` output."""
    target = tmp_path_factory.mktemp("dist")
    package_lambdas.build_all(target)
    return target


@pytest.fixture(scope="module")
def workflow(dist, tmp_path_factory):
    """The pilot deployment with the shipped corpus; runs in one module share it (and its cache)."""
    with OfflineWorkflow(env="pilot", dist=dist, work_dir=tmp_path_factory.mktemp("offline")) as deployed:
        yield deployed
