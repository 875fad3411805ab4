"""Rules that need more than one resource to see a mistake (FED29-FED34, FED1's GitHub claims), and the
helper every permission rule reads a role through: a role's permissions are the union of its inline
policies, every policy that names it and its managed policies. Plain dicts, no synth."""

from __future__ import annotations

from typing import Any

import pytest

from federation_constructs.policy.permissions import role_permissions, roles_of, shared_documents
from federation_constructs.policy.template import ResourceContext, TemplateIndex
from federation_constructs.rules import lint_template, rule

GITHUB = "token.actions.githubusercontent.com"
COGNITO = "cognito-identity.amazonaws.com"
SAML_PROVIDER = "arn:aws:iam::111122223333:saml-provider/CorpIdP"
GITHUB_PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def role(statement: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": doc(statement), **props}}


def saml_trust(*, persistent: bool = True, tag_session: bool = False) -> dict[str, Any]:
    equals = {"SAML:aud": "https://signin.aws.amazon.com/saml"}
    if persistent:
        equals["saml:sub_type"] = "persistent"
    action = ["sts:AssumeRoleWithSAML", "sts:TagSession"] if tag_session else "sts:AssumeRoleWithSAML"
    return {
        "Effect": "Allow",
        "Principal": {"Federated": SAML_PROVIDER},
        "Action": action,
        "Condition": {"StringEquals": equals},
    }


def cognito_trust(pool: str = "Pool", amr: str = "authenticated") -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Federated": COGNITO},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {f"{COGNITO}:aud": {"Ref": pool}},
            "ForAnyValue:StringLike": {f"{COGNITO}:amr": amr},
        },
    }


def github_trust(federated: Any = GITHUB_PROVIDER, **conditions: Any) -> dict[str, Any]:
    equals = {f"{GITHUB}:aud": "sts.amazonaws.com", **{f"{GITHUB}:{k}": v for k, v in conditions.items()}}
    return {
        "Effect": "Allow",
        "Principal": {"Federated": federated},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": equals},
    }


def found(template: dict[str, Any], rule_id: str) -> list[tuple[str, str]]:
    return [(f.logical_id, f.finding) for f in lint_template(template) if f.rule_id == rule_id]


def inline(name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyName": name, "PolicyDocument": doc(*statements)}


# --- one helper for a role's permissions --------------------------------------------------------------


def permissions_template() -> dict[str, Any]:
    return {
        "Resources": {
            "R": role(
                saml_trust(),
                RoleName="ops",
                Policies=[inline("own", allow("s3:GetObject", "arn:aws:s3:::b/*"))],
                ManagedPolicyArns=[{"Ref": "Managed"}, "arn:aws:iam::aws:policy/ReadOnlyAccess"],
            ),
            "ByRef": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "a",
                    "Roles": [{"Ref": "R"}],
                    "PolicyDocument": doc(allow("sqs:SendMessage", "*")),
                },
            },
            "ByName": {
                "Type": "AWS::IAM::Policy",
                "Properties": {"PolicyName": "b", "Roles": ["ops"], "PolicyDocument": doc(allow("sns:Publish", "*"))},
            },
            "RolePolicy": {
                "Type": "AWS::IAM::RolePolicy",
                "Properties": {
                    "PolicyName": "c",
                    "RoleName": {"Ref": "R"},
                    "PolicyDocument": doc(allow("kms:Decrypt", "*")),
                },
            },
            "Managed": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": doc(allow("ec2:Describe*", "*"))},
            },
            "ManagedByRoles": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"Roles": [{"Ref": "R"}], "PolicyDocument": doc(allow("logs:PutLogEvents", "*"))},
            },
            "Elsewhere": {
                "Type": "AWS::IAM::Policy",
                "Properties": {"PolicyName": "d", "Roles": ["other"], "PolicyDocument": doc(allow("s3:*", "*"))},
            },
        }
    }


