# The targets' dead-letter queue: encrypted, writable only by this bus's rules, alarmed when not empty.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:research-report-test-events-dlq"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/research-report-test-events-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/research-report-test-events-dlq"
  }
}

override_resource {
  target = aws_cloudwatch_event_bus.this
  values = { arn = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-test-events" }
}

override_resource {
  target = aws_cloudwatch_event_rule.this
  values = { arn = "arn:aws:events:us-east-1:123456789012:rule/research-report-test-events/research-report-test-events-audit" }
}

variables {
  name = "research-report-test-events"
  tags = { team = "research" }
}

run "dlq_keeps_messages_14_days_with_sqs_managed_encryption_by_default" {
  command = plan

  assert {
    condition     = aws_sqs_queue.dlq.name == "research-report-test-events-dlq"
    error_message = "The DLQ is named <name>-dlq."
  }
  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds == 1209600
    error_message = "dlq_message_retention_seconds defaults to 14 days, the SQS maximum."
  }
  assert {
    condition     = aws_sqs_queue.dlq.sqs_managed_sse_enabled == true && aws_sqs_queue.dlq.kms_master_key_id == null
    error_message = "Without kms_key_arn the DLQ uses SQS managed SSE."
  }
  assert {
    condition     = aws_sqs_queue.dlq.tags["team"] == "research"
    error_message = "tags reach the DLQ."
  }
}

run "dlq_uses_the_customer_managed_key_when_given" {
  command = plan

  variables {
    kms_key_arn                   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    dlq_message_retention_seconds = 86400
  }

  assert {
    condition     = aws_sqs_queue.dlq.kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "kms_key_arn encrypts the DLQ."
  }
  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds == 86400
    error_message = "dlq_message_retention_seconds reaches the DLQ."
  }
}

run "only_the_buses_rules_may_send_to_the_dlq" {
  command = apply

  variables {
    rules = [{
      name          = "audit"
      event_pattern = "{\"source\":[\"research-report.api\"]}"
      targets = [{
        target_id = "log"
        arn       = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/audit"
      }]
    }]
  }

  assert {
    condition = (one(data.aws_iam_policy_document.dlq.statement).actions == toset(["sqs:SendMessage"])
    && one(data.aws_iam_policy_document.dlq.statement).resources == toset(["arn:aws:sqs:us-east-1:123456789012:research-report-test-events-dlq"]))
    error_message = "The queue policy allows sqs:SendMessage on the DLQ only."
  }
  assert {
    condition     = one(data.aws_iam_policy_document.dlq.statement).principals == toset([{ type = "Service", identifiers = toset(["events.amazonaws.com"]) }])
    error_message = "Only EventBridge may send to the DLQ."
  }
  assert {
    condition = one(data.aws_iam_policy_document.dlq.statement).condition == toset([{
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = tolist(["arn:aws:events:us-east-1:123456789012:rule/research-report-test-events/research-report-test-events-*"])
    }])
    error_message = "aws:SourceArn limits senders to the module's rules: <name>-* on this bus, a pattern known before any rule exists."
  }
  assert {
    condition     = aws_sqs_queue.dlq.policy == data.aws_iam_policy_document.dlq.json
    error_message = "The queue carries the policy from its creation (no aws_sqs_queue_policy waits on the rules)."
  }
  assert {
    condition = (one(data.aws_iam_policy_document.dlq.statement).resources == toset([aws_sqs_queue.dlq.arn])
    && alltrue([for r in aws_cloudwatch_event_rule.this : startswith(r.arn, trimsuffix(one(one(data.aws_iam_policy_document.dlq.statement).condition).values[0], "*"))]))
    error_message = "The ARNs the policy computes from names are the queue's own ARN and a pattern every rule's ARN matches."
  }
  assert {
    condition     = output.dlq_arn == "arn:aws:sqs:us-east-1:123456789012:research-report-test-events-dlq" && output.dlq_name == "research-report-test-events-dlq"
    error_message = "dlq_arn and dlq_name return the DLQ's ARN and name."
  }
}

run "without_rules_the_dlq_still_admits_only_rules_of_the_bus" {
  command = apply

  assert {
    condition = one(one(data.aws_iam_policy_document.dlq.statement).condition).values == tolist([
      "arn:aws:events:us-east-1:123456789012:rule/research-report-test-events/research-report-test-events-*"
    ])
    error_message = "With no rule, aws:SourceArn is the same pattern (an ArnLike condition never empty, and no bus or other sender)."
  }
}

run "no_dlq_alarm_without_alarm_topics" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.dlq) == 0
    error_message = "alarm_topic_arns = [] creates no alarm."
  }
}

run "dlq_alarm_fires_on_the_first_visible_message" {
  command = plan

  variables {
    alarm_topic_arns = ["arn:aws:sns:us-east-1:123456789012:ops"]
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.dlq) == 1 && aws_cloudwatch_metric_alarm.dlq[0].alarm_name == "research-report-test-events-dlq-not-empty"
    error_message = "alarm_topic_arns creates one alarm named <name>-dlq-not-empty."
  }
  assert {
    condition = (aws_cloudwatch_metric_alarm.dlq[0].namespace == "AWS/SQS"
      && aws_cloudwatch_metric_alarm.dlq[0].metric_name == "ApproximateNumberOfMessagesVisible"
    && aws_cloudwatch_metric_alarm.dlq[0].dimensions == tomap({ QueueName = "research-report-test-events-dlq" }))
    error_message = "The alarm watches the visible messages of the DLQ."
  }
  assert {
    condition = (aws_cloudwatch_metric_alarm.dlq[0].statistic == "Maximum"
      && aws_cloudwatch_metric_alarm.dlq[0].threshold == 0
      && aws_cloudwatch_metric_alarm.dlq[0].comparison_operator == "GreaterThanThreshold"
    && aws_cloudwatch_metric_alarm.dlq[0].evaluation_periods == 1)
    error_message = "One message in the DLQ is enough to alarm."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq[0].treat_missing_data == "notBreaching"
    error_message = "An empty queue that emits no data does not alarm."
  }
  assert {
    condition = (aws_cloudwatch_metric_alarm.dlq[0].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"])
    && aws_cloudwatch_metric_alarm.dlq[0].ok_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"]))
    error_message = "The alarm and its recovery notify alarm_topic_arns."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq[0].tags["team"] == "research"
    error_message = "tags reach the alarm."
  }
}
