"""From a validated config to a CDK app with its stacks and rule packs: shared by `app.py` and tests."""

from __future__ import annotations

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, NagPack

from federation_constructs.rules.pack import FederationChecks
from stacks.config import DeploymentConfig
from stacks.federation_stack import FederationStack

__all__ = ["add_rule_packs", "build_stacks", "rule_packs"]


def build_stacks(app: App, config: DeploymentConfig) -> FederationStack:
    """Add the stack(s) that `config` describes to `app`; the stack id is the config's `name`."""
    return FederationStack(app, config.name, config=config)


def rule_packs(app: App) -> list[NagPack]:
    """The rule packs every synthesis runs: stock `AwsSolutions` and this toolkit's `FederationChecks`."""
    return [AwsSolutionsChecks(app, verbose=True), FederationChecks(app, verbose=True)]


def add_rule_packs(app: App) -> list[NagPack]:
    """Register the rule packs as validation plugins: any unacknowledged finding fails synthesis.

    Their findings go to `cdk.out/validation-report.json` (and a table on stderr); returns the packs.
    """
    packs = rule_packs(app)
    Validations.of(app).add_plugins(*packs)
    return packs
