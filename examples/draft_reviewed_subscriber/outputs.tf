output "rule_arn" {
  description = "ARN of the rule that matches DraftReviewed events with blocking findings."
  value       = aws_cloudwatch_event_rule.this.arn
}

output "queue_url" {
  description = "URL of the queue the matching events arrive in (poll it)."
  value       = aws_sqs_queue.this.id
}

output "queue_arn" {
  description = "ARN of the queue, for a consumer's IAM policy or an event source mapping."
  value       = aws_sqs_queue.this.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue: undeliverable events and messages the consumer kept failing on."
  value       = aws_sqs_queue.dlq.id
}
