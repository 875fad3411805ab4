"""The reviewer's output for any CDK app, with one call: rule packs plus reports in `cdk.out/`.

::

    from aws_cdk import App
    from federation_constructs import add_federation_review

    app = App()
    ...                                   # your stacks, stages included
    review = add_federation_review(app)   # AwsSolutions + FederationChecks + the reports
    app.synth()

During `app.synth()` the packs run as CDK validation plugins (any unacknowledged finding stops
synthesis, as cdk-nag 3 does), and then `FederationReview` (registered last, as a plugin of its
own) writes into the app's output directory:

- `rule-pack-report.json`: which packs ran on which stacks, open findings, acknowledgements with reasons;
- `findings.json` and `findings.csv`: one row per finding, open or acknowledged, with the detail and fix;
- `access-report.md`, `access-report.json` and `access-report.html`: for every role someone outside the
  account can assume, who, through which door, for how long, with which permissions, the findings on
  it, and for roles with a declared intent the solver's verdict on their trust.

The reports are written even when findings stop synthesis, so the access report shows what is open.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import jsii
from aws_cdk import App, CfnResource, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, Validations
from constructs import Construct, IConstruct

from federation_constructs.assembly import StackArtifact, load_assembly
from federation_constructs.errors import FederationValidationError
from federation_constructs.partitions import partition_for_region
from federation_constructs.report.findings import (
    Acknowledged,
    acknowledged,
    finding_rows,
    is_acknowledged,
    write_findings,
    write_rule_pack_report,
)

if TYPE_CHECKING:
    from federation_constructs.proof.intent import TrustIntent
    from federation_constructs.rules.pack import FederationChecks

__all__ = [
    "ACCESS_REPORT_JSON",
    "ACCESS_REPORT_MD",
    "FederationReview",
    "add_federation_review",
    "collect_opt_ins",
    "construct_paths",
    "write_access_report",
]

ACCESS_REPORT_JSON = "access-report.json"
ACCESS_REPORT_MD = "access-report.md"
_REVIEW_ATTRIBUTE = "_federation_review"


def collect_opt_ins(root: IConstruct) -> dict[str, list[str]]:
    """Role construct path -> the opt-ins its construct used (OIDC roles, identity-pool roles,
    storage grants, the broker), read from the constructs below `root`."""
    found: dict[str, list[str]] = {}
    for construct in root.node.find_all():
        by_role = getattr(construct, "opt_ins_by_role", None)
        if isinstance(by_role, dict):  # constructs with several roles say which role each opt-in shapes
            for path, names in by_role.items():
                found.setdefault(path, []).extend(names)
            continue
        opt_ins = getattr(construct, "opt_ins", None)
        if isinstance(opt_ins, (tuple, list)) and opt_ins:
            found.setdefault(construct.node.path, []).extend(str(o) for o in opt_ins)
    return {path: sorted(set(names)) for path, names in found.items()}


def construct_paths(root: IConstruct) -> dict[str, dict[str, str]]:
    """Stack (its path: the stack name, or `<stage>/<name>` in a Stage) -> logical id -> construct path,
    for templates synthesized without path metadata."""
    found: dict[str, dict[str, str]] = {}
    for construct in root.node.find_all():
        if CfnResource.is_cfn_resource(construct):
            resource = cast(CfnResource, construct)
            stack = Stack.of(resource)
            found.setdefault(stack.node.path, {})[stack.resolve(resource.logical_id)] = resource.node.path
    return found


def _in_stack(row: Mapping[str, str], key: str) -> bool:
    """Whether an open finding (known by construct path only) is in stack `key`; rows without a path
    go to every stack."""
    path = row.get("path", "").lstrip("/")
    return not path or path == key or path.startswith(key + "/")


def write_access_report(
    directory: str | Path,
    rows: Sequence[Mapping[str, str]],
    opt_ins: Mapping[str, Sequence[str]] | None = None,
    paths: Mapping[str, Mapping[str, str]] | None = None,
    intents: Mapping[str, TrustIntent] | None = None,
    stacks: Sequence[StackArtifact] | None = None,
) -> tuple[Path, Path, Path]:
    """Write `access-report.json`, `.md` and `.html` for every stack of the cloud assembly in
    `directory` (nested Stage assemblies included; `stacks`, when the caller has read them already);
    roles with a declared intent (`intents`, from `federation_constructs.proof.collect_intents`) are
    proved. Also writes the setup sheet (`setup.md`, `setup.json`: `federation_constructs.report.setup`).
    Returns the three access report paths."""
    from federation_constructs.report.access import build_access_report, to_markdown
    from federation_constructs.report.html import write_html
    from federation_constructs.report.setup import write_setup_sheet

    outdir = Path(directory)
    reports = []
    stacks = load_assembly(outdir) if stacks is None else stacks
    for stack in stacks:
        key = stack.display_name  # the stack name, or `<stage>/<name>` for the stack of a Stage
        stack_rows = [r for r in rows if r.get("stack") == key or not r.get("stack") and _in_stack(r, key)]
        reports.append(
            build_access_report(
                stack.template,
                stack=key,
                account=stack.account or "<account>",
                partition=partition_for_region(stack.region) if stack.region else "aws",
                findings=stack_rows,
                opt_ins=opt_ins or {},
                paths=(paths or {}).get(key),
                intents=intents,
            )
        )
    json_path, md_path = outdir / ACCESS_REPORT_JSON, outdir / ACCESS_REPORT_MD
    json_path.write_text(json.dumps({"stacks": reports}, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(to_markdown(reports), encoding="utf-8")
    html_path = write_html(outdir, {"stacks": reports})  # the same data, with a graph
    write_setup_sheet(outdir, reports, stacks)  # setup.md and setup.json: the other half of each role
    return json_path, md_path, html_path


def _violations(report: Any) -> list[dict[str, Any]]:
    """A plugin's report (a jsii struct) in `validation-report.json`'s shape."""
    return [
        {
            "ruleName": v.rule_name,
            "description": v.description,
            "severity": v.severity,
            "violatingConstructs": [{"constructPath": r.construct_path or ""} for r in v.violating_resources],
        }
        for v in report.violations
    ]


@jsii.implements(IPolicyValidationPlugin)
class _Recorded:
    """A validation plugin run as itself, with its last report kept for the reviewer's files."""

    def __init__(self, plugin: IPolicyValidationPlugin) -> None:
        self.plugin = plugin
        self.last_report: Any = None

    @property
    def name(self) -> str:
        return self.plugin.name

    @property
    def version(self) -> str | None:
        return self.plugin.version

    @property
    def rule_ids(self) -> list[str] | None:
        return self.plugin.rule_ids

    def validate(self, context: Any) -> Any:
        self.last_report = None
        self.last_report = self.plugin.validate(context)
        return self.last_report


