"""Every emitted trust is proved against the intent its construct recorded, by the z3 translation in
`federation_constructs.proof`; hand-widened trusts yield counterexamples; and thousands of concrete
requests get the same verdict from the intent, the solver, this repository's independent evaluator
(`tests/iam_matcher.py`) and, where installed, the third-party `@cloud-copilot/iam-simulate`.

Proof times are collected and printed at the end of the module (`-s` shows them); no test is timed.
"""

from __future__ import annotations

import dataclasses
import json
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, Duration, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from federation_constructs.identity_pool import IdentityPoolFederation, IdentityPoolLogins
from federation_constructs.oidc import (
    EksServiceAccountRole,
    GitHubActionsRole,
    GitHubRepository,
    GitLabCiRole,
    HcpTerraformRole,
    OidcIssuer,
    OidcProvider,
    OidcRole,
    RoleOptions,
)
from federation_constructs.policy.document import flatten
from federation_constructs.proof import TrustModel, collect_intents, prove
from federation_constructs.proof.intent import ClaimIntent, TrustIntent
from federation_constructs.saml import SamlProvider, SamlRole
from tests import iam_matcher
from tests.support import EXAMPLE, new_app

METADATA = EXAMPLE.parent / "saml" / "adfs-example-metadata.xml"
TIMES: list[float] = []


@dataclass(frozen=True)
class RoleUnderProof:
    path: str
    document: dict[str, Any]
    intent: TrustIntent


def as_arn(text: str) -> str:
    """A rendered reference (`<Logical>`, `<Logical.Arn>`) as an ARN-shaped string: evaluators
    judge principals by their ARN (iam-simulate refuses a principal without an account)."""
    return re.sub(r"<([A-Za-z0-9]+)(\.Arn)?>", r"arn:aws:iam::111122223333:oidc-provider/ref-\1", text)


