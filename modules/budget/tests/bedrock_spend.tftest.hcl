# The Bedrock spend alarm: token metrics per role priced into USD with metric math, only when asked for.

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
  bedrock_spend = {
    threshold_usd = 12.5
    roles = {
      writer = {
        dimensions               = { Role = "writer", Environment = "test" }
        input_usd_per_1k_tokens  = 0.003
        output_usd_per_1k_tokens = 0.015
      }
      search = {
        dimensions               = { Role = "search", Environment = "test" }
        input_usd_per_1k_tokens  = 0.00025
        output_usd_per_1k_tokens = 0.00125
      }
    }
  }
}

run "no_alarm_without_bedrock_spend" {
  command = plan

  variables {
    bedrock_spend = null
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.bedrock_spend) == 0
    error_message = "bedrock_spend = null creates no alarm."
  }
}

run "alarm_on_estimated_spend_above_the_threshold" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.bedrock_spend) == 1
    error_message = "bedrock_spend creates one alarm."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.bedrock_spend[0].alarm_name == "research-report-test-bedrock-spend"
    error_message = "The alarm is named <name>-bedrock-spend."
  }
  assert {
    condition = (aws_cloudwatch_metric_alarm.bedrock_spend[0].threshold == 12.5
      && aws_cloudwatch_metric_alarm.bedrock_spend[0].comparison_operator == "GreaterThanThreshold"
    && aws_cloudwatch_metric_alarm.bedrock_spend[0].evaluation_periods == 1)
    error_message = "The alarm fires when one period's estimate exceeds threshold_usd."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.bedrock_spend[0].treat_missing_data == "notBreaching"
    error_message = "No tokens means no spend: missing data does not breach."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.bedrock_spend[0].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:research-report-test-alerts"])
    error_message = "The alarm notifies notification_topic_arns."
  }
  assert {
    condition     = strcontains(aws_cloudwatch_metric_alarm.bedrock_spend[0].alarm_description, "above 12.5 USD per 6 h")
    error_message = "The description states the threshold and the default 6 h period."
  }
}

run "spend_expression_prices_each_roles_tokens_per_1000" {
  command = plan

  assert {
    condition = one([for q in aws_cloudwatch_metric_alarm.bedrock_spend[0].metric_query : q.expression if q.id == "spend"]) == (
    "(in0 * 0.00025 + out0 * 0.00125 + in1 * 0.003 + out1 * 0.015) / 1000")
    error_message = "spend sums tokens x price per 1,000 tokens over the roles in sorted order (search = 0, writer = 1)."
  }
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.bedrock_spend[0].metric_query : q.return_data if q.id == "spend"]) == true
    error_message = "Only the spend expression is returned as the alarm's data."
  }
  assert {
    condition     = length([for q in aws_cloudwatch_metric_alarm.bedrock_spend[0].metric_query : q if q.return_data == true]) == 1
    error_message = "The token metrics are inputs of the expression, not alarm data."
  }
}

run "token_metrics_per_role_with_their_dimensions" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.bedrock_spend[0].metric_query) == 5
    error_message = "Two roles give the expression plus 2 x 2 token metrics."
  }
  assert {
    condition = alltrue([for q in aws_cloudwatch_metric_alarm.bedrock_spend[0].metric_query :
      one(q.metric).namespace == "ResearchReport" && one(q.metric).period == 21600 && one(q.metric).stat == "Sum"
    if q.id != "spend"])
    error_message = "Every token metric is a Sum over the period (default 21600 s) in the ResearchReport namespace."
  }
  assert {
    condition = alltrue([for id, want in {
      in0  = { metric = "InputTokens", role = "search" }
      out0 = { metric = "OutputTokens", role = "search" }
      in1  = { metric = "InputTokens", role = "writer" }
      out1 = { metric = "OutputTokens", role = "writer" }
      } : one([for q in aws_cloudwatch_metric_alarm.bedrock_spend[0].metric_query : (
        one(q.metric).metric_name == want.metric && one(q.metric).dimensions == tomap({ Role = want.role, Environment = "test" })
    ) if q.id == id])])
    error_message = "inN/outN read InputTokens/OutputTokens with the dimensions of the N-th role in sorted order."
  }
}

run "period_and_namespace_are_configurable" {
  command = plan

  variables {
    bedrock_spend = {
      threshold_usd  = 40
      period_seconds = 86400
      namespace      = "Custom/Agents"
      roles = {
        writer = {
          dimensions               = { Role = "writer" }
          input_usd_per_1k_tokens  = 0.003
          output_usd_per_1k_tokens = 0.015
        }
      }
    }
  }

  assert {
    condition = alltrue([for q in aws_cloudwatch_metric_alarm.bedrock_spend[0].metric_query :
      one(q.metric).namespace == "Custom/Agents" && one(q.metric).period == 86400
    if q.id != "spend"])
    error_message = "period_seconds and namespace reach every token metric."
  }
  assert {
    condition     = strcontains(aws_cloudwatch_metric_alarm.bedrock_spend[0].alarm_description, "above 40 USD per 24 h")
    error_message = "The description states the period in hours."
  }
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.bedrock_spend[0].metric_query : q.expression if q.id == "spend"]) == "(in0 * 0.003 + out0 * 0.015) / 1000"
    error_message = "A single role gives a single term pair."
  }
}

run "alarm_arn_is_returned" {
  command = apply

  assert {
    condition     = output.bedrock_spend_alarm_arn == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:mock-alarm"
    error_message = "bedrock_spend_alarm_arn returns the alarm's ARN."
  }
}
