"""IAM policy documents as CloudFormation holds them, read the way IAM reads them.

Rules never see this toolkit's Python objects: they read templates, hand-written ones included. So
everything here accepts what a template may hold: a statement as an object or a list, a principal
as `"*"`, a string or a list, condition operators and keys in any letter case, `ForAnyValue:` /
`ForAllValues:` prefixes and `IfExists` suffixes, values as a string, a number, a boolean or a list,
and CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, ...) where a value is not
a literal. Nothing here raises on odd input: what cannot be judged is kept as `Unresolved`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Condition",
    "Statement",
    "Unresolved",
    "action_matches",
    "as_list",
    "flatten",
    "is_literal",
    "statements",
    "substitute",
]

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_SET_QUALIFIERS = {"foranyvalue": "ForAnyValue", "forallvalues": "ForAllValues"}
_NEGATED = {
    "stringnotequals",
    "stringnotequalsignorecase",
    "stringnotlike",
    "arnnotequals",
    "arnnotlike",
    "numericnotequals",
    "datenotequals",
}


class Unresolved(str):
    """A value that is not a literal (it holds an intrinsic). Its text is cdk-nag's rendering:
    `<Logical>` for a `Ref`, `<Logical.Attr>` for a `Fn::GetAtt`, literal parts kept in place."""

    __slots__ = ()


def is_literal(value: object) -> bool:
    """A plain string that CloudFormation passes through unchanged."""
    return isinstance(value, str) and not isinstance(value, Unresolved)


def as_list(value: Any) -> list[Any]:
    """A list for a list, `[value]` for anything else, `[]` for None."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def flatten(value: Any, parameters: Mapping[str, Any] | None = None) -> str:
    """A value as a string: literal text where CloudFormation's value is known, else `Unresolved`.

    `Fn::Sub`'s `${!x}` becomes the literal `${x}` (how a template writes an IAM policy variable);
    `Fn::Join` of literal parts is joined; a `Ref` to a parameter with a default in `parameters`
    is that default.
    """
    params = parameters or {}
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((name, args),) = value.items()
        if name == "Ref" and isinstance(args, str):
            given = params.get(args)
            if isinstance(given, str):
                return given
            return Unresolved(f"<{args}>")
        if name == "Fn::GetAtt":
            parts = args.split(".", 1) if isinstance(args, str) else as_list(args)
            return Unresolved(f"<{'.'.join(str(flatten(p, params)) for p in parts)}>")
        if name == "Fn::Join" and isinstance(args, list) and len(args) == 2 and isinstance(args[0], str):
            parts = [flatten(p, params) for p in as_list(args[1])]
            text = args[0].join(parts)
            return Unresolved(text) if any(isinstance(p, Unresolved) for p in parts) else text
        if name == "Fn::Sub":

            def value_of(variable: str, variables: Mapping[str, Any]) -> tuple[str, bool]:
                text = flatten(
                    variables[variable]
                    if variable in variables
                    else {"Ref": variable}
                    if "." not in variable
                    else {"Fn::GetAtt": variable},
                    params,
                )
                return str(text), isinstance(text, Unresolved)

            substituted = substitute(args, value_of)
            if substituted is None:
                return Unresolved("<Fn::Sub>")
            text, unresolved = substituted
            return Unresolved(text) if unresolved else text
        return Unresolved(f"<{name}>")
    return Unresolved(f"<{type(value).__name__}>")


def substitute(args: Any, value_of: Callable[[str, Mapping[str, Any]], tuple[str, bool]]) -> tuple[str, bool] | None:
    """`Fn::Sub` (`"text"` or `["text", {variables}]`): `(text, unresolved)` with every `${Name}` replaced by
    `value_of(Name, variables)` (a text and whether it is unresolved) and `${!Literal}` written as
    `${Literal}`; None for a malformed `Fn::Sub`. Shared by the rules (placeholders) and
    `federation-verify` (live values)."""
    if isinstance(args, str):
        template, variables = args, {}
    elif isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], dict):
        template, variables = args
    else:
        return None
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        text, missing = value_of(name, variables)
        unresolved = unresolved or missing
        return text

    return _SUB_VAR.sub(replace, template), unresolved


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, `*` and `?` wildcards."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


