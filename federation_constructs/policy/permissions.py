"""A role's permissions as IAM adds them up, for the rules that judge what a role may do.

IAM gives a role the union of its inline `Policies`, every `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`
and `AWS::IAM::RolePolicy` that names it (`Roles: [{Ref: Role}]`, `RoleName: {Ref: Role}`, or the
role's literal `RoleName`), and its `ManagedPolicyArns`. A mistake can sit in one resource and only
show with another (a per-user folder in one policy, a listing of the whole bucket in the next), so
every permission rule reads a role through `role_permissions`, and a policy resource through
`shared_documents` (its own documents judged beside everything else its roles hold).

A `ManagedPolicyArns` entry that is a `Ref` to a managed policy of the same template is read as that
policy's document; any other entry (an AWS managed policy, an imported ARN) is kept as its ARN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from federation_constructs.policy.document import Statement, as_list, is_literal, statements
from federation_constructs.policy.template import ResourceContext, TemplateIndex

__all__ = [
    "ADMIN_POLICY_NAMES",
    "IDENTITY_POLICY_TYPES",
    "Permissions",
    "PolicyDocument",
    "all_documents",
    "is_admin_statement",
    "own_documents",
    "role_context",
    "role_permissions",
    "roles_of",
    "shared_documents",
]

#: resources that hold identity policies a role can receive
IDENTITY_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")
#: AWS managed policies that give (or let the holder take) control of the account
ADMIN_POLICY_NAMES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")

# per template, read once: rules ask for the same roles again and again (a template may hold 1,000 roles)
_ATTACHMENTS: WeakKeyDictionary[TemplateIndex, dict[str, list[str]]] = WeakKeyDictionary()
_PERMISSIONS: WeakKeyDictionary[TemplateIndex, dict[str, Permissions]] = WeakKeyDictionary()


@dataclass(frozen=True)
class PolicyDocument:
    """One policy document of a template, with where it is written."""

    #: the resource that holds it
    logical_id: str
    #: where inside that resource: `Policies[Name]` (a role's inline policy) or `PolicyDocument`
    where: str
    statements: tuple[Statement, ...]

    @property
    def label(self) -> str:
        """`Role.Policies[Name]` for an inline policy, the policy's logical id otherwise."""
        return f"{self.logical_id}.{self.where}" if self.where.startswith("Policies[") else self.logical_id


@dataclass(frozen=True)
class Permissions:
    """Everything a role is given in this template."""

    role_id: str
    documents: tuple[PolicyDocument, ...]
    #: `ManagedPolicyArns` entries that are not a managed policy of this template (rendered text)
    managed_policy_arns: tuple[str, ...]

    def allow_statements(self) -> Iterator[tuple[PolicyDocument, Statement]]:
        for document in self.documents:
            for statement in document.statements:
                if statement.allow:
                    yield document, statement

    def managed_policy_names(self) -> list[str]:
        """The names of the managed policies attached by ARN (`AdministratorAccess`, ...)."""
        return [
            arn.rsplit(":policy/", 1)[1].rsplit("/", 1)[-1] for arn in self.managed_policy_arns if ":policy/" in arn
        ]

    def admin_grants(self) -> list[str]:
        """What makes the role an administrator: an admin AWS managed policy, or an Allow of `*` (or
        `iam:*`) on `*` without conditions, in any of its documents."""
        found = [f"ManagedPolicy::{n}" for n in self.managed_policy_names() if n in ADMIN_POLICY_NAMES]
        for document, statement in self.allow_statements():
            if is_admin_statement(statement):
                found.append(f"{document.label}::Statement{statement.index}")
        return found


def is_admin_statement(statement: Statement) -> bool:
    """An Allow of every action (or every IAM action) on every resource, unconditionally."""
    broad = {"*", "*:*", "iam:*"}
    return (
        statement.allow
        and not statement.conditions
        and "*" in statement.resources
        and any(a.lower() in broad for a in statement.actions)
    )


def _documents_of(index: TemplateIndex, logical_id: str) -> list[PolicyDocument]:
    """The policy documents a resource holds itself (a role's inline policies; a policy's document)."""
    resource_type = index.type_of(logical_id)
    props = index.properties(logical_id)
    if resource_type == "AWS::IAM::Role":
        return [
            PolicyDocument(
                logical_id,
                f"Policies[{policy.get('PolicyName')}]",
                tuple(statements(policy.get("PolicyDocument"), index.parameters)),
            )
            for policy in as_list(props.get("Policies"))
            if isinstance(policy, dict)
        ]
    if "PolicyDocument" in props:
        return [
            PolicyDocument(logical_id, "PolicyDocument", tuple(statements(props["PolicyDocument"], index.parameters)))
        ]
    return []


