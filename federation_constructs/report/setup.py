"""The setup sheet: for each federated role, what to paste into the other side (the IdP, the CI
workflow, the mobile app), as `setup.md` and `setup.json` next to the access report.

Built only from what the package already wrote: the access report (`access-report.json`, see
`federation_constructs.report.access`) and the templates of the cloud assembly (their `Outputs`
and a few resources: identity pools, user pools, app clients, buckets). Pure Python over JSON: no
CDK, no jsii, no solver. `FederationReview` writes the sheet after every synthesis; after
`cdk deploy --outputs-file OUTPUTS`, `federation-setup --outputs OUTPUTS cdk.out` (or
`make outputs OUTPUTS=...`) rewrites it with the values known only after deploy.

Values known only after deploy are placeholders that say so, e.g.
`<identity pool id: run make outputs after cdk deploy>`; a placeholder that no stack output can
fill says what to do instead. A deploy-time value is matched to its resource through the output
whose `Value` is `{"Ref": LOGICAL}` or `{"Fn::GetAtt": [LOGICAL, ATTRIBUTE]}`, read from the
outputs file under the stack's CloudFormation name.

`setup.json` (`build_setup_sheet`), version 1::

    {"version": 1,
     "outputs_applied": bool,             # an outputs file was read
     "placeholders": [str],               # deploy-time values still missing, each once
     "sources": {topic: url},             # where each recipe was checked (below)
     "stacks": [{"stack", "stack_name", "account", "region",
                 "roles": [{"name", "logical_id", "kind", "role_arn", "max_session_seconds",
                            "admits": [str], "relies_on": [str], "notes": [str],
                            "setup": {...}}],            # per kind, see the _<kind> builders
                 "identity_pools": [{"logical_id", "name", "roles": {"authenticated", "guest"},
                                     "amplify_outputs": {...}, "not_derived": [str]}]}]}

`kind` is one of `github`, `gitlab`, `hcp_terraform`, `eks`, `oidc` (another issuer), `saml`,
`cognito` (see the pool's entry), `broker` (an AWS principal), `other`.

Sources, each checked in its owner's documentation (2026); anything not confirmed there says "not
verified" in the sheet:

- GitHub Actions: aws-actions/configure-aws-credentials README and action.yml (inputs `role-to-assume`,
  `aws-region`, `audience` defaulting to `sts.amazonaws.com`; `permissions: id-token: write`; current
  major v6, Marketplace v6.2.3) https://github.com/aws-actions/configure-aws-credentials ;
  environments' "Deployment branches and tags" https://docs.github.com/actions/reference/deployments-and-environments ;
  immutable subjects https://docs.github.com/actions/concepts/security/openid-connect
- GitLab CI: `id_tokens` with `aud` https://docs.gitlab.com/ci/secrets/id_token_authentication/ and
  `aws sts assume-role-with-web-identity` https://docs.gitlab.com/ci/cloud_services/aws/ ; protected
  branches https://docs.gitlab.com/ee/user/project/repository/branches/protected.html
- HCP Terraform: https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration
- EKS: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
- SAML attributes: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
- AD FS: https://aws.amazon.com/blogs/security/enabling-federation-to-aws-using-windows-active-directory-adfs-and-saml-2-0/
- Okta (AWS Account Federation app): https://help.okta.com/en-us/content/topics/deploymentguides/aws/aws-configure-aws-app.htm
- Microsoft Entra ID (AWS Single-Account Access app): https://learn.microsoft.com/entra/identity/saas-apps/amazon-web-service-tutorial
- Amplify Gen 2 `amplify_outputs.json` (schema 1.4; storage access keys `guest`, `authenticated`,
  `entityidentity` with `${cognito-identity.amazonaws.com:sub}` in the path):
  https://github.com/aws-amplify/amplify-backend/blob/main/packages/client-config/src/client-config-schema/schema_v1.4.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from federation_constructs.assembly import AssemblyError, StackArtifact, load_assembly
from federation_constructs.report.access import NAME_SET_AT_DEPLOY, bucket_label, relies_on

__all__ = [
    "AFTER_DEPLOY",
    "MAX_OUTPUTS_BYTES",
    "SETUP_JSON",
    "SETUP_MD",
    "SOURCES",
    "SetupError",
    "build_parser",
    "build_setup_sheet",
    "load_outputs",
    "main",
    "to_markdown",
    "write_setup_sheet",
]

SETUP_JSON = "setup.json"
SETUP_MD = "setup.md"
#: what a placeholder that an outputs file can fill says
AFTER_DEPLOY = "run make outputs after cdk deploy"
#: the largest outputs file read (a `cdk deploy --outputs-file` of 200 outputs per stack is far smaller)
MAX_OUTPUTS_BYTES = 4 * 1024 * 1024
#: the largest access report read back by `federation-setup` (written by this package at synth)
MAX_REPORT_BYTES = 64 * 1024 * 1024
_PROG = "federation-setup"

#: where each recipe was checked: one line per topic in the sheet
SOURCES: dict[str, str] = {
    "github": "https://github.com/aws-actions/configure-aws-credentials",
    "github_environments": "https://docs.github.com/actions/reference/deployments-and-environments",
    "github_immutable_subjects": "https://docs.github.com/actions/concepts/security/openid-connect",
    "gitlab": "https://docs.gitlab.com/ci/cloud_services/aws/",
    "gitlab_id_tokens": "https://docs.gitlab.com/ci/secrets/id_token_authentication/",
    "gitlab_protected_branches": "https://docs.gitlab.com/ee/user/project/repository/branches/protected.html",
    "hcp_terraform": (
        "https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration"
    ),
    "eks": "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
    "saml": "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html",
    "adfs": (
        "https://aws.amazon.com/blogs/security/enabling-federation-to-aws-using-windows-active-directory-adfs-and-saml-2-0/"
    ),
    "okta": "https://help.okta.com/en-us/content/topics/deploymentguides/aws/aws-configure-aws-app.htm",
    "entra": "https://learn.microsoft.com/entra/identity/saas-apps/amazon-web-service-tutorial",
    "amplify": (
        "https://github.com/aws-amplify/amplify-backend/blob/main/packages/client-config/src/client-config-schema/"
        "schema_v1.4.json"
    ),
}

_ACTION = "aws-actions/configure-aws-credentials@v6"
_GITHUB_DEFAULT_AUDIENCE = "sts.amazonaws.com"
_TFC_DEFAULT_AUDIENCE = "aws.workload.identity"
_SAML_ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
_COGNITO_SUB = "${cognito-identity.amazonaws.com:sub}"
_AMPLIFY_VERSION = "1.4"
#: Amplify's storage access words, in its order, and the S3 actions behind each
_AMPLIFY_WORDS = ("get", "list", "write", "delete")
_S3_WORDS = {"s3:getobject": "get", "s3:listbucket": "list", "s3:putobject": "write", "s3:deleteobject": "delete"}
#: S3 actions that come with a word and add nothing Amplify can say
_S3_QUIET = {"s3:abortmultipartupload"}
_PRINCIPAL_TAG = re.compile(r"aws:PrincipalTag/([\w+=,.@:-]+)")


class SetupError(Exception):
    """Input the sheet cannot be built from; `str()` is one line naming the file and what was expected."""


# --- deploy-time values ------------------------------------------------------------------------


class _Stack:
    """One stack's template, environment and deploy-time outputs; collects the placeholders used."""

    def __init__(
        self,
        report: Mapping[str, Any],
        template: Mapping[str, Any],
        region: str | None,
        outputs: Mapping[str, str],
        stack_name: str,
    ) -> None:
        self.report = report
        self.name = str(report.get("stack", ""))
        self.stack_name = stack_name
        self.template = template
        resources = template.get("Resources")
        self.resources: Mapping[str, Any] = resources if isinstance(resources, dict) else {}
        declared = template.get("Outputs")
        self.declared: Mapping[str, Any] = declared if isinstance(declared, dict) else {}
        self.outputs = outputs
        self.placeholders: list[str] = []
        account = report.get("account")
        self.account_known = isinstance(account, str) and account.isdigit()
        self.region = region or self.later("AWS region this stack is deployed to", fillable=False, hint="set at deploy")

    def later(self, what: str, *, fillable: bool, hint: str = "no stack output carries it") -> str:
        """A marked placeholder for a value known only after deploy."""
        text = f"<{what}: {AFTER_DEPLOY}>" if fillable else f"<{what}: known after cdk deploy ({hint})>"
        if text not in self.placeholders:
            self.placeholders.append(text)
        return text

    def output_keys(self, logical: str, attribute: str | None = None) -> list[str]:
        """The output keys whose value is `Ref` of `logical` (or `Fn::GetAtt` of it and `attribute`)."""
        found = []
        for key, output in self.declared.items():
            value = output.get("Value") if isinstance(output, dict) else None
            if not isinstance(value, dict) or len(value) != 1:
                continue
            if attribute is None and value.get("Ref") == logical:
                found.append(key)
            elif attribute is not None and "Fn::GetAtt" in value:
                target = value["Fn::GetAtt"]
                parts = target.split(".", 1) if isinstance(target, str) else target
                if isinstance(parts, list) and parts == [logical, attribute]:
                    found.append(key)
        return found

    def resolved(self, logical: str, what: str, attribute: str | None = None) -> str:
        """The deployed value of `Ref` (or `GetAtt ... attribute`) of `logical`, else a placeholder."""
        keys = self.output_keys(logical, attribute)
        for key in keys:
            if key in self.outputs:
                return self.outputs[key]
        return self.later(what, fillable=bool(keys))

    def properties(self, logical: str) -> Mapping[str, Any]:
        resource = self.resources.get(logical)
        props = resource.get("Properties") if isinstance(resource, dict) else None
        return props if isinstance(props, dict) else {}

    def of_type(self, kind: str) -> list[str]:
        return [k for k, r in self.resources.items() if isinstance(r, dict) and r.get("Type") == kind]

    def with_account(self, arn: str) -> str:
        """`arn` with a placeholder for its account where the stack leaves the account to deploy time."""
        if self.account_known:
            return arn
        account = self.later(
            "account id",
            fillable=False,
            hint="the account each deployment lands in: for a StackSet member every member account",
        )
        return re.sub(r"^(arn:[^:]+:[^:]+:[^:]*:)[^:]*(:)", lambda m: m.group(1) + account + m.group(2), arn)


