"""Trust policies compared the way IAM reads them.

`diff_trust` normalises both documents (statement order; a string or a one-element list; a principal
as a string or a list; an account id principal as its root ARN; condition operators and keys in any
letter case; values of any JSON type as strings; `Sid`s ignored, they change nothing) and lists what
only one side holds, statement by statement. Whether one side admits more is the solver's question
(`federation_constructs.proof.compare`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Change", "diff_trust"]

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


@dataclass(frozen=True, kw_only=True)
class Change:
    """One difference: `-` only in the synthesized trust, `+` only in the live one."""

    sign: Literal["-", "+"]
    #: which statement, e.g. `statement 1 (Allow sts:AssumeRoleWithWebIdentity)`
    statement: str
    #: Version, Statement, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition
    element: str
    #: the differing part, e.g. `StringEquals token.actions.githubusercontent.com:sub = repo:o/r:ref:refs/heads/main`
    text: str

    def line(self) -> str:
        return f"{self.sign} {self.text}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class _Statement:
    """A statement as a set of comparable facts; `shown` keeps one original spelling of each."""

    facts: frozenset[tuple[str, ...]]
    shown: Mapping[tuple[str, ...], str]
    effect: str
    actions: tuple[str, ...]

    def label(self, number: int) -> str:
        return f"statement {number} ({self.effect} {', '.join(self.actions) or '-'})"

    def of(self, element: str) -> set[tuple[str, ...]]:
        return {f for f in self.facts if f[0] == element}


def _canonical(raw: Any, partition: str) -> _Statement:
    facts: dict[tuple[str, ...], str] = {}
    if not isinstance(raw, dict):
        facts[("Statement", repr(raw))] = repr(raw)
        return _Statement(frozenset(facts), facts, "?", ())
    effect = _scalar(raw.get("Effect", ""))
    facts[("Effect", effect)] = effect
    for element in ("Principal", "NotPrincipal"):
        if element not in raw:
            continue
        value = raw[element]
        kinds = value.items() if isinstance(value, dict) else [("*", value)]
        for kind, values in kinds:
            for principal in _as_list(values):
                text = _scalar(principal)
                if str(kind).lower() == "aws" and _ACCOUNT_ID.match(text):
                    text = f"arn:{partition}:iam::{text}:root"  # IAM stores an account id as its root ARN
                facts[(element, str(kind).lower(), text)] = f"{kind} = {text}" if kind != "*" else text
    actions: list[str] = []
    for element in ("Action", "NotAction", "Resource", "NotResource"):
        for item in _as_list(raw.get(element)):
            text = _scalar(item)
            folded = text.lower() if element.endswith("Action") else text  # actions are case-insensitive
            facts[(element, folded)] = text
            if element == "Action":
                actions.append(text)
    conditions = raw.get("Condition")
    if isinstance(conditions, dict):
        for operator, keys in conditions.items():
            if not isinstance(keys, dict):
                facts[("Condition", str(operator).lower(), "", repr(keys))] = f"{operator} {keys!r}"
                continue
            for key, values in keys.items():
                for value in _as_list(values):
                    text = _scalar(value)
                    # operators and condition keys are case-insensitive in IAM; values are not
                    facts[("Condition", str(operator).lower(), str(key).lower(), text)] = f"{operator} {key} = {text}"
    return _Statement(frozenset(facts), facts, effect, tuple(sorted(actions, key=str.lower)))


def _statements(document: Any, partition: str) -> list[_Statement]:
    raw = document.get("Statement") if isinstance(document, dict) else None
    return [_canonical(s, partition) for s in _as_list(raw)]


def _similarity(a: _Statement, b: _Statement) -> float:
    if a.effect != b.effect:
        return 0.0
    score = 0.0
    for element in ("Principal", "NotPrincipal", "Action", "NotAction", "Condition"):
        left, right = a.of(element), b.of(element)
        if left or right:
            score += len(left & right) / len(left | right)
    return score


def _pair(synthesized: list[_Statement], live: list[_Statement]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    left, right = list(range(len(synthesized))), list(range(len(live)))
    pairs: list[tuple[int, int]] = []
    for i in list(left):  # identical statements first
        match = next((j for j in right if live[j].facts == synthesized[i].facts), None)
        if match is not None:
            pairs.append((i, match))
            left.remove(i)
            right.remove(match)
    while left and right:  # then the most similar, greedily
        score, i, j = max(
            ((_similarity(synthesized[i], live[j]), i, j) for i in left for j in right),
            key=lambda t: (t[0], -t[1], -t[2]),
        )
        if score <= 0:
            break
        pairs.append((i, j))
        left.remove(i)
        right.remove(j)
    return sorted(pairs), left, right


def _ordered(facts: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    order = (
        "Statement",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    )
    return sorted(facts, key=lambda f: (order.index(f[0]), f[1:]))


def diff_trust(synthesized: Any, live: Any, *, partition: str = "aws") -> list[Change]:
    """What differs between two trust policies, IAM-equivalent spellings aside; [] when none does."""
    changes: list[Change] = []
    version_s, version_l = (
        d.get("Version", "2008-10-17") if isinstance(d, dict) else None for d in (synthesized, live)
    )
    if version_s != version_l:
        changes += [
            Change(sign="-", statement="document", element="Version", text=f"Version {version_s}"),
            Change(sign="+", statement="document", element="Version", text=f"Version {version_l}"),
        ]
    ours, theirs = _statements(synthesized, partition), _statements(live, partition)
    pairs, only_ours, only_theirs = _pair(ours, theirs)
    for i, j in pairs:
        label = ours[i].label(i + 1)
        for fact in _ordered(ours[i].facts - theirs[j].facts):
            changes.append(Change(sign="-", statement=label, element=fact[0], text=_shown(fact, ours[i])))
        for fact in _ordered(theirs[j].facts - ours[i].facts):
            changes.append(Change(sign="+", statement=label, element=fact[0], text=_shown(fact, theirs[j])))
    for i in only_ours:
        label = f"{ours[i].label(i + 1)}, not in the live trust"
        changes += [
            Change(sign="-", statement=label, element=f[0], text=_shown(f, ours[i])) for f in _ordered(ours[i].facts)
        ]
    for j in only_theirs:
        label = f"live {theirs[j].label(j + 1)}, not in the synthesized trust"
        changes += [
            Change(sign="+", statement=label, element=f[0], text=_shown(f, theirs[j]))
            for f in _ordered(theirs[j].facts)
        ]
    return changes


def _shown(fact: tuple[str, ...], statement: _Statement) -> str:
    text = statement.shown[fact]
    return text if fact[0] == "Condition" else f"{fact[0]} {text}"
