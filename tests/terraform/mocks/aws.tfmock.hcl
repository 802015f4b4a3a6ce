# Defaults for `mock_provider "aws" { source = ".../tests/terraform/mocks" }`: computed attributes
# shaped as AWS returns them, because the modules validate ARNs, IDs and JSON they receive.
# Every instance of a type gets the same value; a suite that needs distinct values overrides them.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform-test"
    user_id    = "AIDAEXAMPLEUSERID0001"
  }
}

mock_data "aws_region" {
  defaults = {
    name = "us-east-1"
    id   = "us-east-1"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition          = "aws"
    dns_suffix         = "amazonaws.com"
    reverse_dns_prefix = "com.amazonaws"
  }
}

# A US cross-Region profile as GetInferenceProfile describes it: its ARN and the model in each
# destination Region (a suite that needs a global one overrides these).
mock_data "aws_bedrock_inference_profile" {
  defaults = {
    inference_profile_arn  = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-5-5"
    inference_profile_id   = "us.anthropic.claude-haiku-5-5"
    inference_profile_name = "US Anthropic Claude Haiku 5.5"
    status                 = "ACTIVE"
    type                   = "SYSTEM_DEFINED"
    models = [
      { model_arn = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-5-5" },
      { model_arn = "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-haiku-5-5" },
      { model_arn = "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-haiku-5-5" },
    ]
  }
}

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
  }
}

mock_resource "aws_kms_alias" {
  defaults = {
    arn = "arn:aws:kms:us-east-1:123456789012:alias/mock"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn       = "arn:aws:iam::123456789012:role/mock-role"
    unique_id = "AROAEXAMPLEROLEID0001"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:mock-function"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:mock-function:$LATEST"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock-function/invocations"
    version       = "$LATEST"
  }
}

mock_resource "aws_lambda_function_url" {
  defaults = {
    function_url = "https://mockurl0123456789abcdef.lambda-url.us-east-1.on.aws/"
    url_id       = "mockurl0123456789abcdef"
  }
}

# An HTTP API as CreateApi returns it; the provider derives execution_arn and the stage's invoke_url.
mock_resource "aws_apigatewayv2_api" {
  defaults = {
    id            = "mockapi012"
    api_endpoint  = "https://mockapi012.execute-api.us-east-1.amazonaws.com"
    arn           = "arn:aws:apigateway:us-east-1::/apis/mockapi012"
    execution_arn = "arn:aws:execute-api:us-east-1:123456789012:mockapi012"
  }
}

mock_resource "aws_apigatewayv2_integration" {
  defaults = {
    id = "mockint"
  }
}

mock_resource "aws_apigatewayv2_stage" {
  defaults = {
    arn           = "arn:aws:apigateway:us-east-1::/apis/mockapi012/stages/$default"
    execution_arn = "arn:aws:execute-api:us-east-1:123456789012:mockapi012/$default"
    invoke_url    = "https://mockapi012.execute-api.us-east-1.amazonaws.com/"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/mock"
  }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = {
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:mock-alarm"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn        = "arn:aws:dynamodb:us-east-1:123456789012:table/mock-table"
    stream_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/mock-table/stream/2024-01-01T00:00:00.000"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    arn                         = "arn:aws:s3:::mock-bucket"
    bucket_domain_name          = "mock-bucket.s3.amazonaws.com"
    bucket_regional_domain_name = "mock-bucket.s3.us-east-1.amazonaws.com"
    hosted_zone_id              = "Z3AQBSTGFYJSTF"
    region                      = "us-east-1"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:us-east-1:123456789012:mock-topic"
  }
}

mock_resource "aws_sns_topic_subscription" {
  defaults = {
    arn = "arn:aws:sns:us-east-1:123456789012:mock-topic:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:us-east-1:123456789012:mock-queue"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/mock-queue"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mock-secret-AbCdEf"
  }
}

mock_resource "aws_cloudwatch_event_bus" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:event-bus/mock-bus"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:rule/mock-bus/mock-rule"
  }
}

mock_resource "aws_cloudwatch_event_archive" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:archive/mock-archive"
  }
}

mock_resource "aws_cloudwatch_dashboard" {
  defaults = {
    dashboard_arn = "arn:aws:cloudwatch::123456789012:dashboard/mock-dashboard"
  }
}

mock_resource "aws_sfn_state_machine" {
  defaults = {
    arn                       = "arn:aws:states:us-east-1:123456789012:stateMachine:mock-state-machine"
    state_machine_version_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:mock-state-machine:1"
  }
}

mock_resource "aws_sfn_alias" {
  defaults = {
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:mock-state-machine:live"
  }
}

mock_resource "aws_budgets_budget" {
  defaults = {
    arn = "arn:aws:budgets::123456789012:budget/mock-budget"
  }
}

mock_resource "aws_bedrockagent_agent" {
  defaults = {
    agent_arn = "arn:aws:bedrock:us-east-1:123456789012:agent/MOCKAGENT1"
    agent_id  = "MOCKAGENT1"
  }
}

mock_resource "aws_bedrockagent_agent_alias" {
  defaults = {
    agent_alias_arn = "arn:aws:bedrock:us-east-1:123456789012:agent-alias/MOCKAGENT1/MOCKALIAS1"
    agent_alias_id  = "MOCKALIAS1"
  }
}
