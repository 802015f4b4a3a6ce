"""The offline deployment and the Terraform root stack cannot drift apart silently.

Same functions, same handlers, same environment variable names (and the handlers require exactly
those), same definition, and only integrations the state machine's role is given.
"""

from __future__ import annotations

import re

import pytest

from scripts import hcl, render_definition
from scripts.offline.embedded_aws import (
    LOCAL_ONLY_VARIABLES,
    root_function_environments,
    root_function_packages,
    root_powertools_environment,
)
from scripts.package_lambdas import CODE_PACKAGES, required_env

HCL_FUNCTIONS = root_function_environments()
PACKAGES = root_function_packages()
SUPPORTED_INTEGRATIONS = {
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::dynamodb:updateItem",
}


def test_every_code_package_is_deployed_and_every_deployed_package_is_built():
    assert set(PACKAGES.values()) == set(CODE_PACKAGES)


@pytest.mark.parametrize("function_key", sorted(HCL_FUNCTIONS))
def test_terraform_sets_exactly_the_variables_the_handler_requires(function_key):
    assert set(HCL_FUNCTIONS[function_key]) == set(required_env(PACKAGES[function_key]))


def test_the_local_deployment_has_the_terraform_functions_with_the_same_handlers(workflow):
    local = workflow.deployment.functions
    assert set(local) == set(HCL_FUNCTIONS)
    for key, spec in local.items():
        assert spec.handler == f"{PACKAGES[key]}.handler.lambda_handler"


def test_the_local_deployment_sets_the_same_variable_names_plus_documented_local_ones(workflow):
    powertools = set(root_powertools_environment())
    for key, spec in workflow.deployment.functions.items():
        local_names = set(spec.environment) - set(LOCAL_ONLY_VARIABLES)
        assert local_names == set(HCL_FUNCTIONS[key]) | powertools, key


def test_local_agents_run_the_local_backend_and_terraform_agents_run_bedrock(workflow):
    for key, spec in workflow.deployment.functions.items():
        if PACKAGES[key] == "agent":
            assert HCL_FUNCTIONS[key]["AGENT_BACKEND"] == "bedrock"
            assert spec.environment["AGENT_BACKEND"] == "local"
            assert spec.environment["AGENT_ROLE"] == HCL_FUNCTIONS[key]["AGENT_ROLE"]


def test_tfvars_values_reach_the_local_functions(workflow):
    variables = hcl.environment_values("pilot")
    for key, expressions in HCL_FUNCTIONS.items():
        for name, expression in expressions.items():
            variable = hcl.variable_reference(expression)
            if variable is not None:
                assert workflow.deployment.functions[key].environment[name] == str(variables[variable]), (key, name)


def test_the_local_state_machine_is_the_template_rendered_with_the_env_values(workflow):
    deployment = workflow.deployment
    resources = {f"{key}_arn": deployment.function_arn(key) for key in deployment.functions}
    resources["workflow_table_name"] = deployment.workflow_table
    assert deployment.definition == render_definition.render("pilot", resources)


def test_the_definition_uses_only_integrations_the_state_machine_role_allows():
    definition = render_definition.render("pilot", render_definition.placeholder_resources())
    template = render_definition.TEMPLATE.read_text()
    used = set(re.findall(r'"Resource": "([^"]+)"', template))
    assert used <= SUPPORTED_INTEGRATIONS
    state_machine = next(m for m in hcl.labelled_blocks(hcl.ROOT_STACK, "module").values() if "definition_variables" in m)
    invoked = {key.removesuffix("_arn") for key in render_definition.definition_bindings() if key.endswith("_arn")}
    allowed = state_machine["lambda_function_arns"]
    assert "workflow_functions" in allowed  # the role's Lambda list is the workflow functions
    assert "workflow_store.workflow_table_arn" in str(state_machine["dynamodb_table_arns"])
    assert definition["StartAt"] == "ValidateInput"
    assert invoked <= set(HCL_FUNCTIONS) - {"approval_callback"}
