#!/usr/bin/env python3
"""A CDK app of your own that uses `federation_constructs` as a library (`pip install` it).

Every public construct, the rule packs and the reviewer's reports, with nothing from the
federation-as-code repository but the package: OIDC providers and roles for GitHub Actions, GitLab CI,
HCP Terraform, an EKS service account and a generic issuer; a SAML provider and role; a Cognito
identity pool on a user pool made here; per-user S3 storage with grants; a federation broker role.

    pip install federation-constructs     # or the wheel: pip install dist/federation_constructs-*.whl
    cdk synth                             # from this folder (cdk.json runs `python3 app.py`)

After `cdk synth`, `cdk.out/` holds the templates plus `rule-pack-report.json`, `findings.json`,
`findings.csv` and `access-report.md|json|html` (see `add_federation_review`).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import App, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from federation_constructs import (
    AccessLevel,
    CognitoLogin,
    EksServiceAccountRole,
    FederationBrokerRole,
    GitHubActionsRole,
    GitLabCiRole,
    HcpTerraformRole,
    IdentityPoolFederation,
    IdentityPoolLogins,
    IdentitySource,
    OidcIssuer,
    OidcProvider,
    OidcRole,
    RoleOptions,
    SamlProvider,
    SamlRole,
    UserPrefixStorage,
    acknowledge,
    add_federation_review,
    default_role_name,
)

#: the SAML IdP's metadata (the repository's fictional AD FS; use your IdP's own file)
IDP_METADATA = Path(__file__).resolve().parent.parent / "saml" / "adfs-example-metadata.xml"
EKS_CLUSTER = ("eu-west-1", "0123456789ABCDEF0123456789ABCDEF")


class CiAccessStack(Stack):
    """Roles CI systems and workloads assume with their OIDC tokens."""

    def __init__(self, scope: Construct, id: str, *, env: Environment) -> None:
        super().__init__(scope, id, env=env)
        github = OidcProvider(self, "GitHub", issuer=OidcIssuer.github_actions())
        deploy = GitHubActionsRole(
            self,
            "WebAppDeploy",
            provider=github,
            repositories=["octo-org/web-app"],
            branches=["main"],
            environments=["production"],
            # a name the workflow's role-to-assume can hold before the first deploy
            role_options=RoleOptions(
                max_session_duration=Duration.hours(1),
                role_name=default_role_name("library-federation", "WebAppDeploy"),
                path="/federation/",
            ),
        )
        deploy.grant_cdk_deploy()  # sts:AssumeRole on exactly this account's CDK bootstrap roles
        gitlab = OidcProvider(self, "GitLab", issuer=OidcIssuer.gitlab())
        GitLabCiRole(self, "InfraPipeline", provider=gitlab, projects=["platform/infrastructure"], refs=["main"])
        terraform = OidcProvider(self, "Terraform", issuer=OidcIssuer.hcp_terraform())
        HcpTerraformRole(
            self,
            "NetworkPlan",
            provider=terraform,
            organization="octo-org",
            projects=["platform"],
            workspaces=["network"],
            run_phases=["plan"],
        )
        region, cluster_id = EKS_CLUSTER
        cluster = OidcProvider(self, "Cluster", issuer=OidcIssuer.eks(region=region, cluster_id=cluster_id))
        EksServiceAccountRole(
            self,
            "Exporter",
            provider=cluster,
            cluster_region=region,
            cluster_id=cluster_id,
            namespace="monitoring",
            service_accounts=["exporter"],
        )
        buildkite = OidcProvider(
            self, "Buildkite", issuer=OidcIssuer.custom("https://agent.buildkite.com"), client_ids=["sts.amazonaws.com"]
        )
        OidcRole(
            self,
            "BuildkiteDeploy",
            provider=buildkite,
            audiences=["sts.amazonaws.com"],
            subjects=["organization:octo-org:pipeline:deploy:ref:refs/heads/main:commit:*:step:*"],
        )


class PeopleAccessStack(Stack):
    """Workforce sign-in through SAML, app users through an identity pool, and their own S3 folders."""

    def __init__(self, scope: Construct, id: str, *, env: Environment) -> None:
        super().__init__(scope, id, env=env)
        idp = SamlProvider(self, "CorpIdp", metadata_file=IDP_METADATA, name="corp-idp")
        employees = SamlRole(
            self,
            "EmployeeFiles",
            provider=idp,
            sign_in=["global"],
            attribute_conditions={"saml:sub_type": "persistent"},
            role_options=RoleOptions(max_session_duration=Duration.hours(8)),
        )

        users = cognito.UserPool(
            self,
            "Users",
            sign_in_aliases=cognito.SignInAliases(email=True),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
            ),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            removal_policy=RemovalPolicy.RETAIN,
        )
        client = users.add_client("App", auth_flows=cognito.AuthFlow(user_srp=True), generate_secret=False)
        pool = IdentityPoolFederation(
            self, "AppIdentityPool", logins=IdentityPoolLogins(cognito=[CognitoLogin.from_user_pool(users, client)])
        )

        storage = UserPrefixStorage(self, "UserData")
        storage.grant_user_prefix(
            pool.authenticated_role,
            source=IdentitySource.cognito(),
            level=AccessLevel.private(),
            actions=["read", "write", "delete"],
        )
        storage.grant_user_prefix(
            employees,
            source=IdentitySource.saml(),
            level=AccessLevel.custom("home/{id}/"),
            actions=["read", "write"],
            browse=True,
        )
        broker = FederationBrokerRole(self, "Broker", trusted=[f"arn:aws:iam::{self.account}:role/sign-in-service"])
        storage.grant_user_prefix(
            broker, source=IdentitySource.principal_tag("user"), level=AccessLevel.private(), actions=["read"]
        )
        acknowledge(
            users,
            "AwsSolutions-COG8",
            "The PLUS feature plan is on with full-function threat protection; this rule predates it.",
        )


app = App()
env = Environment(account="111122223333", region="eu-west-1")
CiAccessStack(app, "ci-access", env=env)
PeopleAccessStack(app, "people-access", env=env)
add_federation_review(app)  # AwsSolutions + FederationChecks, and the reports in cdk.out/
app.synth()
