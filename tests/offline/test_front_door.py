"""The embedded account's public URLs answer as AWS's do: Function URLs under the 2025-10
authorization (both actions), HTTP APIs with routes, IAM routes, the Lambda permission, the stage
throttle and access logs. Driven through the account's `http` control route, as a browser would."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from types import SimpleNamespace

import pytest

from scripts.offline.account import ACCOUNT_ID, REGION
from scripts.offline.front_door import TokenBucket, _match_route

ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
ECHO = (
    "import json\n"
    "def handler(event, context):\n"
    "    seen = {'route': event['routeKey'], 'path': event['rawPath'], 'stage': event['requestContext']['stage'],\n"
    "            'parameters': event.get('pathParameters'), 'query': event['rawQueryString'],\n"
    "            'caller': event['requestContext'].get('authorizer', {}).get('iam', {}).get('userArn')}\n"
    "    return {'statusCode': 200, 'headers': {'content-type': 'application/json'}, 'body': json.dumps(seen)}\n"
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def an_echo_function(account) -> dict:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", ECHO)
    role = account.client("iam").create_role(RoleName=unique("door-role"), AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]
    return account.client("lambda").create_function(
        FunctionName=unique("door-function"),
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()},
    )


def browse(account, method: str, url: str, **extra) -> dict:
    return account.control("POST", "http", {"method": method, "url": url, **extra})


# --- Function URLs -------------------------------------------------------------------------------


def test_a_function_url_granting_only_invoke_function_url_is_refused_as_aws_refuses_it_since_2025_10(account):
    function = an_echo_function(account)
    functions, name = account.client("lambda"), function["FunctionName"]
    url = functions.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    # What modules/approvals granted before: the URL action alone.
    functions.add_permission(
        FunctionName=name, StatementId="links", Action="lambda:InvokeFunctionUrl", Principal="*", FunctionUrlAuthType="NONE"
    )
    refused = browse(account, "GET", f"{url}/?decision=approve")
    assert (refused["statusCode"], json.loads(refused["body"])) == (403, {"message": "Forbidden"})

    # lambda:InvokeFunction as well (here the broad form: provider 5.x cannot write the narrow one).
    functions.add_permission(FunctionName=name, StatementId="invoke", Action="lambda:InvokeFunction", Principal="*")
    answered = browse(account, "GET", f"{url}/?decision=approve")
    assert answered["statusCode"] == 200, answered
    assert json.loads(answered["body"])["query"] == "decision=approve"


def test_a_function_url_with_aws_iam_auth_refuses_an_unsigned_browser(account):
    function = an_echo_function(account)
    functions, name = account.client("lambda"), function["FunctionName"]
    url = functions.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    functions.add_permission(FunctionName=name, StatementId="all", Action="lambda:InvokeFunction", Principal="*")
    functions.add_permission(
        FunctionName=name, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*", FunctionUrlAuthType="AWS_IAM"
    )
    assert browse(account, "GET", url)["statusCode"] == 403


def test_a_host_the_account_does_not_serve_is_a_gateway_error(account):
    assert browse(account, "GET", "https://callback.example/?decision=approve")["statusCode"] == 502


# --- HTTP APIs -----------------------------------------------------------------------------------


@pytest.fixture
def http_api(account):
    """An HTTP API in front of an echo function, built as modules/approvals builds one, with a
    small throttle; the Lambda permission is the test's to add."""
    function = an_echo_function(account)
    gateway, logs = account.client("apigatewayv2"), account.client("logs")
    api = gateway.create_api(Name=unique("door-api"), ProtocolType="HTTP")
    integration = gateway.create_integration(
        ApiId=api["ApiId"],
        IntegrationType="AWS_PROXY",
        IntegrationMethod="POST",
        IntegrationUri=function["FunctionArn"],
        PayloadFormatVersion="2.0",
    )
    for key in ("GET /", "POST /", "GET /items/{item}"):
        gateway.create_route(
            ApiId=api["ApiId"], RouteKey=key, AuthorizationType="NONE", Target=f"integrations/{integration['IntegrationId']}"
        )
    gateway.create_route(
        ApiId=api["ApiId"],
        RouteKey="GET /private",
        AuthorizationType="AWS_IAM",
        Target=f"integrations/{integration['IntegrationId']}",
    )
    group = f"/aws/apigateway/{unique('door')}"
    logs.create_log_group(logGroupName=group)
    gateway.create_stage(
        ApiId=api["ApiId"],
        StageName="$default",
        AutoDeploy=True,
        DefaultRouteSettings={"ThrottlingBurstLimit": 3, "ThrottlingRateLimit": 2.0},
        AccessLogSettings={
            "DestinationArn": f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{group}",
            "Format": '{"requestId":"$context.requestId","routeKey":"$context.routeKey","status":"$context.status","nothing":"$context.authorizer.claims.sub"}',
        },
    )
    execution_arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api['ApiId']}"
    return SimpleNamespace(
        url=f"{api['ApiEndpoint']}/", function=function["FunctionName"], execution_arn=execution_arn, log_group=group
    )


def allow_api_gateway(account, api, source_arn: str, statement_id: str = "api") -> None:
    account.client("lambda").add_permission(
        FunctionName=api.function,
        StatementId=statement_id,
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=source_arn,
    )


