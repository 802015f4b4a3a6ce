"""scripts/terraform_runner.py: where providers come from, what a missing prerequisite says, and the
rule checker that `make tf-test` runs (every validation/condition/check has a failing run)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from scripts import terraform_runner as runner

REPO_ROOT = runner.REPO_ROOT


def fake_mirror(directory: Path) -> Path:
    binary = directory / "registry.terraform.io/hashicorp/aws/5.100.0" / runner._platform() / "terraform-provider-aws_v5.100.0_x5"
    binary.parent.mkdir(parents=True)
    binary.write_text("")
    return directory


def fake_terraform(directory: Path, version: str) -> Path:
    script = directory / "terraform"
    script.write_text(f'#!/bin/sh\necho \'{{"terraform_version": "{version}"}}\'\n')
    script.chmod(0o755)
    return directory


def test_a_named_mirror_is_used_when_it_holds_the_provider(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_PROVIDER_MIRROR", str(fake_mirror(tmp_path / "mirror")))
    assert runner.find_mirror() == (tmp_path / "mirror").resolve()


def test_a_named_mirror_without_the_provider_is_refused_with_what_to_do(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("TF_PROVIDER_MIRROR", str(tmp_path / "empty"))
    with pytest.raises(runner.TerraformUnavailable, match="holds no registry.terraform.io/hashicorp/aws"):
        runner.find_mirror()


def test_a_mirror_is_found_by_looking_under_the_search_roots(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_PROVIDER_MIRROR", raising=False)
    monkeypatch.setattr(runner, "IMPLICIT_MIRRORS", ())
    fake_mirror(tmp_path / "vendor" / "tf-plugins")
    monkeypatch.setattr(runner, "SEARCH_ROOTS", (str(tmp_path),))
    assert runner.find_mirror() == (tmp_path / "vendor" / "tf-plugins").resolve()


def test_no_mirror_means_the_registry(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_PROVIDER_MIRROR", raising=False)
    monkeypatch.setattr(runner, "IMPLICIT_MIRRORS", ())
    monkeypatch.setattr(runner, "SEARCH_ROOTS", (str(tmp_path),))
    assert runner.find_mirror() is None


def test_mirror_config_installs_only_the_mirrored_providers_from_it(tmp_path):
    text = runner.cli_config_text(tmp_path)
    assert f'path    = "{tmp_path.as_posix()}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text  # everything else: the registry


def test_registry_config_shares_one_plugin_cache_inside_the_repository():
    text = runner.cli_config_text(None)
    assert "provider_installation" not in text
    assert f'plugin_cache_dir = "{runner.PLUGIN_CACHE.as_posix()}"' in text
    assert runner.PLUGIN_CACHE.is_relative_to(REPO_ROOT)  # never the user's home


def test_missing_terraform_fails_with_one_line_saying_what_to_install(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no terraform on this PATH
    result = subprocess.run(
        [sys.executable, "-m", "scripts.terraform_runner", "validate", "modules/budget"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: terraform not found on PATH: install Terraform >= 1.9 "
        "(https://developer.hashicorp.com/terraform/install) and check with `terraform version`"
    ]


def test_terraform_older_than_the_minimum_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(fake_terraform(tmp_path, "1.8.5")))
    with pytest.raises(runner.TerraformUnavailable, match=r"terraform 1\.8\.5 is older than 1\.9"):
        runner.terraform_binary()


def test_the_declared_minimum_terraform_is_the_one_everywhere():
    declared = {
        re.search(r'required_version = "([^"]+)"', path.read_text(encoding="utf-8")).group(1)
        for root in runner.roots()
        for path in root.glob("*.tf")
        if "required_version" in path.read_text(encoding="utf-8")
    }
    assert declared == {">= 1.9, < 2.0"}
    assert runner.MINIMUM_TERRAFORM == (1, 9, 0)
    assert "Terraform ≥ 1.9" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_suites_use_no_feature_newer_than_the_minimum():
    # override_during arrived in 1.11; the suites must run on the 1.9 the modules declare.
    for root in runner.roots():
        for path in root.glob("tests/*.tftest.hcl"):
            code = "\n".join(line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
            assert "override_during" not in code, path


SAMPLE = """variable "size" {
  type = number

  validation {
    condition     = var.size >= 1
    error_message = "at least 1"
  }

  validation {
    condition     = var.size <= 10
    error_message = "at most 10"
  }
}

resource "aws_sqs_queue" "this" {
  name = "q"

  lifecycle {
    precondition {
      condition     = var.size > 0
      error_message = "positive"
    }
  }
}

