data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  rules = { for r in var.rules : r.name => r }
  targets = { for t in flatten([for r in var.rules : [for t in r.targets : merge(t, { rule = r.name })]]) :
  "${t.rule}/${t.target_id}" => t }
  create_start_execution_role = var.state_machine_arn != null && anytrue([for t in values(local.targets) : t.start_execution])

  # The queue's ARN and its senders' follow from names alone, so the queue carries its policy from
  # CreateQueue on. A policy that listed the rules (or even read var.rules, one node in Terraform's
  # graph with the targets' ARNs in it) would wait for the targets (the state machine, and so every
  # function), then for the provider's ~25 s propagation wait, at the very end of an apply.
  # Senders are this module's rules, all named <name>-<rule> on this bus; the pattern admits no
  # rule of another bus. tests/dead_letter_queue.tftest.hcl proves both against the real ARNs.
  dlq_name         = "${var.name}-dlq"
  dlq_arn          = "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${local.dlq_name}"
  rule_arn_pattern = "arn:${data.aws_partition.current.partition}:events:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:rule/${var.name}/${var.name}-*"
}

# Encrypted with the AWS owned key: EventBridge archives are not supported on buses that use
# a customer managed key, and the archive is what makes events replayable.
resource "aws_cloudwatch_event_bus" "this" {
  name = var.name
  tags = var.tags
}

resource "aws_cloudwatch_event_archive" "this" {
  name             = substr("${var.name}-archive", 0, 48)
  description      = "All events on ${var.name}, for replay."
  event_source_arn = aws_cloudwatch_event_bus.this.arn
  retention_days   = var.archive_retention_days
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.rules

  name           = "${var.name}-${each.key}"
  description    = each.value.description
  event_bus_name = aws_cloudwatch_event_bus.this.name
  event_pattern  = each.value.event_pattern
  tags           = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.targets

  rule           = aws_cloudwatch_event_rule.this[each.value.rule].name
  event_bus_name = aws_cloudwatch_event_bus.this.name
  target_id      = each.value.target_id
  arn            = each.value.arn
  role_arn       = each.value.start_execution ? aws_iam_role.start_execution[0].arn : each.value.role_arn
  input_path     = each.value.input_path

  retry_policy {
    maximum_event_age_in_seconds = each.value.maximum_event_age_in_seconds
    maximum_retry_attempts       = each.value.maximum_retry_attempts
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }

  lifecycle {
    precondition {
      condition     = !each.value.start_execution || each.value.arn == var.state_machine_arn
      error_message = "A start_execution target must point at var.state_machine_arn: the role may start nothing else."
    }
  }
}

# --- dead-letter queue ------------------------------------------------------------

resource "aws_sqs_queue" "dlq" {
  name                      = local.dlq_name
  message_retention_seconds = var.dlq_message_retention_seconds
  kms_master_key_id         = var.kms_key_arn
  sqs_managed_sse_enabled   = var.kms_key_arn == null ? true : null
  # Set with the queue (CreateQueue), not by an aws_sqs_queue_policy after it: the provider waits
  # for a queue's attributes to settle once per resource, and once is enough.
  policy = data.aws_iam_policy_document.dlq.json
  tags   = var.tags
}

data "aws_iam_policy_document" "dlq" {
  statement {
    sid       = "EventBridgeDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [local.dlq_arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.rule_arn_pattern]
    }
  }
}

# Up to 0.2.0 the policy was an aws_sqs_queue_policy; the queue's policy attribute now holds the
# same document, so that resource is forgotten, not destroyed (its delete would empty the policy).
removed {
  from = aws_sqs_queue_policy.dlq

  lifecycle {
    destroy = false
  }
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  count = length(var.alarm_topic_arns) == 0 ? 0 : 1

  alarm_name          = "${var.name}-dlq-not-empty"
  alarm_description   = "EventBridge could not deliver events from ${var.name}; inspect and redrive ${aws_sqs_queue.dlq.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns
  tags                = var.tags
}

# --- StartExecution role ----------------------------------------------------------

data "aws_iam_policy_document" "start_execution_assume" {
  statement {
    sid     = "EventBridgeAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "start_execution" {
  count = local.create_start_execution_role ? 1 : 0

  name               = "${var.name}-start-execution"
  assume_role_policy = data.aws_iam_policy_document.start_execution_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "start_execution" {
  count = local.create_start_execution_role ? 1 : 0

  statement {
    sid       = "StartWorkflowExecution"
    actions   = ["states:StartExecution"]
    resources = [var.state_machine_arn]
  }
}

resource "aws_iam_role_policy" "start_execution" {
  count = local.create_start_execution_role ? 1 : 0

  name   = "${var.name}-start-execution"
  role   = aws_iam_role.start_execution[0].id
  policy = data.aws_iam_policy_document.start_execution[0].json
}
