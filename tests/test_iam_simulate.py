"""Pins how faithfully `@cloud-copilot/iam-simulate` (via `tests/iam_simulate.py`) follows IAM.

Every case states the verdict IAM's documentation gives. Where the library disagrees, the case is
marked ``xfail(strict=True, reason="iam-simulate: ...")`` rather than adjusted, so a library
upgrade that fixes it turns the run red and the mark must go. Findings are listed in
``tests/iam_simulate/README.md``. All cases run in ONE Node process (a module-scoped fixture).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.iam_simulate import IamSimulateError, available, evaluate, evaluate_trusts, unavailable_reason

REPO = Path(__file__).resolve().parents[1]
requires_evaluator = pytest.mark.skipif(not available(), reason=unavailable_reason() or "")

ACCOUNT = "111122223333"
GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
GITLAB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"
COGNITO = "cognito-identity.amazonaws.com"
SAML_PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
SAML = "sts:AssumeRoleWithSAML"
ASSUME_ROLE = "sts:AssumeRole"
AUD = "token.actions.githubusercontent.com:aud"
SUB = "token.actions.githubusercontent.com:sub"
AMR = "cognito-identity.amazonaws.com:amr"
POOL_AUD = "cognito-identity.amazonaws.com:aud"
POOL_ID = "eu-west-1:0f0e0d0c-1111-2222-3333-444455556666"
MAIN = "repo:acme/app:ref:refs/heads/main"
SIGNIN = "https://signin.aws.amazon.com/saml"


def trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(
    principal: dict[str, Any],
    action: str = WEB_IDENTITY,
    condition: dict[str, Any] | None = None,
    effect: str = "Allow",
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect, "Principal": principal, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def github(condition: dict[str, Any]) -> dict[str, Any]:
    """A trust policy for the GitHub provider with one Allow statement under `condition`."""
    return trust(allow({"Federated": GITHUB}, condition=condition))


def token(sub: str | None = MAIN, aud: str | None = "sts.amazonaws.com") -> dict[str, str]:
    return {k: v for k, v in ((SUB, sub), (AUD, aud)) if v is not None}


# A GitHub Actions trust: audience pinned exactly, subject pinned to one branch (under StringLike,
# as many hand-written trusts have it; the constructs emit StringEquals for exact subjects).
GITHUB_TRUST = github({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: MAIN}})
# A Cognito identity-pool trust for authenticated identities.
COGNITO_TRUST = trust(
    allow(
        {"Federated": COGNITO},
        condition={"StringEquals": {POOL_AUD: POOL_ID}, "ForAnyValue:StringLike": {AMR: "authenticated"}},
    )
)
COGNITO_AUTHENTICATED = [
    "authenticated",
    "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
    "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc:CognitoSignIn:uuid",
]
SAML_TRUST = trust(allow({"Federated": SAML_PROVIDER}, SAML, {"StringEquals": {"SAML:aud": SIGNIN}}))


@dataclass(frozen=True)
class Case:
    """One request against one trust policy, and the verdict IAM documents for it."""

    id: str
    policy: dict[str, Any]
    context: dict[str, Any]
    expected: bool
    principal: str = GITHUB
    principal_type: str = "Federated"
    action: str = WEB_IDENTITY
    decision: str | None = None  # also pin the library's decision string when it matters
    xfail: str | None = None  # "iam-simulate: ..." where the library disagrees with IAM
    extra: dict[str, Any] = field(default_factory=dict)

    def request(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "principal": self.principal,
            "principalType": self.principal_type,
            "action": self.action,
            "context": self.context,
            **self.extra,
        }


CASES: list[Case] = [
    # --- GitHub Actions trust: StringEquals aud + StringLike sub pinned to one branch ---------------
    Case("github/right-token", GITHUB_TRUST, token(), True),
    Case("github/other-repo", GITHUB_TRUST, token(sub="repo:acme/other:ref:refs/heads/main"), False),
    Case("github/lookalike-owner", GITHUB_TRUST, token(sub="repo:acme-evil/app:ref:refs/heads/main"), False),
    Case("github/missing-sub", GITHUB_TRUST, token(sub=None), False),
    Case("github/missing-aud", GITHUB_TRUST, token(aud=None), False),
    Case("github/wrong-aud", GITHUB_TRUST, token(aud="sts.amazonaws.com.evil"), False),
    Case("github/pull-request", GITHUB_TRUST, token(sub="repo:acme/app:pull_request"), False),
    Case("github/other-branch", GITHUB_TRUST, token(sub="repo:acme/app:ref:refs/heads/dev"), False),
    # --- StringLike wildcards -----------------------------------------------------------------------
    Case(
        "like/owner-wildcard-admits",
        github({"StringLike": {SUB: "repo:acme/*"}}),
        token(sub="repo:acme/x:ref:refs/heads/y"),
        True,
    ),
    Case(
        "like/owner-wildcard-keeps-owner",
        github({"StringLike": {SUB: "repo:acme/*"}}),
        token(sub="repo:acme-evil/x:ref:refs/heads/y"),
        False,
    ),
    Case(
        "like/star-spans-slash-and-colon",
        github({"StringLike": {SUB: "repo:*:environment:prod"}}),
        token(sub="repo:acme/app/sub:x:environment:prod"),
        True,
    ),
    Case("like/star-matches-empty", github({"StringLike": {SUB: "repo:acme/app*"}}), token(sub="repo:acme/app"), True),
    Case("like/question-one-char", github({"StringLike": {SUB: "repo:acme/ap?"}}), token(sub="repo:acme/app"), True),
    Case("like/question-not-zero", github({"StringLike": {SUB: "repo:acme/ap?"}}), token(sub="repo:acme/ap"), False),
    Case("like/question-not-two", github({"StringLike": {SUB: "repo:acme/ap?"}}), token(sub="repo:acme/appp"), False),
    Case("like/dot-is-literal", github({"StringLike": {SUB: "repo:acme/a.p"}}), token(sub="repo:acme/axp"), False),
    Case("like/case-sensitive", github({"StringLike": {SUB: "repo:acme/*"}}), token(sub="repo:ACME/app"), False),
    # --- StringEquals: exact, case-sensitive, `*` literal --------------------------------------------
    Case("equals/star-is-literal", github({"StringEquals": {SUB: "repo:acme/*"}}), token(sub="repo:acme/app"), False),
    Case(
        "equals/literal-star-matches-itself",
        github({"StringEquals": {SUB: "repo:acme/*"}}),
        token(sub="repo:acme/*"),
        True,
    ),
    Case("equals/case-sensitive", github({"StringEquals": {SUB: MAIN}}), token(sub=MAIN.upper()), False),
    Case(
        "equals/any-of-list", github({"StringEquals": {SUB: ["repo:acme/a:ref:refs/heads/main", MAIN]}}), token(), True
    ),
    Case("equals-ignorecase/admits-other-case", github({"StringEqualsIgnoreCase": {SUB: MAIN.upper()}}), token(), True),
    Case(
        "equals-ignorecase/still-exact",
        github({"StringEqualsIgnoreCase": {SUB: MAIN.upper()}}),
        token(sub=MAIN + "x"),
        False,
    ),
    # --- absent keys: negated operators, ...IfExists, Null -------------------------------------------
    Case(
        "not-equals/absent-key-true",
        github({"StringNotEquals": {SUB: "repo:acme/evil:ref:refs/heads/main"}}),
        token(sub=None),
        True,
    ),
    Case("not-equals/present-equal-false", github({"StringNotEquals": {SUB: MAIN}}), token(), False),
    Case("not-like/absent-key-true", github({"StringNotLike": {SUB: "*:pull_request"}}), token(sub=None), True),
    Case("if-exists/absent-key-true", github({"StringEqualsIfExists": {SUB: MAIN}}), token(sub=None), True),
    Case(
        "if-exists/present-wrong-false",
        github({"StringEqualsIfExists": {SUB: MAIN}}),
        token(sub="repo:acme/other:ref:refs/heads/main"),
        False,
    ),
    Case("if-exists/present-right-true", github({"StringEqualsIfExists": {SUB: MAIN}}), token(), True),
    Case("null-true/absent", github({"Null": {SUB: "true"}}), token(sub=None), True),
    Case("null-true/present", github({"Null": {SUB: "true"}}), token(), False),
    Case("null-false/present", github({"Null": {SUB: "false"}}), token(), True),
    Case("null-false/absent", github({"Null": {SUB: "false"}}), token(sub=None), False),
    # --- Cognito identity pool: ForAnyValue:StringLike on the multi-valued amr ------------------------
    Case(
        "cognito/authenticated", COGNITO_TRUST, {POOL_AUD: POOL_ID, AMR: COGNITO_AUTHENTICATED}, True, principal=COGNITO
    ),
    Case(
        "cognito/unauthenticated",
        COGNITO_TRUST,
        {POOL_AUD: POOL_ID, AMR: ["unauthenticated"]},
        False,
        principal=COGNITO,
    ),
    Case("cognito/absent-amr", COGNITO_TRUST, {POOL_AUD: POOL_ID}, False, principal=COGNITO),
    Case(
        "cognito/other-pool",
        COGNITO_TRUST,
        {POOL_AUD: "eu-west-1:other", AMR: COGNITO_AUTHENTICATED},
        False,
        principal=COGNITO,
    ),
    # --- ForAllValues: true on an absent key (the documented footgun) ---------------------------------
    Case(
        "for-all-values/absent-key-true",
        github({"ForAllValues:StringLike": {SUB: "repo:acme/*"}}),
        token(sub=None),
        True,
    ),
    Case(
        "for-all-values/all-match",
        trust(
            allow(
                {"Federated": COGNITO}, condition={"ForAllValues:StringLike": {AMR: ["authenticated", "cognito-idp*"]}}
            )
        ),
        {AMR: COGNITO_AUTHENTICATED},
        True,
        principal=COGNITO,
    ),
    Case(
        "for-all-values/one-outside",
        trust(allow({"Federated": COGNITO}, condition={"ForAllValues:StringLike": {AMR: ["authenticated"]}})),
        {AMR: ["authenticated", "unauthenticated"]},
        False,
        principal=COGNITO,
    ),
    Case("for-any-value/empty-set-false", COGNITO_TRUST, {POOL_AUD: POOL_ID, AMR: []}, False, principal=COGNITO),
    Case(
        "for-all-values/empty-set-true",
        trust(allow({"Federated": COGNITO}, condition={"ForAllValues:StringLike": {AMR: ["authenticated"]}})),
        {AMR: []},
        True,
        principal=COGNITO,
    ),
    # --- policy variables: resolved in 2012-10-17, literal text in 2008-10-17 -------------------------
    Case(
        "version-2012/variable-resolved",
        github({"StringLike": {SUB: "repo:${aws:username}/*"}}),
        token(sub="repo:acme/app:ref:refs/heads/main") | {"aws:username": "acme"},
        True,
    ),
    Case(
        "version-2008/variable-is-literal",
        {
            "Version": "2008-10-17",
            "Statement": [allow({"Federated": GITHUB}, condition={"StringEquals": {SUB: "repo:${aws:username}/app"}})],
        },
        token(sub="repo:${aws:username}/app"),
        True,
        xfail="iam-simulate: resolves ${...} policy variables whatever the Version; IAM treats them as literal "
        "text in a 2008-10-17 (or Version-less) policy",
    ),
    # --- several statements ---------------------------------------------------------------------------
    Case(
        "two-allows/first",
        trust(
            allow({"Federated": GITHUB}, condition={"StringEquals": {SUB: "repo:acme/a:ref:refs/heads/main"}}),
            allow({"Federated": GITHUB}, condition={"StringEquals": {SUB: "repo:acme/b:ref:refs/heads/main"}}),
        ),
        token(sub="repo:acme/a:ref:refs/heads/main"),
        True,
    ),
    Case(
        "two-allows/second",
        trust(
            allow({"Federated": GITHUB}, condition={"StringEquals": {SUB: "repo:acme/a:ref:refs/heads/main"}}),
            allow({"Federated": GITHUB}, condition={"StringEquals": {SUB: "repo:acme/b:ref:refs/heads/main"}}),
        ),
        token(sub="repo:acme/b:ref:refs/heads/main"),
        True,
    ),
    Case(
        "two-allows/neither",
        trust(
            allow({"Federated": GITHUB}, condition={"StringEquals": {SUB: "repo:acme/a:ref:refs/heads/main"}}),
            allow({"Federated": GITHUB}, condition={"StringEquals": {SUB: "repo:acme/b:ref:refs/heads/main"}}),
        ),
        token(sub="repo:acme/c:ref:refs/heads/main"),
        False,
    ),
    Case(
        "deny-overrides-allow/denied",
        trust(
            allow({"Federated": GITHUB}, condition={"StringLike": {SUB: "repo:acme/*"}}),
            allow({"Federated": GITHUB}, condition={"StringLike": {SUB: "repo:acme/legacy:*"}}, effect="Deny"),
        ),
        token(sub="repo:acme/legacy:ref:refs/heads/main"),
        False,
        decision="ExplicitlyDenied",
    ),
    Case(
        "deny-overrides-allow/other-allowed",
        trust(
            allow({"Federated": GITHUB}, condition={"StringLike": {SUB: "repo:acme/*"}}),
            allow({"Federated": GITHUB}, condition={"StringLike": {SUB: "repo:acme/legacy:*"}}, effect="Deny"),
        ),
        token(sub="repo:acme/app:ref:refs/heads/main"),
        True,
        decision="Allowed",
    ),
    # --- SAML -----------------------------------------------------------------------------------------
    Case("saml/sign-in-endpoint", SAML_TRUST, {"SAML:aud": SIGNIN}, True, principal=SAML_PROVIDER, action=SAML),
    Case(
        "saml/other-endpoint",
        SAML_TRUST,
        {"SAML:aud": "https://signin.amazonaws.cn/saml"},
        False,
        principal=SAML_PROVIDER,
        action=SAML,
    ),
    Case(
        "saml/lookalike-endpoint",
        SAML_TRUST,
        {"SAML:aud": SIGNIN + ".evil.example"},
        False,
        principal=SAML_PROVIDER,
        action=SAML,
    ),
    Case("saml/absent-aud", SAML_TRUST, {}, False, principal=SAML_PROVIDER, action=SAML),
    Case("saml/web-identity-action", SAML_TRUST, {"SAML:aud": SIGNIN}, False, principal=SAML_PROVIDER),
    # --- principal and action must match --------------------------------------------------------------
    Case("principal/other-provider", GITHUB_TRUST, token(), False, principal=GITLAB),
    Case(
        "principal/same-issuer-other-account",
        GITHUB_TRUST,
        token(),
        False,
        principal="arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com",
    ),
    Case("principal/cognito-vs-github-trust", GITHUB_TRUST, token(), False, principal=COGNITO),
    Case("action/assume-role-not-web-identity", GITHUB_TRUST, token(), False, action=ASSUME_ROLE),
    Case("action/saml-not-web-identity", GITHUB_TRUST, token(), False, action=SAML),
    Case(
        "action/name-case-insensitive", trust(allow({"Federated": GITHUB}, "STS:assumerolewithwebidentity")), {}, True
    ),
    Case("principal/list-any-of", trust(allow({"Federated": [GITLAB, GITHUB]})), {}, True),
    Case(
        "principal/built-in-google-provider",
        trust(
            allow(
                {"Federated": "accounts.google.com"},
                condition={"StringEquals": {"accounts.google.com:aud": "app.apps.googleusercontent.com"}},
            )
        ),
        {"accounts.google.com:aud": "app.apps.googleusercontent.com"},
        True,
        principal="accounts.google.com",
        xfail="iam-simulate: a Federated principal that is neither an ARN nor a *.amazonaws.com name "
        "(accounts.google.com, graph.facebook.com, www.amazon.com) has no account, so the library takes "
        "its cross-account path and also demands an identity policy; IAM admits it on the trust policy",
    ),
    Case(
        "action/wildcard-in-policy",
        trust(
            allow({"Federated": GITHUB}, "sts:AssumeRoleWith*", {"StringEquals": {AUD: "sts.amazonaws.com", SUB: MAIN}})
        ),
        token(),
        True,
    ),
    # --- letter case of operators and keys ------------------------------------------------------------
    Case(
        "case/lower-case-operator-admits",
        github({"stringequals": {AUD: "sts.amazonaws.com", SUB: MAIN}}),
        token(),
        True,
    ),
    Case(
        "case/lower-case-operator-denies",
        github({"stringequals": {AUD: "sts.amazonaws.com", SUB: MAIN}}),
        token(sub="repo:acme/other:ref:refs/heads/main"),
        False,
    ),
    Case(
        "case/lower-case-set-operator",
        trust(allow({"Federated": COGNITO}, condition={"foranyvalue:stringlike": {AMR: "authenticated"}})),
        {AMR: ["unauthenticated"]},
        False,
        principal=COGNITO,
    ),
    Case(
        "case/policy-key-other-case",
        github(
            {
                "StringEquals": {
                    "Token.Actions.GitHubUserContent.com:Aud": "sts.amazonaws.com",
                    "TOKEN.ACTIONS.GITHUBUSERCONTENT.COM:SUB": MAIN,
                }
            }
        ),
        token(),
        True,
    ),
    Case(
        "case/context-key-other-case",
        GITHUB_TRUST,
        {
            "Token.Actions.GithubUserContent.Com:SUB": MAIN,
            "token.actions.githubusercontent.com:AUD": "sts.amazonaws.com",
        },
        True,
    ),
    Case(
        "case/key-other-case-wrong-value",
        github({"StringEquals": {"TOKEN.ACTIONS.GITHUBUSERCONTENT.COM:SUB": MAIN}}),
        token(sub="repo:acme/other:ref:refs/heads/main"),
        False,
    ),
    # --- AWS principals (the caller's own identity policy is taken to allow the call) -----------------
    Case(
        "aws/account-root-same-account",
        trust(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, ASSUME_ROLE)),
        {},
        True,
        principal=f"arn:aws:iam::{ACCOUNT}:role/ci",
        principal_type="AWS",
        action=ASSUME_ROLE,
    ),
    Case(
        "aws/account-root-other-account",
        trust(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, ASSUME_ROLE)),
        {},
        False,
        principal="arn:aws:iam::444455556666:role/ci",
        principal_type="AWS",
        action=ASSUME_ROLE,
        extra={"role": f"arn:aws:iam::{ACCOUNT}:role/target"},
    ),
    Case(
        "aws/cross-account-root-named",
        trust(allow({"AWS": "arn:aws:iam::444455556666:root"}, ASSUME_ROLE)),
        {},
        True,
        principal="arn:aws:iam::444455556666:role/ci",
        principal_type="AWS",
        action=ASSUME_ROLE,
        extra={"role": f"arn:aws:iam::{ACCOUNT}:role/target"},
    ),
    Case(
        "aws/role-arn-exact",
        trust(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"}, ASSUME_ROLE)),
        {},
        True,
        principal=f"arn:aws:iam::{ACCOUNT}:role/ci",
        principal_type="AWS",
        action=ASSUME_ROLE,
    ),
    Case(
        "aws/federated-provider-not-an-aws-principal",
        trust(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, WEB_IDENTITY)),
        token(),
        False,
        principal=GITHUB,
    ),
]


def _params() -> list[Any]:
    params = []
    for case in CASES:
        marks = []
        if case.xfail:
            marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=case.xfail))
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_shipped_code_never_uses_the_agpl_evaluator() -> None:
    """The AGPL library is a test-time tool only: no shipped or app code may name it or its wrapper."""
    pattern = re.compile(r"cloud-copilot|iam[-_]simulate")
    sources = [REPO / "app.py", *(REPO / "federation_constructs").rglob("*"), *(REPO / "stacks").rglob("*")]
    offenders = [
        str(p.relative_to(REPO))
        for p in sources
        if p.is_file()
        and p.suffix in {".py", ".json", ".js", ".mjs", ".txt", ".toml", ".cfg"}
        and pattern.search(p.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    """Every case's raw result, from one Node process."""
    raw = evaluate([c.request() for c in CASES])
    return {case.id: result for case, result in zip(CASES, raw, strict=True)}


