"""Helpers the trust rules share: which statements federate, from which issuer, with which claims."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass

from federation_constructs.policy.document import Condition, Statement, is_literal, statements
from federation_constructs.policy.template import COGNITO, IssuerFacts, ResourceContext, issuer_facts

__all__ = [
    "COGNITO",
    "GITHUB_CONTEXT_CLAIMS",
    "GITHUB_REPOSITORY_CLAIMS",
    "FederatedTrust",
    "SubjectPattern",
    "admits",
    "allows_tag_session",
    "federated_trusts",
    "github_pins",
    "identity_sources",
    "open_subject",
    "requires_persistent",
    "restricting",
    "saml_persistent_only",
    "subject_patterns",
    "trust_statements",
]

WEB_IDENTITY = "sts:assumerolewithwebidentity"
SAML = "sts:assumerolewithsaml"


def trust_statements(context: ResourceContext) -> list[Statement]:
    """The statements of a role's trust policy."""
    return statements(context.properties.get("AssumeRolePolicyDocument"), context.index.parameters)


@dataclass(frozen=True)
class FederatedTrust:
    """One Allow statement of a trust whose principal is federated."""

    statement: Statement
    #: "oidc", "cognito" or "saml"
    kind: str
    #: the `Federated` value
    federated: str
    #: the issuer's host/path (OIDC and Cognito), when it can be told
    host_path: str | None

    @property
    def facts(self) -> IssuerFacts | None:
        return issuer_facts(self.host_path) if self.host_path else None

    def where(self) -> str:
        return f"Statement{self.statement.index}"


def federated_trusts(context: ResourceContext) -> Iterator[FederatedTrust]:
    """Every Allow statement with a `Federated` principal, one per principal value."""
    for statement in trust_statements(context):
        if not statement.allow or statement.not_principal:
            continue
        for federated in statement.principal_values("federated"):
            if context.index.is_saml_provider(federated):
                yield FederatedTrust(statement, "saml", federated, None)
            elif is_literal(federated) and federated.lower() == COGNITO:
                yield FederatedTrust(statement, "cognito", federated, COGNITO)
            else:
                yield FederatedTrust(statement, "oidc", federated, context.index.oidc_host_path(federated))


def restricting(statement: Statement, key: str) -> list[Condition]:
    """Conditions that narrow `key` to what they list: positive operators, not `...IfExists`, not
    `ForAllValues:` (true when the key is absent), with at least one value."""
    return [
        c
        for c in statement.conditions_on(key)
        if not c.negated
        and not c.if_exists
        and c.qualifier != "ForAllValues"
        and c.values
        and c.base in ("stringequals", "stringlike", "stringequalsignorecase")
    ]


def admits(condition: Condition, value: str) -> bool:
    """Whether a positive string condition's values admit `value` (wildcards for `...Like`)."""
    for pattern in condition.values:
        if not is_literal(pattern):
            continue
        if condition.wildcard:
            if fnmatch.fnmatchcase(value, pattern.replace("[", "[[]")):
                return True
        elif (pattern.lower() == value.lower()) if condition.base.endswith("ignorecase") else pattern == value:
            return True
    return False


@dataclass(frozen=True)
class SubjectPattern:
    """A literal `StringLike` subject value of an OIDC trust (a pattern the subject rules judge)."""

    trust: FederatedTrust
    facts: IssuerFacts
    subject: str

    def where(self) -> str:
        return f"{self.trust.where()}::{self.subject}"


def subject_patterns(context: ResourceContext, issuers: tuple[str, ...] | None = None) -> Iterator[SubjectPattern]:
    """Every literal subject value under a wildcard operator (`StringLike`) that restricts `sub`, in
    the OIDC trusts of the role (only for the issuers named, when given)."""
    for trust in federated_trusts(context):
        facts = trust.facts
        if trust.kind != "oidc" or facts is None or (issuers is not None and facts.name not in issuers):
            continue
        for condition in restricting(trust.statement, facts.key("sub")):
            if condition.wildcard:
                for subject in condition.values:
                    if is_literal(subject):
                        yield SubjectPattern(trust, facts, subject)


#: GitHub keys (beyond `sub`) that name the repository a token comes from (trust-only, FACTS.md)
GITHUB_REPOSITORY_CLAIMS = ("repository", "repository_id")
#: GitHub keys that name what runs in it: the branch or tag, the environment, the reusable workflow
GITHUB_CONTEXT_CLAIMS = ("ref", "environment", "job_workflow_ref")


