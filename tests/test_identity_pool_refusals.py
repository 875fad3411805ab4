"""Every refusal of `IdentityPoolFederation`, and of the `identity_pool` config section.

Each construct test checks that `FederationValidationError` is raised and that its message names the
construct path, the field and the value, then says what is accepted (the form produced by
`federation_constructs.errors.invalid`). Nothing is synthesized: one app and one stack serve the
whole module, every test adds constructs under its own id. The config tests write YAML files to
`tmp_path` and go through `load_config` (and `build_stacks`), as `app.py` does.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_iam as iam

from federation_constructs.identity_pool import (
    CognitoLogin,
    IdentityPoolFederation,
    IdentityPoolLogins,
    MappingRule,
    RoleMapping,
)
from federation_constructs.oidc import OidcProvider
from federation_constructs.saml import SamlProvider
from stacks.build import build_stacks
from stacks.config import ConfigError, load_config
from tests.support import EXAMPLE, new_app, refused

ACCOUNT = "111122223333"
REGION = "eu-west-1"
STACK = "PoolRefusals"
GOOGLE = "accounts.google.com"
GOOGLE_CLIENT = "1234567890-abc.apps.googleusercontent.com"
METADATA = EXAMPLE.parent / "saml" / "adfs-example-metadata.xml"
COGNITO_LOGIN = CognitoLogin(
    provider_name=f"cognito-idp.{REGION}.amazonaws.com/{REGION}_AbCdEf123", client_id="1example23456789"
)
BUCKET_OBJECTS = "arn:aws:s3:::app-assets/public/*"


# --- fixtures and helpers -------------------------------------------------------------------


@dataclass(frozen=True)
class Env:
    """The module's app, stack, and one OIDC and one SAML provider (one per issuer in an account)."""

    app: App
    stack: Stack
    oidc: OidcProvider
    saml: SamlProvider


@pytest.fixture(scope="module")
def env() -> Env:
    app = new_app()
    stack = Stack(app, STACK, env=Environment(account=ACCOUNT, region=REGION))
    return Env(
        app=app,
        stack=stack,
        oidc=OidcProvider(stack, "Idp", issuer="https://idp.example.com", client_ids=["my-app"]),
        saml=SamlProvider(stack, "Corp", metadata_file=METADATA, name="corp-idp"),
    )


def pool(env: Env, cid: str, **kwargs: Any) -> IdentityPoolFederation:
    """A pool under this test's id; Google sign-in unless `logins` is given."""
    kwargs.setdefault("logins", IdentityPoolLogins(google_client_id=GOOGLE_CLIENT))
    return IdentityPoolFederation(env.stack, cid, **kwargs)


def guest_pool(env: Env, cid: str, statement: iam.PolicyStatement, **opt_ins: bool) -> IdentityPoolFederation:
    return pool(env, cid, allow_guest=True, guest_statements=[statement], **opt_ins)


GUEST_ACCEPTED = "read-only guest permissions on named resources"


# --- guest statements ---------------------------------------------------------------------------

# (id, actions, resources, field, value, phrase, the opt-ins that let it pass)
GUEST_CASES = [
    (
        "action_star",
        ["s3:*"],
        [BUCKET_OBJECTS],
        "guest_statements.actions",
        "s3:*",
        "allow_guest_wildcards=True",
        {"allow_guest_wildcards": True, "allow_guest_write": True},
    ),
    (
        "action_everything",
        ["*"],
        [BUCKET_OBJECTS],
        "guest_statements.actions",
        "*",
        "allow_guest_wildcards=True",
        {"allow_guest_wildcards": True, "allow_guest_write": True},
    ),
    (
        "action_pattern",
        ["s3:Get*"],
        [BUCKET_OBJECTS],
        "guest_statements.actions",
        "s3:Get*",
        "allow_guest_wildcards=True",
        {"allow_guest_wildcards": True},
    ),
    (
        "resource_star",
        ["s3:GetObject"],
        ["*"],
        "guest_statements.resources",
        "*",
        "allow_guest_wildcards=True",
        {"allow_guest_wildcards": True},
    ),
    (
        "resource_whole_service",
        ["s3:GetObject"],
        ["arn:aws:s3:::*"],
        "guest_statements.resources",
        "arn:aws:s3:::*",
        "allow_guest_wildcards=True",
        {"allow_guest_wildcards": True},
    ),
    (
        "write_action",
        ["s3:PutObject"],
        [BUCKET_OBJECTS],
        "guest_statements.actions",
        "s3:PutObject",
        "allow_guest_write=True",
        {"allow_guest_write": True},
    ),
    (
        "write_after_read",
        ["s3:GetObject", "s3:DeleteObject"],
        [BUCKET_OBJECTS],
        "guest_statements.actions",
        "s3:DeleteObject",
        "allow_guest_write=True",
        {"allow_guest_write": True},
    ),
]