def _ref(value: Any) -> str | None:
    """The logical id of a `{"Ref": X}` or `{"Fn::GetAtt": [X, ...]}` value."""
    if isinstance(value, dict) and len(value) == 1:
        if isinstance(value.get("Ref"), str):
            return str(value["Ref"])
        target = value.get("Fn::GetAtt")
        if isinstance(target, list) and target and isinstance(target[0], str):
            return target[0]
        if isinstance(target, str):
            return target.split(".", 1)[0]
    return None


def _role_arn(role: Mapping[str, Any], st: _Stack) -> str:
    """The role's ARN: from the outputs file when deployed, else literal when its name is fixed, else a
    placeholder."""
    logical = str(role.get("logical_id", ""))
    keys = st.output_keys(logical, "Arn")
    for key in keys:
        if key in st.outputs:
            return st.outputs[key]
    arn = role.get("role_arn")
    if not isinstance(arn, str) or NAME_SET_AT_DEPLOY in arn:
        return st.later(f"role ARN of {role.get('name')}", fillable=bool(keys))
    return st.with_account(arn)


def _saml_role_attribute(role: Mapping[str, Any], st: _Stack, role_arn: str) -> tuple[str, str]:
    """(`ROLE_ARN,PROVIDER_ARN` for `https://aws.amazon.com/SAML/Attributes/Role`, the provider's ARN)."""
    logical = str(role.get("logical_id", ""))
    keys = [
        k
        for k, o in st.declared.items()
        if k.endswith("IdpRoleAttribute") and isinstance(o, dict) and logical in json.dumps(o.get("Value"))
    ]
    for key in keys:
        if key in st.outputs and "," in st.outputs[key]:
            return st.outputs[key], st.outputs[key].split(",", 1)[1]
    attribute = role.get("saml_role_attribute")
    provider = attribute.split(",", 1)[1] if isinstance(attribute, str) and "," in attribute else None
    if provider is None:
        provider = next((str(d.get("provider")) for d in role.get("doors") or [] if d.get("kind") == "saml"), "")
    if not provider or NAME_SET_AT_DEPLOY in provider or "<" in provider:
        provider = st.later("SAML provider ARN", fillable=bool(keys), hint="see the IAM console: Identity providers")
    else:
        provider = st.with_account(provider)
    return f"{role_arn},{provider}", provider


# --- per kind -----------------------------------------------------------------------------------


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value)


def _kind(role: Mapping[str, Any]) -> str:
    intent = role.get("intent") or {}
    declared = intent.get("declared") or {}
    issuer = str(declared.get("issuer") or "")
    doors = role.get("doors") or []
    if intent.get("kind") == "oidc" or (not intent and any(d.get("kind") == "oidc" for d in doors)):
        issuer = issuer or next((str(d.get("issuer")) for d in doors if d.get("kind") == "oidc"), "")
        if issuer == "GitHub Actions" and intent:
            return "github"
        if issuer.startswith("GitLab CI") and intent:
            return "gitlab"
        if issuer == "HCP Terraform" and intent:
            return "hcp_terraform"
        if issuer == "EKS service accounts" and intent:
            return "eks"
        return "oidc"
    kinds = {str(d.get("kind")) for d in doors}
    if intent.get("kind") == "saml" or "saml" in kinds:
        return "saml"
    if intent.get("kind") == "cognito" or "cognito" in kinds:
        return "cognito"
    if "aws" in kinds:
        return "broker"
    return "other"


def _subjects(role: Mapping[str, Any]) -> list[str]:
    intent = role.get("intent") or {}
    return [
        str(v)
        for c in intent.get("claims") or []
        if str(c.get("key", "")).endswith(":sub")
        for v in c.get("values") or []
    ]


def _oidc_host(role: Mapping[str, Any]) -> str:
    provider = next((str(d.get("provider")) for d in role.get("doors") or [] if d.get("kind") == "oidc"), "")
    return provider.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in provider else provider


