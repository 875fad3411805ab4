"""The access report: for each federated role of a template, who can assume it, through which
door, for how long, with what permissions, and what the rule packs found (and why it was accepted).

Built from the synthesized template (what will be deployed, not what the code meant), plus the
findings rows of `stacks.reports.finding_rows` and the opt-ins the constructs recorded. Output as
data (`build_access_report`) and as Markdown (`to_markdown`) a reviewer can decide from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from federation_constructs.policy.document import Condition
from federation_constructs.policy.permissions import role_permissions
from federation_constructs.policy.template import COGNITO, ResourceContext, TemplateIndex
from federation_constructs.policy.trust import federated_trusts, trust_statements
from federation_constructs.proof.verdict import LABELS, proof_words

__all__ = [
    "NAME_SET_AT_DEPLOY",
    "bucket_label",
    "build_access_report",
    "describe_subject",
    "relies_on",
    "role_arn",
    "session_words",
    "to_markdown",
]

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_PER_USER_NAMES = {
    "cognito-identity.amazonaws.com:sub": "{identity id}",
    "saml:namequalifier": "{SAML name qualifier}",
    "saml:sub": "{SAML subject}",
}


def _words(values: Sequence[str]) -> str:
    quoted = [f"`{v}`" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def describe_subject(issuer: str, subject: str, *, wildcard: bool) -> str:
    """One subject (or subject pattern) in plain words."""
    any_note = (
        " (pattern: `*` matches anything, `/` and `:` included)" if wildcard and any(c in subject for c in "*?") else ""
    )
    prefix_only = (
        re.fullmatch(r"(?P<head>repo:|project_path:|organization:|system:serviceaccount:)?(?P<p>[^*?]*)\*", subject)
        if wildcard
        else None
    )
    if prefix_only and issuer in ("GitHub Actions", "GitLab CI", "HCP Terraform", "EKS service accounts"):
        what = {
            "GitHub Actions": "workflow of any repository",
            "GitLab CI": "pipeline of any project",
            "HCP Terraform": "run of any workspace",
            "EKS service accounts": "pod of any service account",
        }[issuer]
        start = prefix_only.group("p")
        if prefix_only.group("head") is None or not start:
            return f"ANY {what} at all, in any organisation (subject `{subject}`)"
        if issuer in ("GitHub Actions", "GitLab CI") and "/" in start and ":" in start.split("/", 1)[1]:
            # the repository (project) is spelled out up to its ':'; only the context is a prefix
            repository, context = start.split(":", 1)
            noun = {"GitHub Actions": "workflows of repository", "GitLab CI": "pipelines of project"}[issuer]
            return (
                f"{noun} `{repository}` whose context starts with `{context}` (anything may follow, `/` and "
                f"`:` included; subject `{subject}`)"
            )
        if issuer in ("GitHub Actions", "GitLab CI") and "/" in start:
            owner, rest = start.split("/", 1)
            named = f" whose name starts with `{rest}`" if rest else ""
            return (
                f"any {what} of `{owner}`{named}, for any branch, tag, environment or pull request "
                f"(subject `{subject}`)"
            )
        return f"any {what} whose name starts with `{start}` (subject `{subject}`: other owners' names match too)"
    patterns: list[tuple[str, str]] = []
    if issuer == "GitHub Actions":
        patterns = [
            (r"repo:(?P<r>[^:]+):ref:refs/heads/(?P<v>.+)", "workflows of repository `{r}` on branch `{v}`"),
            (r"repo:(?P<r>[^:]+):ref:refs/tags/(?P<v>.+)", "workflows of repository `{r}` for tag `{v}`"),
            (r"repo:(?P<r>[^:]+):environment:(?P<v>.+)", "jobs of repository `{r}` that use environment `{v}`"),
            (r"repo:(?P<r>[^:]+):pull_request", "pull-request workflows of repository `{r}`"),
            (r"repo:(?P<r>[^:]+):(?P<v>.*)", "workflows of repository `{r}` with context `{v}`"),
        ]
    elif issuer == "GitLab CI":
        patterns = [
            (
                r"project_path:(?P<r>[^:]+):ref_type:(?P<t>[^:]+):ref:(?P<v>.+)",
                "pipelines of project `{r}` on {t} `{v}`",
            ),
            (r"project_path:(?P<r>[^:]+):(?P<v>.*)", "pipelines of project `{r}` with context `{v}`"),
        ]
    elif issuer == "HCP Terraform":
        patterns = [
            (
                r"organization:(?P<o>[^:]+):project:(?P<p>[^:]+):workspace:(?P<w>[^:]+):run_phase:(?P<v>.+)",
                "runs of organization `{o}`, project `{p}`, workspace `{w}`, phase `{v}`",
            )
        ]
    elif issuer == "EKS service accounts":
        patterns = [
            (
                r"system:serviceaccount:(?P<n>[^:]+):(?P<s>.+)",
                "pods running as service account `{s}` in namespace `{n}`",
            )
        ]
    for pattern, text in patterns:
        match = re.fullmatch(pattern, subject)
        if match:
            return text.format(**match.groupdict()) + any_note
    return f"subject `{subject}`{any_note}"


def _and(values: Sequence[str]) -> str:
    quoted = [f"`{v}`" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _named_github_repositories(intent: Mapping[str, Any]) -> list[str]:
    """The declared repositories whose subjects use the name form (`repo:OWNER/REPO:...`)."""
    subjects = [
        str(v)
        for c in intent.get("claims") or []
        if str(c.get("key", "")).endswith(":sub")
        for v in c.get("values") or []
    ]
    declared = intent.get("declared") or {}
    return [r for r in declared.get("repositories") or [] if any(s.startswith(f"repo:{r}:") for s in subjects)]


def relies_on(intent: Mapping[str, Any] | None, doors: Sequence[Mapping[str, Any]]) -> list[str]:
    """What a role's trust relies on outside AWS, in plain words: settings on the other side (the
    repository, the project, the IdP, the cluster) that decide who really gets the role.

    :param intent: the role's declared intent as in the report (`TrustIntent.to_json()`), or None.
    :param doors: the role's doors as in the report (used where there is no intent).
    """
    if intent is None:
        return [
            f"whoever the IdP behind `{d.get('provider')}` maps to this role can assume it: which group or app "
            f"assignment grants it is decided in the IdP, not in AWS"
            for d in doors
            if d.get("kind") == "saml"
        ]
    declared: Mapping[str, Any] = intent.get("declared") or {}
    kind, issuer = intent.get("kind"), str(declared.get("issuer") or "")
    found: list[str] = []
    if kind == "saml":
        provider = next((str(d.get("provider")) for d in doors if d.get("kind") == "saml"), "the SAML provider")
        found.append(
            f"whoever the IdP behind `{provider}` maps to this role can assume it: which group or app assignment "
            f"grants it is decided in the IdP, not in AWS"
        )
    elif kind == "cognito" and declared.get("amr") == "unauthenticated":
        found.append("anyone who calls the identity pool without signing in (the public internet) gets this guest role")
    elif issuer == "GitHub Actions":
        repositories = [str(r) for r in declared.get("repositories") or []]
        select = [str(b) for b in declared.get("branches") or []] or ["main"]
        for environment in declared.get("environments") or []:
            found.append(
                f"GitHub environment `{environment}`: the trust admits a job on ANY branch whose workflow names "
                f"environment `{environment}`, unless the environment's deployment protection rules limit the "
                f"branches: in {_and(repositories) if repositories else 'the repository'}, Settings, Environments, "
                f"`{environment}`, Deployment branches and tags: choose Selected branches and tags and add "
                f"{_and(select)}"
            )
        for repository in _named_github_repositories(intent):
            found.append(
                f"repository `{repository}` is named, not identified: a renamed, transferred or deleted and "
                f"recreated repository of that name matches too; use GitHub's immutable subject (owner and "
                f"repository ids) once the repository reports one"
            )
    elif issuer.startswith("GitLab CI"):
        ref_type = str(declared.get("ref_type") or "branch")
        refs = [str(r) for r in declared.get("refs") or []]
        projects = [str(p) for p in declared.get("projects") or []]
        noun = "branches" if ref_type == "branch" else "tags"
        found.append(
            f"a GitLab ref is only as protected as the project's settings: protect {ref_type} {_and(refs)} in "
            f"{_and(projects)} (Settings, Repository, Protected {noun}) so that only trusted members can push "
            f"or create it; AWS cannot check GitLab's `ref_protected` claim"
        )
    elif issuer == "HCP Terraform":
        workspaces = [str(w) for w in declared.get("workspaces") or []]
        phases = [str(p) for p in declared.get("run_phases") or []]
        found.append(
            f"whoever can queue runs of workspace {_and(workspaces)} in HCP Terraform organization "
            f"`{declared.get('organization')}` gets this role for the {' and '.join(phases)} phase"
            f"{'s' if len(phases) > 1 else ''}: who may is decided by the organization's team access"
        )
    elif issuer == "EKS service accounts":
        accounts = [str(a) for a in declared.get("service_accounts") or []]
        found.append(
            f"whoever can run a pod as service account {_and(accounts)} in namespace "
            f"`{declared.get('namespace')}` of the cluster (Kubernetes RBAC) gets this role"
        )
    return found


#: what the report shows where a role's name is left to CloudFormation (known only after deploy)
NAME_SET_AT_DEPLOY = "(name set at deploy)"


def role_arn(properties: Mapping[str, Any], account: str, partition: str) -> str:
    """The ARN of an `AWS::IAM::Role` with these properties: `role/<path without its leading slash><name>`,
    with `NAME_SET_AT_DEPLOY` in place of a name CloudFormation generates."""
    name = properties.get("RoleName")
    path = properties.get("Path")
    prefix = path[1:] if isinstance(path, str) and path.startswith("/") else ""
    return f"arn:{partition}:iam::{account}:role/{prefix}{name if isinstance(name, str) else NAME_SET_AT_DEPLOY}"


def bucket_label(logical_id: str, resource: Mapping[str, Any]) -> str:
    """How the report writes the name of an `AWS::S3::Bucket`: its literal `BucketName`, else
    `{bucket <construct path below the stack>}` (CloudFormation names it at deploy)."""
    name = (resource.get("Properties") or {}).get("BucketName")
    if isinstance(name, str):
        return name
    path = str((resource.get("Metadata") or {}).get("aws:cdk:path", logical_id))
    return "{bucket " + "/".join(path.split("/")[1:-1] or [logical_id]) + "}"


def _render(value: str, index: TemplateIndex, account: str, partition: str) -> str:
    """A value with references to this template's providers and roles written as ARNs."""

    def replace(match: re.Match[str]) -> str:
        logical, attr = match.group(1), match.group(2)
        kind = index.type_of(logical)
        props = index.properties(logical) if kind else {}
        if logical == "AWS::Partition":
            return partition
        if logical == "AWS::AccountId":
            return account
        if kind == "AWS::IAM::SAMLProvider":
            return f"arn:{partition}:iam::{account}:saml-provider/{props.get('Name', '(name set at deploy)')}"
        if kind == "AWS::IAM::OIDCProvider":
            url = index.flatten(props.get("Url"))
            return f"arn:{partition}:iam::{account}:oidc-provider/{url.removeprefix('https://')}"
        if kind == "AWS::IAM::Role" and attr == ".Arn":
            return role_arn(props, account, partition)
        if kind == "AWS::S3::Bucket":
            return f"arn:{partition}:s3:::{bucket_label(logical, index.resources[logical])}"
        if kind == "AWS::Cognito::IdentityPool":
            return f"(id of identity pool {logical}, set at deploy)"
        return match.group(0)

    return re.sub(r"<([A-Za-z0-9:]+)(\.[A-Za-z0-9.]+)?>", replace, value)


