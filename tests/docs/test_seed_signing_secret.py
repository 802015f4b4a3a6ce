"""scripts/seed_signing_secret.py, which the runbook's `make seed-secret` runs: the key lands in
the secret's own Region, never in the log."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from scripts import seed_signing_secret


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def test_the_key_is_stored_in_the_region_the_arn_names(aws, capsys):
    frankfurt = boto3.client("secretsmanager", region_name="eu-central-1")
    arn = frankfurt.create_secret(Name="research-report-pilot-approval-signing")["ARN"]

    assert seed_signing_secret.main(["--secret-id", arn]) == 0

    key = frankfurt.get_secret_value(SecretId=arn)["SecretString"]
    assert len(key) >= 64  # 48 random bytes, URL-safe base64
    assert key not in capsys.readouterr().out


def test_a_name_uses_the_configured_region(aws):
    here = boto3.client("secretsmanager", region_name="us-east-1")
    here.create_secret(Name="signing")
    first = seed_signing_secret.seed("signing")
    second = seed_signing_secret.seed("signing")
    assert first != second  # a rotation stores a new version
    assert seed_signing_secret.region_of("signing") is None
    assert seed_signing_secret.region_of("arn:aws:secretsmanager:ap-south-1:123456789012:secret:s-AbC") == "ap-south-1"
