"""The account's Bedrock quotas (scripts/offline/bedrock_quotas.py): what a request reserves and
uses, when it is throttled, how a bucket refills in the account's time, which requests each quota
counts, what configuration the account refuses; and the throttle on the wire, read with plain boto3."""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from scripts.offline.account import AccountError
from scripts.offline.bedrock_catalog import BedrockError, catalogue
from scripts.offline.bedrock_quotas import AccountQuotas, QuotaConfigError

REGION, ACCOUNT = "us-east-1", "123456789012"
HAIKU_PROFILE = "global.anthropic.claude-haiku-5-5"
HAIKU_TPM = "Cross-Region InvokeModel tokens per minute for Anthropic Claude Haiku 5.5"
HAIKU_TPD = "Model invocation max tokens per day for Anthropic Claude Haiku 5.5"
NOVA_MICRO, NOVA_MICRO_PROFILE = "amazon.nova-micro-v1:0", "us.amazon.nova-micro-v1:0"
NOVA_ON_DEMAND_TPM = "On-demand InvokeModel tokens per minute for Amazon Nova Micro"
NOVA_CROSS_REGION_TPM = "Cross-Region InvokeModel tokens per minute for Amazon Nova Micro"
NOVA_TPD = "Model invocation max tokens per day for Amazon Nova Micro"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def account_quotas(values: dict[str, int], scale: float = 1.0) -> tuple[AccountQuotas, Clock]:
    clock = Clock()
    quotas = AccountQuotas(catalogue(), scale=lambda: scale, clock=clock)
    quotas.configure(values)
    return quotas, clock


def invocation(model_id: str = HAIKU_PROFILE):
    return catalogue().resolve(model_id, REGION, ACCOUNT)


def call(quotas: AccountQuotas, model_id: str = HAIKU_PROFILE, input_tokens: int = 1000, max_tokens=512, output_tokens=100):
    with quotas.admit(invocation(model_id), input_tokens, max_tokens) as admitted:
        admitted.used(output_tokens)


def state(quotas: AccountQuotas) -> dict[str, dict]:
    return {quota["name"]: quota for quota in quotas.report()}


def test_a_request_reserves_input_plus_max_tokens_and_settles_at_input_plus_five_times_its_output():
    quotas, _ = account_quotas({HAIKU_TPM: 10_000})
    with quotas.admit(invocation(), 1000, 512) as admitted:
        assert state(quotas)[HAIKU_TPM]["available"] == 10_000 - 1512
        admitted.used(100)
    assert state(quotas)[HAIKU_TPM] | {"name": None} == {
        "name": None,
        "value": 10_000,
        "available": 10_000 - 1500,  # Claude's output tokens burn down the quota five times
        "lowest": 10_000 - 1512,  # while the request held its reservation
        "admitted": 1,
        "throttled": 0,
        "tokens": 1500,
        "busiest_period_tokens": 1500,
    }


def test_a_request_that_does_not_fit_is_throttled_with_bedrocks_error_and_message():
    quotas, _ = account_quotas({HAIKU_TPM: 2000})
    call(quotas)  # 1500 used: 500 left, less than the next request's 1512
    with pytest.raises(BedrockError) as refused:
        call(quotas)
    assert (refused.value.status, refused.value.code, refused.value.message) == (
        429,
        "ThrottlingException",
        "Too many tokens, please wait before trying again.",
    )
    assert (state(quotas)[HAIKU_TPM]["admitted"], state(quotas)[HAIKU_TPM]["throttled"]) == (1, 1)


def test_output_past_the_reservation_takes_the_bucket_below_zero_until_it_refills():
    quotas, clock = account_quotas({HAIKU_TPM: 3000})
    call(quotas, input_tokens=500, max_tokens=512, output_tokens=500)  # reserves 1012, uses 3000
    assert state(quotas)[HAIKU_TPM]["available"] == 0
    with pytest.raises(BedrockError):
        call(quotas, input_tokens=1, max_tokens=1)
    clock.now += 1.0  # a second: 3000 / 60 = 50 tokens back
    call(quotas, input_tokens=1, max_tokens=1, output_tokens=0)


def test_a_bucket_refills_at_its_value_per_minute_of_the_accounts_time():
    quotas, clock = account_quotas({HAIKU_TPM: 6000}, scale=0.5)  # an account minute is 30 s of wall time
    call(quotas, input_tokens=5000, max_tokens=1000, output_tokens=200)  # 6000 used: empty
    clock.now += 15.0  # half an account minute
    assert state(quotas)[HAIKU_TPM]["available"] == 3000
    clock.now += 60.0
    assert state(quotas)[HAIKU_TPM]["available"] == 6000  # never above the quota


