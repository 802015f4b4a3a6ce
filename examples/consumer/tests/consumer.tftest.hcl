# The consumer root as another repository builds it: one search agent as code, wired to the stores
# of four modules by relative path. The function gets every variable the agent handler requires
# (tests/examples/test_consumer.py reads REQUIRED_ENV from the handler for the same proof), the
# Powertools layer, and a policy that names its inference profiles and nothing of Agents Classic.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

# The pilot's search models, each through its global profile, as GetInferenceProfile describes
# one: the source Region's model and the Region-less model.
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

# A bucket's name is its id, which the mock would otherwise make up.
override_resource {
  target = module.artifacts.aws_s3_bucket.this
  values = {
    id  = "consumer-dev-artifacts-123456789012"
    arn = "arn:aws:s3:::consumer-dev-artifacts-123456789012"
  }
}

override_resource {
  target = module.document_library.module.bucket.aws_s3_bucket.this
  values = {
    id  = "consumer-dev-library-123456789012"
    arn = "arn:aws:s3:::consumer-dev-library-123456789012"
  }
}

override_resource {
  target = module.workflow_store.aws_dynamodb_table.this
  values = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/consumer-dev-workflow"
  }
}

override_resource {
  target = module.workflow_store.aws_dynamodb_table.search_cache
  values = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/consumer-dev-search-cache"
  }
}

variables {
  name                 = "consumer-dev"
  environment          = "dev"
  kms_key_arn          = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  agent_model_id       = "global.anthropic.claude-sonnet-5-5"
  fallback_model_id    = "global.anthropic.claude-haiku-5-5"
  agent_package_path   = "../../dist/agent.zip"
  indexer_package_path = "../../dist/document_indexer.zip"
}

# One apply holds the wiring assertions: each run plans the whole example.
run "the_search_agent_is_wired_to_its_stores_models_and_layer" {
  command = apply

  # The agent handler's REQUIRED_ENV (lambda_src/agent/handler.py), and LIBRARY_BUCKET for its tools.
  assert {
    condition = alltrue([for name in [
      "ENVIRONMENT", "AGENT_ROLE", "AGENT_RUNTIME", "AGENT_MODEL_ID", "FALLBACK_MODEL_ID", "MAX_AGENT_TURNS",
      "ARTIFACT_BUCKET", "WORKFLOW_TABLE", "SEARCH_CACHE_TABLE", "SEARCH_CACHE_TTL_SECONDS",
      "TOLERATED_FAILURE_PERCENTAGE", "LIBRARY_BUCKET",
    ] : trimspace(lookup(local.search_environment, name, "")) != ""])
    error_message = "The function sets every variable the agent handler requires at cold start (REQUIRED_ENV) and LIBRARY_BUCKET, none blank."
  }
  assert {
    condition     = local.search_environment.AGENT_ROLE == "search" && local.search_environment.AGENT_RUNTIME == "converse" && !contains(keys(local.search_environment), "AGENT_ID")
    error_message = "The function runs the search role as code on Converse, with no Agents Classic ids."
  }
  assert {
    condition     = local.search_environment.AGENT_MODEL_ID == "global.anthropic.claude-sonnet-5-5" && local.search_environment.FALLBACK_MODEL_ID == "global.anthropic.claude-haiku-5-5"
    error_message = "The agent and its fallback run on the models the variables name."
  }
  assert {
    condition = (
      local.search_environment.ARTIFACT_BUCKET == "consumer-dev-artifacts-123456789012"
      && local.search_environment.LIBRARY_BUCKET == "consumer-dev-library-123456789012"
      && local.search_environment.WORKFLOW_TABLE == "consumer-dev-workflow"
      && local.search_environment.SEARCH_CACHE_TABLE == "consumer-dev-search-cache"
    )
    error_message = "The stores in the environment are the ones the example creates."
  }
  assert {
    condition     = output.search_function_name == "consumer-dev-agent_search" && output.artifact_bucket_name == "consumer-dev-artifacts-123456789012" && output.library_bucket_name == "consumer-dev-library-123456789012"
    error_message = "The outputs name the function and both buckets after the consumer's prefix (and account)."
  }
  assert {
    condition     = local.powertools_layer_arn == "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:27"
    error_message = "The function and the indexer get AWS's public Powertools layer for arm64, version 27 by default."
  }
  assert {
    condition     = module.search_function.architecture == "arm64" && module.search_function.timeout == 300 && module.search_function.log_retention_in_days == 30
    error_message = "The function runs on arm64 (the layer's architecture) for up to 300 s and keeps its logs 30 days by default."
  }

  # The policy: the profiles, and the models through exactly those profiles.
  assert {
    condition     = jsonencode(one([for s in local.search_statements : s.resources if s.sid == "InvokeAgentProfile"])) == jsonencode(["arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-5-5"])
    error_message = "The function may invoke the agent model's inference profile, named by the ARN Bedrock gives it."
  }
  assert {
    condition     = jsonencode(one([for s in local.search_statements : s.resources if s.sid == "InvokeFallbackProfile"])) == jsonencode(["arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-5-5"])
    error_message = "The function may invoke the fallback model's inference profile."
  }
  assert {
    condition     = jsonencode(one([for s in local.search_statements : s.resources if s.sid == "InvokeAgentModelThroughProfile"])) == jsonencode(["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-5-5", "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-5-5"])
    error_message = "The model statement names the model in the source Region and, for a global profile, the Region-less model ARN."
  }
  assert {
    condition = jsonencode(one([for s in local.search_statements : s.conditions if s.sid == "InvokeAgentModelThroughProfile"])) == jsonencode([{
      test     = "StringEquals"
      variable = "bedrock:InferenceProfileArn"
      values   = ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-5-5"]
    }])
    error_message = "The foundation model may be invoked only through the agent's profile."
  }
  assert {
    condition     = alltrue([for s in local.search_statements : alltrue([for a in s.actions : !startswith(a, "bedrock:") || a == "bedrock:InvokeModel"])])
    error_message = "The only Bedrock action is InvokeModel (Converse): no InvokeAgent, no Retrieve."
  }
  assert {
    condition     = jsonencode(one([for s in local.search_statements : s.resources if s.sid == "ReadLibraryIndex"])) == jsonencode(["arn:aws:s3:::consumer-dev-library-123456789012/index/library-index.json"])
    error_message = "The library's reader statements (document_library's output) let the function read the index only."
  }
  assert {
    condition     = jsonencode(one([for s in local.search_statements : s.conditions if s.sid == "ClearOwnIdempotencyRecords"])[0].values) == jsonencode(["IDEMPOTENCY#agent_search"])
    error_message = "The function may delete only the search role's idempotency records."
  }
  assert {
    condition     = jsonencode(one([for s in local.search_statements : s.resources if s.sid == "UseSearchCache"])) == jsonencode(["arn:aws:dynamodb:us-east-1:123456789012:table/consumer-dev-search-cache"])
    error_message = "The function reads and writes the search cache it is configured with."
  }
}

