# The alarms: executions failed / timed out / throttled on the state machine, errors per Lambda
# function, approvals waiting too long (a metric filter on the execution log); thresholds per key,
# all notifying the ops topic.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                         = "research-report-test"
  environment                  = "test"
  state_machine_arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
  state_machine_log_group_name = "/aws/vendedlogs/states/research-report-test"
}

run "execution_alarms_watch_the_state_machine_at_one_per_five_minutes" {
  command = plan

  assert {
    condition = {
      for k, a in aws_cloudwatch_metric_alarm.executions : k => [a.alarm_name, a.metric_name]
      } == {
      executions_failed    = ["research-report-test-executions-failed", "ExecutionsFailed"]
      executions_timed_out = ["research-report-test-executions-timed-out", "ExecutionsTimedOut"]
      executions_throttled = ["research-report-test-executions-throttled", "ExecutionThrottled"]
    }
    error_message = "Three execution alarms, <name>-executions-*, on ExecutionsFailed, ExecutionsTimedOut and ExecutionThrottled."
  }
  assert {
    condition = alltrue([for a in aws_cloudwatch_metric_alarm.executions :
      a.namespace == "AWS/States" && a.dimensions == tomap({ StateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test" })
    ])
    error_message = "Execution alarms read AWS/States for the given state machine."
  }
  assert {
    condition = alltrue([for a in aws_cloudwatch_metric_alarm.executions :
      a.threshold == 1 && a.comparison_operator == "GreaterThanOrEqualToThreshold" && a.statistic == "Sum"
      && a.period == 300 && a.evaluation_periods == 1 && a.treat_missing_data == "notBreaching"
    ])
    error_message = "Default: alarm on the first event (Sum >= 1 in one 5-minute period); no data is not breaching."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.lambda_errors) == 0
    error_message = "No Lambda error alarm without lambda_function_names."
  }
}

run "each_threshold_reaches_its_own_alarm" {
  command = plan

  variables {
    alarm_thresholds = {
      executions_failed    = 2
      executions_timed_out = 3
      executions_throttled = 4
      lambda_errors        = 5
      approval_timeouts    = 6
    }
    lambda_function_names = { agent = "research-report-test-agent" }
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.executions["executions_failed"].threshold == 2
      && aws_cloudwatch_metric_alarm.executions["executions_timed_out"].threshold == 3
      && aws_cloudwatch_metric_alarm.executions["executions_throttled"].threshold == 4
    )
    error_message = "Each execution alarm takes the threshold of its key."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.lambda_errors["agent"].threshold == 5 && aws_cloudwatch_metric_alarm.approval_timeouts.threshold == 6
    error_message = "lambda_errors and approval_timeouts thresholds reach their alarms."
  }
  assert {
    condition = output.alarm_thresholds == {
      executions_failed    = 2
      executions_timed_out = 3
      executions_throttled = 4
      lambda_errors_agent  = 5
      approval_timeouts    = 6
    }
    error_message = "The alarm_thresholds output reports each alarm's threshold, keyed as alarm_arns."
  }
}

run "one_error_alarm_per_lambda_function" {
  command = plan

  variables {
    lambda_function_names = {
      validate_input = "research-report-test-validate_input"
      agent          = "research-report-test-agent"
    }
  }

  assert {
    condition = {
      for k, a in aws_cloudwatch_metric_alarm.lambda_errors : k => [a.alarm_name, a.dimensions["FunctionName"]]
      } == {
      validate_input = ["research-report-test-lambda-errors-validate_input", "research-report-test-validate_input"]
      agent          = ["research-report-test-lambda-errors-agent", "research-report-test-agent"]
    }
    error_message = "One alarm <name>-lambda-errors-<key> per lambda_function_names entry, on that function."
  }
  assert {
    condition = alltrue([for a in aws_cloudwatch_metric_alarm.lambda_errors :
      a.namespace == "AWS/Lambda" && a.metric_name == "Errors" && a.statistic == "Sum" && a.period == 300
      && a.threshold == 1 && a.comparison_operator == "GreaterThanOrEqualToThreshold" && a.treat_missing_data == "notBreaching"
    ])
    error_message = "Lambda alarms fire on the first AWS/Lambda Errors in 5 minutes by default."
  }
}

