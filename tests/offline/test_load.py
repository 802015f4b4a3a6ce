"""What `make load` reads of a deployment and its executions (scripts/load.py): the sandboxes a
load needs from the state machine definition, the error each fallback was caught from, the
percentiles, and the account starting sandboxes ahead of a load (POST /_offline/warm)."""

from __future__ import annotations

from scripts.load import _at_path, fallback_catches, percentiles, sandboxes_needed

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:research-report-bu-{}"


def task(function: str, **state) -> dict:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": FUNCTION.format(function)},
        **state,
    }


DEFINITION = {
    "StartAt": "Search",
    "States": {
        "Search": task(
            "agent_search", Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "SearchFallback"}]
        ),
        "SearchFallback": task(
            "agent_search", Parameters={"FunctionName": FUNCTION.format("agent_search"), "Payload": {"fallback": True}}
        ),
        "Summarize": {
            "Type": "Map",
            "MaxConcurrency": 10,
            "ItemProcessor": {"StartAt": "Summary", "States": {"Summary": task("agent_summary")}},
        },
        "Review": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Check", "States": {"Check": task("agent_compliance")}},
                {"StartAt": "Cite", "States": {"Cite": task("citation_check")}},
            ],
        },
        "Write": task("agent_writer"),
    },
}


def test_a_load_needs_a_maps_concurrency_per_workflow_and_one_sandbox_a_workflow_elsewhere():
    assert sandboxes_needed(DEFINITION, 5) == {
        "research-report-bu-agent_search": 5,
        "research-report-bu-agent_summary": 50,
        "research-report-bu-agent_compliance": 5,
        "research-report-bu-citation_check": 5,
        "research-report-bu-agent_writer": 5,
    }


def test_a_fallback_is_known_with_the_path_its_catch_puts_the_error_at():
    assert fallback_catches(DEFINITION) == {"SearchFallback": "$.error"}
    caught = {"workflow": {}, "error": {"Error": "AgentThrottled", "Cause": "throttled"}}
    assert _at_path(caught, "$.error") == {"Error": "AgentThrottled", "Cause": "throttled"}
    assert _at_path(caught, "$") is caught
    assert _at_path(caught, "$.missing.Error") is None


def test_percentiles_are_by_nearest_rank():
    assert percentiles([float(n) for n in range(1, 101)]) == {"p50": 50.0, "p95": 95.0, "max": 100.0}
    assert percentiles([3.0]) == {"p50": 3.0, "p95": 3.0, "max": 3.0}
    assert percentiles([]) == {"p50": None, "p95": None, "max": None}


def test_the_account_starts_sandboxes_ahead_up_to_the_functions_reserved_concurrency(workflow):
    function = workflow.deployment.functions["on_failure"]
    reserved = workflow.client("lambda").get_function_concurrency(FunctionName=function)["ReservedConcurrentExecutions"]
    assert reserved > 1
    # One sandbox first (as a run before leaves one idle): the warm-up counts it and starts the rest.
    assert workflow.account.control("POST", "warm", {"function": function, "count": 1})["sandboxes"] >= 1
    started = workflow.account.control("POST", "warm", {"function": function, "count": reserved + 5})
    assert started == {"sandboxes": reserved}
