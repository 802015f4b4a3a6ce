"""The deterministic local model behind the embedded Bedrock endpoints. Not a model.

It reads what a model reads: which agent it is (the role the deployment configured for the agent
id and alias, or the role a Converse system prompt names) and the prompt text. Everything it
needs is in the prompt, between the markers lambda_src/workflow_core/roles.py writes (Topic:,
Source [...], ---, Summaries:, Reviewer comments:); nothing comes through a side channel.

* search  - splits the .md/.txt files of the account's corpus into passages (one per paragraph,
  titled by document and section), ranks them with BM25 (``rank_bm25``) and answers with the JSON
  list a search agent returns, best first.
* summary - extractive: the sentences of the source that share most words with the topic.
* writer  - a Markdown report: title, label, introduction, one section per summary citing
  ``[src-NNN]``, and a sources list.
* reviser - applies simple comments (``replace "a" with "b"``, ``remove "a"``, ``add a section on
  X`` - drawn from the best corpus passage for X) and appends a ``Revisions`` section answering
  every comment.

Every answer says that this model wrote it; as the Converse fallback it says it stands in for the
smaller model (and keeps summaries shorter). Same prompt, same answer: nothing depends on time,
randomness or set ordering.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

ROLES = ("search", "summary", "writer", "reviser")
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "corpus"
AGENT_LABEL = "Written by the local model behind the offline Bedrock endpoints (deterministic) — not a real model"
FALLBACK_LABEL = (
    "Written by the local model as the Converse fallback (stands in for the smaller model; offline, deterministic) "
    "— not a real model"
)

_TOPIC = re.compile(r"^Topic: (.*)$", re.MULTILINE)
_MAX_SOURCES = re.compile(r"Find at most (\d+) relevant")
_SOURCE = re.compile(r"^Source \[([^\]]+)\]: (.*) \((\S*)\)\n---\n(.*)\n---\n", re.MULTILINE | re.DOTALL)
_SUMMARY_LINE = re.compile(r"^\[([^\]]+)\] (.*?) \((\S*)\): (.*)$")
_FAILED = re.compile(r"^Sources that could not be summarised[^:]*: (.*)$", re.MULTILINE)
_VERSION = re.compile(r"'## Revisions \(v(\d+)\)'")
_COMMENT = re.compile(r"^\d+\. (.*)$")
_ROLE_IN_TEXT = re.compile(r"\b(search|summary|writer|reviser) agent\b")

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_REPLACE = re.compile(r'^replace\s+"(.+?)"\s+with\s+"(.*?)"\s*\.?$', re.IGNORECASE)
_REMOVE = re.compile(r'^(?:remove|delete)\s+"(.+?)"\s*\.?$', re.IGNORECASE)
_ADD_SECTION = re.compile(r"\badd\s+(?:a\s+|one\s+)?section\s+(?:on|about)\s+(.+?)(?:\s+and\s+|[.;,]|$)", re.IGNORECASE)
_STOPWORDS = frozenset(
    """a an and are as at be but by can do does for from has have how i in into is it its of on
    or so than that the their them then there these they this to was what when where which while
    who why will with within without you your we our not no""".split()
)


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
    raise PromptError(f"no such agent role {role!r}")


# -- the corpus and its ranking -------------------------------------------------------------------
def _stem(word: str) -> str:
    """Just enough stemming for plurals to match singulars (quotas/quota, retries/retry)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOPWORDS and len(word) > 1]


@dataclass(frozen=True)
class Passage:
    title: str
    uri: str
    text: str


def _passages_of(path: Path, root: Path) -> list[Passage]:
    doc_title = path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    section = ""
    passages: list[Passage] = []
    relative = path.relative_to(root).as_posix()
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        block = block.strip()
        if not block:
            continue
        lines = block.splitlines()
        while lines and lines[0].lstrip().startswith("#"):
            heading = lines.pop(0).lstrip()
            level = len(heading) - len(heading.lstrip("#"))
            if level == 1:
                doc_title = heading.lstrip("#").strip()
            else:
                section = heading.lstrip("#").strip()
        text = " ".join(line.strip() for line in lines).strip()
        if len(text) < 40:
            continue
        title = f"{doc_title} — {section}" if section else doc_title
        passages.append(Passage(title, f"corpus://{relative}#p{len(passages) + 1}", text))
    return passages


@lru_cache(maxsize=8)
def load_corpus(corpus_dir: str) -> tuple[Passage, ...]:
    """All passages of a corpus directory, in a stable order (sorted paths, then position)."""
    root = Path(corpus_dir)
    if not root.is_dir():
        raise PromptError(f"the local model's corpus directory {corpus_dir} does not exist")
    files = sorted(p for p in root.rglob("*") if p.suffix in {".md", ".txt"} and p.is_file() and p.name.lower() != "readme.md")
    return tuple(passage for path in files for passage in _passages_of(path, root))


@lru_cache(maxsize=8)
def _passage_tokens(corpus_dir: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(tokens(p.title + " " + p.text)) for p in load_corpus(corpus_dir))


