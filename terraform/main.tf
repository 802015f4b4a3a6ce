data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  prefix     = "${var.name}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # Workflow identity tags (provider default_tags add project/environment/owner/stack).
  tags = {
    workflow = "research-report"
    tenant   = var.tenant
    version  = var.workflow_version
  }

  # The state machine's ARN is known before it exists (arn:...:stateMachine:<name>). Policies
  # that must name it (EventBridge StartExecution, the callback's task-token APIs) use this
  # value, which breaks the cycle state machine -> functions -> policies -> state machine.
  # check.state_machine_arn below proves it equals the real ARN.
  state_machine_arn = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.prefix}"
  # Executions start through the alias on the latest published version: one in flight keeps the
  # version it started on across a deploy. check.state_machine_arn proves this one too.
  state_machine_alias_arn = "${local.state_machine_arn}:live"
  # Likewise the bus: the state machine puts NoSourcesFound on it, and the bus's rule targets the
  # state machine.
  event_bus_name = "${local.prefix}-events"
  event_bus_arn  = "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/${local.event_bus_name}"

  # deletion_protection = false says the environment is about to be removed (make destroy applies
  # it first): terraform destroy may then delete the tables, every object version in the buckets and
  # the signing secret. Protected, it refuses, and reports and documents survive a stray destroy.
  removable = !var.deletion_protection

  powertools_layer_arn = coalesce(
    var.powertools_layer_arn,
    "arn:${local.partition}:lambda:${local.region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-${var.lambda_architecture}:${var.powertools_layer_version}",
  )
  lambda_log_level = { DEBUG = "DEBUG", INFO = "INFO", WARNING = "WARN", ERROR = "ERROR" }[var.powertools_log_level]

  # The research pipeline's roles, which may run on Agents Classic, and the pre-review's compliance
  # agent, which is always code on Converse: Agents Classic takes no new agents.
  classic_roles = ["search", "summary", "writer", "reviser"]
  agent_roles   = concat(local.classic_roles, ["compliance"])
  # The roles whose tools search the document library.
  library_roles = ["search", "reviser"]
  # Agents Classic only (agent_runtime = bedrock_agents): agents from modules/bedrock_agents or
  # existing IDs; each classic role's function may InvokeAgent on exactly its own alias ARN.
  classic_agents = var.agent_runtime == "bedrock_agents"
  role_runtime   = { for role in local.agent_roles : role => contains(local.classic_roles, role) ? var.agent_runtime : "converse" }
  agents         = !local.classic_agents ? {} : var.create_agents ? module.bedrock_agents[0].agents : var.bedrock_agents
  agent_alias_arns = !local.classic_agents ? {} : var.create_agents ? module.bedrock_agents[0].alias_arns : { for role, a in var.bedrock_agents :
  role => "arn:${local.partition}:bedrock:${local.region}:${local.account_id}:agent-alias/${a.agent_id}/${a.alias_id}" }
}

# --- models: what each role's function may invoke ------------------------------------

locals {
  # What Converse takes as modelId: a system-defined inference profile ID (a geography or global.
  # prefix), a profile ARN (system-defined or application), or a foundation model ID.
  inference_profile_pattern = "^(global|us|us-gov|eu|apac|jp|au|ca)\\.|^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:(application-)?inference-profile/"
  model_identifier_pattern  = "^(((global|us|us-gov|eu|apac|jp|au|ca)\\.)?[a-z0-9-]+\\.[A-Za-z0-9._:-]+|arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:(application-)?inference-profile/[A-Za-z0-9._:-]+)$"

  # Each role's function runs its agent on agent_model_ids (agents as code) and its fallback on
  # fallback_model_ids; with Agents Classic the agent's model is the agent's, not the function's.
  function_models = { for role in local.agent_roles : role => merge(
    local.role_runtime[role] == "bedrock_agents" ? {} : { Agent = var.agent_model_ids[role] },
    { Fallback = var.fallback_model_ids[role] },
  ) }
  model_profiles = toset(flatten([for models in values(local.function_models) : [for m in values(models) : m if can(regex(local.inference_profile_pattern, m))]]))
}

