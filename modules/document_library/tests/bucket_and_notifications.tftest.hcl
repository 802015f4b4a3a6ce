# The library bucket (modules/artifact_bucket: versioned, SSE-KMS with the given key, public access
# blocked) and its object events, which S3 sends to the account's default EventBridge bus.

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

variables {
  name                 = "research-report-test"
  environment          = "test"
  kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  indexer_package_path = "tests/fixtures/document_indexer.zip"
  layers               = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:7"]
}

run "bucket_is_named_after_the_prefix_and_the_account" {
  command = plan

  assert {
    condition     = local.bucket_name == "research-report-test-library-123456789012"
    error_message = "The bucket is <name>-library-<account id>: bucket names are global, the account makes it unique."
  }
}

run "bucket_outputs_name_the_bucket_and_its_layout" {
  command = apply

  assert {
    condition     = output.bucket_name == "research-report-test-library-123456789012" && output.bucket_arn == "arn:aws:s3:::research-report-test-library-123456789012"
    error_message = "bucket_name and bucket_arn return the library bucket's name and ARN."
  }
  assert {
    condition     = output.documents_prefix == "documents/" && output.index_key == "index/library-index.json"
    error_message = "Documents live under documents/; the index is index/library-index.json (lambda_src/workflow_core/documents.py)."
  }
  assert {
    condition     = !startswith(output.index_key, output.documents_prefix)
    error_message = "The index is outside documents/, so writing it triggers no rebuild."
  }
}

run "object_events_go_to_eventbridge" {
  command = apply

  assert {
    condition     = aws_s3_bucket_notification.eventbridge.bucket == "research-report-test-library-123456789012"
    error_message = "The notification configuration is the library bucket's."
  }
  assert {
    condition     = aws_s3_bucket_notification.eventbridge.eventbridge == true
    error_message = "S3 sends the bucket's object events to EventBridge."
  }
  assert {
    condition = (length(aws_s3_bucket_notification.eventbridge.lambda_function) == 0
      && length(aws_s3_bucket_notification.eventbridge.queue) == 0
    && length(aws_s3_bucket_notification.eventbridge.topic) == 0)
    error_message = "No direct S3 -> Lambda/SQS/SNS notification: the rule on the default bus is the one consumer."
  }
}
