"""Agents as code: one role's instructions, model and tools, run as a Bedrock Converse tool loop.

Each turn sends the conversation, the role's instructions as the system prompt and the tool specs.
When the model stops with ``tool_use``, every ``toolUse`` block is answered by running the tool
(``workflow_core.tools``) and the ``toolResult`` blocks go back in the next user message; when it
stops with ``end_turn`` its text blocks are the answer (other blocks, such as a model's reasoning,
are not). A model that keeps asking for tools gets ``max_turns`` model calls, then
AgentToolLoopExceeded. The primary agent and its fallback are the same class with the same tools;
only the model differs (an inference profile ID or ARN, or a model that runs on demand).

Why not Strands Agents: see docs/design.md, "Agents as code" (measured: it fits Lambda, but its
deployed layer holds CPython-3.12 binaries the embedded account cannot run on the hosts the README
supports, so an offline run would not run what is deployed).
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from workflow_core.agents._errors import translate
from workflow_core.errors import AgentFailed, AgentToolLoopExceeded
from workflow_core.roles import AgentReply, AgentRequest
from workflow_core.tools import Tool, ToolCall, call_tool

# Retries belong to Step Functions (visible, with backoff and jitter); the SDK retries only a bit.
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, read_timeout=300)
_MAX_TOKENS = {"search": 4096, "summary": 512, "writer": 4096, "reviser": 4096}
_client: Any = None


def default_client() -> Any:
    """One bedrock-runtime client per process, created on first use."""
    global _client
    if _client is None:
        _client = boto3.client("bedrock-runtime", config=_CLIENT_CONFIG)
    return _client


class ConverseAgent:
    def __init__(
        self,
        model_id: str,
        instructions: str,
        tools: list[Tool] | None = None,
        max_turns: int = 8,
        client: Any = None,
    ) -> None:
        if max_turns < 1:
            raise ValueError("max_turns must be at least 1")
        self.model_id = model_id
        self.instructions = instructions
        self.tools = {tool.name: tool for tool in tools or []}
        self.max_turns = max_turns
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = default_client()
        return self._client

    def _converse(self, request: AgentRequest, messages: list[dict[str, Any]]) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "modelId": self.model_id,
            "system": [{"text": self.instructions}],
            "messages": messages,
            # No temperature or topP: current Claude models refuse them (temperature is deprecated).
            "inferenceConfig": {"maxTokens": _MAX_TOKENS.get(request.role, 2048)},
        }
        if self.tools:
            arguments["toolConfig"] = {"tools": [tool.spec() for tool in self.tools.values()]}
        try:
            return self.client.converse(**arguments)
        except ClientError as error:
            raise translate(error, f"Converse {self.model_id}") from None

    def run(self, request: AgentRequest) -> AgentReply:
        messages: list[dict[str, Any]] = [{"role": "user", "content": [{"text": request.prompt}]}]
        calls: list[ToolCall] = []
        input_tokens = output_tokens = 0
        for _ in range(self.max_turns):
            response = self._converse(request, messages)
            usage = response.get("usage") or {}
            input_tokens += int(usage.get("inputTokens") or 0)
            output_tokens += int(usage.get("outputTokens") or 0)
            message = (response.get("output") or {}).get("message") or {}
            content = message.get("content") or []
            uses = [block["toolUse"] for block in content if "toolUse" in block]
            if response.get("stopReason") == "tool_use" and uses:
                messages.append({"role": "assistant", "content": content})
                results = []
                for use in uses:
                    call = call_tool(self.tools, use.get("name", ""), use.get("input"))
                    calls.append(call)
                    results.append(_tool_result(use["toolUseId"], call))
                messages.append({"role": "user", "content": results})
                continue
            text = "".join(block.get("text", "") for block in content if "text" in block)
            if not text.strip():
                raise AgentFailed(f"Converse {self.model_id} returned no text (stopReason={response.get('stopReason')})")
            return AgentReply(
                text,
                input_tokens,
                output_tokens,
                generated_by=f"bedrock-converse:{self.model_id}",
                tool_calls=tuple(calls),
            )
        raise AgentToolLoopExceeded(
            f"the {request.role} agent on {self.model_id} still asked for tools after {self.max_turns} model calls "
            f"({len(calls)} tool calls); it never answered"
        )


def _tool_result(tool_use_id: str, call: ToolCall) -> dict[str, Any]:
    if call.ok:
        return {"toolResult": {"toolUseId": tool_use_id, "content": [{"json": call.result}], "status": "success"}}
    return {"toolResult": {"toolUseId": tool_use_id, "content": [{"text": call.error or "failed"}], "status": "error"}}