def _pins(statement: Statement, key: str, *, owner_part: bool = False) -> bool:
    """Whether a positive condition narrows `key` to values that are not only wildcards (with
    `owner_part`, also no wildcard before the first '/', where an `OWNER/REPO` value names its owner)."""
    for condition in restricting(statement, key):
        values = [v for v in condition.values if is_literal(v)]  # a parameter's value is the author's to judge
        wild = "*?" if condition.wildcard else ""
        if any(wild and v.strip("*?") == "" for v in values):
            continue
        if owner_part and any(c in v.split("/", 1)[0] for v in values for c in wild):
            continue
        return True
    return False


def github_pins(trust: FederatedTrust) -> tuple[list[str], list[str]]:
    """The GitHub provider-specific claims a GitHub Actions trust pins instead of (or beside) `sub`:
    (repository claims, context claims), e.g. (["repository_id"], ["ref"])."""
    facts = trust.facts
    if trust.kind != "oidc" or facts is None or facts.name != "GitHub Actions":
        return [], []
    repository = [
        c for c in GITHUB_REPOSITORY_CLAIMS if _pins(trust.statement, facts.key(c), owner_part=c == "repository")
    ]
    context = [c for c in GITHUB_CONTEXT_CLAIMS if _pins(trust.statement, facts.key(c))]
    return repository, context


def open_subject(trust: FederatedTrust) -> str | None:
    """Why an OIDC trust for a CI or workload issuer admits any subject, or None when it pins one:
    no positive condition on `sub`, and (GitHub) no repository claim together with a ref,
    environment or reusable-workflow claim. A trust that only excludes subjects is FED27's."""
    facts = trust.facts
    if trust.kind != "oidc" or facts is None or "sub" not in facts.required_claims:
        return None
    statement = trust.statement
    if not statement.names_action("sts:AssumeRoleWithWebIdentity") and not statement.allows_action(
        "sts:AssumeRoleWithWebIdentity"
    ):
        return None
    sub = facts.key("sub")
    if any(c.negated for c in statement.conditions_on(sub)) or restricting(statement, sub):
        return None
    repository, context = github_pins(trust)
    if repository and context:
        return None
    open_repository = [
        facts.key(c) for c in GITHUB_REPOSITORY_CLAIMS if c not in repository and restricting(statement, facts.key(c))
    ]
    if open_repository and not repository:
        return (
            f"{trust.where()} tests {', '.join(open_repository)} only with a pattern open in the owner part (and "
            f"no {sub}): repositories of any owner that match the pattern are admitted"
        )
    if repository:
        return (
            f"{trust.where()} pins {', '.join(facts.key(c) for c in repository)} but neither the ref, the "
            f"environment nor the reusable workflow (and no {sub}): every branch, tag and pull-request "
            f"workflow of the repository is admitted"
        )
    return (
        f"{facts.name} trust in {trust.where()} has no condition on {sub}: any {facts.name} token with the "
        f"right audience is admitted, whoever's pipeline sent it"
    )


def identity_sources(context: ResourceContext) -> set[str]:
    """Where the role's sessions come from: "saml", "cognito" and the OIDC issuers' host/paths (in
    lower case; "oidc" when an issuer cannot be told)."""
    found: set[str] = set()
    for trust in federated_trusts(context):
        if trust.kind == "oidc":
            found.add(trust.host_path.lower() if trust.host_path else "oidc")
        else:
            found.add(trust.kind)
    return found


def allows_tag_session(context: ResourceContext) -> bool:
    """Whether a federated trust statement of the role allows `sts:TagSession` (session tags, the
    only way an IdP or identity pool sets `aws:PrincipalTag/*` per session)."""
    return any(t.statement.allows_action("sts:TagSession") for t in federated_trusts(context))


def saml_persistent_only(context: ResourceContext) -> bool:
    """Whether every SAML trust statement of the role requires `saml:sub_type` = `persistent`."""
    saml = [t for t in federated_trusts(context) if t.kind == "saml"]
    return bool(saml) and all(requires_persistent(t.statement) for t in saml)


def requires_persistent(statement: Statement) -> bool:
    """Whether the statement requires `saml:sub_type` = `persistent` (and nothing else)."""
    return any(
        c.base == "stringequals" and c.values and all(v == "persistent" for v in c.values)
        for c in restricting(statement, "saml:sub_type")
    )
