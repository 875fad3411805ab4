"""Pins down the semantics of the test-side IAM trust-policy evaluator in `tests/iam_matcher.py`."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.iam_matcher import resolve_refs, trust_allows

GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
COGNITO = "cognito-identity.amazonaws.com"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
AUD = "token.actions.githubusercontent.com:aud"
SUB = "token.actions.githubusercontent.com:sub"
AMR = "cognito-identity.amazonaws.com:amr"
MAIN = "repo:o/r:ref:refs/heads/main"

FAST = settings(max_examples=200, deadline=None)


def statement(condition: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """An Allow statement for the GitHub provider and web-identity action, with an optional Condition."""
    result: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": GITHUB}, "Action": WEB_IDENTITY}
    if condition is not None:
        result["Condition"] = condition
    result.update(overrides)
    return result


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document holding the given statements as a list."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allows(
    document: dict[str, Any],
    claims: dict[str, Any],
    *,
    principal: str = GITHUB,
    action: str = WEB_IDENTITY,
) -> bool:
    """`trust_allows` with the usual principal and action."""
    return trust_allows(document, principal=principal, action=action, claims=claims)


def one(operator: str, key: str, value: Any) -> dict[str, Any]:
    """A policy with one Allow statement whose only condition is `operator: {key: value}`."""
    return policy(statement({operator: {key: value}}))


# ----------------------------------------------------------------------------------------------
# String operators
# ----------------------------------------------------------------------------------------------


def test_string_equals_is_exact_and_case_sensitive() -> None:
    doc = one("StringEquals", SUB, MAIN)
    assert allows(doc, {SUB: MAIN})
    assert not allows(doc, {SUB: MAIN.upper()})
    assert not allows(doc, {SUB: MAIN + "x"})
    assert not allows(doc, {SUB: MAIN[:-1]})


def test_condition_key_names_are_case_insensitive() -> None:
    doc = one("StringEquals", "Token.Actions.GitHubUserContent.com:SUB", MAIN)
    assert allows(doc, {SUB: MAIN})
    assert allows(one("StringEquals", SUB, MAIN), {SUB.upper(): MAIN})


def test_operator_names_are_case_insensitive() -> None:
    for operator in ("stringequals", "STRINGEQUALS", "StringEquals"):
        assert allows(one(operator, SUB, MAIN), {SUB: MAIN}), operator
        assert not allows(one(operator, SUB, MAIN), {SUB: "repo:o/r:ref:refs/heads/dev"}), operator
    assert allows(one("forallvalues:stringlikeifexists", AMR, "auth*"), {AMR: ["authenticated"]})


def test_ignore_case_operators_ignore_value_case_only() -> None:
    assert allows(one("StringEqualsIgnoreCase", SUB, MAIN), {SUB: MAIN.upper()})
    assert not allows(one("StringEqualsIgnoreCase", SUB, MAIN), {SUB: MAIN + "x"})
    assert not allows(one("StringNotEqualsIgnoreCase", SUB, MAIN), {SUB: MAIN.upper()})
    assert allows(one("StringNotEqualsIgnoreCase", SUB, MAIN), {SUB: MAIN + "x"})


def test_string_like_star_spans_slashes_and_colons() -> None:
    doc = one("StringLike", SUB, "repo:o/*")
    assert allows(doc, {SUB: "repo:o/r:ref:refs/heads/main"})
    assert allows(doc, {SUB: "repo:o/"})  # `*` also matches the empty string
    assert not allows(doc, {SUB: "repo:other/r:ref:refs/heads/main"})
    assert allows(one("StringLike", SUB, "*"), {SUB: ""})


def test_string_like_question_mark_is_exactly_one_character() -> None:
    doc = one("StringLike", SUB, "repo:o/r?")
    assert allows(doc, {SUB: "repo:o/r1"})
    assert allows(doc, {SUB: "repo:o/r/"})
    assert not allows(doc, {SUB: "repo:o/r"})
    assert not allows(doc, {SUB: "repo:o/r12"})


def test_string_like_treats_regex_metacharacters_literally() -> None:
    doc = one("StringLike", SUB, "repo:o/r.+[a]")
    assert allows(doc, {SUB: "repo:o/r.+[a]"})
    assert not allows(doc, {SUB: "repo:o/rxx[a]"})
    assert not allows(doc, {SUB: "repo:o/ra"})


def test_string_equals_star_matches_only_a_literal_star() -> None:
    doc = one("StringEquals", SUB, "*")
    assert allows(doc, {SUB: "*"})
    assert not allows(doc, {SUB: MAIN})
    assert not allows(doc, {SUB: ""})
    assert not allows(one("StringEquals", SUB, "repo:o/?"), {SUB: "repo:o/r"})


def test_string_not_equals_and_not_like() -> None:
    assert not allows(one("StringNotEquals", SUB, MAIN), {SUB: MAIN})
    assert allows(one("StringNotEquals", SUB, MAIN), {SUB: "repo:o/r:pull_request"})
    assert not allows(one("StringNotLike", SUB, "repo:o/*"), {SUB: MAIN})
    assert allows(one("StringNotLike", SUB, "repo:o/*"), {SUB: "repo:x/r:pull_request"})
    # A negated operator holds only when the value matches NONE of the listed values.
    assert not allows(one("StringNotEquals", SUB, ["a", MAIN]), {SUB: MAIN})


def test_multiple_values_for_one_key_are_ored() -> None:
    doc = one("StringEquals", SUB, [MAIN, "repo:o/r:environment:prod"])
    assert allows(doc, {SUB: MAIN})
    assert allows(doc, {SUB: "repo:o/r:environment:prod"})
    assert not allows(doc, {SUB: "repo:o/r:environment:dev"})


def test_multiple_keys_and_operators_are_anded() -> None:
    doc = policy(statement({"StringEquals": {AUD: "sts.amazonaws.com", SUB: MAIN}}))
    assert allows(doc, {AUD: "sts.amazonaws.com", SUB: MAIN})
    assert not allows(doc, {AUD: "sts.amazonaws.com", SUB: "repo:o/r:ref:refs/heads/dev"})
    assert not allows(doc, {AUD: "other", SUB: MAIN})
    doc = policy(statement({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "repo:o/r:*"}}))
    assert allows(doc, {AUD: "sts.amazonaws.com", SUB: MAIN})
    assert not allows(doc, {AUD: "sts.amazonaws.com", SUB: "repo:o/x:ref:refs/heads/main"})
    assert not allows(doc, {AUD: "nope", SUB: MAIN})


@pytest.mark.parametrize("operator", ["StringEquals", "StringLike", "StringEqualsIgnoreCase"])
@pytest.mark.parametrize("claim", ["missing", None, []])
def test_missing_key_is_denied_under_positive_operators(operator: str, claim: Any) -> None:
    doc = one(operator, SUB, "*")
    claims = {AUD: "sts.amazonaws.com"} if claim == "missing" else {AUD: "sts.amazonaws.com", SUB: claim}
    assert not allows(doc, claims)


@pytest.mark.parametrize("operator", ["StringNotEquals", "StringNotLike", "StringNotEqualsIgnoreCase"])
def test_missing_key_satisfies_negated_operators(operator: str) -> None:
    assert allows(one(operator, SUB, "repo:evil/*"), {})
    assert allows(one(operator, SUB, "repo:evil/*"), {SUB: None})


def test_list_claim_without_set_prefix_is_multi_valued() -> None:
    # Positive operator: ANY request value matching is enough.
    assert allows(one("StringEquals", AMR, "authenticated"), {AMR: ["authenticated", "x"]})
    assert not allows(one("StringEquals", AMR, "authenticated"), {AMR: ["unauthenticated"]})
    # Negated operator: holds only when NO request value matches.
    not_unauthenticated = one("StringNotEquals", AMR, "unauthenticated")
    assert not allows(not_unauthenticated, {AMR: ["authenticated", "unauthenticated"]})
    assert allows(not_unauthenticated, {AMR: ["authenticated", "x"]})


# ----------------------------------------------------------------------------------------------
# Set prefixes, IfExists and Null
# ----------------------------------------------------------------------------------------------


def test_for_all_values_with_absent_key_allows_documented_footgun() -> None:
    # ForAllValues is vacuously true over an empty set: a token WITHOUT the key is admitted.
    doc = one("ForAllValues:StringLike", AMR, "authenticated")
    assert allows(doc, {})
    assert allows(doc, {AMR: None})
    assert allows(doc, {AMR: []})
    assert allows(doc, {AMR: ["authenticated"]})
    assert not allows(doc, {AMR: ["authenticated", "graph.facebook.com"]})
    # The negated form is also true when the key is absent.
    none_unauthenticated = one("ForAllValues:StringNotEquals", AMR, "unauthenticated")
    assert allows(none_unauthenticated, {})
    assert allows(none_unauthenticated, {AMR: ["authenticated"]})
    assert not allows(none_unauthenticated, {AMR: ["authenticated", "unauthenticated"]})


def test_for_any_value_with_absent_key_denies() -> None:
    doc = one("ForAnyValue:StringLike", AMR, "authenticated")
    assert not allows(doc, {})
    assert not allows(doc, {AMR: []})
    assert allows(doc, {AMR: ["unauthenticated", "authenticated"]})
    assert allows(doc, {AMR: "authenticated"})  # a single value is a one-element set
    assert not allows(doc, {AMR: ["unauthenticated"]})
    negated = one("ForAnyValue:StringNotEquals", AMR, "unauthenticated")
    assert not allows(negated, {})
    assert allows(negated, {AMR: ["unauthenticated", "authenticated"]})
    assert not allows(negated, {AMR: ["unauthenticated"]})


def test_set_prefixes_are_case_insensitive() -> None:
    assert allows(one("forallvalues:StringLike", AMR, "authenticated"), {})
    assert not allows(one("FORANYVALUE:stringlike", AMR, "authenticated"), {})


def test_if_exists_is_true_when_absent_and_normal_when_present() -> None:
    doc = one("StringEqualsIfExists", SUB, MAIN)
    assert allows(doc, {})
    assert allows(doc, {SUB: MAIN})
    assert not allows(doc, {SUB: "repo:o/r:pull_request"})
    assert allows(one("StringLikeIfExists", SUB, "repo:o/*"), {SUB: None})
    assert not allows(one("StringNotLikeIfExists", SUB, "repo:o/*"), {SUB: MAIN})
    assert allows(one("ForAnyValue:StringEqualsIfExists", AMR, "authenticated"), {})
    assert allows(one("StringEqualsIfExists", AMR, "authenticated"), {AMR: []})  # an empty list is absent


def test_null_operator() -> None:
    must_be_absent = one("Null", SUB, "true")
    must_be_present = one("Null", SUB, "false")
    assert allows(must_be_absent, {})
    assert not allows(must_be_absent, {SUB: MAIN})
    assert allows(must_be_present, {SUB: MAIN})
    assert allows(must_be_present, {SUB: ""})  # an empty string is still present
    assert not allows(must_be_present, {SUB: None})
    assert allows(must_be_absent, {AMR: []}) and allows(must_be_absent, {SUB: []})  # an empty list is absent
    assert allows(one("Null", SUB, False), {SUB: MAIN})  # JSON booleans work too
    assert not allows(one("Null", SUB, True), {SUB: MAIN})


def test_null_rejects_if_exists_and_bad_values() -> None:
    with pytest.raises(ValueError, match="IfExists"):
        allows(one("NullIfExists", SUB, "true"), {})
    with pytest.raises(ValueError, match="'true' or 'false'"):
        allows(one("Null", SUB, "yes"), {})


def test_condition_values_may_be_booleans_and_numbers() -> None:
    assert allows(one("StringEquals", "custom:flag", True), {"custom:flag": "true"})
    assert not allows(one("StringEquals", "custom:flag", True), {"custom:flag": "True"})
    assert allows(one("StringEquals", "custom:n", 42), {"custom:n": "42"})


# ----------------------------------------------------------------------------------------------
# Effects, principals, actions and document shape
# ----------------------------------------------------------------------------------------------


def test_deny_overrides_allow() -> None:
    allow = statement({"StringLike": {SUB: "repo:o/r:*"}})
    deny = statement({"StringLike": {SUB: "*:pull_request"}}, Effect="Deny")
    doc = policy(allow, deny)
    assert allows(doc, {SUB: MAIN})
    assert not allows(doc, {SUB: "repo:o/r:pull_request"})


def test_default_deny_without_allow() -> None:
    assert not allows(policy(statement(Effect="Deny")), {})
    assert not allows({"Statement": []}, {})


def test_wrong_principal_is_denied() -> None:
    doc = policy(statement())
    assert allows(doc, {})
    other_account = GITHUB.replace("111122223333", "444455556666")
    assert not allows(doc, {}, principal=other_account)
    assert not allows(doc, {}, principal=COGNITO)
    assert not allows(policy(statement(Principal={"Service": "ec2.amazonaws.com"})), {})
    assert not allows(policy(statement(Principal={"AWS": "arn:aws:iam::111122223333:root"})), {})


def test_principal_lists_and_wildcards() -> None:
    listed = policy(statement(Principal={"Federated": [COGNITO, GITHUB]}))
    assert allows(listed, {}) and allows(listed, {}, principal=COGNITO)
    assert not allows(listed, {}, principal="accounts.google.com")
    for wildcard in ("*", {"Federated": "*"}, {"AWS": "*"}):
        assert allows(policy(statement(Principal=wildcard)), {}, principal="accounts.google.com"), wildcard


def test_wrong_action_is_denied() -> None:
    doc = policy(statement())
    assert not allows(doc, {}, action="sts:AssumeRole")
    assert not allows(doc, {}, action="sts:AssumeRoleWithSAML")
    assert allows(doc, {}, action="STS:assumerolewithwebidentity")  # action names ignore case


def test_action_wildcards_and_lists() -> None:
    patterns = (
        "*",
        "sts:*",
        "STS:AssumeRoleWith*",
        "sts:AssumeRoleWith?ebIdentity",
        ["sts:TagSession", WEB_IDENTITY],
    )
    for pattern in patterns:
        assert allows(policy(statement(Action=pattern)), {}), pattern
    assert not allows(policy(statement(Action="sts:AssumeRoleWith?")), {})
    assert not allows(policy(statement(Action="s3:*")), {})


def test_statement_may_be_a_dict_or_a_list() -> None:
    single = {"Statement": statement({"StringEquals": {SUB: MAIN}})}  # no Version either
    assert allows(single, {SUB: MAIN})
    assert not allows(single, {SUB: "other"})
    assert allows(policy(statement({"StringEquals": {SUB: MAIN}})), {SUB: MAIN})


def test_unsupported_elements_raise_not_implemented() -> None:
    with pytest.raises(NotImplementedError, match="NotAction"):
        allows(policy({"Effect": "Allow", "Principal": "*", "NotAction": "s3:*"}), {})
    with pytest.raises(NotImplementedError, match="NotPrincipal"):
        allows(policy({"Effect": "Deny", "NotPrincipal": {"Federated": GITHUB}, "Action": "*"}), {})
    with pytest.raises(NotImplementedError, match="not supported"):
        allows(one("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z"), {})
    with pytest.raises(NotImplementedError, match="policy variables"):
        allows(one("StringLike", SUB, "repo:${aws:username}/*"), {SUB: MAIN})


# ----------------------------------------------------------------------------------------------
# CloudFormation intrinsics
# ----------------------------------------------------------------------------------------------


def test_intrinsic_condition_value_raises_value_error() -> None:
    with pytest.raises(ValueError, match="resolve"):
        allows(one("StringEquals", AUD, {"Ref": "Audience"}), {AUD: "sts.amazonaws.com"})
    with pytest.raises(ValueError, match="resolve"):
        allows(one("StringEquals", AUD, ["sts.amazonaws.com", {"Fn::Join": ["", ["a", "b"]]}]), {})


def test_intrinsic_principal_raises_value_error() -> None:
    with pytest.raises(ValueError, match="resolve"):
        allows(policy(statement(Principal={"Federated": {"Ref": "GitHubProvider"}})), {})
    with pytest.raises(ValueError, match="resolve"):
        allows(policy(statement(Principal={"Fn::If": ["C", "*", {"Ref": "AWS::NoValue"}]})), {})


def test_resolve_refs_replaces_ref_getatt_and_join() -> None:
    provider_arn = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":iam::",
                {"Ref": "AWS::AccountId"},
                ":oidc-provider/token.actions.githubusercontent.com",
            ],
        ]
    }
    document = {
        "Statement": [
            statement(
                {
                    "StringEquals": {AUD: {"Ref": "Audience"}},
                    "StringLike": {SUB: {"Fn::GetAtt": ["Repo", "Pattern"]}},
                },
                Principal={"Federated": provider_arn},
            )
        ]
    }
    original = repr(document)
    replacements = {
        "AWS::AccountId": "111122223333",
        "Audience": "sts.amazonaws.com",
        "Repo.Pattern": "repo:o/r:*",
    }
    resolved = resolve_refs(document, replacements)
    assert repr(document) == original  # the input is left untouched
    condition = resolved["Statement"][0]["Condition"]
    assert resolved["Statement"][0]["Principal"] == {"Federated": GITHUB}
    assert condition == {"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "repo:o/r:*"}}
    assert allows(resolved, {AUD: "sts.amazonaws.com", SUB: MAIN})


def test_resolve_refs_defaults_and_unresolved_parts() -> None:
    assert resolve_refs({"Ref": "AWS::Partition"}, {}) == "aws"
    assert resolve_refs({"Ref": "AWS::URLSuffix"}, {}) == "amazonaws.com"
    china = {"AWS::URLSuffix": "amazonaws.com.cn"}
    assert resolve_refs({"Ref": "AWS::URLSuffix"}, china) == "amazonaws.com.cn"
    assert resolve_refs({"Ref": "AWS::AccountId"}, {}) == {"Ref": "AWS::AccountId"}
    partial = resolve_refs({"Fn::Join": [":", [{"Ref": "AWS::Partition"}, {"Ref": "AWS::AccountId"}]]}, {})
    assert partial == {"Fn::Join": [":", ["aws", {"Ref": "AWS::AccountId"}]]}
    assert resolve_refs({"Fn::GetAtt": ["Pool", "Arn"]}, {}) == {"Fn::GetAtt": ["Pool", "Arn"]}
    joined = {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, {"Fn::GetAtt": ["Pool", "Id"]}]]}
    assert resolve_refs(joined, {"Pool.Id": "p-1"}) == "arn:aws:p-1"


def test_resolve_refs_returns_a_deep_copy() -> None:
    document = {"Statement": [{"Principal": {"Federated": {"Ref": "AWS::AccountId"}}}]}
    resolved = resolve_refs(document, {})
    resolved["Statement"][0]["Principal"]["Federated"]["Ref"] = "changed"
    assert document == {"Statement": [{"Principal": {"Federated": {"Ref": "AWS::AccountId"}}}]}


# ----------------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------------

ALPHABET = "ab/:*?"
texts = st.text(alphabet=ALPHABET, max_size=8)
literals = st.text(alphabet="ab/:", max_size=8)  # no wildcards


@FAST
@given(value=texts, claim=texts)
def test_string_equals_admits_exactly_equal_claims(value: str, claim: str) -> None:
    assert allows(one("StringEquals", SUB, value), {SUB: claim}) == (claim == value)


@FAST
@given(pattern=literals, claim=texts)
def test_string_like_without_wildcards_behaves_like_string_equals(pattern: str, claim: str) -> None:
    like = allows(one("StringLike", SUB, pattern), {SUB: claim})
    equals = allows(one("StringEquals", SUB, pattern), {SUB: claim})
    assert like == equals == (claim == pattern)


@FAST
@given(prefix=literals, claim=texts)
def test_string_like_prefix_star_admits_exactly_prefixed_claims(prefix: str, claim: str) -> None:
    assert allows(one("StringLike", SUB, prefix + "*"), {SUB: claim}) == claim.startswith(prefix)


@FAST
@given(prefix=literals, claim=texts)
def test_string_like_prefix_star_admits_every_extension(prefix: str, claim: str) -> None:
    # Complements the property above, whose random claims rarely start with a long prefix.
    assert allows(one("StringLike", SUB, prefix + "*"), {SUB: prefix + claim})


@FAST
@given(n=st.integers(min_value=0, max_value=8), claim=texts)
def test_question_marks_admit_exactly_claims_of_that_length(n: int, claim: str) -> None:
    assert allows(one("StringLike", SUB, "?" * n), {SUB: claim}) == (len(claim) == n)
