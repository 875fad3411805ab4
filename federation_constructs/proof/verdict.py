"""The words for what the solver showed: one place writes every proof and explain sentence.

The access report (Markdown, JSON, HTML), the access diff and `federation-lint --explain` all call
these functions, so a reviewer reads the same words for the same fact everywhere. Plain Python (no
z3): the report renderers read saved reports with it.

Outcomes of a proof against a declared intent (`federation_constructs.proof.prove`), strongest first:

- `proved` (**proved equal**): no widening (`trust ∧ ¬intent` unsatisfiable), not dead, the intent
  binds every claim the issuer requires, and every declared request is admitted (`intent ∧ ¬trust`
  unsatisfiable): the trust admits exactly the declared intent;
- `within` (**proved within intent**): no widening, not dead, bound, but some declared request is
  refused (the refused declared values are named);
- `widened`: a request outside the intent is admitted (a counterexample);
- `dead`: no request at all is admitted;
- `unbounded`: the intent leaves a claim free that every trust for the issuer must bind (`sub` of a
  CI issuer, the identity pool id, `SAML:aud`): nothing is proved about who gets in;
- `unknown`: the solver gave up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

__all__ = [
    "LABELS",
    "PROOF_STATUSES",
    "ProofStatus",
    "DEAD_SENTENCE",
    "absent_reason",
    "explain_key_sentence",
    "long_reason",
    "proof_sentence",
    "proof_words",
    "request_words",
]

ProofStatus = Literal["proved", "within", "widened", "dead", "unbounded", "unknown"]
PROOF_STATUSES: tuple[ProofStatus, ...] = ("proved", "within", "widened", "dead", "unbounded", "unknown")

#: short labels (badges, tables)
LABELS: Mapping[str, str] = {
    "proved": "proved equal",
    "within": "proved within intent",
    "widened": "WIDENED",
    "dead": "DEAD",
    "unbounded": "UNBOUNDED",
    "unknown": "not proved",
}

DEAD_SENTENCE = "DEAD: admits no request at all (a dead trust)"
_SHOWN = 60


def _value(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, str):
        return repr(value)
    return "[" + ", ".join(repr(v) for v in value) + "]"


def request_words(request: Mapping[str, Any] | None) -> str:
    """A request (`principal`, `action`, `claims`: key -> value, list or None) in words."""
    if not request:
        return "(no example)"
    claims = request.get("claims") or {}
    parts = [f"{k}={_value(v)}" for k, v in sorted(claims.items())]
    head = []
    if request.get("principal") is not None:
        head.append(f"principal {request['principal']!r}")
    if request.get("action") is not None:
        head.append(f"action {request['action']}")
    return ", ".join(head + parts)


def _keys(keys: Sequence[str]) -> str:
    return ", ".join(f"`{k}`" for k in keys)


def proof_sentence(
    status: str,
    *,
    counterexample: Mapping[str, Any] | None = None,
    free: Sequence[str] = (),
    refused: Mapping[str, Sequence[str]] | None = None,
    detail: str = "",
) -> str:
    """The sentence for one proof outcome (see the module doc); `counterexample` is a request as
    `request_words` reads it: for `widened` one the trust admits outside the intent, for `within` a
    declared one the trust refuses."""
    if status == "proved":
        return "proved equal: admits every request inside the declared intent and nothing beyond it"
    if status == "within":
        named = "; ".join(f"{key} {', '.join(repr(v) for v in values)}" for key, values in (refused or {}).items())
        which = f"declared values no admitted request carries: {named}" if named else "some declared requests"
        example = f" (e.g. {request_words(counterexample)})" if counterexample else ""
        extra = f"; {detail}" if detail else ""
        return (
            "proved within intent: admits nothing beyond the declared intent and some of it, but refuses "
            f"{which}{example}{extra}"
        )
    if status == "widened":
        return f"WIDENED: admits requests beyond the declared intent, e.g. {request_words(counterexample)}"
    if status == "dead":
        return DEAD_SENTENCE
    if status == "unbounded":
        return (
            f"UNBOUNDED: the declared intent leaves {_keys(free) or 'a required claim'} free, which every "
            f"trust for this issuer must bind; nothing is proved about who gets in"
        )
    return f"not proved: {detail or 'the solver gave up'}"


def proof_words(proof: Mapping[str, Any]) -> str:
    """The sentence for a proof as an access report stores it (`status`, `counterexample`, `free`,
    `refused`, `detail`). A report written before equality was checked (no `equal` entry) only showed
    no widening and not dead for `proved`: it is worded as that."""
    status = str(proof.get("status", "unknown"))
    if status == "proved" and "equal" not in proof:
        return "proved within intent: admits nothing beyond the declared intent and some of it (equality not checked)"
    example = proof.get("request")
    if example is None and proof.get("counterexample") is not None:
        example = {"claims": proof["counterexample"]}
    return proof_sentence(
        status,
        counterexample=example,
        free=tuple(proof.get("free") or ()),
        refused=proof.get("refused") or None,
        detail=str(proof.get("detail") or ""),
    )


# --- explain: a trust without an intent ------------------------------------------------------------


def absent_reason(operator: str | None, statement: int | None) -> str:
    """Why an admitted request may leave a key out, from the operator that lets it (None: no
    condition names the key)."""
    where = f" in Statement{statement}" if statement is not None else ""
    if operator is None:
        return f"no condition{where} names it, so any value (or none) is admitted"
    lowered = operator.lower()
    if lowered == "null":
        return f"`Null`{where} asks for it to be absent"
    if lowered.startswith("forallvalues:"):
        return f"`{operator}`{where} is true when the key is absent (ForAnyValue: would be false)"
    if lowered.endswith("ifexists"):
        return f"`{operator}`{where} is true when the key is absent"
    if "not" in lowered.split(":")[-1]:
        return f"`{operator}`{where} only excludes values, and is true when the key is absent"
    return f"`{operator}`{where} admits it"


def long_reason(conditions: Sequence[tuple[str, Sequence[str]]], statement: int | None) -> str:
    """Why an admitted request may give a key a value longer than every listed one, from the
    (operator, values) of the conditions on it in the statement that admits the request."""
    where = f" in Statement{statement}" if statement is not None else ""
    if not conditions:
        return f"no condition{where} names it"
    for operator, values in conditions:
        patterns = [v for v in values if "*" in v]
        if operator.lower().split(":")[-1].removesuffix("ifexists").endswith("like") and patterns:
            return f"the pattern {patterns[0]!r} (`{operator}`{where}) matches values of any length"
    for operator, _ in conditions:
        if "not" in operator.lower().split(":")[-1]:
            return f"`{operator}`{where} only excludes values"
    for operator, _ in conditions:
        if operator.lower().startswith("forallvalues:"):
            return f"`{operator}`{where} holds for a request without a listed value when the key is absent"
    return f"`{conditions[0][0]}`{where} does not limit its length"


def explain_key_sentence(key: str, value: Any, why: str) -> str:
    """One unbounded key of `--explain`: absent (`value` None) or a value beyond every listed one."""
    if value is None or value == []:
        return f"UNBOUNDED: {key} may be absent: {why}"
    text = str(value)
    shown = f"{text[:_SHOWN]!r}{'...' if len(text) > _SHOWN else ''}"
    return f"UNBOUNDED: {key} can take values beyond every value the trust lists: {why} (solver example: {shown})"
