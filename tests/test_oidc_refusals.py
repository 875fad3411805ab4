"""Every refusal of the OIDC constructs: bad input and unsafe choices fail in the constructor.

Each test checks that `FederationValidationError` is raised and that its message names the
construct path, the field and the value, then says what is accepted (the form produced by
`federation_constructs.errors.invalid`). Nothing is synthesized: one app and one stack serve the
whole module, every test adds constructs under its own id.

"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, Duration, Environment, Fn, Stack, Token
from aws_cdk import aws_iam as iam

from federation_constructs.errors import FederationValidationError
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
from tests.support import new_app, refused

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "eu-west-1"
STACK = "Refusals"

CUSTOM_URL = "https://idp.example.com"
CUSTOM_CLIENT = "my-client"
APPLE_CLIENT = "com.example.app"
GOOGLE_CLIENT = "1234567890-abc.apps.googleusercontent.com"
EKS_REGION = "eu-west-1"
EKS_CLUSTER = "0123456789ABCDEF0123456789ABCDEF"

GITHUB_URL = "https://token.actions.githubusercontent.com"
GITHUB_SUB = "repo:octo-org/app:ref:refs/heads/main"
GITLAB_SUB = "project_path:mygroup/proj:ref_type:branch:ref:main"
HCP_SUB = "organization:my-org:project:p:workspace:w:run_phase:apply"
EKS_SUB = "system:serviceaccount:ns:sa"


# --- fixtures and helpers -------------------------------------------------------------------


@dataclass(frozen=True)
class Env:
    """The module's app, stack and one provider per issuer (IAM allows one per account)."""

    app: App
    stack: Stack
    github: OidcProvider
    gitlab: OidcProvider
    hcp: OidcProvider
    eks: OidcProvider
    custom: OidcProvider
    apple: OidcProvider


@pytest.fixture(scope="module")
def env() -> Env:
    app = new_app()
    stack = Stack(app, STACK, env=Environment(account=ACCOUNT, region=REGION))
    return Env(
        app=app,
        stack=stack,
        github=OidcProvider(stack, "GitHub", issuer=OidcIssuer.github_actions()),
        gitlab=OidcProvider(stack, "GitLab", issuer=OidcIssuer.gitlab()),
        hcp=OidcProvider(stack, "Hcp", issuer=OidcIssuer.hcp_terraform()),
        eks=OidcProvider(stack, "Eks", issuer=OidcIssuer.eks(region=EKS_REGION, cluster_id=EKS_CLUSTER)),
        custom=OidcProvider(stack, "Custom", issuer=OidcIssuer.custom(CUSTOM_URL), client_ids=[CUSTOM_CLIENT]),
        apple=OidcProvider(stack, "Apple", issuer=OidcIssuer.apple(), client_ids=[APPLE_CLIENT]),
    )


def stack_id(cid: str, suffix: str) -> str:
    """A stack name (letters, digits, hyphens) made from this test's id."""
    return f"{cid.replace('_', '-')}-{suffix}"


def github_role(env: Env, cid: str, **kwargs: Any) -> OidcRole:
    kwargs.setdefault("provider", env.github)
    return OidcRole(env.stack, cid, issuer=OidcIssuer.github_actions(), **kwargs)


def gitlab_role(env: Env, cid: str, **kwargs: Any) -> OidcRole:
    return OidcRole(env.stack, cid, issuer=OidcIssuer.gitlab(), provider=env.gitlab, **kwargs)


def hcp_role(env: Env, cid: str, **kwargs: Any) -> OidcRole:
    return OidcRole(env.stack, cid, issuer=OidcIssuer.hcp_terraform(), provider=env.hcp, **kwargs)


def eks_role(env: Env, cid: str, **kwargs: Any) -> OidcRole:
    issuer = OidcIssuer.eks(region=EKS_REGION, cluster_id=EKS_CLUSTER)
    return OidcRole(env.stack, cid, issuer=issuer, provider=env.eks, **kwargs)


def custom_role(env: Env, cid: str, **kwargs: Any) -> OidcRole:
    kwargs.setdefault("audiences", [CUSTOM_CLIENT])
    return OidcRole(env.stack, cid, issuer=OidcIssuer.custom(CUSTOM_URL), provider=env.custom, **kwargs)


RoleFactory = Callable[..., OidcRole]
ROLE_FACTORIES: dict[str, RoleFactory] = {
    "github": github_role,
    "gitlab": gitlab_role,
    "hcp": hcp_role,
    "eks": eks_role,
    "custom": custom_role,
}


# --- OidcRole: subjects -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["github", "gitlab", "custom", "hcp", "eks"])
def test_role_without_subject_is_refused_where_sub_is_required(env: Env, cid: str, path: str, kind: str) -> None:
    with refused(path, "subjects", [], "at least one subject", "allow_any_subject=True"):
        ROLE_FACTORIES[kind](env, cid)


@pytest.mark.parametrize("kind", ["github", "gitlab", "custom"])
def test_role_without_subject_passes_with_allow_any_subject(env: Env, cid: str, kind: str) -> None:
    role = ROLE_FACTORIES[kind](env, cid, allow_any_subject=True)
    assert role.subjects == ()
    assert "allow_any_subject" in role.opt_ins


ONLY_WILDCARDS = pytest.mark.parametrize("subject", ["*", "**", "?*"], ids=["star", "starstar", "qstar"])


@ONLY_WILDCARDS
@pytest.mark.parametrize("kind", ["github", "custom"])
def test_subject_of_only_wildcards_is_refused(env: Env, cid: str, path: str, kind: str, subject: str) -> None:
    with refused(path, "subjects", subject, "a subject that names who may assume the role", "allow_any_subject=True"):
        ROLE_FACTORIES[kind](env, cid, subjects=[subject])


