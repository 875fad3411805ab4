#!/usr/bin/env python3
"""CDK entry point: config -> stacks -> `add_federation_review` (rule packs and reports) -> synth.

The config path comes from context (`cdk synth -c config=path.yaml`); `cdk.json` defaults it to the
bundled example. A bad config or a refused construct value prints one clear message and exits 2;
unacknowledged rule-pack findings print, a few lines each, which rule stopped synthesis on which role,
the value, the fix and how to acknowledge it, and exit 1. Never a Python traceback.

The findings are read from the files the review wrote (`findings.json`, `validation-report.json`,
`access-report.json`), not from the CDK's own table: the CDK CLI asks the app not to print that table
(`@aws-cdk/core:failSynthOnValidationErrors` false) and shows it only for an app that exits 0, so an
app that stops on findings must say them itself; the CLI passes the app's stderr on, line by line.
"""

from __future__ import annotations

import sys
import textwrap
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stacks.config import DeploymentConfig

DEFAULT_CONFIG = Path(__file__).resolve().parent / "examples" / "example.yaml"
#: the CDK's own report of findings: off, as under the CDK CLI, so `python app.py` says the same as `cdk synth`
_CDK_REPORTS_FINDINGS = "@aws-cdk/core:failSynthOnValidationErrors"
#: where `stacks.build` synthesizes a StackSet's member template, inside the app's output directory
_MEMBER_DIR = "stackset-member"


def _acknowledgement_places(config: DeploymentConfig | None) -> dict[str, str]:
    """Construct id -> where the config takes acknowledgements for it (roles, the identity pool)."""
    if config is None:
        return {}
    places: dict[str, str] = {}
    for section in ("oidc", "saml"):
        declared = getattr(config, section)
        for role in declared.roles if declared is not None else ():
            places[role.name] = f"{section}.roles, role {role.name}"
    if config.identity_pool is not None:
        places[config.identity_pool.name] = "identity_pool"
    return places


def _reviewed_dirs(outdir: str, config: DeploymentConfig | None) -> list[Path]:
    """The app's output directory, and the StackSet's member assembly when the config declares one."""
    top = Path(outdir)
    targets = config.targets if config is not None else None
    member = targets is not None and targets.organizational_units is not None
    return [top, top / _MEMBER_DIR] if member else [top]


def _failed(directories: Sequence[Path], since: float) -> list[Path]:
    """The directories whose validation report (written during this run) holds a failed plugin report."""
    from federation_constructs.report.findings import VALIDATION_REPORT, validation_failed

    written = [
        d for d in directories if (d / VALIDATION_REPORT).is_file() and (d / VALIDATION_REPORT).stat().st_mtime >= since
    ]
    return [d for d in written if validation_failed(d)]


def _findings_stop(failed: Sequence[Path], directories: Sequence[Path], places: Mapping[str, str]) -> int:
    """Print the unacknowledged rule-pack findings that stopped synthesis (read from the `failed`
    assemblies), a few lines each, and how to go on; exit code 1."""
    from federation_constructs.report.findings import (
        FINDINGS_CSV,
        VALIDATION_REPORT,
        format_open_findings,
        open_findings,
        role_names,
    )

    parts, count = [], 0
    for directory in failed:
        rows = open_findings(directory)
        count += len(rows)
        listing = format_open_findings(
            rows, roles=role_names(directory), acknowledge_in=places, more_in=str(directory / FINDINGS_CSV)
        )
        if listing:
            where = " (the StackSet's member template)" if directory.name == _MEMBER_DIR else ""
            parts.append(f"in {directory}{where}:\n\n{listing}")
    counted = f" ({count} open finding{'s' if count != 1 else ''})" if count else ""
    advice = (
        "Fix each finding (in the config, or in the construct's code), or acknowledge it with a reason a reviewer "
        "can check (at least 20 characters): the config's `acknowledgements:` on that role, or "
        "federation_constructs.acknowledge(construct, rule_id, reason) in code. Every finding, open or "
        f"acknowledged: {', '.join(str(d / FINDINGS_CSV) for d in failed or directories)}; the CDK's report: "
        f"{', '.join(str(d / VALIDATION_REPORT) for d in failed or directories)}."
    )
    print(
        f"synthesis stopped: rule-pack findings are not acknowledged{counted}.",
        *parts,
        textwrap.fill(advice, width=100, break_long_words=False, break_on_hyphens=False),
        sep="\n\n",
        file=sys.stderr,
    )
    return 1


def main() -> int:
    """Synthesize the app; return the process exit code."""
    from aws_cdk import App

    from federation_constructs import FederationError, add_federation_review
    from stacks.build import build_deployment
    from stacks.config import ConfigError, load_config

    started = time.time() - 1  # reports older than this run are not its own (file times are coarse)
    app = App(context={_CDK_REPORTS_FINDINGS: False})
    config_path = app.node.try_get_context("config") or str(DEFAULT_CONFIG)
    config = None
    try:
        config = load_config(config_path)
        # a StackSet's member template is synthesized (and reviewed) while building
        deployment = build_deployment(
            app, config, shards_file=Path(config_path).with_suffix(".shards.json"), member_review=add_federation_review
        )
        review = add_federation_review(app)  # the same one call any CDK app makes
        app.synth()
    except (ConfigError, FederationError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except RuntimeError as exc:
        # the CDK raises for findings when its own report is on (`-c @aws-cdk/core:failSynthOnValidationErrors=true`,
        # or the private app that synthesizes a StackSet's member template)
        if "ValidationFailed" not in str(exc):
            raise
        directories = _reviewed_dirs(app.outdir, config)
        return _findings_stop(_failed(directories, started), directories, _acknowledgement_places(config))
    # the CDK records findings (in top-level stacks, in stacks inside Stages, in a StackSet's member
    # template) without stopping synthesis: the app stops it
    directories = _reviewed_dirs(app.outdir, config)
    failed = _failed(directories, started)
    if failed:
        return _findings_stop(failed, directories, _acknowledgement_places(config))
    stack_set = deployment.stack_set
    reviews = [review] + ([stack_set.member_review] if stack_set is not None and stack_set.member_review else [])
    for done in reviews:  # the member template's own reports are in cdk.out/stackset-member/
        written = done.written
        print(
            f"rule-pack report: {written['rule-pack-report.json']}; findings: {written['findings.json']}, "
            f"{written['findings.csv']}; access report: {written['access-report.md']}; setup sheet: "
            f"{Path(written['access-report.md']).with_name('setup.md')}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
