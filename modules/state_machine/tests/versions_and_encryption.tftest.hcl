# Options of the state machine: a customer managed key for its data, and published versions behind
# an alias so an execution in flight keeps its version across a deploy.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                     = "research-report-test"
  definition_template_path = "./tests/templates/invoke_only.asl.json.tftpl"
  definition_variables = {
    function_arn    = "arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"
    timeout_seconds = 60
  }
  lambda_function_arns = ["arn:aws:lambda:us-east-1:123456789012:function:rr-validate-input"]
}

run "by_default_the_aws_owned_key_and_no_version_or_alias" {
  command = plan

  assert {
    condition     = length(aws_sfn_state_machine.this.encryption_configuration) == 0 && !aws_sfn_state_machine.this.publish
    error_message = "Without encryption_kms_key_arn and publish the state machine keeps the AWS owned key and publishes nothing."
  }
  assert {
    condition     = length(aws_sfn_alias.this) == 0 && output.alias_arn == null && output.version_arn == null && output.encryption_kms_key_arn == null
    error_message = "Without publish there is no alias and no version output."
  }
  assert {
    condition     = !contains([for s in data.aws_iam_policy_document.state_machine.statement : s.sid], "EncryptWorkflowData")
    error_message = "Without a data key the role gets no KMS grant for it."
  }
}

run "a_customer_managed_key_encrypts_the_data_and_the_role_may_use_it_for_this_state_machine_only" {
  command = plan

  variables {
    encryption_kms_key_arn            = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    kms_data_key_reuse_period_seconds = 900
  }

  assert {
    condition = one(aws_sfn_state_machine.this.encryption_configuration) == {
      type                              = "CUSTOMER_MANAGED_KMS_KEY"
      kms_key_id                        = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      kms_data_key_reuse_period_seconds = 900
    }
    error_message = "encryption_configuration names the key and the data key reuse period."
  }
  assert {
    condition     = output.encryption_kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "The encryption_kms_key_arn output names the key."
  }
  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "EncryptWorkflowData"]).actions == toset(["kms:Decrypt", "kms:GenerateDataKey"])
      && one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "EncryptWorkflowData"]).resources == toset(["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
      && one([for s in data.aws_iam_policy_document.state_machine.statement : s if s.sid == "EncryptWorkflowData"]).condition == toset([{
        test     = "StringEquals"
        variable = "kms:EncryptionContext:aws:states:stateMachineArn"
        values   = tolist(["arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"])
      }])
    )
    error_message = "The role may Decrypt/GenerateDataKey with the key only in this state machine's encryption context."
  }
}

run "publish_creates_a_version_and_an_alias_that_follows_it" {
  command = apply

  variables {
    publish    = true
    alias_name = "prod"
  }

  assert {
    condition     = aws_sfn_state_machine.this.publish && aws_sfn_alias.this[0].name == "prod"
    error_message = "publish publishes a version and creates the alias alias_name."
  }
  assert {
    condition = one(aws_sfn_alias.this[0].routing_configuration) == {
      state_machine_version_arn = aws_sfn_state_machine.this.state_machine_version_arn
      weight                    = 100
    }
    error_message = "The alias sends every execution to the version this apply published."
  }
  assert {
    condition     = output.start_arn == aws_sfn_alias.this[0].arn && output.version_arn == aws_sfn_state_machine.this.state_machine_version_arn
    error_message = "With publish, callers start executions through the alias."
  }
  assert {
    condition = contains(
      [for c in one(data.aws_iam_policy_document.assume_role.statement).condition : c.values if c.variable == "aws:SourceArn"][0],
      "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test:*",
    )
    error_message = "The role is assumable for the state machine's versions and alias too (<arn>:*), and only those."
  }
}
