# The function and its log group: code pinned by hash, runtime and sizing, X-Ray, JSON logs into
# /aws/lambda/<name>, reserved concurrency, environment, KMS and the optional dead-letter queue.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  function_name = "research-report-test-validate_input"
  package_path  = "tests/fixtures/handler.zip"
  handler       = "validate_input.handler.lambda_handler"
}

run "code_is_the_zip_pinned_by_its_hash" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.filename == "tests/fixtures/handler.zip"
    error_message = "The function deploys package_path."
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/handler.zip")
    error_message = "source_code_hash is the zip's SHA-256, so a rebuilt zip updates the function."
  }
  assert {
    condition     = aws_lambda_function.this.handler == "validate_input.handler.lambda_handler"
    error_message = "handler reaches the function."
  }
}

run "defaults_build_a_traced_python312_function_with_json_logs" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.function_name == "research-report-test-validate_input"
    error_message = "function_name names the function."
  }
  assert {
    condition     = aws_lambda_function.this.runtime == "python3.12" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "The default runtime is python3.12 on arm64 (Graviton: cheaper per GB-second; the code is pure Python)."
  }
  assert {
    condition     = aws_lambda_function.this.timeout == 60 && aws_lambda_function.this.memory_size == 256
    error_message = "Defaults: 60 s timeout, 256 MB."
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "reserved_concurrent_executions = null leaves the function unreserved (-1)."
  }
  assert {
    condition     = one(aws_lambda_function.this.tracing_config).mode == "Active"
    error_message = "X-Ray tracing is always active."
  }
  assert {
    condition = (
      one(aws_lambda_function.this.logging_config).log_format == "JSON"
      && one(aws_lambda_function.this.logging_config).application_log_level == "INFO"
      && one(aws_lambda_function.this.logging_config).system_log_level == "WARN"
    )
    error_message = "Logs are JSON, application level INFO by default, system level WARN."
  }
  assert {
    condition     = one(aws_lambda_function.this.logging_config).log_group == "/aws/lambda/research-report-test-validate_input"
    error_message = "The function logs into the module's own log group."
  }
  assert {
    condition     = length(aws_lambda_function.this.environment) == 0
    error_message = "No environment block without environment_variables."
  }
  assert {
    condition     = length(aws_lambda_function.this.dead_letter_config) == 0
    error_message = "No dead-letter config without dead_letter_queue_arn."
  }
  assert {
    condition     = aws_lambda_function.this.kms_key_arn == null && aws_cloudwatch_log_group.lambda[0].kms_key_id == null
    error_message = "Without kms_key_arn, AWS owned keys encrypt the environment and the log group."
  }
  assert {
    condition     = length(aws_lambda_function.this.layers) == 0
    error_message = "No layers by default."
  }
}

run "log_group_is_named_after_the_function_with_its_retention" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.lambda[0].name == "/aws/lambda/research-report-test-validate_input"
    error_message = "The log group is /aws/lambda/<function_name>, the one Lambda writes to."
  }
  assert {
    condition     = aws_cloudwatch_log_group.lambda[0].retention_in_days == 30
    error_message = "Log retention defaults to 30 days."
  }
}

run "options_reach_the_function_and_log_group" {
  command = plan

  variables {
    description                    = "Validates the research request."
    runtime                        = "python3.13"
    timeout                        = 900
    memory_size                    = 1024
    reserved_concurrent_executions = 5
    application_log_level          = "DEBUG"
    log_retention_in_days          = 365
    environment_variables          = { WORKFLOW_TABLE = "research-report-test-workflow", LOG_LEVEL = "DEBUG" }
    architecture                   = "x86_64"
    layers                         = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"]
    tags                           = { team = "research" }
  }

  assert {
    condition     = aws_lambda_function.this.description == "Validates the research request." && aws_lambda_function.this.runtime == "python3.13"
    error_message = "description and runtime reach the function."
  }
  assert {
    condition     = aws_lambda_function.this.timeout == 900 && aws_lambda_function.this.memory_size == 1024
    error_message = "timeout and memory_size reach the function."
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 5
    error_message = "reserved_concurrent_executions reaches the function."
  }
  assert {
    condition     = one(aws_lambda_function.this.logging_config).application_log_level == "DEBUG"
    error_message = "application_log_level reaches logging_config."
  }
  assert {
    condition     = aws_cloudwatch_log_group.lambda[0].retention_in_days == 365
    error_message = "log_retention_in_days reaches the log group."
  }
  assert {
    condition     = one(aws_lambda_function.this.environment).variables == tomap({ WORKFLOW_TABLE = "research-report-test-workflow", LOG_LEVEL = "DEBUG" })
    error_message = "environment_variables become the function's environment."
  }
  assert {
    condition     = aws_lambda_function.this.layers == tolist(["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"])
    error_message = "layers reach the function."
  }
  assert {
    condition = alltrue([
      aws_lambda_function.this.tags["team"] == "research",
      aws_cloudwatch_log_group.lambda[0].tags["team"] == "research",
      aws_iam_role.lambda[0].tags["team"] == "research",
    ])
    error_message = "tags reach the function, its log group and its role."
  }
}

