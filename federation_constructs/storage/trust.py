"""Read a role's trust policy to tell which federation path its sessions come from.

`UserPrefixStorage.grant_user_prefix` uses it to refuse an identity source that the role's sessions
can never carry (the Cognito identity id on a SAML role, say): such a grant would be dead at best,
and a sign that the reviewer's picture of who uses the role is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_iam as iam

from federation_constructs.identity_pool.federation import COGNITO_IDENTITY
from federation_constructs.policy.document import statements

__all__ = ["TrustSummary", "summarize_trust", "underlying_role"]


@dataclass(frozen=True)
class TrustSummary:
    """What a role's trust policy admits, coarsely: by which STS call and from whom."""

    #: "cognito", "saml", "web_identity" (OIDC other than Cognito), "aws" (sts:AssumeRole)
    kinds: frozenset[str]
    #: `amr` values a Cognito trust requires ("authenticated", "unauthenticated")
    cognito_amr: frozenset[str]
    #: whether the trust allows `sts:TagSession` (session tags can be set)
    session_tags: bool

    @property
    def cognito_guest(self) -> bool:
        """A Cognito trust that admits guests (not signed in)."""
        return "cognito" in self.kinds and "unauthenticated" in self.cognito_amr


def underlying_role(grantee: object) -> iam.Role | None:
    """The `iam.Role` behind an `iam.IGrantable` (a role construct of this toolkit, or an `iam.Role`):
    its `grant_principal` when that is a role this app defines, else None (an imported role, or not
    an `IGrantable` at all)."""
    principal = getattr(grantee, "grant_principal", None)
    return principal if isinstance(principal, iam.Role) else None


def summarize_trust(role: iam.Role) -> TrustSummary:
    """Summarize `role`'s assume-role policy as CloudFormation will see it (read with the rules'
    policy reader, `federation_constructs.policy.document.statements`)."""
    document = role.assume_role_policy
    resolved = Stack.of(role).resolve(document.to_json()) if document is not None else {}
    kinds: set[str] = set()
    amr: set[str] = set()
    tags = False
    for statement in statements(resolved):
        if not statement.allow:
            continue
        actions = {a.lower() for a in statement.actions}
        federated = statement.principal_values("federated")
        tags = tags or "sts:tagsession" in actions
        if "sts:assumerolewithsaml" in actions:
            kinds.add("saml")
        if "sts:assumerolewithwebidentity" in actions:
            if COGNITO_IDENTITY in federated:
                kinds.add("cognito")
                amr.update(v for c in statement.conditions_on(f"{COGNITO_IDENTITY}:amr") for v in c.values)
            if any(f != COGNITO_IDENTITY for f in federated):
                kinds.add("web_identity")
        if "sts:assumerole" in actions:
            kinds.add("aws")
    return TrustSummary(kinds=frozenset(kinds), cognito_amr=frozenset(amr), session_tags=tags)
