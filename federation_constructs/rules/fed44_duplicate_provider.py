"""FED44: two identity providers in one template for the same issuer URL (OIDC) or with the same name
(SAML). IAM allows one per account; the second create fails with EntityAlreadyExists and the whole stack
rolls back. (A provider that already exists in the account is the same mistake across stacks; this rule
sees one template.)

Sources: IAM, "Create an OpenID Connect (OIDC) identity provider": "Within your AWS account, each IAM OIDC
identity provider must use a unique URL"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html); IAM API
CreateSAMLProvider / CreateOpenIDConnectProvider, error EntityAlreadyExists
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.policy.roles import template_memo
from federation_constructs.policy.template import TemplateIndex
from federation_constructs.rules.engine import Hit, ResourceContext, Rule
from federation_constructs.rules.fed42_provider_url import PROVIDER_TYPES

SAML = "AWS::IAM::SAMLProvider"


def _identity(index: TemplateIndex, logical: str) -> str | None:
    """`oidc:<url>` / `saml:<name>` for a provider with a literal URL or name."""
    props = index.properties(logical)
    if index.type_of(logical) == SAML:
        name = index.flatten(props.get("Name")) if props.get("Name") is not None else None
        return f"saml:{name}" if name and is_literal(name) else None
    url = index.flatten(props.get("Url"))
    return f"oidc:{url.lower().rstrip('/')}" if is_literal(url) else None


def _first_of(index: TemplateIndex) -> dict[str, str]:
    """Provider identity -> the logical id that creates it first (template order)."""
    first: dict[str, str] = {}
    for logical in index.of_type(*PROVIDER_TYPES, SAML):
        identity = _identity(index, logical)
        if identity:
            first.setdefault(identity, logical)
    return first


def check(context: ResourceContext) -> Iterator[Hit]:
    identity = _identity(context.index, context.logical_id)
    if identity is None:
        return
    first = template_memo(context.index, "first_provider", _first_of)[identity]
    if first != context.logical_id:
        kind, _, value = identity.partition(":")
        yield Hit(
            f"{kind}::{value}",
            f"{first} already creates the {kind.upper()} provider {value!r}: IAM allows one per account, so "
            f"creating {context.logical_id} fails with EntityAlreadyExists",
        )


RULE = Rule(
    id="FED44",
    level="error",
    title="Two identity providers for the same issuer URL or SAML name (the second create fails)",
    fix="Declare the provider once and reference it (Ref / Fn::GetAtt); in another stack, import it by ARN "
    "(OidcProvider.from_issuer) instead of creating it again",
    resource_types=(*PROVIDER_TYPES, SAML),
    check=check,
)
