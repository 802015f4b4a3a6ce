"""Fresh embedded accounts for the deployment gates (`make test-deploy`): each test gets its own
account process, applies into it with Terraform, and stops it at the end."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scripts import package_lambdas
from scripts.bench_local import synthetic_corpus
from scripts.offline import account as accounts
from scripts.offline.deploy import StackDeployer
from scripts.offline.runtime import DEFAULT_DIST


@pytest.fixture(scope="session", autouse=True)
def dist() -> Path:
    package_lambdas.build_all(DEFAULT_DIST)
    return DEFAULT_DIST


@pytest.fixture
def fresh_account(tmp_path: Path) -> Iterator[accounts.AccountClient]:
    client = accounts.start(tmp_path / "account")
    yield client
    client.close()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """Enough passages for the largest run (200 sources on bu)."""
    return synthetic_corpus(tmp_path_factory.mktemp("corpus"), passages=250)


@pytest.fixture
def tear_down() -> Callable[..., None]:
    return remove_environment


def remove_environment(deployer: StackDeployer, *buckets: str) -> None:
    """What a user does to remove an environment: lift the tables' deletion protection (team and bu
    enable it), empty the versioned buckets (Terraform never deletes reports or your documents),
    destroy."""
    deployer.variables["deletion_protection"] = False
    deployer.apply()
    s3 = deployer.account.client("s3")
    # Emptying the library makes the indexer write an (empty) index again: empty until nothing comes back.
    for _ in range(20):
        left = 0
        for bucket in buckets:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                versions = page.get("Versions", []) + page.get("DeleteMarkers", [])
                left += len(versions)
                if versions:
                    s3.delete_objects(
                        Bucket=bucket, Delete={"Objects": [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]}
                    )
        if not left:
            break
        time.sleep(1.0)
    deployer.destroy()