def test_a_roles_permissions_are_the_union_of_every_policy_that_names_it() -> None:
    index = TemplateIndex(permissions_template())
    permissions = role_permissions(index, "R")
    assert {d.logical_id for d in permissions.documents} == {
        "R",
        "ByRef",
        "ByName",
        "RolePolicy",
        "Managed",
        "ManagedByRoles",
    }
    assert {a for _, s in permissions.allow_statements() for a in s.actions} == {
        "s3:GetObject",
        "sqs:SendMessage",
        "sns:Publish",
        "kms:Decrypt",
        "ec2:Describe*",
        "logs:PutLogEvents",
    }
    # a managed policy of the template is read as its document; an AWS managed one is kept by ARN
    assert permissions.managed_policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert permissions.managed_policy_names() == ["ReadOnlyAccess"]
    assert (
        roles_of(index, "Managed") == ["R"]
        and roles_of(index, "ByName") == ["R"]
        and roles_of(index, "Elsewhere") == []
    )


def test_a_policy_resource_is_judged_beside_everything_else_its_role_holds() -> None:
    index = TemplateIndex(permissions_template())
    context = ResourceContext(
        logical_id="ByRef", type="AWS::IAM::Policy", properties=index.properties("ByRef"), index=index
    )
    shared = shared_documents(context)
    assert shared[0].logical_id == "ByRef"  # its own first
    assert {d.logical_id for d in shared} == {"R", "ByRef", "ByName", "RolePolicy", "Managed", "ManagedByRoles"}