@ONLY_WILDCARDS
@pytest.mark.parametrize("kind", ["github", "custom"])
def test_subject_of_only_wildcards_passes_with_allow_any_subject(env: Env, cid: str, kind: str, subject: str) -> None:
    role = ROLE_FACTORIES[kind](env, cid, subjects=[subject], allow_any_subject=True)
    assert role.subjects == (subject,)


def test_subjects_as_plain_string_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "subjects", GITHUB_SUB, "a list of subjects"):
        github_role(env, cid, subjects=GITHUB_SUB)


def test_github_subject_without_repo_prefix_is_refused(env: Env, cid: str, path: str) -> None:
    subject = "octo-org/app:ref:refs/heads/main"
    with refused(path, "subjects", subject, "the form repo:OWNER/REPO:ref:refs/heads/BRANCH"):
        github_role(env, cid, subjects=[subject])


def test_github_subject_without_repo_prefix_passes_with_allow_any_subject(env: Env, cid: str) -> None:
    github_role(env, cid, subjects=["octo-org/app:ref:refs/heads/main"], allow_any_subject=True)


OWNER_WILDCARDS = [
    ("github", "repo:*/app:ref:refs/heads/main", "repository owner"),
    ("github", "repo:octo*/app:ref:refs/heads/main", "repository owner"),
    ("gitlab", "project_path:*/proj:ref_type:branch:ref:main", "top-level group"),
    ("hcp", "organization:my*:project:p:workspace:w:run_phase:apply", "organization"),
    ("eks", "system:serviceaccount:*:sa", "namespace"),
    ("eks", "system:serviceaccount:kube*:sa", "namespace"),
]
OWNER_WILDCARD_IDS = ["github-star", "github-prefix", "gitlab-group", "hcp-org", "eks-star", "eks-prefix"]


@pytest.mark.parametrize(("kind", "subject", "owner_label"), OWNER_WILDCARDS, ids=OWNER_WILDCARD_IDS)
def test_wildcard_in_subject_owner_is_refused(
    env: Env, cid: str, path: str, kind: str, subject: str, owner_label: str
) -> None:
    with refused(path, "subjects", subject, f"a literal {owner_label} in the subject", "allow_any_subject=True"):
        ROLE_FACTORIES[kind](env, cid, subjects=[subject])


@pytest.mark.parametrize(("kind", "subject", "owner_label"), OWNER_WILDCARDS, ids=OWNER_WILDCARD_IDS)
def test_wildcard_in_subject_owner_passes_with_allow_any_subject(
    env: Env, cid: str, kind: str, subject: str, owner_label: str
) -> None:
    role = ROLE_FACTORIES[kind](env, cid, subjects=[subject], allow_any_subject=True)
    assert role.subjects == (subject,)


@pytest.mark.parametrize(
    ("kind", "subject"),
    [("github", GITHUB_SUB), ("gitlab", GITLAB_SUB), ("hcp", HCP_SUB), ("eks", EKS_SUB)],
    ids=["github", "gitlab", "hcp", "eks"],
)
def test_literal_subject_in_the_issuers_form_passes(env: Env, cid: str, kind: str, subject: str) -> None:
    # the control for the refusals above: the same issuers, a safe subject
    assert ROLE_FACTORIES[kind](env, cid, subjects=[subject]).subjects == (subject,)


# --- OidcRole: audiences ----------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["sts.*", "sts.amazonaws.co?"], ids=["star", "question"])
def test_audience_with_wildcard_is_refused(env: Env, cid: str, path: str, audience: str) -> None:
    with refused(path, "audiences", audience, "exact audiences"):
        github_role(env, cid, audiences=[audience], subjects=[GITHUB_SUB])


def test_empty_audiences_list_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "audiences", [], "at least one audience"):
        github_role(env, cid, audiences=[], subjects=[GITHUB_SUB])


def test_empty_audience_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "audiences", "", "literal, non-empty audiences"):
        github_role(env, cid, audiences=[""], subjects=[GITHUB_SUB])


def test_audience_the_provider_does_not_accept_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(
        path,
        "audiences",
        ["other-audience"],
        f"audiences that provider {STACK}/GitHub accepts",
        "sts.amazonaws.com",
        "could never be assumed",
    ):
        github_role(env, cid, audiences=["other-audience"], subjects=[GITHUB_SUB])


def test_audiences_as_plain_string_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "audiences", "sts.amazonaws.com", "a list of audiences"):
        github_role(env, cid, audiences="sts.amazonaws.com", subjects=[GITHUB_SUB])


@pytest.mark.parametrize("audiences", [None, []], ids=["default", "empty"])
def test_apple_without_audiences_is_refused(env: Env, cid: str, path: str, audiences: list[str] | None) -> None:
    with refused(
        path, "audiences", [], "at least one audience", "Sign in with Apple has no default", "appleid.apple.com:aud"
    ):
        OidcRole(env.stack, cid, issuer=OidcIssuer.apple(), provider=env.apple, audiences=audiences)


def test_apple_with_audience_passes(env: Env, cid: str) -> None:
    role = OidcRole(env.stack, cid, issuer=OidcIssuer.apple(), provider=env.apple, audiences=[APPLE_CLIENT])
    assert role.audiences == (APPLE_CLIENT,)


def test_google_without_audiences_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "audiences", [], "at least one audience", "accounts.google.com:aud"):
        OidcRole(env.stack, cid, issuer=OidcIssuer.google())


# --- OidcRole: conditions ---------------------------------------------------------------------


