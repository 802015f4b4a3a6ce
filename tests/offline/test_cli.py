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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "staging"], "unknown environment 'staging'"),
        (["--corpus", "/nonexistent/corpus"], "corpus directory not found"),
        (["--mock-config", "/nonexistent.json", "--test-case", "X"], "mock config file not found"),
        (["--mock-config", "scripts/mock_configs/faults.json", "--test-case", "Nope"], "no test case 'Nope'"),
        (["--mock-config", "scripts/mock_configs/faults.json"], "go together"),
        (["--approve", "sometimes"], "invalid choice"),
        (["--sources", "0"], "at least 1"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(capsys, args, message):
    code, _, err = run_cli(args, capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


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
