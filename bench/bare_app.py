#!/usr/bin/env python3
"""The bundled example (examples/example.yaml), hand-written with plain aws-cdk-lib: the baseline
for the toolkit's synthesis time. No federation_constructs, no config loading, no rule packs.

Same resources as the toolkit's template: 2 OIDC providers (GitHub, GitLab) and their 2 roles, a SAML
provider and 3 SAML roles, a Cognito user pool + app client + identity pool (Google too) with
authenticated and guest roles and their role attachment, a user-data bucket with an access-log
bucket, both with TLS-only bucket policies, and the per-user grants. Run like app.py:
CDK_OUTDIR=... python bench/bare_app.py
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import App, CfnOutput, Duration, Environment, Fn, RemovalPolicy, Stack, Tags
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

REPO = Path(__file__).resolve().parents[1]
SAML_METADATA = REPO / "examples" / "saml" / "adfs-example-metadata.xml"
COGNITO = "cognito-identity.amazonaws.com"
OBJECT_RW = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"]
PATH = "/federation/"
DENY_OBJECT = ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:AbortMultipartUpload", "s3:RestoreObject"]


def oidc_role(
    stack: Stack,
    name: str,
    provider: iam.CfnOIDCProvider,
    issuer: str,
    aud: str,
    subs: list[str],
    description: str,
    kind: str,
    role_name: str | None = None,
    inline_policies: dict[str, iam.PolicyDocument] | None = None,
) -> iam.Role:
    role = iam.Role(
        stack,
        f"{name}Role",
        inline_policies=inline_policies,
        role_name=role_name or f"example-federation-{name}",
        path=PATH,
        description=description,
        max_session_duration=Duration.hours(1),
        assumed_by=iam.FederatedPrincipal(
            provider.ref,
            {"StringEquals": {f"{issuer}:aud": [aud], f"{issuer}:sub": subs}},
            "sts:AssumeRoleWithWebIdentity",
        ),
    )
    CfnOutput(stack, f"{name}RoleArn", value=role.role_arn, description=f"{kind} role {name}")
    return role


def saml_role(stack: Stack, name: str, provider: iam.CfnSAMLProvider, hours: int, managed: str | None) -> iam.Role:
    role = iam.Role(
        stack,
        f"{name}Role",
        role_name=f"example-federation-{name}",
        path=PATH,
        max_session_duration=Duration.hours(hours),
        description="Assumed with SAML assertions of the workforce IdP (federation-as-code)",
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(managed)] if managed else None,
        assumed_by=iam.FederatedPrincipal(
            provider.ref,
            {"StringEquals": {"SAML:aud": ["https://signin.aws.amazon.com/saml"], "saml:sub_type": ["persistent"]}},
            "sts:AssumeRoleWithSAML",
        ),
    )
    CfnOutput(stack, f"{name}RoleArn", value=role.role_arn, description=f"SAML role {name}")
    CfnOutput(
        stack,
        f"{name}IdpRoleAttribute",
        value=Fn.join(",", [role.role_arn, provider.ref]),
        description=f"what the IdP sends in https://aws.amazon.com/SAML/Attributes/Role for {name}",
    )
    return role


def cognito_role(scope: Stack, id: str, pool: cognito.CfnIdentityPool, amr: str, description: str) -> iam.Role:
    return iam.Role(
        scope,
        id,
        role_name="example-federation-AppIdentityPool-" + id.removeprefix("AppIdentityPool").removesuffix("Role"),
        path=PATH,
        description=description,
        max_session_duration=Duration.hours(1),
        assumed_by=iam.FederatedPrincipal(
            COGNITO,
            {"StringEquals": {f"{COGNITO}:aud": pool.ref}, "ForAnyValue:StringLike": {f"{COGNITO}:amr": amr}},
            "sts:AssumeRoleWithWebIdentity",
        ),
    )


def list_prefix(
    sid: str,
    bucket: s3.Bucket,
    like: list[str],
    *,
    effect: iam.Effect = iam.Effect.ALLOW,
    not_like: list[str] | None = None,
    extra: dict | None = None,
) -> iam.PolicyStatement:
    conditions: dict = {**(extra or {}), "StringLike": {"s3:prefix": like}}
    if not_like:
        conditions["StringNotLike"] = {"s3:prefix": not_like}
    return iam.PolicyStatement(
        sid=sid, effect=effect, actions=["s3:ListBucket"], resources=[bucket.bucket_arn], conditions=conditions
    )


def build(app: App) -> Stack:
    stack = Stack(
        app,
        "example-federation",
        env=Environment(account="111122223333", region="eu-west-1"),
        description="Identity federation for example-federation (federation-as-code)",
    )
    Tags.of(stack).add("owner", "platform-team")
    Tags.of(stack).add("project", "federation-as-code")

    # --- OIDC: GitHub Actions and GitLab CI -----------------------------------------------------
    github = iam.CfnOIDCProvider(
        stack, "GitHub", url="https://token.actions.githubusercontent.com", client_id_list=["sts.amazonaws.com"]
    )
    gitlab = iam.CfnOIDCProvider(stack, "GitLab", url="https://gitlab.com", client_id_list=["https://gitlab.com"])
    for provider in (github, gitlab):
        provider.apply_removal_policy(RemovalPolicy.RETAIN)
    deploy = oidc_role(
        stack,
        "WebAppDeploy",
        github,
        "token.actions.githubusercontent.com",
        "sts.amazonaws.com",
        ["repo:octo-org/web-app:ref:refs/heads/main", "repo:octo-org/web-app:environment:production"],
        "Assumed with GitHub Actions tokens (federation-as-code)",
        "GitHub Actions",
    )
    deploy.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["sts:AssumeRole"],
            resources=[
                f"arn:{stack.partition}:iam::111122223333:role/cdk-hnb659fds-{kind}-role-111122223333-eu-west-1"
                for kind in ("deploy", "file-publishing", "image-publishing", "lookup")
            ],
        )
    )
    oidc_role(
        stack,
        "InfraPipeline",
        gitlab,
        "gitlab.com",
        "https://gitlab.com",
        ["project_path:platform/infrastructure:ref_type:branch:ref:main"],
        "Assumed with GitLab CI tokens (federation-as-code)",
        "GitLab CI",
        role_name="infra-pipeline-artifacts",
        inline_policies={
            "Permissions": iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        sid="ArtifactObjects",
                        actions=["s3:GetObject", "s3:PutObject"],
                        resources=["arn:aws:s3:::example-infra-artifacts/pipeline/*"],
                    ),
                    iam.PolicyStatement(
                        sid="ArtifactListing",
                        actions=["s3:ListBucket"],
                        resources=["arn:aws:s3:::example-infra-artifacts"],
                        conditions={"StringLike": {"s3:prefix": ["pipeline/*"]}},
                    ),
                ]
            )
        },
    )

    # --- SAML: one AD FS, three roles -------------------------------------------------------------
    adfs = iam.CfnSAMLProvider(
        stack, "CorpAdfs", name="corp-adfs", saml_metadata_document=SAML_METADATA.read_text(encoding="utf-8")
    )
    adfs.apply_removal_policy(RemovalPolicy.RETAIN)
    saml_role(stack, "ReadOnlyConsole", adfs, 8, "ReadOnlyAccess")
    saml_role(stack, "Administrator", adfs, 1, "AdministratorAccess")
    employees = saml_role(stack, "EmployeeFiles", adfs, 8, None)

    # --- Cognito: user pool + app client + identity pool with Google -------------------------------
    message = "The verification code to your new account is {####}"
    user_pool = cognito.CfnUserPool(
        stack,
        "AppIdentityPoolUsers",
        account_recovery_setting={"recoveryMechanisms": [{"name": "verified_email", "priority": 1}]},
        admin_create_user_config={"allowAdminCreateUserOnly": False},
        auto_verified_attributes=["email"],
        deletion_protection="ACTIVE",
        email_verification_message=message,
        email_verification_subject="Verify your new account",
        enabled_mfas=["SOFTWARE_TOKEN_MFA"],
        mfa_configuration="ON",
        policies={
            "passwordPolicy": {
                "minimumLength": 12,
                "requireLowercase": True,
                "requireNumbers": True,
                "requireSymbols": True,
                "requireUppercase": True,
                "temporaryPasswordValidityDays": 3,
            }
        },
        sms_verification_message=message,
        user_pool_add_ons={"advancedSecurityMode": "ENFORCED"},
        user_pool_tier="PLUS",
        username_attributes=["email"],
        verification_message_template={
            "defaultEmailOption": "CONFIRM_WITH_CODE",
            "emailMessage": message,
            "emailSubject": "Verify your new account",
            "smsMessage": message,
        },
    )
    user_pool.apply_removal_policy(RemovalPolicy.RETAIN)
    client = cognito.CfnUserPoolClient(
        user_pool,
        "AppClient",
        user_pool_id=user_pool.ref,
        allowed_o_auth_flows_user_pool_client=False,
        explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        generate_secret=False,
        prevent_user_existence_errors="ENABLED",
        supported_identity_providers=["COGNITO"],
    )
    pool = cognito.CfnIdentityPool(
        stack,
        "AppIdentityPool",
        allow_classic_flow=False,
        allow_unauthenticated_identities=True,
        cognito_identity_providers=[
            {"clientId": client.ref, "providerName": user_pool.attr_provider_name, "serverSideTokenCheck": True}
        ],
        supported_login_providers={"accounts.google.com": "123456789012-exampleclientid0.apps.googleusercontent.com"},
    )
    authenticated = cognito_role(
        stack,
        "AppIdentityPoolAuthenticatedRole",
        pool,
        "authenticated",
        "Assumed by signed-in users of the identity pool (federation-as-code)",
    )
    guest = cognito_role(
        stack,
        "AppIdentityPoolGuestRole",
        pool,
        "unauthenticated",
        "Assumed by guests (not signed in) of the identity pool (federation-as-code)",
    )
    guest.add_to_policy(
        iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::example-app-assets/public/*"])
    )
    cognito.CfnIdentityPoolRoleAttachment(
        stack,
        "AppIdentityPoolRoles",
        identity_pool_id=pool.ref,
        roles={"authenticated": authenticated.role_arn, "unauthenticated": guest.role_arn},
    )
    CfnOutput(stack, "AppIdentityPoolUserPoolId", value=user_pool.ref)
    CfnOutput(stack, "AppIdentityPoolUserPoolClientId", value=client.ref)
    CfnOutput(stack, "AppIdentityPoolId", value=pool.ref)
    CfnOutput(stack, "AppIdentityPoolAuthenticatedRoleArn", value=authenticated.role_arn)
    CfnOutput(stack, "AppIdentityPoolGuestRoleArn", value=guest.role_arn)

    # --- Storage: user-data bucket, access-log bucket, per-user grants ------------------------------
    common = dict(
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=RemovalPolicy.RETAIN,
    )
    logs = s3.Bucket(stack, "UserDataAccessLogs", **common)
    bucket = s3.Bucket(
        stack,
        "UserDataBucket",
        server_access_logs_bucket=logs,
        server_access_logs_prefix="user-data/",
        lifecycle_rules=[s3.LifecycleRule(id="ExpireOldVersions", noncurrent_version_expiration=Duration.days(90))],
        **common,
    )
    CfnOutput(stack, "UserDataBucketName", value=bucket.bucket_name, description="the per-user data bucket")
    arn = bucket.bucket_arn
    sub = "${cognito-identity.amazonaws.com:sub}"
    for statement in [
        iam.PolicyStatement(sid="UserDataPrivateObjects", actions=OBJECT_RW, resources=[f"{arn}/private/{sub}/*"]),
        list_prefix("UserDataPrivateList", bucket, [f"private/{sub}/", f"private/{sub}/*"]),
        list_prefix(
            "UserDataPrivateDenyOthersList",
            bucket,
            ["private/*"],
            effect=iam.Effect.DENY,
            not_like=[f"private/{sub}/", f"private/{sub}/*"],
        ),
        iam.PolicyStatement(sid="UserDataProtectedOwn", actions=OBJECT_RW, resources=[f"{arn}/protected/{sub}/*"]),
        iam.PolicyStatement(sid="UserDataProtectedReadAll", actions=["s3:GetObject"], resources=[f"{arn}/protected/*"]),
        list_prefix("UserDataProtectedList", bucket, ["protected/", "protected/*"]),
        iam.PolicyStatement(
            sid="UserDataPublicObjects",
            actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            resources=[f"{arn}/public/*"],
        ),
        list_prefix("UserDataPublicList", bucket, ["public/", "public/*"]),
    ]:
        authenticated.add_to_policy(statement)
    guest.add_to_policy(
        iam.PolicyStatement(sid="UserDataPublicObjects", actions=["s3:GetObject"], resources=[f"{arn}/public/*"])
    )
    guest.add_to_policy(list_prefix("UserDataPublicList", bucket, ["public/", "public/*"]))
    home = "home/${saml:namequalifier}/${saml:sub}"
    persistent = {"StringEquals": {"saml:sub_type": "persistent"}}
    employees.add_to_policy(
        iam.PolicyStatement(
            sid="UserDataHomeObjects", actions=OBJECT_RW, resources=[f"{arn}/{home}/*"], conditions=persistent
        )
    )
    employees.add_to_policy(list_prefix("UserDataHomeList", bucket, [f"{home}/", f"{home}/*"], extra=persistent))
    employees.add_to_policy(
        iam.PolicyStatement(
            sid="UserDataHomeBrowse",
            actions=["s3:ListBucket"],
            resources=[arn],
            conditions={
                "StringEquals": {"saml:sub_type": "persistent", "s3:prefix": ["", "home/"], "s3:delimiter": "/"}
            },
        )
    )
    employees.add_to_policy(
        list_prefix(
            "UserDataHomeDenyOthersList",
            bucket,
            ["home/*"],
            effect=iam.Effect.DENY,
            not_like=[f"{home}/", f"{home}/*", "home/"],
        )
    )
    for n, (role, own, others) in enumerate(
        [
            (authenticated, f"private/{sub}/*", ["protected/*", "public/*", "home/*"]),
            (employees, f"{home}/*", ["private/*", "protected/*", "public/*"]),
        ],
        start=1,
    ):
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"UserDataDenyOtherUsers{n}",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=DENY_OBJECT,
                not_resources=[f"{arn}/{own}", *[f"{arn}/{p}" for p in others]],
                conditions={"ArnEquals": {"aws:PrincipalArn": role.role_arn}},
            )
        )
    return stack


def main() -> None:
    # The flag cdk.json sets for every app of this repository (the CLI passes it; a bare process does not):
    # access logs delivered by a bucket policy, not an ACL.
    app = App(context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True})
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
