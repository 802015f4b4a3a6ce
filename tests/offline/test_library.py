"""scripts/library.py: the documented way to fill a deployment's document library (moto S3)."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from scripts.library import INDEX_KEY, LibraryError, folder_documents, sync, wait_until_indexed

BUCKET = "library"


@pytest.fixture
def s3(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_a_folder_s_documents_are_its_md_txt_and_html_files_without_readmes(tmp_path) -> None:
    for name in ("README.md", "a.md", "sub/b.txt", "c.html", "d.pdf", "sub/README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert list(folder_documents(tmp_path)) == ["documents/a.md", "documents/c.html", "documents/sub/b.txt"]


def test_a_folder_without_documents_is_refused_in_one_line(tmp_path) -> None:
    (tmp_path / "README.md").write_text("only a readme")
    with pytest.raises(LibraryError, match="holds no .md, .txt or .html documents"):
        folder_documents(tmp_path)
    with pytest.raises(LibraryError, match="document folder not found"):
        folder_documents(tmp_path / "missing")


def test_sync_uploads_changes_only_and_with_delete_mirrors_the_folder(s3, tmp_path) -> None:
    (tmp_path / "a.md").write_text("alpha")
    (tmp_path / "b.md").write_text("beta")
    first = sync(s3, BUCKET, tmp_path)
    assert (first.uploaded, first.unchanged, first.deleted) == (["documents/a.md", "documents/b.md"], [], [])
    (tmp_path / "b.md").write_text("beta, changed")
    (tmp_path / "a.md").unlink()
    (tmp_path / "c.md").write_text("gamma")
    kept = sync(s3, BUCKET, tmp_path)
    assert (kept.uploaded, kept.deleted) == (["documents/b.md", "documents/c.md"], [])  # a.md stays without --delete
    mirrored = sync(s3, BUCKET, tmp_path, delete=True)
    assert (mirrored.uploaded, mirrored.unchanged, mirrored.deleted) == (
        [],
        ["documents/b.md", "documents/c.md"],
        ["documents/a.md"],
    )
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert listed == ["documents/b.md", "documents/c.md"]


def test_waiting_for_the_index_ends_when_it_lists_exactly_the_documents(s3) -> None:
    with pytest.raises(LibraryError, match="no index"):
        wait_until_indexed(s3, BUCKET, ["documents/a.md"], timeout_s=0.3)
    s3.put_object(Bucket=BUCKET, Key=INDEX_KEY, Body=json.dumps({"documents": {"documents/a.md": {"etag": '"1"'}}}))
    assert list(wait_until_indexed(s3, BUCKET, ["documents/a.md"], timeout_s=1)) == ["documents/a.md"]
    with pytest.raises(LibraryError, match="1 indexed"):
        wait_until_indexed(s3, BUCKET, ["documents/a.md", "documents/b.md"], timeout_s=0.3)
