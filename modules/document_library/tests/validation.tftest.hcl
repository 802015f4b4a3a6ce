# Each rule of variables.tf has a run whose value breaks that rule and no other; the `valid...` runs
# pass with ordinary and boundary values.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                 = "research-report-test"
  environment          = "test"
  kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  indexer_package_path = "tests/fixtures/document_indexer.zip"
  layers               = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:7"]
}

# --- values every rule accepts --------------------------------------------------------------

run "valid_with_the_required_inputs_only" {
  command = plan
}

run "valid_with_every_option_set" {
  command = plan

  variables {
    architecture                       = "x86_64"
    layers                             = ["arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"]
    kms_key_arn                        = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    environment                        = "Team_Env-2"
    powertools_log_level               = "CRITICAL"
    log_retention_in_days              = 365
    noncurrent_version_expiration_days = 1
    access_log_bucket                  = "central.access-logs.123456789012"
    dlq_message_retention_seconds      = 60
    tags                               = { team = "research" }
  }
}

run "valid_with_the_longest_prefix_the_root_stack_allows" {
  command = plan

  variables {
    # terraform/variables.tf: "<name>-<environment>" may be 38 characters.
    name = "research-report-platform-abcdef-sandbo"
  }
}

run "valid_with_the_shortest_name" {
  command = plan

  variables {
    name = "rr"
  }
}

run "valid_with_the_longest_name" {
  command = plan

  variables {
    name = join("", [for i in range(42) : "n"])
  }

  assert {
    condition     = length(local.bucket_name) == 63 && length(local.function_name) == 59 && length(local.rule_name) == 58
    error_message = "At 42 characters the bucket (63) is S3's limit and the function (59) that of modules/lambda_function (its role <function>-role: IAM's 64); the rule (58) fits EventBridge's 64."
  }
}

run "valid_with_powertools_log_level_warning" {
  command = plan

  variables {
    powertools_log_level = "WARNING"
  }
}

run "valid_with_the_longest_dlq_retention" {
  command = plan

  variables {
    dlq_message_retention_seconds = 1209600
  }
}

run "valid_with_the_longest_environment" {
  command = plan

  variables {
    environment = join("", [for i in range(64) : "e"])
  }
}

# --- name -----------------------------------------------------------------------------------

run "name_longer_than_42_characters_is_refused" {
  command = plan

  variables {
    name = join("", [for i in range(43) : "n"])
  }

  expect_failures = [var.name]
}

run "name_with_capitals_is_refused" {
  command = plan

  variables {
    name = "Research-Report"
  }

  expect_failures = [var.name]
}

run "name_with_an_underscore_the_bucket_refuses_is_refused" {
  command = plan

  variables {
    name = "research_report"
  }

  expect_failures = [var.name]
}

run "name_with_a_prefix_s3_reserves_is_refused" {
  command = plan

  variables {
    name = "xn--research-report"
  }

  expect_failures = [var.name]
}

run "name_ending_in_a_hyphen_is_refused" {
  command = plan

  variables {
    name = "research-report-"
  }

  expect_failures = [var.name]
}

# --- kms_key_arn ----------------------------------------------------------------------------

run "kms_key_arn_that_names_an_alias_is_refused" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/research-report"
  }

  expect_failures = [var.kms_key_arn]
}

# --- architecture ---------------------------------------------------------------------------

run "architecture_other_than_arm64_or_x86_64_is_refused" {
  command = plan

  variables {
    architecture = "aarch64"
  }

  expect_failures = [var.architecture]
}

# --- layers ---------------------------------------------------------------------------------

run "no_layer_is_refused" {
  command = plan

  variables {
    layers = []
  }

  expect_failures = [var.layers]
}

# --- environment ----------------------------------------------------------------------------

run "empty_environment_is_refused" {
  command = plan

  variables {
    environment = ""
  }

  expect_failures = [var.environment]
}

run "environment_with_a_space_is_refused" {
  command = plan

  variables {
    environment = "team env"
  }

  expect_failures = [var.environment]
}

run "environment_longer_than_64_characters_is_refused" {
  command = plan

  variables {
    environment = join("", [for i in range(65) : "e"])
  }

  expect_failures = [var.environment]
}

# --- powertools_log_level -------------------------------------------------------------------

run "powertools_log_level_trace_is_refused" {
  command = plan

  variables {
    powertools_log_level = "TRACE"
  }

  expect_failures = [var.powertools_log_level]
}

run "powertools_log_level_in_lowercase_is_refused" {
  command = plan

  variables {
    powertools_log_level = "info"
  }

  expect_failures = [var.powertools_log_level]
}

# --- noncurrent_version_expiration_days -----------------------------------------------------

run "noncurrent_versions_kept_zero_days_is_refused" {
  command = plan

  variables {
    noncurrent_version_expiration_days = 0
  }

  expect_failures = [var.noncurrent_version_expiration_days]
}

run "noncurrent_versions_kept_a_fraction_of_a_day_is_refused" {
  command = plan

  variables {
    noncurrent_version_expiration_days = 1.5
  }

  expect_failures = [var.noncurrent_version_expiration_days]
}

# --- access_log_bucket ----------------------------------------------------------------------

run "access_log_bucket_given_as_an_arn_is_refused" {
  command = plan

  variables {
    access_log_bucket = "arn:aws:s3:::central-access-logs"
  }

  expect_failures = [var.access_log_bucket]
}

run "access_log_bucket_given_as_a_url_is_refused" {
  command = plan

  variables {
    access_log_bucket = "s3://central-access-logs/library/"
  }

  expect_failures = [var.access_log_bucket]
}

# --- dlq_message_retention_seconds ----------------------------------------------------------

run "dlq_retention_below_60_seconds_is_refused" {
  command = plan

  variables {
    dlq_message_retention_seconds = 59
  }

  expect_failures = [var.dlq_message_retention_seconds]
}

run "dlq_retention_above_14_days_is_refused" {
  command = plan

  variables {
    dlq_message_retention_seconds = 1209601
  }

  expect_failures = [var.dlq_message_retention_seconds]
}

run "dlq_retention_of_a_fraction_of_a_second_is_refused" {
  command = plan

  variables {
    dlq_message_retention_seconds = 60.5
  }

  expect_failures = [var.dlq_message_retention_seconds]
}
