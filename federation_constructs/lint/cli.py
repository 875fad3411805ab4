"""The `federation-lint` command line.

    federation-lint template.yaml other.json cdk.out [--aws-solutions] [--format text|json|sarif]
                    [--output FILE] [--explain]
    python -m federation_constructs.lint ...

Every argument is a template file (JSON, or YAML with short-form tags) or a cloud assembly directory
(`cdk.out`: every stack, nested Stage assemblies and StackSet member templates included, with the
app's acknowledgements). The FederationChecks rules run on the parsed templates in pure Python;
`--aws-solutions` adds cdk-nag's AwsSolutions pack, which loads the templates into the CDK (Node).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from federation_constructs.lint.load import LintError, load_sources
from federation_constructs.lint.run import lint_sources

__all__ = ["build_parser", "main"]

_PROG = "federation-lint"

_EPILOG = """\
exit codes:
  0  no error-level finding (warnings and acknowledged findings do not count)
  1  an error-level finding that is not acknowledged (with --explain: a trust with a claim left free,
     or a trust that admits nothing)
  2  an input that cannot be read (one line each on stderr, naming it and the reason; the others are
     still linted and reported)
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its help lists every option)."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check CloudFormation templates and CDK cloud assemblies for identity federation mistakes "
        "(FederationChecks FED1...).",
    )
    parser.add_argument(
        "templates",
        nargs="+",
        metavar="TEMPLATE",
        help="template files (JSON or YAML) or cloud assembly directories (cdk.out)",
    )
    parser.add_argument(
        "--format", choices=("text", "json", "sarif"), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--aws-solutions",
        action="store_true",
        help="also run cdk-nag's AwsSolutions pack (loads the templates into the CDK: starts Node)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="describe what each federated trust admits (solver-backed) instead of the findings",
    )
    return parser


def _write(output: str, destination: str | None) -> None:
    if destination:
        Path(destination).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `federation-lint`; return the exit code (0 clean, 1 error findings, 2 unreadable input)."""
    args = build_parser().parse_args(argv)
    sources, errors = load_sources(args.templates)
    for error in errors:
        print(f"{_PROG}: {error}", file=sys.stderr)
    unreadable = 2 if errors else 0
    if args.explain:
        from federation_constructs.lint.explain import explain_template, explain_text

        explanations = {source.label: explain_template(source.template) for source in sources}
        _write(
            json.dumps(explanations, indent=2) + "\n" if args.format == "json" else explain_text(explanations),
            args.output,
        )
        flagged = any(r["unbounded"] or not r["admits_anything"] for roles in explanations.values() for r in roles)
        return unreadable or (1 if flagged else 0)
    try:
        findings = lint_sources(sources, aws_solutions=args.aws_solutions)
    except LintError as err:
        print(f"{_PROG}: {err}", file=sys.stderr)
        return 2
    from federation_constructs.lint.output import to_json, to_sarif, to_text

    render = {"text": to_text, "json": to_json, "sarif": to_sarif}[args.format]
    _write(render(findings, [source.label for source in sources]), args.output)
    failing = any(f.level == "error" and f.acknowledged is None for f in findings)
    return unreadable or (1 if failing else 0)
