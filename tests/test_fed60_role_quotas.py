"""FED60: a role over IAM's per-role quotas (more than 10 managed policies; inline policies over 10,240
characters together). Plain dict templates, no synthesis: the exact boundaries, every way a policy
resource attaches to a role, and how a document holding intrinsics is counted (known characters only)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from federation_constructs.policy.actions import INLINE_POLICIES_QUOTA, MANAGED_POLICIES_PER_ROLE
from federation_constructs.rules import Finding, lint_template, rule
from federation_constructs.rules.fed60_role_quotas import RULE

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def findings(template: dict[str, Any]) -> list[Finding]:
    return lint_template(template, [rule("FED60")])


def found(template: dict[str, Any]) -> list[str]:
    """The findings of FED60 on a template, as `logical_id:finding`."""
    return [f"{f.logical_id}:{f.finding}" for f in findings(template)]


def detail(template: dict[str, Any]) -> str:
    (only,) = findings(template)
    return only.detail


def role(
    *, arns: list[Any] | None = None, policies: list[dict[str, Any]] | None = None, **props: Any
) -> dict[str, Any]:
    properties: dict[str, Any] = {"AssumeRolePolicyDocument": TRUST, **props}
    if arns is not None:
        properties["ManagedPolicyArns"] = arns
    if policies is not None:
        properties["Policies"] = policies
    return {"Type": "AWS::IAM::Role", "Properties": properties}


def aws_arns(count: int) -> list[str]:
    return [f"arn:aws:iam::aws:policy/Policy{i}" for i in range(count)]


def managed_policy(*roles: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": document(200), "Roles": list(roles)},
    }


def size_of(doc: Any) -> int:
    """IAM's count, written out independently: the JSON without any whitespace."""
    return len(re.sub(r"\s", "", json.dumps(doc, separators=(",", ":"))))


def document(size: int, *, spaces: int = 0) -> dict[str, Any]:
    """A policy document of exactly `size` characters as IAM counts them, with `spaces` blanks inside
    its strings that must not count."""
    base = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ""}]}
    prefix = "arn:aws:s3:::bucket/"
    padding = size - size_of(base) - len(prefix)
    assert padding >= 0
    text = prefix + "k" * padding
    blanks = " " * spaces
    base["Statement"][0]["Resource"] = text[:10] + blanks + text[10:]
    assert size_of(base) == size
    return base


def inline(name: str, doc: Any) -> dict[str, Any]:
    return {"PolicyName": name, "PolicyDocument": doc}


def iam_policy(doc: Any, *roles: Any, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Policy",
        "Properties": {"PolicyName": "extra", "PolicyDocument": doc, "Roles": list(roles)},
        **extra,
    }


