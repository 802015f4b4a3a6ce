variable "workflow_table_name" {
  description = "Name of the workflow table (pk/sk, TTL expires_at)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.workflow_table_name))
    error_message = "workflow_table_name must be 3-255 characters of letters, digits, '_', '-' or '.'."
  }
}

variable "search_cache_table_name" {
  description = "Name of the search-cache table (cache_key, TTL expires_at)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.search_cache_table_name))
    error_message = "search_cache_table_name must be 3-255 characters of letters, digits, '_', '-' or '.'."
  }
}

variable "point_in_time_recovery" {
  description = "Enable point-in-time recovery on the workflow table. The search cache is rebuildable and never gets PITR."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer managed KMS key ARN for server-side encryption; null uses the AWS managed key (SSE stays on either way)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "deletion_protection" {
  description = "Enable deletion protection on both tables."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags merged into every taggable resource of the module."
  type        = map(string)
  default     = {}
}
