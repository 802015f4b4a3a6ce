"""Benchmark the offline run: wall time, state transitions and max payload per source count.

One deployment serves every run (warm, as a developer iterating would see it); each run uses its
own topic so the search cache never short-cuts a measurement. Prints a table, or JSON with --json.

  python -m scripts.bench_local                 # 8, 50, 200, 500 sources on env bu
  python -m scripts.bench_local --sources 8 50  # a subset
  python -m scripts.bench_local --sources 100 --repeat 25   # stability: every run must match the first
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from scripts.offline.runtime import DEFAULT_DIST, OfflineWorkflow

DEFAULT_COUNTS = (8, 50, 200, 500)


def synthetic_corpus(directory: Path, passages: int, per_document: int = 10) -> Path:
    """Enough passages that mention the topic for the largest run."""
    directory.mkdir(parents=True, exist_ok=True)
    for d in range(-(-passages // per_document)):
        paragraphs = [f"# Workflow note {d}"] + [
            f"Note {d}.{p}: Step Functions orchestrates Bedrock agents for research reports; this passage covers "
            f"map concurrency {p % 7}, retries with backoff, approvals, and payload pointers for workload {d * per_document + p}."
            for p in range(per_document)
        ]
        (directory / f"note-{d:04d}.md").write_text("\n\n".join(paragraphs) + "\n")
    return directory


def measure(workflow: OfflineWorkflow, sources: int, label: str) -> dict:
    started = time.perf_counter()
    result = workflow.run(topic=f"Step Functions orchestrates Bedrock agents ({label})", approve="auto", max_sources=sources)
    wall = time.perf_counter() - started
    summary = result.summary
    return {
        "sources": sources,
        "end_state": summary["end_state"],
        "wall_s": round(wall, 3),
        "state_transitions": summary["state_transitions"],
        "max_payload_bytes": summary["max_payload_bytes"],
        "ms_per_source": round(wall / sources * 1000, 1),
        "retries": summary["retries"],
        "fallbacks": summary["fallbacks"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, nargs="+", default=list(DEFAULT_COUNTS), help="source counts to run")
    parser.add_argument("--env", default="bu", help="environment (its max_sources_limit must allow the largest count)")
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each count this many times; exit 1 if a run retried, fell back or differs from the first",
    )
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        corpus = synthetic_corpus(Path(scratch) / "corpus", max(args.sources))
        with OfflineWorkflow(env=args.env, corpus=corpus, dist=args.dist, work_dir=Path(scratch) / "work") as workflow:
            measure(workflow, 8, "warm-up")
            for count in args.sources:
                for attempt in range(1, args.repeat + 1):
                    console.print(f"running {count} sources ({attempt}/{args.repeat})…")
                    rows.append(measure(workflow, count, f"run {count}.{attempt:04d}"))  # same topic length: same payload
    unstable = unstable_runs(rows)
    for row in unstable:
        console.print(f"[red]unstable:[/] {row}")
    if args.json:
        print(json.dumps(rows, indent=2))
        return 1 if unstable else 0
    table = Table(title=f"Offline run, env {args.env}, warm")
    for column in (
        "sources",
        "end state",
        "wall s",
        "state transitions",
        "max payload bytes",
        "ms per source",
        "retries",
        "fallbacks",
    ):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    Console().print(table)
    if args.repeat > 1:
        console.print(f"{len(rows)} runs, {len(unstable)} unstable")
    return 1 if unstable else 0


COUNTERS = ("end_state", "state_transitions", "max_payload_bytes", "retries", "fallbacks")


def unstable_runs(rows: list[dict]) -> list[dict]:
    """Runs that did not publish, retried or fell back with no fault injected, or whose counters
    differ from the first run of the same size."""
    first: dict[int, dict] = {}
    unstable = []
    for row in rows:
        reference = first.setdefault(row["sources"], row)
        if row["end_state"] != "Published" or row["retries"] or row["fallbacks"] or any(row[c] != reference[c] for c in COUNTERS):
            unstable.append(row)
    return unstable


if __name__ == "__main__":
    sys.exit(main())
