name                  = "consumer-dev"
search_model_id       = "anthropic.claude-3-haiku-20240307-v1:0"
kms_key_arn           = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
bucket_name           = "consumer-dev-artifacts-111122223333"
package_path          = "../../dist/agent.zip"
log_retention_in_days = 90
tags                  = { owner = "consumer-team" }
guardrail             = { identifier = "gr1234567890", version = "1" }
