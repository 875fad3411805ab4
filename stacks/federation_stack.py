"""`FederationStack`: one deployment, built from the validated config alone."""

from __future__ import annotations

from typing import Any

from aws_cdk import Annotations, CfnWaitConditionHandle, Environment, Stack, Tags
from constructs import Construct

from stacks.config import DeploymentConfig

__all__ = ["FederationStack"]


class FederationStack(Stack):
    """Every federation path one config declares, in the account and region the config names.

    The environment is always explicit (never the CLI's ambient credentials), so a template is
    only ever deployed where its config says. Later issues add the OIDC, SAML, identity-pool and
    storage constructs here; constructs never see the config, only the values this stack passes.
    """

    def __init__(self, scope: Construct, id: str, *, config: DeploymentConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            id,
            env=Environment(account=config.account, region=config.region),
            description=f"Identity federation for {config.name} (federation-as-code)",
            **kwargs,
        )
        self.config = config
        for key, value in sorted(config.tags.items()):
            Tags.of(self).add(key, value)
        if not self.declares_federation:
            # CloudFormation rejects a template without resources; a wait-condition handle is
            # free and grants nothing, so an empty deployment still deploys (and can be deleted).
            CfnWaitConditionHandle(self, "NoFederationDeclared")
            Annotations.of(self).add_warning_v2(
                "federation:empty-config",
                f"config {config.name!r} declares no federation path (oidc, saml, identity_pool, "
                "storage): the stack holds only a placeholder resource",
            )

    @property
    def declares_federation(self) -> bool:
        """Whether the config declares any federation path at all."""
        sections = (self.config.oidc, self.config.saml, self.config.identity_pool, self.config.storage)
        return any(section is not None for section in sections)
