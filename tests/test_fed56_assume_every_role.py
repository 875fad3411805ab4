"""FED56: an OIDC / web-identity role that may sts:AssumeRole every role of an account. Plain dict
templates, no synthesis: the cases it catches (Resource *, role/* in every spelling, action wildcards,
policies attached from elsewhere) and the ones it must leave alone (named roles, a fixed name prefix,
Deny, SAML roles)."""

from __future__ import annotations

from typing import Any

import pytest

from federation_constructs.rules import Finding, lint_template, rule
from federation_constructs.rules.fed56_web_identity_assume_any_role import every_role_pattern

GITHUB = "token.actions.githubusercontent.com"
COGNITO = "cognito-identity.amazonaws.com"
ACCOUNT = "111122223333"
BOOTSTRAP = [
    f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-{kind}-role-{ACCOUNT}-eu-west-1"
    for kind in ("deploy", "file-publishing", "image-publishing", "lookup")
]


def github_trust() -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Federated": {"Ref": "GitHub"}},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{GITHUB}:aud": "sts.amazonaws.com",
                f"{GITHUB}:sub": "repo:acme/infra:ref:refs/heads/main",
            }
        },
    }


def cognito_trust() -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Federated": COGNITO},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {f"{COGNITO}:aud": "eu-west-1:11111111-2222-3333-4444-555555555555"},
            "ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"},
        },
    }


SAML_TRUST = {
    "Effect": "Allow",
    "Principal": {"Federated": {"Ref": "Idp"}},
    "Action": "sts:AssumeRoleWithSAML",
    "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
}


def statement(action: Any, resource: Any = None, *, effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"Effect": effect, "Action": action, **extra}
    if resource is not None:
        found["Resource"] = resource
    return found


def deploy_template(*statements: dict[str, Any], trust: dict[str, Any] | None = None, **props: Any) -> dict[str, Any]:
    """A GitHub OIDC provider and a CI role `Deploy` with one inline policy holding `statements`."""
    role_props: dict[str, Any] = {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust or github_trust()]},
        "Policies": [
            {"PolicyName": "deploy", "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)}}
        ],
        **props,
    }
    return {
        "Resources": {
            "GitHub": {
                "Type": "AWS::IAM::OIDCProvider",
                "Properties": {"Url": f"https://{GITHUB}", "ClientIdList": ["sts.amazonaws.com"]},
            },
            "Idp": {"Type": "AWS::IAM::SAMLProvider", "Properties": {"SamlMetadataDocument": "<xml/>"}},
            "Deploy": {"Type": "AWS::IAM::Role", "Properties": role_props},
        }
    }


def fed56(template: dict[str, Any]) -> list[Finding]:
    return lint_template(template, [rule("FED56")])


def test_rule_is_an_error_with_a_fix_naming_the_bootstrap_roles() -> None:
    spec = rule("FED56")
    assert spec.level == "error"
    assert spec.resource_types == ("AWS::IAM::Role",)
    for kind in ("deploy", "file-publishing", "image-publishing", "lookup"):
        assert f"-{kind}-role-" in spec.fix


# --- caught ------------------------------------------------------------------------------------


def test_assume_role_on_star() -> None:
    [finding] = fed56(deploy_template(statement("sts:AssumeRole", "*")))
    assert (finding.rule_id, finding.level, finding.logical_id) == ("FED56", "error", "Deploy")
    assert finding.finding == "Deploy.Policies_deploy_::Statement0"
    detail = finding.detail
    assert "Role Deploy" in detail and GITHUB in detail
    assert "is allowed sts:AssumeRole on *" in detail
    assert "Deploy.Policies[deploy] Statement0" in detail
    assert "every role" in detail
    # the fix: exact ARNs, the four bootstrap roles by name
    assert "exact role ARNs" in detail
    for kind in ("deploy", "file-publishing", "image-publishing", "lookup"):
        assert f"cdk-<qualifier>-{kind}-role-<account>-<region>" in detail


def test_message_names_the_literal_role_name() -> None:
    [finding] = fed56(deploy_template(statement("sts:AssumeRole", "*"), RoleName="acme-ci-deploy"))
    assert "Role Deploy (RoleName acme-ci-deploy)" in finding.detail


@pytest.mark.parametrize(
    "resource",
    [
        f"arn:aws:iam::{ACCOUNT}:role/*",
        "arn:aws:iam::*:role/*",
        "arn:aws-cn:iam::*:role/*",
        {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"},
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":role/*"]]},
        {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "iam", "", {"Ref": "AWS::AccountId"}, "role/*"]]},
        f"arn:aws:iam::{ACCOUNT}:*",
        f"arn:aws:iam::{ACCOUNT}:role/*-deploy",  # no fixed name prefix: any role whose name ends so
        f"arn:aws:iam::{ACCOUNT}:role/?*",
        "arn:aws:*:*:*:*",
    ],
    ids=repr,
)
def test_every_role_of_an_account(resource: Any) -> None:
    [finding] = fed56(deploy_template(statement("sts:AssumeRole", resource)))
    assert "is allowed sts:AssumeRole on arn:" in finding.detail


