"""Trust-policy conditions for web identity: operator choice and the size IAM counts.

Kept free of constructs so the rules are easy to read and to test on their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Duration, Token
from constructs import IConstruct

from federation_constructs.errors import invalid

__all__ = [
    "DEFAULT_TRUST_POLICY_QUOTA",
    "checked_session_duration",
    "check_trust_policy_quota",
    "checked_trust_size",
    "MAX_TRUST_POLICY_QUOTA",
    "claim_conditions",
    "has_wildcard",
    "is_only_wildcards",
    "trust_policy_size",
]

#: IAM's default quota for a role trust policy, in characters (whitespace not counted).
DEFAULT_TRUST_POLICY_QUOTA = 2048
#: The highest quota IAM grants for a trust policy on request.
MAX_TRUST_POLICY_QUOTA = 4096

_WILDCARD = re.compile(r"[*?]")
_WHITESPACE = re.compile(r"\s+")


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
            raise ValueError(f"condition key {key!r} has no values")
        operator = "StringLike" if any(has_wildcard(v) for v in values) else "StringEquals"
        conditions.setdefault(operator, {})[key] = list(dict.fromkeys(values))
    return conditions


def trust_policy_size(document: Mapping[str, Any]) -> int:
    """The size of a policy document as IAM counts it against the quota: JSON without whitespace."""
    return len(_WHITESPACE.sub("", json.dumps(document, separators=(",", ":"))))


def checked_session_duration(scope: IConstruct, duration: Duration | None) -> Duration:
    """`duration` (default 1 hour), refused outside IAM's 1-12 hours for a role's maximum session."""
    duration = duration or Duration.hours(1)
    seconds = None if Token.is_unresolved(duration.to_string()) else duration.to_seconds()
    if seconds is not None and not 3600 <= seconds <= 43200:
        raise invalid(scope, "max_session_duration", f"{seconds} seconds", "1 to 12 hours (3600-43200 seconds)")
    return duration


def check_trust_policy_quota(scope: IConstruct, quota: object) -> None:
    """Refuse a trust-policy quota IAM never grants."""
    if isinstance(quota, bool) or not isinstance(quota, int) or not (
            DEFAULT_TRUST_POLICY_QUOTA <= quota <= MAX_TRUST_POLICY_QUOTA):
        raise invalid(scope, "trust_policy_quota", quota,
                      f"{DEFAULT_TRUST_POLICY_QUOTA} (IAM's default) up to {MAX_TRUST_POLICY_QUOTA} "
                      f"(the most IAM grants on request)")


def checked_trust_size(scope: IConstruct, *, federated: str, actions: tuple[str, ...],
                       conditions: Mapping[str, Any], quota: int, fix: str) -> int:
    """The size IAM will count for a one-statement federated trust, refused above `quota`.

    `federated` and `conditions` must be literal stand-ins for what CloudFormation will resolve
    (same length or longer), so the estimate never undercounts.
    """
    action: str | list[str] = actions[0] if len(actions) == 1 else list(actions)
    document = {"Statement": [{"Action": action, "Condition": conditions, "Effect": "Allow",
                               "Principal": {"Federated": federated}}], "Version": "2012-10-17"}
    size = trust_policy_size(document)
    if size > quota:
        raise invalid(scope, "trust policy", f"{size} characters",
                      f"at most the account's trust-policy quota of {quota} characters (whitespace not "
                      f"counted); {fix}, or pass trust_policy_quota=4096 if the account's quota was raised")
    return size
