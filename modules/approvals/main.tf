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

resource "aws_lambda_function_url" "callback" {
  #checkov:skip=CKV_AWS_258:Reviewers open approval links from e-mail without AWS credentials. The handler authenticates every request itself: HMAC-SHA256 signature over the approval id and expiry, expiry check, single use via a conditional DynamoDB update. The precondition below refuses NONE unless the function reads this module's signing secret. Set callback_auth_type = "AWS_IAM" for IAM-authenticated reviewers.
  function_name      = var.callback_function_name
  authorization_type = var.callback_auth_type

  lifecycle {
    # Signature verification is what authenticates a NONE endpoint: refuse NONE unless the
    # callback function is wired to this module's signing secret (custom policy CKV_RR_501).
    precondition {
      condition     = var.callback_auth_type == "AWS_IAM" || var.callback_signing_secret_arn == aws_secretsmanager_secret.signing.arn
      error_message = "callback_auth_type = \"NONE\" requires callback_signing_secret_arn to be the SIGNING_SECRET_ARN the callback function reads, equal to this module's signing secret: without signature verification the endpoint would be open."
    }
  }
}

# A function URL's resource-based policy must allow the callers: with NONE that is everyone
# (the handler authenticates), with AWS_IAM only the listed reviewer principals (their identity
# policies also need lambda:InvokeFunctionUrl, see reviewer_policy_json).
resource "aws_lambda_permission" "public_url" {
  #checkov:skip=CKV_AWS_301:Public by design for e-mail links, limited to the function URL (function_url_auth_type = NONE); every request is authenticated by the handler's HMAC signature, expiry and single-use checks.
  count = var.callback_auth_type == "NONE" ? 1 : 0

  statement_id           = "AllowSignedLinkCallers"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = var.callback_function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "reviewers" {
  for_each = var.callback_auth_type == "AWS_IAM" ? toset(var.reviewer_principal_arns) : toset([])

  statement_id           = "AllowReviewer${substr(sha256(each.value), 0, 16)}"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = var.callback_function_name
  principal              = each.value
  function_url_auth_type = "AWS_IAM"
}

data "aws_iam_policy_document" "reviewer" {
  statement {
    sid       = "CallApprovalEndpoint"
    actions   = ["lambda:InvokeFunctionUrl"]
    resources = [local.callback_function_arn]

    condition {
      test     = "StringEquals"
      variable = "lambda:FunctionUrlAuthType"
      values   = ["AWS_IAM"]
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
