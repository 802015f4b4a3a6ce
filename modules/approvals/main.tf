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
  #checkov:skip=CKV_AWS_258:Reviewers open approval links from e-mail without AWS credentials. The handler authenticates every request itself: HMAC-SHA256 signature over the approval id and expiry, expiry check, single use via a conditional DynamoDB update. Set callback_auth_type = "AWS_IAM" behind an authenticating proxy.
  function_name      = var.callback_function_name
  authorization_type = var.callback_auth_type
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
      actions    = ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"]
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