def test_condition_on_a_gitlab_claim_iam_does_not_evaluate_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(
        path,
        "conditions",
        "ref_protected",
        "a claim IAM evaluates for GitLab CI",
        "none besides aud and sub",
        "AWS ignores other claims",
    ):
        gitlab_role(env, cid, subjects=[GITLAB_SUB], conditions={"ref_protected": "true"})


def test_condition_on_a_github_claim_iam_does_not_evaluate_is_refused(env: Env, cid: str, path: str) -> None:
    # the accepted part lists the claims STS does evaluate for GitHub
    with refused(
        path,
        "conditions",
        "repository_owner_id",
        "a claim IAM evaluates for GitHub Actions",
        "actor, actor_id, enterprise_id, environment, job_workflow_ref, ref, repository, repository_id, workflow",
    ):
        github_role(env, cid, subjects=[GITHUB_SUB], conditions={"repository_owner_id": "123"})


def test_condition_on_sub_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "conditions", "sub", "subjects given as `subjects`"):
        github_role(env, cid, subjects=[GITHUB_SUB], conditions={"sub": GITHUB_SUB})


def test_condition_on_aud_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "conditions", "aud", "audiences given as `audiences`"):
        github_role(env, cid, subjects=[GITHUB_SUB], conditions={"aud": "sts.amazonaws.com"})


@pytest.mark.parametrize("value", ["*", ["octo-org/app", "**"], ""], ids=["star", "list-with-starstar", "empty"])
def test_condition_of_only_wildcards_is_refused(env: Env, cid: str, path: str, value: str | list[str]) -> None:
    bad = value if isinstance(value, str) else value[-1]
    with refused(path, "conditions['repository']", bad, "literal values that restrict the claim"):
        github_role(env, cid, subjects=[GITHUB_SUB], conditions={"repository": value})


def test_condition_without_values_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "conditions['repository']", [], "at least one value"):
        github_role(env, cid, subjects=[GITHUB_SUB], conditions={"repository": []})


# --- OidcRole: session duration and trust-policy quota ----------------------------------------


@pytest.mark.parametrize(
    ("duration", "seconds"), [(Duration.minutes(30), 1800), (Duration.hours(13), 46800)], ids=["30min", "13h"]
)
def test_max_session_duration_outside_1_to_12_hours_is_refused(
    env: Env, cid: str, path: str, duration: Duration, seconds: int
) -> None:
    with refused(path, "role_options.max_session_duration", f"{seconds} seconds", "1 to 12 hours (3600-43200 seconds)"):
        github_role(env, cid, subjects=[GITHUB_SUB], role_options=RoleOptions(max_session_duration=duration))


@pytest.mark.parametrize("quota", [1000, 5000])
def test_trust_policy_quota_outside_iams_range_is_refused(env: Env, cid: str, path: str, quota: int) -> None:
    with refused(path, "role_options.trust_policy_quota", quota, "2048 (IAM's default) up to 4096"):
        github_role(env, cid, subjects=[GITHUB_SUB], role_options=RoleOptions(trust_policy_quota=quota))


# --- OidcRole: issuer and provider ------------------------------------------------------------


def test_provider_for_another_issuer_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(
        path, "provider", f"{STACK}/GitLab", f"the provider for {GITHUB_URL}", "this provider is for https://gitlab.com"
    ):
        github_role(env, cid, provider=env.gitlab, subjects=[GITHUB_SUB])


def test_imported_provider_for_another_issuer_is_refused(env: Env, cid: str, path: str) -> None:
    imported = OidcProvider.from_issuer(env.stack, f"{cid}Imported", OidcIssuer.gitlab())
    with refused(path, "provider", imported.node.path, f"the provider for {GITHUB_URL}"):
        OidcRole(env.stack, cid, issuer=OidcIssuer.github_actions(), provider=imported, subjects=[GITHUB_SUB])


def test_provider_for_google_is_refused(env: Env, cid: str, path: str) -> None:
    imported = OidcProvider.from_issuer(env.stack, f"{cid}Imported", CUSTOM_URL)
    with refused(
        path, "provider", imported.node.path, "no provider", "Google is trusted directly as 'accounts.google.com'"
    ):
        OidcRole(env.stack, cid, issuer=OidcIssuer.google(), provider=imported, audiences=[GOOGLE_CLIENT])


def test_oidc_provider_for_google_is_refused_as_no_provider_needed(env: Env, cid: str, path: str) -> None:
    with refused(
        path, "provider", f"{STACK}/GitHub", "no provider", "Google is trusted directly as 'accounts.google.com'"
    ):
        OidcRole(env.stack, cid, issuer=OidcIssuer.google(), provider=env.github, audiences=[GOOGLE_CLIENT])


def test_google_without_provider_passes(env: Env, cid: str) -> None:
    role = OidcRole(env.stack, cid, issuer=OidcIssuer.google(), audiences=[GOOGLE_CLIENT])
    assert role.issuer.web_identity_name == "accounts.google.com"


@pytest.mark.parametrize(
    "issuer", [OidcIssuer.github_actions(), OidcIssuer.custom(CUSTOM_URL), CUSTOM_URL], ids=["github", "custom", "url"]
)
def test_missing_provider_is_refused(env: Env, cid: str, path: str, issuer: OidcIssuer | str) -> None:
    url = issuer if isinstance(issuer, str) else issuer.url
    with refused(path, "provider", None, f"the IAM OIDC provider for {url}", "OidcProvider.from_issuer()"):
        OidcRole(env.stack, cid, issuer=issuer, audiences=["sts.amazonaws.com"], subjects=["x"])


