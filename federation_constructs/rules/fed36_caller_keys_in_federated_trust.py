"""FED36: a federated trust that tests keys about the calling AWS principal (`aws:PrincipalOrgID`,
`aws:PrincipalArn`, `aws:PrincipalTag/...`, `aws:SourceAccount`, MFA keys). `AssumeRoleWithWebIdentity`
and `AssumeRoleWithSAML` are not signed with AWS credentials: no calling principal exists, the keys are
absent, so a positive condition never matches and a negated or `...IfExists` one never fences.

Sources: IAM global condition keys, "Availability" of each key
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html);
aws/lza-universal-configuration#25 ("A federated sign-in request does not carry a calling IAM principal,
so aws:PrincipalOrgID is not present in the request context")."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.claims import caller_key
from federation_constructs.policy.trust import federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_LABEL = {"oidc": "web identity (OIDC)", "cognito": "Cognito identity pool", "saml": "SAML"}


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        statement = trust.statement
        if set(statement.principals) != {"federated"}:
            continue  # an AWS principal in the same statement does carry these keys
        for condition in statement.conditions:
            if not caller_key(condition.key):
                continue
            opens = condition.holds_when_absent
            effect = "always holds, so it fences nothing" if opens else "never holds, so this statement admits no one"
            yield Hit(
                f"{trust.where()}::{condition.key}",
                f"{condition.operator} {condition.key} in a federated trust: a {_LABEL[trust.kind]} sign-in has no "
                f"calling AWS principal, the key is absent and the condition {effect}",
            )


RULE = Rule(
    id="FED36",
    level="error",
    title="Federated trust tests keys of a calling AWS principal, which federation requests do not have",
    fix="Restrict federated callers with the issuer's claims (<issuer>:sub, :aud, SAML:aud, cognito amr/aud); use "
    "aws:RequestTag/* rather than aws:PrincipalTag/* for tags passed in the token; keep organization fences in "
    "the statements that trust AWS principals",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