@jsii.implements(IPolicyValidationPlugin)
class FederationReview:
    """Writes the reviewer's files after the rule packs ran (a CDK validation plugin that never fails).

    Made and registered by `add_federation_review`; after `app.synth()` it tells what it wrote
    (`written`) and which findings were open (`open_findings`)."""

    def __init__(self, *, packs: Sequence[IPolicyValidationPlugin]) -> None:
        self._recorded = [_Recorded(pack) for pack in packs]
        #: the rule packs, as given (AwsSolutionsChecks, FederationChecks, your own)
        self.packs: tuple[IPolicyValidationPlugin, ...] = tuple(packs)
        #: report name (`rule-pack-report.json`, ...) -> its path, after synthesis
        self.written: dict[str, Path] = {}
        #: the findings rows (see `findings.json`) of the last synthesis
        self.rows: list[dict[str, str]] = []

    @property
    def plugins(self) -> list[IPolicyValidationPlugin]:
        """What to register, in order: the packs (each recorded), then this review."""
        return [*self._recorded, self]

    @property
    def federation(self) -> FederationChecks | None:
        """The `FederationChecks` pack among `packs`, if any."""
        from federation_constructs.rules.pack import FederationChecks

        return next((p for p in self.packs if isinstance(p, FederationChecks)), None)

    @property
    def open_findings(self) -> list[dict[str, str]]:
        """Rows of findings no acknowledgement covers (they stop synthesis)."""
        return [row for row in self.rows if row["status"] == "open"]

    @property
    def name(self) -> str:
        return "FederationReview"

    @property
    def version(self) -> str | None:
        return None

    @property
    def rule_ids(self) -> list[str] | None:
        return []

    def validate(self, context: Any) -> PolicyValidationPluginReport:
        root = context.app_construct
        self.write(Path(root.outdir), root)
        return PolicyValidationPluginReport(success=True, violations=[])

    def _open_reports(self, acks: Sequence[Acknowledged]) -> list[dict[str, Any]]:
        reports = []
        for recorded in self._recorded:
            if recorded.last_report is None:
                continue
            violations = []
            for violation in _violations(recorded.last_report):
                # the CDK also honours `Pack::rule` acknowledgements that a pack itself did not match
                where = [
                    c
                    for c in violation["violatingConstructs"]
                    if not is_acknowledged(recorded.name, violation["ruleName"], c["constructPath"], acks)
                ]
                if where:
                    violations.append({**violation, "violatingConstructs": where})
            if violations:
                reports.append({"pluginName": recorded.name, "conclusion": "failure", "violations": violations})
        return reports

    def write(self, directory: Path, root: IConstruct) -> dict[str, Path]:
        """Write every report for the assembly in `directory`, synthesized from `root`."""
        from federation_constructs.proof.model import collect_intents

        acks = acknowledged(directory)
        open_reports = self._open_reports(acks)
        federation = self.federation
        self.rows = finding_rows(open_reports, acks, federation.findings if federation is not None else ())
        stacks = load_assembly(directory)  # read once, for both reports
        rule_pack = write_rule_pack_report(
            directory,
            packs=[r.name for r in self._recorded],
            stacks=[stack.display_name for stack in stacks],
            open_reports=open_reports,
            acks=acks,
        )
        findings_json, findings_csv = write_findings(directory, self.rows)
        access_json, access_md, access_html = write_access_report(
            directory, self.rows, collect_opt_ins(root), construct_paths(root), collect_intents(root), stacks
        )
        self.written = {
            path.name: path for path in (rule_pack, findings_json, findings_csv, access_md, access_json, access_html)
        }
        return self.written


