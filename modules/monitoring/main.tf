data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  create_topic     = var.create_ops_topic
  ops_topic_arn    = local.create_topic ? aws_sns_topic.this[0].arn : var.ops_topic_arn
  region           = data.aws_region.current.name
  account_id       = data.aws_caller_identity.current.account_id
  alarm_arn_prefix = "arn:${data.aws_partition.current.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-"
  metric_namespace = "ResearchReport"
}

# --- ops topic --------------------------------------------------------------------

resource "aws_sns_topic" "this" {
  count = var.create_ops_topic ? 1 : 0

  name              = "${var.name}-ops"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "this" {
  for_each = local.create_topic ? { for s in var.ops_subscriptions : "${s.protocol}:${s.endpoint}" => s } : {}

  topic_arn = aws_sns_topic.this[0].arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

data "aws_iam_policy_document" "topic" {
  count = var.create_ops_topic ? 1 : 0

  statement {
    sid = "AccountManagesTopic"
    actions = [
      "sns:GetTopicAttributes",
      "sns:SetTopicAttributes",
      "sns:Subscribe",
      "sns:ListSubscriptionsByTopic",
      "sns:Publish",
    ]
    resources = [aws_sns_topic.this[0].arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["${local.alarm_arn_prefix}*"]
    }
  }

  dynamic "statement" {
    for_each = var.budget_notifications ? [1] : []
    content {
      sid       = "BudgetsPublish"
      actions   = ["sns:Publish"]
      resources = [aws_sns_topic.this[0].arn]

      principals {
        type        = "Service"
        identifiers = ["budgets.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.event_rule_arns) == 0 ? [] : [var.event_rule_arns]
    content {
      sid       = "EventRulesPublish"
      actions   = ["sns:Publish"]
      resources = [aws_sns_topic.this[0].arn]

      principals {
        type        = "Service"
        identifiers = ["events.amazonaws.com"]
      }

      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = statement.value
      }
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  #checkov:skip=CKV_AWS_385:Not cross-account: the only AWS principal is this account's own root (the owner's management statement, as in the default topic policy); every service principal is conditioned on aws:SourceAccount or aws:SourceArn.
  count = var.create_ops_topic ? 1 : 0

  arn    = aws_sns_topic.this[0].arn
  policy = data.aws_iam_policy_document.topic[0].json
}

# --- alarms -----------------------------------------------------------------------

locals {
  # The three execution alarms differ only in metric and wording; thresholds come per key.
  execution_alarms = {
    executions_failed = {
      metric      = "ExecutionsFailed"
      description = "Workflow executions failed (WorkflowFailed events carry the reason)."
    }
    executions_timed_out = {
      metric      = "ExecutionsTimedOut"
      description = "Workflow executions hit the state machine TimeoutSeconds."
    }
    executions_throttled = {
      metric      = "ExecutionThrottled"
      description = "StartExecution/state transitions were throttled by Step Functions quotas."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "executions" {
  for_each = local.execution_alarms

  alarm_name          = "${var.name}-${replace(each.key, "_", "-")}"
  alarm_description   = each.value.description
  namespace           = "AWS/States"
  metric_name         = each.value.metric
  dimensions          = { StateMachineArn = var.state_machine_arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.alarm_thresholds[each.key]
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [local.ops_topic_arn]
  tags                = var.tags

  lifecycle {
    precondition {
      condition     = var.create_ops_topic || var.ops_topic_arn != null
      error_message = "Set create_ops_topic = true or pass ops_topic_arn: alarms need a topic."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = var.lambda_function_names

  alarm_name          = "${var.name}-lambda-errors-${each.key}"
  alarm_description   = "Errors in ${each.value} (retried errors count too; see the function's logs)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.alarm_thresholds.lambda_errors
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [local.ops_topic_arn]
  tags                = var.tags
}

# Approvals waiting too long: the approval Task has HeartbeatSeconds ("someone must open the
# link in time") and TimeoutSeconds. Either expiring writes a TaskTimedOut event to the
# execution log (levels ERROR and ALL), which this filter counts. Execution-level metrics
# cannot see it: the Catch routes the timeout to ApprovalTimedOut, a failed execution.
resource "aws_cloudwatch_log_metric_filter" "approval_timeouts" {
  name           = "${var.name}-approval-timeouts"
  log_group_name = var.state_machine_log_group_name
  pattern        = "{ $.type = \"TaskTimedOut\" }"

  metric_transformation {
    name          = "ApprovalTimeouts"
    namespace     = local.metric_namespace
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "approval_timeouts" {
  alarm_name          = "${var.name}-approvals-waiting-too-long"
  alarm_description   = "An approval request was not opened within HeartbeatSeconds or not decided within TimeoutSeconds."
  namespace           = local.metric_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.approval_timeouts.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.alarm_thresholds.approval_timeouts
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [local.ops_topic_arn]
  tags                = var.tags
}

# Fallbacks: a role whose agent or model keeps failing still publishes through its smaller model,
# so the run ends Published and no execution alarm fires. This one counts the fallback calls.
resource "aws_cloudwatch_metric_alarm" "fallbacks" {
  count = var.fallback_alarm == null ? 0 : 1

  alarm_name          = "${var.name}-agent-fallbacks"
  alarm_description   = "Agent functions fell back to their smaller model (${join(", ", sort(keys(var.fallback_alarm.role_dimensions)))}): see FallbackUsed by role on the dashboard and the functions' logs."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  threshold           = var.fallback_alarm.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = [local.ops_topic_arn]
  tags                = var.tags

  metric_query {
    id          = "fallbacks"
    label       = "Fallback calls, all roles"
    expression  = "SUM([${join(", ", [for i, role in sort(keys(var.fallback_alarm.role_dimensions)) : "role${i}"])}])"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { for i, role in sort(keys(var.fallback_alarm.role_dimensions)) : "role${i}" => role }
    content {
      id = metric_query.key
      metric {
        namespace   = local.metric_namespace
        metric_name = var.agent_metric_names.fallbacks
        dimensions  = var.fallback_alarm.role_dimensions[metric_query.value]
        period      = var.fallback_alarm.period_seconds
        stat        = "Sum"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.create_ops_topic || var.ops_topic_arn != null
      error_message = "Set create_ops_topic = true or pass ops_topic_arn: alarms need a topic."
    }
  }
}

# --- dashboard --------------------------------------------------------------------

locals {
  sfn_dims     = ["StateMachineArn", var.state_machine_arn]
  priced_roles = sort(keys(var.token_prices_usd_per_1k))
  # The roles the caller already names per role (the fallback alarm's, the cost widget's): the
  # dashboard plots every one of them without a list of its own to keep in step.
  agent_roles = var.agent_roles != null ? var.agent_roles : sort(distinct(concat(
    keys(try(var.fallback_alarm.role_dimensions, {})), local.priced_roles,
  )))

  widgets = concat(
    [
      {
        type = "metric", width = 12, height = 6
        properties = {
          title   = "Execution time (ms)"
          region  = local.region
          view    = "timeSeries"
          metrics = [["AWS/States", "ExecutionTime", local.sfn_dims[0], local.sfn_dims[1], { stat = "p50", label = "p50" }], ["...", { stat = "p90", label = "p90" }]]
          period  = 300
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "Executions failed / timed out / throttled"
          region = local.region
          view   = "timeSeries"
          stat   = "Sum"
          period = 300
          metrics = [
            ["AWS/States", "ExecutionsFailed", local.sfn_dims[0], local.sfn_dims[1]],
            ["AWS/States", "ExecutionsTimedOut", local.sfn_dims[0], local.sfn_dims[1]],
            ["AWS/States", "ExecutionThrottled", local.sfn_dims[0], local.sfn_dims[1]],
            [local.metric_namespace, "ApprovalTimeouts"],
          ]
        }
      },
    ],
    length(local.agent_roles) == 0 ? [] : [
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "Agent invocations by role"
          region = local.region
          view   = "timeSeries"
          period = 300
          # SEARCH matches any extra dimension Powertools adds (e.g. service).
          metrics = [for i, role in local.agent_roles : [{
            id         = "inv${i}"
            label      = role
            expression = "SEARCH('Namespace=\"${local.metric_namespace}\" MetricName=\"${var.agent_metric_names.invocations}\" role=\"${role}\" environment=\"${var.environment}\"', 'Sum', 300)"
          }]]
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "Agent latency by role (p90)"
          region = local.region
          view   = "timeSeries"
          period = 300
          metrics = [for i, role in local.agent_roles : [{
            id         = "lat${i}"
            label      = role
            expression = "SEARCH('Namespace=\"${local.metric_namespace}\" MetricName=\"${var.agent_metric_names.latency}\" role=\"${role}\" environment=\"${var.environment}\"', 'p90', 300)"
          }]]
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "Retries and fallbacks by role"
          region = local.region
          view   = "timeSeries"
          period = 300
          metrics = concat(
            [for i, role in local.agent_roles : [{
              id         = "rty${i}"
              label      = "${role} retries"
              expression = "SEARCH('Namespace=\"${local.metric_namespace}\" MetricName=\"${var.agent_metric_names.retries}\" role=\"${role}\" environment=\"${var.environment}\"', 'Sum', 300)"
            }]],
            [for i, role in local.agent_roles : [{
              id         = "fb${i}"
              label      = "${role} fallbacks"
              expression = "SEARCH('Namespace=\"${local.metric_namespace}\" MetricName=\"${var.agent_metric_names.fallbacks}\" role=\"${role}\" environment=\"${var.environment}\"', 'Sum', 300)"
            }]],
          )
        }
      },
    ],
    [
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "Pre-review findings by check"
          region = local.region
          view   = "timeSeries"
          period = 300
          # One SEARCH per severity finds every check (its `role` dimension) with no list to keep
          # in step; the label names the check from that dimension.
          metrics = [for severity in [["blocking", var.agent_metric_names.blocking_findings], ["advisory", var.agent_metric_names.advisory_findings]] : [{
            id         = severity[0]
            label      = "$${PROP('Dim.role')} ${severity[0]}"
            expression = "SEARCH('Namespace=\"${local.metric_namespace}\" MetricName=\"${severity[1]}\" environment=\"${var.environment}\"', 'Sum', 300)"
          }]]
        }
      },
    ],
    length(var.token_prices_usd_per_1k) == 0 ? [] : [{
      type = "metric", width = 12, height = 6
      properties = {
        title  = "Estimated cost per execution (USD): tokens x price + transitions x price"
        region = local.region
        view   = "timeSeries"
        period = 3600
        metrics = concat(
          [for i, role in local.priced_roles : [{
            id         = "usd${i}"
            visible    = false
            expression = "(SUM(SEARCH('Namespace=\"${local.metric_namespace}\" MetricName=\"${var.agent_metric_names.input_tokens}\" role=\"${role}\" environment=\"${var.environment}\"', 'Sum', 3600)) * ${var.token_prices_usd_per_1k[role].input} + SUM(SEARCH('Namespace=\"${local.metric_namespace}\" MetricName=\"${var.agent_metric_names.output_tokens}\" role=\"${role}\" environment=\"${var.environment}\"', 'Sum', 3600)) * ${var.token_prices_usd_per_1k[role].output}) / 1000"
          }]],
          [["AWS/States", "ExecutionsStarted", local.sfn_dims[0], local.sfn_dims[1], { id = "started", stat = "Sum", visible = false }]],
          [[{
            id         = "cost"
            label      = "USD per execution"
            expression = "(${join(" + ", [for i, _ in local.priced_roles : "FILL(usd${i}, 0)"])}) / started + ${var.transitions_per_execution} * ${var.transition_price_usd}"
          }]],
        )
      }
    }],
    length(var.lambda_function_names) == 0 ? [] : [{
      type = "metric", width = 12, height = 6
      properties = {
        title   = "Lambda errors"
        region  = local.region
        view    = "timeSeries"
        stat    = "Sum"
        period  = 300
        metrics = [for k, fn in var.lambda_function_names : ["AWS/Lambda", "Errors", "FunctionName", fn, { label = k }]]
      }
    }],
    length(var.dlq_names) == 0 ? [] : [{
      type = "metric", width = 12, height = 6
      properties = {
        title   = "DLQ depth"
        region  = local.region
        view    = "timeSeries"
        stat    = "Maximum"
        period  = 300
        metrics = [for q in var.dlq_names : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q]]
      }
    }],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
