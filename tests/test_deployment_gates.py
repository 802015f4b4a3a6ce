"""`make test-deploy` runs the deploy_gate tests of the files its Makefile lists (so that each of its
workers collects a few files, not the whole suite), and `make test` leaves every deploy_gate test to
it: a deploy_gate test in another file would run in neither."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def deploy_gate_files() -> list[str]:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"^DEPLOY_GATE_FILES := ((?:.*\\\n)*.*)$", makefile, re.MULTILINE)
    assert listed, "the Makefile has no DEPLOY_GATE_FILES"
    return listed.group(1).replace("\\\n", " ").split()


def test_every_deploy_gate_test_is_in_a_file_make_test_deploy_runs():
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "deploy_gate", "-p", "no:cacheprovider", "tests"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files = {line.split("::", 1)[0] for line in collected.splitlines() if "::" in line}
    listed = deploy_gate_files()
    assert files, collected
    outside = sorted(f for f in files if not any(f == path or f.startswith(path.rstrip("/") + "/") for path in listed))
    assert outside == [], f"deploy_gate tests outside the Makefile's DEPLOY_GATE_FILES: {outside}"
    for path in listed:
        assert (REPO_ROOT / path).exists(), path
