"""The Bedrock runtime APIs the agent functions call, served by the embedded account.

- bedrock-agent-runtime InvokeAgent (POST /agents/{agentId}/agentAliases/{agentAliasId}/sessions/
  {sessionId}/text): the answer is an AWS event stream (scripts/offline/eventstream.py) of `trace`
  events carrying token usage and `chunk` events carrying the completion bytes.
- bedrock-runtime Converse (POST /model/{modelId}/converse): the JSON answer with usage; and
  ConverseStream (POST /model/{modelId}/converse-stream): the same answer as an event stream
  (messageStart, contentBlockDelta, contentBlockStop, messageStop, metadata with usage).

Requests are validated as AWS validates them: an agent id/alias the deployment did not configure
is ResourceNotFoundException; a bad sessionId or a missing inputText is ValidationException. The
known agents are what Terraform's output `bedrock_agents` says, registered by the runner after each
apply. Models are Bedrock's own: the dated catalogue (scripts/offline/bedrock_catalog.py) decides
which model identifiers Converse runs and refuses the rest as AWS does, and serves the control-plane
reads of models and inference profiles. Converse and ConverseStream count against the account's
per-model quotas (scripts/offline/bedrock_quotas.py) and answer ThrottlingException past one, as
Bedrock does. Answers come from the deterministic local model (scripts/offline/model.py), or from
the execution's model faults (scripts/offline/model_faults.py): the embedded Lambda runtime gives
each invocation an X-Ray trace id (`_X_AMZN_TRACE_ID`), botocore sends it as the `X-Amzn-Trace-Id`
header as it does on Lambda, and its Root names the execution the call belongs to.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from scripts.offline import eventstream
from scripts.offline.bedrock_catalog import BedrockError, Catalogue, catalogue
from scripts.offline.bedrock_quotas import AccountQuotas
from scripts.offline.lambda_runtime import trace_root
from scripts.offline.model import (
    ROLES,
    Answer,
    Conversation,
    LocalModel,
    PromptError,
    ToolOutcome,
    estimate_tokens,
    role_named_in,
)
from scripts.offline.model_faults import ModelFaultCase, ModelResponse

INVOKE_AGENT = re.compile(r"^/agents/([^/]+)/agentAliases/([^/]+)/sessions/([^/]+)/text$")
CONVERSE = re.compile(r"^/model/(.+)/converse(-stream)?$")
FOUNDATION_MODELS = re.compile(r"^/foundation-models(?:/(.+))?$")
INFERENCE_PROFILES = re.compile(r"^/inference-profiles(?:/(.+))?$")
SESSION_ID = re.compile(r"^[0-9a-zA-Z._:-]{2,100}$")
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
CHUNK_CHARS = 1000  # the answer streams in parts, as Bedrock streams it


def _input_text_limit() -> int:
    """InvokeAgent's inputText limit as the API model states it (25,000,000 characters today)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("bedrock-agent-runtime")
    return int(model.operation_model("InvokeAgent").input_shape.members["inputText"].metadata["max"])


MAX_INPUT_TEXT = _input_text_limit()


