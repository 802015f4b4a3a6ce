variable "name" {
  description = "Name prefix of everything this consumer creates: the function <name>-agent_search, the tables <name>-workflow and <name>-search-cache, the buckets <name>-artifacts-<account> and <name>-library-<account>."
  type        = string

  validation {
    # The artifact bucket <name>-artifacts-<12-digit account> must fit S3's 63 characters.
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$", var.name))
    error_message = "name must be 2-40 lowercase letters, digits or '-', starting and ending with a letter or digit (it names the buckets <name>-artifacts-<account>, which S3 limits to 63 characters)."
  }
}

variable "environment" {
  description = "Environment name: the handlers' ENVIRONMENT, a dimension of their metrics."
  type        = string
}

variable "aws_region" {
  description = "Region of the consumer stack."
  type        = string
  default     = "us-east-1"
}

variable "kms_key_arn" {
  description = "The consumer's own customer managed key: it encrypts the buckets, the tables, the functions' environment and logs, and the library's dead-letter queue. Its key policy must let logs.<region>.amazonaws.com use it for the log groups /aws/lambda/<name>-*, and events.amazonaws.com with aws:SourceArn = the library_rule_arn output (arn:aws:events:<region>:<account>:rule/<name>-library-changed)."
  type        = string
}

variable "agent_model_id" {
  description = "Model the search agent runs on: an inference profile ID (global., us., eu., ...: current Claude models run on demand only through one), an application inference profile ARN, or the ID of a foundation model that runs on demand. The function may invoke exactly this model (through the profile Bedrock describes) and fallback_model_id."
  type        = string

  validation {
    condition     = can(regex("^(((global|us|us-gov|eu|apac|jp|au|ca)\\.)?[a-z0-9-]+\\.[A-Za-z0-9._:-]+|arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:(application-)?inference-profile/[A-Za-z0-9._:-]+)$", var.agent_model_id))
    error_message = "agent_model_id must be an inference profile ID (global.anthropic.claude-sonnet-5-5), an application inference profile ARN or a foundation model ID."
  }
}

variable "fallback_model_id" {
  description = "Model of the search agent's fallback (a payload with fallback = true), in the forms agent_model_id takes: the smaller model the role tolerates."
  type        = string

  validation {
    condition     = can(regex("^(((global|us|us-gov|eu|apac|jp|au|ca)\\.)?[a-z0-9-]+\\.[A-Za-z0-9._:-]+|arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:(application-)?inference-profile/[A-Za-z0-9._:-]+)$", var.fallback_model_id))
    error_message = "fallback_model_id must be an inference profile ID (global.anthropic.claude-haiku-5-5), an application inference profile ARN or a foundation model ID."
  }
}

variable "max_agent_turns" {
  description = "Model calls the agent may make per invocation, tool-use turns included; past it the invocation fails with AgentToolLoopExceeded."
  type        = number
  default     = 8

  validation {
    condition     = var.max_agent_turns >= 2 && var.max_agent_turns <= 50
    error_message = "max_agent_turns must be 2 to 50 (one tool turn and one answer at least)."
  }
}

variable "agent_package_path" {
  description = "Zip of the agent Lambda package (make package builds dist/agent.zip)."
  type        = string
}

variable "indexer_package_path" {
  description = "Zip of the document library's indexer (make package builds dist/document_indexer.zip)."
  type        = string
}

variable "lambda_architecture" {
  description = "Instruction set of both functions: arm64 (Graviton, about 20 % cheaper per GB-second) or x86_64. The Powertools layer is the one built for it."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "powertools_layer_version" {
  description = "Version of the public Powertools for AWS Lambda (Python) v3 layer for python3.12 on lambda_architecture. 27 holds Powertools 3.23.0, the release the tests run (requirements-dev.txt); change both together."
  type        = number
  default     = 27

  validation {
    condition     = var.powertools_layer_version >= 1 && floor(var.powertools_layer_version) == var.powertools_layer_version
    error_message = "powertools_layer_version must be a whole number >= 1."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the functions' log groups."
  type        = number
  default     = 30
}

variable "deletion_protection" {
  description = "Deletion protection on the workflow table and the search cache; false only for a stack you mean to destroy."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
