"""Pins down the semantics of the test-side S3 policy evaluator in `tests/s3_matcher.py`.

The centrepiece is a per-user prefix policy written here (not taken from the constructs): user alice
must reach only `private/alice/`, and a deliberately buggy variant without the trailing `/` must be
seen to leak `private/alice2/`.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.s3_matcher import S3Request, resolve, s3_allows, substitute

BUCKET = "arn:aws:s3:::b"
SUB = "cognito-identity.amazonaws.com:sub"
USER_VAR = "${cognito-identity.amazonaws.com:sub}"
BLOCKED = "arn:aws:iam::111122223333:role/Blocked"
OTHER = "arn:aws:iam::111122223333:role/Other"

FAST = settings(max_examples=200, deadline=None)


def policy(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    """A policy document holding the given statements."""
    document: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return document


def per_user_policy(*, trailing_slash: bool = True) -> dict[str, Any]:
    """Per-user access to `private/<sub>/`; `trailing_slash=False` is the classic prefix bug."""
    folder = f"private/{USER_VAR}/" if trailing_slash else f"private/{USER_VAR}"
    return policy(
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{BUCKET}/{folder}*"},
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {"StringLike": {"s3:prefix": [folder, f"{folder}*"]}},
        },
    )


CORRECT = per_user_policy()
BUGGY = per_user_policy(trailing_slash=False)


def get(key: str, **context: Any) -> S3Request:
    return S3Request(action="s3:GetObject", resource=f"{BUCKET}/{key}", context=context)


def put(key: str, **context: Any) -> S3Request:
    return S3Request(action="s3:PutObject", resource=f"{BUCKET}/{key}", context=context)


def list_(prefix: str | None, user: str | None = "alice") -> S3Request:
    context: dict[str, Any] = {SUB: user}
    if prefix is not None:
        context["s3:prefix"] = prefix
    return S3Request(action="s3:ListBucket", resource=BUCKET, context=context)


def as_alice(key: str, action: str = "s3:GetObject") -> S3Request:
    return S3Request(action=action, resource=f"{BUCKET}/{key}", context={SUB: "alice"})


def allows(request: S3Request, *policies: dict[str, Any], **kwargs: Any) -> bool:
    return s3_allows(request, identity_policies=list(policies), **kwargs)


def only(condition: dict[str, Any]) -> dict[str, Any]:
    """A policy allowing every S3 action on every resource under `condition`."""
    return policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": condition})


# ----------------------------------------------------------------------------------------------
# Policy variables
# ----------------------------------------------------------------------------------------------


def test_substitute_present_absent_and_default() -> None:
    assert substitute(f"private/{USER_VAR}/", {SUB: "alice"}) == "private/alice/"
    assert substitute(f"private/{USER_VAR}/", {}) is None
    assert substitute(f"private/{USER_VAR}/", {SUB: None}) is None
    assert substitute(f"private/{USER_VAR}/", {SUB: []}) is None  # an empty set is absent
    assert substitute("${aws:PrincipalTag/team, 'shared'}/x", {}) == "shared/x"
    assert substitute("${aws:PrincipalTag/team,'shared'}/x", {"aws:PrincipalTag/team": "red"}) == "red/x"
    assert substitute("${ aws:username , 'Nobody' }", {}) == "Nobody"  # whitespace is ignored
    assert substitute("${aws:username, ''}", {}) == ""
    assert substitute("${aws:username, 'a}b'}", {}) == "a}b"
    assert substitute("no variables *?", {}) == "no variables *?"
    # An empty string is a present value, not an absent key.
    assert substitute("x${aws:username, 'd'}y", {"aws:username": ""}) == "xy"


def test_substitute_escapes_and_single_pass() -> None:
    assert substitute("a${*}b${?}c${$}d", {}) == "a*b?c$d"
    assert substitute("$${aws:username}", {"aws:username": "u"}) == "$u"
    assert substitute("cost $5", {}) == "cost $5"
    # A substituted value is not substituted again.
    assert substitute("${aws:username}", {"aws:username": "${x}"}) == "${x}"


def test_substitute_key_lookup_is_case_insensitive_and_default_case_sensitive() -> None:
    assert substitute("${Cognito-Identity.AmazonAWS.com:SUB}", {SUB: "Alice"}) == "Alice"
    assert substitute(USER_VAR, {SUB.upper(): "alice"}) == "alice"
    assert substitute("${aws:username, 'MiXed'}", {}) == "MiXed"
    with pytest.raises(ValueError, match="twice"):
        substitute(USER_VAR, {SUB: "a", SUB.upper(): "b"})


def test_substitute_refuses_multi_valued_keys_even_with_a_default() -> None:
    amr = "cognito-identity.amazonaws.com:amr"
    assert substitute("${" + amr + "}", {amr: ["authenticated", "x"]}) is None
    assert substitute("${" + amr + "}", {amr: ["authenticated"]}) is None  # a list is multi-valued
    assert substitute("${" + amr + ", 'd'}", {amr: ["a", "b"]}) is None


@pytest.mark.parametrize("bad", ["${", "${aws:username", "${}", "${ }", "${a b}", "${k, d}", "${k, 'd}", "${{k}}"])
def test_substitute_rejects_malformed_variables(bad: str) -> None:
    with pytest.raises(ValueError, match="malformed"):
        substitute(f"x{bad}y", {"k": "v", "aws:username": "u"})


def test_variables_are_plain_text_in_old_policy_versions() -> None:
    for version in ("2008-10-17", None):
        statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/{USER_VAR}/*"}
        document = policy(statement, version=version)
        assert not allows(get("alice/x", **{SUB: "alice"}), document)
        assert allows(get(f"{USER_VAR}/x", **{SUB: "alice"}), document)


def test_substituted_wildcards_are_literal() -> None:
    document = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/private/{USER_VAR}/*"})
    star = {SUB: "*"}
    assert allows(get("private/*/x", **star), document)
    assert not allows(get("private/bob/x", **star), document)
    assert not allows(get("private//x", **star), document)
    question = {SUB: "a?"}
    assert allows(get("private/a?/x", **question), document)
    assert not allows(get("private/ab/x", **question), document)
    # The same holds in conditions.
    like = only({"StringLike": {"s3:prefix": f"private/{USER_VAR}/*"}})
    assert not allows(list_("private/bob/", user="*"), like)
    assert allows(list_("private/*/", user="*"), like)


def test_escapes_are_literal_not_wildcards() -> None:
    document = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/lit${{*}}/x${{?}}/*"})
    assert allows(get("lit*/x?/k"), document)
    assert not allows(get("litABC/x?/k"), document)
    assert not allows(get("lit*/xy/k"), document)


def test_unresolvable_condition_value_matches_nothing() -> None:
    both = only({"StringEquals": {"s3:prefix": ["${aws:username}", "public/"]}})
    assert not allows(list_("alice"), both)  # aws:username is absent: that value matches nothing
    assert allows(list_("public/"), both)
    # A negated operator holds when the request value matches none of the (resolvable) values.
    assert allows(list_("alice"), only({"StringNotEquals": {"s3:prefix": "${aws:username}"}}))


# ----------------------------------------------------------------------------------------------
# The per-user prefix policy
# ----------------------------------------------------------------------------------------------


def test_alice_reads_writes_and_lists_her_own_folder() -> None:
    assert allows(as_alice("private/alice/a.txt"), CORRECT)
    assert allows(as_alice("private/alice/deep/er/a.txt", "s3:PutObject"), CORRECT)
    assert allows(as_alice("private/alice/"), CORRECT)
    assert allows(list_("private/alice/"), CORRECT)
    assert allows(list_("private/alice/photos/"), CORRECT)


def test_alice_cannot_reach_bob_or_alice2() -> None:
    for key in ("private/bob/a.txt", "private/alice2/x", "private/alice", "private/alicex/a", "public/a", "a"):
        assert not allows(as_alice(key), CORRECT), key
        assert not allows(as_alice(key, "s3:PutObject"), CORRECT), key
    for prefix in ("private/bob/", "private/alice2/", "private/alice2", "private/alice", "private/", "private/*"):
        assert not allows(list_(prefix), CORRECT), prefix
    assert not allows(as_alice("private/alice/a.txt", "s3:DeleteObject"), CORRECT)


def test_bucket_root_listing_and_missing_prefix_are_denied() -> None:
    assert not allows(list_(""), CORRECT)  # "" is a present prefix: the bucket root
    assert not allows(list_(None), CORRECT)  # no prefix at all
    assert allows(list_(""), only({"StringEquals": {"s3:prefix": ""}}))
    assert not allows(list_(None), only({"StringEquals": {"s3:prefix": ""}}))


def test_without_a_user_id_nothing_is_allowed() -> None:
    assert not allows(get("private//a.txt"), CORRECT)
    assert not allows(get(f"private/{USER_VAR}/a.txt"), CORRECT)
    assert not allows(list_("private//", user=None), CORRECT)


def test_buggy_policy_without_trailing_slash_leaks_to_alice2() -> None:
    # The evaluator must SEE the bug: `private/${sub}*` also covers `private/alice2/`.
    assert allows(as_alice("private/alice2/x"), BUGGY)
    assert allows(as_alice("private/alice2/x", "s3:PutObject"), BUGGY)
    assert allows(list_("private/alice2/"), BUGGY)
    assert not allows(as_alice("private/bob/x"), BUGGY)
    assert not allows(as_alice("private/alice2/x"), CORRECT)


def test_user_id_containing_a_star_is_literal() -> None:
    star = {SUB: "a*"}
    assert allows(get("private/a*/x", **star), CORRECT)
    assert not allows(get("private/alice/x", **star), CORRECT)
    assert not allows(get("private/a/x", **star), CORRECT)
    listing = S3Request(action="s3:ListBucket", resource=BUCKET, context={SUB: "*", "s3:prefix": "private/bob/"})
    assert not s3_allows(listing, identity_policies=[CORRECT])


USER_ID = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789-_:", min_size=1, max_size=12)
KEY = st.text(alphabet="abc/.-_*?", min_size=0, max_size=10)


@FAST
@given(u=USER_ID, v=USER_ID, key=KEY)
def test_property_user_never_reaches_another_users_folder(u: str, v: str, key: str) -> None:
    if u == v:
        return
    assert not allows(get(f"private/{v}/{key}", **{SUB: u}), CORRECT)
    assert not allows(put(f"private/{v}/{key}", **{SUB: u}), CORRECT)
    assert not allows(list_(f"private/{v}/{key}", user=u), CORRECT)
    assert allows(get(f"private/{u}/{key}", **{SUB: u}), CORRECT)


@FAST
@given(u=st.text(alphabet="ab*?", min_size=1, max_size=6), v=st.text(alphabet="ab*?", min_size=1, max_size=6))
def test_property_wildcards_in_user_ids_stay_literal(u: str, v: str) -> None:
    assert allows(get(f"private/{v}/k", **{SUB: u}), CORRECT) == (u == v)


# ----------------------------------------------------------------------------------------------
# Statements: actions, resources, NotResource, decision
# ----------------------------------------------------------------------------------------------


def test_actions_are_case_insensitive_globs_and_not_action() -> None:
    glob = policy({"Effect": "Allow", "Action": "S3:Get*", "Resource": "*"})
    assert allows(get("k"), glob)
    assert not allows(put("k"), glob)
    one_char = policy({"Effect": "Allow", "Action": "s3:?etObject", "Resource": "*"})
    assert allows(get("k"), one_char)
    not_action = policy({"Effect": "Allow", "NotAction": ["s3:Put*", "s3:Delete*"], "Resource": "*"})
    assert allows(get("k"), not_action)
    assert not allows(put("k"), not_action)


def test_resources_are_case_sensitive_globs() -> None:
    document = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": [f"{BUCKET}/Docs/*", f"{BUCKET}/f?"]})
    assert allows(get("Docs/a/b"), document)
    assert allows(get("Docs/"), document)  # `*` matches the empty string
    assert not allows(get("docs/a"), document)
    assert allows(get("f1"), document)
    assert not allows(get("f12"), document)
    assert not allows(get("f"), document)
    # A bucket ARN is not an object ARN.
    assert not allows(S3Request(action="s3:GetObject", resource=BUCKET, context={}), document)


def test_not_resource_deny_confines_the_user() -> None:
    deny_elsewhere = policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, f"{BUCKET}/private/{USER_VAR}/*"]},
    )
    assert allows(as_alice("private/alice/a"), deny_elsewhere)
    assert allows(list_("anything"), deny_elsewhere)
    assert not allows(as_alice("private/bob/a"), deny_elsewhere)
    assert not allows(as_alice("private/alice2/a"), deny_elsewhere)
    other_bucket = S3Request(action="s3:GetObject", resource="arn:aws:s3:::other/x", context={SUB: "alice"})
    assert not allows(other_bucket, deny_elsewhere)
    # Documented choice: an unresolvable NotResource entry makes the whole statement not apply,
    # so without a user id this Deny does not fire and the broad Allow stands.
    assert allows(get("private/bob/a"), deny_elsewhere)


def test_not_resource_allow() -> None:
    document = policy({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": f"{BUCKET}/secret/*"})
    assert allows(get("public/a"), document)
    assert not allows(get("secret/a"), document)


def test_explicit_deny_wins_and_default_is_deny() -> None:
    allow = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    deny = policy({"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"{BUCKET}/private/*"})
    assert allows(get("private/a"), allow)
    assert not allows(get("private/a"), allow, deny)
    assert allows(get("public/a"), allow, deny)
    assert not allows(get("public/a"), deny)
    assert not allows(get("public/a"))
    for_other = policy({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "s3:*", "Resource": "*"})
    assert not s3_allows(get("a"), identity_policies=[], bucket_policy=for_other, principal_arn=BLOCKED)


# ----------------------------------------------------------------------------------------------
# The bucket policy
# ----------------------------------------------------------------------------------------------

ALLOW_ALL = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
DENY_BLOCKED = policy(
    {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {"ArnEquals": {"aws:PrincipalArn": BLOCKED}},
    }
)


def test_bucket_policy_deny_beats_identity_allow_only_for_the_named_principal() -> None:
    request = get("private/alice/a")
    assert not s3_allows(request, identity_policies=[ALLOW_ALL], bucket_policy=DENY_BLOCKED, principal_arn=BLOCKED)
    assert s3_allows(request, identity_policies=[ALLOW_ALL], bucket_policy=DENY_BLOCKED, principal_arn=OTHER)
    # Without any principal ARN, the key is absent and ArnEquals (positive) does not match.
    assert s3_allows(request, identity_policies=[ALLOW_ALL], bucket_policy=DENY_BLOCKED)
    # The context key works on its own too, in any case.
    blocked = get("private/alice/a", **{"AWS:PrincipalARN": BLOCKED})
    assert not s3_allows(blocked, identity_policies=[ALLOW_ALL], bucket_policy=DENY_BLOCKED)
    assert not s3_allows(blocked, identity_policies=[ALLOW_ALL], bucket_policy=DENY_BLOCKED, principal_arn=BLOCKED)
    with pytest.raises(ValueError, match="contradicts"):
        s3_allows(blocked, identity_policies=[ALLOW_ALL], bucket_policy=DENY_BLOCKED, principal_arn=OTHER)


def test_arn_operators() -> None:
    request = get("k", **{"aws:PrincipalArn": BLOCKED})
    assert allows(request, only({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Block*"}}))
    assert not allows(request, only({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/Block*"}}))
    assert not allows(request, only({"ArnNotEquals": {"aws:PrincipalArn": BLOCKED}}))
    assert allows(request, only({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Other"}}))
    assert allows(get("k"), only({"ArnNotEquals": {"aws:PrincipalArn": BLOCKED}}))  # absent key


def test_bucket_policy_allow_suffices_for_its_principal() -> None:
    grant = policy(
        {"Effect": "Allow", "Principal": {"AWS": [OTHER, BLOCKED]}, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}
    )
    stranger = "arn:aws:iam::111122223333:role/X"
    assert s3_allows(get("a"), identity_policies=[], bucket_policy=grant, principal_arn=OTHER)
    assert not s3_allows(get("a"), identity_policies=[], bucket_policy=grant, principal_arn=stranger)
    assert not s3_allows(get("a"), identity_policies=[], bucket_policy=grant)
    for everyone in ("*", {"AWS": "*"}):
        public = policy({"Effect": "Allow", "Principal": everyone, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"})
        assert s3_allows(get("a"), identity_policies=[], bucket_policy=public)
    service = policy(
        {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:*", "Resource": "*"}
    )
    assert not s3_allows(get("a"), identity_policies=[], bucket_policy=service, principal_arn=OTHER)


def test_principal_placement_is_checked() -> None:
    with pytest.raises(ValueError, match="must not have a Principal"):
        allows(get("a"), policy({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}))
    with pytest.raises(ValueError, match="needs a Principal"):
        s3_allows(get("a"), identity_policies=[], bucket_policy=ALLOW_ALL)
    with pytest.raises(NotImplementedError, match="NotPrincipal"):
        not_principal = policy({"Effect": "Deny", "NotPrincipal": {"AWS": OTHER}, "Action": "s3:*", "Resource": "*"})
        s3_allows(get("a"), identity_policies=[], bucket_policy=not_principal)


# ----------------------------------------------------------------------------------------------
# Condition operators
# ----------------------------------------------------------------------------------------------

TAGS = "aws:TagKeys"


def test_string_operators_and_key_case() -> None:
    assert allows(list_("Docs/"), only({"StringEquals": {"S3:Prefix": "Docs/"}}))
    assert not allows(list_("docs/"), only({"StringEquals": {"s3:prefix": "Docs/"}}))
    assert allows(list_("docs/"), only({"StringEqualsIgnoreCase": {"s3:prefix": "Docs/"}}))
    assert not allows(list_("Docs/"), only({"StringNotEquals": {"s3:prefix": ["a", "Docs/"]}}))
    assert allows(list_(None), only({"StringNotLike": {"s3:prefix": "private/*"}}))  # absent: negated holds
    assert not allows(list_(None), only({"StringLike": {"s3:prefix": "*"}}))  # absent: positive fails
    assert not allows(list_("x"), only({"StringEquals": {"s3:prefix": "x", SUB: "bob"}}))  # keys are ANDed
    assert allows(list_("x"), only({"StringEquals": {"s3:prefix": "x"}, "StringLike": {SUB: "al*"}}))


def test_for_all_values_on_absent_key_is_true_and_for_any_value_false() -> None:
    all_values = only({"ForAllValues:StringEquals": {TAGS: ["team", "project"]}})
    assert allows(get("k"), all_values)  # the documented footgun
    assert allows(get("k", **{TAGS: []}), all_values)
    assert allows(get("k", **{TAGS: ["team"]}), all_values)
    assert not allows(get("k", **{TAGS: ["team", "cost"]}), all_values)
    any_value = only({"ForAnyValue:StringEquals": {TAGS: ["team", "project"]}})
    assert not allows(get("k"), any_value)
    assert allows(get("k", **{TAGS: ["cost", "team"]}), any_value)
    assert not allows(get("k", **{TAGS: ["cost"]}), any_value)
    negated_any = only({"ForAnyValue:StringNotEquals": {TAGS: "team"}})
    assert not allows(get("k"), negated_any)
    assert allows(get("k", **{TAGS: ["team", "cost"]}), negated_any)


def test_if_exists() -> None:
    document = only({"StringEqualsIfExists": {"aws:PrincipalTag/user": "alice"}})
    assert allows(get("k"), document)
    assert allows(get("k", **{"aws:PrincipalTag/user": "alice"}), document)
    assert not allows(get("k", **{"aws:PrincipalTag/user": "bob"}), document)
    negated = only({"StringNotLikeIfExists": {"aws:PrincipalTag/user": "b*"}})
    assert allows(get("k"), negated)
    assert not allows(get("k", **{"aws:PrincipalTag/user": "bob"}), negated)


def test_null() -> None:
    must_be_absent = only({"Null": {"saml:sub": "true"}})
    must_be_present = only({"Null": {"saml:sub": "false"}})
    assert allows(get("k"), must_be_absent)
    assert not allows(get("k", **{"saml:sub": "u"}), must_be_absent)
    assert allows(get("k", **{"saml:sub": ""}), must_be_present)  # "" is present
    assert not allows(get("k"), must_be_present)
    assert not allows(get("k", **{"saml:sub": None}), must_be_present)
    with pytest.raises(ValueError, match="IfExists"):
        allows(get("k"), only({"NullIfExists": {"saml:sub": "true"}}))
    with pytest.raises(ValueError, match="Null takes"):
        allows(get("k"), only({"Null": {"saml:sub": "maybe"}}))


def test_bool() -> None:
    secure = only({"Bool": {"aws:SecureTransport": "true"}})
    assert allows(get("k", **{"aws:SecureTransport": "true"}), secure)
    assert allows(get("k", **{"aws:SecureTransport": True}), secure)
    assert not allows(get("k", **{"aws:SecureTransport": "false"}), secure)
    assert not allows(get("k"), secure)
    assert allows(get("k"), only({"BoolIfExists": {"aws:SecureTransport": True}}))
    with pytest.raises(ValueError, match="Bool takes"):
        allows(get("k"), only({"Bool": {"aws:SecureTransport": "yes"}}))


def test_saml_variables_in_conditions() -> None:
    document = only({"StringEquals": {"aws:PrincipalTag/user": "${saml:sub}", "saml:sub_type": "persistent"}})
    context = {"saml:sub": "u1", "saml:sub_type": "persistent", "saml:namequalifier": "q"}
    assert allows(get("k", **context, **{"aws:PrincipalTag/user": "u1"}), document)
    assert not allows(get("k", **context, **{"aws:PrincipalTag/user": "u2"}), document)
    assert not allows(get("k", **{"aws:PrincipalTag/user": "u1"}), document)


@pytest.mark.parametrize("operator", ["NumericEquals", "DateLessThan", "IpAddress", "Sometimes:StringEquals"])
def test_unsupported_operators_raise(operator: str) -> None:
    with pytest.raises(NotImplementedError):
        allows(get("k"), only({operator: {"k": "1"}}))


# ----------------------------------------------------------------------------------------------
# Malformed input and CloudFormation intrinsics
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "NotResource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": []},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Conditions": {}},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"k": []}}},
    ],
)
def test_malformed_statements_raise(statement: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        allows(get("k"), policy(statement))


def test_malformed_policies_and_requests_raise() -> None:
    with pytest.raises(ValueError, match="Version"):
        allows(get("k"), {"Version": "2012-10-18", "Statement": []})
    with pytest.raises(ValueError, match="list of policy documents"):
        s3_allows(get("k"), identity_policies=ALLOW_ALL)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="request.action"):
        allows(S3Request(action="", resource=BUCKET, context={}), ALLOW_ALL)
    with pytest.raises(ValueError, match="malformed"):
        allows(get("k"), policy({"Effect": "Allow", "Action": "s3:*", "Resource": f"{BUCKET}/${{oops"}))


@pytest.mark.parametrize(
    "intrinsic",
    [{"Ref": "Bucket"}, {"Fn::GetAtt": ["Bucket", "Arn"]}, {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}]]}],
)
def test_intrinsics_anywhere_raise(intrinsic: dict[str, Any]) -> None:
    as_resource = policy({"Effect": "Allow", "Action": "s3:*", "Resource": [intrinsic]})
    as_condition = only({"StringLike": {"s3:prefix": intrinsic}})
    as_principal = policy({"Effect": "Deny", "Principal": {"AWS": intrinsic}, "Action": "s3:*", "Resource": "*"})
    with pytest.raises(ValueError, match="intrinsic"):
        allows(get("k"), as_resource)
    with pytest.raises(ValueError, match="intrinsic"):
        allows(get("k"), as_condition)
    with pytest.raises(ValueError, match="intrinsic"):
        s3_allows(get("k"), identity_policies=[], bucket_policy=as_principal, principal_arn=OTHER)


def test_resolve_replaces_what_it_can_and_keeps_the_rest() -> None:
    template_policy = policy(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, f"/private/{USER_VAR}/*"]]},
        },
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "Bucket"}]]},
        },
    )
    resolved = resolve(template_policy, {"Bucket": "b", "Bucket.Arn": BUCKET})
    assert resolved["Statement"][0]["Resource"] == f"{BUCKET}/private/{USER_VAR}/*"
    assert resolved["Statement"][1]["Resource"] == BUCKET
    assert template_policy["Statement"][1]["Resource"]["Fn::Join"][1][1] == {"Ref": "AWS::Partition"}  # a copy
    assert allows(as_alice("private/alice/a"), resolved)
    assert resolve({"Ref": "AWS::Partition"}, {"AWS::Partition": "aws-cn"}) == "aws-cn"
    assert resolve({"Fn::GetAtt": "Bucket.Arn"}, {"Bucket.Arn": BUCKET}) == BUCKET
    partial = resolve(template_policy, {"Bucket.Arn": BUCKET})
    assert partial["Statement"][1]["Resource"] == {"Fn::Join": ["", ["arn:", "aws", ":s3:::", {"Ref": "Bucket"}]]}
    with pytest.raises(ValueError, match="intrinsic"):
        allows(as_alice("private/alice/a"), partial)