def _github(role: Mapping[str, Any], arn: str, st: _Stack) -> tuple[dict[str, Any], list[str]]:
    declared = (role.get("intent") or {}).get("declared") or {}
    branches = [str(b) for b in declared.get("branches") or []]
    tags = [str(t) for t in declared.get("tags") or []]
    environments = [str(e) for e in declared.get("environments") or []]
    pull_requests = bool(declared.get("pull_requests"))
    audience = str((declared.get("audiences") or [_GITHUB_DEFAULT_AUDIENCE])[0])
    subjects = _subjects(role)
    repositories: list[dict[str, Any]] = []
    for full in [str(r) for r in declared.get("repositories") or []]:
        owner, _, name = full.partition("/")
        pattern = re.compile(rf"(repo:{re.escape(owner)}@\d+/{re.escape(name)}@\d+):")
        immutable = sorted({m.group(1) for s in subjects if (m := pattern.match(s))})
        named = any(s.startswith(f"repo:{full}:") for s in subjects)
        form = "both" if immutable and named else "immutable" if immutable else "name"
        repositories.append({"repository": full, "subject_format": form, "sub_claim_prefix": immutable or None})
    notes: list[str] = []
    for repo in repositories:
        if repo["sub_claim_prefix"]:
            notes.append(
                f"`{repo['repository']}` must report sub_claim_prefix {', '.join(f'`{p}`' for p in repo['sub_claim_prefix'])}"
                f" (`GET /repos/{repo['repository']}/actions/oidc/customization/sub`; opt in with "
                f"`PUT` and `use_immutable_subject` where the repository predates immutable subjects)"
                + ("; the name form is admitted too, for the migration" if repo["subject_format"] == "both" else "")
            )
    host = _oidc_host(role)
    if host.startswith("token.actions.githubusercontent.com/"):
        notes.append(
            f"the enterprise must issue tokens from its own issuer `https://{host}` (enterprise setting "
            f"`include_enterprise_slug`)"
        )
    workflow_refs = [str(w) for w in declared.get("job_workflow_refs") or []]
    if workflow_refs:
        notes.append(
            "the job must run one of the reusable workflows "
            + ", ".join(f"`{w}`" for w in workflow_refs)
            + " (`jobs.<id>.uses:`); the configure step goes inside it"
        )
    seconds = role.get("max_session_seconds")
    if isinstance(seconds, int) and seconds > 3600:
        notes.append(f"the action asks for 1 h by default; `role-duration-seconds` may ask for up to {seconds}")

    lines = [f"# .github/workflows/aws.yml in {', '.join(r['repository'] for r in repositories) or 'the repository'}"]
    lines.append("on:")
    if branches or tags:
        lines.append("  push:")
        if branches:
            lines.append(f"    branches: [{', '.join(_q(b) for b in branches)}]")
        if tags:
            lines.append(f"    tags: [{', '.join(_q(t) for t in tags)}]")
    if pull_requests:
        lines.append("  pull_request: {}")
    if not (branches or tags or pull_requests):
        lines.append("  workflow_dispatch: {}  # any trigger: the environment's deployment branches decide")
    lines += [
        "permissions:",
        "  id-token: write  # lets the job request GitHub's OIDC token",
        "  contents: read",
        "jobs:",
    ]
    jobs: list[tuple[str, str | None]] = []
    if branches or tags or pull_requests:
        jobs.append(("aws", None))
    for environment in environments:
        jobs.append((f"deploy-{re.sub(r'[^A-Za-z0-9_-]', '-', environment)}", environment))
    for job, job_environment in jobs:
        lines += [f"  {job}:", "    runs-on: ubuntu-latest"]
        if job_environment is not None:
            lines.append(f"    environment: {_q(job_environment)}")
        lines += [
            "    steps:",
            "      - name: Configure AWS credentials",
            f"        uses: {_ACTION}",
            "        with:",
            f"          role-to-assume: {_q(arn)}",
            f"          aws-region: {_q(st.region)}",
        ]
        if audience != _GITHUB_DEFAULT_AUDIENCE:
            lines.append(f"          audience: {_q(audience)}")
        lines.append("      - run: aws sts get-caller-identity")
    setup = {
        "action": _ACTION,
        "aws_region": st.region,
        "audience": audience,
        "repositories": repositories,
        "branches": branches,
        "tags": tags,
        "environments": environments,
        "pull_requests": pull_requests,
        "environment_branches": branches or ["main"],
        "workflow": "\n".join(lines) + "\n",
    }
    return setup, notes


def _gitlab_rule(ref_type: str, ref: str) -> str:
    variable = "$CI_COMMIT_BRANCH" if ref_type == "branch" else "$CI_COMMIT_TAG"
    if "*" in ref or "?" in ref:
        pattern = re.escape(ref).replace(r"\*", ".*").replace(r"\?", ".").replace("/", r"\/")
        return f"{variable} =~ /^{pattern}$/"
    return f'{variable} == "{ref}"'


def _gitlab(role: Mapping[str, Any], arn: str, st: _Stack) -> tuple[dict[str, Any], list[str]]:
    declared = (role.get("intent") or {}).get("declared") or {}
    host = _oidc_host(role) or "gitlab.com"
    audience = str((declared.get("audiences") or [f"https://{host}"])[0])
    ref_type = str(declared.get("ref_type") or "branch")
    refs = [str(r) for r in declared.get("refs") or []]
    projects = [str(p) for p in declared.get("projects") or []]
    seconds = role.get("max_session_seconds")
    duration = seconds if isinstance(seconds, int) else 3600
    lines = [
        f"# .gitlab-ci.yml in {', '.join(projects) or 'the project'}",
        "assume-aws-role:",
        "  id_tokens:",
        "    AWS_ID_TOKEN:",
        f"      aud: {_q(audience)}",
        "  variables:",
        f"    ROLE_ARN: {_q(arn)}",
        f"    AWS_DEFAULT_REGION: {_q(st.region)}",
        "  rules:",
        *[f"    - if: {_q(_gitlab_rule(ref_type, ref))}" for ref in refs],
        "  script:",
        "    - >",
        '      export $(printf "AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"',
        "      $(aws sts assume-role-with-web-identity",
        '      --role-arn "${ROLE_ARN}"',
        '      --role-session-name "GitLabRunner-${CI_PROJECT_ID}-${CI_PIPELINE_ID}"',
        '      --web-identity-token "${AWS_ID_TOKEN}"',
        f"      --duration-seconds {duration}",
        "      --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]'",
        "      --output text))",
        "    - aws sts get-caller-identity",
    ]
    notes = [
        "or let an AWS SDK exchange the token itself: write `$AWS_ID_TOKEN` to a file and set "
        "`AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE` (the path of that file)",
    ]
    setup = {
        "aws_region": st.region,
        "aud": audience,
        "projects": projects,
        "ref_type": ref_type,
        "refs": refs,
        "sdk_environment": {"AWS_ROLE_ARN": arn, "AWS_WEB_IDENTITY_TOKEN_FILE": "<file holding $AWS_ID_TOKEN>"},
        "ci_job": "\n".join(lines) + "\n",
    }
    return setup, notes


def _hcp_terraform(role: Mapping[str, Any], arn: str, st: _Stack) -> tuple[dict[str, Any], list[str]]:
    declared = (role.get("intent") or {}).get("declared") or {}
    phases = sorted({str(p) for p in declared.get("run_phases") or ["plan", "apply"]})
    audience = str((declared.get("audiences") or [_TFC_DEFAULT_AUDIENCE])[0])
    role_variable = {
        ("apply", "plan"): "TFC_AWS_RUN_ROLE_ARN",
        ("plan",): "TFC_AWS_PLAN_ROLE_ARN",
        ("apply",): "TFC_AWS_APPLY_ROLE_ARN",
    }.get(tuple(phases), "TFC_AWS_RUN_ROLE_ARN")
    variables = [
        {"key": "TFC_AWS_PROVIDER_AUTH", "value": "true", "category": "env"},
        {"key": role_variable, "value": arn, "category": "env"},
    ]
    if audience != _TFC_DEFAULT_AUDIENCE:
        variables.append({"key": "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE", "value": audience, "category": "env"})
    workspaces = [
        f"{declared.get('organization')} / {project} / {workspace}"
        for project in declared.get("projects") or []
        for workspace in declared.get("workspaces") or []
    ]
    notes = [f'the AWS provider\'s region is Terraform\'s own setting: `provider "aws" {{ region = "{st.region}" }}`']
    if len(phases) == 1:
        other = "TFC_AWS_APPLY_ROLE_ARN" if phases == ["plan"] else "TFC_AWS_PLAN_ROLE_ARN"
        notes.append(
            f"this role admits the {phases[0]} phase only: the other phase needs its own role ({other}, or "
            f"TFC_AWS_RUN_ROLE_ARN for both); which variable wins when both are set is not verified here"
        )
    return {"variables": variables, "workspaces": workspaces, "aws_region": st.region, "audience": audience}, notes