def rendered(value: Any) -> Any:
    """The document with every intrinsic replaced by its rendering (`<Logical>`, then as an ARN)."""
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return as_arn(str(flatten(value)))
        return {k: rendered(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rendered(v) for v in value]
    return value


def rendered_intent(intent: TrustIntent) -> TrustIntent:
    claims = tuple(ClaimIntent(c.key, tuple(as_arn(v) for v in c.values), c.like, c.multi) for c in intent.claims)
    return dataclasses.replace(intent, federated=as_arn(intent.federated), claims=claims)


def roles_of(app: App, stacks: list[Stack]) -> list[RoleUnderProof]:
    intents = collect_intents(app)
    found = []
    for stack in stacks:
        template = Template.from_stack(stack).to_json()
        for child in stack.node.find_all():
            if isinstance(child, iam.Role) and child.node.path in intents:
                logical = stack.resolve(child.node.default_child.logical_id)  # type: ignore[union-attr]
                document = template["Resources"][logical]["Properties"]["AssumeRolePolicyDocument"]
                found.append(
                    RoleUnderProof(child.node.path, rendered(document), rendered_intent(intents[child.node.path]))
                )
    return found


@pytest.fixture(scope="module")
def example_roles(example_app: tuple[App, Stack]) -> list[RoleUnderProof]:
    app, stack = example_app
    return roles_of(app, [stack])


@pytest.fixture(scope="module")
def generated_roles() -> list[RoleUnderProof]:
    """One role per issuer and door, in a commercial and a China stack."""
    app = new_app()
    eu = Stack(app, "ProofEu", env=Environment(account="111122223333", region="eu-west-1"))
    github = OidcProvider(eu, "GitHub", issuer=OidcIssuer.github_actions())
    gitlab = OidcProvider(eu, "GitLab", issuer=OidcIssuer.gitlab())
    hcp = OidcProvider(eu, "Hcp", issuer=OidcIssuer.hcp_terraform())
    eks = OidcProvider(eu, "Eks", issuer=OidcIssuer.eks(region="eu-west-1", cluster_id="A" * 32))
    GitHubActionsRole(
        eu,
        "GhBranches",
        provider=github,
        repositories=["acme/app", "acme/site"],
        branches=["main", "release"],
        tags=["v1.0"],
        environments=["prod"],
    )
    GitHubActionsRole(
        eu,
        "GhImmutable",
        provider=github,
        environments=["prod"],
        repositories=[
            GitHubRepository(owner="acme", name="api", owner_id=101, repository_id=202, subject_format="both")
        ],
    )
    GitHubActionsRole(eu, "GhPullRequests", provider=github, repositories=["acme/docs"], pull_requests=True)
    GitLabCiRole(eu, "Gl", provider=gitlab, projects=["platform/infra", "platform/net"], refs=["main"])
    HcpTerraformRole(eu, "Tf", provider=hcp, organization="acme", workspaces=["prod-net"], run_phases=["apply"])
    EksServiceAccountRole(
        eu,
        "Irsa",
        provider=eks,
        cluster_region="eu-west-1",
        cluster_id="A" * 32,
        namespace="payments",
        service_accounts=["api", "worker"],
    )
    OidcRole(eu, "Google", issuer=OidcIssuer.google(), audiences=["123-abc.apps.googleusercontent.com"])
    pool = IdentityPoolFederation(
        eu, "Pool", logins=IdentityPoolLogins(google_client_id="123-abc.apps.googleusercontent.com"), allow_guest=True
    )
    pool.add_mapped_role("Editors")
    corp = SamlProvider(eu, "Corp", metadata_file=METADATA, name="corp")
    SamlRole(eu, "SamlGlobal", provider=corp)
    SamlRole(
        eu,
        "SamlRegional",
        provider=corp,
        sign_in=["regional", "us-east-1"],
        attribute_conditions={"saml:sub_type": "persistent", "saml:edupersonaffiliation": ["staff", "faculty"]},
    )
    cn = Stack(app, "ProofCn", env=Environment(account="111122223333", region="cn-north-1"))
    SamlRole(
        cn,
        "SamlChina",
        provider=SamlProvider(cn, "CorpCn", metadata_file=METADATA, name="corp"),
        role_options=RoleOptions(max_session_duration=Duration.hours(2)),
    )
    return roles_of(app, [eu, cn])


def _prove(role: RoleUnderProof) -> Any:
    result = prove(role.document, role.intent)
    TIMES.append(result.seconds)
    print(f"\n{role.path}: {result.status} in {result.seconds * 1000:.1f} ms")
    return result


def test_every_example_role_is_proved(example_roles: list[RoleUnderProof]) -> None:
    assert len(example_roles) == 7
    for role in example_roles:
        result = _prove(role)
        assert result.status == "proved", f"{role.path}: {result.describe()}"


def test_every_generated_role_is_proved(generated_roles: list[RoleUnderProof]) -> None:
    names = sorted(r.path.split("/")[1] for r in generated_roles)
    assert names == sorted(
        [
            "GhBranches",
            "GhImmutable",
            "GhPullRequests",
            "Gl",
            "Tf",
            "Irsa",
            "Google",
            "Pool",
            "Pool",
            "Pool",
            "SamlGlobal",
            "SamlRegional",
            "SamlChina",
        ]
    )
    for role in generated_roles:
        result = _prove(role)
        assert result.status == "proved", f"{role.path}: {result.describe()}"


# --- widened by hand: each must yield a counterexample ---------------------------------------------

GH = "token.actions.githubusercontent.com"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{GH}"
INTENT = TrustIntent(
    "oidc",
    PROVIDER,
    "sts:AssumeRoleWithWebIdentity",
    (
        ClaimIntent(f"{GH}:aud", ("sts.amazonaws.com",)),
        ClaimIntent(f"{GH}:sub", ("repo:acme/app:ref:refs/heads/main",)),
    ),
)


def github_trust(
    condition: dict[str, Any], *, action: str = "sts:AssumeRoleWithWebIdentity", principal: Any = None
) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": principal or {"Federated": PROVIDER},
                "Action": action,
                "Condition": condition,
            }
        ],
    }


