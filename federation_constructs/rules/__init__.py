"""FederationChecks: rules for federation mistakes, over CloudFormation as CloudFormation sees it.

Each rule lives in its own module (`fedNN_*.py`) as a `Rule`: an id, a level, a one-line title, the
fix and a pure check function. `lint_template` runs them on any template dict; `FederationChecks`
(in `federation_constructs.rules.pack`) runs them as a cdk-nag 3 pack inside a CDK app.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from federation_constructs.rules.engine import Finding, Hit, ResourceContext, Rule, lint_template

__all__ = ["RULES", "Finding", "Hit", "ResourceContext", "Rule", "lint_template", "rule"]


def _load() -> list[Rule]:
    found: list[Rule] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("fed")):
        found.append(importlib.import_module(f"{__name__}.{module}").RULE)
    found.sort(key=lambda r: int(r.id[3:]))
    ids = [r.id for r in found]
    assert len(ids) == len(set(ids)), f"duplicate rule ids: {ids}"
    return found


_RULES: list[Rule] | None = None


def _rules() -> list[Rule]:
    # `RULES` loads every rule module on first use: a synthesis that only acknowledges findings (the
    # constructs import `rules.acknowledge`) does not pay for importing 60 rule modules.
    global _RULES
    if _RULES is None:
        _RULES = _load()
    return _RULES


def __getattr__(name: str) -> object:
    if name == "RULES":
        return _rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    #: Every rule, in id order.
    RULES: list[Rule]


def rule(rule_id: str) -> Rule:
    """The rule with this id (`FED1`)."""
    for candidate in _rules():
        if candidate.id == rule_id:
            return candidate
    raise KeyError(rule_id)
