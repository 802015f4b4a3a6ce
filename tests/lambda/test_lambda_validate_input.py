"""ValidateInput: one InvalidInput listing every problem; the workflow record is created once."""

from __future__ import annotations

import boto3
import pytest
from lambda_helpers import ARTIFACT_ENV_VALIDATE, EXECUTION_ARN, WORKFLOW_TABLE
from workflow_core.errors import InvalidInput

VALID = {"topic": "Map concurrency and Bedrock quotas", "tenant": "acme", "requested_by": "ana@example.com"}


@pytest.fixture
def validate(resources, load_handler, context):
    module = load_handler("validate_input", **ARTIFACT_ENV_VALIDATE)
    return lambda request, arn=EXECUTION_ARN: module.lambda_handler(
        {"input": request, "execution_arn": arn, "state": "ValidateInput"}, context
    )


def record(workflow_id: str) -> dict:
    return boto3.resource("dynamodb").Table(WORKFLOW_TABLE).get_item(Key={"pk": f"WF#{workflow_id}", "sk": "META"}).get("Item")


def test_valid_input_returns_the_workflow_with_defaults_and_revision_zero(validate) -> None:
    assert validate(VALID) == {
        "workflow": {
            "workflow_id": "wf-001",  # from the execution name acme-wf-001
            "tenant": "acme",
            "requested_by": "ana@example.com",
            "topic": "Map concurrency and Bedrock quotas",
            "max_sources": 8,
            "execution_arn": EXECUTION_ARN,
        },
        "revision": 0,
    }


def test_valid_input_creates_a_running_workflow_record(validate) -> None:
    validate({**VALID, "workflow_id": "req-42", "max_sources": 3})
    item = record("req-42")
    assert (item["status"], item["tenant"], item["execution_arn"], item["revision"]) == ("RUNNING", "acme", EXECUTION_ARN, 0)


def test_workflow_id_falls_back_to_the_execution_name_when_it_has_no_tenant_prefix(validate) -> None:
    arn = EXECUTION_ARN.rsplit(":", 1)[0] + ":3f2b8c1e-aaaa-bbbb-cccc-0123456789ab"
    assert validate(VALID, arn=arn)["workflow"]["workflow_id"] == "3f2b8c1e-aaaa-bbbb-cccc-0123456789ab"


def test_invalid_input_lists_every_problem_in_one_error(validate) -> None:
    bad = {"topic": "   ", "tenant": "Acme Corp", "requested_by": "", "max_sources": 0, "workflow_id": "a/b", "colour": "red"}
    with pytest.raises(InvalidInput) as raised:
        validate(bad)
    message = str(raised.value)
    for expected in (
        "unknown key 'colour'",
        "topic",
        "tenant",
        "requested_by",
        "max_sources must be between 1 and 50",
        "workflow_id",
    ):
        assert expected in message


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"topic": "x" * 501}, "at most 500 characters"),
        ({"tenant": "-acme"}, "tenant"),
        ({"tenant": "a" * 41}, "tenant"),
        ({"requested_by": "ana example"}, "requested_by"),
        ({"max_sources": 51}, "between 1 and 50"),
        ({"max_sources": True}, "must be an integer"),
        ({"max_sources": "5"}, "must be an integer"),
        ({"workflow_id": "x" * 65}, "workflow_id"),
        ({"topic": "Title\nInjected: second line"}, r"control characters \(U\+000A at position 5\)"),
        ({"topic": "NUL\x00inside"}, r"U\+0000 at position 3"),
        ({"topic": "escape \x1b[31mred"}, r"U\+001B at position 7"),
        ({"topic": "C1 \x9b control"}, r"U\+009B"),
        ({"topic": "tab\tseparated"}, r"U\+0009"),
        ({"topic": "line\u2028separator"}, r"U\+2028"),
    ],
)
def test_each_out_of_range_field_is_invalid_input(validate, change: dict, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        validate({**VALID, **change})


def test_input_that_is_not_an_object_is_invalid_input(validate) -> None:
    with pytest.raises(InvalidInput, match="JSON object"):
        validate(["topic"])


def test_a_workflow_id_used_by_another_execution_is_invalid_input(validate) -> None:
    validate({**VALID, "workflow_id": "dup-1"})
    other = EXECUTION_ARN.rsplit(":", 1)[0] + ":acme-other"
    with pytest.raises(InvalidInput, match="already used"):
        validate({**VALID, "workflow_id": "dup-1"}, arn=other)
    assert record("dup-1")["execution_arn"] == EXECUTION_ARN


def test_a_retried_validate_of_the_same_execution_succeeds(validate) -> None:
    first = validate({**VALID, "workflow_id": "retry-1"})
    assert validate({**VALID, "workflow_id": "retry-1"}) == first
