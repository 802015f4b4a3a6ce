variable "name" {
  description = "Name of the event bus; prefixes its rules, DLQ, role and alarm."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,200}$", var.name)) && var.name != "default"
    error_message = "name must be 1-200 characters of letters, digits, '.', '_' or '-' and not \"default\"."
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
  description = "The one state machine the StartExecution role may start; null creates no role."
  type        = string
  default     = null

  validation {
    condition     = var.state_machine_arn == null || can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", var.state_machine_arn))
    error_message = "state_machine_arn must be a Step Functions state machine ARN."
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
