"""OIDC trust policies: exact conditions per preset, and who gets in, judged by the test-side matcher.

One app with one role per preset is synthesized once for the module. Each trust is read from the
template (as CloudFormation sees it), provider references resolved to ARNs, and evaluated with
`tests.iam_matcher`, which was written from IAM's documented semantics, not from the constructs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk.assertions import Template
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from federation_constructs.oidc import (
    EksServiceAccountRole,
    GitHubActionsRole,
    GitHubRepository,
    GitLabCiRole,
    HcpTerraformRole,
    OidcIssuer,
    OidcProvider,
    OidcRole,
    RoleOptions,
)
from federation_constructs.oidc.conditions import claim_conditions, trust_policy_size
from tests.iam_matcher import resolve_refs, trust_allows
from tests.support import new_app, synth

ACCOUNT = "111122223333"
GH = "token.actions.githubusercontent.com"
GH_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GH}"
GL = "gitlab.com"
GL_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GL}"
EKS_ID = "0123456789ABCDEF0123456789ABCDEF"
EKS = f"oidc.eks.eu-west-1.amazonaws.com/id/{EKS_ID}"
WEB = "sts:AssumeRoleWithWebIdentity"
CIRCLE_ORG = "1b2c3d4e-0000-4000-8000-123456789abc"
CIRCLE_PROJECT = "9f8e7d6c-0000-4000-8000-abcdefabcdef"
CIRCLE = f"oidc.circleci.com/org/{CIRCLE_ORG}"
BB_AUD = "ari:cloud:bitbucket::workspace/0000-aaaa"
BB = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"


class Fixture:
    """The synthesized stack and a trust-policy reader for its roles."""

    def __init__(self) -> None:
        self.app: App = new_app()
        self.stack = Stack(self.app, "Trusts", env=Environment(account=ACCOUNT, region="eu-west-1"))
        s = self.stack
        github = OidcProvider(s, "GitHub", issuer=OidcIssuer.github_actions())
        enterprise = OidcProvider(s, "GitHubEnterprise", issuer=OidcIssuer.github_actions(enterprise_slug="acme"))
        gitlab = OidcProvider(s, "GitLab", issuer=OidcIssuer.gitlab())
        tfc = OidcProvider(s, "Terraform", issuer=OidcIssuer.hcp_terraform())
        eks = OidcProvider(s, "Eks", issuer=OidcIssuer.eks(region="eu-west-1", cluster_id=EKS_ID))
        custom = OidcProvider(s, "Custom", issuer="https://idp.example.com/tenant", client_ids=["my-app"])
        circleci = OidcProvider(s, "CircleCi", issuer=OidcIssuer.circleci(CIRCLE_ORG))
        bitbucket = OidcProvider(s, "Bitbucket", issuer=OidcIssuer.bitbucket(workspace="acme", audience=BB_AUD))
        apple = OidcProvider(s, "Apple", issuer=OidcIssuer.apple(), client_ids=["com.example.app"])
        self.roles: dict[str, OidcRole] = {
            "github": GitHubActionsRole(
                s,
                "Deploy",
                provider=github,
                repositories=["octo-org/app"],
                branches=["main"],
                environments=["production"],
            ),
            "github_default": GitHubActionsRole(s, "DefaultMain", provider=github, repositories=["octo-org/app"]),
            "github_release": GitHubActionsRole(
                s, "Release", provider=github, repositories=["octo-org/app"], branches=["release/*"], tags=["v1.0.0"]
            ),
            "github_pr": GitHubActionsRole(
                s,
                "Checks",
                provider=github,
                repositories=["octo-org/app"],
                pull_requests=True,
                role_options=RoleOptions(session_tags=True),
            ),
            "github_immutable": GitHubActionsRole(
                s,
                "Immutable",
                provider=github,
                repositories=[GitHubRepository(owner="octo-org", name="app", owner_id=123, repository_id=456)],
            ),
            "github_both": GitHubActionsRole(
                s,
                "Migrating",
                provider=github,
                repositories=[
                    GitHubRepository(
                        owner="octo-org", name="app", owner_id=123, repository_id=456, subject_format="both"
                    )
                ],
            ),
            "github_workflow": GitHubActionsRole(
                s,
                "Reusable",
                provider=github,
                repositories=["octo-org/app"],
                job_workflow_refs=["octo-org/pipelines/.github/workflows/deploy.yml@refs/heads/main"],
            ),
            "github_enterprise": GitHubActionsRole(
                s, "Enterprise", provider=enterprise, enterprise_slug="acme", repositories=["octo-org/app"]
            ),
            "gitlab": GitLabCiRole(s, "Infra", provider=gitlab, projects=["platform/infra"], refs=["main"]),
            "terraform": HcpTerraformRole(
                s, "Apply", provider=tfc, organization="acme", workspaces=["prod"], run_phases=["apply"]
            ),
            "eks": EksServiceAccountRole(
                s,
                "Payments",
                provider=eks,
                cluster_region="eu-west-1",
                cluster_id=EKS_ID,
                namespace="payments",
                service_accounts=["api"],
            ),
            "custom": OidcRole(s, "CustomIdp", provider=custom, audiences=["my-app"], subjects=["service-a"]),
            "google": OidcRole(
                s, "GoogleUsers", issuer=OidcIssuer.google(), audiences=["123.apps.googleusercontent.com"]
            ),
            "facebook": OidcRole(s, "FacebookUsers", issuer=OidcIssuer.facebook(), audiences=["4567"]),
            "amazon": OidcRole(
                s, "AmazonUsers", issuer=OidcIssuer.login_with_amazon(), audiences=["amzn1.application.abc"]
            ),
            "circleci": OidcRole(
                s, "CircleDeploy", provider=circleci, subjects=[f"org/{CIRCLE_ORG}/project/{CIRCLE_PROJECT}/user/*"]
            ),
            "bitbucket": OidcRole(s, "BitbucketDeploy", provider=bitbucket, subjects=["{repo-uuid}:*"]),
            "apple": OidcRole(s, "AppleUsers", provider=apple, audiences=["com.example.app"]),
        }
        self.imported = OidcProvider.from_issuer(s, "ImportedGitHub", OidcIssuer.github_actions())
        self.template: Template = synth(s)
        self.json: dict[str, Any] = self.template.to_json()
        self.provider_arns = {
            s.get_logical_id(
                p.provider.node.default_child
            ): f"arn:aws:iam::{ACCOUNT}:oidc-provider/{p.issuer.host_path}"
            for p in (github, enterprise, gitlab, tfc, eks, custom, circleci, bitbucket, apple)
        }

    def trust(self, key: str) -> dict[str, Any]:
        """The role's trust policy as CloudFormation sees it, provider ARNs resolved."""
        role = self.roles[key].role
        logical_id = self.stack.get_logical_id(role.node.default_child)
        document = self.json["Resources"][logical_id]["Properties"]["AssumeRolePolicyDocument"]
        return resolve_refs(document, self.provider_arns)

    def admits(self, key: str, claims: Mapping[str, Any], *, principal: str = GH_ARN, action: str = WEB) -> bool:
        return trust_allows(self.trust(key), principal=principal, action=action, claims=claims)


