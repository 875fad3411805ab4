"""What the account holds: one region's stacks and the partition's IAM providers and roles, read with
read-only clients and cached for the run."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from federation_constructs.verify.clients import ReadOnlyClients

__all__ = ["ACTIVE_STACK_STATUSES", "LiveAccount", "LiveError", "LiveOidcProvider", "LiveSamlProvider", "LiveStack"]

#: every stack status except DELETE_COMPLETE: a stack in one of these exists under its name
ACTIVE_STACK_STATUSES = (
    "CREATE_IN_PROGRESS",
    "CREATE_FAILED",
    "CREATE_COMPLETE",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_FAILED",
    "ROLLBACK_COMPLETE",
    "DELETE_IN_PROGRESS",
    "DELETE_FAILED",
    "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_COMPLETE",
    "UPDATE_FAILED",
    "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_IN_PROGRESS",
    "IMPORT_ROLLBACK_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
)


class LiveError(Exception):
    """An AWS call that failed for a reason other than "not found"; `str()` names the service, the
    operation, the error code and AWS's message."""


@dataclass(frozen=True, kw_only=True)
class LiveStack:
    name: str
    stack_id: str
    status: str
    #: logical id -> physical id (resources without a physical id are left out)
    physical: dict[str, str] = field(default_factory=dict)
    #: logical id -> resource type
    types: dict[str, str] = field(default_factory=dict)
    #: parameter -> its value (the resolved value for SSM parameters)
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class LiveOidcProvider:
    arn: str
    #: as IAM returns it: host and path, without `https://`
    url: str
    client_ids: tuple[str, ...]
    thumbprints: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class LiveSamlProvider:
    arn: str
    name: str
    metadata: str
    valid_until: datetime | None
    create_date: datetime | None


def _error_code(err: Exception) -> str:
    return str(getattr(err, "response", {}).get("Error", {}).get("Code", ""))