@dataclass(frozen=True)
class Condition:
    """One condition key under one operator, e.g. `ForAnyValue:StringLike` / `...:amr`."""

    #: the operator as written
    operator: str
    #: the base operator in lower case, without qualifier and IfExists, e.g. "stringlike"
    base: str
    #: "ForAnyValue", "ForAllValues" or None
    qualifier: str | None
    if_exists: bool
    #: the condition key in lower case, e.g. "token.actions.githubusercontent.com:sub"
    key: str
    #: the values (literal strings or `Unresolved`)
    values: tuple[str, ...]

    @property
    def negated(self) -> bool:
        """StringNotEquals, StringNotLike, ...: holds when the request value matches none."""
        return self.base in _NEGATED

    @property
    def wildcard(self) -> bool:
        """Whether `*` and `?` in values are wildcards (the `...Like` operators)."""
        return self.base.endswith("like")

    @property
    def holds_when_absent(self) -> bool:
        """Whether the condition holds for a request that does not carry the key at all: `...IfExists`
        and `ForAllValues:` (vacuously) do, `ForAnyValue:` does not, `Null` does for "true", and
        otherwise the negated operators do (nothing to match) and the positive ones do not."""
        if self.if_exists or self.qualifier == "ForAllValues":
            return True
        if self.qualifier == "ForAnyValue":
            return False
        if self.base == "null":
            return any(str(v).lower() == "true" for v in self.values)
        return self.negated


@dataclass(frozen=True)
class Statement:
    """One statement, with every element normalized."""

    index: int
    sid: str | None
    effect: str
    #: principal type in lower case ("federated", "aws", "service", "canonicaluser", or "*" for
    #: `"Principal": "*"`) -> values
    principals: Mapping[str, tuple[str, ...]]
    not_principal: bool
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    conditions: tuple[Condition, ...] = field(default=())

    @property
    def allow(self) -> bool:
        return self.effect == "Allow"

    def allows_action(self, action: str) -> bool:
        """Whether this statement's Action/NotAction covers `action` (effect not considered)."""
        if self.not_actions:
            return not any(action_matches(p, action) for p in self.not_actions)
        return any(action_matches(p, action) for p in self.actions)

    def names_action(self, action: str) -> bool:
        """Whether `action` appears in Action (exactly, any case): what the author asked for."""
        return any(a.lower() == action.lower() for a in self.actions)

    def conditions_on(self, key: str) -> list[Condition]:
        """The conditions on `key` (any case)."""
        return [c for c in self.conditions if c.key == key.lower()]

    def principal_values(self, kind: str) -> tuple[str, ...]:
        return self.principals.get(kind.lower(), ())


def _principals(value: Any, params: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if isinstance(value, str) or not isinstance(value, dict):
        return {"*": (flatten(value, params),)}
    result: dict[str, tuple[str, ...]] = {}
    for kind, values in value.items():
        result[str(kind).lower()] = tuple(flatten(v, params) for v in as_list(values))
    return result


def _conditions(value: Any, params: Mapping[str, Any]) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        return ()
    found: list[Condition] = []
    for operator, keys in value.items():
        if not isinstance(operator, str) or not isinstance(keys, dict):
            continue
        text = operator.lower()
        qualifier = None
        for prefix, name in _SET_QUALIFIERS.items():
            if text.startswith(prefix + ":"):
                qualifier, text = name, text[len(prefix) + 1 :]
        if_exists = text.endswith("ifexists")
        base = text[: -len("ifexists")] if if_exists else text
        for key, values in keys.items():
            found.append(
                Condition(
                    operator=operator,
                    base=base,
                    qualifier=qualifier,
                    if_exists=if_exists,
                    key=str(flatten(key, params)).lower(),
                    values=tuple(flatten(v, params) for v in as_list(values)),
                )
            )
    return tuple(found)


def statements(document: Any, parameters: Mapping[str, Any] | None = None) -> list[Statement]:
    """The statements of a policy document (an object or a list under `Statement`)."""
    params = parameters or {}
    if not isinstance(document, dict):
        return []
    result: list[Statement] = []
    for index, raw in enumerate(as_list(document.get("Statement"))):
        if not isinstance(raw, dict):
            continue
        principal_key = "NotPrincipal" if "NotPrincipal" in raw else "Principal"
        result.append(
            Statement(
                index=index,
                sid=raw.get("Sid") if isinstance(raw.get("Sid"), str) else None,
                effect=str(raw.get("Effect", "")),
                principals=_principals(raw.get(principal_key), params),
                not_principal=principal_key == "NotPrincipal",
                actions=tuple(str(flatten(a, params)) for a in as_list(raw.get("Action"))),
                not_actions=tuple(str(flatten(a, params)) for a in as_list(raw.get("NotAction"))),
                resources=tuple(flatten(r, params) for r in as_list(raw.get("Resource"))),
                not_resources=tuple(flatten(r, params) for r in as_list(raw.get("NotResource"))),
                conditions=_conditions(raw.get("Condition"), params),
            )
        )
    return result


def iter_values(conditions: Iterable[Condition]) -> Iterator[str]:
    for condition in conditions:
        yield from condition.values
