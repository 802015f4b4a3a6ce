variable "function_name" {
  description = "Name of the Lambda function; also names its role and its log group /aws/lambda/<name>."
  type        = string

  validation {
    # Lambda allows 64 characters, but the role is named <function_name>-role and IAM allows 64.
    condition     = can(regex("^[A-Za-z0-9_-]{1,59}$", var.function_name))
    error_message = "function_name must be 1-59 characters of letters, digits, '-' or '_' (its role <function_name>-role must fit IAM's 64)."
  }
}

variable "description" {
  description = "Description shown on the function."
  type        = string
  default     = ""
}

variable "package_path" {
  description = "Path to the prebuilt deployment zip (e.g. dist/agent.zip). Its hash drives updates."
  type        = string

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "package_path must point to a .zip file."
  }
}

variable "package_s3" {
  description = "Deliver the code through S3: the module uploads package_path to <key_prefix><function_name>/<SHA-256 of the zip>.zip in bucket and the function reads it from there, so several functions create in parallel (from a local file the AWS provider creates them one at a time). The bucket must be in the function's Region; whoever applies needs s3:PutObject and s3:GetObject on the key (Lambda fetches it as the caller) and, with kms_key_arn, kms:GenerateDataKey and kms:Decrypt on that key. null sends the zip with CreateFunction itself."
  type = object({
    bucket     = string
    key_prefix = optional(string, "lambda/")
  })
  default = null

  validation {
    condition     = var.package_s3 == null || (can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", try(var.package_s3.bucket, ""))) && !strcontains(try(var.package_s3.bucket, ""), ".."))
    error_message = "package_s3.bucket must be an S3 bucket name: 3-63 characters of lowercase letters, digits, '.' or '-', starting and ending with a letter or digit."
  }

  validation {
    condition     = var.package_s3 == null || try(var.package_s3.key_prefix == "" || can(regex("^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,899}/$", var.package_s3.key_prefix)), false)
    error_message = "package_s3.key_prefix must be empty or up to 900 characters of letters, digits and !_.*'()-/ ending in '/' and not starting with '/'."
  }
}

variable "handler" {
  description = "Handler string, <package>.handler.lambda_handler in this repository."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.]+\\.[A-Za-z0-9_]+$", var.handler))
    error_message = "handler must look like module.path.function."
  }
}

variable "runtime" {
  description = "Lambda runtime. The code and the Powertools layer are built for python3.12."
  type        = string
  default     = "python3.12"

  validation {
    condition     = contains(["python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be python3.12 or python3.13."
  }
}

variable "architecture" {
  description = "Instruction set of the function: arm64 (Graviton, about 20 % cheaper per GB-second) or x86_64. Layers must be built for it (the Powertools layer's name ends in the architecture)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }

  validation {
    condition     = alltrue([for layer in var.layers : !strcontains(layer, "-${var.architecture == "arm64" ? "x86_64" : "arm64"}:")])
    error_message = "A layer built for the other architecture is in layers (its name ends in -arm64 or -x86_64): pick the layer for var.architecture."
  }
}

variable "role_arn" {
  description = "Existing execution role for the function; null creates one with logs, X-Ray, KMS, DLQ and policy_statements. An existing role must already allow what the function calls (policy_statements must then be empty)."
  type        = string
  default     = null

  validation {
    condition     = var.role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.role_arn))
    error_message = "role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
  }

  validation {
    condition     = var.role_arn == null || length(var.policy_statements) == 0
    error_message = "policy_statements are attached to the role the module creates; with role_arn, attach them to that role yourself."
  }
}

variable "log_group_name" {
  description = "Existing CloudWatch log group for the function's logs; null creates /aws/lambda/<function_name> with log_retention_in_days and kms_key_arn."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_name == null || can(regex("^[A-Za-z0-9_/.#-]{1,512}$", var.log_group_name))
    error_message = "log_group_name must be 1-512 characters of letters, digits, '_', '-', '/', '.' or '#' (CloudWatch Logs)."
  }
}

variable "timeout" {
  description = "Timeout in seconds (1-900)."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "memory_size" {
  description = "Memory in MB (128-10240)."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency; null leaves the function unreserved (shares the account pool), 0 disables it."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0, false)
    error_message = "reserved_concurrent_executions must be null or >= 0."
  }
}

variable "environment_variables" {
  description = "Environment variables of the function."
  type        = map(string)
  default     = {}
}

variable "layers" {
  description = "Layer version ARNs (at most 5), e.g. the public Powertools layer."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.layers) <= 5 && alltrue([for l in var.layers : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", l))])
    error_message = "layers must hold at most 5 layer version ARNs (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key ARN for environment variables, the log group and the code object in package_s3; null uses AWS owned keys (and the bucket's default encryption)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_in_days" {
  description = "Retention of /aws/lambda/<name>; one of the values CloudWatch Logs accepts."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "application_log_level" {
  description = "Lambda advanced logging application log level (JSON log format is always on)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.application_log_level)
    error_message = "application_log_level must be TRACE, DEBUG, INFO, WARN, ERROR or FATAL."
  }
}

variable "dead_letter_queue_arn" {
  description = "Optional SQS queue ARN for failed asynchronous invocations; adds sqs:SendMessage on it to the role."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_queue_arn == null || can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:.+$", var.dead_letter_queue_arn))
    error_message = "dead_letter_queue_arn must be an SQS queue ARN."
  }
}

variable "policy_statements" {
  description = "Least-privilege statements for the execution role, one per purpose. Logs, X-Ray, KMS and DLQ access are added by the module."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid))])
    error_message = "Every statement needs an alphanumeric sid."
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : alltrue([for a in s.actions : a != "*" && !endswith(a, ":*")])])
    error_message = "Statements must name actions; '*' and 'service:*' are not allowed."
  }

  validation {
    condition     = length(distinct([for s in var.policy_statements : s.sid])) == length(var.policy_statements)
    error_message = "Statement sids must be unique."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
