"""Agent invocation is pinned per role in both ways the stack can get its agents: existing IDs
(root variable bedrock_agents) and agents created by modules/bedrock_agents."""

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


def test_existing_agents_each_lambda_invokes_exactly_its_own_alias():
    root = tfhcl.locals_of(tfhcl.ROOT_STACK)
    assert (
        root["agent_alias_arns"].endswith(':agent-alias/${a.agent_id}/${a.alias_id}"}}')
        and "var.bedrock_agents" in root["agent_alias_arns"]
    ), root["agent_alias_arns"]
    invoke = [
        s
        for s in tfhcl.iam_statements()
        if s["document"] == "local.agent_statements" and "bedrock:InvokeAgent" in tfhcl.as_list(s["actions"])
    ]
    assert [s["resources"] for s in invoke] == [["${local.agent_alias_arns[role]}"]]
    assert root["agent_statements"].startswith("${{for role in local.agent_roles")


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
