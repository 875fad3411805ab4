"""OIDC issuers as IAM sees them: URL, default audience, and the claims a trust policy can test.

Only claim keys that the AWS IAM reference lists for an issuer are offered; any other claim in a
token is not evaluated by AWS, so a condition on it would be silently false (or, under
`ForAllValues:`, silently true). Sources, as checked for this release:

- every IAM OIDC provider: `<issuer>:aud` and `<issuer>:sub` (IAM condition-key reference);
- GitHub Actions, since the STS update of early 2026 ("STS supports validation of identity provider
  claims"): also `actor`, `actor_id`, `job_workflow_ref`, `repository`, `repository_id`,
  `workflow`, `ref`, `environment`, `enterprise_id` (trust-only keys, not in the session);
  `repository_owner_id` and `runner_environment` are NOT offered until AWS lists them;
- Google (`accounts.google.com`): `aud` (the token's `azp` when present, else `aud`), `oaud`
  (always the token's `aud`) and `sub`;
- Facebook (`graph.facebook.com`): `app_id`, `id`; Login with Amazon (`www.amazon.com`):
  `app_id`, `user_id`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from federation_constructs.errors import PresetValueError

__all__ = ["GITHUB_STS_CLAIMS", "MAX_ISSUER_URL_LENGTH", "OidcIssuer", "issuer_url_problem"]

#: IAM's limit on an OIDC provider URL.
MAX_ISSUER_URL_LENGTH = 255

#: GitHub claims that STS evaluates in a trust policy, beyond `aud` and `sub`.
GITHUB_STS_CLAIMS = frozenset(
    {
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
)

_SLUG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,98}")
# Bitbucket Cloud: "Workspace IDs can only contain lowercase letters, numbers, dashes, and
# underscores" (https://support.atlassian.com/bitbucket-cloud/kb/fix-workspace-creation-errors-in-bitbucket-cloud/).
# Length: documentation silent, so only IAM's limit on the issuer URL applies.
_BITBUCKET_WORKSPACE_RE = re.compile(r"[a-z0-9_-]+")
_HOST_RE = re.compile(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(:[0-9]{1,5})?")
_REGION_RE = re.compile(r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}")
_EKS_ID_RE = re.compile(r"[A-Fa-f0-9]{32}")
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def issuer_url_problem(url: str) -> str | None:
    """Why `url` cannot be an IAM OIDC provider URL, or None when it can."""
    if len(url) > MAX_ISSUER_URL_LENGTH:
        return f"it is {len(url)} characters long (IAM allows at most {MAX_ISSUER_URL_LENGTH})"
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "it does not start with https://"
    if not parts.netloc or not _HOST_RE.fullmatch(parts.netloc):
        return "it has no valid host name"
    if parts.query or url.endswith("?"):
        return "it has a query string"
    if parts.fragment or "#" in url:
        return "it has a fragment"
    if parts.path.endswith("/"):
        return "it ends with '/' (the token's iss claim has no trailing slash)"
    return None


def _preset_error(preset: str, field_name: str, value: object, accepted: str) -> PresetValueError:
    return PresetValueError(f"OidcIssuer.{preset}", field_name, value, accepted)


@dataclass(frozen=True, kw_only=True)
class OidcIssuer:
    """An OIDC issuer and what IAM can check about its tokens.

    Build one with a preset (`OidcIssuer.github_actions()`, `.gitlab()`, `.hcp_terraform()`,
    `.circleci(org_id)`, `.bitbucket(...)`, `.eks(region, cluster_id)`, `.google()`, `.apple()`,
    `.facebook()`, `.login_with_amazon()`) or `OidcIssuer.custom(url)` for any other issuer.
    """

    #: A label for messages and reports, e.g. "GitHub Actions".
    name: str
    #: The issuer URL (the token's `iss`), e.g. "https://token.actions.githubusercontent.com".
    url: str
    #: Claims IAM evaluates for this issuer (condition keys `<host/path>:<claim>`).
    claims: frozenset[str]
    #: Claims every trust for this issuer must restrict, unless an explicit opt-in says otherwise.
    required_claims: frozenset[str]
    #: The audience tokens carry when the caller does not choose one (None: the user must say).
    default_audience: str | None = None
    #: The claim that holds the audience in IAM's view (`app_id` for Facebook and Amazon).
    audience_claim: str = "aud"
    #: For web identity providers that need no IAM provider (Google, Facebook, Amazon): the
    #: name that is the trust's `Federated` principal.
    web_identity_name: str | None = None
    #: The documented subject layout, for messages, e.g. "repo:OWNER/REPO:ref:refs/heads/BRANCH".
    subject_form: str | None = None
    #: A regex that every subject must match, with a named group `owner` for the part that
    #: identifies who controls the subject (GitHub owner, GitLab top group, HCP organization,
    #: EKS namespace): a wildcard there admits other owners' workloads.
    subject_owner_pattern: str | None = field(default=None, repr=False)
    #: What the `owner` group is called, for messages.
    owner_label: str = "owner"

    @property
    def host_path(self) -> str:
        """The issuer URL without `https://`: the prefix of its condition keys and provider ARN."""
        if self.web_identity_name:
            return self.web_identity_name
        return self.url.removeprefix("https://")

    def key(self, claim: str) -> str:
        """The IAM condition key for `claim`, e.g. `token.actions.githubusercontent.com:sub`."""
        return f"{self.host_path}:{claim}"

    @property
    def needs_provider(self) -> bool:
        """Whether a trust needs an IAM OIDC provider (False for Google, Facebook and Amazon)."""
        return self.web_identity_name is None

    def owner_of(self, subject: str) -> str | None:
        """The owner part of `subject`, or None when the subject does not have this issuer's form."""
        if self.subject_owner_pattern is None:
            return None
        match = re.match(self.subject_owner_pattern, subject)
        return match.group("owner") if match else None

    # --- presets --------------------------------------------------------------------------

    @classmethod
    def github_actions(cls, *, enterprise_slug: str | None = None) -> OidcIssuer:
        """GitHub Actions on github.com; with `enterprise_slug`, the enterprise's own issuer
        (`https://token.actions.githubusercontent.com/<slug>`)."""
        url = "https://token.actions.githubusercontent.com"
        if enterprise_slug is not None:
            if not isinstance(enterprise_slug, str) or not _SLUG_RE.fullmatch(enterprise_slug):
                raise _preset_error(
                    "github_actions",
                    "enterprise_slug",
                    enterprise_slug,
                    "the enterprise's URL slug: letters, digits and hyphens",
                )
            url = f"{url}/{enterprise_slug}"
        return cls(
            name="GitHub Actions",
            url=url,
            claims=frozenset({"aud", "sub"}) | GITHUB_STS_CLAIMS,
            required_claims=frozenset({"aud", "sub"}),
            default_audience="sts.amazonaws.com",
            subject_form="repo:OWNER/REPO:ref:refs/heads/BRANCH | :ref:refs/tags/TAG | "
            ":environment:ENV | :pull_request",
            subject_owner_pattern=r"repo:(?P<owner>[^/]*)/",
            owner_label="repository owner",
        )

    @classmethod
    def gitlab(cls, *, host: str = "gitlab.com") -> OidcIssuer:
        """GitLab CI on gitlab.com or a self-managed `host`. Jobs choose their `aud`
        (`id_tokens: ...: aud:`), so the audience alone never identifies a project."""
        if not isinstance(host, str) or not _HOST_RE.fullmatch(host):
            raise _preset_error("gitlab", "host", host, "a host name such as 'gitlab.example.com'")
        url = f"https://{host}"
        return cls(
            name="GitLab CI" if host == "gitlab.com" else f"GitLab CI ({host})",
            url=url,
            claims=frozenset({"aud", "sub"}),
            required_claims=frozenset({"aud", "sub"}),
            default_audience=url,
            subject_form="project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF",
            subject_owner_pattern=r"project_path:(?P<owner>[^/]*)/",
            owner_label="top-level group",
        )

    @classmethod
    def hcp_terraform(cls, *, host: str = "app.terraform.io") -> OidcIssuer:
        """HCP Terraform (or Terraform Enterprise at `host`) workload identity."""
        if not isinstance(host, str) or not _HOST_RE.fullmatch(host):
            raise _preset_error("hcp_terraform", "host", host, "a host name such as 'app.terraform.io'")
        return cls(
            name="HCP Terraform",
            url=f"https://{host}",
            claims=frozenset({"aud", "sub"}),
            required_claims=frozenset({"aud", "sub"}),
            default_audience="aws.workload.identity",
            subject_form="organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:plan|apply",
            subject_owner_pattern=r"organization:(?P<owner>[^:]*):",
            owner_label="organization",
        )

    @classmethod
    def circleci(cls, org_id: str) -> OidcIssuer:
        """CircleCI for one organization: issuer and audience are both the organization id."""
        if not isinstance(org_id, str) or not _UUID_RE.fullmatch(org_id):
            raise _preset_error("circleci", "org_id", org_id, "the organization id, a UUID")
        return cls(
            name="CircleCI",
            url=f"https://oidc.circleci.com/org/{org_id}",
            claims=frozenset({"aud", "sub"}),
            required_claims=frozenset({"aud", "sub"}),
            default_audience=org_id,
            subject_form="org/ORG_ID/project/PROJECT_ID/user/USER_ID",
            subject_owner_pattern=r"org/(?P<owner>[^/]*)/",
            owner_label="organization id",
        )

    @classmethod
    def bitbucket(cls, *, workspace: str, audience: str) -> OidcIssuer:
        """Bitbucket Pipelines for one workspace. Copy `audience` from the repository's OpenID
        Connect settings (it is per workspace, or one of the custom audiences you configured)."""
        if not isinstance(workspace, str) or not _BITBUCKET_WORKSPACE_RE.fullmatch(workspace):
            lower = workspace.lower() if isinstance(workspace, str) else ""
            hint = (
                f"; did you mean {lower!r}?" if lower != workspace and _BITBUCKET_WORKSPACE_RE.fullmatch(lower) else ""
            )
            raise _preset_error(
                "bitbucket",
                "workspace",
                workspace,
                f"the workspace slug (its ID): lower-case letters, digits, '-' and '_'{hint}",
            )
        if not isinstance(audience, str) or not audience:
            raise _preset_error(
                "bitbucket", "audience", audience, "the Audience shown in the repository's OpenID Connect settings"
            )
        url = f"https://api.bitbucket.org/2.0/workspaces/{workspace}/pipelines-config/identity/oidc"
        if len(url) > MAX_ISSUER_URL_LENGTH:
            raise _preset_error(
                "bitbucket",
                "workspace",
                workspace,
                f"a workspace ID that keeps the issuer URL within IAM's {MAX_ISSUER_URL_LENGTH} characters",
            )
        return cls(
            name="Bitbucket Pipelines",
            url=url,
            claims=frozenset({"aud", "sub"}),
            required_claims=frozenset({"aud", "sub"}),
            default_audience=audience,
            subject_form="{REPOSITORY_UUID}:... (from the repository's OpenID Connect settings)",
            subject_owner_pattern=r"(?P<owner>\{[^}]*\}):",
            owner_label="repository UUID",
        )

    @classmethod
    def eks(cls, *, region: str, cluster_id: str) -> OidcIssuer:
        """An EKS cluster's service-account issuer (`oidc.eks.<region>.amazonaws.com/id/<id>`)."""
        if not isinstance(region, str) or not _REGION_RE.fullmatch(region):
            raise _preset_error("eks", "region", region, "an AWS region code such as 'eu-west-1'")
        if not isinstance(cluster_id, str) or not _EKS_ID_RE.fullmatch(cluster_id):
            raise _preset_error(
                "eks",
                "cluster_id",
                cluster_id,
                "the 32 hexadecimal characters at the end of the cluster's OIDC issuer URL",
            )
        return cls(
            name="EKS service accounts",
            url=f"https://oidc.eks.{region}.amazonaws.com/id/{cluster_id}",
            claims=frozenset({"aud", "sub"}),
            required_claims=frozenset({"aud", "sub"}),
            default_audience="sts.amazonaws.com",
            subject_form="system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT",
            subject_owner_pattern=r"system:serviceaccount:(?P<owner>[^:]*):",
            owner_label="namespace",
        )

    @classmethod
    def apple(cls) -> OidcIssuer:
        """Sign in with Apple, through an IAM OIDC provider for `https://appleid.apple.com`;
        the audience is your app's Services ID or bundle ID."""
        return cls(
            name="Sign in with Apple",
            url="https://appleid.apple.com",
            claims=frozenset({"aud", "sub"}),
            required_claims=frozenset({"aud"}),
        )

    @classmethod
    def google(cls) -> OidcIssuer:
        """Google as a web identity provider (`Federated: accounts.google.com`, no IAM provider).

        `accounts.google.com:aud` is compared with the token's `azp` when the token has one (hybrid
        apps), else with its `aud`; `accounts.google.com:oaud` always with the token's `aud`. Give
        the OAuth client id your app signs in with."""
        return cls(
            name="Google",
            url="https://accounts.google.com",
            web_identity_name="accounts.google.com",
            claims=frozenset({"aud", "oaud", "sub"}),
            required_claims=frozenset({"aud"}),
        )

    @classmethod
    def facebook(cls) -> OidcIssuer:
        """Facebook as a web identity provider (`graph.facebook.com`): the audience is `app_id`."""
        return cls(
            name="Facebook",
            url="https://graph.facebook.com",
            web_identity_name="graph.facebook.com",
            claims=frozenset({"app_id", "id"}),
            required_claims=frozenset({"app_id"}),
            audience_claim="app_id",
        )

    @classmethod
    def login_with_amazon(cls) -> OidcIssuer:
        """Login with Amazon as a web identity provider (`www.amazon.com`): the audience is `app_id`."""
        return cls(
            name="Login with Amazon",
            url="https://www.amazon.com",
            web_identity_name="www.amazon.com",
            claims=frozenset({"app_id", "user_id"}),
            required_claims=frozenset({"app_id"}),
            audience_claim="app_id",
        )

    @classmethod
    def custom(
        cls,
        url: str,
        *,
        name: str | None = None,
        default_audience: str | None = None,
        required_claims: tuple[str, ...] = ("aud", "sub"),
    ) -> OidcIssuer:
        """Any other OIDC issuer. IAM evaluates only `aud` and `sub` for it; both are required
        unless `required_claims` says otherwise (e.g. `("aud",)` for an issuer whose audience is
        unique to your application)."""
        if not isinstance(url, str):
            raise _preset_error("custom", "url", url, "an https issuer URL (a string)")
        problem = issuer_url_problem(url)
        if problem:
            raise _preset_error("custom", "url", url, f"an https URL without query or fragment ({problem})")
        for field_name, value in (("name", name), ("default_audience", default_audience)):
            if value is not None and (not isinstance(value, str) or not value):
                raise _preset_error("custom", field_name, value, "a non-empty string, or None")
        claims = frozenset({"aud", "sub"})
        if (
            isinstance(required_claims, str)
            or not isinstance(required_claims, (tuple, list, set, frozenset))
            or not all(isinstance(c, str) for c in required_claims)
        ):
            raise _preset_error(
                "custom",
                "required_claims",
                required_claims,
                "('aud', 'sub') or ('aud',): IAM evaluates only aud and sub for a custom issuer",
            )
        unknown = set(required_claims) - claims
        if unknown or "aud" not in required_claims:
            raise _preset_error(
                "custom",
                "required_claims",
                required_claims,
                "('aud', 'sub') or ('aud',): IAM evaluates only aud and sub for a custom issuer",
            )
        return cls(
            name=name or url.removeprefix("https://"),
            url=url,
            claims=claims,
            required_claims=frozenset(required_claims),
            default_audience=default_audience,
        )

    def with_default_audience(self, audience: str) -> OidcIssuer:
        """The same issuer with another default audience."""
        if not isinstance(audience, str) or not audience:
            raise _preset_error("with_default_audience", "audience", audience, "a non-empty audience string")
        return replace(self, default_audience=audience)
