"""Every refusal of the per-user storage: layouts, identity sources, grants, the bucket, the broker role.

The layout refusals are plain Python (`LayoutProblem`, a `FederationValidationError` that names the
function instead of a construct path: "AccessLevel.custom: layout=... is not accepted; expected
..."). The construct refusals raise `FederationValidationError`, whose message names the construct
path, the field and the value, then says what is accepted (the form of
`federation_constructs.errors.invalid`). Nothing is synthesized: one app and one stack (with an
identity pool that admits guests, a SAML provider and an OIDC provider) serve the whole module, and
every test adds its constructs under its own id, so one test's grants never meet another's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from federation_constructs.errors import FederationValidationError
from federation_constructs.identity_pool import IdentityPoolFederation, IdentityPoolLogins
from federation_constructs.oidc import OidcProvider, OidcRole
from federation_constructs.saml import RoleOptions, SamlProvider, SamlRole
from federation_constructs.storage import (
    AccessLevel,
    FederationBrokerRole,
    IdentitySource,
    LayoutProblem,
    UserPrefixStorage,
)
from tests.support import EXAMPLE, check_refusal_message, new_app, refused

ACCOUNT = "111122223333"
REGION = "eu-west-1"
STACK = "StorageRefusals"
METADATA = EXAMPLE.parent / "saml" / "adfs-example-metadata.xml"
GOOGLE_CLIENT = "1234567890-abc.apps.googleusercontent.com"
BROKER_SERVICE = f"arn:aws:iam::{ACCOUNT}:role/intranet-file-broker"
RW = ["read", "write"]


# --- fixtures and helpers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Env:
    """The module's app and stack, and the roles that grants go to."""

    app: App
    stack: Stack
    pool: IdentityPoolFederation
    saml_provider: SamlProvider
    oidc_provider: OidcProvider

    @property
    def authenticated(self) -> iam.Role:
        return self.pool.authenticated_role

    @property
    def guest(self) -> iam.Role:
        assert self.pool.guest_role is not None
        return self.pool.guest_role


@pytest.fixture(scope="module")
def env() -> Env:
    app = new_app()
    stack = Stack(app, STACK, env=Environment(account=ACCOUNT, region=REGION))
    return Env(
        app=app,
        stack=stack,
        pool=IdentityPoolFederation(
            stack, "App", logins=IdentityPoolLogins(google_client_id=GOOGLE_CLIENT), allow_guest=True
        ),
        saml_provider=SamlProvider(stack, "Corp", metadata_file=METADATA, name="corp-idp"),
        oidc_provider=OidcProvider(stack, "Idp", issuer="https://idp.example.com/tenant", client_ids=["my-app"]),
    )


@pytest.fixture
def storage(env: Env, cid: str) -> UserPrefixStorage:
    """A fresh storage for this test, at `path`."""
    return UserPrefixStorage(env.stack, cid)


@contextmanager
def layout_refused(where: str, field: str, value: object, *accepted: str) -> Iterator[Any]:
    """Expect a `LayoutProblem` (no construct, so the function `where` instead of a path) for `field`
    and `value`; it is a `FederationValidationError` like every refusal."""
    with pytest.raises(LayoutProblem) as err:
        yield err
    assert isinstance(err.value, FederationValidationError)
    check_refusal_message(str(err.value), f"{where}: {field}={value!r} is not accepted; expected ", accepted)
    assert (err.value.where, err.value.field, err.value.value) == (where, field, value)


def saml_role(env: Env, cid: str, *, session_tags: bool = False, **kwargs: Any) -> SamlRole:
    return SamlRole(
        env.stack,
        f"{cid}Role",
        provider=env.saml_provider,
        role_options=RoleOptions(session_tags=session_tags),
        **kwargs,
    )


# --- identity sources ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["aws:username", "aws:userid", "AWS:UserId"])
def test_caller_chosen_ids_are_refused(key: str) -> None:
    with layout_refused(
        "IdentitySource.variable_of",
        "identity_source",
        f"${{{key}}}",
        "an id the caller cannot choose",
        "allow_caller_chosen_id=True",
    ):
        IdentitySource.variable_of(key)


