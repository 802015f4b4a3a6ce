# The values the root's variable validations accept, at and next to their bounds, planned with
# every module real: a module that refused what the root lets through would fail its run. The
# runner runs this file with -var-file=../envs/pilot.tfvars. Values that do not depend on each
# other share a run (a plan of the whole stack costs about 3 s): the upper bounds in one, the lower
# bounds in another, and the runs whose assertions need their own settings apart; a value refused
# names its variable in the run's error. The runs these rules refuse are in validation.tftest.hcl,
# where the modules return fixed outputs (see there why).
#
# module.state_machine is overridden here: in a `command = plan` run a check whose condition is
# still unknown fails the run, and check.state_machine_arn reads the state machine's computed ARN.
# Its own rules are tested in its module's suite and, applied, in the environment suites
# (pilot/team/bu.tftest.hcl).

mock_provider "aws" {
  source = "../tests/terraform/mocks"
}

# The pilot's computed ARN (local.state_machine_arn), so check.state_machine_arn and the
# StartExecution target precondition in modules/event_bus hold.
override_module {
  target = module.state_machine
  outputs = {
    arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot"
    alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot:live"
    role_arn       = "arn:aws:iam::123456789012:role/research-report-pilot-sfn-role"
    log_group_name = "/aws/vendedlogs/states/research-report-pilot"
  }
}

run "pilot_baseline_is_valid" {
  command = plan
}


run "upper_bounds_are_accepted" {
  command = plan

  variables {
    # A prefix of exactly 38 characters, within what the function names (59) and the bucket name
    # (63) leave, from the longest name (31 characters).
    name            = "research-report-platform-abcdef"
    environment     = "sandbo"
    max_agent_turns = 50
    # Every form Converse takes: a geographic and a global profile ID, an application profile ARN,
    # and a foundation model that runs on demand.
    fallback_model_ids = {
      search     = "us.anthropic.claude-haiku-5-5"
      summary    = "global.anthropic.claude-haiku-5-5"
      writer     = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
      reviser    = "amazon.nova-lite-v1:0"
      compliance = "amazon.nova-lite-v1:0"
    }
    # Map concurrency of forty, equal to the quota and the agent reservation.
    map_max_concurrency  = 40
    bedrock_tps_quota    = 40
    reserved_concurrency = { agent = 40, approval = 2, control = 2 }
    # An execution of a year, just longer than the approval.
    approval_timeout_seconds     = 31535999
    approval_link_ttl_seconds    = 31535999
    execution_timeout_seconds    = 31536000
    max_revisions                = 10
    tolerated_failure_percentage = 100
    retry_max_attempts           = 10
    retry_backoff_rate           = 10
    retry_interval_seconds       = 1
    retry_max_delay_seconds      = 3600
    lambda_throttle_max_attempts = 20
    max_sources_limit            = 500
    default_max_sources          = 500
    sources_per_run              = 500
    search_cache_ttl_seconds     = 2592000
    # The longest retentions and debug logging.
    log_retention_in_days                = 3653
    powertools_log_level                 = "DEBUG"
    sfn_log_level                        = "ERROR"
    artifact_intermediate_retention_days = 3653
    event_archive_retention_days         = 3653
  }

  # The state machine ARN follows the prefix.
  override_module {
    target = module.state_machine
    outputs = {
      arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-platform-abcdef-sandbo"
      alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-platform-abcdef-sandbo:live"
      role_arn       = "arn:aws:iam::123456789012:role/research-report-platform-abcdef-sandbo-sfn-role"
      log_group_name = "/aws/vendedlogs/states/research-report-platform-abcdef-sandbo"
    }
  }
  assert {
    condition     = alltrue([for f in values(module.functions) : f.architecture == "arm64"]) && endswith(local.powertools_layer_arn, "-python312-arm64:27")
    error_message = "By default every function runs on arm64 with the arm64 Powertools layer."
  }
}

run "lower_bounds_are_accepted" {
  command = plan

  variables {
    # A two-character identity, a GovCloud Region and a pre-release version.
    name             = "rr"
    environment      = "qa"
    aws_region       = "us-gov-west-1"
    workflow_version = "v1.2.3-rc.1"
    tenant           = "acme-corp-eu-1"
    # The shortest windows, the heartbeat and the link equal to the approval timeout.
    approval_timeout_seconds   = 60
    approval_heartbeat_seconds = 60
    approval_link_ttl_seconds  = 60
    execution_timeout_seconds  = 300
    # No retries, no revisions, no tolerance and a constant interval.
    max_revisions                = 0
    tolerated_failure_percentage = 0
    retry_max_attempts           = 0
    retry_backoff_rate           = 1
    retry_interval_seconds       = 300
    retry_max_delay_seconds      = 300
    lambda_throttle_max_attempts = 0
    # A single source and no search cache.
    max_sources_limit        = 1
    default_max_sources      = 1
    sources_per_run          = 1
    search_cache_ttl_seconds = 0
    # The smallest reservations, retentions and layer version.
    map_max_concurrency                  = 1
    reserved_concurrency                 = { agent = 1, approval = 1, control = 1 }
    approval_endpoint_throttle           = { burst_limit = 1, rate_limit = 1 }
    log_retention_in_days                = 1
    artifact_intermediate_retention_days = 1
    artifact_noncurrent_version_days     = 1
    event_archive_retention_days         = 1
    powertools_layer_version             = 1
    approval_callback_auth_type          = "AWS_IAM"
    # The smallest budget and sizing.
    monthly_budget_usd        = 0.01
    workflows_per_month       = 1
    transitions_per_execution = 0
  }

  # The state machine ARN follows the prefix.
  override_module {
    target = module.state_machine
    outputs = {
      arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:rr-qa"
      alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:rr-qa:live"
      role_arn       = "arn:aws:iam::123456789012:role/rr-qa-sfn-role"
      log_group_name = "/aws/vendedlogs/states/rr-qa"
    }
  }
}

