"""Role names, paths and permissions: the pinned naming scheme, and what the config and the
constructs put into the template for them.

One small app serves the module: two configs (one with the config's name as the name prefix, a
`role_defaults.path` and a `role_defaults.permissions_boundary`, one with `role_defaults.name_prefix`)
and a hand-built stack whose role calls `grant_cdk_deploy()` with its defaults, synthesized once
(no rule packs). The cross-stage name check and the synth-time quotas build small apps of their own.
"""

from __future__ import annotations

import hashlib
import textwrap
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack, Stage
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from federation_constructs.errors import FederationValidationError
from federation_constructs.naming import default_role_name
from federation_constructs.oidc import GitHubActionsRole, OidcIssuer, OidcProvider, RoleOptions
from federation_constructs.report.access import build_access_report
from stacks.build import build_stacks
from stacks.config import DeploymentConfig, load_config
from tests.support import cfn_lint_errors_of_many, new_app

ACCOUNT = "111122223333"
CORP_ACCOUNT = "444455556666"
CONSTRUCT_ACCOUNT = "555566667777"
CONSTRUCT_REGION = "ap-southeast-2"
BOOTSTRAP_KINDS = ("deploy", "file-publishing", "image-publishing", "lookup")
LONG_ROLE = "ProductionInfrastructureDeploymentPipelineForWebApplications"

ACME = """\
name: acme-federation
account: "111122223333"
region: eu-west-1
role_defaults:
  path: /federation/
  permissions_boundary: arn:aws:iam::111122223333:policy/federation-boundary
oidc:
  providers:
    - id: GitHub
      preset: github_actions
  roles:
    - name: Deploy
      type: github
      provider: GitHub
      repositories: [octo-org/app]
      cdk_deploy: true
    - name: MultiDeploy
      type: github
      provider: GitHub
      repositories: [octo-org/platform]
      role_name: platform-multi-deploy
      path: /ci/
      permissions_boundary: ci-boundary
      cdk_deploy:
        qualifier: acme1
        accounts: ["222233334444", "333344445555"]
        regions: [eu-west-1, us-east-1]
    - name: Artifacts
      type: github
      provider: GitHub
      repositories: [octo-org/build]
      permissions_boundary: arn:aws:iam::aws:policy/PowerUserAccess
      customer_managed_policies:
        - arn:aws:iam::111122223333:policy/artifact-readers
        - arn:aws:iam::111122223333:policy/teams/artifact-writers
      statements:
        - sid: ReadArtifacts
          actions: [s3:GetObject, s3:PutObject]
          resources: ["arn:aws:s3:::acme-artifacts/ci/*"]
        - sid: ListArtifacts
          actions: [s3:ListBucket]
          resources: ["arn:aws:s3:::acme-artifacts"]
          conditions:
            StringLike:
              s3:prefix: ["ci/*"]
        - sid: NoDeletes
          effect: Deny
          actions: [s3:DeleteObject]
          resources: ["*"]
    - name: ProductionInfrastructureDeploymentPipelineForWebApplications
      type: github
      provider: GitHub
      repositories: [octo-org/infra]
saml:
  providers:
    - id: Corp
      existing_name: corp-idp
  roles:
    - name: Console
      provider: Corp
      sign_in: [global]
identity_pool:
  name: AppPool
  google_client_id: "123456789012-exampleclientid0.apps.googleusercontent.com"
  allow_guest: true
storage:
  id: UserData
  broker:
    id: FileBroker
    trusted: ["arn:aws:iam::111122223333:role/file-broker"]
"""

CORP = """\
name: corp-federation
account: "444455556666"
region: us-east-2
role_defaults:
  name_prefix: corp
oidc:
  providers:
    - id: GitHub
      preset: github_actions
  roles:
    - name: Deploy
      type: github
      provider: GitHub
      repositories: [octo-org/app]
      path: /teams/web/
    - name: Release
      type: github
      provider: GitHub
      repositories: [octo-org/app]
"""


# --- helpers -------------------------------------------------------------------------------