check "sane" {
  assert {
    condition     = var.size != 5
    error_message = "not five"
  }
}
"""


def test_rules_are_found_with_the_object_a_failing_run_names(tmp_path):
    (tmp_path / "main.tf").write_text(SAMPLE)
    found = [(r.kind, r.target) for r in runner.rules(tmp_path)]
    assert found == [
        ("validation", "var.size"),
        ("validation", "var.size"),
        ("precondition", "aws_sqs_queue.this"),
        ("check", "check.sane"),
    ]


def test_a_rule_span_is_exactly_its_block(tmp_path):
    (tmp_path / "main.tf").write_text(SAMPLE)
    lines = SAMPLE.splitlines()
    (_, start, end), *_ = runner.rule_spans(tmp_path / "main.tf")
    assert lines[start].strip() == "validation {" and "var.size >= 1" in lines[start + 1] and lines[end] == "  }"
    assert "var.size <= 10" not in "\n".join(lines[start : end + 1])


def test_each_rule_needs_a_failing_run_of_its_own(tmp_path):
    (tmp_path / "main.tf").write_text(SAMPLE)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "a.tftest.hcl").write_text(
        'run "too_small" {\n  expect_failures = [var.size]\n}\n'
        'run "check" {\n  expect_failures = [check.sane, aws_sqs_queue.this["x"]]\n}\n'
    )
    # var.size has two rules but one failing run
    assert [line.split(": ", 1)[1] for line in runner.uncovered(tmp_path)] == ["var.size has 2 rule(s) but 1 failing run(s)"]
    (tmp_path / "tests" / "b.tftest.hcl").write_text('run "too_big" {\n  expect_failures = [var.size]\n}\n')
    assert runner.uncovered(tmp_path) == []
    assert runner.files_expecting(tmp_path, "var.size") == ["tests/a.tftest.hcl", "tests/b.tftest.hcl"]


def test_root_stack_suites_run_with_their_environment_or_the_baseline():
    root = REPO_ROOT / "terraform"
    by_file = {suite.test_file: suite.var_file.name for suite in runner.suites(root)}
    assert by_file["tests/pilot.tftest.hcl"] == "pilot.tfvars"
    assert by_file["tests/team.tftest.hcl"] == "team.tfvars"
    assert by_file["tests/bu.tftest.hcl"] == "bu.tfvars"
    assert all(
        name == "pilot.tfvars" for file, name in by_file.items() if Path(file).stem.split(".")[0] not in runner.ENVIRONMENTS
    )


def test_every_root_has_suites():
    missing = [runner.relative(root) for root in runner.roots() if not runner.suites(root)]
    assert missing == []


def test_mocked_suites_share_one_provider_process_and_stop_it(tmp_path):
    # A stand-in provider that, like `terraform-provider-aws -debug`, prints how to reattach.
    binary = (
        tmp_path
        / ".terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0"
        / runner._platform()
        / "terraform-provider-aws_x5"
    )
    binary.parent.mkdir(parents=True)
    reattach = '{"registry.terraform.io/hashicorp/aws":{"Protocol":"grpc","Pid":1,"Test":true,"Addr":{"Network":"unix","String":"/tmp/p"}}}'
    # A duration no other process on the machine uses, so the test finds its own stand-in.
    duration = f"60.{uuid.uuid4().int % 10**9:09d}"
    binary.write_text(f"#!/bin/sh\ncat <<'EOF'\n\tTF_REATTACH_PROVIDERS='{reattach}'\nEOF\nexec sleep {duration}\n")
    binary.chmod(0o755)
    with runner.shared_provider(tmp_path, startup_seconds=10):
        assert runner._reattach == reattach
        pid = next(int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and duration in _cmdline(p))
    assert runner._reattach is None
    assert duration not in _cmdline(Path(f"/proc/{pid}"))


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def test_a_root_without_a_suite_is_validated_by_the_test_command(tmp_path, capsys):
    # No provider, so no init: `terraform validate` reads the configuration alone.
    untested = tmp_path / "untested"
    untested.mkdir()
    (untested / "main.tf").write_text('output "greeting" {\n  value = var.undeclared\n}\n')
    assert runner.test_roots([untested], jobs=1) is False
    assert "Reference to undeclared input variable" in capsys.readouterr().out

    (untested / "main.tf").write_text('output "greeting" {\n  value = "hello"\n}\n')
    assert runner.test_roots([untested], jobs=1) is True
