variable "name" {
  description = "State machine name; also names its role and its log group /aws/vendedlogs/states/<name>."
  type        = string

  validation {
    # 55, not the 80 Step Functions allows: the role <name>-sfn-role must fit IAM's 64 characters.
    condition     = can(regex("^[A-Za-z0-9_-]{1,55}$", var.name))
    error_message = "name must be 1-55 characters of letters, digits, '-' or '_' (the role <name>-sfn-role must fit IAM's 64)."
  }
}

variable "type" {
  description = "STANDARD or EXPRESS. EXPRESS is refused when the definition uses .waitForTaskToken or .sync (Express workflows support neither)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXPRESS"], var.type)
    error_message = "type must be STANDARD or EXPRESS."
  }
}

variable "definition_template_path" {
  description = "Path to the Amazon States Language template rendered with templatefile()."
  type        = string
}

variable "definition_variables" {
  description = "Variables for the definition template. Typed `any` because a template takes a heterogeneous object (strings and numbers); templatefile() reports missing or unused names at plan time."
  type        = any
  default     = {}
}

variable "lambda_function_arns" {
  description = "Unqualified ARNs of the Lambda functions the definition invokes; the role may invoke them and their versions/aliases (\":*\")."
  type        = list(string)

  validation {
    condition     = alltrue([for a in var.lambda_function_arns : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", a))])
    error_message = "lambda_function_arns must be unqualified Lambda function ARNs."
  }
}

variable "invoke_versions_and_aliases" {
  description = "Also let the role invoke the functions' versions and aliases (\":*\"); false when the definition invokes the unqualified ARNs only."
  type        = bool
  default     = true
}

variable "sns_topic_arns" {
  description = "SNS topics the definition publishes to directly (sns:Publish)."
  type        = list(string)
  default     = []
}

variable "dynamodb_table_arns" {
  description = "DynamoDB tables the definition reads or writes directly (the item actions in dynamodb_actions)."
  type        = list(string)
  default     = []
}

variable "dynamodb_actions" {
  description = "Item actions the definition's DynamoDB integrations use on dynamodb_table_arns; grant only those."
  type        = list(string)
  default     = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]

  validation {
    condition     = length(var.dynamodb_actions) > 0 && alltrue([for a in var.dynamodb_actions : contains(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], a)])
    error_message = "dynamodb_actions must name at least one of dynamodb:GetItem, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem (the item integrations Step Functions has)."
  }
}

variable "event_bus_arn" {
  description = "Event bus the definition may put events on (events:PutEvents); null grants none."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Customer managed KMS key: encrypts the log group, and is granted (GenerateDataKey/Decrypt) to the role when it publishes to sns_topic_arns (which it encrypts); null uses AWS owned keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "encryption_kms_key_arn" {
  description = "Customer managed KMS key encrypting the definition and the execution history and data (encryption_configuration); null keeps the AWS owned key. The role gets kms:Decrypt and kms:GenerateDataKey on it for this state machine's encryption context only; the key policy must delegate to IAM or allow the role."
  type        = string
  default     = null

  validation {
    condition     = var.encryption_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.encryption_kms_key_arn))
    error_message = "encryption_kms_key_arn must be a KMS key ARN (Step Functions needs the ARN, not an alias, to scope the role)."
  }
}

variable "kms_data_key_reuse_period_seconds" {
  description = "How long Step Functions reuses a data key before calling GenerateDataKey again (60-900); only with encryption_kms_key_arn."
  type        = number
  default     = 300

  validation {
    condition     = var.kms_data_key_reuse_period_seconds >= 60 && var.kms_data_key_reuse_period_seconds <= 900
    error_message = "kms_data_key_reuse_period_seconds must be 60-900 (Step Functions' range)."
  }
}

variable "publish" {
  description = "Publish a version on every change and point an alias (alias_name) at it: an execution keeps the version it started on across a deploy, and callers target the alias ARN (output alias_arn)."
  type        = bool
  default     = false
}

variable "alias_name" {
  description = "Name of the alias that follows the latest published version (only with publish = true)."
  type        = string
  default     = "live"

  validation {
    # Step Functions: 1-80 characters, and not a number (that would read as a version).
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.alias_name)) && !can(regex("^[0-9]+$", var.alias_name))
    error_message = "alias_name must be 1-80 letters, digits, '-' or '_', and not only digits (a number names a version)."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the execution log group; one of the values CloudWatch Logs accepts."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "log_level" {
  description = "Execution history log level: ALL, ERROR or FATAL (OFF is not offered: executions must be diagnosable)."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be ALL, ERROR or FATAL."
  }
}

variable "include_execution_data" {
  description = "Whether execution input/output is written to the logs. The payload holds only pointers and IDs, but topics can be sensitive."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
