"""AWS partitions: which one a region belongs to (for values that must be known at synth)."""

from __future__ import annotations

__all__ = ["partition_for_region"]

# Longest prefix first: "us-isob-" before "us-iso-".
_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("eusc-", "aws-eusc"),
)


def partition_for_region(region: str) -> str:
    """The partition of a literal region code (`aws`, `aws-cn`, `aws-us-gov`, ...).

    Use it only where the value must be a literal at synth (sizes, messages); in templates use
    the stack's partition token, which CloudFormation resolves.
    """
    for prefix, partition in _PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"