def _eks(role: Mapping[str, Any], arn: str, st: _Stack) -> tuple[dict[str, Any], list[str]]:
    declared = (role.get("intent") or {}).get("declared") or {}
    namespace = str(declared.get("namespace") or "")
    accounts = [str(a) for a in declared.get("service_accounts") or []]
    documents = []
    for account in accounts:
        documents.append(
            "\n".join(
                [
                    "apiVersion: v1",
                    "kind: ServiceAccount",
                    "metadata:",
                    f"  name: {_q(account)}",
                    f"  namespace: {_q(namespace)}",
                    "  annotations:",
                    f"    eks.amazonaws.com/role-arn: {_q(arn)}",
                ]
            )
        )
    notes = [
        f"names with `*` or `?` are patterns: annotate every matching service account ({account})"
        for account in accounts
        if "*" in account or "?" in account
    ]
    service_accounts = [
        {"namespace": namespace, "name": account, "annotations": {"eks.amazonaws.com/role-arn": arn}}
        for account in accounts
    ]
    return {
        "cluster_issuer": f"https://{_oidc_host(role)}",
        "service_accounts": service_accounts,
        "manifests": "\n---\n".join(documents) + "\n",
    }, notes


def _oidc(role: Mapping[str, Any], arn: str, st: _Stack) -> tuple[dict[str, Any], list[str]]:
    declared = (role.get("intent") or {}).get("declared") or {}
    audiences = [str(a) for d in role.get("doors") or [] for a in d.get("audiences") or []] or [
        str(a) for a in declared.get("audiences") or []
    ]
    command = (
        f'aws sts assume-role-with-web-identity --role-arn "{arn}" --role-session-name "<session name>" '
        f'--web-identity-token "$TOKEN"'
    )
    return {
        "issuer": f"https://{_oidc_host(role)}",
        "audiences": audiences,
        "subjects": _subjects(role),
        "aws_region": st.region,
        "cli": command,
    }, [f"request the token with audience {', '.join(f'`{a}`' for a in audiences) or '(none declared)'}"]


def _principal_tags(role: Mapping[str, Any]) -> list[str]:
    text = json.dumps(role.get("permissions") or {})
    return sorted(set(_PRINCIPAL_TAG.findall(text)))


def _saml(role: Mapping[str, Any], arn: str, st: _Stack) -> tuple[dict[str, Any], list[str]]:
    declared = (role.get("intent") or {}).get("declared") or {}
    name = str(role.get("name", ""))
    attribute, provider_arn = _saml_role_attribute(role, st, arn)
    seconds = role.get("max_session_seconds")
    duration = str(seconds) if isinstance(seconds, int) else "3600"
    sign_in = [str(s) for s in declared.get("sign_in") or []] or [
        v.split("`")[1] for d in role.get("doors") or [] for v in d.get("conditions") or [] if "saml:aud" in v
    ]
    conditions: Mapping[str, Any] = declared.get("attributes") or {}
    persistent = "persistent" in [str(v) for v in conditions.get("saml:sub_type") or []]
    tags = _principal_tags(role)
    session_tags = bool(role.get("session_tags"))
    attributes = [
        {"name": f"{_SAML_ATTRIBUTES}Role", "value": attribute, "note": "exactly this pair for this role"},
        {
            "name": f"{_SAML_ATTRIBUTES}RoleSessionName",
            "value": "the user's email or account name",
            "note": "2 to 64 characters: letters, digits and + = , . @ - _",
        },
        {
            "name": f"{_SAML_ATTRIBUTES}SessionDuration",
            "value": duration,
            "note": f"seconds, 900 up to the role's max session ({duration})",
        },
    ]
    if session_tags:
        for tag in tags or ["KEY"]:
            attributes.append(
                {
                    "name": f"{_SAML_ATTRIBUTES}PrincipalTag:{tag}",
                    "value": f"the user's {tag}",
                    "note": "a session tag the role's policies read" if tags else "one per tag your policies read",
                }
            )
    for key, values in conditions.items():
        if key.lower() in ("saml:sub_type", "saml:aud"):
            continue
        attributes.append(
            {
                "name": f"the attribute AWS maps to `{key}`",
                "value": " or ".join(str(v) for v in values),
                "note": "the trust requires it (AWS's mapping table: the SAML source)",
            }
        )
    group = f"<AD group for {name}>"
    role_rule = (
        f'c:[Type == "http://temp/variable", Value == "{group}"]\n'
        f' => issue(Type = "{_SAML_ATTRIBUTES}Role", Value = "{attribute}");'
    )
    adfs: dict[str, Any] = {
        "relying_party": "relying party trust from https://signin.aws.amazon.com/static/saml-metadata.xml "
        "(not verified: the address of AWS's metadata document)",
        "rules": [
            {
                "name": "NameId",
                "template": "Transform an Incoming Claim",
                "settings": "incoming claim type Windows account name; outgoing claim type Name ID; "
                "outgoing name ID format Persistent Identifier; pass through all claim values",
            },
            {
                "name": "RoleSessionName",
                "template": "Send LDAP Attributes as Claims",
                "settings": f"attribute store Active Directory; LDAP attribute E-Mail-Addresses (or "
                f"SAM-Account-Name); outgoing claim type {_SAML_ATTRIBUTES}RoleSessionName",
            },
            {
                "name": "Get AD Groups",
                "template": "Send Claims Using a Custom Rule",
                "rule": 'c:[Type == "http://schemas.microsoft.com/ws/2008/06/identity/claims/windowsaccountname", '
                'Issuer == "AD AUTHORITY"]\n => add(store = "Active Directory", types = ("http://temp/variable"), '
                'query = ";tokenGroups;{0}", param = c.Value);',
                "note": "as in the AWS blog (not verified verbatim here)",
            },
            {"name": f"Role {name}", "template": "Send Claims Using a Custom Rule", "rule": role_rule},
            {
                "name": "SessionDuration",
                "template": "Send Claims Using a Custom Rule",
                "rule": f'=> issue(Type = "{_SAML_ATTRIBUTES}SessionDuration", Value = "{duration}");',
                "note": "one value for every role of the relying party: at most the shortest max session of them",
            },
        ],
    }
    if session_tags:
        adfs["rules"].append(
            {
                "name": "PrincipalTag",
                "template": "Send LDAP Attributes as Claims",
                "settings": f"outgoing claim type {_SAML_ATTRIBUTES}PrincipalTag:<KEY> per tag (not verified for AD FS)",
            }
        )
    okta = {
        "app": "AWS Account Federation",
        "sign_on": {
            "Identity Provider ARN": provider_arn,
            "Session Duration": duration,
            "Join all roles": "optional: on gives a user every role of their user and group assignments",
            "Use Group Mapping": "optional: for several AWS accounts (group filter and role value pattern: "
            "not verified on Okta's help page)",
        },
        "assignment": f"assign the user or group and choose the IAM role `{role.get('role_name') or name}` among "
        f"its SAML User Roles (Okta reads the account's roles through the app's Provisioning, API integration)",
        "not_verified": "RoleSessionName and PrincipalTag attributes of this app",
    }
    entra = {
        "app": "AWS Single-Account Access gallery app (not AWS IAM Identity Center)",
        "basic_saml": {
            "Identifier (Entity ID)": "https://signin.aws.amazon.com/saml#1 (a different #N per AWS account)",
            "Reply URL": sign_in[0] if sign_in else "https://signin.aws.amazon.com/saml",
        },
        "claims": [
            {"name": "Role", "namespace": _SAML_ATTRIBUTES.rstrip("/"), "source": "user.assignedroles"},
            {
                "name": "RoleSessionName",
                "namespace": _SAML_ATTRIBUTES.rstrip("/"),
                "source": "user.userprincipalname (not verified)",
            },
            {"name": "SessionDuration", "namespace": _SAML_ATTRIBUTES.rstrip("/"), "source": duration},
        ],
        "app_role_value": attribute,
        "assignment": "assign the users or groups who get this role to the app role whose value is the Role "
        "attribute above (how the app role is created: see the tutorial; not verified here)",
    }
    setup = {
        "provider_arn": provider_arn,
        "session_duration": duration,
        "sign_in": sign_in,
        "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" if persistent else None,
        "role_attribute": attribute,
        "attributes": attributes,
        "adfs": adfs,
        "okta": okta,
        "entra": entra,
    }
    notes = (
        [f"the IdP posts the assertion to {', '.join(f'`{s}`' for s in sign_in)} (its Recipient)"] if sign_in else []
    )
    if persistent:
        notes.append("the trust requires a persistent NameID (`saml:sub_type` = `persistent`)")
    return setup, notes


