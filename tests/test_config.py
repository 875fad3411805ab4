"""The config file: valid input parses into the model; every kind of bad input is one clear message."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from stacks.config import ConfigError, DeploymentConfig, json_schema, load_config, partition_of
from tests.support import EXAMPLE, REPO

VALID = """\
name: acme-federation
account: "012345678901"
region: eu-central-1
tags:
  owner: platform
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deployment.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_example_is_valid(example_config: DeploymentConfig) -> None:
    assert example_config.name == "example-federation"
    assert example_config.account == "111122223333"
    assert example_config.region == "eu-west-1"
    assert example_config.partition == "aws"
    assert example_config.tags == {"project": "federation-as-code", "owner": "platform-team"}


def test_valid_file_keeps_leading_zero_account(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.account == "012345678901"
    assert config.oidc is None and config.saml is None
    assert config.identity_pool is None and config.storage is None


def test_empty_sections_are_accepted(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID + "oidc: {}\nsaml: {}\nidentity_pool: {}\nstorage: {}\n"))
    assert config.oidc is not None and config.storage is not None


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
    ],
)
def test_partition_follows_region(region: str, partition: str) -> None:
    assert partition_of(region) == partition


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    message = error_of(missing)
    assert str(missing) in message
    assert "no such file" in message
    assert "-c config=" in message  # says how to point at another file


def test_yaml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "name: acme\n  account: [\n")
    message = error_of(path)
    assert message.startswith(f"config error: {path}: 2:")
    assert "not valid YAML" in message


def test_duplicate_key_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "region: us-east-1\n")
    message = error_of(path)
    assert str(path) in message
    assert "duplicate key 'region'" in message and "line 3" in message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n"])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    message = error_of(write(tmp_path, text))
    assert "expected a mapping with the keys name, account, region" in message


def test_unknown_key_names_the_key_suggests_and_lists_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "oidcc: {}\n")
    message = error_of(path)
    assert message == (
        f"config error: {path}:6: oidcc: unknown key (did you mean 'oidc'?); accepted keys here: "
        "name, account, region, tags, oidc, saml, identity_pool, storage, sharding, role_defaults, targets"
    )


def test_unknown_key_inside_a_section_names_the_full_path(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "oidc:\n  provider: []\n")
    message = error_of(path)
    assert f"{path}:7: oidc.provider: unknown key (did you mean 'providers'?)" in message
    assert "accepted keys here: providers, roles" in message


def test_wrong_type_names_field_value_and_expectation(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("  owner: platform\n", "  owner: 42\n"))
    message = error_of(path)
    assert f"{path}:5: tags.owner: 42 is not accepted" in message
    assert "expected a mapping of at most 50 tags" in message


def test_section_of_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "storage: yes\n")
    message = error_of(path)
    assert f"{path}:6: storage: True is not accepted (not a mapping)" in message
    assert "expected per-user S3 storage: a mapping" in message


@pytest.mark.parametrize("account", ['"12345"', '"1234567890123"', '"12345678901a"', '""'])
def test_bad_account_id(tmp_path: Path, account: str) -> None:
    path = write(tmp_path, VALID.replace('"012345678901"', account))
    message = error_of(path)
    value = account.strip('"')
    assert f"{path}:2: account: {value!r} is not accepted; expected a 12-digit AWS account id" in message


def test_unquoted_account_id_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('"012345678901"', "123456789012"))
    message = error_of(path)
    assert f"{path}:2: account: 123456789012 is not accepted" in message
    assert "quoted string" in message and "loses leading zeros" in message


@pytest.mark.parametrize("region", ["eu-west", "Europe", "eu-wset-1", "EU-WEST-1", "eu-west-0", "xx-east-1"])
def test_bad_region(tmp_path: Path, region: str) -> None:
    path = write(tmp_path, VALID.replace("eu-central-1", region))
    message = error_of(path)
    assert f"{path}:3: region: {region!r} is not accepted; expected an AWS region code" in message
    assert "'eu-west-1'" in message


@pytest.mark.parametrize("name", ["1stack", "my_stack", "has space", "x" * 129])
def test_bad_name(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, VALID.replace("acme-federation", f'"{name}"'))
    assert f"{path}:1: name: {name!r} is not accepted; expected a name that starts with a letter" in error_of(path)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ('{"aws:owner": x}', "uses the reserved 'aws:' prefix"),
        ('{"": x}', "tag key '' is not accepted"),
        ('{owner: "a|b"}', "tag 'owner' has value 'a|b', which is not accepted"),
    ],
)
def test_bad_tags(tmp_path: Path, tags: str, expected: str) -> None:
    path = write(tmp_path, VALID.replace("tags:\n  owner: platform\n", f"tags: {tags}\n"))
    message = error_of(path)
    assert f"{path}:4: tags: " in message and expected in message


def test_missing_required_keys_are_all_reported_in_one_message(tmp_path: Path) -> None:
    path = write(tmp_path, "tags: {}\n")
    message = error_of(path)
    assert message.startswith(f"config error: {path}: 3 problems\n")
    for field in ("name", "account", "region"):
        assert f"{field}: required key is missing; expected" in message


def test_empty_file_reports_the_missing_keys(tmp_path: Path) -> None:
    assert "name: required key is missing" in error_of(write(tmp_path, ""))


def test_committed_schema_matches_the_model() -> None:
    committed = json.loads((REPO / "schema" / "config.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run `make schema` and commit schema/config.schema.json"


def test_schema_refuses_unknown_keys_everywhere() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert all(d["additionalProperties"] is False for d in schema["$defs"].values())
    assert set(schema["required"]) == {"name", "account", "region"}


def test_example_file_is_the_one_cdk_json_names() -> None:
    cdk_json = json.loads((REPO / "cdk.json").read_text(encoding="utf-8"))
    assert (REPO / cdk_json["context"]["config"]).resolve() == EXAMPLE
    assert cdk_json["app"].startswith(".venv/bin/python app.py")
