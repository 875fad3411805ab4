"""Proofs that a trust policy admits exactly its declared intent, with the z3 SMT solver.

A request is a principal, an action and, for every condition key involved, a set of 0-2 string
values (0: the claim is absent; single-valued claims hold at most one). The trust policy, as
CloudFormation holds it, becomes a formula over the request, following IAM's documented condition
semantics (`StringEquals`, `StringLike` with `*`/`?`, `...IgnoreCase`, the negated operators,
`ForAnyValue:`/`ForAllValues:`, `...IfExists`, `Null`, several statements, Allow and Deny). The
intent (`federation_constructs.proof.intent.TrustIntent`) becomes another. Then:

- *no widening*: `trust ∧ ¬intent` is unsatisfiable, or the model is a counterexample request;
- *not dead*: `trust ∧ intent` is satisfiable (some intended request is admitted).

Operators the translation does not model (numeric, date, IP) are taken as true in an Allow and as
false in a Deny: the solver may then report a widening that is not there, never miss one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import z3

from federation_constructs.policy.document import Condition, Statement, as_list, statements
from federation_constructs.proof.intent import ClaimIntent, TrustIntent

__all__ = [
    "Comparison",
    "Counterexample",
    "Explanation",
    "ProofResult",
    "TrustModel",
    "collect_intents",
    "compare",
    "explain",
    "prove",
]

Status = Literal["proved", "widened", "dead", "unknown"]
_MAX_VALUES = 2
_MULTI_SUFFIXES = (":amr",)
_STRING_BASES = {
    "stringequals": "equals",
    "stringnotequals": "equals",
    "stringequalsignorecase": "ignorecase",
    "stringnotequalsignorecase": "ignorecase",
    "stringlike": "like",
    "stringnotlike": "like",
    "arnequals": "equals",
    "arnnotequals": "equals",
    "arnlike": "like",
    "arnnotlike": "like",
    "bool": "ignorecase",
}


@dataclass(frozen=True)
class Counterexample:
    """A request the trust admits but the intent does not (or the reverse, for `dead`)."""

    principal: str
    action: str
    #: condition key -> value (a string), values (a list), or None (absent)
    claims: Mapping[str, str | list[str] | None]

    def printable(self) -> bool:
        texts = [self.principal, self.action] + [
            x for v in self.claims.values() if v is not None for x in ([v] if isinstance(v, str) else v)
        ]
        return all(all(" " <= ch <= "~" for ch in text) for text in texts)

    def describe(self) -> str:
        parts = [f"{k}={'(absent)' if v is None else repr(v)}" for k, v in sorted(self.claims.items())]
        return f"principal {self.principal!r}, action {self.action}, " + ", ".join(parts)


@dataclass(frozen=True)
class ProofResult:
    status: Status
    seconds: float
    counterexample: Counterexample | None = None
    detail: str = ""

    def describe(self) -> str:
        if self.status == "proved":
            return "proved: admits exactly the declared intent"
        if self.status == "widened":
            return f"WIDER than the declared intent, e.g. {self.counterexample.describe()}"  # type: ignore[union-attr]
        if self.status == "dead":
            return "DEAD: no request inside the declared intent is admitted"
        return f"not proved: {self.detail}"


# --- regular expressions ---------------------------------------------------------------------------

_CHAR = z3.ReSort(z3.StringSort())


def _any() -> z3.ReRef:
    return z3.Star(z3.AllChar(_CHAR))


def glob(pattern: str) -> z3.ReRef:
    """IAM's `StringLike`: `*` any run of characters, `?` exactly one, the rest literal."""
    parts: list[z3.ReRef] = []
    literal = ""
    for char in pattern:
        if char in "*?":
            if literal:
                parts.append(z3.Re(z3.StringVal(literal)))
                literal = ""
            parts.append(_any() if char == "*" else z3.AllChar(_CHAR))
        else:
            literal += char
    if literal or not parts:
        parts.append(z3.Re(z3.StringVal(literal)))
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


# --- the request -------------------------------------------------------------------------------


