"""FED42: an OIDC provider URL that IAM refuses or that can never equal the issuer (`iss`) of the tokens:
not `https://`, a query or fragment, a trailing `/`, capitals in the host, or whitespace. STS finds the
provider by the token's `iss`, compared as written, so such a provider trusts no token.

Source: IAM, "Create an OpenID Connect (OIDC) identity provider": the URL "must begin with https://", is
case-sensitive and corresponds to the `iss` claim; per the OIDC standard path components are allowed,
query parameters are not (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

PROVIDER_TYPES = ("AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider")


def problems(url: str) -> list[str]:
    found = []
    if not url.startswith("https://"):
        found.append("it does not begin with https:// (IAM refuses it)")
    rest = url.split("://", 1)[-1]
    host = rest.split("/", 1)[0]
    if "?" in url or "#" in url:
        found.append("it has a query or fragment (IAM refuses it)")
    if re.search(r"\s", url):
        found.append("it contains whitespace")
    if url.endswith("/"):
        found.append("it ends with '/', which no issuer puts at the end of iss")
    if host != host.lower():
        found.append("its host has capitals; the URL is compared case-sensitively with the lower-case iss")
    return found


def check(context: ResourceContext) -> Iterator[Hit]:
    url = context.index.flatten(context.properties.get("Url"))
    if not is_literal(url):
        return
    for problem in problems(url):
        yield Hit("Url", f"provider URL {url!r}: {problem}; no token can ever match this provider")


RULE = Rule(
    id="FED42",
    level="error",
    title="OIDC provider URL that IAM refuses or that never equals the token issuer",
    fix="Write the issuer exactly as its tokens' iss: https://, lower-case host, no trailing '/', no query "
    "(e.g. https://token.actions.githubusercontent.com)",
    resource_types=PROVIDER_TYPES,
    check=check,
)
