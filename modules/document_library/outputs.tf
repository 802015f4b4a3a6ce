output "bucket_name" {
  description = "The library bucket (LIBRARY_BUCKET of the readers): put documents under documents/ (scripts/library.py sync)."
  value       = module.bucket.bucket_name
}

output "bucket_arn" {
  description = "ARN of the library bucket."
  value       = module.bucket.bucket_arn
}

output "documents_prefix" {
  description = "Key prefix the indexer reads documents from; only changes under it trigger a rebuild."
  value       = local.documents_prefix
}

output "index_key" {
  description = "Key of the search index the agents' tools read."
  value       = local.index_key
}

output "indexer_function_name" {
  description = "Name of the document_indexer function."
  value       = module.indexer.function_name
}

output "rule_arn" {
  description = "ARN of the default-bus rule that invokes the indexer, known before the rule exists: the aws:SourceArn for kms_key_arn's key policy statement that lets events.amazonaws.com use the key for the dead-letter queue."
  value       = local.rule_arn
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue of library events the indexer could not take."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the dead-letter queue of library events the indexer could not take (alarms, redrive)."
  value       = aws_sqs_queue.dlq.name
}

output "reader_policy_statements" {
  description = "Statements an agent function needs for the library's tools (lambda_function policy_statements): s3:GetObject on the index only (the tools answer from it alone), s3:ListBucket so a library without an index yet answers 404 instead of 403, and kms:Decrypt on kms_key_arn through S3 (the index is SSE-KMS)."
  value       = local.reader_policy_statements
}
