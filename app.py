#!/usr/bin/env python3
"""CDK entry point: config -> stacks -> rule packs -> synth -> reports.

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
    print(f"synthesis stopped: rule-pack findings are not acknowledged; see the table above and "
          f"{outdir}/validation-report.json (for a StackSet's template: "
          f"{outdir}/stackset-member/validation-report.json). Fix them, or acknowledge each finding id with a "
          f"reason: in the config (a role's acknowledgements: {{rule id: reason}}) or in code with "
          f"federation_constructs.acknowledge(construct, rule_id, reason).", file=sys.stderr)
    return 1


def main() -> int:
    """Synthesize the app; return the process exit code."""
    from aws_cdk import App

    from federation_constructs.errors import FederationError
    from stacks.build import add_rule_packs, build_deployment
    from stacks.config import ConfigError, load_config
    from federation_constructs.proof import collect_intents
    from federation_constructs.rules.pack import FederationChecks
    from stacks.reports import (
        REPORT_FILE,
        collect_opt_ins,
        construct_paths,
        finding_rows,
        validation_failed,
        write_access_report,
        write_findings,
        write_rule_pack_report,
    )

    app = App()
    config_path = app.node.try_get_context("config") or str(DEFAULT_CONFIG)
    try:
        config = load_config(config_path)
        # a StackSet's member template is synthesized (and checked by the packs) while building
        deployment = build_deployment(app, config, shards_file=Path(config_path).with_suffix(".shards.json"),
                                      member_rule_packs=add_rule_packs)
        packs = add_rule_packs(app)
        assembly = app.synth()
    except (ConfigError, FederationError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except RuntimeError as exc:
        if "ValidationFailed" not in str(exc):
            raise
        return _findings_stop(app.outdir)
    if validation_failed(assembly):
        # the CDK records findings in stacks inside Stages but does not always stop synthesis for them
        return _findings_stop(app.outdir)
    stack_set = deployment.stack_set
    runs = [(app, assembly, packs)]
    if stack_set is not None:  # the member template's own reports, in cdk.out/stackset-member/
        runs.append((stack_set.member_app, stack_set.member_assembly, stack_set.member_packs))
    for root, built, run_packs in runs:
        write_rule_pack_report(built, [pack.read_pack_name for pack in run_packs])
        federation = [f for pack in run_packs if isinstance(pack, FederationChecks) for f in pack.findings]
        json_path, csv_path = write_findings(built, federation)
        _, access_md = write_access_report(built, finding_rows(built, federation), collect_opt_ins(root),
                                          construct_paths(root), collect_intents(root))
        print(f"rule-pack report: {Path(built.directory) / REPORT_FILE}; findings: {json_path}, {csv_path}; "
              f"access report: {access_md}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
