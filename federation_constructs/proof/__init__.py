"""Trusts proven against intent: what each role is meant to admit, and the solver that checks it.

- `intent`: `TrustIntent` / `ClaimIntent`, recorded by every role construct from its declared values;
- `model`: the z3 model of a trust policy: `prove` (no widening, not dead), `compare` (two versions
  of a trust), `explain` (what a trust admits, key by key) and `collect_intents` (from an app).

Names are loaded on first use: the constructs import `intent` without loading z3.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ClaimIntent": "intent",
    "TrustIntent": "intent",
    "Comparison": "model",
    "Counterexample": "model",
    "Explanation": "model",
    "ProofResult": "model",
    "TrustModel": "model",
    "collect_intents": "model",
    "compare": "model",
    "explain": "model",
    "glob": "model",
    "prove": "model",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from federation_constructs.proof.intent import ClaimIntent, TrustIntent
    from federation_constructs.proof.model import (
        Comparison,
        Counterexample,
        Explanation,
        ProofResult,
        TrustModel,
        collect_intents,
        compare,
        explain,
        glob,
        prove,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