# The longest name with the pilot environment: a 37-character prefix. On Agents Classic each
# function invokes its own agent alias and runs only its fallback model itself; a geographic
# fallback profile: the mock answers as GetInferenceProfile does for us. (the model in each of its
# three destination Regions, no Region-less ARN); a model that runs on demand needs no profile.
run "existing_agents_on_the_agents_classic_runtime_with_a_geographic_fallback_are_accepted" {
  command = plan

  variables {
    name          = "research-report-abcdefghijklmno"
    agent_runtime = "bedrock_agents"
    bedrock_agents = {
      search  = { agent_id = "SEARCHAGNT", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
      reviser = { agent_id = "REVISERAGT", alias_id = "REVISERALI" }
    }
    fallback_model_ids = {
      search     = "us.anthropic.claude-haiku-5-5"
      summary    = "us.anthropic.claude-haiku-5-5"
      writer     = "us.anthropic.claude-haiku-5-5"
      reviser    = "amazon.nova-lite-v1:0"
      compliance = "amazon.nova-lite-v1:0"
    }
  }

  # The state machine ARN follows the prefix.
  override_module {
    target = module.state_machine
    outputs = {
      arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-abcdefghijklmno-pilot"
      alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-abcdefghijklmno-pilot:live"
      role_arn       = "arn:aws:iam::123456789012:role/research-report-abcdefghijklmno-pilot-sfn-role"
      log_group_name = "/aws/vendedlogs/states/research-report-abcdefghijklmno-pilot"
    }
  }
  assert {
    condition     = local.agent_environment["agent_writer"].AGENT_ID == "WRITERAGNT" && contains([for s in local.agent_statements["agent_writer"] : s.sid], "InvokeOwnAgent")
    error_message = "With Agents Classic each function invokes its own agent alias."
  }
  assert {
    condition     = [for s in local.model_statements["writer"] : s.sid] == ["InvokeFallbackProfile", "InvokeFallbackModelThroughProfile"]
    error_message = "With Agents Classic the function runs only its fallback model itself."
  }
  assert {
    condition = toset(one([for s in local.model_statements["search"] : s.resources if s.sid == "InvokeFallbackModelThroughProfile"])) == toset([
      for region in ["us-east-1", "us-east-2", "us-west-2"] : "arn:aws:bedrock:${region}::foundation-model/anthropic.claude-haiku-5-5"
    ])
    error_message = "A us. profile's model statement names the model in each destination Region, and no Region-less ARN."
  }
  assert {
    condition     = jsonencode([for s in local.model_statements["reviser"] : s if s.sid == "InvokeFallbackModel"]) == jsonencode([{ sid = "InvokeFallbackModel", actions = ["bedrock:InvokeModel"], resources = ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"], conditions = [] }])
    error_message = "A model that runs on demand is invoked on its own foundation-model ARN, unconditioned."
  }
}

# The other way to get agents: modules/bedrock_agents creates them, with a knowledge base; and the
# other architecture, which reaches every function and picks its Powertools layer.
run "created_agents_with_a_knowledge_base_on_x86_64_are_accepted" {
  command = plan

  variables {
    agent_runtime            = "bedrock_agents"
    create_agents            = true
    bedrock_agents           = null
    search_knowledge_base_id = "KB12345678"
    # modules/bedrock_agents takes foundation model IDs that run on demand, not inference profiles.
    agent_model_ids     = { for role in ["search", "summary", "writer", "reviser", "compliance"] : role => "amazon.nova-pro-v1:0" }
    lambda_architecture = "x86_64"
  }

  assert {
    condition = alltrue([
      for f in concat(values(module.functions), [module.approval_callback]) : f.architecture == "x86_64"
    ])
    error_message = "lambda_architecture reaches every function."
  }
  assert {
    condition     = endswith(local.powertools_layer_arn, ":layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:27")
    error_message = "The Powertools layer is the one built for lambda_architecture."
  }
}
