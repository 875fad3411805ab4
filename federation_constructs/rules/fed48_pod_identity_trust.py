"""FED48: an EKS Pod Identity role whose trust cannot work: the role trusts `pods.eks.amazonaws.com` with
`sts:AssumeRole` but not `sts:TagSession` (Pod Identity always assumes the role with session tags), or a
PodIdentityAssociation points at a role of the template that does not trust `pods.eks.amazonaws.com`.
Pods of the association get no credentials.

Source: Amazon EKS, "Create IAM role with trust policy required by EKS Pod Identity": Principal
pods.eks.amazonaws.com, Action sts:AssumeRole and sts:TagSession
(https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.roles import service_statements
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

PODS = "pods.eks.amazonaws.com"
ASSOCIATION = "AWS::EKS::PodIdentityAssociation"


def _role_check(context: ResourceContext) -> Iterator[Hit]:
    trusts = service_statements(context, PODS)
    if trusts and not any(st.allows_action("sts:TagSession") for st in trusts):
        yield Hit(
            "sts:TagSession",
            f"the trust lets {PODS} call sts:AssumeRole but not sts:TagSession: Pod Identity passes session tags "
            f"on every call, so pods never get credentials",
        )


def _association_check(context: ResourceContext) -> Iterator[Hit]:
    index = context.index
    role = index.target(index.flatten(context.properties.get("RoleArn")))
    if role is None or index.type_of(role) != "AWS::IAM::Role":
        return
    role_context = ResourceContext(
        logical_id=role, type="AWS::IAM::Role", properties=index.properties(role), index=index
    )
    if not any(st.allows_action("sts:AssumeRole") for st in service_statements(role_context, PODS)):
        yield Hit(
            f"RoleArn::{role}",
            f"the association hands role {role} to pods, but its trust does not let {PODS} assume it",
        )


def check(context: ResourceContext) -> Iterator[Hit]:
    if context.type == ASSOCIATION:
        yield from _association_check(context)
    else:
        yield from _role_check(context)


RULE = Rule(
    id="FED48",
    level="error",
    title="EKS Pod Identity trust without sts:TagSession, or an association whose role does not trust Pod Identity",
    fix="Trust Service pods.eks.amazonaws.com with Action [sts:AssumeRole, sts:TagSession]",
    resource_types=("AWS::IAM::Role", ASSOCIATION),
    check=check,
)