def flat(value: Any) -> str:
    """A template string value with `Fn::Join` and the partition's `Ref` written out (partition `aws`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value == {"Ref": "AWS::Partition"}:
        return "aws"
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return separator.join(flat(part) for part in parts)
    raise AssertionError(f"unexpected intrinsic in the template: {value!r}")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def github_role(stack: Stack, id: str = "Deploy", **options: Any) -> GitHubActionsRole:
    provider = OidcProvider.from_issuer(stack, f"{id}GitHub", OidcIssuer.github_actions())
    return GitHubActionsRole(
        stack, id, provider=provider, repositories=["octo-org/app"], role_options=RoleOptions(**options)
    )


class Built:
    """The module's app, synthesized once: templates by stack name, roles by IAM role name."""

    def __init__(self, templates: dict[str, dict[str, Any]]) -> None:
        self.templates = templates

    def resources(self, stack: str, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.templates[stack]["Resources"].items() if v["Type"] == kind}

    def roles(self, stack: str) -> dict[str, dict[str, Any]]:
        """IAM role name -> properties (plus `_logical`) of every role of `stack` with a literal name."""
        found = {}
        for logical, resource in self.resources(stack, "AWS::IAM::Role").items():
            name = resource["Properties"].get("RoleName")
            if isinstance(name, str):
                found[name] = {**resource["Properties"], "_logical": logical}
        return found

    def role(self, stack: str, name: str) -> dict[str, Any]:
        roles = self.roles(stack)
        assert name in roles, f"no role named {name!r} in {stack}: {sorted(roles)}"
        return roles[name]

    def attached_statements(self, stack: str, role_name: str) -> list[dict[str, Any]]:
        """The statements of every `AWS::IAM::Policy` attached to the role (grants land there)."""
        logical = self.role(stack, role_name)["_logical"]
        return [
            statement
            for policy in self.resources(stack, "AWS::IAM::Policy").values()
            if {"Ref": logical} in policy["Properties"].get("Roles", [])
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DeploymentConfig]:
    directory = tmp_path_factory.mktemp("role-names")
    loaded = {}
    for name, text in (("acme-federation", ACME), ("corp-federation", CORP)):
        path = directory / f"{name}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        loaded[name] = load_config(path)
    return loaded


@pytest.fixture(scope="module")
def built(configs: dict[str, DeploymentConfig]) -> Built:
    app = new_app()
    for config in configs.values():
        build_stacks(app, config)
    construct_stack = Stack(app, "ConstructGrant", env=Environment(account=CONSTRUCT_ACCOUNT, region=CONSTRUCT_REGION))
    github_role(construct_stack, "Deploy", role_name="construct-deploy").grant_cdk_deploy()
    assembly = app.synth()
    templates = {
        name: assembly.get_stack_by_name(name).template
        for name in ("acme-federation", "corp-federation", "ConstructGrant")
    }
    errors = cfn_lint_errors_of_many(templates, "eu-west-1")
    assert not any(errors.values()), errors
    return Built(templates)


# --- the naming scheme is pinned -------------------------------------------------------------


@pytest.mark.parametrize(
    ("deployment", "role", "path", "expected"),
    [
        pytest.param("acme-federation", "WebAppDeploy", None, "acme-federation-WebAppDeploy", id="fits"),
        pytest.param("acme-federation", "Deploy", "/", "acme-federation-Deploy", id="root-path-is-no-path"),
        pytest.param("acme-federation", "Deploy", "/federation/", "acme-federation-Deploy", id="fits-with-path"),
        pytest.param("a" * 31, "b" * 32, None, "a" * 31 + "-" + "b" * 32, id="exactly-64"),
        pytest.param("a" * 31, "b" * 33, None, "a" * 31 + "-" + "b" * 23 + "-b411b8b4", id="65-gets-the-hash"),
        pytest.param(
            "acme-platform-federation-production-eu-west-1",
            "GitHubActionsDeployRole",
            None,
            "acme-platform-federation-production-eu-west-1-GitHubAct-d1ba11e4",
            id="long",
        ),
        pytest.param(
            "acme-federation",
            "InfrastructurePipelineArtifacts",
            "/federation/teams/platform/",
            "acme-federation-Infrastructu-4149d86f",
            id="long-with-path",
        ),
        pytest.param("acme federation", "Deploy/Role", None, "acme-federation-Deploy-Role", id="refused-characters"),
        pytest.param(
            "acme-federation", "Web App:Deploy*", None, "acme-federation-Web-App-Deploy-", id="more-refused-characters"
        ),
    ],
)
def test_default_role_name_is_pinned(deployment: str, role: str, path: str | None, expected: str) -> None:
    name = default_role_name(deployment, role, path=path)
    assert name == expected
    assert len(name) + (len(path) if path not in (None, "/") else 0) <= 64


