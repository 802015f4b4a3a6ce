# A consumer root in another repository: one search agent as code (the agent package on Bedrock
# Converse, its instructions packaged with it, a current model through an inference profile), with
# the stores it reads and writes: a document library its tools search, an artifact bucket for the
# sources it finds, and the workflow table and search cache the handler records them in. Built from
# four of this repository's modules; another repository uses
#   source = "git::https://github.com/<org>/<this-repo>.git//modules/<name>?ref=v0.2.0"
# Here the sources are relative so the gates (parse, terraform test, checkov with policies/, and an
# apply into the embedded account that invokes the function) run on it offline.
#
# No modules/bedrock_agents here: that module builds Bedrock Agents ("Agents Classic"), which AWS
# closed to new customers on 2026-07-30, so a new consumer could not create the agent it defines.
#
# Call the function with what the state machine's Search state sends:
#   {"execution_arn": "<caller's id>", "state": "Search", "fallback": false,
#    "workflow": {"workflow_id": "...", "tenant": "...", "topic": "...", "max_sources": 5}}
# It answers {sources_key, source_ids, source_count, cache_hit}; the sources are in the artifact bucket.

terraform {
  required_version = ">= 1.9, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }
}

provider "aws" {
  region = var.aws_region
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # AWS's public Powertools layer, the same ARN the root stack builds: the agent and indexer zips
  # import Powertools but do not vendor it.
  powertools_layer_arn = "arn:${local.partition}:lambda:${local.region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-${var.lambda_architecture}:${var.powertools_layer_version}"

  # What Converse takes as modelId through a profile: a system-defined profile ID (a geography or
  # global. prefix) or a profile ARN; anything else is a foundation model ID.
  inference_profile_pattern = "^(global|us|us-gov|eu|apac|jp|au|ca)\\.|^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:(application-)?inference-profile/"
  models                    = { Agent = var.agent_model_id, Fallback = var.fallback_model_id }
  model_profiles            = toset([for model_id in values(local.models) : model_id if can(regex(local.inference_profile_pattern, model_id))])

  # The handler reads it for every role at cold start; only the writer role acts on it.
  tolerated_failure_percentage = 0
  # A topic searched again within a day reuses the sources found the first time.
  search_cache_ttl_seconds = 86400
}

# Bedrock says where a profile sends requests: its ARN and the foundation model in each destination
# Region. The function's model statements are built from this answer, as the root stack's are.
data "aws_bedrock_inference_profile" "model" {
  for_each = local.model_profiles

  inference_profile_id = each.value
}

