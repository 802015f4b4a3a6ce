# Least privilege of the two sets of statements: the indexer's role (lists the library, reads
# documents/ and the index, writes only the index, uses the key through S3 and SQS) and the
# reader_policy_statements the agents get (the index object and the key through S3, nothing else).

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

run "indexer_reads_documents_and_writes_only_the_index" {
  command = apply

  assert {
    condition = { for s in local.indexer_policy_statements : s.sid => { actions = toset(s.actions), resources = toset(s.resources) } } == {
      ListLibrary = {
        actions   = toset(["s3:ListBucket"])
        resources = toset(["arn:aws:s3:::research-report-test-library-123456789012"])
      }
      ReadDocumentsAndIndex = {
        actions = toset(["s3:GetObject"])
        resources = toset([
          "arn:aws:s3:::research-report-test-library-123456789012/documents/*",
          "arn:aws:s3:::research-report-test-library-123456789012/index/library-index.json",
        ])
      }
      WriteIndex = {
        actions   = toset(["s3:PutObject"])
        resources = toset(["arn:aws:s3:::research-report-test-library-123456789012/index/library-index.json"])
      }
      UseLibraryKey = {
        actions   = toset(["kms:GenerateDataKey", "kms:Decrypt"])
        resources = toset(["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
      }
    }
    error_message = "The indexer may list the library bucket, read documents/* and the index, write the index and use the library key: nothing else, on nothing else."
  }
  assert {
    condition = alltrue([for s in local.indexer_policy_statements : alltrue([for r in s.resources :
    !strcontains(r, "*") || r == "${output.bucket_arn}/${output.documents_prefix}*"])])
    error_message = "The indexer's one wildcard is the documents prefix (<bucket>/documents/*)."
  }
  assert {
    condition     = one([for s in local.indexer_policy_statements : s if s.sid == "WriteIndex"]).resources == ["${output.bucket_arn}/${output.index_key}"]
    error_message = "The object ARNs agree with documents_prefix and index_key: the indexer writes exactly the index its readers read."
  }
  assert {
    condition     = !anytrue([for s in local.indexer_policy_statements : contains(s.actions, "s3:DeleteObject") || contains(s.actions, "s3:PutObjectAcl")])
    error_message = "The indexer never deletes or re-permissions objects: documents are the users'."
  }
}

run "indexer_uses_the_key_only_through_s3_and_sqs" {
  command = apply

  assert {
    condition = one([for s in local.indexer_policy_statements : s if s.sid == "UseLibraryKey"]).conditions == [{
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"]
    }]
    error_message = "kms:ViaService limits the indexer's key use to S3 (documents, index) and SQS (its dead-letter queue)."
  }
  assert {
    condition     = alltrue([for s in local.indexer_policy_statements : length(s.conditions) == 0 if s.sid != "UseLibraryKey"])
    error_message = "The S3 statements carry no conditions: a prefix-conditioned ListBucket would turn the first rebuild's missing index into a 403."
  }
}

run "readers_get_the_index_and_nothing_else" {
  command = apply

  assert {
    condition = { for s in output.reader_policy_statements : s.sid => { actions = toset(s.actions), resources = toset(s.resources) } } == {
      ReadLibraryIndex = {
        actions   = toset(["s3:GetObject"])
        resources = toset(["arn:aws:s3:::research-report-test-library-123456789012/index/library-index.json"])
      }
      SeeMissingLibraryIndex = {
        actions   = toset(["s3:ListBucket"])
        resources = toset(["arn:aws:s3:::research-report-test-library-123456789012"])
      }
      DecryptLibraryIndex = {
        actions   = toset(["kms:Decrypt"])
        resources = toset(["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
      }
    }
    error_message = "A reader may get the index object, list the bucket (404 for a missing index) and decrypt with the library key: not the documents, not a write."
  }
  assert {
    condition     = one([for s in output.reader_policy_statements : s if s.sid == "ReadLibraryIndex"]).resources == ["${output.bucket_arn}/${output.index_key}"]
    error_message = "The reader's object ARN is bucket_arn/index_key, the object the indexer writes."
  }
  assert {
    condition     = alltrue([for s in output.reader_policy_statements : alltrue([for v in concat(s.actions, s.resources) : !strcontains(v, "*")])])
    error_message = "No reader action or resource holds a wildcard."
  }
}

run "readers_decrypt_only_through_s3" {
  command = apply

  assert {
    condition = one([for s in output.reader_policy_statements : s if s.sid == "DecryptLibraryIndex"]).conditions == [{
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.us-east-1.amazonaws.com"]
    }]
    error_message = "kms:ViaService limits the reader's kms:Decrypt to S3 reading the SSE-KMS index."
  }
  assert {
    condition     = alltrue([for s in output.reader_policy_statements : length(s.conditions) == 0 if s.sid != "DecryptLibraryIndex"])
    error_message = "The S3 reader statements carry no conditions."
  }
}

run "reader_statements_fit_lambda_function_policy_statements" {
  command = apply

  assert {
    condition = alltrue([for s in output.reader_policy_statements :
    can(regex("^[A-Za-z0-9]+$", s.sid)) && length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Each reader statement has an alphanumeric sid, actions and resources, as modules/lambda_function's policy_statements requires."
  }
  assert {
    condition     = length(distinct([for s in output.reader_policy_statements : s.sid])) == length(output.reader_policy_statements)
    error_message = "The reader sids are distinct, as modules/lambda_function requires of one role's statements."
  }
}
