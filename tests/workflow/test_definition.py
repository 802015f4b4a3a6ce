"""The state machine definition each environment deploys, as Terraform renders it (through
`terraform console`, scripts/terraform_values.py): structure and error handling."""

from __future__ import annotations

import pytest

from scripts import hcl, terraform_values

ENVS = hcl.ENVIRONMENTS
TRANSIENT_LAMBDA_ERRORS = {"Lambda.ServiceException", "Lambda.TooManyRequestsException"}


@pytest.fixture(scope="module", params=ENVS)
def rendered(request) -> tuple[str, dict]:
    return request.param, terraform_values.definition(request.param)


def all_states(states: dict) -> dict:
    found = {}
    for name, state in states.items():
        found[name] = state
        if "ItemProcessor" in state:
            found.update(all_states(state["ItemProcessor"]["States"]))
    return found


def scopes(definition: dict):
    """Each state list with its own namespace of names (top level, each Map's processor)."""
    yield definition["StartAt"], definition["States"]
    for state in definition["States"].values():
        if "ItemProcessor" in state:
            yield state["ItemProcessor"]["StartAt"], state["ItemProcessor"]["States"]


def targets(state: dict) -> list[str]:
    found = [state.get("Next"), state.get("Default")]
    found += [choice.get("Next") for choice in state.get("Choices", [])]
    found += [catcher["Next"] for catcher in state.get("Catch", [])]
    return [target for target in found if target]


def test_every_transition_target_exists_in_its_scope(rendered):
    _, definition = rendered
    for start, states in scopes(definition):
        assert start in states
        for name, state in states.items():
            for target in targets(state):
                assert target in states, f"{name} -> {target} does not exist"


def test_every_state_is_reachable(rendered):
    _, definition = rendered
    for start, states in scopes(definition):
        reached, frontier = {start}, [start]
        while frontier:
            for target in targets(states[frontier.pop()]):
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
        assert reached == set(states), f"unreachable: {set(states) - reached}"


def test_every_task_has_retry_on_transient_errors_and_a_catch(rendered):
    _, definition = rendered
    for name, state in all_states(definition["States"]).items():
        if state["Type"] != "Task":
            continue
        retried = {error for retrier in state.get("Retry", []) for error in retrier["ErrorEquals"]}
        assert state.get("Catch"), f"{name} has no Catch"
        if state["Resource"].startswith("arn:aws:states:::lambda:"):
            assert TRANSIENT_LAMBDA_ERRORS <= retried, f"{name} does not retry transient Lambda errors"
        else:
            assert retried, f"{name} has no Retry"


def test_a_throttled_lambda_task_waits_longer_for_a_sandbox_than_for_a_transient_error(rendered):
    # A function at its reserved concurrency frees a sandbox when a run ends: a burst of workflows
    # waits its turn (its own retrier, lambda_throttle_max_attempts) instead of going to the
    # fallback, which is the same function.
    env, definition = rendered
    variables = hcl.environment_values(env)
    assert variables["lambda_throttle_max_attempts"] > variables["retry_max_attempts"]
    for name, state in all_states(definition["States"]).items():
        if state["Type"] != "Task" or not state["Resource"].startswith("arn:aws:states:::lambda:"):
            continue
        throttled = [r for r in state["Retry"] if "Lambda.TooManyRequestsException" in r["ErrorEquals"]]
        assert len(throttled) == 1 and throttled[0]["ErrorEquals"] == ["Lambda.TooManyRequestsException"], name
        assert throttled[0]["MaxAttempts"] == variables["lambda_throttle_max_attempts"], name
        assert throttled[0]["MaxDelaySeconds"] == variables["retry_max_delay_seconds"], name
        assert throttled[0]["JitterStrategy"] == "FULL" and throttled[0]["BackoffRate"] > 1, name


def test_agent_tasks_back_off_exponentially_with_jitter_then_fall_back(rendered):
    env, definition = rendered
    variables = hcl.environment_values(env)
    states = all_states(definition["States"])
    agent_states = [n for n in states if f"{n}Fallback" in states]
    assert set(agent_states) == {"Search", "SummarizeSource", "WriteDraft", "Revise"}
    for name in agent_states:
        retrier = next(r for r in states[name]["Retry"] if "AgentThrottled" in r["ErrorEquals"])
        assert retrier["BackoffRate"] > 1 and retrier["JitterStrategy"] == "FULL"
        assert retrier["MaxAttempts"] == variables["retry_max_attempts"]
        assert retrier["MaxDelaySeconds"] == variables["retry_max_delay_seconds"]
        catch_all = states[name]["Catch"][-1]
        assert catch_all["ErrorEquals"] == ["States.ALL"] and catch_all["Next"] == f"{name}Fallback"
        assert states[name]["Parameters"]["Payload"]["retry_count.$"] == "$$.State.RetryCount"  # AgentRetries metric
        fallback = states[f"{name}Fallback"]
        assert fallback["Parameters"]["Payload"]["fallback"] is True
        assert fallback["Parameters"]["FunctionName"] == states[name]["Parameters"]["FunctionName"]


def test_a_failed_fallback_reaches_the_failure_handler_keeping_the_original_error(rendered):
    _, definition = rendered
    states = definition["States"]
    for name in ("SearchFallback", "WriteDraftFallback", "ReviseFallback"):
        catcher = states[name]["Catch"][0]
        assert catcher["Next"] == "RecordFailure" and catcher["ResultPath"] == "$.fallback_error"
    assert states["WorkflowFailed"]["ErrorPath"] == "$.failure.Error"


def test_map_concurrency_and_approval_timeouts_come_from_the_environment(rendered):
    env, definition = rendered
    variables = hcl.environment_values(env)
    states = definition["States"]
    assert states["SummarizeSources"]["MaxConcurrency"] == variables["map_max_concurrency"]
    assert states["SummarizeSources"]["ResultPath"] is None  # no per-source results in the payload
    approval = states["RequestApproval"]
    assert approval["Resource"].endswith(".waitForTaskToken")
    assert approval["TimeoutSeconds"] == variables["approval_timeout_seconds"]
    assert approval["HeartbeatSeconds"] == variables["approval_heartbeat_seconds"]
    assert states["CheckDecision"]["Choices"][1]["And"][1]["NumericLessThanEquals"] == variables["max_revisions"]


def test_named_ends_exist(rendered):
    _, definition = rendered
    states = definition["States"]
    for name in ("InvalidInput", "RevisionLimitReached", "ApprovalTimedOut", "WorkflowFailed"):
        assert states[name]["Type"] == "Fail"
    for name in ("NoSources", "Published"):
        assert states[name]["Type"] == "Succeed"


def test_every_task_payload_names_the_execution_and_state(rendered):
    _, definition = rendered
    for name, state in all_states(definition["States"]).items():
        if state["Type"] == "Task" and state["Resource"].startswith("arn:aws:states:::lambda:"):
            payload = state["Parameters"]["Payload"]
            assert payload["execution_arn.$"] == "$$.Execution.Id", name
            assert payload["state.$"] == "$$.State.Name", name