def test_the_busiest_period_is_the_most_one_minute_of_the_accounts_time_settled():
    quotas, clock = account_quotas({HAIKU_TPM: 1_000_000}, scale=0.5)  # a minute is 30 s of wall time
    call(quotas, output_tokens=100)  # 1500
    clock.now += 20.0
    call(quotas, output_tokens=300)  # 2500, 40 s after the first: the same minute
    clock.now += 20.0
    call(quotas, output_tokens=0)  # 1000, 80 s after the first: a minute with the second only
    assert state(quotas)[HAIKU_TPM]["busiest_period_tokens"] == 4000


def test_at_time_scale_zero_a_bucket_is_full_at_every_request_and_only_a_larger_request_is_refused():
    quotas, _ = account_quotas({HAIKU_TPM: 2000}, scale=0.0)
    for _ in range(5):
        call(quotas)
    with pytest.raises(BedrockError):
        call(quotas, input_tokens=1500, max_tokens=512)
    assert state(quotas)[HAIKU_TPM]["busiest_period_tokens"] == 1500  # a period takes no time: each request alone


def test_cross_region_and_on_demand_quotas_count_their_own_requests_and_the_daily_quota_counts_both():
    quotas, _ = account_quotas({NOVA_ON_DEMAND_TPM: 100_000, NOVA_CROSS_REGION_TPM: 100_000, NOVA_TPD: 1_000_000})
    call(quotas, NOVA_MICRO, output_tokens=100)
    call(quotas, NOVA_MICRO_PROFILE, output_tokens=100)
    call(quotas, NOVA_MICRO_PROFILE, output_tokens=100)
    admitted = {name: quota["admitted"] for name, quota in state(quotas).items()}
    assert admitted == {NOVA_ON_DEMAND_TPM: 1, NOVA_CROSS_REGION_TPM: 2, NOVA_TPD: 3}
    assert state(quotas)[NOVA_TPD]["tokens"] == 3 * 1100  # Nova's output tokens count once


def test_the_daily_quota_throttles_with_its_own_message_and_takes_nothing_from_the_minute():
    quotas, _ = account_quotas({HAIKU_TPM: 100_000, HAIKU_TPD: 2000})
    call(quotas)
    with pytest.raises(BedrockError) as refused:
        call(quotas)
    assert refused.value.message == "Too many tokens per day, please wait before trying again."
    assert state(quotas)[HAIKU_TPM]["available"] == 100_000 - 1500


def test_a_request_that_fails_gives_its_reservation_back():
    quotas, _ = account_quotas({HAIKU_TPM: 2000})
    with pytest.raises(BedrockError), quotas.admit(invocation(), 1000, 512):
        raise BedrockError(408, "ModelTimeoutException", "the model timed out")
    assert state(quotas)[HAIKU_TPM]["available"] == 2000
    assert state(quotas)[HAIKU_TPM]["tokens"] == 0


def test_a_request_without_max_tokens_reserves_the_models_maximum_output():
    quotas, _ = account_quotas({HAIKU_TPM: 100_000})
    with pytest.raises(BedrockError):
        call(quotas, max_tokens=None)  # 1000 + 128,000 (Claude Haiku 5.5's maximum output)
    call(quotas, max_tokens=4096)


def test_quotas_of_other_models_do_not_count_a_request():
    quotas, _ = account_quotas({"Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 5.5": 10})
    call(quotas)
    assert state(quotas)["Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 5.5"]["admitted"] == 0


def test_setting_a_quota_again_starts_a_full_bucket_with_its_counts_at_zero():
    quotas, _ = account_quotas({HAIKU_TPM: 10_000})
    call(quotas)
    quotas.configure({HAIKU_TPM: 5000})
    assert state(quotas)[HAIKU_TPM] | {"name": None} == {
        "name": None,
        "value": 5000,
        "available": 5000,
        "lowest": 5000,
        "admitted": 0,
        "throttled": 0,
        "tokens": 0,
        "busiest_period_tokens": 0,
    }


