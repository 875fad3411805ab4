"""FED52: a per-user policy (object access keyed by a policy variable) that also lets the user change
who can access the bucket: `s3:PutBucketPolicy`, `s3:DeleteBucketPolicy`, `s3:PutBucketAcl`,
`s3:PutBucketPublicAccessBlock`, `s3:PutBucketOwnershipControls` (directly or through `s3:*`, `s3:Put*`)
on the bucket or on `*`. Any user can then open every user's folder to themselves or to the internet.

Sources: the IAM per-user examples grant object and listing actions only ("Amazon S3: Allows Amazon
Cognito users to access objects in their bucket",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_s3_cognito-bucket.html);
these actions are the "Permissions management" access level of Amazon S3
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import Statement, is_literal
from federation_constructs.policy.s3 import POLICY_TYPES, documents, per_user
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

PERMISSION_ACTIONS = (
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
)


def bucket_level(statement: Statement) -> bool:
    """Whether a resource of the statement can be a bucket (not only objects)."""
    if statement.not_resources:
        return True
    for resource in statement.resources:
        if resource == "*":
            return True
        tail = resource.split(":::", 1)[1] if ":::" in resource else None
        if tail is not None and "/" not in tail:
            return True
        if not is_literal(resource) and resource.endswith(".Arn>"):
            return True
    return False


def check(context: ResourceContext) -> Iterator[Hit]:
    for document in documents(context):
        if not per_user(document):
            continue
        for statement in document.statements:
            if not statement.allow or not bucket_level(statement):
                continue
            granted = [a for a in PERMISSION_ACTIONS if statement.allows_action(a)]
            if granted:
                yield Hit(
                    f"{document.where}::Statement{statement.index}",
                    f"{document.where} Statement{statement.index} lets each user call {', '.join(granted)} on the "
                    f"bucket: any user can rewrite who reads every user's folder",
                )


RULE = Rule(
    id="FED52",
    level="error",
    title="Per-user policy lets users change the bucket's policy, ACL or public access settings",
    fix="Grant users object actions on their own prefix and s3:ListBucket with s3:prefix only; manage the bucket's "
    "policy and settings from the deployment, not from user credentials",
    resource_types=POLICY_TYPES,
    check=check,
)
