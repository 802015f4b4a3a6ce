# The monthly cost budget: scoped by the stack's cost allocation tag, notifying on forecast and actual cost.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name              = "research-report-test"
  monthly_limit_usd = 250
  cost_filter_tag = {
    key   = "project"
    value = "research-report"
  }
  notification_topic_arns = ["arn:aws:sns:us-east-1:123456789012:research-report-test-alerts"]
}

run "monthly_cost_budget_in_usd_named_after_the_stack" {
  command = plan

  assert {
    condition     = aws_budgets_budget.this.name == "research-report-test-monthly" && output.budget_name == "research-report-test-monthly"
    error_message = "The budget is named <name>-monthly."
  }
  assert {
    condition     = aws_budgets_budget.this.budget_type == "COST" && aws_budgets_budget.this.time_unit == "MONTHLY"
    error_message = "The budget is a monthly cost budget."
  }
  assert {
    condition     = aws_budgets_budget.this.limit_unit == "USD" && tonumber(aws_budgets_budget.this.limit_amount) == 250
    error_message = "monthly_limit_usd is the budget's limit in USD."
  }
  assert {
    condition     = output.limit_amount_usd == 250
    error_message = "limit_amount_usd returns the limit as a number."
  }
}

run "budget_sees_only_cost_tagged_with_the_cost_filter_tag" {
  command = plan

  assert {
    condition = length(aws_budgets_budget.this.cost_filter) == 1 && alltrue([for f in aws_budgets_budget.this.cost_filter :
    f.name == "TagKeyValue" && f.values == tolist(["user:project$research-report"])])
    error_message = "The budget is filtered on the user:<key>$<value> tag, nothing else."
  }
}

run "notifies_on_forecast_above_80_and_actual_above_100_percent_by_default" {
  command = plan

  assert {
    condition     = length(aws_budgets_budget.this.notification) == 2
    error_message = "The budget has exactly a forecast and an actual notification."
  }
  assert {
    condition = anytrue([for n in aws_budgets_budget.this.notification :
      n.notification_type == "FORECASTED" && n.threshold == 80 && n.threshold_type == "PERCENTAGE" && n.comparison_operator == "GREATER_THAN"
    ])
    error_message = "A forecast above 80 % of the limit notifies (forecast_threshold_percent default)."
  }
  assert {
    condition = anytrue([for n in aws_budgets_budget.this.notification :
      n.notification_type == "ACTUAL" && n.threshold == 100 && n.threshold_type == "PERCENTAGE" && n.comparison_operator == "GREATER_THAN"
    ])
    error_message = "Actual cost above 100 % of the limit notifies (actual_threshold_percent default)."
  }
  assert {
    condition = alltrue([for n in aws_budgets_budget.this.notification :
    n.subscriber_sns_topic_arns == toset(["arn:aws:sns:us-east-1:123456789012:research-report-test-alerts"]) && length(n.subscriber_email_addresses) == 0])
    error_message = "Both notifications go to notification_topic_arns and to no e-mail address when none is given."
  }
}

run "thresholds_and_e_mail_subscribers_are_configurable" {
  command = plan

  variables {
    notification_topic_arns    = []
    notification_emails        = ["finops@example.com", "owner@example.com"]
    forecast_threshold_percent = 90
    actual_threshold_percent   = 120
  }

  assert {
    condition     = anytrue([for n in aws_budgets_budget.this.notification : n.notification_type == "FORECASTED" && n.threshold == 90])
    error_message = "forecast_threshold_percent sets the forecast notification's threshold."
  }
  assert {
    condition     = anytrue([for n in aws_budgets_budget.this.notification : n.notification_type == "ACTUAL" && n.threshold == 120])
    error_message = "actual_threshold_percent sets the actual notification's threshold."
  }
  assert {
    condition = alltrue([for n in aws_budgets_budget.this.notification :
    n.subscriber_email_addresses == toset(["finops@example.com", "owner@example.com"]) && length(n.subscriber_sns_topic_arns) == 0])
    error_message = "Both notifications e-mail notification_emails directly."
  }
}

run "budget_arn_is_returned" {
  command = apply

  assert {
    condition     = output.budget_arn == "arn:aws:budgets::123456789012:budget/mock-budget"
    error_message = "budget_arn returns the budget's ARN."
  }
  assert {
    condition     = output.bedrock_spend_alarm_arn == null
    error_message = "bedrock_spend_alarm_arn is null when bedrock_spend is null."
  }
}