def test_missing_issuer_with_a_provider_of_unknown_issuer_is_refused(env: Env, cid: str, path: str) -> None:
    arn = env.stack.format_arn(
        service="iam", region="", resource="oidc-provider", resource_name=env.stack.resolve("somewhere.example.com")
    )
    unknown = iam.OidcProviderNative.from_oidc_provider_arn(
        env.stack, f"{cid}Imported", Token.as_string(Fn.join("", [arn]))
    )
    with refused(path, "issuer", None, "the token issuer", "OidcProvider.from_issuer()"):
        OidcRole(env.stack, cid, provider=unknown, subjects=[GITHUB_SUB])


def test_issuer_is_taken_from_a_provider_imported_with_from_issuer(env: Env, cid: str) -> None:
    imported = OidcProvider.from_issuer(env.stack, f"{cid}Imported", OidcIssuer.github_actions())
    role = OidcRole(env.stack, cid, provider=imported, subjects=[GITHUB_SUB])
    assert role.issuer.url == "https://token.actions.githubusercontent.com"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://idp.example.com", "does not start with https://"),
        ("https://idp.example.com/", "ends with '/'"),
    ],
    ids=["http", "slash"],
)
def test_role_with_bad_issuer_url_is_refused(env: Env, cid: str, path: str, url: str, problem: str) -> None:
    with refused(path, "issuer", url, "an https issuer URL", problem):
        OidcRole(env.stack, cid, issuer=url, provider=env.custom, audiences=[CUSTOM_CLIENT], subjects=["x"])


# --- OidcProvider -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://idp.example.com", "it does not start with https://"),
        ("https://idp.example.com/path?x=1", "it has a query string"),
        ("https://idp.example.com/path?", "it has a query string"),
        ("https://idp.example.com/path#frag", "it has a fragment"),
        ("https://idp.example.com/", "it ends with '/'"),
        ("https://idp.example.com/tenant/", "it ends with '/'"),
        ("https://idp.example.com/" + "a" * 232, "it is 256 characters long (IAM allows at most 255)"),
        ("https://not a host/x", "it has no valid host name"),
    ],
    ids=["http", "query", "empty-query", "fragment", "slash", "path-slash", "256-chars", "bad-host"],
)
def test_provider_url_is_refused(env: Env, cid: str, path: str, url: str, problem: str) -> None:
    with refused(path, "issuer", url, "an https issuer URL without query or fragment", problem):
        OidcProvider(env.stack, cid, issuer=url, client_ids=["a"])


def test_provider_url_of_255_characters_passes(env: Env, cid: str) -> None:
    url = "https://idp255.example.com/" + "a" * 228
    assert len(url) == 255
    assert OidcProvider(env.stack, cid, issuer=url, client_ids=["a"]).issuer.url == url


def test_provider_without_client_ids_for_issuer_without_default_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "client_ids", [], "1-100 audiences", "noaud.example.com has no default audience"):
        OidcProvider(env.stack, cid, issuer="https://noaud.example.com")


def test_provider_with_101_client_ids_is_refused(env: Env, cid: str, path: str) -> None:
    ids = [f"client-{i:03d}" for i in range(101)]
    with refused(path, "client_ids", "101 audiences", "at most 100 audiences"):
        OidcProvider(env.stack, cid, issuer="https://many.example.com", client_ids=ids)


def test_provider_with_101_client_ids_message_does_not_blame_the_default(env: Env, cid: str, path: str) -> None:
    ids = [f"client-{i:03d}" for i in range(101)]
    with refused(path, "client_ids", "101 audiences", "at most 100 audiences") as err:
        OidcProvider(env.stack, cid, issuer=OidcIssuer.github_actions(enterprise_slug="many-ids"), client_ids=ids)
    assert "has no default audience" not in str(err.value)


def test_provider_with_duplicate_client_ids_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "client_ids", ["a", "b", "a"], "each audience once"):
        OidcProvider(env.stack, cid, issuer="https://dup.example.com", client_ids=["a", "b", "a"])


@pytest.mark.parametrize("client_id", ["", "  ", "x" * 256], ids=["empty", "blank", "256-chars"])
def test_provider_with_bad_client_id_is_refused(env: Env, cid: str, path: str, client_id: str) -> None:
    with refused(path, "client_ids", client_id, "non-empty audiences of at most 255 characters"):
        OidcProvider(env.stack, cid, issuer="https://badid.example.com", client_ids=[client_id])


def test_provider_with_client_ids_as_plain_string_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "client_ids", "client", "list"):
        OidcProvider(env.stack, cid, issuer="https://strid.example.com", client_ids="client")


def test_provider_with_6_thumbprints_is_refused(env: Env, cid: str, path: str) -> None:
    thumbprints = [f"{i}" * 40 for i in range(6)]
    with refused(path, "thumbprints", thumbprints, "at most 5 thumbprints"):
        OidcProvider(env.stack, cid, issuer="https://thumbs.example.com", client_ids=["a"], thumbprints=thumbprints)


@pytest.mark.parametrize(
    "thumbprint",
    ["a" * 39, "a" * 41, "g" * 40, "9E:99:A4:8A:99:60:B1:49:26:BB:7F:3B"],
    ids=["39-chars", "41-chars", "non-hex", "colons"],
)
def test_provider_with_bad_thumbprint_is_refused(env: Env, cid: str, path: str, thumbprint: str) -> None:
    with refused(path, "thumbprints", thumbprint, "a SHA-1 thumbprint: 40 hexadecimal characters"):
        OidcProvider(env.stack, cid, issuer="https://thumb.example.com", client_ids=["a"], thumbprints=[thumbprint])


