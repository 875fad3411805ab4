"""The `federation-audit` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main"]

_PROG = "federation-audit"

_EPILOG = """\
exit codes:
  0  no error-level finding in any audited account
  1  an error-level finding (a door that admits more than it should, or a trust that can never be used)
  2  credentials, usage or AWS errors (one line on stderr, no traceback); with many accounts, also when
     an account could not be audited and no error-level finding was made (the report lists it)

Only read APIs are called (Get*, List*, Describe*, sts GetCallerIdentity); any other call is refused by
the clients themselves. The one exception is sts AssumeRole with --role-name, which only starts a
session of the named audit role. Give the credentials (or the audit role) the AWS managed policy
SecurityAudit: GetAccountAuthorizationDetails then reads every role in a few calls; without it each
federated role is read on its own, and what may not be read is reported as such.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its help lists every option)."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Audit the identity federation of live AWS accounts: every OIDC and SAML provider, every "
        "role a federated identity can assume (with its policies), every Cognito identity pool; the "
        "FederationChecks rules and the solver's explanations over them. Read-only.",
    )
    parser.add_argument("--profile", metavar="NAME", help="AWS profile (default: the standard credential chain)")
    parser.add_argument(
        "--region",
        metavar="REGION[,REGION...]",
        help="region(s) whose Cognito identity pools are read (IAM is global; default: the profile's region)",
    )
    parser.add_argument(
        "--account",
        metavar="ID",
        help="the account to audit; must be the credentials' account (a safety check)",
    )
    parser.add_argument(
        "--role-name",
        metavar="NAME",
        help="with --accounts or --organization: the read-only audit role to assume in each account",
    )
    parser.add_argument("--accounts", metavar="ID,ID,...", help="audit these accounts through --role-name")
    parser.add_argument(
        "--organization",
        action="store_true",
        help="audit every active account of the AWS Organization (listed with organizations ListAccounts) "
        "through --role-name",
    )
    parser.add_argument(
        "--format",
        choices=("text", "markdown", "json", "sarif", "html"),
        default="text",
        help="the report on stdout (or --output) (default: text)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        help="also write every format into DIR: audit.md, audit.json, audit.sarif, access-report.html",
    )
    parser.add_argument(
        "--no-explain", action="store_true", help="skip the solver's explanation of each trust (faster)"
    )
    return parser


def _session(profile: str | None) -> Any:
    import boto3
    from botocore.exceptions import ProfileNotFound

    from federation_constructs.audit.read import AuditUsageError

    try:
        return boto3.Session(profile_name=profile) if profile else boto3.Session()
    except ProfileNotFound as err:
        raise AuditUsageError(f"{err}; name a profile of your AWS config (aws configure list-profiles)") from None


def _regions(value: str | None, session: Any) -> list[str]:
    from federation_constructs.audit.read import AuditUsageError

    regions = [r.strip() for r in (value or session.region_name or "").split(",") if r.strip()]
    if not regions:
        raise AuditUsageError("no region: pass --region (or set one in the AWS profile or AWS_REGION)")
    return regions


def _accounts(args: argparse.Namespace, session: Any, regions: list[str]) -> list[str]:
    import re

    from federation_constructs.audit.read import AuditUsageError

    if not args.role_name:
        if args.accounts or args.organization:
            raise AuditUsageError("--accounts and --organization need --role-name (the audit role to assume)")
        return []
    if bool(args.accounts) == bool(args.organization):
        raise AuditUsageError("--role-name needs exactly one of --accounts ID,ID,... or --organization")
    if args.accounts:
        accounts = [a.strip() for a in args.accounts.split(",") if a.strip()]
        bad = [a for a in accounts if not re.fullmatch(r"[0-9]{12}", a)]
        if bad or not accounts:
            raise AuditUsageError(f"--accounts {args.accounts!r}: expected 12-digit account ids separated by commas")
        return list(dict.fromkeys(accounts))
    from federation_constructs.audit.accounts import organization_accounts

    return organization_accounts(session, region=regions[0])


def main(argv: Sequence[str] | None = None) -> int:
    """Run `federation-audit`; return the exit code (0 clean, 1 error findings, 2 error)."""
    args = build_parser().parse_args(argv)
    from botocore.exceptions import BotoCoreError

    from federation_constructs.audit.accounts import audit_accounts
    from federation_constructs.audit.output import exit_code, to_html, to_json, to_markdown, to_sarif, to_text
    from federation_constructs.audit.read import AuditUsageError
    from federation_constructs.audit.run import audit_account
    from federation_constructs.verify.clients import ReadOnlyViolation

    try:
        session = _session(args.profile)
        regions = _regions(args.region, session)
        accounts = _accounts(args, session, regions)
        if accounts:
            audits, unreachable = audit_accounts(
                session, accounts=accounts, role_name=args.role_name, regions=regions, explain=not args.no_explain
            )
        else:
            audits = [audit_account(session, regions=regions, account=args.account, explain=not args.no_explain)]
            unreachable = []
    except (AuditUsageError, ReadOnlyViolation) as err:
        print(f"{_PROG}: {err}", file=sys.stderr)
        return 2
    except BotoCoreError as err:  # no endpoint, expired token, throttled beyond retries, ...
        print(f"{_PROG}: AWS call failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    renderers = {
        "text": lambda: to_text(audits, unreachable),
        "markdown": lambda: to_markdown(audits, unreachable),
        "json": lambda: to_json(audits, unreachable),
        "sarif": lambda: to_sarif(audits, unreachable),
        "html": lambda: to_html(audits),
    }
    output = renderers[args.format]()
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    if args.output_dir:
        outdir = Path(args.output_dir)
        outdir.mkdir(parents=True, exist_ok=True)
        for name, kind in (
            ("audit.md", "markdown"),
            ("audit.json", "json"),
            ("audit.sarif", "sarif"),
            ("access-report.html", "html"),
        ):
            (outdir / name).write_text(renderers[kind](), encoding="utf-8")
    return exit_code(audits, unreachable)


if __name__ == "__main__":
    sys.exit(main())
