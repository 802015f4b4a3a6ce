variable "name" {
  description = "Name of the event bus; prefixes its rules, DLQ, role and alarm. Letters, digits, '_' or '-'; at most 76 characters (DLQ <name>-dlq: SQS allows 80), 48 when the StartExecution role is created (<name>-start-execution: IAM allows 64), and <name>-<rule name> at most 64 (EventBridge)."
  type        = string

  # No '.': the bus would take it, but the DLQ "<name>-dlq" is an SQS queue name, which does not.
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.name)) && var.name != "default"
    error_message = "name must be letters, digits, '_' or '-' (no '.': SQS refuses it in the DLQ name \"<name>-dlq\") and not \"default\"."
  }

  validation {
    condition     = length(var.name) <= 76
    error_message = "The DLQ \"${var.name}-dlq\" is ${length(var.name) + 4} characters but SQS queue names are at most 80: name may be at most 76 characters."
  }
}

variable "archive_retention_days" {
  description = "Days the archive keeps events for replay (0 = forever)."
  type        = number
  default     = 30

  validation {
    condition     = var.archive_retention_days >= 0
    error_message = "archive_retention_days must be >= 0."
  }
}

variable "rules" {
  description = <<-EOT
    Rules on the bus. Each target gets the module's DLQ and a retry policy. Set
    start_execution = true on a target whose arn is var.state_machine_arn: it then uses the
    module's dedicated role that may only states:StartExecution on that state machine.
    role_arn is for other targets that need a role (e.g. a bus in another account).
    A rule is named "<name>-<rule name>": letters, digits, '.', '_' or '-', at most 64
    characters (EventBridge).
  EOT
  type = list(object({
    name          = string
    description   = optional(string, "")
    event_pattern = string
    targets = list(object({
      target_id                    = string
      arn                          = string
      start_execution              = optional(bool, false)
      role_arn                     = optional(string)
      input_path                   = optional(string)
      maximum_event_age_in_seconds = optional(number, 3600)
      maximum_retry_attempts       = optional(number, 5)
    }))
  }))
  default = []

  validation {
    condition     = length(distinct([for r in var.rules : r.name])) == length(var.rules)
    error_message = "Rule names must be unique."
  }

  validation {
    condition     = alltrue([for r in var.rules : can(regex("^[A-Za-z0-9._-]*$", r.name))])
    error_message = "Rule names must be letters, digits, '.', '_' or '-': EventBridge refuses any other character in the rule name \"<name>-<rule name>\"."
  }

  # The two rules below read var.name and var.state_machine_arn, so they sit here and not on name:
  # whatever reads a variable waits for its validations, and in the root stack the bus name feeds
  # the functions whose state machine a target starts; on name they would close a cycle.
  validation {
    condition     = alltrue([for r in var.rules : length("${var.name}-${r.name}") <= 64])
    error_message = "EventBridge rule names are at most 64 characters, and these \"<name>-<rule name>\" are longer: ${join(", ", [for r in var.rules : "\"${var.name}-${r.name}\" (${length("${var.name}-${r.name}")})" if length("${var.name}-${r.name}") > 64])}. Shorten name or the rule's name."
  }

  # The role exists only when local.create_start_execution_role does (main.tf).
  validation {
    condition     = length(var.name) <= 48 || var.state_machine_arn == null || !anytrue(flatten([for r in var.rules : [for t in r.targets : t.start_execution]]))
    error_message = "The StartExecution role \"${var.name}-start-execution\" is ${length(var.name) + 16} characters but IAM role names are at most 64: with a start_execution target, name may be at most 48 characters."
  }

  validation {
    condition     = alltrue([for r in var.rules : can(jsondecode(r.event_pattern))])
    error_message = "event_pattern must be JSON."
  }

  validation {
    condition = alltrue(flatten([for r in var.rules : [for t in r.targets :
      t.maximum_event_age_in_seconds >= 60 && t.maximum_event_age_in_seconds <= 86400 &&
    t.maximum_retry_attempts >= 0 && t.maximum_retry_attempts <= 185]]))
    error_message = "maximum_event_age_in_seconds must be 60-86400 and maximum_retry_attempts 0-185 (EventBridge limits)."
  }

  validation {
    condition     = alltrue(flatten([for r in var.rules : [for t in r.targets : !(t.start_execution && t.role_arn != null)]]))
    error_message = "A target sets either start_execution or role_arn, not both."
  }
}

variable "state_machine_arn" {
  description = "The one state machine the StartExecution role may start: its ARN, or one of its version or alias ARNs (<arn>:<version number or alias name>); null creates no role."
  type        = string
  default     = null

  validation {
    condition     = var.state_machine_arn == null || can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$", var.state_machine_arn))
    error_message = "state_machine_arn must be a Step Functions state machine ARN, or a version or alias ARN of one."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the DLQ (its key policy must let events.amazonaws.com use it); null uses SQS managed SSE."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "dlq_message_retention_seconds" {
  description = "How long undeliverable events stay in the DLQ (60-1209600)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be between 60 and 1209600."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topics notified when the DLQ holds messages; empty creates no alarm."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
