"""A small, independent evaluator of IAM trust-policy semantics, for tests only.

It answers one question: would this trust policy let ``principal`` perform ``action`` with a
token carrying these ``claims``? It is written from the documented IAM evaluation rules, not from
the constructs under test, so that tests can check emitted policies against an oracle that does
not share their bugs.

Scope (anything outside it raises instead of guessing):

* Effect ``Allow``/``Deny``; Principal ``"*"`` or ``{"Federated": ..., "AWS": ..., ...}``;
  Action as a string or list with ``*``/``?`` globs; Resource is ignored (trust policies have none).
* Condition operators ``StringEquals``, ``StringNotEquals``, ``StringEqualsIgnoreCase``,
  ``StringNotEqualsIgnoreCase``, ``StringLike``, ``StringNotLike`` and ``Null``, each with an
  optional ``IfExists`` suffix and ``ForAnyValue:``/``ForAllValues:`` prefix (``Null`` excepted).
* ``NotAction``, ``NotPrincipal`` and ``NotResource`` raise ``NotImplementedError``; so do other
  operators and policy variables (``${...}``) in a ``2012-10-17`` policy.
* CloudFormation intrinsics (``{"Ref": ...}`` and friends) raise ``ValueError``: resolve them
  first, for example with :func:`resolve_refs`.

Choices where the IAM documentation leaves room (kept deliberately strict or conservative):

* A claim given as ``None`` or as an empty list is treated as absent from the request.
* A list claim under an operator without a set prefix: positive operators hold when ANY request
  value matches, negated operators when NO request value matches (see ``_evaluate``).
* ``{"AWS": "*"}`` matches every principal, as IAM documents it to be equivalent to ``"*"``.
  Federated principals are compared exactly (case-sensitive); ``"*"`` in ``Federated`` matches all.
* ``*IgnoreCase`` operators compare with ``str.casefold``; ``Null`` accepts ``true``/``false`` in any
  case. ``NullIfExists`` and a set prefix on ``Null`` raise ``ValueError``.
* Every statement is fully checked, so a malformed part raises even if another part already
  failed to match; two spellings of one claim key (``Sub`` and ``sub``) raise ``ValueError``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["resolve_refs", "trust_allows"]

ClaimValue = str | Sequence[str] | None

_VERSIONS = ("2012-10-17", "2008-10-17")
_UNSUPPORTED_ELEMENTS = ("NotAction", "NotPrincipal", "NotResource")
_SET_PREFIXES = {"foranyvalue": "any", "forallvalues": "all"}
_IF_EXISTS = "ifexists"

# Base operator (lower case) -> (negated, comparison kind).
_STRING_OPERATORS: dict[str, tuple[bool, str]] = {
    "stringequals": (False, "equals"),
    "stringnotequals": (True, "equals"),
    "stringequalsignorecase": (False, "ignorecase"),
    "stringnotequalsignorecase": (True, "ignorecase"),
    "stringlike": (False, "like"),
    "stringnotlike": (True, "like"),
}

# Default values of CloudFormation pseudo parameters used by `resolve_refs`; callers can override them.
_PSEUDO_DEFAULTS = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def trust_allows(
    policy: Mapping[str, Any],
    *,
    principal: str,
    action: str,
    claims: Mapping[str, ClaimValue],
) -> bool:
    """Whether ``policy`` lets the federated ``principal`` perform ``action`` with these ``claims``.

    ``policy`` is an IAM policy document in CloudFormation JSON form (``Statement`` a dict or a list
    of dicts). ``claims`` maps request-context keys (case-insensitive) to a value, a list of values
    (a multi-valued key such as ``cognito-identity.amazonaws.com:amr``) or ``None``; ``None``, an
    empty list and a missing key all mean "the key is absent from the request".

    The result is "some Allow statement matches and no Deny statement matches" (default deny).

    Raises ``ValueError`` for malformed policies or unresolved CloudFormation intrinsics, and
    ``NotImplementedError`` for IAM features this evaluator deliberately does not model.
    """
    if not isinstance(policy, Mapping):
        raise ValueError(f"policy must be a mapping, got {type(policy).__name__}")
    version = policy.get("Version", "2008-10-17")
    if version not in _VERSIONS:
        raise ValueError(f"unknown policy Version {version!r}; expected one of {_VERSIONS}")
    context = _RequestContext.build(claims)
    variables_active = version == "2012-10-17"

    allowed = denied = False
    # Every statement is evaluated (no early return) so that a malformed one always raises.
    for index, statement in enumerate(_statements(policy)):
        effect = _effect(statement, index)
        if _statement_matches(statement, index, principal, action, context, variables_active):
            if effect == "Deny":
                denied = True
            else:
                allowed = True
    return allowed and not denied  # An explicit deny always wins; no allow means deny.


def resolve_refs(document: Any, replacements: Mapping[str, str]) -> Any:
    """A deep copy of ``document`` with the CloudFormation intrinsics it can resolve replaced by strings.

    * ``{"Ref": X}`` becomes ``replacements[X]``; ``AWS::Partition`` defaults to ``"aws"`` and
      ``AWS::URLSuffix`` to ``"amazonaws.com"`` (both overridable); other refs, including
      ``AWS::AccountId``, stay as they are unless ``replacements`` names them.
    * ``{"Fn::GetAtt": [X, attr]}`` (or ``"X.attr"``) becomes ``replacements[f"{X}.{attr}"]``.
    * ``{"Fn::Join": [sep, parts]}`` becomes ``sep.join(parts)`` once every part resolved to a string;
      otherwise it stays a ``Fn::Join`` over whatever did resolve.

    Anything else (``Fn::Sub``, ``Fn::ImportValue``, ...) is copied unchanged, so that
    :func:`trust_allows` reports it rather than guessing.
    """
    lookup = {**_PSEUDO_DEFAULTS, **replacements}
    return _resolve(copy.deepcopy(document), lookup)


# --------------------------------------------------------------------------------------------
# Request context
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RequestContext:
    """The request's condition keys, lower-cased, each with a tuple of values (absent keys omitted)."""

    values: Mapping[str, tuple[str, ...]]

    @classmethod
    def build(cls, claims: Mapping[str, ClaimValue]) -> _RequestContext:
        values: dict[str, tuple[str, ...]] = {}
        seen: dict[str, str] = {}
        for key, raw in claims.items():
            if not isinstance(key, str):
                raise ValueError(f"claim keys must be strings, got {key!r}")
            folded = key.lower()
            if folded in seen:
                # Keys are case-insensitive, so two spellings of one key would be ambiguous.
                raise ValueError(f"claims name the key {key!r} twice (also as {seen[folded]!r})")
            seen[folded] = key
            if raw is None:
                continue
            if isinstance(raw, (str, bool, int, float)):
                values[folded] = (_scalar_to_str(raw, where=f"claim {key!r}"),)
                continue
            if isinstance(raw, Sequence):
                items = tuple(_scalar_to_str(item, where=f"claim {key!r}") for item in raw)
                if items:  # An empty set is treated as an absent key (see the module docstring).
                    values[folded] = items
                continue
            raise ValueError(f"claim {key!r} must be a string, a list of strings or None, got {raw!r}")
        return cls(values)

    def get(self, key: str) -> tuple[str, ...] | None:
        """The key's values, or ``None`` when the key is absent from the request."""
        return self.values.get(key.lower())