@pytest.fixture(scope="module")
def fx() -> Fixture:
    return Fixture()


def gh_token(sub: str, aud: str | None = "sts.amazonaws.com", prefix: str = GH) -> dict[str, str | None]:
    return {f"{prefix}:sub": sub, f"{prefix}:aud": aud}


# --- exact conditions per preset ----------------------------------------------------------------


def conditions(fx: Fixture, key: str) -> dict[str, Any]:
    (statement,) = fx.trust(key)["Statement"]
    assert statement["Effect"] == "Allow"
    return statement["Condition"]


def test_github_branch_and_environment(fx: Fixture) -> None:
    (statement,) = fx.trust("github")["Statement"]
    assert statement["Principal"] == {"Federated": GH_ARN}
    assert statement["Action"] == WEB
    assert statement["Condition"] == {
        "StringEquals": {
            f"{GH}:aud": ["sts.amazonaws.com"],
            f"{GH}:sub": ["repo:octo-org/app:ref:refs/heads/main", "repo:octo-org/app:environment:production"],
        }
    }


def test_github_defaults_to_main_only(fx: Fixture) -> None:
    assert conditions(fx, "github_default")["StringEquals"][f"{GH}:sub"] == ["repo:octo-org/app:ref:refs/heads/main"]


def test_github_pattern_puts_every_subject_of_the_key_under_string_like(fx: Fixture) -> None:
    assert conditions(fx, "github_release") == {
        "StringEquals": {f"{GH}:aud": ["sts.amazonaws.com"]},
        "StringLike": {
            f"{GH}:sub": ["repo:octo-org/app:ref:refs/heads/release/*", "repo:octo-org/app:ref:refs/tags/v1.0.0"]
        },
    }


