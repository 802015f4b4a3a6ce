# Each rule of variables.tf has a run whose value breaks that rule and no other; the `valid...`
# runs pass with boundary values and the optional settings given.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  bucket_name = "research-report-test-artifacts-123456789012"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

run "valid_with_every_option_set" {
  command = plan

  variables {
    kms_key_arn                        = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"
    intermediate_expiration_days       = 1
    noncurrent_version_expiration_days = 1
    abort_incomplete_multipart_days    = 1
    access_log_bucket                  = "central-access-logs-123456789012"
    access_log_prefix                  = "artifacts/"
    force_destroy                      = true
    tags                               = { team = "research" }
  }
}

run "valid_bucket_name_of_3_characters_with_a_dot" {
  command = plan

  variables {
    bucket_name = "a.b"
  }
}

run "valid_bucket_name_of_63_characters" {
  command = plan

  variables {
    bucket_name = join("", [for i in range(63) : "a"])
  }
}

# --- bucket_name ----------------------------------------------------------------------------

run "bucket_name_of_2_characters_is_refused" {
  command = plan

  variables {
    bucket_name = "ab"
  }

  expect_failures = [var.bucket_name]
}

run "bucket_name_of_64_characters_is_refused" {
  command = plan

  variables {
    bucket_name = join("", [for i in range(64) : "a"])
  }

  expect_failures = [var.bucket_name]
}

run "bucket_name_with_uppercase_letters_is_refused" {
  command = plan

  variables {
    bucket_name = "Research-Report-Artifacts"
  }

  expect_failures = [var.bucket_name]
}

run "bucket_name_ending_with_a_hyphen_is_refused" {
  command = plan

  variables {
    bucket_name = "research-report-artifacts-"
  }

  expect_failures = [var.bucket_name]
}

run "bucket_name_with_two_adjacent_dots_is_refused" {
  command = plan

  variables {
    bucket_name = "research..artifacts"
  }

  expect_failures = [var.bucket_name]
}

# --- kms_key_arn ----------------------------------------------------------------------------

run "kms_key_arn_that_names_an_alias_is_refused" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/research-report"
  }

  expect_failures = [var.kms_key_arn]
}

run "kms_key_given_by_id_is_refused" {
  command = plan

  variables {
    kms_key_arn = "1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  expect_failures = [var.kms_key_arn]
}

# --- lifecycle days -------------------------------------------------------------------------

run "intermediate_expiration_of_0_days_is_refused" {
  command = plan

  variables {
    intermediate_expiration_days = 0
  }

  expect_failures = [var.intermediate_expiration_days]
}

run "noncurrent_version_expiration_of_0_days_is_refused" {
  command = plan

  variables {
    noncurrent_version_expiration_days = 0
  }

  expect_failures = [var.noncurrent_version_expiration_days]
}

run "abort_incomplete_multipart_after_0_days_is_refused" {
  command = plan

  variables {
    abort_incomplete_multipart_days = 0
  }

  expect_failures = [var.abort_incomplete_multipart_days]
}
