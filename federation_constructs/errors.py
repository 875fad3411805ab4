"""Errors raised by the federation constructs, with messages that teach the fix.

Plain Python: no CDK or jsii is imported at run time, so runtime modules (the broker, SAML metadata)
raise the same error types as the constructs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs import IConstruct

__all__ = [
    "FederationError",
    "FederationValidationError",
    "PresetValueError",
    "checked_bool",
    "checked_list",
    "checked_mapping",
    "invalid",
    "unresolved",
]


class FederationError(Exception):
    """Base of every error this toolkit raises on purpose; `str()` is a complete message."""


class FederationValidationError(FederationError, ValueError):
    """A construct was given a value that would produce a wrong or unsafe template."""


class PresetValueError(FederationValidationError):
    """A value refused by a function that is not a construct: a preset such as `OidcIssuer.eks`, a
    layout such as `AccessLevel.custom`.

    The message names that function (`where`); `field`, `value` and `accepted` let a construct that
    called it re-raise it under its own path with `invalid(self, err.field, err.value, err.accepted)`.
    """

    def __init__(self, where: str, field: str, value: object, accepted: str) -> None:
        super().__init__(f"{where}: {field}={value!r} is not accepted; expected {accepted}")
        self.where = where
        self.field = field
        self.value = value
        self.accepted = accepted


def unresolved(value: object) -> bool:
    """Whether `value` is a string that holds a CDK token (`${Token[...]}`): the same answer as
    `Token.is_unresolved` for strings, without a round trip to the jsii kernel."""
    return isinstance(value, str) and "${Token[" in value


def invalid(scope: IConstruct, field: str, value: object, accepted: str) -> FederationValidationError:
    """An error that names the construct (by path), the field, the value and what is accepted.

    Example message: ``Prod/Deploy: repository='octo' is not accepted; expected 'OWNER/REPO'``.
    """
    return FederationValidationError(f"{scope.node.path}: {field}={value!r} is not accepted; expected {accepted}")


# --- type checks, before a value reaches jsii (whose own checks end in a TypeError deep inside) ---


def checked_bool(scope: IConstruct, field: str, value: object) -> bool:
    """`value` if it is True or False; anything else (e.g. the string "false", which is truthy) is refused."""
    if not isinstance(value, bool):
        raise invalid(scope, field, value, "True or False")
    return value


def checked_list(scope: IConstruct, field: str, value: object, items: str, *, non_empty: bool = False) -> list[Any]:
    """`value` as a new list if it is a list or tuple (and, with `non_empty`, not empty); a string
    (whose characters would be read as the items) or any other type is refused. `items` says what
    the items are, for the message."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or (non_empty and not value):
        raise invalid(scope, field, value, f"a {'non-empty ' if non_empty else ''}list of {items}")
    return list(value)


def checked_mapping(scope: IConstruct, field: str, value: object, accepted: str) -> Mapping[Any, Any]:
    """`value` if it is a mapping (a dict); anything else is refused with `accepted`."""
    if not isinstance(value, Mapping):
        raise invalid(scope, field, value, accepted)
    return value
