"""Errors raised to Step Functions.

Step Functions matches Retry/Catch ``ErrorEquals`` against the Lambda ``errorType``, which is the
exception class name, so these names are part of the contract (docs/design.md) and must not change.
"""

# ruff: noqa: N818 - exception names are part of the contract (Step Functions matches them by name)

from __future__ import annotations


class WorkflowError(Exception):
    """Base class; never raised itself."""


class InvalidInput(WorkflowError):
    """The execution input or a task payload is invalid. Not retried."""


class AgentThrottled(WorkflowError):
    """Bedrock throttled the call or a quota was exceeded. Retried with backoff."""


class AgentFailed(WorkflowError):
    """The agent (or model) call failed or returned something unusable."""


class AgentToolLoopExceeded(WorkflowError):
    """The model kept asking for tools for the agent's whole turn budget (MAX_AGENT_TURNS) without
    answering. Not retried: the same prompt loops again; the fallback model gets its own budget."""


class ArtifactMissing(WorkflowError):
    """An S3 artifact that a step depends on does not exist."""


class TooManySourceFailures(WorkflowError):
    """More sources failed to summarise than TOLERATED_FAILURE_PERCENTAGE allows."""


__all__ = [
    "AgentFailed",
    "AgentThrottled",
    "AgentToolLoopExceeded",
    "ArtifactMissing",
    "InvalidInput",
    "TooManySourceFailures",
    "WorkflowError",
]
