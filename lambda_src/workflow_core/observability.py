"""Logging and metrics shared by every handler (Powertools for AWS Lambda).

* Structured JSON logs; the correlation id is the execution ARN, the workflow id is a log key.
* Metrics in CloudWatch Embedded Metric Format, namespace ``POWERTOOLS_METRICS_NAMESPACE``
  (``ResearchReport``), dimensions ``role`` and ``environment`` (plus Powertools' ``service``).

Metric names: AgentInvocations, AgentLatencyMs, AgentRetries, FallbackUsed, SearchCacheHits,
InputTokens, OutputTokens, ToolCalls and ToolErrors (dimension ``tool`` beside the role's),
BlockingFindings and AdvisoryFindings (the pre-review checks: role ``compliance`` or ``citations``).
"""

from __future__ import annotations

import warnings
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

logger = Logger()
metrics = Metrics()


def start_invocation(
    environment: str,
    role: str,
    execution_arn: str | None = None,
    workflow_id: str | None = None,
) -> None:
    """Call at the start of every invocation: dimensions, correlation id, workflow key.

    Dimensions are set per invocation (not at import) because several handlers can share one
    process offline and Powertools keeps metric state per process.
    """
    wanted = {"role": role, "environment": environment}
    if metrics.default_dimensions != wanted:
        metrics.clear_default_dimensions()
        with warnings.catch_warnings():  # replacing another handler's values is intended here
            warnings.simplefilter("ignore")
            metrics.set_default_dimensions(**wanted)
    logger.set_correlation_id(execution_arn)
    if workflow_id:
        logger.append_keys(workflow_id=workflow_id)


def start_task_invocation(environment: str, role: str, event: Any) -> None:
    """start_invocation for a Step Functions task payload: the execution ARN and workflow id come
    from the payload (`workflow`, or `input.workflow` for on_failure), when present."""
    payload = event if isinstance(event, dict) else {}
    workflow = payload.get("workflow")
    if not isinstance(workflow, dict) and isinstance(payload.get("input"), dict):
        workflow = payload["input"].get("workflow")
    workflow_id = workflow.get("workflow_id") if isinstance(workflow, dict) else None
    start_invocation(environment, role, payload.get("execution_arn"), workflow_id)


def record_agent_call(
    latency_ms: float,
    input_tokens: int,
    output_tokens: int,
    fallback: bool,
    retry_count: int = 0,
) -> None:
    """One backend call, successful or not (a failed call records zero tokens).

    ``retry_count`` is the Step Functions retry attempt of the task (``$$.State.RetryCount``);
    any value above zero counts one AgentRetries.
    """
    metrics.add_metric(name="AgentInvocations", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="AgentLatencyMs", unit=MetricUnit.Milliseconds, value=latency_ms)
    metrics.add_metric(name="InputTokens", unit=MetricUnit.Count, value=input_tokens)
    metrics.add_metric(name="OutputTokens", unit=MetricUnit.Count, value=output_tokens)
    if fallback:
        metrics.add_metric(name="FallbackUsed", unit=MetricUnit.Count, value=1)
    if retry_count > 0:
        metrics.add_metric(name="AgentRetries", unit=MetricUnit.Count, value=1)


def record_cache_hit() -> None:
    metrics.add_metric(name="SearchCacheHits", unit=MetricUnit.Count, value=1)


def record_tool_call(tool: str, ok: bool) -> None:
    """One tool call of an agent, in a metric set of its own: the ``tool`` dimension would
    otherwise attach to every metric of the invocation."""
    names = ["ToolCalls"] if ok else ["ToolCalls", "ToolErrors"]
    for name in names:
        with single_metric(name=name, unit=MetricUnit.Count, value=1, default_dimensions=metrics.default_dimensions) as metric:
            metric.add_dimension(name="tool", value=tool)


def record_findings(result: dict[str, Any]) -> None:
    """A pre-review check's result (review.check_result): its findings by severity."""
    metrics.add_metric(name="BlockingFindings", unit=MetricUnit.Count, value=result["blocking"])
    metrics.add_metric(name="AdvisoryFindings", unit=MetricUnit.Count, value=result["advisory"])
