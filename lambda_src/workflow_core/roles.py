"""Role logic shared by every backend: what each agent is asked, and how its reply is parsed.

A backend only turns an ``AgentRequest`` into reply text. Prompts are built here, and every input
a model needs is in the prompt text, between plain markers (``Topic:``, ``Source [id]:`` with the
text between ``---`` lines, ``Summaries:``, ``Reviewer comments:``, ``Policy:`` and ``Draft:`` each followed by a ``---`` block). Replies from InvokeAgent and
from the Converse fallback go through the same parsers, so a malformed reply fails the same way
(``AgentFailed``) whatever produced it.

Roles: ``search`` (JSON list of sources {id, title, uri, text}), ``summary`` (summary text of one
source), ``writer`` (Markdown report citing ``[source-id]``), ``reviser`` (revised Markdown that
addresses every reviewer comment), ``compliance`` (JSON list of findings {rule, severity, quote, note,
suggestion} against the policy in the prompt).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from workflow_core.errors import AgentFailed

ROLES = ("search", "summary", "writer", "reviser", "compliance")
WRITER_PROMPT_BUDGET_CHARS = 120_000
CITATION = re.compile(r"\[(src-\d{3,})\]")


@dataclass(frozen=True)
class AgentRequest:
    """One agent call: the prompt is all a model sees."""

    role: str
    prompt: str
    session_id: str


@dataclass(frozen=True)
class AgentReply:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    generated_by: str = "bedrock"
    tool_calls: tuple[Any, ...] = ()  # workflow_core.tools.ToolCall, in call order


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    uri: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "uri": self.uri, "text": self.text}


def source_id(rank: int) -> str:
    """Source ids are assigned here, in rank order: ``src-001``, ``src-002``… (safe in S3 keys)."""
    return f"src-{rank:03d}"


# -- search -----------------------------------------------------------------------------------
def search_request(topic: str, max_sources: int, session_id: str) -> AgentRequest:
    prompt = (
        "You are the search agent of a research workflow.\n"
        f"Topic: {topic}\n"
        f"Find at most {max_sources} relevant, distinct sources. Reply with ONLY a JSON array; "
        'each element is {"id": string, "title": string, "uri": string, "text": string} where '
        "text is the relevant passage quoted from the source. Most relevant first. "
        "Reply [] if nothing is relevant."
    )
    return AgentRequest("search", prompt, session_id)


def json_array(text: str, role: str = "search") -> list[Any]:
    start, end = text.find("["), text.rfind("]")
    if start < 0 or end < start:
        raise AgentFailed(f"{role} reply contains no JSON array")
    try:
        value = json.loads(text[start : end + 1])
    except json.JSONDecodeError as error:
        raise AgentFailed(f"{role} reply is not valid JSON: {error.msg}") from None
    if not isinstance(value, list):
        raise AgentFailed(f"{role} reply is not a JSON array")
    return value


def parse_sources(text: str, max_sources: int) -> list[Source]:
    """Parse a search reply; renumber ids by rank; drop items without text; cap at max_sources."""
    sources: list[Source] = []
    for item in json_array(text):
        if not isinstance(item, dict):
            continue
        body = str(item.get("text") or "").strip()
        if not body:
            continue
        sources.append(
            Source(
                id=source_id(len(sources) + 1),
                title=str(item.get("title") or "Untitled source").strip()[:300],
                uri=str(item.get("uri") or "").strip()[:2000],
                text=body,
            )
        )
        if len(sources) == max_sources:
            break
    return sources


def renumber(sources: list[Source]) -> list[Source]:
    """Ids by rank again after sources were dropped."""
    return [Source(source_id(rank), s.title, s.uri, s.text) for rank, s in enumerate(sources, 1)]


# -- summary ----------------------------------------------------------------------------------
def summary_request(topic: str, source: dict[str, Any], session_id: str) -> AgentRequest:
    prompt = (
        "You are the summary agent of a research workflow.\n"
        f"Topic: {topic}\n"
        f"Source [{source['id']}]: {source['title']} ({source['uri']})\n"
        f"---\n{source['text']}\n---\n"
        "Summarise what this source says about the topic in at most 5 sentences. Reply with the "
        "summary text only; do not invent facts that are not in the source."
    )
    return AgentRequest("summary", prompt, session_id)


def parse_summary(text: str, source: dict[str, Any]) -> dict[str, Any]:
    summary = text.strip()
    prefix = f"[{source['id']}]"
    if summary.startswith(prefix):
        summary = summary[len(prefix) :].strip()
    if not summary:
        raise AgentFailed(f"summary of {source['id']} is empty")
    return {
        "source_id": source["id"],
        "title": source["title"],
        "uri": source["uri"],
        "summary": summary,
    }


# -- writer -----------------------------------------------------------------------------------
def writer_request(topic: str, summaries: list[dict[str, Any]], failed_sources: list[str], session_id: str) -> AgentRequest:
    lines = []
    used = 0
    for item in summaries:
        line = f"[{item['source_id']}] {item['title']} ({item['uri']}): {item['summary']}"
        if used + len(line) > WRITER_PROMPT_BUDGET_CHARS:
            lines.append("(further summaries omitted: prompt budget reached)")
            break
        lines.append(line)
        used += len(line)
    unsummarised = (
        f"Sources that could not be summarised (say so; do not cite them): {', '.join(failed_sources)}\n"
        if failed_sources
        else ""
    )
    prompt = (
        "You are the writer agent of a research workflow.\n"
        f"Topic: {topic}\n"
        "Write a Markdown report: a '# ' title, a short introduction, one section per theme, and "
        "a '## Sources' list. Cite sources inline as [source-id] using only the ids below.\n"
        f"{unsummarised}"
        "Summaries:\n" + "\n".join(lines)
    )
    return AgentRequest("writer", prompt, session_id)


def parse_markdown(text: str, role: str, known_ids: set[str] | None = None) -> tuple[str, list[str]]:
    """Return (markdown, dropped citations). Citations of ids that are not sources of this
    workflow are removed rather than published; an empty reply is AgentFailed."""
    markdown = text.strip()
    if markdown.startswith("```"):
        markdown = re.sub(r"^```[a-zA-Z]*\n|\n?```$", "", markdown).strip()
    if not markdown:
        raise AgentFailed(f"{role} reply is empty")
    dropped: list[str] = []
    if known_ids is not None:
        dropped = sorted(set(CITATION.findall(markdown)) - known_ids)
        for cited in dropped:
            markdown = markdown.replace(f" [{cited}]", "").replace(f"[{cited}]", "")
    return markdown + "\n", dropped


# -- reviser ----------------------------------------------------------------------------------
def split_comments(comments: str | list[str] | None) -> list[str]:
    """Reviewer comments arrive as one textarea string; each non-empty line is one comment."""
    if comments is None:
        return []
    lines = comments if isinstance(comments, list) else str(comments).splitlines()
    return [line.strip().lstrip("-*").strip() for line in lines if line.strip().lstrip("-*").strip()]


def reviser_request(topic: str, draft: str, comments: list[str], version: int, session_id: str) -> AgentRequest:
    numbered = "\n".join(f"{i}. {comment}" for i, comment in enumerate(comments, 1)) or "(none)"
    prompt = (
        "You are the reviser agent of a research workflow.\n"
        f"Topic: {topic}\n"
        "Revise the Markdown draft below so that it addresses every reviewer comment. Keep the "
        f"existing [source-id] citations valid; do not cite new ids. End with a '## Revisions (v{version})' "
        "section that says, for each numbered comment, what changed.\n"
        f"Reviewer comments:\n{numbered}\n---\n{draft}"
    )
    return AgentRequest("reviser", prompt, session_id)


# -- compliance -------------------------------------------------------------------------------
_POLICY_RULE = re.compile(r"^## ([a-z0-9][a-z0-9-]*) \((blocking|advisory)\)\s*$", re.MULTILINE)


def policy_rules(policy: str) -> dict[str, str]:
    """Rule id -> severity, from the policy's ``## <rule-id> (<severity>)`` headings."""
    rules = dict(_POLICY_RULE.findall(policy))
    if not rules:
        raise ValueError("the policy has no rules: each is a '## <rule-id> (blocking|advisory)' heading")
    return rules


def compliance_request(topic: str, policy: str, draft: str, version: int, session_id: str) -> AgentRequest:
    prompt = (
        "You are the compliance agent of a research workflow.\n"
        f"Topic: {topic}\n"
        f"Check version {version} of the Markdown draft below against every rule of the policy. Reply with "
        "ONLY a JSON array of findings; each element is "
        '{"rule": string, "severity": "blocking" or "advisory", "quote": string, "note": string, "suggestion": string} '
        "where rule is the rule's id, severity is the one the policy gives the rule, quote is the exact "
        "text of the draft that breaks it, note says why, and suggestion is one edit that fixes it. "
        "Reply [] if the draft follows every rule.\n"
        f"Policy:\n---\n{policy.strip()}\n---\n"
        f"Draft:\n---\n{draft.strip()}\n---\n"
    )
    return AgentRequest("compliance", prompt, session_id)