def _rendered_document(value: Any, index: TemplateIndex, account: str, partition: str) -> Any:
    """A policy document as deployed: every intrinsic (`Ref`, `Fn::GetAtt`, `Fn::Join`, ...) rendered to a
    string the way `_render` writes references (provider ARNs, `<Logical>` where nothing better is known)."""
    if isinstance(value, dict):
        (first, *rest) = value or [""]
        if not rest and (first == "Ref" or str(first).startswith("Fn::")):
            return _render(index.flatten(value), index, account, partition)
        return {k: _rendered_document(v, index, account, partition) for k, v in value.items()}
    if isinstance(value, list):
        return [_rendered_document(v, index, account, partition) for v in value]
    return value


def _condition_words(condition: Condition) -> str:
    values = ", ".join(f"`{v}`" for v in condition.values)
    return f"{condition.operator} {condition.key} = {values}"


def _doors(context: ResourceContext, account: str, partition: str) -> list[dict[str, Any]]:
    index = context.index
    doors: list[dict[str, Any]] = []
    for trust in federated_trusts(context):
        statement = trust.statement
        tags = statement.allows_action("sts:TagSession")
        provider = _render(trust.federated, index, account, partition)
        door: dict[str, Any] = {
            "kind": trust.kind,
            "provider": provider,
            "session_tags": tags,
            "conditions": [_condition_words(c) for c in statement.conditions],
            "who": [],
        }
        if trust.kind == "cognito":
            pool = [
                _render(v, index, account, partition)
                for c in statement.conditions_on(f"{COGNITO}:aud")
                for v in c.values
            ]
            amr = [v for c in statement.conditions_on(f"{COGNITO}:amr") for v in c.values]
            who = (
                "guests (not signed in)"
                if amr == ["unauthenticated"]
                else (
                    "signed-in users"
                    if amr == ["authenticated"]
                    else f"identities with amr {_words(amr)}"
                    if amr
                    else "any identity, signed in or not"
                )
            )
            door["issuer"] = "Cognito identity pool"
            door["who"] = [f"{who} of {_words(pool) if pool else 'ANY identity pool'}"]
        elif trust.kind == "saml":
            endpoints = [v for c in statement.conditions_on("saml:aud") for v in c.values]
            door["issuer"] = "SAML"
            extra = [_condition_words(c) for c in statement.conditions if c.key != "saml:aud"]
            door["who"] = [
                f"users of SAML provider {provider} signing in through "
                f"{_words(endpoints) if endpoints else 'ANY endpoint'}"
                + (f", when {'; '.join(extra)}" if extra else "")
            ]
        else:
            facts = trust.facts
            name = facts.name if facts else provider
            door["issuer"] = name
            if facts:
                auds = [
                    v
                    for c in statement.conditions_on(facts.key(facts.audience_claim))
                    if c.base != "null"
                    for v in c.values
                ]
                subs = [
                    (v, c.wildcard)
                    for c in statement.conditions_on(facts.key("sub"))
                    if not c.negated and c.base != "null"  # `Null` values are true/false, not subjects
                    for v in c.values
                ]
                door["audiences"] = auds
                door["who"] = [f"{name}: {describe_subject(name, s, wildcard=w)}" for s, w in subs] or [
                    f"ANY {name} token" + (f" with audience {_words(auds)}" if auds else "")
                ]
        doors.append(door)
    for statement in trust_statements(context):
        if not statement.allow:
            continue
        for arn in statement.principal_values("aws"):
            tags = statement.allows_action("sts:TagSession")
            doors.append(
                {
                    "kind": "aws",
                    "issuer": "AWS principal",
                    "provider": _render(arn, index, account, partition),
                    "session_tags": tags,
                    "conditions": [_condition_words(c) for c in statement.conditions],
                    "who": [
                        f"the AWS principal `{_render(arn, index, account, partition)}`"
                        + (
                            " (a federation broker: it must set a source identity and the user tag)"
                            if statement.allows_action("sts:SetSourceIdentity")
                            else ""
                        )
                    ],
                }
            )
        for service in statement.principal_values("service"):
            doors.append(
                {
                    "kind": "service",
                    "issuer": "AWS service",
                    "provider": service,
                    "session_tags": False,
                    "conditions": [],
                    "who": [f"the AWS service `{service}`"],
                }
            )
    return doors


