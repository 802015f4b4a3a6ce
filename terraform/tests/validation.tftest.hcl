# Variable validations of the root and check.state_machine_arn: the values they refuse. The
# runner runs this file with -var-file=../envs/pilot.tfvars; `pilot_baseline_is_valid` is the
# control, here with the modules' fixed outputs below. The values these rules accept are planned
# with every module real in validation_accepted.tftest.hcl.
#
# Each `refused_values_*` run sets, for many variables at once, a value that breaks exactly one
# rule of that variable (the comment beside it says which) and names every such variable in
# expect_failures: the run passes only if every one of them is refused, so deleting any one rule
# fails the run that holds its value (`make tf-mutate` checks this). A variable with several rules
# has one value per rule, in different runs. A plan of the root costs about 1.5 s, so one run per
# value (88 of them) took more than a minute and a half of `make test`.
#
# Terraform does not evaluate a rule that reads another variable while that variable is invalid or
# its own rules were not evaluated, so a refused value never shares a run with a refused value of a
# variable its rules read, directly or through another (reserved_concurrency's rules are skipped
# while bedrock_tps_quota is invalid, because map_max_concurrency's are):
# environment reads name; bedrock_agents reads agent_runtime and create_agents; agent_model_ids
# reads bedrock_token_prices_usd_per_1k; map_max_concurrency reads bedrock_tps_quota;
# reserved_concurrency reads map_max_concurrency; approval_endpoint_throttle reads
# reserved_concurrency; approval_heartbeat_seconds, execution_timeout_seconds and
# approval_link_ttl_seconds read approval_timeout_seconds; retry_max_delay_seconds reads
# retry_interval_seconds; default_max_sources and sources_per_run read max_sources_limit.
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

