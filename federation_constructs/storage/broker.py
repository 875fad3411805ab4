"""The federation broker's runtime side: credentials and a console sign-in URL for one user.

Runs inside the broker service (no CDK needed: this module imports only boto3 and the plain-Python
layout rules). The service authenticates the user its own way, then::

    from federation_constructs.storage.broker import credentials_for_user, console_url

    creds = credentials_for_user("alice", role_arn=BROKER_ROLE_ARN, bucket="my-user-data")
    url = console_url(creds, issuer="https://intranet.example.com",
                      destination="https://console.aws.amazon.com/s3/")

`credentials_for_user` calls `sts:AssumeRole` on the `FederationBrokerRole` with `SourceIdentity` =
the user (recorded in CloudTrail and kept through role chaining), a session tag carrying the user id
(which the role's per-user grants read as `${aws:PrincipalTag/<key>}`), and an inline session policy
that names the user's folder literally: two independent fences around the same folder.
"""

from __future__ import annotations

import ipaddress
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from federation_constructs.errors import FederationError
from federation_constructs.storage.layout import (
    AccessLevel,
    IdentitySource,
    LayoutProblem,
    grant_statements,
    is_bucket_name,
)

__all__ = [
    "BrokerError",
    "Credentials",
    "DEFAULT_FEDERATION_ENDPOINT",
    "check_user_id",
    "console_url",
    "credentials_for_user",
    "session_policy",
]

DEFAULT_FEDERATION_ENDPOINT = "https://signin.aws.amazon.com/federation"
#: Characters a user id may use: those that a role session name, a source identity, a session tag
#: value and an S3 key segment all accept, without '/' (a new folder level), '*' or '$' (policy
#: wildcards and variables). 2-64 characters (the source identity and session name limits).
USER_ID_ACCEPTED = "2-64 characters of letters, digits and _ + = . @ -, not '..', with no '/', '*' or '$'"
_USER_ID_RE = re.compile(r"[A-Za-z0-9_+=.@-]{2,64}")
_PARTITION_RE = re.compile(r"aws(-[a-z]+)*")
_SESSION_NAME_MAX = 64


class BrokerError(FederationError, ValueError):
    """A refused argument or an unexpected answer from AWS; the message names the field and value."""


