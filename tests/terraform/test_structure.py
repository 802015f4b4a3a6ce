"""Every .tf/.tfvars parses; modules have the standard files; variables and outputs are documented."""

from __future__ import annotations

import re
import shutil

import pytest

from scripts import module_docs
from tests.terraform import tfhcl

MODULES = tfhcl.module_dirs()
META_ARGUMENTS = {"source", "version", "providers", "count", "for_each", "depends_on"}


def test_the_seven_modules_exist():
    assert {m.name for m in MODULES} >= {
        "state_machine",
        "lambda_function",
        "workflow_store",
        "artifact_bucket",
        "event_bus",
        "approvals",
        "monitoring",
    }


@pytest.mark.parametrize("path", tfhcl.hcl_files(), ids=lambda p: str(p.relative_to(tfhcl.REPO_ROOT)))
def test_file_parses_with_python_hcl2(path):
    assert isinstance(tfhcl.load_file(path), dict)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_has_the_five_standard_files(module):
    missing = [f for f in tfhcl.MODULE_FILES if not (module / f).is_file()]
    assert not missing, f"{module.name} lacks {missing}"


@pytest.mark.parametrize("directory", tfhcl.stack_dirs(), ids=lambda p: p.name)
def test_every_variable_has_a_description_and_a_type(directory):
    variables = tfhcl.labelled(directory, "variable")
    assert variables, f"{directory.name} declares no variables"
    bad = [name for name, spec in variables.items() if not spec.get("description") or "type" not in spec]
    assert not bad, f"{directory.name}: variables without description or type: {bad}"


@pytest.mark.parametrize("directory", tfhcl.stack_dirs(), ids=lambda p: p.name)
def test_no_variable_is_typed_map_any(directory):
    bad = [name for name, spec in tfhcl.labelled(directory, "variable").items() if unwrap_type(spec) == "map(any)"]
    assert not bad, f"{directory.name}: use object types instead of map(any): {bad}"


def unwrap_type(spec: dict) -> str:
    return str(tfhcl.unwrap(spec.get("type"))).replace(" ", "")


@pytest.mark.parametrize("directory", tfhcl.stack_dirs(), ids=lambda p: p.name)
def test_every_output_has_a_description(directory):
    bad = [name for name, spec in tfhcl.labelled(directory, "output").items() if not spec.get("description")]
    assert not bad, f"{directory.name}: outputs without description: {bad}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_pins_terraform_and_a_provider_range(module):
    terraform = tfhcl.load_file(module / "versions.tf")["terraform"][0]
    assert terraform["required_version"] == ">= 1.9, < 2.0"  # the README's minimum; mock_provider needs 1.7
    aws = terraform["required_providers"][0]["aws"]
    assert aws["source"] == "hashicorp/aws"
    assert aws["version"] == ">= 5.100, < 6.0", aws["version"]  # only 5.100 is tested


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_primary_resource_is_named_this(module):
    names = [name for _, block in tfhcl.blocks(module, "resource") for typed in block.values() for name in typed]
    assert "this" in names, f"{module.name} has no resource named `this`"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_has_a_tags_variable(module):
    assert "tags" in tfhcl.labelled(module, "variable")


def readme_usage(module) -> dict:
    text = (module / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```(?:hcl|terraform)\n(.*?)```", text, re.S)
    assert match, f"{module.name}/README.md has no ```hcl usage block"
    before = text[: match.start()]
    assert "| Name" not in before, f"{module.name}/README.md: the usage block must come before the tables"
    parsed = tfhcl.load_text(match.group(1))
    assert parsed.get("module"), f"{module.name}/README.md: the first code block must be a module block"
    return next(iter(parsed["module"][0].values()))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_readme_usage_uses_only_declared_variables(module):
    usage = readme_usage(module)
    declared = set(tfhcl.labelled(module, "variable"))
    unknown = set(usage) - declared - META_ARGUMENTS
    assert not unknown, f"{module.name}/README.md uses undeclared inputs {sorted(unknown)}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_readme_usage_sets_every_required_variable(module):
    usage = readme_usage(module)
    required = {name for name, spec in tfhcl.labelled(module, "variable").items() if "default" not in spec}
    missing = required - set(usage)
    assert not missing, f"{module.name}/README.md usage misses required inputs {sorted(missing)}"


def test_every_readme_table_is_what_the_generator_writes_from_the_hcl():
    assert module_docs.stale(MODULES) == []


def test_a_description_changed_without_regenerating_makes_the_readme_stale(tmp_path):
    module = tmp_path / "event_bus"
    shutil.copytree(tfhcl.MODULES_DIR / "event_bus", module, ignore=shutil.ignore_patterns("tests", ".terraform*"))
    variables = module / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    old = "How long undeliverable events stay in the DLQ (60-1209600)."
    assert old in text
    assert module_docs.stale([module]) == []
    variables.write_text(text.replace(old, "Seconds undeliverable events stay in the DLQ."), encoding="utf-8")
    assert module_docs.stale([module]) == [module / "README.md"]
    assert module_docs.main(["--check"]) == 0  # the repository's own READMEs are untouched
    readme = (module / "README.md").read_text(encoding="utf-8")
    regenerated = module_docs.updated(readme, module_docs.render(module))
    assert "Seconds undeliverable events stay in the DLQ." in regenerated
    assert regenerated.split(module_docs.BEGIN)[0] == readme.split(module_docs.BEGIN)[0]  # the prose above is kept


def test_a_readme_documents_every_variable_and_output_with_required_and_default():
    block = module_docs.render(tfhcl.MODULES_DIR / "event_bus")
    assert "| `name` | Name of the event bus; prefixes its rules" in block and "| `string` | n/a | yes |" in block
    assert (
        "| `archive_retention_days` | Days the archive keeps events for replay (0 = forever). | `number` | `30` | no |" in block
    )
    for kind in ("variable", "output"):
        for name in tfhcl.labelled(tfhcl.MODULES_DIR / "event_bus", kind):
            assert f"| `{name}` |" in block


def test_root_calls_only_local_modules_that_exist():
    for name, call in tfhcl.labelled(tfhcl.ROOT_STACK, "module").items():
        source = call["source"]
        assert source.startswith("../modules/"), f"module.{name} source {source}"
        target = (tfhcl.ROOT_STACK / source).resolve()
        assert target.is_dir(), f"module.{name}: {source} does not exist"
        declared = set(tfhcl.labelled(target, "variable"))
        unknown = set(call) - declared - META_ARGUMENTS
        assert not unknown, f"module.{name} passes undeclared inputs {sorted(unknown)}"
        required = {v for v, spec in tfhcl.labelled(target, "variable").items() if "default" not in spec}
        assert required <= set(call), f"module.{name} misses required inputs {sorted(required - set(call))}"


def test_readme_and_examples_pin_the_latest_released_version():
    changelog = (tfhcl.REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert released, "CHANGELOG.md has no released version (## [x.y.z] - YYYY-MM-DD)"
    assert f"[{released[0]}]: " in changelog, "the latest release needs its link definition"
    pins = [
        (path.name, ref)
        for path in [tfhcl.REPO_ROOT / "README.md", *sorted((tfhcl.REPO_ROOT / "examples").rglob("*.tf"))]
        for ref in re.findall(r"\?ref=v([0-9.]+)", path.read_text(encoding="utf-8"))
    ]
    assert pins and all(ref == released[0] for _, ref in pins), (released[0], pins)
