# Each rule of variables.tf and main.tf has a run whose value breaks that rule and no other;
# the runs named valid_* pass with boundary and optional values.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name              = "research-report-test-events"
  state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
}

run "valid_without_rules" {
  command = plan
}

run "valid_with_every_option_at_its_limits" {
  command = plan

  variables {
    name                          = "a"
    archive_retention_days        = 0
    kms_key_arn                   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    dlq_message_retention_seconds = 60
    alarm_topic_arns              = ["arn:aws:sns:us-east-1:123456789012:ops"]
    rules = [
      {
        name          = "start-workflow"
        description   = "Start a research report."
        event_pattern = jsonencode({ source = ["research-report.api"], "detail-type" = ["ReportRequested"] })
        targets = [
          {
            target_id                    = "workflow"
            arn                          = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
            start_execution              = true
            input_path                   = "$.detail"
            maximum_event_age_in_seconds = 60
            maximum_retry_attempts       = 0
          },
          {
            target_id                    = "other-account"
            arn                          = "arn:aws:events:us-east-1:210987654321:event-bus/central"
            role_arn                     = "arn:aws:iam::123456789012:role/forward-events"
            maximum_event_age_in_seconds = 86400
            maximum_retry_attempts       = 185
          },
        ]
      },
      {
        name          = "audit"
        event_pattern = jsonencode({ source = [{ prefix = "research-report." }] })
        targets       = []
      },
    ]
  }
}

run "valid_with_underscores_and_no_state_machine" {
  command = plan

  variables {
    name              = "research_report_test-events"
    state_machine_arn = null
  }
}

run "valid_with_the_longest_name_when_no_role_is_created" {
  command = plan

  variables {
    name             = join("", [for i in range(76) : "n"])
    alarm_topic_arns = ["arn:aws:sns:us-east-1:123456789012:ops"]
  }

  assert {
    condition     = length(aws_sqs_queue.dlq.name) == 80 && length(aws_iam_role.start_execution) == 0
    error_message = "76 characters give an 80-character DLQ name, SQS's limit; no target starts the state machine, so no role."
  }
  assert {
    condition     = length(aws_cloudwatch_event_archive.this.name) == 48 && length(aws_cloudwatch_metric_alarm.dlq[0].alarm_name) == 90
    error_message = "The archive name is cut to EventBridge's 48; the alarm name stays under CloudWatch's 255."
  }
}

run "valid_long_name_with_rules_but_no_start_execution_target" {
  command = plan

  variables {
    name = join("", [for i in range(62) : "n"])
    rules = [{
      name          = "x"
      event_pattern = jsonencode({ source = ["research-report.api"] })
      targets = [{
        target_id = "log"
        arn       = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/audit"
      }]
    }]
  }

  assert {
    condition     = length(aws_cloudwatch_event_rule.this["x"].name) == 64 && length(aws_iam_role.start_execution) == 0
    error_message = "A 64-character rule name is EventBridge's limit; with state_machine_arn but no start_execution target there is no role to limit name to 48."
  }
}

run "valid_at_the_role_and_rule_name_limits" {
  command = plan

  variables {
    name = join("", [for i in range(48) : "n"])
    rules = [{
      name          = "start-workflow1"
      event_pattern = jsonencode({ source = ["research-report.api"] })
      targets = [{
        target_id       = "workflow"
        arn             = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
        start_execution = true
      }]
    }]
  }

  assert {
    condition     = length(aws_iam_role.start_execution[0].name) == 64 && length(aws_cloudwatch_event_rule.this["start-workflow1"].name) == 64
    error_message = "48 characters give a 64-character role name (IAM's limit); a 15-character rule name a 64-character rule (EventBridge's)."
  }
}

run "name_default_is_the_accounts_own_bus" {
  command = plan

  variables {
    name = "default"
  }

  expect_failures = [var.name]
}

run "name_with_a_slash" {
  command = plan

  variables {
    name = "research/report"
  }

  expect_failures = [var.name]
}

run "name_with_a_dot_the_dlq_refuses" {
  command = plan

  variables {
    name = "research.report-events"
  }

  expect_failures = [var.name]
}

run "name_too_long_for_the_dlq" {
  command = plan

  variables {
    name = join("", [for i in range(77) : "n"])
  }

  expect_failures = [var.name]
}