@pytest.mark.parametrize("key", ["aws:username", "aws:userid"])
def test_caller_chosen_ids_pass_when_meant(key: str) -> None:
    source = IdentitySource.variable_of(key, allow_caller_chosen_id=True)
    assert (source.variable, source.trust, dict(source.conditions)) == (f"${{{key}}}", "any", {})


@pytest.mark.parametrize("key", ["aws:x", "AWS:Team", "", "has space", "x" * 129])
def test_principal_tag_key_is_refused(key: str) -> None:
    with layout_refused(
        "IdentitySource.principal_tag",
        "principal_tag",
        key,
        "a session tag key of 1-128 characters",
        "not starting with 'aws:'",
    ):
        IdentitySource.principal_tag(key)


def test_variable_of_something_that_is_no_condition_key_is_refused() -> None:
    with layout_refused("IdentitySource.variable_of", "identity_source", "user id", "a condition key"):
        IdentitySource.variable_of("user id")


# --- access levels ------------------------------------------------------------------------------

LAYOUT_CASES = [
    ("no_trailing_slash", "home/{id}", "a template that ends with '{id}/'"),
    ("id_not_a_whole_segment", "home/{id}x/", "a template that ends with '{id}/'"),
    ("wildcard", "home/*/{id}/", "without wildcards or '$'"),
    ("question_mark", "home/?/{id}/", "without wildcards or '$'"),
    ("two_ids", "home/{id}/{id}/", "a template that ends with '{id}/'"),
    ("public_root", "public/{id}/", "not public, protected or private"),
    ("private_root", "private/{id}/", "not public, protected or private"),
    ("protected_root", "protected/{id}/", "not public, protected or private"),
    ("dollar", "home/$x/{id}/", "without wildcards or '$'"),
    ("policy_variable", "home/${aws:userid}/{id}/", "without wildcards or '$'"),
    ("empty_root", "{id}/", "a root of letters, digits"),
    ("double_slash", "home//{id}/", "a root of letters, digits"),
    ("leading_slash", "/home/{id}/", "a root of letters, digits"),
]


@pytest.mark.parametrize(("template", "phrase"), [pytest.param(t, p, id=i) for i, t, p in LAYOUT_CASES])
def test_custom_layout_is_refused(template: str, phrase: str) -> None:
    with layout_refused("AccessLevel.custom", "layout", template, phrase):
        AccessLevel.custom(template)


@pytest.mark.parametrize(("template", "phrase"), [pytest.param(t, p, id=i) for i, t, p in LAYOUT_CASES])
def test_custom_layout_is_refused_by_name_too(template: str, phrase: str) -> None:
    with layout_refused("AccessLevel.custom", "layout", template, phrase):
        AccessLevel.named(template)


def test_unknown_level_name_is_refused() -> None:
    with layout_refused(
        "AccessLevel.named", "level", "secret", "public, protected, private, or a template such as 'home/{id}/'"
    ):
        AccessLevel.named("secret")


@pytest.mark.parametrize("template", ["public/x/{id}/", "protected/x/{id}/", "private/x/{id}/"])
def test_custom_layout_below_a_preset_root_is_refused(template: str) -> None:
    with layout_refused("AccessLevel.custom", "layout", template, "not public, protected or private"):
        AccessLevel.custom(template)


# --- grant_user_prefix ----------------------------------------------------------------------------


def test_unknown_level_is_refused_under_the_storage_path(env: Env, storage: UserPrefixStorage, path: str) -> None:
    with refused(path, "level", "secret", "public, protected, private"):
        storage.grant_user_prefix(env.authenticated, source=IdentitySource.cognito(), level="secret", actions=RW)


def test_a_level_that_is_not_an_access_level_is_refused(env: Env, storage: UserPrefixStorage, path: str) -> None:
    with refused(path, "level", 42, "an AccessLevel"):
        storage.grant_user_prefix(
            env.authenticated,
            source=IdentitySource.cognito(),
            level=42,  # type: ignore[arg-type]
            actions=RW,
        )


