"""Names IAM allows once per account, claimed across one CDK app (its stacks and Stages).

An OIDC provider per issuer, a role per name: a second one in the same account fails the deploy
after CloudFormation has started. `claim_in_account` records each claim on the app itself (the
construct tree's root), so the registry lives and dies with the app, and looks the account up once
per stack (each lookup is a round trip to the jsii kernel).
"""

from __future__ import annotations

from aws_cdk import Stack
from constructs import IConstruct

from federation_constructs.errors import unresolved

__all__ = ["claim_in_account"]


def claim_in_account(scope: IConstruct, registry: str, key: str) -> tuple[str | None, str | None]:
    """Claim `key` in registry `registry` for the account of `scope`'s stack.

    Returns the account (None for an environment-agnostic stack, which may deploy to any account:
    all such stacks share one key) and the construct path that claimed the same key there before
    (None when `scope` is the first)."""
    stack = Stack.of(scope)
    cached: tuple[dict[tuple[str | None, str], str], str | None] | None = getattr(stack, registry, None)
    if cached is None:
        root = stack.node.root
        claims: dict[tuple[str | None, str], str] | None = getattr(root, registry, None)
        if claims is None:
            claims = {}
            setattr(root, registry, claims)
        account = stack.account
        cached = (claims, None if unresolved(account) else account)
        setattr(stack, registry, cached)
    claims, account_key = cached
    path = scope.node.path
    other = claims.setdefault((account_key, key), path)
    return account_key, (other if other != path else None)
