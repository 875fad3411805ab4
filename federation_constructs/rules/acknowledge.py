"""Acknowledge a rule-pack finding, always with a reason a reviewer can read."""

from __future__ import annotations

import re
from collections.abc import Iterable

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

from federation_constructs.errors import invalid

__all__ = ["MIN_REASON_LENGTH", "acknowledge", "acknowledge_all"]

#: A reason shorter than this says nothing a reviewer can check ("ok", "n/a", "false positive").
MIN_REASON_LENGTH = 20

# `Pack-Rule`, `Pack-Rule[finding]`, optionally as `Plugin::Pack-Rule` (the form the CDK prints)
_RULE_ID_RE = re.compile(r"([A-Za-z0-9]+::)?[A-Za-z0-9]+-[A-Za-z0-9.]+(\[[^\]]+\])?")


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge `rule_id` on `scope` and everything below it, recording `reason` in the report.

    `rule_id` is the id the pack reports: ``AwsSolutions-IAM5`` (or ``AwsSolutions::AwsSolutions-IAM5``,
    as the CDK prints it) for every finding of the rule, or ``AwsSolutions-IAM5[Resource::arn:...]``
    for one finding. The reason is written into
    ``cdk.out/validation-report.json`` beside the finding, so it must explain why the finding is
    acceptable here (at least 20 characters); an empty or one-word reason is refused.
    """
    _validations(scope).acknowledge(_checked(scope, rule_id, reason))


def _checked(scope: IConstruct, rule_id: str, reason: str) -> Acknowledgment:
    if not isinstance(rule_id, str) or not _RULE_ID_RE.fullmatch(rule_id):
        raise invalid(
            scope,
            "rule_id",
            rule_id,
            "a rule id as the pack reports it, e.g. 'AwsSolutions-IAM5' or 'AwsSolutions-IAM5[Resource::*]'",
        )
    if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON_LENGTH:
        raise invalid(
            scope,
            "reason",
            reason,
            f"a sentence of at least {MIN_REASON_LENGTH} characters that says why the finding is acceptable here",
        )
    return Acknowledgment(id=rule_id, reason=reason.strip())


def acknowledge_all(scope: IConstruct, acknowledgements: Iterable[tuple[str, str]]) -> None:
    """`acknowledge` for each `(rule_id, reason)`, checked the same way, recorded in one call (each
    call is a round trip to the jsii kernel)."""
    checked = [_checked(scope, rule_id, reason) for rule_id, reason in acknowledgements]
    if checked:
        _validations(scope).acknowledge(*checked)


def _validations(scope: IConstruct) -> Validations:
    # one `Validations` per construct (each `Validations.of` is a round trip to the jsii kernel)
    validations: Validations | None = getattr(scope, "_federation_validations", None)
    if validations is None:
        validations = Validations.of(scope)
        setattr(scope, "_federation_validations", validations)  # noqa: B010
    return validations
