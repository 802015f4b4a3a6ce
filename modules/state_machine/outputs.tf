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