def test_a_hashed_name_is_64_characters_ending_in_the_sha256_of_the_full_name() -> None:
    deployment, role = "acme-platform-federation-production-eu-west-1", "GitHubActionsDeployRole"
    name = default_role_name(deployment, role)
    digest = hashlib.sha256(f"{deployment}-{role}".encode()).hexdigest()[:8]
    assert len(name) == 64
    assert name == f"{deployment}-{role}"[:55] + "-" + digest
    with_path = default_role_name(deployment, role, path="/federation/")
    assert len(with_path) == 64 - len("/federation/")
    assert with_path.endswith("-" + digest)  # the hash is of the full name, whatever the path


# --- config -> template: names, paths, ARNs --------------------------------------------------


def test_default_names_are_config_name_dash_role(built: Built) -> None:
    names = set(built.roles("acme-federation"))
    assert {"acme-federation-Deploy", "acme-federation-Artifacts", "acme-federation-Console"} <= names


def test_a_long_default_name_is_shortened_by_the_scheme(built: Built) -> None:
    expected = "acme-federation-ProductionInfrastructureDep-e007b21a"
    assert expected == default_role_name("acme-federation", LONG_ROLE, path="/federation/")
    role = built.role("acme-federation", expected)
    assert len(role["Path"]) + len(expected) == 64


def test_name_prefix_replaces_the_config_name(built: Built) -> None:
    assert set(built.roles("corp-federation")) == {"corp-Deploy", "corp-Release"}


def test_a_roles_own_role_name_wins(built: Built) -> None:
    names = set(built.roles("acme-federation"))
    assert "platform-multi-deploy" in names
    assert "acme-federation-MultiDeploy" not in names


@pytest.mark.parametrize(
    ("stack", "name", "path"),
    [
        pytest.param("acme-federation", "acme-federation-Deploy", "/federation/", id="from-role-defaults"),
        pytest.param("acme-federation", "platform-multi-deploy", "/ci/", id="own-path-wins"),
        pytest.param("corp-federation", "corp-Deploy", "/teams/web/", id="own-path"),
        pytest.param("corp-federation", "corp-Release", None, id="no-path"),
    ],
)
def test_role_paths(built: Built, stack: str, name: str, path: str | None) -> None:
    assert built.role(stack, name).get("Path") == path


def test_identity_pool_and_broker_roles_follow_the_scheme(built: Built) -> None:
    roles = built.roles("acme-federation")
    for name in (
        "acme-federation-AppPool-Authenticated",
        "acme-federation-AppPool-Guest",
        "acme-federation-FileBroker",
    ):
        assert roles[name]["Path"] == "/federation/"


def test_every_role_is_named_as_the_config_says(built: Built, configs: dict[str, DeploymentConfig]) -> None:
    for stack, config in configs.items():
        assert set(built.roles(stack)) == set(config.role_names().values())


