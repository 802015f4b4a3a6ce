"""Bedrock's models as the embedded account serves them (scripts/offline/bedrock_catalog.py): the
dated catalogue, the control-plane reads Terraform's data sources make, and Converse refusing what
Bedrock refuses, with AWS's error code and message, and authorizing a profile as IAM does."""

from __future__ import annotations

import json
import uuid
from datetime import date

import boto3
import pytest
from botocore.exceptions import ClientError

from scripts.offline.bedrock_catalog import CATALOGUE_FILE, END_OF_LIFE, INVALID_IDENTIFIER, catalogue

DOCUMENT = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
PROMPT = (
    "You are the summary agent of a research workflow.\nTopic: quotas\nSource [src-001]: T (u)\n---\nQuotas limit TPS.\n---\n"
)
SYSTEM = [{"text": "You act as the summary agent of a research workflow."}]


def active_profile(prefix: str) -> str:
    """A system-defined profile of the catalogue with this prefix whose model is Active."""
    models = catalogue().models
    return next(
        p
        for p, spec in DOCUMENT["inference_profiles"].items()
        if p.startswith(prefix) and models[spec["model"]].lifecycle == "ACTIVE"
    )


def converse(client, model_id: str, **extra):
    return client.converse(modelId=model_id, system=SYSTEM, messages=[{"role": "user", "content": [{"text": PROMPT}]}], **extra)


def refusal(call) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def test_every_catalogue_entry_is_dated_and_sourced():
    assert date.fromisoformat(DOCUMENT["read_on"]) <= date.today()
    for model_id, spec in DOCUMENT["foundation_models"].items():
        assert spec["source"].startswith("https://") and spec["lifecycle"] in ("ACTIVE", "LEGACY", "EOL"), model_id
        if spec["lifecycle"] != "ACTIVE":
            assert spec.get("end_of_life"), f"{model_id}: a Legacy or EOL model has its end-of-life date"
    for profile_id, spec in DOCUMENT["inference_profiles"].items():
        assert spec["source"].startswith("https://") and spec["regions"], profile_id
        assert profile_id.endswith(spec["model"]), f"{profile_id} is named after the model it routes to"


def test_the_models_the_environments_replaced_are_end_of_life():
    models = catalogue().models
    assert models["anthropic.claude-3-5-sonnet-20240620-v1:0"].lifecycle == "EOL"
    assert models["anthropic.claude-3-haiku-20240307-v1:0"].lifecycle == "EOL"


def test_get_inference_profile_names_the_model_in_every_destination_region(account):
    profile_id = active_profile("us.")
    bedrock = account.client("bedrock")
    profile = bedrock.get_inference_profile(inferenceProfileIdentifier=profile_id)
    spec = DOCUMENT["inference_profiles"][profile_id]
    assert (
        profile["inferenceProfileArn"] == f"arn:aws:bedrock:{account.region}:{account.account_id}:inference-profile/{profile_id}"
    )
    assert [m["modelArn"] for m in profile["models"]] == [
        f"arn:aws:bedrock:{region}::foundation-model/{spec['model']}" for region in spec["regions"]
    ]
    assert (profile["type"], profile["status"]) == ("SYSTEM_DEFINED", "ACTIVE")
    by_arn = bedrock.get_inference_profile(inferenceProfileIdentifier=profile["inferenceProfileArn"])
    assert by_arn["inferenceProfileId"] == profile_id
    listed = bedrock.list_inference_profiles()["inferenceProfileSummaries"]
    assert profile_id in {p["inferenceProfileId"] for p in listed}
    assert refusal(lambda: bedrock.get_inference_profile(inferenceProfileIdentifier="us.example.no-such-model-v1:0"))[1] == (
        "ResourceNotFoundException"
    )


def test_foundation_models_say_whether_they_need_a_profile(account):
    bedrock = account.client("bedrock")
    model_id = DOCUMENT["inference_profiles"][active_profile("us.")]["model"]
    details = bedrock.get_foundation_model(modelIdentifier=model_id)["modelDetails"]
    assert details["inferenceTypesSupported"] == ["INFERENCE_PROFILE"] and details["modelLifecycle"]["status"] == "ACTIVE"
    listed = {m["modelId"] for m in bedrock.list_foundation_models(byProvider="Anthropic")["modelSummaries"]}
    assert model_id in listed and "anthropic.claude-3-5-sonnet-20240620-v1:0" not in listed  # end of life: gone


def test_converse_on_an_end_of_life_model_answers_as_aws_does(account):
    runtime = account.client("bedrock-runtime")
    status, code, message = refusal(lambda: converse(runtime, "anthropic.claude-3-5-sonnet-20240620-v1:0"))
    assert (status, code, message) == (404, "ResourceNotFoundException", END_OF_LIFE)
    assert message.startswith("This model version has reached the end of its life.")


