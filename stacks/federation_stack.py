"""`FederationStack`: one deployment, built from the validated config alone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Annotations, CfnResource, CfnWaitConditionHandle, Environment, Stack, Tags
from constructs import Construct

from federation_constructs.identity_pool import IdentityPoolFederation
from stacks.config import DeploymentConfig
from stacks.identity_pool_wiring import add_identity_pool
from stacks.oidc_wiring import add_oidc
from stacks.saml_wiring import add_saml
from stacks.sharding import shard_stack_name
from stacks.storage_wiring import add_storage

__all__ = ["FederationStack"]


class FederationStack(Stack):
    """Every federation path one config declares, in the account and region the config names.

    The environment is always explicit (never the CLI's ambient credentials), so a template is
    only ever deployed where its config says. It holds the OIDC and SAML providers and roles and the
    Cognito identity pool and the per-user storage of the `oidc`, `saml`, `identity_pool` and `storage`
    sections; constructs never see the config, only the values this stack passes them.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: DeploymentConfig,
        placement: Mapping[str, int] | None = None,
        any_account: bool = False,
        **kwargs: Any,
    ) -> None:
        """`any_account`: leave the account to deployment time (a StackSet member template); the region
        stays the config's. Otherwise the stack is bound to the config's account and region."""
        super().__init__(
            scope,
            id,
            env=Environment(account=None if any_account else config.account, region=config.region),
            description=f"Identity federation for {config.name} (federation-as-code)",
            **kwargs,
        )
        self.config = config
        for key, value in sorted(config.tags.items()):
            Tags.of(self).add(key, value)
        #: role name -> stack index (0: this stack), and the shard stacks created for them
        self.placement: dict[str, int] = dict(placement or {})
        self.shards: dict[int, Stack] = {}
        oidc_providers, self.oidc_roles = (
            add_oidc(self, config.oidc, config=config, place=self._place) if config.oidc else ({}, {})
        )
        saml_providers, self.saml_roles = (
            add_saml(self, config.saml, config=config, place=self._place) if config.saml else ({}, {})
        )
        #: the identity pool, when the config has one
        self.identity_pool: IdentityPoolFederation | None = (
            add_identity_pool(
                self,
                config.identity_pool,
                oidc_providers=oidc_providers,
                saml_providers=saml_providers,
                role_name_prefix=config.pool_role_prefix(),
                role_path=config.role_defaults.path,
                permissions_boundary=config.role_defaults.permissions_boundary,
            )
            if config.identity_pool
            else None
        )
        #: the user-data bucket, when the config has one
        self.storage = (
            add_storage(
                self,
                config.storage,
                roles={**self.oidc_roles, **self.saml_roles},
                pool=self.identity_pool,
                pool_name=config.identity_pool.name if config.identity_pool else None,
                role_name=config.role_names().get(f"storage.broker ({config.storage.broker.id})")
                if config.storage.broker
                else None,
                role_path=config.role_defaults.path,
                permissions_boundary=config.role_defaults.permissions_boundary,
            )
            if config.storage
            else None
        )
        if not any(CfnResource.is_cfn_resource(c) for c in self.node.find_all()):
            # CloudFormation rejects a template without resources; a wait-condition handle is
            # free and grants nothing, so an empty deployment still deploys (and can be deleted).
            CfnWaitConditionHandle(self, "NoFederationDeclared")
            Annotations.of(self).add_warning_v2(
                "federation:empty-config",
                f"config {config.name!r} declares no federation path (oidc, saml, identity_pool, "
                "storage): the stack holds only a placeholder resource",
            )

    def _place(self, role_name: str) -> Stack:
        """The stack a role goes to: this one, or shard `n` (created on first use, after this stack)."""
        index = self.placement.get(role_name, 0)
        if index == 0:
            return self
        if index not in self.shards:
            config = self.config
            shard = Stack(
                self.node.scope,
                shard_stack_name(self.stack_name, index),  # type: ignore[arg-type]
                env=Environment(account=config.account, region=config.region),
                stack_name=shard_stack_name(self.stack_name, index),
                description=f"Identity federation for {config.name}: roles, shard {index} (federation-as-code)",
            )
            for key, value in sorted(config.tags.items()):
                Tags.of(shard).add(key, value)
            shard.add_dependency(self, "roles import the providers of the base stack")
            self.shards[index] = shard
        return self.shards[index]
