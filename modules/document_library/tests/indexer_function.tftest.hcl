# The document_indexer function (modules/lambda_function): one rebuild at a time, sized for a full
# relisting, logging at Powertools' level, and its own dead-letter queue for failed asynchronous
# invocations.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

override_resource {
  target = module.bucket.aws_s3_bucket.this
  values = {
    id  = "research-report-test-library-123456789012"
    arn = "arn:aws:s3:::research-report-test-library-123456789012"
  }
}

variables {
  name                 = "research-report-test"
  environment          = "test"
  kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  indexer_package_path = "tests/fixtures/document_indexer.zip"
  layers               = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:7"]
}

run "indexer_is_named_after_the_prefix_with_its_role_and_log_group" {
  command = plan

  assert {
    condition     = module.indexer.function_name == "research-report-test-document_indexer" && output.indexer_function_name == "research-report-test-document_indexer"
    error_message = "The indexer is <name>-document_indexer (POWERTOOLS_SERVICE_NAME document_indexer)."
  }
  assert {
    condition     = module.indexer.role_name == "research-report-test-document_indexer-role"
    error_message = "The indexer runs as its own role, <function>-role."
  }
  assert {
    condition     = module.indexer.log_group_name == "/aws/lambda/research-report-test-document_indexer"
    error_message = "The indexer logs to /aws/lambda/<function>."
  }
}

run "one_rebuild_at_a_time_sized_for_a_full_relisting" {
  command = apply

  assert {
    condition     = module.indexer.reserved_concurrent_executions == 1
    error_message = "Reserved concurrency 1: two rebuilds at once would each write an index missing the other's change."
  }
  assert {
    condition     = module.indexer.timeout == 300 && module.indexer.memory_size == 1024
    error_message = "A rebuild may relist and reread the library: 5 minutes, 1024 MB."
  }
}

run "defaults_run_on_arm64_keeping_logs_30_days" {
  command = apply

  assert {
    condition     = module.indexer.architecture == "arm64"
    error_message = "architecture defaults to arm64."
  }
  assert {
    condition     = module.indexer.log_retention_in_days == 30
    error_message = "log_retention_in_days defaults to 30."
  }
  assert {
    condition     = local.application_log_level == "INFO"
    error_message = "With powertools_log_level INFO, Lambda's application log level is INFO."
  }
}

run "architecture_and_retention_reach_the_function" {
  command = apply

  variables {
    architecture          = "x86_64"
    layers                = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"]
    log_retention_in_days = 365
  }

  assert {
    condition     = module.indexer.architecture == "x86_64"
    error_message = "architecture reaches the function."
  }
  assert {
    condition     = module.indexer.log_retention_in_days == 365
    error_message = "log_retention_in_days reaches the indexer's log group."
  }
}

run "lambda_log_level_follows_warning" {
  command = plan

  variables {
    powertools_log_level = "WARNING"
  }

  assert {
    condition     = local.application_log_level == "WARN"
    error_message = "Powertools' WARNING is Lambda's WARN: Lambda would otherwise drop the warnings."
  }
}

run "lambda_log_level_follows_debug" {
  command = plan

  variables {
    powertools_log_level = "DEBUG"
  }

  assert {
    condition     = local.application_log_level == "DEBUG"
    error_message = "With DEBUG, Lambda keeps the debug lines Powertools writes."
  }
}

run "lambda_log_level_follows_critical" {
  command = plan

  variables {
    powertools_log_level = "CRITICAL"
  }

  assert {
    condition     = local.application_log_level == "FATAL"
    error_message = "Powertools' CRITICAL is Lambda's FATAL."
  }
}
