"""`FederationChecks`: the federation rules as a cdk-nag 3 pack (a CDK policy-validation plugin).

During `app.synth()` the pack reads each stack's synthesized template (what CloudFormation will
get, property overrides included), runs `lint_template` on it, and reports each finding on its
construct as `Federation-FEDn[<finding>]`, so a finding is acknowledged like any cdk-nag finding:
`acknowledge(construct, "Federation-FED3[Statement0::repo:acme/*:ref:refs/heads/main]", reason)`.
`validate_scope` (no templates yet) falls back to the constructs' own properties.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import jsii
from aws_cdk import CfnResource, Stack
from cdk_nag import IApplyRule, NagMessageLevel, NagPack
from constructs import IConstruct

from federation_constructs.rules import RULES, Finding, Rule, lint_template

__all__ = ["PACK_NAME", "FederationChecks"]

PACK_NAME = "Federation"


@jsii.implements(IApplyRule)
class _Apply:
    """One rule's findings on one construct, in the shape cdk-nag's `applyRule` expects (every
    member a property: jsii reads them through callbacks)."""

    def __init__(self, rule: Rule, node: CfnResource, findings: Sequence[str]) -> None:
        self._spec, self._node, self._findings = rule, node, list(findings)

    @property
    def rule_suffix_override(self) -> str:
        return self._spec.id

    @property
    def info(self) -> str:
        return self._spec.title

    @property
    def explanation(self) -> str:
        return f"Fix: {self._spec.fix}"

    @property
    def level(self) -> NagMessageLevel:
        return NagMessageLevel.ERROR if self._spec.level == "error" else NagMessageLevel.WARN

    @property
    def node(self) -> CfnResource:
        return self._node

    def rule(self, node: CfnResource) -> list[str]:
        return self._findings


def _properties(node: CfnResource) -> dict[str, Any]:
    """A construct's CloudFormation properties, resolved, in CloudFormation's spelling."""
    stack = Stack.of(node)
    resolved = stack.resolve(node._cfn_properties)  # noqa: SLF001 - cdk-nag reads them the same way
    if not resolved:
        return {}
    rendered = node._render_properties(resolved)  # noqa: SLF001
    return rendered if isinstance(rendered, dict) else {}


class FederationChecks(NagPack):
    """Federation rules FED1... as a cdk-nag pack; add it beside `AwsSolutionsChecks`:

    ``Validations.of(app).add_plugins(AwsSolutionsChecks(app), FederationChecks(app))``

    After synthesis, `findings` holds every finding (acknowledged or not) with its detail, for reports.
    """

    def __init__(self, scope: IConstruct | None = None, *, verbose: bool = True) -> None:
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME
        self._rules = {rule.id: rule for rule in RULES}
        #: (stack construct path, finding) for every finding of the last validation
        self.findings: list[tuple[str, Finding]] = []
        #: rule errors: problems the pack itself ran into (never expected; reported, never raised)
        self.errors: list[str] = []
        self._by_resource: dict[tuple[str, str], list[Finding]] = {}
        self._linted: set[str] = set()
        self._validating = False

    @property
    def name(self) -> str:
        return PACK_NAME

    def _lint(self, stack_path: str, template: dict[str, Any]) -> None:
        self._linted.add(stack_path)
        for finding in lint_template(template):
            self.findings.append((stack_path, finding))
            self._by_resource.setdefault((stack_path, finding.logical_id), []).append(finding)

    def validate(self, context: Any) -> Any:  # jsii: IPolicyValidationContextBeta1 -> report
        self.findings, self._by_resource, self._linted, self.errors = [], {}, set(), []
        for stack_template in context.stack_templates:
            try:
                template = json.loads(Path(stack_template.template_path).read_text(encoding="utf-8"))
                self._lint(stack_template.stack_construct_path, template)
            except Exception as err:  # noqa: BLE001 - a broken template must not hide the others
                self.errors.append(f"{stack_template.template_path}: {type(err).__name__}: {err}")
        self._validating = True  # cdk-nag's validate calls validate_scope: keep what was read from the templates
        try:
            return super().validate(context)
        finally:
            self._validating = False

    def validate_scope(self, scope: IConstruct) -> Any:
        if not self._validating:
            self.findings, self._by_resource, self._linted, self.errors = [], {}, set(), []
        return super().validate_scope(scope)

    def _template_from_constructs(self, stack: Stack) -> dict[str, Any]:
        resources: dict[str, Any] = {}
        for child in stack.node.find_all():
            if CfnResource.is_cfn_resource(child) and Stack.of(child) is stack:
                resource = cast(CfnResource, child)
                logical = stack.resolve(resource.logical_id)
                resources[logical] = {"Type": resource.cfn_resource_type, "Properties": _properties(resource)}
        return {"Resources": resources}

    def _check_resource(self, node: CfnResource) -> None:  # jsii: checkResource, once per CfnResource
        try:
            stack = Stack.of(node)
            stack_path = stack.node.path
            if stack_path not in self._linted:
                self._lint(stack_path, self._template_from_constructs(stack))
            found = self._by_resource.get((stack_path, stack.resolve(node.logical_id)), [])
            by_rule: dict[str, list[str]] = {}
            for finding in found:
                by_rule.setdefault(finding.rule_id, []).append(finding.finding)
            for rule_id, finding_ids in by_rule.items():
                # _Apply's members are read-only properties, which jsii reads as IApplyRule's fields
                self._apply_rule(cast(IApplyRule, _Apply(self._rules[rule_id], node, finding_ids)))
        except Exception as err:  # noqa: BLE001 - an exception here would fail the whole plugin silently
            self.errors.append(f"{node.node.path}: {type(err).__name__}: {err}")
