# --- identity -----------------------------------------------------------------------

variable "name" {
  description = "Project name; resources are prefixed <name>-<environment>."
  type        = string
  default     = "research-report"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or '-', starting with a letter."
  }

  validation {
    condition     = !can(regex("--|-$", var.name))
    error_message = "name must end in a letter or digit and have no \"--\": resource names join it to the environment and role with '-', and Bedrock agent names allow one separator at a time."
  }
}

variable "environment" {
  description = "Environment name (pilot, team, bu, or another lowercase name)."
  type        = string
  default     = "pilot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters or digits, starting with a letter."
  }

  validation {
    # The longest name built on the prefix: the EventBridge rule <prefix>-events-workflow-requested
    # (64 at most); the function <prefix>-approval_callback-role (IAM, 64) and the bucket
    # <prefix>-artifacts-<12-digit account> (S3, 63) fit whenever it does.
    condition     = length("${var.name}-${var.environment}") <= 38
    error_message = "\"<name>-<environment>\" must be at most 38 characters: the event rule <prefix>-events-workflow-requested, the function roles and the artifact bucket are named after it and must fit AWS's limits."
  }
}

variable "aws_region" {
  description = "AWS Region of the stack (Bedrock agents and models must exist there)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like us-east-1."
  }
}

variable "owner" {
  description = "Owning team or contact, applied as the owner tag."
  type        = string

  validation {
    condition     = length(var.owner) > 0
    error_message = "owner must not be empty."
  }
}

variable "tenant" {
  description = "Tenant this deployment serves, applied as the tenant tag; the rule is the one validate_input applies to a request's tenant."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,39}$", var.tenant))
    error_message = "tenant must be 1-40 lowercase letters, digits or '-', starting with a letter or digit (the rule validate_input applies to a request's tenant)."
  }
}

variable "workflow_version" {
  description = "Release of this repository the stack is deployed from (the `version` tag on every resource; `version` is a reserved variable name). The default is the version CHANGELOG.md is at: X.Y.Z-dev while changes wait under [Unreleased]."
  type        = string
  default     = "0.3.0-dev"

  validation {
    condition     = can(regex("^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.-]+)?$", var.workflow_version))
    error_message = "workflow_version must be a semantic version such as 0.1.0."
  }
}

# --- Bedrock ------------------------------------------------------------------------

variable "agent_runtime" {
  description = "How the agents run. converse (default): agents as code in their functions, on Bedrock Converse with tools (agents/<role>/instructions.md, agent_model_ids, the document library); no Bedrock Agents resources. bedrock_agents: Bedrock Agents (Agents Classic, closed to new customers since 2026-07-30) for accounts that already have it, with create_agents or bedrock_agents."
  type        = string
  default     = "converse"

  validation {
    condition     = contains(["converse", "bedrock_agents"], var.agent_runtime)
    error_message = "agent_runtime must be converse or bedrock_agents."
  }
}

variable "max_agent_turns" {
  description = "Model calls an agent (and its fallback) may make per task, tool-use turns included; past it the task fails with AgentToolLoopExceeded."
  type        = number
  default     = 8

  validation {
    condition     = var.max_agent_turns >= 2 && var.max_agent_turns <= 50
    error_message = "max_agent_turns must be 2 to 50 (one tool turn and one answer at least)."
  }
}

variable "create_agents" {
  description = "With agent_runtime = bedrock_agents: create one Bedrock agent per role with modules/bedrock_agents (instructions from agents/<role>/instructions.md, model from agent_model_ids); false uses the existing agents in bedrock_agents."
  type        = bool
  default     = false
}

