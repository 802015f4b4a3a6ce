# The consumer's dev stack. No secrets: the key is the consumer's own, named by its ARN.
name        = "consumer-dev"
environment = "dev"
kms_key_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# The pilot's models for the search role (envs/pilot.tfvars): Claude Sonnet 5.5 and, for the
# fallback, Claude Haiku 5.5, each through its global inference profile.
agent_model_id    = "global.anthropic.claude-sonnet-5-5"
fallback_model_id = "global.anthropic.claude-haiku-5-5"

agent_package_path    = "../../dist/agent.zip"
indexer_package_path  = "../../dist/document_indexer.zip"
log_retention_in_days = 90
tags                  = { owner = "consumer-team" }
