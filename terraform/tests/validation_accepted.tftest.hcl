# The values the root's variable validations accept, at and next to their bounds, planned with
# every module real: a module that refused what the root lets through would fail its run. The
# runner runs this file with -var-file=../envs/pilot.tfvars; each run changes only the variables
# it names. The runs these rules refuse are in validation.tftest.hcl and
# validation_operations.tftest.hcl, where the modules return fixed outputs (see there why).
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

# --- identity ---------------------------------------------------------------------------

run "prefix_of_exactly_38_characters_is_valid" {
  command = plan

  variables {
    name        = "research-report-platform-abcdef"
    environment = "sandbo"
  }

  override_module {
    target = module.state_machine
    outputs = {
      arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-platform-abcdef-sandbo"
      alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-platform-abcdef-sandbo:live"
      role_arn       = "arn:aws:iam::123456789012:role/research-report-platform-abcdef-sandbo-sfn-role"
      log_group_name = "/aws/vendedlogs/states/research-report-platform-abcdef-sandbo"
    }
  }
}

# Longest name (31 characters) with the pilot environment: 37-character prefix, within what the
# function names (59) and the bucket name (63) leave. The state machine ARN follows the prefix.
run "longest_name_is_accepted" {
  command = plan

  variables {
    name = "research-report-abcdefghijklmno"
  }

  override_module {
    target = module.state_machine
    outputs = {
      arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-abcdefghijklmno-pilot"
      alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-abcdefghijklmno-pilot:live"
      role_arn       = "arn:aws:iam::123456789012:role/research-report-abcdefghijklmno-pilot-sfn-role"
      log_group_name = "/aws/vendedlogs/states/research-report-abcdefghijklmno-pilot"
    }
  }
}

