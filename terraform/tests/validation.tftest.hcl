# Variable validations of the identity, Bedrock and workflow (state machine template) variables,
# and check.state_machine_arn: the runs they refuse. The runner runs this file with
# -var-file=../envs/pilot.tfvars: every failing run changes only what breaks its one rule and names
# that variable in expect_failures; `pilot_baseline_is_valid` is the control, here with the modules'
# fixed outputs below. The values these rules accept are planned with every module real in
# validation_accepted.tftest.hcl; the handler, operations and cost variables are in
# validation_operations.tftest.hcl.
#
# Why the modules are overridden: each rule under test lives in the root and reads no module, yet
# a plan of the whole stack takes seconds per run. And in a `command = plan` run a check whose
# condition is still unknown fails the run ("Check block assertion known after apply"): a mock
# provider's computed values are unknown at plan on Terraform < 1.11 (and on 1.11 without
# override_during), and check.state_machine_arn reads the state machine's computed ARN.

mock_provider "aws" {
  source = "../tests/terraform/mocks"
}

# Every module returns fixed outputs, shaped as it returns them for the pilot (ARNs, names, IAM
# statements), so a run plans the root alone: its variables' validations, its locals and
# check.state_machine_arn, which read no module's rules. The modules' own validations and
# conditions are not evaluated here; they are proven by their modules' suites, by the accepted
# runs of validation_accepted.tftest.hcl (every module real) and by the environment suites.
# Every instance of module.functions returns the same outputs.
override_module {
  target = module.state_machine
  outputs = {
    arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot"
    alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot:live"
    role_arn       = "arn:aws:iam::123456789012:role/research-report-pilot-sfn-role"
    log_group_name = "/aws/vendedlogs/states/research-report-pilot"
  }
}

override_module {
  target = module.functions
  outputs = {
    function_name = "research-report-pilot-agent_search"
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:research-report-pilot-agent_search"
    role_arn      = "arn:aws:iam::123456789012:role/research-report-pilot-agent_search-role"
    architecture  = "arm64"
  }
}

override_module {
  target = module.approval_callback
  outputs = {
    function_name = "research-report-pilot-approval_callback"
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:research-report-pilot-approval_callback"
    role_arn      = "arn:aws:iam::123456789012:role/research-report-pilot-approval_callback-role"
    architecture  = "arm64"
  }
}

override_module {
  target = module.code_bucket
  outputs = {
    bucket_name = "research-report-pilot-code-123456789012"
    bucket_arn  = "arn:aws:s3:::research-report-pilot-code-123456789012"
  }
}

override_module {
  target = module.artifact_bucket
  outputs = {
    bucket_name = "research-report-pilot-artifacts-123456789012"
    bucket_arn  = "arn:aws:s3:::research-report-pilot-artifacts-123456789012"
  }
}

override_module {
  target = module.workflow_store
  outputs = {
    workflow_table_name     = "research-report-pilot-workflow"
    workflow_table_arn      = "arn:aws:dynamodb:us-east-1:123456789012:table/research-report-pilot-workflow"
    search_cache_table_name = "research-report-pilot-search-cache"
    search_cache_table_arn  = "arn:aws:dynamodb:us-east-1:123456789012:table/research-report-pilot-search-cache"
  }
}

override_module {
  target = module.document_library
  outputs = {
    bucket_name           = "research-report-pilot-library-123456789012"
    bucket_arn            = "arn:aws:s3:::research-report-pilot-library-123456789012"
    index_key             = "index/library-index.json"
    indexer_function_name = "research-report-pilot-document_indexer"
    rule_arn              = "arn:aws:events:us-east-1:123456789012:rule/research-report-pilot-library-changed"
    reader_policy_statements = [
      {
        sid        = "ReadLibraryIndex"
        actions    = ["s3:GetObject"]
        resources  = ["arn:aws:s3:::research-report-pilot-library-123456789012/index/library-index.json"]
        conditions = []
      },
      {
        sid        = "SeeMissingLibraryIndex"
        actions    = ["s3:ListBucket"]
        resources  = ["arn:aws:s3:::research-report-pilot-library-123456789012"]
        conditions = []
      },
      {
        sid        = "DecryptLibraryIndex"
        actions    = ["kms:Decrypt"]
        resources  = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
        conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = ["s3.us-east-1.amazonaws.com"] }]
      },
    ]
  }
}