AUD = {f"{GH}:aud": "sts.amazonaws.com"}
WIDENED = {
    "owner wildcard repo:acme*": github_trust({"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:acme*"}}),
    "ForAllValues on sub": github_trust(
        {"StringEquals": AUD, "ForAllValues:StringEquals": {f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}}
    ),
    "missing aud": github_trust({"StringEquals": {f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}}),
    "StringLike over a branch": github_trust(
        {"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:acme/app:ref:refs/heads/*"}}
    ),
    "IfExists on sub": github_trust(
        {"StringEquals": AUD, "StringEqualsIfExists": {f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}}
    ),
    "negated sub only": github_trust(
        {"StringEquals": AUD, "StringNotEquals": {f"{GH}:sub": "repo:evil/app:pull_request"}}
    ),
    "case-insensitive sub": github_trust(
        {"StringEquals": AUD, "StringEqualsIgnoreCase": {f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}}
    ),
    "second open statement": {
        "Version": "2012-10-17",
        "Statement": [
            github_trust({"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}})["Statement"][0],
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity"},
        ],
    },
    "wildcard federated principal": github_trust(
        {"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}}, principal={"Federated": "*"}
    ),
    "any sts action": github_trust(
        {"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}}, action="sts:*"
    ),
}


@pytest.mark.parametrize("name", list(WIDENED))
def test_a_widened_trust_yields_a_counterexample(name: str) -> None:
    result = prove(WIDENED[name], INTENT)
    TIMES.append(result.seconds)
    assert result.status == "widened", result.describe()
    example = result.counterexample
    assert example is not None
    # the counterexample is a real witness: the independent evaluator admits it, the intent does not
    claims = {k: v for k, v in example.claims.items()}
    assert iam_matcher.trust_allows(WIDENED[name], principal=example.principal, action=example.action, claims=claims)
    assert not INTENT.admits(example.principal, example.action, claims)
    print(f"\n{name} ({result.seconds * 1000:.1f} ms): {example.describe()}")


def test_a_trust_that_admits_nothing_is_dead() -> None:
    """The sub must equal main and also be absent: nothing is admitted, so nothing inside the intent."""
    dead = github_trust(
        {"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}, "Null": {f"{GH}:sub": "true"}}
    )
    assert prove(dead, INTENT).status == "dead"


def test_a_narrower_trust_that_admits_something_else_is_reported_as_wider() -> None:
    """develop instead of main: outside the intent, so a counterexample (the wider finding comes first)."""
    other = github_trust({"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/develop"}})
    result = prove(other, INTENT)
    assert result.status == "widened" and result.counterexample is not None
    assert result.counterexample.claims[f"{GH}:sub"] == "repo:acme/app:ref:refs/heads/develop"


def test_a_deny_statement_is_taken_into_account() -> None:
    trust = github_trust({"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:acme/app:*"}})
    trust["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringNotEquals": {f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}},
        }
    )
    assert prove(trust, INTENT).status == "proved"


# --- differential: intent, solver, independent evaluators ------------------------------------------


def _variants(claim: ClaimIntent) -> Iterator[str | list[str] | None]:
    """Values inside the claim's intent, then near misses."""
    base = [v.replace("*", "x").replace("?", "y") for v in claim.values]
    yield from base
    yield None
    for value in base[:3]:
        yield from sorted(
            {
                value + "-evil",
                value.upper(),
                value + "/extra",
                value[:-1],
                "x" + value,
                value + ":pull_request",
                value.replace("/", "-evil/", 1),
                value.replace("refs/heads/", "refs/tags/"),
                value.replace(":ref:", ":environment:"),
                value.replace("authenticated", "unauthenticated"),
                value.replace("unauthenticated", "authenticated"),
                value.replace("signin.aws", "eu-west-1.signin.aws"),
                value.replace("eu-west-1", "eu-west-2"),
                "",
            }
            - {value}
        )
    if claim.multi:
        yield [base[0], "other"]
        yield ["other"]


def requests_for(intent: TrustIntent) -> Iterator[tuple[str, str, dict[str, Any]]]:
    inside = {c.key: c.values[0].replace("*", "x").replace("?", "y") for c in intent.claims}
    for principal in (
        intent.federated,
        "arn:aws:iam::999999999999:oidc-provider/evil.example.com",
        "cognito-identity.amazonaws.com",
    ):
        for action in (intent.action, "sts:AssumeRole"):
            yield principal, action, dict(inside)
    for claim in intent.claims:
        for value in _variants(claim):
            for other in intent.claims:
                if other is claim:
                    continue
                for other_value in list(_variants(other))[:6]:
                    yield intent.federated, intent.action, {**inside, claim.key: value, other.key: other_value}
            yield intent.federated, intent.action, {**inside, claim.key: value}


