# envs/team.tfvars as Terraform builds it: assertions on the resources and on the decoded state
# machine definition, never on var.*. The runner runs this file with -var-file=../envs/team.tfvars.
# A team: Map concurrency 5 under a 10 TPS quota, PITR on, 90 days of logs.

mock_provider "aws" {
  source = "../tests/terraform/mocks"
}

# The mock gives every state machine one ARN; the stack's policies name its real one.
override_resource {
  target = module.state_machine.aws_sfn_state_machine.this
  values = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-team" }
}

override_resource {
  target = module.state_machine.aws_sfn_alias.this
  values = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-team:live" }
}

# One apply holds every assertion: each run plans the whole stack, seconds apiece, so the groups
# below share it.
run "team_stack_is_built_for_the_environment" {
  command = apply

  # team definition is sized for the environment.
  assert {
    condition     = jsondecode(module.state_machine.definition).States.SummarizeSources.MaxConcurrency == 5
    error_message = "team: the Map runs at most 5 summaries at once (within the Bedrock TPS quota)."
  }
  assert {
    condition     = jsondecode(module.state_machine.definition).TimeoutSeconds == 604800
    error_message = "team: an execution may run 604800 s, longer than the approval wait."
  }
  assert {
    condition = (
      jsondecode(module.state_machine.definition).States.RequestApproval.TimeoutSeconds == 259200 &&
      jsondecode(module.state_machine.definition).States.RequestApproval.HeartbeatSeconds == 86400
    )
    error_message = "team: the approval waits 259200 s, with a heartbeat every 86400 s."
  }
  assert {
    condition     = jsondecode(module.state_machine.definition).States.Search.Retry[0].MaxAttempts == 4
    error_message = "team: agent tasks retry 4 times before the fallback."
  }
  assert {
    condition     = module.state_machine.log_retention_in_days == 90
    error_message = "team: execution logs are kept 90 days."
  }

  # team functions are reserved and retained.
  assert {
    condition = alltrue([for key in ["agent_search", "agent_summary", "agent_writer", "agent_reviser"] :
    module.functions[key].reserved_concurrent_executions == 10])
    error_message = "team: each agent function reserves 10 concurrent executions."
  }
  assert {
    condition = (
      module.functions["approval_request"].reserved_concurrent_executions == 5 &&
      module.approval_callback.reserved_concurrent_executions == 5
    )
    error_message = "team: the approval functions reserve 5 concurrent executions."
  }
  assert {
    condition = alltrue([for key in ["validate_input", "publish", "on_failure"] :
    module.functions[key].reserved_concurrent_executions == 5])
    error_message = "team: the control functions reserve 5 concurrent executions."
  }
  assert {
    condition = alltrue(concat([for fn in module.functions : fn.log_retention_in_days == 90],
    [module.approval_callback.log_retention_in_days == 90]))
    error_message = "team: every function's logs are kept 90 days."
  }
  assert {
    condition     = length(module.functions) == 10
    error_message = "team: ten workflow functions besides the approval callback."
  }

  # team operations match the environment.
  assert {
    condition = module.monitoring.alarm_thresholds == merge(
      { executions_failed = 2, executions_timed_out = 1, executions_throttled = 1, approval_timeouts = 1, fallbacks = 3 },
      { for key in keys(output.function_names) : "lambda_errors_${key}" => 3 },
    )
    error_message = "team: alarm thresholds as sized for the environment, one Lambda errors alarm per function."
  }
  assert {
    condition     = module.budget.limit_amount_usd == 1000
    error_message = "team: the monthly budget is $1000."
  }
  assert {
    condition     = module.workflow_store.point_in_time_recovery_enabled == true
    error_message = "team: point-in-time recovery of the workflow table is true."
  }
  assert {
    condition     = module.event_bus.archive_retention_days == 30
    error_message = "team: the event archive keeps 30 days for replay."
  }
}