variable "bedrock_agents" {
  description = "With agent_runtime = bedrock_agents and create_agents = false: the existing Bedrock agent and alias per role (search, summary, writer, reviser). Each agent function may invoke only its own alias."
  type = map(object({
    agent_id = string
    alias_id = string
  }))
  default = null

  validation {
    condition     = var.agent_runtime == "bedrock_agents" ? var.create_agents == (var.bedrock_agents == null) : !var.create_agents && var.bedrock_agents == null
    error_message = "With agent_runtime = bedrock_agents set bedrock_agents (existing agents) or create_agents = true, not both and not neither; with agent_runtime = converse set neither."
  }

  validation {
    condition     = var.bedrock_agents == null || try(toset(keys(var.bedrock_agents)) == toset(["search", "summary", "writer", "reviser"]), false)
    error_message = "bedrock_agents must have exactly the roles search, summary, writer and reviser."
  }

  validation {
    condition     = var.bedrock_agents == null || try(alltrue([for a in values(var.bedrock_agents) : can(regex("^[0-9A-Z]{10}$", a.agent_id)) && can(regex("^[0-9A-Z]{10}$", a.alias_id))]), false)
    error_message = "agent_id and alias_id are 10 uppercase letters or digits."
  }
}

variable "search_knowledge_base_id" {
  description = "An existing Bedrock Knowledge Base (10-character ID) the search agent also searches: its retrieve tool (converse), or the agent's associated knowledge base (create_agents); null uses the document library alone."
  type        = string
  default     = null

  validation {
    condition     = var.search_knowledge_base_id == null || can(regex("^[0-9A-Za-z]{10}$", var.search_knowledge_base_id))
    error_message = "search_knowledge_base_id must be a 10-character knowledge base ID."
  }
}

variable "agent_guardrail" {
  description = "With create_agents: Bedrock guardrail (identifier, version) applied to every agent; null applies none."
  type = object({
    identifier = string
    version    = string
  })
  default = null
}

variable "fallback_model_ids" {
  description = "Model each role's Converse fallback runs on: an inference profile ID (global., us., eu., apac., ...: current Claude models run on demand only through one), an application inference profile ARN, or the ID of a foundation model that runs on demand. Use the smallest model a role tolerates (summary: a small model in every environment). The function's policy is derived from the profile (data.aws_bedrock_inference_profile)."
  type        = map(string)

  validation {
    condition     = toset(keys(var.fallback_model_ids)) == toset(["search", "summary", "writer", "reviser", "compliance"])
    error_message = "fallback_model_ids must have exactly the roles search, summary, writer, reviser and compliance."
  }

  validation {
    condition     = alltrue([for m in values(var.fallback_model_ids) : can(regex(local.model_identifier_pattern, m))])
    error_message = "fallback_model_ids must be inference profile IDs (us.anthropic.claude-haiku-4-5-20251001-v1:0), application inference profile ARNs or foundation model IDs."
  }
}

variable "agent_model_ids" {
  description = "Model each role's agent runs on, in the forms fallback_model_ids takes. The cost model (make cost) and the Bedrock spend alarm price the role's tokens with it; with create_agents it is the agents' foundation model."
  type        = map(string)

  validation {
    condition     = toset(keys(var.agent_model_ids)) == toset(["search", "summary", "writer", "reviser", "compliance"])
    error_message = "agent_model_ids must have exactly the roles search, summary, writer, reviser and compliance."
  }

  validation {
    condition     = alltrue([for m in values(var.agent_model_ids) : can(regex(local.model_identifier_pattern, m))])
    error_message = "agent_model_ids must be inference profile IDs (us.anthropic.claude-sonnet-4-5-20250929-v1:0), application inference profile ARNs or foundation model IDs."
  }

  validation {
    condition     = alltrue([for m in values(var.agent_model_ids) : contains(keys(var.bedrock_token_prices_usd_per_1k), m)])
    error_message = "every model in agent_model_ids needs a price in bedrock_token_prices_usd_per_1k."
  }
}

