"""FED14: a role attached to an identity pool as the authenticated role (or any role trusting the
pool for signed-in users) whose `amr` condition also admits `unauthenticated`: guests get the
signed-in users' permissions."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import COGNITO, admits, federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

AMR = f"{COGNITO}:amr"


def check(context: ResourceContext) -> Iterator[Hit]:
    attached = context.index.identity_pool_roles.get(context.logical_id, set())
    for trust in federated_trusts(context):
        if trust.kind != "cognito":
            continue
        conditions = [c for c in trust.statement.conditions_on(AMR) if not c.negated and c.values]
        admits_guests = any(admits(c, "unauthenticated") for c in conditions)
        admits_users = any(admits(c, "authenticated") for c in conditions)
        if admits_guests and (admits_users or "authenticated" in attached):
            yield Hit(
                f"{trust.where()}::{AMR}",
                f"{trust.where()}'s amr condition admits 'unauthenticated' on a role for signed-in users: "
                f"guests (not signed in) can assume it",
            )


RULE = Rule(
    id="FED14",
    level="error",
    title="Authenticated identity-pool role also admits guests (amr unauthenticated)",
    fix="Give the authenticated role ForAnyValue:StringLike amr = authenticated only; guests get their own role",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