@pytest.mark.parametrize(
    ("actions", "resources", "field", "value", "phrase"), [pytest.param(*case[1:6], id=case[0]) for case in GUEST_CASES]
)
def test_guest_statement_is_refused(
    env: Env, cid: str, path: str, actions: list[str], resources: list[str], field: str, value: str, phrase: str
) -> None:
    with refused(path, field, value, GUEST_ACCEPTED, phrase):
        guest_pool(env, cid, iam.PolicyStatement(actions=actions, resources=resources))


@pytest.mark.parametrize(
    ("actions", "resources", "opt_ins"), [pytest.param(case[1], case[2], case[6], id=case[0]) for case in GUEST_CASES]
)
def test_guest_statement_passes_with_its_opt_in(
    env: Env, cid: str, actions: list[str], resources: list[str], opt_ins: dict[str, bool]
) -> None:
    federation = guest_pool(env, cid, iam.PolicyStatement(actions=actions, resources=resources), **opt_ins)
    assert federation.guest_role is not None
    assert set(federation.opt_ins) == {"allow_guest", *opt_ins}


def test_star_action_still_needs_allow_guest_write_with_wildcards_allowed(env: Env, cid: str, path: str) -> None:
    """`s3:*` includes every write: the wildcard opt-in alone does not let it through."""
    with refused(path, "guest_statements.actions", "s3:*", "allow_guest_write=True"):
        guest_pool(
            env, cid, iam.PolicyStatement(actions=["s3:*"], resources=[BUCKET_OBJECTS]), allow_guest_wildcards=True
        )


def test_write_opt_in_does_not_allow_a_star_resource(env: Env, cid: str, path: str) -> None:
    with refused(path, "guest_statements.resources", "*", "allow_guest_wildcards=True"):
        guest_pool(env, cid, iam.PolicyStatement(actions=["s3:PutObject"], resources=["*"]), allow_guest_write=True)


