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

run "valid_with_dots_and_underscores_and_no_state_machine" {
  command = plan

  variables {
    name              = "research_report.test-events"
    state_machine_arn = null
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