def test_differential_requests_agree_across_intent_solver_and_evaluators(
    example_roles: list[RoleUnderProof], generated_roles: list[RoleUnderProof]
) -> None:
    from tests import iam_simulate

    cases: list[dict[str, Any]] = []
    verdicts: list[tuple[str, tuple[str, str, dict[str, Any]], bool, bool, bool]] = []
    for role in example_roles + generated_roles:
        model = TrustModel(role.document, role.intent)
        seen: set[str] = set()
        for principal, action, context in requests_for(role.intent):
            key = json.dumps([principal, action, context], sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            multi = {c.key.lower() for c in role.intent.claims if c.multi}
            context = {k: ([v] if isinstance(v, str) and k.lower() in multi else v) for k, v in context.items()}
            expected = role.intent.admits(principal, action, context)
            solver = model.admits(principal, action, context)
            matcher = iam_matcher.trust_allows(role.document, principal=principal, action=action, claims=context)
            verdicts.append((role.path, (principal, action, context), expected, solver, matcher))
            cases.append(
                {
                    "policy": role.document,
                    "principal": principal,
                    "principalType": "Federated",
                    "action": action,
                    "context": {k: v for k, v in context.items() if v is not None},
                }
            )
    simulated: list[bool | None] = [None] * len(cases)
    if iam_simulate.available():
        # iam-simulate never admits the built-in web identity principals (accounts.google.com, ...):
        # it wants an account for every principal (tests/iam_simulate/README.md); those are left to the others
        judged = [
            i
            for i, c in enumerate(cases)
            if c["principal"].startswith("arn:")
            or c["principal"].endswith(".amazonaws.com")
            or not _builtin_role(verdicts[i][0], example_roles + generated_roles)
        ]
        for i, verdict in zip(judged, iam_simulate.evaluate_trusts([cases[i] for i in judged]), strict=True):
            simulated[i] = verdict
    disagreements = [
        (path, request, expected, solver, matcher, sim)
        for (path, request, expected, solver, matcher), sim in zip(verdicts, simulated, strict=True)
        if not (expected == solver == matcher) or (sim is not None and sim != expected)
    ]
    print(f"iam-simulate judged {sum(s is not None for s in simulated)} of {len(cases)} requests")
    print(
        f"\ndifferential requests: {len(verdicts)} over {len(example_roles) + len(generated_roles)} roles; "
        f"iam-simulate {'on' if iam_simulate.available() else 'not installed'}; disagreements: {len(disagreements)}"
    )
    assert len(verdicts) >= 2000
    for role in example_roles + generated_roles:  # both sides exercised, for every role
        mine = [v[2] for v in verdicts if v[0] == role.path]
        assert sum(mine) >= 1 and len(mine) - sum(mine) >= 10, (role.path, sum(mine), len(mine))
    assert not disagreements, "\n".join(
        f"{path}: {request}: intent={e} solver={s} iam_matcher={m} iam-simulate={sim}"
        for path, request, e, s, m, sim in disagreements[:20]
    )


def _builtin_role(path: str, roles: list[RoleUnderProof]) -> bool:
    """A role trusting a built-in web identity provider (its principal is not an ARN)."""
    return any(
        r.path == path and not r.intent.federated.startswith("arn:") and "amazonaws.com" not in r.intent.federated
        for r in roles
    )


def test_proof_times(request: pytest.FixtureRequest) -> None:
    """Not a timed test: prints the median and worst proof time of this module's proofs."""
    if TIMES:
        print(
            f"\nproofs: {len(TIMES)}, median {statistics.median(TIMES) * 1000:.1f} ms, worst {max(TIMES) * 1000:.1f} ms"
        )


def test_compare_treats_an_unmodelled_condition_as_a_shared_unknown_never_missing_its_removal() -> None:
    """A numeric or date condition the solver does not read: kept as it was, no change; removed, the
    trust is wider (a widening is never missed); the comparison says which operators it could not read."""
    from federation_constructs.proof import compare

    def trust(*extra: dict) -> dict:
        condition = {
            "StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main",
            }
        }
        for more in extra:
            condition.update(more)
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": condition,
                    "Principal": {
                        "Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
                    },
                }
            ],
        }

    dated = {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}
    same = compare(trust(dated), trust({"datelessthan": {"AWS:CurrentTime": "2030-01-01T00:00:00Z"}}))
    assert same.status == "unchanged" and "DateLessThan" in same.detail
    removed = compare(trust(dated), trust())
    assert removed.status == "widened" and removed.wider is not None
    assert compare(trust(), trust(dated)).status == "narrowed"
    moved = compare(trust(dated), trust({"DateLessThan": {"aws:CurrentTime": "2031-01-01T00:00:00Z"}}))
    assert moved.status == "changed"  # compared as written: reported both ways, never as unchanged


