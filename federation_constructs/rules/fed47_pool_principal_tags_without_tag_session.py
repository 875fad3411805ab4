"""FED47: an identity pool that maps token claims to principal tags (AWS::Cognito::IdentityPoolPrincipalTag)
while a role it hands to signed-in users does not allow `sts:TagSession` in its trust. When an identity
provider passes session tags, every role connected to it must allow `sts:TagSession`, or the assume call
fails: those users get no credentials at all.

Sources: IAM, "Passing session tags in AWS STS": "trust policies for all roles connected to the identity
provider (IdP) that is passing tags must have the sts:TagSession permission. For roles that don't have
this permission in the trust policy, the AssumeRole operation will fail"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html); Amazon Cognito, attributes for
access control, trust with sts:AssumeRoleWithWebIdentity and sts:TagSession
(https://docs.aws.amazon.com/cognito/latest/developerguide/using-attributes-for-access-control-policy-example.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.roles import cognito_trusts, pool_slots, template_memo
from federation_constructs.policy.template import TemplateIndex
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

PRINCIPAL_TAG = "AWS::Cognito::IdentityPoolPrincipalTag"


def _tagging_pools(index: TemplateIndex) -> dict[str, str]:
    """Pool (logical id or rendered id) -> the principal-tag resource that makes it pass tags."""
    found: dict[str, str] = {}
    for logical, resource in index.of_type(PRINCIPAL_TAG).items():
        props = resource.get("Properties") or {}
        tags = props.get("PrincipalTags")
        defaults = index.flatten(props.get("UseDefaults", False)).lower() == "true"
        if defaults or (isinstance(tags, dict) and tags):
            rendered = index.flatten(props.get("IdentityPoolId"))
            found.setdefault(index.target(rendered) or str(rendered), logical)
    return found


def check(context: ResourceContext) -> Iterator[Hit]:
    tagging = template_memo(context.index, "tagging_pools", _tagging_pools)
    if not tagging:
        return
    trusts = cognito_trusts(context)
    if not trusts or any(st.allows_action("sts:TagSession") for st in trusts):
        return
    for slot in pool_slots(context.index).get(context.logical_id, []):
        if slot.slot == "authenticated" and slot.pool in tagging:
            yield Hit(
                f"{slot.where}::sts:TagSession",
                f"{tagging[slot.pool]} passes principal tags for pool {slot.pool}, and {slot.where} hands this role "
                f"to its signed-in users, but the trust does not allow sts:TagSession: their credentials fail",
            )


RULE = Rule(
    id="FED47",
    level="error",
    title="Identity pool passes principal tags but the role's trust does not allow sts:TagSession",
    fix="Add sts:TagSession next to sts:AssumeRoleWithWebIdentity in the role's Cognito trust statement",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
