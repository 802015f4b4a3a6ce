"""The deterministic local model behind the embedded Bedrock endpoints.

It reads what a model reads: which agent it is (the role the deployment configured for the agent
id and alias, or the role a Converse system prompt names) and the prompt text. Everything it
needs is in the prompt, between the markers lambda_src/workflow_core/roles.py writes (Topic:,
Source [...], ---, Summaries:, Reviewer comments:); nothing comes through a side channel. The
answer itself comes from the local backend's algorithms (BM25 over the account's corpus,
extractive summaries, a citing writer, a reviser that applies quoted edits).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT / "lambda_src") not in sys.path:  # the algorithms live with workflow_core for now
    sys.path.insert(0, str(REPO_ROOT / "lambda_src"))

from workflow_core.agents.local import LocalBackend  # noqa: E402
from workflow_core.roles import AgentRequest  # noqa: E402

ROLES = ("search", "summary", "writer", "reviser")
_TOPIC = re.compile(r"^Topic: (.*)$", re.MULTILINE)
_MAX_SOURCES = re.compile(r"Find at most (\d+) relevant")
_SOURCE = re.compile(r"^Source \[([^\]]+)\]: (.*) \((\S*)\)\n---\n(.*)\n---\n", re.MULTILINE | re.DOTALL)
_SUMMARY_LINE = re.compile(r"^\[([^\]]+)\] (.*?) \((\S*)\): (.*)$")
_FAILED = re.compile(r"^Sources that could not be summarised[^:]*: (.*)$", re.MULTILINE)
_VERSION = re.compile(r"'## Revisions \(v(\d+)\)'")
_COMMENT = re.compile(r"^\d+\. (.*)$")
_ROLE_IN_TEXT = re.compile(r"\b(search|summary|writer|reviser) agent\b")


class PromptError(ValueError):
    """The prompt lacks what this role needs (a real model would answer nonsense; this one says so)."""


@dataclass(frozen=True)
class Answer:
    text: str
    input_tokens: int
    output_tokens: int


def role_named_in(text: str) -> str | None:
    """The role a system prompt or instruction names ("You act as the writer agent ...")."""
    found = _ROLE_IN_TEXT.search(text)
    return found.group(1) if found else None


def _topic(prompt: str) -> str:
    found = _TOPIC.search(prompt)
    if not found:
        raise PromptError("the prompt names no topic (a 'Topic:' line)")
    return found.group(1).strip()


def context_from_prompt(role: str, prompt: str) -> dict[str, Any]:
    """What the prompt tells a model, as data: the same fields roles.py builds each request from."""
    topic = _topic(prompt)
    if role == "search":
        found = _MAX_SOURCES.search(prompt)
        if not found:
            raise PromptError("the search prompt says no source count ('Find at most N relevant')")
        return {"topic": topic, "max_sources": int(found.group(1))}
    if role == "summary":
        found = _SOURCE.search(prompt)
        if not found:
            raise PromptError("the summary prompt holds no source between '---' lines")
        source_id, title, uri, text = found.groups()
        return {"topic": topic, "source": {"id": source_id, "title": title, "uri": uri, "text": text}}
    if role == "writer":
        _, _, listing = prompt.partition("Summaries:\n")
        summaries = []
        for line in listing.splitlines():
            found = _SUMMARY_LINE.match(line)
            if found:
                source_id, title, uri, summary = found.groups()
                summaries.append({"source_id": source_id, "title": title, "uri": uri, "summary": summary})
        failed = _FAILED.search(prompt)
        return {
            "topic": topic,
            "summaries": summaries,
            "failed_sources": [s.strip() for s in failed.group(1).split(",")] if failed else [],
        }
    if role == "reviser":
        head, separator, draft = prompt.partition("\n---\n")
        if not separator:
            raise PromptError("the reviser prompt holds no draft after a '---' line")
        _, _, listing = head.partition("Reviewer comments:\n")
        comments = [found.group(1) for line in listing.splitlines() if (found := _COMMENT.match(line))]
        version = _VERSION.search(head)
        return {"topic": topic, "draft": draft, "comments": comments, "version": int(version.group(1)) if version else 1}
    raise PromptError(f"no such agent role {role!r}")


class LocalModel:
    """Answers one prompt for one role, the same way every time (per corpus)."""

    def __init__(self, corpus_dir: Path | str | None) -> None:
        self.corpus_dir = str(corpus_dir) if corpus_dir else None

    def answer(self, role: str, prompt: str, session_id: str, fallback: bool = False) -> Answer:
        request = AgentRequest(role, prompt, session_id, context_from_prompt(role, prompt))
        reply = LocalBackend(corpus_dir=self.corpus_dir, fallback=fallback).run(request)
        return Answer(reply.text, reply.input_tokens, reply.output_tokens)
