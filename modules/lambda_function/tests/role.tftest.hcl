# The execution role: assumed by Lambda for this account only; the module adds its own log
# group, X-Ray, kms:Decrypt and sqs:SendMessage when asked; the rest is policy_statements.
# Under mock_provider the policy documents' `json` is a mock string: these runs assert on the
# documents' `statement` arguments and on the role and policy resources instead.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  function_name = "research-report-test-validate_input"
  package_path  = "tests/fixtures/handler.zip"
  handler       = "validate_input.handler.lambda_handler"
}

run "role_is_assumed_by_lambda_for_this_account_only" {
  command = plan

  assert {
    condition     = aws_iam_role.lambda[0].name == "research-report-test-validate_input-role"
    error_message = "The role is named <function_name>-role."
  }
  assert {
    condition = (
      length(data.aws_iam_policy_document.assume_role.statement) == 1
      && data.aws_iam_policy_document.assume_role.statement[0].actions == toset(["sts:AssumeRole"])
    )
    error_message = "The trust policy has one statement, sts:AssumeRole."
  }
  assert {
    condition = [for p in data.aws_iam_policy_document.assume_role.statement[0].principals : [p.type, p.identifiers]] == [
      ["Service", toset(["lambda.amazonaws.com"])]
    ]
    error_message = "Only the Lambda service principal may assume the role."
  }
  assert {
    condition = [for c in data.aws_iam_policy_document.assume_role.statement[0].condition : [c.test, c.variable, c.values]] == [
      ["StringEquals", "aws:SourceAccount", tolist(["123456789012"])]
    ]
    error_message = "Confused-deputy guard: aws:SourceAccount must equal this account."
  }
}

run "module_grants_only_its_log_group_and_xray_by_default" {
  command = apply

  assert {
    condition     = [for s in data.aws_iam_policy_document.lambda.statement : s.sid] == ["WriteOwnLogs", "XRayTracing"]
    error_message = "Without kms_key_arn, dead_letter_queue_arn or policy_statements the role may only write logs and traces."
  }
  assert {
    condition = (
      data.aws_iam_policy_document.lambda.statement[0].actions == toset(["logs:CreateLogStream", "logs:PutLogEvents"])
      && data.aws_iam_policy_document.lambda.statement[0].resources == toset(["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/research-report-test-validate_input:*"])
    )
    error_message = "Log writing is limited to the streams of the module's own log group."
  }
  assert {
    condition = (
      data.aws_iam_policy_document.lambda.statement[1].actions == toset(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
      && data.aws_iam_policy_document.lambda.statement[1].resources == toset(["*"])
    )
    error_message = "X-Ray gets its two trace APIs on \"*\" (they have no resource-level permissions)."
  }
  assert {
    condition = (
      aws_iam_role_policy.lambda[0].name == "research-report-test-validate_input-policy"
      && aws_iam_role_policy.lambda[0].role == aws_iam_role.lambda[0].id
      && aws_iam_role_policy.lambda[0].policy == data.aws_iam_policy_document.lambda.json
    )
    error_message = "The permissions document is the inline policy <function_name>-policy of the function's role."
  }
}

run "kms_dead_letter_queue_and_caller_statements_are_added_in_order" {
  command = apply

  variables {
    kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    dead_letter_queue_arn = "arn:aws:sqs:us-east-1:123456789012:research-report-test-dlq"
    policy_statements = [
      {
        sid       = "CreateWorkflowRecord"
        actions   = ["dynamodb:PutItem"]
        resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"]
        conditions = [{
          test     = "ForAllValues:StringEquals"
          variable = "dynamodb:LeadingKeys"
          values   = ["WORKFLOW#1"]
        }]
      },
      {
        sid       = "PublishOps"
        actions   = ["sns:Publish"]
        resources = ["arn:aws:sns:us-east-1:123456789012:research-report-test-ops"]
      },
    ]
  }

  assert {
    condition = [for s in data.aws_iam_policy_document.lambda.statement : s.sid] == [
      "WriteOwnLogs", "XRayTracing", "DecryptEnvironment", "SendToDeadLetterQueue", "CreateWorkflowRecord", "PublishOps",
    ]
    error_message = "The module's statements come first, then one per policy_statements entry."
  }
  assert {
    condition = (
      data.aws_iam_policy_document.lambda.statement[2].actions == toset(["kms:Decrypt"])
      && data.aws_iam_policy_document.lambda.statement[2].resources == toset(["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
    )
    error_message = "kms_key_arn adds kms:Decrypt on that key only."
  }
  assert {
    condition = (
      data.aws_iam_policy_document.lambda.statement[3].actions == toset(["sqs:SendMessage"])
      && data.aws_iam_policy_document.lambda.statement[3].resources == toset(["arn:aws:sqs:us-east-1:123456789012:research-report-test-dlq"])
    )
    error_message = "dead_letter_queue_arn adds sqs:SendMessage on that queue only."
  }
  assert {
    condition = (
      data.aws_iam_policy_document.lambda.statement[4].actions == toset(["dynamodb:PutItem"])
      && data.aws_iam_policy_document.lambda.statement[4].resources == toset(["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"])
    )
    error_message = "A policy_statements entry keeps its actions and resources."
  }
  assert {
    condition = [for c in data.aws_iam_policy_document.lambda.statement[4].condition : [c.test, c.variable, c.values]] == [
      ["ForAllValues:StringEquals", "dynamodb:LeadingKeys", tolist(["WORKFLOW#1"])]
    ]
    error_message = "A policy_statements entry's conditions become condition blocks."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.lambda.statement[5].condition) == 0
    error_message = "An entry without conditions gets no condition block."
  }
  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.lambda.statement :
    !contains(tolist(s.resources), "*") if s.sid != "XRayTracing"])
    error_message = "Only the X-Ray statement uses resource \"*\"."
  }
}

run "an_existing_role_replaces_the_module_role_and_its_policy" {
  command = plan

  variables {
    role_arn = "arn:aws:iam::123456789012:role/platform/shared-lambda"
  }

  assert {
    condition     = length(aws_iam_role.lambda) == 0 && length(aws_iam_role_policy.lambda) == 0
    error_message = "With role_arn the module creates no role and no policy."
  }
  assert {
    condition     = aws_lambda_function.this.role == "arn:aws:iam::123456789012:role/platform/shared-lambda"
    error_message = "The function runs as role_arn."
  }
  assert {
    condition     = output.role_arn == var.role_arn && output.role_name == "shared-lambda"
    error_message = "role_arn and role_name name the given role (its name is the last path element)."
  }
}