run "name_too_long_for_the_start_execution_role" {
  command = plan

  variables {
    name = join("", [for i in range(49) : "n"])
    rules = [{
      name          = "s"
      event_pattern = jsonencode({ source = ["research-report.api"] })
      targets = [{
        target_id       = "workflow"
        arn             = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
        start_execution = true
      }]
    }]
  }

  expect_failures = [var.rules]
}

run "archive_retention_below_zero" {
  command = plan

  variables {
    archive_retention_days = -1
  }

  expect_failures = [var.archive_retention_days]
}

run "two_rules_with_the_same_name" {
  command = plan

  variables {
    rules = [
      { name = "audit", event_pattern = jsonencode({ source = ["a"] }), targets = [] },
      { name = "audit", event_pattern = jsonencode({ source = ["b"] }), targets = [] },
    ]
  }

  expect_failures = [var.rules]
}

run "rule_name_with_a_space" {
  command = plan

  variables {
    rules = [
      { name = "audit log", event_pattern = jsonencode({ source = ["a"] }), targets = [] },
    ]
  }

  expect_failures = [var.rules]
}

run "rule_name_too_long_for_eventbridge" {
  command = plan

  variables {
    # "research-report-test-events-" is 28 characters: 37 more make 65.
    rules = [
      { name = join("", [for i in range(37) : "r"]), event_pattern = jsonencode({ source = ["a"] }), targets = [] },
    ]
  }

  expect_failures = [var.rules]
}

run "event_pattern_that_is_not_json" {
  command = plan

  variables {
    rules = [
      { name = "audit", event_pattern = "source = research-report.api", targets = [] },
    ]
  }

  expect_failures = [var.rules]
}

run "target_event_age_below_60_seconds" {
  command = plan

  variables {
    rules = [{
      name          = "audit"
      event_pattern = jsonencode({ source = ["research-report.api"] })
      targets = [{
        target_id                    = "log"
        arn                          = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/audit"
        maximum_event_age_in_seconds = 59
      }]
    }]
  }

  expect_failures = [var.rules]
}

run "target_retry_attempts_above_185" {
  command = plan

  variables {
    rules = [{
      name          = "audit"
      event_pattern = jsonencode({ source = ["research-report.api"] })
      targets = [{
        target_id              = "log"
        arn                    = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/audit"
        maximum_retry_attempts = 186
      }]
    }]
  }

  expect_failures = [var.rules]
}

run "target_with_start_execution_and_its_own_role" {
  command = plan

  variables {
    rules = [{
      name          = "start-workflow"
      event_pattern = jsonencode({ source = ["research-report.api"] })
      targets = [{
        target_id       = "workflow"
        arn             = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
        start_execution = true
        role_arn        = "arn:aws:iam::123456789012:role/anything-goes"
      }]
    }]
  }

  expect_failures = [var.rules]
}

run "state_machine_arn_that_names_an_execution" {
  command = plan

  variables {
    state_machine_arn = "arn:aws:states:us-east-1:123456789012:execution:research-report-test:run-1"
  }

  expect_failures = [var.state_machine_arn]
}

run "kms_key_arn_that_names_an_alias" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/research-report"
  }

  expect_failures = [var.kms_key_arn]
}

run "dlq_retention_below_60_seconds" {
  command = plan

  variables {
    dlq_message_retention_seconds = 59
  }

  expect_failures = [var.dlq_message_retention_seconds]
}

run "dlq_retention_above_14_days" {
  command = plan

  variables {
    dlq_message_retention_seconds = 1209601
  }

  expect_failures = [var.dlq_message_retention_seconds]
}

run "start_execution_target_must_be_the_workflow" {
  command = plan

  variables {
    rules = [{
      name          = "start-workflow"
      event_pattern = jsonencode({ source = ["research-report.api"] })
      targets = [{
        target_id       = "other-workflow"
        arn             = "arn:aws:states:us-east-1:123456789012:stateMachine:someone-elses"
        start_execution = true
      }]
    }]
  }

  expect_failures = [aws_cloudwatch_event_target.this]
}

run "start_execution_target_needs_a_state_machine_arn" {
  command = plan

  variables {
    state_machine_arn = null
    rules = [{
      name          = "start-workflow"
      event_pattern = jsonencode({ source = ["research-report.api"] })
      targets = [{
        target_id       = "workflow"
        arn             = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
        start_execution = true
      }]
    }]
  }

  expect_failures = [aws_cloudwatch_event_target.this]
}

run "accepts_an_alias_arn_as_the_state_machine" {
  command = plan

  variables {
    state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test:live"
  }
}
