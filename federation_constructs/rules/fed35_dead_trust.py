"""FED35: a federated trust statement that admits no request at all (a dead trust), found with the z3
solver (`federation_constructs.proof.model.dead_statements`), with the reason in plain words.

A dead trust looks harmless, but the role does not work, and the usual "fix" under time pressure is to
loosen the trust until something gets in. The solver reads the statement with IAM's condition
semantics, together with the other statements' Denies and what every token of the issuer carries:

- the conditions on one key contradict each other (`StringEquals sub = a` and `Null sub = true`;
  `StringEquals aud = x` and `StringNotEquals aud = x`);
- a required value no token of that issuer can carry: a `sub` outside the issuer's documented form, a
  Cognito `aud` that is not an identity pool id, a `SAML:aud` that is not an https endpoint, an audience
  the provider's `ClientIdList` in the same template does not list (reported by FED43 when that rule is
  installed; FED35 then stays silent on that statement);
- a Deny statement that covers the Allow.

What every token carries (each condition key present, with one value of the form given):
- GitHub Actions `sub`: `repo:OWNER/REPO:<context>` by default; a customized subject is still a list
  of `claim:value` pairs (claim keys of letters, digits and `_`), so it always holds a `:` (GitHub,
  "OpenID Connect reference": https://docs.github.com/en/actions/reference/security/oidc; REST
  "Set the customization template for an OIDC subject claim":
  https://docs.github.com/en/rest/actions/oidc);
- GitLab CI `sub`: `project_path:GROUP/PROJECT:ref_type:...:ref:...`, checked only for the `:` of its
  key:value pairs (https://docs.gitlab.com/ci/secrets/id_token_authentication/);
- HCP Terraform `sub`: `organization:ORG:project:...:workspace:...:run_phase:...`
  (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens);
- EKS service accounts `sub`: `system:serviceaccount:NAMESPACE:NAME`
  (https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html);
- Cognito identity pools `cognito-identity.amazonaws.com:aud`: the identity pool id, `REGION:GUID`
  (https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_IdentityPoolShortDescription.html);
- SAML `SAML:aud`: the assertion's Recipient, an https sign-in endpoint
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml);
- an OIDC provider's audience: one of its `ClientIdList`
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html).
A fact is left out where the statement's values on that key are not literal (a parameter without a
default, a `Ref`): the solver never judges a value it cannot read. Keys a token never carries (a claim
STS does not evaluate) are FED37's. Only roles with a federated trust reach the solver.
"""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Iterator, Sequence

from federation_constructs.policy.document import Condition, as_list, is_literal, statements
from federation_constructs.policy.template import COGNITO
from federation_constructs.policy.trust import FederatedTrust, admits, federated_trusts
from federation_constructs.proof.intent import TokenFact
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

#: issuer name (`IssuerFacts.name`) -> (IAM globs every `sub` of its tokens matches, the form in words)
SUBJECT_FORMS: dict[str, tuple[tuple[str, ...], str]] = {
    "GitHub Actions": (("*:*",), "GitHub Actions subjects are claim:value pairs (repo:OWNER/REPO:...)"),
    "GitLab CI": (("*:*",), "GitLab CI subjects are key:value pairs (project_path:GROUP/PROJECT:ref_type:...)"),
    "HCP Terraform": (("organization:*",), "HCP Terraform subjects start with organization:"),
    "EKS service accounts": (
        ("system:serviceaccount:*:*",),
        "EKS service-account subjects are system:serviceaccount:NAMESPACE:NAME",
    ),
}
_PROVIDER_TYPES = ("AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider")
#: the rule that reports an audience the provider does not register, when it is installed
_AUDIENCE_RULE = "federation_constructs.rules.fed43_audience_not_registered"


def _facts(trust: FederatedTrust, context: ResourceContext) -> list[TokenFact]:
    if trust.kind == "cognito":
        return [
            TokenFact(
                f"{COGNITO}:aud",
                ("*:*",),
                f"{COGNITO}:aud is the identity pool id (REGION:GUID), not a user pool id or app client id",
            )
        ]
    if trust.kind == "saml":
        return [TokenFact("saml:aud", ("https://*",), "SAML:aud is the assertion's Recipient, an https endpoint")]
    facts = trust.facts
    if facts is None:
        return []
    found: list[TokenFact] = []
    form = SUBJECT_FORMS.get(facts.name)
    if form is not None:
        found.append(TokenFact(facts.key("sub"), form[0], form[1]))
    index = context.index
    provider = index.target(trust.federated)
    if provider is not None and index.type_of(provider) in _PROVIDER_TYPES:
        props = index.properties(provider)
        ids = [index.flatten(v) for v in as_list(props.get("ClientIdList", props.get("ClientIDList")))]
        if all(is_literal(v) for v in ids):
            key = facts.key(facts.audience_claim)
            listed = ", ".join(repr(v) for v in ids) or "none"
            found.append(
                TokenFact(key, tuple(ids), f"provider {provider} registers the audiences {listed} (ClientIdList)")
            )
    return found


