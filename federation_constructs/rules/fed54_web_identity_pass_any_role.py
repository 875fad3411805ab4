"""FED54: a role assumed with web identity tokens (a CI pipeline, a workload, app users) that may
`iam:PassRole` any role (`Resource: *` or every role of an account). Whoever the trust admits can hand the
account's most powerful role to a compute service they control (a Lambda function, an instance, a
CodeBuild project) and act with its permissions: the pipeline's role becomes every role.

Source: IAM, "Grant a user permissions to pass a role to an AWS service": "To limit the user to passing
only approved roles, you can filter the iam:PassRole permission with the Resources element"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.roles import granted_actions, is_web_identity_role, on_every_resource, role_statements
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

ANY_ROLE = ("role/any-role-name",)


def check(context: ResourceContext) -> Iterator[Hit]:
    if not is_web_identity_role(context):
        return
    for where, statement in role_statements(context):
        actions = granted_actions(statement, "iam:PassRole")
        if actions and on_every_resource(statement, iam_probes=ANY_ROLE):
            yield Hit(
                f"{where}::Statement{statement.index}",
                f"{where} Statement{statement.index} allows {', '.join(actions)} on every role: whoever holds a token "
                f"this trust admits can pass the account's strongest role to a service they control",
            )


RULE = Rule(
    id="FED54",
    level="warning",
    title="Web-identity role may pass any role (iam:PassRole on every role)",
    fix="Name the roles it passes (arn:...:role/app-*) and add iam:PassedToService for the service that receives them",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