variable "bedrock_token_prices_usd_per_1k" {
  description = "On-demand price per 1,000 tokens (input, output) of the models in agent_model_ids, for the Bedrock spend alarm and the dashboard's cost per execution. Same values as scripts/pricing/us-east-1.json (a test keeps them equal)."
  type = map(object({
    input  = number
    output = number
  }))
  default = {
    "global.anthropic.claude-sonnet-5-5" = { input = 0.002, output = 0.01 }
    "global.anthropic.claude-haiku-5-5"  = { input = 0.0001, output = 0.0005 }
    "us.anthropic.claude-haiku-5-5"      = { input = 0.00011, output = 0.00055 }
    "global.anthropic.claude-opus-5-5"   = { input = 0.004, output = 0.02 }
    "amazon.nova-micro-v1:0"             = { input = 0.000035, output = 0.00014 }
    "amazon.nova-lite-v1:0"              = { input = 0.00006, output = 0.00024 }
    "amazon.nova-pro-v1:0"               = { input = 0.0008, output = 0.0032 }
  }

  validation {
    condition     = alltrue([for p in values(var.bedrock_token_prices_usd_per_1k) : p.input >= 0 && p.output >= 0])
    error_message = "token prices must be >= 0."
  }
}

variable "bedrock_tps_quota" {
  description = "Bedrock model requests per second this account may use for the agents. A run's peak is the summary Map's MaxConcurrency: the pre-review's compliance agent makes one request at a time and never runs beside the Map, so map_max_concurrency <= bedrock_tps_quota bounds both."
  type        = number

  validation {
    condition     = var.bedrock_tps_quota >= 1
    error_message = "bedrock_tps_quota must be >= 1."
  }
}

# --- workflow (state machine template) ---------------------------------------------

variable "map_max_concurrency" {
  description = "MaxConcurrency of the summary Map (1-40, and <= bedrock_tps_quota)."
  type        = number

  validation {
    condition     = var.map_max_concurrency >= 1 && var.map_max_concurrency <= 40 && floor(var.map_max_concurrency) == var.map_max_concurrency
    error_message = "map_max_concurrency must be an integer from 1 to 40."
  }

  validation {
    condition     = var.map_max_concurrency <= var.bedrock_tps_quota
    error_message = "map_max_concurrency must not exceed bedrock_tps_quota: each Map branch calls its model."
  }
}

variable "tolerated_failure_percentage" {
  description = "Share of sources whose summary may fail (agent and fallback) before the writer raises TooManySourceFailures."
  type        = number
  default     = 20

  validation {
    condition     = var.tolerated_failure_percentage >= 0 && var.tolerated_failure_percentage <= 100
    error_message = "tolerated_failure_percentage must be between 0 and 100."
  }
}

variable "approval_timeout_seconds" {
  description = "TimeoutSeconds of the approval task: time to decide."
  type        = number

  validation {
    condition     = var.approval_timeout_seconds >= 60 && var.approval_timeout_seconds <= 31536000
    error_message = "approval_timeout_seconds must be between 60 and 31536000 (a Standard execution lasts at most a year)."
  }
}

variable "approval_heartbeat_seconds" {
  description = "HeartbeatSeconds of the approval task: someone must open the request within this time."
  type        = number

  validation {
    condition     = var.approval_heartbeat_seconds >= 60
    error_message = "approval_heartbeat_seconds must be >= 60."
  }

  validation {
    condition     = var.approval_heartbeat_seconds <= var.approval_timeout_seconds
    error_message = "approval_heartbeat_seconds must not exceed approval_timeout_seconds."
  }
}

variable "execution_timeout_seconds" {
  description = "TimeoutSeconds of the whole execution; must leave room for the approval wait."
  type        = number
  default     = 2592000

  validation {
    condition     = var.execution_timeout_seconds >= 300 && var.execution_timeout_seconds <= 31536000
    error_message = "execution_timeout_seconds must be between 300 and 31536000."
  }

  validation {
    condition     = var.execution_timeout_seconds > var.approval_timeout_seconds
    error_message = "execution_timeout_seconds must exceed approval_timeout_seconds."
  }
}

variable "max_revisions" {
  description = "Revisions the reviser may make before RevisionLimitReached."
  type        = number
  default     = 3

  validation {
    condition     = var.max_revisions >= 0 && var.max_revisions <= 10
    error_message = "max_revisions must be between 0 and 10."
  }
}