override_module {
  target = module.approvals
  outputs = {
    topic_arn                      = "arn:aws:sns:us-east-1:123456789012:research-report-pilot-approvals"
    signing_secret_arn             = "arn:aws:secretsmanager:us-east-1:123456789012:secret:research-report-pilot/approval-signing-key-AbCdEf"
    callback_url                   = "https://mockapi012.execute-api.us-east-1.amazonaws.com/"
    callback_access_log_group_name = "/aws/apigateway/research-report-pilot-approval-callback"
    approval_request_policy_statements = [
      {
        sid        = "PublishApprovalRequest"
        actions    = ["sns:Publish"]
        resources  = ["arn:aws:sns:us-east-1:123456789012:research-report-pilot-approvals"]
        conditions = []
      },
      {
        sid        = "ReadSigningKey"
        actions    = ["secretsmanager:GetSecretValue"]
        resources  = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:research-report-pilot/approval-signing-key-AbCdEf"]
        conditions = []
      },
      {
        sid        = "RecordApproval"
        actions    = ["dynamodb:PutItem"]
        resources  = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-pilot-workflow"]
        conditions = []
      },
      {
        sid        = "EmitApprovalRequested"
        actions    = ["events:PutEvents"]
        resources  = ["arn:aws:events:us-east-1:123456789012:event-bus/research-report-pilot-events"]
        conditions = []
      },
      {
        sid        = "UseApprovalKey"
        actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
        resources  = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
        conditions = []
      },
    ]
    approval_callback_policy_statements = [
      {
        sid        = "ReadSigningKey"
        actions    = ["secretsmanager:GetSecretValue"]
        resources  = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:research-report-pilot/approval-signing-key-AbCdEf"]
        conditions = []
      },
      {
        sid        = "ReadAndDecideApproval"
        actions    = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
        resources  = ["arn:aws:dynamodb:us-east-1:123456789012:table/research-report-pilot-workflow"]
        conditions = []
      },
      {
        sid        = "AnswerApprovalTask"
        actions    = ["states:SendTaskSuccess", "states:SendTaskHeartbeat"]
        resources  = ["arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot"]
        conditions = []
      },
      {
        sid        = "DecryptSigningKey"
        actions    = ["kms:Decrypt"]
        resources  = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
        conditions = []
      },
    ]
  }
}

override_module {
  target = module.event_bus
  outputs = {
    bus_name = "research-report-pilot-events"
    bus_arn  = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-pilot-events"
    rule_arns = {
      workflow-requested = "arn:aws:events:us-east-1:123456789012:rule/research-report-pilot-events/research-report-pilot-events-workflow-requested"
      workflow-failed    = "arn:aws:events:us-east-1:123456789012:rule/research-report-pilot-events/research-report-pilot-events-workflow-failed"
    }
    dlq_name = "research-report-pilot-events-dlq"
  }
}

override_module {
  target = module.monitoring
  outputs = {
    ops_topic_arn  = "arn:aws:sns:us-east-1:123456789012:research-report-pilot-ops"
    dashboard_name = "research-report-pilot"
  }
}

override_module {
  target = module.budget
  outputs = {
    budget_name = "research-report-pilot"
    budget_arn  = "arn:aws:budgets::123456789012:budget/research-report-pilot"
  }
}

# Only with agent_runtime = bedrock_agents and create_agents (the agents modules/bedrock_agents creates).
override_module {
  target = module.bedrock_agents
  outputs = {
    agents = {
      search  = { agent_id = "SEARCHAGNT", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
      reviser = { agent_id = "REVISERAGT", alias_id = "REVISERALI" }
    }
    alias_arns = {
      search  = "arn:aws:bedrock:us-east-1:123456789012:agent-alias/SEARCHAGNT/SEARCHALIA"
      summary = "arn:aws:bedrock:us-east-1:123456789012:agent-alias/SUMMARYAGT/SUMMARYALI"
      writer  = "arn:aws:bedrock:us-east-1:123456789012:agent-alias/WRITERAGNT/WRITERALIA"
      reviser = "arn:aws:bedrock:us-east-1:123456789012:agent-alias/REVISERAGT/REVISERALI"
    }
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

# Priced, so that only the identifier rule refuses it (the price rule reads the same variable).
run "agent_model_that_is_no_model_identifier_is_refused" {
  command = plan

  variables {
    agent_model_ids = {
      search  = "global.anthropic.claude-sonnet-5-5"
      summary = "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ"
      writer  = "global.anthropic.claude-sonnet-5-5"
      reviser = "global.anthropic.claude-sonnet-5-5"
    }
    bedrock_token_prices_usd_per_1k = {
      "global.anthropic.claude-sonnet-5-5"                      = { input = 0.002, output = 0.01 }
      "global.anthropic.claude-haiku-5-5"                       = { input = 0.0001, output = 0.0005 }
      "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ" = { input = 0.002, output = 0.01 }
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

# --- checks -----------------------------------------------------------------------------------

# A state machine whose real ARN differs from local.state_machine_arn (here another environment's),
# its alias still the computed one: only the first assertion fails, so the run needs it.
# modules/event_bus refuses such a mismatch (its StartExecution target precondition); its fixed
# outputs above keep it out, so only the root check reports it.
run "state_machine_arn_that_differs_from_the_computed_one_is_reported" {
  command = plan

  override_module {
    target = module.state_machine
    outputs = {
      arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-team"
      alias_arn      = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot:live"
      role_arn       = "arn:aws:iam::123456789012:role/research-report-team-sfn-role"
      log_group_name = "/aws/vendedlogs/states/research-report-team"
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

  expect_failures = [check.state_machine_arn]
}