def test_admin_grants_read_managed_arns_and_every_document() -> None:
    template = permissions_template()
    template["Resources"]["ByName"]["Properties"]["PolicyDocument"] = doc(allow("*", "*"))
    permissions = role_permissions(TemplateIndex(template), "R")
    assert permissions.admin_grants() == ["ByName::Statement0"]
    conditioned = doc(allow("*", "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    template["Resources"]["ByName"]["Properties"]["PolicyDocument"] = conditioned
    assert role_permissions(TemplateIndex(template), "R").admin_grants() == []


# --- the existing permission rules now read the union ---------------------------------------------------


def per_user_role(extra: dict[str, Any]) -> dict[str, Any]:
    own = allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::b/home/${{{COGNITO}:sub}}/*")
    return {
        "Resources": {
            "R": role(cognito_trust(), Policies=[inline("own", own)]),
            "Extra": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "x", "Roles": [{"Ref": "R"}], **extra}},
        }
    }


def test_fed21_sees_a_listing_in_another_policy_of_the_role_and_reports_it_where_it_is_written() -> None:
    template = per_user_role({"PolicyDocument": doc(allow("s3:ListBucket", "arn:aws:s3:::b"))})
    assert found(template, "FED21") == [("Extra", "PolicyDocument::Statement0")]
    listing = allow(
        "s3:ListBucket", "arn:aws:s3:::b", Condition={"StringLike": {"s3:prefix": [f"home/${{{COGNITO}:sub}}/*"]}}
    )
    assert found(per_user_role({"PolicyDocument": doc(listing)}), "FED21") == []


def test_fed22_sees_a_level_keyed_by_user_in_another_policy() -> None:
    template = per_user_role({"PolicyDocument": doc(allow("s3:PutObject", "arn:aws:s3:::b/home/*"))})
    assert found(template, "FED22") == [("Extra", "PolicyDocument::Statement0::home")]
    reading = per_user_role({"PolicyDocument": doc(allow("s3:GetObject", "arn:aws:s3:::b/public/*"))})
    assert found(reading, "FED22") == []


def test_fed16_reads_a_template_managed_policy_of_a_guest_role() -> None:
    template = {
        "Resources": {
            "Guest": role(cognito_trust(amr="unauthenticated"), ManagedPolicyArns=[{"Ref": "Writes"}]),
            "Writes": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": doc(allow("s3:PutObject", "arn:aws:s3:::b/x/*"))},
            },
        }
    }
    assert found(template, "FED16") == [("Guest", "Writes::s3:PutObject")]


def test_fed25_sees_an_admin_policy_that_names_the_role_by_name() -> None:
    template = {
        "Resources": {
            "Admin": role(saml_trust(), RoleName="admin", MaxSessionDuration=28800),
            "Full": {
                "Type": "AWS::IAM::Policy",
                "Properties": {"PolicyName": "f", "Roles": ["admin"], "PolicyDocument": doc(allow("*", "*"))},
            },
        }
    }
    assert found(template, "FED25") == [("Admin", "MaxSessionDuration")]


# --- FED1: GitHub's provider-specific claims pin a subject -----------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "flagged"),
    [
        ({"repository_id": "892347561", "ref": "refs/heads/main"}, False),
        ({"repository": "octo-org/app", "environment": "production"}, False),
        (
            {
                "repository_id": "892347561",
                "job_workflow_ref": "octo-org/ci/.github/workflows/deploy.yml@refs/heads/main",
            },
            False,
        ),
        ({"repository_id": "892347561"}, True),  # every branch, tag and pull request of the repository
        ({"ref": "refs/heads/main", "environment": "production"}, True),  # any repository in the world
        ({"job_workflow_ref": "octo-org/ci/.github/workflows/deploy.yml@refs/heads/main"}, True),  # any caller
        ({"actor_id": "12345", "workflow": "deploy"}, True),
        ({}, True),
    ],
)
def test_fed1_accepts_repository_with_ref_environment_or_workflow(conditions: dict[str, str], flagged: bool) -> None:
    template = {"Resources": {"R": role(github_trust(**conditions))}}
    assert bool(found(template, "FED1")) is flagged


def test_fed1_repository_patterns_must_name_the_owner() -> None:
    def trust(pattern: str) -> dict[str, Any]:
        statement = github_trust(ref="refs/heads/main")
        statement["Condition"]["StringLike"] = {f"{GITHUB}:repository": pattern}
        return {"Resources": {"R": role(statement)}}

    assert found(trust("*/deploy-tools"), "FED1") and found(trust("*"), "FED1")
    assert not found(trust("octo-org/*"), "FED1")  # one owner's repositories: no longer "anyone's"
    (hit,) = [f for f in lint_template(trust("*/deploy-tools")) if f.rule_id == "FED1"]
    assert "open in the owner part" in hit.detail
    # a value from a parameter is the author's to judge, as for sub
    parameter = {
        "Parameters": {"Repo": {"Type": "String"}},
        "Resources": {"R": role(github_trust(repository_id={"Ref": "Repo"}, ref="refs/heads/main"))},
    }
    assert not found(parameter, "FED1")


def test_fed1_keeps_its_finding_id_for_a_repository_only_trust() -> None:
    (hit,) = [
        f for f in lint_template({"Resources": {"R": role(github_trust(repository_id="1"))}}) if f.rule_id == "FED1"
    ]
    assert hit.finding == f"Statement0::{GITHUB}:sub" and "every branch, tag and pull-request workflow" in hit.detail


# --- FED29: administrator on the signed-in role of a pool anyone can join ----------------------------------


def pool_template(
    *,
    admin_only: bool | None = None,
    logins: dict[str, str] | None = None,
    classic: bool = False,
    managed: str = "AdministratorAccess",
    slot: str = "authenticated",
) -> dict[str, Any]:
    user_pool: dict[str, Any] = {"UserPoolName": "users"}
    if admin_only is not None:
        user_pool["AdminCreateUserConfig"] = {"AllowAdminCreateUserOnly": admin_only}
    pool: dict[str, Any] = {
        "AllowUnauthenticatedIdentities": False,
        "AllowClassicFlow": classic,
        "CognitoIdentityProviders": [
            {"ClientId": {"Ref": "Client"}, "ProviderName": {"Fn::GetAtt": ["UserPool", "ProviderName"]}}
        ],
    }
    if logins:
        pool["SupportedLoginProviders"] = logins
    return {
        "Resources": {
            "UserPool": {"Type": "AWS::Cognito::UserPool", "Properties": user_pool},
            "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"UserPoolId": {"Ref": "UserPool"}}},
            "Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": pool},
            "R": role(cognito_trust(), ManagedPolicyArns=[f"arn:aws:iam::aws:policy/{managed}"]),
            "Other": role(cognito_trust()),
            "Attach": {
                "Type": "AWS::Cognito::IdentityPoolRoleAttachment",
                "Properties": {
                    "IdentityPoolId": {"Ref": "Pool"},
                    "Roles": {"authenticated": {"Fn::GetAtt": ["Other" if slot != "authenticated" else "R", "Arn"]}},
                },
            },
        }
    }


def test_fed29_admin_on_the_default_role_of_a_self_sign_up_pool() -> None:
    assert found(pool_template(), "FED29") == [("R", "ManagedPolicy::AdministratorAccess")]
    assert found(pool_template(managed="PowerUserAccess"), "FED29") and found(
        pool_template(managed="IAMFullAccess"), "FED29"
    )
    assert found(pool_template(admin_only=True), "FED29") == []
    assert found(pool_template(admin_only=True, logins={"accounts.google.com": "client"}), "FED29")
    assert found(pool_template(managed="ReadOnlyAccess"), "FED29") == []


def test_fed29_a_role_that_is_not_the_default_counts_only_with_the_classic_flow() -> None:
    assert found(pool_template(slot="other"), "FED29") == []
    assert found(pool_template(slot="other", classic=True), "FED29") == [("R", "ManagedPolicy::AdministratorAccess")]


# --- FED30: variables the trust never provides -------------------------------------------------------------


def variable_template(trust: dict[str, Any], variable: str, **props: Any) -> dict[str, Any]:
    statement = allow("s3:GetObject", f"arn:aws:s3:::b/home/${{{variable}}}/*")
    return {"Resources": {"R": role(trust, Policies=[inline("p", statement)], **props)}}


@pytest.mark.parametrize(
    ("trust", "variable", "flagged"),
    [
        (saml_trust(), f"{COGNITO}:sub", True),
        (cognito_trust(), "saml:sub", True),
        (github_trust(sub="repo:o/r:ref:refs/heads/main"), "saml:sub", True),
        (github_trust(sub="repo:o/r:ref:refs/heads/main"), f"{GITHUB}:repository", True),  # trust-only claim
        (saml_trust(), "accounts.google.com:sub", True),
        (saml_trust(), "aws:PrincipalTag/employee", True),
        (saml_trust(tag_session=True), "aws:PrincipalTag/employee", False),
        (saml_trust(), "saml:sub", False),
        (cognito_trust(), f"{COGNITO}:sub", False),
        (saml_trust(), "aws:CurrentTime", False),
    ],
)
def test_fed30_variable_and_trust(trust: dict[str, Any], variable: str, flagged: bool) -> None:
    assert bool(found(variable_template(trust, variable), "FED30")) is flagged


def test_fed30_a_role_tag_provides_the_principal_tag_and_every_attached_role_is_judged() -> None:
    tagged = variable_template(saml_trust(), "aws:PrincipalTag/team", Tags=[{"Key": "team", "Value": "finance"}])
    assert found(tagged, "FED30") == []
    shared = {
        "Resources": {
            "Saml": role(saml_trust()),
            "Pool": role(cognito_trust()),
            "P": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "Roles": [{"Ref": "Saml"}, {"Ref": "Pool"}],
                    "PolicyDocument": doc(allow("s3:GetObject", f"arn:aws:s3:::b/${{{COGNITO}:sub}}/*")),
                },
            },
        }
    }
    assert found(shared, "FED30") == [("P", f"PolicyDocument::Statement0::{COGNITO}:sub::Saml")]


