# The consumer root as another repository builds it: three modules by relative path, wired
# together (the agent alias into the function's policy, the bucket into its environment).

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name            = "consumer-dev"
  search_model_id = "anthropic.claude-3-haiku-20240307-v1:0"
  kms_key_arn     = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  bucket_name     = "consumer-dev-artifacts-111122223333"
  package_path    = "../../dist/agent.zip"
  guardrail       = { identifier = "gr1234567890", version = "1" }
}

run "the_search_function_invokes_exactly_its_agent_alias" {
  command = apply

  assert {
    condition     = output.search_alias_arn == "arn:aws:bedrock:us-east-1:123456789012:agent-alias/MOCKAGENT1/MOCKALIAS1"
    error_message = "The example exposes the alias ARN the created agent got."
  }
  assert {
    condition     = output.search_function_name == "consumer-dev-agent_search"
    error_message = "The function is named after the consumer's prefix and role."
  }
  assert {
    condition     = module.search_function.log_retention_in_days == 30 && module.search_function.memory_size > 0
    error_message = "The function keeps its logs 30 days by default."
  }
}

run "unusual_but_valid_values" {
  command = apply

  variables {
    name                     = "c0nsumer_Team-9"
    search_knowledge_base_id = "KB12345678"
    log_retention_in_days    = 3653
    aws_region               = "eu-central-1"
    tags                     = { owner = "consumer-team", "cost-center" = "42" }
  }

  assert {
    condition     = output.search_function_name == "c0nsumer_Team-9-agent_search"
    error_message = "Mixed case, digits and '_' in the prefix reach the function name."
  }
  assert {
    condition     = module.search_function.log_retention_in_days == 3653
    error_message = "Ten years of logs is a retention CloudWatch accepts."
  }
}
