# Each rule of variables.tf and main.tf has a run whose value breaks that rule and no other;
# the runs named valid_* pass with boundary and optional values.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                     = "research-report-test"
  definition_template_path = "./tests/templates/invoke_only.asl.json.tftpl"
  definition_variables = {
    function_arn    = "arn:aws:lambda:us-east-1:123456789012:function:research-report-test-validate-input"
    timeout_seconds = 60
  }
  lambda_function_arns = ["arn:aws:lambda:us-east-1:123456789012:function:research-report-test-validate-input"]
}

run "valid_with_defaults" {
  command = plan
}

run "valid_express_with_every_option_at_its_limits" {
  command = plan

  variables {
    name                  = "${join("", [for i in range(5) : "abcde_fgh-"])}Z1234"
    type                  = "EXPRESS"
    lambda_function_arns  = ["arn:aws-cn:lambda:cn-north-1:123456789012:function:a", "arn:aws:lambda:us-east-1:123456789012:function:b_c-D"]
    sns_topic_arns        = ["arn:aws:sns:us-east-1:123456789012:research-report-test-notifications"]
    dynamodb_table_arns   = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"]
    event_bus_arn         = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-test-events"
    kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    log_retention_in_days = 3653
    log_level             = "FATAL"
  }
}

run "valid_standard_with_callbacks_and_one_day_logs" {
  command = plan

  variables {
    definition_template_path = "./tests/templates/wait_for_task_token.asl.json.tftpl"
    definition_variables     = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:research-report-test-approval" }
    log_retention_in_days    = 1
    log_level                = "ALL"
  }
}

run "name_of_56_characters_whose_role_name_would_exceed_64" {
  command = plan

  variables {
    name = join("", [for i in range(56) : "a"])
  }

  expect_failures = [var.name]
}

run "name_with_a_colon" {
  command = plan

  variables {
    name = "research:report"
  }

  expect_failures = [var.name]
}

run "type_in_lower_case" {
  command = plan

  variables {
    type = "express"
  }

  expect_failures = [var.type]
}

run "lambda_function_arn_with_an_alias" {
  command = plan

  variables {
    lambda_function_arns = ["arn:aws:lambda:us-east-1:123456789012:function:research-report-test-validate-input:live"]
  }

  expect_failures = [var.lambda_function_arns]
}

run "lambda_function_arn_that_names_a_layer" {
  command = plan

  variables {
    lambda_function_arns = ["arn:aws:lambda:us-east-1:123456789012:layer:research-report-deps"]
  }

  expect_failures = [var.lambda_function_arns]
}

run "kms_key_arn_that_names_an_alias" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/research-report"
  }

  expect_failures = [var.kms_key_arn]
}

run "log_retention_cloudwatch_does_not_offer" {
  command = plan

  variables {
    log_retention_in_days = 2
  }

  expect_failures = [var.log_retention_in_days]
}

run "log_level_off" {
  command = plan

  variables {
    log_level = "OFF"
  }

  expect_failures = [var.log_level]
}

run "express_refuses_wait_for_task_token" {
  command = plan

  variables {
    type                     = "EXPRESS"
    definition_template_path = "./tests/templates/wait_for_task_token.asl.json.tftpl"
    definition_variables     = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:research-report-test-approval" }
  }

  expect_failures = [aws_sfn_state_machine.this]
}

run "express_refuses_sync_integrations" {
  command = plan

  variables {
    type                     = "EXPRESS"
    definition_template_path = "./tests/templates/sync.asl.json.tftpl"
    definition_variables     = { child_state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test-child" }
  }

  expect_failures = [aws_sfn_state_machine.this]
}

run "express_refuses_the_research_report_workflow" {
  command = plan

  variables {
    type                     = "EXPRESS"
    definition_template_path = "../../terraform/workflow.asl.json.tftpl"
    definition_variables = {
      validate_input_arn           = "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"
      agent_search_arn             = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-search"
      agent_summary_arn            = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-summary"
      agent_writer_arn             = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-writer"
      agent_reviser_arn            = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-reviser"
      agent_compliance_arn         = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-compliance"
      citation_check_arn           = "arn:aws:lambda:us-east-1:123456789012:function:rr-citation-check"
      approval_request_arn         = "arn:aws:lambda:us-east-1:123456789012:function:rr-approval-request"
      publish_arn                  = "arn:aws:lambda:us-east-1:123456789012:function:rr-publish"
      on_failure_arn               = "arn:aws:lambda:us-east-1:123456789012:function:rr-on-failure"
      workflow_table_name          = "rr-workflow"
      event_bus_name               = "rr-events"
      map_max_concurrency          = 4
      approval_timeout_seconds     = 86400
      approval_heartbeat_seconds   = 3600
      execution_timeout_seconds    = 172800
      max_revisions                = 3
      retry_max_attempts           = 3
      retry_interval_seconds       = 2
      retry_backoff_rate           = 2
      retry_max_delay_seconds      = 30
      lambda_throttle_max_attempts = 10
      lambda_throttle_max_attempts = 10
    }
  }

  expect_failures = [aws_sfn_state_machine.this]
}

run "dynamodb_actions_with_a_scan" {
  command = plan

  variables {
    dynamodb_actions = ["dynamodb:UpdateItem", "dynamodb:Scan"]
  }

  expect_failures = [var.dynamodb_actions]
}

run "accepts_a_data_key_with_the_reuse_period_bounds_and_an_alias_name" {
  command = plan

  variables {
    encryption_kms_key_arn            = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    kms_data_key_reuse_period_seconds = 60
    publish                           = true
    alias_name                        = "blue_green-2"
  }
}

run "encryption_kms_key_arn_naming_an_alias_is_refused" {
  command = plan

  variables {
    encryption_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/research-report"
  }

  expect_failures = [var.encryption_kms_key_arn]
}

run "kms_data_key_reuse_period_over_900_is_refused" {
  command = plan

  variables {
    kms_data_key_reuse_period_seconds = 901
  }

  expect_failures = [var.kms_data_key_reuse_period_seconds]
}

run "alias_name_of_digits_only_is_refused" {
  command = plan

  variables {
    alias_name = "2"
  }

  expect_failures = [var.alias_name]
}
