"""The document library: documents users put in S3, split into passages and searched with BM25.

Layout of the library bucket:

- ``documents/<path>`` — what users upload (``.md``, ``.txt``, ``.html``/``.htm``);
- ``index/library-index.json`` — the search index, written only by the document_indexer function.

A document becomes passages at its blank lines; Markdown headings name the passages under them
("Document title — Section"). Passages are addressed ``s3://<bucket>/documents/<path>#p<N>``, the
uri a source cites. The index is a lunr index (BM25 over title and text, pure Python, JSON on
disk) plus the passages themselves, so a search answers with text and needs no second read.
Each document's ETag is kept, so a rebuild re-reads only what changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from lunr import lunr
from lunr.index import Index
from lunr.stop_word_filter import WORDS as STOP_WORDS

DOCUMENTS_PREFIX = "documents/"
INDEX_KEY = "index/library-index.json"
SUPPORTED_SUFFIXES = (".md", ".txt", ".html", ".htm")
INDEX_FORMAT = 1
MIN_PASSAGE_CHARS = 40  # shorter blocks are captions and link lists, not something to cite
_QUERY_WORD = re.compile(r"[^\W_]+")


class DocumentUnreadable(ValueError):
    """A document that is not UTF-8 text; the indexer records it as skipped, with this reason."""


@dataclass(frozen=True)
class Passage:
    uri: str
    title: str
    text: str

    def as_result(self) -> dict[str, str]:
        return {"uri": self.uri, "title": self.title, "text": self.text}


def is_document(key: str) -> bool:
    return key.startswith(DOCUMENTS_PREFIX) and key.lower().endswith(SUPPORTED_SUFFIXES) and not key.endswith("/")


def document_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"


class _HtmlText(HTMLParser):
    """An HTML page as the Markdown-like text the splitter reads: headings as '#' lines, blocks
    separated by blank lines, scripts and styles dropped."""

    _BLOCKS = {"p", "div", "section", "article", "li", "br", "tr", "table", "ul", "ol", "pre", "blockquote"}
    _HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in {"script", "style", "head"}:
            self._skipping += 1
        elif tag in self._HEADINGS:
            self.parts.append("\n\n" + "#" * self._HEADINGS[tag] + " ")
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head"}:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._HEADINGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data.replace("\n", " "))


def _text_of(key: str, body: bytes) -> str:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentUnreadable(f"not UTF-8 text (byte {error.start})") from None
    if key.lower().endswith((".html", ".htm")):
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    return text


def _default_title(key: str) -> str:
    name = key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return name.replace("-", " ").replace("_", " ").strip().capitalize() or key


def split_passages(bucket: str, key: str, body: bytes) -> list[Passage]:
    """A document's passages, in document order; the first '#' heading is the document's title."""
    document_title = _default_title(key)
    section = ""
    passages: list[Passage] = []
    for block in re.split(r"\n\s*\n", _text_of(key, body)):
        lines = [line for line in block.strip().splitlines() if line.strip()]
        while lines and lines[0].lstrip().startswith("#"):
            heading = lines.pop(0).strip()
            level = len(heading) - len(heading.lstrip("#"))
            if level == 1:
                document_title = heading.lstrip("#").strip() or document_title
            else:
                section = heading.lstrip("#").strip()
        text = re.sub(r"\s+", " ", " ".join(lines)).strip()
        if len(text) < MIN_PASSAGE_CHARS:
            continue
        title = f"{document_title} — {section}" if section else document_title
        passages.append(Passage(f"{document_uri(bucket, key)}#p{len(passages) + 1}", title, text))
    return passages