@dataclass(frozen=True)
class Credentials:
    """Temporary credentials for one user's session."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime | None
    #: the user they were issued for (also the STS source identity)
    user_id: str
    #: the assumed-role ARN of the session, as STS reports it
    assumed_role_arn: str | None = None


def check_user_id(user_id: object) -> str:
    """Return `user_id` if it may name a folder, a session and a tag; raise `BrokerError` if not."""
    if not isinstance(user_id, str) or not _USER_ID_RE.fullmatch(user_id) or ".." in user_id:
        raise BrokerError(f"broker: user_id={user_id!r} is not accepted; expected {USER_ID_ACCEPTED}")
    return user_id


def session_policy(
    user_id: str,
    *,
    bucket: str,
    level: str = "private",
    actions: Sequence[str] = ("read", "write", "delete"),
    partition: str = "aws",
) -> dict[str, Any]:
    """The inline session policy for one user: the same statements as the role's per-user grant,
    with the user id written in literally instead of a policy variable."""
    check_user_id(user_id)
    if isinstance(actions, str):
        raise BrokerError(f"broker: actions={actions!r} is not accepted; expected a list such as ['read', 'write']")
    if not is_bucket_name(bucket):
        raise BrokerError(f"broker: bucket={bucket!r} is not accepted; expected an S3 bucket name")
    if not isinstance(partition, str) or not _PARTITION_RE.fullmatch(partition):
        raise BrokerError(f"broker: partition={partition!r} is not accepted; expected 'aws', 'aws-cn', 'aws-us-gov'...")
    literal = IdentitySource(name="user", variable=user_id, trust="any")
    try:
        access = AccessLevel.named(level)
        statements = grant_statements(
            bucket_arn=f"arn:{partition}:s3:::{bucket}",
            level=access,
            source=literal if access.per_user else None,
            capabilities=actions,
        )
    except LayoutProblem as problem:
        raise BrokerError(
            f"broker: {problem.field}={problem.value!r} is not accepted; expected {problem.accepted}"
        ) from None
    return {"Version": "2012-10-17", "Statement": statements}


def credentials_for_user(
    user_id: str,
    *,
    role_arn: str,
    bucket: str,
    level: str = "private",
    actions: Sequence[str] = ("read", "write", "delete"),
    tag_key: str = "user",
    duration_seconds: int | None = None,
    partition: str = "aws",
    sts_client: Any = None,
    session_name_prefix: str = "broker",
) -> Credentials:
    """Assume the broker role for `user_id` and return that user's credentials.

    :param role_arn: the `FederationBrokerRole`'s ARN.
    :param bucket: the user-data bucket; `level` ("private", "protected", "public" or a template
        such as "home/{id}/") and `actions` ("read", "write", "delete") shape the session policy.
    :param tag_key: the session tag key the role's grants read (`FederationBrokerRole(user_tag=...)`).
    :param duration_seconds: 900-43200; default: not sent (STS gives 1 hour). AWS documents that the
        federation endpoint (`console_url`) fails for credentials requested with DurationSeconds
        unless the caller used an IAM user's long-term credentials: leave it out for console use.
    :param sts_client: a boto3 STS client (default `boto3.client("sts")`).
    """
    check_user_id(user_id)
    if duration_seconds is not None and (
        not isinstance(duration_seconds, int)
        or isinstance(duration_seconds, bool)
        or not 900 <= duration_seconds <= 43200
    ):
        raise BrokerError(f"broker: duration_seconds={duration_seconds!r} is not accepted; expected 900-43200")
    if not isinstance(role_arn, str) or not re.fullmatch(
        r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+", role_arn, re.ASCII
    ):
        raise BrokerError(f"broker: role_arn={role_arn!r} is not accepted; expected the broker role's ARN")
    if not isinstance(session_name_prefix, str) or not re.fullmatch(r"[\w+=,.@-]{1,20}", session_name_prefix, re.ASCII):
        raise BrokerError(
            f"broker: session_name_prefix={session_name_prefix!r} is not accepted; "
            f"expected 1-20 characters of letters, digits and _+=,.@-"
        )
    policy = session_policy(user_id, bucket=bucket, level=level, actions=actions, partition=partition)
    if sts_client is None:
        import boto3

        sts_client = boto3.client("sts")
    request: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": f"{session_name_prefix}-{user_id}"[:_SESSION_NAME_MAX],
        "SourceIdentity": user_id,
        "Tags": [{"Key": tag_key, "Value": user_id}],
        "Policy": json.dumps(policy, separators=(",", ":")),
    }
    if duration_seconds is not None:
        request["DurationSeconds"] = duration_seconds
    response = sts_client.assume_role(**request)
    try:
        raw = response["Credentials"]
        return Credentials(
            access_key_id=raw["AccessKeyId"],
            secret_access_key=raw["SecretAccessKey"],
            session_token=raw["SessionToken"],
            expiration=raw.get("Expiration"),
            user_id=user_id,
            assumed_role_arn=(response.get("AssumedRoleUser") or {}).get("Arn"),
        )
    except (KeyError, TypeError) as err:
        raise BrokerError(f"broker: sts.assume_role answered without credentials ({err!r})") from None


def _check_endpoint(endpoint: str) -> str:
    parts = urllib.parse.urlsplit(endpoint)
    host = parts.hostname or ""
    loopback = host == "localhost" or _is_loopback(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise BrokerError(
            f"broker: federation_endpoint={endpoint!r} is not accepted; expected an https URL such as "
            f"{DEFAULT_FEDERATION_ENDPOINT!r} (plain http only on a loopback address, for tests)"
        )
    if parts.query or parts.fragment:
        raise BrokerError(f"broker: federation_endpoint={endpoint!r} is not accepted; expected a URL without query")
    return endpoint


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def console_url(
    credentials: Credentials | Mapping[str, str],
    *,
    issuer: str,
    destination: str = "https://console.aws.amazon.com/",
    federation_endpoint: str = DEFAULT_FEDERATION_ENDPOINT,
    session_duration: int | None = None,
    timeout: float = 10.0,
    opener: Callable[..., Any] = urllib.request.urlopen,
) -> str:
    """A console sign-in URL for `credentials`, through the AWS federation endpoint.

    Asks the endpoint for a sign-in token (`Action=getSigninToken`) and returns the `Action=login`
    URL that carries it, `issuer` (your sign-in page, where the console sends expired sessions) and
    `destination` (the console page to open).

    :param session_duration: console session seconds (900-43200). Leave it out for credentials from
        role chaining (a broker that runs as a role): the endpoint refuses it for those.
    """
    endpoint = _check_endpoint(federation_endpoint)
    for name, url in (("issuer", issuer), ("destination", destination)):
        if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme != "https":
            raise BrokerError(f"broker: {name}={url!r} is not accepted; expected an https URL")
    if isinstance(credentials, Credentials):
        session = {
            "sessionId": credentials.access_key_id,
            "sessionKey": credentials.secret_access_key,
            "sessionToken": credentials.session_token,
        }
    else:
        try:
            session = {
                "sessionId": credentials["AccessKeyId"],
                "sessionKey": credentials["SecretAccessKey"],
                "sessionToken": credentials["SessionToken"],
            }
        except (KeyError, TypeError):
            raise BrokerError(
                "broker: credentials is not accepted; expected Credentials or a mapping with "
                "AccessKeyId, SecretAccessKey and SessionToken (temporary credentials)"
            ) from None
    query: dict[str, str] = {"Action": "getSigninToken"}
    if session_duration is not None:
        if (
            not isinstance(session_duration, int)
            or isinstance(session_duration, bool)
            or not 900 <= session_duration <= 43200
        ):
            raise BrokerError(f"broker: session_duration={session_duration!r} is not accepted; expected 900-43200")
        query["SessionDuration"] = str(session_duration)
    query["Session"] = json.dumps(session)
    with opener(f"{endpoint}?{urllib.parse.urlencode(query)}", timeout=timeout) as answer:
        body = answer.read()
    try:
        token = json.loads(body)["SigninToken"]
    except (ValueError, KeyError, TypeError):
        raise BrokerError(f"broker: the federation endpoint answered without a SigninToken: {body[:200]!r}") from None
    if not isinstance(token, str) or not token:
        raise BrokerError("broker: the federation endpoint answered with an empty SigninToken")
    login = {"Action": "login", "Issuer": issuer, "Destination": destination, "SigninToken": token}
    return f"{endpoint}?{urllib.parse.urlencode(login)}"
