"""Trust-policy conditions for web identity: operator choice and the size IAM counts.

Kept free of constructs so the rules are easy to read and to test on their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from constructs import IConstruct

from federation_constructs.errors import PresetValueError, invalid
from federation_constructs.policy.actions import policy_size

__all__ = [
    "checked_trust_size",
    "claim_conditions",
    "has_wildcard",
    "is_only_wildcards",
    "trust_policy_size",
]

_WILDCARD = re.compile(r"[*?]")


def has_wildcard(value: str) -> bool:
    """Whether `value` holds a `*` or `?`, which `StringLike` reads as a wildcard."""
    return bool(_WILDCARD.search(value))


def is_only_wildcards(value: str) -> bool:
    """Whether `value` matches anything at all: empty, or nothing but `*`/`?` (e.g. `*`, `**`)."""
    return not value or not _WILDCARD.sub("", value)


def claim_conditions(values_by_key: Mapping[str, Sequence[str]]) -> dict[str, dict[str, list[str]]]:
    """The `Condition` block that admits a request when, for every key, one of its values matches.

    Per key: `StringEquals` when every value is exact, `StringLike` when any value holds `*` or `?`.
    All values of one key go under ONE operator: splitting them between `StringEquals` and
    `StringLike` would AND the two (IAM ANDs operators), so no request could match either list.
    Never a `ForAllValues:`/`ForAnyValue:` set operator: these claims are single-valued, and
    `ForAllValues:` is true when the key is missing from the request.
    """
    conditions: dict[str, dict[str, list[str]]] = {}
    for key, values in values_by_key.items():
        if not values:
            raise PresetValueError("claim_conditions", f"values_by_key[{key!r}]", list(values), "at least one value")
        operator = "StringLike" if any(has_wildcard(v) for v in values) else "StringEquals"
        conditions.setdefault(operator, {})[key] = list(dict.fromkeys(values))
    return conditions


def trust_policy_size(document: Mapping[str, Any]) -> int:
    """The size of a policy document as IAM counts it against the quota: JSON without whitespace
    (`federation_constructs.policy.actions.policy_size`, which counts every policy the same way)."""
    return policy_size(document)


def checked_trust_size(
    scope: IConstruct, *, federated: str, actions: tuple[str, ...], conditions: Mapping[str, Any], quota: int, fix: str
) -> int:
    """The size IAM will count for a one-statement federated trust, refused above `quota`.

    `federated` and `conditions` must be literal stand-ins for what CloudFormation will resolve
    (same length or longer), so the estimate never undercounts.
    """
    action: str | list[str] = actions[0] if len(actions) == 1 else list(actions)
    document = {
        "Statement": [
            {"Action": action, "Condition": conditions, "Effect": "Allow", "Principal": {"Federated": federated}}
        ],
        "Version": "2012-10-17",
    }
    size = trust_policy_size(document)
    if size > quota:
        raise invalid(
            scope,
            "trust policy",
            f"{size} characters",
            f"at most the account's trust-policy quota of {quota} characters (whitespace not "
            f"counted); {fix}, or pass role_options=RoleOptions(trust_policy_quota=4096) if the "
            f"account's quota was raised",
        )
    return size
