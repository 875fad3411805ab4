"""Every refusal of the SAML constructs and the `saml` config section.

Construct refusals are `FederationValidationError`s whose message names the construct path, the
field and the value, then says what is accepted (the form of `federation_constructs.errors.invalid`);
for metadata problems the value is the metadata file's path (or "inline") and the accepted part
says what is wrong with the document. Config refusals are `ConfigError`s naming file, line and
field path. Nothing is synthesized (except by the one `app.py` subprocess): one app with a stack per
partition serves the whole module, every test adds constructs under its own id. Metadata variants
come from `scripts.saml_metadata.build_metadata`, with a few certificates made once per module.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Duration, Environment, Stack
from aws_cdk import aws_iam as iam

from federation_constructs.errors import FederationValidationError
from federation_constructs.saml import GLOBAL_SIGN_IN, RoleOptions, SamlProvider, SamlRole
from scripts.saml_metadata import build_metadata, self_signed_certificate
from stacks.build import build_stacks
from stacks.config import ConfigError, load_config
from tests.support import EXAMPLE, REPO, new_app, refused, tool_env

EXAMPLE_METADATA = EXAMPLE.parent / "saml" / "adfs-example-metadata.xml"

ACCOUNT = "111122223333"
STACK = "SamlRefusals"
CN_STACK = "SamlRefusalsCn"
GOV_STACK = "SamlRefusalsGov"
AGNOSTIC_STACK = "Agnostic"

DTD_PHRASE = "DTD, an entity or an external reference"
METADATA = "usable SAML 2.0 IdP metadata, but "
NAME_ACCEPTED = "an IAM SAML provider name: 1-128 letters, digits"

COMMERCIAL = "https://signin.aws.amazon.com/saml"
CHINA = "https://signin.amazonaws.cn/saml"
GOVCLOUD = "https://signin.amazonaws-us-gov.com/saml"

XXE_DOCTYPE = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LOL_DOCTYPE = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">' for i in range(1, 10))
    + "]>"
)


# --- fixtures and helpers -------------------------------------------------------------------


@dataclass(frozen=True)
class Certs:
    """Base64 DER certificates, each made once (an RSA key costs ~50 ms)."""

    valid: str  # valid for 10 years
    expired: str  # expired yesterday
    expiring: str  # expires in 10 days
    expired_on: datetime
    expiring_on: datetime


@pytest.fixture(scope="module")
def certs() -> Certs:
    now = datetime.now(UTC)
    expired_on, expiring_on = now - timedelta(days=1), now + timedelta(days=10)
    return Certs(
        valid=self_signed_certificate("Valid Signing", now - timedelta(days=1), now + timedelta(days=3650)),
        expired=self_signed_certificate("Expired Signing", now - timedelta(days=400), expired_on),
        expiring=self_signed_certificate("Expiring Signing", now - timedelta(days=355), expiring_on),
        expired_on=expired_on,
        expiring_on=expiring_on,
    )


@pytest.fixture(scope="module")
def good_xml(certs: Certs) -> str:
    """Metadata that every check accepts."""
    return build_metadata(certificates=[certs.valid])


@dataclass(frozen=True)
class Env:
    """The module's app, a stack per partition (and one without environment), their providers."""

    app: App
    stack: Stack
    cn: Stack
    gov: Stack
    agnostic: Stack
    provider: SamlProvider
    cn_provider: iam.ISamlProvider
    gov_provider: iam.ISamlProvider
    agnostic_provider: iam.ISamlProvider


@pytest.fixture(scope="module")
def env(good_xml: str) -> Env:
    app = new_app()
    stack = Stack(app, STACK, env=Environment(account=ACCOUNT, region="eu-west-1"))
    cn = Stack(app, CN_STACK, env=Environment(account=ACCOUNT, region="cn-north-1"))
    gov = Stack(app, GOV_STACK, env=Environment(account=ACCOUNT, region="us-gov-west-1"))
    agnostic = Stack(app, AGNOSTIC_STACK)
    return Env(
        app=app,
        stack=stack,
        cn=cn,
        gov=gov,
        agnostic=agnostic,
        provider=SamlProvider(stack, "Idp", metadata_xml=good_xml, name="corp-idp"),
        cn_provider=SamlProvider.from_name(cn, "Idp", "corp-idp"),
        gov_provider=SamlProvider.from_name(gov, "Idp", "corp-idp"),
        agnostic_provider=SamlProvider.from_name(agnostic, "Idp", "corp-idp"),
    )