def test_provider_with_thumbprints_as_plain_string_is_refused(env: Env, cid: str, path: str) -> None:
    thumbprint = "a" * 40
    with refused(path, "thumbprints", thumbprint, "list"):
        OidcProvider(env.stack, cid, issuer="https://thumbstr.example.com", client_ids=["a"], thumbprints=thumbprint)


def test_provider_for_google_is_refused_by_oidc_provider(env: Env, cid: str, path: str) -> None:
    with refused(
        path,
        "issuer",
        "Google",
        "an issuer that needs an IAM OIDC provider",
        "trusted directly as 'accounts.google.com'",
    ):
        OidcProvider(env.stack, cid, issuer=OidcIssuer.google())


def test_second_provider_for_the_same_issuer_in_the_stack_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(
        path,
        "issuer",
        GITHUB_URL,
        f"{STACK}/GitHub already declares it for account {ACCOUNT}",
        "EntityAlreadyExists",
        "OidcProvider.from_issuer()",
    ):
        OidcProvider(env.stack, cid, issuer=OidcIssuer.github_actions())


def test_second_provider_for_the_same_issuer_given_as_url_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "issuer", CUSTOM_URL, f"{STACK}/Custom already declares it", "EntityAlreadyExists"):
        OidcProvider(env.stack, cid, issuer=CUSTOM_URL, client_ids=["other-client"])


def test_second_provider_in_another_stack_of_the_same_account_is_refused(env: Env, cid: str) -> None:
    other = Stack(env.app, stack_id(cid, "Stack"), env=Environment(account=ACCOUNT, region="us-east-1"))
    with refused(
        f"{other.node.path}/{cid}",
        "issuer",
        GITHUB_URL,
        f"{STACK}/GitHub already declares it for account {ACCOUNT}",
        "EntityAlreadyExists",
    ):
        OidcProvider(other, cid, issuer=OidcIssuer.github_actions())


def test_provider_for_the_same_issuer_in_another_account_passes(env: Env, cid: str) -> None:
    other = Stack(env.app, stack_id(cid, "Stack"), env=Environment(account=OTHER_ACCOUNT, region=REGION))
    provider = OidcProvider(other, cid, issuer=OidcIssuer.github_actions())
    assert provider.client_ids == ("sts.amazonaws.com",)


def test_second_provider_in_environment_agnostic_stacks_is_refused(env: Env, cid: str) -> None:
    first = Stack(env.app, stack_id(cid, "First"))
    second = Stack(env.app, stack_id(cid, "Second"))
    url = "https://agnostic.example.com"
    OidcProvider(first, cid, issuer=url, client_ids=["a"])
    with refused(
        f"{second.node.path}/{cid}",
        "issuer",
        url,
        f"{first.node.path}/{cid} already declares it",
        "environment-agnostic stack",
        "EntityAlreadyExists",
    ):
        OidcProvider(second, cid, issuer=url, client_ids=["a"])


# --- GitHubActionsRole ------------------------------------------------------------------------


def gha(env: Env, cid: str, **kwargs: Any) -> GitHubActionsRole:
    kwargs.setdefault("repositories", ["octo-org/app"])
    return GitHubActionsRole(env.stack, cid, provider=env.github, **kwargs)


def test_github_repository_name_wildcard_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "repositories", "myorg/*", "an exact repository name", "allow_repository_wildcards=True"):
        gha(env, cid, repositories=["myorg/*"])


def test_github_repository_name_wildcard_passes_with_opt_in(env: Env, cid: str) -> None:
    role = gha(env, cid, repositories=["myorg/*"], allow_repository_wildcards=True)
    assert role.subjects == ("repo:myorg/*:ref:refs/heads/main",)
    assert role.opt_ins == ("allow_repository_wildcards",)


@pytest.mark.parametrize("repository", ["*/app", "octo*/app", "?/app"], ids=["star", "prefix", "question"])
def test_github_repository_owner_wildcard_is_refused(env: Env, cid: str, path: str, repository: str) -> None:
    with refused(path, "repositories", repository, "a literal owner", "allow_any_subject=True"):
        gha(env, cid, repositories=[repository])


def test_github_repository_owner_wildcard_is_refused_even_with_repository_wildcards(
    env: Env, cid: str, path: str
) -> None:
    with refused(path, "repositories", "*/app", "a literal owner"):
        gha(env, cid, repositories=["*/app"], allow_repository_wildcards=True)


@pytest.mark.parametrize("repository", ["noslash", "a/b/c"], ids=["noslash", "two-slashes"])
def test_github_repository_not_owner_slash_repo_is_refused(env: Env, cid: str, path: str, repository: str) -> None:
    with refused(path, "repositories", repository, "'OWNER/REPO'"):
        gha(env, cid, repositories=[repository])


@pytest.mark.parametrize(
    "repository", ["-org/app", "octo_org/app", "octo-org/app!"], ids=["dash-owner", "underscore-owner", "bang-name"]
)
def test_github_repository_with_bad_characters_is_refused(env: Env, cid: str, path: str, repository: str) -> None:
    with refused(path, "repositories", repository):
        gha(env, cid, repositories=[repository])


def test_github_empty_repositories_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "repositories", [], "a non-empty list of 'OWNER/REPO' names"):
        gha(env, cid, repositories=[])


def test_github_repositories_as_plain_string_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "repositories", "octo-org/app", "a non-empty list of 'OWNER/REPO' names"):
        gha(env, cid, repositories="octo-org/app")


@pytest.mark.parametrize("field", ["branches", "tags", "environments"])
@pytest.mark.parametrize("value", ["*", "**", "?"], ids=["star", "starstar", "question"])
def test_github_ref_of_only_wildcards_is_refused(env: Env, cid: str, path: str, field: str, value: str) -> None:
    with refused(path, field, value, f"named {field}", "allow_any_ref=True"):
        gha(env, cid, **{field: [value]})


