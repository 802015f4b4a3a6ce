"""IAM enforced in the embedded account: every AWS request is signed by a principal it knows.

- The deployer (Terraform and the runner) is an IAM user the account creates when it starts,
  `offline-deployer`, with an administrator policy (`create_deployer`). Its requests are authorized
  on any API: the operation and its IAM action are read from botocore's service models
  (scripts/offline/aws_operations.py) and evaluated on resource `*` against the user's policies
  (inline, managed and its groups'), so narrowing the deployer's policy through the IAM API denies
  what it no longer allows. An administrator's `*` on `*` allows everything either way; a policy
  that scopes the deployer to resource ARNs is beyond this (the per-API resources below are
  derived only for the APIs the handlers call).
- A request signed with a key the account never issued, or not signed at all, is refused as AWS
  refuses it (UnrecognizedClientException, InvalidClientTokenId, InvalidAccessKeyId,
  MissingAuthenticationToken).

Each Lambda function's worker signs with temporary credentials from assuming the execution role
Terraform attached to it, as the Lambda service gives a function its role's credentials
(`credentials_for`). Every request signed with such credentials is authorized here before moto
sees it, as AWS authorizes it:

- the action and **the resource ARN of that request** are derived per API (`requested`): the
  DynamoDB table and the partition keys it touches (`dynamodb:LeadingKeys`), the S3 object (and the
  copy source), the secret, topic, event bus, the state machine of a task token, the Bedrock agent
  alias, or the foundation model (through an inference profile: the profile and the model in each
  of its destination Regions, scripts/offline/bedrock_catalog.py). An API the derivation does not know is denied, naming it: a handler
  that starts calling something new fails here before it fails on AWS.
- the caller's identity policies (inline and managed, read from the account's IAM on every request,
  so a policy changed through the IAM API takes effect at once) are evaluated with
  scripts/offline/iam_policy.py: explicit Deny > Allow > implicit deny. Resource policies are
  evaluated where they deny (the S3 bucket policy, scripts/offline/gaps.py); none of this stack's
  resource policies grants a role what its identity policy does not.
- a denial answers as the service answers one: AccessDeniedException (JSON protocols),
  AccessDenied (S3), AuthorizationError (SNS), with the principal, action and resource in the
  message, so the handler's own error path runs.

Every decision is recorded per principal (`decisions`), for the report of permissions used and unused.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from scripts.offline.aws_operations import UNAUTHORIZED_APIS, UnknownOperation, operation_of, protocol_of
from scripts.offline.iam_policy import ALLOW, Request, decide
from scripts.offline.lambda_runtime import trace_root

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")
_PRESIGNED_CREDENTIAL = re.compile(r"^([^/]+)/[^/]+/([^/]+)/([^/]+)/aws4_request$")
DEPLOYER_USER = "offline-deployer"
ADMINISTRATOR_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
_BEDROCK_AGENT = re.compile(r"^/agents/([^/]+)/agentAliases/([^/]+)/sessions/[^/]+/text$")
_BEDROCK_MODEL = re.compile(r"^/model/(.+)/(converse|converse-stream|invoke|invoke-with-response-stream)$")
# SDK requests reach AWS over TLS; the loopback endpoint is plain HTTP, but the request is the same.
SECURE_TRANSPORT = "true"
S3_CONDITION_HEADERS = ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id")
# Every condition key the account puts in a request's context (here and for the S3 bucket policy in
# scripts/offline/gaps.py); a deployed policy conditioned on any other key cannot be evaluated.
CONDITION_KEYS = frozenset(
    {"aws:PrincipalArn", "aws:SecureTransport", "dynamodb:LeadingKeys", "events:source", "events:detail-type"}
    | {"kms:ViaService", "kms:CallerAccount", "lambda:FunctionUrlAuthType", "kms:EncryptionContext:aws:states:stateMachineArn"}
    | {"bedrock:InferenceProfileArn"}
    | {f"s3:{header}" for header in S3_CONDITION_HEADERS}
)


class NotModelled(Exception):
    """The request's resource cannot be derived: this API is not one the stack's handlers call."""


@dataclass(frozen=True)
class Principal:
    arn: str  # arn:aws:sts::<account>:assumed-role/<role name>/<session>, or an IAM user's ARN
    role_arn: str  # the role's ARN (the user's, for a user): aws:PrincipalArn
    role_name: str  # the role's name (the user's, for a user)
    by_service: bool = True
    user: bool = False


@dataclass(frozen=True)
class Caller:
    """Who signed a request, as far as the request says: the access key and the signing service."""

    principal: Principal | None  # None: the key is not one the account issued, or there is none
    service: str
    access_key: str | None  # None: the request is not signed


@dataclass(frozen=True)
class Requested:
    action: str
    resource: str
    context: dict[str, Any]
    resource_policy: str | None = None  # a KMS key policy, which must allow too (IAM is delegated by it)


@dataclass(frozen=True)
class Decision:
    role: str
    action: str
    resource: str
    allowed: bool
    execution_arn: str | None  # the execution whose Lambda invocation made the request, if one did
    context: tuple[tuple[str, Any], ...] = ()  # the request's condition keys, for replaying it later
    by_service: bool = True  # made with credentials the account issued to a function or service (not ones a user or test assumed)


class Authorizer:
    def __init__(
        self,
        account_id: str,
        region: str,
        execution_of_token: Callable[[str], str | None] = lambda token: None,
        execution_of_trace: Callable[[str], str | None] = lambda root: None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.execution_of_token = execution_of_token
        self.execution_of_trace = execution_of_trace
        self.principals: dict[str, Principal] = {}
        self.decisions: Counter[Decision] = Counter()
        self._lock = threading.Lock()

    # -- principals -------------------------------------------------------------------------------
    def credentials_for(self, role_arn: str, session_name: str) -> dict[str, str]:
        """What the Lambda service gives a function: its execution role's temporary credentials."""
        from moto.sts.models import sts_backends

        assumed = sts_backends[self.account_id]["aws"].assume_role(
            region_name=self.region,
            role_session_name=session_name[:64],
            role_arn=role_arn,
            policy="",
            duration=12 * 3600,
            external_id="",
        )
        with self._lock:
            self.principals[assumed.access_key_id] = Principal(assumed.arn, role_arn, role_arn.rsplit("/", 1)[-1])
        return {
            "AWS_ACCESS_KEY_ID": assumed.access_key_id,
            "AWS_SECRET_ACCESS_KEY": assumed.secret_access_key,
            "AWS_SESSION_TOKEN": assumed.session_token,
        }

    def create_deployer(self, access_key_id: str, secret_access_key: str) -> str:
        """The IAM user Terraform and the runner sign as: an administrator, with these keys."""
        from moto.iam.models import iam_backends

        iam = iam_backends[self.account_id]["aws"]
        user = iam.create_user(self.region, DEPLOYER_USER, path="/", tags=[])
        iam.put_user_policy(DEPLOYER_USER, "administrator", ADMINISTRATOR_POLICY)
        key = iam.create_access_key(DEPLOYER_USER)
        key.access_key_id, key.secret_access_key = access_key_id, secret_access_key  # fixed, so clients know them
        return user.arn

    def caller_of(self, environ: dict[str, Any]) -> Caller:
        """Who signed this request (the Authorization header, or a presigned URL's X-Amz-Credential)."""
        found = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        if not found:
            credential = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential", [""])[0]
            found = _PRESIGNED_CREDENTIAL.match(credential)
        if not found:
            return Caller(None, "", None)
        key = found.group(1)
        with self._lock:
            principal = self.principals.get(key)
        if principal is None:
            principal = self._issued_principal(key)
        return Caller(principal, found.group(3), key)

    def _issued_principal(self, key: str) -> Principal | None:
        """A principal for keys the account issued through its APIs: an IAM user's access key, or
        temporary credentials assumed through the STS API (by a user or a test)."""
        from moto.iam.models import iam_backends
        from moto.sts.models import sts_backends

        if key.startswith("ASIA"):
            assumed = sts_backends[self.account_id]["aws"].get_assumed_role_from_access_key(key)
            if assumed is not None:
                return Principal(assumed.arn, assumed.role_arn, assumed.role_arn.rsplit("/", 1)[-1], by_service=False)
            return None
        user = iam_backends[self.account_id]["aws"].get_user_from_access_key_id(key)
        if user is None or not any(k.access_key_id == key and k.status == "Active" for k in user.access_keys):
            return None
        principal = Principal(user.arn, user.arn, user.name, by_service=False, user=True)
        if user.name == DEPLOYER_USER:
            with self._lock:
                self.principals[key] = principal  # the deployer's key is looked up once
        return principal

    # -- one request -------------------------------------------------------------------------------
    def check(self, environ: dict[str, Any], body: bytes, caller: Caller) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """None when the request may go on; else the refusal or denial as the service answers it."""
        principal, service = caller.principal, caller.service
        if principal is None:
            return unauthenticated(protocol_of(environ, body, service), service, signed=caller.access_key is not None)
        if principal.user:
            return self._check_user(environ, body, caller)
        try:
            wanted = requested(service, environ, body, self)
        except NotModelled as error:
            return denial(protocol_of(environ, body, service), service, principal, str(error), "*", unmodelled=True)
        policies = self.identity_policies(principal)
        root = trace_root(environ)
        execution = self.execution_of_trace(root) if root else None
        for item in wanted:
            if not self._decide(principal, policies, item, execution):
                return denial(protocol_of(environ, body, service), service, principal, item.action, item.resource)
        return None

    def _check_user(
        self, environ: dict[str, Any], body: bytes, caller: Caller
    ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """A user (the deployer) may call any API: its action is decided on resource `*`."""
        principal, service = caller.principal, caller.service
        try:
            action = operation_of(service, environ, body).action
        except UnknownOperation as error:
            return denial(protocol_of(environ, body, service), service, principal, str(error), "*", unmodelled=True)
        if action in UNAUTHORIZED_APIS:
            return None
        if not self._decide(principal, self.identity_policies(principal), Requested(action, "*", {}), None):
            return denial(protocol_of(environ, body, service), service, principal, action, "*")
        return None

    def allows(
        self,
        role_arn: str,
        action: str,
        resource: str,
        execution_arn: str | None = None,
        context: dict[str, Any] | None = None,
        resource_policy: str | None = None,
    ) -> bool:
        """A call a service makes in-process with a role (an EventBridge target's role starting an
        execution, Step Functions using a state machine's key): decided and recorded as a signed
        request would be."""
        role_name = role_arn.rsplit("/", 1)[-1]
        principal = Principal(f"arn:aws:sts::{self.account_id}:assumed-role/{role_name}/service", role_arn, role_name)
        item = Requested(action, resource, context or {}, resource_policy)
        return self._decide(principal, self.identity_policies(principal), item, execution_arn)

    def allows_caller(self, principal: Principal, action: str, resource: str) -> bool:
        """A signed request to a service front door that IAM authorizes itself (an HTTP API route
        with AWS_IAM authorization): the signer's identity policies decide, and it is recorded. A
        user's request is decided on resource `*`, as every user request is here (`_check_user`)."""
        wanted = Requested(action, "*" if principal.user else resource, {})
        return self._decide(principal, self.identity_policies(principal), wanted, None)

    def allows_key_use(self, role_arn: str, actions: tuple[str, ...], key_id: str, via: str, context: dict[str, Any]) -> bool:
        """A service using a KMS key with a role's rights (`via` names it, as kms:ViaService does):
        the role's policies and the key policy must both allow every action."""
        wanted = _kms(self, actions[0], key_id, via)
        return all(
            self.allows(
                role_arn, action, wanted.resource, context={**wanted.context, **context}, resource_policy=wanted.resource_policy
            )
            for action in actions
        )

    def _decide(self, principal: Principal, policies: list[Any], item: Requested, execution: str | None) -> bool:
        """The role's policies (and the item's resource policy, if any) decide; the decision is recorded."""
        context = {"aws:PrincipalArn": principal.role_arn, "aws:SecureTransport": SECURE_TRANSPORT, **item.context}
        request = Request(item.action, item.resource, principal.arn, context)
        allowed = decide(policies, request) == ALLOW
        if allowed and item.resource_policy is not None:
            allowed = decide([item.resource_policy], request, resource_policy=True) == ALLOW
        frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in item.context.items()))
        decision = Decision(principal.role_name, item.action, item.resource, allowed, execution, frozen, principal.by_service)
        with self._lock:
            self.decisions[decision] += 1
        return allowed

    def recorded(self, execution_arn: str | None = None) -> list[dict[str, Any]]:
        """Every (role, action, resource, allowed) decided so far, with how often; or only those
        of one execution's invocations."""
        with self._lock:
            decisions = [(d, n) for d, n in self.decisions.items() if execution_arn in (None, d.execution_arn)]
        return [{**decision.__dict__, "count": count} for decision, count in sorted(decisions, key=lambda d: str(d[0]))]

    def identity_policies(self, principal: Principal) -> list[Any]:
        """The principal's policies as IAM holds them now: a role's, or a user's and its groups'."""
        from moto.iam.models import iam_backends

        iam = iam_backends[self.account_id]["aws"]
        holders = [iam.get_role(principal.role_name)] if not principal.user else [iam.get_user(principal.role_name)]
        if principal.user:
            holders += iam.get_groups_for_user(principal.role_name)
        documents = []
        for holder in holders:
            documents += [_document(text) for text in holder.policies.values()]
            for managed in holder.managed_policies.values():
                documents += [_document(version.document) for version in managed.versions if version.is_default]
        return documents


