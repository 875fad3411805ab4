"""Preset roles for GitLab CI, HCP Terraform and EKS service accounts: typed filters to exact subjects.

**Wildcards.** The typed roles (these and `GitHubActionsRole`) sort a wildcard (`*`, `?`) by the
part of the subject it opens, and refuse each class at construction unless its named opt-in says
it is meant; every opt-in used is recorded in the role's `opt_ins` (and so in the access report):

| what the wildcard opens | GitHub Actions | GitLab CI | HCP Terraform | EKS |
| --- | --- | --- | --- | --- |
| the owner: other owners' workloads | owner (`*/app`): `allow_any_subject` | top-level group (`*/app`): `allow_any_subject` | organization (`acme*`): `allow_any_subject` | namespace: never (use `OidcRole` with `allow_any_subject`) |
| names under the owner, including ones created later | repository (`acme/*`): `allow_repository_wildcards` | subgroup or project (`platform/*`): `allow_project_wildcards` | project or workspace (`prod-*`): `allow_any_workspace` | service account (`app-*`): `allow_any_service_account` |
| every ref of a name | branch, tag or environment of only wildcards (`*`): `allow_any_ref` | ref of only wildcards (`*`): `allow_any_ref` | run phase: literal `plan`/`apply` | - |

A ref pattern that keeps a literal part (`release/*`, `v1.*`) needs no opt-in: it names a family of
refs the repository's owners control through ref protection. A wildcard in the owner (with
`allow_any_subject`) admits every name under it, so it needs no second opt-in.

**Dead values.** Names no token of the issuer can ever carry are refused at construction, each
with the fix in the message (the rules, each with its source: `federation_constructs.oidc.names`):
a full ref where a ref name is expected (`refs=["refs/heads/main"]`: GitLab's subject carries the
short name, `ref:main`), refused with "did you mean 'main'?" rather than rewritten, since a ref
can in theory be called `refs/heads/main` and a silent rewrite could change a working trust; ref
names git forbids; a `:` in any name (it separates the subject's fields); GitLab paths with empty,
`.` or `..` segments or characters GitLab forbids; HCP Terraform workspace and project names with
characters or lengths HCP Terraform does not allow; Kubernetes namespaces that are not RFC 1123
labels and service-account names that are not RFC 1123 subdomain names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from aws_cdk import aws_iam as iam
from constructs import Construct

from federation_constructs.errors import checked_bool, checked_list, invalid
from federation_constructs.federated_role import FederatedRole, RoleOptions
from federation_constructs.oidc.conditions import has_wildcard, is_only_wildcards
from federation_constructs.oidc.issuers import OidcIssuer
from federation_constructs.oidc.names import (
    RefKind,
    full_ref,
    git_ref_problem,
    gitlab_path_problem,
    hcp_organization_problem,
    hcp_project_problem,
    hcp_workspace_problem,
    k8s_label_problem,
    k8s_subdomain_problem,
)
from federation_constructs.oidc.provider import OidcProvider
from federation_constructs.oidc.role import OidcRole, preset_issuer
from federation_constructs.proof.intent import eks_subjects, gitlab_subjects, hcp_subjects

__all__ = ["EksServiceAccountRole", "GitLabCiRole", "HcpTerraformRole"]

_GITLAB_PROJECTS = "project paths 'GROUP/[SUBGROUP/]PROJECT', wildcards only below the top-level group"


def _names(
    scope: Construct,
    field: str,
    values: Sequence[str],
    items: str,
    *,
    problem: Callable[[str], str | None],
    wildcard: Callable[[str], str | None],
) -> list[str]:
    """The names of `field`, each a string for which `problem` finds nothing (the issuer can issue
    it) and `wildcard` finds no opt-in missing; `items` says what the list holds, for messages."""
    checked = []
    for value in checked_list(scope, field, values, items, non_empty=True):
        if not isinstance(value, str):
            raise invalid(scope, field, value, items)
        refusal = wildcard(value) if has_wildcard(value) else None
        if refusal:
            raise invalid(scope, field, value, refusal)
        reason = problem(value)
        if reason:
            raise invalid(scope, field, value, f"{items}: {reason}")
        checked.append(value)
    return checked


def _opt_in_needed(field: str, opt_in: str, allowed: bool, noun: str, owner: str) -> Callable[[str], str | None]:
    """The refusal of a `noun` with a wildcard when `opt_in` is not set: it admits every `noun` of
    `owner` whose name matches, including ones created later (or, of only wildcards, every one)."""

    def refusal(value: str) -> str | None:
        if allowed:
            return None
        if is_only_wildcards(value):
            return f"named {field}: '{value}' admits every one ({opt_in}=True to mean it)"
        return (
            f"an exact {noun} name: '{value}' admits every matching {noun} of {owner}, including ones "
            f"created later ({opt_in}=True to mean it)"
        )

    return refusal


def _ref_hint_gitlab(value: str, ref_type: RefKind, ref: tuple[str, str]) -> str:
    """What to write instead of the full ref `value` in a GitLab role's `refs`."""
    namespace, rest = ref
    own, other = ("heads", "tags") if ref_type == "branch" else ("tags", "heads")
    accepted = f"{ref_type} names (ref_type={ref_type!r}), not full refs"
    if namespace == own and rest:
        return (
            f"{accepted}: did you mean {rest!r}? (GitLab's subject carries the short name, ref:{rest}; "
            f"ref:{value} is never issued)"
        )
    if namespace == other and rest:
        other_type = "tag" if ref_type == "branch" else "branch"
        return f"{accepted}: {value!r} is a {other_type}; did you mean ref_type={other_type!r} with refs=[{rest!r}]?"
    return f"{accepted}: GitLab's subject carries a branch or tag name (ref:NAME)"


