"""The agents' tools: plain functions with the tool specs Bedrock Converse sends to the model.

A tool takes the model's JSON input and returns a JSON object; a ``ToolError`` (bad arguments,
an unknown document) goes back to the model as a ``toolResult`` with status ``error``, so the
model can correct itself, and never fails the task. Which role gets which tools is decided in
``tools_for``: the search agent and the reviser search the document library (and a Bedrock
Knowledge Base when one is configured); the summary and writer agents work only from their prompt.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflow_core import documents

# As many passages as the largest run may have sources (max_sources_limit ≤ 500).
MAX_RESULTS_LIMIT = 500
RETRIEVE_RESULTS_LIMIT = 100  # Retrieve's numberOfResults maximum


class ToolError(Exception):
    """What the model is told when its tool call cannot be answered."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_schema: dict[str, Any]
    function: Callable[[dict[str, Any]], dict[str, Any]]

    def spec(self) -> dict[str, Any]:
        return {"toolSpec": {"name": self.name, "description": self.description, "inputSchema": {"json": self.input_schema}}}


@dataclass(frozen=True)
class ToolCall:
    """One tool call of an agent run, as logs, metrics and summary.json show it."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    result_chars: int
    duration_ms: float
    result: dict[str, Any] | None = None  # kept for grounding checks; never logged
    error: str | None = None

    def as_log(self) -> dict[str, Any]:
        return {
            "tool": self.name,
            "arguments": self.arguments,
            "ok": self.ok,
            "result_chars": self.result_chars,
            "duration_ms": round(self.duration_ms, 1),
            **({"error": self.error} if self.error else {}),
        }


def call_tool(tools: dict[str, Tool], name: str, arguments: Any) -> ToolCall:
    """Run one tool call the model asked for; every failure becomes an error result."""
    started = time.perf_counter()
    arguments = arguments if isinstance(arguments, dict) else {"input": arguments}
    tool = tools.get(name)
    try:
        if tool is None:
            raise ToolError(f"there is no tool named {name!r}; the tools are {', '.join(sorted(tools)) or 'none'}")
        result = tool.function(arguments)
    except ToolError as error:
        return ToolCall(name, arguments, False, len(str(error)), (time.perf_counter() - started) * 1000, error=str(error))
    size = len(json.dumps(result, ensure_ascii=False))
    return ToolCall(name, arguments, True, size, (time.perf_counter() - started) * 1000, result=result)


def _string(arguments: dict[str, Any], name: str) -> str:
    value = arguments.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ToolError(f"{name} must be a non-empty string")
    return value.strip()


def _max_results(arguments: dict[str, Any], default: int, limit: int = MAX_RESULTS_LIMIT) -> int:
    value = arguments.get("max_results", default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise ToolError(f"max_results must be an integer from 1 to {limit}")
    return value


def library_tools(load_index: Callable[[], documents.LibraryIndex]) -> list[Tool]:
    """search_documents and read_document over the document library's index (read on each call,
    so a document indexed after the function started is found; the index is cached by ETag)."""

    def search_documents(arguments: dict[str, Any]) -> dict[str, Any]:
        query = _string(arguments, "query")
        return {"results": load_index().search(query, _max_results(arguments, 5))}

    def read_document(arguments: dict[str, Any]) -> dict[str, Any]:
        uri = _string(arguments, "uri")
        try:
            return load_index().read(uri)
        except KeyError as error:
            raise ToolError(str(error.args[0] if error.args else error)) from None

    return [
        Tool(
            "search_documents",
            "Search the document library (BM25 over passages of the documents users put in it). "
            "Returns the best passages first, each with its uri, title and text.",
            {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "What to look for, in plain words."},
                    "max_results": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_RESULTS_LIMIT,
                        "description": "How many passages.",
                    },
                },
                "required": ["query"],
            },
            search_documents,
        ),
        Tool(
            "read_document",
            "Read a passage (a uri ending in #pN) or a whole document of the library by the uri a search returned.",
            {
                "type": "object",
                "properties": {"uri": {"type": "string", "description": "A uri from search_documents."}},
                "required": ["uri"],
            },
            read_document,
        ),
    ]


def knowledge_base_tool(client: Any, knowledge_base_id: str) -> Tool:
    """retrieve: the Bedrock Knowledge Base's Retrieve API, answered in the library's result shape."""

    def retrieve(arguments: dict[str, Any]) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        query = _string(arguments, "query")
        try:
            response = client.retrieve(
                knowledgeBaseId=knowledge_base_id,
                retrievalQuery={"text": query},
                retrievalConfiguration={
                    "vectorSearchConfiguration": {"numberOfResults": _max_results(arguments, 5, RETRIEVE_RESULTS_LIMIT)}
                },
            )
        except ClientError as error:
            raise ToolError(f"Retrieve failed ({error.response.get('Error', {}).get('Code')})") from None
        results = []
        for item in response.get("retrievalResults", []):
            location = item.get("location") or {}
            uri = next((v.get("uri") or v.get("url") for v in location.values() if isinstance(v, dict)), "") or ""
            results.append(
                {
                    "uri": uri,
                    "title": uri.rsplit("/", 1)[-1] or "Knowledge base passage",
                    "text": item.get("content", {}).get("text", ""),
                    "score": item.get("score"),
                }
            )
        return {"results": results}

    return Tool(
        "retrieve",
        "Search the team's Bedrock Knowledge Base. Returns passages with their source uri.",
        {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What to look for."},
                "max_results": {"type": "integer", "minimum": 1, "maximum": RETRIEVE_RESULTS_LIMIT},
            },
            "required": ["query"],
        },
        retrieve,
    )


def returned_uris(calls: list[ToolCall] | tuple[ToolCall, ...]) -> set[str]:
    """Every uri a successful tool call handed the model: what a source may cite."""
    uris: set[str] = set()
    for call in calls:
        if not call.ok or not call.result:
            continue
        items = call.result.get("results") if "results" in call.result else [call.result]
        for item in items or []:
            if isinstance(item, dict) and isinstance(item.get("uri"), str):
                uris.add(item["uri"])
                uris.add(item["uri"].split("#", 1)[0])
    return uris
