"""FED45: a SAML trust whose provider ARN names one partition while `SAML:aud` names the sign-in endpoint
of another (`arn:aws-cn:...:saml-provider/X` with `https://signin.aws.amazon.com/saml`). The assertion's
Recipient is the endpoint of the partition the user signs in to, so the condition never matches. This is
the mistake aws-cdk's SamlConsolePrincipal made for China and GovCloud.

Sources: IAM keys for SAML federation, `SAML:aud` is the Recipient
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml);
China endpoint https://signin.amazonaws.cn/saml
(https://docs.amazonaws.cn/en_us/IAM/latest/UserGuide/id_roles_providers_enable-console-saml.html);
aws/aws-cdk#22091 and aws/aws-cdk#24243."""

from __future__ import annotations

import re
from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_ENDPOINT_PARTITION = (
    (re.compile(r"https://([a-z0-9-]+\.)?signin\.aws\.amazon\.com/"), "aws"),
    (re.compile(r"https://([a-z0-9-]+\.)?signin\.amazonaws\.cn/"), "aws-cn"),
    (re.compile(r"https://([a-z0-9-]+\.)?signin\.amazonaws-us-gov\.com/"), "aws-us-gov"),
)


def endpoint_partition(url: str) -> str | None:
    for pattern, partition in _ENDPOINT_PARTITION:
        if pattern.match(url):
            return partition
    return None


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        if trust.kind != "saml" or not is_literal(trust.federated) or not trust.federated.startswith("arn:"):
            continue
        partition = trust.federated.split(":")[1]
        for condition in restricting(trust.statement, "saml:aud"):
            endpoints = {v: endpoint_partition(v) for v in condition.values if is_literal(v)}
            if endpoints and all(p is not None and p != partition for p in endpoints.values()):
                yield Hit(
                    f"{trust.where()}::SAML:aud",
                    f"the SAML provider is in partition {partition!r} but SAML:aud only admits "
                    f"{', '.join(endpoints)} (partition {', '.join(sorted({str(p) for p in endpoints.values()}))}): "
                    f"assertions for this provider never carry that Recipient",
                )


RULE = Rule(
    id="FED45",
    level="error",
    title="SAML:aud is the sign-in endpoint of another partition than the SAML provider",
    fix="Use the provider's partition endpoint: https://signin.aws.amazon.com/saml (aws), "
    "https://signin.amazonaws.cn/saml (aws-cn), https://signin.amazonaws-us-gov.com/saml (aws-us-gov)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
