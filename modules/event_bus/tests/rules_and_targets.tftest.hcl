# Rules and targets: every target gets the DLQ and a retry policy; a start_execution target gets a role
# that may start the one state machine and nothing else.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

override_resource {
  target = aws_iam_role.start_execution
  values = { arn = "arn:aws:iam::123456789012:role/research-report-test-events-start-execution" }
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:research-report-test-events-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/research-report-test-events-dlq"
  }
}

variables {
  name              = "research-report-test-events"
  state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
  tags              = { team = "research" }
  rules = [
    {
      name          = "start-workflow"
      description   = "Start a research report."
      event_pattern = "{\"source\":[\"research-report.api\"],\"detail-type\":[\"ReportRequested\"]}"
      targets = [{
        target_id       = "workflow"
        arn             = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
        start_execution = true
        input_path      = "$.detail"
      }]
    },
    {
      name          = "forward"
      event_pattern = "{\"source\":[{\"prefix\":\"research-report.\"}]}"
      targets = [{
        target_id                    = "central-bus"
        arn                          = "arn:aws:events:us-east-1:210987654321:event-bus/central"
        role_arn                     = "arn:aws:iam::123456789012:role/forward-events"
        maximum_event_age_in_seconds = 600
        maximum_retry_attempts       = 2
      }]
    },
  ]
}

run "rules_are_prefixed_with_the_bus_name_and_live_on_the_bus" {
  command = plan

  assert {
    condition     = toset(keys(aws_cloudwatch_event_rule.this)) == toset(["start-workflow", "forward"])
    error_message = "One rule per entry of var.rules, keyed by its name."
  }
  assert {
    condition = (aws_cloudwatch_event_rule.this["start-workflow"].name == "research-report-test-events-start-workflow"
    && aws_cloudwatch_event_rule.this["forward"].name == "research-report-test-events-forward")
    error_message = "Rules are named <name>-<rule>."
  }
  assert {
    condition     = alltrue([for r in aws_cloudwatch_event_rule.this : r.event_bus_name == "research-report-test-events" && r.tags["team"] == "research"])
    error_message = "Rules are on the module's bus (not the default bus) and tagged."
  }
  assert {
    condition = (jsondecode(aws_cloudwatch_event_rule.this["start-workflow"].event_pattern)["detail-type"] == ["ReportRequested"]
      && aws_cloudwatch_event_rule.this["start-workflow"].description == "Start a research report."
    && aws_cloudwatch_event_rule.this["forward"].description == "")
    error_message = "A rule takes its event pattern and description (default empty) from var.rules."
  }
}

run "targets_retry_with_the_given_or_default_policy" {
  command = plan

  assert {
    condition     = toset(keys(aws_cloudwatch_event_target.this)) == toset(["start-workflow/workflow", "forward/central-bus"])
    error_message = "One target per entry, keyed <rule>/<target_id>."
  }
  assert {
    condition = (aws_cloudwatch_event_target.this["start-workflow/workflow"].rule == "research-report-test-events-start-workflow"
      && aws_cloudwatch_event_target.this["start-workflow/workflow"].target_id == "workflow"
    && aws_cloudwatch_event_target.this["start-workflow/workflow"].arn == "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test")
    error_message = "A target belongs to its own rule and points at its arn."
  }
  assert {
    condition     = alltrue([for t in aws_cloudwatch_event_target.this : t.event_bus_name == "research-report-test-events"])
    error_message = "Targets are on the module's bus."
  }
  assert {
    condition = (one(aws_cloudwatch_event_target.this["start-workflow/workflow"].retry_policy).maximum_event_age_in_seconds == 3600
    && one(aws_cloudwatch_event_target.this["start-workflow/workflow"].retry_policy).maximum_retry_attempts == 5)
    error_message = "A target retries for 1 h, 5 times, by default."
  }
  assert {
    condition = (one(aws_cloudwatch_event_target.this["forward/central-bus"].retry_policy).maximum_event_age_in_seconds == 600
    && one(aws_cloudwatch_event_target.this["forward/central-bus"].retry_policy).maximum_retry_attempts == 2)
    error_message = "maximum_event_age_in_seconds and maximum_retry_attempts reach the target's retry policy."
  }
  assert {
    condition = (aws_cloudwatch_event_target.this["start-workflow/workflow"].input_path == "$.detail"
    && aws_cloudwatch_event_target.this["forward/central-bus"].input_path == null)
    error_message = "input_path reaches the target when given and is unset otherwise."
  }
}

