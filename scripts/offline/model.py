"""The deterministic local model behind the embedded Bedrock endpoints. Not a model.

It reads what a model reads: the system prompt (the agent's instructions, which name its role),
the conversation (the task prompt, its own earlier tool calls and their results) and the tool
specs of the request. Everything a role needs is in the prompt, between the markers
lambda_src/workflow_core/roles.py writes (Topic:, Source [...], ---, Summaries:, Reviewer
comments:, Policy:, Draft:), or in a tool result; it reads no corpus and has no side channel.

* search  - asks the tool whose spec takes a ``query`` (search_documents) for the topic, then
  answers the JSON list a search agent returns from the passages the tool gave it, in the tool's
  order. Without such a tool, or when the tool found nothing, it answers ``[]``.
* summary - extractive: the sentences of the source that share most words with the topic.
* writer  - a Markdown report: title, label, introduction, one section per summary citing
  ``[src-NNN]``, and a sources list.
* reviser - applies simple comments (``replace "a" with "b"``, ``remove "a"``, ``add a section on
  X``: it searches the library for X with the tool and writes the section from the best passage)
  and appends a ``Revisions`` section answering every comment. A comment may end in a
  parenthesis saying who asked and why (the pre-review's findings do). Text it removed is not
  quoted again in the Revisions section.
* compliance - reads the policy's rules (``## <rule-id> (<severity>)`` and their text) and reports
  what each rule's text names: e-mail addresses or phone numbers where it speaks of them,
  exclamation marks where it does, and the phrases it quotes ("guaranteed", ...), each with the
  sentence that holds it and a ``remove "..."`` suggestion.

Every answer says that this model wrote it and which model it stands in for (the model the
request named: the role's model, or its smaller fallback). Same conversation, same answer:
nothing depends on time, randomness or set ordering.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

ROLES = ("search", "summary", "writer", "reviser", "compliance")
LABEL_MARK = "Written by the local model"

_TOPIC = re.compile(r"^Topic: (.*)$", re.MULTILINE)
_MAX_SOURCES = re.compile(r"Find at most (\d+) relevant")
_SOURCE = re.compile(r"^Source \[([^\]]+)\]: (.*) \((\S*)\)\n---\n(.*)\n---\n", re.MULTILINE | re.DOTALL)
_SUMMARY_LINE = re.compile(r"^\[([^\]]+)\] (.*?) \((\S*)\): (.*)$")
_FAILED = re.compile(r"^Sources that could not be summarised[^:]*: (.*)$", re.MULTILINE)
_VERSION = re.compile(r"'## Revisions \(v(\d+)\)'")
_COMMENT = re.compile(r"^\d+\. (.*)$")
_ROLE_IN_TEXT = re.compile(r"\b(search|summary|writer|reviser|compliance) agent\b")
_POLICY_RULE = re.compile(r"^## ([a-z0-9][a-z0-9-]*) \((blocking|advisory)\)\s*$", re.MULTILINE)
_QUOTED = re.compile(r'"([^"\n]+)"')
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# International (+1 555 010 0199) or North American ((555) 010-0199) numbers; not dates or counts.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d[\d ().-]{7,}\d|\(\d{3}\) ?\d{3}-\d{4})(?![\w-])")

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_WHO_ASKED = r"(?:\s+\([^()]*(?:\([^()]*\)[^()]*)*\))?"  # a trailing "(pre-review rule: why)"
_REPLACE = re.compile(r'^replace\s+"(.+?)"\s+with\s+"(.*?)"\s*\.?' + _WHO_ASKED + "$", re.IGNORECASE)
_REMOVE = re.compile(r'^(?:remove|delete)\s+"(.+?)"\s*\.?' + _WHO_ASKED + "$", re.IGNORECASE)
_ADD_SECTION = re.compile(r"\badd\s+(?:a\s+|one\s+)?section\s+(?:on|about)\s+(.+?)(?:\s+and\s+|[.;,]|$)", re.IGNORECASE)
_STOPWORDS = frozenset(
    """a an and are as at be but by can do does for from has have how i in into is it its of on
    or so than that the their them then there these they this to was what when where which while
    who why will with within without you your we our not no""".split()
)


class PromptError(ValueError):
    """The prompt lacks what this role needs (a real model would answer nonsense; this one says so)."""


@dataclass(frozen=True)
class ToolUse:
    tool_use_id: str
    name: str
    input: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """A model turn: text (stop reason end_turn) or tool calls (stop reason tool_use)."""

    text: str
    input_tokens: int
    output_tokens: int
    tool_uses: tuple[ToolUse, ...] = ()


@dataclass(frozen=True)
class ToolOutcome:
    """A tool call this model made earlier in the conversation and what came back."""

    name: str
    input: dict[str, Any]
    ok: bool
    value: Any


@dataclass(frozen=True)
class Conversation:
    """What one Converse request shows a model."""

    prompt: str  # the first user message's text: the task
    tools: tuple[dict[str, Any], ...] = ()  # toolSpec objects
    outcomes: tuple[ToolOutcome, ...] = ()
    turn: int = 0  # how many assistant turns came before
    model_name: str = "the requested model"
    model_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def role_named_in(text: str) -> str | None:
    """The role a system prompt or instruction names ("You are the writer agent ...")."""
    found = _ROLE_IN_TEXT.search(text)
    return found.group(1) if found else None


def label(conversation: Conversation) -> str:
    where = f" ({conversation.model_id})" if conversation.model_id else ""
    return f"{LABEL_MARK} standing in for {conversation.model_name}{where}; offline, deterministic — not a real model"


# -- reading the prompt ---------------------------------------------------------------------------
def _topic(prompt: str) -> str:
    found = _TOPIC.search(prompt)
    if not found:
        raise PromptError("the prompt names no topic (a 'Topic:' line)")
    return found.group(1).strip()


def context_from_prompt(role: str, prompt: str) -> dict[str, Any]:
    """What the prompt tells a model, as data: the inputs roles.py wrote the prompt from."""
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
    if role == "compliance":
        _, found, rest = prompt.partition("Policy:\n---\n")
        policy, between, draft = rest.partition("\n---\nDraft:\n---\n")
        if not found or not between:
            raise PromptError("the compliance prompt holds no 'Policy:' and 'Draft:' blocks")
        return {"topic": topic, "policy": policy, "draft": draft.removesuffix("\n").removesuffix("\n---")}
    raise PromptError(f"no such agent role {role!r}")


def _stem(word: str) -> str:
    """Just enough stemming for plurals to match singulars (quotas/quota, retries/retry)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOPWORDS and len(word) > 1]