locals {
  # Through a profile, IAM authorizes the profile and, conditioned on that profile, the model in
  # every Region the profile may route to; a global profile routes anywhere, which IAM names with
  # the Region-less model ARN. Converse is authorised by bedrock:InvokeModel.
  model_statements = flatten([for use, model_id in local.models : contains(local.model_profiles, model_id) ? [
    {
      sid        = "Invoke${use}Profile"
      actions    = ["bedrock:InvokeModel"]
      resources  = [data.aws_bedrock_inference_profile.model[model_id].inference_profile_arn]
      conditions = []
    },
    {
      sid     = "Invoke${use}ModelThroughProfile"
      actions = ["bedrock:InvokeModel"]
      resources = distinct(flatten([for model in data.aws_bedrock_inference_profile.model[model_id].models : concat(
        [model.model_arn],
        startswith(data.aws_bedrock_inference_profile.model[model_id].inference_profile_id, "global.") ? [replace(model.model_arn, "/^(arn:[^:]+:bedrock):[^:]*:/", "$1::")] : [],
      )]))
      conditions = [{
        test     = "StringEquals"
        variable = "bedrock:InferenceProfileArn"
        values   = [data.aws_bedrock_inference_profile.model[model_id].inference_profile_arn]
      }]
    },
    ] : [{
      sid        = "Invoke${use}Model"
      actions    = ["bedrock:InvokeModel"]
      resources  = ["arn:${local.partition}:bedrock:${local.region}::foundation-model/${model_id}"]
      conditions = []
  }]])

  # Every variable of the agent handler's REQUIRED_ENV, and LIBRARY_BUCKET, which the search role's
  # tools need (tests/examples/test_consumer.py reads REQUIRED_ENV from the handler and fails when
  # one is missing here).
  search_environment = {
    ENVIRONMENT                  = var.environment
    AGENT_ROLE                   = "search"
    AGENT_RUNTIME                = "converse"
    AGENT_MODEL_ID               = var.agent_model_id
    FALLBACK_MODEL_ID            = var.fallback_model_id
    MAX_AGENT_TURNS              = var.max_agent_turns
    ARTIFACT_BUCKET              = module.artifacts.bucket_name
    WORKFLOW_TABLE               = module.workflow_store.workflow_table_name
    SEARCH_CACHE_TABLE           = module.workflow_store.search_cache_table_name
    SEARCH_CACHE_TTL_SECONDS     = local.search_cache_ttl_seconds
    TOLERATED_FAILURE_PERCENTAGE = local.tolerated_failure_percentage
    LIBRARY_BUCKET               = module.document_library.bucket_name
    POWERTOOLS_SERVICE_NAME      = "agent_search"
    POWERTOOLS_METRICS_NAMESPACE = "ResearchReport"
    POWERTOOLS_LOG_LEVEL         = "INFO"
  }

  # The root stack's statements for its search function (local.agent_statements), and nothing more.
  search_statements = concat(
    module.document_library.reader_policy_statements,
    [
      {
        # Copying an object is GetObject on the source plus PutObject on the target (a cache hit
        # copies the first workflow's sources).
        sid        = "ReadWriteArtifacts"
        actions    = ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"]
        resources  = ["${module.artifacts.bucket_arn}/*"]
        conditions = []
      },
      {
        # Without ListBucket a missing key answers 403 instead of 404 (NoSuchKey).
        sid        = "SeeMissingArtifacts"
        actions    = ["s3:ListBucket"]
        resources  = [module.artifacts.bucket_arn]
        conditions = []
      },
      {
        sid        = "RecordArtifacts"
        actions    = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]
        resources  = [module.workflow_store.workflow_table_arn]
        conditions = []
      },
      {
        # Powertools idempotency deletes its record when the handler raises; only this role's
        # records (pk IDEMPOTENCY#agent_search) may be deleted.
        sid       = "ClearOwnIdempotencyRecords"
        actions   = ["dynamodb:DeleteItem"]
        resources = [module.workflow_store.workflow_table_arn]
        conditions = [{
          test     = "ForAllValues:StringEquals"
          variable = "dynamodb:LeadingKeys"
          values   = ["IDEMPOTENCY#agent_search"]
        }]
      },
      {
        sid        = "UseConsumerKey"
        actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
        resources  = [var.kms_key_arn]
        conditions = []
      },
    ],
    local.model_statements,
    [{
      sid        = "UseSearchCache"
      actions    = ["dynamodb:GetItem", "dynamodb:PutItem"]
      resources  = [module.workflow_store.search_cache_table_arn]
      conditions = []
    }],
  )
}

module "artifacts" {
  source = "../../modules/artifact_bucket"

  bucket_name = "${var.name}-artifacts-${local.account_id}"
  kms_key_arn = var.kms_key_arn
  tags        = var.tags
}

module "workflow_store" {
  source = "../../modules/workflow_store"

  workflow_table_name     = "${var.name}-workflow"
  search_cache_table_name = "${var.name}-search-cache"
  deletion_protection     = var.deletion_protection
  kms_key_arn             = var.kms_key_arn
  tags                    = var.tags
}

module "document_library" {
  source = "../../modules/document_library"

  name                  = var.name
  environment           = var.environment
  kms_key_arn           = var.kms_key_arn
  indexer_package_path  = var.indexer_package_path
  architecture          = var.lambda_architecture
  layers                = [local.powertools_layer_arn]
  log_retention_in_days = var.log_retention_in_days
  tags                  = var.tags
}

module "search_function" {
  source = "../../modules/lambda_function"

  function_name         = "${var.name}-agent_search"
  description           = "search agent of ${var.name} (${var.environment})"
  package_path          = var.agent_package_path
  handler               = "agent.handler.lambda_handler"
  timeout               = 300
  memory_size           = 512
  environment_variables = local.search_environment
  architecture          = var.lambda_architecture
  layers                = [local.powertools_layer_arn]
  kms_key_arn           = var.kms_key_arn
  log_retention_in_days = var.log_retention_in_days
  policy_statements     = local.search_statements
  tags                  = var.tags
}

output "search_function_name" {
  description = "Name of the search agent's function (lambda:InvokeFunction it with a Search payload)."
  value       = module.search_function.function_name
}

output "search_function_arn" {
  description = "Unqualified ARN of the search agent's function, for a caller's lambda:InvokeFunction statement."
  value       = module.search_function.arn
}

output "library_bucket_name" {
  description = "The document library: put documents under documents/ (python -m scripts.library sync DIR --bucket <this> --wait)."
  value       = module.document_library.bucket_name
}

output "library_rule_arn" {
  description = "The library's default-bus rule: the aws:SourceArn a statement of kms_key_arn's key policy lets events.amazonaws.com use the key with (the rule dead-letters into an encrypted queue)."
  value       = module.document_library.rule_arn
}

output "artifact_bucket_name" {
  description = "Bucket the search agent writes its sources to: the index <workflow_id>/sources.json (sources_key in its answer) and one <workflow_id>/sources/<id>.json per source."
  value       = module.artifacts.bucket_name
}
