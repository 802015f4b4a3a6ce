variable "name" {
  description = "Name prefix of the dashboard, alarms and topic (the stack prefix)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,200}$", var.name))
    error_message = "name must be letters, digits, '-' or '_'."
  }
}

variable "environment" {
  description = "Environment name; the value of the `environment` dimension on ResearchReport metrics."
  type        = string
}

variable "create_ops_topic" {
  description = "Create an encrypted ops topic; set false and pass ops_topic_arn to use an existing one."
  type        = bool
  default     = true
}

variable "ops_topic_arn" {
  description = "Existing SNS topic for operational notifications, used when create_ops_topic = false."
  type        = string
  default     = null

  validation {
    condition     = var.ops_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$", var.ops_topic_arn))
    error_message = "ops_topic_arn must be an SNS topic ARN."
  }
}

variable "ops_subscriptions" {
  description = "Subscribers of the created ops topic (ignored when ops_topic_arn is given)."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.ops_subscriptions : contains(["email", "https", "sqs", "lambda"], s.protocol)])
    error_message = "protocol must be email, https, sqs or lambda."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key ARN encrypting the created ops topic; its key policy must allow cloudwatch, budgets and events to use it."
  type        = string
  default     = null
}

variable "event_rule_arns" {
  description = "EventBridge rules allowed to publish to the created ops topic (aws:SourceArn)."
  type        = list(string)
  default     = []
}

variable "state_machine_arn" {
  description = "ARN of the workflow state machine."
  type        = string
}

variable "state_machine_log_group_name" {
  description = "Execution log group of the state machine; the approval-timeout metric filter reads it (log level ERROR or ALL)."
  type        = string
}

variable "lambda_function_names" {
  description = "Lambda functions to watch, by function key (design.md) => function name."
  type        = map(string)
  default     = {}
}

variable "dlq_names" {
  description = "SQS dead-letter queues shown on the dashboard (their alarms live with the queues)."
  type        = list(string)
  default     = []
}

variable "agent_roles" {
  description = "Agent roles plotted per role on the dashboard (dimension `role`). null: the roles of fallback_alarm.role_dimensions and token_prices_usd_per_1k together, so a role the caller adds there is plotted too; no role leaves the three per-role widgets out."
  type        = list(string)
  default     = null
}

variable "agent_metric_names" {
  description = "Names of the EMF metrics the handlers emit in namespace ResearchReport: the agent handler's per role, and the findings of each pre-review check (dimension `role` = the check)."
  type = object({
    invocations       = optional(string, "AgentInvocations")
    latency           = optional(string, "AgentLatencyMs")
    retries           = optional(string, "AgentRetries")
    fallbacks         = optional(string, "FallbackUsed")
    input_tokens      = optional(string, "InputTokens")
    output_tokens     = optional(string, "OutputTokens")
    blocking_findings = optional(string, "BlockingFindings")
    advisory_findings = optional(string, "AdvisoryFindings")
  })
  default = {}
}

variable "alarm_thresholds" {
  description = "Alarm thresholds (count per 5-minute period, alarm when >= threshold)."
  type = object({
    executions_failed    = optional(number, 1)
    executions_timed_out = optional(number, 1)
    executions_throttled = optional(number, 1)
    lambda_errors        = optional(number, 1)
    approval_timeouts    = optional(number, 1)
  })
  default = {}

  validation {
    condition     = alltrue([for v in values(var.alarm_thresholds) : v >= 1])
    error_message = "Every alarm threshold must be >= 1."
  }
}

variable "fallback_alarm" {
  description = "Alarm when the agent functions fall back to their smaller model: threshold is fallback calls of every role together per period (metric agent_metric_names.fallbacks), role_dimensions the EMF dimensions of each role's metric (Powertools adds service to role and environment). A fallback that writes the report still ends Published, so this alarm is what shows a broken agent or model. null creates no alarm. At most 10 roles (an alarm's metric math reads at most 10 metrics)."
  type = object({
    threshold       = number
    period_seconds  = optional(number, 300)
    role_dimensions = map(map(string))
  })
  default = null

  validation {
    condition     = var.fallback_alarm == null || try(var.fallback_alarm.threshold >= 1 && length(var.fallback_alarm.role_dimensions) >= 1 && length(var.fallback_alarm.role_dimensions) <= 10, false)
    error_message = "fallback_alarm.threshold must be >= 1 and role_dimensions name 1 to 10 roles."
  }

  validation {
    condition     = var.fallback_alarm == null || try(contains([60, 300, 900, 3600, 21600, 86400], var.fallback_alarm.period_seconds), false)
    error_message = "fallback_alarm.period_seconds must be one of 60, 300, 900, 3600, 21600, 86400."
  }
}

variable "budget_notifications" {
  description = "Admit AWS Budgets of this account to publish to the created ops topic (the budget module notifies it)."
  type        = bool
  default     = false
}

variable "token_prices_usd_per_1k" {
  description = "Price per 1,000 tokens (input, output) of each role's agent model; non-empty adds the estimated cost per execution widget."
  type = map(object({
    input  = number
    output = number
  }))
  default = {}
}

variable "transitions_per_execution" {
  description = "State transitions of a typical execution (`make cost --json` assumptions.transitions_per_run); the cost widget adds them at transition_price_usd."
  type        = number
  default     = 0

  validation {
    condition     = var.transitions_per_execution >= 0
    error_message = "transitions_per_execution must be >= 0."
  }
}

variable "transition_price_usd" {
  description = "Price of one Standard state transition (scripts/pricing/us-east-1.json)."
  type        = number
  default     = 0.000025
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
