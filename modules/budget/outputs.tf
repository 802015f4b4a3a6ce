output "budget_name" {
  description = "Name of the monthly cost budget."
  value       = aws_budgets_budget.this.name
}

output "budget_arn" {
  description = "ARN of the monthly cost budget."
  value       = aws_budgets_budget.this.arn
}

output "bedrock_spend_alarm_arn" {
  description = "ARN of the Bedrock spend alarm, or null when bedrock_spend is null."
  value       = one(aws_cloudwatch_metric_alarm.bedrock_spend[*].arn)
}

output "limit_amount_usd" {
  description = "Monthly limit of the budget in USD, as AWS Budgets stores it."
  value       = tonumber(aws_budgets_budget.this.limit_amount)
}
