# Each rule of variables.tf and the callback precondition of main.tf has a run whose value breaks
# that rule and no other; the `valid...` runs pass with ordinary and boundary values.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                   = "research-report-test"
  kms_key_arn            = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  callback_function_name = "research-report-test-approval-callback"
  # The mocked aws_secretsmanager_secret ARN: the callback function reads this module's secret.
  callback_signing_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mock-secret-AbCdEf"
  workflow_table_arn          = "arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"
  event_bus_arn               = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-test"
  state_machine_arn           = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
}

# --- values every rule accepts --------------------------------------------------------------

run "valid_with_every_subscription_protocol_and_iam_reviewers" {
  command = plan

  variables {
    name = "Research_Report-test_1"
    subscriptions = [
      { protocol = "email", endpoint = "reviewer@example.com" },
      { protocol = "https", endpoint = "https://hooks.example.com/approvals" },
      { protocol = "sqs", endpoint = "arn:aws:sqs:us-east-1:123456789012:approvals" },
    ]
    callback_auth_type = "AWS_IAM"
    reviewer_principal_arns = [
      "arn:aws:iam::123456789012:role/reviewer",
      "arn:aws:iam::123456789012:user/alice",
      "arn:aws:sts::123456789012:assumed-role/reviewer/alice",
      "arn:aws-us-gov:iam::123456789012:role/gov-reviewer",
    ]
    workflow_table_arn = "arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/workflow"
    event_bus_arn      = "arn:aws-cn:events:cn-north-1:123456789012:event-bus/workflow"
    state_machine_arn  = "arn:aws:states:eu-west-1:123456789012:stateMachine:research_report-test"
  }
}

run "valid_name_of_200_characters" {
  command = plan

  variables {
    name = join("", [for i in range(200) : "a"])
  }
}

run "valid_secret_deleted_at_once" {
  command = plan

  variables {
    secret_recovery_window_in_days = 0
  }
}

run "valid_shortest_secret_recovery_window" {
  command = plan

  variables {
    secret_recovery_window_in_days = 7
  }
}

run "valid_longest_secret_recovery_window" {
  command = plan

  variables {
    secret_recovery_window_in_days = 30
  }
}

# --- name -----------------------------------------------------------------------------------

run "name_with_a_slash_is_refused" {
  command = plan

  variables {
    name = "research/report"
  }

  expect_failures = [var.name]
}