def _permissions(context: ResourceContext, account: str, partition: str) -> dict[str, Any]:
    index = context.index
    rows: list[dict[str, Any]] = []
    prefixes: set[str] = set()
    # every permission the template gives the role: inline policies, every policy that names it (by Ref
    # or by RoleName), managed policies of the template; the rules read the same union
    permissions = role_permissions(index, context.logical_id)
    for document in permissions.documents:
        where = document.label
        for statement in document.statements:
            resources = [_render(r, index, account, partition) for r in statement.resources or statement.not_resources]
            for resource in resources:
                if _VARIABLE.search(resource):
                    prefixes.add(
                        _VARIABLE.sub(lambda m: _PER_USER_NAMES.get(m.group(1), "{" + m.group(1) + "}"), resource)
                    )
            rows.append(
                {
                    "policy": where,
                    "effect": statement.effect,
                    "actions": list(statement.actions or [f"NOT {a}" for a in statement.not_actions]),
                    "resources": resources if statement.resources else [f"NOT {r}" for r in resources],
                    "conditions": [_condition_words(c) for c in statement.conditions],
                }
            )
    managed = [_render(a, index, account, partition) for a in permissions.managed_policy_arns]
    services = sorted({a.split(":", 1)[0] for r in rows if r["effect"] == "Allow" for a in r["actions"] if ":" in a})
    return {
        "managed_policies": managed,
        "services": services,
        "statements": rows,
        "per_user_prefixes": sorted(prefixes),
    }


