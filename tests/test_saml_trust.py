"""SAML trust policies: the sign-in endpoint per partition and choice, attribute conditions, and the
Role attribute the IdP must send; judged on the synthesized templates and with the test-side matcher."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Duration, Environment, Stack
from aws_cdk.assertions import Template
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from federation_constructs.saml import GLOBAL_SIGN_IN, RoleOptions, SamlProvider, SamlRole
from tests.iam_matcher import resolve_refs, trust_allows
from tests.support import EXAMPLE, new_app, normalized, synth

METADATA = EXAMPLE.parent / "saml" / "adfs-example-metadata.xml"
ACCOUNT = "111122223333"
SAML = "sts:AssumeRoleWithSAML"


class PartitionStack:
    """One stack with a provider and roles for each endpoint choice, synthesized once."""

    def __init__(self, app: App, region: str | None) -> None:
        env = Environment(account=ACCOUNT, region=region) if region else None
        self.stack = Stack(app, f"Saml{(region or 'agnostic').replace('-', '')}", env=env)
        self.provider = SamlProvider(self.stack, "Idp", metadata_file=METADATA, name="corp-idp")
        self.roles: dict[str, SamlRole] = {
            "global": SamlRole(self.stack, "Console", provider=self.provider),
            "tagged": SamlRole(
                self.stack,
                "Tagged",
                provider=self.provider,
                attribute_conditions={"saml:sub_type": "persistent", "saml:edupersonentitlement": ["aws-admins"]},
                role_options=RoleOptions(session_tags=True, max_session_duration=Duration.hours(4)),
            ),
        }
        if region == "eu-west-1":
            self.roles["regional"] = SamlRole(self.stack, "Regional", provider=self.provider, sign_in=["regional"])
            self.roles["both"] = SamlRole(
                self.stack, "Both", provider=self.provider, sign_in=["global", "eu-central-1"]
            )
        partition = {"cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov"}.get(region or "", "aws")
        self.provider_arn = f"arn:{partition}:iam::{ACCOUNT}:saml-provider/corp-idp"
        self.logical_provider = self.stack.get_logical_id(self.provider.provider.node.default_child)

    def synthesize(self) -> PartitionStack:
        """Synthesize (once every stack of the app exists: the tree is frozen after the first synth)."""
        self.template: Template = synth(self.stack)
        self.json: dict[str, Any] = self.template.to_json()
        return self

    def trust(self, key: str) -> dict[str, Any]:
        logical_id = self.stack.get_logical_id(self.roles[key].role.node.default_child)
        document = self.json["Resources"][logical_id]["Properties"]["AssumeRolePolicyDocument"]
        return resolve_refs(document, {self.logical_provider: self.provider_arn})

    def admits(self, key: str, claims: dict[str, Any], action: str = SAML) -> bool:
        return trust_allows(self.trust(key), principal=self.provider_arn, action=action, claims=claims)


@pytest.fixture(scope="module")
def stacks() -> dict[str | None, PartitionStack]:
    app = new_app()
    built = {region: PartitionStack(app, region) for region in ("eu-west-1", "cn-north-1", "us-gov-west-1", None)}
    return {region: stack.synthesize() for region, stack in built.items()}


@pytest.mark.parametrize(
    ("region", "endpoint"),
    [
        ("eu-west-1", "https://signin.aws.amazon.com/saml"),
        ("cn-north-1", "https://signin.amazonaws.cn/saml"),
        ("us-gov-west-1", "https://signin.amazonaws-us-gov.com/saml"),
    ],
)
def test_global_endpoint_follows_the_partition(
    stacks: dict[str | None, PartitionStack], region: str, endpoint: str
) -> None:
    (statement,) = stacks[region].trust("global")["Statement"]
    assert statement["Action"] == SAML
    assert statement["Principal"] == {"Federated": stacks[region].provider_arn}
    assert statement["Condition"] == {"StringEquals": {"SAML:aud": [endpoint]}}


def test_environment_agnostic_stack_resolves_the_endpoint_at_deploy(stacks: dict[str | None, PartitionStack]) -> None:
    agnostic = stacks[None]
    (statement,) = agnostic.json["Resources"][
        agnostic.stack.get_logical_id(agnostic.roles["global"].role.node.default_child)
    ]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Condition"] == {
        "StringEquals": {"SAML:aud": [{"Fn::FindInMap": ["FederationSamlSignIn", {"Ref": "AWS::Partition"}, "url"]}]}
    }
    assert agnostic.json["Mappings"]["FederationSamlSignIn"] == {p: {"url": u} for p, u in GLOBAL_SIGN_IN.items()}


def test_regional_and_several_endpoints(stacks: dict[str | None, PartitionStack]) -> None:
    eu = stacks["eu-west-1"]
    assert eu.trust("regional")["Statement"][0]["Condition"] == {
        "StringEquals": {"SAML:aud": ["https://eu-west-1.signin.aws.amazon.com/saml"]}
    }
    assert eu.trust("both")["Statement"][0]["Condition"] == {
        "StringEquals": {
            "SAML:aud": ["https://signin.aws.amazon.com/saml", "https://eu-central-1.signin.aws.amazon.com/saml"]
        }
    }


def test_saml_aud_is_never_missing_or_a_wildcard(stacks: dict[str | None, PartitionStack]) -> None:
    for partition in stacks.values():
        for key in partition.roles:
            (statement,) = partition.trust(key)["Statement"]
            auds = statement["Condition"]["StringEquals"]["SAML:aud"]
            assert auds and all(not isinstance(a, str) or ("*" not in a and "?" not in a) for a in auds)
            assert "StringLike" not in statement["Condition"] or "SAML:aud" not in statement["Condition"]["StringLike"]


def test_attribute_conditions_and_session_tags(stacks: dict[str | None, PartitionStack]) -> None:
    (statement,) = stacks["eu-west-1"].trust("tagged")["Statement"]
    assert sorted(statement["Action"]) == [SAML, "sts:TagSession"]
    assert statement["Condition"] == {
        "StringEquals": {"SAML:aud": ["https://signin.aws.amazon.com/saml"], "saml:sub_type": ["persistent"]},
        "ForAnyValue:StringEquals": {"saml:edupersonentitlement": ["aws-admins"]},
    }


def test_provider_is_retained_and_named(stacks: dict[str | None, PartitionStack]) -> None:
    (provider,) = stacks["eu-west-1"].template.find_resources("AWS::IAM::SAMLProvider").values()
    assert provider["DeletionPolicy"] == "Retain" and provider["UpdateReplacePolicy"] == "Retain"
    assert provider["Properties"]["Name"] == "corp-idp"
    assert provider["Properties"]["SamlMetadataDocument"] == METADATA.read_text(encoding="utf-8")


def test_max_session_duration(stacks: dict[str | None, PartitionStack]) -> None:
    eu = stacks["eu-west-1"]
    roles = eu.json["Resources"]
    assert (
        roles[eu.stack.get_logical_id(eu.roles["tagged"].role.node.default_child)]["Properties"]["MaxSessionDuration"]
        == 4 * 3600
    )


def test_idp_role_attribute_is_role_arn_comma_provider_arn(stacks: dict[str | None, PartitionStack]) -> None:
    for partition in stacks.values():
        for role in partition.roles.values():
            role_id = partition.stack.get_logical_id(role.role.node.default_child)
            assert partition.stack.resolve(role.idp_role_attribute) == {
                "Fn::Join": [",", [{"Fn::GetAtt": [role_id, "Arn"]}, {"Ref": partition.logical_provider}]]
            }


# --- who gets in -------------------------------------------------------------------------------------


def test_assertion_for_the_global_endpoint_gets_in(stacks: dict[str | None, PartitionStack]) -> None:
    eu = stacks["eu-west-1"]
    assert eu.admits("global", {"SAML:aud": "https://signin.aws.amazon.com/saml"})
    assert not eu.admits("global", {"SAML:aud": "https://eu-west-1.signin.aws.amazon.com/saml"})
    assert not eu.admits("global", {"SAML:aud": "https://signin.aws.amazon.com/saml/evil"})
    assert not eu.admits("global", {})
    assert not eu.admits("global", {"SAML:aud": "https://signin.aws.amazon.com/saml"}, action="sts:AssumeRole")
    assert not trust_allows(
        eu.trust("global"),
        principal="arn:aws:iam::111122223333:saml-provider/other",
        action=SAML,
        claims={"SAML:aud": "https://signin.aws.amazon.com/saml"},
    )


def test_attribute_conditions_decide(stacks: dict[str | None, PartitionStack]) -> None:
    eu = stacks["eu-west-1"]
    base = {"SAML:aud": "https://signin.aws.amazon.com/saml", "saml:sub_type": "persistent"}
    assert eu.admits("tagged", {**base, "saml:edupersonentitlement": ["staff", "aws-admins"]})
    assert eu.admits("tagged", {**base, "saml:edupersonentitlement": ["aws-admins"]}, action="sts:TagSession")
    assert not eu.admits("tagged", {**base, "saml:edupersonentitlement": ["staff"]})
    assert not eu.admits("tagged", base)  # no entitlement at all: ForAnyValue is false, never vacuously true
    assert not eu.admits("tagged", {**base, "saml:sub_type": "transient", "saml:edupersonentitlement": ["aws-admins"]})


# --- the example's SAML part ------------------------------------------------------------------------


def test_example_saml_part_snapshot(example_template: Template, snapshot: SnapshotAssertion) -> None:
    template = normalized(example_template.to_json())
    resources = template["Resources"]
    saml_ids = {k for k, v in resources.items() if v["Type"] == "AWS::IAM::SAMLProvider"}
    saml_roles = {
        k
        for k, v in resources.items()
        if v["Type"] == "AWS::IAM::Role"
        and any(
            s["Principal"].get("Federated") in ({"Ref": i} for i in saml_ids)
            for s in v["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        )
    }
    assert len(saml_roles) == 3
    part = {
        "Resources": {k: resources[k] for k in sorted(saml_ids | saml_roles)},
        "Outputs": {
            k: v
            for k, v in template["Outputs"].items()
            if k.startswith(("ReadOnlyConsole", "Administrator", "EmployeeFiles"))
        },
    }
    assert part == snapshot.use_extension(JSONSnapshotExtension)


def test_example_role_attribute_outputs(example_template: Template) -> None:
    outputs = example_template.to_json()["Outputs"]
    for name in ("ReadOnlyConsole", "Administrator"):
        value = outputs[f"{name}IdpRoleAttribute"]["Value"]
        role_arn = outputs[f"{name}RoleArn"]["Value"]
        assert value["Fn::Join"][0] == ","
        assert value["Fn::Join"][1][0] == role_arn
        assert value["Fn::Join"][1][1] == {"Ref": "CorpAdfsAAE5C8AC"}
