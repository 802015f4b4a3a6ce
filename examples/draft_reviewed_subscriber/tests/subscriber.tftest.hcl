# The subscriber root: a rule on the stack's bus, its encrypted queue with a dead-letter queue, and
# queue policies that admit that rule alone. Which events the rule matches is proven with
# EventBridge's TestEventPattern (tests/offline/test_example_subscriber.py).

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

override_resource {
  target = aws_cloudwatch_event_rule.this
  values = { arn = "arn:aws:events:us-east-1:123456789012:rule/research-report-pilot/draft-reviewed-blocking" }
}

override_resource {
  target = aws_sqs_queue.this
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:draft-reviewed-blocking"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/draft-reviewed-blocking"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/draft-reviewed-blocking"
  }
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:draft-reviewed-blocking-dlq"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/draft-reviewed-blocking-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/draft-reviewed-blocking-dlq"
  }
}

variables {
  event_bus_name = "research-report-pilot"
  tags           = { team = "editorial" }
}

run "the_rule_on_the_stack_s_bus_sends_to_the_queue_and_its_failures_to_the_dlq" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_rule.this.event_bus_name == "research-report-pilot" && aws_cloudwatch_event_rule.this.name == "draft-reviewed-blocking"
    error_message = "The rule is on the bus event_bus_name names, named after name."
  }
  assert {
    condition = (aws_cloudwatch_event_target.queue.event_bus_name == "research-report-pilot"
      && aws_cloudwatch_event_target.queue.arn == "arn:aws:sqs:us-east-1:123456789012:draft-reviewed-blocking"
    && one(aws_cloudwatch_event_target.queue.dead_letter_config).arn == "arn:aws:sqs:us-east-1:123456789012:draft-reviewed-blocking-dlq")
    error_message = "The target is the queue; what EventBridge cannot deliver goes to the dead-letter queue."
  }
  assert {
    condition     = one(aws_cloudwatch_event_target.queue.retry_policy).maximum_retry_attempts > 0
    error_message = "EventBridge retries a failed delivery before it dead-letters the event."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.this.redrive_policy) == { deadLetterTargetArn = "arn:aws:sqs:us-east-1:123456789012:draft-reviewed-blocking-dlq", maxReceiveCount = 5 }
    error_message = "A message the consumer failed on five times moves to the dead-letter queue."
  }
  assert {
    condition     = aws_sqs_queue.this.sqs_managed_sse_enabled && aws_sqs_queue.dlq.sqs_managed_sse_enabled
    error_message = "Both queues are encrypted at rest (SQS managed SSE, which EventBridge can send to without a key policy)."
  }
  assert {
    condition     = aws_sqs_queue.dlq.name == "draft-reviewed-blocking-dlq" && aws_sqs_queue.dlq.message_retention_seconds == 1209600
    error_message = "The dead-letter queue is <name>-dlq and keeps messages 14 days, the SQS maximum."
  }
  assert {
    condition     = output.queue_url == "https://sqs.us-east-1.amazonaws.com/123456789012/draft-reviewed-blocking" && output.rule_arn == aws_cloudwatch_event_rule.this.arn
    error_message = "The outputs name the queue to poll and the rule."
  }
  assert {
    condition     = alltrue([for tags in [aws_cloudwatch_event_rule.this.tags, aws_sqs_queue.this.tags, aws_sqs_queue.dlq.tags] : tags["team"] == "editorial"])
    error_message = "tags reach the rule and both queues."
  }
}

run "each_queue_admits_only_eventbridge_sending_for_this_rule" {
  command = apply

  assert {
    condition = alltrue([for policy in [data.aws_iam_policy_document.queue, data.aws_iam_policy_document.dlq] :
      one(policy.statement).actions == toset(["sqs:SendMessage"])
      && one(policy.statement).principals == toset([{ type = "Service", identifiers = toset(["events.amazonaws.com"]) }])
      && one(policy.statement).condition == toset([{
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = tolist(["arn:aws:events:us-east-1:123456789012:rule/research-report-pilot/draft-reviewed-blocking"])
    }])])
    error_message = "Only EventBridge may send, and only for this rule (aws:SourceArn is the rule's ARN)."
  }
  assert {
    condition = (one(data.aws_iam_policy_document.queue.statement).resources == toset(["arn:aws:sqs:us-east-1:123456789012:draft-reviewed-blocking"])
    && one(data.aws_iam_policy_document.dlq.statement).resources == toset(["arn:aws:sqs:us-east-1:123456789012:draft-reviewed-blocking-dlq"]))
    error_message = "Each policy names its own queue."
  }
  assert {
    condition = (aws_sqs_queue_policy.this.queue_url == aws_sqs_queue.this.id && aws_sqs_queue_policy.this.policy == data.aws_iam_policy_document.queue.json
    && aws_sqs_queue_policy.dlq.queue_url == aws_sqs_queue.dlq.id && aws_sqs_queue_policy.dlq.policy == data.aws_iam_policy_document.dlq.json)
    error_message = "Each queue carries its own policy."
  }
}

run "a_name_of_64_characters_names_the_rule_and_both_queues" {
  command = plan

  variables {
    name = "a234567890123456789012345678901234567890123456789012345678901234"
  }

  assert {
    condition     = aws_cloudwatch_event_rule.this.name == var.name && aws_sqs_queue.dlq.name == "${var.name}-dlq"
    error_message = "A 64-character name is a valid rule name, and <name>-dlq (68) a valid queue name."
  }
}

run "a_name_longer_than_a_rule_name_may_be_is_refused" {
  command = plan

  variables {
    name = "a2345678901234567890123456789012345678901234567890123456789012345"
  }

  expect_failures = [var.name]
}

run "a_bus_arn_instead_of_its_name_is_refused" {
  command = plan

  variables {
    event_bus_name = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-pilot"
  }

  expect_failures = [var.event_bus_name]
}
