"""Per-user S3 storage: the statements the layout makes, the bucket, and who reaches which object.

The layout functions (`grant_statements`, `deny_other_users_listing`) are checked statement by
statement, without CDK. Then one stack (built and synthesized once for the module) holds a
`UserPrefixStorage` and five roles granted into it: an identity pool's signed-in role (private,
protected, public) and guest role (public read), a SAML role (`home/{id}/`, browsable), an OIDC role
with session tags and a `FederationBrokerRole` (both private, keyed by a principal tag), plus a
second broker role (external id, two trusted principals) for its trust. The policies are read from
the template, the intrinsics replaced by made-up ARNs, and judged with `tests.s3_matcher`, which
does not share the constructs' code: user alice reaches her own folder and not `alice2/`, bob's,
the bucket root or other levels' folders. A second app holds the small stacks (KMS, an imported
bucket, a hand-written wildcard for cdk-nag).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from federation_constructs import acknowledge
from federation_constructs.identity_pool import IdentityPoolFederation, IdentityPoolLogins
from federation_constructs.oidc import OidcProvider, OidcRole, RoleOptions
from federation_constructs.report.findings import acknowledged
from federation_constructs.saml import SamlProvider, SamlRole
from federation_constructs.storage import (
    DENIED_OBJECT_ACTIONS,
    OBJECT_ACTIONS,
    AccessLevel,
    FederationBrokerRole,
    IdentitySource,
    LayoutProblem,
    UserPrefixStorage,
    deny_other_users_listing,
    grant_statements,
)
from tests.s3_matcher import S3Request, resolve, s3_allows
from tests.support import EXAMPLE, new_app, synth

ACCOUNT = "111122223333"
REGION = "eu-west-1"
ENV = Environment(account=ACCOUNT, region=REGION)
METADATA = EXAMPLE.parent / "saml" / "adfs-example-metadata.xml"
GOOGLE_CLIENT = "1234567890-abc.apps.googleusercontent.com"

BUCKET = "arn:aws:s3:::user-data-bucket"
SUB = "cognito-identity.amazonaws.com:sub"
COGNITO_VAR = "${cognito-identity.amazonaws.com:sub}"
SAML_VAR = "${saml:namequalifier}/${saml:sub}"
TAG_VAR = "${aws:PrincipalTag/user}"
PERSISTENT = {"StringEquals": {"saml:sub_type": "persistent"}}
NO_SLASH_IN_TAG = {"StringNotLike": {"aws:PrincipalTag/user": "*/*"}}
ALL_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"]
READ_WRITE = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]

ALICE = "us-east-1:aaaa-1111"
ALICE2 = "us-east-1:aaaa-11112"  # extends alice's id: must not fall inside her folder
BOB = "us-east-1:bbbb-2222"
NQ = "Jd6Xkz0Wn3ZPpgsVdYhw8ZSAXrk="  # saml:namequalifier: a hash of issuer, account and provider name
STAFF = "a1b2c3d4"
OTHER_STAFF = "e5f6a7b8"

BROKER_SERVICE = f"arn:aws:iam::{ACCOUNT}:role/intranet-file-broker"
PARTNER_SERVICE = "arn:aws:iam::444455556666:role/partner-broker"
ROLE_ARNS = {
    "auth": f"arn:aws:iam::{ACCOUNT}:role/app-authenticated",
    "guest": f"arn:aws:iam::{ACCOUNT}:role/app-guest",
    "saml": f"arn:aws:iam::{ACCOUNT}:role/staff-files",
    "partner": f"arn:aws:iam::{ACCOUNT}:role/partner-files",
    "broker": f"arn:aws:iam::{ACCOUNT}:role/file-broker",
}


def obj(key: str) -> str:
    return f"{BUCKET}/{key}"


# --- 1. the layout: exact statements -------------------------------------------------------------


def test_private_with_cognito_exact_statements() -> None:
    own = f"private/{COGNITO_VAR}/"
    assert grant_statements(
        bucket_arn=BUCKET,
        level=AccessLevel.private(),
        source=IdentitySource.cognito(),
        capabilities=["read", "write", "delete"],
    ) == [
        {"Sid": "PrivateObjects", "Effect": "Allow", "Action": ALL_OBJECT_ACTIONS, "Resource": f"{BUCKET}/{own}*"},
        {
            "Sid": "PrivateList",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {"StringLike": {"s3:prefix": [own, f"{own}*"]}},
        },
    ]
    assert deny_other_users_listing(
        bucket_arn=BUCKET, level=AccessLevel.private(), source=IdentitySource.cognito()
    ) == {
        "Sid": "PrivateDenyOthersList",
        "Effect": "Deny",
        "Action": "s3:ListBucket",
        "Resource": BUCKET,
        "Condition": {"StringLike": {"s3:prefix": ["private/*"]}, "StringNotLike": {"s3:prefix": [own, f"{own}*"]}},
    }


def test_protected_with_cognito_exact_statements() -> None:
    own = f"protected/{COGNITO_VAR}/"
    assert grant_statements(
        bucket_arn=BUCKET,
        level=AccessLevel.protected(),
        source=IdentitySource.cognito(),
        capabilities=["read", "write", "delete"],
        sid_prefix="UserData",
    ) == [
        {
            "Sid": "UserDataProtectedOwn",
            "Effect": "Allow",
            "Action": ALL_OBJECT_ACTIONS,
            "Resource": f"{BUCKET}/{own}*",
        },
        {
            "Sid": "UserDataProtectedReadAll",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/protected/*",
        },
        {
            "Sid": "UserDataProtectedList",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {"StringLike": {"s3:prefix": ["protected/", "protected/*"]}},
        },
    ]
    # every signed-in user lists protected/ by design: no listing Deny
    assert (
        deny_other_users_listing(bucket_arn=BUCKET, level=AccessLevel.protected(), source=IdentitySource.cognito())
        is None
    )


@pytest.mark.parametrize(
    "source", [None, IdentitySource.cognito(), IdentitySource.saml()], ids=["none", "cognito", "saml"]
)
def test_public_exact_statements_need_no_source(source: IdentitySource | None) -> None:
    assert grant_statements(
        bucket_arn=BUCKET, level=AccessLevel.public(), source=source, capabilities=["read", "write"]
    ) == [
        {"Sid": "PublicObjects", "Effect": "Allow", "Action": READ_WRITE, "Resource": f"{BUCKET}/public/*"},
        {
            "Sid": "PublicList",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {"StringLike": {"s3:prefix": ["public/", "public/*"]}},
        },
    ]
    if source is not None:
        assert deny_other_users_listing(bucket_arn=BUCKET, level=AccessLevel.public(), source=source) is None


def test_custom_home_with_saml_requires_persistent_ids() -> None:
    own = f"home/{SAML_VAR}/"
    statements = grant_statements(
        bucket_arn=BUCKET,
        level=AccessLevel.custom("home/{id}/"),
        source=IdentitySource.saml(),
        capabilities=["read", "write"],
    )
    assert statements == [
        {
            "Sid": "HomeObjects",
            "Effect": "Allow",
            "Action": READ_WRITE,
            "Resource": f"{BUCKET}/{own}*",
            "Condition": PERSISTENT,
        },
        {
            "Sid": "HomeList",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {**PERSISTENT, "StringLike": {"s3:prefix": [own, f"{own}*"]}},
        },
    ]
    assert deny_other_users_listing(
        bucket_arn=BUCKET, level=AccessLevel.custom("home/{id}/"), source=IdentitySource.saml()
    ) == {
        "Sid": "HomeDenyOthersList",
        "Effect": "Deny",
        "Action": "s3:ListBucket",
        "Resource": BUCKET,
        "Condition": {"StringLike": {"s3:prefix": ["home/*"]}, "StringNotLike": {"s3:prefix": [own, f"{own}*"]}},
    }


def test_principal_tag_refuses_tag_values_with_a_slash() -> None:
    own = f"private/{TAG_VAR}/"
    assert grant_statements(
        bucket_arn=BUCKET,
        level=AccessLevel.private(),
        source=IdentitySource.principal_tag("user"),
        capabilities=["read"],
    ) == [
        {
            "Sid": "PrivateObjects",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/{own}*",
            "Condition": NO_SLASH_IN_TAG,
        },
        {
            "Sid": "PrivateList",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {**NO_SLASH_IN_TAG, "StringLike": {"s3:prefix": [own, f"{own}*"]}},
        },
    ]


def test_sources_and_levels_as_data() -> None:
    assert IdentitySource.cognito() == IdentitySource(name="cognito", variable=COGNITO_VAR, trust="cognito")
    assert IdentitySource.saml() == IdentitySource(name="saml", variable=SAML_VAR, trust="saml", conditions=PERSISTENT)
    assert IdentitySource.principal_tag("user") == IdentitySource(
        name="tag:user", variable=TAG_VAR, trust="tag", conditions=NO_SLASH_IN_TAG
    )
    assert IdentitySource.variable_of("aws:username", allow_caller_chosen_id=True).variable == "${aws:username}"
    assert IdentitySource.variable_of("aws:userid", allow_caller_chosen_id=True).trust == "any"
    assert AccessLevel.named("private") == AccessLevel.private()
    assert AccessLevel.named("home/{id}/") == AccessLevel(name="home", root="home", per_user=True)
    assert AccessLevel.custom("teams/a-b_c.d/{id}/").root == "teams/a-b_c.d"
    assert OBJECT_ACTIONS == {
        "read": ("s3:GetObject",),
        "write": ("s3:PutObject", "s3:AbortMultipartUpload"),
        "delete": ("s3:DeleteObject",),
    }
    assert DENIED_OBJECT_ACTIONS == (
        "s3:GetObject*",
        "s3:PutObject*",
        "s3:DeleteObject*",
        "s3:AbortMultipartUpload",
        "s3:RestoreObject",
    )


PER_USER_LEVELS = [
    AccessLevel.private(),
    AccessLevel.protected(),
    AccessLevel.custom("home/{id}/"),
    AccessLevel.custom("teams/eu/{id}/"),
]
SOURCES = [
    IdentitySource.cognito(),
    IdentitySource.saml(),
    IdentitySource.principal_tag("user"),
    IdentitySource.principal_tag("employee-id"),
]


def _conditions_hold(statement: Mapping[str, Any], source: IdentitySource) -> bool:
    condition = statement.get("Condition", {})
    return all(
        condition.get(op, {}).get(key) == value for op, keys in source.conditions.items() for key, value in keys.items()
    )


@pytest.mark.parametrize("level", PER_USER_LEVELS, ids=lambda level: level.root)
@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.name)
@pytest.mark.parametrize("browse", [False, True], ids=["plain", "browse"])
def test_every_user_prefix_ends_with_a_slash_and_listing_names_exactly_it(
    level: AccessLevel, source: IdentitySource, browse: bool
) -> None:
    own = f"{level.root}/{source.variable}/"
    assert level.user_prefix(source) == own
    statements = grant_statements(
        bucket_arn=BUCKET, level=level, source=source, capabilities=["read", "write", "delete"], browse=browse
    )
    objects = [s for s in statements if s["Action"] != "s3:ListBucket"]
    lists = [s for s in statements if s["Action"] == "s3:ListBucket"]
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert _conditions_hold(statement, source), statement
    # object statements: the own folder (with its '/'), or - protected only - the level root to read
    for statement in objects:
        if statement["Sid"].endswith("ReadAll"):
            assert level.shared_read and statement == {
                "Sid": "ProtectedReadAll",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"{BUCKET}/protected/*",
                **({"Condition": dict(source.conditions)} if source.conditions else {}),
            }
        else:
            assert statement["Resource"] == f"{BUCKET}/{own}*"
            assert statement["Resource"].endswith(f"{source.variable}/*")
    # listing: never without an s3:prefix condition; exactly own and own* (protected: the level)
    for statement in lists:
        assert statement["Resource"] == BUCKET
        assert "StringLike" in statement["Condition"] or "StringEquals" in statement["Condition"]
    (plain,) = [s for s in lists if s["Sid"].endswith("List")]
    expected = [f"{level.root}/", f"{level.root}/*"] if level.shared_read else [own, f"{own}*"]
    assert plain["Condition"]["StringLike"] == {"s3:prefix": expected}
    browsing = [s for s in lists if s["Sid"].endswith("Browse")]
    if not browse:
        assert browsing == [] and len(lists) == 1
    else:
        (statement,) = browsing
        equals = dict(statement["Condition"]["StringEquals"])
        assert equals.pop("s3:prefix") == ["", f"{level.root}/"]
        assert equals.pop("s3:delimiter") == "/"
        assert equals == dict(source.conditions.get("StringEquals", {}))
        assert "StringLike" not in statement["Condition"]
    deny = deny_other_users_listing(bucket_arn=BUCKET, level=level, source=source, browse=browse)
    if level.shared_read:
        assert deny is None
    else:
        assert (
            deny is not None
            and deny["Effect"] == "Deny"
            and deny["Condition"]
            == {
                "StringLike": {"s3:prefix": [f"{level.root}/*"]},
                "StringNotLike": {"s3:prefix": [own, f"{own}*"] + ([f"{level.root}/"] if browse else [])},
            }
        )


def test_capabilities_map_to_named_actions_once() -> None:
    (objects, _) = grant_statements(
        bucket_arn=BUCKET, level=AccessLevel.public(), source=None, capabilities=["delete", "read", "delete"]
    )
    assert objects["Action"] == ["s3:DeleteObject", "s3:GetObject"]


def test_layout_statements_on_their_own_keep_users_apart() -> None:
    """The layout alone (no bucket policy) already separates alice from bob and from `alice2`."""
    source = IdentitySource.cognito()
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            *grant_statements(
                bucket_arn=BUCKET, level=AccessLevel.private(), source=source, capabilities=["read", "write"]
            ),
            deny_other_users_listing(bucket_arn=BUCKET, level=AccessLevel.private(), source=source),
        ],
    }

    def allows(action: str, resource: str, **extra: str) -> bool:
        return s3_allows(
            S3Request(action=action, resource=resource, context={SUB: ALICE, **extra}), identity_policies=[policy]
        )

    assert allows("s3:PutObject", obj(f"private/{ALICE}/a.txt"))
    assert not allows("s3:GetObject", obj(f"private/{ALICE2}/a.txt"))
    assert not allows("s3:GetObject", obj(f"private/{BOB}/a.txt"))
    assert allows("s3:ListBucket", BUCKET, **{"s3:prefix": f"private/{ALICE}/"})
    assert not allows("s3:ListBucket", BUCKET, **{"s3:prefix": f"private/{ALICE}"})  # would list alice2/ too
    assert not allows("s3:ListBucket", BUCKET, **{"s3:prefix": f"private/{ALICE2}/"})


def test_a_custom_level_cannot_lie_below_public() -> None:
    """`custom("public/x/{id}/")` would be owner-only in name only: next to `public` (every signed-in
    user writes public/*) alice could write into bob's folder. The layout refuses it."""
    with pytest.raises(LayoutProblem):
        AccessLevel.custom("public/x/{id}/")


# --- 2. one synthesized stack --------------------------------------------------------------------


class StorageStack:
    """A user-data bucket, five roles granted into it and one broker role granted nothing, synthesized once."""

    def __init__(self) -> None:
        self.app: App = new_app()
        self.stack = s = Stack(self.app, "Storage", env=ENV)
        self.storage = UserPrefixStorage(s, "UserData")
        self.pool = IdentityPoolFederation(
            s, "App", logins=IdentityPoolLogins(google_client_id=GOOGLE_CLIENT), allow_guest=True
        )
        acknowledge(
            self.pool,
            "AwsSolutions-COG7",
            "Guests on purpose: the guest role reads public/ of the user-data bucket only",
        )
        provider = SamlProvider(s, "Corp", metadata_file=METADATA, name="corp-idp")
        self.saml = SamlRole(s, "StaffFiles", provider=provider)
        idp = OidcProvider(s, "PartnerIdp", issuer="https://idp.example.com/tenant", client_ids=["my-app"])
        self.partner = OidcRole(
            s,
            "PartnerFiles",
            provider=idp,
            audiences=["my-app"],
            subjects=["user-*"],
            role_options=RoleOptions(session_tags=True),
        )
        self.broker = FederationBrokerRole(s, "FileBroker", trusted=[BROKER_SERVICE])
        self.partner_broker = FederationBrokerRole(
            s,
            "PartnerBroker",
            trusted=[BROKER_SERVICE, iam.Role.from_role_arn(s, "PartnerService", PARTNER_SERVICE)],
            user_tag="employee",
            external_id="partner-1234",
        )
        auth, guest = self.pool.authenticated_role, self.pool.guest_role
        assert guest is not None
        cognito = IdentitySource.cognito()
        # grant order matters for the bucket-policy Deny (see the NotResource tests)
        self.grants: dict[str, iam.Grant] = {
            "auth.private": self.storage.grant_user_prefix(
                auth, source=cognito, level="private", actions=["read", "write", "delete"]
            ),
            "auth.protected": self.storage.grant_user_prefix(
                auth, source=cognito, level=AccessLevel.protected(), actions=["read", "write", "delete"]
            ),
            "auth.public": self.storage.grant_user_prefix(
                auth, source=cognito, level="public", actions=["read", "write"]
            ),
            "guest.public": self.storage.grant_user_prefix(guest, level="public", actions=["read"]),
            "saml.home": self.storage.grant_user_prefix(
                self.saml,
                source=IdentitySource.saml(),
                level=AccessLevel.custom("home/{id}/"),
                actions=["read", "write"],
                browse=True,
            ),
            "partner.private": self.storage.grant_user_prefix(
                self.partner, source=IdentitySource.principal_tag("user"), level="private", actions=["read", "write"]
            ),
            "broker.private": self.storage.grant_user_prefix(
                self.broker, source=self.broker.user_source, level="private", actions=["read", "write", "delete"]
            ),
        }
        self.roles: dict[str, iam.Role] = {
            "auth": auth,
            "guest": guest,
            "saml": self.saml.role,
            "partner": self.partner.role,
            "broker": self.broker.role,
        }
        self.template: Template = synth(s)
        self.json: dict[str, Any] = self.template.to_json()
        self.resources: dict[str, Any] = self.json["Resources"]
        self.bucket_id = self.logical_id(self.storage.bucket)
        assert self.storage.log_bucket is not None
        self.log_bucket_id = self.logical_id(self.storage.log_bucket)
        self.replacements = {
            f"{self.bucket_id}.Arn": BUCKET,
            **{f"{self.logical_id(role)}.Arn": ROLE_ARNS[key] for key, role in self.roles.items()},
        }

    def logical_id(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)

    def trust(self, role: iam.Role) -> dict[str, Any]:
        return self.resources[self.logical_id(role)]["Properties"]["AssumeRolePolicyDocument"]

    def raw_policy(self, role: str) -> dict[str, Any]:
        """The role's one AWS::IAM::Policy (its DefaultPolicy) document, as synthesized."""
        ref = {"Ref": self.logical_id(self.roles[role])}
        (policy,) = [
            r for r in self.resources.values() if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [ref]
        ]
        return policy["Properties"]["PolicyDocument"]

    def policy(self, role: str) -> dict[str, Any]:
        return resolve(self.raw_policy(role), self.replacements)

    def raw_bucket_policy(self, bucket_id: str | None = None) -> dict[str, Any]:
        (policy,) = [
            r
            for r in self.resources.values()
            if r["Type"] == "AWS::S3::BucketPolicy"
            and r["Properties"]["Bucket"] == {"Ref": bucket_id or self.bucket_id}
        ]
        return policy["Properties"]["PolicyDocument"]

    def bucket_policy(self) -> dict[str, Any]:
        """The bucket policy, resolved, without the TLS-version Deny (`NumericLessThan` is outside the
        evaluator's scope; that statement is checked exactly in `test_bucket_policy_is_tls_only`)."""
        document = resolve(self.raw_bucket_policy(), self.replacements)
        document["Statement"] = [s for s in document["Statement"] if "NumericLessThan" not in s.get("Condition", {})]
        return document

    def allows(
        self,
        role: str,
        action: str,
        resource: str,
        context: Mapping[str, Any],
        *,
        extra_policies: tuple[Mapping[str, Any], ...] = (),
    ) -> bool:
        request = S3Request(action=action, resource=resource, context={"aws:SecureTransport": "true", **context})
        return s3_allows(
            request,
            identity_policies=[self.policy(role), *extra_policies],
            bucket_policy=self.bucket_policy(),
            principal_arn=ROLE_ARNS[role],
        )


@pytest.fixture(scope="module")
def fx() -> StorageStack:
    return StorageStack()


def bucket_props(fx: StorageStack, logical_id: str) -> dict[str, Any]:
    resource = fx.resources[logical_id]
    assert resource["Type"] == "AWS::S3::Bucket"
    return resource["Properties"]


BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}
SSE_S3 = {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}


def test_user_data_bucket_properties_exactly(fx: StorageStack) -> None:
    assert bucket_props(fx, fx.bucket_id) == {
        "PublicAccessBlockConfiguration": BLOCK_ALL,
        "BucketEncryption": SSE_S3,
        "VersioningConfiguration": {"Status": "Enabled"},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "LoggingConfiguration": {"DestinationBucketName": {"Ref": fx.log_bucket_id}, "LogFilePrefix": "user-data/"},
        "LifecycleConfiguration": {
            "Rules": [
                {"Id": "ExpireOldVersions", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 90}}
            ]
        },
    }


def test_log_bucket_properties_exactly(fx: StorageStack) -> None:
    assert bucket_props(fx, fx.log_bucket_id) == {
        "PublicAccessBlockConfiguration": BLOCK_ALL,
        "BucketEncryption": SSE_S3,
        "VersioningConfiguration": {"Status": "Enabled"},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    }
    # logs arrive through the bucket policy (the logging service, from this bucket and account only)
    statements = fx.raw_bucket_policy(fx.log_bucket_id)["Statement"]
    (delivery,) = [s for s in statements if s["Effect"] == "Allow"]
    assert delivery == {
        "Action": "s3:PutObject",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Condition": {
            "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [fx.bucket_id, "Arn"]}},
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
        },
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [fx.log_bucket_id, "Arn"]}, "/user-data/*"]]},
    }


def test_buckets_are_retained_and_never_emptied(fx: StorageStack) -> None:
    buckets = fx.template.find_resources("AWS::S3::Bucket")
    assert set(buckets) == {fx.bucket_id, fx.log_bucket_id}
    for resource in buckets.values():
        assert resource["DeletionPolicy"] == "Retain" and resource["UpdateReplacePolicy"] == "Retain"
    types = {r["Type"] for r in fx.resources.values()}
    assert "Custom::S3AutoDeleteObjects" not in types
    assert not any(t.startswith("Custom::") or t == "AWS::Lambda::Function" for t in types)


@pytest.mark.parametrize("which", ["bucket", "log bucket"])
def test_bucket_policy_is_tls_only(fx: StorageStack, which: str) -> None:
    logical_id = fx.bucket_id if which == "bucket" else fx.log_bucket_id
    arn = {"Fn::GetAtt": [logical_id, "Arn"]}
    everything = [arn, {"Fn::Join": ["", [arn, "/*"]]}]
    statements = fx.raw_bucket_policy(logical_id)["Statement"]
    assert statements[:2] == [
        {
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": everything,
        },
        {
            "Action": "s3:*",
            "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": everything,
        },
    ]


def test_bucket_policy_denies_each_per_user_role_outside_its_folder(fx: StorageStack) -> None:
    """One Deny per role with an owner-only level (not protected-only, not the guest role), scoped by
    `aws:PrincipalArn`, with NotResource = its own folder plus every other level's root."""
    statements = fx.raw_bucket_policy()["Statement"]
    assert len(statements) == 6
    arn = {"Fn::GetAtt": [fx.bucket_id, "Arn"]}

    def under(path: str) -> dict[str, Any]:
        return {"Fn::Join": ["", [arn, f"/{path}"]]}

    def deny(sid: str, role: str, not_resources: list[str]) -> dict[str, Any]:
        return {
            "Sid": sid,
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": list(DENIED_OBJECT_ACTIONS),
            "Condition": {"ArnEquals": {"aws:PrincipalArn": {"Fn::GetAtt": [fx.logical_id(fx.roles[role]), "Arn"]}}},
            "NotResource": [under(p) for p in not_resources],
        }

    assert statements[2:] == [
        # granted first: the roots granted later (protected, public, home) were appended afterwards
        deny("UserDataDenyOtherUsers1", "auth", [f"private/{COGNITO_VAR}/*", "protected/*", "public/*", "home/*"]),
        deny("UserDataDenyOtherUsers2", "saml", [f"home/{SAML_VAR}/*", "private/*", "protected/*", "public/*"]),
        deny("UserDataDenyOtherUsers3", "partner", [f"private/{TAG_VAR}/*", "home/*", "protected/*", "public/*"]),
        deny("UserDataDenyOtherUsers4", "broker", [f"private/{TAG_VAR}/*", "home/*", "protected/*", "public/*"]),
    ]


# --- the role policies in the template -----------------------------------------------------------


def test_authenticated_role_policy_exactly(fx: StorageStack) -> None:
    private, protected = f"private/{COGNITO_VAR}/", f"protected/{COGNITO_VAR}/"
    assert fx.policy("auth") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "UserDataPrivateObjects",
                "Effect": "Allow",
                "Action": ALL_OBJECT_ACTIONS,
                "Resource": obj(f"{private}*"),
            },
            {
                "Sid": "UserDataPrivateList",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": BUCKET,
                "Condition": {"StringLike": {"s3:prefix": [private, f"{private}*"]}},
            },
            {
                "Sid": "UserDataPrivateDenyOthersList",
                "Effect": "Deny",
                "Action": "s3:ListBucket",
                "Resource": BUCKET,
                "Condition": {
                    "StringLike": {"s3:prefix": ["private/*"]},
                    "StringNotLike": {"s3:prefix": [private, f"{private}*"]},
                },
            },
            {
                "Sid": "UserDataProtectedOwn",
                "Effect": "Allow",
                "Action": ALL_OBJECT_ACTIONS,
                "Resource": obj(f"{protected}*"),
            },
            {
                "Sid": "UserDataProtectedReadAll",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": obj("protected/*"),
            },
            {
                "Sid": "UserDataProtectedList",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": BUCKET,
                "Condition": {"StringLike": {"s3:prefix": ["protected/", "protected/*"]}},
            },
            {"Sid": "UserDataPublicObjects", "Effect": "Allow", "Action": READ_WRITE, "Resource": obj("public/*")},
            {
                "Sid": "UserDataPublicList",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": BUCKET,
                "Condition": {"StringLike": {"s3:prefix": ["public/", "public/*"]}},
            },
        ],
    }


def test_guest_role_policy_is_public_read_only(fx: StorageStack) -> None:
    assert fx.policy("guest") == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "UserDataPublicObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": obj("public/*")},
            {
                "Sid": "UserDataPublicList",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": BUCKET,
                "Condition": {"StringLike": {"s3:prefix": ["public/", "public/*"]}},
            },
        ],
    }


def test_saml_role_policy_carries_persistent_and_browse(fx: StorageStack) -> None:
    own = f"home/{SAML_VAR}/"
    assert fx.policy("saml")["Statement"] == [
        {
            "Sid": "UserDataHomeObjects",
            "Effect": "Allow",
            "Action": READ_WRITE,
            "Resource": obj(f"{own}*"),
            "Condition": PERSISTENT,
        },
        {
            "Sid": "UserDataHomeList",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {**PERSISTENT, "StringLike": {"s3:prefix": [own, f"{own}*"]}},
        },
        {
            "Sid": "UserDataHomeBrowse",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {
                "StringEquals": {"saml:sub_type": "persistent", "s3:prefix": ["", "home/"], "s3:delimiter": "/"}
            },
        },
        {
            "Sid": "UserDataHomeDenyOthersList",
            "Effect": "Deny",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {
                "StringLike": {"s3:prefix": ["home/*"]},
                "StringNotLike": {"s3:prefix": [own, f"{own}*", "home/"]},
            },
        },
    ]


def test_grant_returns_the_statements_it_added(fx: StorageStack) -> None:
    guest = fx.grants["guest.public"]
    assert guest.success and not guest.resource_statements  # public: no per-user Deny in the bucket policy
    resolved = [fx.stack.resolve(s.to_statement_json()) for s in guest.principal_statements]
    assert resolved == fx.raw_policy("guest")["Statement"]
    private = fx.grants["auth.private"]
    assert [s.sid for s in private.principal_statements] == [
        "UserDataPrivateObjects",
        "UserDataPrivateList",
        "UserDataPrivateDenyOthersList",
    ]
    (deny,) = private.resource_statements
    assert deny.sid == "UserDataDenyOtherUsers1"
    assert fx.stack.resolve(deny.to_statement_json()) in fx.raw_bucket_policy()["Statement"]


def test_grants_add_only_one_default_policy_per_role(fx: StorageStack) -> None:
    for key, role in fx.roles.items():
        props = fx.resources[fx.logical_id(role)]["Properties"]
        assert "ManagedPolicyArns" not in props and "Policies" not in props, key
    # the second broker role was granted nothing: it has no policy at all
    assert len(fx.template.find_resources("AWS::IAM::Policy")) == 5


# --- 3. who reaches what: the evaluator's verdict ---------------------------------------------------


def cognito(identity: str, **extra: str) -> dict[str, str]:
    return {SUB: identity, **extra}


def listing(prefix: str | None, delimiter: str | None = None) -> dict[str, str | None]:
    return {"s3:prefix": prefix, "s3:delimiter": delimiter}


@pytest.mark.parametrize("action", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"])
def test_alice_uses_her_private_folder(fx: StorageStack, action: str) -> None:
    for key in (f"private/{ALICE}/file.txt", f"private/{ALICE}/photos/2024/cat.jpg"):
        assert fx.allows("auth", action, obj(key), cognito(ALICE)), key


@pytest.mark.parametrize(
    "key",
    [
        f"private/{ALICE2}/file.txt",  # a user id that extends hers
        f"private/{BOB}/file.txt",  # bob's folder
        f"private/{ALICE}",  # her folder's name without the '/' is no object of hers
        "private/file.txt",  # the level root
        "file.txt",  # the bucket root
        f"home/{ALICE}/file.txt",  # another level's per-user folder
        f"home/{NQ}/{STAFF}/file.txt",
        f"other/{ALICE}/file.txt",
    ],
)
@pytest.mark.parametrize("action", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
def test_alice_is_kept_out_of_every_other_private_object(fx: StorageStack, action: str, key: str) -> None:
    assert not fx.allows("auth", action, obj(key), cognito(ALICE))


def test_alice_lists_exactly_her_own_private_folder(fx: StorageStack) -> None:
    assert fx.allows("auth", "s3:ListBucket", BUCKET, cognito(ALICE, **listing(f"private/{ALICE}/")))
    assert fx.allows("auth", "s3:ListBucket", BUCKET, cognito(ALICE, **listing(f"private/{ALICE}/photos/", "/")))
    for prefix, delimiter in [
        ("private/", None),  # every user's file names
        ("private/", "/"),  # every user's folder name (no browse for this role)
        (f"private/{ALICE}", None),  # would list alice2/ too
        (f"private/{ALICE2}/", None),
        (f"private/{BOB}/", None),
        ("", None),  # the whole bucket
        ("", "/"),
        (None, None),  # no prefix at all
        (f"home/{ALICE}/", None),
    ]:
        assert not fx.allows("auth", "s3:ListBucket", BUCKET, cognito(ALICE, **listing(prefix, delimiter))), prefix


def test_protected_everyone_reads_only_the_owner_writes(fx: StorageStack) -> None:
    bobs = obj(f"protected/{BOB}/shared.txt")
    assert fx.allows("auth", "s3:GetObject", bobs, cognito(ALICE))
    for action in ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"):
        assert not fx.allows("auth", action, bobs, cognito(ALICE)), action
        assert fx.allows("auth", action, obj(f"protected/{ALICE}/mine.txt"), cognito(ALICE)), action
        assert not fx.allows("auth", action, obj(f"protected/{ALICE2}/mine.txt"), cognito(ALICE)), action
    assert fx.allows("auth", "s3:ListBucket", BUCKET, cognito(ALICE, **listing("protected/")))
    assert fx.allows("auth", "s3:ListBucket", BUCKET, cognito(ALICE, **listing(f"protected/{BOB}/")))


def test_public_is_read_write_for_signed_in_users_and_read_for_guests(fx: StorageStack) -> None:
    key = obj("public/notice.txt")
    assert fx.allows("auth", "s3:GetObject", key, cognito(ALICE))
    assert fx.allows("auth", "s3:PutObject", key, cognito(ALICE))
    assert not fx.allows("auth", "s3:DeleteObject", key, cognito(ALICE))  # granted read and write only
    assert fx.allows("auth", "s3:ListBucket", BUCKET, cognito(ALICE, **listing("public/")))
    guest = cognito("us-east-1:9999-guest")
    assert fx.allows("guest", "s3:GetObject", key, guest)
    assert fx.allows("guest", "s3:ListBucket", BUCKET, {**guest, **listing("public/")})
    for action, resource in [
        ("s3:PutObject", key),
        ("s3:DeleteObject", key),
        ("s3:GetObject", obj(f"private/{guest[SUB]}/x")),
        ("s3:GetObject", obj(f"protected/{BOB}/shared.txt")),
        ("s3:GetObject", obj("file.txt")),
    ]:
        assert not fx.allows("guest", action, resource, guest), (action, resource)


def test_no_tls_no_access(fx: StorageStack) -> None:
    own = obj(f"private/{ALICE}/file.txt")
    assert not fx.allows("auth", "s3:GetObject", own, cognito(ALICE, **{"aws:SecureTransport": "false"}))


def test_bucket_policy_deny_holds_against_a_broad_allow(fx: StorageStack) -> None:
    """Defence in depth: even if someone attaches `s3:*` on the whole bucket to the role, the bucket
    policy keeps its users out of other users' private folders and the bucket root (but not the
    other levels' roots, which their own grants govern)."""
    broad = (
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": [BUCKET, obj("*")]}]},
    )
    for key in (f"private/{BOB}/file.txt", f"private/{ALICE2}/file.txt", "file.txt", "other/file.txt"):
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObjectVersion", "s3:RestoreObject"):
            assert not fx.allows("auth", action, obj(key), cognito(ALICE), extra_policies=broad), (action, key)
    for key in (f"private/{ALICE}/file.txt", f"protected/{BOB}/x", "public/x", f"home/{NQ}/{STAFF}/x"):
        assert fx.allows("auth", "s3:PutObject", obj(key), cognito(ALICE), extra_policies=broad), key
    # the Deny names the role by aws:PrincipalArn: another principal is not affected by it
    request = S3Request(
        action="s3:GetObject",
        resource=obj(f"private/{BOB}/file.txt"),
        context={SUB: ALICE, "aws:SecureTransport": "true"},
    )
    assert s3_allows(
        request, identity_policies=list(broad), bucket_policy=fx.bucket_policy(), principal_arn=ROLE_ARNS["guest"]
    )


def saml_user(sub: str = STAFF, sub_type: str = "persistent", **extra: str | None) -> dict[str, str | None]:
    return {"saml:namequalifier": NQ, "saml:sub": sub, "saml:sub_type": sub_type, **extra}


def test_saml_user_uses_home_with_a_persistent_id(fx: StorageStack) -> None:
    own = obj(f"home/{NQ}/{STAFF}/notes/today.txt")
    assert fx.allows("saml", "s3:GetObject", own, saml_user())
    assert fx.allows("saml", "s3:PutObject", own, saml_user())
    assert not fx.allows("saml", "s3:DeleteObject", own, saml_user())  # read and write only
    assert fx.allows("saml", "s3:ListBucket", BUCKET, saml_user(**listing(f"home/{NQ}/{STAFF}/")))
    # a transient id changes every session: no folder, no listing
    for action in ("s3:GetObject", "s3:PutObject"):
        assert not fx.allows("saml", action, own, saml_user(sub_type="transient")), action
        assert not fx.allows("saml", action, own, saml_user(sub_type=None)), action
    assert not fx.allows(
        "saml", "s3:ListBucket", BUCKET, saml_user(sub_type="transient", **listing(f"home/{NQ}/{STAFF}/"))
    )


def test_saml_user_is_kept_out_of_other_homes(fx: StorageStack) -> None:
    for key in (
        f"home/{NQ}/{OTHER_STAFF}/x",
        f"home/{NQ}/{STAFF}2/x",
        f"home/{NQ}/x",
        "home/x",
        "x",
        f"home/other-qualifier/{STAFF}/x",
        f"private/{STAFF}/x",
        "public/x",
    ):
        assert not fx.allows("saml", "s3:GetObject", obj(key), saml_user()), key
        assert not fx.allows("saml", "s3:PutObject", obj(key), saml_user()), key


def test_saml_browse_lists_one_level_with_the_delimiter_only(fx: StorageStack) -> None:
    assert fx.allows("saml", "s3:ListBucket", BUCKET, saml_user(**listing("", "/")))
    assert fx.allows("saml", "s3:ListBucket", BUCKET, saml_user(**listing("home/", "/")))
    for prefix, delimiter in [
        ("", None),
        ("home/", None),
        (None, "/"),
        (None, None),
        ("", "|"),
        (f"home/{NQ}/", "/"),
        (f"home/{NQ}/{OTHER_STAFF}/", "/"),
        ("private/", "/"),
    ]:
        assert not fx.allows("saml", "s3:ListBucket", BUCKET, saml_user(**listing(prefix, delimiter))), (
            prefix,
            delimiter,
        )
    assert not fx.allows("saml", "s3:ListBucket", BUCKET, saml_user(sub_type="transient", **listing("", "/")))


def tagged(user: str | None) -> dict[str, str | None]:
    return {"aws:PrincipalTag/user": user}


def test_principal_tag_user_reaches_own_folder_only(fx: StorageStack) -> None:
    assert fx.allows("partner", "s3:PutObject", obj("private/alice/a.txt"), tagged("alice"))
    assert fx.allows("partner", "s3:ListBucket", BUCKET, {**tagged("alice"), **listing("private/alice/")})
    assert not fx.allows("partner", "s3:GetObject", obj("private/bob/a.txt"), tagged("alice"))
    assert not fx.allows("partner", "s3:GetObject", obj("private/alice2/a.txt"), tagged("alice"))
    assert not fx.allows("partner", "s3:DeleteObject", obj("private/alice/a.txt"), tagged("alice"))
    assert not fx.allows("partner", "s3:GetObject", obj("private/alice/a.txt"), tagged(None))
    # a tag value with '/' would land inside bob's folder: refused even for that very folder
    for key in ("private/bob/x/file", "private/bob/file"):
        assert not fx.allows("partner", "s3:GetObject", obj(key), tagged("bob/x")), key
        assert not fx.allows("partner", "s3:PutObject", obj(key), tagged("bob/x")), key
    assert not fx.allows("partner", "s3:ListBucket", BUCKET, {**tagged("bob/x"), **listing("private/bob/x/")})


# --- 4. one policy for any number of users ---------------------------------------------------------


def user_ids(count: int) -> list[str]:
    return [f"{REGION}:{uuid.UUID(int=(n * 0x9E3779B97F4A7C15 + 1) % (1 << 128))}" for n in range(count)]


@pytest.mark.parametrize("count", [10, 1_000])
def test_one_policy_serves_any_number_of_users(fx: StorageStack, count: int) -> None:
    document = fx.policy("auth")
    before = json.dumps(fx.raw_policy("auth"), sort_keys=True, separators=(",", ":")).encode()
    bucket_policy = fx.bucket_policy()
    ids = user_ids(count)
    assert len(set(ids)) == count
    for n, user in enumerate(ids):
        neighbour = ids[(n + 1) % count]
        context = {SUB: user, "aws:SecureTransport": "true"}
        own = S3Request(action="s3:PutObject", resource=obj(f"private/{user}/f"), context=context)
        theirs = S3Request(action="s3:GetObject", resource=obj(f"private/{neighbour}/f"), context=context)
        assert s3_allows(
            own, identity_policies=[document], bucket_policy=bucket_policy, principal_arn=ROLE_ARNS["auth"]
        ), user
        assert not s3_allows(
            theirs, identity_policies=[document], bucket_policy=bucket_policy, principal_arn=ROLE_ARNS["auth"]
        ), user
    after = json.dumps(fx.raw_policy("auth"), sort_keys=True, separators=(",", ":")).encode()
    assert after == before  # the same bytes, whatever the number of users
    assert not any(user.encode() in before for user in ids)  # no user is named in the policy
    assert len(before) < 10_240  # IAM's inline role policy quota, far from reached


# --- 5. grants after a per-user grant: the earlier Deny learns the new roots -------------------------


def test_a_root_granted_later_is_excluded_from_the_earlier_deny(fx: StorageStack) -> None:
    (first,) = [s for s in fx.bucket_policy()["Statement"] if s.get("Sid") == "UserDataDenyOtherUsers1"]
    assert first["Condition"] == {"ArnEquals": {"aws:PrincipalArn": ROLE_ARNS["auth"]}}
    assert first["NotResource"] == [obj(f"private/{COGNITO_VAR}/*"), obj("protected/*"), obj("public/*"), obj("home/*")]
    # public was granted after private, and still works
    assert fx.allows("auth", "s3:PutObject", obj("public/later.txt"), cognito(ALICE))
    assert fx.allows("auth", "s3:GetObject", obj(f"protected/{BOB}/x"), cognito(ALICE))


def test_a_grant_after_another_roles_private_grant_keeps_working() -> None:
    """Grant order on a small stack (no synthesis): private to one role, then public to another role
    and protected to the first; the first role's Deny names both later roots."""
    app = new_app()
    stack = Stack(app, "Order", env=ENV)
    storage = UserPrefixStorage(stack, "Files")
    pool = IdentityPoolFederation(
        stack, "Pool", logins=IdentityPoolLogins(google_client_id=GOOGLE_CLIENT), allow_guest=True
    )
    assert pool.guest_role is not None
    storage.grant_user_prefix(
        pool.authenticated_role, source=IdentitySource.cognito(), level="private", actions=["read"]
    )
    storage.grant_user_prefix(pool.guest_role, level="public", actions=["read"])
    storage.grant_user_prefix(
        pool.authenticated_role, source=IdentitySource.cognito(), level="protected", actions=["read"]
    )
    document = stack.resolve(storage.bucket.policy.document.to_json())  # type: ignore[union-attr]
    (deny,) = [s for s in document["Statement"] if s.get("Sid") == "FilesDenyOtherUsers1"]
    arn = {"Fn::GetAtt": [stack.get_logical_id(storage.bucket.node.default_child), "Arn"]}
    assert deny["NotResource"] == [
        {"Fn::Join": ["", [arn, f"/{p}"]]} for p in (f"private/{COGNITO_VAR}/*", "public/*", "protected/*")
    ]


# --- 6. cdk-nag --------------------------------------------------------------------------------------


def test_storage_stack_has_no_unacknowledged_findings(fx: StorageStack) -> None:
    report = AwsSolutionsChecks(fx.app, verbose=True).validate_scope(fx.stack)
    assert report.success, sorted(v.rule_name for v in report.violations)


def test_exactly_the_grants_wildcards_are_acknowledged(fx: StorageStack) -> None:
    bucket = f"<{fx.bucket_id}.Arn>"
    found: dict[str, set[str]] = {}
    for ack in acknowledged(fx.app.synth().directory):
        if ack.rule_id.startswith("AwsSolutions-IAM5"):
            found.setdefault(ack.path, set()).add(ack.rule_id)
    paths = {key: f"/{role.node.path}" for key, role in fx.roles.items()}

    def ids(*resources: str) -> set[str]:
        return {f"AwsSolutions-IAM5[Resource::{bucket}/{r}]" for r in resources}

    assert found == {
        paths["auth"]: ids(
            "private/<cognito-identity.amazonaws.com:sub>/*",
            "protected/<cognito-identity.amazonaws.com:sub>/*",
            "protected/*",
            "public/*",
        ),
        paths["guest"]: ids("public/*"),
        paths["saml"]: ids("home/<saml:namequalifier>/<saml:sub>/*"),
        paths["partner"]: ids("private/<aws:PrincipalTag/user>/*"),
        paths["broker"]: ids("private/<aws:PrincipalTag/user>/*"),
    }


# --- KMS, an imported bucket, a hand-written wildcard ------------------------------------------------


class SmallStacks:
    """Three small stacks in one app, each synthesized once."""

    def __init__(self) -> None:
        self.app: App = new_app()
        cognito = IdentitySource.cognito()

        self.kms_stack = Stack(self.app, "Kms", env=ENV)
        self.vault = UserPrefixStorage(self.kms_stack, "Vault", encryption="kms")
        pool = IdentityPoolFederation(
            self.kms_stack, "App", logins=IdentityPoolLogins(google_client_id=GOOGLE_CLIENT), allow_guest=True
        )
        acknowledge(pool, "AwsSolutions-COG7", "Guests on purpose: they read public/ of the vault bucket only")
        assert pool.guest_role is not None
        self.kms_roles = {"auth": pool.authenticated_role, "guest": pool.guest_role}
        self.vault.grant_user_prefix(
            pool.authenticated_role, source=cognito, level="private", actions=["read", "write"]
        )
        self.vault.grant_user_prefix(
            pool.authenticated_role, source=cognito, level="protected", actions=["read", "write", "delete"]
        )
        self.vault.grant_user_prefix(pool.guest_role, level="public", actions=["read"])

        self.imported_stack = Stack(self.app, "Imported", env=ENV)
        self.legacy = UserPrefixStorage.from_bucket_name(self.imported_stack, "Legacy", "legacy-user-data")
        legacy_pool = IdentityPoolFederation(
            self.imported_stack, "App", logins=IdentityPoolLogins(google_client_id=GOOGLE_CLIENT)
        )
        self.legacy_role = legacy_pool.authenticated_role
        self.legacy.grant_user_prefix(self.legacy_role, source=cognito, level="private", actions=["read", "write"])

        self.wild_stack = Stack(self.app, "Wildcards", env=ENV)
        wild = UserPrefixStorage(self.wild_stack, "Files")
        idp = OidcProvider(self.wild_stack, "Idp", issuer="https://idp.example.com/tenant", client_ids=["my-app"])
        role = OidcRole(
            self.wild_stack,
            "Partners",
            provider=idp,
            audiences=["my-app"],
            subjects=["user-*"],
            role_options=RoleOptions(session_tags=True),
        )
        wild.grant_user_prefix(role, source=IdentitySource.principal_tag("user"), level="private", actions=["read"])
        role.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::other-bucket/*"])
        )

        self.kms: dict[str, Any] = synth(self.kms_stack).to_json()
        self.imported: dict[str, Any] = synth(self.imported_stack).to_json()
        synth(self.wild_stack)

    def kms_id(self, construct: Any) -> str:
        return self.kms_stack.get_logical_id(construct.node.default_child)


@pytest.fixture(scope="module")
def small() -> SmallStacks:
    return SmallStacks()


def role_policy(template: Mapping[str, Any], role_id: str) -> dict[str, Any]:
    (policy,) = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [{"Ref": role_id}]
    ]
    return policy["Properties"]["PolicyDocument"]


def test_kms_bucket_uses_a_rotated_retained_key(small: SmallStacks) -> None:
    resources = small.kms["Resources"]
    assert small.vault.encryption_key is not None
    key_id = small.kms_id(small.vault.encryption_key)
    key = resources[key_id]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain" and key["UpdateReplacePolicy"] == "Retain"
    assert resources[small.kms_id(small.vault.bucket)]["Properties"]["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [
            {
                "ServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
                },
                "BucketKeyEnabled": True,
            }
        ]
    }
    # server access logs cannot be delivered to an SSE-KMS bucket: the log bucket stays SSE-S3
    assert small.vault.log_bucket is not None
    assert resources[small.kms_id(small.vault.log_bucket)]["Properties"]["BucketEncryption"] == SSE_S3


def test_kms_grants_name_the_key_actions_through_s3_only(small: SmallStacks) -> None:
    assert small.vault.encryption_key is not None
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    replacements = {
        f"{small.kms_id(small.vault.encryption_key)}.Arn": key_arn,
        "AWS::URLSuffix": "amazonaws.com",
        f"{small.kms_id(small.vault.bucket)}.Arn": BUCKET,
    }
    via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}

    def key_statements(role: str) -> list[dict[str, Any]]:
        document = resolve(role_policy(small.kms, small.kms_id(small.kms_roles[role])), replacements)
        return [
            s
            for s in document["Statement"]
            if any(str(a).startswith("kms:") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
        ]

    # two write grants to one role: one key statement
    assert key_statements("auth") == [
        {
            "Sid": "VaultKeyWrite",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
            "Condition": via_s3,
        }
    ]
    assert key_statements("guest") == [
        {"Sid": "VaultKeyRead", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn, "Condition": via_s3}
    ]


@pytest.mark.parametrize("which", ["kms", "imported"])
def test_small_stacks_have_no_unacknowledged_findings(small: SmallStacks, which: str) -> None:
    stack = small.kms_stack if which == "kms" else small.imported_stack
    report = AwsSolutionsChecks(small.app, verbose=True).validate_scope(stack)
    assert report.success, sorted(v.rule_name for v in report.violations)


def test_a_hand_written_wildcard_is_still_reported(small: SmallStacks) -> None:
    report = AwsSolutionsChecks(small.app, verbose=True).validate_scope(small.wild_stack)
    assert sorted(v.rule_name for v in report.violations) == [
        "AwsSolutions-IAM5[Resource::arn:aws:s3:::other-bucket/*]"
    ]


# --- 7. an imported bucket -----------------------------------------------------------------------------


def test_imported_bucket_grants_name_it_by_partition_and_add_no_bucket_policy(small: SmallStacks) -> None:
    types = [r["Type"] for r in small.imported["Resources"].values()]
    assert "AWS::S3::BucketPolicy" not in types and "AWS::S3::Bucket" not in types
    assert small.legacy.imported is True and small.legacy.log_bucket is None
    raw = role_policy(small.imported, small.imported_stack.get_logical_id(small.legacy_role.node.default_child))

    def arn(suffix: str) -> dict[str, Any]:
        return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":s3:::legacy-user-data{suffix}"]]}

    own = f"private/{COGNITO_VAR}/"
    assert raw["Statement"] == [
        {"Sid": "LegacyPrivateObjects", "Effect": "Allow", "Action": READ_WRITE, "Resource": arn(f"/{own}*")},
        {
            "Sid": "LegacyPrivateList",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": arn(""),
            "Condition": {"StringLike": {"s3:prefix": [own, f"{own}*"]}},
        },
        {
            "Sid": "LegacyPrivateDenyOthersList",
            "Effect": "Deny",
            "Action": "s3:ListBucket",
            "Resource": arn(""),
            "Condition": {"StringLike": {"s3:prefix": ["private/*"]}, "StringNotLike": {"s3:prefix": [own, f"{own}*"]}},
        },
    ]
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        document = resolve(raw, {"AWS::Partition": partition})
        legacy = f"arn:{partition}:s3:::legacy-user-data"

        def allows(action: str, resource: str, document: dict[str, Any] = document, **extra: str) -> bool:
            return s3_allows(
                S3Request(action=action, resource=resource, context={SUB: ALICE, **extra}), identity_policies=[document]
            )

        assert allows("s3:PutObject", f"{legacy}/private/{ALICE}/a")
        assert not allows("s3:PutObject", f"{legacy}/private/{BOB}/a")
        if partition != "aws":  # the partition comes from the stack, not a hard-coded "aws"
            assert not allows("s3:PutObject", f"arn:aws:s3:::legacy-user-data/private/{ALICE}/a")
        assert allows("s3:ListBucket", legacy, **{"s3:prefix": f"private/{ALICE}/"})
        assert not allows("s3:ListBucket", legacy, **{"s3:prefix": "private/"})


# --- 8. the federation broker ----------------------------------------------------------------------


def broker_conditions(tag: str, external_id: str | None = None) -> dict[str, Any]:
    conditions: dict[str, Any] = {
        "Null": {"sts:SourceIdentity": "false", f"aws:RequestTag/{tag}": "false"},
        "ForAllValues:StringEquals": {"aws:TagKeys": [tag]},
    }
    if external_id is not None:
        conditions["StringEquals"] = {"sts:ExternalId": external_id}
    return conditions


def trusted_actions(trust: Mapping[str, Any]) -> dict[str, set[str]]:
    """principal ARN -> the actions some statement allows it (every statement must be an Allow)."""
    found: dict[str, set[str]] = {}
    for statement in trust["Statement"]:
        assert statement["Effect"] == "Allow" and set(statement) == {"Effect", "Principal", "Action", "Condition"}
        assert set(statement["Principal"]) == {"AWS"}
        principals, actions = statement["Principal"]["AWS"], statement["Action"]
        for principal in [principals] if isinstance(principals, str) else principals:
            found.setdefault(principal, set()).update([actions] if isinstance(actions, str) else actions)
    return found


BROKER_ACTIONS = {"sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"}


def test_broker_trust_exactly(fx: StorageStack) -> None:
    trust = fx.trust(fx.broker.role)
    assert trust["Version"] == "2012-10-17"
    assert trusted_actions(trust) == {BROKER_SERVICE: BROKER_ACTIONS}
    for statement in trust["Statement"]:
        assert statement["Condition"] == broker_conditions("user")
    assert fx.broker.conditions == broker_conditions("user")
    assert fx.broker.user_source == IdentitySource.principal_tag("user")
    assert fx.broker.trusted_arns == (BROKER_SERVICE,)
    assert fx.resources[fx.logical_id(fx.broker.role)]["Properties"]["MaxSessionDuration"] == 3600


def test_broker_with_external_id_and_two_trusted_principals(fx: StorageStack) -> None:
    trust = fx.trust(fx.partner_broker.role)
    assert trusted_actions(trust) == {BROKER_SERVICE: BROKER_ACTIONS, PARTNER_SERVICE: BROKER_ACTIONS}
    for statement in trust["Statement"]:
        assert statement["Condition"] == broker_conditions("employee", "partner-1234")
    assert fx.partner_broker.user_source == IdentitySource.principal_tag("employee")
    assert fx.partner_broker.trusted_arns == (BROKER_SERVICE, PARTNER_SERVICE)


def test_broker_session_reaches_its_users_folder_only(fx: StorageStack) -> None:
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
        assert fx.allows("broker", action, obj("private/alice/a.txt"), tagged("alice")), action
    assert fx.allows("broker", "s3:ListBucket", BUCKET, {**tagged("alice"), **listing("private/alice/")})
    for key in ("private/bob/a.txt", "private/alice2/a.txt", "private/a.txt", "a.txt", "home/alice/a.txt"):
        assert not fx.allows("broker", "s3:GetObject", obj(key), tagged("alice")), key
    assert not fx.allows("broker", "s3:GetObject", obj("private/alice/a.txt"), tagged(None))
    assert not fx.allows("broker", "s3:ListBucket", BUCKET, {**tagged("alice"), **listing("private/")})
    # tags may hold '/', user folders may not: "bob/x" is refused even on private/bob/x/
    for key in ("private/bob/x/file", "private/bob/file"):
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
            assert not fx.allows("broker", action, obj(key), tagged("bob/x")), (action, key)
