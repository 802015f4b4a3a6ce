"""docs/deploy.md as a list of shell blocks, in the order a user pastes them."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = REPO_ROOT / "docs" / "deploy.md"
_BLOCK = re.compile(r"(?:<!-- not run offline: (?P<reason>[^>]+?) -->\n)?```bash\n(?P<code>.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Block:
    code: str
    not_run_offline: str | None  # the reason, when the walk cannot run it offline

    @property
    def first_line(self) -> str:
        return self.code.strip().splitlines()[0]


def blocks(text: str | None = None) -> list[Block]:
    text = RUNBOOK.read_text(encoding="utf-8") if text is None else text
    return [Block(m["code"], m["reason"]) for m in _BLOCK.finditer(text)]


def walk_script(runbook: list[Block]) -> str:
    """The blocks that run offline as one bash script that stops at the first failing command and
    says which block it was in."""
    parts = ["set -eo pipefail"]
    for number, block in enumerate(runbook, start=1):
        if block.not_run_offline:
            continue
        parts.append(f"echo {shlex.quote(f'::runbook block {number}: {block.first_line}')}")
        parts.append(block.code)
    return "\n".join(parts) + "\n"
