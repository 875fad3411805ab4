"""From a validated config to a CDK app with its stacks and rule packs: shared by `app.py` and tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_cdk import App, Stage

from federation_constructs.errors import FederationValidationError
from stacks.config import DeploymentConfig
from stacks.federation_stack import FederationStack
from stacks.sharding import Budget, RoleCost, load_assignment, plan, write_assignment

if TYPE_CHECKING:
    from stacks.multi_account import FederationStackSet

__all__ = ["Deployment", "base_usage", "build_deployment", "build_stacks", "role_costs"]


def role_costs(config: DeploymentConfig) -> list[RoleCost]:
    """What each OIDC and SAML role adds to a stack: the role, and its outputs (ARN; SAML also the
    IdP Role attribute)."""
    costs = [RoleCost(r.name, 1, 1) for r in (config.oidc.roles if config.oidc else [])]
    costs += [RoleCost(r.name, 1, 2) for r in (config.saml.roles if config.saml else [])]
    return costs


def base_usage(config: DeploymentConfig) -> tuple[int, int]:
    """A generous estimate of what the base stack holds besides the roles (resources, outputs)."""
    resources, outputs = 2, 0  # CDK metadata, a spare
    if config.oidc:
        resources += len(config.oidc.providers)
    if config.saml:
        resources += len(config.saml.providers)
    if config.identity_pool:
        resources, outputs = resources + 12 + 2 * len(config.identity_pool.mapped_roles), outputs + 6
    if config.storage:
        resources, outputs = resources + 10, outputs + 2
    return resources, outputs


@dataclass
class Deployment:
    """What `build_deployment` added to an app."""

    #: the federation stacks bound to an account: the config's own, or one per `targets.accounts` entry
    stacks: list[FederationStack] = field(default_factory=list)
    #: stage name -> stage, for `targets.accounts`
    stages: dict[str, Stage] = field(default_factory=dict)
    #: the StackSet stack, for `targets.organizational_units`
    stack_set: FederationStackSet | None = None


def _placement(config: DeploymentConfig, shards_file: Path | None, previous: dict[str, int] | None) -> dict[str, int]:
    if previous is None:
        previous = load_assignment(shards_file) if shards_file is not None else {}
    pinned = {g.role for g in config.storage.grants} if config.storage else set()
    declared = role_costs(config)
    budget = Budget(resources=config.sharding.max_resources, outputs=config.sharding.max_outputs)
    try:
        placement = plan(
            declared,
            budget=budget,
            base_used=base_usage(config),
            pinned=pinned,
            previous={k: v for k, v in previous.items() if k not in pinned},
        )
    except ValueError as err:
        raise FederationValidationError(f"sharding: {err}") from None
    if shards_file is not None and (any(placement.values()) or shards_file.exists()):
        write_assignment(shards_file, placement)
    return placement


def build_deployment(
    app: App,
    config: DeploymentConfig,
    *,
    shards_file: Path | None = None,
    previous: dict[str, int] | None = None,
    member_review: Callable[[App], Any] | None = None,
) -> Deployment:
    """Add everything `config` describes to `app`.

    Without `targets`: one `FederationStack` (id and stack name: the config's `name`) in the config's
    account. With `targets.accounts`: an `AccountStage` per account, each holding that stack. With
    `targets.organizational_units`: a `FederationStackSet` in the config's account; its member template
    is synthesized at once, after `member_review(member_app)` registered the packs that check it and
    the reports (`federation_constructs.add_federation_review`; a finding there raises like any
    synthesis with unacknowledged findings).

    Roles beyond the per-stack budget go to shard stacks (`stacks/sharding.py`). The assignment
    comes from `previous`, else from `shards_file` when it exists; once sharding is in effect the
    new assignment is written back to `shards_file` (when given). Every target gets the same one."""
    from stacks.multi_account import AccountStage, FederationStackSet

    placement = _placement(config, shards_file, previous)
    deployment = Deployment()
    targets = config.targets
    if targets is None:
        deployment.stacks.append(FederationStack(app, config.name, config=config, placement=placement))
        return deployment
    for target in targets.accounts:
        stage = AccountStage(app, config=config, target=target, placement=placement)
        deployment.stages[target.stage_name] = stage
        deployment.stacks.append(stage.stack)
    if targets.organizational_units is not None:
        outdir = Path(app.outdir) / "stackset-member"
        deployment.stack_set = FederationStackSet(
            app, config=config, placement=placement, member_outdir=outdir, review=member_review
        )
    return deployment


def build_stacks(
    app: App, config: DeploymentConfig, *, shards_file: Path | None = None, previous: dict[str, int] | None = None
) -> FederationStack:
    """`build_deployment`, returning the first federation stack (the only one without `targets`).

    Its `placement` and `shards` say where the roles went. With only organisational units, the
    StackSet's member stack (in its private app)."""
    deployment = build_deployment(app, config, shards_file=shards_file, previous=previous)
    return deployment.stacks[0] if deployment.stacks else deployment.stack_set.member
