output "arn" {
  description = "ARN of the state machine."
  value       = aws_sfn_state_machine.this.arn
}

output "name" {
  description = "Name of the state machine."
  value       = aws_sfn_state_machine.this.name
}

output "role_arn" {
  description = "ARN of the state machine's execution role."
  value       = aws_iam_role.state_machine.arn
}

output "role_name" {
  description = "Name of the state machine's execution role."
  value       = aws_iam_role.state_machine.name
}

output "log_group_name" {
  description = "Name of the execution log group (metric filters and Logs Insights queries use it)."
  value       = aws_cloudwatch_log_group.execution.name
}

output "log_group_arn" {
  description = "ARN of the execution log group."
  value       = aws_cloudwatch_log_group.execution.arn
}

output "definition" {
  description = "The rendered Amazon States Language definition (JSON) the state machine runs."
  value       = aws_sfn_state_machine.this.definition
}

output "log_retention_in_days" {
  description = "Days the execution log group keeps events."
  value       = aws_cloudwatch_log_group.execution.retention_in_days
}

output "version_arn" {
  description = "ARN of the version this apply published (null without publish)."
  value       = var.publish ? aws_sfn_state_machine.this.state_machine_version_arn : null
}

output "alias_arn" {
  description = "ARN of the alias on the latest version: what callers (an EventBridge target, StartExecution) should name with publish = true; null without publish."
  value       = var.publish ? aws_sfn_alias.this[0].arn : null
}

output "start_arn" {
  description = "The ARN to start executions with: the alias ARN with publish = true, else the state machine ARN."
  value       = var.publish ? aws_sfn_alias.this[0].arn : aws_sfn_state_machine.this.arn
}

output "encryption_kms_key_arn" {
  description = "The customer managed key encrypting the state machine's data (null: the AWS owned key)."
  value       = try(one(aws_sfn_state_machine.this.encryption_configuration).kms_key_id, null)
}
