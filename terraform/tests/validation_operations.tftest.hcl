# Variable validations of the handler configuration, operations and cost variables: the runs they
# refuse. The runner runs this file with -var-file=../envs/pilot.tfvars: every failing run changes
# only what breaks its one rule and names that variable in expect_failures;
# `pilot_baseline_is_valid` is the control, here with the modules' fixed outputs below. The values
# these rules accept are planned with every module real in validation_accepted.tftest.hcl; the
# identity, Bedrock and workflow variables and the checks are in validation.tftest.hcl, which
# explains why the modules are overridden.

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

# --- handler configuration ----------------------------------------------------------------------

run "source_limit_above_500_is_refused" {
  command = plan

  variables {
    max_sources_limit = 501
  }

  expect_failures = [var.max_sources_limit]
}

run "default_sources_above_the_limit_are_refused" {
  command = plan

  variables {
    default_max_sources = 51
  }

  expect_failures = [var.default_max_sources]
}

run "zero_default_sources_are_refused" {
  command = plan

  variables {
    default_max_sources = 0
  }

  expect_failures = [var.default_max_sources]
}

run "search_cache_ttl_above_30_days_is_refused" {
  command = plan

  variables {
    search_cache_ttl_seconds = 2592001
  }

  expect_failures = [var.search_cache_ttl_seconds]
}

run "approval_link_ttl_below_a_minute_is_refused" {
  command = plan

  variables {
    approval_link_ttl_seconds = 59
  }

  expect_failures = [var.approval_link_ttl_seconds]
}

run "approval_link_outliving_the_approval_task_is_refused" {
  command = plan

  variables {
    approval_link_ttl_seconds = 259201
  }

  expect_failures = [var.approval_link_ttl_seconds]
}

# --- operations -----------------------------------------------------------------------------------

run "fatal_state_machine_log_level_is_refused" {
  command = plan

  variables {
    sfn_log_level = "FATAL"
  }

  expect_failures = [var.sfn_log_level]
}

run "log_retention_cloudwatch_does_not_offer_is_refused" {
  command = plan

  variables {
    log_retention_in_days = 31
  }

  expect_failures = [var.log_retention_in_days]
}

# WARN is Lambda's spelling; Powertools (and this variable) say WARNING.
run "powertools_log_level_warn_is_refused" {
  command = plan

  variables {
    powertools_log_level = "WARN"
  }

  expect_failures = [var.powertools_log_level]
}

run "zero_reserved_concurrency_is_refused" {
  command = plan

  variables {
    reserved_concurrency = { agent = 4, approval = 0, control = 2 }
  }

  expect_failures = [var.reserved_concurrency]
}

run "an_approval_endpoint_burst_past_the_callbacks_reserved_concurrency_is_refused" {
  command = plan

  variables {
    # The pilot reserves 2 for the callback.
    approval_endpoint_throttle = { burst_limit = 3, rate_limit = 1 }
  }

  expect_failures = [var.approval_endpoint_throttle]
}

run "agent_reservation_below_the_map_concurrency_is_refused" {
  command = plan

  variables {
    reserved_concurrency = { agent = 1, approval = 2, control = 2 }
  }

  expect_failures = [var.reserved_concurrency]
}

run "zero_days_of_intermediate_artifacts_are_refused" {
  command = plan

  variables {
    artifact_intermediate_retention_days = 0
  }

  expect_failures = [var.artifact_intermediate_retention_days]
}

run "zero_days_of_noncurrent_artifact_versions_are_refused" {
  command = plan

  variables {
    artifact_noncurrent_version_days = 0
  }

  expect_failures = [var.artifact_noncurrent_version_days]
}

run "event_archive_kept_forever_is_refused" {
  command = plan

  variables {
    event_archive_retention_days = 0
  }

  expect_failures = [var.event_archive_retention_days]
}

run "alarm_threshold_of_zero_is_refused" {
  command = plan

  variables {
    alarm_thresholds = {
      executions_failed    = 1
      executions_timed_out = 1
      executions_throttled = 1
      lambda_errors        = 0
      approval_timeouts    = 1
      fallbacks            = 1
    }
  }

  expect_failures = [var.alarm_thresholds]
}

run "callback_auth_type_in_lowercase_is_refused" {
  command = plan

  variables {
    approval_callback_auth_type = "aws_iam"
  }

  expect_failures = [var.approval_callback_auth_type]
}

run "powertools_layer_version_zero_is_refused" {
  command = plan

  variables {
    powertools_layer_version = 0
  }

  expect_failures = [var.powertools_layer_version]
}

run "lambda_architecture_other_than_arm64_or_x86_64_is_refused" {
  command = plan

  variables {
    lambda_architecture = "amd64"
  }

  expect_failures = [var.lambda_architecture]
}

# --- cost and sizing --------------------------------------------------------------------------------

run "zero_monthly_budget_is_refused" {
  command = plan

  variables {
    monthly_budget_usd = 0
  }

  expect_failures = [var.monthly_budget_usd]
}

run "zero_workflows_per_month_are_refused" {
  command = plan

  variables {
    workflows_per_month = 0
  }

  expect_failures = [var.workflows_per_month]
}

run "negative_transitions_per_execution_are_refused" {
  command = plan

  variables {
    transitions_per_execution = -1
  }

  expect_failures = [var.transitions_per_execution]
}

run "sources_per_run_above_the_limit_are_refused" {
  command = plan

  variables {
    sources_per_run = 51
  }

  expect_failures = [var.sources_per_run]
}
