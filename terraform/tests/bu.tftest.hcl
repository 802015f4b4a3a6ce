# envs/bu.tfvars as Terraform builds it: assertions on the resources and on the decoded state
# machine definition, never on var.*. The runner runs this file with -var-file=../envs/bu.tfvars.
# A business unit: Map concurrency 10 under a 20 TPS quota, PITR on, a year of logs.

mock_provider "aws" {
  source = "../tests/terraform/mocks"
}

# The mock gives every state machine one ARN; the stack's policies name its real one.
override_resource {
  target = module.state_machine.aws_sfn_state_machine.this
  values = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-bu" }
}

override_resource {
  target = module.state_machine.aws_sfn_alias.this
  values = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-bu:live" }
}

# One apply holds every assertion: each run plans the whole stack, seconds apiece, so the groups
# below share it.
run "bu_stack_is_built_for_the_environment" {
  command = apply

  # bu definition is sized for the environment.
  assert {
    condition     = jsondecode(module.state_machine.definition).States.SummarizeSources.MaxConcurrency == 10
    error_message = "bu: the Map runs at most 10 summaries at once (within the Bedrock TPS quota)."
  }
  assert {
    condition     = jsondecode(module.state_machine.definition).TimeoutSeconds == 604800
    error_message = "bu: an execution may run 604800 s, longer than the approval wait."
  }
  assert {
    condition = (
      jsondecode(module.state_machine.definition).States.RequestApproval.TimeoutSeconds == 259200 &&
      jsondecode(module.state_machine.definition).States.RequestApproval.HeartbeatSeconds == 86400
    )
    error_message = "bu: the approval waits 259200 s, with a heartbeat every 86400 s."
  }
  assert {
    condition     = jsondecode(module.state_machine.definition).States.Search.Retry[0].MaxAttempts == 4
    error_message = "bu: agent tasks retry 4 times before the fallback."
  }
  assert {
    condition     = module.state_machine.log_retention_in_days == 365
    error_message = "bu: execution logs are kept 365 days."
  }

  # bu functions are reserved and retained.
  assert {
    condition = alltrue([for key in ["agent_search", "agent_summary", "agent_writer", "agent_reviser"] :
    module.functions[key].reserved_concurrent_executions == 25])
    error_message = "bu: each agent function reserves 25 concurrent executions."
  }
  assert {
    condition = (
      module.functions["approval_request"].reserved_concurrent_executions == 10 &&
      module.approval_callback.reserved_concurrent_executions == 10
    )
    error_message = "bu: the approval functions reserve 10 concurrent executions."
  }
  assert {
    condition = alltrue([for key in ["validate_input", "publish", "on_failure"] :
    module.functions[key].reserved_concurrent_executions == 10])
    error_message = "bu: the control functions reserve 10 concurrent executions."
  }
  assert {
    condition = alltrue(concat([for fn in module.functions : fn.log_retention_in_days == 365],
    [module.approval_callback.log_retention_in_days == 365]))
    error_message = "bu: every function's logs are kept 365 days."
  }
  assert {
    condition     = length(module.functions) == 10
    error_message = "bu: ten workflow functions besides the approval callback."
  }

  # bu operations match the environment.
  assert {
    condition = module.monitoring.alarm_thresholds == merge(
      { executions_failed = 5, executions_timed_out = 1, executions_throttled = 1, approval_timeouts = 1, fallbacks = 10 },
      { for key in keys(output.function_names) : "lambda_errors_${key}" => 5 },
    )
    error_message = "bu: alarm thresholds as sized for the environment, one Lambda errors alarm per function."
  }
  assert {
    condition     = module.budget.limit_amount_usd == 8000
    error_message = "bu: the monthly budget is $8000."
  }
  assert {
    condition     = module.workflow_store.point_in_time_recovery_enabled == true
    error_message = "bu: point-in-time recovery of the workflow table is true."
  }
  assert {
    condition     = module.event_bus.archive_retention_days == 90
    error_message = "bu: the event archive keeps 90 days for replay."
  }
}
