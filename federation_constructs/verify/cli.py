"""The `federation-verify` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main"]

_PROG = "federation-verify"

_EPILOG = """\
exit codes:
  0  no drift: every provider and role of the selected stacks is as synthesized
  1  drift: a stack not deployed; a provider or role missing; client ids, SAML metadata, trust or session
     length differing; a provider existing outside the stack or a near-duplicate issuer; an expired
     SAML signing certificate
  2  usage, credentials, assembly or AWS errors (one line on stderr, no traceback)

Only read APIs are called (Get*, List*, Describe*, sts GetCallerIdentity); any other call is refused
by the clients themselves. The assembly is what your app's `cdk synth` wrote: this tool never runs
an app (in the federation-as-code repository, `make verify CONFIG=... ARGS=...` synthesizes first).
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its help lists every option)."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare a live AWS account with what the app synthesizes: stacks, OIDC and SAML providers, "
        "role trusts and session lengths. Read-only.",
    )
    parser.add_argument(
        "--assembly",
        metavar="DIR",
        default="cdk.out",
        help="the cloud assembly written by `cdk synth` (default: cdk.out)",
    )
    parser.add_argument(
        "--account",
        metavar="ID",
        help="the account to check; must be the credentials' account (a safety check). Stacks "
        "bound to it, and environment-agnostic ones, are compared",
    )
    parser.add_argument("--profile", metavar="NAME", help="AWS profile (default: the standard credential chain)")
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="region of the stacks (default: each stack's region in the assembly, else the profile's)",
    )
    parser.add_argument(
        "--stack-set",
        action="store_true",
        help="compare each StackSet's member template with its stack instances "
        "(StackSet-<name>-*) in the account; automatic when the account has no stack of "
        "the assembly but has such instances",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    return parser


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
        report = verify(
            assembly=Path(args.assembly),
            session=session,
            account=args.account,
            region=args.region,
            stack_set=args.stack_set,
            label=args.assembly,
        )
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
