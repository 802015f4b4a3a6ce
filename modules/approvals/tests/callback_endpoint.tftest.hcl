# The approval links' endpoint: by default an HTTP API (GET / and POST / to the callback, stage
# throttle, encrypted access logs, a Lambda permission per route), else an IAM-only Function URL;
# and the reviewers' identity policy for each.

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
  throttling_burst_limit      = 3
  throttling_rate_limit       = 1.5
}

run "signed_links_are_served_by_an_http_api_with_two_routes_to_the_callback" {
  command = apply

  assert {
    condition     = aws_apigatewayv2_api.callback[0].protocol_type == "HTTP" && aws_apigatewayv2_api.callback[0].name == "research-report-test-approval-callback"
    error_message = "The default endpoint is an HTTP API named after the module."
  }
  assert {
    condition     = toset(keys(aws_apigatewayv2_route.callback)) == toset(["GET /", "POST /"])
    error_message = "Only GET / (open the link) and POST / (decide) are routed: any other path or method is API Gateway's 404."
  }
  assert {
    condition = alltrue([for route in aws_apigatewayv2_route.callback :
    route.authorization_type == "NONE" && route.target == "integrations/mockint"])
    error_message = "With NONE, both routes are open (the handler verifies the signed link) and go to the one integration."
  }
  assert {
    condition = (aws_apigatewayv2_integration.callback[0].integration_type == "AWS_PROXY"
      && aws_apigatewayv2_integration.callback[0].payload_format_version == "2.0"
    && aws_apigatewayv2_integration.callback[0].integration_uri == "arn:aws:lambda:us-east-1:123456789012:function:research-report-test-approval-callback")
    error_message = "A Lambda proxy integration (payload 2.0, the event the handler parses) to the callback function."
  }
  assert {
    condition     = length(aws_lambda_function_url.callback) == 0 && length(aws_lambda_permission.reviewers) == 0
    error_message = "The HTTP API endpoint creates no Function URL and no per-reviewer URL permission."
  }
  assert {
    condition     = output.callback_url == "https://mockapi012.execute-api.us-east-1.amazonaws.com/"
    error_message = "callback_url is the $default stage's invoke URL."
  }
}

run "the_stage_throttles_and_logs_every_request_without_the_query_string" {
  command = apply

  assert {
    condition     = aws_apigatewayv2_stage.callback[0].name == "$default" && aws_apigatewayv2_stage.callback[0].auto_deploy
    error_message = "One auto-deployed $default stage (the invoke URL has no stage segment)."
  }
  assert {
    condition = (aws_apigatewayv2_stage.callback[0].default_route_settings[0].throttling_burst_limit == 3
    && aws_apigatewayv2_stage.callback[0].default_route_settings[0].throttling_rate_limit == 1.5)
    error_message = "The stage's default route settings carry throttling_burst_limit and throttling_rate_limit."
  }
  assert {
    condition     = aws_apigatewayv2_stage.callback[0].access_log_settings[0].destination_arn == aws_cloudwatch_log_group.callback_access[0].arn
    error_message = "Access logs go to the module's log group."
  }
  assert {
    condition = (aws_cloudwatch_log_group.callback_access[0].kms_key_id == var.kms_key_arn
      && aws_cloudwatch_log_group.callback_access[0].retention_in_days == 30
    && aws_cloudwatch_log_group.callback_access[0].name == "/aws/apigateway/research-report-test-approval-callback")
    error_message = "The access log group is encrypted with the module's key and keeps lines access_log_retention_in_days."
  }
  assert {
    condition = (!strcontains(aws_apigatewayv2_stage.callback[0].access_log_settings[0].format, "queryString")
      && !strcontains(aws_apigatewayv2_stage.callback[0].access_log_settings[0].format, "$context.identity.apiKey")
    && strcontains(aws_apigatewayv2_stage.callback[0].access_log_settings[0].format, "$context.status"))
    error_message = "The access log format records the status but not the query string, which carries the link's signature."
  }
  assert {
    condition     = output.callback_access_log_group_name == "/aws/apigateway/research-report-test-approval-callback"
    error_message = "callback_access_log_group_name names the access log group."
  }
}