def test_an_http_api_invokes_its_function_only_under_a_permission_naming_the_route(account, http_api):
    assert browse(account, "GET", http_api.url)["statusCode"] == 500  # no permission yet: API Gateway's 500
    allow_api_gateway(account, http_api, f"{http_api.execution_arn}/$default/POST/", "post-only")
    assert browse(account, "GET", http_api.url)["statusCode"] == 500  # another route's permission
    allow_api_gateway(account, http_api, f"{http_api.execution_arn}/$default/GET/", "get")
    answered = browse(account, "GET", f"{http_api.url}?decision=approve")
    assert answered["statusCode"] == 200, answered
    assert json.loads(answered["body"]) == {
        "route": "GET /",
        "path": "/",
        "stage": "$default",
        "parameters": None,
        "query": "decision=approve",
        "caller": None,
    }


def test_an_http_api_answers_404_for_a_path_or_method_no_route_has_without_running_the_function(account, http_api):
    allow_api_gateway(account, http_api, f"{http_api.execution_arn}/*/*/*")
    invocations_before = len(account.control("GET", "invocations"))
    for method, path in (("GET", "other"), ("PUT", ""), ("DELETE", ""), ("GET", "items")):
        refused = browse(account, method, f"{http_api.url}{path}")
        assert (refused["statusCode"], json.loads(refused["body"])) == (404, {"message": "Not Found"}), (method, path)
    routed = browse(account, "GET", f"{http_api.url}items/42")
    assert json.loads(routed["body"])["parameters"] == {"item": "42"}
    # Only the routed request ran this API's function (the account is shared: other tests' runs
    # invoke their own functions meanwhile).
    functions_run = [i["function"] for i in account.control("GET", "invocations")[invocations_before:]]
    assert [name for name in functions_run if name == http_api.function] == [http_api.function]


def test_an_iam_route_refuses_an_unsigned_request_and_passes_the_signer_to_the_function(account, http_api):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    allow_api_gateway(account, http_api, f"{http_api.execution_arn}/*/*/*")
    refused = browse(account, "GET", f"{http_api.url}private")
    assert (refused["statusCode"], json.loads(refused["body"])) == (403, {"message": "Forbidden"})

    signed = AWSRequest(method="GET", url=f"{http_api.url}private")
    SigV4Auth(Credentials(*account.session().get_credentials().get_frozen_credentials()[:2]), "execute-api", REGION).add_auth(
        signed
    )
    answered = browse(account, "GET", f"{http_api.url}private", headers=dict(signed.headers.items()))
    assert answered["statusCode"] == 200, answered  # the deployer's policies allow execute-api:Invoke
    assert json.loads(answered["body"])["caller"] == f"arn:aws:iam::{ACCOUNT_ID}:user/offline-deployer"


def test_past_the_stage_burst_the_api_answers_429_and_admits_again_once_refilled(account, http_api):
    allow_api_gateway(account, http_api, f"{http_api.execution_arn}/*/*/*")
    statuses = [browse(account, "GET", http_api.url)["statusCode"] for _ in range(6)]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:], statuses
    time.sleep(1.0)  # 2 requests per second refill
    assert browse(account, "GET", http_api.url)["statusCode"] == 200
    assert browse(account, "POST", http_api.url)["statusCode"] == 200  # each route has its own bucket


def test_every_request_writes_an_access_log_line_in_the_stage_format(account, http_api):
    allow_api_gateway(account, http_api, f"{http_api.execution_arn}/*/*/*")
    browse(account, "GET", http_api.url)
    browse(account, "GET", f"{http_api.url}nowhere")
    events = account.client("logs").filter_log_events(logGroupName=http_api.log_group)["events"]
    lines = [json.loads(e["message"]) for e in events]
    assert [(line["routeKey"], line["status"]) for line in lines] == [("GET /", "200"), ("-", "404")]
    assert all(line["nothing"] == "-" and line["requestId"] for line in lines)  # absent values are "-"


# --- the parts, without an account ---------------------------------------------------------------


def routes(*keys: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(route_key=key) for key in keys]


@pytest.mark.parametrize(
    ("method", "path", "chosen", "parameters"),
    [
        ("GET", "/", "GET /", {}),
        ("POST", "/", "ANY /", {}),
        ("GET", "/items/7", "GET /items/{id}", {"id": "7"}),
        ("GET", "/items/new", "GET /items/new", {}),
        ("GET", "/items/7/parts/2", "ANY /items/{rest+}", {"rest": "7/parts/2"}),
        ("PATCH", "/nowhere", "$default", {}),
    ],
)
def test_route_selection_prefers_the_most_specific_route(method, path, chosen, parameters):
    table = routes("GET /", "ANY /", "GET /items/{id}", "GET /items/new", "ANY /items/{rest+}", "$default")
    route, found = _match_route(table, method, path)
    assert (route.route_key, found) == (chosen, parameters)


def test_without_a_default_route_an_unmatched_request_has_no_route():
    assert _match_route(routes("GET /", "POST /"), "PUT", "/") is None
    assert _match_route(routes("GET /", "POST /"), "GET", "/x") is None


def test_the_token_bucket_admits_its_burst_then_its_rate():
    now = [0.0]
    bucket = TokenBucket(burst=2, rate=4, clock=lambda: now[0])
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    now[0] += 0.25  # one token back
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 10  # never more than the burst
    assert [bucket.take() for _ in range(3)] == [True, True, False]