def inline_refused(path: str, *reason: str) -> Any:
    """`refused` for inline metadata the parser refuses for `reason`."""
    return refused(path, "metadata_xml", "inline", METADATA, *reason)


def warnings_of(provider: SamlProvider) -> list[str]:
    return [str(entry.data) for entry in provider.node.metadata if entry.type == "aws:cdk:warning"]


def role(env: Env, cid: str, **kwargs: Any) -> SamlRole:
    return SamlRole(env.stack, cid, provider=env.provider, **kwargs)


# --- metadata that must never be expanded ---------------------------------------------------


def test_metadata_with_a_dtd_is_refused(env: Env, cid: str, path: str, certs: Certs, tmp_path: Path) -> None:
    file = tmp_path / "dtd.xml"
    file.write_text(build_metadata(certificates=[certs.valid], doctype="<!DOCTYPE foo [<!ELEMENT foo ANY>]>"))
    with refused(path, "metadata_file", str(file), METADATA, DTD_PHRASE, "never expanded"):
        SamlProvider(env.stack, cid, metadata_file=file)


def test_metadata_with_an_external_entity_is_refused_unexpanded(
    env: Env, cid: str, path: str, certs: Certs, tmp_path: Path
) -> None:
    file = tmp_path / "xxe.xml"
    file.write_text(build_metadata(certificates=[certs.valid], doctype=XXE_DOCTYPE, entity_id="&xxe;"))
    with refused(path, "metadata_file", str(file), METADATA, DTD_PHRASE) as err:
        SamlProvider(env.stack, cid, metadata_file=file)
    assert "root:" not in str(err.value)
    assert "/bin/" not in str(err.value)


def test_metadata_with_billion_laughs_is_refused_unexpanded(env: Env, cid: str, path: str, certs: Certs) -> None:
    xml = build_metadata(certificates=[certs.valid], doctype=LOL_DOCTYPE, entity_id="&lol9;")
    with inline_refused(path, DTD_PHRASE) as err:
        SamlProvider(env.stack, cid, metadata_xml=xml)
    assert "lollol" not in str(err.value)
    assert len(str(err.value)) < 1000


# --- metadata IAM could not use -------------------------------------------------------------


def test_metadata_that_is_not_xml_is_refused(env: Env, cid: str, path: str) -> None:
    text = "this is not XML but an HTML error page or a login form, " * 30
    assert len(text) > 1000
    with inline_refused(path, "not well-formed XML"):
        SamlProvider(env.stack, cid, metadata_xml=text)


def test_xml_that_is_not_saml_metadata_is_refused(env: Env, cid: str, path: str) -> None:
    xml = "<foo>" + "<bar>padding</bar>" * 80 + "</foo>"
    with inline_refused(path, "its root element is 'foo'", "EntityDescriptor"):
        SamlProvider(env.stack, cid, metadata_xml=xml)


def test_service_provider_metadata_is_refused(env: Env, cid: str, path: str, certs: Certs) -> None:
    xml = build_metadata(certificates=[certs.valid], descriptor="SPSSODescriptor")
    with inline_refused(path, "a service provider (SPSSODescriptor)", "not a SAML identity provider"):
        SamlProvider(env.stack, cid, metadata_xml=xml)


def test_entities_descriptor_is_refused(env: Env, cid: str, path: str, good_xml: str) -> None:
    entity = good_xml.split("?>", 1)[1].replace(' xmlns="urn:oasis:names:tc:SAML:2.0:metadata"', "")
    xml = f'<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">{entity}</EntitiesDescriptor>'
    with inline_refused(path, "several entities (EntitiesDescriptor)"):
        SamlProvider(env.stack, cid, metadata_xml=xml)


def test_metadata_without_certificate_is_refused(env: Env, cid: str, path: str) -> None:
    # without a certificate the document is short: a long SSO URL keeps it above IAM's minimum
    xml = build_metadata(certificates=[], sso_url="https://adfs.example.com/adfs/ls/" + "x" * 100)
    assert len(xml) >= 1000
    with inline_refused(path, "no signing certificate"):
        SamlProvider(env.stack, cid, metadata_xml=xml)


