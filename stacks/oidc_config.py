"""The `oidc` section of the config: providers (one per issuer) and the roles their tokens may assume.

Only the shape and the cross-references are checked here; the constructs check the values
themselves (subjects, wildcards, sizes) and the stack turns their errors into config errors.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from stacks.config_common import (
    MAX_PROVIDERS,
    MAX_ROLES,
    MAX_TRUST_SUBJECTS,
    MAX_TRUST_VALUES,
    TRUST_SUBJECTS_BOUND,
    TRUST_VALUES_BOUND,
    ConstructId,
    LocatedError,
    RoleCommon,
    StrictModel,
    at_most,
    check_unique_ids,
)

__all__ = [
    "GitHubRepositoryConfig",
    "OidcProviderConfig",
    "OidcRoleConfig",
    "OidcSection",
]


class _ProviderBase(StrictModel):
    id: ConstructId
    existing: bool = Field(
        default=False,
        description="true: the account already has this provider; import it by ARN instead of creating it "
        "(IAM allows one provider per issuer per account)",
    )
    client_ids: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="audiences the provider accepts (1-100); default: the issuer's default audience",
    )
    thumbprints: list[str] = Field(
        default_factory=list,
        max_length=5,
        description="0-5 SHA-1 certificate thumbprints (40 hex characters); most issuers need none",
    )


class GitHubProviderConfig(_ProviderBase):
    """GitHub Actions (`token.actions.githubusercontent.com`, or an enterprise's own issuer)."""

    preset: Literal["github_actions"]
    enterprise_slug: str | None = Field(default=None, description="the enterprise slug, for its own issuer")


class GitLabProviderConfig(_ProviderBase):
    """GitLab CI on gitlab.com or a self-managed host."""

    preset: Literal["gitlab"]
    host: str = Field(default="gitlab.com", description="the GitLab host name")


class HcpTerraformProviderConfig(_ProviderBase):
    """HCP Terraform (or Terraform Enterprise) workload identity."""

    preset: Literal["hcp_terraform"]
    host: str = Field(default="app.terraform.io", description="the HCP Terraform host name")


class EksProviderConfig(_ProviderBase):
    """An EKS cluster's service-account issuer."""

    preset: Literal["eks"]
    region: str = Field(description="the cluster's region, e.g. 'eu-west-1'")
    cluster_id: str = Field(description="the 32 hex characters at the end of the cluster's OIDC issuer URL")


class CircleCiProviderConfig(_ProviderBase):
    """CircleCI for one organization."""

    preset: Literal["circleci"]
    org_id: str = Field(description="the organization id (a UUID)")


class BitbucketProviderConfig(_ProviderBase):
    """Bitbucket Pipelines for one workspace."""

    preset: Literal["bitbucket"]
    workspace: str = Field(description="the workspace slug")
    audience: str = Field(description="the Audience from the repository's OpenID Connect settings")


class AppleProviderConfig(_ProviderBase):
    """Sign in with Apple (`https://appleid.apple.com`)."""

    preset: Literal["apple"]


class CustomProviderConfig(_ProviderBase):
    """Any other OIDC issuer (IAM evaluates only `aud` and `sub` for it)."""

    preset: Literal["custom"]
    url: str = Field(description="the issuer URL: https, no query or fragment, at most 255 characters")


OidcProviderConfig = Annotated[
    GitHubProviderConfig
    | GitLabProviderConfig
    | HcpTerraformProviderConfig
    | EksProviderConfig
    | CircleCiProviderConfig
    | BitbucketProviderConfig
    | AppleProviderConfig
    | CustomProviderConfig,
    Field(discriminator="preset"),
]


#: accepted values of one claim: each one is a value in the role's trust policy
TrustValues = Annotated[list[str], Field(max_length=MAX_TRUST_VALUES, fail_fast=True)]
#: claims of one role: each one is a condition key of the role's trust policy
TrustConditions = Annotated[
    dict[str, TrustValues], at_most(MAX_TRUST_VALUES, "claims (each takes at least 4 characters of a trust policy)")
]


class _ProviderRole(RoleCommon):
    provider: ConstructId = Field(description="the id of a provider in oidc.providers")


class GitHubRepositoryConfig(StrictModel):
    """A repository with the immutable ids GitHub can put into the subject."""

    name: str = Field(description="the repository's 'OWNER/REPO' name")
    owner_id: int | None = Field(default=None, gt=0, description="the owner's numeric id")
    repository_id: int | None = Field(default=None, gt=0, description="the repository's numeric id")
    subject_format: Literal["name", "immutable", "both"] | None = Field(
        default=None,
        description="the subject form the repository's tokens use (default: immutable when "
        "both ids are given, else name); 'both' for a migration window",
    )


class GitHubRoleConfig(_ProviderRole):
    """GitHub Actions jobs of named repositories, for named branches, tags and environments."""

    type: Literal["github"]
    repositories: list[str | GitHubRepositoryConfig] = Field(
        min_length=1,
        max_length=MAX_TRUST_SUBJECTS,
        description="'OWNER/REPO' names, or mappings {name: 'OWNER/REPO', owner_id, repository_id, subject_format} "
        f"({TRUST_SUBJECTS_BOUND})",
    )
    branches: list[str] = Field(
        default_factory=list,
        max_length=MAX_TRUST_SUBJECTS,
        description="branch names (default: main, if no tag, environment or pull request is given; "
        f"{TRUST_SUBJECTS_BOUND})",
    )
    tags: list[str] = Field(
        default_factory=list, max_length=MAX_TRUST_SUBJECTS, description=f"tag names ({TRUST_SUBJECTS_BOUND})"
    )
    environments: list[str] = Field(
        default_factory=list, max_length=MAX_TRUST_SUBJECTS, description=f"environment names ({TRUST_SUBJECTS_BOUND})"
    )
    pull_requests: bool = Field(default=False, description="also admit pull_request jobs")
    job_workflow_refs: list[str] = Field(
        default_factory=list,
        max_length=MAX_TRUST_SUBJECTS,
        description=f"reusable workflows: OWNER/REPO/.github/workflows/FILE.yml@REF ({TRUST_SUBJECTS_BOUND})",
    )
    audience: str = Field(default="sts.amazonaws.com", description="the audience the workflow requests")
    allow_repository_wildcards: bool = False
    allow_any_ref: bool = False
    allow_any_subject: bool = False


class GitLabRoleConfig(_ProviderRole):
    """GitLab CI jobs of named projects, for named refs."""

    type: Literal["gitlab"]
    projects: list[str] = Field(
        min_length=1,
        max_length=MAX_TRUST_SUBJECTS,
        description=f"project paths 'GROUP/[SUBGROUP/]PROJECT' ({TRUST_SUBJECTS_BOUND})",
    )
    ref_type: Literal["branch", "tag"] = "branch"
    refs: list[str] = Field(
        default_factory=lambda: ["main"],
        max_length=MAX_TRUST_SUBJECTS,
        description=f"ref names (default: main; {TRUST_SUBJECTS_BOUND})",
    )
    audience: str | None = Field(default=None, description="the job's id_tokens aud (default: the GitLab URL)")
    allow_project_wildcards: bool = False
    allow_any_ref: bool = False
    allow_any_subject: bool = False


class HcpTerraformRoleConfig(_ProviderRole):
    """HCP Terraform runs of named workspaces."""

    type: Literal["hcp_terraform"]
    organization: str
    projects: list[str] = Field(
        default_factory=lambda: ["Default Project"],
        max_length=MAX_TRUST_SUBJECTS,
        description=f"project names (default: 'Default Project'; {TRUST_SUBJECTS_BOUND})",
    )
    workspaces: list[str] = Field(
        min_length=1, max_length=MAX_TRUST_SUBJECTS, description=f"workspace names ({TRUST_SUBJECTS_BOUND})"
    )
    run_phases: list[Literal["plan", "apply"]] = Field(
        default_factory=lambda: ["plan", "apply"], fail_fast=True, description="'plan', 'apply' or both"
    )
    audience: str | None = None
    allow_any_workspace: bool = False
    allow_any_subject: bool = False


class EksRoleConfig(_ProviderRole):
    """Kubernetes service accounts of one EKS cluster."""

    type: Literal["eks"]
    namespace: str
    service_accounts: list[str] = Field(
        min_length=1, max_length=MAX_TRUST_SUBJECTS, description=f"service account names ({TRUST_SUBJECTS_BOUND})"
    )
    allow_any_service_account: bool = False


class GenericRoleConfig(_ProviderRole):
    """Any issuer: audiences, subjects and the other claims IAM evaluates for it."""

    type: Literal["generic"]
    audiences: list[str] | None = Field(
        default=None,
        max_length=MAX_TRUST_VALUES,
        description=f"default: the issuer's default audience ({TRUST_VALUES_BOUND})",
    )
    subjects: list[str] = Field(
        default_factory=list, max_length=MAX_TRUST_VALUES, description=f"`sub` values ({TRUST_VALUES_BOUND})"
    )
    conditions: TrustConditions = Field(
        default_factory=dict, description=f"claim -> accepted values (claims IAM evaluates; {TRUST_VALUES_BOUND})"
    )
    allow_any_subject: bool = False


class WebIdentityRoleConfig(RoleCommon):
    """Google, Facebook or Login with Amazon, trusted directly (no IAM provider)."""

    type: Literal["web_identity"]
    issuer: Literal["google", "facebook", "login_with_amazon"]
    audiences: list[str] = Field(
        min_length=1,
        max_length=MAX_TRUST_VALUES,
        description=f"your app's client id (Google) or app id ({TRUST_VALUES_BOUND})",
    )
    subjects: list[str] = Field(
        default_factory=list, max_length=MAX_TRUST_VALUES, description=f"user ids (Google only; {TRUST_VALUES_BOUND})"
    )
    conditions: TrustConditions = Field(
        default_factory=dict, description=f"claim -> accepted values ({TRUST_VALUES_BOUND})"
    )


OidcRoleConfig = Annotated[
    GitHubRoleConfig
    | GitLabRoleConfig
    | HcpTerraformRoleConfig
    | EksRoleConfig
    | GenericRoleConfig
    | WebIdentityRoleConfig,
    Field(discriminator="type"),
]

# which provider presets each role type can use
_ROLE_PRESETS = {"github": {"github_actions"}, "gitlab": {"gitlab"}, "hcp_terraform": {"hcp_terraform"}, "eks": {"eks"}}


class OidcSection(StrictModel):
    """OIDC identity providers (one per issuer) and the roles their tokens may assume."""

    providers: list[OidcProviderConfig] = Field(
        default_factory=list,
        max_length=MAX_PROVIDERS,
        description=f"OIDC identity providers, one per issuer (at most {MAX_PROVIDERS}: IAM's quota per account)",
    )
    roles: list[OidcRoleConfig] = Field(
        default_factory=list,
        max_length=MAX_ROLES,
        description=f"roles their tokens may assume (at most {MAX_ROLES:,}: IAM's highest quota of roles per account)",
    )

    @model_validator(mode="after")
    def _references(self) -> OidcSection:
        check_unique_ids("oidc", self.providers, self.roles)
        providers: dict[str, OidcProviderConfig] = {p.id: p for p in self.providers}
        for index, role in enumerate(self.roles):
            if isinstance(role, WebIdentityRoleConfig):
                continue
            provider = providers.get(role.provider)
            if provider is None:
                raise LocatedError(
                    ("roles", index, "provider"),
                    f"provider {role.provider!r} of role {role.name!r} is not declared; declared providers: "
                    f"{', '.join(providers) or 'none'}",
                )
            allowed = _ROLE_PRESETS.get(role.type)
            if allowed and provider.preset not in allowed:
                raise LocatedError(
                    ("roles", index, "provider"),
                    f"a {role.type} role needs a {' or '.join(sorted(allowed))} provider; "
                    f"{provider.id!r} is {provider.preset}",
                )
        return self
