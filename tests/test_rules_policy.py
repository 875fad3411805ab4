"""The policy reader the rules stand on: templates as CloudFormation holds them, in every spelling
IAM accepts, never crashing on what it cannot judge. Plain Python: no CDK, no synth."""

from __future__ import annotations

from typing import Any

import pytest

from federation_constructs.policy.document import Unresolved, flatten, is_literal, statements
from federation_constructs.policy.template import TemplateIndex, issuer_facts
from federation_constructs.rules import RULES, lint_template, rule
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

GITHUB = "token.actions.githubusercontent.com"


def trust(statement: Any, **props: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "R": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": statement}, **props},
            }
        }
    }


def ids(template: dict[str, Any]) -> set[str]:
    return {f.rule_id for f in lint_template(template)}


def test_statement_as_object_or_list_and_principal_as_string_or_list() -> None:
    one = statements({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}})
    many = statements(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:a", "arn:b"]}, "Action": ["sts:AssumeRole"]}]}
    )
    assert one[0].principals == {"*": ("*",)} and one[0].actions == ("sts:AssumeRole",)
    assert many[0].principal_values("AWS") == ("arn:a", "arn:b")


@pytest.mark.parametrize(
    "operator", ["StringLike", "stringlike", "STRINGLIKE", "ForAnyValue:StringLike", "forallvalues:stringlikeifexists"]
)
def test_operators_in_any_case(operator: str) -> None:
    (statement,) = statements(
        {"Statement": {"Effect": "Allow", "Action": "*", "Condition": {operator: {"A:Sub": "x"}}}}
    )
    (condition,) = statement.conditions
    assert condition.base == "stringlike" and condition.key == "a:sub" and condition.values == ("x",)
    assert condition.if_exists == operator.lower().endswith("ifexists")
    assert (
        condition.qualifier
        == {"foranyvalue": "ForAnyValue", "forallvalues": "ForAllValues"}.get(operator.lower().split(":")[0])
        if ":" in operator
        else condition.qualifier is None
    )


def test_values_of_every_json_type_become_strings() -> None:
    (statement,) = statements(
        {
            "Statement": {
                "Effect": "Deny",
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": False}, "NumericLessThan": {"s3:TlsVersion": 1.2}},
            }
        }
    )
    assert [c.values for c in statement.conditions] == [("false",), ("1.2",)]


