"""FED55: a role assumed with web identity tokens that may rewrite IAM on every resource: attach or put
role/user policies, create policy versions, update assume-role policies, create access keys or login
profiles. Whoever the trust admits can widen their own permissions or trust, or mint long-lived
credentials that outlive the federation (the documented IAM privilege-escalation paths).

Sources: IAM, permissions boundaries, delegating IAM management safely
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html); Rhino Security Labs,
"AWS IAM Privilege Escalation – Methods and Mitigation"
(https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.roles import granted_actions, is_web_identity_role, on_every_resource, role_statements
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

ESCALATING = (
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
)
ANY_IAM = ("role/any-role-name", "user/any-user-name", "policy/any-policy-name")


def check(context: ResourceContext) -> Iterator[Hit]:
    if not is_web_identity_role(context):
        return
    for where, statement in role_statements(context):
        if not on_every_resource(statement, iam_probes=ANY_IAM):
            continue
        actions = sorted({a for action in ESCALATING for a in granted_actions(statement, action)})
        if actions:
            yield Hit(
                f"{where}::Statement{statement.index}",
                f"{where} Statement{statement.index} allows {', '.join(actions)} on every IAM resource: whoever holds a "
                f"token this trust admits can raise their own permissions or create long-lived credentials",
            )


RULE = Rule(
    id="FED55",
    level="warning",
    title="Web-identity role may rewrite IAM policies, trusts or credentials on every resource",
    fix="Let the pipeline assume a deployment role (CDK bootstrap roles) instead of editing IAM itself; if it must "
    "manage IAM, name the roles/policies and require a permissions boundary (iam:PermissionsBoundary)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
