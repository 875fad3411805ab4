"""`OidcProvider`: the account's IAM OIDC identity provider for one issuer (native, no Lambda)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from aws_cdk import RemovalPolicy, Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from federation_constructs.account_claims import claim_in_account
from federation_constructs.errors import checked_list, invalid
from federation_constructs.oidc.issuers import OidcIssuer, issuer_url_problem

__all__ = ["MAX_CLIENT_IDS", "MAX_THUMBPRINTS", "OidcProvider", "as_issuer", "issuer_of"]

MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5
_THUMBPRINT_RE = re.compile(r"[0-9a-fA-F]{40}")
_REGISTRY_ATTR = "_federation_oidc_issuers"
_ISSUER_ATTR = "_federation_issuer"


def issuer_of(provider: object) -> OidcIssuer | None:
    """The issuer of a provider when it is known: an `OidcProvider`, one imported with
    `OidcProvider.from_issuer`, or an imported provider whose ARN is a literal string."""
    if isinstance(provider, OidcProvider):
        return provider.issuer
    node = getattr(provider, "node", None)
    if node is not None:
        known = (getattr(node.root, _ISSUER_ATTR, None) or {}).get(node.path)
        if isinstance(known, OidcIssuer):
            return known
    arn = getattr(provider, "oidc_provider_arn", None)
    if isinstance(arn, str) and not Token.is_unresolved(arn) and ":oidc-provider/" in arn:
        return OidcIssuer.custom("https://" + arn.split(":oidc-provider/", 1)[1])
    return None


def as_issuer(scope: IConstruct, field: str, issuer: OidcIssuer | str) -> OidcIssuer:
    """`issuer` as an `OidcIssuer`; a URL string becomes a custom issuer (validated)."""
    if isinstance(issuer, OidcIssuer):
        return issuer
    if not isinstance(issuer, str) or Token.is_unresolved(issuer):
        raise invalid(scope, field, issuer, "an OidcIssuer preset or a literal https issuer URL")
    problem = issuer_url_problem(issuer)
    if problem:
        raise invalid(
            scope, field, issuer, f"an https issuer URL without query or fragment, at most 255 characters ({problem})"
        )
    return OidcIssuer.custom(issuer)


class OidcProvider(Construct):
    """An IAM OIDC identity provider (`AWS::IAM::OIDCProvider`) for one issuer.

    IAM holds one provider per issuer URL per account: a second one fails at deploy with
    EntityAlreadyExists. So declaring the same issuer twice for one account in an app is refused at
    synth; where the account already has the provider, use `OidcProvider.from_issuer`.

    Retained on stack deletion by default: deleting the provider breaks every role that trusts it,
    including roles outside this stack.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        issuer: OidcIssuer | str,
        client_ids: Sequence[str] | None = None,
        thumbprints: Sequence[str] = (),
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the provider.

        :param issuer: a preset such as `OidcIssuer.github_actions()` or an https issuer URL.
        :param client_ids: the audiences tokens may carry (1-100); default: the issuer's default
            audience.
        :param thumbprints: 0-5 SHA-1 certificate thumbprints (40 hex characters). IAM verifies
            well-known issuers through its own trust store, so most providers need none.
        :param removal_policy: RETAIN unless you say otherwise.
        """
        super().__init__(scope, id)
        self.issuer = as_issuer(self, "issuer", issuer)
        if not self.issuer.needs_provider:
            raise invalid(
                self,
                "issuer",
                self.issuer.name,
                f"an issuer that needs an IAM OIDC provider; {self.issuer.name} is trusted "
                f"directly as '{self.issuer.web_identity_name}' (use OidcRole without a provider)",
            )
        ids = (
            checked_list(self, "client_ids", client_ids, "audiences, e.g. ['sts.amazonaws.com']")
            if client_ids is not None
            else ([self.issuer.default_audience] if self.issuer.default_audience else [])
        )
        if not ids:
            raise invalid(
                self, "client_ids", ids, f"1-{MAX_CLIENT_IDS} audiences ({self.issuer.name} has no default audience)"
            )
        if len(ids) > MAX_CLIENT_IDS:
            raise invalid(self, "client_ids", f"{len(ids)} audiences", f"at most {MAX_CLIENT_IDS} audiences")
        for client_id in ids:
            if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 255:
                raise invalid(self, "client_ids", client_id, "non-empty audiences of at most 255 characters")
        if len(set(ids)) != len(ids):
            raise invalid(self, "client_ids", list(ids), "each audience once")
        thumbprints = checked_list(self, "thumbprints", thumbprints, "SHA-1 thumbprints (40 hexadecimal characters)")
        if not isinstance(removal_policy, RemovalPolicy):
            raise invalid(self, "removal_policy", removal_policy, "a RemovalPolicy, e.g. RemovalPolicy.RETAIN")
        if len(thumbprints) > MAX_THUMBPRINTS:
            raise invalid(self, "thumbprints", list(thumbprints), f"at most {MAX_THUMBPRINTS} thumbprints")
        for thumbprint in thumbprints:
            if not isinstance(thumbprint, str) or not _THUMBPRINT_RE.fullmatch(thumbprint):
                raise invalid(self, "thumbprints", thumbprint, "a SHA-1 thumbprint: 40 hexadecimal characters")
        self._claim_issuer_in_account()
        self.client_ids: tuple[str, ...] = tuple(ids)
        self.provider = iam.OidcProviderNative(
            self,
            "Resource",
            url=self.issuer.url,
            client_ids=list(ids),
            thumbprints=[t.lower() for t in thumbprints] or None,
            removal_policy=removal_policy,
        )

    @property
    def oidc_provider_arn(self) -> str:
        """The provider's ARN."""
        return self.provider.oidc_provider_arn

    def _claim_issuer_in_account(self) -> None:
        """Refuse a second provider for the same issuer URL and account in this app."""
        account, other = claim_in_account(self, _REGISTRY_ATTR, self.issuer.url)
        if other is not None:
            where = (
                f"account {account}"
                if account is not None
                else "an environment-agnostic stack (which may deploy to the same account)"
            )
            raise invalid(
                self,
                "issuer",
                self.issuer.url,
                f"one provider per issuer per account: {other} already declares it for "
                f"{where}, and IAM would fail the deploy with EntityAlreadyExists; pass that "
                f"provider to the roles, or use OidcProvider.from_issuer() where the account "
                f"already has it",
            )

    @classmethod
    def from_issuer(cls, scope: Construct, id: str, issuer: OidcIssuer | str) -> iam.IOidcProvider:
        """The account's existing provider for `issuer`, by its computed ARN (in the stack's
        partition and account): `arn:<partition>:iam::<account>:oidc-provider/<host/path>`."""
        resolved = as_issuer(scope, "issuer", issuer)
        arn = Stack.of(scope).format_arn(
            service="iam", region="", resource="oidc-provider", resource_name=resolved.host_path
        )
        imported = iam.OidcProviderNative.from_oidc_provider_arn(scope, id, arn)
        # jsii proxies take no attributes: remember the issuer on the app, by construct path
        root = imported.node.root
        known: dict[str, OidcIssuer] = getattr(root, _ISSUER_ATTR, None) or {}
        known[imported.node.path] = resolved
        setattr(root, _ISSUER_ATTR, known)
        return imported
