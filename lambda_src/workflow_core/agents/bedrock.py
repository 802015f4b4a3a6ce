"""Bedrock Agents backend: InvokeAgent with the role's agent id and alias.

The reply arrives as an event stream (``completion``): ``chunk.bytes`` parts are concatenated in
order; ``trace`` events (enabled so token usage is visible) carry ``usage`` blocks that are summed.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from workflow_core.agents._errors import translate
from workflow_core.errors import AgentFailed
from workflow_core.roles import AgentReply, AgentRequest

# Retries belong to Step Functions (visible, with backoff and jitter); the SDK retries only a bit.
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, read_timeout=600)
_client: Any = None


def default_client() -> Any:
    """One bedrock-agent-runtime client per process, created on first use."""
    global _client
    if _client is None:
        _client = boto3.client("bedrock-agent-runtime", config=_CLIENT_CONFIG)
    return _client


def _sum_usage(node: Any, totals: list[int]) -> None:
    if isinstance(node, dict):
        usage = node.get("usage")
        if isinstance(usage, dict):
            totals[0] += int(usage.get("inputTokens") or 0)
            totals[1] += int(usage.get("outputTokens") or 0)
        for key, value in node.items():
            if key != "usage":
                _sum_usage(value, totals)
    elif isinstance(node, list):
        for value in node:
            _sum_usage(value, totals)


class BedrockAgentBackend:
    def __init__(self, agent_id: str, agent_alias_id: str, client: Any = None) -> None:
        self.agent_id = agent_id
        self.agent_alias_id = agent_alias_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = default_client()
        return self._client

    def run(self, request: AgentRequest) -> AgentReply:
        what = f"InvokeAgent {self.agent_id}/{self.agent_alias_id}"
        parts: list[bytes] = []
        totals = [0, 0]
        try:
            response = self.client.invoke_agent(
                agentId=self.agent_id,
                agentAliasId=self.agent_alias_id,
                sessionId=request.session_id,
                inputText=request.prompt,
                enableTrace=True,
            )
            for event in response["completion"]:
                if "chunk" in event:
                    parts.append(event["chunk"].get("bytes", b""))
                elif "trace" in event:
                    _sum_usage(event["trace"], totals)
        except ClientError as error:  # includes EventStreamError raised while iterating
            raise translate(error, what) from None
        text = b"".join(parts).decode("utf-8", errors="replace")
        if not text.strip():
            raise AgentFailed(f"{what} returned an empty completion")
        return AgentReply(text, totals[0], totals[1], generated_by=f"bedrock-agent:{self.agent_id}")