variable "retry_max_attempts" {
  description = "MaxAttempts of the Retry on transient errors and Bedrock throttling (AgentThrottled); Lambda throttling has lambda_throttle_max_attempts."
  type        = number
  default     = 4

  validation {
    condition     = var.retry_max_attempts >= 0 && var.retry_max_attempts <= 10
    error_message = "retry_max_attempts must be between 0 and 10."
  }
}

variable "retry_interval_seconds" {
  description = "IntervalSeconds of the first retry."
  type        = number
  default     = 2

  validation {
    condition     = var.retry_interval_seconds >= 1 && var.retry_interval_seconds <= 300
    error_message = "retry_interval_seconds must be between 1 and 300."
  }
}

variable "retry_backoff_rate" {
  description = "BackoffRate of the Retry (1.0 = constant interval)."
  type        = number
  default     = 2

  validation {
    condition     = var.retry_backoff_rate >= 1 && var.retry_backoff_rate <= 10
    error_message = "retry_backoff_rate must be between 1 and 10."
  }
}

variable "retry_max_delay_seconds" {
  description = "MaxDelaySeconds cap on a single retry wait."
  type        = number
  default     = 60

  validation {
    condition     = var.retry_max_delay_seconds >= var.retry_interval_seconds && var.retry_max_delay_seconds <= 3600
    error_message = "retry_max_delay_seconds must be >= retry_interval_seconds and <= 3600."
  }
}

variable "lambda_throttle_max_attempts" {
  description = "MaxAttempts of the Retry on Lambda.TooManyRequestsException (a function at its reserved concurrency): a burst of workflows waits its turn for a sandbox instead of failing over to the fallback, which runs in the same function. Its waits follow retry_interval_seconds, retry_backoff_rate and retry_max_delay_seconds with full jitter."
  type        = number
  default     = 10

  validation {
    condition     = var.lambda_throttle_max_attempts >= 0 && var.lambda_throttle_max_attempts <= 20
    error_message = "lambda_throttle_max_attempts must be between 0 and 20."
  }
}

# --- handler configuration ---------------------------------------------------------

variable "max_sources_limit" {
  description = "Upper bound a request may ask for in max_sources (MAX_SOURCES_LIMIT)."
  type        = number
  default     = 50

  validation {
    condition     = var.max_sources_limit >= 1 && var.max_sources_limit <= 500
    error_message = "max_sources_limit must be between 1 and 500."
  }
}

variable "default_max_sources" {
  description = "max_sources when a request names none (DEFAULT_MAX_SOURCES)."
  type        = number
  default     = 8

  validation {
    condition     = var.default_max_sources >= 1 && var.default_max_sources <= var.max_sources_limit
    error_message = "default_max_sources must be between 1 and max_sources_limit."
  }
}

variable "search_cache_ttl_seconds" {
  description = "How long a search result may be reused (SEARCH_CACHE_TTL_SECONDS); 0 disables the cache."
  type        = number
  default     = 86400

  validation {
    condition     = var.search_cache_ttl_seconds >= 0 && var.search_cache_ttl_seconds <= 2592000
    error_message = "search_cache_ttl_seconds must be between 0 and 2592000 (30 days)."
  }
}

variable "approval_link_ttl_seconds" {
  description = "Validity of a signed approval link (APPROVAL_LINK_TTL_SECONDS); at most the approval timeout."
  type        = number
  default     = 86400

  validation {
    condition     = var.approval_link_ttl_seconds >= 60
    error_message = "approval_link_ttl_seconds must be >= 60."
  }

  validation {
    condition     = var.approval_link_ttl_seconds <= var.approval_timeout_seconds
    error_message = "approval_link_ttl_seconds must not exceed approval_timeout_seconds: a link must not outlive its task."
  }
}

# --- operations ---------------------------------------------------------------------