@pytest.mark.parametrize("field", ["branches", "tags", "environments"])
def test_github_ref_of_only_wildcards_passes_with_allow_any_ref(env: Env, cid: str, field: str) -> None:
    role = gha(env, cid, **{field: ["*"]}, allow_any_ref=True)
    assert role.opt_ins == ("allow_any_ref",)
    assert len(role.subjects) == 1 and role.subjects[0].endswith("*")


@pytest.mark.parametrize("value", ["feature x", "", " ", "main\n"], ids=["space", "empty", "blank", "newline"])
def test_github_branch_with_whitespace_is_refused(env: Env, cid: str, path: str, value: str) -> None:
    with refused(path, "branches", value, "non-empty names without spaces"):
        gha(env, cid, branches=[value])


def test_github_branches_as_plain_string_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "branches", "main", "a list of branches"):
        gha(env, cid, branches="main")


@pytest.mark.parametrize(
    "repository",
    [
        GitHubRepository(owner="octo-org", name="app", subject_format="immutable"),
        GitHubRepository(owner="octo-org", name="app", owner_id=1, subject_format="both"),
        GitHubRepository(owner="octo-org", name="app", owner_id=0, repository_id=2, subject_format="immutable"),
        GitHubRepository(owner="octo-org", name="app", owner_id=True, repository_id=2, subject_format="immutable"),
    ],
    ids=["no-ids", "no-repository-id", "zero-id", "bool-id"],
)
def test_github_immutable_subject_without_ids_is_refused(
    env: Env, cid: str, path: str, repository: GitHubRepository
) -> None:
    with refused(
        path,
        "repositories",
        repository,
        "owner_id and repository_id (positive integers)",
        f"subject_format={repository.subject_format!r}",
    ):
        gha(env, cid, repositories=[repository])


def test_github_unknown_subject_format_is_refused(env: Env, cid: str, path: str) -> None:
    repository = GitHubRepository(owner="octo-org", name="app", subject_format="id")  # type: ignore[arg-type]
    with refused(path, "repositories", repository, "subject_format 'name', 'immutable' or 'both'"):
        gha(env, cid, repositories=[repository])


@pytest.mark.parametrize("slug", ["bad slug", "-slug", "a/b", ""], ids=["space", "dash", "slash", "empty"])
def test_github_bad_enterprise_slug_is_refused(env: Env, cid: str, path: str, slug: str) -> None:
    with refused(path, "enterprise_slug", slug, "the enterprise's URL slug"):
        gha(env, cid, enterprise_slug=slug)


@pytest.mark.parametrize(
    "ref",
    [
        "not-a-ref",
        "octo-org/*/.github/workflows/x.yml@refs/heads/main",
        "*/app/.github/workflows/x.yml@refs/heads/main",
        "octo-org/app/.github/workflows/x.yml",
        "octo-org/app/workflows/x.yml@refs/heads/main",
    ],
    ids=["not-a-ref", "repo-wildcard", "owner-wildcard", "no-ref", "not-in-workflows"],
)
def test_github_bad_job_workflow_ref_is_refused(env: Env, cid: str, path: str, ref: str) -> None:
    with refused(
        path, "job_workflow_refs", ref, "OWNER/REPO/.github/workflows/FILE.yml@REF", "wildcards only after '@'"
    ):
        gha(env, cid, job_workflow_refs=[ref])


def test_github_audience_with_wildcard_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "audiences", "sts.*", "exact audiences"):
        gha(env, cid, audience="sts.*")


def test_github_audience_the_provider_does_not_accept_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "audiences", ["my-audience"], f"audiences that provider {STACK}/GitHub accepts"):
        gha(env, cid, audience="my-audience")


def test_github_unknown_keyword_is_a_type_error_at_the_call(env: Env, cid: str) -> None:
    """The options are typed: a misspelled or foreign one is Python's TypeError (what a type checker
    catches), raised before any construct exists."""
    with pytest.raises(TypeError, match="unexpected keyword argument 'subjects'"):
        gha(env, cid, subjects=["repo:*"])
    with pytest.raises(TypeError, match="unexpected keyword argument 'session_tag'"):
        gha(env, f"{cid}Options", role_options=RoleOptions(session_tag=True))  # type: ignore[call-arg]
    assert env.stack.node.try_find_child(cid) is None


# --- GitLabCiRole -----------------------------------------------------------------------------


def gitlab_ci(env: Env, cid: str, **kwargs: Any) -> GitLabCiRole:
    kwargs.setdefault("projects", ["mygroup/proj"])
    return GitLabCiRole(env.stack, cid, provider=env.gitlab, **kwargs)


@pytest.mark.parametrize(
    "project",
    ["*/proj", "my*/proj", "proj", "mygroup/", "mygroup/pr oj"],
    ids=["group-star", "group-prefix", "no-group", "no-project", "space"],
)
def test_gitlab_bad_project_is_refused(env: Env, cid: str, path: str, project: str) -> None:
    with refused(
        path,
        "projects",
        project,
        "project paths 'GROUP/[SUBGROUP/]PROJECT'",
        "wildcards only below the top-level group",
    ):
        gitlab_ci(env, cid, projects=[project])


@pytest.mark.parametrize("projects", [[], "mygroup/proj"], ids=["empty", "string"])
def test_gitlab_projects_not_a_non_empty_list_is_refused(
    env: Env, cid: str, path: str, projects: list[str] | str
) -> None:
    with refused(path, "projects", projects, "a non-empty list of project paths"):
        gitlab_ci(env, cid, projects=projects)


