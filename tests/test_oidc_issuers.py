"""Issuer presets: the claim catalogue IAM evaluates, required claims, audiences and URL rules."""

from __future__ import annotations

import pytest

from federation_constructs.errors import PresetValueError
from federation_constructs.oidc import OidcIssuer
from federation_constructs.oidc.issuers import GITHUB_STS_CLAIMS, issuer_url_problem

ORG = "1b2c3d4e-0000-4000-8000-123456789abc"


def test_github_claims_are_exactly_those_sts_evaluates() -> None:
    github = OidcIssuer.github_actions()
    assert github.claims == {
        "aud",
        "sub",
        "actor",
        "actor_id",
        "job_workflow_ref",
        "repository",
        "repository_id",
        "workflow",
        "ref",
        "environment",
        "enterprise_id",
    }
    # named by secondary sources only: not offered until AWS lists them
    assert not {"repository_owner_id", "runner_environment", "repository_owner"} & github.claims
    assert GITHUB_STS_CLAIMS < github.claims
    assert github.required_claims == {"aud", "sub"}
    assert github.default_audience == "sts.amazonaws.com"
    assert github.key("sub") == "token.actions.githubusercontent.com:sub"


def test_github_enterprise_issuer() -> None:
    enterprise = OidcIssuer.github_actions(enterprise_slug="acme")
    assert enterprise.url == "https://token.actions.githubusercontent.com/acme"
    assert enterprise.key("sub") == "token.actions.githubusercontent.com/acme:sub"


@pytest.mark.parametrize(
    ("issuer", "url", "audience", "required"),
    [
        (OidcIssuer.gitlab(), "https://gitlab.com", "https://gitlab.com", {"aud", "sub"}),
        (
            OidcIssuer.gitlab(host="git.example.com"),
            "https://git.example.com",
            "https://git.example.com",
            {"aud", "sub"},
        ),
        (OidcIssuer.hcp_terraform(), "https://app.terraform.io", "aws.workload.identity", {"aud", "sub"}),
        (OidcIssuer.circleci(ORG), f"https://oidc.circleci.com/org/{ORG}", ORG, {"aud", "sub"}),
        (
            OidcIssuer.bitbucket(workspace="acme", audience="ari:cloud:bitbucket::workspace/x"),
            "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc",
            "ari:cloud:bitbucket::workspace/x",
            {"aud", "sub"},
        ),
        (
            OidcIssuer.eks(region="eu-west-1", cluster_id="A" * 32),
            f"https://oidc.eks.eu-west-1.amazonaws.com/id/{'A' * 32}",
            "sts.amazonaws.com",
            {"aud", "sub"},
        ),
        (OidcIssuer.apple(), "https://appleid.apple.com", None, {"aud"}),
        (OidcIssuer.custom("https://idp.example.com"), "https://idp.example.com", None, {"aud", "sub"}),
    ],
)
def test_provider_presets(issuer: OidcIssuer, url: str, audience: str | None, required: set[str]) -> None:
    assert issuer.url == url
    assert issuer.default_audience == audience
    assert issuer.required_claims == required
    assert issuer.claims == {"aud", "sub"}  # IAM evaluates nothing else for these issuers
    assert issuer.needs_provider


def test_web_identity_presets_use_their_own_names_and_keys() -> None:
    google, facebook, amazon = OidcIssuer.google(), OidcIssuer.facebook(), OidcIssuer.login_with_amazon()
    assert (google.key("aud"), google.key("oaud"), google.key("sub")) == (
        "accounts.google.com:aud",
        "accounts.google.com:oaud",
        "accounts.google.com:sub",
    )
    assert facebook.key(facebook.audience_claim) == "graph.facebook.com:app_id"
    assert facebook.claims == {"app_id", "id"}
    assert amazon.key(amazon.audience_claim) == "www.amazon.com:app_id"
    assert amazon.claims == {"app_id", "user_id"}
    assert not any(i.needs_provider for i in (google, facebook, amazon))


def test_owner_part_of_subjects() -> None:
    assert OidcIssuer.github_actions().owner_of("repo:octo-org/app:ref:refs/heads/main") == "octo-org"
    assert OidcIssuer.github_actions().owner_of("repo:octo-org@12/app@34:pull_request") == "octo-org@12"
    assert OidcIssuer.github_actions().owner_of("octo-org/app") is None
    assert OidcIssuer.gitlab().owner_of("project_path:grp/sub/proj:ref_type:branch:ref:main") == "grp"
    assert OidcIssuer.hcp_terraform().owner_of("organization:acme:project:p:workspace:w:run_phase:plan") == "acme"
    assert (
        OidcIssuer.eks(region="eu-west-1", cluster_id="A" * 32).owner_of("system:serviceaccount:payments:api")
        == "payments"
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://idp.example.com", "https"),
        ("https://idp.example.com/?x=1", "query"),
        ("https://idp.example.com#frag", "fragment"),
        ("https://idp.example.com/", "ends with '/'"),
        ("https://" + "a" * 250 + ".com", "255"),
        ("https://", "host"),
    ],
)
def test_issuer_url_problems(url: str, problem: str) -> None:
    found = issuer_url_problem(url)
    assert found is not None and problem in found


def test_valid_issuer_urls() -> None:
    for url in ("https://idp.example.com", "https://idp.example.com/tenant/v2", "https://idp.example.com:8443/x"):
        assert issuer_url_problem(url) is None


@pytest.mark.parametrize(
    ("make", "field", "value"),
    [
        (lambda: OidcIssuer.github_actions(enterprise_slug="bad slug"), "enterprise_slug", "bad slug"),
        (lambda: OidcIssuer.gitlab(host="not a host"), "host", "not a host"),
        (lambda: OidcIssuer.circleci("org"), "org_id", "org"),
        (lambda: OidcIssuer.eks(region="mars-1", cluster_id="A" * 32), "region", "mars-1"),
        (lambda: OidcIssuer.eks(region="eu-west-1", cluster_id="xyz"), "cluster_id", "xyz"),
        (lambda: OidcIssuer.bitbucket(workspace="acme", audience=""), "audience", ""),
        (lambda: OidcIssuer.custom("http://x.example.com"), "url", "http://x.example.com"),
        (lambda: OidcIssuer.custom("https://x.example.com", required_claims=("sub",)), "required_claims", ("sub",)),
    ],
)
def test_preset_refusals_carry_field_and_value(make, field: str, value: object) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PresetValueError) as caught:
        make()
    assert (caught.value.field, caught.value.value) == (field, value)
    assert f"{field}={value!r} is not accepted; expected " in str(caught.value)