def test_every_object_of_every_bucket_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "guest_statements.resources", "arn:aws:s3:::*/*", "allow_guest_wildcards=True"):
        guest_pool(env, cid, iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::*/*"]))


@pytest.mark.parametrize(
    "opt_ins",
    [
        pytest.param({}, id="no_opt_in"),
        pytest.param({"allow_guest_write": True, "allow_guest_wildcards": True}, id="all_opt_ins"),
    ],
)
@pytest.mark.parametrize("kind", ["not_actions", "not_resources"])
def test_guest_not_action_or_not_resource_is_refused_even_with_opt_ins(
    env: Env, cid: str, path: str, kind: str, opt_ins: dict[str, bool]
) -> None:
    statement = (
        iam.PolicyStatement(not_actions=["s3:PutObject"], resources=[BUCKET_OBJECTS])
        if kind == "not_actions"
        else iam.PolicyStatement(actions=["s3:GetObject"], not_resources=[BUCKET_OBJECTS])
    )
    with refused(path, "guest_statements.statements", "NotAction/NotResource", "NotAction/NotResource is refused"):
        guest_pool(env, cid, statement, **opt_ins)


def test_read_only_guest_statement_on_named_resources_passes(env: Env, cid: str) -> None:
    federation = guest_pool(
        env,
        cid,
        iam.PolicyStatement(
            actions=["s3:GetObject", "s3:ListBucket", "dynamodb:Query"],
            resources=[BUCKET_OBJECTS, f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Public"],
        ),
    )
    assert federation.guest_role is not None and federation.opt_ins == ("allow_guest",)


def test_deny_statement_needs_no_opt_in(env: Env, cid: str) -> None:
    guest_pool(env, cid, iam.PolicyStatement(effect=iam.Effect.DENY, actions=["*"], resources=["*"]))


def test_guest_statements_without_allow_guest_are_refused(env: Env, cid: str, path: str) -> None:
    statement = iam.PolicyStatement(actions=["s3:GetObject"], resources=[BUCKET_OBJECTS])
    with refused(path, "guest_statements", "1 statements", "allow_guest=True"):
        pool(env, cid, guest_statements=[statement])


# --- classic flow --------------------------------------------------------------------------------


def test_classic_flow_without_opt_in_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "classic_flow", True, "allow_classic_flow=True", "bypassing role mapping"):
        pool(env, cid, classic_flow=True)


def test_classic_flow_passes_with_opt_in(env: Env, cid: str) -> None:
    assert pool(env, cid, classic_flow=True, allow_classic_flow=True).opt_ins == ("allow_classic_flow",)


# --- role mappings -----------------------------------------------------------------------------


def rules_mapping(role: iam.IRole, count: int = 1, provider: str = GOOGLE) -> RoleMapping:
    return RoleMapping(
        provider=provider,
        type="Rules",
        rules=[MappingRule(claim="hd", match_type="Equals", value=f"example{n}.com", role=role) for n in range(count)],
    )


def test_role_mapping_for_an_unknown_provider_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    with refused(path, "role_mappings.provider", "graph.facebook.com", "a provider of this pool", GOOGLE):
        federation.add_role_mapping(RoleMapping(provider="graph.facebook.com", type="Token"))


def test_role_mapping_for_an_oidc_provider_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid, logins=IdentityPoolLogins(oidc_providers=[env.oidc]))
    with refused(path, "role_mappings.provider", "idp.example.com", "a provider of this pool (none)"):
        federation.add_role_mapping(RoleMapping(provider="idp.example.com", type="Token"))


def test_second_mapping_for_the_same_provider_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    federation.add_role_mapping(RoleMapping(provider=GOOGLE, type="Token"))
    with refused(path, "role_mappings.provider", GOOGLE, "one role mapping per provider"):
        federation.add_role_mapping(rules_mapping(federation.add_mapped_role("Mapped")))


def test_rules_mapping_without_rules_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    with refused(path, "role_mappings.rules", "0 rules", "rules (1-25) for a Rules mapping"):
        federation.add_role_mapping(RoleMapping(provider=GOOGLE, type="Rules"))


def test_token_mapping_with_rules_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    mapping = rules_mapping(federation.add_mapped_role("Mapped"))
    with refused(path, "role_mappings.rules", "1 rules", "none for a Token mapping"):
        federation.add_role_mapping(RoleMapping(provider=GOOGLE, type="Token", rules=mapping.rules))


def test_rule_with_a_role_not_from_add_mapped_role_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    stranger = iam.Role(env.stack, f"{cid}Stranger", assumed_by=iam.AccountRootPrincipal())
    with refused(
        path,
        "role_mappings.rules.role",
        f"{STACK}/{cid}Stranger",
        "a role from add_mapped_role()",
        "trust exactly this pool",
    ):
        federation.add_role_mapping(rules_mapping(stranger))


def test_rule_with_a_mapped_role_of_another_pool_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    other = pool(env, f"{cid}Other")
    with refused(path, "role_mappings.rules.role", f"{STACK}/{cid}Other/Mapped", "a role from add_mapped_role()"):
        federation.add_role_mapping(rules_mapping(other.add_mapped_role("Mapped")))


def test_26_rules_are_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    with refused(path, "role_mappings.rules", "26 rules", "at most 25 rules"):
        federation.add_role_mapping(rules_mapping(federation.add_mapped_role("Mapped"), count=26))


def test_25_rules_pass(env: Env, cid: str) -> None:
    federation = pool(env, cid)
    federation.add_role_mapping(rules_mapping(federation.add_mapped_role("Mapped"), count=25))
    mappings = federation.role_mappings_json()
    assert mappings is not None and len(mappings[GOOGLE]["RulesConfiguration"]["Rules"]) == 25


def test_rule_without_a_claim_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    rule = MappingRule(claim="", match_type="Equals", value="x", role=federation.add_mapped_role("Mapped"))
    with refused(path, "role_mappings.rules", " Equals x", "a claim, a match type"):
        federation.add_role_mapping(RoleMapping(provider=GOOGLE, type="Rules", rules=[rule]))


def test_add_mapped_role_with_an_id_used_twice_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    federation.add_mapped_role("Editors")
    with refused(path, "id", "Editors", "a mapped-role id not used yet in this pool"):
        federation.add_mapped_role("Editors")


def test_add_mapped_role_with_the_id_of_a_pool_part_is_refused(env: Env, cid: str, path: str) -> None:
    federation = pool(env, cid)
    with refused(path, "id", "AuthenticatedRole", "a mapped-role id not used yet in this pool"):
        federation.add_mapped_role("AuthenticatedRole")


# --- logins ------------------------------------------------------------------------------------


def test_no_logins_and_no_guests_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "logins", "no identity providers", "no one can use the pool", "allow_guest=True"):
        pool(env, cid, logins=IdentityPoolLogins())


def test_no_logins_with_guests_passes(env: Env, cid: str) -> None:
    federation = pool(env, cid, logins=IdentityPoolLogins(), allow_guest=True)
    assert federation.guest_role is not None
    cfn = federation.pool
    assert cfn.allow_unauthenticated_identities is True
    assert (
        cfn.supported_login_providers,
        cfn.cognito_identity_providers,
        cfn.open_id_connect_provider_arns,
        cfn.saml_provider_arns,
    ) == (None, None, None, None)


@pytest.mark.parametrize(
    ("attr", "value", "phrase"),
    [
        pytest.param("google_client_id", "abc", "DIGITS-ID.apps.googleusercontent.com", id="google"),
        pytest.param(
            "google_client_id", "123-abc.apps.googleusercontent.com.evil", "Google OAuth client id", id="google_suffix"
        ),
        pytest.param("facebook_app_id", "12", "5-20 digits", id="facebook"),
        pytest.param(
            "amazon_client_id", "amzn1.application-oa2-client.xyz", "amzn1.application-oa2-client.<32 hex>", id="amazon"
        ),
        pytest.param("apple_services_id", "not reverse dns", "reverse-DNS form", id="apple"),
        pytest.param("apple_services_id", "com", "reverse-DNS form", id="apple_one_label"),
    ],
)
def test_invalid_social_client_id_is_refused(env: Env, cid: str, path: str, attr: str, value: str, phrase: str) -> None:
    with refused(path, f"logins.{attr}", value, phrase):
        pool(env, cid, logins=IdentityPoolLogins(**{attr: value}))


@pytest.mark.parametrize(
    ("attr", "value"),
    [
        pytest.param("google_client_id", GOOGLE_CLIENT, id="google"),
        pytest.param("facebook_app_id", "1234567890", id="facebook"),
        pytest.param("amazon_client_id", "amzn1.application-oa2-client." + "0123456789abcdef" * 2, id="amazon"),
        pytest.param("apple_services_id", "com.example.app", id="apple"),
    ],
)
def test_valid_social_client_id_passes(env: Env, cid: str, attr: str, value: str) -> None:
    assert pool(env, cid, logins=IdentityPoolLogins(**{attr: value})).logins.social() != {}


def test_the_same_cognito_client_twice_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "logins.cognito", COGNITO_LOGIN.mapping_key, "each user pool client once"):
        pool(env, cid, logins=IdentityPoolLogins(cognito=[COGNITO_LOGIN, COGNITO_LOGIN]))


def test_the_same_oidc_provider_twice_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "logins.oidc_providers", f"{STACK}/Idp", "each provider once"):
        pool(env, cid, logins=IdentityPoolLogins(oidc_providers=[env.oidc, env.oidc]))


def test_the_same_saml_provider_twice_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "logins.saml_providers", f"{STACK}/Corp", "each provider once"):
        pool(env, cid, logins=IdentityPoolLogins(saml_providers=[env.saml, env.saml]))


# --- principal tags ------------------------------------------------------------------------------


def test_principal_tags_for_an_unknown_provider_are_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "principal_tags", "graph.facebook.com", "a provider of this pool", GOOGLE):
        pool(env, cid, principal_tags={"graph.facebook.com": {"team": "team"}})


def test_principal_tag_key_with_aws_prefix_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, f"principal_tags[{GOOGLE!r}]", "aws:team", "not starting with 'aws:'"):
        pool(env, cid, principal_tags={GOOGLE: {"aws:team": "hd"}})


def test_principal_tags_with_an_empty_mapping_are_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, f"principal_tags[{GOOGLE!r}]", {}, "1-50 tag -> claim entries"):
        pool(env, cid, principal_tags={GOOGLE: {}})


def test_principal_tags_for_a_cognito_client_pass(env: Env, cid: str) -> None:
    federation = pool(
        env,
        cid,
        logins=IdentityPoolLogins(cognito=[COGNITO_LOGIN]),
        principal_tags={COGNITO_LOGIN.mapping_key: {"team": "custom:team"}},
    )
    assert federation.session_tags is True


# --- the config section ---------------------------------------------------------------------------

BASE = """\
name: pool-refusals
account: "111122223333"
region: eu-west-1
"""


def write(tmp_path: Path, body: str) -> Path:
    file = tmp_path / "config.yaml"
    file.write_text(BASE + textwrap.dedent(body), encoding="utf-8")
    return file


def config_error(tmp_path: Path, body: str) -> str:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, body))
    return str(err.value)


def test_config_role_mapping_for_a_provider_not_configured(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        f"""\
        identity_pool:
          google_client_id: "{GOOGLE_CLIENT}"
          role_mappings:
            - provider: facebook
              type: Token
        """,
    )
    # the line of the offending value (`- provider: facebook`), its key path
    assert (
        "config.yaml:7: identity_pool.role_mappings[0].provider: 'facebook' is not a provider of this pool" in message
    )
    assert "configured: google" in message


def test_config_rule_role_not_in_mapped_roles(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        f"""\
        identity_pool:
          google_client_id: "{GOOGLE_CLIENT}"
          mapped_roles: [Editors]
          role_mappings:
            - provider: google
              type: Rules
              rules:
                - {{claim: hd, match_type: Equals, value: example.com, role: Admins}}
        """,
    )
    where = "config.yaml:11: identity_pool.role_mappings[0].rules[0].role"  # the line of the rule's role
    assert f"{where}: 'Admins' is not in mapped_roles (Editors)" in message


def test_config_identity_pool_oidc_provider_not_declared(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        """\
        oidc:
          providers:
            - {id: GitHub, preset: github_actions}
        identity_pool:
          oidc_providers: [Corporate]
        """,
    )
    assert "config.yaml:8: identity_pool.oidc_providers[0]: 'Corporate' is not in oidc.providers (GitHub)" in message


def test_config_identity_pool_saml_provider_without_saml_section(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        """\
        identity_pool:
          saml_providers: [Corp]
        """,
    )
    assert "config.yaml:5: identity_pool.saml_providers[0]: 'Corp' is not in saml.providers (none declared)" in message


def test_config_user_pool_with_both_create_and_existing(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        """\
        identity_pool:
          user_pool:
            create: {}
            existing: {user_pool_id: eu-west-1_AbCdEf123, client_id: abc123}
        """,
    )
    assert "identity_pool.user_pool needs exactly one of create or existing" in message
    assert "config.yaml:5: identity_pool.user_pool: " in message  # the line of `user_pool`


def test_config_principal_tags_for_a_provider_not_configured(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        f"""\
        identity_pool:
          google_client_id: "{GOOGLE_CLIENT}"
          principal_tags:
            apple: {{team: team}}
        """,
    )
    assert "config.yaml:7: identity_pool.principal_tags.apple: 'apple' is not a provider of this pool" in message


def test_build_guest_policy_with_star_action_is_refused(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            f"""\
        identity_pool:
          name: AppPool
          google_client_id: "{GOOGLE_CLIENT}"
          allow_guest: true
          guest_policy:
            - actions: ["s3:*"]
              resources: ["{BUCKET_OBJECTS}"]
        """,
        )
    )
    with refused("pool-refusals/AppPool", "guest_statements.actions", "s3:*", "allow_guest_wildcards=True"):
        build_stacks(new_app(), config)


def test_build_classic_flow_without_opt_in_is_refused(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            f"""\
        identity_pool:
          google_client_id: "{GOOGLE_CLIENT}"
          classic_flow: true
        """,
        )
    )
    with refused("pool-refusals/IdentityPool", "classic_flow", True, "allow_classic_flow=True"):
        build_stacks(new_app(), config)


def test_build_empty_identity_pool_is_refused(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "identity_pool: {}\n"))
    with refused("pool-refusals/IdentityPool", "logins", "no identity providers", "no one can use the pool"):
        build_stacks(new_app(), config)


def test_build_principal_tags_for_the_cognito_user_pool_pass(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """\
        identity_pool:
          user_pool:
            existing: {user_pool_id: eu-west-1_AbCdEf123, client_id: abc123}
          principal_tags:
            cognito: {team: "custom:team"}
        """,
        )
    )
    stack = build_stacks(new_app(), config)
    assert stack.identity_pool is not None and stack.identity_pool.session_tags
