# The execution role: assumable only by Step Functions for this state machine, allowed only what the
# definition uses.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                     = "research-report-test"
  definition_template_path = "./tests/templates/invoke_only.asl.json.tftpl"
  definition_variables = {
    function_arn    = "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"
    timeout_seconds = 60
  }
  lambda_function_arns = [
    "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input",
    "arn:aws:lambda:us-east-1:123456789012:function:rr-publish",
  ]
  tags = { team = "research" }
}

run "role_is_named_after_the_state_machine" {
  command = plan

  assert {
    condition     = aws_iam_role.state_machine.name == "research-report-test-sfn-role" && output.role_name == "research-report-test-sfn-role"
    error_message = "The role is named <name>-sfn-role."
  }
  assert {
    condition     = aws_iam_role.state_machine.tags["team"] == "research"
    error_message = "tags reach the role."
  }
  assert {
    condition     = aws_iam_role_policy.state_machine.name == "research-report-test-sfn-policy"
    error_message = "The policy is inline on the role, named <name>-sfn-policy."
  }
}

run "only_this_state_machine_may_assume_the_role" {
  command = plan

  assert {
    condition = (one(data.aws_iam_policy_document.assume_role.statement).actions == toset(["sts:AssumeRole"])
    && one(data.aws_iam_policy_document.assume_role.statement).principals == toset([{ type = "Service", identifiers = toset(["states.amazonaws.com"]) }]))
    error_message = "Only states.amazonaws.com may assume the role."
  }
  assert {
    condition = one(data.aws_iam_policy_document.assume_role.statement).condition == toset([
      { test = "StringEquals", variable = "aws:SourceAccount", values = tolist(["123456789012"]) },
      { test = "ArnLike", variable = "aws:SourceArn", values = tolist(["arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"]) },
    ])
    error_message = "The trust policy names this account and this state machine's ARN (partition, region, account, name)."
  }
}

run "role_may_invoke_the_given_functions_their_versions_and_aliases" {
  command = plan

  assert {
    condition = one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "InvokeWorkflowFunctions"]).resources == toset([
      "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input",
      "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input:*",
      "arn:aws:lambda:us-east-1:123456789012:function:rr-publish",
      "arn:aws:lambda:us-east-1:123456789012:function:rr-publish:*",
    ])
    error_message = "lambda:InvokeFunction is granted on each function and its qualified ARNs, nothing else."
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "InvokeWorkflowFunctions"]).actions == toset(["lambda:InvokeFunction"])
    error_message = "The functions may only be invoked."
  }
}

run "no_sns_dynamodb_events_or_kms_grant_unless_asked" {
  command = plan

  assert {
    condition     = toset([for s in data.aws_iam_policy_document.state_machine.statement : s.sid]) == toset(["InvokeWorkflowFunctions", "DeliverExecutionLogs", "XRayTracing"])
    error_message = "By default the role may invoke the functions, deliver logs and write traces, and nothing more."
  }
}

run "wildcards_only_where_aws_requires_them" {
  command = plan

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.state_machine.statement :
    contains(["DeliverExecutionLogs", "XRayTracing"], s.sid) if contains(s.resources, "*")])
    error_message = "Only the log delivery and X-Ray statements use resource \"*\"."
  }
  assert {
    condition = one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "DeliverExecutionLogs"]).actions == toset([
      "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ])
    error_message = "The \"*\" logs statement holds only the vended-log delivery actions."
  }
  assert {
    condition = one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "XRayTracing"]).actions == toset([
      "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
    ])
    error_message = "The \"*\" X-Ray statement holds only the tracing actions."
  }
}

run "role_reaches_the_given_topics_tables_bus_and_key" {
  command = plan

  variables {
    sns_topic_arns      = ["arn:aws:sns:us-east-1:123456789012:rr-notifications"]
    dynamodb_table_arns = ["arn:aws:dynamodb:us-east-1:123456789012:table/rr-workflow"]
    event_bus_arn       = "arn:aws:events:us-east-1:123456789012:event-bus/rr-events"
    kms_key_arn         = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = (one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "PublishNotifications"]).actions == toset(["sns:Publish"])
    && one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "PublishNotifications"]).resources == toset(["arn:aws:sns:us-east-1:123456789012:rr-notifications"]))
    error_message = "sns_topic_arns grants sns:Publish on those topics."
  }
  assert {
    condition = (one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "ReadWriteWorkflowItems"]).actions == toset(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"])
    && one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "ReadWriteWorkflowItems"]).resources == toset(["arn:aws:dynamodb:us-east-1:123456789012:table/rr-workflow"]))
    error_message = "dynamodb_table_arns grants GetItem/PutItem/UpdateItem (no Delete, no Scan) on those tables."
  }
  assert {
    condition = (one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "PutWorkflowEvents"]).actions == toset(["events:PutEvents"])
    && one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "PutWorkflowEvents"]).resources == toset(["arn:aws:events:us-east-1:123456789012:event-bus/rr-events"]))
    error_message = "event_bus_arn grants events:PutEvents on that bus."
  }
  assert {
    condition = (one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "UseStackKey"]).actions == toset(["kms:GenerateDataKey", "kms:Decrypt"])
    && one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "UseStackKey"]).resources == toset(["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]))
    error_message = "kms_key_arn grants GenerateDataKey/Decrypt on that key."
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.state_machine.statement : s.effect == null || s.effect == "Allow"])
    error_message = "Every statement allows; nothing relies on a Deny."
  }
}

run "dynamodb_actions_narrow_the_item_grant" {
  command = plan

  variables {
    dynamodb_table_arns = ["arn:aws:dynamodb:us-east-1:123456789012:table/rr-workflow"]
    dynamodb_actions    = ["dynamodb:UpdateItem"]
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "ReadWriteWorkflowItems"]).actions == toset(["dynamodb:UpdateItem"])
    error_message = "dynamodb_actions is exactly what the role may do on the tables."
  }
}

run "unqualified_invocations_only_and_no_key_without_topics" {
  command = plan

  variables {
    invoke_versions_and_aliases = false
    kms_key_arn                 = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "InvokeWorkflowFunctions"]).resources == toset([
      "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input",
      "arn:aws:lambda:us-east-1:123456789012:function:rr-publish",
    ])
    error_message = "Without versions and aliases the role may invoke the unqualified functions only."
  }
  assert {
    condition     = length([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "UseStackKey"]) == 0
    error_message = "With no topics to publish to, the role is not granted the key."
  }
}
