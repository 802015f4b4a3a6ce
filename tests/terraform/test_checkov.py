"""checkov over the root stack (which pulls in the local modules) for every environment."""

from __future__ import annotations

import pytest

from tests.terraform import tfhcl


@pytest.fixture(scope="module", params=tfhcl.scanned_environments())
def checkov_report(request, session_shared_dir):
    env = request.param
    report, returncode = tfhcl.root_stack_scan(env, session_shared_dir)
    return env, report, returncode


def test_checkov_finds_no_failed_check(checkov_report):
    env, report, returncode = checkov_report
    failed = report["results"].get("failed_checks", [])
    listing = "\n".join(f"{c['check_id']} {c['resource']} {c['file_path']}" for c in failed)
    assert report["summary"]["failed"] == 0 and not failed, f"{env}:\n{listing}"
    assert returncode == 0


def test_the_scan_uses_the_repositorys_checkov_settings_with_passed_checks_listed():
    # make security reads .checkov.yaml; the scan above may differ from it only in listing passed checks.
    import yaml

    repository = yaml.safe_load((tfhcl.REPO_ROOT / ".checkov.yaml").read_text(encoding="utf-8"))
    scan = yaml.safe_load(tfhcl.ROOT_SCAN_CONFIG.read_text(encoding="utf-8"))
    assert repository.pop("quiet") is True and scan.pop("quiet") is False
    assert scan == repository


def test_checkov_scanned_the_stack(checkov_report):
    env, report, _ = checkov_report
    assert report["summary"]["passed"] > 0, env
    assert report["summary"]["parsing_errors"] == 0, env
    # the modules' resources are part of the scan (module sources are local)
    assert report["summary"]["resource_count"] >= 40, report["summary"]
