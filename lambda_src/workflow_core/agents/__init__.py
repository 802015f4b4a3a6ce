"""Agent backends: ``AgentBackend.run(request) -> AgentReply``.

* ``BedrockAgentBackend`` - Bedrock Agents InvokeAgent (one agent + alias per role), the normal path.
* ``ConverseBackend``     - Bedrock Converse on FALLBACK_MODEL_ID, used when a task runs with ``fallback``.

There is no other backend: offline, the same code calls the embedded Bedrock endpoints that the
offline runner points the SDK at (``AWS_ENDPOINT_URL_BEDROCK_*``).
"""

from __future__ import annotations

from typing import Protocol

from workflow_core.roles import AgentReply, AgentRequest


class AgentBackend(Protocol):
    def run(self, request: AgentRequest) -> AgentReply: ...


def create_backend(fallback: bool, *, agent_id: str, agent_alias_id: str, fallback_model_id: str) -> AgentBackend:
    """The backend for one role and mode. Clients are created on first use, once per process."""
    if fallback:
        from workflow_core.agents.converse import ConverseBackend

        return ConverseBackend(model_id=fallback_model_id)
    from workflow_core.agents.bedrock import BedrockAgentBackend

    return BedrockAgentBackend(agent_id=agent_id, agent_alias_id=agent_alias_id)


__all__ = ["AgentBackend", "AgentReply", "AgentRequest", "create_backend"]
