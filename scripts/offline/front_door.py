"""The embedded account's public HTTP endpoints, answered as AWS answers them: Lambda Function URLs
and API Gateway HTTP APIs. A request names a URL, and its host says which front door serves it.

Function URL (`<id>.lambda-url.<region>.on.aws`): since 2025-10 a request is allowed only when the
function's resource policy grants both `lambda:InvokeFunctionUrl` (for the URL's auth type) and
`lambda:InvokeFunction` (unconditionally, or with `lambda:InvokedViaFunctionUrl`); an AWS_IAM URL
also needs a signed caller, which an e-mail link is not. Anything else is 403 Forbidden.

HTTP API (`<api-id>.execute-api.<region>.amazonaws.com`): the stage (`$default`, or the first path
segment), then the route (`METHOD /path`, `ANY /path`, `{param}`/`{proxy+}` templates, `$default`);
no route is 404 Not Found. An AWS_IAM route needs a signer whose identity policies allow
`execute-api:Invoke` on the route's ARN (403 otherwise). Past the route's token bucket (the stage's
default route settings, or the route's own) the answer is 429 Too Many Requests, before the function
runs. A Lambda proxy integration invokes the function only if its resource policy lets
apigateway.amazonaws.com invoke it for this request's execute-api ARN; a missing permission or a
failed function is 500 Internal Server Error. Every request, answered or refused, writes one line
in the stage's access log group, in the stage's format.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scripts.offline.iam_policy import ALLOW, Request, decide

_FUNCTION_URL_HOST = re.compile(r"^(?P<id>[a-z0-9]+)\.lambda-url\.(?P<region>[a-z0-9-]+)\.on\.aws$")
_HTTP_API_HOST = re.compile(r"^(?P<id>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$")
_CONTEXT_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_.]+)")
API_GATEWAY = "apigateway.amazonaws.com"


@dataclass(frozen=True)
class HttpRequest:
    """What a browser (or any HTTP client) sends to a URL."""

    method: str
    url: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    source_ip: str = "127.0.0.1"
    base64_body: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HttpRequest:
        return cls(
            method=str(data["method"]).upper(),
            url=str(data["url"]),
            body=str(data.get("body") or ""),
            headers={str(k).lower(): str(v) for k, v in (data.get("headers") or {}).items()},
            source_ip=str(data.get("source_ip") or "127.0.0.1"),
        )


def _answer(status: int, message: str) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps({"message": message})}


def payload_v2(
    request: HttpRequest,
    *,
    account_id: str = "anonymous",
    route_key: str = "$default",
    stage: str = "$default",
    path_parameters: dict[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The event (payload format 2.0) a Function URL or an HTTP API's Lambda proxy integration
    delivers for this request: the two differ only in routeKey, stage and authorizer."""
    parts = urlsplit(request.url)
    now = now or datetime.now(UTC)
    domain = parts.netloc or "localhost"
    headers = {"host": domain, **request.headers}
    if "content-type" not in request.headers:
        headers["content-type"] = "application/x-www-form-urlencoded"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.path or "/",
        "rawQueryString": parts.query,
        "queryStringParameters": dict(parse_qsl(parts.query, keep_blank_values=True)) or None,
        "headers": headers,
        "requestContext": {
            "accountId": account_id,
            "apiId": domain.split(".", 1)[0],
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "http": {
                "method": request.method,
                "path": parts.path or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", "local-run"),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": stage,
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": base64.b64encode(request.body.encode()).decode() if request.base64_body else request.body,
        "isBase64Encoded": request.base64_body,
    }
    if path_parameters:
        event["pathParameters"] = path_parameters
    if authorizer:
        event["requestContext"]["authorizer"] = authorizer
    return event


class TokenBucket:
    """API Gateway's throttle: `burst` requests at once, refilled at `rate` per second."""

    def __init__(self, burst: float, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.rate, self._clock = float(burst), float(rate), clock
        self._tokens, self._at = float(burst), clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True


def _match_route(routes: list[Any], method: str, path: str) -> tuple[Any, dict[str, str]] | None:
    """HTTP API route selection: the most specific `METHOD /path` wins over `ANY`, a literal path
    over a `{param}`, a `{param}` over a greedy `{proxy+}`; `$default` catches the rest."""
    candidates = []
    for route in routes:
        if route.route_key == "$default":
            continue
        route_method, _, template = route.route_key.partition(" ")
        if route_method not in (method, "ANY"):
            continue
        pattern, names, literal = "", [], 0
        for segment in template.strip("/").split("/") if template.strip("/") else []:
            if segment.startswith("{") and segment.endswith("+}"):
                names.append(segment[1:-2])
                pattern += "/(.+)"
            elif segment.startswith("{") and segment.endswith("}"):
                names.append(segment[1:-1])
                pattern += "/([^/]+)"
            else:
                literal += 1
                pattern += "/" + re.escape(segment)
        matched = re.fullmatch(pattern or "/", path)
        if matched:
            greedy = template.endswith("+}")
            candidates.append(
                ((not greedy, literal, route_method != "ANY"), route, dict(zip(names, matched.groups(), strict=True)))
            )
    if candidates:
        _, route, parameters = max(candidates, key=lambda c: c[0])
        return route, parameters
    default = next((r for r in routes if r.route_key == "$default"), None)
    return (default, {}) if default else None


class FrontDoors:
    """Serves `HttpRequest`s to the functions behind the account's public URLs."""

    def __init__(
        self,
        account_id: str,
        region: str,
        invoke: Callable[[Any, str], tuple[str, bool, str]],
        authorizer: Any,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.account_id, self.region = account_id, region
        self._invoke, self._authorizer, self._clock = invoke, authorizer, clock
        self._buckets: dict[tuple[str, str, str, float, float], TokenBucket] = {}
        self._lock = threading.Lock()

    def serve(self, request: HttpRequest) -> dict[str, Any]:
        host = urlsplit(request.url).netloc.split(":", 1)[0]
        if found := _FUNCTION_URL_HOST.match(host):
            return self._function_url(found["id"], request)
        if found := _HTTP_API_HOST.match(host):
            return self._http_api(found["id"], request)
        return _answer(502, f"the embedded account serves no endpoint at {host!r}")

    # -- Lambda Function URLs ---------------------------------------------------------------------
    def _function_url(self, url_id: str, request: HttpRequest) -> dict[str, Any]:
        from moto.awslambda.models import lambda_backends

        backend = lambda_backends[self.account_id][self.region]
        function = next(
            (f for f in backend.list_functions() if f.url_config and f.url_config.url.split("//", 1)[1].startswith(f"{url_id}.")),
            None,
        )
        if function is None:
            return _answer(404, "Not Found")
        auth_type = function.url_config.config.get("AuthType")
        try:
            policy = json.loads(backend.get_policy(function.function_name))["Policy"]
        except Exception:  # noqa: BLE001 - no resource policy: nobody may call it
            return _answer(403, "Forbidden")
        url_context = {"lambda:FunctionUrlAuthType": auth_type}
        wanted = (
            Request("lambda:InvokeFunctionUrl", function.function_arn, None, url_context),
            Request(
                "lambda:InvokeFunction", function.function_arn, None, {**url_context, "lambda:InvokedViaFunctionUrl": "true"}
            ),
        )
        if auth_type != "NONE" or any(decide([policy], item, resource_policy=True) != ALLOW for item in wanted):
            return _answer(403, "Forbidden")
        return self._run(function, payload_v2(request))[1]

    # -- API Gateway HTTP APIs --------------------------------------------------------------------
    def _http_api(self, api_id: str, request: HttpRequest) -> dict[str, Any]:
        from moto.apigatewayv2.models import apigatewayv2_backends

        api = apigatewayv2_backends[self.account_id][self.region].apis.get(api_id)
        if api is None or api.protocol_type != "HTTP":
            return _answer(404, "Not Found")
        started = self._clock()
        path = urlsplit(request.url).path or "/"
        stage = api.stages.get("$default")
        if stage is None:
            stage_name, _, rest = path.lstrip("/").partition("/")
            stage, path = api.stages.get(stage_name), "/" + rest
        if stage is None:
            return _answer(404, "Not Found")
        context = {
            "requestId": str(uuid.uuid4()),
            "requestTime": datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "httpMethod": request.method,
            "path": path,
            "protocol": "HTTP/1.1",
            "identity.sourceIp": request.source_ip,
            "identity.userAgent": request.headers.get("user-agent", ""),
            "stage": stage.name,
            "apiId": api_id,
        }
        response = self._route(api, stage, request, path, context)
        context.update(status=response["statusCode"], responseLength=len(response.get("body") or ""))
        context["responseLatency"] = round((self._clock() - started) * 1000)
        self._access_log(api_id, stage, context)
        return response

    def _route(self, api: Any, stage: Any, request: HttpRequest, path: str, context: dict[str, Any]) -> dict[str, Any]:
        matched = _match_route(list(api.routes.values()), request.method, path)
        if matched is None:
            context["error.message"] = "Not Found"
            return _answer(404, "Not Found")
        route, parameters = matched
        context["routeKey"] = route.route_key
        execute_arn = f"arn:aws:execute-api:{self.region}:{self.account_id}:{api.api_id}/{stage.name}/{request.method}{path}"
        authorizer = None
        if (route.authorization_type or "NONE") == "AWS_IAM":
            caller = self._authorizer.caller_of({"HTTP_AUTHORIZATION": request.headers.get("authorization", "")})
            if caller.principal is None or not self._authorizer.allows_caller(
                caller.principal, "execute-api:Invoke", execute_arn
            ):
                context["error.message"] = "Forbidden"
                return _answer(403, "Forbidden")
            context["identity.userArn"] = caller.principal.arn
            authorizer = {"iam": {"accessKey": caller.access_key, "accountId": self.account_id, "userArn": caller.principal.arn}}
        if not self._bucket(api.api_id, stage, route.route_key).take():
            context["error.message"] = "Too Many Requests"
            return _answer(429, "Too Many Requests")
        integration = api.integrations.get((route.target or "").removeprefix("integrations/"))
        function = self._integrated_function(integration)
        if function is None or not self._api_may_invoke(function, execute_arn):
            context["integrationErrorMessage"] = context["error.message"] = "Internal Server Error"
            return _answer(500, "Internal Server Error")
        event = payload_v2(
            request,
            account_id=self.account_id,
            route_key=route.route_key,
            stage=stage.name,
            path_parameters=parameters,
            authorizer=authorizer,
        )
        event["requestContext"]["requestId"] = context["requestId"]
        integration_started = self._clock()
        ran, response = self._run(function, event)
        context["integrationLatency"] = round((self._clock() - integration_started) * 1000)
        context["integrationStatus"] = 200 if ran else 500
        return response

    def _bucket(self, api_id: str, stage: Any, route_key: str) -> TokenBucket:
        settings = {**(stage.default_route_settings or {}), **((stage.route_settings or {}).get(route_key) or {})}
        # Unset limits are the account's (10,000 per second, burst 5,000).
        burst, rate = float(settings.get("throttlingBurstLimit", 5000)), float(settings.get("throttlingRateLimit", 10000))
        key = (api_id, stage.name, route_key, burst, rate)
        with self._lock:
            return self._buckets.setdefault(key, TokenBucket(burst, rate, self._clock))

    def _integrated_function(self, integration: Any) -> Any:
        from moto.awslambda.models import lambda_backends

        if integration is None or integration.integration_type != "AWS_PROXY":
            return None
        uri = integration.integration_uri or ""
        # A function ARN, or the apigateway invoke form …:lambda:path/2015-03-31/functions/<arn>/invocations.
        found = re.search(r"(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?)", uri)
        if not found:
            return None
        try:
            return lambda_backends[self.account_id][self.region].get_function(found[1])
        except Exception:  # noqa: BLE001 - the integration names a function that is gone
            return None

    def _api_may_invoke(self, function: Any, execute_arn: str) -> bool:
        from moto.awslambda.models import lambda_backends

        try:
            policy = json.loads(lambda_backends[self.account_id][self.region].get_policy(function.function_name))["Policy"]
        except Exception:  # noqa: BLE001 - no resource policy
            return False
        context = {"AWS:SourceArn": execute_arn, "AWS:SourceAccount": self.account_id}
        return (
            decide([policy], Request("lambda:InvokeFunction", function.function_arn, API_GATEWAY, context), resource_policy=True)
            == ALLOW
        )

    def _run(self, function: Any, event: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        from scripts.offline.lambda_runtime import TooManyRequests

        try:
            payload, errored, _ = self._invoke(function, json.dumps(event))
        except TooManyRequests:
            return False, _answer(500, "Internal Server Error")
        if errored:
            return False, _answer(500, "Internal Server Error")
        answer = json.loads(payload)
        if isinstance(answer, dict) and "statusCode" in answer:
            return True, answer
        # Payload 2.0: an answer without statusCode is a JSON body with 200.
        return True, {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(answer)}

    def _access_log(self, api_id: str, stage: Any, context: dict[str, Any]) -> None:
        from moto.logs.models import logs_backends

        settings = stage.access_log_settings or {}
        if not settings.get("destinationArn") or not settings.get("format"):
            return
        group = settings["destinationArn"].split(":log-group:", 1)[-1].removesuffix(":*")

        def value(found: re.Match[str]) -> str:
            known = context.get(found[1])
            return "-" if known is None else json.dumps(str(known))[1:-1]

        line = _CONTEXT_VARIABLE.sub(value, settings["format"])
        logs = logs_backends[self.account_id][self.region]
        stream = f"{api_id}_{stage.name}"
        try:
            if stream not in logs.groups[group].streams:
                logs.create_log_stream(group, stream)
            logs.put_log_events(group, stream, [{"timestamp": int(time.time() * 1000), "message": line}])
        except KeyError:
            print(f"access log of {api_id}/{stage.name} not written: no log group {group}", file=sys.stderr)
