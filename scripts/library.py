"""Put a folder of documents into a deployment's document library, and wait until it is indexed.

    python -m scripts.library sync DIR --bucket BUCKET [--delete] [--wait]

Every .md/.txt/.html/.htm file under DIR becomes ``documents/<path relative to DIR>`` (README.md
files describe a folder and are left out). An unchanged file (same MD5 as the object's ETag) is not
uploaded again; ``--delete`` also removes documents that are no longer in DIR, so the library holds
exactly DIR. The document_indexer function indexes each change (S3 -> EventBridge -> indexer);
``--wait`` polls the index until it lists exactly these documents. boto3 uses the usual credentials
and Region; offline, the runner calls ``sync`` with the embedded account's clients.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCUMENTS_PREFIX = "documents/"
INDEX_KEY = "index/library-index.json"
SUFFIXES = (".md", ".txt", ".html", ".htm")
CONTENT_TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html",
    ".htm": "text/html",
}


class LibraryError(RuntimeError):
    """The folder holds no documents, or the index did not catch up in time."""


@dataclass(frozen=True)
class SyncResult:
    uploaded: list[str]
    unchanged: list[str]
    deleted: list[str]

    @property
    def keys(self) -> list[str]:
        return sorted(self.uploaded + self.unchanged)


def folder_documents(folder: Path) -> dict[str, Path]:
    """documents/<relative path> -> file, for every supported file except README.md."""
    if not folder.is_dir():
        raise LibraryError(f"document folder not found: {folder}")
    found = {
        DOCUMENTS_PREFIX + path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix.lower() in SUFFIXES and path.name.lower() != "readme.md"
    }
    if not found:
        raise LibraryError(f"{folder} holds no .md, .txt or .html documents (README.md files are left out)")
    return found


def unreadable_documents(documents: dict[str, Path]) -> dict[str, str]:
    """key -> reason, for each document the indexer will skip: it reads only UTF-8 text (the rule
    of lambda_src/workflow_core/documents.py, which records such a document as skipped)."""
    unreadable = {}
    for key, path in documents.items():
        try:
            path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            unreadable[key] = f"not UTF-8 text (byte {error.start})"
    return unreadable


def _library_etags(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=DOCUMENTS_PREFIX):
        etags.update({item["Key"]: item["ETag"].strip('"') for item in page.get("Contents", [])})
    return etags


def sync(s3: Any, bucket: str, folder: Path, delete: bool = False) -> SyncResult:
    wanted = folder_documents(folder)
    present = _library_etags(s3, bucket)
    uploaded, unchanged = [], []
    for key, path in wanted.items():
        body = path.read_bytes()
        # With SSE-KMS the ETag is not the MD5, so compare against metadata we wrote ourselves.
        digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
        if key in present:
            head = s3.head_object(Bucket=bucket, Key=key)
            if head.get("Metadata", {}).get("content-md5-hex") == digest:
                unchanged.append(key)
                continue
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=CONTENT_TYPES[path.suffix.lower()],
            Metadata={"content-md5-hex": digest},
        )
        uploaded.append(key)
    deleted = sorted(set(present) - set(wanted)) if delete else []
    for key in deleted:
        s3.delete_object(Bucket=bucket, Key=key)
    return SyncResult(uploaded, unchanged, deleted)


def indexed_documents(s3: Any, bucket: str) -> dict[str, Any] | None:
    """The index's manifest (key -> entry), or None while there is no index."""
    try:
        body = s3.get_object(Bucket=bucket, Key=INDEX_KEY)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return json.loads(body).get("documents", {})


def wait_until_indexed(s3: Any, bucket: str, keys: list[str], timeout_s: float = 120.0) -> dict[str, Any]:
    """Poll the index until its documents are exactly ``keys``; LibraryError after the timeout."""
    deadline = time.monotonic() + timeout_s
    manifest: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        manifest = indexed_documents(s3, bucket)
        if manifest is not None and sorted(manifest) == sorted(keys):
            return manifest
        time.sleep(0.25)
    have = "no index" if manifest is None else f"{len(manifest)} indexed"
    raise LibraryError(
        f"the library index did not list the {len(keys)} documents within {timeout_s:.0f} s ({have}); see the document_indexer logs"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.library", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("sync", help="upload a folder into the library")
    command.add_argument("folder", type=Path)
    command.add_argument("--bucket", required=True, help="the stack's output document_library_bucket")
    command.add_argument("--delete", action="store_true", help="also delete documents that are not in the folder")
    command.add_argument("--wait", action="store_true", help="wait until the index lists exactly these documents")
    args = parser.parse_args(argv)
    import boto3

    s3 = boto3.client("s3")
    try:
        result = sync(s3, args.bucket, args.folder, delete=args.delete)
        print(f"{len(result.uploaded)} uploaded, {len(result.unchanged)} unchanged, {len(result.deleted)} deleted")
        if args.wait:
            manifest = wait_until_indexed(
                s3, args.bucket, result.keys if args.delete else sorted(set(result.keys) | set(_library_etags(s3, args.bucket)))
            )
            skipped = {key: entry["skipped"] for key, entry in manifest.items() if "skipped" in entry}
            for key, reason in skipped.items():
                print(f"not indexed: {key}: {reason}")
            print(f"indexed: {len(manifest) - len(skipped)} documents")
    except LibraryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
