# The bus and its archive: every event on the bus is kept for replay.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

override_resource {
  target = aws_cloudwatch_event_bus.this
  values = { arn = "arn:aws:events:us-east-1:123456789012:event-bus/research-report-test-events" }
}

variables {
  name = "research-report-test-events"
  tags = { team = "research" }
}

run "bus_is_named_and_tagged" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_bus.this.name == "research-report-test-events" && output.bus_name == "research-report-test-events"
    error_message = "The bus is named var.name."
  }
  assert {
    condition     = aws_cloudwatch_event_bus.this.tags["team"] == "research"
    error_message = "tags reach the bus."
  }
  assert {
    condition     = aws_cloudwatch_event_bus.this.kms_key_identifier == null
    error_message = "The bus keeps the AWS owned key: archives are not supported on buses with a customer managed key."
  }
}

run "archive_keeps_events_30_days_by_default" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_archive.this.name == "research-report-test-events-archive"
    error_message = "The archive is named <name>-archive."
  }
  assert {
    condition     = aws_cloudwatch_event_archive.this.retention_days == 30 && output.archive_retention_days == 30
    error_message = "archive_retention_days defaults to 30."
  }
  assert {
    condition     = aws_cloudwatch_event_archive.this.event_pattern == null
    error_message = "The archive has no event pattern: it keeps every event on the bus."
  }
}

run "archive_may_keep_events_forever" {
  command = plan

  variables {
    archive_retention_days = 0
  }

  assert {
    condition     = aws_cloudwatch_event_archive.this.retention_days == 0 && output.archive_retention_days == 0
    error_message = "archive_retention_days = 0 (forever) reaches the archive."
  }
}

run "archive_name_is_cut_to_48_characters" {
  command = plan

  variables {
    name = "research-report-a-rather-long-environment-name-events"
  }

  assert {
    condition     = aws_cloudwatch_event_archive.this.name == "research-report-a-rather-long-environment-name-e"
    error_message = "The archive name is <name>-archive cut to the 48 characters EventBridge allows."
  }
}

run "archive_records_the_bus" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_archive.this.event_source_arn == "arn:aws:events:us-east-1:123456789012:event-bus/research-report-test-events"
    error_message = "The archive's source is the module's bus."
  }
  assert {
    condition     = output.bus_arn == "arn:aws:events:us-east-1:123456789012:event-bus/research-report-test-events"
    error_message = "bus_arn returns the bus's ARN."
  }
  assert {
    condition     = output.archive_arn == "arn:aws:events:us-east-1:123456789012:archive/mock-archive"
    error_message = "archive_arn returns the archive's ARN."
  }
}
