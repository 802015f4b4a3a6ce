"""The local_run command line: bad input gives one clear line and exit code 2."""

from __future__ import annotations

import json

import pytest

from scripts import local_run


def run_cli(args, capsys) -> tuple[int, str, str]:
    try:
        code = local_run.main(args)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_corpus_the_library_could_not_index_is_refused_before_any_run(capsys, tmp_path):
    """--corpus is what the library holds: a folder of only a README, or of text that is not
    UTF-8 (the indexer skips it), would leave it empty, so it is refused, not run as if the
    default corpus were there."""
    readme_only, latin1 = tmp_path / "readme-only", tmp_path / "latin1"
    readme_only.mkdir()
    (readme_only / "README.md").write_text("# What this folder is\n", encoding="utf-8")
    latin1.mkdir()
    (latin1 / "notes.txt").write_bytes("Caf\xe9 notes long enough to be a passage of the library.".encode("latin-1"))
    for corpus, message in (
        (readme_only, "holds no .md, .txt or .html documents (README.md files are left out)"),
        (latin1, "none of the 1 document(s) in"),
    ):
        code, _, err = run_cli(["--corpus", str(corpus)], capsys)
        assert code == 2 and message in err, err
        assert len(err.strip().splitlines()) == 1
    assert "documents/notes.txt: not UTF-8 text (byte 3)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "staging"], "unknown environment 'staging'"),
        (["--corpus", "/nonexistent/corpus"], "document folder not found: /nonexistent/corpus"),
        (["--mock-config", "/nonexistent.json", "--test-case", "X"], "mock config file not found"),
        (["--mock-config", "scripts/mock_configs/faults.json", "--test-case", "Nope"], "no test case 'Nope'"),
        (["--mock-config", "scripts/mock_configs/faults.json"], "--test-case goes with"),
        (["--approve", "sometimes"], "invalid choice"),
        (["--sources", "0"], "at least 1"),
        (["--env", "/abs/path"], "unknown environment '/abs/path'"),
        (["--env", "../envs/pilot"], "unknown environment '../envs/pilot'"),
        (["--deadline", "0"], "--deadline must be a positive"),
        (["--out", "README.md"], "--out README.md is a file"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(capsys, args, message):
    code, _, err = run_cli(args, capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


MALFORMED_MOCK_CONFIGS = {
    "a test case that is a string": (
        json.dumps({"StateMachines": {"research-report": {"TestCases": {"X": "oops"}}}, "MockedResponses": {}}),
        "must map state names",
    ),
    "a response name that is a list": (
        json.dumps({"StateMachines": {"research-report": {"TestCases": {"X": {"WriteDraft": ["a"]}}}}, "MockedResponses": {}}),
        "must be a name",
    ),
    "not UTF-8": (b"\xff\xfe{}", "not UTF-8"),
    "not JSON": ("{", "not JSON"),
}


@pytest.mark.parametrize("problem", sorted(MALFORMED_MOCK_CONFIGS))
def test_a_malformed_mock_config_is_one_line_and_exit_code_2(capsys, tmp_path, problem):
    content, message = MALFORMED_MOCK_CONFIGS[problem]
    path = tmp_path / "mock.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, _, err = run_cli(["--mock-config", str(path), "--test-case", "X"], capsys)
    assert (code, len(err.strip().splitlines())) == (2, 1), err
    assert message in err and "Traceback" not in err


def test_a_mock_config_that_is_a_directory_or_unreadable_is_one_line(capsys, tmp_path):
    code, _, err = run_cli(["--mock-config", str(tmp_path), "--test-case", "X"], capsys)
    assert (code, err.strip()) == (2, f"error: mock config {tmp_path} is a directory, not a file")
    unreadable = tmp_path / ("x" * 300 + ".json")  # the OS refuses the name (root reads any mode)
    code, _, err = run_cli(["--mock-config", str(unreadable), "--test-case", "X"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "cannot be read: File name too long" in err


def mock_file(tmp_path, case: dict, responses: dict) -> str:
    path = tmp_path / "mock.json"
    path.write_text(json.dumps({"StateMachines": {"research-report": {"TestCases": {"X": case}}}, "MockedResponses": responses}))
    return str(path)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ({"NoSuchState": "T"}, "mocks 'NoSuchState', which is not a state of the deployed workflow"),
        ({"HaveSources": "T"}, "a Choice state: only Task states run"),
        ({"WriteDraft": "T"}, "WriteDraft cannot throw States.Timeout; Step Functions raises no States.* error on that task"),
    ],
)
def test_a_mock_the_deployed_workflow_cannot_run_is_refused_before_the_run(
    capsys, tmp_path, workflow, offline_dir, case, message
):
    mock = mock_file(tmp_path, case, {"T": {"0": {"Throw": {"Error": "States.Timeout", "Cause": "timed out"}}}})
    code, _, err = run_cli(
        ["--mock-config", mock, "--test-case", "X", "--work-dir", str(offline_dir), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2, err
    assert message in err
    assert err.strip().splitlines()[-1].startswith("error:") and "Traceback" not in err


def test_sources_above_the_deployed_limit_fail_like_zero_sources(capsys, tmp_path, workflow, offline_dir):
    limit = workflow.deployment.outputs["workflow_limits"]["max_sources_limit"]
    code, _, err = run_cli(["--sources", str(limit + 1), "--work-dir", str(offline_dir), "--out", str(tmp_path)], capsys)
    assert code == 2
    assert (
        err.strip().splitlines()[-1] == f"error: --sources {limit + 1} is above env pilot's limit of {limit} (max_sources_limit)"
    )


def test_a_topic_with_control_characters_ends_in_invalid_input_with_one_reason_line(capsys, tmp_path, workflow, offline_dir):
    topic = "Title\n\x1b[31mInjected" + "x" * 300
    code, out, err = run_cli(["--topic", topic, "--work-dir", str(offline_dir), "--out", str(tmp_path)], capsys)
    assert code == 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["end_state"] == "InvalidInput"
    assert "U+000A at position 5" in summary["cause"]  # the full reason is kept in the file
    shown = out + err
    assert "\x1b" not in shown and "Exception=" not in shown  # no raw escape reaches the terminal, no moto log
    reason_lines = [line for line in shown.splitlines() if line.startswith("InvalidInput:")]
    assert len(reason_lines) == 1 and reason_lines[0].endswith("(in full: summary.json)")


def test_nobody_answering_stops_at_the_deadline_with_a_summary(capsys, tmp_path, workflow, offline_dir):
    code, out, _ = run_cli(
        ["--approve", "none", "--deadline", "20", "--sources", "2", "--work-dir", str(offline_dir), "--out", str(tmp_path)],
        capsys,
    )
    assert code == 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["status"], summary["error"]) == ("ABORTED", "LocalRunDeadline")
    assert summary["cause"] == "the local run's deadline passed while the execution was in RequestApproval"
    assert "LocalRunDeadline: the local run's deadline passed while the execution was in RequestApproval" in out


def test_json_run_writes_the_four_files(capsys, tmp_path, workflow, offline_dir):
    # As `make up` users run it: the CLI finds the running account and the pilot already applied there.
    code, out, _ = run_cli(["--json", "--sources", "3", "--out", str(tmp_path), "--work-dir", str(offline_dir)], capsys)
    summary = json.loads(out)
    assert code == 0 and summary["end_state"] == "Published"
    for name in ("report.md", "history.json", "summary.json", "timeline.html"):
        assert (tmp_path / name).stat().st_size > 0
    required = {
        "status",
        "end_state",
        "duration_s",
        "state_transitions",
        "max_payload_bytes",
        "retries",
        "revisions",
        "map_items",
        "map_failures",
        "cache_hits",
        "events",
        "artifacts",
    }
    assert required <= set(json.loads((tmp_path / "summary.json").read_text()))
    page = (tmp_path / "timeline.html").read_text()
    assert "<svg" in page
    assert "<script src" not in page and "<link" not in page  # self-contained: nothing fetched


def test_the_live_view_marks_a_failed_and_caught_state_apart_from_a_success():
    import datetime
    import io

    from rich.console import Console

    from scripts.local_run import LiveView

    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

    def event(kind: str, seconds: float, **details) -> dict:
        key = "stateEnteredEventDetails" if kind.endswith("Entered") else "stateExitedEventDetails"
        if kind in ("TaskFailed", "LambdaFunctionFailed"):
            key = "taskFailedEventDetails"
        return {"type": kind, "timestamp": start + datetime.timedelta(seconds=seconds), key: details}

    output = io.StringIO()
    view = LiveView(Console(file=output, width=200), map_inner=set())
    for item in (
        event("TaskStateEntered", 0, name="Search"),
        event("TaskFailed", 0.1, error="AgentFailed", cause="the model refused"),
        event("TaskStateExited", 0.2, name="Search"),
        event("TaskStateEntered", 0.3, name="SearchFallback"),
        event("TaskStateExited", 0.4, name="SearchFallback"),
    ):
        view(item)
    lines = output.getvalue().splitlines()
    assert any("↷ Search caught AgentFailed" in line for line in lines), lines
    assert not any("✓ Search " in line for line in lines)
    assert any("✓ SearchFallback" in line for line in lines)
