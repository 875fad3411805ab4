"""FED46: a role that an identity pool hands out (role attachment or rules-based mapping) whose trust
cannot admit that pool's identities in that slot: no `cognito-identity.amazonaws.com` trust, `aud`
pinned to a different identity pool of the template, or an `amr` condition that excludes the slot (the
guest role trusting only `authenticated`). Cognito's GetCredentialsForIdentity then fails for every user
of that slot, and the usual "fix" is to loosen the trust.

Source: Amazon Cognito, "Role trust and permissions": the role's trust names
cognito-identity.amazonaws.com, `aud` = the identity pool ID and `amr` = authenticated / unauthenticated
(https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import Statement, is_literal
from federation_constructs.policy.roles import PoolSlot, cognito_trusts, pool_slots
from federation_constructs.policy.template import TemplateIndex
from federation_constructs.policy.trust import COGNITO, admits, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

POOL = "AWS::Cognito::IdentityPool"


def admits_pool(statement: Statement, slot: PoolSlot, index: TemplateIndex) -> bool:
    """False only when every aud value is provably another pool of this template."""
    for condition in restricting(statement, f"{COGNITO}:aud"):
        others = [index.target(v) for v in condition.values]
        if others and all(o is not None and o != slot.pool and index.type_of(o) == POOL for o in others):
            return False
    return True


def admits_slot(statement: Statement, slot: PoolSlot) -> bool:
    amr = [c for c in statement.conditions_on(f"{COGNITO}:amr") if not c.negated and c.values]
    if any(not is_literal(v) for c in amr for v in c.values):
        return True
    return all(admits(c, slot.slot) for c in amr)


def check(context: ResourceContext) -> Iterator[Hit]:
    index = context.index
    slots = pool_slots(index).get(context.logical_id, [])
    if not slots:
        return
    trusts = cognito_trusts(context)
    attached_as_members = "authenticated" in index.identity_pool_roles.get(context.logical_id, set())
    for slot in slots:
        if not trusts:
            yield Hit(
                f"{slot.where}::no-cognito-trust",
                f"{slot.where} hands this role to identity pool {slot.pool}, but its trust has no Allow for "
                f"Federated {COGNITO}: no identity of the pool can get credentials",
            )
        elif attached_as_members and any(admits_slot(st, PoolSlot(slot.pool, "unauthenticated", "")) for st in trusts):
            continue  # FED14 reports a role attached for signed-in users whose trust admits guests
        elif not any(admits_pool(st, slot, index) and admits_slot(st, slot) for st in trusts):
            yield Hit(
                f"{slot.where}::{slot.slot}",
                f"{slot.where} hands this role to {slot.slot} identities of pool {slot.pool}, but no trust statement "
                f"admits them (aud names another pool, or amr excludes {slot.slot!r})",
            )


RULE = Rule(
    id="FED46",
    level="error",
    title="Identity-pool role whose trust does not admit that pool or that slot (credentials always fail)",
    fix="Trust Federated cognito-identity.amazonaws.com with StringEquals aud = this pool (Ref) and "
    "ForAnyValue:StringLike amr = the slot the pool uses the role for (authenticated for mapped roles)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
