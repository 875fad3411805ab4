"""Many accounts: assume the audit role in each (sts AssumeRole, the one call that is not a read) and
audit it; an account that cannot be reached is reported with the reason, and the others are audited."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from federation_constructs.audit.output import Unreachable
from federation_constructs.audit.read import AuditUsageError
from federation_constructs.audit.run import AccountAudit, audit_account
from federation_constructs.verify.clients import ReadOnlyClients, ReadOnlyViolation

__all__ = ["assume_audit_role", "audit_accounts", "organization_accounts"]

SESSION_NAME = "federation-audit"


def _message(err: Exception) -> str:
    error = getattr(err, "response", {}).get("Error", {})
    if error:
        return f"{error.get('Code', 'error')}: {error.get('Message', '')}".strip()
    return f"{type(err).__name__}: {err}"


def organization_accounts(session: Any, *, region: str) -> list[str]:
    """The active accounts of the credentials' AWS Organization (organizations ListAccounts, read-only)."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = ReadOnlyClients(session=session).client("organizations", region=region)
    try:
        accounts = [
            str(a["Id"])
            for page in client.get_paginator("list_accounts").paginate()
            for a in page.get("Accounts", [])
            if a.get("Status", "ACTIVE") == "ACTIVE"
        ]
    except (ClientError, BotoCoreError) as err:
        raise AuditUsageError(
            f"--organization: the accounts could not be listed ({_message(err)}); run it with credentials of "
            f"the management account or a delegated administrator, or pass --accounts"
        ) from None
    return sorted(accounts)


def assume_audit_role(session: Any, *, role_arn: str, region: str) -> Any:
    """A boto3 session of `role_arn` (sts AssumeRole through a client that allows only that call and
    the reads)."""
    import boto3

    client = session.client("sts", region_name=region)

    def only_assume_role(model: Any = None, **_: Any) -> None:
        if model.name not in ("AssumeRole", "GetCallerIdentity"):
            raise ReadOnlyViolation(f"sts {model.name} refused: only AssumeRole starts the audit role's session")

    client.meta.events.register("before-parameter-build", only_assume_role)
    credentials = client.assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME, DurationSeconds=3600)[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def audit_accounts(
    session: Any, *, accounts: Sequence[str], role_name: str, regions: list[str], explain: bool = True
) -> tuple[list[AccountAudit], list[Unreachable]]:
    """Audit each of `accounts` through its role `role_name`; the accounts that could not be audited,
    with the reason."""
    from botocore.exceptions import BotoCoreError, ClientError

    from federation_constructs.audit.read import _caller

    _, partition = _caller(ReadOnlyClients(session=session), regions[0])
    audits: list[AccountAudit] = []
    unreachable: list[Unreachable] = []
    for account in accounts:
        role_arn = f"arn:{partition}:iam::{account}:role/{role_name.strip('/')}"
        try:
            assumed = assume_audit_role(session, role_arn=role_arn, region=regions[0])
        except (ClientError, BotoCoreError) as err:
            unreachable.append(Unreachable(account, f"cannot assume {role_arn}: {_message(err)}"))
            continue
        try:
            audits.append(audit_account(assumed, regions=regions, account=account, explain=explain))
        except AuditUsageError as err:
            unreachable.append(Unreachable(account, str(err)))
        except (ClientError, BotoCoreError) as err:
            unreachable.append(Unreachable(account, f"AWS call failed: {_message(err)}"))
    return audits, unreachable