# --------------------------------------------------------------------------------------------
# Statements, principals and actions
# --------------------------------------------------------------------------------------------


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if "Statement" not in policy:
        raise ValueError("policy has no Statement")
    raw = policy["Statement"]
    statements = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(statements, list) or not all(isinstance(s, Mapping) for s in statements):
        raise ValueError(f"Statement must be a dict or a list of dicts, got {raw!r}")
    return statements


def _effect(statement: Mapping[str, Any], index: int) -> str:
    for element in _UNSUPPORTED_ELEMENTS:
        if element in statement:
            raise NotImplementedError(f"statement {index}: {element} is not supported by this evaluator")
    effect = statement.get("Effect")
    if effect == "Allow" or effect == "Deny":
        return str(effect)
    raise ValueError(f"statement {index}: Effect must be 'Allow' or 'Deny', got {effect!r}")


def _statement_matches(
    statement: Mapping[str, Any],
    index: int,
    principal: str,
    action: str,
    context: _RequestContext,
    variables_active: bool,
) -> bool:
    # Every element is evaluated (not short-circuited) so that malformed or unresolved parts raise
    # even when an earlier element already failed to match.
    principal_ok = _principal_matches(statement.get("Principal"), principal, index)
    action_ok = _action_matches(statement.get("Action"), action, index)
    condition_ok = _conditions_match(statement.get("Condition"), context, index, variables_active)
    return principal_ok and action_ok and condition_ok