class _Request:
    """z3 variables of one request."""

    def __init__(self, keys: Sequence[str], multi: set[str]) -> None:
        self.principal = z3.String("principal")
        self.action = z3.String("action")  # lower case
        self.count: dict[str, z3.ArithRef] = {}
        self.values: dict[str, list[z3.SeqRef]] = {}
        self.multi = multi
        self.constraints: list[z3.BoolRef] = []
        for number, key in enumerate(sorted(set(keys))):
            n = z3.Int(f"n{number}")
            self.count[key] = n
            self.values[key] = [z3.String(f"v{number}_{i}") for i in range(_MAX_VALUES)]
            limit = _MAX_VALUES if key in multi else 1
            self.constraints.append(z3.And(n >= 0, n <= limit))
            if limit > 1:  # a set: distinct values
                self.constraints.append(z3.Implies(n == 2, self.values[key][0] != self.values[key][1]))

    def present(self, key: str) -> z3.BoolRef:
        return self.count[key] >= 1

    def members(self, key: str) -> list[tuple[z3.BoolRef, z3.SeqRef]]:
        return [(self.count[key] > i, value) for i, value in enumerate(self.values[key])]


def _keys(document_statements: Sequence[Statement], intent: TrustIntent | None) -> tuple[list[str], set[str]]:
    keys = [c.key for s in document_statements for c in s.conditions]
    multi = {c.key for s in document_statements for c in s.conditions if c.qualifier} | {
        k for k in keys if k.endswith(_MULTI_SUFFIXES)
    }
    if intent is not None:
        keys += [c.key.lower() for c in intent.claims]
        multi |= {c.key.lower() for c in intent.claims if c.multi}
    return keys, multi


def _match(value: z3.SeqRef, condition: Condition) -> z3.BoolRef:
    kind = _STRING_BASES[condition.base]
    options = []
    for expected in condition.values:
        if kind == "equals":
            options.append(value == z3.StringVal(expected))
        elif kind == "like":
            options.append(z3.InRe(value, glob(expected)))
        else:
            options.append(_equals_ignoring_case(value, expected))
    return z3.Or(*options) if options else z3.BoolVal(False)


def _equals_ignoring_case(value: z3.SeqRef, expected: str) -> z3.BoolRef:
    """Same length, and each character either case of the expected one (faster for the solver
    than a regular expression of per-character unions)."""
    parts = [z3.Length(value) == len(expected)]
    for i, char in enumerate(expected):
        at = z3.SubString(value, i, 1)
        parts.append(
            z3.Or(at == z3.StringVal(char.lower()), at == z3.StringVal(char.upper()))
            if char.lower() != char.upper()
            else at == z3.StringVal(char)
        )
    return z3.And(*parts)


def _condition(request: _Request, condition: Condition, *, in_deny: bool, opaque: bool = False) -> z3.BoolRef:
    """The condition as a formula. An operator the model does not read (numeric, date, IP) is true in an
    Allow and false in a Deny (the widest reading), or, with `opaque`, an unknown truth value shared by
    every condition written the same way (operator and key in any case, the same values)."""
    key = condition.key
    present = request.present(key)
    if condition.base == "null":
        wants_absent = [v.lower() == "true" for v in condition.values]
        return (
            z3.Or(*[z3.Not(present) if absent else present for absent in wants_absent])
            if wants_absent
            else z3.BoolVal(False)
        )
    if condition.base not in _STRING_BASES:
        if opaque:
            return z3.Bool(f"opaque {condition.operator.lower()} {condition.key.lower()} {sorted(condition.values)!r}")
        return z3.BoolVal(not in_deny)  # not modelled: assume the worst for the proof
    members = request.members(key)
    if condition.qualifier == "ForAnyValue":
        hold = [
            z3.And(inside, z3.Not(_match(v, condition)) if condition.negated else _match(v, condition))
            for inside, v in members
        ]
        result = z3.Or(*hold)
    elif condition.qualifier == "ForAllValues":
        hold = [
            z3.Implies(inside, z3.Not(_match(v, condition)) if condition.negated else _match(v, condition))
            for inside, v in members
        ]
        result = z3.And(*hold)
    else:
        some = z3.Or(*[z3.And(inside, _match(v, condition)) for inside, v in members])
        result = z3.Not(some) if condition.negated else z3.And(present, some)
    if condition.if_exists:
        result = z3.Or(z3.Not(present), result)
    return result