def own_documents(context: ResourceContext) -> list[PolicyDocument]:
    """The identity (or bucket) policy documents the resource under review holds itself."""
    return _documents_of(context.index, context.logical_id)


def _attachments(index: TemplateIndex) -> dict[str, list[str]]:
    """Policy resource -> the roles of this template it applies to, read once per template: `Roles`
    entries (a `Ref` or the role's literal `RoleName`), a `RolePolicy`'s `RoleName`, and the roles
    whose `ManagedPolicyArns` refer to a managed policy of the template."""
    cached = _ATTACHMENTS.get(index)
    if cached is not None:
        return cached
    roles = index.of_type("AWS::IAM::Role")
    by_name = {name: role_id for role_id in roles if isinstance(name := index.properties(role_id).get("RoleName"), str)}

    def role_of(value: Any) -> str | None:
        if isinstance(value, dict):
            ref = value.get("Ref")
            return ref if isinstance(ref, str) and ref in roles else None
        return by_name.get(value) if is_literal(value) else None

    found: dict[str, list[str]] = {}
    for logical, resource in index.of_type(*IDENTITY_POLICY_TYPES).items():
        props = index.properties(logical)
        names = (
            [props.get("RoleName")] if resource.get("Type") == "AWS::IAM::RolePolicy" else as_list(props.get("Roles"))
        )
        found[logical] = list(dict.fromkeys(r for r in map(role_of, names) if r))
    for role_id in roles:
        for value in as_list(index.properties(role_id).get("ManagedPolicyArns")):
            ref = value.get("Ref") if isinstance(value, dict) else None
            if index.type_of(ref) == "AWS::IAM::ManagedPolicy" and role_id not in found.setdefault(str(ref), []):
                found[str(ref)].append(role_id)
    _ATTACHMENTS[index] = found
    return found


def roles_of(index: TemplateIndex, logical_id: str) -> list[str]:
    """The roles of this template that a resource's policies apply to: the role itself, the roles a
    policy names, the roles whose `ManagedPolicyArns` refer to a managed policy."""
    if index.type_of(logical_id) == "AWS::IAM::Role":
        return [logical_id]
    return list(_attachments(index).get(logical_id, []))


def role_permissions(index: TemplateIndex, role_id: str) -> Permissions:
    """The union of every permission the template gives the role."""
    cache = _PERMISSIONS.setdefault(index, {})
    if role_id in cache:
        return cache[role_id]
    documents = _documents_of(index, role_id)
    for logical, roles in _attachments(index).items():
        if role_id in roles:
            documents.extend(_documents_of(index, logical))
    arns = [
        str(index.flatten(value))
        for value in as_list(index.properties(role_id).get("ManagedPolicyArns"))
        if not (isinstance(value, dict) and index.type_of(value.get("Ref")) == "AWS::IAM::ManagedPolicy")
    ]
    cache[role_id] = Permissions(role_id, tuple(documents), tuple(arns))
    return cache[role_id]


def shared_documents(context: ResourceContext) -> list[PolicyDocument]:
    """The resource's own documents and every other document the same roles hold: what a rule
    that judges one statement against the rest of a role's permissions reads."""
    found = own_documents(context)
    seen = {(d.logical_id, d.where) for d in found}
    for role_id in roles_of(context.index, context.logical_id):
        for document in role_permissions(context.index, role_id).documents:
            if (document.logical_id, document.where) not in seen:
                seen.add((document.logical_id, document.where))
                found.append(document)
    return found


def all_documents(index: TemplateIndex, *types: str) -> Iterator[PolicyDocument]:
    """Every policy document held by a resource of `types` in the template."""
    for logical in index.of_type(*types):
        yield from _documents_of(index, logical)


def role_context(index: TemplateIndex, role_id: str) -> ResourceContext:
    """The role as a rule would see it under review (to read its trust from a policy's rule)."""
    return ResourceContext(logical_id=role_id, type="AWS::IAM::Role", properties=index.properties(role_id), index=index)