def test_gitlab_bad_ref_type_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "ref_type", "merge", "'branch' or 'tag'"):
        gitlab_ci(env, cid, ref_type="merge")


@pytest.mark.parametrize("ref", ["*", "**", "?*"], ids=["star", "starstar", "qstar"])
def test_gitlab_ref_of_only_wildcards_is_refused(env: Env, cid: str, path: str, ref: str) -> None:
    with refused(path, "refs", ref, "named refs", "allow_any_ref=True"):
        gitlab_ci(env, cid, refs=[ref])


def test_gitlab_ref_of_only_wildcards_passes_with_allow_any_ref(env: Env, cid: str) -> None:
    role = gitlab_ci(env, cid, refs=["*"], allow_any_ref=True)
    assert role.subjects == ("project_path:mygroup/proj:ref_type:branch:ref:*",)
    assert role.opt_ins == ("allow_any_ref",)


@pytest.mark.parametrize("refs", [[], "main"], ids=["empty", "string"])
def test_gitlab_refs_not_a_non_empty_list_is_refused(env: Env, cid: str, path: str, refs: list[str] | str) -> None:
    with refused(path, "refs", refs, "a non-empty list of ref names without spaces"):
        gitlab_ci(env, cid, refs=refs)


def test_gitlab_ref_with_space_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "refs", "my branch", "ref names without spaces"):
        gitlab_ci(env, cid, refs=["my branch"])


@pytest.mark.parametrize(
    "host", ["not a host", "https://gitlab.example.com", "gitlab"], ids=["spaces", "url", "no-dot"]
)
def test_gitlab_bad_host_is_refused(env: Env, cid: str, path: str, host: str) -> None:
    with refused(path, "host", host, "a host name such as 'gitlab.example.com'"):
        gitlab_ci(env, cid, host=host)


def test_gitlab_role_for_self_managed_host_needs_its_provider(env: Env, cid: str, path: str) -> None:
    with refused(
        path,
        "provider",
        f"{STACK}/GitLab",
        "the provider for https://gitlab.example.com",
        "this provider is for https://gitlab.com",
    ):
        gitlab_ci(env, cid, host="gitlab.example.com")


# --- HcpTerraformRole -------------------------------------------------------------------------


def hcp(env: Env, cid: str, **kwargs: Any) -> HcpTerraformRole:
    kwargs.setdefault("organization", "my-org")
    kwargs.setdefault("workspaces", ["prod"])
    return HcpTerraformRole(env.stack, cid, provider=env.hcp, **kwargs)


@pytest.mark.parametrize(
    "organization", ["my*", "*", "my?org", "", "org:x"], ids=["prefix", "star", "question", "empty", "colon"]
)
def test_hcp_bad_organization_is_refused(env: Env, cid: str, path: str, organization: str) -> None:
    with refused(path, "organization", organization, "the literal organization name"):
        hcp(env, cid, organization=organization)


@pytest.mark.parametrize("field", ["workspaces", "projects"])
def test_hcp_name_of_only_wildcards_is_refused(env: Env, cid: str, path: str, field: str) -> None:
    with refused(path, field, "*", f"named {field}", "allow_any_workspace=True"):
        hcp(env, cid, **{field: ["*"]})


def test_hcp_workspace_of_only_wildcards_passes_with_allow_any_workspace(env: Env, cid: str) -> None:
    role = hcp(env, cid, workspaces=["*"], run_phases=["plan"], allow_any_workspace=True)
    assert role.subjects == ("organization:my-org:project:Default Project:workspace:*:run_phase:plan",)
    assert role.opt_ins == ("allow_any_workspace",)


@pytest.mark.parametrize(
    "run_phases",
    [["destroy"], ["plan", "destroy"], [], "destroy"],
    ids=["destroy", "plan-and-destroy", "empty", "string"],
)
def test_hcp_bad_run_phases_is_refused(env: Env, cid: str, path: str, run_phases: list[str] | str) -> None:
    with refused(path, "run_phases", run_phases, "'plan' and/or 'apply'"):
        hcp(env, cid, run_phases=run_phases)


@pytest.mark.parametrize("workspaces", [[], "prod"], ids=["empty", "string"])
def test_hcp_workspaces_not_a_non_empty_list_is_refused(
    env: Env, cid: str, path: str, workspaces: list[str] | str
) -> None:
    with refused(path, "workspaces", workspaces, "a non-empty list of workspace names"):
        hcp(env, cid, workspaces=workspaces)


def test_hcp_bad_workspace_name_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "workspaces", "prod:x", "workspace names"):
        hcp(env, cid, workspaces=["prod:x"])


def test_hcp_bad_host_is_refused(env: Env, cid: str, path: str) -> None:
    with refused(path, "host", "not a host", "a host name such as 'app.terraform.io'"):
        hcp(env, cid, host="not a host")


# --- EksServiceAccountRole --------------------------------------------------------------------


def eks(env: Env, cid: str, **kwargs: Any) -> EksServiceAccountRole:
    kwargs.setdefault("cluster_region", EKS_REGION)
    kwargs.setdefault("cluster_id", EKS_CLUSTER)
    kwargs.setdefault("namespace", "apps")
    kwargs.setdefault("service_accounts", ["deployer"])
    return EksServiceAccountRole(env.stack, cid, provider=env.eks, **kwargs)


@pytest.mark.parametrize(
    "namespace", ["*", "kube*", "?", "", "Apps"], ids=["star", "prefix", "question", "empty", "uppercase"]
)
def test_eks_bad_namespace_is_refused(env: Env, cid: str, path: str, namespace: str) -> None:
    with refused(path, "namespace", namespace, "a literal Kubernetes namespace"):
        eks(env, cid, namespace=namespace)


