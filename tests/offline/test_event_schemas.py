"""The events of the bus and their schemas (docs/events/, scripts/event_schemas.py).

Each schema accepts its examples and refuses a renamed, missing, extra or retyped field; the
WorkflowRequested schema accepts exactly what ValidateInput accepts; every detail-type the code
emits (the Lambdas' EventPublisher and the state machine's events:putEvents tasks) has a schema;
and every event of real offline runs matches the schema of its detail-type.
"""

from __future__ import annotations

import copy
import importlib
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts import event_schemas, terraform_values
from scripts.event_schemas import SCHEMA_DIR, load_schemas, validate
from scripts.offline.model_faults import read_document as read_model_faults

REPO = Path(__file__).resolve().parents[2]
LAMBDA_SRC = REPO / "lambda_src"
MODEL_FAULTS = REPO / "scripts" / "mock_configs" / "model_faults.json"
# A topic the shipped library has sources for (a unique suffix keeps the search from a cache hit).
TOPIC = "How do Step Functions and Bedrock Agents share work in a research workflow?"

SCHEMAS = load_schemas()
EXAMPLES = [
    pytest.param(detail_type, index, example, id=f"{detail_type}-{index}")
    for (detail_type, _), schema in sorted(SCHEMAS.items())
    for index, example in enumerate(schema["examples"])
]
COMMON_FIELDS = ("schema_version", "workflow_id", "tenant", "execution_arn", "version", "draft_key")
# WorkflowFailed also announces runs refused before they had a workflow: their id is null and
# their tenant is whatever the refused request said (docs/events/README.md).
LOOSER_ON_PURPOSE = {("WorkflowFailed", "workflow_id"), ("WorkflowFailed", "tenant")}


# --- walking schemas and examples ---------------------------------------------------------------


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    """`node` and every subschema it takes in through a local $ref or allOf."""
    found = [node]
    if "$ref" in node:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        found += resolve(schema, target)
    for part in node.get("allOf", []):
        found += resolve(schema, part)
    return found