class GitLabCiRole(OidcRole):
    """A role that GitLab CI jobs of the named projects can assume, for the named refs only.

    Subjects: `project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF`. GitLab jobs choose their
    own `aud` (`id_tokens: ...: aud:`), so the subject is what identifies the project. The
    default audience is the GitLab URL (set the same `aud` in the job). Refs default to `main`.

    Protected refs: GitLab's `ref_protected` claim is not evaluated by AWS, so a trust cannot
    require it. Name the refs that are protected in GitLab, exactly; a ref of only wildcards is
    refused unless `allow_any_ref=True`.

    Refused without an explicit opt-in, as for `GitHubActionsRole`: a wildcard below the top-level
    group (`platform/*`: `allow_project_wildcards=True`); a ref of only wildcards
    (`allow_any_ref=True`); a wildcard in the top-level group (`allow_any_subject=True`).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: OidcProvider | iam.IOidcProvider,
        projects: Sequence[str],
        ref_type: Literal["branch", "tag"] = "branch",
        refs: Sequence[str] = ("main",),
        host: str = "gitlab.com",
        audience: str | None = None,
        allow_project_wildcards: bool = False,
        allow_any_ref: bool = False,
        allow_any_subject: bool = False,
        role_options: RoleOptions | None = None,
    ) -> None:
        """Create the role.

        :param projects: project paths `GROUP/[SUBGROUP/]PROJECT`.
        :param ref_type: "branch" or "tag"; `refs` are names of that type (short names: `main`,
            not `refs/heads/main`).
        :param host: the GitLab host (self-managed GitLab: its own issuer).
        :param audience: the `aud` the job's `id_tokens` requests; default: the GitLab URL.
        :param allow_project_wildcards: allow `*`/`?` below the top-level group (`platform/*`):
            every matching project, including ones created later, can assume the role.
        :param role_options: the IAM role's options; default `RoleOptions()`.
        """
        FederatedRole.__init__(self, scope, id, role_options=role_options)
        for name, flag in (
            ("allow_project_wildcards", allow_project_wildcards),
            ("allow_any_ref", allow_any_ref),
            ("allow_any_subject", allow_any_subject),
        ):
            checked_bool(self, name, flag)
        issuer = preset_issuer(self, lambda: OidcIssuer.gitlab(host=host))
        paths = self._projects(projects, allow_project_wildcards, allow_any_subject)
        if ref_type not in ("branch", "tag"):
            raise invalid(self, "ref_type", ref_type, "'branch' or 'tag'")
        ref_names = self._refs(refs, ref_type, allow_any_ref)
        # the trust and the intent are both written from these checked values (refs default to `main`)
        subjects = [f"project_path:{p}:ref_type:{ref_type}:ref:{r}" for p in paths for r in ref_names]
        opt_ins = [
            name
            for name, used in (("allow_project_wildcards", allow_project_wildcards), ("allow_any_ref", allow_any_ref))
            if used
        ]
        self._build(
            issuer=issuer,
            provider=provider,
            audiences=[_audience(self, audience, issuer)],
            subjects=subjects,
            conditions=None,
            allow_any_subject=allow_any_subject,
            opt_ins=opt_ins,
            intent_subjects=gitlab_subjects(paths, ref_type=ref_type, refs=ref_names),
            declared={"projects": paths, "ref_type": ref_type, "refs": ref_names},
        )

    def _projects(self, projects: Sequence[str], allow_wildcards: bool, allow_any_subject: bool) -> list[str]:
        """The project paths, checked: paths GitLab allows; a wildcard in the top-level group only
        with `allow_any_subject`, below it only with `allow_project_wildcards`."""
        items = (
            f"{_GITLAB_PROJECTS} (a wildcard in the group admits other groups' projects: "
            f"allow_any_subject=True to mean it)"
        )
        checked = []
        for value in checked_list(self, "projects", projects, items, non_empty=True):
            if not isinstance(value, str):
                raise invalid(self, "projects", value, items)
            group, slash, below = value.partition("/")
            if has_wildcard(group) and not allow_any_subject:
                raise invalid(
                    self,
                    "projects",
                    value,
                    f"{_GITLAB_PROJECTS}: a wildcard in the group admits other groups' projects "
                    f"(allow_any_subject=True to mean it)",
                )
            problem = gitlab_path_problem(value)
            if problem:
                raise invalid(self, "projects", value, f"{_GITLAB_PROJECTS}: {problem}")
            if not slash and not has_wildcard(group):
                raise invalid(
                    self, "projects", value, f"{_GITLAB_PROJECTS}: a group and a project, e.g. 'platform/infra'"
                )
            # a wildcard in the group (with allow_any_subject) already admits every path below it
            if has_wildcard(below) and not has_wildcard(group) and not allow_wildcards:
                raise invalid(
                    self,
                    "projects",
                    value,
                    f"an exact project path: '{value}' admits every matching project of {group} and of "
                    f"its subgroups, including ones created later (allow_project_wildcards=True to mean it)",
                )
            checked.append(value)
        return checked

    def _refs(self, refs: Sequence[str], ref_type: RefKind, allow_any_ref: bool) -> list[str]:
        """The ref names, checked: names git allows, short (`main`, not `refs/heads/main`); a ref
        of only wildcards only with `allow_any_ref`."""
        checked = []
        for value in checked_list(self, "refs", refs, "ref names without spaces", non_empty=True):
            if not isinstance(value, str) or not value or any(c.isspace() for c in value):
                raise invalid(self, "refs", value, "ref names without spaces")
            if is_only_wildcards(value) and not allow_any_ref:
                raise invalid(
                    self, "refs", value, f"named refs: '{value}' admits every one (allow_any_ref=True to mean it)"
                )
            ref = full_ref(value)
            if ref is not None:
                raise invalid(self, "refs", value, _ref_hint_gitlab(value, ref_type, ref))
            problem = git_ref_problem(value, ref_type)
            if problem:
                raise invalid(self, "refs", value, f"{ref_type} names git accepts (git check-ref-format): {problem}")
            checked.append(value)
        return checked


class HcpTerraformRole(OidcRole):
    """A role that HCP Terraform runs of the named workspaces can assume.

    Subjects: `organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE`, every
    combination of the given projects, workspaces and run phases. The default project is HCP
    Terraform's "Default Project"; the default audience is `aws.workload.identity`. Give a role
    for `plan` only (read-only) and another for `apply` where they need different permissions.

    Refused without an explicit opt-in: a wildcard in a project or workspace name (`prod-*`, `*`:
    `allow_any_workspace=True`); a wildcard in the organization (`allow_any_subject=True`).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: OidcProvider | iam.IOidcProvider,
        organization: str,
        workspaces: Sequence[str],
        projects: Sequence[str] = ("Default Project",),
        run_phases: Sequence[Literal["plan", "apply"]] = ("plan", "apply"),
        host: str = "app.terraform.io",
        audience: str | None = None,
        allow_any_workspace: bool = False,
        allow_any_subject: bool = False,
        role_options: RoleOptions | None = None,
    ) -> None:
        """Create the role.

        :param organization: the organization's literal name.
        :param workspaces: workspace names; `projects` alike (default: "Default Project").
        :param run_phases: "plan" and/or "apply".
        :param host: the HCP Terraform (or Terraform Enterprise) host.
        :param audience: the workload identity audience; default `aws.workload.identity`.
        :param allow_any_workspace: allow `*`/`?` in project and workspace names: every matching
            project or workspace of the organization, including ones created later, can assume the role.
        :param role_options: the IAM role's options; default `RoleOptions()`.
        """
        FederatedRole.__init__(self, scope, id, role_options=role_options)
        checked_bool(self, "allow_any_workspace", allow_any_workspace)
        checked_bool(self, "allow_any_subject", allow_any_subject)
        issuer = preset_issuer(self, lambda: OidcIssuer.hcp_terraform(host=host))
        if not isinstance(organization, str) or (has_wildcard(organization) and not allow_any_subject):
            raise invalid(
                self,
                "organization",
                organization,
                "the literal organization name: a wildcard there admits other organizations' runs "
                "(allow_any_subject=True to mean it)",
            )
        problem = hcp_organization_problem(organization)
        if problem:
            raise invalid(self, "organization", organization, f"the literal organization name: {problem}")
        project_names = _names(
            self,
            "projects",
            projects,
            "project names",
            problem=hcp_project_problem,
            wildcard=_opt_in_needed("projects", "allow_any_workspace", allow_any_workspace, "project", organization),
        )
        workspace_names = _names(
            self,
            "workspaces",
            workspaces,
            "workspace names",
            problem=hcp_workspace_problem,
            wildcard=_opt_in_needed(
                "workspaces", "allow_any_workspace", allow_any_workspace, "workspace", organization
            ),
        )
        phases = (
            [run_phases]
            if isinstance(run_phases, str)
            else checked_list(self, "run_phases", run_phases, "'plan' and/or 'apply'")
        )
        if not phases or any(p not in ("plan", "apply") for p in phases):
            raise invalid(self, "run_phases", run_phases, "'plan' and/or 'apply'")
        # the trust and the intent are both written from these checked values (projects default to
        # "Default Project", run phases to plan and apply)
        run_phase_names = list(dict.fromkeys(phases))
        subjects = [
            f"organization:{organization}:project:{p}:workspace:{w}:run_phase:{r}"
            for p in project_names
            for w in workspace_names
            for r in run_phase_names
        ]
        self._build(
            issuer=issuer,
            provider=provider,
            audiences=[_audience(self, audience, issuer)],
            subjects=subjects,
            conditions=None,
            allow_any_subject=allow_any_subject,
            opt_ins=["allow_any_workspace"] if allow_any_workspace else [],
            intent_subjects=hcp_subjects(
                organization, projects=project_names, workspaces=workspace_names, run_phases=run_phase_names
            ),
            declared={
                "organization": organization,
                "projects": project_names,
                "workspaces": workspace_names,
                "run_phases": run_phase_names,
            },
        )


