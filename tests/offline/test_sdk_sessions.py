"""scripts/offline/sdk_sessions.py: sessions that share botocore's loader (the models it read)."""

from __future__ import annotations

from scripts.offline import sdk_sessions


def test_sessions_share_the_loader_and_what_it_read():
    first, second = sdk_sessions.botocore_session(), sdk_sessions.botocore_session()
    assert first is not second
    assert first.get_component("data_loader") is second.get_component("data_loader")
    model = first.get_service_model("sqs")
    assert second.get_service_model("sqs").service_name == model.service_name == "sqs"
    # A client of each session is its own, configured by its own session.
    one = first.create_client("sqs", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b")
    other = second.create_client("sqs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    assert (one.meta.region_name, other.meta.region_name) == ("eu-west-1", "us-east-1")
