"""FED33: an identity-pool role-mapping rule keyed on a claim the user sets themselves, leading to a
role with more permissions than the pool's default authenticated role. A signed-in user writes a
`custom:` attribute (or a standard one such as `email` or `nickname`) with their own access token
whenever the app client may write it, and the ID token carries it; a rule `custom:role Equals admin`
then hands the admin role to whoever types `admin`. (An email or phone number counts as the user's
choice unless the pool applies a change only after it is verified:
`UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`.) Read across the role attachment, the user pool
client (its `WriteAttributes`: every writable attribute when absent) and both roles' permissions.
Claims the user cannot write (`cognito:groups`, set by administrators) are the safe key.
Sources: Amazon Cognito, "Attribute permissions and scopes"
(https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html); "Using
rules-based role mapping" (https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html);
UpdateUserAttributes, called with the user's own access token
(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserAttributes.html).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from federation_constructs.policy.document import as_list
from federation_constructs.policy.permissions import role_permissions
from federation_constructs.policy.template import TemplateIndex
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

#: standard attributes a user may change about themselves (OIDC standard claims Cognito stores)
USER_WRITABLE_STANDARD = frozenset(
    {
        "address",
        "birthdate",
        "email",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "picture",
        "preferred_username",
        "profile",
        "website",
        "zoneinfo",
    }
)


def user_writable(index: TemplateIndex, claim: str, client: str) -> bool:
    """Whether users of `client` can set `claim` on themselves."""
    if not (claim.startswith("custom:") or claim in USER_WRITABLE_STANDARD):
        return False
    write = index.properties(client).get("WriteAttributes")
    if write is not None and claim not in {str(index.flatten(a)) for a in as_list(write)}:
        return False  # without a list the client may write every writable attribute
    pool = index.user_pool_of(index.properties(client).get("UserPoolId"))
    settings = index.properties(pool).get("UserAttributeUpdateSettings") if pool else None
    verified_first = (
        settings.get("AttributesRequireVerificationBeforeUpdate") if isinstance(settings, Mapping) else None
    )
    # an email or phone number that only changes once the user proves they receive it is not theirs to choose
    return claim not in {str(index.flatten(a)) for a in as_list(verified_first)}


def _grants(index: TemplateIndex, role_id: str | None) -> set[str]:
    if role_id is None:
        return set()
    permissions = role_permissions(index, role_id)
    actions = {a.lower() for _, s in permissions.allow_statements() for a in s.actions}
    return actions | {f"managed:{n}" for n in permissions.managed_policy_names()}


def check(context: ResourceContext) -> Iterator[Hit]:
    index = context.index
    roles = context.properties.get("Roles")
    default = index.target(index.flatten(roles.get("authenticated"))) if isinstance(roles, Mapping) else None
    mappings = context.properties.get("RoleMappings")
    for key, mapping in mappings.items() if isinstance(mappings, Mapping) else []:
        if not isinstance(mapping, Mapping) or index.flatten(mapping.get("Type")) != "Rules":
            continue
        clients = index.user_pool_clients(mapping.get("IdentityProvider"))
        config: Any = mapping.get("RulesConfiguration")
        rules = as_list(config.get("Rules")) if isinstance(config, Mapping) else []
        for i, rule in enumerate(rules):
            if not isinstance(rule, Mapping):
                continue
            claim = str(index.flatten(rule.get("Claim")))
            writers = [c for c in clients if user_writable(index, claim, c)]
            role = index.target(index.flatten(rule.get("RoleARN")))
            if not writers or role is None or role == default:
                continue
            extra = sorted(_grants(index, role) - _grants(index, default))
            if extra:
                value = index.flatten(rule.get("Value"))
                yield Hit(
                    f"RoleMappings::{key}::Rules[{i}]::{claim}",
                    f"rule {i} of {key} gives {role} to anyone whose {claim} {index.flatten(rule.get('MatchType'))} "
                    f"{value!r}, and users of {', '.join(writers)} set {claim} themselves: {role} allows "
                    f"{', '.join(extra[:5])}{' ...' if len(extra) > 5 else ''} beyond the default authenticated "
                    f"role {default or '(none)'}",
                )


RULE = Rule(
    id="FED33",
    level="error",
    title="Identity-pool role mapping keyed on a claim users set themselves, to a more privileged role",
    fix="Key role mappings on cognito:groups (set by administrators) or on an attribute left out of every app "
    "client's WriteAttributes; or give the mapped role no more than the default authenticated role",
    resource_types=("AWS::Cognito::IdentityPoolRoleAttachment",),
    check=check,
)
