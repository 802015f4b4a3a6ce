"""The in-process Lambda sandbox: a function's environment is its own, other threads never see it."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from scripts.offline.lambdas import InProcessLambdas

HANDLER = """
import os
import threading

started = threading.Event()
release = threading.Event()


def lambda_handler(event, context):
    started.set()
    release.wait(10)
    return {"probe": os.environ.get("PROBE_VARIABLE"), "name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME")}
"""


@pytest.fixture
def sandbox(tmp_path: Path):
    package = tmp_path / "envprobe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text(HANDLER)
    lambdas = InProcessLambdas(tmp_path, "us-east-1")
    try:
        lambdas.load(
            "probe-fn",
            "arn:aws:lambda:us-east-1:123456789012:function:probe-fn",
            "envprobe.handler.lambda_handler",
            {"PROBE_VARIABLE": "from-terraform"},
            128,
            3,
        )
        yield lambdas
    finally:
        lambdas.uninstall()


def test_other_threads_never_see_a_running_functions_variables(sandbox):
    assert "PROBE_VARIABLE" not in os.environ and "AWS_LAMBDA_FUNCTION_NAME" not in os.environ
    module = sandbox.functions["probe-fn"].modules["envprobe.handler"]
    result = {}
    runner = threading.Thread(target=lambda: result.update(answer=sandbox.invoke("probe-fn", {})))
    runner.start()
    try:
        assert module.started.wait(10)
        # The function is mid-invocation: this thread (moto's, in a real run) sees the process as it was.
        seen_elsewhere = {name: os.environ.get(name) for name in ("PROBE_VARIABLE", "AWS_LAMBDA_FUNCTION_NAME")}
        snapshot = dict(os.environ.items())
    finally:
        module.release.set()
        runner.join(10)
    assert seen_elsewhere == {"PROBE_VARIABLE": None, "AWS_LAMBDA_FUNCTION_NAME": None}
    assert "PROBE_VARIABLE" not in snapshot
    payload, errored, _ = result["answer"]
    assert not errored
    assert json.loads(payload) == {"probe": "from-terraform", "name": "probe-fn"}


def test_a_function_writing_its_environment_changes_only_its_own(sandbox):
    environment = os.environ
    with environment.overlay({"ONLY_HERE": "1"}):
        os.environ["WRITTEN_INSIDE"] = "yes"
        del os.environ["ONLY_HERE"]
        assert os.environ.get("WRITTEN_INSIDE") == "yes" and "ONLY_HERE" not in os.environ
    assert "WRITTEN_INSIDE" not in os.environ


def test_uninstall_gives_back_the_process_environment(tmp_path):
    original = os.environ
    lambdas = InProcessLambdas(tmp_path, "us-east-1")
    assert os.environ is not original
    lambdas.uninstall()
    assert os.environ is original
