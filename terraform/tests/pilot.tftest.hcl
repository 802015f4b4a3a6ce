mock_provider "aws" {
  source = "../tests/terraform/mocks"
}

override_resource {
  target = module.state_machine.aws_sfn_state_machine.this
  values = {
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot"
  }
}

run "pilot" {
  command = apply

  assert {
    condition     = jsondecode(module.state_machine.definition).States.SummarizeSources.MaxConcurrency == 2
    error_message = "pilot Map MaxConcurrency must be 2"
  }
  assert {
    condition     = module.functions["agent_summary"].reserved_concurrent_executions == 4
    error_message = "x"
  }
  assert {
    condition     = module.budget.limit_amount_usd == 150
    error_message = "x"
  }
}
