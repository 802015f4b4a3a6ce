variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !strcontains(var.bucket_name, "..")
    error_message = "bucket_name must be 3-63 characters of lowercase letters, digits, '.' or '-', starting and ending with a letter or digit."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key ARN for default SSE-KMS encryption (S3 Bucket Key on)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "intermediate_expiration_days" {
  description = "Days after which objects tagged retention=intermediate (sources, summaries, drafts) expire."
  type        = number
  default     = 30

  validation {
    condition     = var.intermediate_expiration_days >= 1
    error_message = "intermediate_expiration_days must be >= 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions are deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be >= 1."
  }
}

variable "abort_incomplete_multipart_days" {
  description = "Days after which incomplete multipart uploads are aborted."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_days >= 1
    error_message = "abort_incomplete_multipart_days must be >= 1."
  }
}

variable "access_log_bucket" {
  description = "Name of an existing bucket receiving S3 server access logs; null disables access logging."
  type        = string
  default     = null
}

variable "access_log_prefix" {
  description = "Key prefix for access log objects in access_log_bucket."
  type        = string
  default     = "s3-access/"
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a non-empty bucket (keep false outside throwaway stacks)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
