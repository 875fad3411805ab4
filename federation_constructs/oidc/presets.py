"""Preset roles for GitLab CI, HCP Terraform and EKS service accounts: typed filters to exact subjects."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from aws_cdk import aws_iam as iam
from constructs import Construct

from federation_constructs.errors import checked_bool, checked_list, invalid
from federation_constructs.federated_role import FederatedRole, RoleOptions
from federation_constructs.oidc.conditions import is_only_wildcards
from federation_constructs.oidc.issuers import OidcIssuer
from federation_constructs.oidc.provider import OidcProvider
from federation_constructs.oidc.role import OidcRole, preset_issuer
from federation_constructs.proof.intent import eks_subjects, gitlab_subjects, hcp_subjects

__all__ = ["EksServiceAccountRole", "GitLabCiRole", "HcpTerraformRole"]

_GITLAB_PATH_RE = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.*?][A-Za-z0-9_.*?-]*)+")
_GITLAB_ANY_PATH_RE = re.compile(r"[A-Za-z0-9_.*?-]+(/[A-Za-z0-9_.*?-]+)*")
_K8S_NAME_RE = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")
_K8S_PATTERN_RE = re.compile(r"[a-z0-9.*?-]{1,253}")
_TFC_NAME_RE = re.compile(r"[A-Za-z0-9_.\- ]{1,90}")
_TFC_PATTERN_RE = re.compile(r"[A-Za-z0-9_.\- *?]{1,90}")


def _names(
    scope: Construct,
    field: str,
    values: Sequence[str],
    pattern: re.Pattern[str],
    accepted: str,
    *,
    allow_any: bool,
    opt_in: str,
    required: bool = True,
) -> list[str]:
    """Validate a list of names; a name of only wildcards needs the opt-in."""
    names = checked_list(scope, field, values, accepted, non_empty=required)
    checked = []
    for value in names:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise invalid(scope, field, value, accepted)
        if is_only_wildcards(value) and not allow_any:
            raise invalid(scope, field, value, f"named {field}: '{value}' admits every one ({opt_in}=True to mean it)")
        checked.append(value)
    return checked


class GitLabCiRole(OidcRole):
    """A role that GitLab CI jobs of the named projects can assume, for the named refs only.

    Subjects: `project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF`. GitLab jobs choose their
    own `aud` (`id_tokens: ...: aud:`), so the subject is what identifies the project. The
    default audience is the GitLab URL (set the same `aud` in the job). Refs default to `main`.

    Protected refs: GitLab's `ref_protected` claim is not evaluated by AWS, so a trust cannot
    require it. Name the refs that are protected in GitLab, exactly; a ref of only wildcards is
    refused unless `allow_any_ref=True`.
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
        allow_any_ref: bool = False,
        allow_any_subject: bool = False,
        role_options: RoleOptions | None = None,
    ) -> None:
        """Create the role.

        :param projects: project paths `GROUP/[SUBGROUP/]PROJECT`.
        :param ref_type: "branch" or "tag"; `refs` are names of that type.
        :param host: the GitLab host (self-managed GitLab: its own issuer).
        :param audience: the `aud` the job's `id_tokens` requests; default: the GitLab URL.
        :param role_options: the IAM role's options; default `RoleOptions()`.
        """
        FederatedRole.__init__(self, scope, id, role_options=role_options)
        checked_bool(self, "allow_any_ref", allow_any_ref)
        checked_bool(self, "allow_any_subject", allow_any_subject)
        issuer = preset_issuer(self, lambda: OidcIssuer.gitlab(host=host))
        paths = _names(
            self,
            "projects",
            projects,
            _GITLAB_ANY_PATH_RE if allow_any_subject else _GITLAB_PATH_RE,
            "project paths 'GROUP/[SUBGROUP/]PROJECT', wildcards only below the top-level group "
            "(a wildcard in the group admits other groups' projects: allow_any_subject=True to mean it)",
            allow_any=allow_any_subject,
            opt_in="allow_any_subject",
        )
        if ref_type not in ("branch", "tag"):
            raise invalid(self, "ref_type", ref_type, "'branch' or 'tag'")
        ref_names = _names(
            self,
            "refs",
            refs,
            re.compile(r"\S+"),
            "ref names without spaces",
            allow_any=allow_any_ref,
            opt_in="allow_any_ref",
        )
        # the trust and the intent are both written from these checked values (refs default to `main`)
        subjects = [f"project_path:{p}:ref_type:{ref_type}:ref:{r}" for p in paths for r in ref_names]
        self._build(
            issuer=issuer,
            provider=provider,
            audiences=[_audience(self, audience, issuer)],
            subjects=subjects,
            conditions=None,
            allow_any_subject=allow_any_subject,
            opt_ins=["allow_any_ref"] if allow_any_ref else [],
            intent_subjects=gitlab_subjects(paths, ref_type=ref_type, refs=ref_names),
            declared={"projects": paths, "ref_type": ref_type, "refs": ref_names},
        )


class HcpTerraformRole(OidcRole):
    """A role that HCP Terraform runs of the named workspaces can assume.

    Subjects: `organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE`, every
    combination of the given projects, workspaces and run phases. The default project is HCP
    Terraform's "Default Project"; the default audience is `aws.workload.identity`. Give a role
    for `plan` only (read-only) and another for `apply` where they need different permissions.
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
        :param role_options: the IAM role's options; default `RoleOptions()`.
        """
        FederatedRole.__init__(self, scope, id, role_options=role_options)
        checked_bool(self, "allow_any_workspace", allow_any_workspace)
        checked_bool(self, "allow_any_subject", allow_any_subject)
        issuer = preset_issuer(self, lambda: OidcIssuer.hcp_terraform(host=host))
        org_re = _TFC_PATTERN_RE if allow_any_subject else _TFC_NAME_RE
        if not isinstance(organization, str) or not org_re.fullmatch(organization):
            raise invalid(
                self,
                "organization",
                organization,
                "the literal organization name: a wildcard there admits other organizations' runs "
                "(allow_any_subject=True to mean it)",
            )
        project_names = _names(
            self,
            "projects",
            projects,
            _TFC_PATTERN_RE,
            "project names",
            allow_any=allow_any_workspace,
            opt_in="allow_any_workspace",
        )
        workspace_names = _names(
            self,
            "workspaces",
            workspaces,
            _TFC_PATTERN_RE,
            "workspace names",
            allow_any=allow_any_workspace,
            opt_in="allow_any_workspace",
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
    The namespace is always literal; a service-account name of only wildcards needs
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
        :param role_options: the IAM role's options; default `RoleOptions()`.
        """
        FederatedRole.__init__(self, scope, id, role_options=role_options)
        checked_bool(self, "allow_any_service_account", allow_any_service_account)
        issuer = preset_issuer(
            self, lambda: OidcIssuer.eks(region=cluster_region, cluster_id=cluster_id), {"region": "cluster_region"}
        )
        if not isinstance(namespace, str) or not _K8S_NAME_RE.fullmatch(namespace):
            raise invalid(
                self,
                "namespace",
                namespace,
                "a literal Kubernetes namespace: a wildcard there admits every namespace's service accounts",
            )
        accounts = _names(
            self,
            "service_accounts",
            service_accounts,
            _K8S_PATTERN_RE,
            "Kubernetes service-account names",
            allow_any=allow_any_service_account,
            opt_in="allow_any_service_account",
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
