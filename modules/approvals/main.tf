# --- approval requests ------------------------------------------------------------

resource "aws_sns_topic" "this" {
  name              = "${var.name}-approvals"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "this" {
  for_each = { for s in var.subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.this.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

# --- HMAC signing key -------------------------------------------------------------

# Only the container is managed here. The value is seeded out of band by
# scripts/seed_signing_secret.py so that it never enters Terraform state or plans.
resource "aws_secretsmanager_secret" "signing" {
  #checkov:skip=CKV2_AWS_57:Rotation is out of scope: rotating the HMAC key invalidates every approval link already in a reviewer's inbox. Re-seed with scripts/seed_signing_secret.py when the key must change (see README).
  name                    = "${var.name}/approval-signing-key"
  description             = "HMAC key signing approval links. Seeded by scripts/seed_signing_secret.py; not managed by Terraform."
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_in_days
  tags                    = var.tags
}

# --- callback endpoint ------------------------------------------------------------

# An API Gateway HTTP API in front of approval_callback (the default). A Lambda Function URL with
# auth NONE now needs a public lambda:InvokeFunction grant beside lambda:InvokeFunctionUrl; the
# narrow form of that grant (lambda:InvokedViaFunctionUrl) cannot be written with provider 5.x, and
# the broad one would let anyone invoke the function directly. API Gateway is granted
# lambda:InvokeFunction for this API's routes only, and adds the stage throttle and access logs.
locals {
  http_api = var.callback_endpoint == "http_api"
  # The links are the endpoint's root: opened (GET: heartbeat + form) and submitted (POST).
  callback_routes = local.http_api ? toset(["GET /", "POST /"]) : toset([])
}

resource "aws_apigatewayv2_api" "callback" {
  count = local.http_api ? 1 : 0

  # API names are labels (at most 128 characters, need not be unique; the API is known by its ID).
  name          = "${substr(var.name, 0, 109)}-approval-callback"
  description   = "Approval links: signed, expiring, single-use decisions answered by approval_callback."
  protocol_type = "HTTP"
  tags          = var.tags
}

resource "aws_apigatewayv2_integration" "callback" {
  count = local.http_api ? 1 : 0

  api_id                 = aws_apigatewayv2_api.callback[0].id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = local.callback_function_arn
  payload_format_version = "2.0"
  # The function's own timeout is 30 s; API Gateway's maximum wait is the same.
  timeout_milliseconds = 30000
}

resource "aws_apigatewayv2_route" "callback" {
  #checkov:skip=CKV_AWS_309:With callback_auth_type = NONE the route is open by design for e-mail links; the handler authenticates every request itself (HMAC-SHA256 signature over the approval id and expiry, expiry, single use via a conditional DynamoDB update), and the API refuses NONE unless the function reads this module's signing secret. AWS_IAM puts IAM authorization on the route.
  for_each = local.callback_routes

  api_id             = aws_apigatewayv2_api.callback[0].id
  route_key          = each.value
  authorization_type = var.callback_auth_type
  target             = "integrations/${aws_apigatewayv2_integration.callback[0].id}"

  lifecycle {
    # Signature verification is what authenticates a NONE endpoint: refuse NONE unless the
    # callback function is wired to this module's signing secret (custom policy CKV_RR_501).
    precondition {
      condition     = var.callback_auth_type == "AWS_IAM" || var.callback_signing_secret_arn == aws_secretsmanager_secret.signing.arn
      error_message = "callback_auth_type = \"NONE\" requires callback_signing_secret_arn to be the SIGNING_SECRET_ARN the callback function reads, equal to this module's signing secret: without signature verification the endpoint would be open."
    }
  }
}

resource "aws_cloudwatch_log_group" "callback_access" {
  #checkov:skip=CKV_AWS_338:Retention is access_log_retention_in_days, the root's per-environment log_retention_in_days (validated); bu keeps 365 days, shorter pilot/team retention is a deliberate cost choice.
  count = local.http_api ? 1 : 0

  name              = "/aws/apigateway/${var.name}-approval-callback"
  retention_in_days = var.access_log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "callback" {
  count = local.http_api ? 1 : 0

  api_id      = aws_apigatewayv2_api.callback[0].id
  name        = "$default"
  auto_deploy = true
  tags        = var.tags

  default_route_settings {
    throttling_burst_limit = var.throttling_burst_limit
    throttling_rate_limit  = var.throttling_rate_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.callback_access[0].arn
    # No query string: it holds the link's signature.
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      sourceIp           = "$context.identity.sourceIp"
      userAgent          = "$context.identity.userAgent"
      caller             = "$context.identity.userArn"
      routeKey           = "$context.routeKey"
      path               = "$context.path"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      integrationStatus  = "$context.integrationStatus"
      integrationLatency = "$context.integrationLatency"
      error              = "$context.error.message"
    })
  }
}

# API Gateway may invoke the callback for this API's routes on this stage, and nothing else may.
resource "aws_lambda_permission" "api_routes" {
  for_each = local.callback_routes

  statement_id  = "AllowApprovalApi${title(lower(split(" ", each.value)[0]))}"
  action        = "lambda:InvokeFunction"
  function_name = var.callback_function_name
  principal     = "apigateway.amazonaws.com"
  # arn:…:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD><path>
  source_arn = "${aws_apigatewayv2_api.callback[0].execution_arn}/${aws_apigatewayv2_stage.callback[0].name}/${replace(each.value, " ", "")}"
}

# The Function URL option, for IAM-authenticated reviewers only: with AWS_IAM the caller's identity
# policy can carry the narrow grant (reviewer_policy_json) that the resource policy cannot.
resource "aws_lambda_function_url" "callback" {
  count = local.http_api ? 0 : 1

  function_name = var.callback_function_name
  # callback_endpoint's validation admits function_url with AWS_IAM only.
  authorization_type = "AWS_IAM"
}

# Reviewers named here get lambda:InvokeFunctionUrl in the function's resource policy (needed when
# they are in another account); lambda:InvokeFunction comes from their identity policy only, bound
# to the URL by lambda:InvokedViaFunctionUrl.
resource "aws_lambda_permission" "reviewers" {
  for_each = local.http_api ? toset([]) : toset(var.reviewer_principal_arns)

  statement_id           = "AllowReviewer${substr(sha256(each.value), 0, 16)}"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = var.callback_function_name
  principal              = each.value
  function_url_auth_type = "AWS_IAM"
}

data "aws_iam_policy_document" "reviewer" {
  dynamic "statement" {
    for_each = local.http_api ? [1] : []
    content {
      sid       = "CallApprovalEndpoint"
      actions   = ["execute-api:Invoke"]
      resources = [for route in aws_lambda_permission.api_routes : route.source_arn]
    }
  }

  dynamic "statement" {
    for_each = local.http_api ? [] : [1]
    content {
      sid       = "CallApprovalFunctionUrl"
      actions   = ["lambda:InvokeFunctionUrl"]
      resources = [local.callback_function_arn]

      condition {
        test     = "StringEquals"
        variable = "lambda:FunctionUrlAuthType"
        values   = ["AWS_IAM"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.http_api ? [] : [1]
    content {
      # Required beside InvokeFunctionUrl since 2025-10; the condition keeps it to URL requests.
      sid       = "InvokeApprovalFunctionThroughItsUrl"
      actions   = ["lambda:InvokeFunction"]
      resources = [local.callback_function_arn]

      condition {
        test     = "Bool"
        variable = "lambda:InvokedViaFunctionUrl"
        values   = ["true"]
      }
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # Built from the name (a data source would fail to read on the first apply, before the function exists).
  callback_function_arn = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${var.callback_function_name}"
}

# --- least-privilege statements for the two functions -----------------------------

locals {
  approval_request_statements = [
    {
      sid        = "PublishApprovalRequest"
      actions    = ["sns:Publish"]
      resources  = [aws_sns_topic.this.arn]
      conditions = []
    },
    {
      sid        = "ReadSigningKey"
      actions    = ["secretsmanager:GetSecretValue"]
      resources  = [aws_secretsmanager_secret.signing.arn]
      conditions = []
    },
    {
      sid        = "RecordApproval"
      actions    = ["dynamodb:PutItem"]
      resources  = [var.workflow_table_arn]
      conditions = []
    },
    {
      sid        = "EmitApprovalRequested"
      actions    = ["events:PutEvents"]
      resources  = [var.event_bus_arn]
      conditions = []
    },
    {
      # Encrypted topic and secret: publishing needs a data key, reading the secret decrypts.
      sid        = "UseApprovalKey"
      actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources  = [var.kms_key_arn]
      conditions = []
    },
  ]

  approval_callback_statements = [
    {
      sid        = "ReadSigningKey"
      actions    = ["secretsmanager:GetSecretValue"]
      resources  = [aws_secretsmanager_secret.signing.arn]
      conditions = []
    },
    {
      sid        = "ReadAndDecideApproval"
      actions    = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
      resources  = [var.workflow_table_arn]
      conditions = []
    },
    {
      # Task-token APIs are authorised against the state machine that issued the token
      # (the same form AWS CDK's grantTaskResponse uses), so the callback can answer
      # tokens of this workflow only.
      sid        = "AnswerApprovalTask"
      actions    = ["states:SendTaskSuccess", "states:SendTaskHeartbeat"]
      resources  = [var.state_machine_arn]
      conditions = []
    },
    {
      sid        = "DecryptSigningKey"
      actions    = ["kms:Decrypt"]
      resources  = [var.kms_key_arn]
      conditions = []
    },
  ]
}
