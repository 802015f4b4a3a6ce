"""Fallback backend: Bedrock Converse on a smaller model (FALLBACK_MODEL_ID: an inference profile ID
or ARN, or a foundation model that runs on demand). The reply's text blocks are the answer; other
blocks (a model's reasoning) are not."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from workflow_core.agents._errors import translate
from workflow_core.errors import AgentFailed
from workflow_core.roles import AgentReply, AgentRequest

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, read_timeout=300)
_MAX_TOKENS = {"search": 4096, "summary": 512, "writer": 4096, "reviser": 4096}
_client: Any = None


def default_client() -> Any:
    """One bedrock-runtime client per process, created on first use."""
    global _client
    if _client is None:
        _client = boto3.client("bedrock-runtime", config=_CLIENT_CONFIG)
    return _client


class ConverseBackend:
    def __init__(self, model_id: str, client: Any = None) -> None:
        self.model_id = model_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = default_client()
        return self._client

    def run(self, request: AgentRequest) -> AgentReply:
        what = f"Converse {self.model_id}"
        try:
            response = self.client.converse(
                modelId=self.model_id,
                system=[{"text": f"You act as the {request.role} agent of a research workflow."}],
                messages=[{"role": "user", "content": [{"text": request.prompt}]}],
                # No temperature or topP: current Claude models refuse them (temperature is deprecated).
                inferenceConfig={"maxTokens": _MAX_TOKENS.get(request.role, 2048)},
            )
        except ClientError as error:
            raise translate(error, what) from None
        content = response.get("output", {}).get("message", {}).get("content", [])
        text = "".join(block.get("text", "") for block in content)
        if not text.strip():
            raise AgentFailed(f"{what} returned no text (stopReason={response.get('stopReason')})")
        usage = response.get("usage", {})
        return AgentReply(
            text,
            int(usage.get("inputTokens", 0)),
            int(usage.get("outputTokens", 0)),
            generated_by=f"bedrock-converse:{self.model_id}",
        )
