# The definition: the research report workflow template rendered with the stack's values, run as a
# STANDARD state machine with the module's role.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

override_resource {
  target = aws_iam_role.state_machine
  values = { arn = "arn:aws:iam::123456789012:role/research-report-test-sfn-role" }
}

variables {
  name                     = "research-report-test"
  definition_template_path = "../../terraform/workflow.asl.json.tftpl"
  definition_variables = {
    validate_input_arn           = "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"
    agent_search_arn             = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-search"
    agent_summary_arn            = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-summary"
    agent_writer_arn             = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-writer"
    agent_reviser_arn            = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-reviser"
    agent_compliance_arn         = "arn:aws:lambda:us-east-1:123456789012:function:rr-agent-compliance"
    citation_check_arn           = "arn:aws:lambda:us-east-1:123456789012:function:rr-citation-check"
    approval_request_arn         = "arn:aws:lambda:us-east-1:123456789012:function:rr-approval-request"
    publish_arn                  = "arn:aws:lambda:us-east-1:123456789012:function:rr-publish"
    on_failure_arn               = "arn:aws:lambda:us-east-1:123456789012:function:rr-on-failure"
    workflow_table_name          = "rr-workflow"
    event_bus_name               = "rr-events"
    map_max_concurrency          = 4
    approval_timeout_seconds     = 86400
    approval_heartbeat_seconds   = 3600
    execution_timeout_seconds    = 172800
    max_revisions                = 3
    retry_max_attempts           = 3
    retry_interval_seconds       = 2
    retry_backoff_rate           = 2
    retry_max_delay_seconds      = 30
    lambda_throttle_max_attempts = 10
  }
  lambda_function_arns = [
    "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input",
    "arn:aws:lambda:us-east-1:123456789012:function:rr-approval-request",
  ]
}

run "standard_state_machine_named_after_the_stack" {
  command = plan

  assert {
    condition     = aws_sfn_state_machine.this.name == "research-report-test" && output.name == "research-report-test"
    error_message = "The state machine is named var.name."
  }
  assert {
    condition     = aws_sfn_state_machine.this.type == "STANDARD"
    error_message = "type defaults to STANDARD (the workflow waits for a human approval)."
  }
}

run "workflow_template_is_rendered_with_the_definition_variables" {
  command = plan

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).StartAt == "ValidateInput"
    error_message = "The rendered definition is JSON and starts with ValidateInput."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).TimeoutSeconds == 172800
    error_message = "execution_timeout_seconds renders into the workflow's TimeoutSeconds as a number."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States.ValidateInput.Parameters.FunctionName == "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"
    error_message = "validate_input_arn renders into the ValidateInput task."
  }
  assert {
    condition = (jsondecode(aws_sfn_state_machine.this.definition).States.RequestApproval.Resource == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    && jsondecode(aws_sfn_state_machine.this.definition).States.RequestApproval.Parameters.FunctionName == "arn:aws:lambda:us-east-1:123456789012:function:rr-approval-request")
    error_message = "RequestApproval is a callback task on the approval_request function."
  }
  assert {
    condition = (jsondecode(aws_sfn_state_machine.this.definition).States.RequestApproval.TimeoutSeconds == 86400
    && jsondecode(aws_sfn_state_machine.this.definition).States.RequestApproval.HeartbeatSeconds == 3600)
    error_message = "approval_timeout_seconds and approval_heartbeat_seconds bound the approval wait."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States.SummarizeSources.MaxConcurrency == 4
    error_message = "map_max_concurrency bounds the summary Map state."
  }
}

run "definition_output_is_what_the_state_machine_runs" {
  command = apply

  assert {
    condition     = output.definition == templatefile("../../terraform/workflow.asl.json.tftpl", var.definition_variables)
    error_message = "definition returns the rendered template, unchanged."
  }
  assert {
    condition     = output.arn == "arn:aws:states:us-east-1:123456789012:stateMachine:mock-state-machine"
    error_message = "arn returns the state machine's ARN."
  }
}

run "express_runs_a_definition_without_callbacks" {
  command = plan

  variables {
    type                     = "EXPRESS"
    definition_template_path = "./tests/templates/invoke_only.asl.json.tftpl"
    definition_variables = {
      function_arn    = "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"
      timeout_seconds = 30
    }
  }

  assert {
    condition     = aws_sfn_state_machine.this.type == "EXPRESS"
    error_message = "type = EXPRESS is honoured for a definition without .waitForTaskToken or .sync."
  }
  assert {
    condition = (jsondecode(aws_sfn_state_machine.this.definition).States.Invoke.Parameters.FunctionName == "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"
    && jsondecode(aws_sfn_state_machine.this.definition).States.Invoke.TimeoutSeconds == 30)
    error_message = "definition_template_path and definition_variables choose and fill the template."
  }
}

run "state_machine_runs_as_its_own_role" {
  command = apply

  assert {
    condition     = aws_sfn_state_machine.this.role_arn == "arn:aws:iam::123456789012:role/research-report-test-sfn-role"
    error_message = "The state machine runs as the module's role."
  }
  assert {
    condition     = output.role_arn == "arn:aws:iam::123456789012:role/research-report-test-sfn-role"
    error_message = "role_arn returns the role's ARN."
  }
}
