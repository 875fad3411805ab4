"""FED19: `${aws:username}` or `${aws:userid}` as the user segment of a per-user S3 policy. The
first is not set for federated sessions; the second ends with the role session name, which a
web-identity or SAML caller chooses, so a caller can name someone else's folder.

Each statement is judged on its own, once, in the resource that holds it (a role's inline policy,
or the policy resource that attaches it to one or more roles)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.permissions import own_documents
from federation_constructs.policy.s3 import POLICY_TYPES, user_variables
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_REFUSED = {
    "aws:username": "is not set for federated sessions",
    "aws:userid": "ends with the role session name, which the caller chooses",
}


def check(context: ResourceContext) -> Iterator[Hit]:
    for document in own_documents(context):
        for statement in document.statements:
            texts = (
                list(statement.resources)
                + list(statement.not_resources)
                + [v for c in statement.conditions for v in c.values]
            )
            for text in texts:
                for variable in user_variables(text):
                    reason = _REFUSED.get(variable.split(",")[0].strip().lower())
                    if reason:
                        yield Hit(
                            f"{document.where}::Statement{statement.index}::{variable}",
                            f"${{{variable}}} in {document.where} Statement{statement.index} {reason}",
                        )


RULE = Rule(
    id="FED19",
    level="error",
    title="Per-user policy keyed by ${aws:username} or ${aws:userid}",
    fix="Key the folder by an id the caller cannot choose: ${cognito-identity.amazonaws.com:sub}, "
    "${saml:namequalifier}/${saml:sub} (persistent ids), or ${aws:PrincipalTag/KEY} set by the IdP or broker",
    resource_types=POLICY_TYPES,
    check=check,
)
