"""FED31: `${saml:sub}` (with or without `${saml:namequalifier}`) as a per-user key on a role that
does not require `saml:sub_type` = `persistent`, in the statement or in every SAML statement of the
role's trust. Only a persistent NameID is stable and bound to one person; a transient id is a
one-session value the IdP may hand to someone else later, and an `emailAddress` or `unspecified` one
can be reassigned, so the folder keyed by it is not one user's (FACTS.md: per-user keys are stable
only when sub_type is persistent). `${saml:namequalifier}` alone names the identity provider, not the
user: every user of the IdP gets the same folder.
Sources: IAM, "Uniquely identifying users in SAML-based federation": transient means a different
`saml:sub` every session, and the example per-user policy tests `saml:sub_type` = persistent; the name
qualifier is Base64(SHA1(issuer + account id + "/" + provider name))
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_saml.html#CreatingSAML-userid);
Shibboleth, transient identifiers are reassignable
(https://wiki.shibboleth.net/confluence/display/SHIB2/IdPTransientNameIdentifier).
"""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.permissions import IDENTITY_POLICY_TYPES, own_documents, role_context, roles_of
from federation_constructs.policy.s3 import user_variables
from federation_constructs.policy.trust import identity_sources, requires_persistent, saml_persistent_only
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    roles = [
        r
        for r in roles_of(context.index, context.logical_id)
        if "saml" in identity_sources(role_context(context.index, r))
    ]
    if not roles:
        return
    persistent = all(saml_persistent_only(role_context(context.index, r)) for r in roles)
    for document in own_documents(context):
        for statement in document.statements:
            texts = [
                *statement.resources,
                *statement.not_resources,
                *(v for c in statement.conditions for v in c.values),
            ]
            where = f"{document.where}::Statement{statement.index}"
            for text in texts:
                keys = {v.split(",", 1)[0].strip().lower() for v in user_variables(text)}
                if "saml:namequalifier" in keys and "saml:sub" not in keys:
                    yield Hit(
                        f"{where}::namequalifier-only",
                        f"{text!r} in {document.where} is keyed by ${{saml:namequalifier}} alone: it names the "
                        f"identity provider, so every user of the IdP gets the same folder",
                    )
                elif "saml:sub" in keys and not persistent and not requires_persistent(statement):
                    yield Hit(
                        f"{where}::saml:sub",
                        f"{text!r} in {document.where} is keyed by ${{saml:sub}}, but neither the statement nor "
                        f"the trust of {', '.join(roles)} requires saml:sub_type = persistent: a transient or "
                        f"reassignable NameID can give another person this folder",
                    )


RULE = Rule(
    id="FED31",
    level="error",
    title="${saml:sub} as a per-user key without saml:sub_type = persistent (or ${saml:namequalifier} alone)",
    fix="Require StringEquals saml:sub_type = persistent in the SAML trust (SamlRole does) or in the statement, "
    "and key folders by ${saml:namequalifier}/${saml:sub}/",
    resource_types=("AWS::IAM::Role", *IDENTITY_POLICY_TYPES),
    check=check,
)
