"""FED56: a role assumed with web identity tokens that may `sts:AssumeRole` any role (`Resource: *`,
`arn:aws:iam::*:role/*`). Role chaining then reaches every role, in any account, whose trust admits this
account or this role: the federation trust stops being the boundary it looks like.

Sources: IAM, role chaining (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining);
IAM, "Grant a user permissions to switch roles", which names the role ARN in Resource
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html). CDK pipelines
name the bootstrap roles instead (arn:aws:iam::*:role/cdk-*)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.roles import granted_actions, is_web_identity_role, on_every_resource, role_statements
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

ANY_ROLE = ("role/any-role-name",)


def check(context: ResourceContext) -> Iterator[Hit]:
    if not is_web_identity_role(context):
        return
    for where, statement in role_statements(context):
        actions = granted_actions(statement, "sts:AssumeRole")
        if actions and on_every_resource(statement, iam_probes=ANY_ROLE):
            yield Hit(
                f"{where}::Statement{statement.index}",
                f"{where} Statement{statement.index} allows {', '.join(actions)} on every role: sessions of this "
                f"federated role can chain into any role that trusts this account",
            )


RULE = Rule(
    id="FED56",
    level="warning",
    title="Web-identity role may assume any role (role chaining past the federation trust)",
    fix="Name the roles it may assume (e.g. arn:aws:iam::*:role/cdk-hnb659fds-*-role-*) instead of *",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