# --- FED31: saml:sub needs the persistent NameID ----------------------------------------------------------


def test_fed31_persistent_in_the_trust_or_the_statement() -> None:
    keyed = "${saml:namequalifier}/${saml:sub}"
    assert found(variable_template(saml_trust(persistent=False), "saml:sub"), "FED31")
    assert found(variable_template(saml_trust(persistent=True), "saml:sub"), "FED31") == []
    in_statement = allow(
        "s3:GetObject", f"arn:aws:s3:::b/{keyed}/*", Condition={"StringEquals": {"saml:sub_type": "persistent"}}
    )
    template = {"Resources": {"R": role(saml_trust(persistent=False), Policies=[inline("p", in_statement)])}}
    assert found(template, "FED31") == []
    # two SAML statements, one of them without the persistent requirement: not guaranteed
    two = role(saml_trust(), Policies=[inline("p", allow("s3:GetObject", f"arn:aws:s3:::b/{keyed}/*"))])
    two["Properties"]["AssumeRolePolicyDocument"]["Statement"].append(saml_trust(persistent=False))
    assert found({"Resources": {"R": two}}, "FED31")


def test_fed31_namequalifier_alone_names_the_idp() -> None:
    assert found(variable_template(saml_trust(), "saml:namequalifier"), "FED31") == [
        ("R", "Policies_p_::Statement0::namequalifier-only")
    ]


