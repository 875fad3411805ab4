"""Errors raised by the federation constructs, with messages that teach the fix."""

from __future__ import annotations

from constructs import IConstruct

__all__ = ["FederationError", "FederationValidationError", "invalid"]


class FederationError(Exception):
    """Base of every error this toolkit raises on purpose; `str()` is a complete message."""


class FederationValidationError(FederationError, ValueError):
    """A construct was given a value that would produce a wrong or unsafe template."""


def invalid(scope: IConstruct, field: str, value: object, accepted: str) -> FederationValidationError:
    """An error that names the construct (by path), the field, the value and what is accepted.

    Example message: ``Prod/Deploy: repository='octo' is not accepted; expected 'OWNER/REPO'``.
    """
    return FederationValidationError(
        f"{scope.node.path}: {field}={value!r} is not accepted; expected {accepted}"
    )