@pytest.mark.parametrize("service_account", ["*", "**", "?*"], ids=["star", "starstar", "qstar"])
def test_eks_service_account_of_only_wildcards_is_refused(env: Env, cid: str, path: str, service_account: str) -> None:
    with refused(path, "service_accounts", service_account, "named service_accounts", "allow_any_service_account=True"):
        eks(env, cid, service_accounts=[service_account])


def test_eks_service_account_of_only_wildcards_passes_with_opt_in(env: Env, cid: str) -> None:
    role = eks(env, cid, service_accounts=["*"], allow_any_service_account=True)
    assert role.subjects == ("system:serviceaccount:apps:*",)
    assert role.opt_ins == ("allow_any_service_account",)


@pytest.mark.parametrize("service_accounts", [[], "deployer"], ids=["empty", "string"])
def test_eks_service_accounts_not_a_non_empty_list_is_refused(
    env: Env, cid: str, path: str, service_accounts: list[str] | str
) -> None:
    with refused(path, "service_accounts", service_accounts, "a non-empty list of Kubernetes service-account"):
        eks(env, cid, service_accounts=service_accounts)


@pytest.mark.parametrize(
    "cluster_id", ["xyz", EKS_CLUSTER[:-1], EKS_CLUSTER[:-1] + "G"], ids=["short", "31-chars", "non-hex"]
)
def test_eks_bad_cluster_id_is_refused(env: Env, cid: str, path: str, cluster_id: str) -> None:
    with refused(path, "cluster_id", cluster_id, "the 32 hexadecimal characters"):
        eks(env, cid, cluster_id=cluster_id)


def test_eks_bad_cluster_id_containing_region_is_named_as_cluster_id(env: Env, cid: str, path: str) -> None:
    with refused(path, "cluster_id", "region=1", "the 32 hexadecimal characters"):
        eks(env, cid, cluster_id="region=1")


@pytest.mark.parametrize("region", ["mars-1", "eu-west", "EU-WEST-1", ""], ids=["mars", "no-number", "upper", "empty"])
def test_eks_bad_cluster_region_is_refused(env: Env, cid: str, path: str, region: str) -> None:
    with refused(path, "cluster_region", region, "an AWS region code such as 'eu-west-1'"):
        eks(env, cid, cluster_region=region)


def test_eks_role_for_another_cluster_needs_its_provider(env: Env, cid: str, path: str) -> None:
    other = "F" * 32
    with refused(
        path, "provider", f"{STACK}/Eks", f"the provider for https://oidc.eks.{EKS_REGION}.amazonaws.com/id/{other}"
    ):
        eks(env, cid, cluster_id=other)


# --- trust-policy size ------------------------------------------------------------------------

SIXTY_REPOSITORIES = [f"myorg/repo-{i:02d}" for i in range(60)]
RAISED_QUOTA = RoleOptions(trust_policy_quota=4096)


def test_trust_policy_over_the_default_quota_is_refused(env: Env, cid: str, path: str) -> None:
    with pytest.raises(FederationValidationError) as err:
        gha(env, cid, repositories=SIXTY_REPOSITORIES, branches=["main"])
    message = str(err.value)
    match = re.match(rf"{re.escape(path)}: trust policy='(\d+) characters' is not accepted; expected ", message)
    assert match, message
    assert 2048 < int(match.group(1)) <= 4096
    assert "at most the account's trust-policy quota of 2048 characters" in message
    assert "trust_policy_quota=4096" in message
    # the size in the message is the size the same role has where the quota allows it
    allowed = gha(env, f"{cid}Raised", repositories=SIXTY_REPOSITORIES, branches=["main"], role_options=RAISED_QUOTA)
    assert allowed.trust_policy_size == int(match.group(1))


def test_trust_policy_within_a_raised_quota_passes(env: Env, cid: str) -> None:
    role = gha(env, cid, repositories=SIXTY_REPOSITORIES, branches=["main"], role_options=RAISED_QUOTA)
    assert 2048 < role.trust_policy_size <= 4096
    assert len(role.subjects) == 60


def test_trust_policy_over_the_maximum_quota_is_refused(env: Env, cid: str, path: str) -> None:
    repositories = [f"myorg/repo-{i:03d}" for i in range(120)]
    with pytest.raises(FederationValidationError) as err:
        gha(env, cid, repositories=repositories, role_options=RAISED_QUOTA)
    message = str(err.value)
    assert re.match(rf"{re.escape(path)}: trust policy='(\d+) characters' is not accepted; expected ", message), message
    assert "quota of 4096 characters" in message


def test_gitlab_group_wildcard_only_with_allow_any_subject(env: Env, cid: str, path: str) -> None:
    with refused(path, "projects", "*/proj", "allow_any_subject=True"):
        GitLabCiRole(env.stack, cid, provider=env.gitlab, projects=["*/proj"])
    role = GitLabCiRole(env.stack, f"{cid}OptIn", provider=env.gitlab, projects=["*/proj"], allow_any_subject=True)
    assert role.opt_ins == ("allow_any_subject",)


def test_hcp_organization_wildcard_only_with_allow_any_subject(env: Env, cid: str, path: str) -> None:
    with refused(path, "organization", "acme*", "allow_any_subject=True"):
        HcpTerraformRole(env.stack, cid, provider=env.hcp, organization="acme*", workspaces=["prod"])
    role = HcpTerraformRole(
        env.stack, f"{cid}OptIn", provider=env.hcp, organization="acme*", workspaces=["prod"], allow_any_subject=True
    )
    assert role.opt_ins == ("allow_any_subject",)