def subschemas_at(schema: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
    nodes = resolve(schema, schema)
    for key in path:
        nodes = [sub for node in nodes if key in node.get("properties", {}) for sub in resolve(schema, node["properties"][key])]
    return nodes


def required_at(schema: dict[str, Any], path: tuple[str, ...]) -> set[str]:
    return {name for node in subschemas_at(schema, path) for name in node.get("required", [])}


def objects_in(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every JSON object in `value` with its path."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from objects_in(item, (*path, key))
    assert not isinstance(value, list) or all(not isinstance(item, dict) for item in value), f"{path}: objects in arrays"


def paths_in(value: Any, path: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found |= {(*path, key)} | paths_in(item, (*path, key))
    return found


def schema_paths(schema: dict[str, Any], nodes: list[dict[str, Any]], path: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every property path a schema declares under `nodes`."""
    found = set()
    for node in nodes:
        for key, sub in node.get("properties", {}).items():
            if path == () and key != "detail":
                continue
            found |= {(*path, key)} | schema_paths(schema, resolve(schema, sub), (*path, key))
    return found


def typed_object_schemas(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        declared = node.get("type")
        if declared == "object" or (isinstance(declared, list) and "object" in declared):
            yield where, node
        for key, item in node.items():
            yield from typed_object_schemas(item, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from typed_object_schemas(item, f"{where}/{index}")


def at(event: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for key in path:
        event = event[key]
    return event


def renamed(key: str) -> str:
    """How a field is renamed by accident: workflow_id -> workflowId, version -> Version."""
    parts = key.split("_")
    camel = parts[0] + "".join(part.title() for part in parts[1:])
    return camel if camel != key else key.title()


# --- the schema files ---------------------------------------------------------------------------


def test_every_schema_file_is_named_after_the_detail_type_and_major_it_describes():
    files = sorted(path.name for path in SCHEMA_DIR.glob("*.json"))
    assert files == sorted(f"{name}.v{major}.schema.json" for name, major in SCHEMAS)
    assert {name for name, _ in SCHEMAS} == {
        "WorkflowRequested",
        "ApprovalRequested",
        "ReportPublished",
        "WorkflowFailed",
        "NoSourcesFound",
        "SourcesGathered",
        "DraftWritten",
        "DraftReviewed",
    }


def test_a_schema_whose_detail_type_disagrees_with_its_file_name_is_refused(tmp_path):
    schema = copy.deepcopy(SCHEMAS[("DraftWritten", 1)])
    (tmp_path / "DraftReviewed.v1.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(event_schemas.SchemaFileError, match="detail-type const must be 'DraftReviewed'"):
        load_schemas(tmp_path)


@pytest.mark.parametrize(("detail_type", "index", "example"), EXAMPLES)
def test_each_example_matches_its_schema(detail_type, index, example):
    assert example["detail-type"] == detail_type
    assert validate(example) == []


@pytest.mark.parametrize("key", sorted(SCHEMAS), ids=lambda key: f"{key[0]}.v{key[1]}")
def test_the_examples_show_every_field_of_the_detail(key):
    schema = SCHEMAS[key]
    shown = set().union(*(paths_in(example) for example in schema["examples"]))
    declared = schema_paths(schema, resolve(schema, schema))
    assert declared - shown == set(), f"{key[0]}: no example shows {sorted(declared - shown)}"


@pytest.mark.parametrize("key", sorted(SCHEMAS), ids=lambda key: f"{key[0]}.v{key[1]}")
def test_every_object_in_a_detail_lists_its_required_fields_and_allows_no_others(key):
    schema = SCHEMAS[key]
    assert schema["properties"]["detail"] == {"$ref": "#/$defs/detail"}
    objects = list(typed_object_schemas(schema["$defs"], "#/$defs"))
    assert objects, key
    for where, node in objects:
        assert node.get("additionalProperties") is False, f"{key[0]} {where}: additionalProperties must be false"
        assert node.get("required"), f"{key[0]} {where}: lists no required fields"
        assert set(node["required"]) <= set(node["properties"]), f"{key[0]} {where}: requires undeclared fields"


@pytest.mark.parametrize("key", sorted(SCHEMAS), ids=lambda key: f"{key[0]}.v{key[1]}")
def test_a_field_a_detail_may_leave_out_says_why_in_a_comment(key):
    # The mutations below take "required" from the schema itself; this is what keeps a field from
    # becoming optional unnoticed.
    schema = SCHEMAS[key]
    for where, node in typed_object_schemas(schema["$defs"], "#/$defs"):
        for name, spec in node["properties"].items():
            if name not in node["required"]:
                assert str(spec.get("$comment", "")).startswith("Optional"), f"{key[0]} {where}/{name}: optional without a reason"


@pytest.mark.parametrize("field", COMMON_FIELDS)
def test_a_field_that_several_events_carry_has_the_same_schema_in_each(field):
    def rule(node: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in node.items() if k not in ("description", "$comment")}

    rules = {
        name: rule(schema["$defs"]["detail"]["properties"][field])
        for (name, _), schema in SCHEMAS.items()
        if field in schema["$defs"]["detail"]["properties"] and (name, field) not in LOOSER_ON_PURPOSE
    }
    assert len(rules) >= 2, field
    assert len({json.dumps(r, sort_keys=True) for r in rules.values()}) == 1, rules


# --- each schema refuses what its emitter must not send -------------------------------------------


def mutations(example: dict[str, Any], schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(what changed, the changed event, whether the schema must still accept it) for every field of
    every object in the detail: renamed, dropped (accepted only when optional), an unknown field
    beside it, its value replaced by a list (no field of any detail is an array)."""
    for path, node in objects_in(example["detail"], ("detail",)):
        required = required_at(schema, path)
        for key in node:
            changed = copy.deepcopy(example)
            target = at(changed, path)
            target[renamed(key)] = target.pop(key)
            yield f"{'.'.join(path)}.{key} renamed {renamed(key)}", changed, False
            changed = copy.deepcopy(example)
            del at(changed, path)[key]
            yield f"{'.'.join(path)}.{key} dropped", changed, key not in required
            changed = copy.deepcopy(example)
            at(changed, path)[key] = [node[key]]
            yield f"{'.'.join(path)}.{key} made a list", changed, False
        changed = copy.deepcopy(example)
        at(changed, path)["unexpected_field"] = "x"
        yield f"{'.'.join(path)} with an unknown field", changed, False
    for envelope_field, wrong in (("source", "research-reports"), ("detail-type", "SomethingElse")):
        changed = copy.deepcopy(example)
        changed[envelope_field] = wrong
        yield f"{envelope_field} {wrong}", changed, False
    changed = copy.deepcopy(example)
    del changed["detail"]
    yield "no detail", changed, False


@pytest.mark.parametrize(("detail_type", "index", "example"), EXAMPLES)
def test_a_renamed_missing_extra_or_retyped_field_is_refused(detail_type, index, example):
    schema = SCHEMAS[(detail_type, 1)]
    wrong = []
    for change, event, accepted in mutations(example, schema):
        problems = validate(event)
        if accepted == bool(problems):
            wrong.append(f"{change}: {'refused: ' + '; '.join(problems) if problems else 'accepted'}")
    assert not wrong, "\n".join(wrong)


def test_a_missing_check_blocks_nothing_and_names_its_error():
    example = SCHEMAS[("DraftReviewed", 1)]["examples"][0]
    assert example["detail"]["checks"]["citations"]["status"] == "missing"
    for field, value in (("blocking", 1), ("findings_key", "wf-1/reviews/v1/citations.json"), ("error", None)):
        event = copy.deepcopy(example)
        event["detail"]["checks"]["citations"][field] = value
        assert validate(event), f"a missing check with {field}={value!r} was accepted"
    event = copy.deepcopy(example)
    event["detail"]["checks"]["compliance"]["error"] = "States.TaskFailed"  # a completed check has no error
    assert validate(event)
    event = copy.deepcopy(example)
    event["detail"]["checks"]["compliance"]["check"] = "citations"  # each check under its own name
    assert validate(event)


def test_an_event_of_a_major_without_a_schema_names_the_majors_there_are():
    event = copy.deepcopy(SCHEMAS[("DraftWritten", 1)]["examples"][0])
    event["detail"]["schema_version"] = "2.0"
    assert validate(event) == ["detail.schema_version: DraftWritten has no v2 schema (known: v1)"]


# --- WorkflowRequested is what ValidateInput accepts ---------------------------------------------


@pytest.fixture(scope="module")
def validate_input() -> Iterator[Any]:
    """The ValidateInput handler module (its check is a plain function; importing it makes clients
    that no test call reaches)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            # Importing it imports workflow_core, whose Metrics object keeps the namespace it was
            # created with for the whole process: the one every function gets, as Terraform sets it.
            "POWERTOOLS_METRICS_NAMESPACE": "ResearchReport",
            "AWS_DEFAULT_REGION": "us-east-1",
            "ENVIRONMENT": "test",
            "WORKFLOW_TABLE": "unused",
            "ARTIFACT_BUCKET": "unused",
            "MAX_SOURCES_LIMIT": "200",
            "DEFAULT_MAX_SOURCES": "5",
        }.items():
            patch.setenv(name, value)
        patch.syspath_prepend(str(LAMBDA_SRC))
        sys.modules.pop("validate_input.handler", None)
        yield importlib.import_module("validate_input.handler")
        sys.modules.pop("validate_input.handler", None)


def requests() -> Iterator[tuple[str, dict[str, Any]]]:
    """Execution inputs: the examples, every mutation of them, and values at ValidateInput's limits."""
    schema = SCHEMAS[("WorkflowRequested", 1)]
    for index, example in enumerate(schema["examples"]):
        yield f"example {index}", example["detail"]
        for change, event, _ in mutations(example, schema):
            if isinstance(event.get("detail"), dict) and event["source"] == "research-report":
                yield f"example {index}, {change}", event["detail"]
    base = schema["examples"][0]["detail"]
    for field, value in [
        ("topic", "   "),
        ("topic", "x" * 500),
        ("topic", "x" * 501),
        ("topic", "line\nbreak"),
        ("topic", "a\u2028b"),
        ("topic", "Zürich, naïve café — fine"),
        ("tenant", "Demo"),
        ("tenant", "-demo"),
        ("tenant", "a" * 40),
        ("tenant", "a" * 41),
        ("requested_by", "someone with spaces"),
        ("requested_by", "arn:aws:sts::123456789012:assumed-role/portal/session"),
        ("max_sources", 0),
        ("max_sources", 200),
        ("max_sources", True),
        ("max_sources", 2.5),
        ("workflow_id", ""),
        ("workflow_id", "a" * 65),
        ("workflow_id", "wf_1"),
    ]:
        shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:20]}... ({len(value)} characters)"
        yield f"{field}={shown}", {**base, field: value}


def test_workflow_requested_accepts_exactly_what_validate_input_accepts(validate_input):
    disagreements = []
    for label, request in requests():
        event = {"source": "research-report", "detail-type": "WorkflowRequested", "detail": request}
        schema_problems = validate(event)
        handler_problems = validate_input.problems_in(request, max_sources_limit=200)
        if bool(schema_problems) != bool(handler_problems):
            disagreements.append(f"{label}: schema {schema_problems or 'accepts'}, ValidateInput {handler_problems or 'accepts'}")
    assert not disagreements, "\n".join(disagreements)


def test_workflow_requested_declares_exactly_the_keys_validate_input_allows(validate_input):
    declared = SCHEMAS[("WorkflowRequested", 1)]["$defs"]["detail"]["properties"]
    assert set(declared) == set(validate_input.ALLOWED_KEYS)


# --- every detail-type the code emits has a schema ----------------------------------------------


def states_in(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state of a definition: the top level, each Map's processor, each Parallel's branches."""
    for name, state in states.items():
        yield name, state
        for nested in ("ItemProcessor", "Iterator"):
            if nested in state:
                yield from states_in(state[nested]["States"])
        for branch in state.get("Branches", []):
            yield from states_in(branch["States"])


def put_by_definition(definition: dict[str, Any]) -> dict[str, str]:
    """State name -> the detail-type its events:putEvents task puts (each entry's)."""
    found = {}
    for name, state in states_in(definition["States"]):
        if state.get("Type") != "Task" or not str(state.get("Resource", "")).startswith("arn:aws:states:::events:putEvents"):
            continue
        arguments = state.get("Parameters") or state.get("Arguments") or {}
        for entry in arguments.get("Entries", []):
            detail_type, source = entry.get("DetailType"), entry.get("Source")
            assert isinstance(detail_type, str) and not detail_type.startswith("{%"), (
                f"{name}: a computed DetailType has no schema"
            )
            assert source == "research-report", f"{name} puts source {source!r}"
            found[f"{name}/{detail_type}"] = detail_type
    return found


def emitted_by_code(definition: dict[str, Any]) -> set[str]:
    if str(LAMBDA_SRC) not in sys.path:
        sys.path.insert(0, str(LAMBDA_SRC))
    from workflow_core import events

    return set(events.DETAIL_TYPES) | set(put_by_definition(definition).values())


def test_the_lambdas_put_events_only_through_the_publisher_that_checks_detail_types():
    callers = sorted(
        str(path.relative_to(LAMBDA_SRC)) for path in LAMBDA_SRC.rglob("*.py") if "put_events" in path.read_text(encoding="utf-8")
    )
    assert callers == ["workflow_core/events.py"]


def test_put_events_tasks_are_found_in_the_rendered_definition():
    definition = terraform_values.definition("pilot")
    assert put_by_definition(definition)["NotifyNoSources/NoSourcesFound"] == "NoSourcesFound"


def test_every_detail_type_the_stack_emits_has_a_schema_and_every_schema_is_emitted():
    emitted = emitted_by_code(terraform_values.definition("pilot"))
    documented = {name for name, _ in SCHEMAS}
    assert emitted - documented == set(), "emitted without a schema in docs/events/"
    assert documented - emitted == set(), "a schema of a detail-type nothing emits"


# --- events of real runs ------------------------------------------------------------------------


def envelope(recorded: dict[str, Any]) -> dict[str, Any]:
    """A recorded PutEvents entry (/_offline/bus_events) as a target receives it."""
    return {
        "id": recorded["id"],
        "source": recorded["source"],
        "detail-type": recorded["detail_type"],
        "detail": recorded["detail"],
    }


@pytest.fixture(scope="module")
def runs(workflow) -> dict[str, Any]:
    """Runs that between them reach every end that puts an event, and what the bus got from them."""
    start = len(workflow.account.control("GET", "bus_events"))
    refused_id = f"wf-{uuid.uuid4().hex[:12]}"
    results = {
        "revised": workflow.run(topic=f"{TOPIC} {uuid.uuid4().hex[:8]}", approve="reject-then-approve", max_sources=3),
        "no_sources": workflow.run(topic=f"Zyxwvut qwrtpsd {uuid.uuid4().hex[:8]}", approve="auto"),
        # Refused by ValidateInput: a blank topic and a tenant that is not one.
        "refused": workflow.run(
            topic="",
            execution_input={
                "topic": "  ",
                "tenant": "Not A Tenant",
                "requested_by": "analyst@example.com",
                "workflow_id": refused_id,
            },
        ),
        "fallback_failed": workflow.run(
            topic=f"{TOPIC} {uuid.uuid4().hex[:8]}",
            approve="auto",
            max_sources=2,
            test_case="WriterAgentAndFallbackDenied",
            model_faults=read_model_faults(MODEL_FAULTS),
        ),
    }
    ends = {name: (result.summary["end_state"], result.summary["workflow_id"]) for name, result in results.items()}
    assert [end for end, _ in ends.values()] == ["Published", "NoSources", "InvalidInput", "WorkflowFailed"], ends
    ours_arns = {result.execution_arn for result in results.values()}
    ours_ids = {result.summary["workflow_id"] for result in results.values()} | {refused_id}
    bus = workflow.deployment.event_bus_name
    recorded = workflow.account.control("GET", f"bus_events?since={start}")
    events = [
        envelope(e)
        for e in recorded
        if e["bus"] == bus
        and e["source"] == "research-report"
        and (e["detail"].get("execution_arn") in ours_arns or e["detail"].get("workflow_id") in ours_ids)
    ]
    return {"results": results, "events": events, "refused_id": refused_id, "definition": workflow.deployment.definition}


def test_every_event_the_stack_put_during_the_runs_matches_its_schema(runs):
    refused_request = [
        e
        for e in runs["events"]
        if e["detail-type"] == "WorkflowRequested" and e["detail"].get("workflow_id") == runs["refused_id"]
    ]
    assert len(refused_request) == 1, runs["events"]
    problems = {f"{e['detail-type']} {e['id']}": validate(e) for e in runs["events"] if e not in refused_request and validate(e)}
    assert problems == {}


def test_the_runs_put_every_detail_type_the_stack_emits(runs):
    seen = {e["detail-type"] for e in runs["events"]}
    assert seen == emitted_by_code(runs["definition"]), sorted(seen)
    revised = runs["results"]["revised"]
    assert [e["detail-type"] for e in runs["events"] if e["detail"].get("workflow_id") == revised.summary["workflow_id"]].count(
        "ApprovalRequested"
    ) == 2


def test_a_request_validate_input_refused_is_refused_by_its_schema_too(runs):
    refused = next(
        e
        for e in runs["events"]
        if e["detail-type"] == "WorkflowRequested" and e["detail"].get("workflow_id") == runs["refused_id"]
    )
    problems = validate(refused)
    assert any(p.startswith("detail.topic:") for p in problems), problems
    assert any(p.startswith("detail.tenant:") for p in problems), problems
    # The run's WorkflowFailed names no workflow (it never had one) but its execution, and matches.
    failed = [
        e
        for e in runs["events"]
        if e["detail-type"] == "WorkflowFailed" and e["detail"]["execution_arn"] == runs["results"]["refused"].execution_arn
    ]
    assert [(e["detail"]["workflow_id"], e["detail"]["reason"], validate(e)) for e in failed] == [(None, "InvalidInput", [])]


def test_a_failure_after_a_failed_fallback_names_both_errors_in_a_schema_valid_event(runs):
    result = runs["results"]["fallback_failed"]
    failed = [
        e for e in runs["events"] if e["detail-type"] == "WorkflowFailed" and e["detail"]["execution_arn"] == result.execution_arn
    ]
    assert [(e["detail"]["error"].get("fallback_error"), validate(e)) for e in failed] == [("AgentFailed", [])], failed
