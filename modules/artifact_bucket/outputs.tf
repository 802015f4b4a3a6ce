output "bucket_name" {
  description = "Name of the artifact bucket (ARTIFACT_BUCKET)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the artifact bucket; object ARNs are \"<arn>/*\"."
  value       = aws_s3_bucket.this.arn
}
