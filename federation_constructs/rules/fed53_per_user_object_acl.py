"""FED53: a per-user policy that allows `s3:PutObjectAcl` / `s3:PutObjectVersionAcl` on a bucket of the
template whose Object Ownership enables ACLs (`ObjectWriter` or `BucketOwnerPreferred`, or a legacy
`AccessControl`). Each user can then grant their objects to any AWS account (Block Public Access stops
public grants, not grants to another account), outside every policy the deployment reviews.

Source: Amazon S3, "Controlling ownership of objects and disabling ACLs for your bucket": Bucket owner
enforced (the default) disables ACLs so that "ACLs no longer affect permissions"; AWS recommends keeping
them disabled (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import as_list
from federation_constructs.policy.s3 import POLICY_TYPES, documents, per_user, s3_object_resources
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

ACL_ACTIONS = ("s3:PutObjectAcl", "s3:PutObjectVersionAcl")


def acls_enabled(context: ResourceContext, bucket: str) -> str | None:
    """Why the bucket's ACLs are on, or None (ACLs disabled: the default)."""
    props = context.index.properties(bucket)
    rules = (
        (props.get("OwnershipControls") or {}).get("Rules")
        if isinstance(props.get("OwnershipControls"), dict)
        else None
    )
    for rule in as_list(rules):
        owner = context.index.flatten(rule.get("ObjectOwnership")) if isinstance(rule, dict) else ""
        if owner in ("ObjectWriter", "BucketOwnerPreferred"):
            return f"ObjectOwnership {owner}"
    if props.get("AccessControl") is not None and not rules:
        return f"AccessControl {context.index.flatten(props.get('AccessControl'))}"
    return None


def check(context: ResourceContext) -> Iterator[Hit]:
    for document in documents(context):
        if not per_user(document):
            continue
        for statement in document.statements:
            granted = [a for a in ACL_ACTIONS if statement.allow and statement.allows_action(a)]
            if not granted:
                continue
            for resource in s3_object_resources(statement):
                bucket = context.index.bucket_logical_id(resource)
                reason = acls_enabled(context, bucket) if bucket else None
                if bucket and reason:
                    yield Hit(
                        f"{document.where}::Statement{statement.index}::{bucket}",
                        f"{document.where} Statement{statement.index} allows {', '.join(granted)} on {bucket}, whose "
                        f"ACLs are on ({reason}): each user can grant their objects to any AWS account",
                    )
                    break


RULE = Rule(
    id="FED53",
    level="warning",
    title="Per-user policy allows object ACL changes on a bucket with ACLs enabled",
    fix="Set the bucket's OwnershipControls to BucketOwnerEnforced (ACLs off), or drop s3:PutObjectAcl from the "
    "per-user policy",
    resource_types=POLICY_TYPES,
    check=check,
)
