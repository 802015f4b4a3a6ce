# Workflow records, artifact index and approvals (design.md, "DynamoDB").
resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_28:PITR is the per-environment variable point_in_time_recovery; terraform/tests/team.tftest.hcl and bu.tftest.hcl assert team and bu enable it. The pilot disables it for cost: its records can be re-created by re-running workflows.
  name                        = var.workflow_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

# Search results cache (design.md): entries expire through TTL and are rebuilt on a miss.
resource "aws_dynamodb_table" "search_cache" {
  #checkov:skip=CKV_AWS_28:Cache table: every item expires via TTL and is rebuilt on a miss, so point-in-time recovery would only pay to restore stale data.
  name                        = var.search_cache_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "cache_key"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "cache_key"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = false
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}