def _statement(request: _Request, statement: Statement, *, opaque: bool = False) -> z3.BoolRef:
    in_deny = statement.effect == "Deny"
    principals = []
    for values in statement.principals.values():
        for value in values:
            principals.append(z3.BoolVal(True) if value == "*" else request.principal == z3.StringVal(value))
    principal = z3.Or(*principals) if principals else z3.BoolVal(False)
    if statement.not_principal:
        principal = z3.Not(principal)
    actions = [z3.InRe(request.action, glob(a.lower())) for a in (statement.not_actions or statement.actions)]
    action = z3.Or(*actions) if actions else z3.BoolVal(False)
    if statement.not_actions:
        action = z3.Not(action)
    conditions = [_condition(request, c, in_deny=in_deny, opaque=opaque) for c in statement.conditions]
    return z3.And(principal, action, *conditions)


def _intent(request: _Request, intent: TrustIntent) -> z3.BoolRef:
    parts = [request.principal == z3.StringVal(intent.federated), request.action == z3.StringVal(intent.action.lower())]
    for claim in intent.claims:
        key = claim.key.lower()
        parts.append(z3.Or(*[z3.And(inside, _claim_match(v, claim)) for inside, v in request.members(key)]))
    return z3.And(*parts)


def _claim_match(value: z3.SeqRef, claim: ClaimIntent) -> z3.BoolRef:
    if claim.like:
        return z3.Or(*[z3.InRe(value, glob(p)) for p in claim.values])
    return z3.Or(*[value == z3.StringVal(v) for v in claim.values])


class TrustModel:
    """A trust policy (and optionally its intent) as solver formulas over one request."""

    def __init__(
        self,
        document: Any,
        intent: TrustIntent | None = None,
        parameters: Mapping[str, Any] | None = None,
        extra_keys: Sequence[str] = (),
    ) -> None:
        self.statements = statements(document, parameters)
        keys, multi = _keys(self.statements, intent)
        keys += [k.lower() for k in extra_keys]
        self.request = _Request(keys, multi)
        self.intent = intent
        allows = [_statement(self.request, s) for s in self.statements if s.effect == "Allow"]
        denies = [_statement(self.request, s) for s in self.statements if s.effect == "Deny"]
        self.trust = z3.And(
            z3.Or(*allows) if allows else z3.BoolVal(False), z3.Not(z3.Or(*denies)) if denies else z3.BoolVal(True)
        )
        self.intended = _intent(self.request, intent) if intent is not None else None

    def _solve(self, *formulas: z3.BoolRef, readable: bool = True) -> tuple[z3.CheckSatResult, Counterexample | None]:
        solver = z3.Solver()
        solver.set("timeout", 10_000)
        solver.add(*self.request.constraints, *formulas)
        result = solver.check()
        if result != z3.sat:
            return result, None
        example = self._counterexample(solver.model())
        if readable and not example.printable():
            # prefer printable ASCII in the counterexample when one exists; give up quickly if not
            printable = z3.Star(z3.Range(" ", "~"))
            solver.set("timeout", 2_000)
            solver.add(
                *[z3.InRe(v, printable) for vs in self.request.values.values() for v in vs],
                z3.InRe(self.request.principal, printable),
            )
            if solver.check() == z3.sat:
                example = self._counterexample(solver.model())
        return result, example

    def _counterexample(self, model: z3.ModelRef) -> Counterexample:
        def text(value: z3.SeqRef) -> str:
            evaluated = model.eval(value, model_completion=True)
            return evaluated.as_string() if z3.is_string_value(evaluated) else str(evaluated)

        claims: dict[str, str | list[str] | None] = {}
        for key, count in self.request.count.items():
            n = model.eval(count, model_completion=True).as_long()
            values = [text(v) for v in self.request.values[key][:n]]
            claims[key] = None if n == 0 else values[0] if key not in self.request.multi else values
        return Counterexample(principal=text(self.request.principal), action=text(self.request.action), claims=claims)

    def admits(self, principal: str, action: str, context: Mapping[str, str | Sequence[str] | None]) -> bool:
        """The solver's verdict on one concrete request (for differential tests)."""
        fixed = [self.request.principal == z3.StringVal(principal), self.request.action == z3.StringVal(action.lower())]
        lowered = {k.lower(): v for k, v in context.items()}
        for key, count in self.request.count.items():
            value = lowered.get(key)
            given = [] if value is None else [value] if isinstance(value, str) else list(value)
            if len(given) > _MAX_VALUES or (len(given) > 1 and key not in self.request.multi):
                raise ValueError(f"request value for {key} cannot be modelled: {given!r}")
            fixed.append(count == len(given))
            fixed += [self.request.values[key][i] == z3.StringVal(v) for i, v in enumerate(given)]
        result, _ = self._solve(self.trust, *fixed, readable=False)
        return bool(result == z3.sat)


