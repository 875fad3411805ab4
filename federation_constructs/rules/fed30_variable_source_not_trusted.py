"""FED30: a policy variable whose identity source the role's trust never admits, so it never
resolves in the role's sessions and the statement never matches (IAM: a variable that cannot be
resolved may make the whole statement invalid). The per-user folder can never work, and the mistake
only shows when the permission policy is read beside the trust of every role it is attached to:

- `${cognito-identity.amazonaws.com:...}` on a role no identity pool can assume;
- `${saml:...}` on a role no SAML provider can assume;
- `${<issuer host>:<claim>}` of an OIDC or web identity issuer the trust does not name; GitHub's
  provider-specific claims (`repository`, `ref`, ...) never, they are trust-only (FACTS.md);
- `${aws:PrincipalTag/KEY}` on a federated role whose trust does not allow `sts:TagSession` and
  that carries no tag KEY itself: no session ever has the tag.
Sources: IAM policy variables, "If AWS cannot resolve a variable, this might cause the entire statement to
be invalid" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html); IAM keys
for web identity and SAML federation
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html); IAM, "Passing
session tags in AWS STS" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html).
"""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import as_list
from federation_constructs.policy.permissions import IDENTITY_POLICY_TYPES, own_documents, role_context, roles_of
from federation_constructs.policy.s3 import user_variables
from federation_constructs.policy.template import COGNITO
from federation_constructs.policy.trust import allows_tag_session, identity_sources
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_GITHUB = "token.actions.githubusercontent.com"


def _role_tags(context: ResourceContext) -> set[str]:
    return {
        str(context.index.flatten(tag.get("Key"))).lower()
        for tag in as_list(context.properties.get("Tags"))
        if isinstance(tag, dict)
    }


def unresolvable(variable: str, role: ResourceContext, sources: set[str]) -> str | None:
    """Why `${variable}` never resolves in the role's sessions, or None when it may."""
    from federation_constructs.oidc.issuers import GITHUB_STS_CLAIMS  # the presets' claim catalogue

    key = variable.split(",", 1)[0].strip().lower()
    prefix, _, claim = key.rpartition(":")
    if key.startswith("aws:principaltag/"):
        tag = key.removeprefix("aws:principaltag/")
        if allows_tag_session(role) or tag in _role_tags(role):
            return None
        return "the trust does not allow sts:TagSession and the role has no such tag: no session carries it"
    if prefix == "saml":
        return None if "saml" in sources else "no SAML provider can assume the role"
    if prefix == COGNITO:
        return None if "cognito" in sources else "no Cognito identity pool can assume the role"
    if prefix.split("/", 1)[0] == _GITHUB and claim in GITHUB_STS_CLAIMS:
        return f"{claim} is one of GitHub's trust-only claims: STS tests it in the trust, no session carries it"
    if "." in prefix:  # `<issuer host/path>:<claim>`: a key of that issuer's tokens
        trusted = prefix in sources or "oidc" in sources  # "oidc": an issuer the template does not tell
        return None if trusted else f"the role does not trust {prefix}"
    return None


def check(context: ResourceContext) -> Iterator[Hit]:
    for role_id in roles_of(context.index, context.logical_id):
        role = role_context(context.index, role_id)
        sources = identity_sources(role)
        if not sources:
            continue  # not a federated role: its variables come from elsewhere
        for document in own_documents(context):
            for statement in document.statements:
                texts = [
                    *statement.resources,
                    *statement.not_resources,
                    *(v for c in statement.conditions for v in c.values),
                ]
                for variable in dict.fromkeys(v for t in texts for v in user_variables(t)):
                    reason = unresolvable(variable, role, sources)
                    if reason:
                        on = "" if role_id == context.logical_id else f"::{role_id}"
                        yield Hit(
                            f"{document.where}::Statement{statement.index}::{variable}{on}",
                            f"${{{variable}}} in {document.where} Statement{statement.index} never resolves for "
                            f"{role_id}: {reason}, so the statement never matches",
                        )


RULE = Rule(
    id="FED30",
    level="error",
    title="Policy variable from an identity source the role's trust does not admit (never resolves)",
    fix="Key the policy by what the role's sessions carry: ${cognito-identity.amazonaws.com:sub} for identity-pool "
    "roles, ${saml:namequalifier}/${saml:sub} for SAML roles, ${aws:PrincipalTag/KEY} only with sts:TagSession in "
    "the trust (and the IdP or identity pool setting the tag)",
    resource_types=("AWS::IAM::Role", *IDENTITY_POLICY_TYPES),
    check=check,
)