run "every_target_dead_letters_to_the_dlq_and_start_execution_uses_the_modules_role" {
  command = apply

  assert {
    condition = alltrue([for t in aws_cloudwatch_event_target.this :
    one(t.dead_letter_config).arn == "arn:aws:sqs:us-east-1:123456789012:research-report-test-events-dlq"])
    error_message = "Every target sends undeliverable events to the module's DLQ."
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["start-workflow/workflow"].role_arn == "arn:aws:iam::123456789012:role/research-report-test-events-start-execution"
    error_message = "A start_execution target uses the module's StartExecution role."
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["forward/central-bus"].role_arn == "arn:aws:iam::123456789012:role/forward-events"
    error_message = "Any other target uses its own role_arn."
  }
  assert {
    condition     = output.start_execution_role_arn == "arn:aws:iam::123456789012:role/research-report-test-events-start-execution"
    error_message = "start_execution_role_arn returns the role's ARN."
  }
  assert {
    condition     = output.rule_arns == { "start-workflow" = "arn:aws:events:us-east-1:123456789012:rule/mock-bus/mock-rule", forward = "arn:aws:events:us-east-1:123456789012:rule/mock-bus/mock-rule" }
    error_message = "rule_arns maps each rule name to its ARN."
  }
}

run "start_execution_role_may_start_only_the_state_machine" {
  command = plan

  assert {
    condition     = length(aws_iam_role.start_execution) == 1 && aws_iam_role.start_execution[0].name == "research-report-test-events-start-execution"
    error_message = "A start_execution target creates one role named <name>-start-execution."
  }
  assert {
    condition     = aws_iam_role.start_execution[0].tags["team"] == "research"
    error_message = "tags reach the role."
  }
  assert {
    condition = (length(data.aws_iam_policy_document.start_execution[0].statement) == 1
      && data.aws_iam_policy_document.start_execution[0].statement[0].actions == toset(["states:StartExecution"])
    && data.aws_iam_policy_document.start_execution[0].statement[0].resources == toset(["arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"]))
    error_message = "The role's policy allows states:StartExecution on var.state_machine_arn and nothing else."
  }
  assert {
    condition     = aws_iam_role_policy.start_execution[0].name == "research-report-test-events-start-execution"
    error_message = "The policy is attached inline to the role."
  }
}

run "start_execution_role_trusts_eventbridge_of_this_account_only" {
  command = plan

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.start_execution_assume.statement :
      s.actions == toset(["sts:AssumeRole"]) &&
      s.principals == toset([{ type = "Service", identifiers = toset(["events.amazonaws.com"]) }])
    ])
    error_message = "Only events.amazonaws.com may assume the role."
  }
  assert {
    condition = one(data.aws_iam_policy_document.start_execution_assume.statement).condition == toset([{
      test = "StringEquals", variable = "aws:SourceAccount", values = tolist(["123456789012"])
    }])
    error_message = "The trust policy is limited to this account (aws:SourceAccount)."
  }
}

run "no_role_without_a_start_execution_target" {
  command = apply

  variables {
    rules = [{
      name          = "forward"
      event_pattern = "{\"source\":[\"research-report.api\"]}"
      targets = [{
        target_id = "central-bus"
        arn       = "arn:aws:events:us-east-1:210987654321:event-bus/central"
        role_arn  = "arn:aws:iam::123456789012:role/forward-events"
      }]
    }]
  }

  assert {
    condition     = length(aws_iam_role.start_execution) == 0 && length(aws_iam_role_policy.start_execution) == 0
    error_message = "No start_execution target, no StartExecution role."
  }
  assert {
    condition     = output.start_execution_role_arn == null
    error_message = "start_execution_role_arn is null when no role is created."
  }
}

run "no_role_without_a_state_machine" {
  command = plan

  variables {
    state_machine_arn = null
    rules             = []
  }

  assert {
    condition     = length(aws_iam_role.start_execution) == 0 && length(data.aws_iam_policy_document.start_execution) == 0
    error_message = "state_machine_arn = null creates no StartExecution role."
  }
  assert {
    condition     = length(aws_cloudwatch_event_rule.this) == 0 && length(aws_cloudwatch_event_target.this) == 0
    error_message = "rules = [] creates no rule and no target."
  }
}
