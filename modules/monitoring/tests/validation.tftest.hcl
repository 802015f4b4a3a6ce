# Each rule of variables.tf and the alarms' precondition has a run whose value breaks that rule and
# no other; the `accepts_*` runs pass with valid values, boundaries and optional inputs included.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                         = "research-report-test"
  environment                  = "test"
  state_machine_arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
  state_machine_log_group_name = "/aws/vendedlogs/states/research-report-test"
}

run "accepts_the_required_inputs_alone" {
  command = plan
}

run "accepts_boundaries_and_every_optional_input" {
  command = plan

  variables {
    # 200 characters, the longest name.
    name = "research-report-${join("", [for i in range(184) : "x"])}"
    ops_subscriptions = [
      { protocol = "email", endpoint = "ops@example.com" },
      { protocol = "https", endpoint = "https://hooks.example.com/ops" },
      { protocol = "sqs", endpoint = "arn:aws:sqs:us-east-1:123456789012:ops" },
      { protocol = "lambda", endpoint = "arn:aws:lambda:us-east-1:123456789012:function:ops" },
    ]
    kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    event_rule_arns       = ["arn:aws:events:us-east-1:123456789012:rule/research-report-test-events/workflow-failed"]
    lambda_function_names = { validate_input = "research-report-test-validate_input" }
    dlq_names             = ["research-report-test-dlq"]
    agent_roles           = ["search"]
    agent_metric_names    = { invocations = "Invocations" }
    alarm_thresholds = {
      executions_failed    = 1
      executions_timed_out = 1
      executions_throttled = 1
      lambda_errors        = 1
      approval_timeouts    = 1
    }
    budget_notifications      = true
    token_prices_usd_per_1k   = { search = { input = 0.003, output = 0.015 } }
    transitions_per_execution = 0
    transition_price_usd      = 0
    tags                      = { team = "research" }
  }
}

run "accepts_an_existing_topic_in_another_partition" {
  command = plan

  variables {
    create_ops_topic = false
    ops_topic_arn    = "arn:aws-us-gov:sns:us-gov-west-1:123456789012:ops"
  }
}

# --- name ------------------------------------------------------------------------------

run "name_with_a_space_is_refused" {
  command = plan

  variables {
    name = "research report"
  }

  expect_failures = [var.name]
}

run "name_longer_than_200_characters_is_refused" {
  command = plan

  variables {
    name = "research-report-${join("", [for i in range(185) : "x"])}"
  }

  expect_failures = [var.name]
}

# --- ops_topic_arn ---------------------------------------------------------------------

run "ops_topic_arn_of_an_sqs_queue_is_refused" {
  command = plan

  variables {
    create_ops_topic = false
    ops_topic_arn    = "arn:aws:sqs:us-east-1:123456789012:ops"
  }

  expect_failures = [var.ops_topic_arn]
}

# --- ops_subscriptions -----------------------------------------------------------------

run "ops_subscription_over_sms_is_refused" {
  command = plan

  variables {
    ops_subscriptions = [
      { protocol = "email", endpoint = "ops@example.com" },
      { protocol = "sms", endpoint = "+15555550100" },
    ]
  }

  expect_failures = [var.ops_subscriptions]
}

# --- alarm_thresholds ------------------------------------------------------------------

run "alarm_threshold_of_zero_is_refused" {
  command = plan

  variables {
    alarm_thresholds = { lambda_errors = 0 }
  }

  expect_failures = [var.alarm_thresholds]
}

# --- transitions_per_execution ---------------------------------------------------------

run "negative_transitions_per_execution_is_refused" {
  command = plan

  variables {
    transitions_per_execution = -1
  }

  expect_failures = [var.transitions_per_execution]
}

# --- precondition of the execution alarms ----------------------------------------------

run "alarms_without_a_topic_are_refused" {
  command = plan

  variables {
    # Valid on their own: no topic created and none given.
    create_ops_topic = false
    ops_topic_arn    = null
  }

  expect_failures = [aws_cloudwatch_metric_alarm.executions]
}

# --- fallback_alarm ----------------------------------------------------------------------

run "fallback_alarm_threshold_of_zero_is_refused" {
  command = plan

  variables {
    fallback_alarm = { threshold = 0, role_dimensions = { search = { role = "search" } } }
  }

  expect_failures = [var.fallback_alarm]
}

run "fallback_alarm_of_eleven_roles_is_refused" {
  command = plan

  variables {
    fallback_alarm = { threshold = 1, role_dimensions = { for i in range(11) : "r${i}" => { role = "r${i}" } } }
  }

  expect_failures = [var.fallback_alarm]
}

run "fallback_alarm_period_of_ten_minutes_is_refused" {
  command = plan

  variables {
    fallback_alarm = { threshold = 1, period_seconds = 600, role_dimensions = { search = { role = "search" } } }
  }

  expect_failures = [var.fallback_alarm]
}

run "fallback_alarm_of_ten_roles_per_hour_is_accepted" {
  command = plan

  variables {
    fallback_alarm = { threshold = 1, period_seconds = 3600, role_dimensions = { for i in range(10) : "r${i}" => { role = "r${i}" } } }
  }
}

run "fallback_alarm_without_a_topic_is_refused" {
  command = plan

  variables {
    create_ops_topic = false
    ops_topic_arn    = null
    fallback_alarm   = { threshold = 1, role_dimensions = { search = { role = "search" } } }
  }

  expect_failures = [aws_cloudwatch_metric_alarm.executions, aws_cloudwatch_metric_alarm.fallbacks]
}
