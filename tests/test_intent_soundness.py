"""Every role every preset can build records an intent that binds whatever its trust binds.

Each case below builds one role with realistic arguments, the presets' defaults left out one at a
time (GitHub's `main` branch, GitLab's `main` ref and audience, HCP Terraform's project, run phases
and audience, the SAML sign-in endpoint, the identity pool's roles). For each, every condition key
the emitted trust restricts (a positive string operator: `StringEquals`, `StringLike`, ... with or
without `ForAnyValue:`) must be a claim of the recorded intent, with the same values; and the proof
must then say the trust admits exactly the intent (`proved`), except where the intent itself leaves
a required claim free (`unbounded`).

No snapshot: the assertions read the synthesized templates of one app, built once for the module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from federation_constructs.identity_pool import IdentityPoolFederation, IdentityPoolLogins
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
from federation_constructs.policy.document import statements
from federation_constructs.proof import collect_intents, prove
from federation_constructs.proof.intent import TrustIntent
from federation_constructs.saml import SamlProvider, SamlRole
from tests.support import EXAMPLE, new_app

METADATA = EXAMPLE.parent / "saml" / "adfs-example-metadata.xml"
EKS_ID = "B" * 32


@dataclass
class Providers:
    github: OidcProvider
    github_enterprise: OidcProvider
    gitlab: OidcProvider
    gitlab_self: OidcProvider
    hcp: OidcProvider
    eks: OidcProvider
    custom: OidcProvider
    saml: SamlProvider


Build = Callable[[Stack, Providers], Any]


def gh(**kwargs: Any) -> Build:
    return lambda s, p: GitHubActionsRole(s, "R", provider=p.github, **kwargs)


#: case -> (builder, the proof outcome expected)
CASES: dict[str, tuple[Build, str]] = {
    # GitHub Actions: every ref default left out in turn
    "github-defaults-main-only": (gh(repositories=["acme/app"]), "proved"),
    "github-branches": (gh(repositories=["acme/app", "acme/site"], branches=["main", "release"]), "proved"),
    "github-tags-only": (gh(repositories=["acme/app"], tags=["v1.0", "v2.*"]), "proved"),
    "github-environments-only": (gh(repositories=["acme/app"], environments=["prod"]), "proved"),
    "github-pull-requests-only": (gh(repositories=["acme/docs"], pull_requests=True), "proved"),
    "github-every-context": (
        gh(repositories=["acme/app"], branches=["main"], tags=["v1"], environments=["prod"], pull_requests=True),
        "proved",
    ),
    "github-immutable-ids": (
        gh(repositories=[GitHubRepository(owner="acme", name="api", owner_id=101, repository_id=202)]),
        "proved",
    ),
    "github-both-subject-forms": (
        gh(
            repositories=[
                GitHubRepository(owner="acme", name="api", owner_id=101, repository_id=202, subject_format="both")
            ],
            environments=["prod"],
        ),
        "proved",
    ),
    "github-repository-wildcard": (
        gh(repositories=["acme/svc-*"], allow_repository_wildcards=True),
        "proved",
    ),
    "github-any-branch": (gh(repositories=["acme/app"], branches=["*"], allow_any_ref=True), "proved"),
    "github-any-ref-default-branch": (gh(repositories=["acme/app"], allow_any_ref=True), "proved"),
    "github-reusable-workflow": (
        gh(
            repositories=["acme/app"],
            job_workflow_refs=["acme/workflows/.github/workflows/deploy.yml@refs/heads/main"],
        ),
        "proved",
    ),
    "github-extra-claims": (
        gh(repositories=["acme/app"], conditions={"repository_id": "202", "actor": ["alice", "bob"]}),
        "proved",
    ),
    "github-session-tags": (
        gh(repositories=["acme/app"], role_options=RoleOptions(session_tags=True)),
        "proved",
    ),
    "github-owner-wildcard-opt-in": (
        gh(repositories=["acme-*/app"], allow_any_subject=True),
        "proved",
    ),
    "github-custom-audience": (
        lambda s, p: GitHubActionsRole(
            s,
            "R",
            provider=OidcProvider.from_issuer(s, "Imported", OidcIssuer.github_actions()),
            repositories=["acme/app"],
            audience="acme-deployer",
        ),
        "proved",
    ),
    "github-enterprise": (
        lambda s, p: GitHubActionsRole(
            s, "R", provider=p.github_enterprise, repositories=["acme/app"], enterprise_slug="acme"
        ),
        "proved",
    ),
    # GitLab CI
    "gitlab-defaults": (lambda s, p: GitLabCiRole(s, "R", provider=p.gitlab, projects=["platform/infra"]), "proved"),
    "gitlab-tags": (
        lambda s, p: GitLabCiRole(s, "R", provider=p.gitlab, projects=["platform/infra"], ref_type="tag", refs=["v1"]),
        "proved",
    ),
    "gitlab-self-managed": (
        lambda s, p: GitLabCiRole(
            s,
            "R",
            provider=p.gitlab_self,
            projects=["platform/infra", "platform/net"],
            refs=["main", "release"],
            host="gitlab.example.com",
            audience="https://gitlab.example.com",
        ),
        "proved",
    ),
    "gitlab-any-ref": (
        lambda s, p: GitLabCiRole(
            s, "R", provider=p.gitlab, projects=["platform/infra"], refs=["*"], allow_any_ref=True
        ),
        "proved",
    ),
    # HCP Terraform
    "hcp-defaults": (
        lambda s, p: HcpTerraformRole(s, "R", provider=p.hcp, organization="acme", workspaces=["prod-net"]),
        "proved",
    ),
    "hcp-explicit": (
        lambda s, p: HcpTerraformRole(
            s,
            "R",
            provider=p.hcp,
            organization="acme",
            workspaces=["prod-net", "prod-dns"],
            projects=["Networking"],
            run_phases=["plan"],
            audience="aws.workload.identity",
        ),
        "proved",
    ),
    # EKS
    "eks": (
        lambda s, p: EksServiceAccountRole(
            s,
            "R",
            provider=p.eks,
            cluster_region="eu-west-1",
            cluster_id=EKS_ID,
            namespace="payments",
            service_accounts=["api", "worker"],
        ),
        "proved",
    ),
    "eks-any-service-account": (
        lambda s, p: EksServiceAccountRole(
            s,
            "R",
            provider=p.eks,
            cluster_region="eu-west-1",
            cluster_id=EKS_ID,
            namespace="payments",
            service_accounts=["*"],
            allow_any_service_account=True,
        ),
        "proved",
    ),
    # the generic role
    "oidc-google": (
        lambda s, p: OidcRole(s, "R", issuer=OidcIssuer.google(), audiences=["123-abc.apps.googleusercontent.com"]),
        "proved",
    ),
    "oidc-facebook": (lambda s, p: OidcRole(s, "R", issuer=OidcIssuer.facebook(), audiences=["1234567890"]), "proved"),
    "oidc-custom-default-issuer-from-provider": (
        lambda s, p: OidcRole(s, "R", provider=p.custom, audiences=["api://acme"], subjects=["svc-*", "batch"]),
        "proved",
    ),
    "oidc-github-issuer-any-subject": (
        lambda s, p: OidcRole(s, "R", provider=p.github, allow_any_subject=True),
        "unbounded",
    ),
    "oidc-github-issuer-with-conditions": (
        lambda s, p: OidcRole(
            s,
            "R",
            provider=p.github,
            subjects=["repo:acme/app:environment:prod"],
            conditions={"environment": "prod"},
            role_options=RoleOptions(session_tags=True),
        ),
        "proved",
    ),
    # SAML: the sign-in endpoint left to its default, then named
    "saml-defaults": (lambda s, p: SamlRole(s, "R", provider=p.saml), "proved"),
    "saml-regional-and-attributes": (
        lambda s, p: SamlRole(
            s,
            "R",
            provider=p.saml,
            sign_in=["regional", "us-east-1", "global"],
            attribute_conditions={"saml:sub_type": "persistent", "saml:edupersonaffiliation": ["staff", "faculty"]},
            role_options=RoleOptions(session_tags=True),
        ),
        "proved",
    ),
}

#: identity pool cases: (pool arguments, roles of it to check)
POOL_CASES: dict[str, dict[str, Any]] = {
    "pool-signed-in-only": {},
    "pool-with-guests": {"allow_guest": True},
    "pool-principal-tags": {"principal_tags": {"accounts.google.com": {"email": "email"}}},
}


@dataclass(frozen=True)
class Built:
    document: dict[str, Any]
    intent: TrustIntent


def _providers(stack: Stack) -> Providers:
    return Providers(
        github=OidcProvider(stack, "GitHub", issuer=OidcIssuer.github_actions()),
        github_enterprise=OidcProvider(
            stack, "GitHubEnterprise", issuer=OidcIssuer.github_actions(enterprise_slug="acme")
        ),
        gitlab=OidcProvider(stack, "GitLab", issuer=OidcIssuer.gitlab()),
        gitlab_self=OidcProvider(
            stack,
            "GitLabSelf",
            issuer=OidcIssuer.gitlab(host="gitlab.example.com"),
            client_ids=["https://gitlab.example.com"],
        ),
        hcp=OidcProvider(stack, "Hcp", issuer=OidcIssuer.hcp_terraform()),
        eks=OidcProvider(stack, "Eks", issuer=OidcIssuer.eks(region="eu-west-1", cluster_id=EKS_ID)),
        custom=OidcProvider(stack, "Custom", issuer="https://idp.example.com/oidc", client_ids=["api://acme"]),
        saml=SamlProvider(stack, "Corp", metadata_file=METADATA, name="corp"),
    )


def _documents(app: App, stacks: list[Stack]) -> dict[str, Built]:
    """Role construct path -> its trust document and its intent (tokens rendered alike)."""
    intents = collect_intents(app)
    found = {}
    for stack in stacks:
        template = Template.from_stack(stack).to_json()
        for child in stack.node.find_all():
            if isinstance(child, iam.Role) and child.node.path in intents:
                logical = stack.resolve(child.node.default_child.logical_id)  # type: ignore[union-attr]
                document = template["Resources"][logical]["Properties"]["AssumeRolePolicyDocument"]
                found[child.node.path] = Built(document, intents[child.node.path])
    return found


@pytest.fixture(scope="module")
def built() -> dict[str, list[Built]]:
    """Case -> its roles, from one app: one stack per case (commercial region; SAML defaults also in an
    environment-agnostic stack, where the global endpoint comes from `AWS::Partition`)."""
    app = new_app()
    stacks: dict[str, Stack] = {}
    env = Environment(account="111122223333", region="eu-west-1")
    for number, (name, (build, _)) in enumerate(CASES.items()):
        stack = Stack(app, f"Case{number}", env=Environment(account=f"{100000000000 + number}", region=env.region))
        build(stack, _providers(stack))
        stacks[name] = stack
    agnostic = Stack(app, "Agnostic")
    SamlRole(agnostic, "R", provider=SamlProvider(agnostic, "Corp", metadata_file=METADATA, name="corp"))
    stacks["saml-defaults-environment-agnostic"] = agnostic
    for number, (name, kwargs) in enumerate(POOL_CASES.items()):
        stack = Stack(app, f"Pool{number}", env=env)
        pool = IdentityPoolFederation(
            stack, "Pool", logins=IdentityPoolLogins(google_client_id="123-abc.apps.googleusercontent.com"), **kwargs
        )
        pool.add_mapped_role("Editors")
        stacks[name] = stack
    documents = _documents(app, list(stacks.values()))
    return {
        name: [b for path, b in documents.items() if path.startswith(stack.node.path + "/")]
        for name, stack in stacks.items()
    }


EXPECTED = {name: outcome for name, (_, outcome) in CASES.items()} | {
    "saml-defaults-environment-agnostic": "proved",
    **{name: "proved" for name in POOL_CASES},
}


def bound_keys(document: dict[str, Any]) -> dict[str, set[str]]:
    """Condition key (lower case) -> the values the trust restricts it to, for every positive string
    condition of an Allow statement (negated, `...IfExists` and `ForAllValues:` do not bind a key)."""
    found: dict[str, set[str]] = {}
    for statement in statements(document):
        if not statement.allow:
            continue
        for condition in statement.conditions:
            if condition.negated or condition.if_exists or condition.qualifier == "ForAllValues":
                continue
            if condition.base.startswith("string"):
                found.setdefault(condition.key, set()).update(condition.values)
    return found


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_the_intent_binds_every_claim_the_trust_binds(built: dict[str, list[Built]], case: str) -> None:
    roles = built[case]
    assert roles, f"{case}: no role with an intent"
    for role in roles:
        claims = {c.key.lower(): set(c.values) for c in role.intent.claims}
        for key, values in bound_keys(role.document).items():
            assert key in claims, f"{case}: the trust binds {key} ({sorted(values)}), the intent does not"
            assert claims[key] == values, f"{case}: {key}: trust {sorted(values)}, intent {sorted(claims[key])}"


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_the_proof_of_every_preset_role(built: dict[str, list[Built]], case: str) -> None:
    for role in built[case]:
        result = prove(role.document, role.intent)
        assert result.status == EXPECTED[case], f"{case}: {result.describe()}"


def test_a_github_role_without_branches_records_main() -> None:
    """The default branch is part of the intent, not only of the trust (issue 18, item 3)."""
    app = new_app()
    stack = Stack(app, "S", env=Environment(account="111122223333", region="eu-west-1"))
    role = GitHubActionsRole(
        stack,
        "Deploy",
        provider=OidcProvider(stack, "GitHub", issuer=OidcIssuer.github_actions()),
        repositories=["o/r"],
    )
    sub = {c.key: c.values for c in role.intent.claims}["token.actions.githubusercontent.com:sub"]
    assert sub == ("repo:o/r:ref:refs/heads/main",)
    assert role.intent.declared["branches"] == ["main"]