run "api_gateway_may_invoke_the_callback_for_its_two_routes_only" {
  command = apply

  assert {
    condition = alltrue([for route in aws_lambda_permission.api_routes :
      route.action == "lambda:InvokeFunction" && route.principal == "apigateway.amazonaws.com"
    && route.function_name == "research-report-test-approval-callback"])
    error_message = "The permission lets API Gateway (nobody else) invoke the callback function."
  }
  assert {
    condition = toset([for route in aws_lambda_permission.api_routes : route.source_arn]) == toset([
      "arn:aws:execute-api:us-east-1:123456789012:mockapi012/$default/GET/",
      "arn:aws:execute-api:us-east-1:123456789012:mockapi012/$default/POST/",
    ])
    error_message = "Each permission is scoped by source_arn to one route of this API's $default stage."
  }
  assert {
    condition     = length(toset([for route in aws_lambda_permission.api_routes : route.statement_id])) == 2
    error_message = "The two route permissions have distinct statement ids."
  }
}

run "iam_reviewers_may_invoke_the_two_routes_only" {
  command = apply

  variables {
    callback_auth_type = "AWS_IAM"
  }

  assert {
    condition     = alltrue([for route in aws_apigatewayv2_route.callback : route.authorization_type == "AWS_IAM"])
    error_message = "callback_auth_type = AWS_IAM puts IAM authorization on both routes."
  }
  assert {
    condition     = one(data.aws_iam_policy_document.reviewer.statement).actions == toset(["execute-api:Invoke"])
    error_message = "Through the HTTP API, reviewers need execute-api:Invoke only."
  }
  assert {
    condition = one(data.aws_iam_policy_document.reviewer.statement).resources == toset([
      "arn:aws:execute-api:us-east-1:123456789012:mockapi012/$default/GET/",
      "arn:aws:execute-api:us-east-1:123456789012:mockapi012/$default/POST/",
    ])
    error_message = "The reviewer policy names the two routes of this API, nothing else."
  }
}

run "the_function_url_option_admits_only_the_listed_iam_reviewers" {
  command = apply

  variables {
    callback_endpoint  = "function_url"
    callback_auth_type = "AWS_IAM"
    reviewer_principal_arns = [
      "arn:aws:iam::123456789012:role/reviewer",
      "arn:aws:iam::123456789012:role/second-reviewer",
    ]
  }

  assert {
    condition     = aws_lambda_function_url.callback[0].authorization_type == "AWS_IAM" && length(aws_apigatewayv2_api.callback) == 0
    error_message = "function_url creates an AWS_IAM Function URL and no HTTP API."
  }
  assert {
    condition     = length(aws_lambda_permission.api_routes) == 0 && length(aws_cloudwatch_log_group.callback_access) == 0
    error_message = "Without the HTTP API there is no API Gateway permission and no access log group."
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
  assert {
    condition     = output.callback_url == "https://mockurl0123456789abcdef.lambda-url.us-east-1.on.aws/" && output.callback_api_id == null
    error_message = "callback_url is the Function URL."
  }
}

run "the_function_url_reviewer_policy_binds_invoke_function_to_the_url" {
  command = plan

  variables {
    callback_endpoint  = "function_url"
    callback_auth_type = "AWS_IAM"
  }

  assert {
    condition = toset([for s in data.aws_iam_policy_document.reviewer.statement : s.sid]) == toset([
    "CallApprovalFunctionUrl", "InvokeApprovalFunctionThroughItsUrl"])
    error_message = "Since 2025-10 a function URL needs lambda:InvokeFunctionUrl and lambda:InvokeFunction."
  }
  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.reviewer.statement :
    s.resources == toset(["arn:aws:lambda:us-east-1:123456789012:function:research-report-test-approval-callback"])])
    error_message = "The reviewer policy names the callback function's ARN, built from its name, account and Region."
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.reviewer.statement :
      s.actions == toset(["lambda:InvokeFunction"]) && anytrue([for c in s.condition :
    c.test == "Bool" && c.variable == "lambda:InvokedViaFunctionUrl" && toset(c.values) == toset(["true"])])])
    error_message = "lambda:InvokeFunction holds only for requests through the function URL."
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.reviewer.statement :
      s.actions == toset(["lambda:InvokeFunctionUrl"]) && anytrue([for c in s.condition :
    c.test == "StringEquals" && c.variable == "lambda:FunctionUrlAuthType" && toset(c.values) == toset(["AWS_IAM"])])])
    error_message = "lambda:InvokeFunctionUrl holds only through an AWS_IAM function URL."
  }
}