class LiveAccount:
    """Read-only access to one account in one region; each list is read once."""

    def __init__(self, clients: ReadOnlyClients, *, region: str) -> None:
        self.clients = clients
        self.region = region
        self._oidc: list[LiveOidcProvider] | None = None
        self._saml: list[LiveSamlProvider] | None = None
        self._stack_names: list[str] | None = None
        self._exports: dict[str, str] | None = None

    def _call(self, service: str, operation: str, *, not_found: tuple[str, ...] = (), **params: Any) -> Any:
        from botocore.exceptions import ClientError

        client = self.clients.client(service, region=self.region)
        try:
            return getattr(client, operation)(**params)
        except ClientError as err:
            code = _error_code(err)
            message = str(err.response.get("Error", {}).get("Message", ""))
            if code in not_found and (code != "ValidationError" or "does not exist" in message):
                return None  # describe_stacks says "Stack with id X does not exist" as a ValidationError
            raise LiveError(f"{service} {err.operation_name} failed: {code or 'error'}: {message}") from None

    def _pages(self, service: str, operation: str, key: str, **params: Any) -> list[Any]:
        from botocore.exceptions import ClientError

        client = self.clients.client(service, region=self.region)
        items: list[Any] = []
        try:
            if client.can_paginate(operation):
                for page in client.get_paginator(operation).paginate(**params):
                    items += page.get(key, [])
            else:
                items += getattr(client, operation)(**params).get(key, [])
        except ClientError as err:
            message = str(err.response.get("Error", {}).get("Message", ""))
            raise LiveError(
                f"{service} {err.operation_name} failed: {_error_code(err) or 'error'}: {message}"
            ) from None
        return items

    def stack(self, name: str) -> LiveStack | None:
        """The stack called `name` in this region, with its resources; None when there is none."""
        found = self._call("cloudformation", "describe_stacks", not_found=("ValidationError",), StackName=name)
        if not found or not found.get("Stacks"):
            return None
        described = found["Stacks"][0]
        if described.get("StackStatus") == "DELETE_COMPLETE":
            return None
        physical, types = {}, {}
        for summary in self._pages(
            "cloudformation", "list_stack_resources", "StackResourceSummaries", StackName=described["StackId"]
        ):
            logical = summary.get("LogicalResourceId")
            if logical and summary.get("PhysicalResourceId"):
                physical[logical] = summary["PhysicalResourceId"]
                types[logical] = summary.get("ResourceType", "")
        parameters = {
            p["ParameterKey"]: p.get("ResolvedValue", p.get("ParameterValue", ""))
            for p in described.get("Parameters", [])
            if "ParameterKey" in p
        }
        return LiveStack(
            name=described["StackName"],
            stack_id=described["StackId"],
            status=described["StackStatus"],
            physical=physical,
            types=types,
            parameters=parameters,
        )

    def stack_names(self, *, prefix: str) -> list[str]:
        """Names of the existing stacks (any status but DELETE_COMPLETE) that start with `prefix`."""
        if self._stack_names is None:
            summaries = self._pages(
                "cloudformation", "list_stacks", "StackSummaries", StackStatusFilter=list(ACTIVE_STACK_STATUSES)
            )
            self._stack_names = sorted({s["StackName"] for s in summaries if s.get("StackStatus") != "DELETE_COMPLETE"})
        return [n for n in self._stack_names if n.startswith(prefix)]

    def exports(self) -> dict[str, str]:
        """The region's CloudFormation exports (for `Fn::ImportValue`): name -> value."""
        if self._exports is None:
            self._exports = {
                e["Name"]: e["Value"]
                for e in self._pages("cloudformation", "list_exports", "Exports")
                if "Name" in e and "Value" in e
            }
        return self._exports

    def oidc_providers(self) -> list[LiveOidcProvider]:
        """Every IAM OIDC provider of the account."""
        if self._oidc is None:
            listed = self._call("iam", "list_open_id_connect_providers") or {}
            providers = []
            for entry in listed.get("OpenIDConnectProviderList", []):
                got = self._call(
                    "iam",
                    "get_open_id_connect_provider",
                    not_found=("NoSuchEntity",),
                    OpenIDConnectProviderArn=entry["Arn"],
                )
                if got is not None:  # deleted between the list and the get
                    providers.append(
                        LiveOidcProvider(
                            arn=entry["Arn"],
                            url=got.get("Url", ""),
                            client_ids=tuple(got.get("ClientIDList", [])),
                            thumbprints=tuple(got.get("ThumbprintList", [])),
                        )
                    )
            self._oidc = providers
        return self._oidc

    def saml_providers(self) -> list[LiveSamlProvider]:
        """Every IAM SAML provider of the account, with its metadata document."""
        if self._saml is None:
            listed = self._call("iam", "list_saml_providers") or {}
            providers = []
            for entry in listed.get("SAMLProviderList", []):
                got = self._call("iam", "get_saml_provider", not_found=("NoSuchEntity",), SAMLProviderArn=entry["Arn"])
                if got is not None:
                    providers.append(
                        LiveSamlProvider(
                            arn=entry["Arn"],
                            name=entry["Arn"].rsplit("/", 1)[-1],
                            metadata=got.get("SAMLMetadataDocument", ""),
                            valid_until=got.get("ValidUntil", entry.get("ValidUntil")),
                            create_date=got.get("CreateDate", entry.get("CreateDate")),
                        )
                    )
            self._saml = providers
        return self._saml

    def role(self, name: str) -> dict[str, Any] | None:
        """`iam get_role` for `name` (its trust decoded to a dict); None when there is no such role."""
        found = self._call("iam", "get_role", not_found=("NoSuchEntity",), RoleName=name)
        if found is None:
            return None
        role = dict(found["Role"])
        trust = role.get("AssumeRolePolicyDocument")
        if isinstance(trust, str):  # boto3 decodes it; be safe with anything that does not
            role["AssumeRolePolicyDocument"] = json.loads(urllib.parse.unquote(trust))
        return role
