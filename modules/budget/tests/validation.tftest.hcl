# Each rule of variables.tf and main.tf has a run whose value breaks that rule and no other;
# the runs named valid_* pass with boundary and optional values.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name              = "research-report-test"
  monthly_limit_usd = 200
  cost_filter_tag = {
    key   = "project"
    value = "research-report"
  }
  notification_topic_arns = ["arn:aws:sns:us-east-1:123456789012:research-report-test-alerts"]
}

run "valid_with_defaults" {
  command = plan
}

run "valid_at_the_boundaries" {
  command = plan

  variables {
    name                       = "a"
    monthly_limit_usd          = 0.01
    notification_topic_arns    = ["arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts"]
    notification_emails        = [for i in range(10) : "finops${i}@example.com"]
    forecast_threshold_percent = 1000
    actual_threshold_percent   = 0.5
    bedrock_spend = {
      threshold_usd  = 0.01
      period_seconds = 86400
      roles = { for r in ["search", "summary", "writer", "reviser", "approval"] : r => {
        dimensions               = { Role = r }
        input_usd_per_1k_tokens  = 0.003
        output_usd_per_1k_tokens = 0.015
      } }
    }
  }
}

run "valid_with_the_longest_name" {
  command = plan

  variables {
    name = join("", [for i in range(92) : "n"])
    bedrock_spend = {
      threshold_usd = 5
      roles = { writer = {
        dimensions               = { Role = "writer" }
        input_usd_per_1k_tokens  = 0.003
        output_usd_per_1k_tokens = 0.015
      } }
    }
  }

  assert {
    condition     = length(aws_budgets_budget.this.name) == 100 && length(aws_cloudwatch_metric_alarm.bedrock_spend[0].alarm_name) == 106
    error_message = "92 characters give a 100-character budget name (AWS Budgets' limit) and a 106-character alarm name (CloudWatch allows 255)."
  }
}

run "valid_with_e_mail_only" {
  command = plan

  variables {
    notification_topic_arns = []
    notification_emails     = ["finops@example.com"]
  }
}

run "name_with_a_space" {
  command = plan

  variables {
    name = "research report"
  }

  expect_failures = [var.name]
}

run "name_too_long_for_the_budget" {
  command = plan

  variables {
    name = join("", [for i in range(93) : "n"])
  }

  expect_failures = [var.name]
}

run "monthly_limit_of_zero" {
  command = plan

  variables {
    monthly_limit_usd = 0
  }

  expect_failures = [var.monthly_limit_usd]
}

run "notification_topic_arn_that_names_a_queue" {
  command = plan

  variables {
    notification_topic_arns = ["arn:aws:sqs:us-east-1:123456789012:alerts"]
  }

  expect_failures = [var.notification_topic_arns]
}

run "eleven_notification_emails" {
  command = plan

  variables {
    notification_emails = [for i in range(11) : "finops${i}@example.com"]
  }

  expect_failures = [var.notification_emails]
}

run "notification_email_without_an_at_sign" {
  command = plan

  variables {
    notification_emails = ["finops.example.com"]
  }

  expect_failures = [var.notification_emails]
}

run "forecast_threshold_of_zero" {
  command = plan

  variables {
    forecast_threshold_percent = 0
  }

  expect_failures = [var.forecast_threshold_percent]
}

run "forecast_threshold_above_1000" {
  command = plan

  variables {
    forecast_threshold_percent = 1001
  }

  expect_failures = [var.forecast_threshold_percent]
}

run "actual_threshold_of_zero" {
  command = plan

  variables {
    actual_threshold_percent = 0
  }

  expect_failures = [var.actual_threshold_percent]
}

run "actual_threshold_above_1000" {
  command = plan

  variables {
    actual_threshold_percent = 1001
  }

  expect_failures = [var.actual_threshold_percent]
}

run "bedrock_spend_without_roles" {
  command = plan

  variables {
    bedrock_spend = {
      threshold_usd = 5
      roles         = {}
    }
  }

  expect_failures = [var.bedrock_spend]
}

run "bedrock_spend_with_six_roles" {
  command = plan

  variables {
    bedrock_spend = {
      threshold_usd = 5
      roles = { for r in ["a", "b", "c", "d", "e", "f"] : r => {
        dimensions               = { Role = r }
        input_usd_per_1k_tokens  = 0.003
        output_usd_per_1k_tokens = 0.015
      } }
    }
  }

  expect_failures = [var.bedrock_spend]
}

run "bedrock_spend_threshold_of_zero" {
  command = plan

  variables {
    bedrock_spend = {
      threshold_usd = 0
      roles = { writer = {
        dimensions               = { Role = "writer" }
        input_usd_per_1k_tokens  = 0.003
        output_usd_per_1k_tokens = 0.015
      } }
    }
  }

  expect_failures = [var.bedrock_spend]
}

run "bedrock_spend_period_of_two_hours" {
  command = plan

  variables {
    bedrock_spend = {
      threshold_usd  = 5
      period_seconds = 7200
      roles = { writer = {
        dimensions               = { Role = "writer" }
        input_usd_per_1k_tokens  = 0.003
        output_usd_per_1k_tokens = 0.015
      } }
    }
  }

  expect_failures = [var.bedrock_spend]
}

run "budget_nobody_is_notified_of" {
  command = plan

  variables {
    notification_topic_arns = []
    notification_emails     = []
  }

  expect_failures = [aws_budgets_budget.this]
}
