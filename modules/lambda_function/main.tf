data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  create_role      = var.role_arn == null
  create_log_group = var.log_group_name == null
  log_group_name   = coalesce(var.log_group_name, "/aws/lambda/${var.function_name}")
  log_group_arn    = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:${local.log_group_name}"
  role_arn         = local.create_role ? aws_iam_role.lambda[0].arn : var.role_arn
  # Content-addressed: an unchanged zip keeps its key (no change), a changed one gets a new key,
  # which is what updates the function's code.
  package_in_s3  = var.package_s3 != null
  package_s3_key = local.package_in_s3 ? "${var.package_s3.key_prefix}${var.function_name}/${filesha256(var.package_path)}.zip" : null
}

# Addresses before the role and log group became optional (0.2.0): existing deployments keep them.
moved {
  from = aws_iam_role.lambda
  to   = aws_iam_role.lambda[0]
}

moved {
  from = aws_iam_role_policy.lambda
  to   = aws_iam_role_policy.lambda[0]
}

moved {
  from = aws_cloudwatch_log_group.lambda
  to   = aws_cloudwatch_log_group.lambda[0]
}

# --- identity ---------------------------------------------------------------------

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    # Confused-deputy guard: only Lambda acting for this account may assume the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "lambda" {
  count = local.create_role ? 1 : 0

  name               = "${var.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

data "aws_iam_policy_document" "lambda" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  statement {
    sid = "XRayTracing"
    # X-Ray trace APIs have no resource-level permissions: AWS requires "*".
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "DecryptEnvironment"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.dead_letter_queue_arn == null ? [] : [var.dead_letter_queue_arn]
    content {
      sid       = "SendToDeadLetterQueue"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "lambda" {
  count = local.create_role ? 1 : 0

  name   = "${var.function_name}-policy"
  role   = aws_iam_role.lambda[0].id
  policy = data.aws_iam_policy_document.lambda.json
}

# --- logs -------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "lambda" {
  count = local.create_log_group ? 1 : 0

  #checkov:skip=CKV_AWS_338:Retention is the per-environment variable log_retention_in_days (validated); terraform/tests/bu.tftest.hcl asserts the bu environment keeps 365 days, shorter pilot/team retention is a deliberate cost choice.
  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# --- code ---------------------------------------------------------------------------

# With the code in S3 the provider creates functions side by side; with `filename` it reads each
# zip under one provider-wide lock held through the whole create, so functions are made one by one.
resource "aws_s3_object" "package" {
  count = local.package_in_s3 ? 1 : 0

  bucket = var.package_s3.bucket
  key    = local.package_s3_key
  source = var.package_path
  # SSE-KMS with the function's key when there is one, else the bucket's default encryption.
  server_side_encryption = var.kms_key_arn == null ? null : "aws:kms"
  kms_key_id             = var.kms_key_arn
  tags                   = var.tags
}

# --- function ---------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously (Step Functions RequestResponse, Function URL); a Lambda DLQ only applies to asynchronous invocations. Failures surface as Task errors handled by Retry/Catch. var.dead_letter_queue_arn enables one where a caller invokes asynchronously.
  #checkov:skip=CKV_AWS_117:The functions reach only AWS public service endpoints (Bedrock, S3, DynamoDB, SNS, Secrets Manager, EventBridge) with IAM auth and no private resources; a VPC would add NAT/endpoint cost without reducing exposure.
  #checkov:skip=CKV_AWS_272:Zips are built reproducibly by scripts/package_lambdas and their SHA-256 is pinned via source_code_hash; AWS Signer code signing is not part of this reference deployment.
  function_name                  = var.function_name
  description                    = var.description
  role                           = local.role_arn
  filename                       = local.package_in_s3 ? null : var.package_path
  s3_bucket                      = local.package_in_s3 ? aws_s3_object.package[0].bucket : null
  s3_key                         = local.package_in_s3 ? aws_s3_object.package[0].key : null
  source_code_hash               = filebase64sha256(var.package_path)
  handler                        = var.handler
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  timeout                        = var.timeout
  memory_size                    = var.memory_size
  reserved_concurrent_executions = var.reserved_concurrent_executions == null ? -1 : var.reserved_concurrent_executions
  layers                         = var.layers
  kms_key_arn                    = var.kms_key_arn

  dynamic "environment" {
    for_each = length(var.environment_variables) == 0 ? [] : [var.environment_variables]
    content {
      variables = environment.value
    }
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format            = "JSON"
    log_group             = local.create_log_group ? aws_cloudwatch_log_group.lambda[0].name : var.log_group_name
    application_log_level = var.application_log_level
    system_log_level      = "WARN"
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_queue_arn == null ? [] : [var.dead_letter_queue_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  tags = var.tags

  # The role must be able to write logs before the first invocation.
  depends_on = [aws_iam_role_policy.lambda, aws_cloudwatch_log_group.lambda]
}