def _document(policy: Any) -> Any:
    return _parsed(policy) if isinstance(policy, str) else policy


@lru_cache(maxsize=512)
def _parsed(policy: str) -> Any:
    """A policy's JSON, parsed once per text: every request of a role reads the same documents."""
    try:
        return json.loads(policy)
    except json.JSONDecodeError:
        return json.loads(unquote(policy))  # as the query API carries it


# -- what a request asks for, per service and API ---------------------------------------------------
def requested(service: str, environ: dict[str, Any], body: bytes, authorizer: Authorizer) -> list[Requested]:
    derive: Callable[..., list[Requested]] | None = _DERIVATIONS.get(service)
    if derive is None:
        raise NotModelled(f"{service} (no request of this service is modelled)")
    return derive(environ, body, authorizer)


def _json_operation(environ: dict[str, Any], body: bytes) -> tuple[str, dict[str, Any]]:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return target.rpartition(".")[2], json.loads(body or b"{}")


def _arn(authorizer: Authorizer, service: str, resource: str, region: bool = True) -> str:
    return f"arn:aws:{service}:{authorizer.region if region else ''}:{authorizer.account_id}:{resource}"


def _attribute_value(value: dict[str, Any]) -> str:
    return str(next(iter(value.values())))


def _dynamodb(environ: dict[str, Any], body: bytes, authorizer: Authorizer) -> list[Requested]:
    operation, request = _json_operation(environ, body)
    if operation == "BatchWriteItem":
        items = []
        for table, writes in request.get("RequestItems", {}).items():
            keys = [w.get("PutRequest", {}).get("Item") or w.get("DeleteRequest", {}).get("Key") or {} for w in writes]
            items.append(_dynamodb_item(authorizer, "BatchWriteItem", table, keys))
        return items
    if operation not in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "DescribeTable"):
        raise NotModelled(f"dynamodb:{operation}")
    table = request.get("TableName", "")
    keys = [request.get("Item") or request.get("Key") or {}] if operation not in ("Query", "DescribeTable") else []
    return [_dynamodb_item(authorizer, operation, table, keys, request.get("IndexName"))]


