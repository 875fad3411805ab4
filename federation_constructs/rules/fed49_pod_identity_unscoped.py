"""FED49: an EKS Pod Identity role trusted without any condition on the cluster, namespace or service
account. Pod Identity is a service principal for the whole account: any Pod Identity association anyone
creates, in any cluster and namespace of the account, can hand this role to its pods.

Source: Amazon EKS, "Create IAM role with trust policy required by EKS Pod Identity", Setting Conditions:
restrict which service accounts, namespaces and clusters can use the role with the session tags Pod
Identity passes (aws:RequestTag/kubernetes-namespace, .../kubernetes-service-account, .../eks-cluster-arn)
(https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.roles import service_statements
from federation_constructs.policy.trust import restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule
from federation_constructs.rules.fed48_pod_identity_trust import PODS

SCOPING_KEYS = (
    "aws:requesttag/kubernetes-namespace",
    "aws:requesttag/kubernetes-service-account",
    "aws:requesttag/eks-cluster-arn",
    "aws:requesttag/eks-cluster-name",
    "aws:sourcearn",
)


def check(context: ResourceContext) -> Iterator[Hit]:
    for statement in service_statements(context, PODS):
        if not statement.allows_action("sts:AssumeRole"):
            continue
        scoped = any(restricting(statement, key) for key in SCOPING_KEYS) or any(
            c.key == "aws:sourcearn" and c.base.startswith("arn") and not c.negated and c.values
            for c in statement.conditions
        )
        if not scoped:
            yield Hit(
                f"Statement{statement.index}",
                f"Statement{statement.index} trusts {PODS} with no cluster, namespace or service-account condition: "
                f"any Pod Identity association in the account can give this role to its pods",
            )


RULE = Rule(
    id="FED49",
    level="warning",
    title="EKS Pod Identity role not scoped to a cluster, namespace or service account",
    fix="Add StringEquals aws:RequestTag/kubernetes-namespace and aws:RequestTag/kubernetes-service-account (and "
    "aws:RequestTag/eks-cluster-arn) to the trust statement",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
