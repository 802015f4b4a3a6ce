# package_s3: the code goes to S3 under a content-addressed key (an unchanged zip is no change,
# a changed one a new key), encrypted with the function's key, and the function reads it from there.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  function_name = "research-report-test-validate_input"
  package_path  = "tests/fixtures/handler.zip"
  handler       = "validate_input.handler.lambda_handler"
  tags          = { team = "research" }
}

run "without_a_bucket_the_zip_goes_with_create_function" {
  command = plan

  assert {
    condition     = length(aws_s3_object.package) == 0 && aws_lambda_function.this.filename == "tests/fixtures/handler.zip"
    error_message = "package_s3 = null uploads no object: the function deploys package_path itself."
  }
  assert {
    condition     = aws_lambda_function.this.s3_bucket == null && aws_lambda_function.this.s3_key == null && output.package_s3_key == null
    error_message = "Without package_s3 the function names no S3 code location."
  }
}

run "with_a_bucket_the_function_reads_its_code_from_a_content_addressed_key" {
  command = plan

  variables {
    package_s3 = { bucket = "research-report-test-code-123456789012" }
  }

  assert {
    condition = (length(aws_s3_object.package) == 1
      && aws_s3_object.package[0].bucket == "research-report-test-code-123456789012"
      && aws_s3_object.package[0].source == "tests/fixtures/handler.zip"
    && aws_s3_object.package[0].key == "lambda/research-report-test-validate_input/${filesha256("tests/fixtures/handler.zip")}.zip")
    error_message = "The zip is uploaded to <key_prefix><function_name>/<SHA-256 of the zip>.zip in package_s3.bucket."
  }
  assert {
    condition = (aws_lambda_function.this.filename == null
      && aws_lambda_function.this.s3_bucket == "research-report-test-code-123456789012"
    && aws_lambda_function.this.s3_key == aws_s3_object.package[0].key)
    error_message = "The function's code is the uploaded object, not a local file (no provider-wide lock)."
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/handler.zip")
    error_message = "source_code_hash still pins the zip's SHA-256."
  }
  assert {
    condition     = output.package_s3_key == aws_s3_object.package[0].key
    error_message = "package_s3_key returns the object's key."
  }
  assert {
    condition     = aws_s3_object.package[0].tags["team"] == "research"
    error_message = "tags reach the code object."
  }
}

run "the_code_object_is_encrypted_with_the_functions_key" {
  command = plan

  variables {
    package_s3  = { bucket = "research-report-test-code-123456789012", key_prefix = "" }
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = (aws_s3_object.package[0].server_side_encryption == "aws:kms"
    && aws_s3_object.package[0].kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    error_message = "With kms_key_arn the code object is SSE-KMS with that key."
  }
  assert {
    condition     = aws_s3_object.package[0].key == "research-report-test-validate_input/${filesha256("tests/fixtures/handler.zip")}.zip"
    error_message = "key_prefix = \"\" puts the object at <function_name>/<SHA-256>.zip."
  }
}
