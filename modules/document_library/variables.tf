variable "name" {
  description = "Prefix of every resource name: the bucket <name>-library-<account>, the function <name>-document_indexer, the rule <name>-library-changed and the queue <name>-library-dlq. 2-42 lowercase letters, digits or '-' (the bucket must fit S3's 63 characters, the function the 59 of modules/lambda_function); not starting with a prefix S3 reserves (xn--, sthree-, amzn-s3-demo-)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,40}[a-z0-9]$", var.name)) && !anytrue([for reserved in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.name, reserved)])
    error_message = "name must be 2-42 lowercase letters, digits or '-', starting and ending with a letter or digit, and not start with xn--, sthree- or amzn-s3-demo- (prefixes S3 reserves)."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key encrypting the library bucket, the indexer's logs and environment, and the dead-letter queue. Its key policy must let events.amazonaws.com use it for the rule (aws:SourceArn = the rule_arn output), or EventBridge cannot dead-letter into the queue."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "indexer_package_path" {
  description = "Path of the document_indexer zip built by scripts/package_lambdas.py (dist/document_indexer.zip)."
  type        = string
}

variable "architecture" {
  description = "Instruction set of the indexer function: arm64 or x86_64 (the layers must be built for it)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "layers" {
  description = "Layer version ARNs of the indexer function; the code imports Powertools for AWS Lambda (Python) v3, which the zip does not vendor, so its layer must be one of them."
  type        = list(string)

  validation {
    condition     = length(var.layers) >= 1
    error_message = "layers must hold the Powertools layer: the indexer imports aws_lambda_powertools and fails at its first invocation without it."
  }
}

variable "environment" {
  description = "Environment name: the ENVIRONMENT of the indexer, a metric dimension and part of its description."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.environment))
    error_message = "environment must be 1-64 letters, digits, '_' or '-'."
  }
}

variable "powertools_log_level" {
  description = "POWERTOOLS_LOG_LEVEL of the indexer; Lambda's application log level follows it (WARNING is WARN, CRITICAL is FATAL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.powertools_log_level)
    error_message = "powertools_log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the indexer's log group; one of the values CloudWatch Logs accepts (checked by modules/lambda_function)."
  type        = number
  default     = 30
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted document's old version (and an old index) is kept."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days, at least 1."
  }
}

variable "access_log_bucket" {
  description = "Name of an existing bucket receiving the library's S3 server access logs (prefix library/); null disables them."
  type        = string
  default     = null

  validation {
    condition     = var.access_log_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_log_bucket))
    error_message = "access_log_bucket must be a bucket name (3-63 lowercase letters, digits, '.' or '-'), not an ARN or s3:// URL."
  }
}

variable "dlq_message_retention_seconds" {
  description = "How long events the indexer could not take stay in its dead-letter queue (60-1209600 seconds)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600 && floor(var.dlq_message_retention_seconds) == var.dlq_message_retention_seconds
    error_message = "dlq_message_retention_seconds must be a whole number from 60 to 1209600 (14 days)."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the library bucket with every document and index version in it (keep false until the library is to be removed)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