def build_index(bucket: str, documents: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The index document for ``documents``: key -> {"etag", "passages": [Passage]} or
    {"etag", "skipped": reason}. Keys are sorted, so the same library gives the same index."""
    entries: dict[str, dict[str, Any]] = {}
    passages: list[dict[str, str]] = []
    for key in sorted(documents):
        entry = documents[key]
        if "skipped" in entry:
            entries[key] = {"etag": entry["etag"], "skipped": entry["skipped"]}
            continue
        found = [p.as_result() for p in entry["passages"]]
        entries[key] = {"etag": entry["etag"], "passages": len(found)}
        passages.extend({**p, "key": key} for p in found)
    # Titles name what a passage is about: a match there counts double.
    fields = ({"field_name": "title", "boost": 2}, "text")
    search_index = lunr(ref="uri", fields=fields, documents=passages).serialize() if passages else None
    return {"format": INDEX_FORMAT, "bucket": bucket, "documents": entries, "passages": passages, "lunr": search_index}


class LibraryIndex:
    """A loaded index: search passages, read a passage or a whole document."""

    def __init__(
        self, bucket: str, documents: Mapping[str, Any], passages: Iterable[Mapping[str, str]], search_index: Index | None
    ):
        self.bucket = bucket
        self.documents = dict(documents)
        self.passages = [Passage(p["uri"], p["title"], p["text"]) for p in passages]
        self._by_uri = {p.uri: p for p in self.passages}
        self._order = {p.uri: i for i, p in enumerate(self.passages)}
        self._search_index = search_index

    @classmethod
    def empty(cls, bucket: str) -> LibraryIndex:
        return cls(bucket, {}, [], None)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LibraryIndex:
        if data.get("format") != INDEX_FORMAT:
            raise ValueError(f"library index format {data.get('format')!r} is not {INDEX_FORMAT}; rebuild it")
        passages = data.get("passages", [])
        return cls(data["bucket"], data.get("documents", {}), passages, Index.load(data["lunr"]) if passages else None)

    def search(self, query: str, max_results: int) -> list[dict[str, Any]]:
        """The best passages for the words of ``query``, best first, ties in library order.
        Query syntax (fields, wildcards, boosts) is not offered to the model: only its words count."""
        # lunr drops stop words from documents but not from queries, and its stemmer makes "one"
        # "on": without this, "on" in a question would match every passage saying "one".
        words = [word for word in _QUERY_WORD.findall(query.lower()) if word not in STOP_WORDS]
        if not words or self._search_index is None:
            return []
        hits = self._search_index.search(" ".join(words))
        ranked = sorted(hits, key=lambda hit: (-hit["score"], self._order[hit["ref"]]))
        return [{**self._by_uri[hit["ref"]].as_result(), "score": hit["score"]} for hit in ranked[:max_results]]

    def read(self, uri: str) -> dict[str, Any]:
        """A passage by its uri, or a whole document (every passage) by the uri without '#pN'."""
        if uri in self._by_uri:
            return self._by_uri[uri].as_result()
        prefix = f"s3://{self.bucket}/"
        key = uri[len(prefix) :] if uri.startswith(prefix) else None
        if key in self.documents and "skipped" not in self.documents[key]:
            parts = [p for p in self.passages if p.uri.split("#", 1)[0] == uri]
            title = parts[0].title.split(" — ", 1)[0] if parts else _default_title(key)
            return {"uri": uri, "title": title, "text": "\n\n".join(p.text for p in parts)}
        raise KeyError(f"no document or passage {uri!r} in the library; use a uri search_documents returned")


_cache: dict[tuple[str, str], tuple[str, LibraryIndex]] = {}


def load_index(s3: Any, bucket: str, key: str = INDEX_KEY) -> LibraryIndex:
    """The library's current index, read again only when its ETag changed; no index yet (nothing
    uploaded, or the indexer has not run) is an empty library, not an error."""
    from botocore.exceptions import ClientError

    cached = _cache.get((bucket, key))
    try:
        if cached:
            etag = s3.head_object(Bucket=bucket, Key=key)["ETag"]
            if etag == cached[0]:
                return cached[1]
        response = s3.get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
            return LibraryIndex.empty(bucket)
        raise
    index = LibraryIndex.from_json(json.loads(response["Body"].read()))
    _cache[(bucket, key)] = (response["ETag"], index)
    return index