def test_role_arns_in_the_access_report(built: Built) -> None:
    report = build_access_report(built.templates["acme-federation"], stack="acme-federation", account=ACCOUNT)
    arns = {r["role_name"]: r["role_arn"] for r in report["roles"]}
    role = f"arn:aws:iam::{ACCOUNT}:role/"
    assert arns == {
        "acme-federation-Deploy": role + "federation/acme-federation-Deploy",
        "platform-multi-deploy": role + "ci/platform-multi-deploy",
        "acme-federation-Artifacts": role + "federation/acme-federation-Artifacts",
        "acme-federation-ProductionInfrastructureDep-e007b21a": role
        + "federation/acme-federation-ProductionInfrastructureDep-e007b21a",
        "acme-federation-Console": role + "federation/acme-federation-Console",
        "acme-federation-AppPool-Authenticated": role + "federation/acme-federation-AppPool-Authenticated",
        "acme-federation-AppPool-Guest": role + "federation/acme-federation-AppPool-Guest",
        "acme-federation-FileBroker": role + "federation/acme-federation-FileBroker",
    }
    corp = build_access_report(built.templates["corp-federation"], stack="corp-federation", account=CORP_ACCOUNT)
    assert {r["role_name"]: r["role_arn"] for r in corp["roles"]} == {
        "corp-Deploy": f"arn:aws:iam::{CORP_ACCOUNT}:role/teams/web/corp-Deploy",
        "corp-Release": f"arn:aws:iam::{CORP_ACCOUNT}:role/corp-Release",
    }


# --- cdk_deploy ------------------------------------------------------------------------------


def bootstrap_arns(qualifier: str, accounts: list[str], regions: list[str]) -> set[str]:
    return {
        f"arn:aws:iam::{account}:role/cdk-{qualifier}-{kind}-role-{account}-{region}"
        for account in accounts
        for region in regions
        for kind in BOOTSTRAP_KINDS
    }


def granted(built: Built, stack: str, role_name: str) -> list[str]:
    """The one grant on the role: `sts:AssumeRole` on these ARNs (asserted: nothing else)."""
    (statement,) = built.attached_statements(stack, role_name)
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRole"
    assert "Condition" not in statement and "NotResource" not in statement
    arns = [flat(value) for value in as_list(statement["Resource"])]
    assert not any("*" in arn for arn in arns), arns
    return arns


def test_cdk_deploy_true_grants_the_four_bootstrap_roles_of_the_account_and_region(built: Built) -> None:
    arns = granted(built, "acme-federation", "acme-federation-Deploy")
    assert len(arns) == 4
    assert set(arns) == bootstrap_arns("hnb659fds", [ACCOUNT], ["eu-west-1"])
    role = built.role("acme-federation", "acme-federation-Deploy")
    assert "Policies" not in role and "ManagedPolicyArns" not in role


def test_cdk_deploy_with_qualifier_accounts_and_regions(built: Built) -> None:
    arns = granted(built, "acme-federation", "platform-multi-deploy")
    assert len(arns) == 16 == len(set(arns))
    assert set(arns) == bootstrap_arns("acme1", ["222233334444", "333344445555"], ["eu-west-1", "us-east-1"])


def test_roles_without_cdk_deploy_get_no_grant(built: Built) -> None:
    assert built.attached_statements("acme-federation", "acme-federation-Artifacts") == []
    assert built.attached_statements("corp-federation", "corp-Deploy") == []


def test_grant_cdk_deploy_defaults_to_the_stacks_account_and_region(built: Built) -> None:
    arns = granted(built, "ConstructGrant", "construct-deploy")
    assert set(arns) == bootstrap_arns("hnb659fds", [CONSTRUCT_ACCOUNT], [CONSTRUCT_REGION])
    assert len(arns) == 4


# --- statements, managed policies, boundaries ------------------------------------------------


