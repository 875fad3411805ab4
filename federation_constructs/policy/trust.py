"""Helpers the trust rules share: which statements federate, from which issuer, with which claims."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass

from federation_constructs.policy.document import Condition, Statement, is_literal, statements
from federation_constructs.policy.template import COGNITO, IssuerFacts, ResourceContext, issuer_facts

__all__ = [
    "COGNITO",
    "FederatedTrust",
    "SubjectPattern",
    "subject_patterns",
    "admits",
    "federated_trusts",
    "restricting",
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
