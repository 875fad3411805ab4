"""FED32: a federated principal that cannot be this account's identity provider. STS looks the
provider up in the role's own account (an IAM OIDC or SAML provider belongs to one account, and a
role can only trust the providers of its account), so the trust can never be used when it names:

- a provider ARN with another account id than the template's own: the account ids of the other
  provider ARNs of the template and of its roles' customer managed policies and permissions
  boundaries (all of which must live in the deploying account), or a literal account id where
  those are written with `AWS::AccountId`;
- a resource of this template that is not an identity provider (`Ref` to a role, a bucket, ...);
- a bare issuer host (`token.actions.githubusercontent.com`) instead of the provider's ARN: only
  Cognito, Google, Facebook and Login with Amazon are named without an IAM provider.

A provider created in the template, passed in by a parameter or `Fn::ImportValue`, or named by
this account's ARN (what `OidcProvider.from_issuer` writes for the account's existing provider:
one per issuer per account) is accepted.
Sources: IAM, "Create a role for OpenID Connect federation" and "... for SAML 2.0 federation" (the
trust names the identity provider created in your account,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html); IAM JSON policy
elements: Principal, federated principals
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from weakref import WeakKeyDictionary

from federation_constructs.policy.document import as_list, is_literal
from federation_constructs.policy.permissions import role_context
from federation_constructs.policy.template import WEB_IDENTITY_NAMES, TemplateIndex
from federation_constructs.policy.trust import FederatedTrust, federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_PROVIDER_ARN = re.compile(r"arn:(?:<[^>]*>|[^:<]*):iam::(?P<account>\d{12}|<AWS::AccountId>):(?:oidc|saml)-provider/")
_POLICY_ARN = re.compile(r"arn:(?:<[^>]*>|[^:<]*):iam::(?P<account>\d{12}|<AWS::AccountId>):policy/")
_PROVIDER_TYPES = ("AWS::IAM::OIDCProvider", "AWS::IAM::SAMLProvider", "Custom::AWSCDKOpenIdConnectProvider")
ACCOUNT_ID = "<AWS::AccountId>"


Sighting = tuple[tuple[str, int, str] | None, str]
_SIGHTINGS: WeakKeyDictionary[TemplateIndex, list[Sighting]] = WeakKeyDictionary()


def _sightings(index: TemplateIndex) -> list[Sighting]:
    """Account ids (or `<AWS::AccountId>`) written where only the deploying account fits, read once per
    template: every provider ARN in the trusts (with the role, statement and value it was seen in),
    the roles' customer managed policies and permissions boundaries (seen in None)."""
    cached = _SIGHTINGS.get(index)
    if cached is not None:
        return cached
    found: list[Sighting] = []
    for role_id in index.of_type("AWS::IAM::Role"):
        for trust in federated_trusts(role_context(index, role_id)):
            match = _PROVIDER_ARN.match(trust.federated)
            if match:
                found.append(((role_id, trust.statement.index, trust.federated), match.group("account")))
        props = index.properties(role_id)
        for value in [*as_list(props.get("ManagedPolicyArns")), props.get("PermissionsBoundary")]:
            match = _POLICY_ARN.match(index.flatten(value)) if value is not None else None
            if match:
                found.append((None, match.group("account")))
    _SIGHTINGS[index] = found
    return found


def _accounts(context: ResourceContext, skip: FederatedTrust) -> set[str]:
    """The template's account ids, as written anywhere but in the trust under review."""
    seen = (context.logical_id, skip.statement.index, skip.federated)
    return {account for where, account in _sightings(context.index) if where != seen}


def problem(context: ResourceContext, trust: FederatedTrust) -> str | None:
    """Why the trust's `Federated` value cannot name a provider of the deploying account."""
    federated = trust.federated
    logical = context.index.target(federated)
    if logical and logical in context.index.resources:
        kind = context.index.type_of(logical)
        return None if kind in _PROVIDER_TYPES else f"it refers to {logical} ({kind}), not to an identity provider"
    if is_literal(federated) and (federated.lower() in WEB_IDENTITY_NAMES or federated == "*"):
        return None  # `*` is FED10's
    match = _PROVIDER_ARN.match(federated)
    if match is None:
        if is_literal(federated):
            return (
                f"{federated!r} is neither a provider ARN nor one of the web identity names IAM knows "
                f"({', '.join(sorted(WEB_IDENTITY_NAMES))})"
            )
        return None  # a parameter, an import or an expression: the author's to judge
    account = match.group("account")
    if account == ACCOUNT_ID:
        return None
    own = _accounts(context, trust)
    literal = own - {ACCOUNT_ID}
    if literal and account not in literal:
        return (
            f"its account {account} is not this template's ({', '.join(sorted(literal))}), and STS looks the "
            f"provider up in the role's own account"
        )
    if not literal and ACCOUNT_ID in own:
        return (
            f"its account {account} is written literally where the template's other provider and policy ARNs use "
            f"AWS::AccountId: in any other account it names a foreign provider"
        )
    return None


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        reason = problem(context, trust)
        if reason:
            yield Hit(
                f"{trust.where()}::{trust.federated}",
                f"{trust.where()} trusts {trust.federated!r}, but {reason}: this trust can never be used",
            )


RULE = Rule(
    id="FED32",
    level="error",
    title="Federated principal that is not an identity provider of the deploying account",
    fix="Name the account's own provider: a Ref/GetAtt to the AWS::IAM::OIDCProvider or SAMLProvider of the template, "
    "a parameter or Fn::ImportValue, or arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/<issuer> "
    "(OidcProvider.from_issuer); deploy the role into the provider's account",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
