# What the bucket is: private, owner-enforced, versioned, SSE-KMS with a Bucket Key, lifecycle by
# retention tag, optional access logging, and tags.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  bucket_name = "research-report-test-artifacts-123456789012"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

run "bucket_is_private_owner_enforced_and_kept_on_destroy" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this.bucket == "research-report-test-artifacts-123456789012"
    error_message = "The bucket is named bucket_name."
  }
  assert {
    condition     = aws_s3_bucket.this.force_destroy == false
    error_message = "force_destroy defaults to false: destroy never deletes artifacts by default."
  }
  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs are disabled (BucketOwnerEnforced)."
  }
  assert {
    condition = (aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy
    && aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets)
    error_message = "All four public access block settings are on."
  }
  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "The bucket is versioned."
  }
}

run "default_encryption_is_sse_kms_with_the_key_and_a_bucket_key" {
  command = plan

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "Default encryption is SSE-KMS."
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn
    error_message = "Default encryption uses kms_key_arn."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled
    error_message = "The S3 Bucket Key is on."
  }
}

run "lifecycle_follows_the_retention_tags_with_default_days" {
  command = plan

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.id] == ["expire-intermediate", "expire-noncurrent-versions", "abort-incomplete-multipart"]
    error_message = "The lifecycle has the three rules of design.md."
  }
  assert {
    condition     = alltrue([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.status == "Enabled"])
    error_message = "Every lifecycle rule is enabled."
  }
  assert {
    condition = (one(one(aws_s3_bucket_lifecycle_configuration.this.rule[0].filter).tag).key == "retention"
    && one(one(aws_s3_bucket_lifecycle_configuration.this.rule[0].filter).tag).value == "intermediate")
    error_message = "Only objects tagged retention=intermediate expire; retention=published objects are kept."
  }
  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[0].expiration).days == 30
    error_message = "Intermediate objects expire after 30 days by default."
  }
  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[1].noncurrent_version_expiration).noncurrent_days == 30
    error_message = "Noncurrent versions expire after 30 days by default."
  }
  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[1].expiration).expired_object_delete_marker
    error_message = "Expired object delete markers are removed."
  }
  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[2].abort_incomplete_multipart_upload).days_after_initiation == 7
    error_message = "Incomplete multipart uploads are aborted after 7 days by default."
  }
}

run "lifecycle_days_are_configurable" {
  command = plan

  variables {
    intermediate_expiration_days       = 14
    noncurrent_version_expiration_days = 90
    abort_incomplete_multipart_days    = 1
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[0].expiration).days == 14
    error_message = "intermediate_expiration_days reaches the expire-intermediate rule."
  }
  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[1].noncurrent_version_expiration).noncurrent_days == 90
    error_message = "noncurrent_version_expiration_days reaches the expire-noncurrent-versions rule."
  }
  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[2].abort_incomplete_multipart_upload).days_after_initiation == 1
    error_message = "abort_incomplete_multipart_days reaches the abort-incomplete-multipart rule."
  }
}

run "no_access_logging_without_a_log_bucket" {
  command = plan

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0
    error_message = "access_log_bucket = null disables access logging."
  }
}

run "access_logs_go_to_the_named_bucket_and_prefix" {
  command = plan

  variables {
    access_log_bucket = "central-access-logs-123456789012"
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 1 && aws_s3_bucket_logging.this[0].target_bucket == "central-access-logs-123456789012"
    error_message = "access_log_bucket turns access logging on, into that bucket."
  }
  assert {
    condition     = aws_s3_bucket_logging.this[0].target_prefix == "s3-access/"
    error_message = "access_log_prefix defaults to s3-access/."
  }
}

run "throwaway_stack_may_force_destroy_and_tags_reach_the_bucket" {
  command = plan

  variables {
    force_destroy = true
    tags          = { team = "research" }
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy
    error_message = "force_destroy = true reaches the bucket."
  }
  assert {
    condition     = aws_s3_bucket.this.tags["team"] == "research"
    error_message = "tags reach the bucket."
  }
}
