"""Roles: the synthesized trust and session length against the live role's."""

from __future__ import annotations

from typing import Any

from federation_constructs.report.access import role_arn
from federation_constructs.verify.live import LiveAccount, LiveStack
from federation_constructs.verify.report import Item
from federation_constructs.verify.resolve import Resolver, Unresolvable, contains_marker
from federation_constructs.verify.trust import diff_trust

__all__ = ["DEFAULT_MAX_SESSION", "check_role", "compare_trust"]

#: CloudFormation's MaxSessionDuration when the template leaves it out (seconds)
DEFAULT_MAX_SESSION = 3600


def check_role(
    logical_id: str,
    resource: dict[str, Any],
    *,
    resolver: Resolver,
    live: LiveAccount,
    stack: LiveStack | None,
    solver: bool = True,
) -> Item:
    """One `AWS::IAM::Role` of the template. `solver=False` skips the wider/narrower check. The role's ARN
    is the live one, or, before there is one, the ARN its RoleName and Path give (when they are known)."""
    properties = resource.get("Properties") or {}
    template_name = _known(resolver.resolve(properties.get("RoleName")))
    item = Item(
        kind="role",
        logical_id=logical_id,
        name=template_name or logical_id,
        arn=_arn(template_name, properties, resolver),
    )
    if stack is None:  # the stack's note says why
        item.compared = False
        return item
    name = stack.physical.get(logical_id)
    if not name:
        item.problems.append("missing")
        item.details.append(f"the deployed stack has no resource {logical_id}: deploy the current template")
        return item
    item.name = name
    item.arn = _arn(name, properties, resolver)
    role = live.role(name)
    if role is None:
        item.problems.append("missing")
        item.details.append(
            f"the stack's role {name} no longer exists in the account (deleted outside "
            f"CloudFormation): update the stack to re-create it"
        )
        return item
    item.arn = role.get("Arn") or item.arn
    compare_trust(
        item,
        resolver.resolve(properties.get("AssumeRolePolicyDocument")),
        role.get("AssumeRolePolicyDocument"),
        partition=resolver.partition,
        solver=solver,
    )
    _compare_session(
        item,
        resolver.resolve(properties.get("MaxSessionDuration", DEFAULT_MAX_SESSION)),
        role.get("MaxSessionDuration"),
    )
    return item


def _known(value: Any) -> str | None:
    """A resolved value CloudFormation would use as it is (not an `Unresolvable`), else None."""
    return value if isinstance(value, str) and not isinstance(value, Unresolvable) else None


def _arn(name: str | None, properties: dict[str, Any], resolver: Resolver) -> str | None:
    """`arn:<partition>:iam::<account>:role/<path><name>` for a role of this name, None when the name or the
    path is known only to CloudFormation."""
    path = _known(resolver.resolve(properties.get("Path", "/")))
    if name is None or path is None:
        return None
    return role_arn({"RoleName": name, "Path": path}, resolver.account, resolver.partition)


def compare_trust(item: Item, synthesized: Any, live: Any, *, partition: str, solver: bool = True) -> None:
    """Add to `item` how the live trust differs from the synthesized (resolved) one: the diff, and with
    `solver` whether the live one admits more or fewer requests (`federation_constructs.proof.compare`)."""
    markers = contains_marker(synthesized)
    if markers:
        item.warnings.append("cannot-compare")
        item.details.append(
            f"the synthesized trust holds values only CloudFormation knows "
            f"({', '.join(sorted(set(markers)))}): the trust is not compared"
        )
        item.facts["trust"] = "cannot-compare"
        return
    changes = diff_trust(synthesized, live, partition=partition)
    item.facts["trust"] = "differs" if changes else "same"
    if not changes:
        return
    item.problems.append("trust-differs")
    groups: dict[str, list[str]] = {}
    for change in changes:
        groups.setdefault(change.statement, []).append(change.line())
    item.diff = [{"statement": statement, "lines": lines} for statement, lines in groups.items()]
    if not solver:
        return
    from federation_constructs.proof.model import compare  # z3: loaded only when a trust differs

    result = compare(synthesized, live)
    undecided = "unknown" if result.status == "unknown" else "no"
    for name, example in (("wider", result.wider), ("narrower", result.narrower)):
        item.facts[name] = {
            "status": "yes" if example else undecided,
            "example": example.describe() if example else None,
        }
    if result.wider:
        item.details.append(f"live trust admits requests the app does not, e.g. {result.wider.describe()}")
    if result.narrower:
        item.details.append(f"live trust refuses requests the app admits, e.g. {result.narrower.describe()}")
    if result.status == "unchanged":
        item.details.append(
            "the solver finds no request admitted by one trust and not the other: the difference is in form only"
        )
    if result.status == "unknown":
        item.details.append(f"the solver could not decide whether the live trust is wider ({result.detail})")


def _compare_session(item: Item, synthesized: Any, live: Any) -> None:
    try:
        ours = int(synthesized)
    except (TypeError, ValueError):
        item.warnings.append("cannot-compare")
        item.details.append(f"MaxSessionDuration ({synthesized}) is known only to CloudFormation: not compared")
        return
    item.facts["max_session_duration"] = {"synthesized": ours, "live": live}
    if live != ours:
        item.problems.append("session-differs")
        item.details.append(
            f"MaxSessionDuration: synthesized {ours} s ({ours / 3600:g} h), live {live} s ({(live or 0) / 3600:g} h)"
        )