def prove(document: Any, intent: TrustIntent, parameters: Mapping[str, Any] | None = None) -> ProofResult:
    """Prove that the trust policy `document` admits exactly `intent` (see the module doc)."""
    start = time.perf_counter()
    model = TrustModel(document, intent, parameters)
    assert model.intended is not None
    result, example = model._solve(model.trust, z3.Not(model.intended))
    if result == z3.sat:
        return ProofResult("widened", time.perf_counter() - start, example)
    if result != z3.unsat:
        return ProofResult("unknown", time.perf_counter() - start, detail="the solver gave up (timeout)")
    result, _ = model._solve(model.trust, model.intended, readable=False)
    status: Status = "proved" if result == z3.sat else "dead" if result == z3.unsat else "unknown"
    return ProofResult(
        status, time.perf_counter() - start, detail="" if status != "unknown" else "the solver gave up (timeout)"
    )


# --- two versions of one trust ---------------------------------------------------------------------

ComparisonStatus = Literal["unchanged", "widened", "narrowed", "changed", "unknown"]


@dataclass(frozen=True)
class Comparison:
    """What a new version of a trust policy (`head`) admits that the old one (`base`) did not, and the reverse."""

    status: ComparisonStatus
    seconds: float
    #: a request the head admits and the base does not (None: there is none, or the solver gave up)
    wider: Counterexample | None = None
    #: a request the base admits and the head does not
    narrower: Counterexample | None = None
    detail: str = ""


def _admitted(request: _Request, document_statements: Sequence[Statement]) -> z3.BoolRef:
    """Whether the statements admit `request`: some Allow holds and no Deny does; a condition the model
    does not read is an unknown shared by both versions (`_condition(opaque=True)`)."""
    allows = [_statement(request, s, opaque=True) for s in document_statements if s.effect == "Allow"]
    denies = [_statement(request, s, opaque=True) for s in document_statements if s.effect == "Deny"]
    return z3.And(
        z3.Or(*allows) if allows else z3.BoolVal(False), z3.Not(z3.Or(*denies)) if denies else z3.BoolVal(True)
    )