def test_github_pull_requests_only_when_asked_and_session_tags(fx: Fixture) -> None:
    (statement,) = fx.trust("github_pr")["Statement"]
    assert statement["Condition"]["StringEquals"][f"{GH}:sub"] == ["repo:octo-org/app:pull_request"]
    assert sorted(statement["Action"]) == ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    for key in ("github", "github_default", "github_release"):
        assert "pull_request" not in json.dumps(fx.trust(key))


def test_github_immutable_subjects(fx: Fixture) -> None:
    assert conditions(fx, "github_immutable")["StringEquals"][f"{GH}:sub"] == [
        "repo:octo-org@123/app@456:ref:refs/heads/main"
    ]
    assert conditions(fx, "github_both")["StringEquals"][f"{GH}:sub"] == [
        "repo:octo-org@123/app@456:ref:refs/heads/main",
        "repo:octo-org/app:ref:refs/heads/main",
    ]


def test_github_reusable_workflow_condition(fx: Fixture) -> None:
    assert conditions(fx, "github_workflow")["StringEquals"][f"{GH}:job_workflow_ref"] == [
        "octo-org/pipelines/.github/workflows/deploy.yml@refs/heads/main"
    ]


def test_github_enterprise_issuer_keys(fx: Fixture) -> None:
    (statement,) = fx.trust("github_enterprise")["Statement"]
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GH}/acme"}
    assert set(statement["Condition"]["StringEquals"]) == {f"{GH}/acme:aud", f"{GH}/acme:sub"}


def test_gitlab(fx: Fixture) -> None:
    assert conditions(fx, "gitlab") == {
        "StringEquals": {
            f"{GL}:aud": ["https://gitlab.com"],
            f"{GL}:sub": ["project_path:platform/infra:ref_type:branch:ref:main"],
        }
    }


def test_hcp_terraform(fx: Fixture) -> None:
    assert conditions(fx, "terraform") == {
        "StringEquals": {
            "app.terraform.io:aud": ["aws.workload.identity"],
            "app.terraform.io:sub": ["organization:acme:project:Default Project:workspace:prod:run_phase:apply"],
        }
    }


def test_eks(fx: Fixture) -> None:
    assert conditions(fx, "eks") == {
        "StringEquals": {f"{EKS}:aud": ["sts.amazonaws.com"], f"{EKS}:sub": ["system:serviceaccount:payments:api"]}
    }


def test_custom_issuer(fx: Fixture) -> None:
    assert conditions(fx, "custom") == {
        "StringEquals": {"idp.example.com/tenant:aud": ["my-app"], "idp.example.com/tenant:sub": ["service-a"]}
    }


def test_web_identity_providers_use_their_own_keys_and_names(fx: Fixture) -> None:
    (google,) = fx.trust("google")["Statement"]
    assert google["Principal"] == {"Federated": "accounts.google.com"}
    assert google["Condition"] == {"StringEquals": {"accounts.google.com:aud": ["123.apps.googleusercontent.com"]}}
    (facebook,) = fx.trust("facebook")["Statement"]
    assert facebook["Principal"] == {"Federated": "graph.facebook.com"}
    assert facebook["Condition"] == {"StringEquals": {"graph.facebook.com:app_id": ["4567"]}}


def test_circleci_bitbucket_apple_and_amazon(fx: Fixture) -> None:
    assert conditions(fx, "circleci") == {
        "StringEquals": {f"{CIRCLE}:aud": [CIRCLE_ORG]},
        "StringLike": {f"{CIRCLE}:sub": [f"org/{CIRCLE_ORG}/project/{CIRCLE_PROJECT}/user/*"]},
    }
    assert conditions(fx, "bitbucket") == {
        "StringEquals": {f"{BB}:aud": [BB_AUD]},
        "StringLike": {f"{BB}:sub": ["{repo-uuid}:*"]},
    }
    assert conditions(fx, "apple") == {"StringEquals": {"appleid.apple.com:aud": ["com.example.app"]}}
    (amazon,) = fx.trust("amazon")["Statement"]
    assert amazon["Principal"] == {"Federated": "www.amazon.com"}
    assert amazon["Condition"] == {"StringEquals": {"www.amazon.com:app_id": ["amzn1.application.abc"]}}


def test_circleci_project_is_pinned(fx: Fixture) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{CIRCLE}"
    aud = {f"{CIRCLE}:aud": CIRCLE_ORG}
    ok = f"org/{CIRCLE_ORG}/project/{CIRCLE_PROJECT}/user/42"
    assert fx.admits("circleci", {**aud, f"{CIRCLE}:sub": ok}, principal=arn)
    other = ok.replace(CIRCLE_PROJECT, "00000000-0000-4000-8000-000000000000")
    assert not fx.admits("circleci", {**aud, f"{CIRCLE}:sub": other}, principal=arn)


