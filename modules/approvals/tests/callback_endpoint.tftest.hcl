# The approval_callback Function URL and who may call it: everyone for NONE (the handler verifies
# signed links), only the listed reviewers for AWS_IAM; and the reviewers' identity policy.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                        = "research-report-test"
  kms_key_arn                 = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  callback_function_name      = "research-report-test-approval-callback"
  callback_signing_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mock-secret-AbCdEf"
  workflow_table_arn          = "arn:aws:dynamodb:us-east-1:123456789012:table/research-report-test-workflow"
  event_bus_arn               = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-test"
  state_machine_arn           = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
}

run "signed_links_endpoint_is_open_to_everyone_through_the_url_only" {
  command = apply

  variables {
    # Ignored with NONE: nobody gets a per-principal permission.
    reviewer_principal_arns = ["arn:aws:iam::123456789012:role/reviewer"]
  }

  assert {
    condition     = aws_lambda_function_url.callback.function_name == "research-report-test-approval-callback" && aws_lambda_function_url.callback.authorization_type == "NONE"
    error_message = "callback_auth_type defaults to NONE on the callback function's URL."
  }
  assert {
    condition     = length(aws_lambda_permission.public_url) == 1
    error_message = "A NONE URL gets the resource-based permission it needs."
  }
  assert {
    condition = (aws_lambda_permission.public_url[0].principal == "*"
      && aws_lambda_permission.public_url[0].action == "lambda:InvokeFunctionUrl"
      && aws_lambda_permission.public_url[0].function_url_auth_type == "NONE"
    && aws_lambda_permission.public_url[0].function_name == "research-report-test-approval-callback")
    error_message = "The public permission allows only lambda:InvokeFunctionUrl, only through a NONE URL, on the callback function."
  }
  assert {
    condition     = length(aws_lambda_permission.reviewers) == 0
    error_message = "With NONE, reviewer_principal_arns grants nothing."
  }
  assert {
    condition     = output.callback_url == "https://mockurl0123456789abcdef.lambda-url.us-east-1.on.aws/"
    error_message = "callback_url is the Function URL."
  }
}

run "iam_endpoint_admits_only_the_listed_reviewers" {
  command = plan

  variables {
    callback_auth_type = "AWS_IAM"
    reviewer_principal_arns = [
      "arn:aws:iam::123456789012:role/reviewer",
      "arn:aws:iam::123456789012:role/second-reviewer",
    ]
  }

  assert {
    condition     = aws_lambda_function_url.callback.authorization_type == "AWS_IAM"
    error_message = "callback_auth_type = AWS_IAM reaches the Function URL."
  }
  assert {
    condition     = length(aws_lambda_permission.public_url) == 0
    error_message = "An AWS_IAM URL gets no permission for everyone."
  }
  assert {
    condition     = toset([for p in aws_lambda_permission.reviewers : p.principal]) == toset(var.reviewer_principal_arns)
    error_message = "Each reviewer principal gets one permission, and nobody else."
  }
  assert {
    condition = alltrue([for p in aws_lambda_permission.reviewers :
      p.action == "lambda:InvokeFunctionUrl" && p.function_url_auth_type == "AWS_IAM" && p.function_name == "research-report-test-approval-callback"
    ])
    error_message = "Reviewer permissions allow only lambda:InvokeFunctionUrl through the AWS_IAM URL of the callback function."
  }
  assert {
    condition = length(toset([for p in aws_lambda_permission.reviewers : p.statement_id])) == 2 && alltrue([for p in aws_lambda_permission.reviewers :
    can(regex("^AllowReviewer[0-9a-f]{16}$", p.statement_id))])
    error_message = "Reviewer statement ids are AllowReviewer plus 16 hex characters of the principal's hash, distinct per principal."
  }
}

run "iam_endpoint_without_reviewers_grants_nobody" {
  command = plan

  variables {
    callback_auth_type = "AWS_IAM"
  }

  assert {
    condition     = length(aws_lambda_permission.public_url) == 0 && length(aws_lambda_permission.reviewers) == 0
    error_message = "AWS_IAM without reviewer_principal_arns adds no resource-based permission."
  }
}

run "reviewer_policy_allows_invoking_the_callback_url_only" {
  command = plan

  variables {
    callback_auth_type = "AWS_IAM"
  }

  assert {
    condition     = one(data.aws_iam_policy_document.reviewer.statement).actions == toset(["lambda:InvokeFunctionUrl"])
    error_message = "Reviewers may only call function URLs."
  }
  assert {
    condition     = one(data.aws_iam_policy_document.reviewer.statement).resources == toset(["arn:aws:lambda:us-east-1:123456789012:function:research-report-test-approval-callback"])
    error_message = "The reviewer policy names the callback function's ARN, built from its name, account and Region."
  }
  assert {
    condition = anytrue([for c in one(data.aws_iam_policy_document.reviewer.statement).condition :
    c.test == "StringEquals" && c.variable == "lambda:FunctionUrlAuthType" && toset(c.values) == toset(["AWS_IAM"])])
    error_message = "The reviewer policy holds only through an AWS_IAM function URL."
  }
}
