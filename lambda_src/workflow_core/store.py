"""DynamoDB items of docs/design.md: workflow record, artifact index, approvals, search cache.

Workflow table (``pk``/``sk``, TTL ``expires_at``):

* workflow record ``WF#<workflow_id>`` / ``META``
* artifact index  ``WF#<workflow_id>`` / ``ARTIFACT#<s3 key>``
* approval        ``APPROVAL#<approval_id>`` / ``APPROVAL``

Search cache table: ``cache_key`` (sha256 of ``tenant|normalised topic|max_sources``), TTL
``expires_at``.
"""

# ruff: noqa: N818 - exception names are part of the contract (Step Functions matches them by name)

from __future__ import annotations

import hashlib
import re
import time
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

RUNNING = "RUNNING"
PUBLISHED = "PUBLISHED"
FAILED = "FAILED"
REVISION_LIMIT_REACHED = "REVISION_LIMIT_REACHED"
APPROVAL_TIMED_OUT = "APPROVAL_TIMED_OUT"

PENDING = "PENDING"
DECIDED = "DECIDED"
# Delivery of a decision to Step Functions: recorded first (single use), then sent. A decision
# whose SendTaskSuccess failed stays DELIVERY_PENDING, so the same link can deliver it again.
DELIVERY_PENDING = "pending"
DELIVERED = "sent"
DELIVERY_GONE = "gone"  # the task stopped waiting (timed out, execution ended): nothing to resume


class AlreadyExists(Exception):
    """A conditional put found an item that must not be overwritten."""


class NotFound(Exception):
    """The item does not exist."""


class AlreadyDecided(Exception):
    """The approval is no longer PENDING (single use)."""


