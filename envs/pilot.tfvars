# pilot environment. No secrets here: the approval signing key is seeded out of band
# (make seed-secret) and reviewer addresses go in envs/<env>.local.tfvars (docs/deploy.md).
# monthly_budget_usd sits between `make cost`'s estimate and twice it (tests/cost checks).

environment = "pilot"
aws_region  = "us-east-1"
owner       = "research-platform"
tenant      = "default"

# Agents are code (agents/<role>/instructions.md, the models below, the document library as their
# tools): agent_runtime = "converse", the default. An account that already has Bedrock Agents
# (Agents Classic) may set agent_runtime = "bedrock_agents" with bedrock_agents or create_agents.

# Models, read 2026-12-02 (scripts/offline/bedrock_models.json names the AWS pages): Claude Sonnet 5.5
# (large) and Claude Haiku 5.5 (small) are Active and run on demand only through an inference
# profile. global. profiles route to any commercial Region and cost about 10 % less than the
# geographic ones; for data residency use a us./eu. profile of the same model after checking it
# exists in your Region (aws bedrock get-inference-profile --inference-profile-identifier ...).

# Fallback models (Converse): the role's smaller model. Summary runs once per source: it always
# gets a small model.
fallback_model_ids = {
  search     = "global.anthropic.claude-haiku-5-5"
  summary    = "global.anthropic.claude-haiku-5-5"
  writer     = "global.anthropic.claude-haiku-5-5"
  reviser    = "global.anthropic.claude-haiku-5-5"
  compliance = "global.anthropic.claude-haiku-5-5"
}

# Agent models (priced by `make cost` and the Bedrock spend alarm). The pilot runs every role on
# the large model: it sets the quality bar the team and bu environments trade down from.
agent_model_ids = {
  search     = "global.anthropic.claude-sonnet-5-5"
  summary    = "global.anthropic.claude-sonnet-5-5"
  writer     = "global.anthropic.claude-sonnet-5-5"
  reviser    = "global.anthropic.claude-sonnet-5-5"
  compliance = "global.anthropic.claude-sonnet-5-5"
}

# Concurrency: each Map branch calls its model, so Map concurrency stays within the quota. The
# pre-review adds one compliance request per draft, never beside its own run's Map: a run's peak is unchanged.
bedrock_tps_quota   = 5
map_max_concurrency = 2

# The account's Bedrock quotas (Service Quotas) pilot is sized for: a workflow drew 19k tokens in its
# busiest minute from Sonnet 5.5, where every role runs (make load, tokens as the offline model counts
# them: a real model writes longer answers; re-measure with your usage); Haiku 5.5 serves the
# fallbacks. The stack cannot set quotas: request these in Service Quotas before you deploy.
bedrock_quotas = {
  "Cross-Region InvokeModel tokens per minute for Anthropic Claude Haiku 5.5"  = 50000
  "Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 5.5" = 100000
}

tolerated_failure_percentage = 25
approval_timeout_seconds     = 259200
approval_heartbeat_seconds   = 86400
approval_link_ttl_seconds    = 259200
# Approval links' endpoint, per route (GET opens, POST decides): past it API Gateway answers 429
# before the callback runs. At half reserved_concurrency.approval, a GET and a POST burst fit together.
approval_endpoint_throttle = { burst_limit = 1, rate_limit = 1 }
execution_timeout_seconds  = 604800
max_revisions              = 3

retry_max_attempts      = 4
retry_interval_seconds  = 2
retry_backoff_rate      = 2
retry_max_delay_seconds = 60
# A function at its reserved concurrency: a burst waits for a sandbox (make load).
lambda_throttle_max_attempts = 10

max_sources_limit        = 50
default_max_sources      = 8
search_cache_ttl_seconds = 86400

sfn_log_level              = "ALL"
sfn_include_execution_data = false
log_retention_in_days      = 30
powertools_log_level       = "INFO"

reserved_concurrency = {
  agent    = 4
  approval = 2
  control  = 2
}

point_in_time_recovery       = false
event_archive_retention_days = 7

alarm_thresholds = {
  executions_failed    = 1
  executions_timed_out = 1
  executions_throttled = 1
  lambda_errors        = 1
  approval_timeouts    = 1
  fallbacks            = 1
}

# Sizing (read by the cost model).
monthly_budget_usd  = 120
workflows_per_month = 100
sources_per_run     = 8

# State transitions of a typical run (make cost --json: transitions_per_run), for the dashboard.
transitions_per_execution = 36
