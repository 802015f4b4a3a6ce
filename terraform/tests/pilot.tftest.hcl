# envs/pilot.tfvars as Terraform builds it: assertions on the resources and on the decoded state
# machine definition, never on var.*. The runner runs this file with -var-file=../envs/pilot.tfvars.
# The pilot: every role on the large model, a small Map, PITR off and a month of logs to keep the bill near $120.

mock_provider "aws" {
  source = "../tests/terraform/mocks"
}

# The mock gives every state machine one ARN; the stack's policies name its real one.
override_resource {
  target = module.state_machine.aws_sfn_state_machine.this
  values = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot" }
}

override_resource {
  target = module.state_machine.aws_sfn_alias.this
  values = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot:live" }
}

# The pilot's agents run on Claude Sonnet 5.5 and their fallbacks on Claude Haiku 5.5, each through
# its global profile. Bedrock's description of a profile (here as GetInferenceProfile answers for a
# global one: the source Region's model and the Region-less model) is all the policy is built from.
override_data {
  target = data.aws_bedrock_inference_profile.model["global.anthropic.claude-haiku-5-5"]
  values = {
    inference_profile_arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-5-5"
    inference_profile_id  = "global.anthropic.claude-haiku-5-5"
    models = [
      { model_arn = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-5-5" },
      { model_arn = "arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-5-5" },
    ]
  }
}

override_data {
  target = data.aws_bedrock_inference_profile.model["global.anthropic.claude-sonnet-5-5"]
  values = {
    inference_profile_arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-5-5"
    inference_profile_id  = "global.anthropic.claude-sonnet-5-5"
    models = [
      { model_arn = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-5-5" },
      { model_arn = "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-5-5" },
    ]
  }
}

# One apply holds every assertion: each run plans the whole stack, seconds apiece, so the groups
# below share it.
run "pilot_stack_is_built_for_the_environment" {
  command = apply

  # pilot definition is sized for the environment.
  assert {
    condition     = jsondecode(module.state_machine.definition).States.SummarizeSources.MaxConcurrency == 2
    error_message = "pilot: the Map runs at most 2 summaries at once (within the Bedrock TPS quota)."
  }
  assert {
    condition     = jsondecode(module.state_machine.definition).States.NotifyNoSources.Parameters.Entries[0].EventBusName == module.event_bus.bus_name
    error_message = "The state machine announces NoSourcesFound on the stack's own bus (its name is computed before the bus exists)."
  }
  assert {
    condition     = jsondecode(module.state_machine.definition).TimeoutSeconds == 604800
    error_message = "pilot: an execution may run 604800 s, longer than the approval wait."
  }
  assert {
    condition = (
      jsondecode(module.state_machine.definition).States.RequestApproval.TimeoutSeconds == 259200 &&
      jsondecode(module.state_machine.definition).States.RequestApproval.HeartbeatSeconds == 86400
    )
    error_message = "pilot: the approval waits 259200 s, with a heartbeat every 86400 s."
  }
  assert {
    condition     = jsondecode(module.state_machine.definition).States.Search.Retry[0].MaxAttempts == 4
    error_message = "pilot: agent tasks retry 4 times before the fallback."
  }
  assert {
    condition     = module.state_machine.log_retention_in_days == 30
    error_message = "pilot: execution logs are kept 30 days."
  }

  # pilot functions are reserved and retained.
  assert {
    condition = alltrue([for key in ["agent_search", "agent_summary", "agent_writer", "agent_reviser"] :
    module.functions[key].reserved_concurrent_executions == 4])
    error_message = "pilot: each agent function reserves 4 concurrent executions."
  }
  assert {
    condition = (
      module.functions["approval_request"].reserved_concurrent_executions == 2 &&
      module.approval_callback.reserved_concurrent_executions == 2
    )
    error_message = "pilot: the approval functions reserve 2 concurrent executions."
  }
  assert {
    condition = alltrue([for key in ["validate_input", "publish", "on_failure"] :
    module.functions[key].reserved_concurrent_executions == 2])
    error_message = "pilot: the control functions reserve 2 concurrent executions."
  }
  assert {
    condition = alltrue(concat([for fn in module.functions : fn.log_retention_in_days == 30],
    [module.approval_callback.log_retention_in_days == 30]))
    error_message = "pilot: every function's logs are kept 30 days."
  }
  assert {
    condition     = length(module.functions) == 10
    error_message = "pilot: ten workflow functions besides the approval callback."
  }

  # pilot operations match the environment.
  assert {
    condition = module.monitoring.alarm_thresholds == merge(
      { executions_failed = 1, executions_timed_out = 1, executions_throttled = 1, approval_timeouts = 1, fallbacks = 1 },
      { for key in keys(output.function_names) : "lambda_errors_${key}" => 1 },
    )
    error_message = "pilot: alarm thresholds as sized for the environment, one Lambda errors alarm per function."
  }
  assert {
    condition     = module.budget.limit_amount_usd == 120
    error_message = "pilot: the monthly budget is $120."
  }
  assert {
    condition     = module.workflow_store.point_in_time_recovery_enabled == false
    error_message = "pilot: point-in-time recovery of the workflow table is false."
  }
  assert {
    condition     = module.event_bus.archive_retention_days == 7
    error_message = "pilot: the event archive keeps 7 days for replay."
  }

  # executions start through the alias and the stack key encrypts their data.
  assert {
    condition     = local.state_machine_alias_arn == "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-pilot:live"
    error_message = "The alias ARN is the state machine's ARN qualified with live."
  }
  assert {
    condition     = module.state_machine.alias_arn == local.state_machine_alias_arn && module.state_machine.start_arn == local.state_machine_alias_arn
    error_message = "The state machine publishes versions behind the live alias."
  }
  assert {
    condition     = module.state_machine.encryption_kms_key_arn == aws_kms_key.this.arn
    error_message = "The state machine's data is encrypted with the stack's key."
  }
  assert {
    condition = contains([for s in data.aws_iam_policy_document.kms.statement : s.sid], "StepFunctionsEncryptsWorkflowData") && one([
      for s in data.aws_iam_policy_document.kms.statement : s.principals if s.sid == "StepFunctionsEncryptsWorkflowData"
    ]) == toset([{ type = "AWS", identifiers = toset([module.state_machine.role_arn]) }])
    error_message = "The key policy lets the state machine's role (only) use the key for its data."
  }

  # each agent function may run its agent and fallback only through their profiles.
  assert {
    condition = alltrue([for role in local.agent_roles : [for s in local.model_statements[role] : s.sid] == [
      "InvokeAgentProfile", "InvokeAgentModelThroughProfile", "InvokeFallbackProfile", "InvokeFallbackModelThroughProfile"
    ]])
    error_message = "Every role's agent and fallback are profiles: one statement for each profile, one for its models through it."
  }
  assert {
    condition     = jsonencode(one([for s in local.model_statements["writer"] : s.resources if s.sid == "InvokeFallbackProfile"])) == jsonencode(["arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-5-5"])
    error_message = "The profile statement names the profile ARN Bedrock returned."
  }
  assert {
    condition = toset(one([for s in local.model_statements["writer"] : s.resources if s.sid == "InvokeAgentModelThroughProfile"])) == toset([
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-5-5",
      "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-5-5",
    ])
    error_message = "The model statement names the model in the source Region and, for a global profile, the Region-less model ARN."
  }
  assert {
    condition = jsonencode(one([for s in local.model_statements["writer"] : s.conditions if s.sid == "InvokeFallbackModelThroughProfile"])) == jsonencode([{
      test     = "StringEquals"
      variable = "bedrock:InferenceProfileArn"
      values   = ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-5-5"]
    }])
    error_message = "The models may be invoked only through the role's own profile (bedrock:InferenceProfileArn)."
  }

  # agents as code create no bedrock agents and search the library.
  assert {
    condition     = length(module.bedrock_agents) == 0 && length(local.agents) == 0
    error_message = "The default stack (agent_runtime = converse) creates no Bedrock Agents resources."
  }
  assert {
    condition     = alltrue([for role in local.agent_roles : !contains([for s in local.agent_statements["agent_${role}"] : s.sid], "InvokeOwnAgent")])
    error_message = "Agents as code need no bedrock:InvokeAgent."
  }
  assert {
    condition     = alltrue([for role in local.agent_roles : contains([for s in local.agent_statements["agent_${role}"] : s.sid], "ReadLibraryIndex") == contains(["search", "reviser"], role)])
    error_message = "Only the search agent and the reviser read the document library's index."
  }
  assert {
    condition     = local.agent_environment["agent_search"].AGENT_RUNTIME == "converse" && local.agent_environment["agent_search"].AGENT_MODEL_ID == "global.anthropic.claude-sonnet-5-5" && !contains(keys(local.agent_environment["agent_summary"]), "LIBRARY_BUCKET")
    error_message = "The agent functions run their own model on Converse; summary has no library."
  }
}
