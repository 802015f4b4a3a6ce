"""Agent backends: ``AgentBackend.run(request) -> AgentReply``.

* ``ConverseAgent``       - agents as code (the default, AGENT_RUNTIME=converse): the role's
  instructions and tools on Bedrock Converse, on AGENT_MODEL_ID; its fallback is the same agent on
  FALLBACK_MODEL_ID, the role's smaller model.
* ``BedrockAgentBackend`` - Bedrock Agents ("Agents Classic", AGENT_RUNTIME=bedrock_agents):
  InvokeAgent on the role's agent and alias, for accounts that already have Agents Classic (closed
  to new customers since 2026-07-30). Its fallback is the same ConverseAgent on FALLBACK_MODEL_ID.

There is no other backend: offline, the same code calls the embedded Bedrock endpoints that the
offline runner points the SDK at (``AWS_ENDPOINT_URL_BEDROCK_*``).
"""

from __future__ import annotations

from typing import Protocol

from workflow_core.roles import AgentReply, AgentRequest
from workflow_core.tools import Tool

RUNTIMES = ("converse", "bedrock_agents")


class AgentBackend(Protocol):
    def run(self, request: AgentRequest) -> AgentReply: ...


def create_backend(
    fallback: bool,
    *,
    runtime: str,
    model_id: str,
    fallback_model_id: str,
    instructions: str,
    tools: list[Tool],
    max_turns: int,
    agent_id: str | None = None,
    agent_alias_id: str | None = None,
) -> AgentBackend:
    """The backend for one role and mode. Clients are created on first use, once per process."""
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown agent runtime {runtime!r} (known: {', '.join(RUNTIMES)})")
    if runtime == "bedrock_agents" and not fallback:
        from workflow_core.agents.bedrock import BedrockAgentBackend

        if not agent_id or not agent_alias_id:
            raise ValueError("AGENT_RUNTIME=bedrock_agents needs AGENT_ID and AGENT_ALIAS_ID")
        return BedrockAgentBackend(agent_id=agent_id, agent_alias_id=agent_alias_id)
    from workflow_core.agents.converse import ConverseAgent

    return ConverseAgent(fallback_model_id if fallback else model_id, instructions, tools, max_turns)


__all__ = ["RUNTIMES", "AgentBackend", "AgentReply", "AgentRequest", "create_backend"]
