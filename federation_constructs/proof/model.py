"""Proofs of a trust policy against its declared intent, with the z3 SMT solver.

A request is a principal, an action and, for every condition key involved, a set of 0-2 string
values (0: the claim is absent; single-valued claims hold at most one). The trust policy, as
CloudFormation holds it, becomes a formula over the request, following IAM's documented condition
semantics (`StringEquals`, `StringLike` with `*`/`?`, `...IgnoreCase`, the negated operators,
`ForAnyValue:`/`ForAllValues:`, `...IfExists`, `Null`, several statements, Allow and Deny). The
intent (`federation_constructs.proof.intent.TrustIntent`) becomes another. Then:

- *no widening*: `trust ∧ ¬intent` is unsatisfiable, or the model is a counterexample request;
- *not dead*: `trust ∧ intent` is satisfiable (some intended request is admitted);
- *bound*: the intent binds every claim a trust for its issuer must bind (`sub` of a CI issuer, the
  identity pool id, `SAML:aud`); an intent that leaves one free proves nothing (`unbounded`);
- *equal*: `intent ∧ ¬trust` is unsatisfiable (every declared request is admitted), or its model is
  a declared request the trust refuses (`within`: proved within intent, not equal).

`federation_constructs.proof.verdict` words each outcome; every report uses those words.

Operators the translation does not model (numeric, date, IP) are taken as true in an Allow and as
false in a Deny: the solver may then report a widening that is not there, never miss one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import z3

from federation_constructs.policy.document import Condition, Statement, as_list, is_literal, statements
from federation_constructs.proof.intent import ClaimIntent, TokenFact, TrustIntent
from federation_constructs.proof.verdict import ProofStatus, absent_reason, long_reason, proof_sentence

__all__ = [
    "Comparison",
    "Counterexample",
    "Explanation",
    "ProofResult",
    "TokenFact",
    "TrustModel",
    "collect_intents",
    "compare",
    "dead_statements",
    "explain",
    "free_keys",
    "prove",
    "required_keys",
]

Status = ProofStatus
_GAVE_UP = "the solver gave up (timeout)"
#: at most this many declared values per claim are checked one by one for a `within` result
_REFUSED_CHECKED = 25
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

    def to_json(self) -> dict[str, Any]:
        return {"principal": self.principal, "action": self.action, "claims": dict(self.claims)}


@dataclass(frozen=True)
class ProofResult:
    """One proof's outcome (`federation_constructs.proof.verdict` says what each status shows)."""

    status: Status
    seconds: float
    #: `widened`: a request the trust admits outside the intent; `within`: a declared request it refuses
    counterexample: Counterexample | None = None
    detail: str = ""
    #: `unbounded`: the required condition keys the intent leaves free
    free: tuple[str, ...] = ()
    #: `within`: claim key -> declared values (or patterns) that no admitted request carries
    refused: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: whether `intent ∧ ¬trust` was shown unsatisfiable (None: not checked or undecided)
    equal: bool | None = None

    def describe(self) -> str:
        """The outcome in words, the same words as every report."""
        return proof_sentence(
            self.status,
            counterexample=self.counterexample.to_json() if self.counterexample else None,
            free=self.free,
            refused=self.refused,
            detail=self.detail,
        )

    def to_json(self) -> dict[str, Any]:
        """What the access report stores (`verdict.proof_words` words it again from this)."""
        return {
            "status": self.status,
            "text": self.describe(),
            "seconds": round(self.seconds, 4),
            "counterexample": dict(self.counterexample.claims) if self.counterexample else None,
            "request": self.counterexample.to_json() if self.counterexample else None,
            "free": list(self.free),
            "refused": {k: list(v) for k, v in self.refused.items()},
            "equal": self.equal,
            "detail": self.detail,
        }


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


