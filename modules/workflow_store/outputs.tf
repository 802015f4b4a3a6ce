output "workflow_table_name" {
  description = "Name of the workflow table (WORKFLOW_TABLE)."
  value       = aws_dynamodb_table.this.name
}

output "workflow_table_arn" {
  description = "ARN of the workflow table."
  value       = aws_dynamodb_table.this.arn
}

output "search_cache_table_name" {
  description = "Name of the search-cache table (SEARCH_CACHE_TABLE)."
  value       = aws_dynamodb_table.search_cache.name
}

output "search_cache_table_arn" {
  description = "ARN of the search-cache table."
  value       = aws_dynamodb_table.search_cache.arn
}

output "point_in_time_recovery_enabled" {
  description = "Whether the workflow table has point-in-time recovery (the search cache never does)."
  value       = aws_dynamodb_table.this.point_in_time_recovery[0].enabled
}
