"""Render the state machine definition for an environment, as Terraform's templatefile() would.

The template variables and where each comes from are read from the root stack itself (the
`definition_variables` argument of the module that uses the template): a `var.x` binding takes
the environment's tfvars value (or the variable's default); any other binding (Lambda ARNs, the
table name) names a resource that the caller must supply. So the offline runner renders exactly
what `terraform apply` would deploy.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scripts import hcl

TEMPLATE = hcl.ROOT_STACK / "workflow.asl.json.tftpl"
_PLACEHOLDER = re.compile(r"(\$\$\{)|\$\{([^}]*)\}|(%\{)")


class TemplateError(ValueError):
    """The template uses something this renderer does not support, or a value is missing."""


def definition_bindings(stack: Path = hcl.ROOT_STACK) -> dict[str, Any]:
    """The `definition_variables` map of the root stack's state machine module."""
    for module in hcl.labelled_blocks(stack, "module").values():
        if "definition_variables" in module:
            return dict(module["definition_variables"])
    raise TemplateError(f"no module with definition_variables in {stack}")


def template_values(env: str, resources: Mapping[str, str]) -> dict[str, Any]:
    """Values for every template variable: tfvars for `var.*` bindings, `resources` for the rest."""
    variables = hcl.environment_values(env)
    values: dict[str, Any] = {}
    missing = []
    for key, expression in definition_bindings().items():
        variable = hcl.variable_reference(expression)
        if variable is not None:
            if variable not in variables:
                missing.append(f"{key} (var.{variable} has no value for {env})")
            else:
                values[key] = variables[variable]
        elif key in resources:
            values[key] = resources[key]
        else:
            missing.append(f"{key} (bound to {expression}; supply it as a resource)")
    if missing:
        raise TemplateError("cannot render the definition, missing: " + "; ".join(missing))
    return values


def _render_value(value: Any) -> str:
    # templatefile() interpolates numbers and strings as their text; booleans as true/false.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise TemplateError(f"cannot interpolate a {type(value).__name__} into the template")


def render_template(text: str, values: Mapping[str, Any]) -> str:
    """templatefile() for the subset the template uses: `${name}` and the `$${` escape."""
    unused = set(values)

    def substitute(match: re.Match[str]) -> str:
        escape, name, directive = match.groups()
        if escape:
            return "${"
        if directive:
            raise TemplateError("template directives (%{...}) are not supported by this renderer")
        name = name.strip()
        if name not in values:
            raise TemplateError(f"template variable {name!r} has no value")
        unused.discard(name)
        return _render_value(values[name])

    rendered = _PLACEHOLDER.sub(substitute, text)
    if unused:
        raise TemplateError(f"values not used by the template: {', '.join(sorted(unused))}")
    return rendered


def render(env: str, resources: Mapping[str, str], template: Path = TEMPLATE) -> dict[str, Any]:
    """The definition for `env` as a dict; raises TemplateError or json.JSONDecodeError."""
    return json.loads(render_template(template.read_text(encoding="utf-8"), template_values(env, resources)))


def placeholder_resources(
    region: str = "us-east-1", account: str = "123456789012", prefix: str = "research-report"
) -> dict[str, str]:
    """Stand-in ARNs for every non-variable binding, for linting and tests."""
    resources = {}
    for key, expression in definition_bindings().items():
        if hcl.variable_reference(expression) is not None:
            continue
        if key.endswith("_arn"):
            function = key.removesuffix("_arn")
            resources[key] = f"arn:aws:lambda:{region}:{account}:function:{prefix}-{function}"
        else:
            resources[key] = f"{prefix}-{key.removesuffix('_name').replace('_', '-')}"
    return resources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the workflow definition for one environment.")
    parser.add_argument("--env", default="pilot", help="pilot, team or bu (reads envs/<env>.tfvars)")
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    try:
        definition = render(args.env, placeholder_resources())
    except (hcl.UnknownEnvironment, TemplateError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    text = json.dumps(definition, indent=2) + "\n"
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