def like(value: z3.SeqRef, pattern: str) -> z3.BoolRef:
    """`value` matches the IAM glob `pattern`; a pattern without `*` or `?` as an equality, which the
    solver decides much faster than a regular expression (prefix and infix tests were slower still)."""
    if "*" not in pattern and "?" not in pattern:
        return value == z3.StringVal(pattern)
    return z3.InRe(value, glob(pattern))


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
            options.append(like(value, expected))
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
    actions = [like(request.action, a.lower()) for a in (statement.not_actions or statement.actions)]
    action = z3.Or(*actions) if actions else z3.BoolVal(False)
    if statement.not_actions:
        action = z3.Not(action)
    conditions = [_condition(request, c, in_deny=in_deny, opaque=opaque) for c in statement.conditions]
    return z3.And(principal, action, *conditions)


def _intent(request: _Request, intent: TrustIntent) -> z3.BoolRef:
    actions = [request.action == z3.StringVal(a.lower()) for a in dict.fromkeys(intent.actions)]
    parts = [request.principal == z3.StringVal(intent.federated), z3.Or(*actions)]
    for claim in intent.claims:
        key = claim.key.lower()
        parts.append(z3.Or(*[z3.And(inside, _claim_match(v, claim)) for inside, v in request.members(key)]))
    return z3.And(*parts)


def _claim_match(value: z3.SeqRef, claim: ClaimIntent) -> z3.BoolRef:
    if claim.like:
        return z3.Or(*[like(value, p) for p in claim.values])
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
        #: (statement, its formula) of every Allow statement, and of every Deny statement
        self.allows = [(s, _statement(self.request, s)) for s in self.statements if s.effect == "Allow"]
        self.denies = [(s, _statement(self.request, s)) for s in self.statements if s.effect == "Deny"]
        allows = [f for _, f in self.allows]
        denies = [f for _, f in self.denies]
        self.trust = z3.And(
            z3.Or(*allows) if allows else z3.BoolVal(False), z3.Not(z3.Or(*denies)) if denies else z3.BoolVal(True)
        )
        self.intended = _intent(self.request, intent) if intent is not None else None

    def _solve(self, *formulas: z3.BoolRef, readable: bool = True) -> tuple[z3.CheckSatResult, Counterexample | None]:
        result, example, _ = self._check(*formulas, readable=readable)
        return result, example

    def _check(
        self, *formulas: z3.BoolRef, readable: bool = True
    ) -> tuple[z3.CheckSatResult, Counterexample | None, z3.ModelRef | None]:
        """`_solve`, with the solver's model of the example (None unless satisfiable)."""
        solver = z3.Solver()
        solver.set("timeout", 10_000)
        solver.add(*self.request.constraints, *formulas)
        result = solver.check()
        if result != z3.sat:
            return result, None, None
        found = solver.model()
        example = self._counterexample(found)
        if readable and not example.printable():
            # prefer printable ASCII in the counterexample when one exists; give up quickly if not
            printable = z3.Star(z3.Range(" ", "~"))
            solver.set("timeout", 2_000)
            solver.add(
                *[z3.InRe(v, printable) for vs in self.request.values.values() for v in vs],
                z3.InRe(self.request.principal, printable),
            )
            if solver.check() == z3.sat:
                found = solver.model()
                example = self._counterexample(found)
        return result, example, found

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

    def _holds(self, request: Mapping[str, Any], *formulas: z3.BoolRef) -> bool:
        """Whether the formulas hold for one concrete request (principal, action, key -> values),
        by substitution and simplification, without the solver; False when it cannot tell."""
        pairs: list[tuple[z3.ExprRef, z3.ExprRef]] = [
            (self.request.principal, z3.StringVal(request["principal"])),
            (self.request.action, z3.StringVal(request["action"])),
        ]
        for key, count in self.request.count.items():
            given = list(request["claims"].get(key, []))
            if len(given) > (_MAX_VALUES if key in self.request.multi else 1):
                return False
            pairs.append((count, z3.IntVal(len(given))))
            for i, variable in enumerate(self.request.values[key]):
                pairs.append((variable, z3.StringVal(given[i] if i < len(given) else "")))
        formula = z3.And(*self.request.constraints, *formulas)
        return bool(z3.is_true(z3.simplify(z3.substitute(formula, *pairs))))

    def _why(self, solved: z3.ModelRef, key: str, value: Any) -> str:
        """Why the admitted request of `solved` leaves `key` out (`value` None) or gives it a value
        beyond every listed one: the operator of the Allow statement that admits it."""
        for statement, formula in self.allows:
            if not z3.is_true(solved.eval(formula, model_completion=True)):
                continue
            on_key = [c for c in statement.conditions if c.key == key]
            if value is None or value == []:
                for c in on_key:
                    if c.qualifier == "ForAllValues" or c.if_exists or c.base == "null" or c.negated:
                        return absent_reason(c.operator, statement.index)
                return absent_reason(on_key[0].operator if on_key else None, statement.index)
            return long_reason([(c.operator, c.values) for c in on_key], statement.index)
        return "no Allow statement names it"

    def refused(self) -> dict[str, tuple[str, ...]]:
        """Claim key -> the declared values (patterns) that no request inside the intent and admitted by
        the trust carries (the first `_REFUSED_CHECKED` of each claim are checked)."""
        assert self.intent is not None and self.intended is not None
        found: dict[str, tuple[str, ...]] = {}
        for claim in self.intent.claims:
            key = claim.key.lower()
            refused = []
            for value in claim.values[:_REFUSED_CHECKED]:
                one = ClaimIntent(claim.key, (value,), claim.like, claim.multi)
                carries = z3.Or(*[z3.And(inside, _claim_match(v, one)) for inside, v in self.request.members(key)])
                result, _ = self._solve(self.trust, self.intended, carries, readable=False)
                if result == z3.unsat:
                    refused.append(value)
            if refused:
                found[claim.key] = tuple(refused)
        return found

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
    """Prove the trust policy `document` against `intent`: no widening, not dead, bound, then equal
    (see the module doc); the first check that fails decides the outcome."""
    start = time.perf_counter()
    model = TrustModel(document, intent, parameters)
    intended = model.intended
    assert intended is not None

    def done(status: Status, **found: Any) -> ProofResult:
        return ProofResult(status, time.perf_counter() - start, **found)

    result, example = model._solve(model.trust, z3.Not(intended))
    if result == z3.sat:
        return done("widened", counterexample=example)
    if result != z3.unsat:
        return done("unknown", detail=_GAVE_UP)
    result, _ = model._solve(model.trust, intended, readable=False)
    if result == z3.unsat:
        return done("dead")
    if result != z3.sat:
        return done("unknown", detail=_GAVE_UP)
    free = free_keys(intent)
    if free:
        return done("unbounded", free=free)
    result, example = model._solve(intended, z3.Not(model.trust))
    if result == z3.unsat:
        return done("proved", equal=True)
    if result == z3.sat:
        return done("within", counterexample=example, refused=model.refused(), equal=False)
    return done("within", detail=f"whether every declared request is admitted is not decided: {_GAVE_UP}")


