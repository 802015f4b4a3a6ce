"""What Terraform deployed is what the handlers need: read from the embedded account after
`terraform apply`, never from the HCL."""

from __future__ import annotations

import json

import pytest

from scripts.package_lambdas import CODE_PACKAGES, required_env

POWERTOOLS = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
# docs/design.md: the optional agent variables the pilot sets (no Knowledge Base, no Agents Classic).
OPTIONAL = {"agent_search": {"LIBRARY_BUCKET"}, "agent_reviser": {"LIBRARY_BUCKET"}}


@pytest.fixture(scope="module")
def configurations(workflow) -> dict[str, dict]:
    functions = workflow.client("lambda")
    names = {**workflow.deployment.functions, "document_indexer": workflow.deployment.outputs["document_indexer_function_name"]}
    return {key: functions.get_function_configuration(FunctionName=name) for key, name in names.items()}


def package_of(configuration: dict) -> str:
    return configuration["Handler"].split(".")[0]


def test_every_code_package_is_deployed_with_its_handler(configurations):
    assert {package_of(c) for c in configurations.values()} == set(CODE_PACKAGES)
    for configuration in configurations.values():
        assert configuration["Handler"] == f"{package_of(configuration)}.handler.lambda_handler"


def test_terraform_sets_exactly_the_variables_each_handler_requires(configurations):
    for key, configuration in configurations.items():
        variables = set(configuration["Environment"]["Variables"]) - POWERTOOLS - OPTIONAL.get(key, set())
        assert variables == set(required_env(package_of(configuration))), key


def test_each_agent_function_runs_its_role_on_the_models_terraform_configured_and_no_bedrock_agent(configurations, workflow):
    outputs = workflow.deployment.outputs
    assert outputs["bedrock_agents"] == {}  # agents as code: the default stack creates no Bedrock Agents
    checked = 0
    for key, configuration in configurations.items():
        if package_of(configuration) == "agent":
            variables = configuration["Environment"]["Variables"]
            role = key.removeprefix("agent_")
            assert (variables["AGENT_ROLE"], variables["AGENT_RUNTIME"]) == (role, "converse")
            assert variables["AGENT_MODEL_ID"] == outputs["agent_model_ids"][role], key
            assert variables["FALLBACK_MODEL_ID"] == outputs["fallback_model_ids"][role], key
            assert "AGENT_ID" not in variables and "AGENT_ALIAS_ID" not in variables
            assert variables.get("LIBRARY_BUCKET") == (
                outputs["document_library_bucket"] if role in ("search", "reviser") else None
            )
            checked += 1
    assert checked == 5  # search, summary, writer, reviser and the pre-review's compliance agent


def test_the_state_machine_invokes_only_the_workflow_functions_its_table_and_its_bus(workflow):
    deployment = workflow.deployment
    invoked, integrations = set(), set()

    def walk(states: dict) -> None:
        for state in states.values():
            if state["Type"] == "Task":
                integrations.add(state["Resource"])
                if "FunctionName" in state.get("Parameters", {}):
                    invoked.add(state["Parameters"]["FunctionName"])
            if "ItemProcessor" in state:
                walk(state["ItemProcessor"]["States"])
            for branch in state.get("Branches", []):
                walk(branch["States"])

    walk(deployment.definition["States"])
    arns = {
        key: f"arn:aws:lambda:{deployment.region}:{deployment.account_id}:function:{name}"
        for key, name in deployment.functions.items()
    }
    assert invoked == {arn for key, arn in arns.items() if key != "approval_callback"}
    assert integrations == {
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::dynamodb:updateItem",
        "arn:aws:states:::events:putEvents",
    }
    buses = {
        entry["EventBusName"]
        for state in deployment.definition["States"].values()
        if state["Type"] == "Task" and state["Resource"].endswith("events:putEvents")
        for entry in state["Parameters"]["Entries"]
    }
    assert buses == {deployment.event_bus_name}
    role = workflow.client("stepfunctions").describe_state_machine(stateMachineArn=deployment.state_machine_arn)["roleArn"]
    iam = workflow.client("iam")
    name = role.rsplit("/", 1)[1]
    statements = [
        statement
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
        for statement in json.loads(_document(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]))[
            "Statement"
        ]
    ]
    allowed = {resource for s in statements for resource in _list(s["Resource"])}
    assert {arns[key] for key in arns if key != "approval_callback"} <= allowed
    bus_arn = f"arn:aws:events:{deployment.region}:{deployment.account_id}:event-bus/{deployment.event_bus_name}"
    put_events = [s for s in statements if "events:PutEvents" in _list(s["Action"])]
    assert [_list(s["Resource"]) for s in put_events] == [[bus_arn]]


def _document(document) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def _list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_the_bus_starts_executions_through_the_alias_of_the_published_version_encrypted_with_the_stack_key(workflow):
    deployment, sfn = workflow.deployment, workflow.client("stepfunctions")
    alias_arn = f"{deployment.state_machine_arn}:live"
    assert deployment.outputs["state_machine_alias_arn"] == alias_arn  # what a caller starts executions on
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
    versions = sfn.list_state_machine_versions(stateMachineArn=deployment.state_machine_arn)["stateMachineVersions"]
    assert [route["stateMachineVersionArn"] for route in alias["routingConfiguration"]] == [
        versions[-1]["stateMachineVersionArn"]
    ]
    events = workflow.client("events")
    rule = next(
        name
        for name in (r["Name"] for r in events.list_rules(EventBusName=deployment.event_bus_name)["Rules"])
        if name.endswith("workflow-requested")
    )
    targets = events.list_targets_by_rule(Rule=rule, EventBusName=deployment.event_bus_name)["Targets"]
    assert [target["Arn"] for target in targets] == [alias_arn]
    encryption = sfn.describe_state_machine(stateMachineArn=deployment.state_machine_arn)["encryptionConfiguration"]
    assert encryption["type"] == "CUSTOMER_MANAGED_KMS_KEY"
    key = workflow.client("kms").describe_key(KeyId=encryption["kmsKeyId"])["KeyMetadata"]
    assert key["KeyManager"] == "CUSTOMER" and key["Description"].endswith("research-report data at rest")