def test_bad_custom_level_is_refused_under_the_storage_path(env: Env, storage: UserPrefixStorage, path: str) -> None:
    with refused(path, "layout", "home/{id}", "ends with '{id}/'"):
        storage.grant_user_prefix(env.authenticated, source=IdentitySource.cognito(), level="home/{id}", actions=RW)


@pytest.mark.parametrize(
    ("actions", "value", "phrase"),
    [
        pytest.param("read", "read", "a list such as ['read', 'write']", id="a_string"),
        pytest.param(["admin"], "admin", "read, write and/or delete", id="unknown"),
        pytest.param(["read", "s3:GetObject"], "s3:GetObject", "read, write and/or delete", id="an_s3_action"),
        pytest.param([], [], "at least one of read, write, delete", id="empty"),
    ],
)
def test_bad_actions_are_refused(
    env: Env, storage: UserPrefixStorage, path: str, actions: Any, value: object, phrase: str
) -> None:
    with refused(path, "actions", value, phrase):
        storage.grant_user_prefix(env.authenticated, source=IdentitySource.cognito(), level="private", actions=actions)


def test_cognito_source_on_a_saml_role_is_refused(env: Env, storage: UserPrefixStorage, path: str, cid: str) -> None:
    role = saml_role(env, cid)
    with refused(path, "source", "cognito", "needs a Cognito identity pool role", "assumed through SAML"):
        storage.grant_user_prefix(role, source=IdentitySource.cognito(), level="private", actions=RW)


def test_saml_source_on_the_identity_pool_role_is_refused(env: Env, storage: UserPrefixStorage, path: str) -> None:
    with refused(path, "source", "saml", "needs a SAML role", "assumed through a Cognito identity pool"):
        storage.grant_user_prefix(env.authenticated, source=IdentitySource.saml(), level="home/{id}/", actions=RW)


def test_cognito_source_on_an_oidc_role_is_refused(env: Env, storage: UserPrefixStorage, path: str, cid: str) -> None:
    role = OidcRole(env.stack, f"{cid}Role", provider=env.oidc_provider, audiences=["my-app"], subjects=["user-*"])
    with refused(path, "source", "cognito", "needs a Cognito identity pool role", "OIDC web identity"):
        storage.grant_user_prefix(role, source=IdentitySource.cognito(), level="private", actions=RW)


def test_principal_tag_on_a_saml_role_without_session_tags_is_refused(
    env: Env, storage: UserPrefixStorage, path: str, cid: str
) -> None:
    role = saml_role(env, cid)
    with refused(path, "source", "tag:user", "sts:TagSession", "session_tags=True", role.role.node.path):
        storage.grant_user_prefix(role, source=IdentitySource.principal_tag("user"), level="private", actions=RW)


def test_principal_tag_on_the_identity_pool_role_without_principal_tags_is_refused(
    env: Env, storage: UserPrefixStorage, path: str
) -> None:
    with refused(path, "source", "tag:user", "sts:TagSession"):
        storage.grant_user_prefix(
            env.authenticated, source=IdentitySource.principal_tag("user"), level="private", actions=RW
        )


def test_principal_tag_passes_on_a_role_with_session_tags(env: Env, storage: UserPrefixStorage, cid: str) -> None:
    role = saml_role(env, cid, session_tags=True)
    grant = storage.grant_user_prefix(role, source=IdentitySource.principal_tag("user"), level="private", actions=RW)
    prefix = cid.replace("_", "")
    assert [s.sid for s in grant.principal_statements] == [
        f"{prefix}PrivateObjects",
        f"{prefix}PrivateList",
        f"{prefix}PrivateDenyOthersList",
    ]


@pytest.mark.parametrize("level", ["private", "protected", "home/{id}/"])
def test_per_user_level_without_a_source_is_refused(
    env: Env, storage: UserPrefixStorage, path: str, level: str
) -> None:
    with refused(path, "source", None, "an identity source", "has one folder per user"):
        storage.grant_user_prefix(env.authenticated, level=level, actions=RW)