def required_keys(intent: TrustIntent) -> tuple[str, ...]:
    """The condition keys a trust for the intent's issuer must bind: as the construct recorded them,
    else from the issuer's facts (`federation_constructs.policy.template.issuer_facts`)."""
    if intent.required_keys:
        return intent.required_keys
    if intent.kind == "cognito":
        return ("cognito-identity.amazonaws.com:aud",)
    if intent.kind == "saml":
        return ("SAML:aud",)
    if intent.kind != "oidc":
        return ()
    from federation_constructs.policy.template import issuer_facts

    # the claims' keys name the issuer (`<host/path>:<claim>`); else the provider ARN or web identity name
    federated = intent.federated
    if intent.claims:
        host = intent.claims[0].key.rpartition(":")[0]
    elif ":oidc-provider/" in federated:
        host = federated.split(":oidc-provider/", 1)[1]
    else:
        host = federated
    facts = issuer_facts(host)
    return tuple(facts.key(claim) for claim in sorted(facts.required_claims))


def _any_value(claim: ClaimIntent) -> bool:
    """A claim that admits every value: a pattern of only wildcards with a `*` in it."""
    return claim.like and any("*" in v and not v.replace("*", "").replace("?", "") for v in claim.values)


def free_keys(intent: TrustIntent) -> tuple[str, ...]:
    """The required keys (`required_keys`) that the intent leaves free: not bound, or bound by `*`."""
    bound = {c.key.lower() for c in intent.claims if c.values and not _any_value(c)}
    return tuple(k for k in required_keys(intent) if k.lower() not in bound)


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
            found[role.node.path] = replace(role_intent, federated=_render(stack, role_intent.federated), claims=claims)
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
    #: condition key -> why it is unbounded, from the operator that lets it (`verdict.absent_reason`)
    why: Mapping[str, str] = field(default_factory=dict)


