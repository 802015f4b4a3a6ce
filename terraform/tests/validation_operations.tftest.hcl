# Variable validations of the handler configuration, operations and cost variables. The runner
# runs this file with -var-file=../envs/pilot.tfvars: every failing run changes only what breaks its
# one rule and names that variable in expect_failures; `pilot_baseline_is_valid` is the control.
# The identity, Bedrock and workflow variables and the checks are in validation.tftest.hcl, which
# explains the module override below (checks must be known in a plan run).

mock_provider "aws" {
  source = "../tests/terraform/mocks"
}

# The pilot's computed ARN (local.state_machine_arn), so check.state_machine_arn and the
# StartExecution target precondition in modules/event_bus hold.
override_module {
  target = module.state_machine
  outputs = {
    arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot"
    alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot:live"
    role_arn       = "arn:aws:iam::123456789012:role/research-report-pilot-sfn-role"
    log_group_name = "/aws/vendedlogs/states/research-report-pilot"
  }
}

run "pilot_baseline_is_valid" {
  command = plan
}

# --- handler configuration ----------------------------------------------------------------------

run "source_limit_above_500_is_refused" {
  command = plan

  variables {
    max_sources_limit = 501
  }

  expect_failures = [var.max_sources_limit]
}

run "default_sources_above_the_limit_are_refused" {
  command = plan

  variables {
    default_max_sources = 51
  }

  expect_failures = [var.default_max_sources]
}

run "zero_default_sources_are_refused" {
  command = plan

  variables {
    default_max_sources = 0
  }

  expect_failures = [var.default_max_sources]
}

run "search_cache_ttl_above_30_days_is_refused" {
  command = plan

  variables {
    search_cache_ttl_seconds = 2592001
  }

  expect_failures = [var.search_cache_ttl_seconds]
}

run "approval_link_ttl_below_a_minute_is_refused" {
  command = plan

  variables {
    approval_link_ttl_seconds = 59
  }

  expect_failures = [var.approval_link_ttl_seconds]
}

run "approval_link_outliving_the_approval_task_is_refused" {
  command = plan

  variables {
    approval_link_ttl_seconds = 259201
  }

  expect_failures = [var.approval_link_ttl_seconds]
}

run "sources_at_a_limit_of_500_are_accepted" {
  command = plan

  variables {
    max_sources_limit        = 500
    default_max_sources      = 500
    sources_per_run          = 500
    search_cache_ttl_seconds = 2592000
  }
}

run "single_source_and_no_search_cache_are_accepted" {
  command = plan

  variables {
    max_sources_limit        = 1
    default_max_sources      = 1
    sources_per_run          = 1
    search_cache_ttl_seconds = 0
  }
}

# --- operations -----------------------------------------------------------------------------------

run "fatal_state_machine_log_level_is_refused" {
  command = plan

  variables {
    sfn_log_level = "FATAL"
  }

  expect_failures = [var.sfn_log_level]
}

run "log_retention_cloudwatch_does_not_offer_is_refused" {
  command = plan

  variables {
    log_retention_in_days = 31
  }

  expect_failures = [var.log_retention_in_days]
}

# WARN is Lambda's spelling; Powertools (and this variable) say WARNING.
run "powertools_log_level_warn_is_refused" {
  command = plan

  variables {
    powertools_log_level = "WARN"
  }

  expect_failures = [var.powertools_log_level]
}

run "zero_reserved_concurrency_is_refused" {
  command = plan

  variables {
    reserved_concurrency = { agent = 4, approval = 0, control = 2 }
  }

  expect_failures = [var.reserved_concurrency]
}

run "an_approval_endpoint_burst_past_the_callbacks_reserved_concurrency_is_refused" {
  command = plan

  variables {
    # The pilot reserves 2 for the callback.
    approval_endpoint_throttle = { burst_limit = 3, rate_limit = 1 }
  }

  expect_failures = [var.approval_endpoint_throttle]
}

run "agent_reservation_below_the_map_concurrency_is_refused" {
  command = plan

  variables {
    reserved_concurrency = { agent = 1, approval = 2, control = 2 }
  }

  expect_failures = [var.reserved_concurrency]
}

