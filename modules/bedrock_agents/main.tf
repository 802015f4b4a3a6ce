data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  model_arns = { for role, a in var.agents :
  role => "arn:${local.partition}:bedrock:${local.region}::foundation-model/${a.foundation_model}" }
  knowledge_base_arn = var.search_knowledge_base_id == null ? null : "arn:${local.partition}:bedrock:${local.region}:${local.account_id}:knowledge-base/${var.search_knowledge_base_id}"
}

# --- one role per agent: it may invoke only its own model ------------------------

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "BedrockAgentsOfThisAccount"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    # The agent ARN is known only after the agent exists (it names the role): the pattern
    # limits the role to agents of this account and Region.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:bedrock:${local.region}:${local.account_id}:agent/*"]
    }
  }
}

resource "aws_iam_role" "agent" {
  for_each = var.agents

  name               = "${var.name}-${each.key}-agent"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

data "aws_iam_policy_document" "agent" {
  for_each = var.agents

  statement {
    sid       = "InvokeOwnModel"
    actions   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = [local.model_arns[each.key]]
  }

  dynamic "statement" {
    for_each = each.key == var.search_role && local.knowledge_base_arn != null ? [local.knowledge_base_arn] : []
    content {
      sid       = "RetrieveFromKnowledgeBase"
      actions   = ["bedrock:Retrieve"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "agent" {
  for_each = var.agents

  name   = "${var.name}-${each.key}-agent"
  role   = aws_iam_role.agent[each.key].id
  policy = data.aws_iam_policy_document.agent[each.key].json
}

# --- agents and aliases -------------------------------------------------------------

resource "aws_bedrockagent_agent" "this" {
  for_each = var.agents

  agent_name = "${var.name}-${each.key}"
  # The API takes 1-200 characters: the optional description's default "" means none.
  description                 = each.value.description == "" ? null : each.value.description
  agent_resource_role_arn     = aws_iam_role.agent[each.key].arn
  foundation_model            = each.value.foundation_model
  instruction                 = file(each.value.instruction_path)
  idle_session_ttl_in_seconds = var.idle_session_ttl_in_seconds
  customer_encryption_key_arn = var.kms_key_arn
  prepare_agent               = true
  tags                        = var.tags

  dynamic "guardrail_configuration" {
    for_each = var.guardrail == null ? [] : [var.guardrail]
    content {
      guardrail_identifier = guardrail_configuration.value.identifier
      guardrail_version    = guardrail_configuration.value.version
    }
  }

  depends_on = [aws_iam_role_policy.agent]
}

resource "aws_bedrockagent_agent_knowledge_base_association" "search" {
  count = var.search_knowledge_base_id == null ? 0 : 1

  agent_id             = aws_bedrockagent_agent.this[var.search_role].agent_id
  description          = "Sources the search agent may cite."
  knowledge_base_id    = var.search_knowledge_base_id
  knowledge_base_state = "ENABLED"
}

# An alias points at a version made from the prepared DRAFT; it is created after the
# knowledge base association so the version includes it.
resource "aws_bedrockagent_agent_alias" "this" {
  for_each = var.agents

  agent_alias_name = var.alias_name
  agent_id         = aws_bedrockagent_agent.this[each.key].agent_id
  description      = "${each.key} agent invoked by the research-report workflow"
  tags             = var.tags

  depends_on = [aws_bedrockagent_agent_knowledge_base_association.search]
}