def test_a_source_that_is_not_an_identity_source_is_refused(env: Env, storage: UserPrefixStorage, path: str) -> None:
    with refused(path, "source", "cognito", "IdentitySource.cognito()"):
        storage.grant_user_prefix(
            env.authenticated,
            source="cognito",
            level="private",  # type: ignore[arg-type]
            actions=RW,
        )


@pytest.mark.parametrize(
    ("level", "source"),
    [
        pytest.param("private", IdentitySource.cognito(), id="private"),
        pytest.param("protected", IdentitySource.cognito(), id="protected"),
        pytest.param("home/{id}/", IdentitySource.cognito(), id="custom"),
        pytest.param("private", None, id="private_without_source"),
    ],
)
def test_per_user_level_on_the_guest_role_is_refused(
    env: Env, storage: UserPrefixStorage, path: str, level: str, source: IdentitySource | None
) -> None:
    name = AccessLevel.named(level).name
    with refused(path, "level", name, "'public'", env.guest.node.path, "guests"):
        storage.grant_user_prefix(env.guest, source=source, level=level, actions=["read"])


@pytest.mark.parametrize("actions", [["read", "write"], ["write"], ["read", "delete"]], ids=["rw", "w", "rd"])
def test_guest_write_is_refused(env: Env, storage: UserPrefixStorage, path: str, actions: list[str]) -> None:
    with refused(path, "actions", actions, "['read']", "allow_guest_write=True"):
        storage.grant_user_prefix(env.guest, level="public", actions=actions)


def test_guest_write_passes_with_allow_guest_write(env: Env, storage: UserPrefixStorage) -> None:
    (objects, listing) = storage.grant_user_prefix(
        env.guest, level="public", actions=RW, allow_guest_write=True
    ).principal_statements
    assert objects.actions == ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    assert listing.actions == ["s3:ListBucket"]


def test_guest_read_passes_without_opt_in(env: Env, storage: UserPrefixStorage) -> None:
    (objects, _) = storage.grant_user_prefix(env.guest, level="public", actions=["read"]).principal_statements
    assert objects.actions == ["s3:GetObject"]


def test_allow_guest_write_does_not_give_guests_a_folder(env: Env, storage: UserPrefixStorage, path: str) -> None:
    with refused(path, "level", "private", "'public'"):
        storage.grant_user_prefix(
            env.guest, source=IdentitySource.cognito(), level="private", actions=RW, allow_guest_write=True
        )


@pytest.mark.parametrize("second", ["private", "private_other_actions", "private_as_object"])
def test_same_level_twice_to_one_role_is_refused(
    env: Env, storage: UserPrefixStorage, path: str, cid: str, second: str
) -> None:
    role = saml_role(env, cid, session_tags=True)
    source = IdentitySource.principal_tag("user")
    storage.grant_user_prefix(role, source=source, level="private", actions=["read"])
    level: Any = AccessLevel.private() if second == "private_as_object" else "private"
    actions = ["read", "write"] if second == "private_other_actions" else ["read"]
    with refused(path, "level", "private", f"a level not granted to {role.role.node.path} yet"):
        storage.grant_user_prefix(role, source=source, level=level, actions=actions)


def test_same_level_to_another_role_or_in_another_storage_passes(
    env: Env, storage: UserPrefixStorage, cid: str
) -> None:
    source = IdentitySource.principal_tag("user")
    first, second = saml_role(env, f"{cid}A", session_tags=True), saml_role(env, f"{cid}B", session_tags=True)
    storage.grant_user_prefix(first, source=source, level="private", actions=["read"])
    storage.grant_user_prefix(second, source=source, level="private", actions=["read"])
    other = UserPrefixStorage(env.stack, f"{cid}Other")
    other.grant_user_prefix(first, source=source, level="private", actions=["read"])


