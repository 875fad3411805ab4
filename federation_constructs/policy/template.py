"""A template, indexed for rules that need more than one resource (a role and its policies, a
trust and its OIDC provider's URL, an identity pool and the roles attached to it)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from federation_constructs.policy.document import Unresolved, as_list, flatten, is_literal

__all__ = ["IssuerFacts", "ResourceContext", "TemplateIndex", "WEB_IDENTITY_NAMES", "issuer_facts"]

COGNITO = "cognito-identity.amazonaws.com"
#: `Federated` names of web identity providers that need no IAM provider
WEB_IDENTITY_NAMES = {
    "accounts.google.com": "Google",
    "graph.facebook.com": "Facebook",
    "www.amazon.com": "Login with Amazon",
    COGNITO: "Cognito identity pools",
}
#: `SupportedLoginProviders` keys anyone can get an account with
_PUBLIC_LOGINS = {
    "accounts.google.com": "Google",
    "graph.facebook.com": "Facebook",
    "www.amazon.com": "Amazon",
    "appleid.apple.com": "Apple",
}
_REF = re.compile(r"<([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?>")
#: an S3 ARN (literal or rendered: `arn:<AWS::Partition>:s3:::<Bucket>/key`), the bucket part captured
_S3_ARN = re.compile(r"arn:(?:<[^>]*>|[^:<]*):s3:::(?P<bucket>[^/*?]+)")


@dataclass(frozen=True)
class IssuerFacts:
    """What a rule needs to know about an OIDC issuer, found from its host/path."""

    name: str
    host_path: str
    #: claims a trust must restrict
    required_claims: frozenset[str]
    #: the claim that holds the audience ("aud"; "app_id" for Facebook and Amazon)
    audience_claim: str
    #: the audience its tokens carry by default for AWS, when there is one ("sts.amazonaws.com")
    expected_audience: str | None
    #: regex with group `owner` over the subject, where the issuer has one
    owner_pattern: str | None
    owner_label: str
    #: whether `sub` identifies a pipeline / workload (CI issuers): a missing sub admits anyone's
    ci: bool

    def key(self, claim: str) -> str:
        return f"{self.host_path}:{claim}".lower()


def issuer_facts(host_path: str) -> IssuerFacts:
    """Facts for the issuer whose URL without `https://` is `host_path`."""
    from federation_constructs.oidc.issuers import OidcIssuer  # presets are the single source of truth

    host = host_path.split("/", 1)[0].lower()
    path = host_path.lower()
    if host == "token.actions.githubusercontent.com":
        preset = OidcIssuer.github_actions()
        return IssuerFacts(
            "GitHub Actions",
            host_path,
            preset.required_claims,
            "aud",
            "sts.amazonaws.com",
            preset.subject_owner_pattern,
            preset.owner_label,
            ci=True,
        )
    if host == "app.terraform.io":
        preset = OidcIssuer.hcp_terraform()
        return IssuerFacts(
            "HCP Terraform",
            host_path,
            preset.required_claims,
            "aud",
            None,
            preset.subject_owner_pattern,
            preset.owner_label,
            ci=True,
        )
    if host == "oidc.circleci.com":
        return IssuerFacts(
            "CircleCI",
            host_path,
            frozenset({"aud", "sub"}),
            "aud",
            None,
            r"org/(?P<owner>[^/]*)/",
            "organization id",
            ci=True,
        )
    if host == "api.bitbucket.org" and "/pipelines-config/identity/oidc" in path:
        return IssuerFacts(
            "Bitbucket Pipelines",
            host_path,
            frozenset({"aud", "sub"}),
            "aud",
            None,
            r"(?P<owner>\{[^}]*\}):",
            "repository UUID",
            ci=True,
        )
    if re.fullmatch(r"oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?", host):
        return IssuerFacts(
            "EKS service accounts",
            host_path,
            frozenset({"aud", "sub"}),
            "aud",
            "sts.amazonaws.com",
            r"system:serviceaccount:(?P<owner>[^:]*):",
            "namespace",
            ci=True,
        )
    if host == "gitlab.com" or "gitlab" in host:
        preset = OidcIssuer.gitlab()
        return IssuerFacts(
            "GitLab CI",
            host_path,
            preset.required_claims,
            "aud",
            None,
            preset.subject_owner_pattern,
            preset.owner_label,
            ci=True,
        )
    if host == "accounts.google.com":
        return IssuerFacts("Google", host_path, frozenset({"aud"}), "aud", None, None, "owner", ci=False)
    if host in ("graph.facebook.com", "www.amazon.com"):
        return IssuerFacts(
            WEB_IDENTITY_NAMES[host], host_path, frozenset({"app_id"}), "app_id", None, None, "owner", ci=False
        )
    if host == "appleid.apple.com":
        return IssuerFacts("Sign in with Apple", host_path, frozenset({"aud"}), "aud", None, None, "owner", ci=False)
    return IssuerFacts(host_path, host_path, frozenset({"aud", "sub"}), "aud", None, None, "owner", ci=False)


class TemplateIndex:
    """One CloudFormation template (a dict), with lookups across resources."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        self.template = template if isinstance(template, Mapping) else {}
        resources = self.template.get("Resources")
        self.resources: dict[str, dict[str, Any]] = {
            k: v for k, v in (resources.items() if isinstance(resources, Mapping) else []) if isinstance(v, dict)
        }
        params = self.template.get("Parameters")
        self.parameters: dict[str, Any] = {
            k: v["Default"]
            for k, v in (params.items() if isinstance(params, Mapping) else [])
            if isinstance(v, dict) and isinstance(v.get("Default"), str)
        }

    def type_of(self, logical_id: str | None) -> str | None:
        resource = self.resources.get(logical_id or "")
        return resource.get("Type") if resource else None

    def properties(self, logical_id: str) -> dict[str, Any]:
        props = self.resources.get(logical_id, {}).get("Properties")
        return props if isinstance(props, dict) else {}

    def flatten(self, value: Any) -> str:
        return flatten(value, self.parameters)

    @staticmethod
    def target(value: str) -> str | None:
        """The logical id a `<X>` / `<X.Attr>` rendering refers to, when the whole value is one."""
        if isinstance(value, Unresolved):
            match = _REF.fullmatch(value)
            if match:
                return match.group(1)
        return None

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v.get("Type") in types}

    # --- federation principals ----------------------------------------------------------------

    def oidc_host_path(self, federated: str) -> str | None:
        """The issuer host/path of an OIDC `Federated` principal (a provider ARN, a reference to a
        provider in this template, or a web identity name); None when it cannot be told."""
        if is_literal(federated):
            if ":oidc-provider/" in federated:
                return federated.split(":oidc-provider/", 1)[1]
            if federated.lower() in WEB_IDENTITY_NAMES:
                return federated.lower()
            return None
        logical = self.target(federated)
        if logical and self.type_of(logical) in ("AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider"):
            url = self.flatten(self.properties(logical).get("Url"))
            if is_literal(url):
                return url.removeprefix("https://")
        if ":oidc-provider/" in federated:  # e.g. arn:<AWS::Partition>:iam::<AWS::AccountId>:oidc-provider/host
            tail = federated.split(":oidc-provider/", 1)[1]
            return tail if "<" not in tail else None
        return None

    def is_saml_provider(self, federated: str) -> bool:
        if ":saml-provider/" in federated:
            return True
        logical = self.target(federated)
        return bool(logical and self.type_of(logical) == "AWS::IAM::SAMLProvider")

    # --- roles and their policies --------------------------------------------------------------

    def _refers_to(self, values: Any, logical_id: str) -> bool:
        for value in as_list(values):
            if isinstance(value, dict) and value.get("Ref") == logical_id:
                return True
        return False

    @cached_property
    def identity_pool_roles(self) -> dict[str, set[str]]:
        """Role logical id -> {"authenticated", "unauthenticated"} from role attachments."""
        found: dict[str, set[str]] = {}
        for resource in self.of_type("AWS::Cognito::IdentityPoolRoleAttachment").values():
            roles = (resource.get("Properties") or {}).get("Roles")
            if isinstance(roles, dict):
                for kind, value in roles.items():
                    logical = self.target(self.flatten(value))
                    if logical:
                        found.setdefault(logical, set()).add(str(kind).lower())
        return found

    # --- Cognito: identity pools, user pools, app clients --------------------------------------

    def identity_pool_id(self, aud: str) -> str | None:
        """The identity pool of this template that an `aud` value (`<Pool>`) names."""
        logical = self.target(aud)
        return logical if self.type_of(logical) == "AWS::Cognito::IdentityPool" else None

    def user_pool_of(self, value: Any) -> str | None:
        """The user pool of this template that a provider name, an `IdentityProvider` string
        (`<Pool.ProviderName>:<Client>`) or a `UserPoolId` refers to."""
        text = self.flatten(value)
        for match in _REF.finditer(text):
            if self.type_of(match.group(1)) == "AWS::Cognito::UserPool":
                return match.group(1)
            if self.type_of(match.group(1)) == "AWS::Cognito::UserPoolClient":
                return self.target(self.flatten(self.properties(match.group(1)).get("UserPoolId")))
        return None

    def user_pool_clients(self, value: Any) -> list[str]:
        """The app clients an `IdentityProvider` string names (`<Pool.ProviderName>:<Client>`); all
        clients of its user pool when it names none."""
        text = self.flatten(value)
        named = [m.group(1) for m in _REF.finditer(text) if self.type_of(m.group(1)) == "AWS::Cognito::UserPoolClient"]
        if named:
            return named
        pool = self.user_pool_of(value)
        return [
            logical
            for logical in self.of_type("AWS::Cognito::UserPoolClient")
            if pool and self.target(self.flatten(self.properties(logical).get("UserPoolId"))) == pool
        ]

    def open_sign_in(self, pool_id: str) -> list[str]:
        """Why anyone on the internet can become a signed-in identity of this identity pool: a public
        social login (Google, Facebook, Login with Amazon, Sign in with Apple), or a user pool that
        lets anyone sign up (`AllowAdminCreateUserOnly` is false unless set)."""
        props = self.properties(pool_id)
        reasons = []
        logins = props.get("SupportedLoginProviders")
        for provider in logins if isinstance(logins, Mapping) else {}:
            if str(provider).lower() in _PUBLIC_LOGINS:
                reasons.append(f"anyone with a {_PUBLIC_LOGINS[str(provider).lower()]} account signs in")
        for entry in as_list(props.get("CognitoIdentityProviders")):
            if not isinstance(entry, dict):
                continue
            user_pool = self.user_pool_of(entry.get("ProviderName"))
            if user_pool is None:
                continue
            config = self.properties(user_pool).get("AdminCreateUserConfig")
            admin_only = config.get("AllowAdminCreateUserOnly") if isinstance(config, dict) else None
            if self.flatten(admin_only if admin_only is not None else False).lower() != "true":
                reasons.append(f"anyone can sign up in user pool {user_pool}")
        return reasons

    def bucket_logical_id(self, arn_or_name: str) -> str | None:
        """The bucket in this template that an ARN (or ARN/key pattern) refers to: `<Bucket.Arn>/...`,
        `arn:...:s3:::<Bucket>/...` (a `Ref` in a `Fn::Sub`) or the bucket's own `BucketName`."""
        match = _REF.match(arn_or_name) if isinstance(arn_or_name, Unresolved) else None
        if match and self.type_of(match.group(1)) == "AWS::S3::Bucket":
            return match.group(1)
        arn = _S3_ARN.match(arn_or_name)
        if arn is None:
            return None
        bucket = arn.group("bucket")
        ref = _REF.fullmatch(bucket)
        if ref and ref.group(2) is None and self.type_of(ref.group(1)) == "AWS::S3::Bucket":
            return ref.group(1)
        for logical in self.of_type("AWS::S3::Bucket"):
            if self._bucket_name(logical) == bucket:
                return logical
        return None

    def _bucket_name(self, bucket_id: str) -> str | None:
        """The bucket's `BucketName` as rendered (literal or with intrinsics), when it sets one."""
        name = self.properties(bucket_id).get("BucketName")
        return None if name is None else str(self.flatten(name))

    def bucket_policies(self, bucket_id: str) -> list[Any]:
        """Policy documents of the bucket policies for this bucket (by `Ref` or by its `BucketName`)."""
        name = self._bucket_name(bucket_id)
        found = []
        for resource in self.of_type("AWS::S3::BucketPolicy").values():
            props = resource.get("Properties") or {}
            bucket = props.get("Bucket")
            if bucket == {"Ref": bucket_id} or (name is not None and str(self.flatten(bucket)) == name):
                found.append(props.get("PolicyDocument"))
        return found


@dataclass(frozen=True)
class ResourceContext:
    """One resource under review."""

    logical_id: str
    type: str
    properties: Mapping[str, Any]
    index: TemplateIndex
