"""FED9: conditions on another issuer's keys than the provider the statement trusts (a GitLab
`sub` on a GitHub provider): the restriction tests a key the token never has."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.template import WEB_IDENTITY_NAMES
from federation_constructs.policy.trust import federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_GLOBAL_PREFIXES = ("aws:", "sts:", "saml:")


def _issuer_of_key(key: str) -> str | None:
    if key.startswith(_GLOBAL_PREFIXES) or ":" not in key:
        return None
    return key.rsplit(":", 1)[0]


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        if trust.kind not in ("oidc", "cognito") or trust.host_path is None:
            continue
        own = trust.host_path.lower()
        for condition in trust.statement.conditions:
            issuer = _issuer_of_key(condition.key)
            if issuer is None or issuer == own:
                continue
            known = issuer in WEB_IDENTITY_NAMES or "." in issuer
            if known:
                yield Hit(
                    f"{trust.where()}::{condition.key}",
                    f"{condition.key} belongs to issuer {issuer!r}, but {trust.where()} trusts {own!r}: "
                    f"this condition never sees a value from the trusted tokens",
                )
        if trust.kind == "oidc":
            for condition in trust.statement.conditions:
                if condition.key.startswith("saml:"):
                    yield Hit(
                        f"{trust.where()}::{condition.key}",
                        f"SAML key {condition.key} on an OIDC trust: it is never set for web identity tokens",
                    )


RULE = Rule(
    id="FED9",
    level="error",
    title="Condition keys of a different issuer than the trusted provider",
    fix="Write the keys with the trusted issuer's host/path (e.g. token.actions.githubusercontent.com:sub for "
    "the GitHub provider), or trust the provider the keys belong to",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
