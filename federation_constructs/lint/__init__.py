"""`federation-lint`: FederationChecks (and, on request, AwsSolutions) on any CloudFormation template
or CDK cloud assembly. See `federation_constructs.lint.cli` for the command line."""

from __future__ import annotations

from federation_constructs.lint.cli import build_parser, main
from federation_constructs.lint.load import LintError, Source, load_sources, parse_template
from federation_constructs.lint.run import LintFinding, lint_files, lint_sources

__all__ = [
    "LintError",
    "LintFinding",
    "Source",
    "build_parser",
    "lint_files",
    "lint_sources",
    "load_sources",
    "main",
    "parse_template",
]
