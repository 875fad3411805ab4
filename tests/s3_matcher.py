"""A small, independent evaluator of identity policies and one S3 bucket policy, for tests only.

It answers one question: would these identity policies (and this bucket policy) let the caller make
this S3 request? It is written from the documented IAM/S3 evaluation rules, not from the constructs
under test, so that tests can check emitted per-user policies against an oracle that does not share
their bugs (for example a ``private/${sub}*`` prefix that also admits ``private/${sub}2/``).

Decision (same-account request):

* An explicit ``Deny`` that matches, in any identity policy or in the bucket policy, wins.
* Otherwise the request is allowed when a matching ``Allow`` exists in an identity policy, or in the
  bucket policy for this principal. Anything else is the default deny.

Scope (anything outside it raises instead of guessing):

* Statement elements ``Sid``, ``Effect``, ``Action``/``NotAction``, ``Resource``/``NotResource``,
  ``Condition``; ``Principal`` only in the bucket policy (``"*"``, ``{"AWS": "*"}``, or
  ``{"AWS": <arn>}`` / a list of those). ``NotPrincipal`` raises ``NotImplementedError``.
* Actions: case-insensitive globs. Resources: case-sensitive globs over the whole ARN string, where
  ``*`` is any run of characters (``/`` and ``:`` included, or none) and ``?`` exactly one.
* Condition operators ``StringEquals``, ``StringNotEquals``, ``StringEqualsIgnoreCase``,
  ``StringNotEqualsIgnoreCase``, ``StringLike``, ``StringNotLike``, ``ArnEquals``, ``ArnNotEquals``,
  ``ArnLike``, ``ArnNotLike``, ``Bool`` and ``Null``; an ``IfExists`` suffix and a ``ForAnyValue:`` /
  ``ForAllValues:`` prefix on all of them but ``Null``. Other operators raise ``NotImplementedError``.
* Policy variables (``${key}``, ``${key, 'default'}``, ``${*}``, ``${?}``, ``${$}``) in
  ``Resource``, ``NotResource`` and condition values of ``"Version": "2012-10-17"`` policies; in an
  older (or version-less) policy ``${...}`` is plain text, as in IAM.
* CloudFormation intrinsics (``{"Ref": ...}``, ``{"Fn::...": ...}``) anywhere in a policy raise
  ``ValueError``: resolve them first with :func:`resolve`.

Choices where the documentation leaves room (kept strict, or conservative, and pinned by tests):

* Context values: a string is a single-valued key, a list a multi-valued key, ``None`` or an empty
  list an absent key. ``""`` is a present value (``s3:prefix`` of ``""`` lists the bucket root).
  Key names are case-insensitive; two spellings of one key raise ``ValueError``.
* ``aws:PrincipalArn`` defaults to ``principal_arn``; a context that names a different ARN raises.
* Variables: a key given as a list (multi-valued) is refused even when it holds one value, and
  even when the variable has a default (the statement part that uses it cannot match). The default
  is literal text (no wildcards, no ``''`` escape). Malformed variables (``${``, ``${}``,
  ``${a b}``, ``${k, default}``) raise ``ValueError``. Substitution is one pass: a substituted value
  that contains ``${...}`` is not substituted again.
* Substituted values and the ``${*}``/``${?}``/``${$}`` escapes are literal text: a ``*`` inside a
  user id matches only ``*``.
* An unresolvable variable: a ``Resource`` entry matches nothing; any ``NotResource`` entry makes
  the whole statement not apply (NOTE: for a ``Deny`` this means "does not deny", so the evaluator
  may allow more than AWS, never less, which keeps proofs of denial sound); a condition value
  matches nothing, so a negated operator whose only value is unresolvable holds (the request
  value matches none of the values).
* Unprefixed operators over a list context value: positive operators hold when ANY request value
  matches, negated ones when NO request value matches. ``ForAnyValue`` over an absent key is false,
  ``ForAllValues`` over an absent key is true (the documented footgun), ``IfExists`` over an absent
  key is true.
* ``ArnEquals``/``ArnNotEquals`` compare like ``StringEquals`` (exact, ``*`` literal) and
  ``ArnLike``/``ArnNotLike`` like ``StringLike``, over the whole ARN string (no per-segment split).
* ``Bool`` compares ``true``/``false`` case-insensitively; a literal policy value other than those
  raises. ``Null`` takes ``true`` (key absent) or ``false`` (key present).
* Principals are compared exactly; account principals (``"123456789012"``, ``...:root``),
  ``Federated``, ``Service`` and ``CanonicalUser`` never match the caller.
* Every statement is fully checked, so a malformed part raises even when another part already
  failed to match.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

__all__ = ["S3Request", "resolve", "s3_allows", "substitute"]

ContextValue = str | Sequence[str] | None

_VARIABLES_VERSION = "2012-10-17"
_VERSIONS = (_VARIABLES_VERSION, "2008-10-17")
_POLICY_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_SET_PREFIXES = {"foranyvalue": "any", "forallvalues": "all"}
_IF_EXISTS = "ifexists"
_PRINCIPAL_ARN_KEY = "aws:principalarn"

# Base operator (lower case) -> (negated, comparison kind).
_OPERATORS: dict[str, tuple[bool, str]] = {
    "stringequals": (False, "equals"),
    "stringnotequals": (True, "equals"),
    "stringequalsignorecase": (False, "ignorecase"),
    "stringnotequalsignorecase": (True, "ignorecase"),
    "stringlike": (False, "like"),
    "stringnotlike": (True, "like"),
    "arnequals": (False, "equals"),
    "arnnotequals": (True, "equals"),
    "arnlike": (False, "like"),
    "arnnotlike": (True, "like"),
    "bool": (False, "bool"),
}

# `${*}`, `${?}` and `${$}`: literal characters.
_ESCAPE = re.compile(r"\$\{([*?$])\}")
# `${key}` or `${key, 'default'}`; whitespace around the key and the quoted default is ignored.
_VARIABLE = re.compile(r"\$\{\s*(?P<key>[^\s,'{}$]+)\s*(?:,\s*'(?P<default>[^']*)'\s*)?\}")

# One piece of a substituted string: its text and whether that text is literal (never a wildcard).
_Piece = tuple[str, bool]


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class S3Request:
    """One S3 request: an action, the ARN it acts on, and the request context keys.

    ``resource`` is an object ARN (``arn:aws:s3:::bucket/key``) or a bucket ARN
    (``arn:aws:s3:::bucket``, for ``s3:ListBucket``). ``context`` maps condition keys (any case) to a
    string, a list of strings (a multi-valued key) or ``None`` (absent), e.g. ``s3:prefix``,
    ``cognito-identity.amazonaws.com:sub``, ``saml:sub``, ``aws:PrincipalTag/user``.
    """

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


def s3_allows(
    request: S3Request,
    *,
    identity_policies: Sequence[Mapping[str, Any]],
    bucket_policy: Mapping[str, Any] | None = None,
    principal_arn: str | None = None,
) -> bool:
    """Whether the identity policies, and the bucket policy, allow ``request`` (same account).

    An explicit Deny anywhere wins; otherwise an Allow in an identity policy, or in the bucket policy
    for this principal (``principal_arn``), allows; otherwise the default deny applies.

    Raises ``ValueError`` for malformed policies or requests and unresolved CloudFormation intrinsics,
    ``NotImplementedError`` for IAM features this evaluator deliberately does not model.
    """
    if not isinstance(request, S3Request):
        raise ValueError(f"request must be an S3Request, got {request!r}")
    for name in ("action", "resource"):
        value = getattr(request, name)
        if not isinstance(value, str) or not value:
            raise ValueError(f"request.{name} must be a non-empty string, got {value!r}")
    if isinstance(identity_policies, (Mapping, str)) or not isinstance(identity_policies, Sequence):
        raise ValueError("identity_policies must be a list of policy documents")
    if principal_arn is not None and (not isinstance(principal_arn, str) or not principal_arn):
        raise ValueError(f"principal_arn must be a non-empty string, got {principal_arn!r}")
    context = _Context.build(request.context, principal_arn=principal_arn)

    effects: list[str] = []
    for number, policy in enumerate(identity_policies):
        effects += _matching_effects(policy, f"identity policy {number}", request, context, None)
    if bucket_policy is not None:
        effects += _matching_effects(bucket_policy, "bucket policy", request, context, principal_arn or "")
    return "Allow" in effects and "Deny" not in effects


def substitute(value: str, context: Mapping[str, ContextValue]) -> str | None:
    """``value`` with its policy variables replaced from ``context`` (2012-10-17 rules).

    ``${key}`` becomes the key's single value (key lookup is case-insensitive); ``${key, 'default'}``
    falls back to ``default`` when the key is absent; ``${*}``, ``${?}`` and ``${$}`` become ``*``,
    ``?`` and ``$``. Returns ``None`` when a referenced key is absent without a default, or is
    multi-valued (given as a list). Raises ``ValueError`` for a malformed variable.
    """
    if not isinstance(value, str):
        raise ValueError(f"value must be a string, got {value!r}")
    pieces = _pieces(value, _Context.build(context), variables_active=True)
    return None if pieces is None else "".join(text for text, _ in pieces)


def resolve(document: Any, replacements: Mapping[str, str]) -> Any:
    """A deep copy of ``document`` with the CloudFormation intrinsics it can resolve replaced.

    * ``{"Ref": X}`` becomes ``replacements[X]``; ``AWS::Partition`` defaults to ``"aws"``.
    * ``{"Fn::GetAtt": [X, attr]}`` (or ``"X.attr"``) becomes ``replacements[f"{X}.{attr}"]``,
      e.g. ``replacements["Bucket.Arn"]``.
    * ``{"Fn::Join": [sep, parts]}`` becomes ``sep.join(parts)`` once every part resolved to a string.

    Whatever cannot be resolved is kept as it is, so that :func:`s3_allows` reports it.
    """
    lookup = {"AWS::Partition": "aws", **replacements}
    return _resolve(copy.deepcopy(document), lookup)


# --------------------------------------------------------------------------------------------
# Request context
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """The request's condition keys, lower-cased, each with a tuple of values (absent keys omitted)."""

    values: Mapping[str, tuple[str, ...]]
    multi_valued: frozenset[str]

    @classmethod
    def build(cls, raw: Mapping[str, ContextValue], *, principal_arn: str | None = None) -> _Context:
        if not isinstance(raw, Mapping):
            raise ValueError(f"context must be a mapping, got {raw!r}")
        values: dict[str, tuple[str, ...]] = {}
        multi: set[str] = set()
        seen: dict[str, str] = {}
        for key, value in raw.items():
            if not isinstance(key, str) or not key:
                raise ValueError(f"context keys must be non-empty strings, got {key!r}")
            folded = key.lower()
            if folded in seen:
                raise ValueError(f"context names the key {key!r} twice (also as {seen[folded]!r})")
            seen[folded] = key
            if value is None:
                continue
            if isinstance(value, (str, bool)):
                values[folded] = (_scalar(value, f"context {key!r}"),)
            elif isinstance(value, Sequence):
                items = tuple(_scalar(item, f"context {key!r}") for item in value)
                if items:  # An empty set is an absent key.
                    values[folded] = items
                    multi.add(folded)
            else:
                raise ValueError(f"context {key!r} must be a string, a list of strings or None, got {value!r}")
        if principal_arn is not None:
            given = values.get(_PRINCIPAL_ARN_KEY)
            if given is None:
                values[_PRINCIPAL_ARN_KEY] = (principal_arn,)
            elif given != (principal_arn,):
                raise ValueError(f"context aws:PrincipalArn {given!r} contradicts principal_arn {principal_arn!r}")
        return cls(values, frozenset(multi))

    def get(self, key: str) -> tuple[str, ...] | None:
        """The key's values, or ``None`` when the key is absent from the request."""
        return self.values.get(key.lower())

    def single(self, key: str) -> str | None:
        """The key's value when it is present and single-valued, else ``None``."""
        folded = key.lower()
        if folded in self.multi_valued:
            return None
        found = self.values.get(folded)
        return None if found is None else found[0]

    def present(self, key: str) -> bool:
        return key.lower() in self.values


