"""FED29: administrator-level permissions on the signed-in role of an identity pool that anyone
on the internet can sign in to. The trust looks right (the pool's id, `amr` authenticated) and the
permissions alone may suit a workforce role; only together with the pool's sign-in do they show
that "signed-in" means "anyone": a Cognito user pool lets anyone sign up unless
`AdminCreateUserConfig.AllowAdminCreateUserOnly` is true (Cognito's default is self sign-up), and a
Google, Facebook, Login with Amazon or Sign in with Apple login admits every account holder. Read
across the role, every policy that names it (inline, attached, managed by ARN), the role
attachment, the identity pool and its user pools.

The role counts when it is the pool's default authenticated role, or when the pool keeps the classic
flow on (clients then assume any role that trusts the pool themselves). Administrator level: the AWS
managed AdministratorAccess, PowerUserAccess or IAMFullAccess (IAM full access lets the holder attach
any policy to itself), or an unconditional Allow of `*` or `iam:*` on `*`. Public roles that the
trust rules already refuse (guests: FED16; no subject: FED1; no pool id: FED12) are left to them.
Sources: AdminCreateUserConfig.AllowAdminCreateUserOnly, false by default
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cognito-userpool-admincreateuserconfig.html);
Amazon Cognito, "Role trust and permissions" and the basic (classic) flow
(https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html,
https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html); AWS managed policies
for job functions (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html).
"""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.permissions import role_permissions
from federation_constructs.policy.trust import COGNITO, admits, federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

AMR, AUD = f"{COGNITO}:amr", f"{COGNITO}:aud"


def open_pool_access(context: ResourceContext) -> str | None:
    """Which open identity pool's signed-in identities get the role, and why anyone can sign in."""
    index = context.index
    default_for = {
        index.target(index.flatten(props.get("IdentityPoolId")))
        for props in (index.properties(a) for a in index.of_type("AWS::Cognito::IdentityPoolRoleAttachment"))
        if isinstance(props.get("Roles"), dict)
        and index.target(index.flatten(props["Roles"].get("authenticated"))) == context.logical_id
    }
    for trust in federated_trusts(context):
        if trust.kind != "cognito" or not any(
            admits(c, "authenticated") for c in trust.statement.conditions_on(AMR) if not c.negated
        ):
            continue
        for value in (v for c in restricting(trust.statement, AUD) for v in c.values):
            pool = index.identity_pool_id(value)
            if pool is None:
                continue
            classic = index.flatten(index.properties(pool).get("AllowClassicFlow", False)).lower() == "true"
            reasons = index.open_sign_in(pool)
            if reasons and (pool in default_for or classic):
                how = "the default authenticated role" if pool in default_for else "a role it trusts (classic flow)"
                return f"it is {how} of {pool}, where {'; '.join(reasons)}"
    return None


def check(context: ResourceContext) -> Iterator[Hit]:
    grants = role_permissions(context.index, context.logical_id).admin_grants()
    if not grants:
        return
    who = open_pool_access(context)
    if who is None:
        return
    for grant in grants:
        yield Hit(grant, f"{grant} gives administrator-level access to anyone who signs in: {who}")


RULE = Rule(
    id="FED29",
    level="error",
    title="Administrator-level permissions on the signed-in role of an identity pool anyone can sign in to",
    fix="Give the signed-in role of a public pool only the named actions on the named resources its users need; for "
    "administrators, close the sign-in (AllowAdminCreateUserOnly: true, no social logins) or map them by "
    "cognito:groups to a role of their own that is not the default authenticated role",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