def _role_entry(role: Mapping[str, Any], st: _Stack) -> dict[str, Any]:
    kind = _kind(role)
    arn = _role_arn(role, st)
    builders = {
        "github": _github,
        "gitlab": _gitlab,
        "hcp_terraform": _hcp_terraform,
        "eks": _eks,
        "oidc": _oidc,
        "saml": _saml,
    }
    setup: dict[str, Any] = {}
    notes: list[str] = []
    if kind in builders:
        setup, notes = builders[kind](role, arn, st)
    elif kind == "cognito":
        notes = ["configured through its identity pool: see the pool's client configuration"]
    elif kind == "broker":
        notes = ["assumed by the federation broker's runtime with `sts:AssumeRole`, not by an outside IdP"]
    else:
        notes = ["no setup recipe for this kind of trust"]
    caveats = role.get("relies_on")
    if not isinstance(caveats, list):
        caveats = relies_on(role.get("intent"), role.get("doors") or [])
    return {
        "name": role.get("name"),
        "logical_id": role.get("logical_id"),
        "kind": kind,
        "role_arn": arn,
        "max_session_seconds": role.get("max_session_seconds"),
        "admits": [str(w) for d in role.get("doors") or [] for w in d.get("who") or []],
        "relies_on": [str(c) for c in caveats],
        "notes": notes,
        "setup": setup,
    }


# --- identity pools: an Amplify Gen 2 client configuration --------------------------------------


def _prefix_values(condition: str) -> list[str] | None:
    """The values of a positive `s3:prefix` condition as the report writes it, else None."""
    match = re.match(
        r"^(StringLike|StringEquals|ForAnyValue:StringLike|ForAnyValue:StringEquals) s3:prefix = (.*)$", condition
    )
    return re.findall(r"`([^`]*)`", match.group(2)) if match else None