# --------------------------------------------------------------------------------------------
# Policy variables
# --------------------------------------------------------------------------------------------


def _pieces(value: str, context: _Context, *, variables_active: bool) -> tuple[_Piece, ...] | None:
    """``value`` split into pattern text and literal (substituted) text; ``None`` if unresolvable."""
    if not variables_active:
        return ((value, False),)
    pieces: list[_Piece] = []
    unresolved = False
    position = 0
    while True:
        start = value.find("${", position)
        if start < 0:
            pieces.append((value[position:], False))
            break
        pieces.append((value[position:start], False))
        escape = _ESCAPE.match(value, start)
        if escape is not None:
            pieces.append((escape.group(1), True))
            position = escape.end()
            continue
        variable = _VARIABLE.match(value, start)
        if variable is None:
            raise ValueError(f"malformed policy variable at offset {start} of {value!r}")
        key, default = variable.group("key"), variable.group("default")
        if context.present(key):
            found = context.single(key)  # Multi-valued keys are refused, default or not.
            if found is None:
                unresolved = True
            else:
                pieces.append((found, True))
        elif default is not None:
            pieces.append((default, True))
        else:
            unresolved = True
        position = variable.end()
    # Every variable is parsed (no early return), so a malformed one raises even after a miss.
    return None if unresolved else tuple(piece for piece in pieces if piece[0])