@requires_evaluator
@pytest.mark.parametrize("case", _params())
def test_documented_verdict(case: Case, results: dict[str, dict[str, Any]]) -> None:
    result = results[case.id]
    if result["error"]:
        # Not an AssertionError, so it fails even under an xfail mark: an error is never a verdict.
        raise IamSimulateError(f"{case.id}: {result['error']}")
    assert result["allowed"] is case.expected, f"{case.id}: IAM documents {case.expected}, got {result}"
    if case.decision is not None:
        assert result["decision"] == case.decision


@requires_evaluator
def test_evaluate_trusts_returns_booleans_in_order() -> None:
    picked = [c for c in CASES if not c.xfail][:6]
    assert evaluate_trusts([c.request() for c in picked]) == [c.expected for c in picked]
    assert evaluate_trusts([]) == []


@requires_evaluator
@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"policy": trust(allow({"Federated": {"Ref": "GitHubProvider"}}))}, "invalid trust policy"),
        (
            {
                "policy": trust(
                    {"Effect": "Allow", "Principal": {"Federated": GITHUB}, "Action": WEB_IDENTITY, "Resource": "*"}
                )
            },
            "invalid trust policy",
        ),
        ({"action": "sts:AssumeRoleWithWebIdentiy"}, "not an STS action"),
        ({"principalType": "Service"}, "principalType"),
        ({"context": {SUB: 7}}, "string or a list of strings"),
        ({"context": {SUB: MAIN, SUB.upper(): MAIN}}, "differ only in case"),
    ],
    ids=[
        "ref-principal",
        "resource-in-trust",
        "misspelt-action",
        "principal-type",
        "non-string-value",
        "duplicate-key-case",
    ],
)
def test_unevaluable_case_raises(override: dict[str, Any], message: str) -> None:
    good = Case("good", GITHUB_TRUST, token(), True).request()
    with pytest.raises(IamSimulateError, match=message) as excinfo:
        evaluate_trusts([good, good | override])
    assert "case 1:" in str(excinfo.value) and "case 0:" not in str(excinfo.value)


@requires_evaluator
def test_throughput_of_one_batch(capsys: pytest.CaptureFixture[str]) -> None:
    """2,000 alternating admit/deny GitHub cases in one call; the rate is printed, not asserted."""
    n = 2000
    cases = [
        Case(
            f"t{i}", GITHUB_TRUST, token(sub=MAIN if i % 2 == 0 else f"repo:acme/r{i}:ref:refs/heads/main"), i % 2 == 0
        ).request()
        for i in range(n)
    ]
    start = time.perf_counter()
    verdicts = evaluate_trusts(cases)
    elapsed = time.perf_counter() - start
    assert verdicts == [i % 2 == 0 for i in range(n)]
    with capsys.disabled():
        print(f"\niam-simulate: {n} cases in {elapsed:.2f}s = {n / elapsed:,.0f} cases/s (one Node process)")
