"""The JSON Schemas of the events this stack puts on its EventBridge bus (docs/events/), and a check.

Each file `docs/events/<DetailType>.v<major>.schema.json` describes one detail-type's event as a
target receives it (the envelope, with `source` and `detail-type` fixed, and a tight `detail`).
An event is checked against the file of its detail-type and of the major of its
`detail.schema_version` (no schema_version: major 1, as events emitted before versions were).

    python -m scripts.event_schemas event.json            # one event, or a JSON array of events
    python -m scripts.event_schemas a.json b.json -       # several files; - reads standard input

Each problem is printed as `FILE[#n] detail.field: what is wrong`; the exit code is 1 when an
event has a problem, 2 when a file cannot be read as JSON. In Python:

    from scripts.event_schemas import validate
    problems = validate(event)                            # [] when the event matches its schema
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "docs" / "events"
SOURCE = "research-report"
_FILE_NAME = re.compile(r"^(?P<detail_type>[A-Za-z]+)\.v(?P<major>[1-9][0-9]*)\.schema\.json$")
_SCHEMA_VERSION = re.compile(r"^(?P<major>[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


class SchemaFileError(ValueError):
    """A file in the schema folder is misnamed, is not a valid JSON Schema, or disagrees with its name."""


@cache
def load_schemas(directory: Path = SCHEMA_DIR) -> dict[tuple[str, int], dict[str, Any]]:
    """{(detail-type, major): schema} for every schema file in `directory`."""
    schemas: dict[tuple[str, int], dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        named = _FILE_NAME.match(path.name)
        if named is None:
            raise SchemaFileError(f"{path.name}: schema files are named <DetailType>.v<major>.schema.json")
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        detail_type, major = named.group("detail_type"), int(named.group("major"))
        declared = schema.get("properties", {})
        if declared.get("detail-type") != {"const": detail_type} or declared.get("source") != {"const": SOURCE}:
            raise SchemaFileError(f"{path.name}: its detail-type const must be {detail_type!r} and its source const {SOURCE!r}")
        if schema.get("$id") != f"urn:research-report:events:{detail_type}:v{major}":
            raise SchemaFileError(f"{path.name}: $id must be urn:research-report:events:{detail_type}:v{major}")
        schemas[(detail_type, major)] = schema
    return schemas


@cache
def _validator(detail_type: str, major: int, directory: Path) -> Draft202012Validator:
    return Draft202012Validator(load_schemas(directory)[(detail_type, major)])


def schema_for(event: Mapping[str, Any], directory: Path = SCHEMA_DIR) -> tuple[tuple[str, int] | None, list[str]]:
    """The (detail-type, major) whose schema `event` must match, or None with the reason why none applies."""
    if event.get("source") != SOURCE:
        return None, [f"source: {event.get('source')!r} is not {SOURCE!r}: not an event of this stack"]
    detail_type = event.get("detail-type")
    known = sorted({name for name, _ in load_schemas(directory)})
    if detail_type not in known:
        return None, [f"detail-type: {detail_type!r} has no schema (known: {', '.join(known)})"]
    detail = event.get("detail")
    version = detail.get("schema_version", "1.0") if isinstance(detail, Mapping) else "1.0"
    parsed = _SCHEMA_VERSION.match(version) if isinstance(version, str) else None
    if parsed is None:
        return None, [f"detail.schema_version: {version!r} is not MAJOR.MINOR"]
    major = int(parsed.group("major"))
    if (detail_type, major) not in load_schemas(directory):
        majors = sorted(m for name, m in load_schemas(directory) if name == detail_type)
        return None, [
            f"detail.schema_version: {detail_type} has no v{major} schema (known: {', '.join(f'v{m}' for m in majors)})"
        ]
    return (detail_type, major), []


def validate(event: Any, directory: Path = SCHEMA_DIR) -> list[str]:
    """Every way `event` (an EventBridge event as a target receives it) differs from its schema,
    as `path: message` lines in a stable order; empty when it matches."""
    if not isinstance(event, Mapping):
        return [f"an event is a JSON object, not {type(event).__name__}"]
    key, problems = schema_for(event, directory)
    if key is None:
        return problems
    errors = _validator(*key, directory).iter_errors(event)
    found = [(list(error.absolute_path), error.message) for error in errors]
    return [f"{_path(path)}: {message}" for path, message in sorted(found, key=lambda item: (list(map(str, item[0])), item[1]))]


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(event)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.event_schemas", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="a JSON event or array of events; - for standard input")
    args = parser.parse_args(argv)
    failed = False
    for name in args.files:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
            document = json.loads(text)
        except (OSError, ValueError) as error:
            print(f"{name}: cannot read a JSON document: {error}", file=sys.stderr)
            return 2
        events = document if isinstance(document, list) else [document]
        for index, event in enumerate(events, start=1):
            label = f"{name}[#{index}]" if isinstance(document, list) else name
            problems = validate(event)
            if problems:
                failed = True
                for problem in problems:
                    print(f"{label} {problem}")
            else:
                key, _ = schema_for(event)
                assert key is not None
                print(f"{label}: ok ({key[0]} v{key[1]})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