@lru_cache(maxsize=4096)
def _glob(pieces: tuple[_Piece, ...]) -> re.Pattern[str]:
    """IAM globbing over pattern pieces (``*`` any run incl. ``/`` and none, ``?`` one character).

    Literal pieces (substituted values, escapes) are matched character for character.
    """
    parts = []
    for text, literal in pieces:
        if literal:
            parts.append(re.escape(text))
            continue
        for char in text:
            if char == "*":
                parts.append(".*")
            elif char == "?":
                parts.append(".")
            else:
                parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def _text(pieces: tuple[_Piece, ...]) -> str:
    return "".join(text for text, _ in pieces)


# --------------------------------------------------------------------------------------------
# Policies and statements
# --------------------------------------------------------------------------------------------


def _matching_effects(
    policy: Any,
    where: str,
    request: S3Request,
    context: _Context,
    principal_arn: str | None,
) -> list[str]:
    """The effects of the statements of ``policy`` that match; ``principal_arn`` None = identity policy."""
    if not isinstance(policy, Mapping):
        raise ValueError(f"{where} must be a mapping, got {type(policy).__name__}")
    _reject_intrinsics(policy, where)
    unknown = set(policy) - _POLICY_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown top-level elements {sorted(unknown)}")
    version = policy.get("Version", "2008-10-17")
    if version not in _VERSIONS:
        raise ValueError(f"{where}: unknown Version {version!r}; expected one of {_VERSIONS}")
    if "Statement" not in policy:
        raise ValueError(f"{where} has no Statement")
    raw = policy["Statement"]
    statements = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(statements, list) or not statements or not all(isinstance(s, Mapping) for s in statements):
        raise ValueError(f"{where}: Statement must be a dict or a non-empty list of dicts, got {raw!r}")

    variables_active = version == _VARIABLES_VERSION
    effects = []
    for index, statement in enumerate(statements):
        statement_where = f"{where} statement {index}"
        effect = _effect(statement, statement_where)
        if _statement_matches(statement, statement_where, request, context, variables_active, principal_arn):
            effects.append(effect)
    return effects