variable "sfn_log_level" {
  description = "Step Functions execution log level, ALL or ERROR (FATAL would hide the TaskTimedOut events the approval alarm counts)."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR"], var.sfn_log_level)
    error_message = "sfn_log_level must be ALL or ERROR."
  }
}

variable "sfn_include_execution_data" {
  description = "Write execution input/output to the execution log."
  type        = bool
  default     = false
}

variable "log_retention_in_days" {
  description = "Retention of every log group of the stack; one of the values CloudWatch Logs accepts."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "powertools_log_level" {
  description = "POWERTOOLS_LOG_LEVEL of every function (also sets Lambda's application log level)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.powertools_log_level)
    error_message = "powertools_log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency per function class: agent (each of the four agent functions), approval (approval_request, approval_callback), control (validate_input, publish, on_failure)."
  type = object({
    agent    = number
    approval = number
    control  = number
  })

  validation {
    condition     = alltrue([for v in values(var.reserved_concurrency) : v >= 1])
    error_message = "Every reserved concurrency must be >= 1 (0 would disable the functions)."
  }

  validation {
    condition     = var.reserved_concurrency.agent >= var.map_max_concurrency
    error_message = "reserved_concurrency.agent must be >= map_max_concurrency, or the summary Map throttles itself."
  }
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery of the workflow table."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Protect the environment from terraform destroy: the tables' deletion protection, buckets that keep their objects and a 7-day recovery window on the signing secret. false (make destroy) lets destroy delete all of it at once."
  type        = bool
  default     = true
}

variable "artifact_intermediate_retention_days" {
  description = "Days before sources, summaries and drafts (retention=intermediate) expire."
  type        = number
  default     = 30

  validation {
    condition     = var.artifact_intermediate_retention_days >= 1
    error_message = "artifact_intermediate_retention_days must be >= 1."
  }
}

variable "artifact_noncurrent_version_days" {
  description = "Days before noncurrent artifact versions are deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.artifact_noncurrent_version_days >= 1
    error_message = "artifact_noncurrent_version_days must be >= 1."
  }
}

variable "access_log_bucket" {
  description = "Existing bucket for S3 server access logs of the artifact bucket; null disables them."
  type        = string
  default     = null
}

variable "event_archive_retention_days" {
  description = "Days the event archive keeps workflow events for replay."
  type        = number
  default     = 30

  validation {
    condition     = var.event_archive_retention_days >= 1
    error_message = "event_archive_retention_days must be >= 1 (0 would keep events forever)."
  }
}

variable "alarm_thresholds" {
  description = "Alarm thresholds, counts per 5 minutes; fallbacks counts the agent functions' calls on their smaller model, every role together (a run a fallback wrote still ends Published)."
  type = object({
    executions_failed    = number
    executions_timed_out = number
    executions_throttled = number
    lambda_errors        = number
    approval_timeouts    = number
    fallbacks            = number
  })

  validation {
    condition     = alltrue([for v in values(var.alarm_thresholds) : v >= 1])
    error_message = "Every alarm threshold must be >= 1."
  }
}

variable "approval_subscriptions" {
  description = "Reviewers of approval requests (protocol email/https/sqs + endpoint). Addresses are not secrets but keep them out of shared tfvars if you prefer (-var or *.auto.tfvars)."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}

variable "approval_endpoint_throttle" {
  description = "Stage throttle of the approval links' HTTP API: burst_limit requests at once, rate_limit per second; past them API Gateway answers 429 before the callback runs. Size it under the approval reserved concurrency (each click is a GET and a POST)."
  type = object({
    burst_limit = number
    rate_limit  = number
  })
  default = { burst_limit = 1, rate_limit = 1 }

  validation {
    # Past the function's reserved concurrency, admitted requests would be throttled by Lambda
    # (API Gateway's 500) instead of answered 429. Each route has its own bucket: the env files
    # keep burst_limit at half the reservation so a GET and a POST burst fit together.
    condition     = var.approval_endpoint_throttle.burst_limit <= var.reserved_concurrency.approval
    error_message = "approval_endpoint_throttle.burst_limit must be <= reserved_concurrency.approval, or requests the endpoint admits are throttled by Lambda (500) instead of answered 429."
  }
}