# --- FED32: providers of another account, or no provider at all --------------------------------------------


def test_fed32_provider_in_another_account() -> None:
    boundary = {"PermissionsBoundary": "arn:aws:iam::111122223333:policy/boundary"}
    foreign = {
        "Resources": {
            "R": role(
                github_trust(f"arn:aws:iam::444455556666:oidc-provider/{GITHUB}", sub="repo:o/r:ref:refs/heads/main"),
                **boundary,
            )
        }
    }
    assert found(foreign, "FED32")
    same = {"Resources": {"R": role(github_trust(sub="repo:o/r:ref:refs/heads/main"), **boundary)}}
    assert found(same, "FED32") == []
    alone = {"Resources": {"R": role(github_trust(sub="repo:o/r:ref:refs/heads/main"))}}
    assert found(alone, "FED32") == []  # nothing else names the account: the author's to judge


def test_fed32_literal_account_where_the_template_uses_account_id() -> None:
    portable = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:saml-provider/Corp"}
    template = {
        "Resources": {
            "Saml": role({**saml_trust(), "Principal": {"Federated": portable}}),
            "Ci": role(github_trust(sub="repo:o/r:ref:refs/heads/main")),
        }
    }
    assert [r for r, _ in found(template, "FED32")] == ["Ci"]


@pytest.mark.parametrize(
    ("federated", "flagged"),
    [
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, True),
        ("token.actions.githubusercontent.com", True),
        ({"Ref": "Provider"}, False),
        ({"Ref": "ProviderArn"}, False),
        ({"Fn::ImportValue": "shared-github-provider"}, False),
        ("*", False),  # FED10's
    ],
)
def test_fed32_what_a_federated_principal_may_be(federated: Any, flagged: bool) -> None:
    template = {
        "Parameters": {"ProviderArn": {"Type": "String"}},
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Provider": {
                "Type": "AWS::IAM::OIDCProvider",
                "Properties": {"Url": f"https://{GITHUB}", "ClientIdList": ["sts.amazonaws.com"]},
            },
            "R": role(github_trust(federated, sub="repo:o/r:ref:refs/heads/main")),
        },
    }
    assert bool(found(template, "FED32")) is flagged


# --- FED33: role mapping on a claim users write ------------------------------------------------------------


def mapping_template(
    claim: str,
    *,
    write: list[str] | None = None,
    verify_first: list[str] | None = None,
    mapped_actions: tuple[str, ...] = ("dynamodb:PutItem", "dynamodb:Query"),
) -> dict[str, Any]:
    client: dict[str, Any] = {"UserPoolId": {"Ref": "UserPool"}}
    if write is not None:
        client["WriteAttributes"] = write
    user_pool: dict[str, Any] = {"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True}}
    if verify_first is not None:
        user_pool["UserAttributeUpdateSettings"] = {"AttributesRequireVerificationBeforeUpdate": verify_first}
    provider = {"Fn::Join": [":", [{"Fn::GetAtt": ["UserPool", "ProviderName"]}, {"Ref": "Client"}]]}
    return {
        "Resources": {
            "UserPool": {"Type": "AWS::Cognito::UserPool", "Properties": user_pool},
            "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": client},
            "Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": False}},
            "Default": role(cognito_trust(), Policies=[inline("p", allow("dynamodb:Query", "*"))]),
            "Mapped": role(cognito_trust(), Policies=[inline("p", allow(list(mapped_actions), "*"))]),
            "Attach": {
                "Type": "AWS::Cognito::IdentityPoolRoleAttachment",
                "Properties": {
                    "IdentityPoolId": {"Ref": "Pool"},
                    "Roles": {"authenticated": {"Fn::GetAtt": ["Default", "Arn"]}},
                    "RoleMappings": {
                        "users": {
                            "IdentityProvider": provider,
                            "Type": "Rules",
                            "AmbiguousRoleResolution": "Deny",
                            "RulesConfiguration": {
                                "Rules": [
                                    {
                                        "Claim": claim,
                                        "MatchType": "Equals",
                                        "Value": "x",
                                        "RoleARN": {"Fn::GetAtt": ["Mapped", "Arn"]},
                                    }
                                ]
                            },
                        }
                    },
                },
            },
        }
    }


