"""Cognito identity pools: every role trusts exactly its own pool, and the pool says what it should.

One app holds one stack with five `IdentityPoolFederation`s (default; guests; a created user pool
with role mappings and principal tags; OIDC and SAML providers; the classic flow), synthesized
once for the module. Trusts are read from the template, each pool's `Ref` resolved to a made-up
pool id, and judged with `tests.iam_matcher`, which does not share the constructs' code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from federation_constructs.identity_pool import (
    CognitoLogin,
    IdentityPoolFederation,
    IdentityPoolLogins,
    MappingRule,
    RoleMapping,
)
from federation_constructs.oidc import OidcProvider
from federation_constructs.saml import SamlProvider
from tests.iam_matcher import resolve_refs, trust_allows
from tests.support import EXAMPLE, new_app, normalized, synth

ACCOUNT = "111122223333"
REGION = "eu-west-1"
COGNITO = "cognito-identity.amazonaws.com"
AUD = f"{COGNITO}:aud"
AMR = f"{COGNITO}:amr"
WEB = "sts:AssumeRoleWithWebIdentity"
TAG = "sts:TagSession"
GOOGLE = "accounts.google.com"
GOOGLE_CLIENT = "1234567890-abc.apps.googleusercontent.com"
METADATA = EXAMPLE.parent / "saml" / "adfs-example-metadata.xml"
POOL_KEYS = ("basic", "guest", "mapped", "enterprise", "classic")
#: a made-up pool id (REGION:GUID) per pool, so that one pool's id never satisfies another's roles
POOL_IDS = {key: f"{REGION}:11111111-2222-3333-4444-55555555555{n}" for n, key in enumerate(POOL_KEYS)}


@dataclass(frozen=True)
class RoleRef:
    """One role of one pool, and the sign-in state its trust requires."""

    pool: str
    role: iam.Role
    amr: str


class Pools:
    """The stack of identity pools, built completely before its one synthesis."""

    def __init__(self) -> None:
        self.app: App = new_app()
        self.stack = Stack(self.app, "IdentityPools", env=Environment(account=ACCOUNT, region=REGION))
        s = self.stack
        google = IdentityPoolLogins(google_client_id=GOOGLE_CLIENT)
        self.users = cognito.UserPool(s, "Users")
        self.client = self.users.add_client("AppClient")
        self.login = CognitoLogin.from_user_pool(self.users, self.client)
        self.oidc = OidcProvider(s, "Idp", issuer="https://idp.example.com/tenant", client_ids=["my-app"])
        self.saml = SamlProvider(s, "Corp", metadata_file=METADATA, name="corp-idp")
        self.guest_statement = iam.PolicyStatement(
            actions=["s3:GetObject"], resources=["arn:aws:s3:::app-assets/public/*"]
        )
        self.pools: dict[str, IdentityPoolFederation] = {
            "basic": IdentityPoolFederation(s, "Basic", logins=google),
            "guest": IdentityPoolFederation(
                s, "Guests", logins=google, allow_guest=True, guest_statements=[self.guest_statement]
            ),
            "mapped": IdentityPoolFederation(
                s,
                "Mapped",
                logins=IdentityPoolLogins(cognito=[self.login], google_client_id=GOOGLE_CLIENT),
                principal_tags={GOOGLE: {"department": "hd", "email": "email"}},
            ),
            "enterprise": IdentityPoolFederation(
                s, "Enterprise", logins=IdentityPoolLogins(oidc_providers=[self.oidc], saml_providers=[self.saml])
            ),
            "classic": IdentityPoolFederation(s, "Classic", logins=google, classic_flow=True, allow_classic_flow=True),
        }
        mapped = self.pools["mapped"]
        self.admins = mapped.add_mapped_role("Admins")
        mapped.add_role_mapping(
            RoleMapping(
                provider=GOOGLE,
                type="Rules",
                rules=[MappingRule(claim="hd", match_type="Equals", value="example.com", role=self.admins)],
            )
        )
        mapped.add_role_mapping(RoleMapping(provider=self.login.mapping_key, type="Token"))

        self.roles: dict[str, RoleRef] = {}
        for key, pool in self.pools.items():
            self.roles[f"{key}.authenticated"] = RoleRef(key, pool.authenticated_role, "authenticated")
            if pool.guest_role is not None:
                self.roles[f"{key}.guest"] = RoleRef(key, pool.guest_role, "unauthenticated")
            for name, role in pool.mapped_roles.items():
                self.roles[f"{key}.{name}"] = RoleRef(key, role, "authenticated")

        self.template: Template = synth(s)
        self.json: dict[str, Any] = self.template.to_json()
        self.resources: dict[str, Any] = self.json["Resources"]
        self.pool_ids = {s.get_logical_id(pool.pool): POOL_IDS[key] for key, pool in self.pools.items()}

    def logical_id(self, construct: Any) -> str:
        element = construct.node.default_child if not hasattr(construct, "logical_id") else construct
        return self.stack.get_logical_id(element)

    def pool_id(self, key: str) -> str:
        """The pool's logical id in the template."""
        return self.logical_id(self.pools[key].pool)

    def pool_props(self, key: str) -> dict[str, Any]:
        resource = self.resources[self.pool_id(key)]
        assert resource["Type"] == "AWS::Cognito::IdentityPool"
        return resource["Properties"]

    def attachment(self, key: str) -> dict[str, Any]:
        resource = self.resources[self.logical_id(self.pools[key].attachment)]
        assert resource["Type"] == "AWS::Cognito::IdentityPoolRoleAttachment"
        return resource["Properties"]

    def raw_trust(self, key: str) -> dict[str, Any]:
        return self.resources[self.logical_id(self.roles[key].role)]["Properties"]["AssumeRolePolicyDocument"]

    def trust(self, key: str) -> dict[str, Any]:
        """The role's trust as CloudFormation sees it, every pool's `Ref` replaced by its made-up id."""
        return resolve_refs(self.raw_trust(key), self.pool_ids)

    def admits(self, key: str, claims: Mapping[str, Any], *, action: str = WEB, principal: str = COGNITO) -> bool:
        return trust_allows(self.trust(key), principal=principal, action=action, claims=claims)


