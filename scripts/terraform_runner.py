"""Terraform for every root of this repository: install providers, fmt, validate, `terraform test`.

Roots are terraform/ (the stack), each modules/<name>/ and each examples/<name>/ holding .tf files.
Providers come from the registry on a normal machine, or from a local filesystem mirror where one
exists: TF_PROVIDER_MIRROR=<dir> names it, otherwise Terraform's own plugin directories and a few
usual install places are searched. The CLI configuration this writes lives in .terraform-cli/
(ignored), never in your home; every command here runs Terraform with it.

  python -m scripts.terraform_runner init            # every root: terraform init -backend=false
  python -m scripts.terraform_runner fmt             # terraform fmt -check -recursive
  python -m scripts.terraform_runner validate        # every root
  python -m scripts.terraform_runner test            # every suite; prints run counts
  python -m scripts.terraform_runner test modules/budget terraform
  python -m scripts.terraform_runner coverage        # every validation/pre-/postcondition/check has its failing run
  python -m scripts.terraform_runner mutate modules/budget   # delete each rule in turn: its suite must fail

A missing Terraform, one older than the minimum, or a provider that cannot be installed ends the
command with one line saying what to install (exit 2).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CLI_DIR = REPO_ROOT / ".terraform-cli"
CLI_CONFIG = CLI_DIR / "config.tfrc"
PLUGIN_CACHE = CLI_DIR / "plugin-cache"
MINIMUM_TERRAFORM = (1, 9, 0)
INSTALL_HINT = "install Terraform >= 1.9 (https://developer.hashicorp.com/terraform/install) and check with `terraform version`"
PROVIDERS = ("registry.terraform.io/hashicorp/aws",)
FORMATTED_DIRS = ("terraform", "modules", "examples", "envs", "tests")
ENVIRONMENTS = ("pilot", "team", "bu")
# Root-stack suites named after an environment run with that environment's tfvars; every other
# suite of the root stack runs with this one's, as its baseline.
BASELINE_ENVIRONMENT = "pilot"
# Where a filesystem mirror is looked for when TF_PROVIDER_MIRROR is not set: Terraform's implicit
# plugin directories (Linux and macOS), then the places packagers put shared files.
IMPLICIT_MIRRORS = (
    "~/.terraform.d/plugins",
    "${XDG_DATA_HOME}/terraform/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)
SEARCH_ROOTS = ("/opt", "/usr/local/share", "/usr/local/lib", "/usr/share", "/srv")
SEARCH_DEPTH = 3


class TerraformUnavailable(RuntimeError):
    """Terraform or its providers cannot be used here; the message says what to install."""


# --- finding Terraform and a provider mirror ------------------------------------------------


def terraform_binary() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        raise TerraformUnavailable(f"terraform not found on PATH: {INSTALL_HINT}")
    try:
        shown = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, timeout=60, check=True)
        version = json.loads(shown.stdout)["terraform_version"]
    except (subprocess.SubprocessError, ValueError, KeyError) as error:
        raise TerraformUnavailable(f"`terraform version` failed ({error}): {INSTALL_HINT}") from None
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    if numbers < MINIMUM_TERRAFORM:
        raise TerraformUnavailable(f"terraform {version} is older than 1.9: {INSTALL_HINT}")
    return binary


def _platform() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{platform.system().lower()}_{arch}"


def _holds_providers(directory: Path) -> bool:
    """A mirror in Terraform's unpacked or packed layout that has every provider for this platform."""
    for provider in PROVIDERS:
        base = directory / provider
        unpacked = any(base.glob(f"*/{_platform()}/terraform-provider-*"))
        packed = any(base.glob(f"terraform-provider-*_{_platform()}.zip"))
        if not (unpacked or packed):
            return False
    return True


