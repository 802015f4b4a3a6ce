"""What each request asks IAM for (scripts/offline/authorizer.py), derived as AWS derives it."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from scripts.offline.authorizer import Authorizer, NotModelled, Principal, denial, requested, unauthenticated
from scripts.offline.aws_operations import UnknownOperation, operation_of

AUTHORIZER = Authorizer("123456789012", "us-east-1")


def environ(method="POST", path="/", query="", target="", **headers) -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_X_AMZ_TARGET": target,
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }


def asked(service, env, body=b"") -> list[tuple[str, str]]:
    return [(r.action, r.resource) for r in requested(service, env, body, AUTHORIZER)]


def test_copying_an_object_reads_the_source_and_writes_and_tags_the_target():
    env = environ("PUT", "/bucket/wf-2/sources/src-001.json", X_AMZ_COPY_SOURCE="/bucket/wf-1/sources/src-001.json")
    assert asked("s3", env) == [
        ("s3:GetObject", "arn:aws:s3:::bucket/wf-1/sources/src-001.json"),
        ("s3:ListBucket", "arn:aws:s3:::bucket"),  # the source does not exist: without ListBucket, 403 not 404
        ("s3:PutObject", "arn:aws:s3:::bucket/wf-2/sources/src-001.json"),
    ]
    env["HTTP_X_AMZ_TAGGING"] = "retention=intermediate"
    assert asked("s3", env)[-1] == ("s3:PutObjectTagging", "arn:aws:s3:::bucket/wf-2/sources/src-001.json")
    assert asked("s3", environ("GET", "/bucket", "list-type=2&prefix=wf-1/")) == [("s3:ListBucket", "arn:aws:s3:::bucket")]


def test_bedrock_calls_are_authorized_on_the_agent_alias_or_the_foundation_model():
    agent = environ(path="/agents/AGENT12345/agentAliases/ALIAS12345/sessions/abc/text")
    assert asked("bedrock", agent) == [
        ("bedrock:InvokeAgent", "arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT12345/ALIAS12345")
    ]
    converse = environ(path="/model/anthropic.claude-3-haiku-20240307-v1:0/converse")
    assert asked("bedrock", converse) == [
        ("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0")
    ]


def test_put_events_is_authorized_per_entry_on_its_bus():
    body = json.dumps({"Entries": [{"EventBusName": "stack-bus", "Source": "s"}, {"Source": "s"}]}).encode()
    assert asked("events", environ(target="AWSEvents.PutEvents"), body) == [
        ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/stack-bus"),
        ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/default"),
    ]


def test_an_api_the_handlers_do_not_call_is_not_modelled_and_so_denied():
    with pytest.raises(NotModelled, match="sns:Subscribe"):
        asked("sns", environ(), b"Action=Subscribe&TopicArn=arn")
    with pytest.raises(NotModelled, match="kinesis"):
        asked("kinesis", environ(target="Kinesis_20131202.PutRecord"))
    principal = Principal("arn:aws:sts::123456789012:assumed-role/r/s", "arn:aws:iam::123456789012:role/r", "r")
    status, headers, body = denial(
        "json", "dynamodb", principal, "dynamodb:DeleteItem", "arn:aws:dynamodb:us-east-1:123456789012:table/t"
    )
    assert status == 400 and json.loads(body)["__type"] == "AccessDeniedException"
    assert "assumed-role/r/s is not authorized to perform: dynamodb:DeleteItem on resource: " in json.loads(body)["message"]


# -- the deployer's requests: any API, named by botocore's models ------------------------------------
ARN_IN_PATH = quote("arn:aws:bedrock:us-east-1:123456789012:agent-alias/A/B", safe="")


@pytest.mark.parametrize(
    ("signing_name", "env", "body", "action"),
    [
        ("s3", environ("PUT", "/bucket/a/b.json"), b"", "s3:PutObject"),
        ("s3", environ("PUT", "/bucket/a/b.json", X_AMZ_COPY_SOURCE="/bucket/c"), b"", "s3:PutObject"),  # CopyObject
        ("s3", environ("PUT", "/bucket/a/b.json", "partNumber=1&uploadId=u"), b"", "s3:PutObject"),  # UploadPart
        ("s3", environ("HEAD", "/bucket/a/b.json"), b"", "s3:GetObject"),
        ("s3", environ("GET", "/bucket", "list-type=2&prefix=a"), b"", "s3:ListBucket"),
        ("s3", environ("GET", "/bucket", "lifecycle="), b"", "s3:GetLifecycleConfiguration"),
        ("s3", environ("PUT", "/bucket", "publicAccessBlock="), b"", "s3:PutBucketPublicAccessBlock"),
        ("s3", environ("GET", "/bucket", "ownershipControls="), b"", "s3:GetBucketOwnershipControls"),
        ("s3", environ("PUT", "/bucket"), b"", "s3:CreateBucket"),
        ("s3", environ("GET", "/"), b"", "s3:ListAllMyBuckets"),
        ("lambda", environ("POST", "/2015-03-31/functions/f/invocations"), b"", "lambda:InvokeFunction"),
        ("lambda", environ("POST", "/2021-10-31/functions/f/url"), b"", "lambda:CreateFunctionUrlConfig"),
        ("bedrock", environ("PUT", "/agents/A/"), b"", "bedrock:UpdateAgent"),
        ("bedrock", environ("GET", f"/tags/{ARN_IN_PATH}", RAW_URI=f"/tags/{ARN_IN_PATH}"), b"", "bedrock:ListTagsForResource"),
        ("bedrock", environ("POST", "/agents/A/agentAliases/B/sessions/s/text"), b"", "bedrock:InvokeAgent"),
        ("bedrock", environ("POST", "/model/m/converse"), b"", "bedrock:InvokeModel"),
        (
            "states",
            environ(target="AWSStepFunctions.ValidateStateMachineDefinition"),
            b"{}",
            "states:ValidateStateMachineDefinition",
        ),
        ("dynamodb", environ(target="DynamoDB_20120810.CreateTable"), b"{}", "dynamodb:CreateTable"),
        (
            "iam",
            {**environ(), "CONTENT_TYPE": "application/x-www-form-urlencoded"},
            b"Action=PutRolePolicy&Version=2010-05-08",
            "iam:PutRolePolicy",
        ),
        ("sqs", {**environ(), "CONTENT_TYPE": "application/x-www-form-urlencoded"}, b"Action=CreateQueue", "sqs:CreateQueue"),
        (
            "monitoring",
            environ("POST", "/service/GraniteServiceVersion20100801/operation/PutMetricAlarm"),
            b"",
            "cloudwatch:PutMetricAlarm",
        ),
    ],
)
def test_any_api_is_resolved_to_the_action_iam_authorizes_it_by(signing_name, env, body, action):
    assert operation_of(signing_name, env, body).action == action


def test_a_request_no_api_matches_is_unknown_not_guessed():
    with pytest.raises(UnknownOperation):
        operation_of("dynamodb", environ(target="DynamoDB_20120810.NoSuchThing"), b"{}")
    with pytest.raises(UnknownOperation):
        operation_of("lambda", environ("PATCH", "/2015-03-31/functions/f"), b"")


@pytest.mark.parametrize(
    ("protocol", "status", "code"),
    [
        ("rest-xml", 403, "<Code>InvalidAccessKeyId</Code>"),
        ("query", 403, "<Code>InvalidClientTokenId</Code>"),
        ("json", 400, '"__type": "UnrecognizedClientException"'),
        ("rest-json", 403, "UnrecognizedClientException"),
    ],
)
def test_a_key_the_account_never_issued_is_refused_in_the_protocols_words(protocol, status, code):
    answered_status, headers, body = unauthenticated(protocol, "any", signed=True)
    assert answered_status == status
    assert code in body.decode() + dict(headers).get("x-amzn-ErrorType", "")
