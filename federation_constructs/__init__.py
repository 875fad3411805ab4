"""Federation-as-code for AWS: CDK constructs for SAML, OIDC, Cognito identity pools and per-user S3.

Import the constructs from here in any CDK app::

    from federation_constructs import acknowledge, FederationValidationError
"""

from federation_constructs.errors import FederationError, FederationValidationError, invalid
from federation_constructs.nag import acknowledge

__all__ = ["FederationError", "FederationValidationError", "acknowledge", "invalid"]

__version__ = "0.1.0"