def test_metadata_with_only_an_encryption_key_is_refused(env: Env, cid: str, path: str, certs: Certs) -> None:
    xml = build_metadata(certificates=[certs.valid], use="encryption")
    with inline_refused(path, "no signing certificate"):
        SamlProvider(env.stack, cid, metadata_xml=xml)


@pytest.mark.parametrize(
    "certificate",
    [
        pytest.param("not base64 at all!!", id="not-base64"),
        pytest.param("aGVsbG8gd29ybGQ=", id="base64-not-der"),
    ],
)
def test_metadata_with_an_invalid_certificate_is_refused(env: Env, cid: str, path: str, certificate: str) -> None:
    with inline_refused(path, "not a base64 DER certificate"):
        SamlProvider(env.stack, cid, metadata_xml=build_metadata(certificates=[certificate]))


def test_metadata_with_an_expired_certificate_is_refused(env: Env, cid: str, path: str, certs: Certs) -> None:
    with inline_refused(path, "every signing certificate has expired", f"the latest on {certs.expired_on:%Y-%m-%d}"):
        SamlProvider(env.stack, cid, metadata_xml=build_metadata(certificates=[certs.expired]))


def test_metadata_with_one_expired_and_one_valid_certificate_passes(env: Env, cid: str, certs: Certs) -> None:
    provider = SamlProvider(env.stack, cid, metadata_xml=build_metadata(certificates=[certs.expired, certs.valid]))
    assert len(provider.metadata.certificates) == 2
    assert warnings_of(provider) == []


def test_metadata_whose_valid_until_has_passed_is_refused(env: Env, cid: str, path: str, certs: Certs) -> None:
    xml = build_metadata(certificates=[certs.valid], valid_until=datetime.now(UTC) - timedelta(hours=2))
    with inline_refused(path, "validUntil", "has passed"):
        SamlProvider(env.stack, cid, metadata_xml=xml)


def test_metadata_shorter_than_1000_characters_is_refused(env: Env, cid: str, path: str) -> None:
    xml = '<EntityDescriptor entityID="http://idp.example.com" xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>'
    with inline_refused(path, f"it is {len(xml)} characters long", "at least 1000"):
        SamlProvider(env.stack, cid, metadata_xml=xml)


# --- certificate expiry warnings ------------------------------------------------------------


def test_certificate_expiring_in_10_days_passes_with_a_warning(env: Env, cid: str, certs: Certs) -> None:
    provider = SamlProvider(env.stack, cid, metadata_xml=build_metadata(certificates=[certs.expiring]))
    (warning,) = warnings_of(provider)
    assert f"expires on {certs.expiring_on:%Y-%m-%d}" in warning, warning
    assert "CN=Expiring Signing" in warning


def test_certificate_expiring_in_10_days_has_no_warning_within_5_days(env: Env, cid: str, certs: Certs) -> None:
    provider = SamlProvider(
        env.stack, cid, metadata_xml=build_metadata(certificates=[certs.expiring]), expiry_warning_days=5
    )
    assert warnings_of(provider) == []


def test_certificate_valid_for_10_years_has_no_warning(env: Env, cid: str, good_xml: str) -> None:
    provider = SamlProvider(env.stack, cid, metadata_xml=good_xml)
    assert warnings_of(provider) == []


# --- SamlProvider arguments -----------------------------------------------------------------


def test_provider_without_metadata_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "metadata_file", None, "exactly one of metadata_file", "metadata_xml"):
        SamlProvider(env.stack, cid)


def test_provider_with_file_and_xml_is_refused(env: Env, cid: str, path: str, good_xml: str) -> None:
    with refused(path, "metadata_file", "idp.xml", "exactly one of metadata_file", "metadata_xml"):
        SamlProvider(env.stack, cid, metadata_file="idp.xml", metadata_xml=good_xml)


def test_provider_with_missing_file_is_refused(env: Env, cid: str, path: str, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "metadata.xml"
    with refused(path, "metadata_file", str(missing), "the path of an existing metadata file"):
        SamlProvider(env.stack, cid, metadata_file=missing)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("corp adfs", id="space"),
        pytest.param("a" * 129, id="129-chars"),
        pytest.param("corp/adfs", id="slash"),
    ],
)
def test_provider_with_bad_name_is_refused(env: Env, cid: str, path: str, good_xml: str, name: str) -> None:
    with refused(path, "name", name, NAME_ACCEPTED, "(no spaces)"):
        SamlProvider(env.stack, cid, metadata_xml=good_xml, name=name)


