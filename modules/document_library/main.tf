# A document library for the agents' tools: documents under documents/ in a KMS-encrypted bucket,
# a search index at index/library-index.json kept current by the document_indexer function, which
# S3 object events reach through EventBridge (the account's default bus, where S3 sends them).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  bucket_name      = "${var.name}-library-${data.aws_caller_identity.current.account_id}"
  documents_prefix = "documents/"
  index_key        = "index/library-index.json"
  function_name    = "${var.name}-document_indexer"
  # Known before the rule exists (a default-bus rule is arn:...:rule/<name>), so the queue policy,
  # the permission and a caller's key policy need not wait for it: the key encrypts the bucket,
  # and the rule's pattern names the bucket, so a key policy that read the rule's own ARN would be
  # a cycle. tests/rule_and_target.tftest.hcl proves the format against the rule's ARN.
  rule_name = "${var.name}-library-changed"
  rule_arn  = "arn:${data.aws_partition.current.partition}:events:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:rule/${local.rule_name}"
  # Likewise the queue's, so the queue carries its policy from CreateQueue on (see aws_sqs_queue.dlq).
  dlq_name = "${var.name}-library-dlq"
  dlq_arn  = "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${local.dlq_name}"

  # Lambda's advanced logging drops lines below its own level: keep it at Powertools' level.
  application_log_level = { DEBUG = "DEBUG", INFO = "INFO", WARNING = "WARN", ERROR = "ERROR", CRITICAL = "FATAL" }[var.powertools_log_level]

  # The roles below use the key only through S3 (SSE-KMS objects) and, for the indexer's
  # dead-letter queue, SQS: kms:ViaService refuses direct calls to KMS.
  s3_via_service  = "s3.${data.aws_region.current.name}.amazonaws.com"
  sqs_via_service = "sqs.${data.aws_region.current.name}.amazonaws.com"

  # The object ARNs spell out documents/ and index/library-index.json (local.documents_prefix,
  # local.index_key) with one interpolation each, the form the repository's HCL policy gates
  # (tests/terraform) can read; tests/iam_statements.tftest.hcl proves they agree with the locals.
  indexer_policy_statements = [
    {
      # Not narrowed by s3:prefix: the first rebuild reads an index that does not exist yet, and
      # S3 answers that GetObject 404 (not 403) only for a role that may ListBucket; the bucket
      # holds nothing but documents/ and the index the indexer writes itself.
      sid        = "ListLibrary"
      actions    = ["s3:ListBucket"]
      resources  = [module.bucket.bucket_arn]
      conditions = []
    },
    {
      sid        = "ReadDocumentsAndIndex"
      actions    = ["s3:GetObject"]
      resources  = ["${module.bucket.bucket_arn}/documents/*", "${module.bucket.bucket_arn}/index/library-index.json"]
      conditions = []
    },
    {
      sid        = "WriteIndex"
      actions    = ["s3:PutObject"]
      resources  = ["${module.bucket.bucket_arn}/index/library-index.json"]
      conditions = []
    },
    {
      # Decrypt documents and the previous index, encrypt the new index (S3); send failed
      # asynchronous invocations to the encrypted dead-letter queue (SQS, with this role).
      sid        = "UseLibraryKey"
      actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources  = [var.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [local.s3_via_service, local.sqs_via_service] }]
    },
  ]

  # The agents' tools answer from the index alone (search and read), so the index is all a reader
  # gets; ListBucket makes a library without an index yet answer 404 (an empty library) instead
  # of 403. The index is SSE-KMS with var.kms_key_arn, so reading it needs kms:Decrypt through S3.
  reader_policy_statements = [
    {
      sid        = "ReadLibraryIndex"
      actions    = ["s3:GetObject"]
      resources  = ["${module.bucket.bucket_arn}/index/library-index.json"]
      conditions = []
    },
    {
      sid        = "SeeMissingLibraryIndex"
      actions    = ["s3:ListBucket"]
      resources  = [module.bucket.bucket_arn]
      conditions = []
    },
    {
      sid        = "DecryptLibraryIndex"
      actions    = ["kms:Decrypt"]
      resources  = [var.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [local.s3_via_service] }]
    },
  ]
}

