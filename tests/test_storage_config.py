"""The `storage` section of the config: the example's bucket and grants, a broker, and every refusal.

Config tests write YAML files to `tmp_path` and go through `load_config` (and `build_stacks`), as
`app.py` does. Two templates are synthesized in this module: the example (the session's shared
`example_template`) and one config with a broker (module-scoped); everything else stops at
`load_config` or `build_stacks`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from federation_constructs.errors import FederationValidationError
from stacks.build import build_stacks
from stacks.config import ConfigError, DeploymentConfig, load_config
from tests.s3_matcher import S3Request, resolve, s3_allows
from tests.support import EXAMPLE, new_app, synth

METADATA = (EXAMPLE.parent / "saml" / "adfs-example-metadata.xml").resolve()
STACK = "storage-config"
BROKER_TRUSTED = "arn:aws:iam::111122223333:role/intranet-broker"
GOOGLE_CLIENT = "1234567890-abc.apps.googleusercontent.com"
BUCKET_ARN = "arn:aws:s3:::user-data-test"

# The header of the example, a SAML provider and one SAML role (persistent ids only)
BASE = f"""\
name: {STACK}
account: "111122223333"
region: eu-west-1
saml:
  providers:
    - id: Corp
      metadata: {METADATA}
  roles:
    - name: Files
      provider: Corp
      attribute_conditions:
        "saml:sub_type": [persistent]
"""
POOL_NO_GUESTS = f"""\
identity_pool:
  name: Pool
  google_client_id: "{GOOGLE_CLIENT}"
"""
POOL_WITH_GUESTS = f"""\
identity_pool:
  name: Pool
  google_client_id: "{GOOGLE_CLIENT}"
  allow_guest: true
  guest_policy:
    - actions: [s3:GetObject]
      resources: ["arn:aws:s3:::app-assets/public/*"]
