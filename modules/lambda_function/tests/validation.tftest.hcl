# Each rule of variables.tf has a run whose value breaks that rule and no other; the `accepts_*`
# runs pass with valid values, boundaries included. package_path is tests/fixtures/handler.zip
# (see tests/fixtures/README.md): the module hashes it, so it must exist.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  function_name = "research-report-test-validate_input"
  package_path  = "tests/fixtures/handler.zip"
  handler       = "validate_input.handler.lambda_handler"
}

run "accepts_the_required_inputs_alone" {
  command = plan
}

run "accepts_upper_boundaries_and_every_optional_input" {
  command = plan

  variables {
    # 59 characters: <name>-role is exactly IAM's 64.
    function_name                  = "research-report-longestenvname-approval_callback_0123456789"
    runtime                        = "python3.13"
    timeout                        = 900
    memory_size                    = 10240
    reserved_concurrent_executions = 0
    architecture                   = "x86_64"
    layers = [
      "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7",
      "arn:aws:lambda:us-east-1:123456789012:layer:shared_1:1",
      "arn:aws:lambda:us-east-1:123456789012:layer:shared-2:22",
      "arn:aws-cn:lambda:cn-north-1:123456789012:layer:shared3:3",
      "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:shared4:4",
    ]
    kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    log_retention_in_days = 3653
    application_log_level = "FATAL"
    dead_letter_queue_arn = "arn:aws:sqs:us-east-1:123456789012:research-report-test-dlq"
    environment_variables = { LOG_LEVEL = "INFO" }
    # 63 characters, the S3 maximum.
    package_s3 = {
      bucket     = "research-report-longestenvname-code-123456789012.example-012345"
      key_prefix = "deploy/lambda.code_(v2)/"
    }
    policy_statements = [
      {
        sid       = "ReadWorkflow"
        actions   = ["dynamodb:GetItem"]
        resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"]
        conditions = [{
          test     = "ForAllValues:StringEquals"
          variable = "dynamodb:Attributes"
          values   = ["pk", "sk"]
        }]
      },
      {
        sid       = "PublishOps2"
        actions   = ["sns:Publish"]
        resources = ["arn:aws:sns:us-east-1:123456789012:research-report-test-ops"]
      },
    ]
  }
}

run "accepts_lower_boundaries" {
  command = plan

  variables {
    function_name         = "f"
    handler               = "h.f"
    timeout               = 1
    memory_size           = 128
    log_retention_in_days = 1
    application_log_level = "TRACE"
    kms_key_arn           = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"
    package_s3            = { bucket = "c0d", key_prefix = "" }
  }
}

# --- function_name ---------------------------------------------------------------------

run "function_name_of_60_characters_is_refused_because_its_role_name_would_exceed_64" {
  command = plan

  variables {
    function_name = "research-report-longestenvname-approval_callback_01234567890"
  }

  expect_failures = [var.function_name]
}

run "function_name_with_a_dot_is_refused" {
  command = plan

  variables {
    function_name = "validate.input"
  }

  expect_failures = [var.function_name]
}

# --- package_path ----------------------------------------------------------------------

run "package_path_that_is_not_a_zip_is_refused" {
  command = plan

  variables {
    # Exists (so hashing it would work): only the .zip rule stops it.
    package_path = "tests/fixtures/README.md"
  }

  expect_failures = [var.package_path]
}

# --- package_s3 ----------------------------------------------------------------------------

run "package_s3_bucket_with_upper_case_letters_is_refused" {
  command = plan

  variables {
    package_s3 = { bucket = "Research-Report-Code" }
  }

  expect_failures = [var.package_s3]
}

run "package_s3_bucket_of_64_characters_is_refused" {
  command = plan

  variables {
    package_s3 = { bucket = "research-report-longestenvname-code-123456789012.example-0123456" }
  }

  expect_failures = [var.package_s3]
}

run "package_s3_bucket_with_two_dots_in_a_row_is_refused" {
  command = plan

  variables {
    package_s3 = { bucket = "research-report..code" }
  }

  expect_failures = [var.package_s3]
}

run "package_s3_key_prefix_starting_with_a_slash_is_refused" {
  command = plan

  variables {
    package_s3 = { bucket = "research-report-code", key_prefix = "/lambda/" }
  }

  expect_failures = [var.package_s3]
}

run "package_s3_key_prefix_without_a_trailing_slash_is_refused" {
  command = plan

  variables {
    package_s3 = { bucket = "research-report-code", key_prefix = "lambda" }
  }

  expect_failures = [var.package_s3]
}

# --- handler ---------------------------------------------------------------------------

run "handler_without_a_function_part_is_refused" {
  command = plan

  variables {
    handler = "lambda_handler"
  }

  expect_failures = [var.handler]
}

run "handler_given_as_a_file_path_is_refused" {
  command = plan

  variables {
    handler = "validate_input/handler.lambda_handler"
  }

  expect_failures = [var.handler]
}

# --- runtime ---------------------------------------------------------------------------

run "runtime_python3_11_is_refused" {
  command = plan

  variables {
    runtime = "python3.11"
  }

  expect_failures = [var.runtime]
}

# --- timeout and memory_size -----------------------------------------------------------

