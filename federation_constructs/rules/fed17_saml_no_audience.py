"""FED17: a SAML trust without a `SAML:aud` condition: an assertion meant for another service
provider of the same IdP (a different recipient) can be replayed to AWS."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        if trust.kind == "saml" and not restricting(trust.statement, "saml:aud"):
            yield Hit(
                f"{trust.where()}::SAML:aud",
                f"SAML trust in {trust.where()} has no SAML:aud condition: the assertion's Recipient is not "
                f"checked to be the AWS sign-in endpoint",
            )


RULE = Rule(
    id="FED17",
    level="error",
    title="SAML trust without SAML:aud",
    fix="Add StringEquals SAML:aud = https://signin.aws.amazon.com/saml (or the regional endpoint the IdP posts to)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
