"""Rules as data and a linter over CloudFormation templates (plain dicts; no CDK needed).

A rule is a pure function over one resource of a template (with the template's index for lookups)
that yields findings: a short id (usable in an acknowledgement, `FED1[<finding>]`) and a sentence
for the reviewer. `lint_template` runs every rule on every resource; a rule that fails on odd input
reports that as a finding of its own instead of crashing the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from federation_constructs.policy.template import ResourceContext, TemplateIndex

__all__ = ["Finding", "Hit", "ResourceContext", "Rule", "finding_id", "lint_template"]

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Hit:
    """What a rule reports: the finding id (part of the acknowledgement id) and the detail."""

    finding: str
    detail: str


@dataclass(frozen=True)
class Rule:
    """A federation check: `check` yields `Hit`s for one resource of the given types."""

    id: str
    level: Level
    #: one line: what is wrong
    title: str
    #: how to fix it
    fix: str
    resource_types: tuple[str, ...]
    check: Callable[[ResourceContext], Iterable[Hit]]


@dataclass(frozen=True)
class Finding:
    """One finding of one rule on one resource."""

    rule_id: str
    level: Level
    logical_id: str
    resource_type: str
    finding: str
    detail: str
    title: str
    fix: str

    @property
    def acknowledgement_id(self) -> str:
        return f"{self.rule_id}[{self.finding}]"


_UNSAFE = re.compile(r"[\s\[\]{}()]")


def finding_id(*parts: object) -> str:
    """A finding id safe inside `RULE[...]`: no spaces, no brackets (acknowledgement ids refuse
    unbalanced brackets and rewrite spaces)."""
    return _UNSAFE.sub("_", "::".join(str(p) for p in parts))[:200]


def lint_template(template: Mapping[str, Any], rules: Sequence[Rule] | None = None) -> list[Finding]:
    """Every finding of `rules` (default: all federation rules) on `template`."""
    if rules is None:
        from federation_constructs.rules import RULES

        rules = RULES
    index = TemplateIndex(template)
    findings: list[Finding] = []
    for logical_id, resource in index.resources.items():
        rtype = resource.get("Type")
        if not isinstance(rtype, str):
            continue
        context = ResourceContext(
            logical_id=logical_id, type=rtype, properties=index.properties(logical_id), index=index
        )
        for rule in rules:
            if rtype not in rule.resource_types:
                continue
            try:
                hits = list(rule.check(context))
            except Exception as err:  # a rule must never stop the review: report what it could not judge
                hits = [Hit("rule-error", f"the rule could not judge this resource ({type(err).__name__}: {err})")]
            seen: set[str] = set()
            for hit in hits:
                fid = finding_id(hit.finding)
                if fid in seen:
                    continue
                seen.add(fid)
                findings.append(
                    Finding(
                        rule_id=rule.id,
                        level=rule.level,
                        logical_id=logical_id,
                        resource_type=rtype,
                        finding=fid,
                        detail=hit.detail,
                        title=rule.title,
                        fix=rule.fix,
                    )
                )
    return findings
