"""Lambda zips are deterministic and hold only our code."""

from __future__ import annotations

import hashlib
import zipfile

from scripts import package_lambdas


def test_two_builds_of_unchanged_code_are_byte_identical(tmp_path):
    first = package_lambdas.build_all(tmp_path / "a")
    second = package_lambdas.build_all(tmp_path / "b")
    assert [z.sha256 for z in first] == [z.sha256 for z in second]
    for built in first:
        assert hashlib.sha256(built.path.read_bytes()).hexdigest() == built.sha256


def test_a_code_change_changes_only_that_zip(tmp_path):
    src = tmp_path / "src"
    for package in ("publish", "agent", "workflow_core"):
        (src / package).mkdir(parents=True)
        (src / package / "__init__.py").write_text("")
        (src / package / "handler.py").write_text(f"NAME = {package!r}\n")
    before = {p: package_lambdas.build_zip(p, tmp_path / "d1", src).sha256 for p in ("publish", "agent")}
    (src / "publish" / "handler.py").write_text("NAME = 'changed'\n")
    after = {p: package_lambdas.build_zip(p, tmp_path / "d2", src).sha256 for p in ("publish", "agent")}
    assert before["agent"] == after["agent"]
    assert before["publish"] != after["publish"]


def test_zips_hold_the_package_and_shared_code_only_sorted_with_fixed_metadata(tmp_path):
    for built in package_lambdas.build_all(tmp_path):
        with zipfile.ZipFile(built.path) as archive:
            entries = archive.infolist()
        names = [entry.filename for entry in entries]
        assert names == sorted(names)
        assert f"{built.package}/handler.py" in names
        assert "workflow_core/__init__.py" in names
        vendored = {"agents"} if built.package == "agent" else set()
        for distribution in package_lambdas.VENDORED_LIBRARIES.get(built.package, ()):
            vendored |= {distribution, f"{distribution}-{package_lambdas.pinned_version(distribution)}.dist-info"}
        assert {name.split("/")[0] for name in names} == {built.package, "workflow_core"} | vendored
        assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
        assert {entry.date_time for entry in entries} == {package_lambdas.FIXED_TIMESTAMP}
        assert {entry.external_attr >> 16 for entry in entries} == {0o644}


def test_cache_directories_are_left_out(tmp_path):
    src = tmp_path / "src"
    for package in ("publish", "workflow_core"):
        (src / package / "__pycache__").mkdir(parents=True)
        (src / package / "__init__.py").write_text("")
        (src / package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    built = package_lambdas.build_zip("publish", tmp_path / "dist", src)
    with zipfile.ZipFile(built.path) as archive:
        assert archive.namelist() == ["publish/__init__.py", "workflow_core/__init__.py"]


# Written out, not read from lambda_src/: a file that starts shipping (a test double, a local
# backend, a fixture) must be a deliberate change to this list.
SHARED_FILES = [
    "workflow_core/__init__.py",
    "workflow_core/agents/__init__.py",
    "workflow_core/agents/_errors.py",
    "workflow_core/agents/bedrock.py",
    "workflow_core/agents/converse.py",
    "workflow_core/artifacts.py",
    "workflow_core/config.py",
    "workflow_core/documents.py",
    "workflow_core/errors.py",
    "workflow_core/events.py",
    "workflow_core/observability.py",
    "workflow_core/review.py",
    "workflow_core/roles.py",
    "workflow_core/signing.py",
    "workflow_core/store.py",
    "workflow_core/tools.py",
]
# What a code package ships beside its handler and the shared package.
AGENT_INSTRUCTIONS = [
    "agents/compliance/instructions.md",
    "agents/compliance/policy.md",
    *(f"agents/{role}/instructions.md" for role in ("reviser", "search", "summary", "writer")),
]


def test_each_zip_holds_exactly_its_handler_the_shared_package_and_what_it_vendors(tmp_path):
    built = package_lambdas.build_all(tmp_path)
    assert [z.package for z in built] == list(package_lambdas.CODE_PACKAGES)
    for package in built:
        with zipfile.ZipFile(package.path) as archive:
            names = archive.namelist()
        own = [f"{package.package}/__init__.py", f"{package.package}/handler.py"]
        extra = AGENT_INSTRUCTIONS if package.package == "agent" else []
        lunr = [name for name in names if name.startswith(("lunr/", "lunr-"))]
        assert names == sorted(own + extra + SHARED_FILES + lunr)
        if package.package in ("agent", "document_indexer"):
            assert "lunr/__init__.py" in lunr and "lunr-0.8.0.dist-info/LICENSE" in lunr
        else:
            assert lunr == []


def test_the_vendored_search_library_is_the_pinned_one_and_imports_only_the_standard_library(tmp_path):
    import ast
    import sys

    (built,) = [z for z in package_lambdas.build_all(tmp_path) if z.package == "document_indexer"]
    with zipfile.ZipFile(built.path) as archive:
        sources = {name: archive.read(name) for name in archive.namelist() if name.startswith("lunr/") and name.endswith(".py")}
    imported = set()
    for source in sources.values():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    # nltk is imported lazily, only for non-English languages the index does not use.
    assert imported - set(sys.stdlib_module_names) - {"lunr", "nltk"} == set()
    assert package_lambdas.pinned_version("lunr") == "0.8.0"