def build_access_report(
    template: Mapping[str, Any],
    *,
    stack: str,
    account: str,
    partition: str = "aws",
    findings: Iterable[Mapping[str, str]] = (),
    opt_ins: Mapping[str, Sequence[str]] | None = None,
    paths: Mapping[str, str] | None = None,
    intents: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every role of `template` that someone outside the account (or a broker) can assume.

    :param findings: rows from `stacks.reports.finding_rows` (matched to roles by construct path).
    :param opt_ins: construct path of a role -> the opt-ins its construct used.
    :param paths: logical id -> construct path, where the template has no `aws:cdk:path` metadata.
    :param intents: role construct path -> its declared `TrustIntent` (rendered); each is proved.
    """
    index = TemplateIndex(template)
    declared = template.get("Outputs")
    outputs: Mapping[str, Any] = declared if isinstance(declared, dict) else {}
    finding_rows = list(findings)
    roles: list[dict[str, Any]] = []
    for logical, resource in index.of_type("AWS::IAM::Role").items():
        context = ResourceContext(
            logical_id=logical, type="AWS::IAM::Role", properties=index.properties(logical), index=index
        )
        doors = _doors(context, account, partition)
        if not any(d["kind"] in ("oidc", "cognito", "saml", "aws") for d in doors):
            continue
        path = str((paths or {}).get(logical) or (resource.get("Metadata") or {}).get("aws:cdk:path", logical))
        role_path = path.rsplit("/", 1)[0] if path.endswith("/Resource") else path
        construct_path = role_path.rsplit("/Role", 1)[0] if role_path.endswith("/Role") else role_path
        # the path below the stack (`stack` is the stack's own path: `name`, or `stage/name` in a Stage)
        name = (
            construct_path.removeprefix(stack + "/")
            if construct_path.startswith(stack + "/")
            else construct_path.split("/", 1)[-1]
        )
        attribute = None
        for output_name, output in outputs.items():
            if output_name.endswith("IdpRoleAttribute") and logical in str(output.get("Value")):
                value = index.flatten(output.get("Value"))
                attribute = _render(value, index, account, partition)
        session = index.flatten(context.properties.get("MaxSessionDuration", 3600))
        mine = [
            dict(f)
            for f in finding_rows
            if f.get("path", "").lstrip("/").startswith(construct_path + "/")
            or f.get("path", "").lstrip("/") == construct_path
        ]
        intent = (intents or {}).get(role_path)
        proof = None
        if intent is not None:
            from federation_constructs.proof.model import prove

            proof = prove(context.properties.get("AssumeRolePolicyDocument"), intent, index.parameters).to_json()
        roles.append(
            {
                "name": name,
                "stack": stack,
                "logical_id": logical,
                "construct_path": construct_path,
                "role_name": role_name if isinstance(role_name := context.properties.get("RoleName"), str) else None,
                "role_arn": role_arn(context.properties, account, partition),
                "intent": intent.to_json() if intent is not None else None,
                "proof": proof,
                "doors": doors,
                "relies_on": relies_on(intent.to_json() if intent is not None else None, doors),
                "max_session_seconds": int(session) if session.isdigit() else session,
                "session_tags": any(d["session_tags"] for d in doors),
                "saml_role_attribute": attribute,
                "trust": _rendered_document(
                    context.properties.get("AssumeRolePolicyDocument"), index, account, partition
                ),
                "permissions": _permissions(context, account, partition),
                "opt_ins": list((opt_ins or {}).get(construct_path, ())),
                "findings": [
                    {k: f.get(k, "") for k in ("status", "pack", "rule", "finding", "level", "detail", "reason")}
                    for f in mine
                ],
            }
        )
    roles.sort(key=lambda r: r["name"])
    open_findings = sum(1 for f in finding_rows if f.get("status") == "open")
    doors_count: dict[str, int] = {}
    for role in roles:
        for kind in {d["issuer"] for d in role["doors"]}:
            doors_count[kind] = doors_count.get(kind, 0) + 1
    return {
        "stack": stack,
        "account": account,
        "roles": roles,
        "summary": {
            "roles": len(roles),
            "roles_per_door": dict(sorted(doors_count.items())),
            "roles_proved": sum(1 for r in roles if r["proof"] and r["proof"]["status"] == "proved"),
            "roles_within_intent": sum(1 for r in roles if r["proof"] and r["proof"]["status"] == "within"),
            "roles_with_intent": sum(1 for r in roles if r["proof"]),
            "roles_with_opt_ins": sum(1 for r in roles if r["opt_ins"]),
            "unacknowledged_findings": open_findings,
        },
    }


def session_words(seconds: Any) -> str:
    """A max session length in words: whole hours as `N h`, anything else as given, in seconds."""
    return f"{seconds // 3600} h" if isinstance(seconds, int) and seconds % 3600 == 0 else f"{seconds} s"


def to_markdown(reports: Sequence[Mapping[str, Any]]) -> str:
    """The access report(s) as Markdown."""
    lines = ["# Access report", ""]
    for report in reports:
        summary = report["summary"]
        lines += [
            f"## Stack `{report['stack']}` (account {report['account']})",
            "",
            f"- roles that outsiders can assume: **{summary['roles']}** "
            f"({', '.join(f'{k}: {v}' for k, v in summary['roles_per_door'].items()) or 'none'})",
            f"- roles with opt-ins: **{summary['roles_with_opt_ins']}**",
            f"- trusts {LABELS['proved']} to their declared intent: **{summary.get('roles_proved', 0)}** of "
            f"{summary.get('roles_with_intent', 0)} with a declared intent"
            + (f"; {LABELS['within']}: {summary['roles_within_intent']}" if summary.get("roles_within_intent") else ""),
            f"- unacknowledged findings: **{summary['unacknowledged_findings']}**",
            "",
        ]
        lines += ["| role | who can assume it | max session | session tags |", "|---|---|---|---|"]
        for role in report["roles"]:
            who = "<br>".join(w for d in role["doors"] for w in d["who"])
            lines.append(
                f"| {role['name']} | {who} | {session_words(role['max_session_seconds'])} | "
                f"{'yes' if role['session_tags'] else 'no'} |"
            )
        lines.append("")
        for role in report["roles"]:
            lines += [f"### {role['name']}", "", f"`{role['construct_path']}` (logical id `{role['logical_id']}`)", ""]
            lines.append("**Who can assume it**")
            lines.append("")
            for door in role["doors"]:
                lines.append(f"- through {door['issuer']} (`{door['provider']}`):")
                for who in door["who"]:
                    lines.append(f"  - {who}")
                if door.get("audiences"):
                    lines.append(f"  - audience: {_words(door['audiences'])}")
                for condition in door["conditions"]:
                    lines.append(f"  - condition: {condition}")
            lines.append("")
            lines.append(
                f"- max session: {session_words(role['max_session_seconds'])}; session tags: "
                f"{'allowed' if role['session_tags'] else 'not allowed'}"
            )
            if role["saml_role_attribute"]:
                lines.append(f"- SAML `Role` attribute the IdP sends: `{role['saml_role_attribute']}`")
            lines.append(f"- opt-ins: {', '.join(role['opt_ins']) if role['opt_ins'] else 'none'}")
            if role.get("relies_on"):
                lines.append("- relies on, outside AWS:")
                lines += [f"  - {words}" for words in role["relies_on"]]
            proof = role.get("proof")
            lines.append(
                f"- proof: {proof_words(proof)}" if proof else "- proof: no declared intent (not built by this toolkit)"
            )
            lines.append("")
            permissions = role["permissions"]
            lines.append("**What it can do**")
            lines.append("")
            if permissions["managed_policies"]:
                lines.append(f"- managed policies: {', '.join(f'`{p}`' for p in permissions['managed_policies'])}")
            if permissions["services"]:
                lines.append(f"- services: {', '.join(permissions['services'])}")
            for prefix in permissions["per_user_prefixes"]:
                lines.append(f"- per-user prefix: `{prefix}`")
            for statement in permissions["statements"]:
                cond = f" when {'; '.join(statement['conditions'])}" if statement["conditions"] else ""
                lines.append(
                    f"- {statement['effect']} {', '.join(statement['actions'])} on "
                    f"{', '.join(f'`{r}`' for r in statement['resources'])}{cond}"
                )
            if not (permissions["managed_policies"] or permissions["statements"]):
                lines.append("- nothing (no policies)")
            lines.append("")
            lines.append("**Findings**")
            lines.append("")
            if not role["findings"]:
                lines.append("- none")
            for finding in role["findings"]:
                ident = f"{finding['rule']}[{finding['finding']}]" if finding["finding"] else finding["rule"]
                if finding["status"] == "acknowledged":
                    lines.append(f"- acknowledged `{ident}`: {finding['reason']}")
                else:
                    lines.append(f"- **open** `{ident}` ({finding['level']}): {finding['detail']}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