def _is_conditional_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def plain(value: Any) -> Any:
    """DynamoDB resource values -> JSON-friendly Python (Decimal -> int/float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [plain(v) for v in value]
    return value


def workflow_pk(workflow_id: str) -> str:
    return f"WF#{workflow_id}"


def approval_pk(approval_id: str) -> str:
    return f"APPROVAL#{approval_id}"


def now_iso(now: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if now is None else now))


class WorkflowStore:
    """Workflow record, artifact index and approval items in the workflow table."""

    def __init__(self, table: Any) -> None:
        self._table = table

    # -- workflow record -------------------------------------------------------------------
    def create_workflow(self, workflow: dict[str, Any], now: float | None = None) -> dict[str, Any]:
        """Put the RUNNING record; AlreadyExists if the id belongs to another execution.

        The same execution may put again (a retried ValidateInput) without failing.
        """
        stamp = now_iso(now)
        item = {
            "pk": workflow_pk(workflow["workflow_id"]),
            "sk": "META",
            "status": RUNNING,
            "tenant": workflow["tenant"],
            "topic": workflow["topic"],
            "requested_by": workflow["requested_by"],
            "max_sources": workflow["max_sources"],
            "execution_arn": workflow["execution_arn"],
            "created_at": stamp,
            "updated_at": stamp,
            "revision": 0,
        }
        try:
            self._table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR execution_arn = :arn",
                ExpressionAttributeValues={":arn": workflow["execution_arn"]},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                raise AlreadyExists(workflow["workflow_id"]) from None
            raise
        return item

    def update_workflow(
        self,
        workflow_id: str,
        execution_arn: str,
        now: float | None = None,
        **attributes: Any,
    ) -> None:
        """Set attributes on the record owned by ``execution_arn``.

        Raises NotFound when there is no record or it belongs to another execution, so one
        execution can never overwrite another's record.
        """
        attributes["updated_at"] = now_iso(now)
        names = {f"#a{i}": name for i, name in enumerate(attributes)}
        values = {f":v{i}": value for i, value in enumerate(attributes.values())}
        values[":arn"] = execution_arn
        try:
            self._table.update_item(
                Key={"pk": workflow_pk(workflow_id), "sk": "META"},
                UpdateExpression="SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(names))),
                ConditionExpression="attribute_exists(pk) AND execution_arn = :arn",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                raise NotFound(workflow_id) from None
            raise

    # -- artifact index --------------------------------------------------------------------
    def add_artifacts(self, workflow_id: str, keys: list[str], kind: str, now: float | None = None) -> None:
        stamp = now_iso(now)
        with self._table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for key in keys:
                batch.put_item(
                    Item={
                        "pk": workflow_pk(workflow_id),
                        "sk": f"ARTIFACT#{key}",
                        "kind": kind,
                        "created_at": stamp,
                    }
                )

    # -- approvals -------------------------------------------------------------------------
    def put_approval(self, approval: dict[str, Any]) -> None:
        item = {"pk": approval_pk(approval["approval_id"]), "sk": "APPROVAL", **approval}
        item.setdefault("status", PENDING)
        self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")

    def get_approval(self, approval_id: str) -> dict[str, Any] | None:
        response = self._table.get_item(Key={"pk": approval_pk(approval_id), "sk": "APPROVAL"}, ConsistentRead=True)
        item = response.get("Item")
        return plain(item) if item else None

    def decide_approval(
        self,
        approval_id: str,
        decision: str,
        reviewer: str,
        comments: str,
        now: float | None = None,
    ) -> dict[str, Any]:
        """PENDING -> DECIDED exactly once, delivery pending; AlreadyDecided on replay, NotFound if absent."""
        try:
            response = self._table.update_item(
                Key={"pk": approval_pk(approval_id), "sk": "APPROVAL"},
                UpdateExpression=(
                    "SET #status = :decided, decision = :decision, reviewer = :reviewer, comments = :comments, "
                    "decided_at = :at, delivery = :delivery"
                ),
                ConditionExpression="attribute_exists(pk) AND #status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":decided": DECIDED,
                    ":pending": PENDING,
                    ":decision": decision,
                    ":reviewer": reviewer,
                    ":comments": comments,
                    ":at": now_iso(now),
                    ":delivery": DELIVERY_PENDING,
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                if self.get_approval(approval_id) is None:
                    raise NotFound(approval_id) from None
                raise AlreadyDecided(approval_id) from None
            raise
        return plain(response["Attributes"])

    def finish_delivery(self, approval_id: str, outcome: str, now: float | None = None) -> bool:
        """Pending delivery -> `outcome` (sent or gone); False if another request finished it first."""
        try:
            self._table.update_item(
                Key={"pk": approval_pk(approval_id), "sk": "APPROVAL"},
                UpdateExpression="SET delivery = :outcome, delivered_at = :at",
                ConditionExpression="delivery = :pending",
                ExpressionAttributeValues={":outcome": outcome, ":pending": DELIVERY_PENDING, ":at": now_iso(now)},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True


# -- search cache ------------------------------------------------------------------------------
_SPACES = re.compile(r"\s+")


def normalise_topic(topic: str) -> str:
    """Case, surrounding punctuation and whitespace don't make a different search."""
    return _SPACES.sub(" ", topic.casefold()).strip(" \t\n?!.,;:")


def search_cache_key(tenant: str, topic: str, max_sources: int) -> str:
    raw = f"{tenant}|{normalise_topic(topic)}|{max_sources}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class SearchCache:
    def __init__(self, table: Any, ttl_seconds: int) -> None:
        self._table = table
        self.ttl_seconds = ttl_seconds

    def get(self, cache_key: str, now: float | None = None) -> dict[str, Any] | None:
        """Return the live entry or None (TTL deletion lags, so expiry is checked here too)."""
        response = self._table.get_item(Key={"cache_key": cache_key})
        item = response.get("Item")
        current = time.time() if now is None else now
        if not item or int(item.get("expires_at", 0)) <= current:
            return None
        return plain(item)

    def put(self, cache_key: str, origin_workflow_id: str, source_ids: list[str], now: float | None = None) -> dict[str, Any]:
        current = time.time() if now is None else now
        item = {
            "cache_key": cache_key,
            "origin_workflow_id": origin_workflow_id,
            "source_ids": source_ids,
            "created_at": now_iso(current),
            "expires_at": int(current) + self.ttl_seconds,
        }
        self._table.put_item(Item=item)
        return item