@pytest.mark.parametrize("action", ["sts:*", "sts:Assume*", "STS:ASSUMEROLE", "sts:AssumeRole*", "*", "*:*"])
def test_action_wildcards_that_cover_assume_role(action: str) -> None:
    [finding] = fed56(deploy_template(statement(action, "*")))
    assert f"sts:AssumeRole (through {action}) on *" in finding.detail


def test_not_action_that_leaves_assume_role_in() -> None:
    [finding] = fed56(deploy_template({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    assert "through NotAction iam:*" in finding.detail
    assert fed56(deploy_template({"Effect": "Allow", "NotAction": "sts:*", "Resource": "*"})) == []


def test_not_resource_counts_as_every_resource() -> None:
    found = fed56(deploy_template({"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": BOOTSTRAP[0]}))
    [finding] = found
    assert f"on NotResource {BOOTSTRAP[0]}" in finding.detail


def test_a_condition_does_not_excuse_it_and_is_named() -> None:
    condition = {"StringEquals": {"aws:ResourceTag/team": "platform"}}
    [finding] = fed56(deploy_template(statement("sts:AssumeRole", "*", Condition=condition)))
    assert "Condition on aws:resourcetag/team" in finding.detail
    assert "does not name the roles" in finding.detail


def test_only_the_every_role_resources_are_named() -> None:
    [finding] = fed56(deploy_template(statement("sts:AssumeRole", [BOOTSTRAP[0], "arn:aws:iam::*:role/*"])))
    assert "on arn:aws:iam::*:role/* (" in finding.detail
    assert BOOTSTRAP[0] not in finding.detail


def test_cognito_web_identity_role_is_caught() -> None:
    [finding] = fed56(deploy_template(statement("sts:AssumeRole", "*"), trust=cognito_trust()))
    assert COGNITO in finding.detail


def test_policy_attached_to_the_role_from_elsewhere() -> None:
    t = deploy_template(statement("s3:GetObject", "arn:aws:s3:::acme-artifacts/*"))
    t["Resources"]["Hop"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "hop",
            "Roles": [{"Ref": "Deploy"}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement("sts:*", "*")]},
        },
    }
    [finding] = fed56(t)
    assert finding.logical_id == "Deploy"
    assert finding.finding == "Hop::Statement0"
    assert "(through sts:*) on * (Hop Statement0)" in finding.detail


def test_one_finding_per_statement() -> None:
    found = fed56(deploy_template(statement("sts:AssumeRole", "*"), statement("sts:*", "arn:aws:iam::*:role/*")))
    assert [f.finding for f in found] == ["Deploy.Policies_deploy_::Statement0", "Deploy.Policies_deploy_::Statement1"]


# --- left alone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource",
    [
        BOOTSTRAP,
        BOOTSTRAP[0],
        f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-*",
        "arn:aws:iam::*:role/cdk-hnb659fds-*-role-*",
        {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-deploy-role-*"},
        f"arn:aws:iam::{ACCOUNT}:role/ci/*",  # a fixed path
        f"arn:aws:iam::{ACCOUNT}:user/*",
        "arn:aws:s3:::*",
        {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${RoleName}"},  # not judged
    ],
    ids=repr,
)
def test_named_roles_and_fixed_prefixes_pass(resource: Any) -> None:
    assert fed56(deploy_template(statement("sts:AssumeRole", resource))) == []


def test_other_sts_actions_pass() -> None:
    t = deploy_template(statement(["sts:GetCallerIdentity", "sts:AssumeRoleWithWebIdentity", "s3:*"], "*"))
    assert fed56(t) == []


def test_deny_is_not_a_finding() -> None:
    assert fed56(deploy_template(statement("sts:AssumeRole", "*", effect="Deny"))) == []


def test_saml_roles_are_out_of_scope() -> None:
    assert fed56(deploy_template(statement("sts:AssumeRole", "*"), trust=SAML_TRUST)) == []


def test_roles_no_web_identity_assumes_pass() -> None:
    service = {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}
    assert fed56(deploy_template(statement("sts:AssumeRole", "*"), trust=service)) == []


@pytest.mark.parametrize(
    ("resource", "every"),
    [
        ("*", True),
        ("arn:aws:iam::1:role/*", True),
        ("arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*", True),
        ("arn:aws:iam::1:r*", True),
        ("arn:aws:iam::1:role/a*", False),
        ("arn:aws:iam::1:Role/*", False),  # ARNs are case-sensitive: matches no role
        ("arn:aws:iam::1:*user/*", False),
        ("arn:aws:iam::1:role/<Prefix>*", False),
        ("arn:aws:s3:*:*:*", False),
    ],
)
def test_every_role_pattern(resource: str, every: bool) -> None:
    assert every_role_pattern(resource) is every
