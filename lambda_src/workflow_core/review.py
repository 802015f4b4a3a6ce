"""Pre-review: the checks a draft passes before a person is asked, and what they report.

Two checks run side by side in the PreReview Parallel state: the compliance agent
(agents/compliance/policy.md, judged by a model) and the citation check (deterministic, here).
Each writes its findings to S3 (``review_key``) and answers a ``check_result``, so only pointers and
counts travel in the payload. A blocking finding sends the draft to the reviser, with the findings
as its comments, before any person sees it; advisory findings are shown to the reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflow_core.roles import CITATION, json_array

BLOCKING = "blocking"
ADVISORY = "advisory"
SEVERITIES = (BLOCKING, ADVISORY)
CHECKS = ("compliance", "citations")

# Sections that summarise or list rather than claim: they need no citation of their own.
_UNCITED_SECTIONS = re.compile(r"^(introduction|summary|sources|references|revisions)\b", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    quote: str
    note: str
    suggestion: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "quote": self.quote,
            "note": self.note,
            "suggestion": self.suggestion,
        }

    @classmethod
    def from_dict(cls, item: dict[str, Any]) -> Finding:
        return cls(
            rule=str(item["rule"]),
            severity=str(item["severity"]),
            quote=str(item.get("quote") or ""),
            note=str(item.get("note") or ""),
            suggestion=str(item.get("suggestion") or ""),
        )


def findings_document(
    workflow_id: str, version: int, check: str, draft_key: str, generated_by: str, findings: list[Finding]
) -> dict[str, Any]:
    """The findings file one check writes for one draft version."""
    return {
        "workflow_id": workflow_id,
        "version": version,
        "check": check,
        "draft_key": draft_key,
        "generated_by": generated_by,
        "findings": [finding.as_dict() for finding in findings],
    }


def check_result(check: str, findings_key: str, findings: list[Finding]) -> dict[str, Any]:
    """A completed check as the payload and the DraftReviewed event carry it. A check that failed
    is built by the state machine (its ...CheckMissing Pass state) in the same shape."""
    return {
        "check": check,
        "status": "completed",
        "blocking": sum(1 for f in findings if f.severity == BLOCKING),
        "advisory": sum(1 for f in findings if f.severity == ADVISORY),
        "findings_key": findings_key,
        "error": None,
    }


def _sections(markdown: str) -> list[tuple[str, str]]:
    """(heading, body) of every second-level-or-deeper section; the title's own text is skipped."""
    sections: list[tuple[str, list[str]]] = []
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) >= 2:
            sections.append((heading.group(2), []))
        elif heading is None and sections:
            sections[-1][1].append(line)
    return [(title, "\n".join(body)) for title, body in sections]


def check_citations(markdown: str, source_ids: set[str]) -> list[Finding]:
    """Every ``[src-NNN]`` names a source the search gathered (blocking: a reference to nothing),
    and every section that makes claims cites at least one (advisory: the reviewer judges whether
    an uncited section, e.g. one a revision drew from the library, is acceptable)."""
    findings = [
        Finding(
            rule="unresolved-citation",
            severity=BLOCKING,
            quote=f"[{cited}]",
            note=f"{cited} is not one of the {len(source_ids)} sources this workflow gathered.",
            suggestion=f'remove "[{cited}]"',
        )
        for cited in sorted(set(CITATION.findall(markdown)) - source_ids)
    ]
    for title, body in _sections(markdown):
        if _UNCITED_SECTIONS.match(title) or not body.strip() or CITATION.search(body):
            continue
        findings.append(
            Finding(
                rule="uncited-section",
                severity=ADVISORY,
                quote=f"## {title}",
                note="This section cites none of the gathered sources.",
                suggestion="cite the source each claim comes from, or say where it comes from",
            )
        )
    return findings