def explain(document: Any, parameters: Mapping[str, Any] | None = None, keys: Sequence[str] = ()) -> Explanation:
    """Ask the solver what the trust admits: one example request, and for every condition key (and
    `keys`, e.g. the issuer's `sub` and `aud` even where no condition names them) whether an admitted
    request can leave it out or give it a value of any length.

    A multi-valued key (Cognito `amr`, a key under `ForAnyValue:`/`ForAllValues:`) is unbounded when
    an admitted request can carry none of the listed values: absent, or only values longer than every
    listed one. `ForAnyValue:StringLike amr = authenticated` is therefore bounded (a request must carry
    `authenticated`, whatever else it carries; the condition is false when `amr` is absent), and
    `ForAllValues:` on any key is not (it is true when the key is absent)."""
    model = TrustModel(document, None, parameters, extra_keys=keys)
    result, example = model._solve(model.trust)
    if result != z3.sat:
        return Explanation(False, None, {})
    unbounded: dict[str, Counterexample] = {}
    why: dict[str, str] = {}
    # a value longer than every literal the trust names can only match a pattern: no finite list
    longest = max([len(v) for s in model.statements for c in s.conditions for v in c.values] or [0])
    for key, count in model.request.count.items():
        values = model.request.values[key]
        if key in model.request.multi:
            wide = z3.And(
                *[
                    z3.Implies(inside, z3.Length(v) > longest + UNBOUNDED_MARGIN)
                    for inside, v in model.request.members(key)
                ]
            )
        else:
            wide = z3.Or(count == 0, z3.Length(values[0]) > longest + UNBOUNDED_MARGIN)
        found, witness, solved = model._check(model.trust, wide)
        if found == z3.sat and witness is not None and solved is not None:
            unbounded[key] = witness
            why[key] = model._why(solved, key, witness.claims.get(key))
    return Explanation(True, example, unbounded, why)


# --- dead trusts ----------------------------------------------------------------------------------


def _fact(request: _Request, fact: TokenFact) -> z3.BoolRef:
    key = fact.key.lower()
    members = request.members(key)
    matches = [
        z3.Implies(inside, z3.Or(*[like(v, p) for p in fact.accepts]) if fact.accepts else z3.BoolVal(False))
        for inside, v in members
    ]
    count = request.count[key]
    return z3.And(count >= 1, *matches) if key in request.multi else z3.And(count == 1, *matches)


def _listed(conditions: Sequence[Condition]) -> str:
    return "; ".join(f"{c.operator} {', '.join(repr(v) for v in c.values) or '(no value)'}" for c in conditions)


