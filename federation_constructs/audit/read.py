"""Read one account's federation, read-only: IAM OIDC and SAML providers, every role whose trust admits
a federated principal (with its inline, attached and boundary policies), and the Cognito identity pools
of the regions asked for (roles, role mappings, classic flow, principal tags).

Every call goes through `ReadOnlyClients` (Get*/List*/Describe* only) with botocore's standard retry
mode. What the credentials may not read is recorded where it belongs (`LiveRole.problems`,
`LivePool.problems`, `AccountRead.notes`) and the rest of the account is still read.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from federation_constructs.verify.clients import ReadOnlyClients
from federation_constructs.verify.live import LiveOidcProvider, LiveSamlProvider

__all__ = [
    "AccountRead",
    "AuditUsageError",
    "LivePolicy",
    "LivePool",
    "LiveRole",
    "decode_policy",
    "is_federated_trust",
    "read_account",
]

#: threads for the per-role and per-pool reads (boto3 clients are thread-safe)
WORKERS = 8
_FEDERATED_ACTIONS = ("sts:assumerolewithwebidentity", "sts:assumerolewithsaml")


class AuditUsageError(Exception):
    """Credentials, account or arguments that stop the audit before it reads anything: one line."""


@dataclass(kw_only=True)
class LivePolicy:
    """A customer managed policy attached to an audited role: its default version's document."""

    arn: str
    name: str
    path: str = "/"
    document: dict[str, Any] | None = None
    #: why the document is unknown (e.g. "iam:GetPolicyVersion: AccessDenied"), else None
    problem: str | None = None


@dataclass(kw_only=True)
class LiveRole:
    """An IAM role whose trust admits a federated principal."""

    name: str
    path: str
    arn: str
    #: the trust policy as a dict; None when it could not be parsed (see `problems`)
    trust: dict[str, Any] | None
    max_session_seconds: int | None = None
    description: str | None = None
    #: inline policy name -> document (None when that document could not be read or parsed)
    inline: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    #: attached managed policies: (name, ARN)
    attached: list[tuple[str, str]] = field(default_factory=list)
    boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    #: what could not be read, one sentence each ("inline policies: iam:ListRolePolicies AccessDenied")
    problems: list[str] = field(default_factory=list)

    @property
    def permissions_known(self) -> bool:
        """Whether the inline and attached policy lists and every inline document were read."""
        return not any(p.startswith(("inline", "attached", "role:")) for p in self.problems)


@dataclass(kw_only=True)
class LivePool:
    """A Cognito identity pool and what it hands out."""

    id: str
    name: str
    region: str
    allow_unauthenticated: bool = False
    allow_classic_flow: bool = False
    supported_login_providers: dict[str, str] = field(default_factory=dict)
    developer_provider_name: str | None = None
    oidc_provider_arns: list[str] = field(default_factory=list)
    saml_provider_arns: list[str] = field(default_factory=list)
    cognito_providers: list[dict[str, Any]] = field(default_factory=list)
    #: "authenticated" / "unauthenticated" -> role ARN
    roles: dict[str, str] = field(default_factory=dict)
    #: provider name -> the API's RoleMapping
    role_mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: provider name -> {"UseDefaults": bool, "PrincipalTags": {tag: claim}}
    principal_tags: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def provider_names(self) -> list[str]:
        """Every identity provider name the pool accepts, as `GetPrincipalTagAttributeMap` names them."""
        names = list(self.supported_login_providers)
        names += [str(p.get("ProviderName")) for p in self.cognito_providers if p.get("ProviderName")]
        names += self.oidc_provider_arns + self.saml_provider_arns
        return list(dict.fromkeys(names))


@dataclass(kw_only=True)
class AccountRead:
    """Everything `read_account` found in one account."""

    account: str
    partition: str
    regions: list[str]
    oidc: list[LiveOidcProvider] = field(default_factory=list)
    saml: list[LiveSamlProvider] = field(default_factory=list)
    roles: list[LiveRole] = field(default_factory=list)
    #: every role ARN of the account (federated or not), lower-cased: to tell a deleted pool role
    all_role_arns: set[str] = field(default_factory=set)
    roles_listed: int = 0
    policies: dict[str, LivePolicy] = field(default_factory=dict)
    pools: list[LivePool] = field(default_factory=list)
    #: account-level sentences: what could not be listed at all
    notes: list[str] = field(default_factory=list)
    #: "authorization-details" (one paginated GetAccountAuthorizationDetails) or "per-role"
    method: str = "per-role"


def _code(err: Exception) -> str:
    return str(getattr(err, "response", {}).get("Error", {}).get("Code", "")) or type(err).__name__


