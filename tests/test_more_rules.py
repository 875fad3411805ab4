"""FED36 and up: each rule on small hand-built templates, the case it catches and the near misses it
must leave alone (the corpus in tests/lint_corpus/ holds the realistic templates), plus the bundled
example template, which must stay free of their errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from federation_constructs.rules import RULES, lint_template, rule

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "cdk.out" / "example-federation.template.json"
NEW_RULES = [r for r in RULES if int(r.id[3:]) >= 36]

GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = {
    "Type": "AWS::IAM::OIDCProvider",
    "Properties": {"Url": f"https://{GITHUB}", "ClientIdList": ["sts.amazonaws.com"]},
}
COGNITO = "cognito-identity.amazonaws.com"


def found(rule_id: str, template: Mapping[str, Any]) -> list[str]:
    """The findings of one rule on a template, as `logical_id:finding`."""
    return [f"{f.logical_id}:{f.finding}" for f in lint_template(template, [rule(rule_id)])]


def role(trust: list[dict[str, Any]] | dict[str, Any], *policies: dict[str, Any], **props: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": trust},
        **props,
    }
    if policies:
        properties["Policies"] = [
            {"PolicyName": f"p{i}", "PolicyDocument": {"Version": "2012-10-17", "Statement": list(p["Statement"])}}
            for i, p in enumerate(policies)
        ]
    return {"Type": "AWS::IAM::Role", "Properties": properties}


def github_trust(**conditions: Any) -> dict[str, Any]:
    condition: dict[str, Any] = {
        "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"}
    }
    for operator, keys in conditions.items():
        condition.setdefault(operator.replace("_", ":"), {}).update(keys)
    return {
        "Effect": "Allow",
        "Principal": {"Federated": {"Ref": "GitHub"}},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }


def cognito_trust(
    amr: str = "authenticated",
    pool: str = "Pool",
    *,
    operator: str = "ForAnyValue:StringLike",
    actions: Any = "sts:AssumeRoleWithWebIdentity",
) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Federated": COGNITO},
        "Action": actions,
        "Condition": {"StringEquals": {f"{COGNITO}:aud": {"Ref": pool}}, operator: {f"{COGNITO}:amr": amr}},
    }


def template(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


def allow(action: Any, resource: Any, **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = {op.replace("_", ":"): keys for op, keys in condition.items()}
    return {"Statement": [statement]}


# --- the pack as a whole ---------------------------------------------------------------------


def test_at_least_twenty_new_rules_with_docs_and_sources() -> None:
    assert len(NEW_RULES) >= 20
    for new in NEW_RULES:
        module = __import__(new.check.__module__, fromlist=["__doc__"])
        assert module.__doc__ and "https://" in module.__doc__, f"{new.id}: the module docstring names its source"
        assert new.level in ("error", "warning") and new.title and new.fix


def test_bundled_example_has_no_finding_of_the_new_rules() -> None:
    if not EXAMPLE.exists():
        pytest.skip("cdk.out/example-federation.template.json has not been synthesized")
    findings = lint_template(json.loads(EXAMPLE.read_text(encoding="utf-8")), NEW_RULES)
    assert findings == []


ODD_VALUES: list[Any] = [None, 7, "text", [], {"Fn::If": ["c", 1, 2]}, {"Ref": "Missing"}, [{"Fn::Sub": "${X}"}]]


@pytest.mark.parametrize("odd", ODD_VALUES, ids=repr)
def test_odd_input_never_crashes_a_rule(odd: Any) -> None:
    resources = {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": odd, "Policies": odd, "MaxSessionDuration": odd},
        },
        "Role2": role(
            [{"Effect": "Allow", "Principal": {"Federated": odd}, "Action": odd, "Condition": {"StringEquals": odd}}]
        ),
        "Provider": {"Type": "AWS::IAM::OIDCProvider", "Properties": {"Url": odd, "ClientIdList": odd}},
        "Saml": {"Type": "AWS::IAM::SAMLProvider", "Properties": {"Name": odd}},
        "Attach": {
            "Type": "AWS::Cognito::IdentityPoolRoleAttachment",
            "Properties": {
                "IdentityPoolId": odd,
                "Roles": odd,
                "RoleMappings": {"x": {"RulesConfiguration": {"Rules": odd}}},
            },
        },
        "Tags": {
            "Type": "AWS::Cognito::IdentityPoolPrincipalTag",
            "Properties": {"IdentityPoolId": odd, "PrincipalTags": odd},
        },
        "Assoc": {"Type": "AWS::EKS::PodIdentityAssociation", "Properties": {"RoleArn": odd}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"OwnershipControls": odd}},
        "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": odd, "Roles": odd}},
    }
    findings = lint_template({"Resources": resources}, NEW_RULES)
    assert not [f for f in findings if f.finding == "rule-error"], findings


# --- FED36: caller-principal keys in a federated trust -----------------------------------------


def test_fed36_principal_org_in_web_identity_trust() -> None:
    t = template(GitHub=GITHUB_PROVIDER, R=role([github_trust(StringEquals={"aws:PrincipalOrgID": "o-1"})]))
    assert found("FED36", t) == ["R:Statement0::aws:principalorgid"]


@pytest.mark.parametrize("operator", ["StringNotEquals", "StringEqualsIfExists", "Null"])
def test_fed36_negated_and_ifexists_forms_fence_nothing(operator: str) -> None:
    value = "true" if operator == "Null" else "arn:aws:iam::111122223333:role/x"
    t = template(GitHub=GITHUB_PROVIDER, R=role([github_trust(**{operator: {"AWS:PrincipalArn": value}})]))
    [hit] = lint_template(t, [rule("FED36")])
    assert "fences nothing" in hit.detail


def test_fed36_leaves_aws_principal_statements_and_request_tags_alone() -> None:
    aws_statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
    }
    tags = github_trust(StringEquals={"aws:RequestTag/team": "web"})
    t = template(GitHub=GITHUB_PROVIDER, R=role([tags, aws_statement]))
    assert found("FED36", t) == []


# --- FED37: claims STS does not evaluate ------------------------------------------------------


def test_fed37_github_keys_outside_the_sts_list() -> None:
    trust = github_trust(
        StringEquals={f"{GITHUB}:repository_owner": "acme", f"{GITHUB}:repository_id": "1"},
        StringNotEquals={f"{GITHUB}:runner_environment": "self-hosted"},
    )
    t = template(GitHub=GITHUB_PROVIDER, R=role([trust]))
    assert sorted(found("FED37", t)) == [
        f"R:Statement0::{GITHUB}:repository_owner",
        f"R:Statement0::{GITHUB}:runner_environment",
    ]


def test_fed37_null_true_on_an_unevaluated_claim_never_excludes() -> None:
    trust = github_trust(Null={f"{GITHUB}:head_ref": "true"})
    [hit] = lint_template(template(GitHub=GITHUB_PROVIDER, R=role([trust])), [rule("FED37")])
    assert "never excludes anything" in hit.detail


def test_fed37_eks_and_unknown_issuers() -> None:
    eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{eks}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{eks}:aud": "sts.amazonaws.com",
                f"{eks}:sub": "system:serviceaccount:a:b",
                f"{eks}:kubernetes.io/namespace": "a",
            }
        },
    }
    other = {
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/idp.example.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"idp.example.com:aud": "x", "idp.example.com:sub": "y", "idp.example.com:email": "z"}
        },
    }
    assert found("FED37", template(R=role([trust, other]))) == [f"R:Statement0::{eks.lower()}:kubernetes.io/namespace"]


# --- FED38: amr without a set operator --------------------------------------------------------


def test_fed38_amr_plain_operator() -> None:
    t = template(R=role([cognito_trust(operator="StringEquals")]))
    assert found("FED38", t) == [f"R:Statement0::StringEquals::{COGNITO}:amr"]
    assert found("FED38", template(R=role([cognito_trust()]))) == []


# --- FED39: branch-or-tag subjects ------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "caught"),
    [
        ("repo:acme/api:ref:refs/*/main", True),
        ("repo:acme/api:ref:refs/*", True),
        ("repo:acme/api:ref:*main", True),
        ("repo:acme/api:ref:refs/heads/main", False),
        ("repo:acme/api:ref:refs/tags/v*", False),
        ("repo:acme/api:ref:refs/heads/release/*", False),
        ("repo:acme/api:ref:*", False),  # any ref at all: FED5's
        ("repo:acme/api:environment:prod", False),
    ],
)
def test_fed39_github(subject: str, caught: bool) -> None:
    t = template(GitHub=GITHUB_PROVIDER, R=role([github_trust(StringLike={f"{GITHUB}:sub": subject})]))
    assert bool(found("FED39", t)) is caught


@pytest.mark.parametrize(
    ("subject", "caught"),
    [
        ("project_path:acme/api:ref_type:*:ref:main", True),
        ("project_path:acme/api:ref_type:?*:ref:release-*", True),
        ("project_path:acme/api:ref_type:branch:ref:main", False),
        ("project_path:acme/api:ref_type:tag:ref:v*", False),
        ("project_path:acme/api:*", False),
    ],
)
def test_fed39_gitlab(subject: str, caught: bool) -> None:
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/gitlab.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
            "StringLike": {"gitlab.com:sub": subject},
        },
    }
    assert bool(found("FED39", template(R=role([trust])))) is caught


# --- FED40 / FED41 / FED58: GitHub claim values -------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "caught"),
    [
        ("acme/wf/.github/workflows/deploy.yml@*", True),
        ("acme/wf/.github/workflows/deploy.yml@refs/heads/*", True),
        ("acme/wf/*", True),
        ("acme/wf/.github/workflows/deploy.yml@refs/heads/main", False),
        ("acme/wf/.github/workflows/deploy.yml@refs/tags/v*", False),
    ],
)
def test_fed40_job_workflow_ref(ref: str, caught: bool) -> None:
    t = template(GitHub=GITHUB_PROVIDER, R=role([github_trust(StringLike={f"{GITHUB}:job_workflow_ref": ref})]))
    assert bool(found("FED40", t)) is caught


def test_fed41_workflow_name_and_login() -> None:
    trust = github_trust(StringEquals={f"{GITHUB}:workflow": "Release", f"{GITHUB}:actor": "octocat"})
    assert len(found("FED41", template(GitHub=GITHUB_PROVIDER, R=role([trust])))) == 2
    pinned = github_trust(
        StringEquals={
            f"{GITHUB}:workflow": "Release",
            f"{GITHUB}:actor": "octocat",
            f"{GITHUB}:actor_id": "583231",
            f"{GITHUB}:job_workflow_ref": "acme/wf/.github/workflows/r.yml@refs/heads/main",
        }
    )
    bot = github_trust(StringEquals={f"{GITHUB}:actor": "dependabot[bot]"})
    assert found("FED41", template(GitHub=GITHUB_PROVIDER, R=role([pinned, bot]))) == []


@pytest.mark.parametrize(
    ("subject", "caught"),
    [
        ("repo:acme/shop:environment:prod:eu", True),
        ("repo:acme/shop:environment:prod%3Aeu", False),
        ("repo:acme/shop:environment:prod:job_workflow_ref:acme/wf/.github/workflows/d.yml@refs/heads/main", False),
        ("repo:acme/shop:environment:prod", False),
    ],
)
def test_fed58_colon_in_environment(subject: str, caught: bool) -> None:
    trust = github_trust()
    trust["Condition"]["StringEquals"][f"{GITHUB}:sub"] = subject
    assert bool(found("FED58", template(GitHub=GITHUB_PROVIDER, R=role([trust])))) is caught


# --- FED42 / FED43 / FED44: providers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "caught"),
    [
        ("https://token.actions.githubusercontent.com", False),
        ("https://gitlab.example.com/gitlab", False),
        ("https://token.actions.githubusercontent.com/", True),
        ("http://gitlab.example.com", True),
        ("https://Token.Actions.GitHubUserContent.com", True),
        ("https://idp.example.com?x=1", True),
        ("token.actions.githubusercontent.com", True),
    ],
)
def test_fed42_provider_url(url: str, caught: bool) -> None:
    t = template(P={"Type": "AWS::IAM::OIDCProvider", "Properties": {"Url": url}})
    assert bool(found("FED42", t)) is caught


def test_fed43_audience_must_be_registered() -> None:
    provider = {
        "Type": "AWS::IAM::OIDCProvider",
        "Properties": {"Url": f"https://{GITHUB}", "ClientIdList": ["https://github.com/acme"]},
    }
    assert found("FED43", template(GitHub=provider, R=role([github_trust()]))) == [f"R:Statement0::{GITHUB}:aud"]
    assert found("FED43", template(GitHub=GITHUB_PROVIDER, R=role([github_trust()]))) == []
    pattern = github_trust()
    pattern["Condition"]["StringLike"] = {f"{GITHUB}:aud": "sts.*"}
    del pattern["Condition"]["StringEquals"][f"{GITHUB}:aud"]
    assert found("FED43", template(GitHub=GITHUB_PROVIDER, R=role([pattern]))) == []
    unknown = {
        "Type": "AWS::IAM::OIDCProvider",
        "Properties": {"Url": f"https://{GITHUB}", "ClientIdList": [{"Ref": "Aud"}]},
    }
    assert found("FED43", template(GitHub=unknown, R=role([github_trust()]))) == []


def test_fed44_second_provider_for_an_issuer() -> None:
    saml = {"Type": "AWS::IAM::SAMLProvider", "Properties": {"Name": "Okta", "SamlMetadataDocument": "<x/>"}}
    t = template(
        A=GITHUB_PROVIDER, B=GITHUB_PROVIDER, S1=saml, S2=saml, S3={"Type": "AWS::IAM::SAMLProvider", "Properties": {}}
    )
    assert sorted(found("FED44", t)) == [f"B:oidc::https://{GITHUB}", "S2:saml::Okta"]


# --- FED45: SAML:aud partition -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "aud", "caught"),
    [
        ("arn:aws-cn:iam::111122223333:saml-provider/X", "https://signin.aws.amazon.com/saml", True),
        ("arn:aws:iam::111122223333:saml-provider/X", "https://signin.amazonaws.cn/saml", True),
        ("arn:aws-us-gov:iam::111122223333:saml-provider/X", "https://signin.aws.amazon.com/saml", True),
        ("arn:aws-cn:iam::111122223333:saml-provider/X", "https://signin.amazonaws.cn/saml", False),
        ("arn:aws:iam::111122223333:saml-provider/X", "https://eu-west-1.signin.aws.amazon.com/saml", False),
        (
            {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:saml-provider/X"},
            "https://signin.amazonaws.cn/saml",
            False,
        ),
    ],
)
def test_fed45_partition(provider: Any, aud: str, caught: bool) -> None:
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": aud}},
    }
    assert bool(found("FED45", template(R=role([trust])))) is caught


# --- FED46 / FED47: identity pool slots ---------------------------------------------------------


def pool_template(roles: dict[str, Any], attached: dict[str, str], **extra: dict[str, Any]) -> dict[str, Any]:
    return template(
        Pool={"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": True}},
        Other={"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": False}},
        Attach={
            "Type": "AWS::Cognito::IdentityPoolRoleAttachment",
            "Properties": {
                "IdentityPoolId": {"Ref": "Pool"},
                "Roles": {slot: {"Fn::GetAtt": [name, "Arn"]} for slot, name in attached.items()},
            },
        },
        **roles,
        **extra,
    )


def test_fed46_guest_slot_role_trusting_only_members() -> None:
    t = pool_template({"Guest": role([cognito_trust("authenticated")])}, {"unauthenticated": "Guest"})
    assert found("FED46", t) == ["Guest:Attach.Roles.unauthenticated::unauthenticated"]


def test_fed46_role_pinned_to_another_pool_and_role_without_cognito() -> None:
    other = role([cognito_trust("authenticated", pool="Other")])
    plain = role([{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}])
    t = pool_template({"Members": other, "Guest": plain}, {"authenticated": "Members", "unauthenticated": "Guest"})
    assert sorted(found("FED46", t)) == [
        "Guest:Attach.Roles.unauthenticated::no-cognito-trust",
        "Members:Attach.Roles.authenticated::authenticated",
    ]


def test_fed46_accepts_matching_roles_and_unknown_pools() -> None:
    members, guest = role([cognito_trust("authenticated")]), role([cognito_trust("unauthenticated")])
    t = pool_template({"Members": members, "Guest": guest}, {"authenticated": "Members", "unauthenticated": "Guest"})
    assert found("FED46", t) == []
    literal = role(
        [
            cognito_trust("authenticated")
            | {
                "Condition": {
                    "StringEquals": {f"{COGNITO}:aud": "us-east-1:0000"},
                    "ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"},
                }
            }
        ]
    )
    assert found("FED46", pool_template({"Members": literal}, {"authenticated": "Members"})) == []


def test_fed46_leaves_guest_admitting_members_role_to_fed14() -> None:
    t = pool_template({"Members": role([cognito_trust("unauthenticated")])}, {"authenticated": "Members"})
    assert found("FED46", t) == []


def test_fed46_rule_mappings_hand_out_authenticated_roles() -> None:
    t = pool_template(
        {"Members": role([cognito_trust("authenticated")]), "Mapped": role([cognito_trust("unauthenticated")])},
        {"authenticated": "Members"},
    )
    t["Resources"]["Attach"]["Properties"]["RoleMappings"] = {
        "up": {
            "Type": "Rules",
            "AmbiguousRoleResolution": "Deny",
            "RulesConfiguration": {
                "Rules": [
                    {
                        "Claim": "cognito:groups",
                        "MatchType": "Contains",
                        "Value": "x",
                        "RoleARN": {"Fn::GetAtt": ["Mapped", "Arn"]},
                    }
                ]
            },
        }
    }
    assert found("FED46", t) == ["Mapped:Attach.RoleMappings.up.Rules_0_::authenticated"]


def test_fed47_principal_tags_need_tag_session() -> None:
    tags = {
        "Type": "AWS::Cognito::IdentityPoolPrincipalTag",
        "Properties": {"IdentityPoolId": {"Ref": "Pool"}, "IdentityProviderName": "x", "UseDefaults": True},
    }
    members = role([cognito_trust("authenticated")])
    t = pool_template(
        {"Members": members, "Guest": role([cognito_trust("unauthenticated")])},
        {"authenticated": "Members", "unauthenticated": "Guest"},
        Tags=tags,
    )
    assert found("FED47", t) == ["Members:Attach.Roles.authenticated::sts:TagSession"]
    tagged = role([cognito_trust("authenticated", actions=["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])])
    assert found("FED47", pool_template({"Members": tagged}, {"authenticated": "Members"}, Tags=tags)) == []
    assert found("FED47", pool_template({"Members": members}, {"authenticated": "Members"})) == []


# --- FED48 / FED49: EKS Pod Identity --------------------------------------------------------------


def pods(actions: Any, **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": actions,
    }
    if condition:
        statement["Condition"] = {op: keys for op, keys in condition.items()}
    return statement


def test_fed48_pod_identity_trust() -> None:
    scoped = {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "a"}}
    association = {
        "Type": "AWS::EKS::PodIdentityAssociation",
        "Properties": {
            "ClusterName": "c",
            "Namespace": "a",
            "ServiceAccount": "b",
            "RoleArn": {"Fn::GetAtt": ["Web", "Arn"]},
        },
    }
    web = role(
        [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
                "Action": "sts:AssumeRoleWithWebIdentity",
            }
        ]
    )
    t = template(
        NoTag=role([pods("sts:AssumeRole", **scoped)]),
        Ok=role([pods(["sts:AssumeRole", "sts:TagSession"], **scoped)]),
        Web=web,
        Assoc=association,
    )
    assert sorted(found("FED48", t)) == ["Assoc:RoleArn::Web", "NoTag:sts:TagSession"]


def test_fed49_unscoped_pod_identity() -> None:
    both = ["sts:AssumeRole", "sts:TagSession"]
    t = template(
        Open=role([pods(both)]),
        Namespace=role([pods(both, StringEquals={"aws:RequestTag/kubernetes-namespace": "a"})]),
        Cluster=role([pods(both, ArnEquals={"aws:SourceArn": "arn:aws:eks:us-east-1:1:cluster/c"})]),
        Negated=role([pods(both, StringNotEquals={"aws:RequestTag/kubernetes-namespace": "kube-system"})]),
    )
    assert sorted(found("FED49", t)) == ["Negated:Statement0", "Open:Statement0"]


# --- FED50 .. FED53, FED59: per-user data -------------------------------------------------------

SUB = "${cognito-identity.amazonaws.com:sub}"


def test_fed50_scan_next_to_leading_keys() -> None:
    keyed = {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [SUB]}}
    table = "arn:aws:dynamodb:us-east-1:1:table/t"
    t = template(
        Scan=role([cognito_trust()], allow(["dynamodb:Query", "dynamodb:Scan"], table, **keyed)),
        Star=role([cognito_trust()], allow("dynamodb:*", table, **keyed)),
        Query=role([cognito_trust()], allow(["dynamodb:Query", "dynamodb:GetItem"], table, **keyed)),
        Guarded=role([cognito_trust()], allow("dynamodb:Scan", table, **keyed, Null={"dynamodb:LeadingKeys": "false"})),
    )
    assert sorted(found("FED50", t)) == ["Scan:Policies_p0_::Statement0", "Star:Policies_p0_::Statement0"]


def test_fed51_variables_need_the_version() -> None:
    objects = f"arn:aws:s3:::b/home/{SUB}/*"
    without = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Statement": allow("s3:GetObject", objects)["Statement"]}},
    }
    old = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "PolicyDocument": {"Version": "2008-10-17", "Statement": allow("s3:GetObject", objects)["Statement"]}
        },
    }
    plain = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Statement": allow("s3:GetObject", "arn:aws:s3:::b/*")["Statement"]}},
    }
    escaped = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "PolicyDocument": {"Statement": allow("s3:GetObject", {"Fn::Sub": "arn:aws:s3:::${B}/*"})["Statement"]}
        },
    }
    t = template(Without=without, Old=old, Plain=plain, Escaped=escaped)
    assert sorted(found("FED51", t)) == ["Old:PolicyDocument::Version", "Without:PolicyDocument::Version"]


def test_fed52_bucket_permissions_in_per_user_policy() -> None:
    objects = f"arn:aws:s3:::b/private/{SUB}/*"

    def per_user(extra: dict[str, Any]) -> dict[str, Any]:
        return {"Statement": [allow("s3:GetObject", objects)["Statement"][0], extra]}

    t = template(
        Explicit=role(
            [cognito_trust()],
            per_user({"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::b"}),
        ),
        Wildcard=role(
            [cognito_trust()], per_user({"Effect": "Allow", "Action": "s3:*", "Resource": {"Fn::GetAtt": ["B", "Arn"]}})
        ),
        ObjectsOnly=role([cognito_trust()], per_user({"Effect": "Allow", "Action": "s3:*", "Resource": objects})),
        NotPerUser=role([cognito_trust()], allow("s3:PutBucketPolicy", "arn:aws:s3:::b")),
    )
    assert sorted(found("FED52", t)) == ["Explicit:Policies_p0_::Statement1", "Wildcard:Policies_p0_::Statement1"]


@pytest.mark.parametrize(
    ("bucket", "caught"),
    [
        ({"OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}}, True),
        ({"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}}, True),
        ({"AccessControl": "Private"}, True),
        ({"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}, False),
        ({}, False),
    ],
)
def test_fed53_object_acl_on_acl_enabled_bucket(bucket: dict[str, Any], caught: bool) -> None:
    policy = allow(
        ["s3:GetObject", "s3:PutObjectAcl"],
        {"Fn::Sub": "${B.Arn}/private/${!cognito-identity.amazonaws.com:sub}/*"},
    )
    t = template(B={"Type": "AWS::S3::Bucket", "Properties": bucket}, R=role([cognito_trust()], policy))
    assert bool(found("FED53", t)) is caught


def test_fed59_star_under_string_equals_in_listing() -> None:
    objects = allow("s3:GetObject", f"arn:aws:s3:::b/home/{SUB}/*")["Statement"][0]
    listing = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}
    equals = {"Statement": [objects, listing | {"Condition": {"StringEquals": {"s3:prefix": f"home/{SUB}/*"}}}]}
    like = {"Statement": [objects, listing | {"Condition": {"StringLike": {"s3:prefix": f"home/{SUB}/*"}}}]}
    exact = {"Statement": [objects, listing | {"Condition": {"StringEquals": {"s3:prefix": f"home/{SUB}/"}}}]}
    t = template(
        Equals=role([cognito_trust()], equals), Like=role([cognito_trust()], like), Exact=role([cognito_trust()], exact)
    )
    assert found("FED59", t) == ["Equals:Policies_p0_::Statement1::s3:prefix"]


# --- FED54 .. FED57: federated roles' reach -------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "action", "resource", "caught"),
    [
        ("FED54", "iam:PassRole", "*", True),
        ("FED54", "iam:*", {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"}, True),
        ("FED54", "iam:PassRole", "arn:aws:iam::1:role/app-*", False),
        ("FED54", "*", "*", False),  # administrator access is judged elsewhere
        ("FED55", "iam:PutRolePolicy", "arn:aws:iam::1:role/*", True),
        ("FED55", "iam:Create*", "*", True),
        ("FED55", "iam:GetRole", "*", False),
        ("FED55", "iam:PutRolePolicy", "arn:aws:iam::1:role/app-*", False),
        ("FED56", "sts:AssumeRole", "*", True),
        ("FED56", "sts:*", "arn:aws:iam::*:role/*", True),
        ("FED56", "sts:AssumeRole", "arn:aws:iam::*:role/cdk-hnb659fds-*-role-*", False),
        ("FED56", "sts:GetCallerIdentity", "*", False),
    ],
)
def test_web_identity_role_reach(rule_id: str, action: str, resource: Any, caught: bool) -> None:
    t = template(GitHub=GITHUB_PROVIDER, R=role([github_trust()], allow(action, resource)))
    assert bool(found(rule_id, t)) is caught


def test_reach_rules_skip_saml_workforce_roles() -> None:
    saml = {
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::1:saml-provider/X"},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }
    t = template(R=role([saml], allow(["iam:PassRole", "iam:PutRolePolicy", "sts:AssumeRole"], "*")))
    assert [found(r, t) for r in ("FED54", "FED55", "FED56")] == [[], [], []]


def test_reach_rules_read_attached_policies() -> None:
    policy = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "x",
            "Roles": [{"Ref": "R"}],
            "PolicyDocument": {"Version": "2012-10-17", **allow("sts:AssumeRole", "*")},
        },
    }
    t = template(GitHub=GITHUB_PROVIDER, R=role([github_trust()]), P=policy)
    assert found("FED56", t) == ["R:P::Statement0"]


@pytest.mark.parametrize(
    ("principal", "conditions", "caught"),
    [
        ("arn:aws:iam::111122223333:root", None, True),
        ("111122223333", None, True),
        ({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}, None, True),
        (
            "arn:aws:iam::111122223333:root",
            {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/x"}},
            False,
        ),
        ("arn:aws:iam::111122223333:role/broker", None, False),
    ],
)
def test_fed57_account_next_to_federation(principal: Any, conditions: Any, caught: bool) -> None:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if conditions:
        statement["Condition"] = conditions
    t = template(GitHub=GITHUB_PROVIDER, R=role([github_trust(), statement]))
    assert bool(found("FED57", t)) is caught
    assert found("FED57", template(R=role([statement]))) == []  # no federation: not this rule's concern
