output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "arn" {
  description = "Unqualified ARN of the function (what Step Functions Task states invoke)."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "Invoke ARN for API Gateway integrations."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_arn" {
  description = "ARN of the function's execution role (var.role_arn when given)."
  value       = local.role_arn
}

output "role_name" {
  description = "Name of the function's execution role (attach extra policies to it if needed)."
  value       = local.create_role ? aws_iam_role.lambda[0].name : element(split("/", var.role_arn), length(split("/", var.role_arn)) - 1)
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group (var.log_group_name when given)."
  value       = local.log_group_name
}

output "memory_size" {
  description = "Memory of the function in MB (what Lambda bills GB-seconds on)."
  value       = aws_lambda_function.this.memory_size
}

output "timeout" {
  description = "Timeout of the function in seconds."
  value       = aws_lambda_function.this.timeout
}

output "reserved_concurrent_executions" {
  description = "Concurrent executions reserved for the function; -1 means unreserved (the account pool)."
  value       = aws_lambda_function.this.reserved_concurrent_executions
}

output "log_retention_in_days" {
  description = "Days the function's log group keeps events (null when the log group is not the module's)."
  value       = local.create_log_group ? aws_cloudwatch_log_group.lambda[0].retention_in_days : null
}

output "architecture" {
  description = "Instruction set the function runs on (arm64 or x86_64); pick layers built for it."
  value       = one(aws_lambda_function.this.architectures)
}

output "package_s3_key" {
  description = "Key of the code object in var.package_s3.bucket (null when the code is sent with CreateFunction)."
  value       = local.package_in_s3 ? aws_s3_object.package[0].key : null
}