def test_imported_role_is_refused(env: Env, storage: UserPrefixStorage, path: str, cid: str) -> None:
    imported = iam.Role.from_role_arn(env.stack, f"{cid}Role", f"arn:aws:iam::{ACCOUNT}:role/somebody-elses")
    with refused(path, "grantee", imported, "a role this app defines", "an imported role's trust cannot be checked"):
        storage.grant_user_prefix(imported, level="public", actions=["read"])


def test_the_pool_itself_is_no_role(env: Env, storage: UserPrefixStorage, path: str) -> None:
    with refused(path, "grantee", env.pool, "a role this app defines"):
        storage.grant_user_prefix(env.pool, level="public", actions=["read"])


# --- the bucket ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Bad_Name", "ab", "a..b", "-abc", "abc-", "x" * 64], ids=lambda n: n[:12])
def test_bad_bucket_name_is_refused(env: Env, cid: str, path: str, name: str) -> None:
    with refused(path, "bucket_name", name, "an S3 bucket name", "3-63 lower-case letters"):
        UserPrefixStorage(env.stack, cid, bucket_name=name)


def test_bad_imported_bucket_name_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "bucket_name", "Bad_Name", "an S3 bucket name"):
        UserPrefixStorage.from_bucket_name(env.stack, cid, "Bad_Name")


def test_good_bucket_name_passes(env: Env, cid: str) -> None:
    storage = UserPrefixStorage(env.stack, cid, bucket_name="user-data.example-123")
    assert env.stack.resolve(storage.bucket_name) == {
        "Ref": env.stack.get_logical_id(storage.bucket.node.default_child)
    }


@pytest.mark.parametrize("encryption", ["aes", "KMS", "sse-s3", ""])
def test_unknown_encryption_is_refused(env: Env, cid: str, path: str, encryption: str) -> None:
    with refused(path, "encryption", encryption, "'s3' (SSE-S3, the default) or 'kms'"):
        UserPrefixStorage(env.stack, cid, encryption=encryption)  # type: ignore[arg-type]


def test_a_key_without_kms_encryption_is_refused(env: Env, cid: str, path: str) -> None:
    key = kms.Key(env.stack, f"{cid}Key", enable_key_rotation=True)
    with refused(path, "encryption_key", key, "no key unless encryption='kms'"):
        UserPrefixStorage(env.stack, cid, encryption="s3", encryption_key=key)


def test_a_key_with_kms_encryption_passes(env: Env, cid: str) -> None:
    key = kms.Key(env.stack, f"{cid}Key", enable_key_rotation=True)
    assert UserPrefixStorage(env.stack, cid, encryption="kms", encryption_key=key).encryption_key is key


@pytest.mark.parametrize("prefix", ["logs", "user-data", "a/b"], ids=["logs", "user_data", "a_b"])
def test_access_logs_prefix_without_a_slash_is_refused(env: Env, cid: str, path: str, prefix: str) -> None:
    with refused(path, "access_logs_prefix", prefix, "a prefix ending with '/'"):
        UserPrefixStorage(env.stack, cid, access_logs_prefix=prefix)


# --- the broker role ----------------------------------------------------------------------------


def test_broker_without_trusted_principals_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "trusted", [], "a non-empty list of the broker service's role or user ARNs"):
        FederationBrokerRole(env.stack, cid, trusted=[])


def test_broker_trusted_as_a_string_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "trusted", BROKER_SERVICE, "a non-empty list"):
        FederationBrokerRole(env.stack, cid, trusted=BROKER_SERVICE)  # type: ignore[arg-type]


def test_broker_trusted_entry_that_is_no_arn_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "trusted", 42, "role or user ARNs (strings) or iam.IRole objects"):
        FederationBrokerRole(env.stack, cid, trusted=[42])  # type: ignore[list-item]


def test_broker_trusting_roles_passes(env: Env, cid: str) -> None:
    imported = iam.Role.from_role_arn(env.stack, f"{cid}Service", "arn:aws:iam::444455556666:role/partner-broker")
    broker = FederationBrokerRole(env.stack, cid, trusted=[BROKER_SERVICE, imported])
    assert broker.trusted_arns == (BROKER_SERVICE, "arn:aws:iam::444455556666:role/partner-broker")


