# Variable validations of the identity, Bedrock and workflow (state machine template) variables,
# and check.state_machine_arn. The runner runs this file with -var-file=../envs/pilot.tfvars: every
# failing run changes only what breaks its one rule and names that variable in expect_failures;
# `pilot_baseline_is_valid` is the control. The handler, operations and cost variables are in
# validation_operations.tftest.hcl.
#
# Why module.state_machine is overridden here: in a `command = plan` run a check whose condition is
# still unknown fails the run ("Check block assertion known after apply"), and a mock provider's
# computed values are unknown at plan on Terraform < 1.11 (and on 1.11 without override_during).
# check.state_machine_arn reads the state machine's computed ARN, so that module returns fixed,
# known outputs instead. Its own rules are tested in its module's suite and, applied, in the
# environment suites (pilot/team/bu.tftest.hcl).

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

run "name_of_one_character_is_refused" {
  command = plan

  variables {
    name = "r"
  }

  expect_failures = [var.name]
}

run "name_ending_in_a_hyphen_is_refused" {
  command = plan

  variables {
    name = "research-"
  }

  expect_failures = [var.name]
}

run "prefix_longer_than_38_characters_is_refused" {
  command = plan

  variables {
    name        = "research-report-platform-abcdef" # 31 characters
    environment = "sandbox"                         # prefix "<name>-<environment>": 39
  }

  expect_failures = [var.environment]
}

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

run "environment_with_a_hyphen_is_refused" {
  command = plan

  variables {
    environment = "pilot-2"
  }

  expect_failures = [var.environment]
}

run "aws_region_without_its_number_is_refused" {
  command = plan

  variables {
    aws_region = "us-east"
  }

  expect_failures = [var.aws_region]
}

run "empty_owner_is_refused" {
  command = plan

  variables {
    owner = ""
  }

  expect_failures = [var.owner]
}

run "tenant_with_a_space_is_refused" {
  command = plan

  variables {
    tenant = "acme corp"
  }

  expect_failures = [var.tenant]
}

