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


def main() -> int:
    """Synthesize the app; return the process exit code."""
    from aws_cdk import App

    from federation_constructs.errors import FederationError
    from stacks.build import add_rule_packs, build_stacks
    from stacks.config import ConfigError, load_config
    from federation_constructs.proof import collect_intents
    from federation_constructs.rules.pack import FederationChecks
    from stacks.reports import (
        REPORT_FILE,
        collect_opt_ins,
        construct_paths,
        finding_rows,
        write_access_report,
        write_findings,
        write_rule_pack_report,
    )

    app = App()
    config_path = app.node.try_get_context("config") or str(DEFAULT_CONFIG)
    try:
        config = load_config(config_path)
        build_stacks(app, config, shards_file=Path(config_path).with_suffix(".shards.json"))
    except (ConfigError, FederationError) as exc:
        print(exc, file=sys.stderr)
        return 2
    packs = add_rule_packs(app)
    try:
        assembly = app.synth()
    except RuntimeError as exc:
        if "ValidationFailed" not in str(exc):
            raise
        print(f"synthesis stopped: rule-pack findings are not acknowledged; see the table above and "
              f"{app.outdir}/validation-report.json. Fix them, or acknowledge each finding id with a "
              f"reason: in the config (a role's acknowledgements: {{rule id: reason}}) or in code with "
              f"federation_constructs.acknowledge(construct, rule_id, reason).", file=sys.stderr)
        return 1
    write_rule_pack_report(assembly, [pack.read_pack_name for pack in packs])
    federation = [f for pack in packs if isinstance(pack, FederationChecks) for f in pack.findings]
    json_path, csv_path = write_findings(assembly, federation)
    _, access_md = write_access_report(assembly, finding_rows(assembly, federation), collect_opt_ins(app),
                                      construct_paths(app), collect_intents(app))
    print(f"rule-pack report: {Path(app.outdir) / REPORT_FILE}; findings: {json_path}, {csv_path}; "
          f"access report: {access_md}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
