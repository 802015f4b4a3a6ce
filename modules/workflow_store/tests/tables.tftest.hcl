# What the two tables are: keys, TTL, encryption, recovery and protection as the workflow needs them.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  workflow_table_name     = "research-report-test-workflow"
  search_cache_table_name = "research-report-test-search-cache"
}

run "workflow_table_keys_ttl_and_encryption" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this.hash_key == "pk" && aws_dynamodb_table.this.range_key == "sk"
    error_message = "The workflow table is keyed pk/sk (design.md)."
  }
  assert {
    condition     = one(aws_dynamodb_table.this.ttl).attribute_name == "expires_at" && one(aws_dynamodb_table.this.ttl).enabled
    error_message = "Workflow records expire through TTL on expires_at."
  }
  assert {
    condition     = one(aws_dynamodb_table.this.server_side_encryption).enabled && one(aws_dynamodb_table.search_cache.server_side_encryption).enabled
    error_message = "Both tables are encrypted at rest even without a customer managed key."
  }
  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.search_cache.billing_mode == "PAY_PER_REQUEST"
    error_message = "Both tables bill on demand."
  }
}

run "point_in_time_recovery_only_on_the_workflow_table" {
  command = plan

  assert {
    condition     = one(aws_dynamodb_table.this.point_in_time_recovery).enabled
    error_message = "PITR defaults to on for the workflow table."
  }
  assert {
    condition     = !one(aws_dynamodb_table.search_cache.point_in_time_recovery).enabled
    error_message = "The search cache is rebuildable and never gets PITR."
  }
}

run "pilot_may_turn_recovery_and_protection_off" {
  command = plan

  variables {
    point_in_time_recovery = false
    deletion_protection    = false
  }

  assert {
    condition     = !one(aws_dynamodb_table.this.point_in_time_recovery).enabled
    error_message = "point_in_time_recovery = false turns PITR off."
  }
  assert {
    condition     = !aws_dynamodb_table.this.deletion_protection_enabled && !aws_dynamodb_table.search_cache.deletion_protection_enabled
    error_message = "deletion_protection = false reaches both tables."
  }
}

run "customer_managed_key_on_both_tables" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    tags        = { team = "research" }
  }

  assert {
    condition = alltrue([for t in [aws_dynamodb_table.this, aws_dynamodb_table.search_cache] :
    one(t.server_side_encryption).kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
    error_message = "kms_key_arn encrypts both tables."
  }
  assert {
    condition     = aws_dynamodb_table.this.tags["team"] == "research" && aws_dynamodb_table.search_cache.tags["team"] == "research"
    error_message = "tags reach both tables."
  }
}
