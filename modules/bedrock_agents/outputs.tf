output "agents" {
  description = "agent_id and alias_id per role: the same shape as the root stack's bedrock_agents variable."
  value = { for role, alias in aws_bedrockagent_agent_alias.this : role => {
    agent_id = aws_bedrockagent_agent.this[role].agent_id
    alias_id = alias.agent_alias_id
  } }
}

output "alias_arns" {
  description = "Agent alias ARN per role: the only resource a role's Lambda function may bedrock:InvokeAgent on."
  value       = { for role, alias in aws_bedrockagent_agent_alias.this : role => alias.agent_alias_arn }
}

output "agent_role_arns" {
  description = "ARN of each agent's service role (invokes only its own foundation model)."
  value       = { for role, r in aws_iam_role.agent : role => r.arn }
}

output "model_arns" {
  description = "Foundation model ARN per role (what each agent role may invoke)."
  value       = local.model_arns
}