def _dynamodb_item(
    authorizer: Authorizer, operation: str, table: str, keys: list[dict[str, Any]], index: str | None = None
) -> Requested:
    from moto.dynamodb.models import dynamodb_backends

    name = table.rsplit("/", 1)[-1] if table.startswith("arn:") else table
    resource = _arn(authorizer, "dynamodb", f"table/{name}" + (f"/index/{index}" if index else ""))
    context: dict[str, Any] = {}
    if keys:
        hash_key = dynamodb_backends[authorizer.account_id][authorizer.region].get_table(name).hash_key_attr
        context["dynamodb:LeadingKeys"] = sorted({_attribute_value(k[hash_key]) for k in keys if hash_key in k})
    return Requested(f"dynamodb:{operation}", resource, context)


def _s3(environ: dict[str, Any], body: bytes, authorizer: Authorizer) -> list[Requested]:
    method = environ.get("REQUEST_METHOD", "GET")
    path = unquote(environ.get("PATH_INFO", "/")).lstrip("/")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    bucket, _, key = path.partition("/")
    headers = {name[5:].lower().replace("_", "-"): value for name, value in environ.items() if name.startswith("HTTP_")}
    context = {f"s3:{name}": headers[name] for name in S3_CONDITION_HEADERS if name in headers}
    if not key:
        if method == "GET" and not ({"location", "policy", "tagging", "versioning", "encryption"} & set(query)):
            return [Requested("s3:ListBucket", f"arn:aws:s3:::{bucket}", context)]
        raise NotModelled(f"s3 {method} on bucket {bucket} with {sorted(query)}")
    target = f"arn:aws:s3:::{bucket}/{key}"
    if "tagging" in query:
        return [Requested("s3:GetObjectTagging" if method == "GET" else "s3:PutObjectTagging", target, context)]
    if method in ("GET", "HEAD"):
        return [Requested("s3:GetObject", target, context), *_s3_read_extras(authorizer, bucket, key)]
    if method == "DELETE":
        return [Requested("s3:DeleteObject", target, context)]
    if method == "PUT":
        wanted = []
        source = headers.get("x-amz-copy-source")
        if source:
            source_bucket, _, source_key = unquote(urlsplit(source).path).lstrip("/").partition("/")
            wanted.append(Requested("s3:GetObject", f"arn:aws:s3:::{source_bucket}/{source_key}", {}))
            wanted += _s3_read_extras(authorizer, source_bucket, source_key)
        wanted.append(Requested("s3:PutObject", target, context))
        if "x-amz-tagging" in headers or headers.get("x-amz-tagging-directive") == "REPLACE":
            wanted.append(Requested("s3:PutObjectTagging", target, context))
        sse = headers.get("x-amz-server-side-encryption")
        key_id = headers.get("x-amz-server-side-encryption-aws-kms-key-id") if sse == "aws:kms" else None
        if sse is None or key_id is None:
            key_id = key_id or _bucket_default_kms_key(authorizer, bucket)
        if key_id:
            wanted.append(_kms(authorizer, "kms:GenerateDataKey", key_id, "s3"))
        return wanted
    raise NotModelled(f"s3 {method} on an object")


