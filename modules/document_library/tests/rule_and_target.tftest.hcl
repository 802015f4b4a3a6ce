# The default-bus rule for Object Created/Deleted under documents/, its one target (the indexer,
# with a retry policy and the DLQ) and the permission that lets only this rule invoke the indexer.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

override_resource {
  target = module.bucket.aws_s3_bucket.this
  values = {
    id  = "research-report-test-library-123456789012"
    arn = "arn:aws:s3:::research-report-test-library-123456789012"
  }
}

override_resource {
  target = module.indexer.aws_lambda_function.this
  values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:research-report-test-document_indexer" }
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:research-report-test-library-dlq"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/research-report-test-library-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/research-report-test-library-dlq"
  }
}

# The ARN AWS gives a rule on the default bus: arn:<partition>:events:<region>:<account>:rule/<name>.
override_resource {
  target = aws_cloudwatch_event_rule.this
  values = { arn = "arn:aws:events:us-east-1:123456789012:rule/research-report-test-library-changed" }
}

variables {
  name                 = "research-report-test"
  environment          = "test"
  kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  indexer_package_path = "tests/fixtures/document_indexer.zip"
  layers               = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:7"]
  tags                 = { team = "research" }
}

run "rule_matches_document_changes_in_the_library_only" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_rule.this.name == "research-report-test-library-changed"
    error_message = "The rule is <name>-library-changed."
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this.event_bus_name == null && aws_cloudwatch_event_target.indexer.event_bus_name == null
    error_message = "The rule and its target name no bus: they are on the account's default bus, where S3 sends object events."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this.event_pattern) == {
      source        = ["aws.s3"]
      "detail-type" = ["Object Created", "Object Deleted"]
      detail = {
        bucket = { name = ["research-report-test-library-123456789012"] }
        object = { key = [{ prefix = "documents/" }] }
      }
    }
    error_message = "The pattern is exactly: S3 Object Created or Object Deleted, in the library bucket, with a key under documents/."
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this.tags["team"] == "research"
    error_message = "tags reach the rule."
  }
}

run "rule_arn_is_the_arn_aws_gives_the_rule" {
  command = apply

  assert {
    condition     = local.rule_arn == aws_cloudwatch_event_rule.this.arn
    error_message = "local.rule_arn (what the DLQ policy and the permission name before the rule exists) is the default-bus rule's ARN."
  }
  assert {
    condition     = output.rule_arn == "arn:aws:events:us-east-1:123456789012:rule/research-report-test-library-changed"
    error_message = "rule_arn returns the rule's ARN."
  }
}

run "rule_arn_follows_the_partition_and_region" {
  command = plan

  override_data {
    target = data.aws_partition.current
    values = { partition = "aws-us-gov" }
  }

  override_data {
    target = data.aws_region.current
    values = { name = "us-gov-west-1" }
  }

  assert {
    condition     = output.rule_arn == "arn:aws-us-gov:events:us-gov-west-1:123456789012:rule/research-report-test-library-changed"
    error_message = "rule_arn is built from the partition, Region and account the provider runs in."
  }
}

run "the_indexer_is_the_one_target_with_retries_and_the_dlq" {
  command = apply

  assert {
    condition = (aws_cloudwatch_event_target.indexer.rule == "research-report-test-library-changed"
      && aws_cloudwatch_event_target.indexer.target_id == "document-indexer"
    && aws_cloudwatch_event_target.indexer.arn == "arn:aws:lambda:us-east-1:123456789012:function:research-report-test-document_indexer")
    error_message = "The rule's target is the indexer function."
  }
  assert {
    condition = (one(aws_cloudwatch_event_target.indexer.retry_policy).maximum_event_age_in_seconds == 3600
    && one(aws_cloudwatch_event_target.indexer.retry_policy).maximum_retry_attempts == 8)
    error_message = "EventBridge retries a failed delivery 8 times within an hour."
  }
  assert {
    condition     = one(aws_cloudwatch_event_target.indexer.dead_letter_config).arn == "arn:aws:sqs:us-east-1:123456789012:research-report-test-library-dlq"
    error_message = "An event EventBridge cannot deliver goes to the module's DLQ."
  }
  assert {
    condition     = aws_cloudwatch_event_target.indexer.input == null && aws_cloudwatch_event_target.indexer.input_path == null && aws_cloudwatch_event_target.indexer.role_arn == null
    error_message = "The indexer gets the whole S3 event, invoked through its resource policy (no role)."
  }
}

run "only_the_rule_may_invoke_the_indexer" {
  command = apply

  assert {
    condition = (aws_lambda_permission.events.action == "lambda:InvokeFunction"
      && aws_lambda_permission.events.principal == "events.amazonaws.com"
    && aws_lambda_permission.events.function_name == "research-report-test-document_indexer")
    error_message = "The permission lets EventBridge invoke the indexer function."
  }
  assert {
    condition     = aws_lambda_permission.events.source_arn == "arn:aws:events:us-east-1:123456789012:rule/research-report-test-library-changed"
    error_message = "source_arn limits the permission to the library rule."
  }
  assert {
    condition     = aws_lambda_permission.events.source_arn == aws_cloudwatch_event_rule.this.arn
    error_message = "The permission's source_arn is the rule's own ARN."
  }
}
