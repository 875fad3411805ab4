"""FED23: a bucket that per-user policies in this template point at, without all four Block Public
Access settings or without a TLS-only bucket policy."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import statements
from federation_constructs.policy.permissions import all_documents
from federation_constructs.policy.s3 import POLICY_TYPES, per_user, s3_object_resources
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_BPA = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def user_data_buckets(context: ResourceContext) -> set[str]:
    """Logical ids of buckets that per-user statements anywhere in the template name (in any identity
    policy: a role's inline policies, policy resources, managed policies)."""
    index = context.index
    found: set[str] = set()
    identity_types = tuple(t for t in POLICY_TYPES if t != "AWS::S3::BucketPolicy")
    for document in all_documents(index, *identity_types):
        if per_user(document):
            for statement in document.statements:
                for resource_arn in s3_object_resources(statement):
                    bucket = index.bucket_logical_id(resource_arn)
                    if bucket:
                        found.add(bucket)
    return found


def tls_only(context: ResourceContext) -> bool:
    for document in context.index.bucket_policies(context.logical_id):
        for statement in statements(document, context.index.parameters):
            if statement.effect != "Deny" or not statement.allows_action("s3:GetObject"):
                continue
            for condition in statement.conditions_on("aws:SecureTransport"):
                if condition.base == "bool" and "false" in [v.lower() for v in condition.values]:
                    return True
    return False


def check(context: ResourceContext) -> Iterator[Hit]:
    if context.logical_id not in user_data_buckets(context):
        return
    block = context.properties.get("PublicAccessBlockConfiguration")
    block = block if isinstance(block, dict) else {}
    missing = [k for k in _BPA if context.index.flatten(block.get(k, False)).lower() != "true"]
    if missing:
        yield Hit(
            "PublicAccessBlockConfiguration",
            f"user-data bucket without Block Public Access {', '.join(missing)}: one public policy or ACL "
            f"away from publishing every user's files",
        )
    if not tls_only(context):
        yield Hit(
            "TLSOnly",
            "user-data bucket without a bucket policy that denies requests without TLS (aws:SecureTransport = false)",
        )


RULE = Rule(
    id="FED23",
    level="error",
    title="User-data bucket without Block Public Access or a TLS-only policy",
    fix="Turn on all four Block Public Access settings and add a Deny on aws:SecureTransport = false "
    "(UserPrefixStorage does both)",
    resource_types=("AWS::S3::Bucket",),
    check=check,
)
