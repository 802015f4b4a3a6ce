"""Agents Classic (agent_runtime = "bedrock_agents", opt-in): agent invocation is pinned per role in
both ways the stack can get its agents, existing IDs (root variable bedrock_agents) and agents
created by modules/bedrock_agents. The default runtime creates and names none (pilot.tftest.hcl)."""

from __future__ import annotations

from tests.terraform import tfhcl

MODULE = tfhcl.MODULES_DIR / "bedrock_agents"
ROLES = ("search", "summary", "writer", "reviser")


def test_every_role_has_instructions_matching_its_reply_format():
    expected = {"search": "JSON array", "summary": "five sentences", "writer": "## Sources", "reviser": "## Revisions"}
    for role in ROLES:
        text = (tfhcl.REPO_ROOT / "agents" / role / "instructions.md").read_text(encoding="utf-8")
        assert 40 <= len(text) <= 20_000, role  # Bedrock's instruction length limits
        assert expected[role] in text, role


def test_on_agents_classic_each_agent_lambda_invokes_exactly_its_own_alias_in_both_paths():
    root = tfhcl.locals_of(tfhcl.ROOT_STACK)
    assert tfhcl.unwrap(root["classic_agents"]) == 'var.agent_runtime == "bedrock_agents"'
    converse, _, classic = tfhcl.unwrap(root["agent_alias_arns"]).partition(" : ")
    assert converse == "!local.classic_agents ? {}", converse  # agents as code: no agents, no aliases
    created, _, existing = classic.partition(" : ")
    # create_agents = true: the module's alias ARN per role
    assert created == "var.create_agents ? module.bedrock_agents[0].alias_arns", created
    # create_agents = false: the alias ARN built from that role's own existing IDs
    assert existing.startswith("{for role, a in var.bedrock_agents :"), existing
    assert existing.endswith(':agent-alias/${a.agent_id}/${a.alias_id}"}'), existing
    # ... and each agent function's InvokeAgent statement names exactly local.agent_alias_arns[role]
    invoke = [
        s
        for s in tfhcl.iam_statements()
        if s["document"] == "local.agent_statements" and "bedrock:InvokeAgent" in tfhcl.as_list(s["actions"])
    ]
    assert [s["resources"] for s in invoke] == [["${local.agent_alias_arns[role]}"]]
    assert root["agent_statements"].startswith("${{for role in local.agent_roles")
    # the function environment names the same agents as the policy, and only on Agents Classic
    assert tfhcl.unwrap(root["agents"]) == (
        "!local.classic_agents ? {} : var.create_agents ? module.bedrock_agents[0].agents : var.bedrock_agents"
    )
    environment = root["agent_environment"]  # one entry per role, merged into function_environment
    assert environment.startswith('${{for role in local.agent_roles : "agent_${role}" => merge({'), environment
    assert (
        'local.role_runtime[role] == "bedrock_agents" ? {AGENT_ID = local.agents[role].agent_id, AGENT_ALIAS_ID = local.agents[role].alias_id} : {}'
        in environment
    )
    # Agents Classic takes no new agents: only the pipeline's roles may run on it, never compliance.
    assert tfhcl.unwrap(root["role_runtime"]) == (
        '{for role in local.agent_roles : role => contains(local.classic_roles, role) ? var.agent_runtime : "converse"}'
    )
    assert "compliance" not in tfhcl.unwrap(root["classic_roles"]) and "compliance" in tfhcl.unwrap(root["agent_roles"])
    assert root["function_environment"].startswith("${merge(local.agent_environment, {")


def test_root_creates_agents_from_the_role_models_and_instruction_files():
    call = tfhcl.labelled(tfhcl.ROOT_STACK, "module")["bedrock_agents"]
    assert call["count"] == "${local.classic_agents && var.create_agents ? 1 : 0}"
    assert "var.agent_model_ids[role]" in call["agents"]
    assert "/../agents/${role}/instructions.md" in call["agents"]


def test_created_agents_alias_arns_are_keyed_by_role():
    outputs = tfhcl.labelled(MODULE, "output")
    assert (
        outputs["alias_arns"]["value"]
        == "${{for role, alias in aws_bedrockagent_agent_alias.this : role => alias.agent_alias_arn}}"
    )
    agents = outputs["agents"]["value"]
    assert "aws_bedrockagent_agent.this[role].agent_id" in agents and "alias.agent_alias_id" in agents


def test_created_agent_roles_invoke_only_their_own_model():
    (policy,) = tfhcl.data_sources(MODULE, "aws_iam_policy_document")["agent"]["statement"]
    assert policy["resources"] == ["${local.model_arns[each.key]}"]
    assert set(policy["actions"]) == {"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}
    model_arns = tfhcl.locals_of(MODULE)["model_arns"]
    assert "::foundation-model/${a.foundation_model}" in model_arns


def test_agent_trust_is_limited_to_this_account():
    (trust,) = tfhcl.data_sources(MODULE, "aws_iam_policy_document")["assume_role"]["statement"]
    variables = {c["variable"] for c in trust["condition"]}
    assert variables == {"aws:SourceAccount", "aws:SourceArn"}