@lru_cache(maxsize=8)
def _bm25(corpus_dir: str) -> Any:
    from rank_bm25 import BM25Okapi

    return BM25Okapi([tokens(p.title + " " + p.text) or ["_"] for p in load_corpus(corpus_dir)])


def rank(corpus_dir: str, topic: str, limit: int) -> list[Passage]:
    passages = load_corpus(corpus_dir)
    query = tokens(topic)
    if not passages or not query:
        return []
    scores = _bm25(corpus_dir).get_scores(query)
    wanted = set(query)
    # BM25 idf can be <= 0 in tiny corpora, so relevance is "shares a word", order is the score.
    matching = [i for i, words in enumerate(_passage_tokens(corpus_dir)) if wanted & words]
    order = sorted(matching, key=lambda i: (-round(float(scores[i]), 9), i))
    return [passages[i] for i in order][:limit]


def estimate_tokens(text: str) -> int:
    """About four characters a token, as Bedrock's own rule of thumb for English text."""
    return max(1, round(len(text) / 4))


# -- the model ------------------------------------------------------------------------------------
class LocalModel:
    """Answers one prompt for one role, the same way every time (per corpus)."""

    def __init__(self, corpus_dir: Path | str | None = None) -> None:
        self.corpus_dir = str(Path(corpus_dir or DEFAULT_CORPUS).resolve())

    def answer(self, role: str, prompt: str, fallback: bool = False) -> Answer:
        context = context_from_prompt(role, prompt)
        writer = _Writer(self.corpus_dir, fallback)
        text = getattr(writer, role)(context)
        return Answer(text, estimate_tokens(prompt), estimate_tokens(text))


class _Writer:
    """The four roles' algorithms, for one corpus and mode."""

    def __init__(self, corpus_dir: str, fallback: bool) -> None:
        self.corpus_dir = corpus_dir
        self.fallback = fallback
        self.label = FALLBACK_LABEL if fallback else AGENT_LABEL

    def search(self, context: dict[str, Any]) -> str:
        ranked = rank(self.corpus_dir, context["topic"], int(context["max_sources"]))
        found = [{"id": f"src-{i:03d}", "title": p.title, "uri": p.uri, "text": p.text} for i, p in enumerate(ranked, 1)]
        return json.dumps(found, ensure_ascii=False, indent=1)

    def _extract(self, text: str, topic: str) -> str:
        """The sentences sharing most words with the topic, in their original order."""
        topic_words = set(tokens(topic))
        sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
        keep = 1 if self.fallback else min(3, max(1, len(sentences) // 2))
        scored = sorted(
            range(len(sentences)),
            key=lambda i: (-len(topic_words & set(tokens(sentences[i]))), i),
        )[:keep]
        return " ".join(sentences[i] for i in sorted(scored))

    def summary(self, context: dict[str, Any]) -> str:
        source = context["source"]
        return f"[{source['id']}] " + self._extract(source["text"], context["topic"])

    def _add_section(self, draft: str, subject: str) -> tuple[str, str]:
        found = rank(self.corpus_dir, subject, 1)
        if not found:
            return draft, f'not applied: the local corpus has nothing on "{subject}".'
        passage = found[0]
        heading = subject[:1].upper() + subject[1:]
        section = (
            f"## {heading}\n\n{self._extract(passage.text, subject)} "
            f"(Added in revision from the local corpus: {passage.title} — {passage.uri}.)"
        )
        marker = "\n## Sources"
        at = draft.find(marker)
        draft = draft + "\n\n" + section if at < 0 else draft[:at] + "\n" + section + "\n" + draft[at:]
        return draft, f'applied: added a section "{heading}" drawn from "{passage.title}".'

    def writer(self, context: dict[str, Any]) -> str:
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
        return "\n".join(lines) + "\n"

    def reviser(self, context: dict[str, Any]) -> str:
        draft: str = context["draft"].rstrip("\n")
        answers = []
        for number, comment in enumerate(context["comments"], 1):
            replace, remove = _REPLACE.match(comment), _REMOVE.match(comment)
            add_section = _ADD_SECTION.search(comment)
            if add_section:
                draft, answer = self._add_section(draft, add_section.group(1).strip())
            elif replace and replace.group(1) in draft:
                draft = draft.replace(replace.group(1), replace.group(2))
                answer = f'applied: replaced "{replace.group(1)}" with "{replace.group(2)}".'
            elif remove and remove.group(1) in draft:
                draft = draft.replace(remove.group(1), "")
                answer = f'applied: removed "{remove.group(1)}".'
            elif replace or remove:
                answer = "not applied: the quoted text does not occur in the draft."
            else:
                answer = 'recorded for the author; the local model only applies `replace "a" with "b"` and `remove "a"` comments.'
            answers.append(f"{number}. Comment: {comment}\n   Response: {answer}")
        if not answers:
            answers.append("No reviewer comments were given; the text is unchanged.")
        return f"{draft}\n\n## Revisions (v{context['version']})\n\n> {self.label}.\n\n" + "\n".join(answers) + "\n"
