# Execution logs and traces: a dedicated log group, logging never off, execution data opt-in, X-Ray on.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

override_resource {
  target = aws_cloudwatch_log_group.execution
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/research-report-test" }
}

variables {
  name                     = "research-report-test"
  definition_template_path = "./tests/templates/invoke_only.asl.json.tftpl"
  definition_variables = {
    function_arn    = "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"
    timeout_seconds = 60
  }
  lambda_function_arns = ["arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"]
  tags                 = { team = "research" }
}

run "log_group_under_vendedlogs_kept_30_days_by_default" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.execution.name == "/aws/vendedlogs/states/research-report-test" && output.log_group_name == "/aws/vendedlogs/states/research-report-test"
    error_message = "The log group is /aws/vendedlogs/states/<name>."
  }
  assert {
    condition     = aws_cloudwatch_log_group.execution.retention_in_days == 30 && output.log_retention_in_days == 30
    error_message = "log_retention_in_days defaults to 30."
  }
  assert {
    condition     = aws_cloudwatch_log_group.execution.kms_key_id == null
    error_message = "Without kms_key_arn the log group uses the AWS owned key."
  }
  assert {
    condition     = aws_cloudwatch_log_group.execution.tags["team"] == "research" && aws_sfn_state_machine.this.tags["team"] == "research"
    error_message = "tags reach the log group and the state machine."
  }
}

run "logs_errors_without_execution_data_by_default" {
  command = plan

  assert {
    condition     = one(aws_sfn_state_machine.this.logging_configuration).level == "ERROR"
    error_message = "log_level defaults to ERROR."
  }
  assert {
    condition     = one(aws_sfn_state_machine.this.logging_configuration).include_execution_data == false
    error_message = "Execution input/output is not logged unless include_execution_data is set."
  }
  assert {
    condition     = one(aws_sfn_state_machine.this.tracing_configuration).enabled == true
    error_message = "X-Ray tracing is on."
  }
}

run "log_level_execution_data_retention_and_key_are_configurable" {
  command = plan

  variables {
    log_level              = "ALL"
    include_execution_data = true
    log_retention_in_days  = 365
    kms_key_arn            = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = (one(aws_sfn_state_machine.this.logging_configuration).level == "ALL"
    && one(aws_sfn_state_machine.this.logging_configuration).include_execution_data == true)
    error_message = "log_level and include_execution_data reach the logging configuration."
  }
  assert {
    condition     = aws_cloudwatch_log_group.execution.retention_in_days == 365 && output.log_retention_in_days == 365
    error_message = "log_retention_in_days reaches the log group."
  }
  assert {
    condition     = aws_cloudwatch_log_group.execution.kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "kms_key_arn encrypts the log group."
  }
}

run "logs_go_to_the_modules_log_group" {
  command = apply

  assert {
    condition     = one(aws_sfn_state_machine.this.logging_configuration).log_destination == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/research-report-test:*"
    error_message = "Execution logs go to the module's log group (<arn>:*, as Step Functions requires)."
  }
  assert {
    condition     = output.log_group_arn == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/research-report-test"
    error_message = "log_group_arn returns the log group's ARN."
  }
}
