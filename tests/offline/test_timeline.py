"""The timeline page: lanes show Map concurrency, and the page needs nothing from the network."""

from __future__ import annotations

from datetime import datetime, timedelta

from scripts.offline import timeline
from scripts.offline.history import StateSpan

T0 = datetime(2026, 1, 1)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_overlapping_iterations_get_their_own_lanes_and_later_ones_reuse_free_lanes():
    spans = [
        StateSpan("SummarizeSource", at(0), at(2), True),
        StateSpan("SummarizeSource", at(1), at(3), True),
        StateSpan("SummarizeSource", at(2), at(4), True),
        StateSpan("WriteDraft", at(4), at(5), False),
    ]
    labels = [label for label, _ in timeline._rows(spans, at(5))]
    assert labels == ["SummarizeSource · lane 1", "SummarizeSource · lane 2", "SummarizeSource · lane 1", "WriteDraft"]


def test_page_is_self_contained_and_escapes_state_names():
    spans = [StateSpan("<Search>", at(0), at(1), False)]
    page = timeline.render(spans, {"status": "SUCCEEDED", "end_state": "Published", "events": []}, {}, at(0), at(1))
    assert "&lt;Search&gt;" in page and "<Search>" not in page
    assert "<script" not in page and "<link" not in page and "http" not in page.split("<body>")[1]
