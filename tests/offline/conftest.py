"""One embedded account per test session, with the pilot deployed into it by `terraform apply`.

`make test` starts the account and that apply before the Terraform gates, so both go on at once:
OFFLINE_TEST_WORK_DIR names its folder, every pytest worker connects to that one account and waits
for the apply there. Runs in it are independent executions, possibly at the same time on two
workers: what a test reads of a run is that execution's own (its invocations, events, mail).
Without OFFLINE_TEST_WORK_DIR each worker starts and deploys an account of its own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from scripts import package_lambdas
from scripts.offline import account as accounts
from scripts.offline.runtime import DEFAULT_DIST, OfflineWorkflow

# The prompts the embedded model reads are written by the handlers' own code (workflow_core).
LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
if str(LAMBDA_SRC) not in sys.path:
    sys.path.insert(0, str(LAMBDA_SRC))


@pytest.fixture(scope="session")
def dist() -> Path:
    """The zips Terraform deploys, built by the real packaging code (deterministic: an unchanged
    package keeps its hash, so a warm deployment is not re-applied)."""
    package_lambdas.build_all(DEFAULT_DIST)
    return DEFAULT_DIST


@pytest.fixture(scope="session")
def offline_dir(tmp_path_factory) -> Path:
    """The session's work folder, laid out as out/offline/ is: account/ and deployments/."""
    prepared = os.environ.get("OFFLINE_TEST_WORK_DIR")
    return Path(prepared) if prepared else tmp_path_factory.mktemp("offline")


# Three pytest workers run their workflows in the session's one account at once, more than the
# pilot is sized for, and every test's model calls draw on the same Bedrock quotas: a deployment
# gives this account this many times the quotas its environment is sized for
# (tests/offline/test_bedrock_quotas.py and make test-deploy's burst test the quotas themselves).
SHARED_ACCOUNT_QUOTA_FACTOR = 50


@pytest.fixture(scope="session")
def account(offline_dir):
    client = accounts.connect(offline_dir / "account") or accounts.start(offline_dir / "account")
    client.control("PUT", "bedrock", {"sized_quota_factor": SHARED_ACCOUNT_QUOTA_FACTOR})
    yield client
    client.close()  # stops only an account this session started


@pytest.fixture(scope="session")
def workflow(account, dist, offline_dir):
    """The pilot, applied into the session's account; runs share it (and its search cache)."""
    with OfflineWorkflow(env="pilot", dist=dist, account=account, work_dir=offline_dir) as deployed:
        yield deployed
