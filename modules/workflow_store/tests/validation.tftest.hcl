# Each rule of variables.tf has a run whose value breaks that rule and no other; `valid` passes.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  workflow_table_name     = "research-report-test-workflow"
  search_cache_table_name = "research-report-test-search-cache"
}

run "valid" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }
}

run "workflow_table_name_too_short" {
  command = plan

  variables {
    workflow_table_name = "wf"
  }

  expect_failures = [var.workflow_table_name]
}

run "search_cache_table_name_with_a_space" {
  command = plan

  variables {
    search_cache_table_name = "search cache"
  }

  expect_failures = [var.search_cache_table_name]
}

run "kms_key_arn_that_names_an_alias" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/research-report"
  }

  expect_failures = [var.kms_key_arn]
}
