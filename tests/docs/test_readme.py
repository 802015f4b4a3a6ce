"""The README's promises stay true: its module example matches the module it names."""

from __future__ import annotations

import re

from scripts import hcl

README = hcl.REPO_ROOT / "README.md"
META_ARGUMENTS = {"source", "version", "providers", "count", "for_each", "depends_on"}


def readme_module_blocks() -> list[tuple[str, dict]]:
    found = []
    for block in re.findall(r"```hcl\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S):
        for module in hcl.load_text(block).get("module", []):
            for spec in module.values():
                match = re.search(r"//modules/([a-z_]+)", spec["source"])
                if match:
                    found.append((match.group(1), spec))
    return found


def test_readme_shows_how_to_consume_a_module_by_git_url():
    assert readme_module_blocks()


def test_readme_module_examples_use_declared_variables_and_set_the_required_ones():
    for name, spec in readme_module_blocks():
        variables = hcl.labelled_blocks(hcl.MODULES_DIR / name, "variable")
        used = set(spec) - META_ARGUMENTS
        assert used <= set(variables), f"README example for {name} uses undeclared {sorted(used - set(variables))}"
        required = {v for v, body in variables.items() if "default" not in body}
        assert required <= used, f"README example for {name} misses required {sorted(required - used)}"


def test_readme_names_the_two_commands_of_its_promise():
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