@pytest.fixture(scope="module")
def fx() -> Pools:
    return Pools()


def signed_in(pool_id: str | None, *providers: str) -> dict[str, Any]:
    """The request context of a signed-in identity of `pool_id` (amr: `authenticated`, then its providers)."""
    return {AUD: pool_id, AMR: ["authenticated", *providers]}


def guest(pool_id: str | None) -> dict[str, Any]:
    return {AUD: pool_id, AMR: ["unauthenticated"]}


def getatt_arn(fx: Pools, role: iam.Role) -> dict[str, Any]:
    return {"Fn::GetAtt": [fx.logical_id(role), "Arn"]}


# --- exact trusts ------------------------------------------------------------------------------------

ROLE_KEYS = (
    "basic.authenticated",
    "guest.authenticated",
    "guest.guest",
    "mapped.authenticated",
    "mapped.Admins",
    "enterprise.authenticated",
    "classic.authenticated",
)


@pytest.mark.parametrize("key", ROLE_KEYS)
def test_every_role_trusts_exactly_its_own_pool(fx: Pools, key: str) -> None:
    ref = fx.roles[key]
    document = fx.raw_trust(key)
    assert document["Version"] == "2012-10-17"
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Federated": COGNITO}
    assert statement["Action"] == ([WEB, TAG] if ref.pool == "mapped" else WEB)
    assert statement["Condition"] == {
        "StringEquals": {AUD: {"Ref": fx.pool_id(ref.pool)}},
        "ForAnyValue:StringLike": {AMR: ref.amr},
    }
    assert set(statement) == {"Effect", "Principal", "Action", "Condition"}


