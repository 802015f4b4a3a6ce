output "topic_arn" {
  description = "ARN of the approval request topic (APPROVAL_TOPIC_ARN)."
  value       = aws_sns_topic.this.arn
}

output "signing_secret_arn" {
  description = "ARN of the HMAC signing secret (SIGNING_SECRET_ARN); seed it with scripts/seed_signing_secret.py."
  value       = aws_secretsmanager_secret.signing.arn
}

output "callback_url" {
  description = "Function URL of approval_callback (APPROVAL_BASE_URL)."
  value       = aws_lambda_function_url.callback.function_url
}

output "approval_request_policy_statements" {
  description = "IAM statements for the approval_request function (lambda_function module policy_statements)."
  value       = local.approval_request_statements
}

output "approval_callback_policy_statements" {
  description = "IAM statements for the approval_callback function (lambda_function module policy_statements)."
  value       = local.approval_callback_statements
}

output "reviewer_policy_json" {
  description = "Identity policy for reviewers when callback_auth_type = \"AWS_IAM\": lambda:InvokeFunctionUrl on the callback function only."
  value       = data.aws_iam_policy_document.reviewer.json
}