def _reported_by_audience_rule(context: ResourceContext, where: str) -> bool:
    try:
        module = importlib.import_module(_AUDIENCE_RULE)
    except ImportError:
        return False
    return any(hit.finding.startswith(f"{where}::") for hit in module.RULE.check(context))


_PLAIN = ("stringequals", "stringequalsignorecase", "stringlike")


def _sample(value: str) -> str:
    """A concrete value an IAM glob matches (`*` and `?` filled in)."""
    return value.replace("*", "x").replace("?", "x")


def plainly_alive(trust: FederatedTrust, facts: Sequence[TokenFact]) -> bool:
    """Whether a request made of the statement's own values passes it and carries what every token of
    the issuer carries, judged without the solver. Every condition must be a positive string test
    (unqualified, or `ForAnyValue:`/`ForAllValues:`, which a request holding just that one value for the
    key passes alike); the value chosen for each key (its first condition's first value) must pass every
    condition on the key; a key tested with a value that is not literal (a `Ref`) must be tested by that
    one condition only (the request carries what it resolves to; no fact is judged there, as the solver
    does not judge one); each other fact's key must hold a value of its form. True only when that
    request exists; False means: ask the solver (it proves deadness)."""
    statement = trust.statement
    if not statement.actions or statement.not_actions:
        return False
    by_key: dict[str, list[Condition]] = {}
    for condition in statement.conditions:
        if condition.if_exists or condition.base not in _PLAIN or not condition.values:
            return False
        by_key.setdefault(condition.key, []).append(condition)
    chosen: dict[str, str] = {}
    opaque: set[str] = set()
    for key, conditions in by_key.items():
        if not all(is_literal(v) for c in conditions for v in c.values):
            if len(conditions) > 1:
                return False
            opaque.add(key)
            continue
        first = conditions[0].values[0]
        chosen[key] = _sample(first) if conditions[0].wildcard else first
        if not all(admits(c, chosen[key]) for c in conditions):
            return False
    for fact in facts:
        key = fact.key.lower()
        if key in opaque:
            continue
        if not fact.accepts:
            return False
        value = chosen.get(key, _sample(fact.accepts[0]))
        if not any(fnmatch.fnmatchcase(value, pattern.replace("[", "[[]")) for pattern in fact.accepts):
            return False
    return True


def check(context: ResourceContext) -> Iterator[Hit]:
    trusts = list(federated_trusts(context))
    if not trusts:
        return
    facts = {id(t): _facts(t, context) for t in trusts}
    document = context.properties.get("AssumeRolePolicyDocument")
    if all(s.allow for s in statements(document, context.index.parameters)):  # no Deny to escape
        trusts = [t for t in trusts if not plainly_alive(t, facts[id(t)])]
        if not trusts:
            return  # the solver (and loading z3) is needed only for a statement not plainly alive
    from federation_constructs.proof.model import dead_statements

    dead = dead_statements(
        context.properties.get("AssumeRolePolicyDocument"),
        [(t.statement.index, t.federated, facts[id(t)]) for t in trusts],
        context.index.parameters,
    )
    for trust in trusts:
        reason = dead.get((trust.statement.index, trust.federated))
        if reason is None or _reported_by_audience_rule(context, trust.where()):
            continue
        several = len(trust.statement.principal_values("federated")) > 1
        finding = f"{trust.where()}::{trust.federated}" if several else trust.where()
        who = f" for {trust.federated}" if several else ""
        yield Hit(finding, f"{trust.where()} admits no request at all{who}: {reason}")


RULE = Rule(
    id="FED35",
    level="error",
    title="Federated trust that admits no request at all (a dead trust)",
    fix="Make the conditions say what the tokens carry: one operator per claim with the values meant, the "
    "issuer's documented subject form, an audience the provider registers; remove a Deny that covers the Allow",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