def _effect(statement: Mapping[str, Any], where: str) -> str:
    unknown = set(statement) - _STATEMENT_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown elements {sorted(unknown)}")
    if "NotPrincipal" in statement:
        raise NotImplementedError(f"{where}: NotPrincipal is not supported by this evaluator")
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise ValueError(f"{where}: Effect must be 'Allow' or 'Deny', got {effect!r}")
    return str(effect)


def _statement_matches(
    statement: Mapping[str, Any],
    where: str,
    request: S3Request,
    context: _Context,
    variables_active: bool,
    principal_arn: str | None,
) -> bool:
    # Every element is evaluated (no short circuit) so that malformed parts always raise.
    principal_ok = _principal_matches(statement, where, principal_arn)
    action_ok = _action_matches(statement, where, request.action)
    resource_ok = _resource_matches(statement, where, request.resource, context, variables_active)
    condition_ok = _conditions_match(statement.get("Condition"), where, context, variables_active)
    return principal_ok and action_ok and resource_ok and condition_ok


def _principal_matches(statement: Mapping[str, Any], where: str, principal_arn: str | None) -> bool:
    if principal_arn is None:  # An identity policy: attached to the caller, so it names no principal.
        if "Principal" in statement:
            raise ValueError(f"{where}: an identity policy statement must not have a Principal")
        return True
    if "Principal" not in statement:
        raise ValueError(f"{where}: a bucket policy statement needs a Principal")
    element = statement["Principal"]
    if element == "*":
        return True
    if not isinstance(element, Mapping) or not element:
        raise ValueError(f"{where}: Principal must be '*' or a non-empty mapping, got {element!r}")
    matched = False
    for kind, entries in element.items():
        values = _string_list(entries, f"{where} Principal.{kind}")
        if kind == "AWS":
            # {"AWS": "*"} is everyone; otherwise an exact ARN ("" when no principal_arn was given).
            matched = matched or any(value == "*" or (principal_arn and value == principal_arn) for value in values)
        # Federated, Service, CanonicalUser, ... never name the (IAM) caller.
    return matched