def test_provider_name_of_128_characters_passes(env: Env, cid: str, good_xml: str) -> None:
    SamlProvider(env.stack, cid, metadata_xml=good_xml, name="a" * 128)


def test_provider_with_bad_assertion_encryption_is_refused(env: Env, cid: str, path: str, good_xml: str) -> None:
    with refused(path, "assertion_encryption", "Sometimes", "'Allowed' or 'Required'"):
        SamlProvider(env.stack, cid, metadata_xml=good_xml, assertion_encryption="Sometimes")  # type: ignore[arg-type]


def test_provider_with_negative_expiry_warning_days_is_refused(env: Env, cid: str, path: str, good_xml: str) -> None:
    with refused(path, "expiry_warning_days", -1, "a whole number of days, 0 or more"):
        SamlProvider(env.stack, cid, metadata_xml=good_xml, expiry_warning_days=-1)


def test_provider_from_name_with_bad_name_is_refused(env: Env, cid: str) -> None:
    # from_name refuses before its import exists: the message names the scope (the stack)
    with refused(STACK, "name", "corp adfs", NAME_ACCEPTED):
        SamlProvider.from_name(env.stack, cid, "corp adfs")
    assert env.stack.node.try_find_child(cid) is None


# --- SamlRole arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        pytest.param(Duration.hours(13), 46800, id="13h"),
        pytest.param(Duration.minutes(30), 1800, id="30min"),
    ],
)
def test_role_max_session_duration_outside_1_to_12_hours_is_refused(
    env: Env, cid: str, path: str, duration: Duration, seconds: int
) -> None:
    with refused(path, "role_options.max_session_duration", f"{seconds} seconds", "1 to 12 hours"):
        role(env, cid, role_options=RoleOptions(max_session_duration=duration))


@pytest.mark.parametrize("sign_in", [pytest.param([], id="empty"), pytest.param("global", id="string")])
def test_role_sign_in_not_a_non_empty_list_is_refused(env: Env, cid: str, path: str, sign_in: Any) -> None:
    with refused(path, "sign_in", sign_in, "a non-empty list of 'global', 'regional' or region codes"):
        role(env, cid, sign_in=sign_in)


@pytest.mark.parametrize("entry", [pytest.param("mars-1", id="mars"), pytest.param("*", id="wildcard")])
def test_role_sign_in_entry_not_a_region_is_refused(env: Env, cid: str, path: str, entry: str) -> None:
    with refused(path, "sign_in", entry, "'global', 'regional' or a region code such as 'eu-west-1'"):
        role(env, cid, sign_in=[entry])


def test_role_regional_sign_in_in_an_environment_agnostic_stack_is_refused(env: Env, cid: str) -> None:
    with refused(f"{AGNOSTIC_STACK}/{cid}", "sign_in", "regional", "no literal region"):
        SamlRole(env.agnostic, cid, provider=env.agnostic_provider, sign_in=["regional"])


@pytest.mark.parametrize("entry", [pytest.param("eu-west-1", id="commercial"), pytest.param("regional", id="regional")])
def test_role_regional_sign_in_outside_the_commercial_partition_is_refused(env: Env, cid: str, entry: str) -> None:
    with refused(f"{CN_STACK}/{cid}", "sign_in", entry, "commercial regions only"):
        SamlRole(env.cn, cid, provider=env.cn_provider, sign_in=[entry])


def test_role_condition_on_saml_aud_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "attribute_conditions", "saml:aud", "set through `sign_in`"):
        role(env, cid, attribute_conditions={"saml:aud": COMMERCIAL})


def test_role_condition_on_an_unknown_key_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "attribute_conditions", "saml:department", "a SAML key IAM evaluates"):
        role(env, cid, attribute_conditions={"saml:department": ["engineering"]})


def test_role_condition_of_only_wildcards_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "attribute_conditions['saml:sub']", "*", "only wildcards restricts nothing"):
        role(env, cid, attribute_conditions={"saml:sub": "*"})


def test_role_condition_without_values_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "attribute_conditions['saml:sub_type']", [], "at least one value"):
        role(env, cid, attribute_conditions={"saml:sub_type": []})


def test_role_trust_policy_quota_below_iams_default_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "role_options.trust_policy_quota", 1000, "2048 (IAM's default) up to 4096"):
        role(env, cid, role_options=RoleOptions(trust_policy_quota=1000))


