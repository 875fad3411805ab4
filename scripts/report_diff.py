#!/usr/bin/env python3
"""`make report BASE=<git ref>`: synthesize the access report of another commit and diff this
checkout's report (cdk.out/access-report.json, from `make synth`) against it.

The base commit is exported with `git archive` into a temporary directory (the work tree, the index
and the repository's worktree list are never touched) and synthesized by its own `app.py`, importing
its own code, with this checkout's venv and pinned CDK CLI. The temporary directory is removed
whatever happens. Then `federation_constructs.report.diff` (this checkout's) writes
cdk.out/access-diff.json and .md, and re-writes cdk.out/access-report.html with the diff.

Exit 0 when the diff was written (whatever it says), 2 with one message when it could not be: a
ref that is not a commit, a base that cannot be synthesized, a base older than the access report.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NODE_BIN = REPO / "node_modules" / ".bin"
#: how much of a failed base synthesis to show
TAIL_LINES = 25


class DiffError(Exception):
    """Something that stops the diff; the message says what and what to do."""


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)


def resolve(ref: str) -> str:
    """The full commit id of `ref`, or a DiffError naming it."""
    if not ref or ref.startswith("-"):
        raise DiffError(f"BASE={ref!r} is not accepted; expected a git branch, tag or commit, e.g. BASE=origin/main")
    found = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise DiffError(
            f"BASE={ref} is not a commit of this repository ({REPO}); expected a branch, tag or commit "
            "that `git rev-parse` knows, e.g. BASE=origin/main (run `git fetch` for a remote branch)"
        )
    return found.stdout.strip()


def head_label() -> str:
    """This checkout: its commit, and whether the work tree has uncommitted changes."""
    short = _git("rev-parse", "--short", "HEAD").stdout.strip() or "no commit"
    dirty = bool(_git("status", "--porcelain").stdout.strip())
    return f"working tree ({short}{' + uncommitted changes' if dirty else ''})"


def export(commit: str, ref: str, into: Path) -> None:
    """The files of `commit` into `into`, with `git archive` (no git state changes)."""
    archive = into.parent / "base.tar"
    made = _git("archive", "--format=tar", "-o", str(archive), commit)
    if made.returncode != 0:
        raise DiffError(f"BASE={ref}: git archive failed: {made.stderr.strip()}")
    into.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()


def _tool_env() -> dict[str, str]:
    """The environment of `make`: the pinned Node first; no PYTHONPATH, so the base imports its own code."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "CDK_OUTDIR", "CDK_CONTEXT_JSON")
    }
    env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    return env


def synth_base(source: Path, outdir: Path, *, ref: str, config: str) -> Path:
    """Synthesize the exported base; return its access-report.json."""
    if not (source / "app.py").is_file() or not (source / "cdk.json").is_file():
        raise DiffError(f"BASE={ref} has no app.py and cdk.json at the top: not a commit of this project")
    config_path = Path(config) if Path(config).is_absolute() else source / config
    if not config_path.is_file():
        raise DiffError(
            f"BASE={ref} has no config {config} (CONFIG={config}): the base is synthesized with its own "
            "copy of a relative CONFIG; give an absolute path to use one file for both sides"
        )
    env = _tool_env()
    where = subprocess.run(
        [sys.executable, "-c", "import federation_constructs; print(federation_constructs.__file__)"],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if where.returncode != 0 or not Path(where.stdout.strip()).resolve().is_relative_to(source.resolve()):
        raise DiffError(
            f"BASE={ref}: its app would not import its own federation_constructs "
            f"({(where.stdout or where.stderr).strip()}); is another copy installed in the venv?"
        )
    command = [
        str(NODE_BIN / "cdk"),
        "synth",
        "--quiet",
        "--no-notices",
        "-o",
        str(outdir),
        "-c",
        f"config={config_path}",
        "--app",
        f"{shlex.quote(sys.executable)} app.py",
    ]
    print(f"report: synthesizing BASE={ref} ({config})", file=sys.stderr)
    done = subprocess.run(command, cwd=source, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-TAIL_LINES:])
        raise DiffError(
            f"{tail}\n\nBASE={ref}: synthesizing the base commit failed (exit {done.returncode}; the end "
            f"of its output is above). That commit's own app could not synthesize {config}: e.g. it has "
            "findings it did not acknowledge, needs files that were never committed, or is too old for "
            "this checkout's venv and CDK CLI. Choose another base"
        )
    report = outdir / "access-report.json"
    if not report.is_file():
        raise DiffError(
            f"BASE={ref} predates the access report: its synthesis wrote no access-report.json; choose a newer base"
        )
    return report


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the temporary directory's clean-up


def main(argv: Sequence[str] | None = None) -> int:
    """Synthesize --base, diff --head against it; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="a git ref: branch, tag or commit")
    parser.add_argument("--config", default="examples/example.yaml", help="the config (relative: each side's own copy)")
    parser.add_argument("--head", default="cdk.out/access-report.json", help="this checkout's access report")
    parser.add_argument("--head-ref", default="", help="what the head is (default: this work tree and its commit)")
    parser.add_argument("--out-dir", default="cdk.out", help="where access-diff.json/.md go")
    parser.add_argument("--tmp-root", default=None, help="parent of the temporary directory (default: the system's)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    sys.path.insert(0, str(REPO))
    from federation_constructs.report.diff import ReportError, load_report
    from federation_constructs.report.diff import main as diff_main

    head = Path(args.head)
    try:
        load_report(head, label="head")
        commit = resolve(args.base)
        label = f"{args.base} ({commit[:7]})" if not commit.startswith(args.base) else commit[:7]
        with tempfile.TemporaryDirectory(prefix="access-diff-", dir=args.tmp_root) as tmp:
            source = Path(tmp) / "src"
            export(commit, args.base, source)
            base = synth_base(source, Path(tmp) / "cdk.out", ref=args.base, config=args.config)
            return diff_main(
                [
                    "--base",
                    str(base),
                    "--head",
                    str(head),
                    "--base-ref",
                    label,
                    "--head-ref",
                    args.head_ref or head_label(),
                    "--out-dir",
                    args.out_dir,
                ]
            )
    except (DiffError, ReportError) as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
