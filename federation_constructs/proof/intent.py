"""Declared intent: what a federated role is meant to admit, as data.

Each role construct records a `TrustIntent` from the values its user declared (repositories,
branches, environments, projects, SAML endpoints, the pool and sign-in state), formatted here from
the issuers' documented token layouts, not from the code that writes the trust policy. The proofs
(`federation_constructs.proof`) check the emitted trust against it; the access report shows it.

Semantics of an intent: a request (principal, action, claim values) is inside it when the principal
is `federated`, the action is `action` (or one of `other_actions`: `sts:TagSession` where session
tags are allowed), and every `ClaimIntent` holds: the claim is present and its value is one of
`values` (for `like`: matches one of them as an IAM glob); for a multi-valued claim, at least one of
the request's values does.

Constructs resolve their defaults once (GitHub's `main` branch, GitLab's `main` ref, HCP Terraform's
"Default Project", the issuer's default audience, the partition's sign-in endpoint) and pass the
same resolved values to the code that writes the trust and to the functions here: an intent never
leaves out a claim the trust binds.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "ClaimIntent",
    "TokenFact",
    "TrustIntent",
    "cognito_intent",
    "github_subjects",
    "gitlab_subjects",
    "hcp_subjects",
    "eks_subjects",
    "saml_intent",
]

Kind = Literal["oidc", "cognito", "saml", "aws"]

#: allowed next to the assume action when session tags may be passed
TAG_SESSION = "sts:TagSession"


@dataclass(frozen=True)
class ClaimIntent:
    """The values one claim (condition key) may take."""

    key: str
    values: tuple[str, ...]
    #: values are IAM globs (`*`, `?`), as declared with an explicit opt-in
    like: bool = False
    #: the claim holds a set (Cognito `amr`, SAML multi-valued attributes): one value must match
    multi: bool = False

    def admits(self, value: str | Sequence[str] | None) -> bool:
        if value is None:
            return False
        given = [value] if isinstance(value, str) else list(value)
        if not given:
            return False
        if self.like:
            return any(fnmatch.fnmatchcase(v, p.replace("[", "[[]")) for v in given for p in self.values)
        return any(v in self.values for v in given)


@dataclass(frozen=True)
class TrustIntent:
    """What one role is meant to admit."""

    kind: Kind
    #: the principal the trust names, as rendered in the template (an ARN, a web identity name)
    federated: str
    action: str
    claims: tuple[ClaimIntent, ...]
    #: what the user declared, in their own terms (for reports)
    declared: Mapping[str, Any] = field(default_factory=dict)
    opt_ins: tuple[str, ...] = ()
    #: actions the trust allows on the same conditions besides `action` (`sts:TagSession` when
    #: session tags are allowed)
    other_actions: tuple[str, ...] = ()
    #: condition keys every trust for this issuer must bind (its audience, and `sub` where callers
    #: choose their audience); empty: the proof takes them from the issuer's facts
    required_keys: tuple[str, ...] = ()

    @property
    def actions(self) -> tuple[str, ...]:
        """`action` and `other_actions`."""
        return (self.action, *self.other_actions)

    def admits(self, principal: str, action: str, context: Mapping[str, str | Sequence[str] | None]) -> bool:
        """Whether a request is inside the intent (claim keys compared case-insensitively)."""
        if principal != self.federated or action.lower() not in {a.lower() for a in self.actions}:
            return False
        lowered = {k.lower(): v for k, v in context.items()}
        return all(claim.admits(lowered.get(claim.key.lower())) for claim in self.claims)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["declared"] = dict(self.declared)
        return data

    def with_principal(self, federated: str) -> TrustIntent:
        return replace(self, federated=federated)


# --- subjects from declared values, per the issuers' documented token layouts ------------------


def github_subjects(
    repositories: Iterable[tuple[str, str, int | None, int | None, str]],
    *,
    branches: Sequence[str],
    tags: Sequence[str],
    environments: Sequence[str],
    pull_requests: bool,
) -> list[str]:
    """GitHub Actions `sub` values: `repo:OWNER/REPO:<context>` (and the immutable
    `repo:OWNER@OWNER_ID/REPO@REPO_ID:<context>` form), for (owner, repo, owner id, repo id, format),
    from the resolved branches (the default `main` already applied), tags, environments."""
    contexts = (
        [f"ref:refs/heads/{b}" for b in branches]
        + [f"ref:refs/tags/{t}" for t in tags]
        + [f"environment:{e}" for e in environments]
        + (["pull_request"] if pull_requests else [])
    )
    found = []
    for owner, repo, owner_id, repo_id, form in repositories:
        prefixes = []
        if form in ("name", "both"):
            prefixes.append(f"repo:{owner}/{repo}")
        if form in ("immutable", "both"):
            prefixes.append(f"repo:{owner}@{owner_id}/{repo}@{repo_id}")
        found += [f"{prefix}:{context}" for prefix in prefixes for context in contexts]
    return found


def gitlab_subjects(projects: Sequence[str], *, ref_type: str, refs: Sequence[str]) -> list[str]:
    """GitLab `sub`: `project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF`."""
    return [f"project_path:{p}:ref_type:{ref_type}:ref:{r}" for p in projects for r in refs]


def hcp_subjects(
    organization: str, *, projects: Sequence[str], workspaces: Sequence[str], run_phases: Sequence[str]
) -> list[str]:
    """HCP Terraform `sub`: `organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE`."""
    return [
        f"organization:{organization}:project:{p}:workspace:{w}:run_phase:{r}"
        for p in projects
        for w in workspaces
        for r in run_phases
    ]


def eks_subjects(namespace: str, service_accounts: Sequence[str]) -> list[str]:
    """EKS `sub`: `system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT`."""
    return [f"system:serviceaccount:{namespace}:{sa}" for sa in service_accounts]


def cognito_intent(pool_id: str, amr: str, *, session_tags: bool, opt_ins: Sequence[str] = ()) -> TrustIntent:
    """Identities of one identity pool in one sign-in state."""
    return TrustIntent(
        required_keys=("cognito-identity.amazonaws.com:aud", "cognito-identity.amazonaws.com:amr"),
        other_actions=(TAG_SESSION,) if session_tags else (),
        kind="cognito",
        federated="cognito-identity.amazonaws.com",
        action="sts:AssumeRoleWithWebIdentity",
        claims=(
            ClaimIntent("cognito-identity.amazonaws.com:aud", (pool_id,)),
            ClaimIntent("cognito-identity.amazonaws.com:amr", (amr,), multi=True),
        ),
        declared={"identity_pool": pool_id, "amr": amr, "session_tags": session_tags},
        opt_ins=tuple(opt_ins),
    )


def saml_intent(
    provider: str,
    endpoints: Sequence[str],
    attributes: Mapping[str, Sequence[str]],
    multi_valued: Iterable[str],
    *,
    session_tags: bool,
) -> TrustIntent:
    """Users of one SAML provider posting to the given endpoints, with the given attribute values."""
    multi = {k.lower() for k in multi_valued}
    claims = [ClaimIntent("SAML:aud", tuple(endpoints))]
    claims += [ClaimIntent(key, tuple(values), multi=key.lower() in multi) for key, values in attributes.items()]
    return TrustIntent(
        required_keys=("SAML:aud",),
        other_actions=(TAG_SESSION,) if session_tags else (),
        kind="saml",
        federated=provider,
        action="sts:AssumeRoleWithSAML",
        claims=tuple(claims),
        declared={
            "sign_in": list(endpoints),
            "attributes": {k: list(v) for k, v in attributes.items()},
            "session_tags": session_tags,
        },
    )


@dataclass(frozen=True)
class TokenFact:
    """What every request of an issuer carries for one condition key: the key, with one value that
    matches one of `accepts` (IAM globs). `why` says so in words, with its source. (Plain data, here
    so that rules can state facts without loading the solver.)"""

    key: str
    accepts: tuple[str, ...]
    why: str
