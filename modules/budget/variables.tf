variable "name" {
  description = "Name prefix of the budget and the Bedrock spend alarm (the stack prefix); letters, digits, '-' or '_', at most 92 characters (the budget <name>-monthly: AWS Budgets allows 100)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.name))
    error_message = "name must be letters, digits, '-' or '_' (at least one)."
  }

  # The provider does not check the budget name's length: without this, only apply fails. The
  # alarm "<name>-bedrock-spend" then stays far below CloudWatch's 255.
  validation {
    condition     = length(var.name) <= 92
    error_message = "The budget \"${var.name}-monthly\" is ${length(var.name) + 8} characters but AWS Budgets names are at most 100: name may be at most 92 characters."
  }
}

variable "monthly_limit_usd" {
  description = "Monthly cost limit in USD (envs/<env>.tfvars monthly_budget_usd; between the cost model's estimate and twice it)."
  type        = number

  validation {
    condition     = var.monthly_limit_usd > 0
    error_message = "monthly_limit_usd must be > 0."
  }
}

variable "cost_filter_tag" {
  description = "Cost allocation tag that scopes the budget to this stack. Activate the tag in Billing first, or the budget sees no cost."
  type = object({
    key   = string
    value = string
  })
}

variable "notification_topic_arns" {
  description = "SNS topics notified by the budget and the alarm; the topic policy must admit budgets.amazonaws.com and cloudwatch.amazonaws.com."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.notification_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$", arn))])
    error_message = "notification_topic_arns must be SNS topic ARNs."
  }
}

variable "notification_emails" {
  description = "E-mail addresses the budget notifies directly (at most 10 per notification)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.notification_emails) <= 10 && alltrue([for e in var.notification_emails : can(regex("^[^@\\s]+@[^@\\s]+$", e))])
    error_message = "notification_emails must be at most 10 e-mail addresses."
  }
}

variable "forecast_threshold_percent" {
  description = "Notify when the month's forecast exceeds this share of the limit."
  type        = number
  default     = 80

  validation {
    condition     = var.forecast_threshold_percent > 0 && var.forecast_threshold_percent <= 1000
    error_message = "forecast_threshold_percent must be between 0 and 1000."
  }
}

variable "actual_threshold_percent" {
  description = "Notify when the month's actual cost exceeds this share of the limit."
  type        = number
  default     = 100

  validation {
    condition     = var.actual_threshold_percent > 0 && var.actual_threshold_percent <= 1000
    error_message = "actual_threshold_percent must be between 0 and 1000."
  }
}

variable "bedrock_spend" {
  description = "Bedrock spend alarm: per role, the dimensions of its InputTokens/OutputTokens metrics (namespace ResearchReport) and the price per 1,000 tokens of its model; threshold in USD per period. null creates no alarm. At most 5 roles (an alarm's metric math reads at most 10 metrics)."
  type = object({
    threshold_usd  = number
    period_seconds = optional(number, 21600)
    namespace      = optional(string, "ResearchReport")
    roles = map(object({
      dimensions               = map(string)
      input_usd_per_1k_tokens  = number
      output_usd_per_1k_tokens = number
    }))
  })
  default = null

  validation {
    condition     = var.bedrock_spend == null || try(length(var.bedrock_spend.roles) >= 1 && length(var.bedrock_spend.roles) <= 5, false)
    error_message = "bedrock_spend.roles must name 1 to 5 roles (2 metrics each, 10 per alarm)."
  }

  validation {
    condition     = var.bedrock_spend == null || try(var.bedrock_spend.threshold_usd > 0 && contains([3600, 21600, 43200, 86400], var.bedrock_spend.period_seconds), false)
    error_message = "bedrock_spend.threshold_usd must be > 0 and period_seconds one of 3600, 21600, 43200, 86400."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