def t(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


def test_rule_is_registered_as_an_error_on_every_role() -> None:
    assert rule("FED60") is RULE
    assert RULE.level == "error" and RULE.resource_types == ("AWS::IAM::Role",)


# --- managed policies ------------------------------------------------------------------------------


def test_ten_managed_policy_arns_are_within_the_quota() -> None:
    assert MANAGED_POLICIES_PER_ROLE == 10
    assert found(t(R=role(arns=aws_arns(10)))) == []


def test_eleven_managed_policy_arns_are_over_the_quota() -> None:
    template = t(R=role(arns=aws_arns(11), RoleName="ci-deploy"))
    assert found(template) == ["R:ManagedPolicies"]
    text = detail(template)
    assert "Role R (RoleName ci-deploy) holds 11 managed policies" in text
    assert "quota of 10" in text and "raisable to 20" in text and "FED60[ManagedPolicies]" in text
    assert "reference_iam-quotas.html" in text


def test_template_managed_policies_attaching_through_roles_are_counted() -> None:
    policies = {f"Mp{i}": managed_policy({"Ref": "R"}) for i in range(5)}
    template = t(R=role(arns=aws_arns(6)), **policies)
    assert found(template) == ["R:ManagedPolicies"]
    text = detail(template)
    assert "holds 11 managed policies (6 in ManagedPolicyArns; 5 AWS::IAM::ManagedPolicy of this template: " in text
    assert "Mp0, Mp1, Mp2, Mp3, Mp4" in text


def test_template_managed_policies_attaching_by_literal_role_name_are_counted() -> None:
    policies = {f"Mp{i}": managed_policy("app-role") for i in range(2)}
    assert found(t(R=role(arns=aws_arns(9), RoleName="app-role"), **policies)) == ["R:ManagedPolicies"]


def test_a_managed_policy_attaching_to_another_role_is_not_counted() -> None:
    template = t(R=role(arns=aws_arns(10)), Other=role(), Mp=managed_policy({"Ref": "Other"}))
    assert found(template) == []


def test_a_managed_policy_listed_and_attaching_itself_counts_once() -> None:
    template = t(R=role(arns=[*aws_arns(9), {"Ref": "Mp"}]), Mp=managed_policy({"Ref": "R"}))
    assert found(template) == []
    template = t(R=role(arns=[*aws_arns(9), {"Ref": "Mp"}, {"Ref": "Mp"}, aws_arns(1)[0]]), Mp=managed_policy())
    assert found(template) == []


def test_managed_policy_arns_from_intrinsics_count_each() -> None:
    arns: list[Any] = [{"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/Policy{i}"} for i in range(10)] + [
        {"Fn::ImportValue": "SharedPolicyArn"}
    ]
    assert found(t(R=role(arns=arns))) == ["R:ManagedPolicies"]


def test_a_managed_policy_arn_that_may_be_novalue_is_not_counted() -> None:
    maybe = {"Fn::If": ["Prod", "arn:aws:iam::aws:policy/Extra", {"Ref": "AWS::NoValue"}]}
    assert found(t(R=role(arns=[*aws_arns(10), maybe]))) == []
    shorter = {"Fn::If": ["Prod", aws_arns(11), aws_arns(10)]}
    assert found(t(R=role(arns=shorter))) == []


def test_a_conditional_managed_policy_is_not_counted() -> None:
    template = t(R=role(arns=aws_arns(10)), Mp={**managed_policy({"Ref": "R"}), "Condition": "Prod"})
    assert found(template) == []


def test_over_twenty_managed_policies_can_never_deploy() -> None:
    assert "it can never deploy" in detail(t(R=role(arns=aws_arns(21))))
    assert "it can never deploy" not in detail(t(R=role(arns=aws_arns(20))))


# --- inline policies -------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "reported"), [(INLINE_POLICIES_QUOTA, False), (INLINE_POLICIES_QUOTA + 1, True)])
def test_inline_policies_at_the_exact_boundary_split_across_policies_and_a_policy_resource(
    total: int, reported: bool
) -> None:
    own = document(6000, spaces=300)
    other = document(total - 6000, spaces=500)
    template = t(R=role(policies=[inline("own", own)]), Extra=iam_policy(other, {"Ref": "R"}))
    assert found(template) == (["R:InlinePolicies"] if reported else [])
    if reported:
        text = detail(template)
        assert f"inline policies of {total:,} characters without whitespace" in text
        assert "at least" not in text
        assert "Policies[own] 6,000" in text and f"Extra {total - 6000:,}" in text
        assert "10,240" in text and "customer managed policy" in text


def test_several_inline_policies_of_the_role_add_up() -> None:
    policies = [inline(f"p{i}", document(2100)) for i in range(5)]
    assert found(t(R=role(policies=policies))) == ["R:InlinePolicies"]
    assert found(t(R=role(policies=policies[:4]))) == []


def test_a_role_policy_naming_the_role_by_literal_role_name_is_counted() -> None:
    role_policy = {
        "Type": "AWS::IAM::RolePolicy",
        "Properties": {"RoleName": "app-role", "PolicyName": "more", "PolicyDocument": document(5000)},
    }
    named = role(policies=[inline("own", document(6000))], RoleName="app-role")
    assert found(t(R=named, Rp=role_policy)) == ["R:InlinePolicies"]
    assert "Role R (RoleName app-role)" in detail(t(R=named, Rp=role_policy))
    other = {**role_policy, "Properties": {**role_policy["Properties"], "RoleName": "other-role"}}
    assert found(t(R=named, Rp=other)) == []


def test_a_policy_naming_two_roles_counts_for_each() -> None:
    template = t(
        A=role(policies=[inline("own", document(6000))]),
        B=role(policies=[inline("own", document(6000))]),
        Shared=iam_policy(document(5000), {"Ref": "A"}, {"Ref": "B"}),
    )
    assert found(template) == ["A:InlinePolicies", "B:InlinePolicies"]


def test_a_policy_naming_the_role_twice_counts_once() -> None:
    template = t(
        R=role(policies=[inline("own", document(5000))], RoleName="app-role"),
        Extra=iam_policy(document(5000), {"Ref": "R"}, "app-role"),
    )
    assert found(template) == []


def test_managed_policy_documents_are_not_inline() -> None:
    mp = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": document(6000), "Roles": [{"Ref": "R"}]}}
    assert found(t(R=role(policies=[inline("own", document(6000))]), Mp=mp)) == []


def test_a_conditional_policy_resource_is_not_counted() -> None:
    extra = iam_policy(document(5000), {"Ref": "R"}, Condition="Prod")
    assert found(t(R=role(policies=[inline("own", document(6000))]), Extra=extra)) == []


# --- intrinsics: only what the template fixes ------------------------------------------------------


def joined_document(literal: int, *refs: Any) -> dict[str, Any]:
    """A document whose Resource is an `Fn::Join` of literal text and `refs`, with exactly `literal`
    characters fixed by the template (the Join itself rendered as one string)."""
    doc = document(literal)
    text = doc["Statement"][0]["Resource"]
    doc["Statement"][0]["Resource"] = {"Fn::Join": ["", [text[:8], *refs, text[8:]]]}
    return doc


def test_account_id_counts_its_twelve_digits_and_is_reported_as_at_least() -> None:
    doc = joined_document(INLINE_POLICIES_QUOTA - 11, {"Ref": "AWS::AccountId"})
    text = detail(t(R=role(policies=[inline("own", doc)])))
    assert f"at least {INLINE_POLICIES_QUOTA + 1:,} characters" in text
    assert "counted at their shortest" in text
    ok = joined_document(INLINE_POLICIES_QUOTA - 12, {"Ref": "AWS::AccountId"})
    assert found(t(R=role(policies=[inline("own", ok)]))) == []


def test_unresolved_references_count_nothing_so_a_guess_never_makes_a_finding() -> None:
    refs = [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Ref": "BucketName"}, {"Fn::ImportValue": "Shared"}]
    doc = joined_document(INLINE_POLICIES_QUOTA, *refs)
    template = t(R=role(policies=[inline("own", doc)]))
    template["Parameters"] = {"BucketName": {"Type": "String", "Default": "a-very-long-default-bucket-name"}}
    assert found(template) == []


def test_sub_counts_its_literal_text_and_pseudo_parameters_at_their_shortest() -> None:
    def with_partition(extra: str) -> dict[str, Any]:
        doc = document(INLINE_POLICIES_QUOTA - 2)
        text = doc["Statement"][0]["Resource"]
        # the Sub's literal text, "aws" (3 characters) for the partition, and `extra`
        doc["Statement"][0]["Resource"] = {"Fn::Sub": text.replace("arn:aws:", "arn:${AWS::Partition}:", 1) + extra}
        return t(R=role(policies=[inline("own", doc)]))

    assert found(with_partition("xx")) == []
    assert found(with_partition("xxx")) == ["R:InlinePolicies"]
    assert f"at least {INLINE_POLICIES_QUOTA + 1:,} characters" in detail(with_partition("xxx"))


def test_fn_if_counts_the_smaller_branch_and_novalue_nothing() -> None:
    big = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/" + "k" * 600}
    doc = document(INLINE_POLICIES_QUOTA - 100)
    doc["Statement"].append({"Fn::If": ["Prod", big, {"Ref": "AWS::NoValue"}]})
    assert found(t(R=role(policies=[inline("own", doc)]))) == []
    doc["Statement"][-1] = {"Fn::If": ["Prod", big, big]}
    assert found(t(R=role(policies=[inline("own", doc)]))) == ["R:InlinePolicies"]
    maybe_policy = {"Fn::If": ["Prod", inline("extra", document(5000)), {"Ref": "AWS::NoValue"}]}
    assert found(t(R=role(policies=[inline("own", document(6000)), maybe_policy]))) == []


ODD: list[Any] = [
    None,
    7,
    "text",
    [],
    {"Fn::If": ["c", 1, 2]},
    {"Fn::If": "c"},
    {"Ref": "Missing"},
    [{"Fn::Sub": "${X}"}],
]


@pytest.mark.parametrize("odd", ODD, ids=repr)
def test_odd_input_never_crashes(odd: Any) -> None:
    template = t(
        R=role(arns=odd, policies=odd),
        S=role(policies=[{"PolicyName": odd, "PolicyDocument": odd}]),
        P={"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": odd, "Roles": odd}},
        Rp={"Type": "AWS::IAM::RolePolicy", "Properties": {"PolicyDocument": odd, "RoleName": odd}},
        M={"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": odd, "Roles": odd}},
    )
    assert not [f for f in findings(template) if f.finding == "rule-error"]