run "timeout_of_zero_seconds_is_refused" {
  command = plan

  variables {
    timeout = 0
  }

  expect_failures = [var.timeout]
}

run "timeout_above_900_seconds_is_refused" {
  command = plan

  variables {
    timeout = 901
  }

  expect_failures = [var.timeout]
}

run "memory_size_below_128_mb_is_refused" {
  command = plan

  variables {
    memory_size = 127
  }

  expect_failures = [var.memory_size]
}

run "memory_size_above_10240_mb_is_refused" {
  command = plan

  variables {
    memory_size = 10241
  }

  expect_failures = [var.memory_size]
}

# --- reserved_concurrent_executions ----------------------------------------------------

run "reserved_concurrency_of_minus_one_is_refused_null_means_unreserved" {
  command = plan

  variables {
    reserved_concurrent_executions = -1
  }

  expect_failures = [var.reserved_concurrent_executions]
}

# --- layers ----------------------------------------------------------------------------

run "six_layers_are_refused" {
  command = plan

  variables {
    layers = [for i in range(6) : "arn:aws:lambda:us-east-1:123456789012:layer:shared${i}:1"]
  }

  expect_failures = [var.layers]
}

run "layer_arn_without_a_version_is_refused" {
  command = plan

  variables {
    layers = ["arn:aws:lambda:us-east-1:123456789012:layer:shared"]
  }

  expect_failures = [var.layers]
}

# --- kms_key_arn -----------------------------------------------------------------------

run "kms_key_arn_that_names_an_alias_is_refused" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/research-report"
  }

  expect_failures = [var.kms_key_arn]
}

# --- log_retention_in_days -------------------------------------------------------------

run "log_retention_that_cloudwatch_does_not_accept_is_refused" {
  command = plan

  variables {
    log_retention_in_days = 2
  }

  expect_failures = [var.log_retention_in_days]
}

# --- application_log_level -------------------------------------------------------------

run "application_log_level_in_lower_case_is_refused" {
  command = plan

  variables {
    application_log_level = "info"
  }

  expect_failures = [var.application_log_level]
}

# --- dead_letter_queue_arn -------------------------------------------------------------

run "dead_letter_queue_arn_of_an_sns_topic_is_refused" {
  command = plan

  variables {
    dead_letter_queue_arn = "arn:aws:sns:us-east-1:123456789012:research-report-test-dlq"
  }

  expect_failures = [var.dead_letter_queue_arn]
}

# --- policy_statements: one run per rule, the other two rules holding ------------------

run "policy_statement_sid_with_a_hyphen_is_refused" {
  command = plan

  variables {
    policy_statements = [{
      sid       = "Read-Workflow"
      actions   = ["dynamodb:GetItem"]
      resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"]
    }]
  }

  expect_failures = [var.policy_statements]
}

run "policy_statement_with_action_star_is_refused" {
  command = plan

  variables {
    policy_statements = [{
      sid       = "Everything"
      actions   = ["*"]
      resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"]
    }]
  }

  expect_failures = [var.policy_statements]
}

run "policy_statement_with_a_service_wildcard_action_is_refused" {
  command = plan

  variables {
    policy_statements = [{
      sid       = "AllDynamo"
      actions   = ["dynamodb:GetItem", "dynamodb:*"]
      resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"]
    }]
  }

  expect_failures = [var.policy_statements]
}

run "policy_statements_sharing_a_sid_are_refused" {
  command = plan

  variables {
    policy_statements = [
      {
        sid       = "Workflow"
        actions   = ["dynamodb:GetItem"]
        resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"]
      },
      {
        sid       = "Workflow"
        actions   = ["dynamodb:PutItem"]
        resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"]
      },
    ]
  }

  expect_failures = [var.policy_statements]
}

run "accepts_an_existing_role_and_log_group" {
  command = plan

  variables {
    architecture   = "arm64"
    layers         = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:7"]
    role_arn       = "arn:aws-us-gov:iam::123456789012:role/path/to/shared-lambda"
    log_group_name = "/platform/lambda/research#1"
  }
}

run "architecture_other_than_arm64_or_x86_64_is_refused" {
  command = plan

  variables {
    architecture = "aarch64"
  }

  expect_failures = [var.architecture]
}

run "a_layer_built_for_the_other_architecture_is_refused" {
  command = plan

  variables {
    architecture = "arm64"
    layers       = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"]
  }

  expect_failures = [var.architecture]
}

run "role_arn_of_a_user_is_refused" {
  command = plan

  variables {
    role_arn = "arn:aws:iam::123456789012:user/deployer"
  }

  expect_failures = [var.role_arn]
}

run "role_arn_with_policy_statements_is_refused" {
  command = plan

  variables {
    role_arn = "arn:aws:iam::123456789012:role/shared-lambda"
    policy_statements = [{
      sid       = "ReadWorkflow"
      actions   = ["dynamodb:GetItem"]
      resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"]
    }]
  }

  expect_failures = [var.role_arn]
}

run "log_group_name_with_a_space_is_refused" {
  command = plan

  variables {
    log_group_name = "/platform/lambda logs"
  }

  expect_failures = [var.log_group_name]
}
