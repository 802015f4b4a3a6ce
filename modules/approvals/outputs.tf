output "topic_arn" {
  description = "ARN of the approval request topic (APPROVAL_TOPIC_ARN)."
  value       = aws_sns_topic.this.arn
}

output "signing_secret_arn" {
  description = "ARN of the HMAC signing secret (SIGNING_SECRET_ARN); seed it with scripts/seed_signing_secret.py."
  value       = aws_secretsmanager_secret.signing.arn
}

output "callback_url" {
  description = "Base URL of the approval links (APPROVAL_BASE_URL): the HTTP API's invoke URL, or the function URL."
  value       = local.http_api ? aws_apigatewayv2_stage.callback[0].invoke_url : aws_lambda_function_url.callback[0].function_url
}

output "callback_api_id" {
  description = "http_api: ID of the callback HTTP API (null with function_url)."
  value       = local.http_api ? aws_apigatewayv2_api.callback[0].id : null
}

output "callback_access_log_group_name" {
  description = "http_api: log group of the endpoint's access logs (null with function_url)."
  value       = local.http_api ? aws_cloudwatch_log_group.callback_access[0].name : null
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
  description = "Identity policy for reviewers when callback_auth_type = \"AWS_IAM\": execute-api:Invoke on the two callback routes (http_api), or lambda:InvokeFunctionUrl plus lambda:InvokeFunction through the URL only (function_url)."
  value       = data.aws_iam_policy_document.reviewer.json
}
