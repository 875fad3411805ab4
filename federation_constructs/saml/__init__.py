"""SAML 2.0 federation: identity providers from checked metadata and workforce roles."""

from federation_constructs.saml.metadata import MetadataProblem, SamlMetadata, SigningCertificate, parse_metadata
from federation_constructs.saml.provider import SamlProvider
from federation_constructs.saml.role import GLOBAL_SIGN_IN, SamlRole

__all__ = [
    "GLOBAL_SIGN_IN",
    "MetadataProblem",
    "SamlMetadata",
    "SamlProvider",
    "SamlRole",
    "SigningCertificate",
    "parse_metadata",
]