def _s3_read_extras(authorizer: Authorizer, bucket: str, key: str) -> list[Requested]:
    """What reading an object needs besides s3:GetObject: kms:Decrypt on an SSE-KMS object's key,
    and for a key that does not exist s3:ListBucket (without it S3 answers 403, not 404)."""
    from moto.s3.models import FakeDeleteMarker, s3_backends

    found = s3_backends[authorizer.account_id]["aws"].buckets.get(bucket)
    stored = found.keys.get(key) if found is not None else None
    if stored is None or isinstance(stored, FakeDeleteMarker):  # a versioned bucket keeps a marker
        return [Requested("s3:ListBucket", f"arn:aws:s3:::{bucket}", {})]
    if stored.encryption == "aws:kms":
        key_id = stored.kms_key_id or _bucket_default_kms_key(authorizer, bucket)
        if key_id:
            return [_kms(authorizer, "kms:Decrypt", key_id, "s3")]
    return []


def _bucket_default_kms_key(authorizer: Authorizer, bucket: str) -> str | None:
    from moto.s3.models import s3_backends

    found = s3_backends[authorizer.account_id]["aws"].buckets.get(bucket)
    rules = (found.encryption or {}).get("Rule") if found is not None else None
    for rule in rules if isinstance(rules, list) else [rules or {}]:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse"):
            return default.get("KMSMasterKeyID")
    return None


