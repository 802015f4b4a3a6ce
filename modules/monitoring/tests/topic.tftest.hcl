# The ops topic: created encrypted with its subscribers and a policy admitting this stack's alarms
# (plus Budgets and EventBridge rules on request), or an existing topic used as given.
# Under mock_provider the policy document's `json` is a mock string: these runs assert on its
# `statement` arguments and on the topic policy resource instead.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                         = "research-report-test"
  environment                  = "test"
  state_machine_arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
  state_machine_log_group_name = "/aws/vendedlogs/states/research-report-test"
}

run "created_topic_is_named_after_the_stack_and_encrypted_with_the_given_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    tags        = { team = "research" }
  }

  assert {
    condition     = length(aws_sns_topic.this) == 1 && aws_sns_topic.this[0].name == "research-report-test-ops"
    error_message = "create_ops_topic (default true) creates one topic <name>-ops."
  }
  assert {
    condition     = aws_sns_topic.this[0].kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "kms_key_arn encrypts the created topic."
  }
  assert {
    condition     = aws_sns_topic.this[0].tags["team"] == "research"
    error_message = "tags reach the topic."
  }
  assert {
    condition     = length(aws_sns_topic_policy.this) == 1 && length(aws_sns_topic_subscription.this) == 0
    error_message = "The created topic gets a policy, and no subscriber unless ops_subscriptions names one."
  }
}

run "each_ops_subscription_subscribes_the_created_topic" {
  command = apply

  variables {
    ops_subscriptions = [
      { protocol = "email", endpoint = "ops@example.com" },
      { protocol = "sqs", endpoint = "arn:aws:sqs:us-east-1:123456789012:ops" },
    ]
  }

  assert {
    condition     = keys(aws_sns_topic_subscription.this) == ["email:ops@example.com", "sqs:arn:aws:sqs:us-east-1:123456789012:ops"]
    error_message = "One subscription per ops_subscriptions entry, keyed <protocol>:<endpoint>."
  }
  assert {
    condition = (
      aws_sns_topic_subscription.this["email:ops@example.com"].protocol == "email"
      && aws_sns_topic_subscription.this["email:ops@example.com"].endpoint == "ops@example.com"
    )
    error_message = "A subscription keeps its protocol and endpoint."
  }
  assert {
    condition     = alltrue([for s in aws_sns_topic_subscription.this : s.topic_arn == aws_sns_topic.this[0].arn])
    error_message = "Subscriptions are on the created topic."
  }
}

run "topic_policy_admits_the_account_and_this_stacks_alarms_only_by_default" {
  command = apply

  assert {
    condition     = aws_sns_topic_policy.this[0].arn == aws_sns_topic.this[0].arn && aws_sns_topic_policy.this[0].policy == data.aws_iam_policy_document.topic[0].json
    error_message = "The topic policy document is attached to the created topic."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.topic[0].statement : s.sid] == ["AccountManagesTopic", "CloudWatchAlarmsPublish"]
    error_message = "Without budget_notifications or event_rule_arns only the account and CloudWatch alarms are admitted."
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.topic[0].statement : s.resources == toset([aws_sns_topic.this[0].arn])])
    error_message = "Every statement is scoped to the created topic."
  }
  assert {
    condition = [for p in data.aws_iam_policy_document.topic[0].statement[0].principals : [p.type, p.identifiers]] == [
      ["AWS", toset(["arn:aws:iam::123456789012:root"])]
    ]
    error_message = "Topic management is granted to this account only."
  }
  assert {
    condition = (
      data.aws_iam_policy_document.topic[0].statement[1].actions == toset(["sns:Publish"])
      && [for p in data.aws_iam_policy_document.topic[0].statement[1].principals : [p.type, p.identifiers]] == [
        ["Service", toset(["cloudwatch.amazonaws.com"])]
      ]
    )
    error_message = "CloudWatch may only publish."
  }
  assert {
    condition = {
      for c in data.aws_iam_policy_document.topic[0].statement[1].condition : c.variable => [c.test, c.values]
      } == {
      "aws:SourceAccount" = ["StringEquals", tolist(["123456789012"])]
      "aws:SourceArn"     = ["ArnLike", tolist(["arn:aws:cloudwatch:us-east-1:123456789012:alarm:research-report-test-*"])]
    }
    error_message = "CloudWatch publishes only for this account's alarms named <name>-* (confused-deputy guard)."
  }
}