def test_converse_on_a_base_id_that_needs_a_profile_answers_as_aws_does(account):
    model_id = DOCUMENT["inference_profiles"][active_profile("us.")]["model"]
    status, code, message = refusal(lambda: converse(account.client("bedrock-runtime"), model_id))
    assert (status, code) == (400, "ValidationException")
    assert message == (
        f"Invocation of model ID {model_id} with on-demand throughput isn\u2019t supported. Retry your request with the ID "
        "or ARN of an inference profile that contains this model."
    )


@pytest.mark.parametrize(
    "model_id", ["us.example.no-such-model-v1:0", "example.no-such-model-v1:0", "global.anthropic.claude-3-haiku"]
)
def test_converse_on_an_unknown_identifier_answers_as_aws_does(account, model_id):
    assert refusal(lambda: converse(account.client("bedrock-runtime"), model_id)) == (
        400,
        "ValidationException",
        INVALID_IDENTIFIER,
    )


@pytest.mark.parametrize("prefix", ["us.", "global."])
def test_converse_runs_on_a_profile_by_id_and_by_arn(account, prefix):
    runtime = account.client("bedrock-runtime")
    profile = account.client("bedrock").get_inference_profile(inferenceProfileIdentifier=active_profile(prefix))
    for identifier in (profile["inferenceProfileId"], profile["inferenceProfileArn"]):
        answer = converse(runtime, identifier, inferenceConfig={"maxTokens": 256})
        assert answer["stopReason"] == "end_turn" and answer["output"]["message"]["content"][0]["text"].startswith("[src-001]")


def _role_allowed(account, resources: list[str], conditioned: list[str], profile_arn: str):
    """A Lambda-trusted role allowed InvokeModel on `resources`, and on `conditioned` only through
    `profile_arn`; a bedrock-runtime client signing as it."""
    iam = account.client("iam")
    name = f"probe-bedrock-{uuid.uuid4().hex[:8]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.account_id}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    statements = [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": resources}]
    if conditioned:
        statements.append(
            {
                "Effect": "Allow",
                "Action": "bedrock:InvokeModel",
                "Resource": conditioned,
                "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": profile_arn}},
            }
        )
    iam.put_role_policy(
        RoleName=name, PolicyName="invoke", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )
    credentials = account.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="probe")["Credentials"]
    return boto3.client(
        "bedrock-runtime",
        endpoint_url=account.endpoint,
        region_name=account.region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


@pytest.mark.parametrize("prefix", ["us.", "global."])
def test_a_profile_needs_its_arn_and_the_model_in_every_destination_region(account, prefix):
    profile = account.client("bedrock").get_inference_profile(inferenceProfileIdentifier=active_profile(prefix))
    arn, models = profile["inferenceProfileArn"], [m["modelArn"] for m in profile["models"]]
    region_less = f"arn:aws:bedrock:::foundation-model/{DOCUMENT['inference_profiles'][profile['inferenceProfileId']]['model']}"
    assert (region_less in models) == (prefix == "global."), "a global profile routes anywhere: IAM names the Region-less ARN"
    allowed = _role_allowed(account, [arn], models, arn)
    assert converse(allowed, arn)["stopReason"] == "end_turn"
    for missing in range(len(models)):
        denied = _role_allowed(account, [arn], models[:missing] + models[missing + 1 :], arn)
        status, code, message = refusal(lambda client=denied: converse(client, arn))
        assert (status, code) == (403, "AccessDeniedException") and models[missing] in message
    unconditioned_elsewhere = _role_allowed(account, [arn], models, arn.replace(profile["inferenceProfileId"], "us.other"))
    assert refusal(lambda: converse(unconditioned_elsewhere, arn))[1] == "AccessDeniedException"
    assert refusal(lambda: converse(_role_allowed(account, models, [], arn), arn))[1] == "AccessDeniedException"  # no profile ARN


def test_converse_stream_streams_the_answer_with_its_usage_and_is_authorized_as_a_stream(account):
    profile = account.client("bedrock").get_inference_profile(inferenceProfileIdentifier=active_profile("global."))
    arn, models = profile["inferenceProfileArn"], [m["modelArn"] for m in profile["models"]]
    runtime = account.client("bedrock-runtime")
    whole = converse(runtime, arn)
    streamed = runtime.converse_stream(modelId=arn, system=SYSTEM, messages=[{"role": "user", "content": [{"text": PROMPT}]}])
    events = list(streamed["stream"])
    assert list(events[0]) == ["messageStart"] and list(events[-1]) == ["metadata"]
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert text == whole["output"]["message"]["content"][0]["text"]
    assert next(e["messageStop"]["stopReason"] for e in events if "messageStop" in e) == "end_turn"
    assert events[-1]["metadata"]["usage"] == whole["usage"]
    # InvokeModel alone does not allow the stream: ConverseStream is bedrock:InvokeModelWithResponseStream.
    invoke_only = _role_allowed(account, [arn], models, arn)
    with pytest.raises(ClientError) as refused:
        list(invoke_only.converse_stream(modelId=arn, messages=[{"role": "user", "content": [{"text": PROMPT}]}])["stream"])
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
