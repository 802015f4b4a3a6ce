variable "name" {
  description = "Name prefix of the agents (<name>-<role>) and their IAM roles and policies (<name>-<role>-agent): 1-56 letters, digits, '_' or '-', starting and ending with a letter or digit, never two '_'/'-' in a row."
  type        = string

  # IAM role names have at most 64 characters: <name>-<role>-agent leaves 56 for the name with a
  # 1-character role key (var.agents checks every actual combination).
  validation {
    condition     = can(regex("^[0-9A-Za-z][0-9A-Za-z_-]{0,55}$", var.name))
    error_message = "name must be 1-56 letters, digits, '_' or '-', starting with a letter or digit (the IAM role <name>-<role>-agent has at most 64 characters)."
  }

  # Bedrock agent names match ^([0-9a-zA-Z][_-]?){1,100}$: one separator at most between letters
  # or digits. The name is followed by "-<role>", so it cannot end in one either.
  validation {
    condition     = !can(regex("[_-]{2}|[_-]$", var.name))
    error_message = "name must end in a letter or digit and have no two '_' or '-' in a row (Bedrock agent names <name>-<role> allow one separator between letters or digits): \"${var.name}\"."
  }
}

variable "agents" {
  description = "One agent per role (keys: lowercase letters, digits, single '_'; <name>-<role>-agent at most 64 characters). foundation_model is a model ID (e.g. anthropic.claude-3-haiku-20240307-v1:0); instruction_path is an existing file of 40-20000 characters (agents/<role>/instructions.md); description has at most 200 bytes."
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
    condition     = alltrue([for role in keys(var.agents) : !can(regex("__", role))])
    error_message = "role keys must not have two '_' in a row (Bedrock agent names <name>-<role> allow one separator between letters or digits): ${join(", ", [for role in keys(var.agents) : role if can(regex("__", role))])}."
  }

  # IAM role names have at most 64 characters; the inline policy (128) has the same name and the
  # agent name <name>-<role> is 6 shorter, so this bounds every name the module derives.
  validation {
    condition     = alltrue([for role in keys(var.agents) : length("${var.name}-${role}-agent") <= 64])
    error_message = "<name>-<role>-agent (each agent's IAM role and policy name) must be at most 64 characters: ${join(", ", [for role in keys(var.agents) : "${var.name}-${role}-agent has ${length("${var.name}-${role}-agent")}" if length("${var.name}-${role}-agent") > 64])}. Shorten name or the role key."
  }

  validation {
    condition     = alltrue([for a in values(var.agents) : can(regex("^[a-z0-9-]+\\.[A-Za-z0-9._:-]+$", a.foundation_model)) && !can(regex("^(us|eu|apac|us-gov|global)\\.", a.foundation_model))])
    error_message = "foundation_model must be a foundation model ID such as anthropic.claude-3-haiku-20240307-v1:0 (the agent role may invoke only that model's ARN)."
  }

  # The provider limits an agent description to 200 bytes (its UTF-8 length, read off the base64
  # encoding: 3 bytes per 4 characters, less one per '=' of padding).
  validation {
    condition     = alltrue([for a in values(var.agents) : length(base64encode(a.description)) / 4 * 3 - length(regexall("=", base64encode(a.description))) <= 200])
    error_message = "description must be at most 200 bytes of UTF-8 (200 ASCII characters): ${join(", ", [for role, a in var.agents : role if length(base64encode(a.description)) / 4 * 3 - length(regexall("=", base64encode(a.description))) > 200])}."
  }

  validation {
    condition     = alltrue([for a in values(var.agents) : try(fileexists(a.instruction_path), false)])
    error_message = "instruction_path must name an existing file: ${join(", ", [for role, a in var.agents : "${role} (${a.instruction_path})" if !try(fileexists(a.instruction_path), false)])}."
  }

  # Counted as the provider does (UTF-8 code points, one regexall match each): Terraform's length()
  # counts grapheme clusters, so CR LF, or a letter and a combining accent that NFC normalization
  # does not merge, would count as one (tests/fixtures/instructions_40_characters.md).
  validation {
    condition = alltrue([for a in values(var.agents) : !try(fileexists(a.instruction_path), false) || try(
      length(regexall("(?s).", file(a.instruction_path))) >= 40 && length(regexall("(?s).", file(a.instruction_path))) <= 20000, false
    )])
    error_message = "instruction_path files must have 40-20000 characters (Bedrock's instruction limits): ${join(", ", [for role, a in var.agents : "${role} (${a.instruction_path}) has ${try(length(regexall("(?s).", file(a.instruction_path))), "unreadable (not UTF-8)")}" if try(fileexists(a.instruction_path), false) && !try(length(regexall("(?s).", file(a.instruction_path))) >= 40 && length(regexall("(?s).", file(a.instruction_path))) <= 20000, false)])}."
  }
}

variable "alias_name" {
  description = "Name of the alias created for every agent (the Lambda functions invoke the alias, never DRAFT): 1-100 letters, digits, '_' or '-', never two '_'/'-' in a row."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$", var.alias_name))
    error_message = "alias_name must be 1-100 letters, digits, '_' or '-'."
  }

  # Bedrock alias names match ^([0-9a-zA-Z][_-]?){1,100}$: one separator at most in a row.
  validation {
    condition     = !can(regex("[_-]{2}", var.alias_name))
    error_message = "alias_name must not have two '_' or '-' in a row (Bedrock allows one separator between letters or digits): \"${var.alias_name}\"."
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
  description = "Key of var.agents that gets the knowledge base association (must be one when search_knowledge_base_id is set)."
  type        = string
  default     = "search"

  validation {
    condition     = var.search_knowledge_base_id == null || contains(keys(var.agents), var.search_role)
    error_message = "search_role must be a key of agents when search_knowledge_base_id is set: \"${var.search_role}\" is not one of ${join(", ", sort(keys(var.agents)))}."
  }
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