def test_fed33_claims_users_write() -> None:
    assert found(mapping_template("custom:role"), "FED33") == [("Attach", "RoleMappings::users::Rules_0_::custom:role")]
    assert found(mapping_template("custom:role", write=["name"]), "FED33") == []
    assert found(mapping_template("custom:role", write=["name", "custom:role"]), "FED33")
    assert found(mapping_template("email"), "FED33")
    assert found(mapping_template("email", verify_first=["email"]), "FED33") == []
    assert found(mapping_template("cognito:groups"), "FED33") == []


def test_fed33_only_a_more_privileged_role_counts() -> None:
    assert found(mapping_template("custom:role", mapped_actions=("dynamodb:Query",)), "FED33") == []


# --- FED34: federated variables in a bucket policy ---------------------------------------------------------


def bucket_template(statement: dict[str, Any], identity: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "R": role(cognito_trust(), Policies=[inline("p", identity)] if identity else []),
            "BucketPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": doc(statement)},
            },
        }
    }


OWN = f"arn:aws:s3:::b/private/${{{COGNITO}:sub}}/*"
AIMED = {"ArnEquals": {"aws:PrincipalArn": {"Fn::GetAtt": ["R", "Arn"]}}}


def deny_outside(not_resource: str, **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject*",
        "NotResource": not_resource,
        "Condition": AIMED,
        **extra,
    }


def test_fed34_warns_where_the_bucket_policy_depends_on_the_variable() -> None:
    grant = allow("s3:GetObject", OWN, Principal={"AWS": {"Fn::GetAtt": ["R", "Arn"]}})
    assert found(bucket_template(grant), "FED34") == [("BucketPolicy", f"Statement0::{COGNITO}:sub")]
    assert found(bucket_template(deny_outside(OWN)), "FED34")  # the only fence: the role may use all of private/
    in_condition = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"StringNotLike": {"s3:prefix": [f"private/${{{COGNITO}:sub}}/*"]}},
    }
    assert found(bucket_template(in_condition), "FED34")
    assert rule("FED34").level == "warning"


def test_fed34_words_a_second_fence_behind_the_identity_policy_as_such() -> None:
    """The shape UserPrefixStorage writes is still reported (a reviewer decides), with what is at stake:
    an outage if only the variable's entry fails to match, never another user's folder."""
    from federation_constructs.policy.template import ResourceContext, TemplateIndex

    template = bucket_template(deny_outside(OWN), identity=allow("s3:GetObject", OWN))
    assert found(template, "FED34") == [("BucketPolicy", f"Statement0::{COGNITO}:sub")]
    index = TemplateIndex(template)
    context = ResourceContext(
        logical_id="BucketPolicy",
        type="AWS::S3::BucketPolicy",
        properties=index.properties("BucketPolicy"),
        index=index,
    )
    (hit,) = rule("FED34").check(context)
    assert "a second fence behind the role's identity policy" in hit.detail and "an outage, not a leak" in hit.detail
    # aimed at nobody in particular: the bucket policy is the only fence again
    unaimed = deny_outside(OWN)
    del unaimed["Condition"]
    (hit,) = rule("FED34").check(
        ResourceContext(
            logical_id="BucketPolicy",
            type="AWS::S3::BucketPolicy",
            properties=TemplateIndex(bucket_template(unaimed, identity=allow("s3:GetObject", OWN))).properties(
                "BucketPolicy"
            ),
            index=TemplateIndex(bucket_template(unaimed, identity=allow("s3:GetObject", OWN))),
        )
    )
    assert "second fence" not in hit.detail


def test_fed34_ignores_global_keys() -> None:
    tag = "arn:aws:s3:::b/home/${aws:PrincipalTag/employee}/*"
    assert found(bucket_template(deny_outside(tag)), "FED34") == []


def test_levels() -> None:
    assert {r: rule(r).level for r in ("FED29", "FED30", "FED31", "FED32", "FED33", "FED34")} == {
        "FED29": "error",
        "FED30": "error",
        "FED31": "error",
        "FED32": "error",
        "FED33": "error",
        "FED34": "warning",
    }