@dataclass
class BedrockRuntime:
    """The account's Bedrock: which agents and models exist, and the model that answers."""

    account_id: str
    region: str
    model: LocalModel = field(default_factory=LocalModel)
    catalogue: Catalogue = field(default_factory=catalogue)
    agents: dict[tuple[str, str], str] = field(default_factory=dict)  # (agent id, alias id) -> role
    fallback_models: dict[str, str] = field(default_factory=dict)  # role -> its fallback model id (selects "Fallback" faults)
    faults: dict[str, ModelFaultCase] = field(default_factory=dict)  # execution ARN -> its model faults
    execution_of_trace: Callable[[str], str | None] = lambda root: None
    time_scale: Callable[[], float] = lambda: 0.0  # the account's: a quota's minute is 60 x scale s
    quotas: AccountQuotas | None = None
    sized_quota_factor: float = 1.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.quotas is None:
            self.quotas = AccountQuotas(self.catalogue, scale=self.time_scale)

    def register(self, deployment: dict[str, Any]) -> dict[str, Any]:
        """Add what a deployment configured: {"agents": {role: {agent_id, alias_id}}} (Agents
        Classic), {"fallback_models": {role: model id}} (which Converse calls are a role's fallback,
        for the model faults file only; the local model never sees it) and {"quotas": {Service
        Quotas name: value}}, the account's Bedrock quotas the environment is sized for
        (scripts/offline/bedrock_quotas.py). {"sized_quota_factor": n} is how many times those
        quotas a runner gives this account (an account several test workers share runs more
        workflows at once than one environment is sized for); GET /_offline/bedrock says it."""
        agents = deployment.get("agents") or {}
        factor = deployment.get("sized_quota_factor", self.sized_quota_factor)
        if isinstance(factor, bool) or not isinstance(factor, int | float) or factor <= 0:
            raise ValueError(f"sized_quota_factor must be a positive number, not {factor!r}")
        fallbacks = deployment.get("fallback_models") or {}
        for role, agent in agents.items():
            if role not in ROLES or not isinstance(agent, dict):
                raise ValueError(f"unknown agent role {role!r}")
        for role, model_id in fallbacks.items():
            if role not in ROLES or not isinstance(model_id, str):
                raise ValueError(f"unknown agent role {role!r} or model id {model_id!r}")
        quotas = self.quotas.configure(deployment.get("quotas") or {})
        with self.lock:
            self.agents.update({(a["agent_id"], a["alias_id"]): role for role, a in agents.items()})
            self.fallback_models.update(fallbacks)
            self.sized_quota_factor = float(factor)
            return {"agents": len(self.agents), "fallback_models": len(self.fallback_models), **quotas}

    def status(self) -> dict[str, Any]:
        """What the account's quotas admitted and refused (GET /_offline/bedrock)."""
        return {"quotas": self.quotas.report(), "sized_quota_factor": self.sized_quota_factor}

    def use_faults(self, execution_arn: str, case: ModelFaultCase) -> None:
        with self.lock:
            self.faults[execution_arn] = case

    def _fault(self, environ: dict[str, Any], role: str, api: str) -> ModelResponse | None:
        root = trace_root(environ)
        execution = self.execution_of_trace(root) if root else None
        with self.lock:
            case = self.faults.get(execution or "")
        response = case.next_response(role, api) if case else None
        if response is not None and response.error:
            raise BedrockError(response.status, response.error, response.message)
        if response is not None and response.meet:
            case.meet(role, api, response)
            return None  # then the local model answers
        return response

    # -- WSGI ------------------------------------------------------------------------------------
    def handles(self, path: str) -> bool:
        return any(route.match(path) for route in (INVOKE_AGENT, CONVERSE, FOUNDATION_MODELS, INFERENCE_PROFILES))

    def __call__(self, environ: dict[str, Any], start_response: Any):
        path = environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        request_id = str(uuid.uuid4())
        try:
            if FOUNDATION_MODELS.match(path) or INFERENCE_PROFILES.match(path):
                return self._respond(start_response, request_id, self.control_plane(environ, path))
            if environ.get("REQUEST_METHOD") != "POST":
                raise BedrockError(405, "ValidationException", "Use POST.")
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                raise BedrockError(400, "ValidationException", "The request body is not valid JSON.") from None
            if not isinstance(body, dict):
                raise BedrockError(400, "ValidationException", "The request body must be a JSON object.")
            invoke = INVOKE_AGENT.match(path)
            if invoke:
                agent_id, alias_id, session_id = (unquote(part) for part in invoke.groups())
                stream, session = self.invoke_agent(agent_id, alias_id, session_id, body, environ), session_id
                headers = [
                    ("Content-Type", "application/vnd.amazon.eventstream"),
                    ("x-amzn-bedrock-agent-content-type", "application/json"),
                    ("x-amz-bedrock-agent-session-id", session),
                    ("x-amzn-RequestId", request_id),
                ]
                start_response("200 OK", [*headers, ("Content-Length", str(len(stream)))])
                return [stream]
            converse = CONVERSE.match(path)
            answer = self.converse(
                unquote(converse.group(1)), body, environ, api="ConverseStream" if converse.group(2) else "Converse"
            )
            if converse.group(2):  # ConverseStream: the same answer as Bedrock streams it
                stream = converse_stream_events(answer)
                start_response(
                    "200 OK",
                    [
                        ("Content-Type", "application/vnd.amazon.eventstream"),
                        ("x-amzn-RequestId", request_id),
                        ("Content-Length", str(len(stream))),
                    ],
                )
                return [stream]
            return self._respond(start_response, request_id, answer)
        except Exception as caught:  # noqa: BLE001 - every failure answers as AWS does, never a traceback
            error = caught if isinstance(caught, BedrockError) else BedrockError(500, "InternalServerException", str(caught))
            payload = json.dumps({"message": error.message}).encode()
            start_response(
                f"{error.status} Error",
                [
                    ("Content-Type", "application/json"),
                    ("x-amzn-ErrorType", error.code),
                    ("x-amzn-RequestId", request_id),
                    ("Content-Length", str(len(payload))),
                ],
            )
            return [payload]

    @staticmethod
    def _respond(start_response: Any, request_id: str, answer: dict[str, Any]) -> list[bytes]:
        payload = json.dumps(answer).encode()
        start_response(
            "200 OK",
            [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def control_plane(self, environ: dict[str, Any], path: str) -> dict[str, Any]:
        """The reads of Bedrock's model catalogue (GET /foundation-models[/id], /inference-profiles[/id])."""
        if environ.get("REQUEST_METHOD") != "GET":
            raise BedrockError(405, "ValidationException", "The embedded account's catalogue is read-only.")
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        model = FOUNDATION_MODELS.match(path)
        if model:
            if model.group(1):
                return self.catalogue.get_foundation_model(unquote(model.group(1)), self.region)
            return self.catalogue.list_foundation_models(self.region, query.get("byProvider"), query.get("byInferenceType"))
        profile = INFERENCE_PROFILES.match(path).group(1)
        if profile:
            return self.catalogue.get_inference_profile(unquote(profile), self.region, self.account_id)
        return self.catalogue.list_inference_profiles(self.region, self.account_id, query.get("type"))

    # -- the runtime APIs -------------------------------------------------------------------------
    def invoke_agent(self, agent_id: str, alias_id: str, session_id: str, body: dict[str, Any], environ: dict[str, Any]) -> bytes:
        if not SESSION_ID.match(session_id):
            raise BedrockError(400, "ValidationException", f"sessionId {session_id!r} must match [0-9a-zA-Z._:-]{{2,100}}.")
        text = body.get("inputText")
        if not isinstance(text, str) or not text:
            raise BedrockError(400, "ValidationException", "inputText is required.")
        if len(text) > MAX_INPUT_TEXT:
            raise BedrockError(400, "ValidationException", f"inputText is longer than {MAX_INPUT_TEXT} characters.")
        with self.lock:
            role = self.agents.get((agent_id, alias_id))
        if role is None:
            raise BedrockError(404, "ResourceNotFoundException", f"Agent {agent_id} with alias {alias_id} was not found.")
        fault = self._fault(environ, role, "InvokeAgent")
        # An Agents Classic agent offline has no action groups or knowledge base: no tools.
        answer = self._answer(role, Conversation(prompt=text, model_name=f"the Bedrock agent {agent_id}"), fault=fault)
        events = []
        if body.get("enableTrace"):
            events.append(
                eventstream.event(
                    "trace",
                    {
                        "agentId": agent_id,
                        "agentAliasId": alias_id,
                        "sessionId": session_id,
                        "agentVersion": "1",
                        "trace": {
                            "orchestrationTrace": {
                                "modelInvocationOutput": {
                                    "traceId": f"{session_id}-0",
                                    "metadata": {
                                        "usage": {"inputTokens": answer.input_tokens, "outputTokens": answer.output_tokens}
                                    },
                                }
                            }
                        },
                    },
                )
            )
        parts = [answer.text[at : at + CHUNK_CHARS] for at in range(0, len(answer.text), CHUNK_CHARS)]
        if fault is not None and fault.stream_error:
            parts = parts[: fault.after_chunks]
        events += [eventstream.event("chunk", {"bytes": base64.b64encode(part.encode("utf-8")).decode()}) for part in parts]
        if fault is not None and fault.stream_error:
            events.append(eventstream.exception(fault.stream_error, fault.message))
        return b"".join(events)

    def converse(self, model_id: str, body: dict[str, Any], environ: dict[str, Any], api: str = "Converse") -> dict[str, Any]:
        invocation = self.catalogue.resolve(model_id, self.region, self.account_id)
        self.catalogue.check_parameters(invocation.model, body.get("inferenceConfig") or {})
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
            raise BedrockError(400, "ValidationException", "messages is required.")
        tools = _tool_specs(body.get("toolConfig"))
        outcomes = _tool_outcomes(messages, tools is not None)
        system = " ".join(block.get("text", "") for block in body.get("system") or [] if isinstance(block, dict))
        prompt = "".join(block.get("text", "") for block in messages[0].get("content") or [] if isinstance(block, dict))
        role = role_named_in(system) or role_named_in(prompt)
        if role is None:
            raise BedrockError(400, "ValidationException", "The local model cannot tell which agent role to answer as.")
        with self.lock:
            which = "Fallback" if self.fallback_models.get(role) == model_id else "Agent"
        conversation = Conversation(
            prompt=prompt,
            tools=tuple(tools or ()),
            outcomes=outcomes,
            turn=sum(1 for m in messages if m.get("role") == "assistant"),
            model_name=invocation.model.name,
            model_id=model_id,
        )
        request_tokens = estimate_tokens(json.dumps([body.get("system"), messages, body.get("toolConfig")]))
        max_tokens = (body.get("inferenceConfig") or {}).get("maxTokens")
        with self.quotas.admit(invocation, request_tokens, max_tokens) as admitted:
            answer = self._answer(role, conversation, fault=self._fault(environ, role, which))
            admitted.used(answer.output_tokens)
        content: list[dict[str, Any]] = [{"text": answer.text}] if answer.text or not answer.tool_uses else []
        content += [{"toolUse": {"toolUseId": u.tool_use_id, "name": u.name, "input": u.input}} for u in answer.tool_uses]
        return {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": "tool_use" if answer.tool_uses else "end_turn",
            "usage": {
                "inputTokens": answer.input_tokens,
                "outputTokens": answer.output_tokens,
                "totalTokens": answer.input_tokens + answer.output_tokens,
            },
            "metrics": {"latencyMs": 1},
        }

    def _answer(self, role: str, conversation: Conversation, fault: ModelResponse | None) -> Answer:
        if fault is not None and fault.tool_use is not None:
            from scripts.offline.model import ToolUse

            use = ToolUse(f"tooluse_fault_{conversation.turn}", fault.tool_use["name"], fault.tool_use["input"])
            return Answer("", estimate_tokens(conversation.prompt), estimate_tokens(str(use.input)), (use,))
        if fault is not None and fault.completion is not None:
            completion = fault.completion
            return Answer(completion, estimate_tokens(conversation.prompt), estimate_tokens(completion) if completion else 0)
        try:
            return self.model.answer(role, conversation)
        except PromptError as error:
            raise BedrockError(400, "ValidationException", f"The local model cannot answer this prompt: {error}") from None


def _invalid(message: str) -> BedrockError:
    return BedrockError(400, "ValidationException", message)


def _tool_specs(tool_config: Any) -> list[dict[str, Any]] | None:
    """The request's tool specs, validated as Converse validates them (None: no toolConfig)."""
    if tool_config is None:
        return None
    tools = tool_config.get("tools") if isinstance(tool_config, dict) else None
    if not isinstance(tools, list) or not tools:
        raise _invalid("The toolConfig field must contain at least one tool.")
    specs, names = [], set()
    for index, tool in enumerate(tools, 1):
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        name = spec.get("name") if isinstance(spec, dict) else None
        if not isinstance(name, str) or not TOOL_NAME.match(name):
            raise _invalid(
                f"1 validation error detected: Value '{name}' at 'toolConfig.tools.{index}.member.toolSpec.name' "
                "failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+"
            )
        if not isinstance((spec.get("inputSchema") or {}).get("json"), dict):
            raise _invalid(f"The json schema of tool {name} is not a JSON object.")
        if name in names:
            raise _invalid(f"The toolConfig field contains duplicate tool names: {name}.")
        names.add(name)
        specs.append(spec)
    return specs


def _tool_outcomes(messages: list[dict[str, Any]], have_tools: bool) -> tuple[ToolOutcome, ...]:
    """Validate the conversation as Converse does and pair each toolUse with its toolResult."""
    if messages[0].get("role") != "user":
        raise _invalid(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message."
        )
    outcomes: list[ToolOutcome] = []
    pending: dict[str, dict[str, Any]] = {}
    for index, message in enumerate(messages):
        expected_role = "user" if index % 2 == 0 else "assistant"
        if message.get("role") != expected_role:
            raise _invalid(
                "A conversation must alternate between user and assistant roles. Make sure the conversation "
                "alternates between user and assistant roles and try again."
            )
        blocks = [block for block in message.get("content") or [] if isinstance(block, dict)]
        uses = [block["toolUse"] for block in blocks if "toolUse" in block]
        results = [block["toolResult"] for block in blocks if "toolResult" in block]
        if (uses or results) and not have_tools:
            raise _invalid("The toolConfig field must be defined when using toolUse and toolResult content blocks.")
        if message.get("role") == "user":
            ids = [result.get("toolUseId") for result in results]
            if len(ids) > len(pending):
                raise _invalid(
                    f"The number of toolResult blocks at messages.{index}.content exceeds the number of toolUse blocks of previous turn."
                )
            missing = [tool_use_id for tool_use_id in pending if tool_use_id not in ids]
            if missing:
                raise _invalid(
                    f"Expected toolResult blocks at messages.{index}.content for the following Ids: {', '.join(missing)}"
                )
            for result in results:
                use = pending[result["toolUseId"]]
                parts = result.get("content") or []
                value = next((part["json"] for part in parts if "json" in part), None)
                if value is None:
                    value = "".join(part.get("text", "") for part in parts)
                outcomes.append(
                    ToolOutcome(use.get("name", ""), use.get("input") or {}, result.get("status", "success") != "error", value)
                )
            pending = {}
        else:
            pending = {use.get("toolUseId"): use for use in uses}
    return tuple(outcomes)


def converse_stream_events(answer: dict[str, Any]) -> bytes:
    """A Converse answer as ConverseStream sends it: messageStart; per content block its
    contentBlockStart (toolUse only), contentBlockDelta parts (text, or the toolUse input as a JSON
    string) and contentBlockStop; messageStop with the stop reason; then metadata with the usage."""
    events = [eventstream.event("messageStart", {"role": "assistant"})]
    for index, block in enumerate(answer["output"]["message"]["content"]):
        if "toolUse" in block:
            use = block["toolUse"]
            events.append(
                eventstream.event(
                    "contentBlockStart",
                    {"contentBlockIndex": index, "start": {"toolUse": {"toolUseId": use["toolUseId"], "name": use["name"]}}},
                )
            )
            events.append(
                eventstream.event(
                    "contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": json.dumps(use["input"])}}}
                )
            )
        else:
            text = block.get("text", "")
            events += [
                eventstream.event(
                    "contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": text[at : at + CHUNK_CHARS]}}
                )
                for at in range(0, len(text), CHUNK_CHARS)
            ]
        events.append(eventstream.event("contentBlockStop", {"contentBlockIndex": index}))
    events.append(eventstream.event("messageStop", {"stopReason": answer["stopReason"]}))
    events.append(eventstream.event("metadata", {"usage": answer["usage"], "metrics": answer["metrics"]}))
    return b"".join(events)
