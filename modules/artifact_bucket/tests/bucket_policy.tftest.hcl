# The bucket policy: TLS only, and a writer that names an encryption header or key must name
# SSE-KMS with the bucket's key. The document depends on the bucket ARN, so these runs apply.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  bucket_name = "research-report-test-artifacts-123456789012"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

override_resource {
  target = aws_s3_bucket.this
  values = {
    id  = "research-report-test-artifacts-123456789012"
    arn = "arn:aws:s3:::research-report-test-artifacts-123456789012"
  }
}

run "policy_is_attached_to_the_bucket" {
  command = apply

  assert {
    condition     = aws_s3_bucket_policy.this.bucket == "research-report-test-artifacts-123456789012" && aws_s3_bucket_policy.this.policy == data.aws_iam_policy_document.bucket.json
    error_message = "The bucket policy document is attached to the artifact bucket."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.bucket.statement : s.sid] == ["DenyInsecureTransport", "DenyNonKmsEncryptionHeader", "DenyOtherKmsKey"]
    error_message = "The policy has exactly the three deny statements."
  }
  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.bucket.statement :
    s.effect == "Deny" && one(s.principals).type == "*" && toset(one(s.principals).identifiers) == toset(["*"])])
    error_message = "Every statement denies, for every principal."
  }
}

run "requests_without_tls_are_denied" {
  command = apply

  assert {
    condition     = toset(data.aws_iam_policy_document.bucket.statement[0].actions) == toset(["s3:*"])
    error_message = "Every S3 action is denied without TLS."
  }
  assert {
    condition = toset(data.aws_iam_policy_document.bucket.statement[0].resources) == toset([
      "arn:aws:s3:::research-report-test-artifacts-123456789012",
      "arn:aws:s3:::research-report-test-artifacts-123456789012/*",
    ])
    error_message = "The TLS rule covers the bucket and its objects."
  }
  assert {
    condition = (one(data.aws_iam_policy_document.bucket.statement[0].condition).test == "Bool"
      && one(data.aws_iam_policy_document.bucket.statement[0].condition).variable == "aws:SecureTransport"
    && toset(one(data.aws_iam_policy_document.bucket.statement[0].condition).values) == toset(["false"]))
    error_message = "The rule applies when aws:SecureTransport is false."
  }
}

run "a_present_encryption_header_must_name_sse_kms" {
  command = apply

  assert {
    condition = (toset(data.aws_iam_policy_document.bucket.statement[1].actions) == toset(["s3:PutObject"])
    && toset(data.aws_iam_policy_document.bucket.statement[1].resources) == toset(["arn:aws:s3:::research-report-test-artifacts-123456789012/*"]))
    error_message = "The encryption header rule covers object writes."
  }
  assert {
    condition = ({ for c in data.aws_iam_policy_document.bucket.statement[1].condition : c.test => { variable = c.variable, values = toset(c.values) } } == {
      Null            = { variable = "s3:x-amz-server-side-encryption", values = toset(["false"]) }
      StringNotEquals = { variable = "s3:x-amz-server-side-encryption", values = toset(["aws:kms", "aws:kms:dsse"]) }
    })
    error_message = "Writes without the header rely on the default SSE-KMS; only a present header (Null = false) naming anything but aws:kms or aws:kms:dsse is denied (not IfExists, which holds when the header is absent)."
  }
}

run "a_present_kms_key_header_must_name_the_buckets_key" {
  command = apply

  assert {
    condition = (toset(data.aws_iam_policy_document.bucket.statement[2].actions) == toset(["s3:PutObject"])
    && toset(data.aws_iam_policy_document.bucket.statement[2].resources) == toset(["arn:aws:s3:::research-report-test-artifacts-123456789012/*"]))
    error_message = "The key header rule covers object writes."
  }
  assert {
    condition = ({ for c in data.aws_iam_policy_document.bucket.statement[2].condition : c.test => { variable = c.variable, values = toset(c.values) } } == {
      Null            = { variable = "s3:x-amz-server-side-encryption-aws-kms-key-id", values = toset(["false"]) }
      StringNotEquals = { variable = "s3:x-amz-server-side-encryption-aws-kms-key-id", values = toset([var.kms_key_arn]) }
    })
    error_message = "Only a present key header (Null = false) naming a KMS key other than kms_key_arn is denied."
  }
}

run "outputs_name_the_bucket" {
  command = apply

  assert {
    condition     = output.bucket_name == "research-report-test-artifacts-123456789012"
    error_message = "bucket_name is the bucket's name (its id)."
  }
  assert {
    condition     = output.bucket_arn == "arn:aws:s3:::research-report-test-artifacts-123456789012"
    error_message = "bucket_arn is the bucket's ARN."
  }
}