def test_the_roles_in_the_template_are_exactly_the_pools_roles(fx: Pools) -> None:
    assert set(fx.roles) == set(ROLE_KEYS)
    in_template = set(fx.template.find_resources("AWS::IAM::Role"))
    assert in_template == {fx.logical_id(ref.role) for ref in fx.roles.values()}


def test_no_role_trusts_another_pool(fx: Pools) -> None:
    pool_refs = {fx.pool_id(key) for key in POOL_KEYS}
    for key, ref in fx.roles.items():
        text = json.dumps(fx.raw_trust(key))
        assert [p for p in pool_refs if f'"{p}"' in text] == [fx.pool_id(ref.pool)], key


def test_roles_start_without_permissions_and_guests_get_only_their_statement(fx: Pools) -> None:
    policies = fx.template.find_resources("AWS::IAM::Policy")
    (policy,) = policies.values()
    assert policy["Properties"]["Roles"] == [{"Ref": fx.logical_id(fx.pools["guest"].guest_role)}]
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:aws:s3:::app-assets/public/*"}
    ]
    for role in fx.template.find_resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"] and "Policies" not in role["Properties"]
        assert role["Properties"]["MaxSessionDuration"] == 3600


# --- guests and the classic flow: off unless asked for -------------------------------------------------


def test_no_guest_role_by_default(fx: Pools) -> None:
    basic = fx.pools["basic"]
    assert basic.guest_role is None
    assert fx.pool_props("basic")["AllowUnauthenticatedIdentities"] is False
    assert fx.attachment("basic")["Roles"] == {"authenticated": getatt_arn(fx, basic.authenticated_role)}
    basic_ref = {"Ref": fx.pool_id("basic")}
    for role in fx.template.find_resources("AWS::IAM::Role").values():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        if statement["Condition"]["StringEquals"][AUD] == basic_ref:
            assert statement["Condition"]["ForAnyValue:StringLike"][AMR] == "authenticated"


def test_only_the_guest_pool_allows_guests(fx: Pools) -> None:
    for key in POOL_KEYS:
        assert fx.pool_props(key)["AllowUnauthenticatedIdentities"] is (key == "guest"), key
        expected = {"authenticated"} | ({"unauthenticated"} if key == "guest" else set())
        assert set(fx.attachment(key)["Roles"]) == expected, key
    pool = fx.pools["guest"]
    assert fx.attachment("guest")["Roles"] == {
        "authenticated": getatt_arn(fx, pool.authenticated_role),
        "unauthenticated": getatt_arn(fx, pool.guest_role),
    }


def test_classic_flow_only_when_opted_in(fx: Pools) -> None:
    for key in POOL_KEYS:
        assert fx.pool_props(key)["AllowClassicFlow"] is (key == "classic"), key
    assert fx.pools["classic"].opt_ins == ("allow_classic_flow",)
    assert fx.pools["basic"].opt_ins == ()
    assert fx.pools["guest"].opt_ins == ("allow_guest",)


# --- who can sign in ------------------------------------------------------------------------------


def test_social_providers(fx: Pools) -> None:
    for key in ("basic", "guest", "mapped", "classic"):
        assert fx.pool_props(key)["SupportedLoginProviders"] == {GOOGLE: GOOGLE_CLIENT}, key
    assert "SupportedLoginProviders" not in fx.pool_props("enterprise")


def test_cognito_user_pool_client(fx: Pools) -> None:
    assert fx.pool_props("mapped")["CognitoIdentityProviders"] == [
        {
            "ClientId": {"Ref": fx.logical_id(fx.client)},
            "ProviderName": {"Fn::GetAtt": [fx.logical_id(fx.users), "ProviderName"]},
            "ServerSideTokenCheck": True,
        }
    ]
    for key in ("basic", "guest", "enterprise", "classic"):
        assert "CognitoIdentityProviders" not in fx.pool_props(key), key


def test_oidc_and_saml_providers(fx: Pools) -> None:
    props = fx.pool_props("enterprise")
    assert props["OpenIdConnectProviderARNs"] == [{"Ref": fx.logical_id(fx.oidc.provider)}]
    assert props["SamlProviderARNs"] == [{"Ref": fx.logical_id(fx.saml.provider)}]
    assert fx.resources[fx.logical_id(fx.oidc.provider)]["Type"] == "AWS::IAM::OIDCProvider"
    assert fx.resources[fx.logical_id(fx.saml.provider)]["Type"] == "AWS::IAM::SAMLProvider"
    for key in ("basic", "guest", "mapped", "classic"):
        assert "OpenIdConnectProviderARNs" not in fx.pool_props(key), key
        assert "SamlProviderARNs" not in fx.pool_props(key), key


# --- role mappings and principal tags ----------------------------------------------------------------


def test_rules_mapping_for_google_denies_when_ambiguous(fx: Pools) -> None:
    mappings = fx.attachment("mapped")["RoleMappings"]
    assert mappings[GOOGLE] == {
        "Type": "Rules",
        "AmbiguousRoleResolution": "Deny",
        "IdentityProvider": GOOGLE,
        "RulesConfiguration": {
            "Rules": [
                {"Claim": "hd", "MatchType": "Equals", "Value": "example.com", "RoleARN": getatt_arn(fx, fx.admins)}
            ]
        },
    }


def test_token_mapping_for_the_cognito_client(fx: Pools) -> None:
    mappings = fx.attachment("mapped")["RoleMappings"]
    assert len(mappings) == 2
    (key,) = (k for k in mappings if k != GOOGLE)
    assert isinstance(key, str) and "${Token" not in key and "{" not in key  # a literal map key
    assert mappings[key] == {
        "Type": "Token",
        "AmbiguousRoleResolution": "Deny",
        "IdentityProvider": {
            "Fn::Join": [
                "",
                [{"Fn::GetAtt": [fx.logical_id(fx.users), "ProviderName"]}, ":", {"Ref": fx.logical_id(fx.client)}],
            ]
        },
    }


def test_role_mappings_only_where_added(fx: Pools) -> None:
    for key in ("basic", "guest", "enterprise", "classic"):
        assert "RoleMappings" not in fx.attachment(key), key
        assert fx.pools[key].role_mappings_json() is None


def test_principal_tags_map_claims_without_defaults(fx: Pools) -> None:
    tags = fx.template.find_resources("AWS::Cognito::IdentityPoolPrincipalTag")
    (resource,) = tags.values()
    assert resource["Properties"] == {
        "IdentityPoolId": {"Ref": fx.pool_id("mapped")},
        "IdentityProviderName": GOOGLE,
        "PrincipalTags": {"department": "hd", "email": "email"},
        "UseDefaults": False,
    }
    assert fx.pools["mapped"].session_tags is True
    assert not any(fx.pools[k].session_tags for k in POOL_KEYS if k != "mapped")


# --- who gets in: the matcher's verdict ---------------------------------------------------------------

AUTHENTICATED_ROLES = [k for k in ROLE_KEYS if not k.endswith(".guest")]


@pytest.mark.parametrize("key", AUTHENTICATED_ROLES)
def test_signed_in_users_of_the_pool_are_admitted(fx: Pools, key: str) -> None:
    pool_id = POOL_IDS[fx.roles[key].pool]
    assert fx.admits(key, signed_in(pool_id, GOOGLE))
    assert fx.admits(key, signed_in(pool_id))


@pytest.mark.parametrize("key", AUTHENTICATED_ROLES)
def test_authenticated_roles_deny_guests_other_pools_and_missing_claims(fx: Pools, key: str) -> None:
    pool = fx.roles[key].pool
    pool_id = POOL_IDS[pool]
    assert not fx.admits(key, guest(pool_id))
    for other in POOL_KEYS:
        if other != pool:
            assert not fx.admits(key, signed_in(POOL_IDS[other], GOOGLE)), other
    assert not fx.admits(key, signed_in("eu-west-1:99999999-9999-9999-9999-999999999999", GOOGLE))
    assert not fx.admits(key, signed_in(None, GOOGLE))  # no aud
    assert not fx.admits(key, {AUD: pool_id})  # no amr: ForAnyValue over an absent key is false
    assert not fx.admits(key, {AUD: pool_id, AMR: []})
    assert not fx.admits(key, signed_in(pool_id.upper(), GOOGLE))  # StringEquals is case-sensitive


@pytest.mark.parametrize("key", AUTHENTICATED_ROLES)
def test_wrong_principal_or_action_is_denied(fx: Pools, key: str) -> None:
    claims = signed_in(POOL_IDS[fx.roles[key].pool], GOOGLE)
    assert not fx.admits(key, claims, principal=GOOGLE)
    assert not fx.admits(key, claims, action="sts:AssumeRole")
    assert fx.admits(key, claims, action=TAG) is (fx.roles[key].pool == "mapped")


def test_guest_role_admits_only_guests_of_its_pool(fx: Pools) -> None:
    pool_id = POOL_IDS["guest"]
    assert fx.admits("guest.guest", guest(pool_id))
    assert not fx.admits("guest.guest", signed_in(pool_id, GOOGLE))
    assert not fx.admits("guest.guest", signed_in(pool_id))
    assert not fx.admits("guest.guest", guest(POOL_IDS["basic"]))
    assert not fx.admits("guest.guest", guest(None))
    assert not fx.admits("guest.guest", {AUD: pool_id})


_pool_ids = st.one_of(
    st.uuids().map(lambda u: f"{REGION}:{u}"),
    st.builds(lambda r, u: f"{r}:{u}", st.sampled_from(["eu-west-1", "us-east-1", "eu-central-1"]), st.uuids()),
    st.text(min_size=0, max_size=60),
)


@settings(max_examples=150, deadline=None)
@given(pool_id=_pool_ids)
def test_property_no_other_pool_id_gets_in(fx: Pools, pool_id: str) -> None:
    assume(pool_id != POOL_IDS["basic"])
    assert not fx.admits("basic.authenticated", signed_in(pool_id, GOOGLE))
    assume(pool_id != POOL_IDS["guest"])
    assert not fx.admits("guest.guest", guest(pool_id))


# --- the bundled example's identity pool ------------------------------------------------------------


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def identity_pool_part(template: Mapping[str, Any], prefix: str = "AppIdentityPool") -> dict[str, Any]:
    """The Cognito resources, the pool's IAM roles and policies, and its outputs."""
    data = normalized(dict(template))
    resources = {
        name: resource
        for name, resource in data["Resources"].items()
        if resource["Type"].startswith("AWS::Cognito::")
        or (resource["Type"] in ("AWS::IAM::Role", "AWS::IAM::Policy") and name.startswith(prefix))
    }
    outputs = {name: output for name, output in data.get("Outputs", {}).items() if name.startswith(prefix)}
    return {"Resources": resources, "Outputs": outputs}


def test_example_identity_pool_snapshot(example_template: Template, snapshot_json: SnapshotAssertion) -> None:
    part = identity_pool_part(example_template.to_json())
    types = sorted(r["Type"] for r in part["Resources"].values())
    assert types == [
        "AWS::Cognito::IdentityPool",
        "AWS::Cognito::IdentityPoolRoleAttachment",
        "AWS::Cognito::UserPool",
        "AWS::Cognito::UserPoolClient",
        "AWS::IAM::Policy",
        "AWS::IAM::Policy",
        "AWS::IAM::Role",
        "AWS::IAM::Role",
    ]
    assert part == snapshot_json