def _action_matches(statement: Mapping[str, Any], where: str, action: str) -> bool:
    element, negated = _exactly_one(statement, "Action", "NotAction", where)
    patterns = _string_list(element, f"{where} {'NotAction' if negated else 'Action'}")
    # Action names are case-insensitive; variables are not substituted in actions.
    hit = any(_glob(((pattern.lower(), False),)).fullmatch(action.lower()) for pattern in patterns)
    return not hit if negated else hit


def _resource_matches(
    statement: Mapping[str, Any],
    where: str,
    resource: str,
    context: _Context,
    variables_active: bool,
) -> bool:
    element, negated = _exactly_one(statement, "Resource", "NotResource", where)
    entries = _string_list(element, f"{where} {'NotResource' if negated else 'Resource'}")
    resolved = [_pieces(entry, context, variables_active=variables_active) for entry in entries]
    if negated and any(pieces is None for pieces in resolved):
        # Conservative: an unresolvable NotResource entry makes the whole statement not apply.
        return False
    hit = any(pieces is not None and _glob(pieces).fullmatch(resource) for pieces in resolved)
    return not hit if negated else hit


def _exactly_one(statement: Mapping[str, Any], name: str, negated_name: str, where: str) -> tuple[Any, bool]:
    if (name in statement) == (negated_name in statement):
        raise ValueError(f"{where}: a statement needs exactly one of {name} and {negated_name}")
    return (statement[name], False) if name in statement else (statement[negated_name], True)


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
        elif base not in _OPERATORS:
            raise NotImplementedError(f"{where}: condition operator {name!r} is not supported")
        return cls(name, base, set_mode, if_exists)


def _conditions_match(element: Any, where: str, context: _Context, variables_active: bool) -> bool:
    if element is None:
        return True
    where = f"{where} Condition"
    if not isinstance(element, Mapping):
        raise ValueError(f"{where} must be a mapping of operators, got {element!r}")
    result = True
    for operator_name, block in element.items():
        operator = _Operator.parse(str(operator_name), where)
        block_where = f"{where}.{operator_name}"
        if not isinstance(block, Mapping) or not block:
            raise ValueError(f"{block_where} must map condition keys to values, got {block!r}")
        for key, raw_values in block.items():
            key_where = f"{block_where}[{key!r}]"
            if not isinstance(key, str) or not key:
                raise ValueError(f"{key_where}: condition keys must be non-empty strings")
            values = _condition_values(raw_values, key_where, context, variables_active)
            # AND across operators and keys; every key is still evaluated so that bad values raise.
            result = _evaluate(operator, values, context.get(key), key_where) and result
    return result


