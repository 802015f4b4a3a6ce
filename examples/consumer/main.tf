# A consumer root in another repository: one research agent, the function that invokes it, and a
# bucket for its output, built from three of this repository's modules. Another repository uses
#   source = "git::https://github.com/<org>/<this-repo>.git//modules/<name>?ref=v0.2.0"
# Here the sources are relative so the gates (parse, checkov with policies/) run on it offline.

terraform {
  required_version = ">= 1.9, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }
}

provider "aws" {
  region = var.aws_region
}

module "bedrock_agents" {
  source = "../../modules/bedrock_agents"

  name = var.name
  agents = {
    search = {
      foundation_model = var.search_model_id
      instruction_path = "${path.module}/../../agents/search/instructions.md"
      description      = "Finds sources for ${var.name}"
    }
  }
  search_knowledge_base_id = var.search_knowledge_base_id
  guardrail                = var.guardrail
  kms_key_arn              = var.kms_key_arn
  tags                     = var.tags
}

module "artifacts" {
  source = "../../modules/artifact_bucket"

  bucket_name = var.bucket_name
  kms_key_arn = var.kms_key_arn
  tags        = var.tags
}

module "search_function" {
  source = "../../modules/lambda_function"

  function_name         = "${var.name}-agent_search"
  package_path          = var.package_path
  handler               = "agent.handler.lambda_handler"
  kms_key_arn           = var.kms_key_arn
  log_retention_in_days = var.log_retention_in_days
  environment_variables = {
    AGENT_ROLE      = "search"
    AGENT_ID        = module.bedrock_agents.agents["search"].agent_id
    AGENT_ALIAS_ID  = module.bedrock_agents.agents["search"].alias_id
    ARTIFACT_BUCKET = module.artifacts.bucket_name
  }
  policy_statements = [
    {
      sid       = "InvokeOwnAgent"
      actions   = ["bedrock:InvokeAgent"]
      resources = [module.bedrock_agents.alias_arns["search"]]
    },
    {
      sid       = "WriteSources"
      actions   = ["s3:PutObject"]
      resources = ["${module.artifacts.bucket_arn}/*"]
    },
    {
      sid       = "UseKey"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [var.kms_key_arn]
    },
  ]
  tags = var.tags
}

output "search_alias_arn" {
  description = "Alias ARN the search function may invoke."
  value       = module.bedrock_agents.alias_arns["search"]
}

output "search_function_name" {
  description = "Name of the function that invokes the search agent."
  value       = module.search_function.function_name
}