def find_mirror() -> Path | None:
    """TF_PROVIDER_MIRROR if set (it must hold the providers), else the first mirror found by looking."""
    named = os.environ.get("TF_PROVIDER_MIRROR")
    if named:
        mirror = Path(named).expanduser()
        if not _holds_providers(mirror):
            raise TerraformUnavailable(
                f"TF_PROVIDER_MIRROR={named} holds no {', '.join(PROVIDERS)} for {_platform()}: "
                "point it at a `terraform providers mirror` directory, or unset it to use the registry"
            )
        return mirror.resolve()
    for candidate in IMPLICIT_MIRRORS:
        expanded = Path(os.path.expandvars(os.path.expanduser(candidate)))
        if "$" not in str(expanded) and _holds_providers(expanded):
            return expanded.resolve()
    for root in SEARCH_ROOTS:
        found = _search(Path(root), SEARCH_DEPTH)
        if found:
            return found
    return None


def _search(directory: Path, depth: int) -> Path | None:
    if depth < 0 or not directory.is_dir():
        return None
    if (directory / "registry.terraform.io").is_dir():
        return directory.resolve() if _holds_providers(directory) else None
    try:
        children = sorted(child for child in directory.iterdir() if child.is_dir() and not child.is_symlink())
    except OSError:
        return None
    for child in children:
        found = _search(child, depth - 1)
        if found:
            return found
    return None


def cli_config_text(mirror: Path | None) -> str:
    """A CLI configuration: providers from `mirror` (others from the registry), or all from the
    registry through a shared plugin cache so each root does not download them again."""
    if mirror is None:
        return (
            "# Written by scripts/terraform_runner.py: providers from the registry, cached once for every root.\n"
            f'plugin_cache_dir = "{PLUGIN_CACHE.as_posix()}"\n'
        )
    included = ", ".join(f'"{p}"' for p in PROVIDERS)
    return (
        "# Written by scripts/terraform_runner.py: providers from the local filesystem mirror found here.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror.as_posix()}"\n'
        f"    include = [{included}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{included}]\n"
        "  }\n"
        "}\n"
    )


def write_cli_config() -> tuple[Path, Path | None]:
    mirror = find_mirror()
    CLI_DIR.mkdir(exist_ok=True)
    PLUGIN_CACHE.mkdir(exist_ok=True)
    text = cli_config_text(mirror)
    if not CLI_CONFIG.is_file() or CLI_CONFIG.read_text(encoding="utf-8") != text:
        CLI_CONFIG.write_text(text, encoding="utf-8")
    return CLI_CONFIG, mirror