# --- SamlRole trust shape (no synth) --------------------------------------------------------


def test_role_trusts_the_commercial_endpoint_in_eu_west_1(env: Env, cid: str) -> None:
    assert role(env, cid).conditions == {"StringEquals": {"SAML:aud": [COMMERCIAL]}}
    assert GLOBAL_SIGN_IN["aws"] == COMMERCIAL


def test_role_trusts_the_china_endpoint_in_cn_north_1(env: Env, cid: str) -> None:
    created = SamlRole(env.cn, cid, provider=env.cn_provider)
    assert created.conditions == {"StringEquals": {"SAML:aud": [CHINA]}}


def test_role_trusts_the_govcloud_endpoint_in_us_gov_west_1(env: Env, cid: str) -> None:
    created = SamlRole(env.gov, cid, provider=env.gov_provider)
    assert created.conditions == {"StringEquals": {"SAML:aud": [GOVCLOUD]}}


def test_role_with_global_and_regional_sign_in_trusts_both(env: Env, cid: str) -> None:
    created = role(env, cid, sign_in=["global", "eu-west-1"])
    assert created.conditions == {
        "StringEquals": {"SAML:aud": [COMMERCIAL, "https://eu-west-1.signin.aws.amazon.com/saml"]}
    }


def test_role_tests_multi_valued_keys_with_for_any_value(env: Env, cid: str) -> None:
    created = role(
        env,
        cid,
        attribute_conditions={
            "saml:edupersonentitlement": ["aws-admins"],
            "saml:sub_type": "persistent",
            "saml:edupersonaffiliation": ["staff-*"],
        },
    )
    assert created.conditions == {
        "StringEquals": {"SAML:aud": [COMMERCIAL], "saml:sub_type": ["persistent"]},
        "ForAnyValue:StringEquals": {"saml:edupersonentitlement": ["aws-admins"]},
        "ForAnyValue:StringLike": {"saml:edupersonaffiliation": ["staff-*"]},
    }
    assert not any(operator.startswith("ForAllValues") for operator in created.conditions)
    assert "ForAllValues" not in json.dumps(created.conditions)


@pytest.mark.parametrize(
    ("session_tags", "actions"),
    [
        pytest.param(True, ("sts:AssumeRoleWithSAML", "sts:TagSession"), id="tags"),
        pytest.param(False, ("sts:AssumeRoleWithSAML",), id="no-tags"),
    ],
)
def test_role_allows_tag_session_only_with_session_tags(
    env: Env, cid: str, session_tags: bool, actions: tuple[str, ...]
) -> None:
    assert role(env, cid, role_options=RoleOptions(session_tags=session_tags)).actions == actions


# --- the saml config section ----------------------------------------------------------------


HEADER = 'name: saml-refusals\naccount: "111122223333"\nregion: eu-west-1\n'
OIDC_ROLE = """\
oidc:
  providers:
    - id: GitHub
      preset: github_actions
  roles:
    - name: Shared
      type: github
      provider: GitHub
      repositories: [octo-org/web-app]
      branches: [main]
"""