run "reserved_concurrency_of_zero_disables_the_function" {
  command = plan

  variables {
    reserved_concurrent_executions = 0
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 0
    error_message = "0 is passed through as 0 (disabled), not turned into -1 (unreserved)."
  }
}

run "kms_key_encrypts_the_environment_and_the_log_group" {
  command = plan

  variables {
    kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    environment_variables = { WORKFLOW_TABLE = "research-report-test-workflow" }
  }

  assert {
    condition     = aws_lambda_function.this.kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "kms_key_arn encrypts the function's environment variables."
  }
  assert {
    condition     = aws_cloudwatch_log_group.lambda[0].kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "kms_key_arn encrypts the log group."
  }
}

run "dead_letter_queue_receives_failed_asynchronous_invocations" {
  command = plan

  variables {
    dead_letter_queue_arn = "arn:aws:sqs:us-east-1:123456789012:research-report-test-dlq"
  }

  assert {
    condition     = one(aws_lambda_function.this.dead_letter_config).target_arn == "arn:aws:sqs:us-east-1:123456789012:research-report-test-dlq"
    error_message = "dead_letter_queue_arn becomes the function's dead_letter_config target."
  }
}

run "outputs_after_apply" {
  command = apply

  variables {
    memory_size           = 512
    timeout               = 120
    log_retention_in_days = 90
  }

  assert {
    condition     = aws_lambda_function.this.role == aws_iam_role.lambda[0].arn
    error_message = "The function runs as the module's own role."
  }
  assert {
    condition = (
      output.function_name == "research-report-test-validate_input"
      && output.arn == aws_lambda_function.this.arn
      && output.invoke_arn == aws_lambda_function.this.invoke_arn
    )
    error_message = "function_name, arn and invoke_arn come from the function."
  }
  assert {
    condition     = startswith(output.arn, "arn:aws:lambda:")
    error_message = "arn is a Lambda ARN (what Step Functions invokes)."
  }
  assert {
    condition     = output.role_arn == aws_iam_role.lambda[0].arn && output.role_name == "research-report-test-validate_input-role"
    error_message = "role_arn and role_name name the execution role."
  }
  assert {
    condition     = output.log_group_name == "/aws/lambda/research-report-test-validate_input" && output.log_retention_in_days == 90
    error_message = "log_group_name and log_retention_in_days describe the log group."
  }
  assert {
    condition     = output.memory_size == 512 && output.timeout == 120 && output.reserved_concurrent_executions == -1
    error_message = "memory_size, timeout and reserved_concurrent_executions report the function's settings."
  }
}

run "x86_64_is_an_option_and_the_output_says_which" {
  command = plan

  variables {
    architecture = "x86_64"
  }

  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["x86_64"]) && output.architecture == "x86_64"
    error_message = "architecture reaches the function and the architecture output."
  }
}

run "an_existing_log_group_receives_the_logs_and_none_is_created" {
  command = apply

  variables {
    log_group_name = "/platform/lambda/research"
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.lambda) == 0
    error_message = "With log_group_name the module creates no log group."
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_group == "/platform/lambda/research"
    error_message = "The function logs into log_group_name."
  }
  assert {
    condition     = data.aws_iam_policy_document.lambda.statement[0].resources == toset(["arn:aws:logs:us-east-1:123456789012:log-group:/platform/lambda/research:*"])
    error_message = "The role may write only to the given log group's streams."
  }
  assert {
    condition     = output.log_group_name == "/platform/lambda/research" && output.log_retention_in_days == null
    error_message = "The outputs name the given log group; its retention is not the module's."
  }
}
