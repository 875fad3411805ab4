"""A second, independent IAM trust-policy evaluator for tests: `@cloud-copilot/iam-simulate` in Node.

The library is AGPL-3.0-or-later, so it is a test-time npm dev dependency only: nothing under
``federation_constructs`` or ``stacks`` imports this module, and the built package never ships it
(see ``tests/iam_simulate/README.md``). All cases of one call go to ONE Node process, which
reads ``{"cases": [...]}`` on stdin (``tests/iam_simulate/evaluate.mjs``).

A case is a dict::

    {"policy": {...trust policy, Ref principals already resolved to ARN strings...},
     "principal": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
     "principalType": "Federated",                # or "AWS"
     "action": "sts:AssumeRoleWithWebIdentity",
     "context": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main",
                 "cognito-identity.amazonaws.com:amr": ["authenticated", "..."]},  # lists = multi-valued
     "role": "arn:aws:iam::111122223333:role/x"}  # optional; defaults to the principal's account

Keys absent from ``context`` are absent from the request.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["IamSimulateError", "available", "evaluate", "evaluate_trusts", "unavailable_reason"]

REPO = Path(__file__).resolve().parent.parent
NODE = REPO / "node_modules" / ".bin" / "node"
SCRIPT = REPO / "tests" / "iam_simulate" / "evaluate.mjs"
_PACKAGES = ("@cloud-copilot/iam-simulate", "@cloud-copilot/iam-policy")
_TIMEOUT_S = 600


class IamSimulateError(RuntimeError):
    """The evaluator could not run, or could not evaluate some case faithfully."""


def unavailable_reason() -> str | None:
    """Why the evaluator cannot run here (None when it can): what is missing and how to install it."""
    missing = [str(p.relative_to(REPO)) for p in (NODE, SCRIPT) if not p.exists()]
    missing += [
        f"node_modules/{name}" for name in _PACKAGES if not (REPO / "node_modules" / name / "package.json").is_file()
    ]
    if not missing:
        return None
    return f"iam-simulate evaluator unavailable, missing {', '.join(missing)} (run `make setup` / `npm ci`)"


def available() -> bool:
    """Whether the pinned Node and the npm packages are installed in ``node_modules``."""
    return unavailable_reason() is None


def evaluate(cases: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Raw results, one per case: ``{"allowed": bool, "decision": str | None, "error": str | None}``."""
    if not cases:
        return []
    reason = unavailable_reason()
    if reason is not None:
        raise IamSimulateError(reason)
    payload = json.dumps({"cases": list(cases)})
    try:
        proc = subprocess.run(
            [str(NODE), str(SCRIPT)],
            input=payload,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise IamSimulateError(f"evaluate.mjs did not finish {len(cases)} cases in {_TIMEOUT_S}s") from exc
    if proc.returncode != 0:
        raise IamSimulateError(f"evaluate.mjs exited {proc.returncode}: {proc.stderr.strip()[:2000]}")
    try:
        results = json.loads(proc.stdout)["results"]
    except (ValueError, KeyError, TypeError) as exc:
        raise IamSimulateError(f"evaluate.mjs printed no results: {proc.stdout[:500]!r} {proc.stderr[:500]!r}") from exc
    if len(results) != len(cases):
        raise IamSimulateError(f"evaluate.mjs answered {len(results)} results for {len(cases)} cases")
    return results


def evaluate_trusts(cases: Sequence[Mapping[str, Any]]) -> list[bool]:
    """Whether each trust policy admits its request, in one Node process; raises if any case errors."""
    results = evaluate(cases)
    errors = [f"case {i}: {r['error']}" for i, r in enumerate(results) if r.get("error")]
    if errors:
        shown = "\n  ".join(errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise IamSimulateError(f"{len(errors)} of {len(cases)} cases could not be evaluated:\n  {shown}{more}")
    return [bool(r["allowed"]) for r in results]
