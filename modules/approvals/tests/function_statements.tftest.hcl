# The least-privilege IAM statements handed to approval_request and approval_callback: each action
# on this workflow's own topic, secret, table, bus, state machine and key, nothing wider.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                        = "research-report-test"
  kms_key_arn                 = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  callback_function_name      = "research-report-test-approval-callback"
  callback_signing_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:research-report-test/approval-signing-key-AbCdEf"
  workflow_table_arn          = "arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"
  event_bus_arn               = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-test"
  state_machine_arn           = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
}

override_resource {
  target = aws_sns_topic.this
  values = { arn = "arn:aws:sns:us-east-1:123456789012:research-report-test-approvals" }
}

override_resource {
  target = aws_secretsmanager_secret.signing
  values = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:research-report-test/approval-signing-key-AbCdEf" }
}

run "approval_request_statements" {
  command = apply

  assert {
    condition = { for s in output.approval_request_policy_statements : s.sid => { actions = toset(s.actions), resources = toset(s.resources) } } == {
      PublishApprovalRequest = { actions = toset(["sns:Publish"]), resources = toset(["arn:aws:sns:us-east-1:123456789012:research-report-test-approvals"]) }
      ReadSigningKey         = { actions = toset(["secretsmanager:GetSecretValue"]), resources = toset(["arn:aws:secretsmanager:us-east-1:123456789012:secret:research-report-test/approval-signing-key-AbCdEf"]) }
      RecordApproval         = { actions = toset(["dynamodb:PutItem"]), resources = toset([var.workflow_table_arn]) }
      EmitApprovalRequested  = { actions = toset(["events:PutEvents"]), resources = toset([var.event_bus_arn]) }
      UseApprovalKey         = { actions = toset(["kms:GenerateDataKey", "kms:Decrypt"]), resources = toset([var.kms_key_arn]) }
    }
    error_message = "approval_request may publish to the topic, read the signing key, put the approval item, emit on the bus and use the key: on those resources only."
  }
  assert {
    condition     = alltrue([for s in output.approval_request_policy_statements : length(s.conditions) == 0])
    error_message = "approval_request statements carry no conditions."
  }
}

run "approval_callback_statements" {
  command = apply

  assert {
    condition = { for s in output.approval_callback_policy_statements : s.sid => { actions = toset(s.actions), resources = toset(s.resources) } } == {
      ReadSigningKey        = { actions = toset(["secretsmanager:GetSecretValue"]), resources = toset(["arn:aws:secretsmanager:us-east-1:123456789012:secret:research-report-test/approval-signing-key-AbCdEf"]) }
      ReadAndDecideApproval = { actions = toset(["dynamodb:GetItem", "dynamodb:UpdateItem"]), resources = toset([var.workflow_table_arn]) }
      AnswerApprovalTask    = { actions = toset(["states:SendTaskSuccess", "states:SendTaskHeartbeat"]), resources = toset([var.state_machine_arn]) }
      DecryptSigningKey     = { actions = toset(["kms:Decrypt"]), resources = toset([var.kms_key_arn]) }
    }
    error_message = "approval_callback may read the signing key, read and decide the approval item, answer task tokens of this state machine and decrypt: on those resources only."
  }
}

run "no_statement_uses_a_wildcard" {
  command = apply

  assert {
    condition = alltrue([for s in concat(output.approval_request_policy_statements, output.approval_callback_policy_statements) :
    alltrue([for v in concat(s.actions, s.resources) : !strcontains(v, "*")])])
    error_message = "Least privilege: no action or resource of either function holds a wildcard."
  }
}
