"""FED10: `Principal: "*"`, `AWS: "*"` or `Federated: "*"` in a role's trust: anyone (any account,
any identity provider) may assume the role, conditions being the only fence."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import trust_statements
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for statement in trust_statements(context):
        if not statement.allow:
            continue
        if statement.not_principal:
            yield Hit(
                f"Statement{statement.index}::NotPrincipal",
                f"Statement{statement.index} allows with NotPrincipal: everyone except the listed principals",
            )
            continue
        for kind in ("*", "aws", "federated"):
            if "*" in statement.principal_values(kind):
                label = "Principal" if kind == "*" else f"Principal.{kind.capitalize() if kind != 'aws' else 'AWS'}"
                yield Hit(
                    f"Statement{statement.index}::{label}",
                    f"Statement{statement.index} trusts {label} = '*': any principal of any account or "
                    f"identity provider may try, only the conditions stand between it and the role",
                )


RULE = Rule(
    id="FED10",
    level="error",
    title="Wildcard principal in a trust policy",
    fix="Name the principal: the OIDC or SAML provider ARN, cognito-identity.amazonaws.com, or the exact "
    "role ARN of the caller",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
