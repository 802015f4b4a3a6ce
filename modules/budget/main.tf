locals {
  subscribed   = length(var.notification_topic_arns) + length(var.notification_emails) > 0
  bedrock      = var.bedrock_spend == null ? {} : var.bedrock_spend.roles
  bedrock_keys = sort(keys(local.bedrock))

  # USD per period = (sum over roles of tokens x price per 1,000 tokens) / 1000.
  bedrock_expression = "(${join(" + ", [for i, role in local.bedrock_keys :
    "in${i} * ${local.bedrock[role].input_usd_per_1k_tokens} + out${i} * ${local.bedrock[role].output_usd_per_1k_tokens}"
  ])}) / 1000"
}

# --- monthly cost budget ----------------------------------------------------------

resource "aws_budgets_budget" "this" {
  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = tostring(var.monthly_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  # AWS Budgets' TagKeyValue format is "user:<key>$<value>". Not "...}$${...": in HCL "$${" is
  # the escape for a literal "${", which would filter on that text and match no cost at all.
  cost_filter {
    name   = "TagKeyValue"
    values = [format("user:%s$%s", var.cost_filter_tag.key, var.cost_filter_tag.value)]
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = var.forecast_threshold_percent
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_sns_topic_arns  = var.notification_topic_arns
    subscriber_email_addresses = var.notification_emails
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = var.actual_threshold_percent
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_sns_topic_arns  = var.notification_topic_arns
    subscriber_email_addresses = var.notification_emails
  }

  lifecycle {
    precondition {
      condition     = local.subscribed
      error_message = "Give notification_topic_arns or notification_emails: a budget nobody hears about warns nobody."
    }
  }
}

# --- Bedrock spend, estimated from the tokens the agent handlers emit ---------------
# Budgets see cost hours late; this alarm sees tokens within minutes. Tokens of fallback calls are
# priced at the role's agent model (the fallback model is the same or smaller: an upper bound).

resource "aws_cloudwatch_metric_alarm" "bedrock_spend" {
  count = var.bedrock_spend == null ? 0 : 1

  alarm_name          = "${var.name}-bedrock-spend"
  alarm_description   = "Estimated Bedrock spend (InputTokens/OutputTokens x price per role) above ${var.bedrock_spend.threshold_usd} USD per ${var.bedrock_spend.period_seconds / 3600} h."
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = var.bedrock_spend.threshold_usd
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.notification_topic_arns
  tags                = var.tags

  metric_query {
    id          = "spend"
    label       = "Estimated Bedrock USD"
    expression  = local.bedrock_expression
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { for i, role in local.bedrock_keys : "in${i}" => { role = role, metric = "InputTokens" } }
    content {
      id = metric_query.key
      metric {
        namespace   = var.bedrock_spend.namespace
        metric_name = metric_query.value.metric
        dimensions  = local.bedrock[metric_query.value.role].dimensions
        period      = var.bedrock_spend.period_seconds
        stat        = "Sum"
      }
    }
  }

  dynamic "metric_query" {
    for_each = { for i, role in local.bedrock_keys : "out${i}" => { role = role, metric = "OutputTokens" } }
    content {
      id = metric_query.key
      metric {
        namespace   = var.bedrock_spend.namespace
        metric_name = metric_query.value.metric
        dimensions  = local.bedrock[metric_query.value.role].dimensions
        period      = var.bedrock_spend.period_seconds
        stat        = "Sum"
      }
    }
  }
}
