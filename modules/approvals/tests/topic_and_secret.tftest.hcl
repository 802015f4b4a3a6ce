# The approval request topic, its subscriptions and the signing secret container: names,
# encryption with the given key, recovery window and tags.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                        = "research-report-test"
  kms_key_arn                 = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  callback_function_name      = "research-report-test-approval-callback"
  callback_signing_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mock-secret-AbCdEf"
  workflow_table_arn          = "arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"
  event_bus_arn               = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-test"
  state_machine_arn           = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
}

override_resource {
  target = aws_sns_topic.this
  values = { arn = "arn:aws:sns:us-east-1:123456789012:research-report-test-approvals" }
}

run "topic_is_named_after_the_prefix_and_encrypted_with_the_key" {
  command = plan

  assert {
    condition     = aws_sns_topic.this.name == "research-report-test-approvals"
    error_message = "The approval topic is <name>-approvals."
  }
  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == var.kms_key_arn
    error_message = "The approval topic is encrypted with kms_key_arn."
  }
}

run "no_subscriptions_by_default" {
  command = plan

  assert {
    condition     = length(aws_sns_topic_subscription.this) == 0
    error_message = "subscriptions defaults to none."
  }
}

run "one_subscription_per_protocol_and_endpoint" {
  command = apply

  variables {
    subscriptions = [
      { protocol = "email", endpoint = "reviewer@example.com" },
      { protocol = "email", endpoint = "second-reviewer@example.com" },
      { protocol = "sqs", endpoint = "arn:aws:sqs:us-east-1:123456789012:approvals" },
    ]
  }

  assert {
    condition = toset(keys(aws_sns_topic_subscription.this)) == toset([
      "email:reviewer@example.com",
      "email:second-reviewer@example.com",
      "sqs:arn:aws:sqs:us-east-1:123456789012:approvals",
    ])
    error_message = "Each subscription is keyed <protocol>:<endpoint>, so reordering the list replaces nothing."
  }
  assert {
    condition = (aws_sns_topic_subscription.this["sqs:arn:aws:sqs:us-east-1:123456789012:approvals"].protocol == "sqs"
    && aws_sns_topic_subscription.this["sqs:arn:aws:sqs:us-east-1:123456789012:approvals"].endpoint == "arn:aws:sqs:us-east-1:123456789012:approvals")
    error_message = "A subscription keeps its protocol and endpoint."
  }
  assert {
    condition     = alltrue([for s in aws_sns_topic_subscription.this : s.topic_arn == aws_sns_topic.this.arn])
    error_message = "Every subscription is to the approval topic."
  }
}

run "signing_secret_is_a_named_encrypted_container" {
  command = plan

  assert {
    condition     = aws_secretsmanager_secret.signing.name == "research-report-test/approval-signing-key"
    error_message = "The signing secret is <name>/approval-signing-key."
  }
  assert {
    condition     = aws_secretsmanager_secret.signing.kms_key_id == var.kms_key_arn
    error_message = "The signing secret is encrypted with kms_key_arn."
  }
  assert {
    condition     = aws_secretsmanager_secret.signing.recovery_window_in_days == 7
    error_message = "A deleted signing secret can be restored for 7 days by default."
  }
}

run "signing_secret_may_be_deleted_at_once" {
  command = plan

  variables {
    secret_recovery_window_in_days = 0
  }

  assert {
    condition     = aws_secretsmanager_secret.signing.recovery_window_in_days == 0
    error_message = "secret_recovery_window_in_days = 0 reaches the secret."
  }
}

run "tags_reach_the_topic_and_the_secret" {
  command = plan

  variables {
    tags = { team = "research" }
  }

  assert {
    condition     = aws_sns_topic.this.tags["team"] == "research" && aws_secretsmanager_secret.signing.tags["team"] == "research"
    error_message = "tags reach the topic and the secret."
  }
}

run "outputs_name_the_topic_and_the_secret" {
  command = apply

  assert {
    condition     = output.topic_arn == "arn:aws:sns:us-east-1:123456789012:research-report-test-approvals"
    error_message = "topic_arn is the approval topic's ARN."
  }
  assert {
    condition     = output.signing_secret_arn == aws_secretsmanager_secret.signing.arn
    error_message = "signing_secret_arn is the signing secret's ARN."
  }
}
