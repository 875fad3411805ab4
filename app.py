#!/usr/bin/env python3
"""CDK entry point: config -> stacks -> `add_federation_review` (rule packs and reports) -> synth.

The config path comes from context (`cdk synth -c config=path.yaml`); `cdk.json` defaults it to the
bundled example. A bad config or a refused construct value prints one clear message and exits 2;
unacknowledged rule-pack findings exit 1 after the CDK's own table. Never a Python traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).resolve().parent / "examples" / "example.yaml"


def _findings_stop(outdir: str) -> int:
    """Say that unacknowledged rule-pack findings stopped synthesis, and how to go on; exit code 1."""
    print(
        f"synthesis stopped: rule-pack findings are not acknowledged; see the table above and "
        f"{outdir}/validation-report.json (for a StackSet's template: "
        f"{outdir}/stackset-member/validation-report.json). Fix them, or acknowledge each finding id with a "
        f"reason: in the config (a role's acknowledgements: {{rule id: reason}}) or in code with "
        f"federation_constructs.acknowledge(construct, rule_id, reason).",
        file=sys.stderr,
    )
    return 1


def main() -> int:
    """Synthesize the app; return the process exit code."""
    from aws_cdk import App

    from federation_constructs import FederationError, add_federation_review
    from federation_constructs.report.findings import validation_failed
    from stacks.build import build_deployment
    from stacks.config import ConfigError, load_config

    app = App()
    config_path = app.node.try_get_context("config") or str(DEFAULT_CONFIG)
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
        if "ValidationFailed" not in str(exc):
            raise
        return _findings_stop(app.outdir)
    if validation_failed(app.outdir):
        # the CDK records findings in stacks inside Stages but does not always stop synthesis for them
        return _findings_stop(app.outdir)
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