# --- the outcomes beyond no widening: equal, within, unbounded --------------------------------------


def test_a_trust_equal_to_its_intent_is_proved_equal() -> None:
    trust = github_trust({"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}})
    result = prove(trust, INTENT)
    assert result.status == "proved" and result.equal is True
    assert result.describe() == "proved equal: admits every request inside the declared intent and nothing beyond it"


def test_a_trust_that_refuses_declared_values_is_within_intent_and_says_which() -> None:
    """main and develop declared, main trusted: no widening, not dead, but not equal."""
    intent = dataclasses.replace(
        INTENT,
        claims=(
            ClaimIntent(f"{GH}:aud", ("sts.amazonaws.com",)),
            ClaimIntent(f"{GH}:sub", ("repo:acme/app:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/develop")),
        ),
    )
    trust = github_trust({"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}})
    result = prove(trust, intent)
    assert result.status == "within" and result.equal is False
    assert result.refused == {f"{GH}:sub": ("repo:acme/app:ref:refs/heads/develop",)}
    assert result.counterexample is not None
    assert result.counterexample.claims[f"{GH}:sub"] == "repo:acme/app:ref:refs/heads/develop"
    text = result.describe()
    assert text.startswith("proved within intent: admits nothing beyond the declared intent and some of it")
    assert "'repo:acme/app:ref:refs/heads/develop'" in text


def test_an_intent_without_the_subject_is_unbounded_never_proved() -> None:
    """The shape of the old GitHub intent (issue 18): the trust binds `main`, the intent no sub at all.
    No widening and not dead, but the intent admits every repository: nothing is proved."""
    intent = dataclasses.replace(INTENT, claims=(ClaimIntent(f"{GH}:aud", ("sts.amazonaws.com",)),))
    trust = github_trust({"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}})
    result = prove(trust, intent)
    assert result.status == "unbounded" and result.free == (f"{GH}:sub",)
    assert result.describe().startswith(f"UNBOUNDED: the declared intent leaves `{GH}:sub` free")
    any_subject = dataclasses.replace(INTENT, claims=(INTENT.claims[0], ClaimIntent(f"{GH}:sub", ("*",), like=True)))
    assert prove(github_trust({"StringEquals": AUD, "StringLike": {f"{GH}:sub": "*"}}), any_subject).status == (
        "unbounded"
    )


def test_cognito_and_saml_intents_without_their_audience_are_unbounded() -> None:
    pool = "cognito-identity.amazonaws.com"
    cognito_trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": pool},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{pool}:aud": "us-east-1:11111111-2222-3333-4444-555555555555"},
                    "ForAnyValue:StringLike": {f"{pool}:amr": "authenticated"},
                },
            }
        ]
    }
    no_pool = TrustIntent(
        "cognito", pool, "sts:AssumeRoleWithWebIdentity", (ClaimIntent(f"{pool}:amr", ("authenticated",), multi=True),)
    )
    assert prove(cognito_trust, no_pool).free == (f"{pool}:aud",)
    provider = "arn:aws:iam::111122223333:saml-provider/corp"
    saml_trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            }
        ]
    }
    no_endpoint = TrustIntent("saml", provider, "sts:AssumeRoleWithSAML", ())
    result = prove(saml_trust, no_endpoint)
    assert result.status == "unbounded" and result.free == ("SAML:aud",)


