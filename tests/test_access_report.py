"""The access report answers "who can assume role X, through which door, to do what" from the
synthesized template alone: checked on the example app and on hand-written templates."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from federation_constructs.proof import collect_intents
from federation_constructs.proof.intent import ClaimIntent, TrustIntent
from federation_constructs.report.access import build_access_report, describe_subject, to_markdown
from federation_constructs.report.review import collect_opt_ins
from stacks.build import build_stacks
from stacks.config import DeploymentConfig
from tests.support import new_app

ACCOUNT = "111122223333"


@pytest.fixture(scope="module")
def report(example_config: DeploymentConfig) -> dict[str, Any]:
    """The example, synthesized with construct paths in the template (as `cdk synth` writes it)."""
    app = new_app(**{"aws:cdk:enable-path-metadata": True})
    template = Template.from_stack(build_stacks(app, example_config)).to_json()
    findings = [
        {
            "status": "acknowledged",
            "pack": "AwsSolutions",
            "rule": "AwsSolutions-IAM4",
            "finding": "Policy::x",
            "path": "/example-federation/Administrator",
            "reason": "break glass only",
        },
        {
            "status": "open",
            "pack": "Federation",
            "rule": "Federation-FED25",
            "finding": "MaxSessionDuration",
            "level": "error",
            "path": "example-federation/ReadOnlyConsole/Role/Resource",
            "detail": "long",
        },
    ]
    return build_access_report(
        template,
        stack="example-federation",
        account=ACCOUNT,
        findings=findings,
        opt_ins=collect_opt_ins(app),
        intents=collect_intents(app),
    )


def role(report: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [r for r in report["roles"] if r["name"] == name]
    return found


def test_every_federated_role_of_the_example_is_listed(report: dict[str, Any]) -> None:
    assert [r["name"] for r in report["roles"]] == [
        "Administrator",
        "AppIdentityPool/AuthenticatedRole",
        "AppIdentityPool/GuestRole",
        "EmployeeFiles",
        "InfraPipeline",
        "ReadOnlyConsole",
        "WebAppDeploy",
    ]
    assert report["summary"] == {
        "roles": 7,
        "roles_per_door": {"Cognito identity pool": 2, "GitHub Actions": 1, "GitLab CI": 1, "SAML": 3},
        "roles_proved": 7,
        "roles_within_intent": 0,
        "roles_with_intent": 7,
        "roles_with_opt_ins": 1,
        "unacknowledged_findings": 1,
    }
    assert all(r["proof"]["status"] == "proved" and r["intent"] for r in report["roles"])


def test_github_role_in_plain_words(report: dict[str, Any]) -> None:
    deploy = role(report, "WebAppDeploy")
    (door,) = deploy["doors"]
    assert door["issuer"] == "GitHub Actions" and door["audiences"] == ["sts.amazonaws.com"]
    assert door["provider"] == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    assert door["who"] == [
        "GitHub Actions: workflows of repository `octo-org/web-app` on branch `main`",
        "GitHub Actions: jobs of repository `octo-org/web-app` that use environment `production`",
    ]
    assert deploy["max_session_seconds"] == 3600 and deploy["session_tags"] is False


def test_saml_role_shows_the_role_attribute_and_per_user_prefix(report: dict[str, Any]) -> None:
    files = role(report, "EmployeeFiles")
    assert files["saml_role_attribute"] == (
        f"arn:aws:iam::{ACCOUNT}:role/federation/example-federation-EmployeeFiles,arn:aws:iam::{ACCOUNT}:saml-provider/corp-adfs"
    )
    assert files["doors"][0]["who"] == [
        f"users of SAML provider arn:aws:iam::{ACCOUNT}:saml-provider/corp-adfs signing in through "
        "`https://signin.aws.amazon.com/saml`, when StringEquals saml:sub_type = `persistent`"
    ]
    assert files["permissions"]["per_user_prefixes"] == [
        "arn:aws:s3:::{bucket UserData/Bucket}/home/{SAML name qualifier}/{SAML subject}/*"
    ]
    assert files["max_session_seconds"] == 8 * 3600


def test_pool_roles_say_guest_or_signed_in_and_the_guest_opt_in(report: dict[str, Any]) -> None:
    guest = role(report, "AppIdentityPool/GuestRole")
    assert guest["doors"][0]["who"][0].startswith("guests (not signed in) of ")
    assert guest["opt_ins"] == ["allow_guest"]
    signed_in = role(report, "AppIdentityPool/AuthenticatedRole")
    assert signed_in["doors"][0]["who"][0].startswith("signed-in users of ")
    assert signed_in["opt_ins"] == [] and signed_in["permissions"]["services"] == ["s3"]
    assert sorted(signed_in["permissions"]["per_user_prefixes"]) == [
        "arn:aws:s3:::{bucket UserData/Bucket}/private/{identity id}/*",
        "arn:aws:s3:::{bucket UserData/Bucket}/protected/{identity id}/*",
    ]


def test_findings_and_acknowledgements_are_matched_to_their_role(report: dict[str, Any]) -> None:
    assert role(report, "Administrator")["findings"] == [
        {
            "status": "acknowledged",
            "pack": "AwsSolutions",
            "rule": "AwsSolutions-IAM4",
            "finding": "Policy::x",
            "level": "",
            "detail": "",
            "reason": "break glass only",
        }
    ]
    assert [f["rule"] for f in role(report, "ReadOnlyConsole")["findings"]] == ["Federation-FED25"]
    assert role(report, "WebAppDeploy")["findings"] == []


def test_markdown_answers_who_can_assume_each_role(report: dict[str, Any]) -> None:
    text = to_markdown([report])
    assert "| WebAppDeploy | GitHub Actions: workflows of repository `octo-org/web-app` on branch `main`" in text
    assert "### EmployeeFiles" in text and "- SAML `Role` attribute the IdP sends:" in text
    assert "- **open** `Federation-FED25[MaxSessionDuration]` (error): long" in text
    assert "- acknowledged `AwsSolutions-IAM4[Policy::x]`: break glass only" in text


def test_a_widened_role_shows_its_counterexample_in_the_report() -> None:
    provider = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"
    key = "token.actions.githubusercontent.com"
    template = {
        "Resources": {
            "R": {
                "Type": "AWS::IAM::Role",
                "Metadata": {"aws:cdk:path": "S/Deploy/Role/Resource"},
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Federated": provider},
                                "Action": "sts:AssumeRoleWithWebIdentity",
                                "Condition": {
                                    "StringEquals": {f"{key}:aud": "sts.amazonaws.com"},
                                    "StringLike": {f"{key}:sub": "repo:acme*"},
                                },
                            }
                        ]
                    }
                },
            }
        }
    }
    intent = TrustIntent(
        "oidc",
        provider,
        "sts:AssumeRoleWithWebIdentity",
        (
            ClaimIntent(f"{key}:aud", ("sts.amazonaws.com",)),
            ClaimIntent(f"{key}:sub", ("repo:acme/app:ref:refs/heads/main",)),
        ),
    )
    report = build_access_report(template, stack="S", account=ACCOUNT, intents={"S/Deploy/Role": intent})
    (role,) = report["roles"]
    assert role["proof"]["status"] == "widened"
    assert role["proof"]["counterexample"][f"{key}:sub"] != "repo:acme/app:ref:refs/heads/main"
    assert "- proof: WIDENED: admits requests beyond the declared intent, e.g. principal" in to_markdown([report])
    assert report["summary"]["roles_proved"] == 0 and report["summary"]["roles_with_intent"] == 1


def test_a_hand_written_wide_trust_reads_as_wide() -> None:
    template = {
        "Resources": {
            "R": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                                "Action": "sts:AssumeRoleWithWebIdentity",
                            },
                            {
                                "Effect": "Allow",
                                "Principal": {
                                    "Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"
                                },
                                "Action": "sts:AssumeRoleWithWebIdentity",
                            },
                        ]
                    }
                },
            }
        }
    }
    (wide,) = build_access_report(template, stack="s", account=ACCOUNT)["roles"]
    assert [d["who"] for d in wide["doors"]] == [
        ["any identity, signed in or not of ANY identity pool"],
        ["ANY GitHub Actions token"],
    ]


@pytest.mark.parametrize(
    ("issuer", "subject", "words"),
    [
        ("GitHub Actions", "repo:o/r:ref:refs/tags/v1", "workflows of repository `o/r` for tag `v1`"),
        ("GitHub Actions", "repo:o/r:pull_request", "pull-request workflows of repository `o/r`"),
        ("GitLab CI", "project_path:g/p:ref_type:tag:ref:v1", "pipelines of project `g/p` on tag `v1`"),
        (
            "GitHub Actions",
            "repo:acme*",
            "any workflow of any repository whose name starts with `acme` (subject "
            "`repo:acme*`: other owners' names match too)",
        ),
        (
            "HCP Terraform",
            "organization:o:project:p:workspace:w:run_phase:apply",
            "runs of organization `o`, project `p`, workspace `w`, phase `apply`",
        ),
        (
            "EKS service accounts",
            "system:serviceaccount:ns:sa",
            "pods running as service account `sa` in namespace `ns`",
        ),
        ("Other", "anything", "subject `anything`"),
    ],
)
def test_subjects_in_plain_words(issuer: str, subject: str, words: str) -> None:
    assert describe_subject(issuer, subject, wildcard="*" in subject) == words


def test_a_wildcard_subject_says_it_is_a_pattern() -> None:
    assert describe_subject("GitHub Actions", "repo:acme/*:ref:refs/heads/main", wildcard=True).endswith(
        "(pattern: `*` matches anything, `/` and `:` included)"
    )


def test_a_fixed_repository_with_a_context_prefix_is_not_called_any_repository() -> None:
    words = describe_subject("GitHub Actions", "repo:octo-org/web-app:ref:refs/heads/release/*", wildcard=True)
    assert words.startswith(
        "workflows of repository `octo-org/web-app` whose context starts with `ref:refs/heads/release/`"
    ), words
    words = describe_subject("GitLab CI", "project_path:platform/infra:ref_type:branch:*", wildcard=True)
    assert words.startswith("pipelines of project `platform/infra` whose context starts with `ref_type:branch:`"), words
    # the owner-wide pattern keeps its warning
    assert describe_subject("GitHub Actions", "repo:octo-org/*", wildcard=True).startswith(
        "any workflow of any repository of `octo-org`"
    )


def test_an_intent_that_leaves_the_subject_free_reads_as_unbounded_everywhere() -> None:
    """The old GitHub intent (no `sub`) against a trust that binds `main`: never `proved`; the Markdown,
    the JSON text and the HTML page carry the same sentence (`verdict.proof_words`)."""
    from federation_constructs.proof.verdict import proof_words
    from federation_constructs.report.html import render_html

    key = "token.actions.githubusercontent.com"
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{key}"
    template = {
        "Resources": {
            "Deploy": {
                "Type": "AWS::IAM::Role",
                "Metadata": {"aws:cdk:path": "S/Deploy/Role/Resource"},
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Federated": provider},
                                "Action": "sts:AssumeRoleWithWebIdentity",
                                "Condition": {
                                    "StringEquals": {
                                        f"{key}:aud": "sts.amazonaws.com",
                                        f"{key}:sub": "repo:acme/app:ref:refs/heads/main",
                                    }
                                },
                            }
                        ]
                    }
                },
            }
        }
    }
    intent = TrustIntent(
        "oidc", provider, "sts:AssumeRoleWithWebIdentity", (ClaimIntent(f"{key}:aud", ("sts.amazonaws.com",)),)
    )
    report = build_access_report(template, stack="S", account=ACCOUNT, intents={"S/Deploy/Role": intent})
    (role,) = report["roles"]
    proof = role["proof"]
    assert proof["status"] == "unbounded" and proof["free"] == [f"{key}:sub"]
    sentence = proof_words(proof)
    assert sentence == proof["text"] and sentence.startswith(f"UNBOUNDED: the declared intent leaves `{key}:sub` free")
    assert f"- proof: {sentence}" in to_markdown([report])
    page = render_html({"stacks": [report]})
    assert "UNBOUNDED: the declared intent leaves <code>" in page and '<span class="badge bad">UNBOUNDED</span>' in page
    assert report["summary"]["roles_proved"] == 0


def test_what_a_role_can_do_includes_every_policy_attached_to_it() -> None:
    """The report reads the same union of permissions as the rules: inline policies, a policy naming the
    role by Ref, a role policy naming it by its literal RoleName, a managed policy of the template it
    refers to, and AWS managed policy ARNs."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
                "Condition": {
                    "StringEquals": {
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main",
                    }
                },
            }
        ],
    }

    def allow(action: str) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}

    template = {
        "Resources": {
            "Deploy": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "ci-deploy",
                    "AssumeRolePolicyDocument": trust,
                    "Policies": [{"PolicyName": "Inline", "PolicyDocument": allow("s3:ListAllMyBuckets")}],
                    "ManagedPolicyArns": [{"Ref": "Shared"}, "arn:aws:iam::aws:policy/ReadOnlyAccess"],
                },
            },
            "ByRef": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "by-ref",
                    "Roles": [{"Ref": "Deploy"}],
                    "PolicyDocument": allow("sqs:SendMessage"),
                },
            },
            "ByName": {
                "Type": "AWS::IAM::RolePolicy",
                "Properties": {
                    "PolicyName": "by-name",
                    "RoleName": "ci-deploy",
                    "PolicyDocument": allow("sns:Publish"),
                },
            },
            "Shared": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": allow("ssm:GetParameter")}},
        }
    }
    (role,) = build_access_report(template, stack="S", account=ACCOUNT)["roles"]
    permissions = role["permissions"]
    assert {(s["policy"], tuple(s["actions"])) for s in permissions["statements"]} == {
        ("Deploy.Policies[Inline]", ("s3:ListAllMyBuckets",)),
        ("ByRef", ("sqs:SendMessage",)),
        ("ByName", ("sns:Publish",)),
        ("Shared", ("ssm:GetParameter",)),
    }
    assert permissions["managed_policies"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert permissions["services"] == ["s3", "sns", "sqs", "ssm"]