def compare(base_document: Any, head_document: Any, parameters: Mapping[str, Any] | None = None) -> Comparison:
    """Compare two trust policies over one request space (the condition keys of both):
    `head ∧ ¬base` satisfiable is a widening (its model a request only the head admits),
    `base ∧ ¬head` a narrowing; both is `changed`, neither `unchanged`.

    A condition the model does not read (numeric, date, IP operators) is an unknown truth value, the
    same one wherever it is written the same way: one removed, or written differently, is a change
    (possibly reported wider than it is; `detail` says so); one kept as it was is no change."""
    start = time.perf_counter()
    base, head = statements(base_document, parameters), statements(head_document, parameters)
    raw = [s for d in (base_document, head_document) if isinstance(d, dict) for s in as_list(d.get("Statement"))]
    model = TrustModel({"Statement": raw}, None, parameters)  # one request over the keys of both
    request = model.request
    found: dict[str, Counterexample | None] = {}
    gave_up = False
    for name, admits, refuses in (("wider", head, base), ("narrower", base, head)):
        formulas = (_admitted(request, admits), z3.Not(_admitted(request, refuses)))
        result, example = model._solve(*formulas)
        found[name] = example if result == z3.sat else None
        gave_up = gave_up or result not in (z3.sat, z3.unsat)
    wider, narrower = found["wider"], found["narrower"]
    status: ComparisonStatus = (
        "changed"
        if wider and narrower
        else "widened"
        if wider
        else "narrowed"
        if narrower
        else "unknown"
        if gave_up
        else "unchanged"
    )
    unread = sorted(
        {c.operator for s in (*base, *head) for c in s.conditions if c.base != "null" and c.base not in _STRING_BASES}
    )
    notes = (["the solver gave up (timeout)"] if gave_up else []) + (
        [
            f"operators not modelled ({', '.join(unread)}): compared as written, so a changed value may be "
            f"reported as both wider and narrower"
        ]
        if unread
        else []
    )
    return Comparison(status, time.perf_counter() - start, wider, narrower, detail="; ".join(notes))


# --- intents of an app --------------------------------------------------------------------------


def _render(stack: Any, value: str) -> str:
    from federation_constructs.policy.document import flatten

    return str(flatten(stack.resolve(value)))


def collect_intents(root: Any) -> dict[str, TrustIntent]:
    """Role construct path -> its declared intent, with tokens rendered as the template shows them
    (`<Logical>`, `<Logical.Arn>`), for every role construct below `root` that records one."""
    from aws_cdk import Stack

    found: dict[str, TrustIntent] = {}
    for construct in root.node.find_all():
        pairs: list[tuple[Any, TrustIntent]] = []
        intent = getattr(construct, "intent", None)
        role = getattr(construct, "role", None)
        if isinstance(intent, TrustIntent) and role is not None:
            pairs.append((role, intent))
        by_role = getattr(construct, "intents_by_role", None)
        if isinstance(by_role, dict):
            roles = {c.node.path: c for c in construct.node.find_all()}
            pairs += [(roles[path], i) for path, i in by_role.items() if path in roles]
        for role, role_intent in pairs:
            stack = Stack.of(role)
            claims = tuple(
                ClaimIntent(c.key, tuple(_render(stack, v) for v in c.values), c.like, c.multi)
                for c in role_intent.claims
            )
            found[role.node.path] = TrustIntent(
                role_intent.kind,
                _render(stack, role_intent.federated),
                role_intent.action,
                claims,
                role_intent.declared,
                role_intent.opt_ins,
            )
    return found


# --- explanations for any template ----------------------------------------------------------------

#: how much longer than every value the trust names a request value must be to count as unbounded
UNBOUNDED_MARGIN = 8


@dataclass(frozen=True)
class Explanation:
    """What the solver can say about a trust without any intent: is anything admitted, an example,
    and which condition keys admit values without bound (absent, or arbitrarily long)."""

    admits_anything: bool
    example: Counterexample | None
    #: condition key -> a request showing the key unbounded
    unbounded: Mapping[str, Counterexample]


def explain(document: Any, parameters: Mapping[str, Any] | None = None, keys: Sequence[str] = ()) -> Explanation:
    """Ask the solver what the trust admits: one example request, and for every condition key (and
    `keys`, e.g. the issuer's `sub` and `aud` even where no condition names them) whether an admitted
    request can leave it out or give it a value of any length."""
    model = TrustModel(document, None, parameters, extra_keys=keys)
    result, example = model._solve(model.trust)
    if result != z3.sat:
        return Explanation(False, None, {})
    unbounded: dict[str, Counterexample] = {}
    # a value longer than every literal the trust names can only match a pattern: no finite list
    longest = max([len(v) for s in model.statements for c in s.conditions for v in c.values] or [0])
    for key, count in model.request.count.items():
        wide = z3.Or(count == 0, z3.Length(model.request.values[key][0]) > longest + UNBOUNDED_MARGIN)
        found, witness = model._solve(model.trust, wide)
        if found == z3.sat and witness is not None:
            unbounded[key] = witness
    return Explanation(True, example, unbounded)
