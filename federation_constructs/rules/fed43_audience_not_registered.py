"""FED43: a trust that requires an audience its OIDC provider (declared in the same template) does not
list in `ClientIdList`. STS accepts a token only when its `aud` is one of the provider's client IDs, so
the trust can never be satisfied; the role is dead until someone "fixes" it by loosening something.

Source: IAM, "Create an OpenID Connect (OIDC) identity provider": the audience is the client ID registered
on the provider; "If you remove an audience, identities federating with the audience cannot assume roles
associated with the audience" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import as_list, is_literal
from federation_constructs.policy.trust import admits, federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule
from federation_constructs.rules.fed42_provider_url import PROVIDER_TYPES


def client_ids(context: ResourceContext, provider: str) -> list[str] | None:
    """The provider's literal client IDs, or None when one of them is not a literal."""
    props = context.index.properties(provider)
    raw = props.get("ClientIdList", props.get("ClientIDList"))
    values = [context.index.flatten(v) for v in as_list(raw)]
    return values if all(is_literal(v) for v in values) else None


def check(context: ResourceContext) -> Iterator[Hit]:
    index = context.index
    for trust in federated_trusts(context):
        facts = trust.facts
        provider = index.target(trust.federated)
        if trust.kind != "oidc" or facts is None or index.type_of(provider) not in PROVIDER_TYPES:
            continue
        assert provider is not None
        ids = client_ids(context, provider)
        if ids is None:
            continue
        key = facts.key(facts.audience_claim)
        for condition in restricting(trust.statement, key):
            if not all(is_literal(v) for v in condition.values):
                continue
            if not any(admits(condition, client) for client in ids):
                listed = ", ".join(ids) if ids else "no client ID at all"
                yield Hit(
                    f"{trust.where()}::{key}",
                    f"{trust.where()} requires {key} = {', '.join(condition.values)}, but provider {provider} lists "
                    f"{listed}: STS rejects every token whose audience is not registered, so no one can assume it",
                )


RULE = Rule(
    id="FED43",
    level="error",
    title="Trust requires an audience its OIDC provider does not register (ClientIdList)",
    fix="Add the audience to the provider's ClientIdList (sts.amazonaws.com for GitHub Actions and EKS), or require "
    "the audience the provider registers",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
