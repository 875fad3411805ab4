"""Per-user S3 storage: a user-data bucket where each federated user reaches only their own folder."""

from federation_constructs.storage.bucket import UserPrefixStorage
from federation_constructs.storage.layout import (
    OBJECT_ACTIONS,
    AccessLevel,
    IdentitySource,
    LayoutProblem,
    deny_other_users_listing,
    grant_statements,
)
from federation_constructs.storage.trust import TrustSummary, summarize_trust

__all__ = [
    "OBJECT_ACTIONS",
    "AccessLevel",
    "IdentitySource",
    "LayoutProblem",
    "TrustSummary",
    "UserPrefixStorage",
    "deny_other_users_listing",
    "grant_statements",
    "summarize_trust",
]