run "two_character_identity_govcloud_region_and_prerelease_version_are_accepted" {
  command = plan

  variables {
    name             = "rr"
    environment      = "qa"
    aws_region       = "us-gov-west-1"
    workflow_version = "v1.2.3-rc.1"
    tenant           = "acme_corp.eu-1"
  }

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

# --- Bedrock ----------------------------------------------------------------------------

run "a_tool_loop_bound_of_50_model_calls_is_accepted" {
  command = plan

  variables {
    max_agent_turns = 50
  }
}

run "existing_agents_on_the_agents_classic_runtime_are_accepted" {
  command = plan

  variables {
    agent_runtime = "bedrock_agents"
    bedrock_agents = {
      search  = { agent_id = "SEARCHAGNT", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
      reviser = { agent_id = "REVISERAGT", alias_id = "REVISERALI" }
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
}

# The other way to get agents: modules/bedrock_agents creates them, with a knowledge base.
run "created_agents_with_a_knowledge_base_are_accepted" {
  command = plan

  variables {
    agent_runtime            = "bedrock_agents"
    create_agents            = true
    bedrock_agents           = null
    search_knowledge_base_id = "KB12345678"
    # modules/bedrock_agents takes foundation model IDs that run on demand, not inference profiles.
    agent_model_ids = { for role in ["search", "summary", "writer", "reviser"] : role => "amazon.nova-pro-v1:0" }
  }
}

# Every form Converse takes: a geographic and a global profile ID, an application profile ARN, and
# a foundation model that runs on demand.
run "fallback_models_by_profile_id_profile_arn_or_model_id_are_accepted" {
  command = plan

  variables {
    fallback_model_ids = {
      search  = "us.anthropic.claude-haiku-5-5"
      summary = "global.anthropic.claude-haiku-5-5"
      writer  = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
      reviser = "amazon.nova-lite-v1:0"
    }
  }
}

# --- workflow: Map concurrency ------------------------------------------------------------

run "map_concurrency_of_forty_equal_to_the_quota_and_the_agent_reservation_is_accepted" {
  command = plan

  variables {
    map_max_concurrency  = 40
    bedrock_tps_quota    = 40
    reserved_concurrency = { agent = 40, approval = 2, control = 2 }
  }
}

# --- workflow: approval and execution windows -----------------------------------------------

run "shortest_windows_with_heartbeat_and_link_equal_to_the_approval_timeout_are_accepted" {
  command = plan

  variables {
    approval_timeout_seconds   = 60
    approval_heartbeat_seconds = 60
    approval_link_ttl_seconds  = 60
    execution_timeout_seconds  = 300
  }
}

run "execution_of_a_year_just_longer_than_the_approval_is_accepted" {
  command = plan

  variables {
    approval_timeout_seconds  = 31535999
    execution_timeout_seconds = 31536000
  }
}

# --- workflow: revisions and retries ----------------------------------------------------------

run "no_retries_no_revisions_no_tolerance_and_a_constant_interval_are_accepted" {
  command = plan

  variables {
    max_revisions                = 0
    tolerated_failure_percentage = 0
    retry_max_attempts           = 0
    retry_backoff_rate           = 1
    retry_interval_seconds       = 300
    retry_max_delay_seconds      = 300
  }
}

run "upper_bounds_of_revisions_retries_and_tolerance_are_accepted" {
  command = plan

  variables {
    max_revisions                = 10
    tolerated_failure_percentage = 100
    retry_max_attempts           = 10
    retry_backoff_rate           = 10
    retry_interval_seconds       = 1
    retry_max_delay_seconds      = 3600
  }
}

# --- checks -----------------------------------------------------------------------------------

# A geographic profile: the mock answers as GetInferenceProfile does for us. (the model in each of
# its three destination Regions, no Region-less ARN); a model that runs on demand needs no profile.
run "a_geographic_profile_grants_each_destination_region_and_an_on_demand_model_its_own_arn" {
  command = plan

  variables {
    fallback_model_ids = {
      search  = "us.anthropic.claude-haiku-5-5"
      summary = "us.anthropic.claude-haiku-5-5"
      writer  = "us.anthropic.claude-haiku-5-5"
      reviser = "amazon.nova-lite-v1:0"
    }
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

# --- handler configuration ----------------------------------------------------------------------

run "sources_at_a_limit_of_500_are_accepted" {
  command = plan

  variables {
    max_sources_limit        = 500
    default_max_sources      = 500
    sources_per_run          = 500
    search_cache_ttl_seconds = 2592000
  }
}

run "single_source_and_no_search_cache_are_accepted" {
  command = plan

  variables {
    max_sources_limit        = 1
    default_max_sources      = 1
    sources_per_run          = 1
    search_cache_ttl_seconds = 0
  }
}

# --- operations -----------------------------------------------------------------------------------

run "functions_run_on_arm64_by_default" {
  command = plan

  assert {
    condition     = alltrue([for f in values(module.functions) : f.architecture == "arm64"]) && endswith(local.powertools_layer_arn, "-python312-arm64:27")
    error_message = "By default every function runs on arm64 with the arm64 Powertools layer."
  }
}

run "every_function_runs_on_lambda_architecture_with_the_powertools_layer_built_for_it" {
  command = plan

  variables {
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

run "longest_retention_and_debug_logging_are_accepted" {
  command = plan

  variables {
    log_retention_in_days                = 3653
    powertools_log_level                 = "DEBUG"
    sfn_log_level                        = "ERROR"
    artifact_intermediate_retention_days = 3653
    event_archive_retention_days         = 3653
  }
}

run "smallest_reservations_retentions_and_layer_version_are_accepted" {
  command = plan

  variables {
    map_max_concurrency                  = 1
    reserved_concurrency                 = { agent = 1, approval = 1, control = 1 }
    log_retention_in_days                = 1
    artifact_intermediate_retention_days = 1
    artifact_noncurrent_version_days     = 1
    event_archive_retention_days         = 1
    powertools_layer_version             = 1
    approval_callback_auth_type          = "AWS_IAM"
  }
}

# --- cost and sizing --------------------------------------------------------------------------------

run "smallest_budget_and_sizing_are_accepted" {
  command = plan

  variables {
    monthly_budget_usd        = 0.01
    workflows_per_month       = 1
    transitions_per_execution = 0
    sources_per_run           = 1
  }
}