@pytest.mark.parametrize(
    ("trusted", "phrase"),
    [
        pytest.param("arn:aws:iam::*:role/x", "no wildcards", id="wildcard_account"),
        pytest.param("arn:aws:iam::111122223333:role/*", "no wildcards", id="wildcard_role"),
        pytest.param("*", "no wildcards", id="star"),
        pytest.param("arn:aws:iam::111122223333:saml-provider/corp", "an IAM role or user ARN", id="not_a_role"),
    ],
)
def test_broker_trusted_wildcards_are_refused(env: Env, cid: str, path: str, trusted: str, phrase: str) -> None:
    with refused(path, "trusted", trusted, phrase):
        FederationBrokerRole(env.stack, cid, trusted=[trusted])


@pytest.mark.parametrize("account", ["123456789012", "arn:aws:iam::123456789012:root"], ids=["id", "root_arn"])
def test_broker_trusting_a_whole_account_is_refused(env: Env, cid: str, path: str, account: str) -> None:
    with refused(path, "trusted", account, "the broker's own role or user ARN", "allow_account_root=True"):
        FederationBrokerRole(env.stack, cid, trusted=[account])


def test_broker_account_arn_without_root_is_refused(env: Env, cid: str, path: str) -> None:
    """Not a valid principal (cfn-lint E3530, IAM refuses it at deploy): refused, even with the opt-in."""
    with refused(path, "trusted", "arn:aws:iam::123456789012", "an IAM role or user ARN"):
        FederationBrokerRole(env.stack, cid, trusted=["arn:aws:iam::123456789012"], allow_account_root=True)


def test_nested_custom_roots_in_one_storage_are_refused(
    env: Env, storage: UserPrefixStorage, path: str, cid: str
) -> None:
    """`home/{id}/` and `home/team/{id}/`: the user whose id is `team` would reach every team folder."""
    role = SamlRole(env.stack, f"{cid}Role", provider=env.saml_provider)
    storage.grant_user_prefix(role, source=IdentitySource.saml(), level="home/{id}/", actions=RW)
    with refused(path, "level", "home/team", "does not nest with 'home'"):
        storage.grant_user_prefix(role, source=IdentitySource.saml(), level="home/team/{id}/", actions=RW)


def test_broker_trusting_a_whole_account_passes_when_meant(env: Env, cid: str) -> None:
    broker = FederationBrokerRole(env.stack, cid, trusted=["123456789012"], allow_account_root=True)
    (arn,) = broker.trusted_arns
    assert env.stack.resolve(arn) == {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::123456789012:root"]]}


@pytest.mark.parametrize("tag", ["aws:bad", "AWS:user", "", "has space"], ids=["aws", "AWS", "empty", "space"])
def test_broker_user_tag_is_refused(env: Env, cid: str, path: str, tag: str) -> None:
    with refused(path, "user_tag", tag, "a session tag key", "not starting with 'aws:'"):
        FederationBrokerRole(env.stack, cid, trusted=[BROKER_SERVICE], user_tag=tag)


@pytest.mark.parametrize("external_id", ["x", "has space", "x" * 1225], ids=["short", "space", "long"])
def test_broker_external_id_is_refused(env: Env, cid: str, path: str, external_id: str) -> None:
    with refused(path, "external_id", external_id, "2-1224 characters"):
        FederationBrokerRole(env.stack, cid, trusted=[BROKER_SERVICE], external_id=external_id)


def test_cognito_source_on_the_broker_is_refused(env: Env, storage: UserPrefixStorage, path: str, cid: str) -> None:
    broker = FederationBrokerRole(env.stack, f"{cid}Broker", trusted=[BROKER_SERVICE])
    with refused(path, "source", "cognito", "needs a Cognito identity pool role", "sts:AssumeRole"):
        storage.grant_user_prefix(broker, source=IdentitySource.cognito(), level="private", actions=RW)
