"""FED15: an identity pool with the classic (basic) flow on: clients call
`AssumeRoleWithWebIdentity` themselves for any role that trusts the pool, bypassing role mapping."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    value = context.index.flatten(context.properties.get("AllowClassicFlow", False))
    if value.lower() == "true":
        yield Hit(
            "AllowClassicFlow",
            "AllowClassicFlow is true: clients can pick any role that trusts this pool, whatever the role mappings say",
        )


RULE = Rule(
    id="FED15",
    level="warning",
    title="Identity pool with the classic (basic) authflow enabled",
    fix="Set AllowClassicFlow to false (the enhanced flow) unless an old client needs it; acknowledge with the "
    "reason if so",
    resource_types=("AWS::Cognito::IdentityPool",),
    check=check,
)
