"""Write each module's requirements, inputs and outputs tables into its README from the HCL.

The tables go between terraform-docs' markers (`<!-- BEGIN_TF_DOCS -->` / `<!-- END_TF_DOCS -->`),
so a team that runs terraform-docs can take over; everything outside the markers (the usage block,
the notes) is left as written. Descriptions, types and defaults come from variables.tf,
outputs.tf and versions.tf as python-hcl2 reads them: to change a table, change the HCL and
regenerate. `--check` writes nothing and fails on any README that differs from what it would write
(`make lint`, the pre-commit hook).

  python -m scripts.module_docs            # rewrite modules/*/README.md
  python -m scripts.module_docs --check    # exit 1 and name each stale README
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

from scripts.hcl import MODULES_DIR, load_text

BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"
_HEREDOC = re.compile(r"^<<-?(\w+)\n(.*)\n\s*\1\s*$", re.DOTALL)


def render(module: Path) -> str:
    """The marker block for one module: requirements, inputs, outputs."""
    lines = [BEGIN, "## Requirements", "", "| Name | Version |", "|------|---------|"]
    for name, version in _requirements(module):
        lines.append(f"| {name} | `{_cell(version)}` |")
    lines += [
        "",
        "## Inputs",
        "",
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    for name, spec in _blocks(module / "variables.tf", "variable"):
        required = "default" not in spec
        default = "n/a" if required else f"`{_cell(_value(spec['default']))}`"
        kind = _cell(_expression(spec.get("type", "any")))
        description = _prose(_text(spec.get("description", "")))
        lines.append(f"| `{name}` | {description} | `{kind}` | {default} | {'yes' if required else 'no'} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|------|-------------|"]
    for name, spec in _blocks(module / "outputs.tf", "output"):
        lines.append(f"| `{name}` | {_prose(_text(spec.get('description', '')))} |")
    return "\n".join([*lines, END])


def updated(readme: str, block: str) -> str:
    """The README with its marker block replaced (or appended, the first time)."""
    if BEGIN in readme and END in readme:
        head, _, rest = readme.partition(BEGIN)
        return head + block + rest.partition(END)[2]
    return readme.rstrip("\n") + "\n\n" + block + "\n"


def stale(modules: list[Path]) -> list[Path]:
    return [m / "README.md" for m in modules if (m / "README.md").read_text(encoding="utf-8") != _wanted(m)]


def _wanted(module: Path) -> str:
    return updated((module / "README.md").read_text(encoding="utf-8"), render(module))


def _load(path: Path) -> dict[str, Any]:
    return load_text(path.read_text(encoding="utf-8"))  # as the file is now (scripts.hcl.load_file caches)


def _blocks(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(name, spec) for block in _load(path).get(kind, []) for name, spec in block.items()]


def _requirements(module: Path) -> list[tuple[str, str]]:
    terraform = _load(module / "versions.tf").get("terraform", [{}])[0]
    found = [("terraform", terraform["required_version"])] if "required_version" in terraform else []
    for providers in terraform.get("required_providers", []):
        for name, spec in providers.items():
            found.append((f"{name} ({spec.get('source', '')})", spec.get("version", "any")))
    return found


def _text(description: str) -> str:
    """A description as one paragraph: heredocs unwrapped, lines joined."""
    heredoc = _HEREDOC.match(description)
    if heredoc:
        description = textwrap.dedent(heredoc.group(2))
    return " ".join(description.split())


def _expression(value: Any) -> str:
    text = str(value)
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def _value(value: Any) -> str:
    if isinstance(value, str) and value.startswith("${"):
        return _expression(value)
    return json.dumps(value, ensure_ascii=False)


def _prose(text: str) -> str:
    """A description in a table cell: `<name>` placeholders stay visible when rendered."""
    return _cell(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a README is stale")
    args = parser.parse_args(argv)
    modules = sorted(p for p in MODULES_DIR.iterdir() if (p / "variables.tf").is_file())
    if args.check:
        outdated = stale(modules)
        for readme in outdated:
            print(f"{readme.relative_to(MODULES_DIR.parent)} is stale: run `python -m scripts.module_docs` (or `make docs`)")
        if not outdated:
            print(f"module docs: {len(modules)} READMEs match their variables.tf and outputs.tf")
        return 1 if outdated else 0
    for module in modules:
        (module / "README.md").write_text(_wanted(module), encoding="utf-8")
    print(f"module docs: wrote {len(modules)} READMEs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