def write_config(tmp_path: Path, body: str, metadata: str | None = None) -> Path:
    """A config file in `tmp_path` (and `idp.xml` next to it, when `metadata` is given)."""
    if metadata is not None:
        (tmp_path / "idp.xml").write_text(metadata, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(HEADER + body, encoding="utf-8")
    return config


def line_of(config: Path, text: str) -> int:
    """The 1-based line of the first line of `config` that contains `text`."""
    return next(n for n, line in enumerate(config.read_text().splitlines(), 1) if text in line)


def config_refused(config: Path, line: int, field: str, *phrases: str) -> str:
    with pytest.raises(ConfigError) as err:
        load_config(config)
    message = str(err.value)
    prefix = f"config error: {config}:{line}: {field}: "
    assert message.startswith(prefix), f"\n{message!r}\ndoes not start with\n{prefix!r}"
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    return message


def test_config_role_naming_an_undeclared_provider_is_refused(tmp_path: Path, good_xml: str) -> None:
    config = write_config(
        tmp_path,
        """\
saml:
  providers:
    - id: CorpIdp
      metadata: idp.xml
  roles:
    - name: Admin
      provider: Missing
""",
        good_xml,
    )
    with pytest.raises(ConfigError) as err:
        load_config(config)
    message = str(err.value)
    assert re.match(rf"config error: {re.escape(str(config))}:\d+: ", message), message
    assert "saml.roles[0].provider: provider 'Missing' of role 'Admin' is not declared or imported" in message
    assert "declared providers: CorpIdp" in message


def test_config_provider_with_metadata_and_existing_name_is_refused(tmp_path: Path, good_xml: str) -> None:
    config = write_config(
        tmp_path,
        """\
saml:
  providers:
    - id: CorpIdp
      metadata: idp.xml
      existing_name: corp-idp
""",
        good_xml,
    )
    config_refused(
        config,
        line_of(config, "- id: CorpIdp"),
        "saml.providers[0]",
        "saml provider 'CorpIdp' needs exactly one of metadata",
        "got metadata, existing_name",
    )


def test_config_provider_without_a_source_is_refused(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        """\
saml:
  providers:
    - id: CorpIdp
      name: corp-idp
""",
    )
    config_refused(
        config, line_of(config, "- id: CorpIdp"), "saml.providers[0]", "needs exactly one of metadata", "got none"
    )


def test_config_max_session_hours_13_is_refused(tmp_path: Path, good_xml: str) -> None:
    config = write_config(
        tmp_path,
        """\
saml:
  providers:
    - id: CorpIdp
      metadata: idp.xml
  roles:
    - name: Admin
      provider: CorpIdp
      max_session_hours: 13
""",
        good_xml,
    )
    config_refused(
        config,
        line_of(config, "max_session_hours"),
        "saml.roles[0].max_session_hours",
        "13 is not accepted",
        "1-12 hours",
    )


def test_config_metadata_path_that_does_not_exist_is_refused_at_build(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        """\
saml:
  providers:
    - id: CorpIdp
      metadata: missing.xml
""",
    )
    loaded = load_config(config)  # the config only names the file; the construct reads it
    missing = tmp_path / "missing.xml"
    with refused("saml-refusals/CorpIdp", "metadata_file", str(missing), "the path of an existing metadata file"):
        build_stacks(new_app(), loaded)


def test_config_role_name_in_oidc_and_saml_roles_is_refused(tmp_path: Path, good_xml: str) -> None:
    config = write_config(
        tmp_path,
        OIDC_ROLE
        + """\
saml:
  providers:
    - id: CorpIdp
      metadata: idp.xml
  roles:
    - name: Shared
      provider: CorpIdp
""",
        good_xml,
    )
    with pytest.raises(ConfigError) as err:
        load_config(config)
    message = str(err.value)
    assert message.startswith(f"config error: {config}:"), message
    assert "'Shared' is used in both oidc.roles and saml.roles" in message


@pytest.mark.slow
def test_app_with_dtd_metadata_exits_2_with_one_line(tmp_path: Path, certs: Certs) -> None:
    metadata = build_metadata(certificates=[certs.valid], doctype=XXE_DOCTYPE, entity_id="&xxe;")
    config = write_config(
        tmp_path,
        """\
saml:
  providers:
    - id: CorpIdp
      metadata: idp.xml
""",
        metadata,
    )
    run_env = tool_env()
    run_env["CDK_OUTDIR"] = str(tmp_path / "cdk.out")
    run_env["CDK_CONTEXT_JSON"] = json.dumps({"config": str(config)})
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO, env=run_env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"saml-refusals/CorpIdp: metadata_file={str(tmp_path / 'idp.xml')!r}"), lines[0]
    assert DTD_PHRASE in lines[0]
    assert "root:" not in result.stderr


def test_provider_name_with_a_non_ascii_letter_is_refused() -> None:
    app = new_app()
    stack = Stack(app, "Ascii", env=Environment(account="111122223333", region="eu-west-1"))
    with pytest.raises(FederationValidationError, match=r"^Ascii/Idp: name='corp-ädfs' is not accepted; expected"):
        SamlProvider(stack, "Idp", metadata_file=EXAMPLE_METADATA, name="corp-ädfs")


def test_expiry_warning_days_as_a_boolean_is_refused() -> None:
    app = new_app()
    stack = Stack(app, "Bool", env=Environment(account="111122223333", region="eu-west-1"))
    with pytest.raises(FederationValidationError, match=r"^Bool/Idp: expiry_warning_days=True is not accepted"):
        SamlProvider(stack, "Idp", metadata_file=EXAMPLE_METADATA, expiry_warning_days=True)  # type: ignore[arg-type]
