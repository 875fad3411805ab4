"""Per-user S3 storage: a user-data bucket where each federated user reaches only their own folder.

`layout` is plain Python (no CDK), so the broker module can use it without starting jsii; the
constructs are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from federation_constructs.storage.layout import (
    DENIED_OBJECT_ACTIONS,
    OBJECT_ACTIONS,
    AccessLevel,
    IdentitySource,
    LayoutProblem,
    deny_other_users_listing,
    grant_statements,
)

_LAZY = {
    "FederationBrokerRole": "federation_constructs.storage.broker_role",
    "TrustSummary": "federation_constructs.storage.trust",
    "UserPrefixStorage": "federation_constructs.storage.bucket",
    "summarize_trust": "federation_constructs.storage.trust",
}

__all__ = sorted(
    [
        "DENIED_OBJECT_ACTIONS",
        "OBJECT_ACTIONS",
        "AccessLevel",
        "IdentitySource",
        "LayoutProblem",
        "deny_other_users_listing",
        "grant_statements",
        *_LAZY,
    ]
)

if TYPE_CHECKING:
    from federation_constructs.storage.broker_role import FederationBrokerRole
    from federation_constructs.storage.bucket import UserPrefixStorage
    from federation_constructs.storage.trust import TrustSummary, summarize_trust


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'federation_constructs.storage' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