class EksServiceAccountRole(OidcRole):
    """A role for Kubernetes service accounts of one EKS cluster (IAM roles for service accounts).

    Subjects: `system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT`; audience `sts.amazonaws.com`.
    The namespace is always literal; a wildcard in a service-account name (`app-*`, `*`) needs
    `allow_any_service_account=True`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: OidcProvider | iam.IOidcProvider,
        cluster_region: str,
        cluster_id: str,
        namespace: str,
        service_accounts: Sequence[str],
        allow_any_service_account: bool = False,
        role_options: RoleOptions | None = None,
    ) -> None:
        """Create the role.

        :param cluster_region: the cluster's region; `cluster_id` the 32 hexadecimal characters at
            the end of its OIDC issuer URL.
        :param namespace: the literal Kubernetes namespace.
        :param service_accounts: service-account names in that namespace.
        :param allow_any_service_account: allow `*`/`?` in service-account names: every matching
            service account of the namespace, including ones created later, can assume the role.
        :param role_options: the IAM role's options; default `RoleOptions()`.
        """
        FederatedRole.__init__(self, scope, id, role_options=role_options)
        checked_bool(self, "allow_any_service_account", allow_any_service_account)
        issuer = preset_issuer(
            self, lambda: OidcIssuer.eks(region=cluster_region, cluster_id=cluster_id), {"region": "cluster_region"}
        )
        if not isinstance(namespace, str) or has_wildcard(namespace):
            raise invalid(
                self,
                "namespace",
                namespace,
                "a literal Kubernetes namespace: a wildcard there admits every namespace's service accounts",
            )
        problem = k8s_label_problem(namespace)
        if problem:
            raise invalid(self, "namespace", namespace, f"a literal Kubernetes namespace: {problem}")
        accounts = _names(
            self,
            "service_accounts",
            service_accounts,
            "Kubernetes service-account names",
            problem=k8s_subdomain_problem,
            wildcard=_opt_in_needed(
                "service_accounts",
                "allow_any_service_account",
                allow_any_service_account,
                "service account",
                f"namespace {namespace}",
            ),
        )
        subjects = [f"system:serviceaccount:{namespace}:{sa}" for sa in accounts]
        self._build(
            issuer=issuer,
            provider=provider,
            audiences=[_audience(self, None, issuer)],
            subjects=subjects,
            conditions=None,
            allow_any_subject=False,
            opt_ins=["allow_any_service_account"] if allow_any_service_account else [],
            intent_subjects=eks_subjects(namespace, accounts),
            declared={"namespace": namespace, "service_accounts": accounts},
        )


def _audience(scope: Construct, audience: object, issuer: OidcIssuer) -> str:
    """`audience`, or the issuer's default audience when it is None."""
    if audience is None or audience == "":
        return issuer.default_audience  # type: ignore[return-value]
    if not isinstance(audience, str):
        raise invalid(scope, "audience", audience, f"the audience the job requests, e.g. {issuer.default_audience!r}")
    return audience