run "zero_days_of_intermediate_artifacts_are_refused" {
  command = plan

  variables {
    artifact_intermediate_retention_days = 0
  }

  expect_failures = [var.artifact_intermediate_retention_days]
}

run "zero_days_of_noncurrent_artifact_versions_are_refused" {
  command = plan

  variables {
    artifact_noncurrent_version_days = 0
  }

  expect_failures = [var.artifact_noncurrent_version_days]
}

run "event_archive_kept_forever_is_refused" {
  command = plan

  variables {
    event_archive_retention_days = 0
  }

  expect_failures = [var.event_archive_retention_days]
}

run "alarm_threshold_of_zero_is_refused" {
  command = plan

  variables {
    alarm_thresholds = {
      executions_failed    = 1
      executions_timed_out = 1
      executions_throttled = 1
      lambda_errors        = 0
      approval_timeouts    = 1
      fallbacks            = 1
    }
  }

  expect_failures = [var.alarm_thresholds]
}

run "callback_auth_type_in_lowercase_is_refused" {
  command = plan

  variables {
    approval_callback_auth_type = "aws_iam"
  }

  expect_failures = [var.approval_callback_auth_type]
}

run "powertools_layer_version_zero_is_refused" {
  command = plan

  variables {
    powertools_layer_version = 0
  }

  expect_failures = [var.powertools_layer_version]
}

run "lambda_architecture_other_than_arm64_or_x86_64_is_refused" {
  command = plan

  variables {
    lambda_architecture = "amd64"
  }

  expect_failures = [var.lambda_architecture]
}

run "functions_run_on_arm64_by_default" {
  command = plan

  assert {
    condition     = alltrue([for f in values(module.functions) : f.architecture == "arm64"]) && endswith(local.powertools_layer_arn, "-python312-arm64:27")
    error_message = "By default every function runs on arm64 with the arm64 Powertools layer."
  }
}

run "every_function_runs_on_lambda_architecture_with_the_powertools_layer_built_for_it" {
  command = plan

  variables {
    lambda_architecture = "x86_64"
  }

  assert {
    condition = alltrue([
      for f in concat(values(module.functions), [module.approval_callback]) : f.architecture == "x86_64"
    ])
    error_message = "lambda_architecture reaches every function."
  }
  assert {
    condition     = endswith(local.powertools_layer_arn, ":layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:27")
    error_message = "The Powertools layer is the one built for lambda_architecture."
  }
}

run "longest_retention_and_debug_logging_are_accepted" {
  command = plan

  variables {
    log_retention_in_days                = 3653
    powertools_log_level                 = "DEBUG"
    sfn_log_level                        = "ERROR"
    artifact_intermediate_retention_days = 3653
    event_archive_retention_days         = 3653
  }
}

run "smallest_reservations_retentions_and_layer_version_are_accepted" {
  command = plan

  variables {
    map_max_concurrency                  = 1
    reserved_concurrency                 = { agent = 1, approval = 1, control = 1 }
    log_retention_in_days                = 1
    artifact_intermediate_retention_days = 1
    artifact_noncurrent_version_days     = 1
    event_archive_retention_days         = 1
    powertools_layer_version             = 1
    approval_callback_auth_type          = "AWS_IAM"
  }
}

# --- cost and sizing --------------------------------------------------------------------------------

run "zero_monthly_budget_is_refused" {
  command = plan

  variables {
    monthly_budget_usd = 0
  }

  expect_failures = [var.monthly_budget_usd]
}

run "zero_workflows_per_month_are_refused" {
  command = plan

  variables {
    workflows_per_month = 0
  }

  expect_failures = [var.workflows_per_month]
}

run "negative_transitions_per_execution_are_refused" {
  command = plan

  variables {
    transitions_per_execution = -1
  }

  expect_failures = [var.transitions_per_execution]
}

run "sources_per_run_above_the_limit_are_refused" {
  command = plan

  variables {
    sources_per_run = 51
  }

  expect_failures = [var.sources_per_run]
}

run "smallest_budget_and_sizing_are_accepted" {
  command = plan

  variables {
    monthly_budget_usd        = 0.01
    workflows_per_month       = 1
    transitions_per_execution = 0
    sources_per_run           = 1
  }
}
