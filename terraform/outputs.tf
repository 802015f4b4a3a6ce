output "state_machine_arn" {
  description = "ARN of the research-report state machine: its executions, versions and alias are listed under it. Start executions on state_machine_alias_arn."
  value       = module.state_machine.arn
}

output "state_machine_alias_arn" {
  description = "ARN of the state machine's live alias, on the latest published version: what the WorkflowRequested rule targets, and what a caller starting executions itself (StartExecution) should name."
  value       = module.state_machine.start_arn
}

output "event_bus_name" {
  description = "Event bus receiving WorkflowRequested and emitting ApprovalRequested/ReportPublished/WorkflowFailed."
  value       = module.event_bus.bus_name
}

output "artifact_bucket_name" {
  description = "Bucket holding sources, summaries, drafts and published reports."
  value       = module.artifact_bucket.bucket_name
}

output "workflow_table_name" {
  description = "DynamoDB workflow table."
  value       = module.workflow_store.workflow_table_name
}

output "approval_topic_arn" {
  description = "SNS topic carrying approval requests; subscribe reviewers here."
  value       = module.approvals.topic_arn
}

output "approval_signing_secret_arn" {
  description = "Secret holding the HMAC key for approval links; seed it with scripts/seed_signing_secret.py after the first apply."
  value       = module.approvals.signing_secret_arn
}

output "approval_callback_url" {
  description = "Invoke URL of the approval links' HTTP API (base of the links in approval e-mails)."
  value       = module.approvals.callback_url
}

output "approval_access_log_group" {
  description = "Log group of the approval endpoint's access logs (one JSON line per request, no query string)."
  value       = module.approvals.callback_access_log_group_name
}

output "ops_topic_arn" {
  description = "SNS topic for alarms, budget notifications and WorkflowFailed events."
  value       = module.monitoring.ops_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the workflow."
  value       = module.monitoring.dashboard_name
}

output "function_names" {
  description = "Lambda function names by function key."
  value = merge(
    { for key, fn in module.functions : key => fn.function_name },
    { approval_callback = module.approval_callback.function_name },
  )
}

output "kms_key_arn" {
  description = "Customer managed key encrypting the stack's data at rest."
  value       = aws_kms_key.this.arn
}

output "workflow_limits" {
  description = "Limits the deployed workflow enforces: sources per run (maximum and default), revision rounds, Map concurrency."
  value = {
    max_sources_limit   = var.max_sources_limit
    default_max_sources = var.default_max_sources
    max_revisions       = var.max_revisions
    map_max_concurrency = var.map_max_concurrency
  }
}

output "bedrock_agents" {
  description = "With agent_runtime = bedrock_agents: agent_id and alias_id per role, the agents the agent functions invoke (created by this stack or given in bedrock_agents); {} for agents as code."
  value       = { for role, agent in local.agents : role => { agent_id = agent.agent_id, alias_id = agent.alias_id } }
}

output "fallback_model_ids" {
  description = "Model (inference profile or foundation model) per role that the agent functions call through Converse when the agent fails: the same agent on its smaller model."
  value       = var.fallback_model_ids
}

output "agent_model_ids" {
  description = "Model (inference profile or foundation model) per role each agent runs on (agent_runtime = converse)."
  value       = var.agent_model_ids
}

output "document_library_bucket" {
  description = "The document library the search agent and the reviser search: put .md/.txt/.html documents under documents/ (make library-sync ENV=... DIR=...)."
  value       = module.document_library.bucket_name
}

output "document_library_index_key" {
  description = "Key of the library's search index in document_library_bucket (written by the document_indexer function)."
  value       = module.document_library.index_key
}

output "document_indexer_function_name" {
  description = "The function that rebuilds the library index after documents change (its logs say what it indexed or skipped)."
  value       = module.document_library.indexer_function_name
}

output "bedrock_quotas" {
  description = "The account's Bedrock quotas this environment is sized for (var.bedrock_quotas), by Service Quotas name: the offline account enforces them as Bedrock does."
  value       = var.bedrock_quotas
}