# Bedrock says where a profile sends requests: its ARN and the foundation model in each destination
# Region. The policies are built from this answer, never by hand.
data "aws_bedrock_inference_profile" "model" {
  for_each = local.model_profiles

  inference_profile_id = each.value
}

locals {
  # Per role, the statements that let its function run its models (Agent, Fallback). Through a
  # profile, IAM authorizes the profile and, conditioned on that profile, the model in every Region
  # the profile may route to; a global profile routes anywhere, which IAM names with the
  # Region-less model ARN. Converse is authorised by bedrock:InvokeModel.
  model_statements = { for role, models in local.function_models : role => flatten([for use, model_id in models : contains(local.model_profiles, model_id) ? [
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
  }]]) }
}

# --- functions: code, sizing, environment, permissions -----------------------------

locals {
  # function key (design.md) -> code package under lambda_src/ (dist/<package>.zip)
  function_packages = {
    validate_input    = "validate_input"
    agent_search      = "agent"
    agent_summary     = "agent"
    agent_writer      = "agent"
    agent_reviser     = "agent"
    agent_compliance  = "agent"
    citation_check    = "citation_check"
    approval_request  = "approval_request"
    approval_callback = "approval_callback"
    publish           = "publish"
    on_failure        = "on_failure"
  }

  function_sizing = {
    validate_input    = { class = "control", timeout = 30, memory = 256 }
    agent_search      = { class = "agent", timeout = 300, memory = 512 }
    agent_summary     = { class = "agent", timeout = 300, memory = 512 }
    agent_writer      = { class = "agent", timeout = 600, memory = 1024 }
    agent_reviser     = { class = "agent", timeout = 600, memory = 1024 }
    agent_compliance  = { class = "agent", timeout = 300, memory = 512 }
    citation_check    = { class = "control", timeout = 30, memory = 256 }
    approval_request  = { class = "approval", timeout = 30, memory = 256 }
    approval_callback = { class = "approval", timeout = 30, memory = 256 }
    publish           = { class = "control", timeout = 60, memory = 256 }
    on_failure        = { class = "control", timeout = 30, memory = 256 }
  }

  # The five agent functions run one code package: they differ only in role, models and tools.
  agent_environment = { for role in local.agent_roles : "agent_${role}" => merge({
    ENVIRONMENT                  = var.environment
    AGENT_ROLE                   = role
    AGENT_RUNTIME                = local.role_runtime[role]
    AGENT_MODEL_ID               = var.agent_model_ids[role]
    MAX_AGENT_TURNS              = var.max_agent_turns
    FALLBACK_MODEL_ID            = var.fallback_model_ids[role]
    ARTIFACT_BUCKET              = module.artifact_bucket.bucket_name
    WORKFLOW_TABLE               = module.workflow_store.workflow_table_name
    SEARCH_CACHE_TABLE           = module.workflow_store.search_cache_table_name
    SEARCH_CACHE_TTL_SECONDS     = var.search_cache_ttl_seconds
    TOLERATED_FAILURE_PERCENTAGE = var.tolerated_failure_percentage
    },
    local.role_runtime[role] == "bedrock_agents" ? { AGENT_ID = local.agents[role].agent_id, AGENT_ALIAS_ID = local.agents[role].alias_id } : {},
    contains(local.library_roles, role) ? { LIBRARY_BUCKET = module.document_library.bucket_name } : {},
    role == "search" && var.search_knowledge_base_id != null && !local.classic_agents ? { KNOWLEDGE_BASE_ID = var.search_knowledge_base_id } : {},
  ) }

  # Environment variables per function, exactly as design.md lists them (REQUIRED_ENV of each
  # handler). Powertools variables are added in local.powertools_environment.
  function_environment = merge(local.agent_environment, {
    validate_input = {
      ENVIRONMENT         = var.environment
      WORKFLOW_TABLE      = module.workflow_store.workflow_table_name
      ARTIFACT_BUCKET     = module.artifact_bucket.bucket_name
      MAX_SOURCES_LIMIT   = var.max_sources_limit
      DEFAULT_MAX_SOURCES = var.default_max_sources
    }
    citation_check = {
      ENVIRONMENT     = var.environment
      WORKFLOW_TABLE  = module.workflow_store.workflow_table_name
      ARTIFACT_BUCKET = module.artifact_bucket.bucket_name
    }
    approval_request = {
      ENVIRONMENT               = var.environment
      WORKFLOW_TABLE            = module.workflow_store.workflow_table_name
      ARTIFACT_BUCKET           = module.artifact_bucket.bucket_name
      APPROVAL_TOPIC_ARN        = module.approvals.topic_arn
      SIGNING_SECRET_ARN        = module.approvals.signing_secret_arn
      APPROVAL_BASE_URL         = module.approvals.callback_url
      APPROVAL_LINK_TTL_SECONDS = var.approval_link_ttl_seconds
      EVENT_BUS_NAME            = module.event_bus.bus_name
    }
    # The callback function reads local.approval_callback_environment directly (see there for why).
    approval_callback = local.approval_callback_environment
    publish = {
      ENVIRONMENT     = var.environment
      WORKFLOW_TABLE  = module.workflow_store.workflow_table_name
      ARTIFACT_BUCKET = module.artifact_bucket.bucket_name
      EVENT_BUS_NAME  = module.event_bus.bus_name
    }
    on_failure = {
      ENVIRONMENT    = var.environment
      WORKFLOW_TABLE = module.workflow_store.workflow_table_name
      EVENT_BUS_NAME = module.event_bus.bus_name
    }
  })

  # approval_request's APPROVAL_BASE_URL is the callback's Function URL, which exists only once
  # the callback function does. A local is one node in Terraform's graph, so a callback that
  # read local.function_environment would depend on its own URL: a cycle. It reads this copy.
  approval_callback_environment = {
    ENVIRONMENT        = var.environment
    WORKFLOW_TABLE     = module.workflow_store.workflow_table_name
    SIGNING_SECRET_ARN = module.approvals.signing_secret_arn
  }

  powertools_environment = { for key in keys(local.function_packages) : key => {
    POWERTOOLS_SERVICE_NAME      = key
    POWERTOOLS_METRICS_NAMESPACE = "ResearchReport"
    POWERTOOLS_LOG_LEVEL         = var.powertools_log_level
  } }

  bucket_objects = "${module.artifact_bucket.bucket_arn}/*"

  agent_statements = { for role in local.agent_roles : "agent_${role}" => concat(
    local.role_runtime[role] == "bedrock_agents" ? [{
      sid        = "InvokeOwnAgent"
      actions    = ["bedrock:InvokeAgent"]
      resources  = [local.agent_alias_arns[role]]
      conditions = []
    }] : [],
    contains(local.library_roles, role) ? module.document_library.reader_policy_statements : [],
    role == "search" && var.search_knowledge_base_id != null && !local.classic_agents ? [{
      sid        = "RetrieveFromKnowledgeBase"
      actions    = ["bedrock:Retrieve"]
      resources  = ["arn:${local.partition}:bedrock:${local.region}:${local.account_id}:knowledge-base/${var.search_knowledge_base_id}"]
      conditions = []
    }] : [],
    [
      {
        # Copying an object is GetObject on the source plus PutObject on the target.
        sid        = "ReadWriteArtifacts"
        actions    = ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"]
        resources  = [local.bucket_objects]
        conditions = []
      },
      {
        # Without ListBucket a missing key answers 403 instead of 404 (NoSuchKey).
        sid        = "SeeMissingArtifacts"
        actions    = ["s3:ListBucket"]
        resources  = [module.artifact_bucket.bucket_arn]
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
        # records (pk IDEMPOTENCY#agent_<role>) may be deleted.
        sid       = "ClearOwnIdempotencyRecords"
        actions   = ["dynamodb:DeleteItem"]
        resources = [module.workflow_store.workflow_table_arn]
        conditions = [{
          test     = "ForAllValues:StringEquals"
          variable = "dynamodb:LeadingKeys"
          values   = ["IDEMPOTENCY#agent_${role}"]
        }]
      },
      {
        sid        = "UseStackKey"
        actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
        resources  = [aws_kms_key.this.arn]
        conditions = []
      },
    ],
    local.model_statements[role],
    role == "search" ? [{
      sid        = "UseSearchCache"
      actions    = ["dynamodb:GetItem", "dynamodb:PutItem"]
      resources  = [module.workflow_store.search_cache_table_arn]
      conditions = []
    }] : [],
  ) }

  # The citation check reads the draft and the sources index and writes its findings. Without
  # s3:ListBucket a missing draft answers 403, not 404: either way the check ends missing.
  citation_check_statements = [
    {
      sid        = "ReadDraftWriteFindings"
      actions    = ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"]
      resources  = [local.bucket_objects]
      conditions = []
    },
    {
      sid        = "RecordFindings"
      actions    = ["dynamodb:BatchWriteItem"]
      resources  = [module.workflow_store.workflow_table_arn]
      conditions = []
    },
    {
      sid        = "UseStackKey"
      actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources  = [aws_kms_key.this.arn]
      conditions = []
    },
  ]

  function_policy_statements = merge(local.agent_statements, {
    validate_input = [
      {
        # A conditional put: an id that belongs to another execution fails the condition; no read.
        sid        = "CreateWorkflowRecord"
        actions    = ["dynamodb:PutItem"]
        resources  = [module.workflow_store.workflow_table_arn]
        conditions = []
      },
    ]
    citation_check = local.citation_check_statements
    # The approval message and page show the pre-review's findings: read only those files. They
    # are encrypted with the stack key, which the approvals module's UseApprovalKey already names.
    approval_request = concat(module.approvals.approval_request_policy_statements, [
      {
        sid        = "ReadPreReviewFindings"
        actions    = ["s3:GetObject"]
        resources  = ["${module.artifact_bucket.bucket_arn}/*/reviews/*"]
        conditions = []
      },
    ])
    approval_callback = module.approvals.approval_callback_policy_statements
    publish = [
      {
        sid        = "ReadDraftWriteReport"
        actions    = ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"]
        resources  = [local.bucket_objects]
        conditions = []
      },
      {
        sid        = "SeeMissingArtifacts"
        actions    = ["s3:ListBucket"]
        resources  = [module.artifact_bucket.bucket_arn]
        conditions = []
      },
      {
        sid        = "RecordPublication"
        actions    = ["dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]
        resources  = [module.workflow_store.workflow_table_arn]
        conditions = []
      },
      {
        sid        = "EmitReportPublished"
        actions    = ["events:PutEvents"]
        resources  = [module.event_bus.bus_arn]
        conditions = []
      },
      {
        sid        = "UseStackKey"
        actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
        resources  = [aws_kms_key.this.arn]
        conditions = []
      },
    ]
    on_failure = [
      {
        sid        = "RecordFailure"
        actions    = ["dynamodb:UpdateItem"]
        resources  = [module.workflow_store.workflow_table_arn]
        conditions = []
      },
      {
        sid        = "EmitWorkflowFailed"
        actions    = ["events:PutEvents"]
        resources  = [module.event_bus.bus_arn]
        conditions = []
      },
    ]
  })

  # Everything but approval_callback, which is created separately (see its environment).
  workflow_functions = toset([for key in keys(local.function_packages) : key if key != "approval_callback"])
}

# The functions' code goes through S3, so the provider creates them side by side (from a local
# zip it creates them one at a time). Its own bucket, not the artifact bucket: the workflow's
# roles may write artifact objects, and nothing that runs may touch deployment code. No object is
# tagged retention=intermediate, so current code never expires; superseded keys, which Terraform
# deletes when a zip changes, leave noncurrent versions that expire.
module "code_bucket" {
  source = "../modules/artifact_bucket"

  bucket_name                        = "${local.prefix}-code-${local.account_id}"
  kms_key_arn                        = aws_kms_key.this.arn
  noncurrent_version_expiration_days = var.artifact_noncurrent_version_days
  access_log_bucket                  = var.access_log_bucket
  access_log_prefix                  = "code/"
  force_destroy                      = local.removable
  tags                               = local.tags
}

module "functions" {
  source   = "../modules/lambda_function"
  for_each = local.workflow_functions

  function_name                  = "${local.prefix}-${each.key}"
  description                    = "research-report ${each.key} (${var.environment})"
  package_path                   = "${path.root}/../dist/${local.function_packages[each.key]}.zip"
  package_s3                     = { bucket = module.code_bucket.bucket_name }
  handler                        = "${local.function_packages[each.key]}.handler.lambda_handler"
  timeout                        = local.function_sizing[each.key].timeout
  memory_size                    = local.function_sizing[each.key].memory
  reserved_concurrent_executions = var.reserved_concurrency[local.function_sizing[each.key].class]
  environment_variables          = merge(local.function_environment[each.key], local.powertools_environment[each.key])
  architecture                   = var.lambda_architecture
  layers                         = [local.powertools_layer_arn]
  kms_key_arn                    = aws_kms_key.this.arn
  log_retention_in_days          = var.log_retention_in_days
  application_log_level          = local.lambda_log_level
  policy_statements              = local.function_policy_statements[each.key]
  tags                           = local.tags
}

module "approval_callback" {
  source = "../modules/lambda_function"

  function_name                  = "${local.prefix}-approval_callback"
  description                    = "research-report approval_callback (${var.environment})"
  package_path                   = "${path.root}/../dist/${local.function_packages["approval_callback"]}.zip"
  package_s3                     = { bucket = module.code_bucket.bucket_name }
  handler                        = "${local.function_packages["approval_callback"]}.handler.lambda_handler"
  timeout                        = local.function_sizing["approval_callback"].timeout
  memory_size                    = local.function_sizing["approval_callback"].memory
  reserved_concurrent_executions = var.reserved_concurrency[local.function_sizing["approval_callback"].class]
  environment_variables          = merge(local.approval_callback_environment, local.powertools_environment["approval_callback"])
  architecture                   = var.lambda_architecture
  layers                         = [local.powertools_layer_arn]
  kms_key_arn                    = aws_kms_key.this.arn
  log_retention_in_days          = var.log_retention_in_days
  application_log_level          = local.lambda_log_level
  policy_statements              = local.function_policy_statements["approval_callback"]
  tags                           = local.tags
}

# --- agents (optional: otherwise var.bedrock_agents names existing ones) -------------

module "bedrock_agents" {
  source = "../modules/bedrock_agents"
  count  = local.classic_agents && var.create_agents ? 1 : 0

  name = local.prefix
  agents = { for role in local.classic_roles : role => {
    foundation_model = var.agent_model_ids[role]
    instruction_path = "${path.root}/../agents/${role}/instructions.md"
    description      = "research-report ${role} agent (${var.environment})"
  } }
  search_knowledge_base_id = var.search_knowledge_base_id
  guardrail                = var.agent_guardrail
  kms_key_arn              = aws_kms_key.this.arn
  tags                     = local.tags
}

# --- storage ------------------------------------------------------------------------

module "workflow_store" {
  source = "../modules/workflow_store"

  workflow_table_name     = "${local.prefix}-workflow"
  search_cache_table_name = "${local.prefix}-search-cache"
  point_in_time_recovery  = var.point_in_time_recovery
  deletion_protection     = var.deletion_protection
  kms_key_arn             = aws_kms_key.this.arn
  tags                    = local.tags
}

module "artifact_bucket" {
  source = "../modules/artifact_bucket"

  bucket_name                        = "${local.prefix}-artifacts-${local.account_id}"
  kms_key_arn                        = aws_kms_key.this.arn
  intermediate_expiration_days       = var.artifact_intermediate_retention_days
  noncurrent_version_expiration_days = var.artifact_noncurrent_version_days
  access_log_bucket                  = var.access_log_bucket
  force_destroy                      = local.removable
  tags                               = local.tags
}

module "document_library" {
  source = "../modules/document_library"

  name                  = local.prefix
  environment           = var.environment
  kms_key_arn           = aws_kms_key.this.arn
  indexer_package_path  = "${path.root}/../dist/document_indexer.zip"
  architecture          = var.lambda_architecture
  layers                = [local.powertools_layer_arn]
  powertools_log_level  = var.powertools_log_level
  log_retention_in_days = var.log_retention_in_days
  access_log_bucket     = var.access_log_bucket
  force_destroy         = local.removable
  tags                  = local.tags
}

# --- approvals ----------------------------------------------------------------------

module "approvals" {
  source = "../modules/approvals"

  name                   = local.prefix
  kms_key_arn            = aws_kms_key.this.arn
  subscriptions          = var.approval_subscriptions
  callback_function_name = module.approval_callback.function_name
  callback_auth_type     = var.approval_callback_auth_type
  throttling_burst_limit = var.approval_endpoint_throttle.burst_limit
  throttling_rate_limit  = var.approval_endpoint_throttle.rate_limit
  # The stack's log retention, like the functions' and the state machine's logs.
  access_log_retention_in_days = var.log_retention_in_days
  # What the callback function reads (the module refuses NONE unless it is the module's secret).
  callback_signing_secret_arn = local.approval_callback_environment["SIGNING_SECRET_ARN"]
  workflow_table_arn          = module.workflow_store.workflow_table_arn
  event_bus_arn               = module.event_bus.bus_arn
  state_machine_arn           = local.state_machine_arn
  # Protected, a deleted key can be restored for a week; removable, it goes at once, so that the
  # environment can be created again under the same name the same day.
  secret_recovery_window_in_days = local.removable ? 0 : 7
  tags                           = local.tags
}

# --- orchestration ------------------------------------------------------------------

locals {
  # The values workflow.asl.json.tftpl is rendered with. A local, so that
  # scripts/terraform_values.py can render the same template with the same bindings (placeholder
  # ARNs for the resources) through `terraform console`, for the cost model and asl-validator.
  definition_variables = {
    validate_input_arn           = module.functions["validate_input"].arn
    agent_search_arn             = module.functions["agent_search"].arn
    agent_summary_arn            = module.functions["agent_summary"].arn
    agent_writer_arn             = module.functions["agent_writer"].arn
    agent_reviser_arn            = module.functions["agent_reviser"].arn
    agent_compliance_arn         = module.functions["agent_compliance"].arn
    citation_check_arn           = module.functions["citation_check"].arn
    approval_request_arn         = module.functions["approval_request"].arn
    publish_arn                  = module.functions["publish"].arn
    on_failure_arn               = module.functions["on_failure"].arn
    workflow_table_name          = module.workflow_store.workflow_table_name
    event_bus_name               = local.event_bus_name
    map_max_concurrency          = var.map_max_concurrency
    approval_timeout_seconds     = var.approval_timeout_seconds
    approval_heartbeat_seconds   = var.approval_heartbeat_seconds
    execution_timeout_seconds    = var.execution_timeout_seconds
    max_revisions                = var.max_revisions
    retry_max_attempts           = var.retry_max_attempts
    retry_interval_seconds       = var.retry_interval_seconds
    retry_backoff_rate           = var.retry_backoff_rate
    retry_max_delay_seconds      = var.retry_max_delay_seconds
    lambda_throttle_max_attempts = var.lambda_throttle_max_attempts
  }
}

module "state_machine" {
  source = "../modules/state_machine"

  name                     = local.prefix
  definition_template_path = "${path.module}/workflow.asl.json.tftpl"
  definition_variables     = local.definition_variables

  lambda_function_arns = [for key in sort(tolist(local.workflow_functions)) : module.functions[key].arn]
  dynamodb_table_arns  = [module.workflow_store.workflow_table_arn]
  dynamodb_actions     = ["dynamodb:UpdateItem"] # RecordNoSources; found by make iam-report
  # The definition invokes the functions' unqualified ARNs.
  invoke_versions_and_aliases = false
  event_bus_arn               = local.event_bus_arn
  kms_key_arn                 = aws_kms_key.this.arn
  encryption_kms_key_arn      = aws_kms_key.this.arn
  publish                     = true
  alias_name                  = "live"
  log_level                   = var.sfn_log_level
  include_execution_data      = var.sfn_include_execution_data
  log_retention_in_days       = var.log_retention_in_days
  tags                        = local.tags
}

module "event_bus" {
  source = "../modules/event_bus"

  name                   = local.event_bus_name
  archive_retention_days = var.event_archive_retention_days
  state_machine_arn      = local.state_machine_alias_arn
  kms_key_arn            = aws_kms_key.this.arn
  alarm_topic_arns       = [module.monitoring.ops_topic_arn]
  tags                   = local.tags

  rules = [
    {
      name          = "workflow-requested"
      description   = "WorkflowRequested starts the research-report state machine with the event detail as input."
      event_pattern = jsonencode({ source = ["research-report"], "detail-type" = ["WorkflowRequested"] })
      targets = [{
        target_id       = "start-execution"
        arn             = module.state_machine.alias_arn
        start_execution = true
        input_path      = "$.detail"
      }]
    },
    {
      name          = "workflow-failed"
      description   = "WorkflowFailed is forwarded to the ops topic."
      event_pattern = jsonencode({ source = ["research-report"], "detail-type" = ["WorkflowFailed"] })
      targets = [{
        target_id = "ops-topic"
        arn       = module.monitoring.ops_topic_arn
      }]
    },
  ]
}

# --- operations ---------------------------------------------------------------------

module "monitoring" {
  source = "../modules/monitoring"

  name                         = local.prefix
  environment                  = var.environment
  kms_key_arn                  = aws_kms_key.this.arn
  ops_subscriptions            = var.ops_subscriptions
  event_rule_arns              = [module.event_bus.rule_arns["workflow-failed"]]
  state_machine_arn            = module.state_machine.arn
  state_machine_log_group_name = module.state_machine.log_group_name
  lambda_function_names = merge(
    { for key, fn in module.functions : key => fn.function_name },
    { approval_callback = module.approval_callback.function_name },
  )
  dlq_names        = [module.event_bus.dlq_name]
  alarm_thresholds = { for key, value in var.alarm_thresholds : key => value if key != "fallbacks" }
  fallback_alarm = {
    threshold       = var.alarm_thresholds.fallbacks
    role_dimensions = local.agent_metric_dimensions
  }
  budget_notifications      = true
  token_prices_usd_per_1k   = local.agent_token_prices
  transitions_per_execution = var.transitions_per_execution
  tags                      = local.tags
}

# --- cost ---------------------------------------------------------------------------

locals {
  # EMF dimensions of the agent handler's metrics: role and environment, plus the service
  # Powertools adds (POWERTOOLS_SERVICE_NAME, the function key).
  agent_metric_dimensions = { for role in local.agent_roles : role => { role = role, environment = var.environment, service = "agent_${role}" } }
  # Price per 1,000 tokens of each role's agent model (the same numbers as scripts/pricing/).
  agent_token_prices = { for role in local.agent_roles : role => var.bedrock_token_prices_usd_per_1k[var.agent_model_ids[role]] }
}

module "budget" {
  source = "../modules/budget"

  name                    = local.prefix
  monthly_limit_usd       = var.monthly_budget_usd
  cost_filter_tag         = { key = "stack", value = local.prefix }
  notification_topic_arns = [module.monitoring.ops_topic_arn]
  tags                    = local.tags

  # Alarm when Bedrock alone spends twice the whole budget's pace over six hours.
  bedrock_spend = {
    threshold_usd  = ceil(var.monthly_budget_usd * 2 * 6 / 730 * 100) / 100
    period_seconds = 21600
    roles = { for role in local.agent_roles : role => {
      dimensions               = local.agent_metric_dimensions[role]
      input_usd_per_1k_tokens  = local.agent_token_prices[role].input
      output_usd_per_1k_tokens = local.agent_token_prices[role].output
    } }
  }
}

# --- consistency checks (reported at plan/apply, never block) -----------------------

check "state_machine_arn" {
  assert {
    condition     = module.state_machine.arn == local.state_machine_arn
    error_message = "local.state_machine_arn (used in the StartExecution and task-token policies) differs from the state machine's real ARN."
  }
  assert {
    condition     = module.state_machine.alias_arn == local.state_machine_alias_arn
    error_message = "local.state_machine_alias_arn (the StartExecution role's only resource) differs from the alias's real ARN."
  }
}