def _why(service: str, operation: str, err: Exception) -> str:
    message = str(getattr(err, "response", {}).get("Error", {}).get("Message", "")).strip()
    return f"{service}:{operation} {_code(err)}" + (f" ({message[:160]})" if message else "")


def decode_policy(value: object) -> dict[str, Any] | None:
    """A policy document as IAM returns it (boto3 usually decodes it; IAM's raw form is URL-encoded JSON,
    possibly with any whitespace), as a dict; None when it is not a JSON object."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        return None
    for text in (value, urllib.parse.unquote(value)):
        try:
            parsed = json.loads(text)
        except ValueError:
            continue
        return parsed if isinstance(parsed, dict) else None
    return None


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def is_federated_trust(trust: dict[str, Any] | None) -> bool:
    """Whether a trust policy has a statement with a `Federated` principal, or an action of web identity
    or SAML federation (whatever its effect: a Deny still says the role is a federation door)."""
    if trust is None:
        return False
    for statement in _as_list(trust.get("Statement")):
        if not isinstance(statement, dict):
            continue
        principal = statement.get("Principal")
        if isinstance(principal, dict) and "Federated" in principal:
            return True
        if any(str(a).lower() in _FEDERATED_ACTIONS for a in _as_list(statement.get("Action"))):
            return True
    return False


class _Reader:
    def __init__(self, clients: ReadOnlyClients) -> None:
        from botocore.exceptions import ClientError

        self.clients = clients
        self.client_error = ClientError

    def iam(self) -> Any:
        return self.clients.client("iam")

    def pages(self, client: Any, operation: str, key: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        if client.can_paginate(operation):
            for page in client.get_paginator(operation).paginate(**params):
                items += page.get(key, [])
        else:
            items += getattr(client, operation)(**params).get(key, [])
        return items

    def attempt(self, problems: list[str], what: str, call: Callable[[], Any], *, service: str = "iam") -> Any:
        """`call()`, or None with `what: <service>:<operation> <code>` added to `problems`."""
        try:
            return call()
        except self.client_error as err:
            problems.append(f"{what}: {_why(service, err.operation_name, err)}")
            return None


def _providers(reader: _Reader, read: AccountRead) -> None:
    iam = reader.iam()
    listed = reader.attempt(read.notes, "OIDC providers not listed", iam.list_open_id_connect_providers) or {}
    for entry in listed.get("OpenIDConnectProviderList", []):
        arn = entry["Arn"]
        got = reader.attempt(
            read.notes,
            f"OIDC provider {arn} not read",
            partial(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn),
        )
        if got is not None:
            read.oidc.append(
                LiveOidcProvider(
                    arn=arn,
                    url=got.get("Url", ""),
                    client_ids=tuple(got.get("ClientIDList", [])),
                    thumbprints=tuple(got.get("ThumbprintList", [])),
                )
            )
    listed = reader.attempt(read.notes, "SAML providers not listed", iam.list_saml_providers) or {}
    for entry in listed.get("SAMLProviderList", []):
        arn = entry["Arn"]
        got = reader.attempt(
            read.notes, f"SAML provider {arn} not read", partial(iam.get_saml_provider, SAMLProviderArn=arn)
        )
        if got is not None:
            read.saml.append(
                LiveSamlProvider(
                    arn=arn,
                    name=arn.rsplit("/", 1)[-1],
                    metadata=got.get("SAMLMetadataDocument", ""),
                    valid_until=got.get("ValidUntil", entry.get("ValidUntil")),
                    create_date=got.get("CreateDate", entry.get("CreateDate")),
                )
            )


def _role_from_listing(entry: dict[str, Any]) -> LiveRole:
    trust = decode_policy(entry.get("AssumeRolePolicyDocument"))
    role = LiveRole(
        name=entry["RoleName"],
        path=entry.get("Path", "/"),
        arn=entry["Arn"],
        trust=trust,
        max_session_seconds=entry.get("MaxSessionDuration"),
        description=entry.get("Description"),
    )
    if trust is None:
        role.problems.append("trust policy: not a JSON object as IAM returned it")
    return role


def _is_aws_managed(arn: str) -> bool:
    return ":iam::aws:policy/" in arn


def _read_role_details(reader: _Reader, role: LiveRole, read: AccountRead) -> None:
    """The per-role reads (when GetAccountAuthorizationDetails is not allowed)."""
    iam = reader.iam()
    got = reader.attempt(role.problems, "role: boundary and tags unknown", lambda: iam.get_role(RoleName=role.name))
    if got is not None:
        detail = got.get("Role", {})
        role.boundary = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        role.tags = {t["Key"]: t["Value"] for t in detail.get("Tags", []) if "Key" in t}
        role.max_session_seconds = detail.get("MaxSessionDuration", role.max_session_seconds)
    names = reader.attempt(
        role.problems,
        "inline policies unknown",
        lambda: reader.pages(iam, "list_role_policies", "PolicyNames", RoleName=role.name),
    )
    for name in names or []:
        doc = reader.attempt(
            role.problems,
            f"inline policy {name} unknown",
            partial(iam.get_role_policy, RoleName=role.name, PolicyName=name),
        )
        role.inline[name] = decode_policy(doc.get("PolicyDocument")) if doc is not None else None
    attached = reader.attempt(
        role.problems,
        "attached policies unknown",
        lambda: reader.pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role.name),
    )
    role.attached = [(a.get("PolicyName", ""), a["PolicyArn"]) for a in attached or [] if "PolicyArn" in a]


def _read_policy(reader: _Reader, arn: str) -> LivePolicy:
    iam = reader.iam()
    problems: list[str] = []
    got = reader.attempt(problems, "policy", lambda: iam.get_policy(PolicyArn=arn))
    policy = LivePolicy(arn=arn, name=arn.rsplit("/", 1)[-1])
    if got is not None:
        detail = got.get("Policy", {})
        policy.name = detail.get("PolicyName", policy.name)
        policy.path = detail.get("Path", "/")
        version = reader.attempt(
            problems,
            "policy",
            lambda: iam.get_policy_version(PolicyArn=arn, VersionId=detail.get("DefaultVersionId", "v1")),
        )
        if version is not None:
            policy.document = decode_policy(version.get("PolicyVersion", {}).get("Document"))
            if policy.document is None:
                problems.append("policy: its document is not a JSON object")
    policy.problem = problems[0].removeprefix("policy: ") if problems else None
    return policy


def _roles_by_authorization_details(reader: _Reader, read: AccountRead, listed: list[dict[str, Any]]) -> bool:
    """Roles and their customer managed policies from one paginated GetAccountAuthorizationDetails;
    False when the credentials may not call it."""
    iam = reader.iam()
    try:
        details: list[dict[str, Any]] = []
        policies: list[dict[str, Any]] = []
        for page in iam.get_paginator("get_account_authorization_details").paginate(
            Filter=["Role", "LocalManagedPolicy"]
        ):
            details += page.get("RoleDetailList", [])
            policies += page.get("Policies", [])
    except reader.client_error:
        return False
    by_name = {entry["RoleName"]: entry for entry in listed}
    for detail in details:
        entry = {**detail, **{k: v for k, v in by_name.get(detail["RoleName"], {}).items() if k not in detail}}
        role = _role_from_listing(entry)
        if not is_federated_trust(role.trust):
            continue
        role.inline = {
            p["PolicyName"]: decode_policy(p.get("PolicyDocument")) for p in detail.get("RolePolicyList", [])
        }
        role.attached = [(a.get("PolicyName", ""), a["PolicyArn"]) for a in detail.get("AttachedManagedPolicies", [])]
        role.boundary = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        role.tags = {t["Key"]: t["Value"] for t in detail.get("Tags", []) if "Key" in t}
        read.roles.append(role)
    for policy in policies:
        default = next((v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
        document = decode_policy(default.get("Document")) if default else None
        read.policies[policy["Arn"]] = LivePolicy(
            arn=policy["Arn"],
            name=policy.get("PolicyName", ""),
            path=policy.get("Path", "/"),
            document=document,
            problem=None if document is not None else "its default version's document was not returned",
        )
    read.method = "authorization-details"
    return True


def _roles(reader: _Reader, read: AccountRead) -> None:
    iam = reader.iam()
    try:
        listed = reader.pages(iam, "list_roles", "Roles")
    except reader.client_error as err:
        raise AuditUsageError(
            f"the credentials may not list the account's roles ({_why('iam', err.operation_name, err)}); "
            f"audit with a role that has the AWS managed policy SecurityAudit (or ReadOnlyAccess)"
        ) from None
    read.roles_listed = len(listed)
    read.all_role_arns = {str(entry.get("Arn", "")).lower() for entry in listed}
    if not _roles_by_authorization_details(reader, read, listed):
        read.roles = [r for r in map(_role_from_listing, listed) if is_federated_trust(r.trust) or r.trust is None]
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda r: _read_role_details(reader, r, read), read.roles))
    wanted = sorted(
        {arn for role in read.roles for _, arn in role.attached if not _is_aws_managed(arn)}
        | {role.boundary for role in read.roles if role.boundary and not _is_aws_managed(role.boundary)}
    )
    missing = [arn for arn in wanted if arn not in read.policies]
    with ThreadPoolExecutor(WORKERS) as pool:
        for policy in pool.map(lambda a: _read_policy(reader, a), missing):
            read.policies[policy.arn] = policy
    read.roles.sort(key=lambda r: r.name)


def _pool(reader: _Reader, pool_id: str, name: str, region: str) -> LivePool:
    client = reader.clients.client("cognito-identity", region=region)
    pool = LivePool(id=pool_id, name=name, region=region)
    described = reader.attempt(
        pool.problems,
        "settings unknown",
        lambda: client.describe_identity_pool(IdentityPoolId=pool_id),
        service="cognito-identity",
    )
    if described is not None:
        pool.name = described.get("IdentityPoolName", name)
        pool.allow_unauthenticated = bool(described.get("AllowUnauthenticatedIdentities"))
        pool.allow_classic_flow = bool(described.get("AllowClassicFlow"))
        pool.supported_login_providers = dict(described.get("SupportedLoginProviders") or {})
        pool.developer_provider_name = described.get("DeveloperProviderName") or None
        pool.oidc_provider_arns = list(described.get("OpenIdConnectProviderARNs") or [])
        pool.saml_provider_arns = list(described.get("SamlProviderARNs") or [])
        pool.cognito_providers = list(described.get("CognitoIdentityProviders") or [])
    roles = reader.attempt(
        pool.problems,
        "roles unknown",
        lambda: client.get_identity_pool_roles(IdentityPoolId=pool_id),
        service="cognito-identity",
    )
    if roles is not None:
        pool.roles = dict(roles.get("Roles") or {})
        pool.role_mappings = dict(roles.get("RoleMappings") or {})
    for provider in pool.provider_names():
        try:
            tags = client.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider)
        except reader.client_error as err:
            if _code(err) not in ("ResourceNotFoundException", "InvalidParameterException"):
                pool.problems.append(
                    f"principal tags of {provider} unknown: {_why('cognito-identity', err.operation_name, err)}"
                )
            continue
        if tags.get("PrincipalTags") or tags.get("UseDefaults"):
            pool.principal_tags[provider] = {
                "UseDefaults": bool(tags.get("UseDefaults")),
                "PrincipalTags": dict(tags.get("PrincipalTags") or {}),
            }
    return pool


def _pools(reader: _Reader, read: AccountRead) -> None:
    for region in read.regions:
        client = reader.clients.client("cognito-identity", region=region)
        listed = reader.attempt(
            read.notes,
            f"identity pools of {region} not listed",
            partial(reader.pages, client, "list_identity_pools", "IdentityPools", MaxResults=60),
            service="cognito-identity",
        )
        entries = [(p["IdentityPoolId"], p.get("IdentityPoolName", "")) for p in listed or []]
        with ThreadPoolExecutor(WORKERS) as pool:
            read.pools += list(pool.map(lambda e, r=region: _pool(reader, e[0], e[1], r), entries))


def _caller(clients: ReadOnlyClients, region: str) -> tuple[str, str]:
    """(account, partition) of the credentials."""
    from botocore.exceptions import ClientError, NoCredentialsError, PartialCredentialsError

    try:
        identity = clients.client("sts", region=region).get_caller_identity()
    except (NoCredentialsError, PartialCredentialsError) as err:
        raise AuditUsageError(
            f"no usable AWS credentials (sts GetCallerIdentity: {err}); configure them as for the AWS CLI: "
            f"--profile NAME, AWS_PROFILE, or environment variables"
        ) from None
    except ClientError as err:
        raise AuditUsageError(
            f"sts GetCallerIdentity failed: {_code(err)}: "
            f"{err.response.get('Error', {}).get('Message', '')} (are the credentials valid and current?)"
        ) from None
    arn = str(identity.get("Arn", "arn:aws:"))
    return str(identity["Account"]), arn.split(":")[1] if arn.count(":") > 1 else "aws"


def read_account(clients: ReadOnlyClients, *, regions: Iterable[str], account: str | None = None) -> AccountRead:
    """Read the account of `clients`' credentials. `account`, when given, must be that account (a
    safety check: `AuditUsageError` otherwise). Identity pools are read in each of `regions`."""
    regions = list(dict.fromkeys(regions))
    if not regions:
        raise AuditUsageError("no region: pass --region (or set one in the AWS profile or AWS_REGION)")
    caller, partition = _caller(clients, regions[0])
    if account is not None and account != caller:
        raise AuditUsageError(
            f"--account {account} is not the credentials' account ({caller}): use credentials of {account}, "
            f"or --role-name to assume an audit role there"
        )
    read = AccountRead(account=caller, partition=partition, regions=regions)
    reader = _Reader(clients)
    _providers(reader, read)
    _roles(reader, read)
    _pools(reader, read)
    return read