def test_intrinsics_are_kept_unresolved_with_cdk_nag_text() -> None:
    assert flatten({"Ref": "Provider"}) == "<Provider>" and not is_literal(flatten({"Ref": "Provider"}))
    assert flatten({"Fn::GetAtt": ["Bucket", "Arn"]}) == "<Bucket.Arn>"
    assert flatten({"Fn::GetAtt": "Bucket.Arn"}) == "<Bucket.Arn>"
    joined = flatten({"Fn::Join": ["", [{"Fn::GetAtt": ["B", "Arn"]}, "/home/*"]]})
    assert joined == "<B.Arn>/home/*" and isinstance(joined, Unresolved)
    assert flatten({"Fn::Join": ["/", ["a", "b"]]}) == "a/b" and is_literal(flatten({"Fn::Join": ["/", ["a", "b"]]}))
    assert flatten({"Fn::Sub": "arn:aws:s3:::b/${!aws:username}/*"}) == "arn:aws:s3:::b/${aws:username}/*"
    assert flatten({"Fn::Sub": ["${X}/y", {"X": "lit"}]}) == "lit/y"
    assert flatten({"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}) == "arn:<AWS::Partition>:s3:::b"
    assert flatten({"Fn::If": ["C", "a", "b"]}) == "<Fn::If>"
    assert flatten({"Ref": "P"}, {"P": "default"}) == "default"


def test_odd_input_never_raises() -> None:
    for document in (
        None,
        "x",
        [],
        {"Statement": "x"},
        {"Statement": [1, None, {"Effect": "Allow"}]},
        {"Statement": {"Condition": {"StringEquals": "not a map"}}},
    ):
        statements(document)
    assert (
        lint_template(
            {
                "Resources": {
                    "A": {
                        "Type": "AWS::IAM::Role",
                        "Properties": {"AssumeRolePolicyDocument": {"Fn::If": ["C", {}, {}]}},
                    },
                    "B": "not a resource",
                    "C": {"Type": 5},
                }
            }
        )
        == []
    )
    assert lint_template({}) == [] and lint_template({"Resources": []}) == []


def test_a_rule_that_fails_is_reported_not_raised() -> None:
    def broken(context: ResourceContext) -> list[Hit]:
        raise KeyError("boom")

    bad = Rule(id="FED99", level="error", title="t", fix="f", resource_types=("AWS::IAM::Role",), check=broken)
    (finding,) = lint_template(trust([]), rules=[bad])
    assert finding.finding == "rule-error" and "KeyError" in finding.detail


def test_provider_reference_resolves_to_its_issuer() -> None:
    index = TemplateIndex(
        {"Resources": {"P": {"Type": "AWS::IAM::OIDCProvider", "Properties": {"Url": f"https://{GITHUB}"}}}}
    )
    assert index.oidc_host_path(Unresolved("<P>")) == GITHUB
    assert index.oidc_host_path(Unresolved("<P.Arn>")) == GITHUB
    assert index.oidc_host_path(f"arn:aws:iam::1:oidc-provider/{GITHUB}") == GITHUB
    assert index.oidc_host_path("accounts.google.com") == "accounts.google.com"
    assert index.oidc_host_path(Unresolved("<Elsewhere>")) is None


@pytest.mark.parametrize(
    ("host", "name"),
    [
        (GITHUB, "GitHub Actions"),
        (f"{GITHUB}/my-enterprise", "GitHub Actions"),
        ("gitlab.com", "GitLab CI"),
        ("gitlab.example.com", "GitLab CI"),
        ("app.terraform.io", "HCP Terraform"),
        ("oidc.eks.eu-west-1.amazonaws.com/id/ABC", "EKS service accounts"),
        ("accounts.google.com", "Google"),
        ("graph.facebook.com", "Facebook"),
        ("idp.example.com/tenant", "idp.example.com/tenant"),
    ],
)
def test_issuers_are_recognised_by_host(host: str, name: str) -> None:
    assert issuer_facts(host).name == name


def test_rules_are_numbered_documented_and_unique() -> None:
    assert [r.id for r in RULES] == [f"FED{n}" for n in range(1, len(RULES) + 1)]
    for r in RULES:
        assert r.level in ("error", "warning") and r.title and r.fix and r.resource_types
    assert rule("FED1").level == "error"


def test_the_same_trust_in_other_spellings_gets_the_same_verdict() -> None:
    """A GitHub trust without sub, written five ways: FED1 every time."""
    provider = f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}"
    forms = [
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}},
        },
        [
            {
                "Effect": "Allow",
                "Principal": {"Federated": [provider]},
                "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Condition": {"stringequals": {f"{GITHUB}:aud": ["sts.amazonaws.com"]}},
            }
        ],
        {
            "Effect": "Allow",
            "Principal": {
                "Federated": {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{GITHUB}"}
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}},
        },
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                "StringLikeIfExists": {f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"},
            },
        },
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                "ForAllValues:StringEquals": {f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"},
            },
        },
    ]
    for statement in forms:
        assert "FED1" in ids(trust(statement)), statement


def test_fn_sub_substitutes_variables_keeps_escaped_literals_and_refuses_malformed_forms() -> None:
    from federation_constructs.policy.document import substitute

    def value_of(name: str, variables: dict) -> tuple[str, bool]:
        return (variables[name], False) if name in variables else (f"<{name}>", True)

    assert substitute(["arn:${P}:iam::${!Literal}", {"P": "aws"}], value_of) == ("arn:aws:iam::${Literal}", False)
    assert substitute("role/${Name}", value_of) == ("role/<Name>", True)
    assert substitute(["only a template"], value_of) is None
    assert substitute({"not": "a sub"}, value_of) is None
    assert flatten({"Fn::Sub": ["${A}-${B.Arn}", {"A": "x"}]}) == "x-<B.Arn>"
    assert isinstance(flatten({"Fn::Sub": ["${A}-${B.Arn}", {"A": "x"}]}), Unresolved)


@pytest.mark.parametrize(
    ("operator", "values", "holds"),
    [
        ("StringEquals", ["a"], False),
        ("StringNotEquals", ["a"], True),
        ("StringEqualsIfExists", ["a"], True),
        ("ForAllValues:StringEquals", ["a"], True),
        ("ForAnyValue:StringLike", ["a"], False),
        ("ForAnyValue:StringNotEquals", ["a"], False),
        ("Null", ["true"], True),
        ("Null", ["false"], False),
    ],
)
def test_what_a_condition_does_when_the_key_is_absent(operator: str, values: list[str], holds: bool) -> None:
    """IAM's documented semantics for a request without the key (FED36/FED37 word their findings by it)."""
    from federation_constructs.policy.document import statements

    (statement,) = statements(
        {
            "Statement": {
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": "x"},
                "Condition": {operator: {"k:sub": values}},
            }
        }
    )
    (condition,) = statement.conditions
    assert condition.holds_when_absent is holds
