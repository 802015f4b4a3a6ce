# The dead-letter queue of library events: encrypted with the library's key, writable by
# EventBridge only for the library rule; the indexer's own failed asynchronous invocations land there too.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:research-report-test-library-dlq"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/research-report-test-library-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/research-report-test-library-dlq"
  }
}

variables {
  name                 = "research-report-test"
  environment          = "test"
  kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  indexer_package_path = "tests/fixtures/document_indexer.zip"
  layers               = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:7"]
  tags                 = { team = "research" }
}

run "dlq_keeps_messages_14_days_encrypted_with_the_library_key" {
  command = plan

  assert {
    condition     = aws_sqs_queue.dlq.name == "research-report-test-library-dlq"
    error_message = "The DLQ is <name>-library-dlq."
  }
  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds == 1209600
    error_message = "dlq_message_retention_seconds defaults to 14 days, the SQS maximum."
  }
  assert {
    condition     = aws_sqs_queue.dlq.kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "kms_key_arn encrypts the DLQ."
  }
  assert {
    condition     = aws_sqs_queue.dlq.tags["team"] == "research"
    error_message = "tags reach the DLQ."
  }
}

run "dlq_retention_is_configurable" {
  command = plan

  variables {
    dlq_message_retention_seconds = 86400
  }

  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds == 86400
    error_message = "dlq_message_retention_seconds reaches the DLQ."
  }
}

run "only_the_library_rule_may_send_to_the_dlq" {
  command = apply

  assert {
    condition = (one(data.aws_iam_policy_document.dlq.statement).actions == toset(["sqs:SendMessage"])
    && one(data.aws_iam_policy_document.dlq.statement).resources == toset(["arn:aws:sqs:us-east-1:123456789012:research-report-test-library-dlq"]))
    error_message = "The queue policy allows sqs:SendMessage on the DLQ only."
  }
  assert {
    condition     = one(data.aws_iam_policy_document.dlq.statement).principals == toset([{ type = "Service", identifiers = toset(["events.amazonaws.com"]) }])
    error_message = "Only EventBridge may send to the DLQ through the queue policy."
  }
  assert {
    condition = one(data.aws_iam_policy_document.dlq.statement).condition == toset([{
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = tolist(["arn:aws:events:us-east-1:123456789012:rule/research-report-test-library-changed"])
    }])
    error_message = "aws:SourceArn limits EventBridge to the library rule."
  }
  assert {
    condition     = aws_sqs_queue.dlq.policy == data.aws_iam_policy_document.dlq.json
    error_message = "The queue carries the policy from its creation."
  }
  assert {
    condition     = one(data.aws_iam_policy_document.dlq.statement).resources == toset([aws_sqs_queue.dlq.arn])
    error_message = "The queue ARN the policy computes from the name is the queue's own ARN."
  }
  assert {
    condition     = output.dlq_arn == "arn:aws:sqs:us-east-1:123456789012:research-report-test-library-dlq" && output.dlq_name == "research-report-test-library-dlq"
    error_message = "dlq_arn and dlq_name return the DLQ's ARN and name."
  }
}