def parse_findings(text: str, rules: dict[str, str], draft: str) -> tuple[list[Finding], list[dict[str, Any]]]:
    """The compliance agent's reply as (findings, dropped). A finding counts only if it names a rule
    of the policy and quotes text the draft really holds (a model may misquote); its severity is
    the policy's, whatever the reply said."""
    findings: list[Finding] = []
    dropped: list[dict[str, Any]] = []
    for item in json_array(text, "compliance"):
        if not isinstance(item, dict):
            continue
        rule, quote = str(item.get("rule") or "").strip(), str(item.get("quote") or "").strip()
        if rule not in rules or not quote or quote not in draft:
            # Rule and quote length only: a quote may be the personal data a finding is about.
            dropped.append({"rule": rule[:100], "quote_chars": len(quote)})
            continue
        findings.append(
            Finding(
                rule=rule,
                severity=rules[rule],
                quote=quote[:1000],
                note=str(item.get("note") or "").strip()[:1000],
                suggestion=str(item.get("suggestion") or "").strip()[:1000],
            )
        )
    return findings, dropped


def revision_comments(findings: list[Finding]) -> list[str]:
    """Blocking findings as the reviser's comments: the edit first (what the reviser acts on), then
    which check asked for it and why."""
    return [
        f"{f.suggestion or 'address this finding'} (pre-review {f.rule}: {f.note})" for f in findings if f.severity == BLOCKING
    ]


CHECK_TITLES = {"compliance": "Compliance (agents/compliance/policy.md)", "citations": "Citations"}
REVIEWER_FINDINGS_LIMIT = 20
_SHOWN_CHARS = 300


def for_reviewer(
    pre_review: dict[str, Any] | None, read_findings: Callable[[str], list[dict[str, Any]] | None]
) -> list[dict[str, Any]]:
    """What the reviewer is shown of the pre-review, per check: status, counts and the findings
    (blocking first, at most REVIEWER_FINDINGS_LIMIT, quotes shortened). ``read_findings(key)``
    returns a findings file's list, or None when it cannot be read. A check the payload does not
    mention (a draft pre-reviewed before this check existed) is shown as missing too."""
    shown = []
    for check in CHECKS:
        result = (pre_review or {}).get(check) or {"status": "missing", "error": "not run"}
        entry: dict[str, Any] = {
            "check": check,
            "title": CHECK_TITLES[check],
            "status": result.get("status", "missing"),
            "blocking": int(result.get("blocking") or 0),
            "advisory": int(result.get("advisory") or 0),
            "error": result.get("error"),
            "findings": [],
        }
        if entry["status"] == "completed" and result.get("findings_key"):
            findings = read_findings(str(result["findings_key"]))
            if findings is None:
                entry["status"], entry["error"] = "unreadable", "the findings file could not be read"
            else:
                ordered = sorted(findings, key=lambda f: f.get("severity") != BLOCKING)
                entry["findings"] = [
                    {name: str(f.get(name) or "")[:_SHOWN_CHARS] for name in ("severity", "rule", "quote", "note")}
                    for f in ordered[:REVIEWER_FINDINGS_LIMIT]
                ]
                entry["more"] = max(0, len(findings) - REVIEWER_FINDINGS_LIMIT)
        shown.append(entry)
    return shown


def reviewer_lines(shown: list[dict[str, Any]]) -> list[str]:
    """The pre-review as plain text lines (the approval e-mail)."""
    lines = ["Pre-review (checks run on this draft before you were asked):"]
    for entry in shown:
        if entry["status"] != "completed":
            lines.append(f"- {entry['title']}: CHECK MISSING ({entry.get('error') or 'failed'}); check this yourself.")
            continue
        lines.append(f"- {entry['title']}: {entry['blocking']} blocking, {entry['advisory']} advisory finding(s).")
        lines += [f'  - [{f["severity"]}] {f["rule"]}: "{f["quote"]}" - {f["note"]}' for f in entry["findings"]]
        if entry.get("more"):
            lines.append(f"  - ... and {entry['more']} more in {entry['check']}.json beside the draft.")
    return lines