"""


def write(tmp_path: Path, body: str, *, pool: str = "") -> Path:
    """`config.yaml` in `tmp_path`: BASE, then `pool` (an identity_pool section), then `body` (dedented)."""
    file = tmp_path / "config.yaml"
    file.write_text(BASE + pool + textwrap.dedent(body), encoding="utf-8")
    return file


def config_error(tmp_path: Path, body: str, *, pool: str = "") -> str:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, body, pool=pool))
    message = str(err.value)
    assert message.startswith(f"config error: {tmp_path / 'config.yaml'}:"), message
    assert "\n" not in message, f"one problem, one line: {message!r}"
    return message


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def policy_of_role(template: dict[str, Any], role_prefix: str) -> dict[str, Any]:
    """The one `AWS::IAM::Policy` attached to the role whose logical id starts with `role_prefix`."""
    roles = [k for k in resources_of(template, "AWS::IAM::Role") if k.startswith(role_prefix)]
    assert len(roles) == 1, roles
    policies = [
        p["Properties"]["PolicyDocument"]
        for p in resources_of(template, "AWS::IAM::Policy").values()
        if {"Ref": roles[0]} in p["Properties"]["Roles"]
    ]
    assert len(policies) == 1, policies
    return policies[0]


def bucket_id(template: dict[str, Any], prefix: str) -> str:
    """The logical id of the user-data bucket (not its access-log bucket)."""
    ids = [k for k in resources_of(template, "AWS::S3::Bucket") if k.startswith(f"{prefix}Bucket")]
    assert len(ids) == 1, ids
    return ids[0]


def allowed(policy: dict[str, Any], action: str, key: str | None, **context: Any) -> bool:
    resource = BUCKET_ARN if key is None else f"{BUCKET_ARN}/{key}"
    return s3_allows(S3Request(action=action, resource=resource, context=context), identity_policies=[policy])


# --- the example ---------------------------------------------------------------------------------


def test_example_storage_section(example_config: DeploymentConfig) -> None:
    storage = example_config.storage
    assert storage is not None
    assert storage.id == "UserData"
    assert storage.encryption == "s3" and storage.broker is None
    assert [g.role for g in storage.grants] == [
        "AppIdentityPool/authenticated",
        "AppIdentityPool/guest",
        "EmployeeFiles",
    ]
    by_role = {g.role: g for g in storage.grants}
    assert by_role["AppIdentityPool/authenticated"].source == "cognito"
    assert by_role["AppIdentityPool/guest"].source is None
    assert by_role["AppIdentityPool/guest"].levels == {"public": ["read"]}
    assert by_role["EmployeeFiles"].source == "saml" and by_role["EmployeeFiles"].browse
    assert by_role["EmployeeFiles"].levels == {"home/{id}/": ["read", "write", "delete"]}


def test_example_template_has_the_user_data_bucket(example_template: Template) -> None:
    example_template.resource_count_is("AWS::S3::Bucket", 2)  # the user data and its access logs
    template = example_template.to_json()
    bucket = bucket_id(template, "UserData")
    assert template["Outputs"]["UserDataBucketName"]["Value"] == {"Ref": bucket}


def test_example_employee_files_reach_their_saml_home_only(example_template: Template) -> None:
    template = example_template.to_json()
    raw = policy_of_role(template, "EmployeeFilesRole")
    text = str(raw)
    assert "home/${saml:namequalifier}/${saml:sub}/" in text
    assert "home/${saml:namequalifier}/${saml:sub}/*" in text
    policy = resolve(raw, {f"{bucket_id(template, 'UserData')}.Arn": BUCKET_ARN})
    alice = {"saml:namequalifier": "q1", "saml:sub": "alice", "saml:sub_type": "persistent"}
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
        assert allowed(policy, action, "home/q1/alice/x", **alice), action
        assert not allowed(policy, action, "home/q1/bob/x", **alice), action
        assert not allowed(policy, action, "home/q1/alice2/x", **alice), action
        assert not allowed(policy, action, "home/q2/alice/x", **alice), action
        assert not allowed(policy, action, "private/x", **alice), action
    assert not allowed(policy, "s3:GetObject", "home/q1/alice/x", **{**alice, "saml:sub_type": "transient"})
    assert allowed(policy, "s3:ListBucket", None, **alice, **{"s3:prefix": "home/q1/alice/"})
    assert not allowed(policy, "s3:ListBucket", None, **alice, **{"s3:prefix": "home/q1/bob/"})
    assert not allowed(policy, "s3:ListBucket", None, **alice, **{"s3:prefix": "home/"})  # without the delimiter
    assert allowed(policy, "s3:ListBucket", None, **alice, **{"s3:prefix": "home/", "s3:delimiter": "/"})  # browse


# --- a broker --------------------------------------------------------------------------------------

BROKER_BODY = f"""\
storage:
  broker:
    id: FileBroker
    trusted: ["{BROKER_TRUSTED}"]
  grants:
    - role: FileBroker
      source: {{principal_tag: user}}
      levels:
        "home/{{id}}/": [read, write]
