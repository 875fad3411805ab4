"""The setup sheet gives the other half of each role: what the CI workflow, the IdP and the app must say.

Built from small hand-made access reports and templates (no synthesis), plus one check on the bundled
example through the session's one synthesis; the command line is checked on a hand-made assembly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_cdk import App
from aws_cdk.assertions import Template

from federation_constructs.assembly import StackArtifact
from federation_constructs.proof import collect_intents
from federation_constructs.report.access import build_access_report, relies_on, to_markdown
from federation_constructs.report.html import render_html
from federation_constructs.report.review import construct_paths, write_access_report
from federation_constructs.report.setup import (
    AFTER_DEPLOY,
    MAX_OUTPUTS_BYTES,
    build_setup_sheet,
    main,
)
from federation_constructs.report.setup import (
    to_markdown as setup_markdown,
)
from stacks.federation_stack import FederationStack
from tests.support import REPO

ACCOUNT = "111122223333"
REGION = "eu-west-1"
STACK = "fed"
GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
GITLAB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"
SAML_PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp-idp"


def claims(key: str, values: list[str]) -> list[dict[str, Any]]:
    return [{"key": key, "values": values, "like": False, "multi": False}]


def role(
    name: str,
    *,
    kind: str,
    declared: dict[str, Any],
    subjects: list[str] | None = None,
    provider: str = GITHUB,
    role_name: str | None = None,
    max_session: int = 3600,
    statements: list[dict[str, Any]] | None = None,
    attribute: str | None = None,
) -> dict[str, Any]:
    """An access-report role entry, as `build_access_report` writes it."""
    arn = f"arn:aws:iam::{ACCOUNT}:role/{role_name or '(name set at deploy)'}"
    key = {"oidc": provider.split("oidc-provider/")[-1] + ":sub", "saml": "SAML:aud", "cognito": "x:aud"}[kind]
    intent = {
        "kind": kind,
        "federated": provider,
        "action": "sts:AssumeRoleWithWebIdentity",
        "claims": claims(key, subjects or []),
        "declared": declared,
    }
    door_kind = {"oidc": "oidc", "saml": "saml", "cognito": "cognito"}[kind]
    doors = [{"kind": door_kind, "issuer": declared.get("issuer", kind), "provider": provider, "conditions": []}]
    doors[0]["who"] = [f"who may assume {name}"]
    return {
        "name": name,
        "stack": STACK,
        "logical_id": f"{name}Role0000",
        "construct_path": f"{STACK}/{name}",
        "role_name": role_name,
        "role_arn": arn,
        "intent": intent,
        "doors": doors,
        "relies_on": relies_on(intent, doors),
        "max_session_seconds": max_session,
        "session_tags": False,
        "saml_role_attribute": attribute,
        "permissions": {
            "managed_policies": [],
            "services": [],
            "statements": statements or [],
            "per_user_prefixes": [],
        },
    }


def github_role(**overrides: Any) -> dict[str, Any]:
    declared = {
        "issuer": "GitHub Actions",
        "audiences": ["sts.amazonaws.com"],
        "repositories": ["octo-org/web-app", "octo-org/api"],
        "branches": ["main"],
        "tags": [],
        "environments": ["production"],
        "pull_requests": False,
        "job_workflow_refs": [],
        "session_tags": False,
    }
    declared.update(overrides)
    subjects = [
        "repo:octo-org/web-app:ref:refs/heads/main",
        "repo:octo-org/web-app:environment:production",
        "repo:octo-org@1234/api@5678:ref:refs/heads/main",
        "repo:octo-org@1234/api@5678:environment:production",
    ]
    return role("Deploy", kind="oidc", declared=declared, subjects=subjects, role_name="deploy")


def gitlab_role(aud: str = "https://gitlab.com") -> dict[str, Any]:
    declared = {
        "issuer": "GitLab CI",
        "audiences": [aud],
        "projects": ["platform/infra"],
        "ref_type": "branch",
        "refs": ["main"],
        "session_tags": False,
    }
    return role(
        "Pipeline",
        kind="oidc",
        declared=declared,
        provider=GITLAB,
        subjects=["project_path:platform/infra:ref_type:branch:ref:main"],
        role_name="pipeline",
    )


def saml_role() -> dict[str, Any]:
    declared = {
        "sign_in": ["https://signin.aws.amazon.com/saml"],
        "attributes": {"saml:sub_type": ["persistent"]},
        "session_tags": False,
    }
    arn = f"arn:aws:iam::{ACCOUNT}:role/read-only"
    return role(
        "ReadOnly",
        kind="saml",
        declared=declared,
        provider=SAML_PROVIDER,
        role_name="read-only",
        max_session=28800,
        attribute=f"{arn},{SAML_PROVIDER}",
    )


def report(*roles: dict[str, Any], account: str = ACCOUNT) -> dict[str, Any]:
    return {"stack": STACK, "account": account, "roles": list(roles), "summary": {}}


def sheet_of(*roles: dict[str, Any], template: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    return build_setup_sheet(
        {"stacks": [report(*roles)]}, {STACK: template or {"Resources": {}}}, regions={STACK: REGION}, **kwargs
    )


def entry(sheet: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [r for s in sheet["stacks"] for r in s["roles"] if r["name"] == name]
    return found


# --- GitHub Actions ------------------------------------------------------------------------------


def test_github_fragment_carries_the_role_region_token_permission_and_environment() -> None:
    deploy = entry(sheet_of(github_role()), "Deploy")
    assert deploy["kind"] == "github"
    workflow = yaml.safe_load(deploy["setup"]["workflow"])
    assert workflow["permissions"] == {"id-token": "write", "contents": "read"}
    assert workflow[True] == {"push": {"branches": ["main"]}}  # YAML 1.1 reads the key `on` as True
    jobs = workflow["jobs"]
    assert jobs["deploy-production"]["environment"] == "production"
    assert "environment" not in jobs["aws"]
    for job in jobs.values():
        (step,) = [s for s in job["steps"] if "uses" in s]
        assert step["uses"] == "aws-actions/configure-aws-credentials@v6"
        assert step["with"] == {"role-to-assume": f"arn:aws:iam::{ACCOUNT}:role/deploy", "aws-region": REGION}


def test_github_audience_is_passed_only_when_not_the_default() -> None:
    deploy = entry(sheet_of(github_role(audiences=["sts.amazonaws.com.cn"])), "Deploy")
    workflow = yaml.safe_load(deploy["setup"]["workflow"])
    assert {job["steps"][0]["with"]["audience"] for job in workflow["jobs"].values()} == {"sts.amazonaws.com.cn"}


def test_github_immutable_subject_tells_the_sub_claim_prefix_to_expect() -> None:
    deploy = entry(sheet_of(github_role()), "Deploy")
    repositories = {r["repository"]: r for r in deploy["setup"]["repositories"]}
    assert repositories["octo-org/api"]["subject_format"] == "immutable"
    assert repositories["octo-org/api"]["sub_claim_prefix"] == ["repo:octo-org@1234/api@5678"]
    assert repositories["octo-org/web-app"] == {
        "repository": "octo-org/web-app",
        "subject_format": "name",
        "sub_claim_prefix": None,
    }
    (note,) = [n for n in deploy["notes"] if "sub_claim_prefix" in n]
    assert "`repo:octo-org@1234/api@5678`" in note
    assert "GET /repos/octo-org/api/actions/oidc/customization/sub" in note


def test_environment_scoped_github_role_says_which_branches_to_select() -> None:
    deploy = entry(sheet_of(github_role(branches=["release"])), "Deploy")
    (caveat,) = [c for c in deploy["relies_on"] if "environment" in c]
    assert "ANY branch whose workflow names environment `production`" in caveat
    assert "Deployment branches and tags" in caveat and "add `release`" in caveat
    (default,) = [c for c in entry(sheet_of(github_role(branches=[])), "Deploy")["relies_on"] if "ANY" in c]
    assert "add `main`" in default
    assert any("`octo-org/web-app` is named, not identified" in c for c in deploy["relies_on"])
    assert not any("`octo-org/api` is named" in c for c in deploy["relies_on"])


# --- GitLab CI, HCP Terraform, EKS ---------------------------------------------------------------


@pytest.mark.parametrize("aud", ["https://gitlab.com", "sts.amazonaws.com"], ids=["default", "custom"])
def test_gitlab_job_requests_the_declared_audience_and_exchanges_the_token(aud: str) -> None:
    pipeline = entry(sheet_of(gitlab_role(aud)), "Pipeline")
    job = yaml.safe_load(pipeline["setup"]["ci_job"])["assume-aws-role"]
    assert job["id_tokens"] == {"AWS_ID_TOKEN": {"aud": aud}}
    assert job["variables"] == {"ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/pipeline", "AWS_DEFAULT_REGION": REGION}
    assert job["rules"] == [{"if": '$CI_COMMIT_BRANCH == "main"'}]
    script = " ".join(job["script"])
    assert "aws sts assume-role-with-web-identity" in script
    assert '--role-arn "${ROLE_ARN}"' in script and '--web-identity-token "${AWS_ID_TOKEN}"' in script
    assert pipeline["setup"]["sdk_environment"]["AWS_ROLE_ARN"] == f"arn:aws:iam::{ACCOUNT}:role/pipeline"


def test_gitlab_caveat_asks_to_protect_the_named_refs() -> None:
    (caveat,) = entry(sheet_of(gitlab_role()), "Pipeline")["relies_on"]
    assert "only as protected as the project's settings" in caveat
    assert "protect branch `main` in `platform/infra`" in caveat


@pytest.mark.parametrize(
    ("phases", "audience", "expected"),
    [
        (["plan", "apply"], "aws.workload.identity", {"TFC_AWS_PROVIDER_AUTH", "TFC_AWS_RUN_ROLE_ARN"}),
        (["plan"], "aws.workload.identity", {"TFC_AWS_PROVIDER_AUTH", "TFC_AWS_PLAN_ROLE_ARN"}),
        (
            ["apply"],
            "custom",
            {"TFC_AWS_PROVIDER_AUTH", "TFC_AWS_APPLY_ROLE_ARN", "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE"},
        ),
    ],
    ids=["both-phases", "plan", "apply-custom-audience"],
)
def test_hcp_terraform_workspace_variables(phases: list[str], audience: str, expected: set[str]) -> None:
    declared = {
        "issuer": "HCP Terraform",
        "audiences": [audience],
        "organization": "acme",
        "projects": ["Default Project"],
        "workspaces": ["prod"],
        "run_phases": phases,
    }
    tfc = role("Terraform", kind="oidc", declared=declared, role_name="tfc")
    setup = entry(sheet_of(tfc), "Terraform")["setup"]
    variables = {v["key"]: v["value"] for v in setup["variables"]}
    assert set(variables) == expected
    assert variables["TFC_AWS_PROVIDER_AUTH"] == "true"
    assert f"arn:aws:iam::{ACCOUNT}:role/tfc" in variables.values()
    assert variables.get("TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE", audience) == audience
    assert setup["workspaces"] == ["acme / Default Project / prod"]


def test_eks_service_accounts_get_the_role_annotation() -> None:
    declared = {"issuer": "EKS service accounts", "namespace": "payments", "service_accounts": ["api", "worker"]}
    eks = role("Pods", kind="oidc", declared=declared, role_name="pods")
    setup = entry(sheet_of(eks), "Pods")["setup"]
    manifests = list(yaml.safe_load_all(setup["manifests"]))
    assert [(m["metadata"]["namespace"], m["metadata"]["name"]) for m in manifests] == [
        ("payments", "api"),
        ("payments", "worker"),
    ]
    assert {m["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] for m in manifests} == {
        f"arn:aws:iam::{ACCOUNT}:role/pods"
    }


# --- SAML ----------------------------------------------------------------------------------------


def test_saml_role_attribute_claim_rule_and_session_duration() -> None:
    read_only = entry(sheet_of(saml_role()), "ReadOnly")
    setup = read_only["setup"]
    pair = f"arn:aws:iam::{ACCOUNT}:role/read-only,{SAML_PROVIDER}"
    attributes = {a["name"]: a["value"] for a in setup["attributes"]}
    assert attributes["https://aws.amazon.com/SAML/Attributes/Role"] == pair
    assert attributes["https://aws.amazon.com/SAML/Attributes/SessionDuration"] == "28800"
    assert "https://aws.amazon.com/SAML/Attributes/RoleSessionName" in attributes
    assert setup["name_id_format"] == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    rules = {r["name"]: r for r in setup["adfs"]["rules"]}
    assert rules["Role ReadOnly"]["rule"] == (
        'c:[Type == "http://temp/variable", Value == "<AD group for ReadOnly>"]\n'
        f' => issue(Type = "https://aws.amazon.com/SAML/Attributes/Role", Value = "{pair}");'
    )
    assert "Persistent Identifier" in rules["NameId"]["settings"]
    assert "https://aws.amazon.com/SAML/Attributes/RoleSessionName" in rules["RoleSessionName"]["settings"]
    assert setup["okta"]["sign_on"]["Identity Provider ARN"] == SAML_PROVIDER
    assert setup["entra"]["app_role_value"] == pair
    assert "Single-Account Access" in setup["entra"]["app"]
    (caveat,) = read_only["relies_on"]
    assert f"whoever the IdP behind `{SAML_PROVIDER}` maps to this role" in caveat
    assert "decided in the IdP" in caveat


def test_saml_markdown_gives_shared_rules_once_per_provider() -> None:
    other = saml_role() | {"name": "Admin", "logical_id": "AdminRole0000", "max_session_seconds": 3600}
    text = setup_markdown(sheet_of(saml_role(), other))
    assert text.count(f"### SAML provider `{SAML_PROVIDER}`") == 1
    assert text.count("Get AD Groups") == 1
    assert 'SessionDuration", Value = "3600");' in text  # the shortest max session of the provider's roles
    assert "Sources" in text and "https://help.okta.com/" in text and "https://learn.microsoft.com/" in text


# --- deploy-time values --------------------------------------------------------------------------


def test_role_without_a_name_is_a_placeholder_until_its_output_is_applied() -> None:
    anonymous = gitlab_role() | {"role_name": None, "role_arn": f"arn:aws:iam::{ACCOUNT}:role/(name set at deploy)"}
    template = {
        "Resources": {},
        "Outputs": {"PipelineRoleArn": {"Value": {"Fn::GetAtt": ["PipelineRole0000", "Arn"]}}},
    }
    before = entry(sheet_of(anonymous, template=template), "Pipeline")
    assert before["role_arn"] == f"<role ARN of Pipeline: {AFTER_DEPLOY}>"
    deployed = f"arn:aws:iam::{ACCOUNT}:role/fed-PipelineRole-ABC"
    after = sheet_of(anonymous, template=template, outputs={STACK: {"PipelineRoleArn": deployed}})
    assert entry(after, "Pipeline")["role_arn"] == deployed
    assert after["placeholders"] == [] and after["outputs_applied"] is True
    assert (
        deployed in yaml.safe_load(entry(after, "Pipeline")["setup"]["ci_job"])["assume-aws-role"]["variables"].values()
    )


def test_role_without_output_says_no_output_carries_it() -> None:
    anonymous = gitlab_role() | {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/(name set at deploy)"}
    placeholder = entry(sheet_of(anonymous), "Pipeline")["role_arn"]
    assert placeholder.startswith("<role ARN of Pipeline: known after cdk deploy (no stack output carries it)")


def test_account_of_a_stack_set_member_is_a_placeholder() -> None:
    member = gitlab_role() | {"role_arn": "arn:aws:iam::<account>:role/pipeline"}
    sheet = build_setup_sheet([report(member, account="<account>")], {STACK: {}}, regions={STACK: REGION}, outputs=None)
    arn = entry(sheet, "Pipeline")["role_arn"]
    assert arn.startswith("arn:aws:iam::<account id: known after cdk deploy (the account each deployment lands in")
    assert arn.endswith(">:role/pipeline") and "StackSet member" in arn


# --- identity pool: the app's Amplify configuration --------------------------------------------


def pool_template() -> dict[str, Any]:
    return {
        "Resources": {
            "Pool": {
                "Type": "AWS::Cognito::IdentityPool",
                "Properties": {
                    "AllowUnauthenticatedIdentities": True,
                    "CognitoIdentityProviders": [
                        {"ClientId": {"Ref": "Client"}, "ProviderName": {"Fn::GetAtt": ["Users", "ProviderName"]}}
                    ],
                },
                "Metadata": {"aws:cdk:path": f"{STACK}/App/Pool"},
            },
            "Users": {
                "Type": "AWS::Cognito::UserPool",
                "Properties": {"MfaConfiguration": "ON", "EnabledMfas": ["SOFTWARE_TOKEN_MFA"]},
            },
            "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"UserPoolId": {"Ref": "Users"}}},
            "Attach": {
                "Type": "AWS::Cognito::IdentityPoolRoleAttachment",
                "Properties": {
                    "IdentityPoolId": {"Ref": "Pool"},
                    "Roles": {
                        "authenticated": {"Fn::GetAtt": ["SignedInRole0000", "Arn"]},
                        "unauthenticated": {"Fn::GetAtt": ["GuestRole0000", "Arn"]},
                    },
                },
            },
            "Data": {"Type": "AWS::S3::Bucket", "Metadata": {"aws:cdk:path": f"{STACK}/UserData/Bucket/Resource"}},
        },
        "Outputs": {
            "PoolId": {"Value": {"Ref": "Pool"}},
            "UserPoolId": {"Value": {"Ref": "Users"}},
            "ClientId": {"Value": {"Ref": "Client"}},
            "BucketName": {"Value": {"Ref": "Data"}},
        },
    }


def pool_roles() -> list[dict[str, Any]]:
    bucket = "arn:aws:s3:::{bucket UserData/Bucket}"
    mine = "${cognito-identity.amazonaws.com:sub}"
    signed_in = [
        {
            "effect": "Allow",
            "actions": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            "resources": [f"{bucket}/private/{mine}/*"],
            "conditions": [],
        },
        {
            "effect": "Allow",
            "actions": ["s3:ListBucket"],
            "resources": [bucket],
            "conditions": [f"StringLike s3:prefix = `private/{mine}/`, `private/{mine}/*`"],
        },
        {
            "effect": "Deny",
            "actions": ["s3:ListBucket"],
            "resources": [bucket],
            "conditions": ["StringLike s3:prefix = `private/*`"],
        },
        {
            "effect": "Allow",
            "actions": ["s3:GetObject", "s3:PutObject"],
            "resources": [f"{bucket}/public/*"],
            "conditions": [],
        },
    ]
    guest = [
        {"effect": "Allow", "actions": ["s3:GetObject"], "resources": [f"{bucket}/public/*"], "conditions": []},
        {
            "effect": "Allow",
            "actions": ["s3:ListBucket"],
            "resources": [bucket],
            "conditions": ["StringLike s3:prefix = `public/`, `public/*`"],
        },
        {"effect": "Allow", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::elsewhere/x/*"], "conditions": []},
    ]
    signed = role("App/SignedInRole", kind="cognito", declared={"amr": "authenticated"}, statements=signed_in)
    guests = role("App/GuestRole", kind="cognito", declared={"amr": "unauthenticated"}, statements=guest)
    return [signed | {"logical_id": "SignedInRole0000"}, guests | {"logical_id": "GuestRole0000"}]


def test_amplify_outputs_shape_with_placeholders_before_deploy() -> None:
    sheet = sheet_of(*pool_roles(), template=pool_template())
    (pool,) = sheet["stacks"][0]["identity_pools"]
    assert pool["roles"] == {"authenticated": "App/SignedInRole", "guest": "App/GuestRole"}
    outputs = pool["amplify_outputs"]
    assert outputs["version"] == "1.4"
    assert outputs["auth"] == {
        "aws_region": REGION,
        "user_pool_id": f"<user pool id: {AFTER_DEPLOY}>",
        "user_pool_client_id": f"<app client id: {AFTER_DEPLOY}>",
        "mfa_configuration": "REQUIRED",
        "mfa_methods": ["TOTP"],
        "identity_pool_id": f"<identity pool id: {AFTER_DEPLOY}>",
        "unauthenticated_identities_enabled": True,
    }
    (bucket,) = outputs["storage"]["buckets"]
    assert outputs["storage"]["bucket_name"] == bucket["bucket_name"] == f"<bucket name: {AFTER_DEPLOY}>"
    assert bucket["name"] == "UserData" and bucket["aws_region"] == REGION
    assert bucket["paths"] == {
        "private/${cognito-identity.amazonaws.com:sub}/*": {"entityidentity": ["get", "list", "write", "delete"]},
        "public/*": {"authenticated": ["get", "write"], "guest": ["get", "list"]},
    }
    assert any("elsewhere" in n and "outside this stack" in n for n in pool["not_derived"])
    assert f"<identity pool id: {AFTER_DEPLOY}>" in sheet["placeholders"]


def test_amplify_outputs_filled_from_the_outputs_file() -> None:
    values = {"PoolId": "eu-west-1:0000-1111", "UserPoolId": "eu-west-1_AbC", "ClientId": "abc123", "BucketName": "b-1"}
    sheet = sheet_of(*pool_roles(), template=pool_template(), outputs={STACK: values})
    outputs = sheet["stacks"][0]["identity_pools"][0]["amplify_outputs"]
    assert outputs["auth"]["identity_pool_id"] == "eu-west-1:0000-1111"
    assert outputs["auth"]["user_pool_id"] == "eu-west-1_AbC"
    assert outputs["auth"]["user_pool_client_id"] == "abc123"
    assert outputs["storage"]["bucket_name"] == outputs["storage"]["buckets"][0]["bucket_name"] == "b-1"
    assert not [p for p in sheet["placeholders"] if "pool" in p or "bucket" in p or "client" in p]
    guest_caveat = entry(sheet, "App/GuestRole")["relies_on"]
    assert guest_caveat == [
        "anyone who calls the identity pool without signing in (the public internet) gets this guest role"
    ]


# --- the access report carries the caveats too ------------------------------------------------------


def test_access_report_markdown_and_html_show_what_a_role_relies_on() -> None:
    stack = report(github_role(), gitlab_role(), saml_role()) | {
        "summary": {"roles": 3, "roles_per_door": {}, "roles_with_opt_ins": 0, "unacknowledged_findings": 0}
    }
    for entry_ in stack["roles"]:
        entry_.update(opt_ins=[], findings=[], proof=None)
    text = to_markdown([stack])
    assert "- relies on, outside AWS:" in text and "ANY branch" in text and "decided in the IdP" in text
    page = render_html({"stacks": [stack]})
    assert "<h4>Relies on, outside AWS</h4>" in page and "only as protected as the project" in page
    assert '<a href="setup.md">setup.md</a>' in page


def test_relies_on_without_an_intent_still_names_the_idp() -> None:
    doors = [{"kind": "saml", "provider": SAML_PROVIDER}]
    assert relies_on(None, doors) == [
        f"whoever the IdP behind `{SAML_PROVIDER}` maps to this role can assume it: which group or app "
        "assignment grants it is decided in the IdP, not in AWS"
    ]


# --- the bundled example, through the session's one synthesis -------------------------------------


@pytest.fixture(scope="module")
def example_sheet(example_app: tuple[App, FederationStack], example_template: Template) -> dict[str, Any]:
    app, stack = example_app
    template = example_template.to_json()
    paths = construct_paths(app).get(stack.node.path)
    built = build_access_report(
        template, stack=stack.stack_name, account=ACCOUNT, paths=paths, intents=collect_intents(app)
    )
    return build_setup_sheet([built], {stack.stack_name: template}, regions={stack.stack_name: REGION})


def test_example_sheet_covers_every_role(example_sheet: dict[str, Any]) -> None:
    (stack,) = example_sheet["stacks"]
    kinds = {r["name"]: r["kind"] for r in stack["roles"]}
    assert kinds == {
        "Administrator": "saml",
        "AppIdentityPool/AuthenticatedRole": "cognito",
        "AppIdentityPool/GuestRole": "cognito",
        "EmployeeFiles": "saml",
        "InfraPipeline": "gitlab",
        "ReadOnlyConsole": "saml",
        "WebAppDeploy": "github",
    }
    workflow = yaml.safe_load(entry(example_sheet, "WebAppDeploy")["setup"]["workflow"])
    assert workflow["jobs"]["deploy-production"]["environment"] == "production"
    (pool,) = stack["identity_pools"]
    paths = pool["amplify_outputs"]["storage"]["buckets"][0]["paths"]
    assert paths["private/${cognito-identity.amazonaws.com:sub}/*"] == {
        "entityidentity": ["get", "list", "write", "delete"]
    }
    assert paths["public/*"]["guest"] == ["get", "list"]
    assert f"<identity pool id: {AFTER_DEPLOY}>" in example_sheet["placeholders"]
    text = setup_markdown(example_sheet)
    assert "ANY branch whose workflow names environment `production`" in text


# --- written with the access report, and the command line -------------------------------------------


def write_assembly(directory: Path, *roles: dict[str, Any]) -> None:
    """A minimal cloud assembly with the access report the review would have written."""
    directory.mkdir(parents=True, exist_ok=True)
    template = pool_template()
    template["Outputs"]["PipelineRoleArn"] = {"Value": {"Fn::GetAtt": ["PipelineRole0000", "Arn"]}}
    (directory / "fed.template.json").write_text(json.dumps(template), encoding="utf-8")
    manifest = {
        "version": "55.0.0",
        "artifacts": {
            STACK: {
                "type": "aws:cloudformation:stack",
                "environment": f"aws://{ACCOUNT}/{REGION}",
                "properties": {"templateFile": "fed.template.json", "stackName": "fed-prod"},
                "displayName": STACK,
            }
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    access = {"stacks": [report(*roles)]}
    (directory / "access-report.json").write_text(json.dumps(access), encoding="utf-8")


def test_access_report_writer_also_writes_the_sheet(tmp_path: Path) -> None:
    template = {"Resources": {}}
    stacks = [
        StackArtifact(
            artifact_id=STACK, display_name=STACK, stack_name=STACK, account=ACCOUNT, region=REGION, template=template
        )
    ]
    write_access_report(tmp_path, [], stacks=stacks)
    assert json.loads((tmp_path / "setup.json").read_text())["version"] == 1
    assert (tmp_path / "setup.md").read_text().startswith("# Setup sheet")


def test_cli_fills_deploy_time_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assembly = tmp_path / "cdk.out"
    anonymous = gitlab_role() | {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/(name set at deploy)"}
    write_assembly(assembly, anonymous, *pool_roles())
    assert main([str(assembly)]) == 0
    assert f"<identity pool id: {AFTER_DEPLOY}>" in (assembly / "setup.md").read_text()
    outputs = tmp_path / "cdk-outputs.json"
    values = {"PoolId": "eu-west-1:1234", "PipelineRoleArn": f"arn:aws:iam::{ACCOUNT}:role/fed-Pipeline-X"}
    outputs.write_text(json.dumps({"fed-prod": values}), encoding="utf-8")  # keyed by the CloudFormation name
    out = tmp_path / "sheet"
    assert main(["--outputs", str(outputs), "--out", str(out), str(assembly)]) == 0
    sheet = json.loads((out / "setup.json").read_text())
    assert sheet["stacks"][0]["identity_pools"][0]["amplify_outputs"]["auth"]["identity_pool_id"] == "eu-west-1:1234"
    assert entry(sheet, "Pipeline")["role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/fed-Pipeline-X"
    assert "eu-west-1:1234" in (out / "setup.md").read_text()
    printed = capsys.readouterr()
    assert printed.err == "" and "still to fill" in printed.out


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing-dir", "not a directory"),
        ("no-report", "access-report.json: not found"),
        ("not-json", "not valid JSON"),
        ("a-list", "is a JSON list"),
        ("not-strings", "expected a string"),
        ("too-large", "bytes"),
        ("other-stack", "names no stack of"),
    ],
)
def test_cli_refuses_bad_input_with_one_line(
    case: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assembly = tmp_path / "cdk.out"
    write_assembly(assembly, gitlab_role())
    outputs = tmp_path / "outputs.json"
    argv = ["--outputs", str(outputs), str(assembly)]
    outputs.write_text("{}", encoding="utf-8")
    if case == "missing-dir":
        argv[-1] = str(tmp_path / "nowhere")
    elif case == "no-report":
        (assembly / "access-report.json").unlink()
    elif case == "not-json":
        outputs.write_text("{'fed': 1", encoding="utf-8")
    elif case == "a-list":
        outputs.write_text("[]", encoding="utf-8")
    elif case == "not-strings":
        outputs.write_text(json.dumps({"fed-prod": {"PoolId": 1}}), encoding="utf-8")
    elif case == "too-large":
        outputs.write_text(json.dumps({"fed-prod": {"X": "a" * MAX_OUTPUTS_BYTES}}), encoding="utf-8")
    elif case == "other-stack":
        outputs.write_text(json.dumps({"someone-else": {"X": "y"}}), encoding="utf-8")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("federation-setup: ") and expected in err, err
    assert "Traceback" not in err


def test_setup_module_starts_no_node_and_no_solver() -> None:
    code = (
        "import sys; import federation_constructs.report.setup; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'z3', 'constructs')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
