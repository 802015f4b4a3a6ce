"""The custom checkov policies in policies/: each one fires on its failing fixture, none fires on the
compliant fixture, and all of them pass on the root stack of every environment."""

from __future__ import annotations

import re

import pytest

from tests.terraform import tfhcl

FIXTURES = tfhcl.REPO_ROOT / "tests" / "policies" / "fixtures"
CONFIG = tfhcl.REPO_ROOT / "tests" / "policies" / "checkov.yaml"  # not quiet: passed checks are listed


def custom_check_ids() -> list[str]:
    ids = set()
    for path in tfhcl.POLICIES_DIR.glob("*.py"):
        ids.update(re.findall(r'"(CKV2?_RR_\d+)"', path.read_text(encoding="utf-8")))
    for path in tfhcl.POLICIES_DIR.glob("*.yaml"):
        ids.update(re.findall(r'id: "(CKV2?_RR_\d+)"', path.read_text(encoding="utf-8")))
    return sorted(ids)


CHECK_IDS = custom_check_ids()


def custom_only(*args: str) -> tuple[dict, int]:
    """checkov with only the custom checks and no quiet mode (passed checks are reported too)."""
    return tfhcl.run_checkov("--config-file", str(CONFIG), *args, "--check", ",".join(CHECK_IDS))


@pytest.fixture(scope="module")
def failing_report() -> dict:
    report, _ = custom_only("-d", str(FIXTURES / "failing"))
    return report


def results(report: dict, kind: str) -> list[dict]:
    return report["results"].get(kind, []) if isinstance(report.get("results"), dict) else []


def test_the_issue_policies_all_exist():
    # state machines (3), IAM (3), EventBridge/SQS/SNS (3), Lambda (3), approval endpoint (1)
    assert len(CHECK_IDS) == 13, CHECK_IDS


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_policy_fires_on_its_failing_fixture(failing_report, check_id):
    fired = {c["resource"].split(".")[-1] for c in results(failing_report, "failed_checks") if c["check_id"] == check_id}
    own = {name for name in fired if name.startswith(check_id.lower())}
    assert own, f"{check_id} did not fail on its fixture resource in tests/policies/fixtures/failing (failed on: {sorted(fired)})"


def test_every_failing_fixture_resource_is_caught_by_its_own_policy(failing_report):
    caught = {(c["check_id"].lower(), c["resource"].split(".")[-1]) for c in results(failing_report, "failed_checks")}
    text = (FIXTURES / "failing" / "main.tf").read_text(encoding="utf-8")
    for name in re.findall(r'"(ckv2?_rr_\d+_[a-z_]+)"', text):
        check_id = re.match(r"ckv2?_rr_\d+", name).group(0)
        assert (check_id, name) in caught, f"{name} was not failed by {check_id.upper()}"


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_policy_has_a_guideline(failing_report, check_id):
    guidelines = {c.get("guideline") for c in results(failing_report, "failed_checks") if c["check_id"] == check_id}
    assert all(g and "docs/security.md" in g for g in guidelines), f"{check_id}: {guidelines}"


def test_no_policy_fires_on_the_compliant_fixture():
    report, returncode = custom_only("-d", str(FIXTURES / "passing"))
    failed = [(c["check_id"], c["resource"]) for c in results(report, "failed_checks")]
    assert not failed and returncode == 0, failed
    passed = {c["check_id"] for c in results(report, "passed_checks")}
    assert passed == set(CHECK_IDS), f"not evaluated on the compliant fixture: {sorted(set(CHECK_IDS) - passed)}"


@pytest.mark.parametrize("env", tfhcl.scanned_environments())
def test_root_stack_passes_every_custom_policy(env, session_shared_dir):
    # The scan test_checkov.py reads too: every check, so the custom ones are picked out here.
    report, returncode = tfhcl.root_stack_scan(env, session_shared_dir)
    failed = [(c["check_id"], c["resource"]) for c in results(report, "failed_checks") if c["check_id"] in CHECK_IDS]
    assert not failed and returncode == 0, f"{env}: {failed}"
    passed = {c["check_id"] for c in results(report, "passed_checks") if c["check_id"] in CHECK_IDS}
    # every policy applies to something in the stack (the state machine, the functions, the URL, ...)
    assert passed == set(CHECK_IDS), f"{env}: never evaluated: {sorted(set(CHECK_IDS) - passed)}"


def test_checkov_configuration_loads_the_policies():
    config = tfhcl.REPO_ROOT / ".checkov.yaml"
    assert re.search(r"external-checks-dir:\s*\n\s*-\s*policies\b", config.read_text(encoding="utf-8"))
