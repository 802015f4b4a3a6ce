variable "name" {
  description = "Name prefix of the topic and the signing secret."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,200}$", var.name))
    error_message = "name must be letters, digits, '-' or '_'."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key ARN encrypting the topic and the secret."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "subscriptions" {
  description = "Approval request subscribers. email endpoints must confirm the subscription; sqs endpoints need a queue policy (and key policy) allowing this topic."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.subscriptions : contains(["email", "https", "sqs"], s.protocol)])
    error_message = "subscription protocol must be email, https or sqs."
  }

  validation {
    # An unknown protocol is the rule above's to report; this one judges the endpoints of known ones.
    condition = alltrue([for s in var.subscriptions :
      !contains(["email", "https", "sqs"], s.protocol) ||
      (s.protocol == "email" && can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", s.endpoint))) ||
      (s.protocol == "https" && startswith(s.endpoint, "https://")) ||
    (s.protocol == "sqs" && can(regex("^arn:aws[a-z-]*:sqs:", s.endpoint)))])
    error_message = "endpoint must match its protocol: an e-mail address, an https:// URL or an SQS queue ARN."
  }
}

variable "callback_function_name" {
  description = "Name of the approval_callback Lambda function that gets the Function URL."
  type        = string
}

variable "callback_endpoint" {
  description = "What serves the approval links: http_api (default; an API Gateway HTTP API with GET and POST routes on /, stage throttling and access logs) or function_url (a Lambda Function URL; only with callback_auth_type = \"AWS_IAM\", because a NONE URL now needs a public lambda:InvokeFunction grant that provider 5.x cannot bind to the URL)."
  type        = string
  default     = "http_api"

  validation {
    condition     = contains(["http_api", "function_url"], var.callback_endpoint)
    error_message = "callback_endpoint must be http_api or function_url."
  }

  validation {
    condition     = var.callback_endpoint == "http_api" || var.callback_auth_type == "AWS_IAM"
    error_message = "callback_endpoint = \"function_url\" needs callback_auth_type = \"AWS_IAM\": an unauthenticated function URL needs lambda:InvokeFunction granted to everyone, which provider 5.x cannot limit to URL requests (lambda:InvokedViaFunctionUrl), so anyone could invoke the function directly. Use http_api for e-mail links."
  }
}

variable "throttling_burst_limit" {
  description = "http_api: requests the stage admits at once before answering 429 (API Gateway's token bucket size)."
  type        = number
  default     = 10

  validation {
    condition     = var.throttling_burst_limit >= 1 && var.throttling_burst_limit <= 5000 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a whole number from 1 to 5000 (API Gateway's account burst)."
  }
}

variable "throttling_rate_limit" {
  description = "http_api: steady requests per second the stage admits (API Gateway's token refill rate)."
  type        = number
  default     = 5

  validation {
    condition     = var.throttling_rate_limit > 0 && var.throttling_rate_limit <= 10000
    error_message = "throttling_rate_limit must be above 0 and at most 10000 requests per second (API Gateway's account rate)."
  }
}

variable "access_log_retention_in_days" {
  description = "http_api: days the endpoint's access log group keeps its lines (encrypted with kms_key_arn)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_log_retention_in_days)
    error_message = "access_log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "callback_auth_type" {
  description = "Endpoint auth: NONE (default; reviewers click e-mail links without AWS credentials; the handler verifies HMAC signature, expiry and single use, and callback_signing_secret_arn must be wired) or AWS_IAM (IAM authorization on the routes, or on the function URL; reviewers sign requests with their own AWS credentials; the links stay signed and single use, and the handler records the IAM caller as reviewer)."
  type        = string
  default     = "NONE"

  validation {
    condition     = contains(["NONE", "AWS_IAM"], var.callback_auth_type)
    error_message = "callback_auth_type must be NONE or AWS_IAM."
  }
}

variable "callback_signing_secret_arn" {
  description = "SIGNING_SECRET_ARN as the callback function's environment holds it (wire the lambda_function module's environment, or this module's signing_secret_arn output that you passed to it). With callback_auth_type = \"NONE\" it must equal this module's secret, or the plan fails: signature verification is what authenticates that endpoint."
  type        = string
  default     = null
}

variable "reviewer_principal_arns" {
  description = "With callback_endpoint = \"function_url\" (AWS_IAM): IAM principals (roles, e.g. an IAM Identity Center permission set role) granted lambda:InvokeFunctionUrl in the function's resource policy. Whatever the endpoint, reviewers' identity policies need reviewer_policy_json."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.reviewer_principal_arns : can(regex("^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:(role|user|assumed-role)/.+$", p))])
    error_message = "reviewer_principal_arns must be IAM role or user ARNs."
  }
}

variable "workflow_table_arn" {
  description = "ARN of the workflow table holding approval items."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/.+$", var.workflow_table_arn))
    error_message = "workflow_table_arn must be a DynamoDB table ARN."
  }
}

variable "event_bus_arn" {
  description = "ARN of the workflow event bus (approval_request emits ApprovalRequested)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/.+$", var.event_bus_arn))
    error_message = "event_bus_arn must be an EventBridge event bus ARN."
  }
}

variable "state_machine_arn" {
  description = "ARN of the workflow state machine whose task tokens approval_callback answers."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", var.state_machine_arn))
    error_message = "state_machine_arn must be a Step Functions state machine ARN."
  }
}

variable "secret_recovery_window_in_days" {
  description = "Days a deleted signing secret can be restored (0 deletes at once; otherwise 7-30)."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_in_days == 0 || (var.secret_recovery_window_in_days >= 7 && var.secret_recovery_window_in_days <= 30)
    error_message = "secret_recovery_window_in_days must be 0 or 7-30."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