def _kms(authorizer: Authorizer, action: str, key_id: str, via: str) -> Requested:
    """A KMS call a service makes on the caller's behalf: the caller's policy and the key's policy
    must both allow it (kms:ViaService names the service)."""
    from moto.kms.models import kms_backends

    backend = kms_backends[authorizer.account_id][authorizer.region]
    key = backend.describe_key(backend.any_id_to_key_id(key_id))
    context = {"kms:ViaService": f"{via}.{authorizer.region}.amazonaws.com", "kms:CallerAccount": authorizer.account_id}
    return Requested(action, key.arn, context, resource_policy=key.policy)


def _secretsmanager(environ: dict[str, Any], body: bytes, authorizer: Authorizer) -> list[Requested]:
    from moto.secretsmanager.models import secretsmanager_backends

    operation, request = _json_operation(environ, body)
    if operation not in ("GetSecretValue", "DescribeSecret"):
        raise NotModelled(f"secretsmanager:{operation}")
    secret_id = request.get("SecretId", "")
    try:
        secret = secretsmanager_backends[authorizer.account_id][authorizer.region].describe_secret(secret_id)
    except Exception:  # noqa: BLE001 - an unknown secret is still authorized on the ARN it would have
        arn = secret_id if secret_id.startswith("arn:") else _arn(authorizer, "secretsmanager", f"secret:{secret_id}")
        return [Requested(f"secretsmanager:{operation}", arn, {})]
    wanted = [Requested(f"secretsmanager:{operation}", secret.arn, {})]
    if operation == "GetSecretValue" and getattr(secret, "kms_key_id", None):
        wanted.append(_kms(authorizer, "kms:Decrypt", secret.kms_key_id, "secretsmanager"))
    return wanted