def _principal_matches(element: Any, principal: str, index: int) -> bool:
    if element is None:
        raise ValueError(f"statement {index}: a trust policy statement needs a Principal")
    if element == "*":
        return True
    if not isinstance(element, Mapping):
        raise ValueError(f"statement {index}: Principal must be '*' or a mapping, got {element!r}")
    if _is_intrinsic(element):
        _reject_intrinsic(element, f"statement {index} Principal")
    matched = False
    for kind, entries in element.items():
        values = _string_list(entries, f"statement {index} Principal.{kind}")
        if kind == "Federated":
            matched = matched or any(value == "*" or value == principal for value in values)
        elif kind == "AWS":
            # IAM documents {"AWS": "*"} as equivalent to "Principal": "*" (everyone); any other
            # AWS entry names an account/role/user and never matches a federated principal.
            matched = matched or "*" in values
        # Service, CanonicalUser, ... never name a federated principal.
    return matched


def _action_matches(element: Any, action: str, index: int) -> bool:
    if element is None:
        raise ValueError(f"statement {index}: statement has no Action")
    patterns = _string_list(element, f"statement {index} Action")
    # Action names are case-insensitive; `*` and `?` are globs. `*` spans `:` too, so "*" and
    # "sts:*" both cover every STS action.
    return any(_glob(pattern.lower()).fullmatch(action.lower()) for pattern in patterns)


# --------------------------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Operator:
    name: str
    base: str
    set_mode: str | None  # "any", "all" or None
    if_exists: bool

    @classmethod
    def parse(cls, name: str, where: str) -> _Operator:
        rest = name
        set_mode: str | None = None
        if ":" in rest:
            prefix, rest = rest.split(":", 1)
            set_mode = _SET_PREFIXES.get(prefix.lower())
            if set_mode is None:
                raise NotImplementedError(f"{where}: unknown set prefix {prefix!r} in operator {name!r}")
        base = rest.lower()
        if_exists = base.endswith(_IF_EXISTS)
        if if_exists:
            base = base[: -len(_IF_EXISTS)]
        if base == "null":
            if if_exists:
                raise ValueError(f"{where}: IAM does not allow IfExists on the Null operator ({name!r})")
            if set_mode is not None:
                raise ValueError(f"{where}: a set prefix has no meaning on the Null operator ({name!r})")
        elif base not in _STRING_OPERATORS:
            raise NotImplementedError(f"{where}: condition operator {name!r} is not supported")
        return cls(name, base, set_mode, if_exists)


def _conditions_match(element: Any, context: _RequestContext, index: int, variables_active: bool) -> bool:
    if element is None:
        return True
    where = f"statement {index} Condition"
    if not isinstance(element, Mapping) or _is_intrinsic(element):
        raise ValueError(f"{where} must be a mapping of operators, got {element!r}")
    result = True
    for operator_name, block in element.items():
        operator = _Operator.parse(str(operator_name), where)
        block_where = f"{where}.{operator_name}"
        if not isinstance(block, Mapping) or _is_intrinsic(block):
            raise ValueError(f"{block_where} must map condition keys to values, got {block!r}")
        for key, raw_values in block.items():
            key_where = f"{block_where}[{key!r}]"
            values = _condition_values(raw_values, key_where, variables_active)
            # AND across operators and keys; every key is still evaluated so that bad values raise.
            result = _evaluate(operator, values, context.get(key), key_where) and result
    return result


def _condition_values(raw: Any, where: str, variables_active: bool) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise ValueError(f"{where}: an empty list of condition values is ambiguous")
    values = tuple(_scalar_to_str(item, where=where) for item in items)
    if variables_active and any("${" in value for value in values):
        raise NotImplementedError(f"{where}: policy variables (${{...}}) are not supported: {values!r}")
    return values