run "approval_timeouts_are_counted_from_the_execution_log" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_log_metric_filter.approval_timeouts.name == "research-report-test-approval-timeouts"
      && aws_cloudwatch_log_metric_filter.approval_timeouts.log_group_name == "/aws/vendedlogs/states/research-report-test"
    )
    error_message = "The metric filter reads the state machine's execution log group."
  }
  assert {
    condition     = aws_cloudwatch_log_metric_filter.approval_timeouts.pattern == "{ $.type = \"TaskTimedOut\" }"
    error_message = "The filter counts TaskTimedOut events (heartbeat or task timeout of the approval Task)."
  }
  assert {
    condition = (
      one(aws_cloudwatch_log_metric_filter.approval_timeouts.metric_transformation).name == "ApprovalTimeouts"
      && one(aws_cloudwatch_log_metric_filter.approval_timeouts.metric_transformation).namespace == "ResearchReport"
      && one(aws_cloudwatch_log_metric_filter.approval_timeouts.metric_transformation).value == "1"
      && one(aws_cloudwatch_log_metric_filter.approval_timeouts.metric_transformation).default_value == "0"
    )
    error_message = "Each TaskTimedOut adds 1 to ResearchReport/ApprovalTimeouts (0 otherwise)."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.approval_timeouts.alarm_name == "research-report-test-approvals-waiting-too-long"
      && aws_cloudwatch_metric_alarm.approval_timeouts.namespace == "ResearchReport"
      && aws_cloudwatch_metric_alarm.approval_timeouts.metric_name == "ApprovalTimeouts"
      && aws_cloudwatch_metric_alarm.approval_timeouts.threshold == 1
      && aws_cloudwatch_metric_alarm.approval_timeouts.comparison_operator == "GreaterThanOrEqualToThreshold"
      && aws_cloudwatch_metric_alarm.approval_timeouts.treat_missing_data == "notBreaching"
    )
    error_message = "The approvals-waiting-too-long alarm fires on the first ApprovalTimeouts in 5 minutes."
  }
}

run "every_alarm_notifies_the_created_topic" {
  command = apply

  variables {
    lambda_function_names = { agent = "research-report-test-agent" }
    tags                  = { team = "research" }
  }

  assert {
    condition = alltrue(flatten([
      [for a in aws_cloudwatch_metric_alarm.executions : a.alarm_actions == toset([aws_sns_topic.this[0].arn])],
      [for a in aws_cloudwatch_metric_alarm.lambda_errors : a.alarm_actions == toset([aws_sns_topic.this[0].arn])],
      [aws_cloudwatch_metric_alarm.approval_timeouts.alarm_actions == toset([aws_sns_topic.this[0].arn])],
    ]))
    error_message = "Every alarm's action is the created ops topic."
  }
  assert {
    condition = alltrue(flatten([
      [for a in aws_cloudwatch_metric_alarm.executions : a.tags["team"] == "research"],
      [for a in aws_cloudwatch_metric_alarm.lambda_errors : a.tags["team"] == "research"],
      [aws_cloudwatch_metric_alarm.approval_timeouts.tags["team"] == "research"],
    ]))
    error_message = "tags reach every alarm."
  }
  assert {
    condition     = sort(keys(output.alarm_arns)) == tolist(["approval_timeouts", "executions_failed", "executions_throttled", "executions_timed_out", "lambda_errors_agent"])
    error_message = "alarm_arns names every alarm by purpose."
  }
  assert {
    condition     = output.alarm_arns["approval_timeouts"] == aws_cloudwatch_metric_alarm.approval_timeouts.arn && startswith(output.alarm_arns["lambda_errors_agent"], "arn:aws:cloudwatch:")
    error_message = "alarm_arns holds the alarms' ARNs."
  }
}

run "fallbacks_of_every_role_are_summed_into_one_alarm_on_the_ops_topic" {
  command = apply

  variables {
    fallback_alarm = {
      threshold = 3
      role_dimensions = {
        writer = { role = "writer", environment = "test", service = "agent_writer" }
        search = { role = "search", environment = "test", service = "agent_search" }
      }
    }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.fallbacks[0].threshold == 3 && aws_cloudwatch_metric_alarm.fallbacks[0].comparison_operator == "GreaterThanOrEqualToThreshold"
    error_message = "The fallback alarm fires at fallback_alarm.threshold fallback calls."
  }
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.fallbacks[0].metric_query : q.expression if q.id == "fallbacks"]) == "SUM([role0, role1])"
    error_message = "The alarm sums the FallbackUsed metric of every role."
  }
  assert {
    condition = toset([for q in aws_cloudwatch_metric_alarm.fallbacks[0].metric_query : jsonencode(q.metric[0].dimensions) if q.id != "fallbacks"]) == toset([
      jsonencode({ role = "search", environment = "test", service = "agent_search" }),
      jsonencode({ role = "writer", environment = "test", service = "agent_writer" }),
    ])
    error_message = "Each role's FallbackUsed metric is read with that role's EMF dimensions."
  }
  assert {
    condition     = alltrue([for q in aws_cloudwatch_metric_alarm.fallbacks[0].metric_query : q.metric[0].metric_name == "FallbackUsed" && q.metric[0].period == 300 if q.id != "fallbacks"])
    error_message = "The alarm reads FallbackUsed per 5 minutes by default."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.fallbacks[0].alarm_actions == toset([aws_sns_topic.this[0].arn]) && output.alarm_thresholds["fallbacks"] == 3
    error_message = "The fallback alarm notifies the ops topic and is reported under alarm_arns/alarm_thresholds as fallbacks."
  }
}

run "no_fallback_alarm_without_fallback_alarm" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.fallbacks) == 0
    error_message = "fallback_alarm = null creates no fallback alarm."
  }
}