variable "approval_callback_auth_type" {
  description = "Auth of the approval links' endpoint: NONE (signed links) or AWS_IAM (IAM authorization on the HTTP API routes; reviewers sign with their credentials and need the approvals module's reviewer_policy_json)."
  type        = string
  default     = "NONE"

  validation {
    condition     = contains(["NONE", "AWS_IAM"], var.approval_callback_auth_type)
    error_message = "approval_callback_auth_type must be NONE or AWS_IAM."
  }
}

variable "ops_subscriptions" {
  description = "Subscribers of the ops topic (alarms, budget, WorkflowFailed events)."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}

variable "lambda_architecture" {
  description = "Instruction set of every function: arm64 (Graviton, about 20 % cheaper per GB-second) or x86_64. The Powertools layer is the one built for it."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "powertools_layer_version" {
  description = "Version of the public Powertools for AWS Lambda (Python) v3 layer for python3.12 on lambda_architecture. 27 holds Powertools 3.23.0, the release the tests run (requirements-dev.txt); change both together."
  type        = number
  default     = 27

  validation {
    condition     = var.powertools_layer_version >= 1
    error_message = "powertools_layer_version must be >= 1."
  }
}

variable "powertools_layer_arn" {
  description = "Full Powertools layer ARN; null builds arn:aws:lambda:<region>:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-<lambda_architecture>:<powertools_layer_version>."
  type        = string
  default     = null
}

# --- cost and sizing ----------------------------------------------------------------

variable "monthly_budget_usd" {
  description = "Monthly AWS Budgets limit for this stack (filtered on its stack tag)."
  type        = number

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be > 0."
  }
}

variable "workflows_per_month" {
  description = "Expected workflow executions per month (sizing; read by the cost model)."
  type        = number

  validation {
    condition     = var.workflows_per_month >= 1
    error_message = "workflows_per_month must be >= 1."
  }
}

variable "transitions_per_execution" {
  description = "State transitions of a typical execution, for the dashboard's cost per execution (make cost --json: assumptions.transitions_per_run)."
  type        = number
  default     = 24

  validation {
    condition     = var.transitions_per_execution >= 0
    error_message = "transitions_per_execution must be >= 0."
  }
}

variable "sources_per_run" {
  description = "Expected sources per workflow (sizing; read by the cost model)."
  type        = number

  validation {
    condition     = var.sources_per_run >= 1 && var.sources_per_run <= var.max_sources_limit
    error_message = "sources_per_run must be between 1 and max_sources_limit."
  }
}

# --- Bedrock quotas (sizing) ---------------------------------------------------------

variable "bedrock_quotas" {
  description = "This account's Amazon Bedrock quotas (Service Quotas, service bedrock) that the environment is sized for, by quota name, in tokens: \"Cross-Region InvokeModel tokens per minute for <provider> <model>\" (requests through an inference profile), \"On-demand InvokeModel tokens per minute for ...\" and \"Model invocation max tokens per day for ...\". The stack cannot set quotas (request them in Service Quotas before you deploy); it outputs them, the offline account enforces them, and `make load` shows the sizing holds."
  type        = map(number)
  default     = {}

  validation {
    condition = alltrue([for name, value in var.bedrock_quotas :
      can(regex("^(Cross-Region InvokeModel tokens per minute|On-demand InvokeModel tokens per minute|Model invocation max tokens per day) for [A-Z]", name))
    && value >= 1 && floor(value) == value])
    error_message = "bedrock_quotas: each name must be a Bedrock runtime token quota as Service Quotas names it (e.g. \"Cross-Region InvokeModel tokens per minute for Anthropic Claude Haiku 5.5\"; Bedrock no longer enforces requests-per-minute quotas) and each value a whole number of tokens >= 1."
  }
}
