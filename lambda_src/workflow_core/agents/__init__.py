"""Agent backends: ``AgentBackend.run(request) -> AgentReply``.

* ``bedrock``  - Bedrock Agents InvokeAgent (one agent + alias per role), the normal path on AWS.
* ``converse`` - Bedrock Converse on FALLBACK_MODEL_ID, used when a task runs with ``fallback``.
* ``local``    - deterministic offline backend for the offline runner and tests (no model).

``create_backend`` picks one from AGENT_BACKEND (``bedrock`` | ``local``) and the fallback flag.
"""

from __future__ import annotations

from typing import Protocol

from workflow_core.roles import AgentReply, AgentRequest

BACKENDS = ("bedrock", "local")


class AgentBackend(Protocol):
    def run(self, request: AgentRequest) -> AgentReply: ...


def create_backend(
    kind: str,
    fallback: bool,
    *,
    agent_id: str = "",
    agent_alias_id: str = "",
    fallback_model_id: str = "",
    corpus_dir: str | None = None,
) -> AgentBackend:
    """Build the backend for one role. Clients are created inside, once per backend object."""
    if kind == "local":
        from workflow_core.agents.local import LocalBackend

        return LocalBackend(corpus_dir=corpus_dir, fallback=fallback)
    if kind == "bedrock":
        if fallback:
            from workflow_core.agents.converse import ConverseBackend

            return ConverseBackend(model_id=fallback_model_id)
        from workflow_core.agents.bedrock import BedrockAgentBackend

        return BedrockAgentBackend(agent_id=agent_id, agent_alias_id=agent_alias_id)
    raise ValueError(f"unknown agent backend {kind!r}; expected one of {BACKENDS}")


__all__ = ["AgentBackend", "AgentReply", "AgentRequest", "create_backend"]