def estimate_tokens(text: str) -> int:
    """About four characters a token, as Bedrock's own rule of thumb for English text."""
    return max(1, round(len(text) / 4))


# -- tools as the specs describe them --------------------------------------------------------------
def search_tool(specs: tuple[dict[str, Any], ...]) -> tuple[str, str | None] | None:
    """(name, count parameter) of the tool a model would search with: one whose input takes a
    required string ``query``, preferring one that says it searches documents."""
    candidates = []
    for spec in specs:
        schema = (spec.get("inputSchema") or {}).get("json") or {}
        properties = schema.get("properties") or {}
        if (properties.get("query") or {}).get("type") == "string" and "query" in (schema.get("required") or []):
            count = next(
                (
                    name
                    for name, prop in properties.items()
                    if prop.get("type") == "integer" and ("max" in name or "limit" in name)
                ),
                None,
            )
            documents = "document" in (spec.get("description", "") + spec.get("name", "")).lower()
            candidates.append((not documents, spec["name"], count))
    if not candidates:
        return None
    _, name, count = sorted(candidates)[0]
    return name, count


def _passages(outcomes: tuple[ToolOutcome, ...], tool: str, query: str | None = None) -> list[dict[str, Any]]:
    """The passages successful calls of ``tool`` returned (for ``query`` only, when given)."""
    found: list[dict[str, Any]] = []
    for outcome in outcomes:
        if outcome.name != tool or not outcome.ok or (query is not None and outcome.input.get("query") != query):
            continue
        value = outcome.value if isinstance(outcome.value, dict) else {}
        for item in value.get("results") or []:
            if isinstance(item, dict) and str(item.get("text") or "").strip() and item.get("uri"):
                found.append(item)
    return found


