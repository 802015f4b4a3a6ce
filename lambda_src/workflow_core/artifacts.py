"""S3 artifacts: JSON/text read and write with the ``retention`` tag, copy, existence checks.

Key layout (docs/design.md): ``<wf>/sources.json``, ``<wf>/sources/<id>.json``,
``<wf>/summaries/<id>.json``, ``<wf>/drafts/v<n>.md``, ``<wf>/reviews/v<n>/<check>.json``
(retention=intermediate) and
``published/<wf>/report.md`` (retention=published).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from workflow_core.errors import ArtifactMissing

INTERMEDIATE = "intermediate"
PUBLISHED = "published"
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_PARALLELISM = 16


def sources_index_key(workflow_id: str) -> str:
    return f"{workflow_id}/sources.json"


def source_key(workflow_id: str, source_id: str) -> str:
    return f"{workflow_id}/sources/{source_id}.json"


def summary_key(workflow_id: str, source_id: str) -> str:
    return f"{workflow_id}/summaries/{source_id}.json"


def draft_key(workflow_id: str, version: int) -> str:
    return f"{workflow_id}/drafts/v{version}.md"


def review_key(workflow_id: str, version: int, check: str) -> str:
    """The findings one pre-review check wrote for one draft version."""
    return f"{workflow_id}/reviews/v{version}/{check}.json"


def published_key(workflow_id: str) -> str:
    return f"published/{workflow_id}/report.md"


def draft_problem(workflow_id: str, draft: Any) -> str | None:
    """Why a task payload's ``draft`` pointer is unusable, or None: it must name this workflow's
    draft of its own version, so a payload cannot point a function at another workflow's objects."""
    if not isinstance(draft, dict) or not isinstance(draft.get("version"), int):
        return "draft with draft_key and version is required"
    if draft.get("draft_key") != draft_key(workflow_id, draft["version"]):
        return "draft.draft_key does not belong to this workflow and version"
    return None


def _is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _MISSING_CODES


class ArtifactStore:
    """Reads and writes workflow artifacts in one bucket through one (shared) S3 client."""

    def __init__(self, s3_client: Any, bucket: str) -> None:
        self._s3 = s3_client
        self.bucket = bucket

    def put_text(self, key: str, text: str, retention: str = INTERMEDIATE, content_type: str = "text/markdown") -> str:
        self._s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=text.encode("utf-8"),
            ContentType=f"{content_type}; charset=utf-8",
            Tagging=f"retention={retention}",
        )
        return key

    def put_json(self, key: str, value: Any, retention: str = INTERMEDIATE) -> str:
        body = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
        return self.put_text(key, body, retention, content_type="application/json")

    def put_json_many(self, items: dict[str, Any], retention: str = INTERMEDIATE) -> list[str]:
        """Write many small JSON objects in parallel (the S3 client is thread-safe)."""
        with ThreadPoolExecutor(max_workers=_PARALLELISM) as pool:
            return list(pool.map(lambda kv: self.put_json(kv[0], kv[1], retention), items.items()))

    def get_text(self, key: str) -> str:
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _is_missing(error):
                raise ArtifactMissing(f"s3://{self.bucket}/{key} does not exist") from None
            raise
        return response["Body"].read().decode("utf-8")

    def get_json(self, key: str) -> Any:
        return json.loads(self.get_text(key))

    def get_json_if_exists(self, key: str) -> Any | None:
        try:
            return self.get_json(key)
        except ArtifactMissing:
            return None

    def get_json_many(self, keys: list[str]) -> dict[str, Any | None]:
        """Read many JSON objects in parallel; absent ones map to None."""
        with ThreadPoolExecutor(max_workers=_PARALLELISM) as pool:
            return dict(zip(keys, pool.map(self.get_json_if_exists, keys), strict=True))

    def copy(self, source_key: str, target_key: str, retention: str = INTERMEDIATE) -> str:
        """Server-side copy that replaces the tags, so a copy never inherits the wrong retention."""
        try:
            self._s3.copy_object(
                Bucket=self.bucket,
                Key=target_key,
                CopySource={"Bucket": self.bucket, "Key": source_key},
                TaggingDirective="REPLACE",
                Tagging=f"retention={retention}",
            )
        except ClientError as error:
            if _is_missing(error):
                raise ArtifactMissing(f"s3://{self.bucket}/{source_key} does not exist") from None
            raise
        return target_key

    def copy_many(self, pairs: list[tuple[str, str]], retention: str = INTERMEDIATE) -> list[str]:
        with ThreadPoolExecutor(max_workers=_PARALLELISM) as pool:
            return list(pool.map(lambda pair: self.copy(pair[0], pair[1], retention), pairs))