module "bucket" {
  source = "../artifact_bucket"

  bucket_name = local.bucket_name
  kms_key_arn = var.kms_key_arn
  # Documents are never tagged retention=intermediate: they stay until a user deletes them.
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  access_log_bucket                  = var.access_log_bucket
  access_log_prefix                  = "library/"
  force_destroy                      = var.force_destroy
  tags                               = var.tags
}

# Every object event of the bucket goes to the account's default bus; the rule picks documents/.
resource "aws_s3_bucket_notification" "eventbridge" {
  bucket      = module.bucket.bucket_name
  eventbridge = true
}

# --- dead-letter queue --------------------------------------------------------------

# Holds events EventBridge could not deliver to the indexer and asynchronous invocations the
# indexer failed after Lambda's retries.
resource "aws_sqs_queue" "dlq" {
  name                      = local.dlq_name
  message_retention_seconds = var.dlq_message_retention_seconds
  kms_master_key_id         = var.kms_key_arn
  # Set with the queue, not by an aws_sqs_queue_policy after it: the provider waits about 25 s for
  # a queue's attributes to settle once per resource, and once is enough.
  policy = data.aws_iam_policy_document.dlq.json
  tags   = var.tags
}

data "aws_iam_policy_document" "dlq" {
  statement {
    sid       = "UndeliveredLibraryEvents"
    actions   = ["sqs:SendMessage"]
    resources = [local.dlq_arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.rule_arn]
    }
  }
}

# The policy was an aws_sqs_queue_policy before; the queue's policy attribute now holds the same
# document, so that resource is forgotten, not destroyed (its delete would empty the policy).
removed {
  from = aws_sqs_queue_policy.dlq

  lifecycle {
    destroy = false
  }
}

# --- indexer ------------------------------------------------------------------------

module "indexer" {
  source = "../lambda_function"

  function_name = local.function_name
  description   = "research-report document library indexer (${var.environment})"
  package_path  = var.indexer_package_path
  handler       = "document_indexer.handler.lambda_handler"
  timeout       = 300
  memory_size   = 1024
  # One rebuild at a time: two would each write an index missing the other's change.
  reserved_concurrent_executions = 1
  environment_variables = {
    ENVIRONMENT                  = var.environment
    LIBRARY_BUCKET               = module.bucket.bucket_name
    POWERTOOLS_SERVICE_NAME      = "document_indexer"
    POWERTOOLS_METRICS_NAMESPACE = "ResearchReport"
    POWERTOOLS_LOG_LEVEL         = var.powertools_log_level
  }
  architecture          = var.architecture
  layers                = var.layers
  kms_key_arn           = var.kms_key_arn
  log_retention_in_days = var.log_retention_in_days
  application_log_level = local.application_log_level
  dead_letter_queue_arn = aws_sqs_queue.dlq.arn
  policy_statements     = local.indexer_policy_statements
  tags                  = var.tags
}

# --- library changed: the rule, its target and the permission -----------------------

resource "aws_cloudwatch_event_rule" "this" {
  name        = local.rule_name
  description = "A document was added, replaced or deleted in ${module.bucket.bucket_name}: rebuild the library index."
  # Only documents/: the index the indexer writes (index/) must not trigger another rebuild.
  event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created", "Object Deleted"]
    detail = {
      bucket = { name = [module.bucket.bucket_name] }
      object = { key = [{ prefix = local.documents_prefix }] }
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "indexer" {
  rule      = aws_cloudwatch_event_rule.this.name
  target_id = "document-indexer"
  arn       = module.indexer.arn

  # The indexer rebuilds from a listing, so a late or repeated event is harmless: retry for an hour.
  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 8
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }

  # Deliveries start with the target: the invoke permission must exist first (the DLQ's policy
  # comes with the queue, which dead_letter_config names).
  depends_on = [aws_lambda_permission.events]
}

resource "aws_lambda_permission" "events" {
  statement_id  = "LibraryChangedRule"
  action        = "lambda:InvokeFunction"
  function_name = module.indexer.function_name
  principal     = "events.amazonaws.com"
  source_arn    = local.rule_arn
}
