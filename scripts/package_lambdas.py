"""Build one deterministic zip per Lambda code package under dist/.

Each zip holds the package directory, the shared ``workflow_core`` package and what that code
package needs beside them (VENDORED): the agent its instructions (``agents/<role>/instructions.md``,
and the compliance agent's ``agents/compliance/policy.md``) and, with the indexer, the pure-Python ``lunr`` search library at the version requirements-dev.txt
pins. boto3 comes from the Lambda runtime and Powertools from its public layer. Entries are sorted
and carry a fixed timestamp and permissions, so unchanged code gives byte-identical zips.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.metadata
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_SRC = REPO_ROOT / "lambda_src"
SHARED_PACKAGE = "workflow_core"
CODE_PACKAGES = (
    "validate_input",
    "agent",
    "citation_check",
    "approval_request",
    "approval_callback",
    "publish",
    "on_failure",
    "document_indexer",
)
# Extra trees per code package: (archive prefix, directory). lunr is pure Python (stdlib only), so
# one copy serves both architectures and every Python runtime.
LUNR = "lunr"
VENDORED_LIBRARIES = {"agent": (LUNR,), "document_indexer": (LUNR,)}
AGENT_INSTRUCTIONS = REPO_ROOT / "agents"
FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold
FILE_MODE = 0o644 << 16
EXCLUDED_PARTS = {"__pycache__", ".pytest_cache"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}


@dataclass(frozen=True)
class BuiltZip:
    package: str
    path: Path
    size_bytes: int
    sha256: str


def pinned_version(distribution: str) -> str:
    """The version requirements-dev.txt pins, which must be the one installed (what gets vendored)."""
    requirements = (REPO_ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(distribution)}==(\S+)$", requirements, re.MULTILINE)
    if not found:
        raise ValueError(f"requirements-dev.txt pins no {distribution}")
    installed = importlib.metadata.version(distribution)
    if installed != found.group(1):
        raise RuntimeError(f"{distribution} {installed} is installed but {found.group(1)} is pinned: run make setup")
    return installed


def _library_roots(distribution: str) -> list[tuple[str, Path]]:
    """A pure-Python distribution's package directory and licence files, as (prefix, path)."""
    pinned_version(distribution)
    dist = importlib.metadata.distribution(distribution)
    package_dir = Path(str(dist.locate_file(distribution)))
    licences = [Path(str(dist.locate_file(f))) for f in dist.files or [] if "licen" in str(f).lower()]
    return [(distribution, package_dir)] + [(f"{distribution}-{dist.version}.dist-info/{p.name}", p) for p in licences]


def _tree(prefix: str, root: Path) -> list[tuple[str, Path]]:
    if root.is_file():
        return [(prefix, root)]
    if not root.is_dir():
        raise FileNotFoundError(f"missing Lambda source directory: {root}")
    files = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_dir() or EXCLUDED_PARTS.intersection(relative.parts) or path.suffix in EXCLUDED_SUFFIXES:
            continue
        files.append((f"{prefix}/{relative.as_posix()}", path))
    return files


def package_files(package: str, src: Path = LAMBDA_SRC) -> list[tuple[str, Path]]:
    """(archive name, file) pairs for a code package, the shared package and its extras, sorted."""
    roots = [(package, src / package), (SHARED_PACKAGE, src / SHARED_PACKAGE)]
    for distribution in VENDORED_LIBRARIES.get(package, ()):
        roots += _library_roots(distribution)
    if package == "agent":
        # Every role's instructions, and the documents an agent reads with them (the compliance
        # agent's policy): all Markdown under agents/.
        roots += [
            (f"agents/{path.relative_to(AGENT_INSTRUCTIONS).as_posix()}", path)
            for path in sorted(AGENT_INSTRUCTIONS.glob("*/*.md"))
        ]
    return sorted(file for prefix, root in roots for file in _tree(prefix, root))


def required_env(package: str, src: Path = LAMBDA_SRC) -> tuple[str, ...]:
    """A code package's REQUIRED_ENV, read from its handler's source (importing it would need them)."""
    tree = ast.parse((src / package / "handler.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", "") == "REQUIRED_ENV" for target in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise ValueError(f"{package}/handler.py defines no REQUIRED_ENV")


def build_zip(package: str, dist: Path, src: Path = LAMBDA_SRC) -> BuiltZip:
    dist.mkdir(parents=True, exist_ok=True)
    target = dist / f"{package}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in package_files(package, src):
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP)
            entry.external_attr = FILE_MODE
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes(), compresslevel=9)
    data = buffer.getvalue()
    if not target.is_file() or target.read_bytes() != data:
        # Whole or not at all: a reader (terraform, another test worker) never sees half a zip.
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        partial.write_bytes(data)
        partial.replace(target)
    return BuiltZip(package, target, len(data), hashlib.sha256(data).hexdigest())


def build_all(dist: Path, src: Path = LAMBDA_SRC) -> list[BuiltZip]:
    return [build_zip(package, dist, src) for package in CODE_PACKAGES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO_ROOT / "dist", help="output directory (default: dist/)")
    args = parser.parse_args(argv)
    for built in build_all(args.dist):
        print(
            f"{built.path.relative_to(REPO_ROOT) if built.path.is_relative_to(REPO_ROOT) else built.path}"
            f"  {built.size_bytes:>7,} bytes  sha256 {built.sha256[:16]}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