run "name_longer_than_200_characters_is_refused" {
  command = plan

  variables {
    name = join("", [for i in range(201) : "a"])
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

# --- subscriptions --------------------------------------------------------------------------

run "subscription_protocol_sms_is_refused" {
  command = plan

  variables {
    subscriptions = [{ protocol = "sms", endpoint = "+15555550100" }]
  }

  expect_failures = [var.subscriptions]
}

run "email_subscription_without_an_address_is_refused" {
  command = plan

  variables {
    subscriptions = [{ protocol = "email", endpoint = "reviewers at example.com" }]
  }

  expect_failures = [var.subscriptions]
}

run "https_subscription_to_a_plain_http_url_is_refused" {
  command = plan

  variables {
    subscriptions = [{ protocol = "https", endpoint = "http://hooks.example.com/approvals" }]
  }

  expect_failures = [var.subscriptions]
}

run "sqs_subscription_to_a_topic_arn_is_refused" {
  command = plan

  variables {
    subscriptions = [{ protocol = "sqs", endpoint = "arn:aws:sns:us-east-1:123456789012:approvals" }]
  }

  expect_failures = [var.subscriptions]
}

# --- callback_endpoint, throttle, access log retention --------------------------------------

run "valid_function_url_endpoint_with_iam_reviewers_and_boundary_limits" {
  command = plan

  variables {
    callback_endpoint            = "function_url"
    callback_auth_type           = "AWS_IAM"
    throttling_burst_limit       = 5000
    throttling_rate_limit        = 0.5
    access_log_retention_in_days = 3653
  }
}

run "callback_endpoint_other_than_http_api_or_function_url_is_refused" {
  command = plan

  variables {
    callback_endpoint = "rest_api"
  }

  expect_failures = [var.callback_endpoint]
}

run "an_unauthenticated_function_url_is_refused" {
  command = plan

  variables {
    callback_endpoint = "function_url"
  }

  expect_failures = [var.callback_endpoint]
}

run "throttling_burst_of_zero_is_refused" {
  command = plan

  variables {
    throttling_burst_limit = 0
  }

  expect_failures = [var.throttling_burst_limit]
}

run "throttling_burst_past_the_account_burst_is_refused" {
  command = plan

  variables {
    throttling_burst_limit = 5001
  }

  expect_failures = [var.throttling_burst_limit]
}

run "fractional_throttling_burst_is_refused" {
  command = plan

  variables {
    throttling_burst_limit = 2.5
  }

  expect_failures = [var.throttling_burst_limit]
}

run "throttling_rate_of_zero_is_refused" {
  command = plan

  variables {
    throttling_rate_limit = 0
  }

  expect_failures = [var.throttling_rate_limit]
}

run "throttling_rate_past_the_account_rate_is_refused" {
  command = plan

  variables {
    throttling_rate_limit = 10001
  }

  expect_failures = [var.throttling_rate_limit]
}

run "access_log_retention_cloudwatch_does_not_offer_is_refused" {
  command = plan

  variables {
    access_log_retention_in_days = 45
  }

  expect_failures = [var.access_log_retention_in_days]
}

# --- callback_auth_type ---------------------------------------------------------------------

run "callback_auth_type_other_than_none_or_aws_iam_is_refused" {
  command = plan

  variables {
    callback_auth_type = "COGNITO"
  }

  expect_failures = [var.callback_auth_type]
}

# --- reviewer_principal_arns ----------------------------------------------------------------

run "reviewer_principal_that_is_an_iam_group_is_refused" {
  command = plan

  variables {
    callback_auth_type      = "AWS_IAM"
    reviewer_principal_arns = ["arn:aws:iam::123456789012:group/reviewers"]
  }

  expect_failures = [var.reviewer_principal_arns]
}

run "reviewer_principal_that_is_an_account_id_is_refused" {
  command = plan

  variables {
    callback_auth_type      = "AWS_IAM"
    reviewer_principal_arns = ["arn:aws:iam::123456789012:role/reviewer", "123456789012"]
  }

  expect_failures = [var.reviewer_principal_arns]
}

# --- workflow_table_arn, event_bus_arn, state_machine_arn -----------------------------------

run "workflow_table_given_by_name_is_refused" {
  command = plan

  variables {
    workflow_table_arn = "research-report-test-workflow"
  }

  expect_failures = [var.workflow_table_arn]
}

run "event_bus_arn_that_names_a_rule_is_refused" {
  command = plan

  variables {
    event_bus_arn = "arn:aws:events:us-east-1:123456789012:rule/research-report-test/approvals"
  }

  expect_failures = [var.event_bus_arn]
}

run "state_machine_version_arn_is_refused" {
  command = plan

  variables {
    state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test:1"
  }

  expect_failures = [var.state_machine_arn]
}

# --- secret_recovery_window_in_days ---------------------------------------------------------

run "secret_recovery_window_below_seven_days_is_refused" {
  command = plan

  variables {
    secret_recovery_window_in_days = 6
  }

  expect_failures = [var.secret_recovery_window_in_days]
}

run "secret_recovery_window_above_thirty_days_is_refused" {
  command = plan

  variables {
    secret_recovery_window_in_days = 31
  }

  expect_failures = [var.secret_recovery_window_in_days]
}

# --- the callback precondition --------------------------------------------------------------
# It compares with the secret's ARN, unknown in a first plan. The first run applies, so the secret
# is in this file's state and the runs after it plan with its (mocked) ARN known.

run "callback_auth_none_with_the_modules_secret_is_accepted" {
  command = apply

  assert {
    condition     = alltrue([for route in aws_apigatewayv2_route.callback : route.authorization_type == "NONE"])
    error_message = "NONE is accepted when callback_signing_secret_arn is this module's signing secret."
  }
}

run "callback_auth_none_without_the_modules_secret_is_refused" {
  command = plan

  variables {
    callback_signing_secret_arn = null
  }

  expect_failures = [aws_apigatewayv2_route.callback]
}

run "callback_auth_none_with_another_secret_is_refused" {
  command = plan

  variables {
    callback_signing_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:someone-elses-key-XyZ123"
  }

  expect_failures = [aws_apigatewayv2_route.callback]
}

run "callback_auth_aws_iam_needs_no_signing_secret" {
  command = apply

  variables {
    callback_auth_type          = "AWS_IAM"
    callback_signing_secret_arn = null
  }

  assert {
    condition     = alltrue([for route in aws_apigatewayv2_route.callback : route.authorization_type == "AWS_IAM"])
    error_message = "AWS_IAM endpoints are authenticated by IAM: the precondition does not ask for the signing secret."
  }
}