run "workflow_version_that_is_not_semantic_is_refused" {
  command = plan

  variables {
    workflow_version = "1.0"
  }

  expect_failures = [var.workflow_version]
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

run "agent_ids_without_the_agents_classic_runtime_are_refused" {
  command = plan

  variables {
    bedrock_agents = {
      search  = { agent_id = "SEARCHAGNT", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
      reviser = { agent_id = "REVISERAGT", alias_id = "REVISERALI" }
    }
  }

  expect_failures = [var.bedrock_agents]
}

run "an_unknown_agent_runtime_is_refused" {
  command = plan

  variables {
    agent_runtime = "agentcore"
  }

  expect_failures = [var.agent_runtime]
}

run "a_tool_loop_bound_outside_2_to_50_model_calls_is_refused" {
  command = plan

  variables {
    max_agent_turns = 1
  }

  expect_failures = [var.max_agent_turns]
}

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

run "existing_agents_together_with_create_agents_are_refused" {
  command = plan

  variables {
    agent_runtime = "bedrock_agents"
    create_agents = true
    bedrock_agents = {
      search  = { agent_id = "SEARCHAGNT", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
      reviser = { agent_id = "REVISERAGT", alias_id = "REVISERALI" }
    }
    agent_model_ids = { for role in ["search", "summary", "writer", "reviser"] : role => "amazon.nova-pro-v1:0" }
  }

  expect_failures = [var.bedrock_agents]
}

run "neither_existing_nor_created_agents_are_refused" {
  command = plan

  variables {
    agent_runtime  = "bedrock_agents"
    bedrock_agents = null
  }

  expect_failures = [var.bedrock_agents]
}

run "existing_agents_without_the_reviser_are_refused" {
  command = plan

  variables {
    agent_runtime = "bedrock_agents"
    bedrock_agents = {
      search  = { agent_id = "SEARCHAGNT", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
    }
  }

  expect_failures = [var.bedrock_agents]
}

run "agent_id_in_lowercase_is_refused" {
  command = plan

  variables {
    agent_runtime = "bedrock_agents"
    bedrock_agents = {
      search  = { agent_id = "searchagnt", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
      reviser = { agent_id = "REVISERAGT", alias_id = "REVISERALI" }
    }
  }

  expect_failures = [var.bedrock_agents]
}

run "knowledge_base_id_of_seven_characters_is_refused" {
  command = plan

  variables {
    search_knowledge_base_id = "KB12345"
  }

  expect_failures = [var.search_knowledge_base_id]
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

run "fallback_models_without_the_reviser_are_refused" {
  command = plan

  variables {
    fallback_model_ids = {
      search  = "global.anthropic.claude-haiku-5-5"
      summary = "global.anthropic.claude-haiku-5-5"
      writer  = "global.anthropic.claude-haiku-5-5"
    }
  }

  expect_failures = [var.fallback_model_ids]
}

run "fallback_model_that_is_no_model_identifier_is_refused" {
  command = plan

  variables {
    fallback_model_ids = {
      search  = "Claude Haiku 5.5"
      summary = "global.anthropic.claude-haiku-5-5"
      writer  = "global.anthropic.claude-haiku-5-5"
      reviser = "global.anthropic.claude-haiku-5-5"
    }
  }

  expect_failures = [var.fallback_model_ids]
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

run "agent_models_with_an_extra_role_are_refused" {
  command = plan

  variables {
    agent_model_ids = {
      search  = "global.anthropic.claude-sonnet-5-5"
      summary = "global.anthropic.claude-sonnet-5-5"
      writer  = "global.anthropic.claude-sonnet-5-5"
      reviser = "global.anthropic.claude-sonnet-5-5"
      editor  = "global.anthropic.claude-sonnet-5-5"
    }
  }

  expect_failures = [var.agent_model_ids]
}

run "agent_model_that_is_no_model_identifier_is_refused" {
  command = plan

  variables {
    agent_model_ids = {
      search  = "global.anthropic.claude-sonnet-5-5"
      summary = "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ"
      writer  = "global.anthropic.claude-sonnet-5-5"
      reviser = "global.anthropic.claude-sonnet-5-5"
    }
  }

  expect_failures = [var.agent_model_ids]
}

run "agent_model_without_a_price_is_refused" {
  command = plan

  variables {
    agent_model_ids = {
      search  = "global.anthropic.claude-sonnet-5-5"
      summary = "amazon.titan-text-express-v1"
      writer  = "global.anthropic.claude-sonnet-5-5"
      reviser = "global.anthropic.claude-sonnet-5-5"
    }
  }

  expect_failures = [var.agent_model_ids]
}

# A negative price for a model no role uses: every agent model stays priced.
run "negative_token_price_is_refused" {
  command = plan

  variables {
    bedrock_token_prices_usd_per_1k = {
      "global.anthropic.claude-sonnet-5-5" = { input = 0.002, output = 0.01 }
      "global.anthropic.claude-haiku-5-5"  = { input = 0.0001, output = 0.0005 }
      "amazon.nova-micro-v1:0"             = { input = -0.000035, output = 0.00014 }
    }
  }

  expect_failures = [var.bedrock_token_prices_usd_per_1k]
}

# Logically map_max_concurrency (>= 1 and <= bedrock_tps_quota) implies this rule, so 0 also
# breaks map_max_concurrency <= bedrock_tps_quota; Terraform does not evaluate that rule while the
# quota it reads is itself invalid, so only the quota is reported.
run "bedrock_quota_below_one_is_refused" {
  command = plan

  variables {
    bedrock_tps_quota = 0
  }

  expect_failures = [var.bedrock_tps_quota]
}

# --- workflow: Map concurrency ------------------------------------------------------------

run "map_concurrency_of_zero_is_refused" {
  command = plan

  variables {
    map_max_concurrency = 0
  }

  expect_failures = [var.map_max_concurrency]
}

run "map_concurrency_above_forty_is_refused" {
  command = plan

  variables {
    map_max_concurrency  = 41
    bedrock_tps_quota    = 41
    reserved_concurrency = { agent = 41, approval = 2, control = 2 }
  }

  expect_failures = [var.map_max_concurrency]
}

run "fractional_map_concurrency_is_refused" {
  command = plan

  variables {
    map_max_concurrency = 2.5
  }

  expect_failures = [var.map_max_concurrency]
}

run "map_concurrency_above_the_bedrock_quota_is_refused" {
  command = plan

  variables {
    map_max_concurrency  = 6
    reserved_concurrency = { agent = 6, approval = 2, control = 2 }
  }

  expect_failures = [var.map_max_concurrency]
}

run "map_concurrency_of_forty_equal_to_the_quota_and_the_agent_reservation_is_accepted" {
  command = plan

  variables {
    map_max_concurrency  = 40
    bedrock_tps_quota    = 40
    reserved_concurrency = { agent = 40, approval = 2, control = 2 }
  }
}

run "failure_tolerance_above_100_percent_is_refused" {
  command = plan

  variables {
    tolerated_failure_percentage = 101
  }

  expect_failures = [var.tolerated_failure_percentage]
}

# --- workflow: approval and execution windows -----------------------------------------------

# Logically heartbeat (60 <= heartbeat <= timeout) implies this bound, so 59 also breaks
# approval_heartbeat_seconds <= approval_timeout_seconds (and the link TTL's); Terraform does not
# evaluate rules that read an invalid variable, so only the timeout is reported.
run "approval_timeout_below_a_minute_is_refused" {
  command = plan

  variables {
    approval_timeout_seconds = 59
  }

  expect_failures = [var.approval_timeout_seconds]
}

# Likewise execution_timeout_seconds (<= 31536000 and > approval_timeout_seconds) implies this bound.
run "approval_timeout_above_a_year_is_refused" {
  command = plan

  variables {
    approval_timeout_seconds = 31536001
  }

  expect_failures = [var.approval_timeout_seconds]
}

run "approval_heartbeat_below_a_minute_is_refused" {
  command = plan

  variables {
    approval_heartbeat_seconds = 59
  }

  expect_failures = [var.approval_heartbeat_seconds]
}

run "approval_heartbeat_longer_than_the_approval_timeout_is_refused" {
  command = plan

  variables {
    approval_heartbeat_seconds = 259201
  }

  expect_failures = [var.approval_heartbeat_seconds]
}

run "execution_timeout_above_a_year_is_refused" {
  command = plan

  variables {
    execution_timeout_seconds = 31536001
  }

  expect_failures = [var.execution_timeout_seconds]
}

run "execution_timeout_equal_to_the_approval_timeout_is_refused" {
  command = plan

  variables {
    execution_timeout_seconds = 259200
  }

  expect_failures = [var.execution_timeout_seconds]
}

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

run "more_than_ten_revisions_are_refused" {
  command = plan

  variables {
    max_revisions = 11
  }

  expect_failures = [var.max_revisions]
}

run "more_than_ten_retry_attempts_are_refused" {
  command = plan

  variables {
    retry_max_attempts = 11
  }

  expect_failures = [var.retry_max_attempts]
}

run "retry_interval_of_zero_is_refused" {
  command = plan

  variables {
    retry_interval_seconds = 0
  }

  expect_failures = [var.retry_interval_seconds]
}

run "retry_backoff_rate_below_one_is_refused" {
  command = plan

  variables {
    retry_backoff_rate = 0.5
  }

  expect_failures = [var.retry_backoff_rate]
}

run "retry_delay_cap_below_the_interval_is_refused" {
  command = plan

  variables {
    retry_max_delay_seconds = 1
  }

  expect_failures = [var.retry_max_delay_seconds]
}

run "retry_delay_cap_above_an_hour_is_refused" {
  command = plan

  variables {
    retry_max_delay_seconds = 3601
  }

  expect_failures = [var.retry_max_delay_seconds]
}

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

# A state machine whose real ARN differs from local.state_machine_arn (here another environment's).
# modules/event_bus refuses the same mismatch (its StartExecution target precondition), so the
# event bus returns fixed outputs in this run and only the root check reports it.
run "state_machine_arn_that_differs_from_the_computed_one_is_reported" {
  command = plan

  override_module {
    target = module.state_machine
    outputs = {
      arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-team"
      alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-team:live"
      role_arn       = "arn:aws:iam::123456789012:role/research-report-team-sfn-role"
      log_group_name = "/aws/vendedlogs/states/research-report-team"
    }
  }

  override_module {
    target = module.event_bus
    outputs = {
      bus_name = "research-report-pilot-events"
      bus_arn  = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-pilot-events"
      rule_arns = {
        workflow-requested = "arn:aws:events:us-east-1:123456789012:rule/research-report-pilot-events/workflow-requested"
        workflow-failed    = "arn:aws:events:us-east-1:123456789012:rule/research-report-pilot-events/workflow-failed"
      }
      dlq_name = "research-report-pilot-events-dlq"
    }
  }

  expect_failures = [check.state_machine_arn]
}

# The alias the module created is not the one the StartExecution role names (local.state_machine_alias_arn).
run "alias_arn_that_differs_from_the_computed_one_is_reported" {
  command = plan

  override_module {
    target = module.state_machine
    outputs = {
      arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot"
      alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot:blue"
      role_arn       = "arn:aws:iam::123456789012:role/research-report-pilot-sfn-role"
      log_group_name = "/aws/vendedlogs/states/research-report-pilot"
    }
  }

  override_module {
    target = module.event_bus
    outputs = {
      bus_name = "research-report-pilot-events"
      bus_arn  = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-pilot-events"
      rule_arns = {
        workflow-requested = "arn:aws:events:us-east-1:123456789012:rule/research-report-pilot-events/workflow-requested"
        workflow-failed    = "arn:aws:events:us-east-1:123456789012:rule/research-report-pilot-events/workflow-failed"
      }
      dlq_name = "research-report-pilot-events-dlq"
    }
  }

  expect_failures = [check.state_machine_arn]
}

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