def _storage(
    pool_roles: Mapping[str, Mapping[str, Any]], st: _Stack, partition_prefix: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """Amplify `buckets[]` from the pool roles' statements: paths per prefix, access per level."""
    labels = {bucket_label(logical, st.resources[logical]): logical for logical in st.of_type("AWS::S3::Bucket")}
    paths: dict[str, dict[str, dict[str, set[str]]]] = {}  # bucket label -> path -> level -> words
    lists: dict[str, dict[str, list[str]]] = {}  # bucket label -> level -> listed prefixes
    not_derived: list[str] = []
    for level, role in pool_roles.items():
        for statement in (role.get("permissions") or {}).get("statements") or []:
            if statement.get("effect") != "Allow":
                continue
            actions = [str(a).lower() for a in statement.get("actions") or []]
            words = {_S3_WORDS[a] for a in actions if a in _S3_WORDS}
            unknown = [a for a in actions if a not in _S3_WORDS and a not in _S3_QUIET]
            for resource in statement.get("resources") or []:
                resource = str(resource)
                where = f"{role.get('name')}: {', '.join(statement.get('actions') or [])} on `{resource}`"
                if not resource.startswith(partition_prefix) or unknown:
                    not_derived.append(f"{where} (not an S3 object or listing permission Amplify can express)")
                    continue
                rest = resource[len(partition_prefix) :]
                label = next(
                    (
                        b
                        for b in sorted(labels, key=len, reverse=True)
                        if rest.split("/")[0] == b or rest == b or rest.startswith(b + "/")
                    ),
                    rest.split("/", 1)[0],
                )
                key = rest[len(label) + 1 :]
                if label not in labels:
                    not_derived.append(f"{where} (a bucket outside this stack: add it to buckets[] yourself)")
                    continue
                if not key:  # the bucket itself: listing, by prefix
                    prefix_lists = [v for c in statement.get("conditions") or [] if (v := _prefix_values(str(c)))]
                    others = [c for c in statement.get("conditions") or [] if _prefix_values(str(c)) is None]
                    if "list" not in words or others or not prefix_lists:
                        not_derived.append(
                            f"{where} (a listing Amplify cannot express: {'; '.join(others) or 'no s3:prefix'})"
                        )
                        continue
                    lists.setdefault(label, {}).setdefault(level, []).extend(v for p in prefix_lists for v in p)
                    continue
                if statement.get("conditions"):
                    not_derived.append(f"{where} (granted only when {'; '.join(statement['conditions'])})")
                    continue
                paths.setdefault(label, {}).setdefault(key, {}).setdefault(level, set()).update(words - {"list"})
    for label, by_level in lists.items():
        for level, prefixes in by_level.items():
            for prefix in prefixes:
                if prefix == "":
                    not_derived.append(f"{level}: listing the bucket root (with a delimiter: console browsing)")
                    continue
                path = prefix if prefix.endswith("/*") else prefix + "*" if prefix.endswith("/") else None
                if path is None:
                    not_derived.append(f"{level}: listing prefix `{prefix}` (not a folder)")
                    continue
                covered = False
                for known, levels in paths.get(label, {}).items():
                    if level in levels and (known == path or known.startswith(path[:-1])):
                        levels[level].add("list")
                        covered = covered or known == path
                if not covered:
                    paths.setdefault(label, {}).setdefault(path, {}).setdefault(level, set()).add("list")
    buckets = []
    for label, by_path in sorted(paths.items()):
        logical = labels[label]
        literal = st.properties(logical).get("BucketName")
        name = literal if isinstance(literal, str) else st.resolved(logical, "bucket name")
        amplify_paths: dict[str, dict[str, list[str]]] = {}
        for path, path_levels in sorted(by_path.items()):
            if not path.endswith("/*"):
                not_derived.append(f"`{path}`: Amplify paths end with `/*`")
                continue
            variables = set(re.findall(r"\$\{[^}]+\}", path))
            rule: dict[str, list[str]] = {}
            for level, granted in sorted(path_levels.items()):
                key = level
                if variables:
                    if variables != {_COGNITO_SUB} or level != "authenticated":
                        not_derived.append(
                            f"`{path}` for {level}: a per-user path Amplify expresses for signed-in "
                            f"identities keyed by `{_COGNITO_SUB}` only"
                        )
                        continue
                    key = "entityidentity"
                rule[key] = [w for w in _AMPLIFY_WORDS if w in granted]
            if rule:
                amplify_paths[path] = rule
        friendly = label[len("{bucket ") : -1].removesuffix("/Bucket") if label.startswith("{bucket ") else label
        buckets.append({"name": friendly, "bucket_name": name, "aws_region": st.region, "paths": amplify_paths})
    return buckets, not_derived


def _user_pool(st: _Stack, provider: Mapping[str, Any], auth: dict[str, Any], not_derived: list[str]) -> None:
    """`user_pool_id`, `user_pool_client_id` and what the template says of the user pool."""
    provider_name, client = provider.get("ProviderName"), provider.get("ClientId")
    pool_logical = _ref(provider_name)
    if isinstance(provider_name, str):
        auth["user_pool_id"] = provider_name.rsplit("/", 1)[-1]
    elif pool_logical:
        auth["user_pool_id"] = st.resolved(pool_logical, "user pool id")
    else:
        auth["user_pool_id"] = st.later("user pool id", fillable=False, hint="not derivable from the template")
    client_logical = _ref(client)
    if isinstance(client, str):
        auth["user_pool_client_id"] = client
    elif client_logical:
        auth["user_pool_client_id"] = st.resolved(client_logical, "app client id")
    else:
        auth["user_pool_client_id"] = st.later("app client id", fillable=False, hint="not derivable from the template")
    if not pool_logical or pool_logical not in st.resources:
        not_derived.append("the user pool's settings (it is not in this template)")
        return
    props = st.properties(pool_logical)
    mfa = {"ON": "REQUIRED", "OPTIONAL": "OPTIONAL", "OFF": "NONE"}.get(str(props.get("MfaConfiguration", "OFF")))
    if mfa:
        auth["mfa_configuration"] = mfa
    methods = {"SOFTWARE_TOKEN_MFA": "TOTP", "SMS_MFA": "SMS", "EMAIL_OTP": "EMAIL"}
    enabled = [methods[m] for m in props.get("EnabledMfas") or [] if m in methods]
    if enabled:
        auth["mfa_methods"] = enabled
    policy = (props.get("Policies") or {}).get("PasswordPolicy") or {}
    if isinstance(policy.get("MinimumLength"), int):
        auth["password_policy"] = {
            "min_length": policy["MinimumLength"],
            "require_numbers": bool(policy.get("RequireNumbers")),
            "require_lowercase": bool(policy.get("RequireLowercase")),
            "require_uppercase": bool(policy.get("RequireUppercase")),
            "require_symbols": bool(policy.get("RequireSymbols")),
        }
    verified = [v for v in props.get("AutoVerifiedAttributes") or [] if v in ("email", "phone_number")]
    if verified:
        auth["user_verification_types"] = verified
    usernames = [v for v in props.get("UsernameAttributes") or [] if v in ("email", "phone_number")]
    if usernames:
        auth["username_attributes"] = usernames


def _identity_pools(st: _Stack, roles: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    by_logical = {str(r.get("logical_id")): r for r in roles}
    partition = next(
        (m.group(1) for r in roles if (m := re.match(r"arn:([^:]+):", str(r.get("role_arn") or "")))), "aws"
    )
    pools = []
    for logical in st.of_type("AWS::Cognito::IdentityPool"):
        props = st.properties(logical)
        not_derived: list[str] = []
        pool_roles: dict[str, Mapping[str, Any]] = {}
        for attachment in st.of_type("AWS::Cognito::IdentityPoolRoleAttachment"):
            attached = st.properties(attachment)
            if _ref(attached.get("IdentityPoolId")) != logical:
                continue
            for level, key in (("authenticated", "authenticated"), ("guest", "unauthenticated")):
                role_logical = _ref((attached.get("Roles") or {}).get(key))
                if role_logical in by_logical:
                    pool_roles[level] = by_logical[role_logical]
            if attached.get("RoleMappings"):
                not_derived.append("role mappings: the paths below come from the pool's default roles only")
        if not pool_roles:  # no attachment read: the roles whose trust names this pool
            for role in roles:
                claims = (role.get("intent") or {}).get("claims") or []
                if any(f"<{logical}>" in [str(v) for v in c.get("values") or []] for c in claims):
                    amr = ((role.get("intent") or {}).get("declared") or {}).get("amr")
                    pool_roles["guest" if amr == "unauthenticated" else "authenticated"] = role
        auth: dict[str, Any] = {"aws_region": st.region}
        providers = [p for p in props.get("CognitoIdentityProviders") or [] if isinstance(p, dict)]
        if providers:
            _user_pool(st, providers[0], auth, not_derived)
        else:
            text = "this identity pool has no Cognito user pool; Amplify's auth section expects one"
            auth["user_pool_id"] = st.later("user pool id", fillable=False, hint=text)
            auth["user_pool_client_id"] = st.later("app client id", fillable=False, hint=text)
        auth["identity_pool_id"] = st.resolved(logical, "identity pool id")
        allow_guests = props.get("AllowUnauthenticatedIdentities")
        auth["unauthenticated_identities_enabled"] = allow_guests is True
        if (
            props.get("SupportedLoginProviders")
            or props.get("OpenIdConnectProviderARNs")
            or props.get("SamlProviderARNs")
        ):
            not_derived.append("sign-in through the pool's other identity providers (Google, OIDC, SAML): auth.oauth")
        outputs: dict[str, Any] = {"version": _AMPLIFY_VERSION, "auth": auth}
        buckets, missed = _storage(pool_roles, st, f"arn:{partition}:s3:::")
        not_derived += missed
        if buckets:
            outputs["storage"] = {"aws_region": st.region, "bucket_name": buckets[0]["bucket_name"], "buckets": buckets}
        path = str(((st.resources.get(logical) or {}).get("Metadata") or {}).get("aws:cdk:path", logical))
        parts = path.split("/")
        name = parts[-2] if len(parts) > 2 else logical
        pools.append(
            {
                "logical_id": logical,
                "name": name,
                "roles": {level: str(role.get("name")) for level, role in sorted(pool_roles.items())},
                "amplify_outputs": outputs,
                "not_derived": not_derived,
            }
        )
    return pools


# --- the sheet ----------------------------------------------------------------------------------


def _reports(access_reports: Any) -> list[Mapping[str, Any]]:
    stacks = access_reports.get("stacks") if isinstance(access_reports, Mapping) else access_reports
    if not isinstance(stacks, list) or not all(isinstance(s, Mapping) for s in stacks):
        raise SetupError("access report: expected {'stacks': [...]} or a list of stack reports")
    return list(stacks)


def build_setup_sheet(
    access_reports: Any,
    templates: Mapping[str, Mapping[str, Any]],
    *,
    regions: Mapping[str, str | None],
    outputs: Mapping[str, Mapping[str, str]] | None = None,
    stack_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The setup sheet as data (the `setup.json` shape in this module's docstring, version 1).

    :param access_reports: the access report (`{"stacks": [...]}`) or its list of stack reports.
    :param templates: stack (as the report names it) -> its template.
    :param regions: stack -> its region (None where it is left to deploy).
    :param outputs: a `cdk deploy --outputs-file` document: CloudFormation stack name -> output key -> value.
    :param stack_names: stack (as the report names it) -> its CloudFormation stack name, where they differ.
    """
    reports = _reports(access_reports)
    deployed = outputs or {}
    stacks, placeholders = [], []
    for report in reports:
        display = str(report.get("stack", ""))
        cfn_name = (stack_names or {}).get(display) or display
        values = deployed.get(cfn_name) or deployed.get(display) or deployed.get(display.rsplit("/", 1)[-1]) or {}
        st = _Stack(report, templates.get(display) or {}, regions.get(display), values, cfn_name)
        roles = [r for r in report.get("roles") or [] if isinstance(r, Mapping)]
        entries = [_role_entry(role, st) for role in roles]
        pools = _identity_pools(st, roles)
        stacks.append(
            {
                "stack": display,
                "stack_name": cfn_name,
                "account": report.get("account"),
                "region": st.region,
                "roles": entries,
                "identity_pools": pools,
            }
        )
        placeholders += [p for p in st.placeholders if p not in placeholders]
    return {
        "version": 1,
        "outputs_applied": outputs is not None,
        "placeholders": placeholders,
        "sources": dict(SOURCES),
        "stacks": stacks,
    }


def _fence(lang: str, text: str) -> list[str]:
    return [f"```{lang}", text.rstrip("\n"), "```", ""]


def _markdown_role(role: Mapping[str, Any]) -> list[str]:
    kind_words = {
        "github": "GitHub Actions",
        "gitlab": "GitLab CI",
        "hcp_terraform": "HCP Terraform",
        "eks": "EKS service accounts",
        "oidc": "OIDC",
        "saml": "SAML",
        "cognito": "Cognito identity pool",
        "broker": "federation broker",
        "other": "other",
    }
    lines = [f"### {role['name']} ({kind_words.get(str(role['kind']), role['kind'])})", ""]
    lines.append(f"- role ARN: `{role['role_arn']}`")
    for who in role["admits"]:
        lines.append(f"- admits: {who}")
    for caveat in role["relies_on"]:
        lines.append(f"- **relies on**: {caveat}")
    for note in role["notes"]:
        lines.append(f"- {note}")
    lines.append("")
    setup = role["setup"]
    kind = role["kind"]
    if kind == "github":
        lines.append(
            f"Workflow fragment (`{setup['action']}`, region `{setup['aws_region']}`, audience `{setup['audience']}`):"
        )
        lines.append("")
        lines += _fence("yaml", setup["workflow"])
    elif kind == "gitlab":
        lines.append(f"CI job (`id_tokens` audience `{setup['aud']}`, region `{setup['aws_region']}`):")
        lines.append("")
        lines += _fence("yaml", setup["ci_job"])
    elif kind == "hcp_terraform":
        lines.append(
            "Workspace variables (category: environment variable), on "
            + (", ".join(f"`{w}`" for w in setup["workspaces"]) or "each workspace")
            + ":"
        )
        lines.append("")
        lines += ["| key | value |", "|---|---|"]
        lines += [f"| `{v['key']}` | `{v['value']}` |" for v in setup["variables"]]
        lines.append("")
    elif kind == "eks":
        lines.append("Service accounts:")
        lines.append("")
        lines += _fence("yaml", setup["manifests"])
    elif kind == "oidc":
        lines += _fence("sh", setup["cli"])
    elif kind == "saml":
        lines += ["SAML attributes the IdP sends for this role:", "", "| attribute | value | note |", "|---|---|---|"]
        lines += [f"| `{a['name']}` | `{a['value']}` | {a['note']} |" for a in setup["attributes"]]
        lines.append("")
        role_rule = next(r for r in setup["adfs"]["rules"] if r["name"].startswith("Role "))
        lines += [
            f"- **AD FS**: this role's claim rule (rule template: {role_rule['template']}; the rules every role "
            f"shares are under its SAML provider below):",
            "",
            *_fence_in_list(role_rule["rule"]),
            f"- **Okta**: {setup['okta']['assignment']}",
            f"- **Microsoft Entra ID**: app role value `{setup['entra']['app_role_value']}`; "
            f"{setup['entra']['assignment']}",
            "",
        ]
    return lines


def _fence_in_list(text: str) -> list[str]:
    """A fenced block inside a list item (indented two spaces, every line)."""
    return ["  ```", *[f"  {line}" for line in text.rstrip("\n").split("\n")], "  ```", ""]


def _markdown_saml_provider(provider: str, roles: Sequence[Mapping[str, Any]]) -> list[str]:
    """What every role of one SAML provider shares: said once, after the roles."""
    first = roles[0]["setup"]
    durations = [int(r["setup"]["session_duration"]) for r in roles]
    shortest = str(min(durations))
    names = ", ".join(f"`{r['name']}`" for r in roles)
    lines = [f"### SAML provider `{provider}`: IdP-wide settings", "", f"For its roles {names}.", ""]
    sign_in = sorted({s for r in roles for s in r["setup"]["sign_in"]})
    if sign_in:
        lines.append(f"- sign-in endpoint (ACS URL, Recipient): {', '.join(f'`{s}`' for s in sign_in)}")
    if any(r["setup"]["name_id_format"] for r in roles):
        lines.append(
            f"- NameID format: `{first['name_id_format'] or 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'}`"
        )
    lines += [f"- {first['adfs']['relying_party']}", "", "**AD FS** claim rules every role shares:", ""]
    for rule in first["adfs"]["rules"]:
        if rule["name"].startswith("Role "):
            continue
        head = f"- {rule['name']} (rule template: {rule['template']})"
        if "settings" in rule:
            lines.append(f"{head}: {rule['settings']}")
            continue
        text = rule["rule"]
        if rule["name"] == "SessionDuration":
            text = re.sub(r'Value = "\d+"', f'Value = "{shortest}"', text)
        lines.append(f"{head}{': ' + rule['note'] if rule.get('note') else ''}")
        lines += ["", *_fence_in_list(text)]
    okta, entra = first["okta"], first["entra"]
    lines += ["", f"**Okta** ({okta['app']} app, Sign On tab, Advanced Sign-On Settings):", ""]
    for key, value in okta["sign_on"].items():
        shown = shortest if key == "Session Duration" else value
        lines.append(
            f"- {key}: `{shown}`" if key in ("Identity Provider ARN", "Session Duration") else f"- {key}: {value}"
        )
    lines += [f"- not verified: {okta['not_verified']}", "", f"**Microsoft Entra ID** ({entra['app']}):", ""]
    lines += [f"- {k}: {v}" for k, v in entra["basic_saml"].items()]
    for claim in entra["claims"]:
        source = shortest if claim["name"] == "SessionDuration" else claim["source"]
        lines.append(f"- claim `{claim['name']}` (namespace `{claim['namespace']}`): {source}")
    lines += [
        "",
        f"SessionDuration: one value for all these roles, at most the shortest max session ({shortest} s).",
        "",
    ]
    return lines


def to_markdown(sheet: Mapping[str, Any]) -> str:
    """The setup sheet (`build_setup_sheet`) as Markdown: per stack, per role, the other half."""
    lines = [
        "# Setup sheet",
        "",
        "What to configure on the other side of each federated role: the CI workflow, the IdP, the app. "
        "Written with the access report; values known only after deploy read `<...: run make outputs after "
        "cdk deploy>` until `make outputs OUTPUTS=<cdk deploy --outputs-file JSON>` fills them in.",
        "",
    ]
    left = sheet.get("placeholders") or []
    applied = "deploy outputs applied" if sheet.get("outputs_applied") else "no deploy outputs applied yet"
    lines += [f"Status: {applied}; {len(left)} value{'s' * (len(left) != 1)} still to fill.", ""]
    for stack in sheet.get("stacks") or []:
        lines += [f"## Stack `{stack['stack']}` (account {stack['account']}, region {stack['region']})", ""]
        if not stack["roles"] and not stack["identity_pools"]:
            lines += ["No federated roles.", ""]
        for role in stack["roles"]:
            if role["kind"] != "cognito":
                lines += _markdown_role(role)
        providers: dict[str, list[Mapping[str, Any]]] = {}
        for role in stack["roles"]:
            if role["kind"] == "saml":
                providers.setdefault(str(role["setup"]["provider_arn"]), []).append(role)
        for provider, saml_roles in providers.items():
            lines += _markdown_saml_provider(provider, saml_roles)
        for pool in stack["identity_pools"]:
            roles = ", ".join(f"{level}: {name}" for level, name in pool["roles"].items()) or "none found"
            lines += [f"### Identity pool {pool['name']} (app client configuration)", ""]
            lines += [f"- roles: {roles}"]
            for role in stack["roles"]:
                if role["kind"] == "cognito" and role["name"] in pool["roles"].values():
                    lines.append(f"- `{role['name']}`: `{role['role_arn']}`")
                    lines += [f"  - **relies on**: {c}" for c in role["relies_on"]]
            lines += ["", "`amplify_outputs.json` (Amplify Gen 2 client configuration):", ""]
            lines += _fence("json", json.dumps(pool["amplify_outputs"], indent=2))
            if pool["not_derived"]:
                lines += ["Not derived (add by hand if the app needs it):", ""]
                lines += [f"- {n}" for n in pool["not_derived"]]
                lines.append("")
    if left:
        lines += ["## Still to fill", ""] + [f"- `{p}`" for p in left] + [""]
    lines += ["## Sources", "", "Each recipe was checked in its owner's documentation:", ""]
    lines += [f"- {topic}: {url}" for topic, url in (sheet.get("sources") or {}).items()]
    return "\n".join(lines).rstrip() + "\n"


# --- files and the command line --------------------------------------------------------------------


def write_setup_sheet(
    directory: str | Path,
    reports: Any,
    stacks: Sequence[StackArtifact],
    *,
    outputs: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[Path, Path]:
    """Write `setup.json` and `setup.md` into `directory` for the stacks of an assembly (the access
    report's stack reports and the assembly's stacks). Returns the two paths."""
    json_path, md_path, _ = _write(directory, reports, stacks, outputs)
    return json_path, md_path


def _write(
    directory: str | Path,
    reports: Any,
    stacks: Sequence[StackArtifact],
    outputs: Mapping[str, Mapping[str, str]] | None,
) -> tuple[Path, Path, dict[str, Any]]:
    """`write_setup_sheet`, also returning the sheet it wrote."""
    sheet = build_setup_sheet(
        reports,
        {s.display_name: s.template for s in stacks},
        regions={s.display_name: s.region for s in stacks},
        outputs=outputs,
        stack_names={s.display_name: s.stack_name for s in stacks},
    )
    outdir = Path(directory)
    json_path, md_path = outdir / SETUP_JSON, outdir / SETUP_MD
    json_path.write_text(json.dumps(sheet, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(to_markdown(sheet), encoding="utf-8")
    return json_path, md_path, sheet


def _read_json(path: Path, limit: int, what: str) -> Any:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SetupError(f"{path}: not found; expected {what}") from None
    except OSError as err:
        raise SetupError(f"{path}: cannot be read ({err.strerror or err}); expected {what}") from None
    if not path.is_file():
        raise SetupError(f"{path}: is not a file; expected {what}")
    if size > limit:
        raise SetupError(f"{path}: is {size:,} bytes; expected {what} (at most {limit:,} bytes are read)")
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except OSError as err:
        raise SetupError(f"{path}: cannot be read ({err.strerror or err}); expected {what}") from None
    except UnicodeDecodeError as err:
        raise SetupError(f"{path}: is not UTF-8 text (byte {err.start}); expected {what}") from None
    except json.JSONDecodeError as err:
        raise SetupError(f"{path}:{err.lineno}: not valid JSON ({err.msg}); expected {what}") from None
    except RecursionError:
        raise SetupError(f"{path}: nests too deeply; expected {what}") from None


_OUTPUTS_SHAPE = 'the JSON `cdk deploy --outputs-file` writes: {"StackName": {"OutputKey": "value", ...}}'


def load_outputs(path: str | Path) -> dict[str, dict[str, str]]:
    """A `cdk deploy --outputs-file` document, checked: stack name -> output key -> value (strings)."""
    data = _read_json(Path(path), MAX_OUTPUTS_BYTES, _OUTPUTS_SHAPE)
    if not isinstance(data, dict):
        raise SetupError(f"{path}: is a JSON {type(data).__name__}; expected {_OUTPUTS_SHAPE}")
    for stack, values in data.items():
        if not isinstance(values, dict):
            raise SetupError(
                f"{path}: stack {stack!r} maps to a JSON {type(values).__name__}; expected {_OUTPUTS_SHAPE}"
            )
        for key, value in values.items():
            if not isinstance(value, str):
                raise SetupError(
                    f"{path}: output {stack}.{key} is {json.dumps(value)[:60]}; expected a string ({_OUTPUTS_SHAPE})"
                )
    return data


def build_parser() -> argparse.ArgumentParser:
    """The command line of `federation-setup`."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Write setup.md and setup.json for a synthesized cloud assembly: what to configure on the "
        "other side of each federated role (CI workflow, IdP, app), with deploy-time values from a "
        "`cdk deploy --outputs-file` JSON.",
    )
    parser.add_argument("assembly", metavar="ASSEMBLY_DIR", help="the cloud assembly (cdk.out) with access-report.json")
    parser.add_argument(
        "--outputs",
        metavar="OUTPUTS_JSON",
        help="the file `cdk deploy --outputs-file` wrote (fills deploy-time values)",
    )
    parser.add_argument("--out", metavar="DIR", help="write setup.md and setup.json here (default: ASSEMBLY_DIR)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `federation-setup`; return the exit code (0 written, 2 unreadable input)."""
    args = build_parser().parse_args(argv)
    assembly = Path(args.assembly)
    try:
        if not assembly.is_dir():
            raise SetupError(f"{assembly}: not a directory; expected a cloud assembly written by `cdk synth` (cdk.out)")
        report = _read_json(
            assembly / "access-report.json", MAX_REPORT_BYTES, "the access report the federation review writes at synth"
        )
        try:
            reports = _reports(report)
        except SetupError:
            raise SetupError(
                f"{assembly / 'access-report.json'}: has no 'stacks' list; expected the access report"
            ) from None
        outputs = load_outputs(args.outputs) if args.outputs else None
        try:
            stacks = load_assembly(assembly)
        except AssemblyError as err:
            raise SetupError(str(err)) from None
        known = {name for s in stacks for name in (s.stack_name, s.display_name, s.artifact_id)}
        if outputs and not known & set(outputs):
            raise SetupError(
                f"{args.outputs}: names no stack of {assembly} (it has {', '.join(sorted(outputs)) or 'none'}; "
                f"the assembly has {', '.join(sorted(s.stack_name for s in stacks)) or 'none'})"
            )
        out = Path(args.out) if args.out else assembly
        try:
            out.mkdir(parents=True, exist_ok=True)
            json_path, md_path, sheet = _write(out, reports, stacks, outputs)
        except OSError as err:
            raise SetupError(f"{out}: cannot be written ({err.strerror or err})") from None
    except SetupError as err:
        print(f"{_PROG}: {err}", file=sys.stderr)
        return 2
    left = len(sheet["placeholders"])
    print(f"setup sheet: {md_path} (and {json_path.name}); {left} value{'s' * (left != 1)} still to fill")
    return 0


if __name__ == "__main__":
    sys.exit(main())
