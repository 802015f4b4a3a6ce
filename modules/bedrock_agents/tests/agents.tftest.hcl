# One agent per role: its service role (trusting Bedrock agents of this account and Region only,
# invoking only its own model), the agent itself, its alias, and the optional knowledge base.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name = "research-report-test"
  agents = {
    search = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md", description = "Finds sources." }
    writer = { foundation_model = "anthropic.claude-3-5-sonnet-20240620-v1:0", instruction_path = "tests/fixtures/writer.md" }
  }
}

run "one_role_and_policy_per_agent" {
  command = plan

  assert {
    condition     = { for role, r in aws_iam_role.agent : role => r.name } == { search = "research-report-test-search-agent", writer = "research-report-test-writer-agent" }
    error_message = "Each agent has its own service role <name>-<role>-agent."
  }
  assert {
    condition     = { for role, p in aws_iam_role_policy.agent : role => p.name } == { search = "research-report-test-search-agent", writer = "research-report-test-writer-agent" }
    error_message = "Each role has its own inline policy <name>-<role>-agent."
  }
}

run "roles_trust_bedrock_agents_of_this_account_and_region_only" {
  command = plan

  assert {
    condition = (toset(one(data.aws_iam_policy_document.assume_role.statement).actions) == toset(["sts:AssumeRole"])
      && one(one(data.aws_iam_policy_document.assume_role.statement).principals).type == "Service"
    && toset(one(one(data.aws_iam_policy_document.assume_role.statement).principals).identifiers) == toset(["bedrock.amazonaws.com"]))
    error_message = "Only the Bedrock service may assume an agent role."
  }
  assert {
    condition = anytrue([for c in one(data.aws_iam_policy_document.assume_role.statement).condition :
    c.test == "StringEquals" && c.variable == "aws:SourceAccount" && toset(c.values) == toset(["123456789012"])])
    error_message = "The trust is limited to this account (aws:SourceAccount)."
  }
  assert {
    condition = anytrue([for c in one(data.aws_iam_policy_document.assume_role.statement).condition :
    c.test == "ArnLike" && c.variable == "aws:SourceArn" && toset(c.values) == toset(["arn:aws:bedrock:us-east-1:123456789012:agent/*"])])
    error_message = "The trust is limited to agents of this account and Region (aws:SourceArn)."
  }
}

run "each_role_may_invoke_only_its_own_model" {
  command = plan

  assert {
    condition = output.model_arns == {
      search = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
      writer = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
    }
    error_message = "model_arns is each role's foundation model ARN in this partition and Region."
  }
  assert {
    condition = alltrue([for role, d in data.aws_iam_policy_document.agent :
      length(d.statement) == 1 && d.statement[0].sid == "InvokeOwnModel"
      && toset(d.statement[0].actions) == toset(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"])
    && toset(d.statement[0].resources) == toset([output.model_arns[role]])])
    error_message = "Without a knowledge base each role may only invoke (and stream) its own model (CKV_RR_203)."
  }
}

run "agents_are_built_from_their_role_entry" {
  command = plan

  assert {
    condition     = aws_bedrockagent_agent.this["search"].agent_name == "research-report-test-search" && aws_bedrockagent_agent.this["writer"].agent_name == "research-report-test-writer"
    error_message = "Each agent is named <name>-<role>."
  }
  assert {
    condition     = aws_bedrockagent_agent.this["writer"].foundation_model == "anthropic.claude-3-5-sonnet-20240620-v1:0"
    error_message = "Each agent uses its role's foundation model."
  }
  assert {
    condition     = aws_bedrockagent_agent.this["search"].instruction == file("tests/fixtures/search.md") && aws_bedrockagent_agent.this["writer"].instruction == file("tests/fixtures/writer.md")
    error_message = "Each agent's instruction is the content of its instruction_path."
  }
  assert {
    condition     = aws_bedrockagent_agent.this["search"].description == "Finds sources." && aws_bedrockagent_agent.this["writer"].description == null
    error_message = "A description is passed on; the optional description's default \"\" sends none (the API takes 1-200 characters)."
  }
  assert {
    condition     = alltrue([for a in aws_bedrockagent_agent.this : a.prepare_agent && a.idle_session_ttl_in_seconds == 600])
    error_message = "Agents are prepared on apply and keep idle sessions for 600 seconds by default."
  }
  assert {
    condition     = alltrue([for a in aws_bedrockagent_agent.this : a.customer_encryption_key_arn == null && try(length(a.guardrail_configuration), 0) == 0])
    error_message = "By default agents use an AWS owned key and no guardrail."
  }
}

run "agents_run_as_their_own_role" {
  command = apply

  override_resource {
    target = aws_iam_role.agent["writer"]
    values = { arn = "arn:aws:iam::123456789012:role/research-report-test-writer-agent" }
  }

  assert {
    condition     = aws_bedrockagent_agent.this["writer"].agent_resource_role_arn == "arn:aws:iam::123456789012:role/research-report-test-writer-agent"
    error_message = "An agent runs as its own role."
  }
  assert {
    condition     = alltrue([for role, p in aws_iam_role_policy.agent : p.role == aws_iam_role.agent[role].id])
    error_message = "Each role's inline policy is attached to that role."
  }
  assert {
    condition     = output.agent_role_arns["writer"] == "arn:aws:iam::123456789012:role/research-report-test-writer-agent"
    error_message = "agent_role_arns names each role's ARN."
  }
}

run "one_live_alias_per_agent" {
  command = apply

  assert {
    condition     = toset(keys(aws_bedrockagent_agent_alias.this)) == toset(["search", "writer"]) && alltrue([for a in aws_bedrockagent_agent_alias.this : a.agent_alias_name == "live"])
    error_message = "Every agent gets an alias named alias_name (default live)."
  }
  assert {
    condition     = alltrue([for role, a in aws_bedrockagent_agent_alias.this : a.agent_id == aws_bedrockagent_agent.this[role].agent_id])
    error_message = "Each alias points at its own agent."
  }
  assert {
    condition = output.agents == {
      search = { agent_id = "MOCKAGENT1", alias_id = "MOCKALIAS1" }
      writer = { agent_id = "MOCKAGENT1", alias_id = "MOCKALIAS1" }
    }
    error_message = "agents has the {agent_id, alias_id} shape per role that the root stack's bedrock_agents variable takes."
  }
  assert {
    condition     = output.alias_arns["search"] == "arn:aws:bedrock:us-east-1:123456789012:agent-alias/MOCKAGENT1/MOCKALIAS1"
    error_message = "alias_arns names each role's alias ARN."
  }
}

run "no_knowledge_base_by_default" {
  command = plan

  assert {
    condition     = length(aws_bedrockagent_agent_knowledge_base_association.search) == 0
    error_message = "search_knowledge_base_id = null associates no knowledge base."
  }
}

run "knowledge_base_goes_to_the_search_agent_only" {
  command = plan

  variables {
    search_knowledge_base_id = "ABCDE12345"
  }

  assert {
    condition = (length(aws_bedrockagent_agent_knowledge_base_association.search) == 1
      && aws_bedrockagent_agent_knowledge_base_association.search[0].knowledge_base_id == "ABCDE12345"
    && aws_bedrockagent_agent_knowledge_base_association.search[0].knowledge_base_state == "ENABLED")
    error_message = "search_knowledge_base_id is associated, enabled."
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.agent["search"].statement :
      s.sid == "RetrieveFromKnowledgeBase" && toset(s.actions) == toset(["bedrock:Retrieve"])
    && toset(s.resources) == toset(["arn:aws:bedrock:us-east-1:123456789012:knowledge-base/ABCDE12345"])])
    error_message = "The search role may bedrock:Retrieve on that knowledge base only."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.agent["writer"].statement) == 1
    error_message = "Other roles get no knowledge base access."
  }
}

