output "ops_topic_arn" {
  description = "ARN of the ops notification topic (created or given)."
  value       = local.ops_topic_arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_arns" {
  description = "ARNs of the alarms, by purpose."
  value = merge(
    { for key, alarm in aws_cloudwatch_metric_alarm.executions : key => alarm.arn },
    { approval_timeouts = aws_cloudwatch_metric_alarm.approval_timeouts.arn },
    { for k, a in aws_cloudwatch_metric_alarm.lambda_errors : "lambda_errors_${k}" => a.arn },
    { for a in aws_cloudwatch_metric_alarm.fallbacks : "fallbacks" => a.arn },
  )
}

output "alarm_thresholds" {
  description = "Threshold of each alarm, keyed as alarm_arns."
  value = merge(
    { for key, alarm in aws_cloudwatch_metric_alarm.executions : key => alarm.threshold },
    { approval_timeouts = aws_cloudwatch_metric_alarm.approval_timeouts.threshold },
    { for k, a in aws_cloudwatch_metric_alarm.lambda_errors : "lambda_errors_${k}" => a.threshold },
    { for a in aws_cloudwatch_metric_alarm.fallbacks : "fallbacks" => a.threshold },
  )
}
