data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  definition = templatefile(var.definition_template_path, var.definition_variables)
  # The ARN the service will give the state machine; used in the trust policy so the role
  # cannot be assumed on behalf of any other state machine.
  state_machine_arn = "arn:${data.aws_partition.current.partition}:states:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:stateMachine:${var.name}"
  uses_callbacks    = strcontains(local.definition, ".waitForTaskToken") || strcontains(local.definition, ".sync")
}

# --- identity ---------------------------------------------------------------------

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "StepFunctionsAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    # With publish, executions run on a version or through the alias (<arn>:<version or alias>).
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = var.publish ? [local.state_machine_arn, "${local.state_machine_arn}:*"] : [local.state_machine_arn]
    }
  }
}

resource "aws_iam_role" "state_machine" {
  name               = "${var.name}-sfn-role"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

data "aws_iam_policy_document" "state_machine" {
  statement {
    sid       = "InvokeWorkflowFunctions"
    actions   = ["lambda:InvokeFunction"]
    resources = concat(var.lambda_function_arns, var.invoke_versions_and_aliases ? [for a in var.lambda_function_arns : "${a}:*"] : [])
  }

  dynamic "statement" {
    for_each = length(var.sns_topic_arns) == 0 ? [] : [var.sns_topic_arns]
    content {
      sid       = "PublishNotifications"
      actions   = ["sns:Publish"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(var.dynamodb_table_arns) == 0 ? [] : [var.dynamodb_table_arns]
    content {
      sid       = "ReadWriteWorkflowItems"
      actions   = var.dynamodb_actions
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = var.event_bus_arn == null ? [] : [var.event_bus_arn]
    content {
      sid       = "PutWorkflowEvents"
      actions   = ["events:PutEvents"]
      resources = [statement.value]
    }
  }

  statement {
    sid = "DeliverExecutionLogs"
    # CloudWatch Logs vended-log delivery APIs do not support resource-level permissions;
    # AWS documents "*" as the required resource for Step Functions logging.
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }

  statement {
    sid = "XRayTracing"
    # X-Ray APIs have no resource-level permissions: AWS requires "*".
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    resources = ["*"]
  }

  # Step Functions encrypts and decrypts this state machine's data with its role's rights, in the
  # encryption context of this state machine.
  dynamic "statement" {
    for_each = var.encryption_kms_key_arn == null ? [] : [var.encryption_kms_key_arn]
    content {
      sid       = "EncryptWorkflowData"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:EncryptionContext:aws:states:stateMachineArn"
        values   = [local.state_machine_arn]
      }
    }
  }

  # Only publishing to a topic the key encrypts needs the key; the log group is encrypted by
  # CloudWatch Logs under the key policy, not with this role.
  dynamic "statement" {
    for_each = var.kms_key_arn == null || length(var.sns_topic_arns) == 0 ? [] : [var.kms_key_arn]
    content {
      sid       = "UseStackKey"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "${var.name}-sfn-policy"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}

# --- logs -------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "execution" {
  #checkov:skip=CKV_AWS_338:Retention is the per-environment variable log_retention_in_days (validated); terraform/tests/bu.tftest.hcl asserts the bu environment keeps 365 days, shorter pilot/team retention is a deliberate cost choice.
  # The /aws/vendedlogs/ prefix keeps the CloudWatch Logs resource policy small (AWS guidance).
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# --- state machine ----------------------------------------------------------------

resource "aws_sfn_state_machine" "this" {
  #checkov:skip=CKV_AWS_285:Execution history logging is on (level ALL/ERROR/FATAL, never OFF); only execution *data* is opt-in via include_execution_data because inputs carry the research topic and the requester's identity. The console/API execution history keeps the data for 90 days regardless.
  name       = var.name
  type       = var.type
  role_arn   = aws_iam_role.state_machine.arn
  definition = local.definition

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.execution.arn}:*"
    include_execution_data = var.include_execution_data
    level                  = var.log_level
  }

  tracing_configuration {
    enabled = true
  }

  dynamic "encryption_configuration" {
    for_each = var.encryption_kms_key_arn == null ? [] : [var.encryption_kms_key_arn]
    content {
      type                              = "CUSTOMER_MANAGED_KMS_KEY"
      kms_key_id                        = encryption_configuration.value
      kms_data_key_reuse_period_seconds = var.kms_data_key_reuse_period_seconds
    }
  }

  publish = var.publish

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.type == "STANDARD" || !local.uses_callbacks
      error_message = "EXPRESS state machines support neither .waitForTaskToken nor .sync integrations; this definition uses one. Use type = \"STANDARD\"."
    }
  }

  depends_on = [aws_iam_role_policy.state_machine]
}

# --- version alias ----------------------------------------------------------------

# Follows the version each apply publishes: a caller that targets the alias starts the new version,
# and executions in flight finish on the version they started on.
resource "aws_sfn_alias" "this" {
  count = var.publish ? 1 : 0

  name        = var.alias_name
  description = "The latest published version of ${var.name}."

  routing_configuration {
    state_machine_version_arn = aws_sfn_state_machine.this.state_machine_version_arn
    weight                    = 100
  }
}
