variable "name" {
  description = "Name prefix of the agents, their aliases and roles (<name>-<role>)."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][0-9A-Za-z_-]{0,60}$", var.name))
    error_message = "name must be 1-61 letters, digits, '_' or '-', starting with a letter or digit."
  }
}

variable "agents" {
  description = "One agent per role. foundation_model is a model ID (e.g. anthropic.claude-3-haiku-20240307-v1:0); instruction_path is a file of 40-20000 characters (agents/<role>/instructions.md)."
  type = map(object({
    foundation_model = string
    instruction_path = string
    description      = optional(string, "")
  }))

  validation {
    condition     = length(var.agents) >= 1 && alltrue([for role in keys(var.agents) : can(regex("^[a-z][a-z0-9_]{0,30}$", role))])
    error_message = "agents needs at least one role; role keys are lowercase letters, digits or '_'."
  }

  validation {
    condition     = alltrue([for a in values(var.agents) : can(regex("^[a-z0-9-]+\\.[A-Za-z0-9._:-]+$", a.foundation_model)) && !can(regex("^(us|eu|apac|us-gov|global)\\.", a.foundation_model))])
    error_message = "foundation_model must be a foundation model ID such as anthropic.claude-3-haiku-20240307-v1:0 (the agent role may invoke only that model's ARN)."
  }
}

variable "alias_name" {
  description = "Name of the alias created for every agent (the Lambda functions invoke the alias, never DRAFT)."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$", var.alias_name))
    error_message = "alias_name must be 1-100 letters, digits, '_' or '-'."
  }
}

variable "idle_session_ttl_in_seconds" {
  description = "Seconds an agent keeps a session's context without a request (60-3600). Retried tasks reuse their session id within it."
  type        = number
  default     = 600

  validation {
    condition     = var.idle_session_ttl_in_seconds >= 60 && var.idle_session_ttl_in_seconds <= 3600
    error_message = "idle_session_ttl_in_seconds must be between 60 and 3600."
  }
}

variable "search_knowledge_base_id" {
  description = "Optional existing knowledge base the search agent retrieves from (10-character ID); null associates none."
  type        = string
  default     = null

  validation {
    condition     = var.search_knowledge_base_id == null || can(regex("^[0-9A-Za-z]{10}$", var.search_knowledge_base_id))
    error_message = "search_knowledge_base_id must be a 10-character knowledge base ID."
  }
}

variable "search_role" {
  description = "Key of var.agents that gets the knowledge base association."
  type        = string
  default     = "search"
}

variable "guardrail" {
  description = "Bedrock guardrail applied to every agent (identifier and version); null applies none."
  type = object({
    identifier = string
    version    = string
  })
  default = null
}

variable "kms_key_arn" {
  description = "Customer managed key encrypting the agents' data; null uses an AWS owned key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
