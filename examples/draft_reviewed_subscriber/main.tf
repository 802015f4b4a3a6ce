# A subscriber in another repository: the research-report stack's DraftReviewed events with
# blocking findings (docs/events/DraftReviewed.v1.schema.json) reach a queue this root owns.
# The pattern is a file of its own so that `aws events test-event-pattern` and the tests read the
# same JSON EventBridge gets.

terraform {
  required_version = ">= 1.9, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }
}

provider "aws" {
  region = var.aws_region
}

resource "aws_cloudwatch_event_rule" "this" {
  name           = var.name
  description    = "DraftReviewed (schema v1) with blocking findings on ${var.event_bus_name}."
  event_bus_name = var.event_bus_name
  event_pattern  = file("${path.module}/event_pattern.json")
  tags           = var.tags
}

resource "aws_cloudwatch_event_target" "queue" {
  rule           = aws_cloudwatch_event_rule.this.name
  event_bus_name = var.event_bus_name
  target_id      = "blocking-findings-queue"
  arn            = aws_sqs_queue.this.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 5
  }

  # Events EventBridge could not deliver (the queue's policy or the queue gone) land here too.
  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }

  # Deliveries start with the target: the queues must already admit the rule.
  depends_on = [aws_sqs_queue_policy.this, aws_sqs_queue_policy.dlq]
}

# --- the queue and its dead-letter queue ------------------------------------------------

# SQS managed SSE: EventBridge sends to it without a key policy. A customer managed key would need
# its key policy to let events.amazonaws.com use it (kms:GenerateDataKey, kms:Decrypt).
resource "aws_sqs_queue" "this" {
  name                    = var.name
  sqs_managed_sse_enabled = true
  # A message the consumer failed to process five times is kept beside undeliverable events.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  })
  tags = var.tags
}

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name}-dlq"
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600
  tags                      = var.tags
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "DraftReviewedWithBlockingFindings"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.this.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.this.arn]
    }
  }
}

data "aws_iam_policy_document" "dlq" {
  statement {
    sid       = "UndeliveredDraftReviewed"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.this.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = data.aws_iam_policy_document.queue.json
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.dlq.json
}