def test_session_tags_are_part_of_the_intent() -> None:
    """A trust that allows sts:TagSession is equal to an intent that records session tags, and wider
    than one that does not."""
    trust = github_trust(
        {"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}},
        action=["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],  # type: ignore[arg-type]
    )
    assert prove(trust, INTENT).status == "widened"
    assert prove(trust, dataclasses.replace(INTENT, other_actions=("sts:TagSession",))).status == "proved"


def test_report_words_come_from_one_function() -> None:
    """The access report stores what `verdict.proof_words` words again: the same sentence."""
    from federation_constructs.proof.verdict import proof_words

    dead = github_trust(
        {"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}, "Null": {f"{GH}:sub": "true"}}
    )
    equal = github_trust({"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}})
    for trust in (equal, WIDENED["missing aud"], dead):
        result = prove(trust, INTENT)
        assert proof_words(result.to_json()) == result.describe() == result.to_json()["text"]


# --- explain: bounded and unbounded keys, worded per operator ---------------------------------------

COGNITO = "cognito-identity.amazonaws.com"


def cognito_trust(amr_operator: str) -> dict[str, Any]:
    return {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": COGNITO},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{COGNITO}:aud": "us-east-1:11111111-2222-3333-4444-555555555555"},
                    amr_operator: {f"{COGNITO}:amr": "authenticated"},
                },
            }
        ]
    }


def test_explain_reads_foranyvalue_amr_authenticated_as_bounded() -> None:
    """What IdentityPoolFederation emits (and AWS documents): a request must carry `authenticated`,
    whatever else its amr holds; the condition is false when amr is absent."""
    from federation_constructs.proof import explain

    result = explain(cognito_trust("ForAnyValue:StringLike"), keys=[f"{COGNITO}:aud", f"{COGNITO}:amr"])
    assert result.admits_anything and result.unbounded == {}


def test_explain_words_missing_key_semantics_per_set_operator() -> None:
    from federation_constructs.proof import explain
    from federation_constructs.proof.verdict import explain_key_sentence

    result = explain(cognito_trust("ForAllValues:StringLike"), keys=[f"{COGNITO}:amr"])
    assert list(result.unbounded) == [f"{COGNITO}:amr"]
    assert result.unbounded[f"{COGNITO}:amr"].claims[f"{COGNITO}:amr"] is None  # absent
    assert "is true when the key is absent" in result.why[f"{COGNITO}:amr"]
    sentence = explain_key_sentence(f"{COGNITO}:amr", None, result.why[f"{COGNITO}:amr"])
    assert sentence.startswith(f"UNBOUNDED: {COGNITO}:amr may be absent: `ForAllValues:StringLike` in Statement0")
    pattern = explain(github_trust({"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:acme/*"}}))
    assert "the pattern 'repo:acme/*'" in pattern.why[f"{GH}:sub"]
    missing = explain(github_trust({"StringEquals": AUD}), keys=[f"{GH}:sub"])
    assert missing.why[f"{GH}:sub"].startswith("no condition in Statement0 names it")


# --- dead trusts (FED35) ------------------------------------------------------------------------------


def test_dead_statements_say_why() -> None:
    from federation_constructs.proof.model import TokenFact, dead_statements

    split = github_trust(
        {
            "StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"},
            "StringLike": {f"{GH}:sub": "repo:acme/app:environment:*"},
        }
    )
    (reason,) = dead_statements(split, [(0, PROVIDER, ())]).values()
    assert reason.startswith(f"its conditions on {GH}:sub contradict each other")
    form = TokenFact(f"{GH}:sub", ("*:*",), "GitHub Actions subjects are claim:value pairs")
    no_prefix = github_trust({"StringEquals": {**AUD, f"{GH}:sub": "acme/app"}})
    (reason,) = dead_statements(no_prefix, [(0, PROVIDER, (form,))]).values()
    assert reason.startswith("no token can match it: GitHub Actions subjects are claim:value pairs")
    assert dead_statements(no_prefix, [(0, PROVIDER, ())]) == {}  # without the fact it admits `acme/app`
    denied = github_trust({"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:pull_request"}})
    denied["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {f"{GH}:sub": "*:pull_request"}},
        }
    )
    assert dead_statements(denied, [(0, PROVIDER, (form,))]) == {
        (0, PROVIDER): "the Deny in Statement1 covers every request it admits"
    }
    alive = github_trust({"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}})
    assert dead_statements(alive, [(0, PROVIDER, (form,))]) == {}


def test_the_fast_path_of_dead_statements_agrees_with_the_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    """FED35 first tries one request built from the statement's own values (no solver); on every
    corpus template the verdicts are the ones the solver alone gives."""
    from federation_constructs.proof import model
    from federation_constructs.rules import lint_template, rule
    from tests.test_lint_corpus import ALL_FILES, load

    fed35 = [rule("FED35")]
    with_fast_path = {
        p.name: {(f.logical_id, f.detail) for f in lint_template(load(p).template, fed35)} for p in ALL_FILES
    }
    monkeypatch.setattr(model.TrustModel, "_holds", lambda self, request, *formulas: False)
    solver_only = {
        p.name: {(f.logical_id, f.detail) for f in lint_template(load(p).template, fed35)} for p in ALL_FILES
    }
    assert with_fast_path == solver_only
    assert sum(bool(v) for v in solver_only.values()) >= 5
