"""FED18: `SAML:aud` set to something that is not an AWS sign-in endpoint (or a wildcard): the
trust admits assertions addressed elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

#: the sign-in endpoint, optionally regional; `/acs/<IdP-ID>` is the provider's own endpoint, which is the
#: Recipient when the SAML provider requires encrypted assertions
AWS_SIGN_IN = re.compile(
    r"https://([a-z]{2,4}(-[a-z]+)+-\d{1,2}\.)?signin\.(aws\.amazon\.com|amazonaws\.cn|"
    r"amazonaws-us-gov\.com)/saml(/acs/[A-Za-z0-9]+)?"
)


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        if trust.kind != "saml":
            continue
        for condition in restricting(trust.statement, "saml:aud"):
            for value in condition.values:
                if not is_literal(value):
                    continue  # e.g. Fn::FindInMap on the partition: judged by who wrote it
                if condition.wildcard and any(c in value for c in "*?"):
                    yield Hit(f"{trust.where()}::{value}", f"SAML:aud pattern {value!r} admits other recipients")
                elif not AWS_SIGN_IN.fullmatch(value):
                    yield Hit(
                        f"{trust.where()}::{value}",
                        f"SAML:aud = {value!r} is not an AWS sign-in endpoint: assertions for another service "
                        f"provider are admitted",
                    )


RULE = Rule(
    id="FED18",
    level="error",
    title="SAML:aud is not an AWS sign-in endpoint",
    fix="Use https://signin.aws.amazon.com/saml, https://REGION.signin.aws.amazon.com/saml, "
    "https://signin.amazonaws.cn/saml or https://signin.amazonaws-us-gov.com/saml (with /acs/<IdP-ID> for "
    "a provider that requires encrypted assertions) with StringEquals",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
