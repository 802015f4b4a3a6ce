output "bus_name" {
  description = "Name of the event bus (EVENT_BUS_NAME)."
  value       = aws_cloudwatch_event_bus.this.name
}

output "bus_arn" {
  description = "ARN of the event bus (grant events:PutEvents on it)."
  value       = aws_cloudwatch_event_bus.this.arn
}

output "archive_arn" {
  description = "ARN of the event archive."
  value       = aws_cloudwatch_event_archive.this.arn
}

output "rule_arns" {
  description = "Rule ARNs by rule name (use as aws:SourceArn in target resource policies)."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.arn }
}

output "dlq_arn" {
  description = "ARN of the targets' dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the targets' dead-letter queue (dashboards, alarms)."
  value       = aws_sqs_queue.dlq.name
}

output "start_execution_role_arn" {
  description = "ARN of the role allowed only states:StartExecution on var.state_machine_arn (null when not created)."
  value       = try(aws_iam_role.start_execution[0].arn, null)
}

output "archive_retention_days" {
  description = "Days the event archive keeps events for replay."
  value       = aws_cloudwatch_event_archive.this.retention_days
}