def test_statements_land_in_one_inline_policy_permissions(built: Built) -> None:
    role = built.role("acme-federation", "acme-federation-Artifacts")
    (policy,) = role["Policies"]
    assert policy["PolicyName"] == "Permissions"
    assert policy["PolicyDocument"]["Statement"] == [
        {
            "Sid": "ReadArtifacts",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::acme-artifacts/ci/*",
        },
        {
            "Sid": "ListArtifacts",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::acme-artifacts",
            "Condition": {"StringLike": {"s3:prefix": ["ci/*"]}},
        },
        {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
    ]


def test_customer_managed_policies_are_attached(built: Built) -> None:
    role = built.role("acme-federation", "acme-federation-Artifacts")
    assert [flat(arn) for arn in role["ManagedPolicyArns"]] == [
        "arn:aws:iam::111122223333:policy/artifact-readers",
        "arn:aws:iam::111122223333:policy/teams/artifact-writers",
    ]


DEFAULT_BOUNDARY = "arn:aws:iam::111122223333:policy/federation-boundary"


@pytest.mark.parametrize(
    ("stack", "name", "boundary"),
    [
        pytest.param("acme-federation", "acme-federation-Deploy", DEFAULT_BOUNDARY, id="oidc-default"),
        pytest.param("acme-federation", "acme-federation-Console", DEFAULT_BOUNDARY, id="saml-default"),
        pytest.param("acme-federation", "acme-federation-AppPool-Authenticated", DEFAULT_BOUNDARY, id="pool-auth"),
        pytest.param("acme-federation", "acme-federation-AppPool-Guest", DEFAULT_BOUNDARY, id="pool-guest"),
        pytest.param("acme-federation", "acme-federation-FileBroker", DEFAULT_BOUNDARY, id="broker"),
        pytest.param(
            "acme-federation",
            "platform-multi-deploy",
            "arn:aws:iam::111122223333:policy/ci-boundary",
            id="own-by-name",
        ),
        pytest.param(
            "acme-federation", "acme-federation-Artifacts", "arn:aws:iam::aws:policy/PowerUserAccess", id="own-arn"
        ),
        pytest.param("corp-federation", "corp-Deploy", None, id="none"),
    ],
)
def test_permissions_boundaries(built: Built, stack: str, name: str, boundary: str | None) -> None:
    value = built.role(stack, name).get("PermissionsBoundary")
    assert (flat(value) if value is not None else None) == boundary


def test_a_boundary_by_name_is_an_arn_of_the_partition_and_account(built: Built) -> None:
    value = built.role("acme-federation", "platform-multi-deploy")["PermissionsBoundary"]
    assert value == {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111122223333:policy/ci-boundary"]]}


def test_every_role_of_a_config_with_a_default_boundary_has_one(built: Built) -> None:
    roles = built.resources("acme-federation", "AWS::IAM::Role").values()
    assert all("PermissionsBoundary" in r["Properties"] for r in roles)


# --- role names unique per account, across stages -------------------------------------------
# The claimed names live on each app; the tests still use names of their own.


def staged_role(app: App, stage: str, account: str, role_name: str) -> GitHubActionsRole:
    """An `AccountStage`-like stage: a Stage bound to `account` holding a stack with one named role."""
    scope = Stage(app, stage, env=Environment(account=account, region="eu-west-1"))
    return github_role(Stack(scope, "Federation"), "Deploy", role_name=role_name)


@pytest.mark.parametrize(
    ("first", "second"),
    [("rnp-stage-same", "rnp-stage-same"), ("Rnp-Stage-Case", "rnp-stage-case")],
    ids=["same", "case"],
)
def test_the_same_role_name_in_two_stages_of_one_account_is_refused(first: str, second: str) -> None:
    app = new_app()
    staged_role(app, "Blue", "222233334444", first)
    with pytest.raises(FederationValidationError) as caught:
        staged_role(app, "Green", "222233334444", second)
    message = str(caught.value)
    assert message.startswith(f"Green/Federation/Deploy: role_options.role_name={second!r} is not accepted; expected")
    assert "Blue/Federation/Deploy already uses it" in message
    assert "222233334444" in message and "case-insensitively" in message


def test_the_same_role_name_in_two_accounts_is_accepted() -> None:
    app = new_app()
    staged_role(app, "Dev", "222233334444", "rnp-two-accounts")
    role = staged_role(app, "Prod", "333344445555", "rnp-two-accounts")
    assert role.node.path == "Prod/Federation/Deploy"


def test_two_apps_do_not_share_claimed_names() -> None:
    """Each app is its own deployment: the names one app claims do not bind another app of the process."""
    staged_role(new_app(), "One", "999988887777", "rnp-two-apps")
    role = staged_role(new_app(), "Two", "999988887777", "rnp-two-apps")
    assert role.node.path == "Two/Federation/Deploy"


# --- quotas checked again at synth (grants add policies after the constructor) ---------------


def over_quota_after_construction(kind: str) -> tuple[Stack, str]:
    app = new_app()
    stack = Stack(app, "Quotas", env=Environment(account=ACCOUNT, region="eu-west-1"))
    arn = "arn:aws:s3:::acme-artifacts/" + "x" * 200
    # about 6,900 characters of inline policy: within the quota at construction
    own = iam.PolicyDocument(
        statements=[iam.PolicyStatement(actions=["s3:PutObject"], resources=[f"{arn}{i}"]) for i in range(24)]
    )
    role = github_role(stack, "Deploy", inline_policies={"Own": own})
    if kind == "managed":
        for index in range(11):
            role.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(f"Policy{index}"))
        return stack, "11 managed policies is not accepted; expected at most 10 per role"
    # as much again through grants (the role's DefaultPolicy, too small for the CDK to split it)
    for index in range(24):
        role.role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[f"{arn}{index}"]))
    return stack, "inline policies of 13870 characters are not accepted; expected at most 10,240 characters"


@pytest.mark.parametrize("kind", ["managed", "inline"])
def test_a_role_that_goes_over_a_quota_after_construction_is_a_fed60_finding(kind: str) -> None:
    """What grants add after the constructor is counted over the synthesized template by FED60
    (FederationChecks), without a jsii round trip per role."""
    from federation_constructs.rules import lint_template

    stack, _expected = over_quota_after_construction(kind)
    template = Template.from_stack(stack).to_json()
    found = [f for f in lint_template(template) if f.rule_id == "FED60"]
    assert [f.finding for f in found] == ["ManagedPolicies" if kind == "managed" else "InlinePolicies"]
    assert "Deploy" in found[0].logical_id


def test_a_raised_managed_policy_quota_is_honoured_at_synth() -> None:
    app = new_app()
    stack = Stack(app, "Raised", env=Environment(account=ACCOUNT, region="eu-west-1"))
    role = github_role(stack, "Deploy", managed_policy_quota=20)
    for index in range(11):
        role.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(f"Policy{index}"))
    template = Template.from_stack(stack).to_json()
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert len(resource["Properties"]["ManagedPolicyArns"]) == 11


def test_a_managed_policy_attached_through_its_roles_counts_toward_the_quota() -> None:
    """The construct's synth-time check reads the role's own ManagedPolicyArns; a managed policy that
    attaches itself through its `roles` (iam.ManagedPolicy(roles=[...]), the CDK's overflow split) is
    counted by FederationChecks' FED60 over the synthesized template."""
    from federation_constructs.rules import lint_template

    app = new_app()
    stack = Stack(app, "Attached", env=Environment(account=ACCOUNT, region="eu-west-1"))
    names = [
        "ReadOnlyAccess",
        "SecurityAudit",
        "AmazonS3ReadOnlyAccess",
        "AmazonEC2ReadOnlyAccess",
        "CloudWatchReadOnlyAccess",
        "IAMReadOnlyAccess",
        "AmazonDynamoDBReadOnlyAccess",
        "AWSLambda_ReadOnlyAccess",
        "AmazonSQSReadOnlyAccess",
        "AmazonSNSReadOnlyAccess",
    ]
    ten = [iam.ManagedPolicy.from_aws_managed_policy_name(name) for name in names]
    role = github_role(stack, "Deploy", managed_policies=ten)
    statement = iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::acme-artifacts/*"])
    iam.ManagedPolicy(stack, "Eleventh", statements=[statement], roles=[role.role])
    template = Template.from_stack(stack).to_json()
    found = [f for f in lint_template(template) if f.rule_id == "FED60"]
    assert [f.finding for f in found] == ["ManagedPolicies"]
    assert "11 managed policies" in found[0].detail