@pytest.mark.parametrize(
    ("name", "value", "refusal"),
    [
        ("Cross-Region InvokeModel requests per minute for Anthropic Claude Haiku 5.5", 100, "no longer enforces"),
        ("Cross-region InvokeModel tokens per minute for Anthropic Claude Haiku 5.5", 100, "is not a Bedrock runtime quota"),
        ("Cross-Region InvokeModel tokens per minute for Anthropic Claude Haiku 9", 100, "Bedrock has no model"),
        (HAIKU_TPM, 0, "whole number of tokens >= 1"),
        (HAIKU_TPM, 10.5, "whole number of tokens >= 1"),
        (HAIKU_TPM, True, "whole number of tokens >= 1"),
    ],
)
def test_the_account_refuses_a_quota_it_cannot_have_and_keeps_the_ones_it_has(name, value, refusal):
    quotas, _ = account_quotas({HAIKU_TPM: 10_000})
    with pytest.raises(QuotaConfigError, match=refusal):
        quotas.configure({HAIKU_TPD: 1_000_000, name: value})
    assert list(state(quotas)) == [HAIKU_TPM]


# -- on the wire -----------------------------------------------------------------------------------
SYSTEM = [{"text": "You act as the summary agent of a research workflow."}]
PROMPT = (
    "You are the summary agent of a research workflow.\nTopic: quotas\nSource [src-001]: T (u)\n---\nQuotas limit TPS.\n---\n"
)


@pytest.fixture(scope="module")
def throttled_nova(account):
    """The session's account with a Nova Micro on-demand quota below one request (512 output
    tokens): at the tests' time scale 0 every request on it is refused, and no workflow uses it.
    Other tests call Nova Micro in the same account: the quota goes when the module is done."""
    account.control("PUT", "bedrock", {"quotas": {NOVA_ON_DEMAND_TPM: 100}})
    yield account.session().client(
        "bedrock-runtime", endpoint_url=account.endpoint, config=Config(retries={"total_max_attempts": 1})
    )
    account.control("PUT", "bedrock", {"quotas": {NOVA_ON_DEMAND_TPM: None}})
    assert NOVA_ON_DEMAND_TPM not in {q["name"] for q in account.control("GET", "bedrock")["quotas"]}


def throttled_count(account) -> int:
    return next(q["throttled"] for q in account.control("GET", "bedrock")["quotas"] if q["name"] == NOVA_ON_DEMAND_TPM)


@pytest.mark.parametrize("operation", ["converse", "converse_stream"])
def test_past_a_quota_converse_answers_http_429_throttling_exception_as_bedrock_does(throttled_nova, account, operation):
    before = throttled_count(account)
    with pytest.raises(ClientError) as refused:
        getattr(throttled_nova, operation)(
            modelId=NOVA_MICRO,
            system=SYSTEM,
            messages=[{"role": "user", "content": [{"text": PROMPT}]}],
            inferenceConfig={"maxTokens": 512},
        )
    response = refused.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ThrottlingException"
    assert response["Error"] == {"Code": "ThrottlingException", "Message": "Too many tokens, please wait before trying again."}
    assert throttled_count(account) == before + 1


def test_the_same_model_through_a_profile_is_not_counted_by_the_on_demand_quota(throttled_nova):
    answer = throttled_nova.converse(
        modelId=NOVA_MICRO_PROFILE,
        system=SYSTEM,
        messages=[{"role": "user", "content": [{"text": PROMPT}]}],
        inferenceConfig={"maxTokens": 512},
    )
    assert answer["usage"]["outputTokens"] > 0


def test_the_account_refuses_a_retired_requests_per_minute_quota_with_the_reason(account):
    with pytest.raises(AccountError, match="no longer enforces requests-per-minute"):
        account.control("PUT", "bedrock", {"quotas": {"On-demand InvokeModel requests per minute for Amazon Nova Micro": 10}})


def test_a_deployment_gives_the_shared_account_its_factor_times_the_quotas_its_env_is_sized_for(workflow, account):
    from tests.offline.conftest import SHARED_ACCOUNT_QUOTA_FACTOR

    status = account.control("GET", "bedrock")
    assert status["sized_quota_factor"] == SHARED_ACCOUNT_QUOTA_FACTOR
    values = {q["name"]: q["value"] for q in status["quotas"]}
    sized = workflow.deployment.outputs["bedrock_quotas"]
    assert sized and all(values[name] == value * SHARED_ACCOUNT_QUOTA_FACTOR for name, value in sized.items())
    with pytest.raises(AccountError, match="sized_quota_factor must be a positive number"):
        account.control("PUT", "bedrock", {"sized_quota_factor": 0})
