"""Fixtures for runs of the whole workflow in moto."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import package_lambdas
from scripts.offline.runtime import OfflineWorkflow


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """Zips built by the real packaging code, so tests never run stale `make package` output."""
    target = tmp_path_factory.mktemp("dist")
    package_lambdas.build_all(target)
    return target


@pytest.fixture(scope="module")
def workflow(dist, tmp_path_factory):
    """The pilot deployment with the shipped corpus; runs in one module share it (and its cache)."""
    with OfflineWorkflow(env="pilot", dist=dist, work_dir=tmp_path_factory.mktemp("offline")) as deployed:
        yield deployed


def write_corpus(directory: Path, documents: int, paragraphs: int) -> Path:
    """A synthetic corpus with documents x paragraphs passages that all mention the topic words."""
    directory.mkdir(parents=True, exist_ok=True)
    for d in range(documents):
        body = [f"# Orchestration note {d}"]
        for p in range(paragraphs):
            body.append(
                f"Note {d}.{p}: Step Functions orchestrates Bedrock agents; passage {p} of note {d} discusses "
                f"retries, map concurrency {p % 7}, approvals and payload pointers in workload {d * 100 + p}. "
                "Agents summarise sources and a writer drafts the report for human approval."
            )
        (directory / f"note-{d:03d}.md").write_text("\n\n".join(body) + "\n")
    return directory