def test_no_set_operators_anywhere(fx: Fixture) -> None:
    text = json.dumps(fx.json).lower()
    assert "forallvalues" not in text and "foranyvalue" not in text


def test_providers_are_native_and_retained(fx: Fixture) -> None:
    providers = fx.template.find_resources("AWS::IAM::OIDCProvider")
    assert len(providers) == 9
    for resource in providers.values():
        assert resource["DeletionPolicy"] == "Retain" and resource["UpdateReplacePolicy"] == "Retain"
    types = {r["Type"] for r in fx.json["Resources"].values()}
    assert not any(t.startswith("Custom::") or t == "AWS::Lambda::Function" for t in types)
    fx.template.has_resource_properties(
        "AWS::IAM::OIDCProvider",
        {"Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"]},
    )


def test_imported_provider_arn_is_partition_aware(fx: Fixture) -> None:
    arn = fx.stack.resolve(fx.imported.oidc_provider_arn)
    assert arn == {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{ACCOUNT}:oidc-provider/{GH}"]]}


def test_computed_trust_size_matches_the_template(fx: Fixture) -> None:
    for key, role in fx.roles.items():
        assert role.trust_policy_size == trust_policy_size(fx.trust(key)), key


def test_max_session_duration_default_one_hour(fx: Fixture) -> None:
    for role in fx.template.find_resources("AWS::IAM::Role").values():
        assert role["Properties"]["MaxSessionDuration"] == 3600


# --- who gets in: the matcher's verdict ---------------------------------------------------------


def test_intended_github_tokens_are_admitted(fx: Fixture) -> None:
    assert fx.admits("github", gh_token("repo:octo-org/app:ref:refs/heads/main"))
    assert fx.admits("github", gh_token("repo:octo-org/app:environment:production"))


@pytest.mark.parametrize(
    "sub",
    [
        "repo:octo-org/app:ref:refs/heads/dev",  # another branch
        "repo:octo-org/app:pull_request",  # a pull request
        "repo:octo-org/app:environment:staging",  # another environment
        "repo:octo-org/other:ref:refs/heads/main",  # another repository
        "repo:octo-org-evil/app:ref:refs/heads/main",  # an org whose name extends the allowed one
        "repo:octo/app:ref:refs/heads/main",  # an org that is a prefix of the allowed one
        "repo:Octo-Org/app:ref:refs/heads/main",  # values are case-sensitive
        "repo:octo-org/app:ref:refs/heads/main:extra",
        "repo:octo-org/app:ref:refs/tags/main",
    ],
)
def test_other_github_subjects_are_denied(fx: Fixture, sub: str) -> None:
    assert not fx.admits("github", gh_token(sub))


@pytest.mark.parametrize("aud", [None, "", "https://github.com/octo-org", "sts.amazonaws.com.evil"])
def test_missing_or_wrong_audience_is_denied(fx: Fixture, aud: str | None) -> None:
    assert not fx.admits("github", gh_token("repo:octo-org/app:ref:refs/heads/main", aud=aud))


def test_missing_subject_is_denied(fx: Fixture) -> None:
    assert not fx.admits("github", {f"{GH}:aud": "sts.amazonaws.com"})


def test_token_of_another_issuer_is_denied(fx: Fixture) -> None:
    gitlab_token = {f"{GL}:sub": "repo:octo-org/app:ref:refs/heads/main", f"{GL}:aud": "sts.amazonaws.com"}
    assert not fx.admits("github", gitlab_token, principal=GL_ARN)
    assert not fx.admits("github", gh_token("repo:octo-org/app:ref:refs/heads/main"), principal=GL_ARN)
    assert not fx.admits(
        "gitlab", gh_token("project_path:platform/infra:ref_type:branch:ref:main", aud="https://gitlab.com")
    )


def test_wrong_action_is_denied(fx: Fixture) -> None:
    assert not fx.admits("github", gh_token("repo:octo-org/app:ref:refs/heads/main"), action="sts:AssumeRole")
    assert not fx.admits("github", gh_token("repo:octo-org/app:ref:refs/heads/main"), action="sts:TagSession")
    assert fx.admits("github_pr", gh_token("repo:octo-org/app:pull_request"), action="sts:TagSession")


def test_immutable_form_denies_the_name_form_and_a_squatter(fx: Fixture) -> None:
    assert fx.admits("github_immutable", gh_token("repo:octo-org@123/app@456:ref:refs/heads/main"))
    assert not fx.admits("github_immutable", gh_token("repo:octo-org/app:ref:refs/heads/main"))
    assert not fx.admits("github_immutable", gh_token("repo:octo-org@999/app@456:ref:refs/heads/main"))
    assert fx.admits("github_both", gh_token("repo:octo-org/app:ref:refs/heads/main"))


def test_reusable_workflow_is_required(fx: Fixture) -> None:
    token = gh_token("repo:octo-org/app:ref:refs/heads/main")
    assert not fx.admits("github_workflow", token)
    good = {**token, f"{GH}:job_workflow_ref": "octo-org/pipelines/.github/workflows/deploy.yml@refs/heads/main"}
    assert fx.admits("github_workflow", good)
    bad = {**token, f"{GH}:job_workflow_ref": "octo-org/app/.github/workflows/deploy.yml@refs/heads/main"}
    assert not fx.admits("github_workflow", bad)


def test_other_presets_admit_exactly_their_subject(fx: Fixture) -> None:
    gl = {f"{GL}:aud": "https://gitlab.com"}
    assert fx.admits(
        "gitlab", {**gl, f"{GL}:sub": "project_path:platform/infra:ref_type:branch:ref:main"}, principal=GL_ARN
    )
    for sub in (
        "project_path:platform/infra:ref_type:branch:ref:dev",
        "project_path:platform/infra:ref_type:tag:ref:main",
        "project_path:platform/infra-evil:ref_type:branch:ref:main",
    ):
        assert not fx.admits("gitlab", {**gl, f"{GL}:sub": sub}, principal=GL_ARN)
    tfc_arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/app.terraform.io"
    tfc = {"app.terraform.io:aud": "aws.workload.identity"}
    ok = "organization:acme:project:Default Project:workspace:prod:run_phase:apply"
    assert fx.admits("terraform", {**tfc, "app.terraform.io:sub": ok}, principal=tfc_arn)
    assert not fx.admits("terraform", {**tfc, "app.terraform.io:sub": ok.replace("apply", "plan")}, principal=tfc_arn)
    eks_arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{EKS}"
    eks = {f"{EKS}:aud": "sts.amazonaws.com"}
    assert fx.admits("eks", {**eks, f"{EKS}:sub": "system:serviceaccount:payments:api"}, principal=eks_arn)
    assert not fx.admits("eks", {**eks, f"{EKS}:sub": "system:serviceaccount:default:api"}, principal=eks_arn)


# --- properties -----------------------------------------------------------------------------------

_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._/:*?", min_size=1, max_size=20)


@settings(max_examples=150, deadline=None)
@given(branch=_names)
def test_property_only_main_and_production_get_in(fx: Fixture, branch: str) -> None:
    allowed = fx.admits("github", gh_token(f"repo:octo-org/app:ref:refs/heads/{branch}"))
    assert allowed == (branch == "main")
    allowed_env = fx.admits("github", gh_token(f"repo:octo-org/app:environment:{branch}"))
    assert allowed_env == (branch == "production")


@settings(max_examples=150, deadline=None)
@given(owner=_names, repo=_names)
def test_property_no_other_repository_gets_in(fx: Fixture, owner: str, repo: str) -> None:
    assume((owner, repo) != ("octo-org", "app"))
    assert not fx.admits("github", gh_token(f"repo:{owner}/{repo}:ref:refs/heads/main"))


@settings(max_examples=150, deadline=None)
@given(branch=_names)
def test_property_release_pattern_admits_exactly_release_branches(fx: Fixture, branch: str) -> None:
    allowed = fx.admits("github_release", gh_token(f"repo:octo-org/app:ref:refs/heads/{branch}"))
    assert allowed == branch.startswith("release/")


@settings(max_examples=100, deadline=None)
@given(sub=st.text(min_size=0, max_size=60))
def test_property_arbitrary_subjects_never_get_in(fx: Fixture, sub: str) -> None:
    assume(sub not in {"repo:octo-org/app:ref:refs/heads/main", "repo:octo-org/app:environment:production"})
    assert not fx.admits("github", gh_token(sub))


# --- the operator choice on its own ----------------------------------------------------------------


def test_mixed_exact_and_pattern_values_stay_satisfiable() -> None:
    built = claim_conditions({"k:sub": ["exact", "pre*"]})
    assert built == {"StringLike": {"k:sub": ["exact", "pre*"]}}
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Federated": "p"}, "Action": WEB, "Condition": built}],
    }
    for sub, expected in (("exact", True), ("prefix", True), ("other", False)):
        assert trust_allows(policy, principal="p", action=WEB, claims={"k:sub": sub}) is expected
