"""FED8: `ForAllValues:` on a single-valued claim. It is true when the key is absent (a token
without the claim passes) and says nothing a plain operator would not."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import federated_trusts, trust_statements
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

#: claims that hold one value: `sub`, `aud` and the other OIDC claims IAM exposes, `SAML:aud` and the
#: SAML keys without `[]` in the IAM reference. (Cognito `amr` and SAML `[]` keys are multi-valued.)
_MULTI_VALUED_SUFFIXES = (":amr",)
_SAML_SINGLE = {
    "saml:aud",
    "saml:sub",
    "saml:sub_type",
    "saml:iss",
    "saml:namequalifier",
    "saml:doc",
    "saml:edupersonprimaryaffiliation",
    "saml:edupersonprimaryorgunitdn",
    "saml:edupersonprincipalname",
    "saml:edupersonorgdn",
}


def single_valued(key: str, federated_hosts: set[str]) -> bool:
    if key.startswith("saml:"):
        return key in _SAML_SINGLE
    if key.endswith(_MULTI_VALUED_SUFFIXES):
        return False
    return any(key.startswith(host.lower() + ":") for host in federated_hosts)


def check(context: ResourceContext) -> Iterator[Hit]:
    hosts = {t.host_path for t in federated_trusts(context) if t.host_path}
    for statement in trust_statements(context):
        for condition in statement.conditions:
            if condition.qualifier == "ForAllValues" and single_valued(condition.key, hosts):
                yield Hit(
                    f"Statement{statement.index}::{condition.key}",
                    f"{condition.operator} on {condition.key}: the claim holds one value, and ForAllValues "
                    f"is also true when the token has no such claim",
                )


RULE = Rule(
    id="FED8",
    level="error",
    title="ForAllValues: on a single-valued claim (true when the claim is missing)",
    fix="Drop the ForAllValues: prefix (StringEquals / StringLike); use ForAnyValue: only for multi-valued keys "
    "such as cognito-identity.amazonaws.com:amr",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
