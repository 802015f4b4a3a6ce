variable "event_bus_name" {
  description = "Name of the research-report stack's event bus (its event_bus_name output)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,256}$", var.event_bus_name))
    error_message = "event_bus_name is a bus name (1-256 letters, digits, '.', '_' or '-'), not an ARN."
  }
}

variable "name" {
  description = "Name of the rule and the queue; the dead-letter queue is <name>-dlq."
  type        = string
  default     = "draft-reviewed-blocking"

  # EventBridge rule names are at most 64 characters, SQS queue names 80 ("<name>-dlq").
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 letters, digits, '_' or '-' (a rule name and a queue name)."
  }
}

variable "aws_region" {
  description = "Region of the stack's bus (a rule sees only its own Region's bus)."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