run "budgets_and_event_rules_are_admitted_on_request" {
  command = apply

  variables {
    budget_notifications = true
    event_rule_arns = [
      "arn:aws:events:us-east-1:123456789012:rule/research-report-test-events/workflow-failed",
      "arn:aws:events:us-east-1:123456789012:rule/research-report-test-events/approval-expired",
    ]
  }

  assert {
    condition = [for s in data.aws_iam_policy_document.topic[0].statement : s.sid] == [
      "AccountManagesTopic", "CloudWatchAlarmsPublish", "BudgetsPublish", "EventRulesPublish",
    ]
    error_message = "budget_notifications and event_rule_arns each add one statement."
  }
  assert {
    condition = (
      [for p in data.aws_iam_policy_document.topic[0].statement[2].principals : [p.type, p.identifiers]] == [["Service", toset(["budgets.amazonaws.com"])]]
      && [for c in data.aws_iam_policy_document.topic[0].statement[2].condition : [c.test, c.variable, c.values]] == [["StringEquals", "aws:SourceAccount", tolist(["123456789012"])]]
    )
    error_message = "AWS Budgets may publish for this account only."
  }
  assert {
    condition = (
      [for p in data.aws_iam_policy_document.topic[0].statement[3].principals : [p.type, p.identifiers]] == [["Service", toset(["events.amazonaws.com"])]]
      && [for c in data.aws_iam_policy_document.topic[0].statement[3].condition : [c.test, c.variable, c.values]] == [
        ["ArnEquals", "aws:SourceArn", tolist([
          "arn:aws:events:us-east-1:123456789012:rule/research-report-test-events/workflow-failed",
          "arn:aws:events:us-east-1:123456789012:rule/research-report-test-events/approval-expired",
        ])]
      ]
    )
    error_message = "EventBridge may publish only for the rules in event_rule_arns."
  }
  assert {
    condition     = alltrue([for s in slice(data.aws_iam_policy_document.topic[0].statement, 1, 4) : s.actions == toset(["sns:Publish"])])
    error_message = "Services may only publish."
  }
}

run "existing_topic_is_used_as_given" {
  command = apply

  variables {
    create_ops_topic      = false
    ops_topic_arn         = "arn:aws:sns:us-east-1:123456789012:shared-ops"
    ops_subscriptions     = [{ protocol = "email", endpoint = "ops@example.com" }]
    lambda_function_names = { validate_input = "research-report-test-validate_input" }
  }

  assert {
    condition = (
      length(aws_sns_topic.this) == 0 && length(aws_sns_topic_policy.this) == 0
      && length(data.aws_iam_policy_document.topic) == 0 && length(aws_sns_topic_subscription.this) == 0
    )
    error_message = "create_ops_topic = false creates no topic, policy or subscription (ops_subscriptions are ignored)."
  }
  assert {
    condition     = output.ops_topic_arn == "arn:aws:sns:us-east-1:123456789012:shared-ops"
    error_message = "ops_topic_arn output is the given topic."
  }
  assert {
    condition = alltrue(flatten([
      [for a in aws_cloudwatch_metric_alarm.executions : a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:shared-ops"])],
      [for a in aws_cloudwatch_metric_alarm.lambda_errors : a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:shared-ops"])],
      [aws_cloudwatch_metric_alarm.approval_timeouts.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:shared-ops"])],
    ]))
    error_message = "Every alarm notifies the given topic."
  }
}

run "created_topic_wins_over_a_given_arn" {
  command = apply

  variables {
    ops_topic_arn = "arn:aws:sns:us-east-1:123456789012:shared-ops"
  }

  assert {
    condition     = length(aws_sns_topic.this) == 1 && output.ops_topic_arn == aws_sns_topic.this[0].arn
    error_message = "With create_ops_topic = true the created topic is the ops topic; ops_topic_arn is not used."
  }
}
