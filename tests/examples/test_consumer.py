"""examples/: a consumer root using four modules as another repository would (one search agent as
code with its library, artifact bucket, workflow table and search cache), and the same stack in CDK
Terrain (cdktn). Both pass the gates the root stack passes; tests/deploy/test_environments.py
applies the HCL one into the embedded account and invokes its function."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scripts.package_lambdas import required_env
from tests.terraform import tfhcl

CONSUMER = tfhcl.REPO_ROOT / "examples" / "consumer"
CDKTN_APP = tfhcl.REPO_ROOT / "examples" / "cdktn_consumer" / "main.py"
META_ARGUMENTS = {"source", "version", "providers", "count", "for_each", "depends_on"}
CONSUMED = {"artifact_bucket", "workflow_store", "document_library", "lambda_function"}
# The search role's tools read the library; the handler refuses to start a search agent without it.
SEARCH_ENV = {*required_env("agent"), "LIBRARY_BUCKET"}
POLICY_SIDS = {
    "ReadWriteArtifacts",
    "SeeMissingArtifacts",
    "RecordArtifacts",
    "ClearOwnIdempotencyRecords",
    "UseConsumerKey",
    "InvokeAgentProfile",
    "InvokeAgentModelThroughProfile",
    "InvokeFallbackProfile",
    "InvokeFallbackModelThroughProfile",
    "UseSearchCache",
}


def test_consumer_files_parse():
    for path in [*CONSUMER.glob("*.tf"), *CONSUMER.glob("*.tfvars")]:
        assert isinstance(tfhcl.load_file(path), dict), path


def test_consumer_uses_four_modules_with_declared_and_required_inputs():
    calls = tfhcl.labelled(CONSUMER, "module")
    used = set()
    for name, call in calls.items():
        assert call["source"].startswith("../../modules/"), f"module.{name}: {call['source']}"
        target = (CONSUMER / call["source"]).resolve()
        used.add(target.name)
        variables = tfhcl.labelled(target, "variable")
        assert set(call) - set(variables) - META_ARGUMENTS == set(), f"module.{name} passes undeclared inputs"
        required = {v for v, spec in variables.items() if "default" not in spec}
        assert required <= set(call), f"module.{name} misses {sorted(required - set(call))}"
    assert used == CONSUMED


def test_consumer_tfvars_set_every_required_variable():
    variables = tfhcl.labelled(CONSUMER, "variable")
    values = tfhcl.load_file(CONSUMER / "consumer.tfvars")
    assert set(values) <= set(variables)
    assert {v for v, spec in variables.items() if "default" not in spec} <= set(values)


def test_consumer_runs_the_search_models_the_pilot_runs():
    values = tfhcl.load_file(CONSUMER / "consumer.tfvars")
    pilot = tfhcl.environment_values("pilot")
    assert values["agent_model_id"] == pilot["agent_model_ids"]["search"]
    assert values["fallback_model_id"] == pilot["fallback_model_ids"]["search"]


def test_consumer_function_sets_every_variable_the_agent_handler_requires():
    # REQUIRED_ENV is read from lambda_src/agent/handler.py: a variable added there fails here
    # until the example sets it.
    call = tfhcl.labelled(CONSUMER, "module")["search_function"]
    assert call["environment_variables"] == "${local.search_environment}"
    environment = tfhcl.labelled(CONSUMER, "locals")["search_environment"]
    assert SEARCH_ENV <= set(environment), sorted(SEARCH_ENV - set(environment))
    assert (environment["AGENT_ROLE"], environment["AGENT_RUNTIME"]) == ("search", "converse")


def test_consumer_functions_get_the_powertools_layer():
    calls = tfhcl.labelled(CONSUMER, "module")
    assert calls["search_function"]["layers"] == calls["document_library"]["layers"] == ["${local.powertools_layer_arn}"]
    assert (
        ":017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-" in tfhcl.labelled(CONSUMER, "locals")["powertools_layer_arn"]
    )


def test_consumer_no_longer_builds_agents_classic():
    text = "".join(path.read_text(encoding="utf-8") for path in CONSUMER.glob("*.tf"))
    assert "bedrock_agents" not in {(CONSUMER / c["source"]).resolve().name for c in tfhcl.labelled(CONSUMER, "module").values()}
    assert "bedrock:InvokeAgent" not in text and "AGENT_ID" not in text


# In make test-deploy, beside the consumer example's apply (tests/deploy/test_environments.py).
@pytest.mark.deploy_gate
def test_consumer_passes_checkov_with_the_custom_policies():
    report, returncode = tfhcl.run_checkov(
        "--config-file",
        str(tfhcl.REPO_ROOT / ".checkov.yaml"),
        "-d",
        "examples/consumer",
        "--var-file",
        "examples/consumer/consumer.tfvars",
    )
    failed = [(c["check_id"], c["resource"]) for c in report["results"].get("failed_checks", [])]
    assert report["summary"]["failed"] == 0 and not failed and returncode == 0, failed
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["resource_count"] >= 20, report["summary"]


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("cdktn")
    result = subprocess.run(
        [sys.executable, str(CDKTN_APP), "--out", str(out)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((out / "stacks" / "consumer" / "cdk.tf.json").read_text(encoding="utf-8")) | {"_out": str(out)}


def test_cdktn_app_synthesizes_the_four_modules(synthesized):
    modules = synthesized["module"]
    stack_dir = tfhcl.REPO_ROOT / synthesized["_out"] / "stacks" / "consumer"
    sources = {name: (stack_dir / m["source"]).resolve() for name, m in modules.items()}
    assert {p.name for p in sources.values()} == CONSUMED
    for name, module in modules.items():
        assert module["source"].startswith("../"), f"{name}: Terraform needs a ./ or ../ local source"
        assert sources[name].parent == tfhcl.MODULES_DIR, sources[name]


def test_cdktn_app_sets_every_variable_the_agent_handler_requires(synthesized):
    environment = synthesized["module"]["search_function"]["environment_variables"]
    assert SEARCH_ENV <= set(environment), sorted(SEARCH_ENV - set(environment))
    assert (environment["AGENT_ROLE"], environment["AGENT_RUNTIME"]) == ("search", "converse")
    assert environment["LIBRARY_BUCKET"] == "${module.document_library.bucket_name}"


def test_cdktn_app_attaches_the_powertools_layer_to_both_functions(synthesized):
    modules = synthesized["module"]
    layers = modules["search_function"]["layers"]
    assert layers == modules["document_library"]["layers"] and len(layers) == 1
    assert ":017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:27" in layers[0]


def test_cdktn_app_policy_names_the_profiles_and_the_library_readers(synthesized):
    function = synthesized["module"]["search_function"]
    statements = synthesized["locals"]["search_statements"]
    assert function["policy_statements"] == "${concat(module.document_library.reader_policy_statements, local.search_statements)}"
    assert {s["sid"] for s in statements} == POLICY_SIDS
    by_sid = {s["sid"]: s for s in statements}
    profile = "${data.aws_bedrock_inference_profile.agent_profile.inference_profile_arn}"
    assert by_sid["InvokeAgentProfile"]["resources"] == [profile]
    assert by_sid["InvokeAgentModelThroughProfile"]["conditions"][0]["values"] == [profile]
    profiles = synthesized["data"]["aws_bedrock_inference_profile"]
    assert {p["inference_profile_id"] for p in profiles.values()} == {
        tfhcl.load_file(CONSUMER / "consumer.tfvars")[name] for name in ("agent_model_id", "fallback_model_id")
    }


def test_cdktn_app_inputs_match_the_module_variables(synthesized):
    for name, module in synthesized["module"].items():
        target = (tfhcl.REPO_ROOT / synthesized["_out"] / "stacks" / "consumer" / module["source"]).resolve()
        declared = set(tfhcl.labelled(target, "variable"))
        given = {k for k in module if k not in ("source", "//")}
        assert given <= declared, f"{name}: {sorted(given - declared)}"
        required = {v for v, spec in tfhcl.labelled(target, "variable").items() if "default" not in spec}
        assert required <= given, f"{name} misses {sorted(required - given)}"
