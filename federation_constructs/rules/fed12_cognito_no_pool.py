"""FED12: a Cognito trust without `cognito-identity.amazonaws.com:aud` = a pool id: identities of
any identity pool in any account can assume the role."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import COGNITO, federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

AUD = f"{COGNITO}:aud"


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        if trust.kind != "cognito":
            continue
        exact = [
            c
            for c in restricting(trust.statement, AUD)
            if not (c.wildcard and any("*" in v or "?" in v for v in c.values))
        ]
        if not exact:
            yield Hit(
                f"{trust.where()}::{AUD}",
                f"Cognito trust in {trust.where()} does not pin {AUD} to a pool id (StringEquals): "
                f"identities of any identity pool, in any account, are admitted",
            )


RULE = Rule(
    id="FED12",
    level="error",
    title="Cognito identity pool trust without the pool id (aud)",
    fix="Add StringEquals cognito-identity.amazonaws.com:aud = the identity pool id (REGION:GUID)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
