"""The `federation-verify` command line."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main", "synthesize_config"]

_PROG = "federation-verify"
_NEEDS_REPOSITORY = "--config needs the federation-as-code repository; pass --assembly cdk.out instead"

_EPILOG = """\
exit codes:
  0  no drift: every provider and role of the selected stacks is as synthesized
  1  drift: a stack not deployed; a provider or role missing; client ids, SAML metadata, trust or session
     length differing; a provider existing outside the stack or a near-duplicate issuer; an expired
     SAML signing certificate
  2  usage, credentials, assembly or AWS errors (one line on stderr, no traceback)

Only read APIs are called (Get*, List*, Describe*, sts GetCallerIdentity); any other call is refused
by the clients themselves.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its help lists every option)."""
    parser = argparse.ArgumentParser(
        prog=_PROG, epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare a live AWS account with what the app synthesizes: stacks, OIDC and SAML providers, "
                    "role trusts and session lengths. Read-only.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--assembly", metavar="DIR", default="cdk.out",
                        help="the cloud assembly written by `cdk synth` / `make synth` (default: cdk.out)")
    source.add_argument("--config", metavar="FILE",
                        help="synthesize this config first (offline, in a temporary directory) and compare that; "
                             "needs this repository's stacks/ package")
    parser.add_argument("--account", metavar="ID",
                        help="the account to check; must be the credentials' account (a safety check). Stacks "
                             "bound to it, and environment-agnostic ones, are compared")
    parser.add_argument("--profile", metavar="NAME", help="AWS profile (default: the standard credential chain)")
    parser.add_argument("--region", metavar="REGION",
                        help="region of the stacks (default: each stack's region in the assembly, else the profile's)")
    parser.add_argument("--stack-set", action="store_true",
                        help="compare each StackSet's member template with its stack instances "
                             "(StackSet-<name>-*) in the account; automatic when the account has no stack of "
                             "the assembly but has such instances")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    return parser


def _import_stacks() -> tuple[Any, Any]:
    """`stacks.build.build_stacks` and `stacks.config.load_config`, from the repository (the current
    directory when it holds `stacks/`); raises ImportError when neither is available."""
    try:
        from stacks.build import build_stacks
        from stacks.config import load_config
    except ImportError:
        if not (Path.cwd() / "stacks" / "build.py").is_file():
            raise
        sys.path.insert(0, str(Path.cwd()))
        from stacks.build import build_stacks
        from stacks.config import load_config
    return build_stacks, load_config


def synthesize_config(config_path: str | Path, outdir: str | Path) -> Path:
    """Synthesize `config_path` into `outdir` (no rule packs, no CloudFormation validation); return it.

    Raises `UsageError` for a repository without `stacks/`, a bad config, or a refused value."""
    from federation_constructs.verify.run import UsageError

    try:
        build_stacks, load_config = _import_stacks()
    except ImportError:
        raise UsageError(_NEEDS_REPOSITORY) from None
    from aws_cdk import App

    from federation_constructs.errors import FederationError

    try:
        config = load_config(config_path)
        app = App(outdir=str(outdir), context={"aws:cdk:disable-stack-trace": True},
                  builtin_cloud_formation_validation=False)
        build_stacks(app, config)  # positional only: keeps working when it gains keyword arguments
        app.synth()
    except FederationError as err:
        raise UsageError(str(err)) from None
    except Exception as err:  # stacks.config.ConfigError and friends: a message for the user
        if type(err).__name__.endswith("ConfigError"):
            raise UsageError(str(err)) from None
        raise
    return Path(outdir)


@contextlib.contextmanager
def _assembly(args: argparse.Namespace) -> Iterator[tuple[Path, str]]:
    if args.config is None:
        yield Path(args.assembly), args.assembly
        return
    with tempfile.TemporaryDirectory(prefix="federation-verify-") as outdir:
        yield synthesize_config(args.config, outdir), f"{args.config} (synthesized)"


def _session(profile: str | None) -> Any:
    import boto3
    from botocore.exceptions import ProfileNotFound

    from federation_constructs.verify.run import UsageError

    try:
        return boto3.Session(profile_name=profile) if profile else boto3.Session()
    except ProfileNotFound as err:
        raise UsageError(f"{err}; name a profile of your AWS config (aws configure list-profiles)") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run `federation-verify`; return the exit code (0 no drift, 1 drift, 2 error)."""
    args = build_parser().parse_args(argv)
    from botocore.exceptions import BotoCoreError

    from federation_constructs.assembly import AssemblyError
    from federation_constructs.verify.clients import ReadOnlyViolation
    from federation_constructs.verify.live import LiveError
    from federation_constructs.verify.report import to_json, to_text
    from federation_constructs.verify.run import UsageError, verify

    try:
        session = _session(args.profile)
        with _assembly(args) as (directory, label):
            report = verify(assembly=directory, session=session, account=args.account, region=args.region,
                            stack_set=args.stack_set, label=label)
    except (UsageError, AssemblyError, LiveError, ReadOnlyViolation) as err:
        print(f"{_PROG}: {err}", file=sys.stderr)
        return 2
    except BotoCoreError as err:  # no region, no endpoint, expired token, ...
        print(f"{_PROG}: AWS call failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    output = to_json(report) if args.format == "json" else to_text(report)
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