def _condition_values(
    raw: Any, where: str, context: _Context, variables_active: bool
) -> tuple[tuple[_Piece, ...] | None, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise ValueError(f"{where}: an empty list of condition values is ambiguous")
    return tuple(_pieces(_scalar(item, where), context, variables_active=variables_active) for item in items)


def _evaluate(
    operator: _Operator,
    policy_values: tuple[tuple[_Piece, ...] | None, ...],
    request_values: tuple[str, ...] | None,
    where: str,
) -> bool:
    if operator.base == "null":
        return _evaluate_null(policy_values, request_values is not None, where)

    negated, kind = _OPERATORS[operator.base]
    if kind == "bool":
        for pieces in policy_values:
            if pieces is not None and all(literal is False for _, literal in pieces):
                if _text(pieces).lower() not in ("true", "false"):
                    raise ValueError(f"{where}: Bool takes 'true' or 'false', got {_text(pieces)!r}")

    if request_values is None:
        if operator.if_exists:
            return True
        if operator.set_mode == "all":
            return True  # ForAllValues over an absent (empty) set is vacuously true: the footgun.
        if operator.set_mode == "any":
            return False  # ForAnyValue over an absent set: nothing matches, positive or negated.
        return negated  # Positive operators need the key; negated ones hold when it is absent.

    def hits(value: str) -> bool:
        """Whether one request value matches any policy value (unresolvable values match nothing)."""
        return any(pieces is not None and _compare(kind, pieces, value) for pieces in policy_values)

    if operator.set_mode == "any":
        return any((not hits(v)) if negated else hits(v) for v in request_values)
    if operator.set_mode == "all":
        return all((not hits(v)) if negated else hits(v) for v in request_values)
    any_hit = any(hits(v) for v in request_values)
    return not any_hit if negated else any_hit


def _evaluate_null(policy_values: tuple[tuple[_Piece, ...] | None, ...], present: bool, where: str) -> bool:
    outcomes = []
    for pieces in policy_values:
        if pieces is None:
            outcomes.append(False)
            continue
        lowered = _text(pieces).lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"{where}: Null takes 'true' or 'false', got {_text(pieces)!r}")
        # "true" -> the key must be absent; "false" -> the key must be present. OR across values.
        outcomes.append(present if lowered == "false" else not present)
    return any(outcomes)


def _compare(kind: str, pieces: tuple[_Piece, ...], value: str) -> bool:
    if kind == "equals":
        return _text(pieces) == value  # `*` and `?` are literal here.
    if kind == "ignorecase":
        return _text(pieces).casefold() == value.casefold()
    if kind == "bool":
        return _text(pieces).lower() == value.lower()
    return _glob(pieces).fullmatch(value) is not None


# --------------------------------------------------------------------------------------------
# Value helpers
# --------------------------------------------------------------------------------------------


def _is_intrinsic(value: Any) -> bool:
    """Whether ``value`` looks like a CloudFormation intrinsic: ``{"Ref": ...}`` or ``{"Fn::...": ...}``."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    (name,) = value
    return name == "Ref" or str(name).startswith("Fn::")


def _reject_intrinsics(node: Any, where: str) -> None:
    if _is_intrinsic(node):
        raise ValueError(
            f"{where} holds a CloudFormation intrinsic ({node!r}); resolve intrinsics first, "
            "e.g. with tests.s3_matcher.resolve(document, replacements)"
        )
    if isinstance(node, Mapping):
        for key, value in node.items():
            _reject_intrinsics(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _reject_intrinsics(value, f"{where}[{index}]")


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # Before int: bool is an int subclass.
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise ValueError(f"{where}: expected a string, number or boolean, got {value!r}")


def _string_list(value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        raise ValueError(f"{where}: expected a string or a non-empty list of strings, got {value!r}")
    return items


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
            return lookup[target] if target is not None and target in lookup else node
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            separator = _resolve(arg[0], lookup)
            parts = _resolve(arg[1], lookup)
            if isinstance(separator, str) and isinstance(parts, list) and all(isinstance(p, str) for p in parts):
                return separator.join(parts)
            return {"Fn::Join": [separator, parts]}
    return {key: _resolve(value, lookup) for key, value in node.items()}


def _getatt_name(arg: Any) -> str | None:
    if isinstance(arg, list) and len(arg) == 2 and all(isinstance(part, str) for part in arg):
        return f"{arg[0]}.{arg[1]}"
    if isinstance(arg, str) and "." in arg:
        return arg
    return None