run "refused_values_1" {
  command = plan

  variables {
    name       = "r"       # one character
    aws_region = "us-east" # a Region without its number
    # Agent IDs, but the runtime is Converse (not the Agents Classic runtime).
    bedrock_agents = {
      search  = { agent_id = "SEARCHAGNT", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
      reviser = { agent_id = "REVISERAGT", alias_id = "REVISERALI" }
    }
    # An extra role beside the five.
    agent_model_ids = {
      search     = "global.anthropic.claude-sonnet-5-5"
      summary    = "global.anthropic.claude-sonnet-5-5"
      writer     = "global.anthropic.claude-sonnet-5-5"
      reviser    = "global.anthropic.claude-sonnet-5-5"
      editor     = "global.anthropic.claude-sonnet-5-5"
      compliance = "global.anthropic.claude-sonnet-5-5"
    }
    # Without the reviser.
    fallback_model_ids = {
      search     = "global.anthropic.claude-haiku-5-5"
      summary    = "global.anthropic.claude-haiku-5-5"
      writer     = "global.anthropic.claude-haiku-5-5"
      compliance = "global.anthropic.claude-haiku-5-5"
    }
    search_knowledge_base_id = "KB12345" # seven characters
    # Logically map_max_concurrency (>= 1 and <= bedrock_tps_quota) implies this rule, so 0 also
    # breaks map_max_concurrency <= bedrock_tps_quota; that rule is not evaluated while the quota
    # it reads is invalid, so only the quota is reported.
    bedrock_tps_quota            = 0
    tolerated_failure_percentage = 101
    # Logically heartbeat (60 <= heartbeat <= timeout) implies this bound, so 59 also breaks the
    # heartbeat's and the link TTL's; only the timeout is reported.
    approval_timeout_seconds             = 59
    max_revisions                        = 11
    retry_max_attempts                   = 11
    retry_backoff_rate                   = 0.5 # below one
    retry_max_delay_seconds              = 1   # a cap below the interval
    lambda_throttle_max_attempts         = 21
    max_sources_limit                    = 501
    search_cache_ttl_seconds             = 2592001 # above 30 days
    sfn_log_level                        = "FATAL"
    log_retention_in_days                = 31 # a retention CloudWatch does not offer
    artifact_intermediate_retention_days = 0
    monthly_budget_usd                   = 0
  }

  expect_failures = [
    var.name,
    var.aws_region,
    var.bedrock_agents,
    var.agent_model_ids,
    var.fallback_model_ids,
    var.search_knowledge_base_id,
    var.bedrock_tps_quota,
    var.tolerated_failure_percentage,
    var.approval_timeout_seconds,
    var.max_revisions,
    var.retry_max_attempts,
    var.retry_backoff_rate,
    var.retry_max_delay_seconds,
    var.lambda_throttle_max_attempts,
    var.max_sources_limit,
    var.search_cache_ttl_seconds,
    var.sfn_log_level,
    var.log_retention_in_days,
    var.artifact_intermediate_retention_days,
    var.monthly_budget_usd,
  ]
}

run "refused_values_2" {
  command = plan

  variables {
    name  = "research-" # ending in a hyphen
    owner = ""
    # Existing agents together with create_agents.
    agent_runtime = "bedrock_agents"
    create_agents = true
    bedrock_agents = {
      search  = { agent_id = "SEARCHAGNT", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
      reviser = { agent_id = "REVISERAGT", alias_id = "REVISERALI" }
    }
    agent_model_ids = { for role in ["search", "summary", "writer", "reviser", "compliance"] : role => "amazon.nova-pro-v1:0" }
    # A fallback that is no model identifier.
    fallback_model_ids = {
      search     = "Claude Haiku 5.5"
      summary    = "global.anthropic.claude-haiku-5-5"
      writer     = "global.anthropic.claude-haiku-5-5"
      reviser    = "global.anthropic.claude-haiku-5-5"
      compliance = "global.anthropic.claude-haiku-5-5"
    }
    max_agent_turns            = 1 # a tool loop bound outside 2 to 50 model calls
    map_max_concurrency        = 0
    approval_heartbeat_seconds = 59       # below a minute
    execution_timeout_seconds  = 31536001 # above a year
    retry_interval_seconds     = 0
    default_max_sources        = 51 # above the pilot's limit of 50
    approval_link_ttl_seconds  = 59 # below a minute
    # WARN is Lambda's spelling; Powertools (and this variable) say WARNING.
    powertools_log_level             = "WARN"
    artifact_noncurrent_version_days = 0
    workflows_per_month              = 0
  }

  expect_failures = [
    var.name,
    var.owner,
    var.bedrock_agents,
    var.fallback_model_ids,
    var.max_agent_turns,
    var.map_max_concurrency,
    var.approval_heartbeat_seconds,
    var.execution_timeout_seconds,
    var.retry_interval_seconds,
    var.default_max_sources,
    var.approval_link_ttl_seconds,
    var.powertools_log_level,
    var.artifact_noncurrent_version_days,
    var.workflows_per_month,
  ]
}

run "refused_values_3" {
  command = plan

  variables {
    name        = "research-report-platform-abcdef" # 31 characters, valid
    environment = "sandbox"                         # prefix "<name>-<environment>": 39 characters
    tenant      = "acme corp"                       # with a space
    # Neither existing nor created agents on the Agents Classic runtime.
    agent_runtime  = "bedrock_agents"
    bedrock_agents = null
    # Priced, so that only the identifier rule refuses it (the price rule reads the same variable).
    agent_model_ids = {
      search     = "global.anthropic.claude-sonnet-5-5"
      summary    = "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ"
      writer     = "global.anthropic.claude-sonnet-5-5"
      reviser    = "global.anthropic.claude-sonnet-5-5"
      compliance = "global.anthropic.claude-sonnet-5-5"
    }
    bedrock_token_prices_usd_per_1k = {
      "global.anthropic.claude-sonnet-5-5"                      = { input = 0.002, output = 0.01 }
      "global.anthropic.claude-haiku-5-5"                       = { input = 0.0001, output = 0.0005 }
      "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ" = { input = 0.002, output = 0.01 }
    }
    # Above forty, with a quota and an agent reservation that would allow it.
    map_max_concurrency          = 41
    bedrock_tps_quota            = 41
    reserved_concurrency         = { agent = 41, approval = 2, control = 2 }
    approval_heartbeat_seconds   = 259201 # longer than the approval timeout (259200)
    execution_timeout_seconds    = 259200 # equal to the approval timeout
    retry_max_delay_seconds      = 3601   # above an hour
    default_max_sources          = 0
    approval_link_ttl_seconds    = 259201 # outliving the approval task
    event_archive_retention_days = 0      # kept forever
    alarm_thresholds = {
      executions_failed    = 1
      executions_timed_out = 1
      executions_throttled = 1
      lambda_errors        = 0
      approval_timeouts    = 1
      fallbacks            = 1
    }
    approval_callback_auth_type = "aws_iam" # in lowercase
    transitions_per_execution   = -1
  }

  expect_failures = [
    var.environment,
    var.tenant,
    var.bedrock_agents,
    var.agent_model_ids,
    var.map_max_concurrency,
    var.approval_heartbeat_seconds,
    var.execution_timeout_seconds,
    var.retry_max_delay_seconds,
    var.default_max_sources,
    var.approval_link_ttl_seconds,
    var.event_archive_retention_days,
    var.alarm_thresholds,
    var.approval_callback_auth_type,
    var.transitions_per_execution,
  ]
}

run "refused_values_4" {
  command = plan

  variables {
    environment      = "pilot-2" # with a hyphen
    workflow_version = "1.0"     # not semantic
    # Existing agents without the reviser.
    agent_runtime = "bedrock_agents"
    bedrock_agents = {
      search  = { agent_id = "SEARCHAGNT", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
    }
    # A model without a price.
    agent_model_ids = {
      search     = "global.anthropic.claude-sonnet-5-5"
      summary    = "amazon.titan-text-express-v1"
      writer     = "global.anthropic.claude-sonnet-5-5"
      reviser    = "global.anthropic.claude-sonnet-5-5"
      compliance = "global.anthropic.claude-sonnet-5-5"
    }
    map_max_concurrency      = 2.5
    powertools_layer_version = 0
    lambda_architecture      = "amd64" # neither arm64 nor x86_64
  }

  expect_failures = [
    var.environment,
    var.workflow_version,
    var.bedrock_agents,
    var.agent_model_ids,
    var.map_max_concurrency,
    var.powertools_layer_version,
    var.lambda_architecture,
  ]
}

run "refused_values_5" {
  command = plan

  variables {
    # An agent ID in lowercase.
    agent_runtime = "bedrock_agents"
    bedrock_agents = {
      search  = { agent_id = "searchagnt", alias_id = "SEARCHALIA" }
      summary = { agent_id = "SUMMARYAGT", alias_id = "SUMMARYALI" }
      writer  = { agent_id = "WRITERAGNT", alias_id = "WRITERALIA" }
      reviser = { agent_id = "REVISERAGT", alias_id = "REVISERALI" }
    }
    # A negative price for a model no role uses: every agent model stays priced.
    bedrock_token_prices_usd_per_1k = {
      "global.anthropic.claude-sonnet-5-5" = { input = 0.002, output = 0.01 }
      "global.anthropic.claude-haiku-5-5"  = { input = 0.0001, output = 0.0005 }
      "amazon.nova-micro-v1:0"             = { input = -0.000035, output = 0.00014 }
    }
    # Above the pilot's Bedrock quota of 5, with an agent reservation that would allow it.
    map_max_concurrency  = 6
    reserved_concurrency = { agent = 6, approval = 2, control = 2 }
    sources_per_run      = 51 # above the pilot's limit of 50
  }

  expect_failures = [
    var.bedrock_agents,
    var.bedrock_token_prices_usd_per_1k,
    var.map_max_concurrency,
    var.sources_per_run,
  ]
}

run "refused_values_6" {
  command = plan

  variables {
    agent_runtime            = "agentcore" # an unknown runtime
    approval_timeout_seconds = 31536001    # above a year
    # An agent reservation below the pilot's Map concurrency (4).
    reserved_concurrency = { agent = 1, approval = 2, control = 2 }
    # A requests-per-minute quota: Bedrock no longer enforces them on bedrock-runtime.
    bedrock_quotas = { "Cross-Region InvokeModel requests per minute for Anthropic Claude Haiku 5.5" = 100 }
  }

  expect_failures = [
    var.agent_runtime,
    var.approval_timeout_seconds,
    var.reserved_concurrency,
    var.bedrock_quotas,
  ]
}

run "refused_values_7" {
  command = plan

  variables {
    reserved_concurrency = { agent = 4, approval = 0, control = 2 } # zero for the callback
  }

  expect_failures = [var.reserved_concurrency]
}

run "refused_values_8" {
  command = plan

  variables {
    # The pilot reserves 2 for the callback.
    approval_endpoint_throttle = { burst_limit = 3, rate_limit = 1 }
  }

  expect_failures = [var.approval_endpoint_throttle]
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
