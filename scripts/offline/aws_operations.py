"""Which AWS API a signed request calls, and the IAM action that authorizes it.

The embedded account authorizes the deployer's requests (Terraform's and the runner's) on any API,
not only on the few the handlers call, so the operation is read from botocore's service models,
as the service itself would route the request:

- JSON protocols name it in `X-Amz-Target`, query protocols in the `Action` parameter, the
  Smithy RPC v2 protocol in the path (`/service/<ServiceName>/operation/<Operation>`);
- REST protocols are matched on method, path template and the query keys in the request URI;
  where several operations share a template (S3's PutObject, CopyObject and UploadPart), the one
  whose required header or query members are all present and most numerous wins.

The signing name in the request's credential scope says which service models to look in (the four
Bedrock APIs all sign as `bedrock`). The IAM action is `<prefix>:<operation>` except where AWS names
the action differently from the API (`ACTION_OF`, for the APIs this stack's deployer calls).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs, quote

SERVICES_OF_SIGNING_NAME = {
    "bedrock": ("bedrock", "bedrock-agent", "bedrock-runtime", "bedrock-agent-runtime"),
    "monitoring": ("cloudwatch",),
    "states": ("stepfunctions",),
    "email": ("ses", "sesv2"),
    "apigateway": ("apigatewayv2", "apigateway"),
}
ACTION_PREFIX_OF_SIGNING_NAME = {"monitoring": "cloudwatch", "email": "ses"}
# Where the IAM action is not the API's name (Service Authorization Reference).
ACTION_OF = {
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:ListObjects": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjectVersions": "s3:ListBucketVersions",
    "s3:CopyObject": "s3:PutObject",
    "s3:CreateMultipartUpload": "s3:PutObject",
    "s3:UploadPart": "s3:PutObject",
    "s3:UploadPartCopy": "s3:PutObject",
    "s3:CompleteMultipartUpload": "s3:PutObject",
    "s3:DeleteObjects": "s3:DeleteObject",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketLifecycle": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "s3:DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "s3:GetBucketCors": "s3:GetBucketCORS",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "s3:PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "lambda:Invoke": "lambda:InvokeFunction",
    "lambda:GetFunctionConfiguration": "lambda:GetFunction",
    "lambda:ListVersionsByFunction": "lambda:ListVersionsByFunction",
    "bedrock:Converse": "bedrock:InvokeModel",
    "bedrock:ConverseStream": "bedrock:InvokeModelWithResponseStream",
}
# APIs that need no permission: AWS answers them for any valid credentials.
UNAUTHORIZED_APIS = frozenset({"sts:GetCallerIdentity"})


class UnknownOperation(Exception):
    """No API of the signing service matches the request."""


@dataclass(frozen=True)
class Operation:
    service: str  # botocore's name for the API (bedrock-agent)
    name: str  # CreateAgent
    protocol: str  # the request's: json, query, rest-json, rest-xml, smithy-rpc-v2-cbor
    action: str  # bedrock:CreateAgent


def operation_of(signing_name: str, environ: dict[str, Any], body: bytes) -> Operation:
    """The API this request calls, for a request signed for `signing_name`."""
    prefix = ACTION_PREFIX_OF_SIGNING_NAME.get(signing_name, signing_name)
    for model in _models(signing_name):
        found = _named(model, environ, body) or _routed(model, environ)
        if found:
            name, protocol = found
            qualified = f"{prefix}:{name}"
            if signing_name == "apigateway":  # API Gateway's management actions are the HTTP methods
                qualified = f"apigateway:{environ.get('REQUEST_METHOD', 'GET')}"
            return Operation(model.service_name, name, protocol, ACTION_OF.get(qualified, qualified))
    raise UnknownOperation(f"{signing_name} {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}")


def protocol_of(environ: dict[str, Any], body: bytes, signing_name: str) -> str:
    """The wire protocol of a request (how its errors are answered), even one no API matches."""
    if environ.get("HTTP_X_AMZ_TARGET"):
        return "json"
    if _RPC_V2_PATH.match(environ.get("PATH_INFO", "")):
        return "smithy-rpc-v2-cbor"
    if "Action" in _form(environ, body):
        return "query"
    models = _models(signing_name)
    return models[0].metadata.get("protocol", "rest-json") if models else "rest-json"


@cache
def _models(signing_name: str) -> tuple[Any, ...]:
    import botocore.session
    from botocore.exceptions import UnknownServiceError

    session = botocore.session.get_session()
    models = []
    for service in SERVICES_OF_SIGNING_NAME.get(signing_name, (signing_name,)):
        try:
            models.append(session.get_service_model(service))
        except UnknownServiceError:
            continue
    if not models and signing_name:  # a signing name that is not a service name: look in every model once
        for service in session.get_available_services():
            model = session.get_service_model(service)
            if model.signing_name == signing_name:
                models.append(model)
    return tuple(models)


@cache
def _operation_names(model: Any) -> frozenset[str]:
    """Read once per model: every deployer request looks its operation up here."""
    return frozenset(model.operation_names)


_RPC_V2_PATH = re.compile(r"^/service/[^/]+/operation/([^/]+)$")


def _named(model: Any, environ: dict[str, Any], body: bytes) -> tuple[str, str] | None:
    """The operation a JSON, query or RPC v2 request names outright, and that protocol."""
    names = _operation_names(model)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        prefix, _, name = target.rpartition(".")
        return (name, "json") if prefix == model.metadata.get("targetPrefix") and name in names else None
    rpc = _RPC_V2_PATH.match(environ.get("PATH_INFO", ""))
    if rpc:
        return (rpc.group(1), "smithy-rpc-v2-cbor") if rpc.group(1) in names else None
    # Services that moved to JSON still answer the query protocol older SDKs speak (SQS).
    name = (_form(environ, body).get("Action") or [None])[0]
    return (name, "query") if name in names else None


def _form(environ: dict[str, Any], body: bytes) -> dict[str, list[str]]:
    form = parse_qs(environ.get("QUERY_STRING", ""))
    if environ.get("REQUEST_METHOD") == "POST" and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        form.update(parse_qs(body.decode("utf-8", "replace")))
    return form


def _routed(model: Any, environ: dict[str, Any]) -> tuple[str, str] | None:
    """A REST request's operation: the most specific template its method, path and query match."""
    if model.metadata.get("protocol") not in ("rest-json", "rest-xml"):
        return None
    method = environ.get("REQUEST_METHOD", "GET")
    # Matched on the path as sent: a label such as an ARN in /tags/{resourceArn} keeps its
    # slashes percent-encoded there, and so stays one segment.
    raw = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", "/"))).split("?", 1)[0]
    path = raw or "/"
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    named = query.get("x-id")  # newer SDKs name the S3 operation in the URL
    protocol = model.metadata["protocol"]
    if named and named[0] in _operation_names(model):
        return named[0], protocol
    headers = {key[5:].lower().replace("_", "-") for key in environ if key.startswith("HTTP_")}
    best: tuple[tuple[int, int, int, bool], str] | None = None
    for route in _routes(model):
        if route.method != method or not route.path.match(path):
            continue
        if not all(key in query and value in (None, query[key][0]) for key, value in route.query):
            continue
        if not route.required_headers <= headers or not route.required_query <= set(query):
            continue
        rank = (
            len(route.query),
            len(route.required_headers) + len(route.required_query),
            route.literal_length,
            not route.deprecated,
        )
        if best is None or rank > best[0]:
            best = (rank, route.operation)
    return (best[1], protocol) if best else None


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    path: re.Pattern[str]
    query: tuple[tuple[str, str | None], ...]  # keys (and values) the request URI fixes
    required_headers: frozenset[str]
    required_query: frozenset[str]
    literal_length: int
    deprecated: bool  # S3's GetBucketLifecycle shares its route with GetBucketLifecycleConfiguration


@cache
def _routes(model: Any) -> tuple[_Route, ...]:
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        template, _, fixed = operation.http["requestUri"].partition("?")
        pattern = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(template))
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        query = tuple(
            (key, value or None) for key, _, value in (part.partition("=") for part in fixed.split("&") if part) if key != "x-id"
        )
        headers, members = set(), set()
        shape = operation.input_shape
        for member in shape.required_members if shape is not None else ():
            serialization = shape.members[member].serialization
            if serialization.get("location") == "header":
                headers.add(serialization.get("name", member).lower())
            elif serialization.get("location") == "querystring":
                members.add(serialization.get("name", member))
        literal = len(re.sub(r"\{[^}]+\}", "", template))
        routes.append(
            _Route(
                name,
                operation.http["method"],
                re.compile(f"^{pattern}/?$"),
                query,
                frozenset(headers),
                frozenset(members),
                literal,
                operation.deprecated,
            )
        )
    return tuple(routes)