def _evaluate(
    operator: _Operator,
    policy_values: tuple[str, ...],
    request_values: tuple[str, ...] | None,
    where: str,
) -> bool:
    if operator.base == "null":
        return _evaluate_null(policy_values, request_values is not None, where)

    negated, kind = _STRING_OPERATORS[operator.base]

    if request_values is None:
        if operator.if_exists:
            return True
        if operator.set_mode == "all":
            return True  # ForAllValues over an absent (empty) set is vacuously true: the footgun.
        if operator.set_mode == "any":
            return False  # ForAnyValue over an absent set: nothing matches, positive or negated.
        # Single-valued: positive operators need the key; negated ones hold when it is absent.
        return negated

    def hits(value: str) -> bool:
        """Whether one request value matches any policy value (OR across policy values)."""
        return any(_compare(kind, pattern, value) for pattern in policy_values)

    if operator.set_mode == "any":
        # At least one request value matches (positive) / fails to match every policy value (negated).
        return any((not hits(v)) if negated else hits(v) for v in request_values)
    if operator.set_mode == "all":
        # Every request value matches (positive) / matches none of the policy values (negated).
        return all((not hits(v)) if negated else hits(v) for v in request_values)

    # No set prefix. A single value is the common case; for a list passed without a prefix we
    # choose "multi-valued key" semantics: a positive operator holds when ANY request value matches
    # some policy value, a negated operator holds when NO request value matches any policy value.
    # (That keeps a negated operator the exact complement of its positive twin, and a one-element
    # list behaves exactly like the bare string.)
    any_hit = any(hits(v) for v in request_values)
    return not any_hit if negated else any_hit


def _evaluate_null(policy_values: tuple[str, ...], present: bool, where: str) -> bool:
    outcomes = []
    for value in policy_values:
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"{where}: Null takes 'true' or 'false', got {value!r}")
        # "true" -> the key must be absent; "false" -> the key must be present. OR across values.
        outcomes.append(present if lowered == "false" else not present)
    return any(outcomes)


def _compare(kind: str, pattern: str, value: str) -> bool:
    if kind == "equals":
        return pattern == value  # `*` and `?` are literal here.
    if kind == "ignorecase":
        return pattern.casefold() == value.casefold()
    return _glob(pattern).fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    """IAM globbing: `*` is any run of characters (including `/`, `:` and none), `?` exactly one."""
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


# --------------------------------------------------------------------------------------------
# Value helpers
# --------------------------------------------------------------------------------------------


def _is_intrinsic(value: Any) -> bool:
    """Whether ``value`` looks like a CloudFormation intrinsic: ``{"Ref": ...}`` or ``{"Fn::...": ...}``."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    (name,) = value
    return name == "Ref" or str(name).startswith("Fn::")


def _reject_intrinsic(value: Any, where: str) -> None:
    """Raise the "resolve intrinsics first" error for any mapping found where a string belongs."""
    if isinstance(value, Mapping):
        raise ValueError(
            f"{where} is a CloudFormation intrinsic ({value!r}); resolve intrinsics first, "
            "e.g. with tests.iam_matcher.resolve_refs(document, replacements)"
        )


def _scalar_to_str(value: Any, *, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # Before int: bool is an int subclass.
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Mapping):
        _reject_intrinsic(value, where)
    raise ValueError(f"{where}: expected a string, number or boolean, got {value!r}")


def _string_list(value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    result = []
    for item in items:
        if isinstance(item, Mapping):
            _reject_intrinsic(item, where)
        if not isinstance(item, str):
            raise ValueError(f"{where}: expected a string or a list of strings, got {value!r}")
        result.append(item)
    return result


def _resolve(node: Any, lookup: Mapping[str, str]) -> Any:
    if isinstance(node, list):
        return [_resolve(item, lookup) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((name, arg),) = node.items()
        if name == "Ref" and isinstance(arg, str):
            return lookup.get(arg, node)
        if name == "Fn::GetAtt":
            target = _getatt_name(arg)
            if target is not None and target in lookup:
                return lookup[target]
            return node
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            separator = _resolve(arg[0], lookup)
            parts = _resolve(arg[1], lookup)
            if isinstance(separator, str) and isinstance(parts, list):
                if all(isinstance(part, str) for part in parts):
                    return separator.join(parts)
            return {"Fn::Join": [separator, parts]}
    return {key: _resolve(value, lookup) for key, value in node.items()}


def _getatt_name(arg: Any) -> str | None:
    if isinstance(arg, list) and len(arg) == 2 and all(isinstance(part, str) for part in arg):
        return f"{arg[0]}.{arg[1]}"
    if isinstance(arg, str) and "." in arg:
        return arg
    return None