def dead_statements(
    document: Any,
    trusts: Sequence[tuple[int, str, Sequence[TokenFact]]],
    parameters: Mapping[str, Any] | None = None,
) -> dict[tuple[int, str], str]:
    """(statement index, principal) -> why the Allow statement admits no request for that principal,
    for every `(index, principal, facts)` in `trusts` that admits none. A request admitted by the
    statement must also carry what the issuer's tokens carry (`facts`; a fact on a key whose
    condition values in that statement are not literal is left out) and escape every Deny.
    Reasons, first that applies: its conditions on one key contradict each other; what it requires
    is not what any token of the issuer carries; a Deny statement covers it."""
    extra = [f.key for _, _, facts in trusts for f in facts]
    model = TrustModel(document, None, parameters, extra_keys=extra)
    request = model.request
    allows = {s.index: (s, formula) for s, formula in model.allows}
    denies = [formula for _, formula in model.denies]
    escaped = z3.Not(z3.Or(*denies)) if denies else z3.BoolVal(True)
    dead: dict[tuple[int, str], str] = {}
    for index, principal, facts in trusts:
        if index not in allows:
            continue
        statement, formula = allows[index]
        pinned = z3.And(formula, request.principal == z3.StringVal(principal))
        usable = [
            f
            for f in facts
            if all(is_literal(v) for c in statement.conditions if c.key == f.key.lower() for v in c.values)
        ]
        carried = [_fact(request, f) for f in usable]
        candidate = _candidate(statement, principal, usable, request)
        if model._holds(candidate, pinned, *carried, escaped):
            continue  # a request built from the statement's own values is admitted: no solver needed
        result, _ = model._solve(pinned, *carried, escaped, readable=False)
        if result != z3.unsat:
            continue  # admits a request (or the solver gave up: nothing is claimed)
        dead[(index, principal)] = _dead_reason(model, statement, pinned, usable, escaped)
    return dead


def _sample(pattern: str) -> str:
    """A value the IAM glob `pattern` matches."""
    return pattern.replace("*", "").replace("?", "x")


def _candidate(statement: Statement, principal: str, facts: Sequence[TokenFact], request: _Request) -> dict[str, Any]:
    """A concrete request likely to pass the statement: its principal and first action, for every key
    the first value its first positive condition names (or a value of the fact's form), else absent."""
    action = _sample((statement.actions or ("sts:assumerolewithwebidentity",))[0].lower())
    claims: dict[str, list[str]] = {}
    for condition in statement.conditions:
        if condition.key in claims or condition.negated or condition.if_exists or not condition.values:
            continue
        if condition.base == "null":
            if condition.values[0].lower() == "false":
                claims[condition.key] = ["x"]
            else:
                claims[condition.key] = []
            continue
        claims[condition.key] = [_sample(condition.values[0])]
    for fact in facts:
        key = fact.key.lower()
        if key not in claims and fact.accepts:
            claims[key] = [_sample(fact.accepts[0])]
    values = {key: claims.get(key, []) for key in request.count}
    return {"principal": principal, "action": action, "claims": values}


def _dead_reason(
    model: TrustModel, statement: Statement, pinned: z3.BoolRef, facts: Sequence[TokenFact], escaped: z3.BoolRef
) -> str:
    request = model.request
    if model._solve(pinned, readable=False)[0] == z3.unsat:
        for key in dict.fromkeys(c.key for c in statement.conditions):
            on_key = [c for c in statement.conditions if c.key == key]
            alone = [_condition(request, c, in_deny=False) for c in on_key]
            if model._solve(*alone, readable=False)[0] == z3.unsat:
                if len(on_key) == 1:
                    return f"its condition on {key} ({_listed(on_key)}) admits no value"
                return (
                    f"its conditions on {key} contradict each other ({_listed(on_key)}): no request satisfies them all"
                )
        return "its principal, action and conditions together admit no request"
    carried = [_fact(request, f) for f in facts]
    if model._solve(pinned, *carried, readable=False)[0] == z3.unsat:
        for fact in facts:
            if model._solve(pinned, _fact(request, fact), readable=False)[0] == z3.unsat:
                on_key = [c for c in statement.conditions if c.key == fact.key.lower()]
                requires = f", but it requires {fact.key.lower()}: {_listed(on_key)}" if on_key else ""
                return f"no token can match it: {fact.why}{requires}"
        return "no token can match what it requires: " + "; ".join(f.why for f in facts)
    for deny, formula in model.denies:
        if model._solve(pinned, *carried, z3.Not(formula), readable=False)[0] == z3.unsat:
            return f"the Deny in Statement{deny.index} covers every request it admits"
    return "the Deny statements together cover every request it admits"