def _use(conversation: Conversation, index: int, name: str, arguments: dict[str, Any]) -> ToolUse:
    return ToolUse(f"tooluse_local_{conversation.turn}_{index}", name, arguments)


# -- the model ------------------------------------------------------------------------------------
class LocalModel:
    """Answers one Converse turn for one role, the same way every time."""

    def answer(self, role: str, conversation: Conversation) -> Answer:
        context = context_from_prompt(role, conversation.prompt)
        writer = _Writer(conversation)
        text, uses = getattr(writer, role)(context)
        seen = (
            conversation.prompt
            + json.dumps([o.value for o in conversation.outcomes], default=str)
            + json.dumps(conversation.tools)
        )
        produced = text + json.dumps([u.input for u in uses])
        return Answer(text, estimate_tokens(seen), estimate_tokens(produced), tuple(uses))


class _Writer:
    """The four roles' algorithms for one conversation."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.label = label(conversation)

    def search(self, context: dict[str, Any]) -> tuple[str, list[ToolUse]]:
        tool = search_tool(self.conversation.tools)
        if tool is None:  # nothing to search with: a model that invents sources is what this guards against
            return "[]", []
        name, count = tool
        if not any(o.name == name for o in self.conversation.outcomes):
            arguments: dict[str, Any] = {"query": context["topic"]}
            if count:
                arguments[count] = int(context["max_sources"])
            return "", [_use(self.conversation, 0, name, arguments)]
        found, seen = [], set()
        for passage in _passages(self.conversation.outcomes, name):
            if passage["uri"] in seen:
                continue
            seen.add(passage["uri"])
            found.append(
                {
                    "id": f"src-{len(found) + 1:03d}",
                    "title": passage.get("title") or "Untitled",
                    "uri": passage["uri"],
                    "text": passage["text"],
                }
            )
            if len(found) == int(context["max_sources"]):
                break
        return json.dumps(found, ensure_ascii=False, indent=1), []

    def _extract(self, text: str, topic: str) -> str:
        """The sentences sharing most words with the topic, in their original order."""
        topic_words = set(tokens(topic))
        sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
        keep = min(3, max(1, len(sentences) // 2))
        scored = sorted(
            range(len(sentences)),
            key=lambda i: (-len(topic_words & set(tokens(sentences[i]))), i),
        )[:keep]
        return " ".join(sentences[i] for i in sorted(scored))

    def summary(self, context: dict[str, Any]) -> tuple[str, list[ToolUse]]:
        source = context["source"]
        return f"[{source['id']}] " + self._extract(source["text"], context["topic"]), []

    def writer(self, context: dict[str, Any]) -> tuple[str, list[ToolUse]]:
        topic = context["topic"]
        summaries = context["summaries"]
        failed = context.get("failed_sources") or []
        lines = [
            f"# Research report: {topic}",
            "",
            f"> {self.label}.",
            "",
            "## Introduction",
            "",
            f'This report collects what {len(summaries)} source passage(s) say about "{topic}". '
            "Each section below summarises one source and cites it in brackets.",
        ]
        if failed:
            lines.append(f"{len(failed)} source(s) could not be summarised and are left out: " + ", ".join(failed) + ".")
        for item in summaries:
            lines += ["", f"## {item['title']}", "", f"{item['summary']} [{item['source_id']}]"]
        lines += ["", "## Sources", ""]
        lines += [f"- [{s['source_id']}] {s['title']} — {s['uri']}" for s in summaries]
        return "\n".join(lines) + "\n", []

    def _add_section(self, draft: str, subject: str, tool: str | None) -> tuple[str, str]:
        if tool is None:
            return draft, f'not applied: no document search tool was available to research "{subject}".'
        found = _passages(self.conversation.outcomes, tool, subject)
        if not found:
            return draft, f'not applied: the document library has nothing on "{subject}".'
        passage = found[0]
        heading = subject[:1].upper() + subject[1:]
        section = (
            f"## {heading}\n\n{self._extract(passage['text'], subject)} "
            f"(Added in revision from the document library: {passage.get('title', 'Untitled')} — {passage['uri']}.)"
        )
        marker = "\n## Sources"
        at = draft.find(marker)
        draft = draft + "\n\n" + section if at < 0 else draft[:at] + "\n" + section + "\n" + draft[at:]
        return draft, f'applied: added a section "{heading}" drawn from "{passage.get("title", "Untitled")}".'

    def reviser(self, context: dict[str, Any]) -> tuple[str, list[ToolUse]]:
        tool = search_tool(self.conversation.tools)
        name = tool[0] if tool else None
        subjects = [found.group(1).strip() for comment in context["comments"] if (found := _ADD_SECTION.search(comment))]
        asked = {o.input.get("query") for o in self.conversation.outcomes if o.name == name}
        missing = [subject for subject in dict.fromkeys(subjects) if subject not in asked]
        if name and missing:  # research first: one search per subject, all in this turn
            return "", [_use(self.conversation, i, name, {"query": subject}) for i, subject in enumerate(missing)]
        draft: str = context["draft"].rstrip("\n")
        answers = []
        for number, comment in enumerate(context["comments"], 1):
            replace, remove = _REPLACE.match(comment), _REMOVE.match(comment)
            add_section = _ADD_SECTION.search(comment)
            if add_section:
                draft, answer = self._add_section(draft, add_section.group(1).strip(), name)
            elif replace and replace.group(1) in draft:
                draft = draft.replace(replace.group(1), replace.group(2))
                answer = f'applied: replaced "{replace.group(1)}" with "{replace.group(2)}".'
            elif remove and remove.group(1) in draft:
                draft = draft.replace(remove.group(1), "")
                # What was removed is not written again: it may be what a check asked to remove.
                comment = comment.replace(f'"{remove.group(1)}"', '"(the removed text)"')
                answer = "applied: removed the quoted text."
            elif replace or remove:
                answer = "not applied: the quoted text does not occur in the draft."
            else:
                answer = 'recorded for the author; the local model only applies `replace "a" with "b"` and `remove "a"` comments.'
            answers.append(f"{number}. Comment: {comment}\n   Response: {answer}")
        if not answers:
            answers.append("No reviewer comments were given; the text is unchanged.")
        return f"{draft}\n\n## Revisions (v{context['version']})\n\n> {self.label}.\n\n" + "\n".join(answers) + "\n", []

    def compliance(self, context: dict[str, Any]) -> tuple[str, list[ToolUse]]:
        policy, draft = context["policy"], context["draft"]
        headings = list(_POLICY_RULE.finditer(policy))
        sentences = [s.strip() for line in draft.splitlines() for s in _SENTENCE.split(line) if s.strip()]
        findings: list[dict[str, str]] = []
        for at, heading in enumerate(headings):
            rule, severity = heading.groups()
            text = policy[heading.end() : headings[at + 1].start() if at + 1 < len(headings) else len(policy)]
            wording = text.lower()
            quotes: list[tuple[str, str]] = []  # (quote, what it is)
            if "e-mail" in wording or "email" in wording:
                quotes += [(m, "an e-mail address") for m in _EMAIL.findall(draft)]
            if "phone" in wording:
                quotes += [(m.strip(), "a phone number") for m in _PHONE.findall(draft)]
            if "exclamation" in wording:
                quotes += [(s, "an exclamation mark") for s in sentences if re.search(r"!(?!\[)", s)]
            for phrase in _QUOTED.findall(text):
                pattern = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)
                # Named, not quoted: a note that repeated the phrase would break the rule itself.
                quotes += [(s, "wording the rule lists") for s in sentences if pattern.search(s)]
            for quote, what in dict.fromkeys(quotes):
                findings.append(
                    {
                        "rule": rule,
                        "severity": severity,
                        "quote": quote,
                        "note": f"The draft holds {what}, which the {rule} rule does not allow.",
                        "suggestion": f'remove "{quote}"',
                    }
                )
        return json.dumps(findings, ensure_ascii=False, indent=1), []
