"""Many accounts from one config: a CDK `Stage` per account, a StackSet for organisational units.

Both forms deploy the same federation stack (`FederationStack`) built from the same config; only
where it goes differs:

- `AccountStage`: a `Stage` bound to one account and region holding the stack under the config's
  `name` (the deployed stack name is the same in every account, which is what `federation-verify`
  looks for). `cdk deploy '**'` deploys every stage (`--all` selects only top-level stacks, never
  stacks inside stages), `cdk deploy 'prod/*'` one of them; a CDK pipeline adds the stages as they are.
- `FederationStackSet`: a stack in the config's own account (the organisation's management account or
  a delegated administrator) with one service-managed `AWS::CloudFormation::StackSet`, automatic
  deployment on, whose template is the federation stack synthesized for "any account" in a separate,
  private app (so the CLI never deploys it directly). The rule packs run on that template too.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App, BootstraplessSynthesizer, CfnStackSet, Environment, Stack, Stage, Tags
from constructs import Construct

from federation_constructs.errors import FederationValidationError
from stacks.config import DeploymentConfig
from stacks.federation_stack import FederationStack
from stacks.targets_config import AccountTarget

__all__ = ["AccountStage", "FederationStackSet", "STACK_SET_BODY_LIMIT", "stack_set_stack_name"]

#: CloudFormation's limit for an inline StackSet `TemplateBody` (bytes); larger needs a TemplateURL
STACK_SET_BODY_LIMIT = 51_200


def stack_set_stack_name(name: str) -> str:
    """The name of the stack (in the administrator account) that holds the StackSet of config `name`."""
    return f"{name}-stackset"


class AccountStage(Stage):
    """One target account: a Stage holding the config's federation stack in that account and region.

    `stack` is the federation stack; its `stack_name` is the config's `name`.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        config: DeploymentConfig,
        target: AccountTarget,
        placement: Mapping[str, int] | None = None,
    ) -> None:
        region = target.region or config.region
        super().__init__(scope, target.stage_name, env=Environment(account=target.account, region=region))
        here = config.model_copy(update={"account": target.account, "region": region})
        #: the federation stack of this account
        self.stack = FederationStack(self, config.name, config=here, placement=placement, stack_name=config.name)


class FederationStackSet(Stack):
    """A service-managed StackSet that deploys the config's federation stack to organisational units.

    The member template is the federation stack synthesized in `member_app` (account left to deploy
    time, region the OUs' region, no bootstrap resources: CloudFormation runs it in each account with
    no CDK bootstrap there). `review(member_app)` registers the packs that check it (and the reports)
    before it is embedded; their findings stop the build like those of any other stack.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        config: DeploymentConfig,
        placement: Mapping[str, int] | None = None,
        member_outdir: str | Path | None = None,
        review: Callable[[App], Any] | None = None,
    ) -> None:
        units = config.targets.organizational_units if config.targets else None
        if units is None:
            raise FederationValidationError(
                "targets.organizational_units: None is not accepted here; expected the OUs a StackSet deploys to"
            )
        name = stack_set_stack_name(config.name)
        super().__init__(
            scope,
            name,
            stack_name=name,
            env=Environment(account=config.account, region=config.region),
            description=f"StackSet of identity federation for {config.name} (federation-as-code)",
        )
        for key, value in sorted(config.tags.items()):
            Tags.of(self).add(key, value)
        region = units.region or config.region
        member_config = config.model_copy(update={"region": region})
        outdir = str(member_outdir) if member_outdir is not None else tempfile.mkdtemp(prefix="stackset-member-")
        #: the private app that synthesizes the member template (never part of the CLI's assembly)
        self.member_app = App(outdir=outdir, analytics_reporting=False)
        #: the federation stack every member account gets
        self.member = FederationStack(
            self.member_app,
            config.name,
            config=member_config,
            placement=placement,
            any_account=True,
            synthesizer=BootstraplessSynthesizer(),
        )
        if self.member.shards:
            raise FederationValidationError(
                f"targets.organizational_units: {len(self.member.shards) + 1} stacks is not accepted for a StackSet; "
                f"expected the roles to fit one stack (sharding.max_resources {config.sharding.max_resources}, "
                f"max_outputs {config.sharding.max_outputs}): a StackSet deploys one template, so use "
                f"targets.accounts (one Stage per account) for a role set this large"
            )
        #: what `review(member_app)` returned: the rule packs and reports of the member template
        self.member_review = review(self.member_app) if review else None
        #: the synthesized member assembly
        self.member_assembly = self.member_app.synth()
        template = self.member_assembly.get_stack_by_name(self.member.stack_name).template
        body = json.dumps(template, separators=(",", ":"), sort_keys=True)
        if len(body.encode()) > STACK_SET_BODY_LIMIT:
            raise FederationValidationError(
                f"targets.organizational_units: a member template of {len(body.encode()):,} bytes is not accepted; "
                f"expected at most {STACK_SET_BODY_LIMIT:,} bytes (CloudFormation's TemplateBody limit): use "
                f"targets.accounts (one Stage per account) or fewer roles per config"
            )
        #: the StackSet resource
        self.stack_set = CfnStackSet(
            self,
            "StackSet",
            stack_set_name=config.name,
            description=f"Identity federation for {config.name} (federation-as-code)",
            permission_model="SERVICE_MANAGED",
            auto_deployment=CfnStackSet.AutoDeploymentProperty(
                enabled=True, retain_stacks_on_account_removal=units.retain_stacks_on_account_removal
            ),
            call_as="DELEGATED_ADMIN" if units.delegated_admin else "SELF",
            capabilities=["CAPABILITY_NAMED_IAM"],
            managed_execution={"Active": True},
            operation_preferences=CfnStackSet.OperationPreferencesProperty(
                max_concurrent_percentage=units.max_concurrent_percentage,
                failure_tolerance_percentage=units.failure_tolerance_percentage,
                region_concurrency_type="SEQUENTIAL",
            ),
            stack_instances_group=[
                CfnStackSet.StackInstancesProperty(
                    deployment_targets=CfnStackSet.DeploymentTargetsProperty(organizational_unit_ids=list(units.ids)),
                    regions=[region],
                )
            ],
            template_body=body,
        )
