"""EventBridge events with source ``research-report`` and the four detail-types the functions put
(the state machine puts the others itself). Every detail carries ``schema_version``; the schemas
are docs/events/<DetailType>.v<major>.schema.json."""

# ruff: noqa: N818 - exception names are part of the contract (Step Functions matches them by name)

from __future__ import annotations

import json
from typing import Any

SOURCE = "research-report"
WORKFLOW_REQUESTED = "WorkflowRequested"
APPROVAL_REQUESTED = "ApprovalRequested"
REPORT_PUBLISHED = "ReportPublished"
WORKFLOW_FAILED = "WorkflowFailed"
DETAIL_TYPES = (WORKFLOW_REQUESTED, APPROVAL_REQUESTED, REPORT_PUBLISHED, WORKFLOW_FAILED)
SCHEMA_VERSION = "1.0"


class EventPublishFailed(RuntimeError):
    """PutEvents accepted the call but rejected the entry (FailedEntryCount > 0)."""


class EventPublisher:
    def __init__(self, events_client: Any, bus_name: str) -> None:
        self._events = events_client
        self.bus_name = bus_name

    def publish(self, detail_type: str, detail: dict[str, Any]) -> str:
        """Put one event; return its id; raise EventPublishFailed if EventBridge rejected it."""
        if detail_type not in DETAIL_TYPES:
            raise ValueError(f"unknown detail-type {detail_type!r}; expected one of {DETAIL_TYPES}")
        response = self._events.put_events(
            Entries=[
                {
                    "Source": SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps({"schema_version": SCHEMA_VERSION, **detail}, default=str, sort_keys=True),
                    "EventBusName": self.bus_name,
                }
            ]
        )
        if response.get("FailedEntryCount", 0):
            entry = response["Entries"][0]
            raise EventPublishFailed(
                f"{detail_type} rejected by {self.bus_name}: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}"
            )
        return response["Entries"][0].get("EventId", "")