"""


@pytest.fixture(scope="module")
def broker_template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    config = load_config(write(tmp_path_factory.mktemp("broker"), BROKER_BODY))
    return synth(build_stacks(new_app(), config)).to_json()


def test_broker_config_loads(tmp_path: Path) -> None:
    storage = load_config(write(tmp_path, BROKER_BODY)).storage
    assert storage is not None and storage.broker is not None
    assert storage.broker.id == "FileBroker" and storage.broker.trusted == [BROKER_TRUSTED]
    assert storage.broker.user_tag == "user" and storage.broker.max_session_hours == 1


def test_broker_role_trust(broker_template: dict[str, Any]) -> None:
    roles = {k: v for k, v in resources_of(broker_template, "AWS::IAM::Role").items() if k.startswith("FileBroker")}
    assert len(roles) == 1, list(roles)
    ((logical_id, role),) = roles.items()
    statements = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    actions: set[str] = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"AWS": BROKER_TRUSTED}
        assert statement["Condition"]["Null"] == {"sts:SourceIdentity": "false", "aws:RequestTag/user": "false"}
        assert statement["Condition"]["ForAllValues:StringEquals"] == {"aws:TagKeys": ["user"]}
        found = statement["Action"]
        actions |= {found} if isinstance(found, str) else set(found)
    assert actions == {"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"}
    assert role["Properties"].get("MaxSessionDuration", 3600) == 3600
    output = broker_template["Outputs"]["FileBrokerRoleArn"]
    assert output["Value"] == {"Fn::GetAtt": [logical_id, "Arn"]}
    assert "UserDataBucketName" in broker_template["Outputs"]


def test_broker_grant_reaches_the_tagged_users_home_only(broker_template: dict[str, Any]) -> None:
    raw = policy_of_role(broker_template, "FileBroker")
    assert "home/${aws:PrincipalTag/user}/" in str(raw)
    policy = resolve(raw, {f"{bucket_id(broker_template, 'UserData')}.Arn": BUCKET_ARN})
    alice = {"aws:PrincipalTag/user": "alice"}
    assert allowed(policy, "s3:GetObject", "home/alice/x", **alice)
    assert allowed(policy, "s3:PutObject", "home/alice/x", **alice)
    assert not allowed(policy, "s3:DeleteObject", "home/alice/x", **alice)  # read and write only
    assert not allowed(policy, "s3:GetObject", "home/bob/x", **alice)
    assert not allowed(policy, "s3:GetObject", "home/alice2/x", **alice)
    assert not allowed(policy, "s3:GetObject", "home/alice/x")  # no tag, no folder
    # a tag value with '/' would reach into another folder: refused by the grant's condition
    assert not allowed(policy, "s3:GetObject", "home/bob/x/y", **{"aws:PrincipalTag/user": "bob/x"})
    assert allowed(policy, "s3:ListBucket", None, **alice, **{"s3:prefix": "home/alice/"})
    assert not allowed(policy, "s3:ListBucket", None, **alice, **{"s3:prefix": "home/"})


# --- refusals at load_config -------------------------------------------------------------------------


def test_unknown_key_under_storage(tmp_path: Path) -> None:
    message = config_error(tmp_path, "storage:\n  bukcet_name: x\n")
    assert "storage.bukcet_name: unknown key (did you mean 'bucket_name'?)" in message
    assert "accepted keys here: id, encryption, bucket_name, noncurrent_version_days, broker, grants" in message


LEVEL_ACCEPTED = "expected 'public', 'protected', 'private' or a template such as 'home/{id}/'"


@pytest.mark.parametrize(
    "level",
    [
        pytest.param("secret", id="unknown-name"),
        pytest.param("home/{id}", id="no-trailing-slash"),
        pytest.param("home*/{id}/", id="star"),
        pytest.param("home/{id}/*", id="trailing-star"),
        pytest.param("home/{id}/x/", id="id-not-last"),
        pytest.param("{id}/", id="no-root"),
        pytest.param("home/${aws:username}/", id="variable"),
        pytest.param("Private", id="capitalized"),
    ],
)
def test_refused_level(tmp_path: Path, level: str) -> None:
    message = config_error(
        tmp_path,
        f"""\
        storage:
          grants:
            - role: Files
              source: saml
              levels:
                "{level}": [read]
        """,
    )
    assert f"storage.grants[0].levels: level {level!r} is not accepted; {LEVEL_ACCEPTED}" in message


def test_refused_capability(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        """\
        storage:
          grants:
            - {role: Files, source: saml, levels: {private: [read, admin]}}
        """,
    )
    assert "storage.grants[0].levels.private[1]: 'admin' is not accepted" in message
    assert "'read', 'write' or 'delete'" in message


def test_refused_empty_levels(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        """\
        storage:
          grants:
            - {role: Files, source: saml, levels: {}}
        """,
    )
    assert "storage.grants[0].levels: {} is not accepted" in message
    assert "at least 1 item" in message
    assert "levels are 'public', 'protected', 'private' or a template such as 'home/{id}/'" in message


def test_refused_level_without_capabilities(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        """\
        storage:
          grants:
            - {role: Files, source: saml, levels: {private: []}}
        """,
    )
    assert (
        "storage.grants[0].levels: level 'private' has no capabilities; expected a list of read, write, delete"
        in message
    )


def test_refused_unknown_role_lists_the_declared_roles(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        pool=POOL_NO_GUESTS,
        body="""\
        storage:
          broker: {id: Broker, trusted: ["arn:aws:iam::111122223333:role/b"]}
          grants:
            - {role: Files, source: saml, levels: {private: [read]}}
            - {role: Nobody, source: saml, levels: {private: [read]}}
        """,
    )
    assert (
        "storage.grants[1].role: 'Nobody' is not a role of this config; "
        "expected one of Broker, Files, Pool/authenticated"
    ) in message


def test_refused_unknown_role_without_any_roles(tmp_path: Path) -> None:
    file = tmp_path / "config.yaml"
    file.write_text(
        'name: x\naccount: "111122223333"\nregion: eu-west-1\n'
        "storage:\n  grants:\n    - {role: Files, levels: {public: [read]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_config(file)
    assert "storage.grants[0].role: 'Files' is not a role of this config; expected one of (no roles declared)" in str(
        err.value
    )


def test_refused_same_role_in_two_grants(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        """\
        storage:
          grants:
            - {role: Files, source: saml, levels: {private: [read]}}
            - {role: Files, source: saml, levels: {"home/{id}/": [read]}}
        """,
    )
    assert "storage.grants names role 'Files' twice; expected one entry per role with all its levels" in message


def test_refused_broker_id_equal_to_a_role_name(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        """\
        storage:
          broker: {id: Files, trusted: ["arn:aws:iam::111122223333:role/b"]}
        """,
    )
    assert "'Files' is used in both saml.roles and storage.broker.id" in message
    assert "must be unique across sections" in message


def test_refused_encryption(tmp_path: Path) -> None:
    message = config_error(tmp_path, "storage:\n  encryption: aes\n")
    assert "storage.encryption: 'aes' is not accepted" in message
    assert "'s3' or 'kms'" in message


@pytest.mark.parametrize("name", ["Bad_Name", "ab", "-bucket", "bucket-", "a" * 64])
def test_refused_bucket_name(tmp_path: Path, name: str) -> None:
    message = config_error(tmp_path, f"storage:\n  bucket_name: {name}\n")
    assert f"storage.bucket_name: {name!r} is not accepted" in message
    assert "a fixed bucket name" in message


def test_refused_guest_grant_when_the_pool_has_no_guests(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        pool=POOL_NO_GUESTS,
        body="""\
        storage:
          grants:
            - {role: Pool/guest, levels: {public: [read]}}
        """,
    )
    assert "storage.grants[0].role: 'Pool/guest' does not exist because identity_pool.allow_guest is false" in message
    assert "allow_guest: true" in message


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        pytest.param("storage:\n  broker: {id: B, trusted: []}\n", "storage.broker.trusted", "[]", id="empty-trusted"),
        pytest.param(
            "storage:\n  broker: {id: B, trusted: [x], max_session_hours: 13}\n",
            "storage.broker.max_session_hours",
            "13",
            id="session-hours",
        ),
        pytest.param(
            "storage:\n  broker: {id: B, trusted: [x], user_tag: 'a b'}\n",
            "storage.broker.user_tag",
            "'a b'",
            id="user-tag",
        ),
        pytest.param("storage:\n  noncurrent_version_days: 0\n", "storage.noncurrent_version_days", "0", id="days"),
    ],
)
def test_other_refusals_name_field_and_value(tmp_path: Path, body: str, field: str, value: str) -> None:
    message = config_error(tmp_path, body)
    assert f"{field}" in message and value in message, message


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("ldap", id="unknown-name"),
        pytest.param("{tag: user}", id="wrong-key"),
        pytest.param("{principal_tag: 'a b'}", id="bad-tag-key"),
    ],
)
def test_refused_source_names_the_source_field(tmp_path: Path, source: str) -> None:
    message = config_error(
        tmp_path,
        f"""\
        storage:
          grants:
            - {{role: Files, source: {source}, levels: {{private: [read]}}}}
        """,
    )  # config_error also requires one problem on one line
    assert "storage.grants[0].source" in message
    assert "literal[" not in message and "PrincipalTagSource" not in message, message
    assert "none yet" not in message, message
    assert "expected 'cognito', 'saml' or {principal_tag: KEY}" in message, message


# --- refusals at build_stacks -------------------------------------------------------------------------


def test_cognito_source_on_a_saml_role_is_refused(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """\
        storage:
          grants:
            - {role: Files, source: cognito, levels: {private: [read]}}
        """,
        )
    )
    with pytest.raises(FederationValidationError) as err:
        build_stacks(new_app(), config)
    message = str(err.value)
    assert message.startswith(f"{STACK}/UserData: source='cognito' is not accepted; expected "), message
    assert f"{STACK}/Files/Role" in message  # the role's path
    assert "the role is assumed through SAML" in message


def test_principal_tag_source_on_a_role_without_session_tags_is_refused(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """\
        storage:
          grants:
            - {role: Files, source: {principal_tag: user}, levels: {private: [read]}}
        """,
        )
    )
    with pytest.raises(FederationValidationError) as err:
        build_stacks(new_app(), config)
    assert f"{STACK}/UserData: source='tag:user' is not accepted; expected " in str(err.value)
    assert "sts:TagSession" in str(err.value)


def test_guest_write_without_opt_in_is_refused(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            pool=POOL_WITH_GUESTS,
            body="""\
        storage:
          grants:
            - {role: Pool/guest, levels: {public: [read, write]}}
        """,
        )
    )
    with pytest.raises(FederationValidationError) as err:
        build_stacks(new_app(), config)
    message = str(err.value)
    assert message.startswith(
        f"{STACK}/UserData: actions=['read', 'write'] is not accepted; expected ['read'] for {STACK}/Pool/GuestRole"
    ), message
    assert "allow_guest_write=True" in message


def test_guest_write_with_opt_in_builds(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            pool=POOL_WITH_GUESTS,
            body="""\
        storage:
          grants:
            - {role: Pool/guest, allow_guest_write: true, levels: {public: [read, write]}}
        """,
        )
    )
    stack = build_stacks(new_app(), config)
    assert stack.storage is not None


def test_guest_per_user_level_is_refused(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            pool=POOL_WITH_GUESTS,
            body="""\
        storage:
          grants:
            - {role: Pool/guest, source: cognito, levels: {private: [read]}}
        """,
        )
    )
    with pytest.raises(FederationValidationError) as err:
        build_stacks(new_app(), config)
    assert f"{STACK}/UserData: level='private' is not accepted; expected 'public' for {STACK}/Pool/GuestRole" in str(
        err.value
    )


# Every id of the storage section becomes a construct id in the one stack, next to the provider ids,
# role names and the identity pool's name: a clash must be a config error, not a jsii RuntimeError.
CLASHES = [
    pytest.param(
        "storage:\n  broker: {id: UserData, trusted: ['arn:aws:iam::111122223333:role/b']}\n",
        "UserData",
        id="broker-id-is-the-storage-id",
    ),
    pytest.param("storage:\n  id: Files\n", "Files", id="storage-id-is-a-role-name"),
    pytest.param("storage:\n  id: Corp\n", "Corp", id="storage-id-is-a-provider-id"),
    pytest.param(
        "storage:\n  broker: {id: Corp, trusted: ['arn:aws:iam::111122223333:role/b']}\n",
        "Corp",
        id="broker-id-is-a-provider-id",
    ),
    pytest.param(
        POOL_NO_GUESTS + "storage:\n  broker: {id: Pool, trusted: ['arn:aws:iam::111122223333:role/b']}\n",
        "Pool",
        id="broker-id-is-the-pool-name",
    ),
]


@pytest.mark.parametrize(("body", "clash"), CLASHES)
def test_storage_ids_clashing_with_other_construct_ids_are_refused(tmp_path: Path, body: str, clash: str) -> None:
    with pytest.raises(ConfigError) as failed:
        load_config(write(tmp_path, body))
    message = str(failed.value)
    assert repr(clash) in message and "must be unique across sections" in message, message