run "knowledge_base_association_targets_the_search_role_agent" {
  command = apply

  variables {
    agents = {
      researcher = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
      writer     = { foundation_model = "anthropic.claude-3-5-sonnet-20240620-v1:0", instruction_path = "tests/fixtures/writer.md" }
    }
    search_role              = "researcher"
    search_knowledge_base_id = "ABCDE12345"
  }

  override_resource {
    target = aws_bedrockagent_agent.this["researcher"]
    values = { agent_id = "RESEARCHR1" }
  }

  assert {
    condition     = aws_bedrockagent_agent_knowledge_base_association.search[0].agent_id == "RESEARCHR1"
    error_message = "The knowledge base is associated with the agent of search_role."
  }
  assert {
    condition = (length(data.aws_iam_policy_document.agent["researcher"].statement) == 2
    && length(data.aws_iam_policy_document.agent["writer"].statement) == 1)
    error_message = "search_role, not the key search, decides which role may retrieve."
  }
}

run "options_reach_every_agent" {
  command = plan

  variables {
    alias_name                  = "stable"
    idle_session_ttl_in_seconds = 1800
    guardrail                   = { identifier = "gr1234abcd", version = "2" }
    kms_key_arn                 = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    tags                        = { team = "research" }
  }

  assert {
    condition     = alltrue([for a in aws_bedrockagent_agent_alias.this : a.agent_alias_name == "stable"])
    error_message = "alias_name names every alias."
  }
  assert {
    condition     = alltrue([for a in aws_bedrockagent_agent.this : a.idle_session_ttl_in_seconds == 1800])
    error_message = "idle_session_ttl_in_seconds reaches every agent."
  }
  assert {
    condition = alltrue([for a in aws_bedrockagent_agent.this :
    one(a.guardrail_configuration).guardrail_identifier == "gr1234abcd" && one(a.guardrail_configuration).guardrail_version == "2"])
    error_message = "guardrail applies to every agent."
  }
  assert {
    condition     = alltrue([for a in aws_bedrockagent_agent.this : a.customer_encryption_key_arn == var.kms_key_arn])
    error_message = "kms_key_arn encrypts every agent."
  }
  assert {
    condition = alltrue(concat(
      [for r in aws_iam_role.agent : r.tags["team"] == "research"],
      [for a in aws_bedrockagent_agent.this : a.tags["team"] == "research"],
      [for a in aws_bedrockagent_agent_alias.this : a.tags["team"] == "research"],
    ))
    error_message = "tags reach the roles, the agents and the aliases."
  }
}
