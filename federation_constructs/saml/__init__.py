"""SAML 2.0 federation: identity providers from checked metadata and workforce roles.

`metadata` is plain Python (no CDK), so tools such as `federation-verify` can read metadata without
starting jsii; the constructs are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from federation_constructs.saml.metadata import MetadataProblem, SamlMetadata, SigningCertificate, parse_metadata

_LAZY = {
    "GLOBAL_SIGN_IN": "federation_constructs.saml.role",
    "RoleOptions": "federation_constructs.federated_role",
    "SamlProvider": "federation_constructs.saml.provider",
    "SamlRole": "federation_constructs.saml.role",
}

__all__ = sorted(["MetadataProblem", "SamlMetadata", "SigningCertificate", "parse_metadata", *_LAZY])

if TYPE_CHECKING:
    from federation_constructs.federated_role import RoleOptions
    from federation_constructs.saml.provider import SamlProvider
    from federation_constructs.saml.role import GLOBAL_SIGN_IN, SamlRole


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'federation_constructs.saml' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
