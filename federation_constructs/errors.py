"""Errors raised by the federation constructs, with messages that teach the fix."""

from __future__ import annotations

from constructs import IConstruct

__all__ = ["FederationError", "FederationValidationError", "PresetValueError", "invalid"]


class FederationError(Exception):
    """Base of every error this toolkit raises on purpose; `str()` is a complete message."""


class FederationValidationError(FederationError, ValueError):
    """A construct was given a value that would produce a wrong or unsafe template."""


class PresetValueError(FederationValidationError):
    """A value refused by a preset that is not a construct (e.g. `OidcIssuer.eks`).

    Carries the field, the value and what is accepted, so a construct that called the preset can
    re-raise it under its own path with `invalid(self, err.field, err.value, err.accepted)`.
    """

    def __init__(self, where: str, field: str, value: object, accepted: str) -> None:
        super().__init__(f"{where}: {field}={value!r} is not accepted; expected {accepted}")
        self.field = field
        self.value = value
        self.accepted = accepted


def invalid(scope: IConstruct, field: str, value: object, accepted: str) -> FederationValidationError:
    """An error that names the construct (by path), the field, the value and what is accepted.

    Example message: ``Prod/Deploy: repository='octo' is not accepted; expected 'OWNER/REPO'``.
    """
    return FederationValidationError(
        f"{scope.node.path}: {field}={value!r} is not accepted; expected {accepted}"
    )
