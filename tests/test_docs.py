"""The README and docs/ say only what works: commands, options, links.

Every `make`, `federation-lint` and `federation-verify` command in a `sh`/`bash`/`shell`/`console`
block of README.md or docs/*.md is checked without running anything: a make target must exist and
`make -n` must accept the command line; a CLI's arguments must parse with the CLI's own parser. Every
relative link must resolve (headings included), the README stays a front page (at most 200 lines)
and links every docs page.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import re
import shlex
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
MAX_README_LINES = 200
SHELL_LANGS = {"sh", "bash", "shell", "console"}
LINT = ("federation-lint", ".venv/bin/federation-lint")
VERIFY = ("federation-verify", ".venv/bin/federation-verify")
# `python -m MODULE ...` forms of the same tools (and the access diff, documented beside them)
MODULES = {
    "federation_constructs.lint": "lint",
    "federation_constructs.verify": "verify",
    "federation_constructs.report.diff": "diff",
}


def doc_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence
    lang: str
    text: str


def code_blocks(path: Path) -> Iterator[Block]:
    """Fenced code blocks (``` or ~~~) with their info string's first word."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = re.match(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)", lines[i])
        if not opening:
            i += 1
            continue
        fence, start, body = opening.group(2), i + 1, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        i += 1
        yield Block(path, start, opening.group(3).lower(), "\n".join(body))


# --- shell command lines ---------------------------------------------------------------------


def _outside_quotes(line: str) -> Iterator[tuple[int, str, bool]]:
    """(index, character, whether it is outside quotes) for each character of `line`."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
            yield index, char, False
        elif char in "'\"":
            quote = char
            yield index, char, False
        else:
            yield index, char, True


def strip_comment(line: str) -> str:
    """`line` without a trailing ` # comment` (a `#` inside quotes is kept)."""
    if line.lstrip().startswith("#"):
        return ""
    for index, char, outside in _outside_quotes(line):
        if outside and char == "#" and index > 0 and line[index - 1].isspace():
            return line[:index].rstrip()
    return line.rstrip()


def split_chain(line: str) -> list[str]:
    """`a && b; c || d | e` -> [a, b, c, d, e] (separators inside quotes are kept)."""
    parts, current, skip = [], [], False
    for index, char, outside in _outside_quotes(line):
        if skip:
            skip = False
            continue
        if outside and line[index : index + 2] in ("&&", "||"):
            parts.append("".join(current))
            current, skip = [], True
        elif outside and char in ";|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def shell_lines(block: Block) -> Iterator[str]:
    """The logical command lines of a shell block: prompts stripped (console: `$ ` lines only),
    `\\` continuations joined, comments dropped."""
    pending = ""
    for raw in block.text.splitlines():
        if not pending and block.lang == "console":
            if not raw.startswith("$ "):
                continue
            raw = raw[2:]
        line = strip_comment(raw) if not raw.rstrip().endswith("\\") else raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.strip():
            yield line


@dataclass(frozen=True)
class Command:
    tool: str  # "make", "lint", "verify", "diff"
    argv: tuple[str, ...]  # the arguments after the program
    where: str  # file:line of the block


def classify(words: list[str]) -> tuple[str, list[str]] | None:
    """(tool, arguments) of a command this test checks, or None."""
    if not words:
        return None
    program, args = words[0], words[1:]
    if program == "make":
        return "make", args
    if program in LINT:
        return "lint", args
    if program in VERIFY:
        return "verify", args
    if program.endswith(("python", "python3")) and args[:1] == ["-m"] and len(args) > 1 and args[1] in MODULES:
        return MODULES[args[1]], args[2:]
    return None


def commands_in(text: str, lang: str = "sh", where: str = "<text>") -> list[Command]:
    found = []
    for line in shell_lines(Block(Path(where), 0, lang, text)):
        for part in split_chain(line):
            words = shlex.split(part)
            while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
                words = words[1:]  # `VAR=value make ...`: the environment, not the command
            kind = classify(words)
            if kind is not None:
                found.append(Command(kind[0], tuple(kind[1]), where))
    return found


def documented_commands() -> dict[tuple[str, tuple[str, ...]], list[str]]:
    """Each distinct checked command -> where it is documented."""
    found: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for path in doc_files():
        for block in code_blocks(path):
            if block.lang not in SHELL_LANGS:
                continue
            where = f"{path.relative_to(REPO)}:{block.line}"
            for command in commands_in(block.text, block.lang, where):
                found.setdefault((command.tool, command.argv), []).append(where)
    return found


# --- checkers: each returns None when the command is fine, else why not ---------------------------


@cache
def make_targets() -> frozenset[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return frozenset(re.findall(r"^([A-Za-z0-9][\w.-]*)\s*:(?!=)", text, re.MULTILINE))


def check_make(argv: tuple[str, ...]) -> str | None:
    targets = [a for a in argv if "=" not in a and not a.startswith("-")]
    if any(a.startswith("-") for a in argv):
        return f"make options are not documented here: {argv}"
    unknown = [t for t in targets if t not in make_targets()]
    if unknown:
        return f"no such make target: {', '.join(unknown)} (targets: {', '.join(sorted(make_targets()))})"
    result = subprocess.run(["make", "-n", *argv], cwd=REPO, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        return f"`make -n {shlex.join(argv)}` exits {result.returncode}: {result.stderr.strip()[-500:]}"
    return None


class _ParserFound(Exception):
    pass


def _parser_built_by(main: Callable[[list[str]], object], module: object) -> argparse.ArgumentParser:
    """The argparse parser a CLI's `main` builds, taken at its `parse_args` call (nothing after it
    runs): for CLIs that have no `build_parser()`."""
    built: list[argparse.ArgumentParser] = []

    class Capturing(argparse.ArgumentParser):
        def parse_args(self, *args: object, **kwargs: object) -> argparse.Namespace:  # type: ignore[override]
            built.append(self)
            raise _ParserFound

    real = module.argparse  # type: ignore[attr-defined]
    module.argparse = SimpleNamespace(**{**vars(argparse), "ArgumentParser": Capturing})  # type: ignore[attr-defined]
    try:
        main(["--help"])
    except _ParserFound:
        pass
    finally:
        module.argparse = real  # type: ignore[attr-defined]
    assert built, f"{module} main() built no argparse parser"
    return built[0]


@cache
def parser_for(tool: str) -> argparse.ArgumentParser:
    if tool == "verify":
        from federation_constructs.verify.cli import build_parser

        return build_parser()
    if tool == "lint":
        import federation_constructs.lint as lint

        build = getattr(lint, "build_parser", None)
        return build() if build is not None else _parser_built_by(lint.main, lint)
    if tool == "diff":
        import federation_constructs.report.diff as diff

        build = getattr(diff, "build_parser", None)
        return build() if build is not None else _parser_built_by(diff.main, diff)
    raise KeyError(tool)


def check_cli(tool: str, argv: tuple[str, ...]) -> str | None:
    parser = parser_for(tool)
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            argparse.ArgumentParser.parse_args(parser, list(argv))  # the real parser's own rules
    except SystemExit as exit_:
        return f"`{parser.prog} {shlex.join(argv)}` does not parse (exit {exit_.code}): {errors.getvalue().strip()}"
    return None


def check(tool: str, argv: tuple[str, ...]) -> str | None:
    return check_make(argv) if tool == "make" else check_cli(tool, argv)


COMMANDS = documented_commands()


def test_the_docs_show_commands_to_check():
    tools = {tool for tool, _ in COMMANDS}
    assert {"make", "lint", "verify"} <= tools, f"found only {sorted(tools)}"


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=lambda c: " ".join((c[0], *c[1]))[:80])
def test_documented_command_works(command):
    tool, argv = command
    problem = check(tool, argv)
    assert problem is None, f"{problem}\n  documented in: {', '.join(COMMANDS[command])}"


# --- the checker itself must be able to fail ----------------------------------------------------

SELF_TEST = """\
make synth CONFIG=prod.yaml && make no-such-target   # a comment
.venv/bin/federation-lint --format sarif -o lint.sarif t.json
federation-verify --config examples/example.yaml
make report \\
    BASE=origin/main; federation-lint --output 'a #b.sarif' t.json
"""


def test_commands_are_split_and_joined_as_a_shell_would():
    found = [(c.tool, c.argv) for c in commands_in(SELF_TEST)]
    assert found == [
        ("make", ("synth", "CONFIG=prod.yaml")),
        ("make", ("no-such-target",)),
        ("lint", ("--format", "sarif", "-o", "lint.sarif", "t.json")),
        ("verify", ("--config", "examples/example.yaml")),
        ("make", ("report", "BASE=origin/main")),
        ("lint", ("--output", "a #b.sarif", "t.json")),
    ]
    console = "$ make test PYTEST_ARGS='-k config'\nmake not-a-command-but-output\n"
    assert [(c.tool, c.argv) for c in commands_in(console, "console")] == [("make", ("test", "PYTEST_ARGS=-k config"))]


def test_bad_commands_are_caught():
    assert check("make", ("synth", "CONFIG=prod.yaml")) is None
    assert "no such make target" in (check("make", ("no-such-target",)) or "")
    assert check("lint", ("--format", "sarif", "--output", "lint.sarif", "t.json")) is None
    assert "does not parse" in (check("lint", ("--format", "sarif", "-o", "lint.sarif", "t.json")) or "")
    assert "does not parse" in (check("lint", ("--format", "xml", "t.json")) or "")
    assert check("verify", ("--profile", "prod", "--format", "json")) is None
    assert "does not parse" in (check("verify", ("--config", "examples/example.yaml")) or "")


# --- the README as a front page, and links ------------------------------------------------------


def test_readme_is_a_front_page():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines; at most {MAX_README_LINES}"


def _links(path: Path) -> Iterator[tuple[int, str]]:
    """(line, target) of every inline Markdown link outside code blocks and code spans."""
    in_code = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(r"^\s*(`{3,}|~{3,})", line):
            in_code = not in_code
            continue
        if in_code:
            continue
        for match in re.finditer(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", re.sub(r"`[^`]*`", "``", line)):
            yield number, match.group(1)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s*(`{3,}|~{3,})", line):
            in_code = not in_code
        elif not in_code and (heading := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)):
            slug, n = _slug(heading.group(1)), 1
            while slug in found:
                slug = f"{_slug(heading.group(1))}-{n}"
                n += 1
            found.add(slug)
    return found