def add_federation_review(
    app: App, *, aws_solutions: bool = True, packs: Sequence[IPolicyValidationPlugin] = (), verbose: bool = True
) -> FederationReview:
    """Register the rule packs and the reviewer's reports on `app`; returns the review.

    :param app: the CDK `App` (reports cover every stack of it, stacks inside Stages included).
    :param aws_solutions: also run cdk-nag's stock `AwsSolutionsChecks` (default: yes).
    :param packs: further validation plugins (other cdk-nag packs) whose findings the reports list.
    :param verbose: cdk-nag's verbose messages (the rule's explanation and fix in the table).

    Call it once per app, before `app.synth()`. Every unacknowledged finding of any pack stops
    synthesis; acknowledge one with `federation_constructs.acknowledge(construct, rule_id, reason)`.
    """
    if not (isinstance(app, Construct) and App.is_app(app)):
        where = getattr(getattr(app, "node", None), "path", None) or "add_federation_review"
        raise FederationValidationError(
            f"{where}: app={app!r} is not accepted; expected the CDK App (the review covers every stack of the "
            f"app, stacks inside Stages included)"
        )
    existing = getattr(app, _REVIEW_ATTRIBUTE, None)
    if isinstance(existing, FederationReview):
        return existing
    from cdk_nag import AwsSolutionsChecks

    from federation_constructs.rules.pack import FederationChecks

    chosen: list[IPolicyValidationPlugin] = [AwsSolutionsChecks(app, verbose=verbose)] if aws_solutions else []
    chosen += [FederationChecks(app, verbose=verbose), *packs]
    review = FederationReview(packs=chosen)
    Validations.of(app).add_plugins(*review.plugins)
    setattr(app, _REVIEW_ATTRIBUTE, review)
    return review