def _events(environ: dict[str, Any], body: bytes, authorizer: Authorizer) -> list[Requested]:
    operation, request = _json_operation(environ, body)
    if operation != "PutEvents":
        raise NotModelled(f"events:{operation}")
    wanted = []
    for entry in request.get("Entries", []):
        bus = entry.get("EventBusName") or "default"
        arn = bus if bus.startswith("arn:") else _arn(authorizer, "events", f"event-bus/{bus}")
        context = {"events:source": entry.get("Source", ""), "events:detail-type": entry.get("DetailType", "")}
        wanted.append(Requested("events:PutEvents", arn, context))
    return wanted


def _states(environ: dict[str, Any], body: bytes, authorizer: Authorizer) -> list[Requested]:
    operation, request = _json_operation(environ, body)
    if operation not in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"):
        raise NotModelled(f"states:{operation}")
    # A task token is authorized on the state machine whose execution issued it. A token no
    # execution issued names no resource: Step Functions answers InvalidToken for it.
    execution = authorizer.execution_of_token(request.get("taskToken", ""))
    if execution is None:
        return []
    machine = execution.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
    return [Requested(f"states:{operation}", machine, {})]


def _sns(environ: dict[str, Any], body: bytes, authorizer: Authorizer) -> list[Requested]:
    form = {key: values[0] for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
    if form.get("Action") != "Publish":
        raise NotModelled(f"sns:{form.get('Action')}")
    topic_arn = form.get("TopicArn") or form.get("TargetArn", "")
    wanted = [Requested("sns:Publish", topic_arn, {})]
    from moto.sns.models import sns_backends

    topic = sns_backends[authorizer.account_id][authorizer.region].topics.get(topic_arn)
    if topic is not None and topic.kms_master_key_id:  # SNS encrypts the message with the publisher's rights
        wanted += [_kms(authorizer, action, topic.kms_master_key_id, "sns") for action in ("kms:GenerateDataKey", "kms:Decrypt")]
    return wanted


def _bedrock(environ: dict[str, Any], body: bytes, authorizer: Authorizer) -> list[Requested]:
    path = unquote(environ.get("PATH_INFO", ""))
    agent = _BEDROCK_AGENT.match(path)
    if agent:
        return [
            Requested("bedrock:InvokeAgent", _arn(authorizer, "bedrock", f"agent-alias/{agent.group(1)}/{agent.group(2)}"), {})
        ]
    model = _BEDROCK_MODEL.match(path)
    if model:  # Converse and InvokeModel are authorized by bedrock:InvokeModel (streams by ...WithResponseStream)
        from scripts.offline.bedrock_catalog import catalogue

        action = "bedrock:InvokeModelWithResponseStream" if "stream" in model.group(2) else "bedrock:InvokeModel"
        resources = catalogue().authorized_resources(model.group(1), authorizer.region, authorizer.account_id)
        return [Requested(action, resource, context) for resource, context in resources]
    raise NotModelled(f"bedrock {path}")


_LAMBDA_INVOKE = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")


def _lambda(environ: dict[str, Any], body: bytes, authorizer: Authorizer) -> list[Requested]:
    invoke = _LAMBDA_INVOKE.match(unquote(environ.get("PATH_INFO", "")))
    if not invoke or environ.get("REQUEST_METHOD") != "POST":
        raise NotModelled(f"lambda {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}")
    name = invoke.group(1)
    arn = name if name.startswith("arn:") else _arn(authorizer, "lambda", f"function:{name}")
    qualifier = parse_qs(environ.get("QUERY_STRING", "")).get("Qualifier")
    return [Requested("lambda:InvokeFunction", f"{arn}:{qualifier[0]}" if qualifier else arn, {})]


_DERIVATIONS: dict[str, Callable[..., list[Requested]]] = {
    "lambda": _lambda,
    "dynamodb": _dynamodb,
    "s3": _s3,
    "secretsmanager": _secretsmanager,
    "events": _events,
    "states": _states,
    "sns": _sns,
    "bedrock": _bedrock,
}


# -- how a denial is answered -------------------------------------------------------------------------
def denial(
    protocol: str, service: str, principal: Principal, action: str, resource: str, unmodelled: bool = False
) -> tuple[int, list[tuple[str, str]], bytes]:
    """An authenticated request that is not allowed, answered in the request's protocol."""
    if unmodelled:
        message = f"User: {principal.arn} is not authorized: the embedded account does not model {action} (scripts/offline/authorizer.py)"
    else:
        message = (
            f"User: {principal.arn} is not authorized to perform: {action} on resource: {resource} "
            f"because no identity-based policy allows the {action} action"
        )
    code = {"query": "AuthorizationError" if service == "sns" else "AccessDenied", "rest-xml": "AccessDenied"}
    return error_response(protocol, code.get(protocol, "AccessDeniedException"), message, 403)


def unauthenticated(protocol: str, service: str, signed: bool) -> tuple[int, list[tuple[str, str]], bytes]:
    """A request signed with a key the account never issued (or revoked), or not signed at all."""
    if not signed:
        return error_response(protocol, "MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    if protocol == "rest-xml":
        return error_response(
            protocol, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403
        )
    code = "InvalidClientTokenId" if protocol == "query" else "UnrecognizedClientException"
    return error_response(protocol, code, "The security token included in the request is invalid.", 403)


def error_response(protocol: str, code: str, message: str, status: int) -> tuple[int, list[tuple[str, str]], bytes]:
    """An error as each protocol carries it: XML for S3 and query APIs, a JSON `__type` for JSON
    APIs (whose client errors are 400s), the x-amzn-ErrorType header for REST JSON APIs."""
    request_id = str(uuid.uuid4())
    if protocol == "rest-xml":
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{_xml(message)}</Message><RequestId>{request_id}</RequestId></Error>"
        )
        return status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], xml.encode()
    if protocol == "query":
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{_xml(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode()
    if protocol == "json":
        payload = json.dumps({"__type": code, "message": message}).encode()
        return 400, [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id)], payload
    payload = json.dumps({"message": message}).encode()
    return status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", code), ("x-amzn-RequestId", request_id)], payload


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