run "a_foundation_model_fallback_on_x86_64_with_a_later_layer" {
  command = apply

  variables {
    name                     = "c0nsumer-team-9"
    fallback_model_id        = "amazon.nova-micro-v1:0"
    lambda_architecture      = "x86_64"
    powertools_layer_version = 30
    max_agent_turns          = 50
    log_retention_in_days    = 3653
    tags                     = { owner = "consumer-team", "cost-center" = "42" }
  }

  assert {
    condition     = jsonencode(one([for s in local.search_statements : s.resources if s.sid == "InvokeFallbackModel"])) == jsonencode(["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"]) && length([for s in local.search_statements : s if s.sid == "InvokeFallbackProfile"]) == 0
    error_message = "A foundation model called by its own ID is authorised by its foundation-model ARN, with no profile statement."
  }
  assert {
    condition     = local.powertools_layer_arn == "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:30" && module.search_function.architecture == "x86_64"
    error_message = "The layer follows lambda_architecture and powertools_layer_version."
  }
  assert {
    condition     = output.search_function_name == "c0nsumer-team-9-agent_search" && tostring(local.search_environment.MAX_AGENT_TURNS) == "50"
    error_message = "Digits in the prefix reach the names; 50 turns is the most the handler takes."
  }
}

# --- each validation refuses what would fail only later -------------------------------

run "a_name_too_long_for_the_artifact_bucket_is_refused" {
  command = plan

  variables {
    name = "consumer-name-that-is-exactly-41-chars-xx"
  }

  expect_failures = [var.name]
}

run "an_agent_model_that_is_no_model_identifier_is_refused" {
  command = plan

  variables {
    agent_model_id = "Claude Sonnet 5.5"
  }

  expect_failures = [var.agent_model_id]
}

run "a_fallback_model_that_is_no_model_identifier_is_refused" {
  command = plan

  variables {
    fallback_model_id = "arn:aws:bedrock:us-east-1:123456789012:agent-alias/A1/B2"
  }

  expect_failures = [var.fallback_model_id]
}

run "a_single_agent_turn_is_refused" {
  command = plan

  variables {
    max_agent_turns = 1
  }

  expect_failures = [var.max_agent_turns]
}

run "an_unknown_architecture_is_refused" {
  command = plan

  variables {
    lambda_architecture = "aarch64"
  }

  expect_failures = [var.lambda_architecture]
}

run "layer_version_zero_is_refused" {
  command = plan

  variables {
    powertools_layer_version = 0
  }

  expect_failures = [var.powertools_layer_version]
}