def environment(cli_config: Path = CLI_CONFIG) -> dict[str, str]:
    """The process environment for Terraform commands of this repository."""
    env = dict(os.environ)
    env.update({"TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
    return env


# --- roots and commands ---------------------------------------------------------------------


def roots() -> list[Path]:
    """Every directory Terraform runs in: the stack, each module, each HCL example."""
    found = [REPO_ROOT / "terraform"]
    found += sorted(p for p in (REPO_ROOT / "modules").iterdir() if any(p.glob("*.tf")))
    found += sorted(p for p in (REPO_ROOT / "examples").iterdir() if p.is_dir() and any(p.glob("*.tf")))
    return found


def relative(path: Path) -> str:
    """Repository-relative for display; a scratch copy (mutation) shows as it is."""
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else path.as_posix()


def resolve_roots(names: Sequence[str]) -> list[Path]:
    if not names:
        return roots()
    known = {relative(root): root for root in roots()}
    chosen = []
    for name in names:
        key = name.rstrip("/")
        if key not in known:
            raise SystemExit(f"error: {name} is not a Terraform root here (known: {', '.join(known)})")
        chosen.append(known[key])
    return chosen


@dataclass
class Outcome:
    root: Path
    label: str
    ok: bool
    output: str
    seconds: float
    passed: int = 0
    failed: int = 0


def run_terraform(
    args: Sequence[str], cwd: Path, timeout: float = 900, shared_provider: bool = False
) -> subprocess.CompletedProcess:
    env = environment()
    if shared_provider and _reattach:
        env["TF_REATTACH_PROVIDERS"] = _reattach
    return subprocess.run(
        [terraform_binary(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


# While set: the provider process every mocked suite and validate attaches to (see shared_provider).
_reattach: str | None = None
_REATTACH_LINE = re.compile(r"TF_REATTACH_PROVIDERS='(?P<value>\{.*\})'")


@contextlib.contextmanager
def shared_provider(root: Path, startup_seconds: float = 60.0):
    """One AWS provider process for every `terraform test` and `validate` of this command.

    Under mock_provider, Terraform asks the real provider only for its schema and for config
    validation, yet starts the ~700 MB plugin afresh for every run (0.2 s each, and there are
    hundreds of runs). Terraform's TF_REATTACH_PROVIDERS lets every command attach to one provider
    started in debug mode instead. Never used for plan/apply against an endpoint: a configured
    provider must not be shared. If the provider does not start, each command starts its own."""
    global _reattach
    binaries = sorted(
        (root / ".terraform" / "providers").glob(f"registry.terraform.io/hashicorp/aws/*/{_platform()}/terraform-provider-aws*")
    )
    if not binaries:
        yield
        return
    with tempfile.TemporaryFile(mode="w+") as output:
        process = subprocess.Popen([str(binaries[-1]), "-debug"], stdout=output, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + startup_seconds
            while _reattach is None and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
                output.seek(0)
                match = _REATTACH_LINE.search(output.read())
                _reattach = match.group("value") if match else None
            yield
        finally:
            _reattach = None
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _init_stamp(root: Path) -> str:
    """What an init depends on: the CLI config and every .tf file (module sources, provider ranges)."""
    digest = hashlib.sha256(CLI_CONFIG.read_bytes())
    for path in sorted(root.glob("*.tf")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def init_root(root: Path, force: bool = False) -> Outcome:
    stamp_file = root / ".terraform" / "init.stamp"
    stamp = _init_stamp(root)
    if not force and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return Outcome(root, "init", True, "up to date", 0.0)
    started = time.monotonic()
    result = run_terraform(["init", "-backend=false", "-input=false", "-no-color"], root)
    ok = result.returncode == 0
    if ok:
        stamp_file.write_text(stamp)
    return Outcome(root, "init", ok, result.stdout + result.stderr, time.monotonic() - started)


def init_all(selected: Sequence[Path], force: bool = False) -> list[Outcome]:
    """Init every root. From a mirror the roots only link the provider, so two run at once; from
    the registry they share the plugin cache, which is not safe for concurrent writers: one at a time."""
    _, mirror = write_cli_config()
    jobs = 2 if mirror else 1
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(lambda root: init_root(root, force), selected))
    failed = [o for o in outcomes if not o.ok]
    if failed:
        source = f"the mirror {mirror}" if mirror else "registry.terraform.io"
        first = failed[0]
        raise TerraformUnavailable(
            f"terraform init failed in {relative(first.root)}: the hashicorp/aws provider could not be installed from {source}; "
            "connect to the registry or set TF_PROVIDER_MIRROR=<dir of a `terraform providers mirror`>\n" + _tail(first.output)
        )
    return outcomes


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


_SUMMARY = re.compile(r"(Success|Failure)! (\d+) passed, (\d+) failed")


@dataclass(frozen=True)
class Suite:
    """One `terraform test` invocation: a root, optionally one file and one tfvars file."""

    root: Path
    test_file: str | None = None
    var_file: Path | None = None

    @property
    def label(self) -> str:
        name = relative(self.root) + (f" {self.test_file}" if self.test_file else "")
        return name + (f" ({self.var_file.stem})" if self.var_file else "")

    def args(self) -> list[str]:
        args = ["test", "-no-color"]
        if self.test_file:
            args.append(f"-filter={self.test_file}")
        if self.var_file:
            args.append(f"-var-file={os.path.relpath(self.var_file, self.root)}")
        return args


def _var_file(root: Path, test_file: str) -> Path | None:
    """The tfvars a root-stack suite runs with: its environment's if named after one, else the baseline's."""
    if root != REPO_ROOT / "terraform":
        return None
    env = Path(test_file).name.removesuffix(".tftest.hcl")
    return REPO_ROOT / "envs" / f"{env if env in ENVIRONMENTS else BASELINE_ENVIRONMENT}.tfvars"


def suites(root: Path, only: Iterable[str] | None = None) -> list[Suite]:
    """The root stack's env-named suites run with that env's tfvars, its others with the baseline's;
    a module or example runs all its suites in one invocation (or the files in `only`, one each)."""
    files = sorted(f"tests/{path.name}" for path in root.glob("tests/*.tftest.hcl"))
    if only is not None:
        return [Suite(root, name, _var_file(root, name)) for name in files if name in set(only)]
    if _var_file(root, "tests/x.tftest.hcl") is None:
        return [Suite(root)] if files else []
    return [Suite(root, name, _var_file(root, name)) for name in files]


def run_suite(suite: Suite) -> Outcome:
    started = time.monotonic()
    result = run_terraform(suite.args(), suite.root, shared_provider=True)
    output = result.stdout + result.stderr
    match = ([None] + list(_SUMMARY.finditer(output)))[-1]  # the last summary line is the suite's
    passed, failed = (int(match.group(2)), int(match.group(3))) if match else (0, 0)
    ok = result.returncode == 0 and match is not None and match.group(1) == "Success" and passed > 0
    return Outcome(suite.root, suite.label, ok, output, time.monotonic() - started, passed, failed)


def run_parallel(function, items: Iterable, jobs: int) -> list:
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(function, items))


def validate_root(root: Path) -> Outcome:
    started = time.monotonic()
    result = run_terraform(["validate", "-no-color"], root, shared_provider=True)
    return Outcome(root, "validate", result.returncode == 0, result.stdout + result.stderr, time.monotonic() - started)


def test_roots(selected: Sequence[Path], jobs: int) -> bool:
    """Every suite of the roots; `terraform test` validates the configuration it tests, so only a
    root without a suite gets `terraform validate`, and no root goes unchecked."""
    untested = [root for root in selected if not suites(root)]
    ok = report(run_parallel(validate_root, untested, jobs), "validate") if untested else True
    planned = [suite for root in selected for suite in suites(root)]
    return report(run_parallel(run_suite, planned, jobs), "terraform test", counts=True) and ok


def report(outcomes: Sequence[Outcome], what: str, counts: bool = False) -> bool:
    for outcome in outcomes:
        mark = "ok  " if outcome.ok else "FAIL"
        detail = f"{outcome.passed} passed, {outcome.failed} failed" if counts else ""
        print(f"  {mark} {outcome.label if counts else relative(outcome.root):58} {detail:24} {outcome.seconds:5.1f} s")
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        print(f"\n--- {what} failed: {outcome.label if counts else relative(outcome.root)} (Terraform's output) ---")
        print(outcome.output.rstrip())
    if counts:
        print(
            f"terraform test: {sum(o.passed for o in outcomes)} runs passed, {sum(o.failed for o in outcomes)} failed, "
            f"in {len(outcomes)} suites"
        )
    return not failed


# --- which rules have failing runs (coverage) and whether each is needed (mutation) -----------


@dataclass(frozen=True)
class Rule:
    """A validation, precondition, postcondition or check assertion, and the object a failing run names."""

    root: Path
    file: Path
    kind: str  # validation | precondition | postcondition | check
    target: str  # what expect_failures names: var.x, aws_x.y, output.z, check.c
    index: int  # its position among the rules of the same kind in `file` (for mutation)

    def __str__(self) -> str:
        return f"{relative(self.file)}: {self.kind} of {self.target}"


_BLOCK_HEADER = re.compile(
    r'^(?P<indent>\s*)(?P<type>variable|resource|data|output|check)\s+"(?P<a>[^"]+)"(?:\s+"(?P<b>[^"]+)")?\s*\{'
)
_RULE_HEADER = re.compile(r"^(?P<indent>\s*)(?P<kind>validation|precondition|postcondition|assert)\s*\{\s*$")


def rule_spans(path: Path) -> list[tuple[Rule, int, int]]:
    """Rules of one `terraform fmt`-formatted file with their line spans [start, end].

    Formatting is enforced (fmt -check), so a block closes on the first line holding only `}` at
    its own indentation: no HCL evaluation, only where blocks begin and end."""
    lines = path.read_text(encoding="utf-8").splitlines()
    spans: list[tuple[Rule, int, int]] = []
    owner = None
    counters: dict[str, int] = {}
    for number, line in enumerate(lines):
        header = _BLOCK_HEADER.match(line)
        if header and not header.group("indent"):
            kind, a, b = header.group("type"), header.group("a"), header.group("b")
            owner = {
                "variable": f"var.{a}",
                "resource": f"{a}.{b}",
                "data": f"data.{a}.{b}",
                "output": f"output.{a}",
                "check": f"check.{a}",
            }[kind]
            continue
        rule = _RULE_HEADER.match(line)
        if rule and owner:
            kind = {"assert": "check"}.get(rule.group("kind"), rule.group("kind"))
            if kind == "check" and not owner.startswith("check."):
                continue  # an assert inside a test or elsewhere is not a configuration rule
            closing = rule.group("indent") + "}"
            end = next(i for i in range(number + 1, len(lines)) if lines[i] == closing)
            index = counters.get(kind, 0)
            counters[kind] = index + 1
            spans.append((Rule(path.parent, path, kind, owner, index), number, end))
    return spans


def rules(root: Path) -> list[Rule]:
    return [rule for path in sorted(root.glob("*.tf")) for rule, _, _ in rule_spans(path)]


_EXPECT = re.compile(r"expect_failures\s*=\s*\[(?P<items>(?:[^\[\]]|\[[^\]]*\])*)\]", re.S)


def _expectations(path: Path) -> list[str]:
    """The objects each run of one test file expects to fail (aws_x.y["key"] names aws_x.y)."""
    found = []
    for match in _EXPECT.finditer(path.read_text(encoding="utf-8")):
        for item in re.split(r"[,\s]+", match.group("items")):
            item = re.sub(r"\[[^\]]*\]$", "", item.strip())
            if item:
                found.append(item)
    return found


def expected_failures(root: Path) -> dict[str, int]:
    """How many runs of the root's suites expect each object to fail."""
    counts: dict[str, int] = {}
    for path in sorted(root.glob("tests/*.tftest.hcl")):
        for item in _expectations(path):
            counts[item] = counts.get(item, 0) + 1
    return counts


def files_expecting(root: Path, target: str) -> list[str]:
    return [f"tests/{p.name}" for p in sorted(root.glob("tests/*.tftest.hcl")) if target in _expectations(p)]


def uncovered(root: Path) -> list[str]:
    """Objects with fewer failing runs than rules: each rule needs a run of its own."""
    needed: dict[str, int] = {}
    for rule in rules(root):
        needed[rule.target] = needed.get(rule.target, 0) + 1
    have = expected_failures(root)
    return [
        f"{relative(root)}: {target} has {count} rule(s) but {have.get(target, 0)} failing run(s)"
        for target, count in sorted(needed.items())
        if have.get(target, 0) < count
    ]


def mutate(root: Path, jobs: int) -> list[tuple[Rule, bool, str]]:
    """Delete each rule of `root` in turn (in a scratch copy of the repository's Terraform) and run
    the root's suites: a suite that still passes does not need that rule, so no run proves it."""
    with tempfile.TemporaryDirectory(prefix="tf-mutate-") as scratch:
        copy = Path(scratch)
        for name in ("terraform", "modules", "examples", "envs", "agents", "dist", "tests/terraform/mocks"):
            if (REPO_ROOT / name).exists():
                shutil.copytree(REPO_ROOT / name, copy / name, symlinks=True)
        copied_root = copy / relative(root)
        plans = [(path, rule, start, end) for path in sorted(root.glob("*.tf")) for rule, start, end in rule_spans(path)]

        def one(plan) -> tuple[Rule, bool, str]:
            path, rule, start, end = plan
            target = copied_root / path.name
            original = path.read_text(encoding="utf-8").splitlines(keepends=True)
            # Each mutant in its own copy of the root, so two can run at once.
            mutant_root = Path(tempfile.mkdtemp(dir=copied_root.parent, prefix=f"{root.name}-mutant-"))
            shutil.rmtree(mutant_root)
            shutil.copytree(copied_root, mutant_root, symlinks=True)
            (mutant_root / target.name).write_text("".join(original[:start] + original[end + 1 :]), encoding="utf-8")
            # The files that expect this rule to fail must now fail; with none, every suite is a candidate.
            expecting = files_expecting(root, rule.target) or None
            outcomes = [run_suite(Suite(mutant_root, s.test_file, s.var_file)) for s in suites(root, expecting)]
            shutil.rmtree(mutant_root)
            caught = any(not o.ok for o in outcomes)
            return rule, caught, "" if caught else "; ".join(o.label for o in outcomes)

        return run_parallel(one, plans, jobs)


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.terraform_runner", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("init", "fmt", "validate", "test", "coverage", "mutate", "config"))
    parser.add_argument("roots", nargs="*", help="roots relative to the repository (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="suites run at once (default: 2)")
    parser.add_argument("--force", action="store_true", help="init again even if nothing changed")
    args = parser.parse_args(argv)
    try:
        selected = resolve_roots(args.roots)
        if args.command == "config":
            path, mirror = write_cli_config()
            print(f"{path} ({'providers from ' + str(mirror) if mirror else 'providers from the registry'})")
            return 0
        if args.command == "coverage":
            problems = [line for root in selected for line in uncovered(root)]
            total = sum(len(rules(root)) for root in selected)
            for line in problems:
                print(f"  uncovered: {line}")
            print(f"terraform rules: {total} validations/conditions/checks, {len(problems)} without a failing run of their own")
            return 1 if problems else 0
        if args.command == "fmt":
            # The repository's own HCL only: out/ holds generated roots (the embedded account's overrides).
            targets = [name for name in FORMATTED_DIRS if (REPO_ROOT / name).is_dir()]
            result = run_terraform(["fmt", "-check", "-recursive", "-diff", "-no-color", *targets], REPO_ROOT)
            print(result.stdout + result.stderr if result.returncode else "terraform fmt: every file formatted")
            return 0 if result.returncode == 0 else 1
        started = time.monotonic()
        init_all(selected, force=args.force)
        if args.command == "init":
            print(f"terraform init: {len(selected)} roots ready in {time.monotonic() - started:.1f} s")
            return 0
        with shared_provider(selected[0]):
            if args.command == "validate":
                ok = report(run_parallel(validate_root, selected, args.jobs), "validate")
                print(f"terraform validate: {len(selected)} roots in {time.monotonic() - started:.1f} s")
                return 0 if ok else 1
            if args.command == "test":
                ok = test_roots(selected, args.jobs)
                print(f"terraform test: wall time {time.monotonic() - started:.1f} s with {args.jobs} at once")
                return 0 if ok else 1
            survivors = 0
            for root in selected:
                for rule, caught, where in mutate(root, args.jobs):
                    survivors += not caught
                    print(f"  {'killed  ' if caught else 'SURVIVED'} {rule}" + (f" (still passing: {where})" if where else ""))
            print(f"mutation: {survivors} rule(s) whose deletion no suite noticed, in {time.monotonic() - started:.1f} s")
            return 1 if survivors else 0
    except TerraformUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
