variable "name" {
  description = "Name prefix of everything this consumer creates."
  type        = string
}

variable "aws_region" {
  description = "Region of the consumer stack."
  type        = string
  default     = "us-east-1"
}

variable "search_model_id" {
  description = "Foundation model of the search agent."
  type        = string
}

variable "search_knowledge_base_id" {
  description = "Optional knowledge base of the search agent."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Existing customer managed key for the agent, the bucket, the function and its logs."
  type        = string
}

variable "bucket_name" {
  description = "Name of the artifact bucket."
  type        = string
}

variable "package_path" {
  description = "Zip of the agent Lambda package (make package builds dist/agent.zip)."
  type        = string
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}

variable "guardrail" {
  description = "Existing Bedrock guardrail for the agent."
  type = object({
    identifier = string
    version    = string
  })
}
