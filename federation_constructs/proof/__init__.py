"""Trusts proven against intent: what each role is meant to admit, and the solver that checks it.

- `intent`: `TrustIntent` / `ClaimIntent`, recorded by every role construct from the same resolved
  values it writes the trust from;
- `model`: the z3 model of a trust policy: `prove` (no widening, not dead, bound, equal), `compare`
  (two versions of a trust), `explain` (what a trust admits, key by key), `dead_statements` (FED35)
  and `collect_intents` (from an app);
- `verdict`: the words for every outcome, shared by the reports, the diff and `federation-lint --explain`.

Names are loaded on first use: the constructs import `intent` and the reports `verdict` without
loading z3.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ClaimIntent": "intent",
    "TrustIntent": "intent",
    "LABELS": "verdict",
    "Comparison": "model",
    "Counterexample": "model",
    "Explanation": "model",
    "ProofResult": "model",
    "TokenFact": "intent",
    "TrustModel": "model",
    "collect_intents": "model",
    "compare": "model",
    "dead_statements": "model",
    "explain": "model",
    "free_keys": "model",
    "glob": "model",
    "proof_sentence": "verdict",
    "proof_words": "verdict",
    "prove": "model",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from federation_constructs.proof.intent import ClaimIntent, TokenFact, TrustIntent
    from federation_constructs.proof.model import (
        Comparison,
        Counterexample,
        Explanation,
        ProofResult,
        TrustModel,
        collect_intents,
        compare,
        dead_statements,
        explain,
        free_keys,
        glob,
        prove,
    )
    from federation_constructs.proof.verdict import LABELS, proof_sentence, proof_words


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