def broken_links(path: Path) -> list[str]:
    """Relative links of `path` to a file that does not exist, or to a heading it does not have."""
    broken = []
    for number, target in _links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
            continue
        file_part, _, fragment = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            broken.append(f"{path.name}:{number}: {target} (no such file)")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            broken.append(f"{path.name}:{number}: {target} (no heading #{fragment} in {resolved.name})")
    return broken


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(path):
    broken = broken_links(path)
    assert not broken, "\n".join(broken)


def test_broken_links_are_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# A page: `make report BASE=<ref>`\n\n## Second\n\n"
        "[ok](#a-page-make-report-baseref) [ok](page.md#second) [web](https://example.com/x)\n"
        "[gone](missing.md) [no heading](#third) `[in code](missing.md)`\n"
        "```\n[in a block](missing.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "page.md:6: missing.md (no such file)",
        "page.md:6: #third (no heading #third in page.md)",
    ]


def test_readme_links_every_docs_page_and_only_existing_ones():
    pages = {p.name for p in DOCS.glob("*.md")}
    linked = {Path(t.partition("#")[0]).name for _, t in _links(README) if t.startswith("docs/")}
    assert pages, "docs/ has no pages"
    assert not linked - pages, f"README links missing docs pages: {sorted(linked - pages)}"
    assert not pages - linked, f"docs pages the README does not link: {sorted(pages - linked)}"


def test_python_examples_are_python():
    problems = []
    for path in doc_files():
        for block in code_blocks(path):
            if block.lang in ("python", "py"):
                try:
                    ast.parse(block.text)
                except SyntaxError as err:
                    problems.append(f"{path.relative_to(REPO)}:{block.line + (err.lineno or 0)}: {err.msg}")
    assert not problems, "\n".join(problems)


def test_rule_pack_page_lists_every_rule_with_its_level():
    from federation_constructs.rules import RULES

    text = (DOCS / "rule-pack.md").read_text(encoding="utf-8")
    missing = [f"{r.id} ({r.level})" for r in RULES if f"| {r.id} | {r.level} |" not in text]
    assert not missing, f"docs/rule-pack.md lacks: {', '.join(missing)}"
