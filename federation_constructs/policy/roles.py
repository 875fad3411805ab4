"""Helpers for rules that look past one trust statement: what a federated role may do, which identity
pool hands a role out and in which slot, which services a trust admits, and template-wide lookups
(computed once per template)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from federation_constructs.policy.document import Statement, action_matches, as_list
from federation_constructs.policy.permissions import role_permissions
from federation_constructs.policy.template import ResourceContext, TemplateIndex
from federation_constructs.policy.trust import COGNITO, federated_trusts, trust_statements

__all__ = [
    "PoolSlot",
    "cognito_trusts",
    "granted_actions",
    "is_web_identity_role",
    "on_every_resource",
    "pool_slots",
    "role_statements",
    "service_statements",
    "template_memo",
]

T = TypeVar("T")
_IAM_ARN = re.compile(r"arn:[^:]*:iam::[^:]*:(?P<tail>.*)")
_MEMO: WeakKeyDictionary[TemplateIndex, dict[str, Any]] = WeakKeyDictionary()


def template_memo(index: TemplateIndex, name: str, compute: Callable[[TemplateIndex], T]) -> T:
    """`compute(index)`, computed once per template (rules run once per resource)."""
    memo = _MEMO.setdefault(index, {})
    if name not in memo:
        memo[name] = compute(index)
    result: T = memo[name]
    return result


def is_web_identity_role(context: ResourceContext) -> bool:
    """A role that workloads or app users assume with a web identity token (OIDC issuer or Cognito)."""
    return any(trust.kind in ("oidc", "cognito") for trust in federated_trusts(context))


def role_statements(context: ResourceContext) -> Iterator[tuple[str, Statement]]:
    """(where, statement) of every Allow statement of the role's permissions in this template: the
    union `policy.permissions.role_permissions` reads once per template (inline policies, every policy
    that names the role, managed policies of the template)."""
    for document, statement in role_permissions(context.index, context.logical_id).allow_statements():
        yield document.label, statement


def granted_actions(statement: Statement, action: str) -> list[str]:
    """The Action patterns of `statement` that grant `action`, the bare `*` left out (administrator
    access is judged elsewhere; these rules look for what the author wrote about one service)."""
    return [a for a in statement.actions if a != "*" and action_matches(a, action)]


def on_every_resource(statement: Statement, *, iam_probes: tuple[str, ...] = ()) -> bool:
    """Whether the statement applies to every resource (`*`, NotResource), or to every IAM entity of a
    kind: an IAM ARN whose resource part admits one of `iam_probes` (e.g. `role/any`), whatever the
    account (`arn:aws:iam::*:role/*`, `arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*`)."""
    if statement.not_resources:
        return True
    for resource in statement.resources:
        if resource == "*":
            return True
        match = _IAM_ARN.fullmatch(re.sub(r"<[^>]*>", "x", resource))
        if match and any(fnmatch.fnmatchcase(p, match.group("tail").replace("[", "[[]")) for p in iam_probes):
            return True
    return False


def service_statements(context: ResourceContext, service: str) -> list[Statement]:
    """The Allow statements of the role's trust whose principal includes the service principal."""
    return [
        st
        for st in trust_statements(context)
        if st.allow and not st.not_principal and service in [s.lower() for s in st.principal_values("service")]
    ]


@dataclass(frozen=True)
class PoolSlot:
    """A role handed out by an identity pool: the pool (logical id, or the rendered value when the
    pool is not in this template), the slot ("authenticated" / "unauthenticated") and where."""

    pool: str
    slot: str
    where: str


def _pool_of(index: TemplateIndex, value: Any) -> str:
    rendered = index.flatten(value)
    return index.target(rendered) or str(rendered)


def _role_of(index: TemplateIndex, value: Any) -> str | None:
    return index.target(index.flatten(value))


def _pool_slots(index: TemplateIndex) -> dict[str, list[PoolSlot]]:
    found: dict[str, list[PoolSlot]] = {}
    for logical, resource in index.of_type("AWS::Cognito::IdentityPoolRoleAttachment").items():
        props = resource.get("Properties") or {}
        pool = _pool_of(index, props.get("IdentityPoolId"))
        roles = props.get("Roles")
        if isinstance(roles, dict):
            for slot, value in roles.items():
                role = _role_of(index, value)
                if role:
                    found.setdefault(role, []).append(PoolSlot(pool, str(slot).lower(), f"{logical}.Roles.{slot}"))
        mappings = props.get("RoleMappings")
        for name, mapping in mappings.items() if isinstance(mappings, dict) else []:
            rules = (
                ((mapping or {}).get("RulesConfiguration") or {}).get("Rules") if isinstance(mapping, dict) else None
            )
            for i, rule in enumerate(as_list(rules)):
                role = _role_of(index, rule.get("RoleARN")) if isinstance(rule, dict) else None
                if role:
                    where = f"{logical}.RoleMappings.{name}.Rules[{i}]"
                    found.setdefault(role, []).append(PoolSlot(pool, "authenticated", where))
    return found


def pool_slots(index: TemplateIndex) -> dict[str, list[PoolSlot]]:
    """Role logical id -> the identity-pool slots that hand it out (attachments and rule mappings)."""
    return template_memo(index, "pool_slots", _pool_slots)


def cognito_trusts(context: ResourceContext) -> list[Statement]:
    """The Allow statements of the role's trust that federate `cognito-identity.amazonaws.com`."""
    return [t.statement for t in federated_trusts(context) if t.kind == "cognito" and t.federated.lower() == COGNITO]
