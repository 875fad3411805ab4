"""`FederationBrokerRole`: the role a trusted broker service assumes on behalf of one user at a time.

This is the "federation proxy" of AWS's classic per-employee S3 sample, done with today's STS: the
broker (a service that has already authenticated the user its own way) calls `sts:AssumeRole` with
`SourceIdentity` = the user, a session tag carrying the user id, and a session policy scoped to the
user's folder (see `federation_constructs.storage.broker`). The trust refuses any call that leaves out the
source identity or the user tag, or passes other tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import jsii
from aws_cdk import Aws, Duration, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from federation_constructs.errors import checked_bool, checked_list, invalid
from federation_constructs.federated_role import (
    checked_description,
    checked_role_name,
    checked_role_path,
    checked_session_duration,
)
from federation_constructs.storage.layout import IdentitySource, LayoutProblem

__all__ = ["BROKER_ACTIONS", "FederationBrokerRole"]

#: What the trusted broker may do in the trust: assume, set the source identity, tag the session.
BROKER_ACTIONS = ("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession")
_PRINCIPAL_ARN_RE = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]+", re.ASCII)
_ROOT_ARN_RE = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:root|[0-9]{12}")
_EXTERNAL_ID_RE = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)


@jsii.implements(iam.IGrantable)
class FederationBrokerRole(Construct):
    """A role that only the named broker principals assume, one user per session.

    Trust: `AWS` = the `trusted` role or user ARNs; `sts:AssumeRole`, `sts:SetSourceIdentity`,
    `sts:TagSession`; conditions: a source identity is set (`Null sts:SourceIdentity = false`), the
    user tag is set (`Null aws:RequestTag/<user_tag> = false`), no other tag key is passed
    (`ForAllValues:StringEquals aws:TagKeys`), and, with `external_id`, `sts:ExternalId` matches.

    Grant it per-user folders with `UserPrefixStorage.grant_user_prefix(broker, source=broker.user_source,
    ...)`: the folder comes from the session tag, which only the broker sets.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        trusted: Sequence[str | iam.IRole],
        user_tag: str = "user",
        external_id: str | None = None,
        allow_account_root: bool = False,
        max_session_duration: Duration | None = None,
        role_name: str | None = None,
        path: str | None = None,
        description: str | None = None,
    ) -> None:
        """Create the role.

        :param trusted: the broker service's role (or user) ARNs, or `iam.IRole` objects.
        :param user_tag: the session tag key that carries the user id (default "user").
        :param external_id: an external id the broker must send (`sts:ExternalId`).
        :param allow_account_root: accept a whole account (`arn:...:root` or a 12-digit id) in
            `trusted`, which lets every IAM principal of that account with an Allow assume the role.
        :param max_session_duration: 1-12 hours; default 1 hour. A broker that runs as a role gets at
            most 1 hour anyway (role chaining).
        :param role_name: a fixed role name (default: generated); :param path: its IAM path (default `/`).
        """
        super().__init__(scope, id)
        checked_bool(self, "allow_account_root", allow_account_root)
        arns = self._trusted_arns(trusted, allow_account_root)
        try:
            #: where `grant_user_prefix` finds the user id: the session tag the broker sets
            self.user_source: IdentitySource = IdentitySource.principal_tag(user_tag)
        except LayoutProblem as problem:
            raise invalid(self, "user_tag", user_tag, problem.accepted) from None
        self.user_tag = user_tag
        if external_id is not None and (not isinstance(external_id, str) or not _EXTERNAL_ID_RE.fullmatch(external_id)):
            raise invalid(self, "external_id", external_id, "2-1224 characters of letters, digits and _+=,.@:/-")
        duration = checked_session_duration(self, max_session_duration)
        checked_role_path(self, "path", path)
        checked_role_name(self, "role_name", role_name, path=path)
        checked_description(self, "description", description)

        conditions: dict[str, dict[str, object]] = {
            "Null": {"sts:SourceIdentity": "false", f"aws:RequestTag/{user_tag}": "false"},
            "ForAllValues:StringEquals": {"aws:TagKeys": [user_tag]},
        }
        if external_id is not None:
            conditions["StringEquals"] = {"sts:ExternalId": external_id}
        #: the trust conditions, as emitted
        self.conditions = conditions
        self.trusted_arns: tuple[str, ...] = tuple(arns)
        #: opt-ins used (for reports)
        self.opt_ins: tuple[str, ...] = (
            ("allow_account_root",) if allow_account_root and any(a.endswith(":root") for a in arns) else ()
        )
        principals = [iam.ArnPrincipal(arn) for arn in arns]
        composite = principals[0] if len(principals) == 1 else iam.CompositePrincipal(*principals)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.PrincipalWithConditions(composite, conditions).with_session_tags(),
            max_session_duration=duration,
            role_name=role_name,
            path=path,
            description=description or "Assumed by the federation broker for one user per session (federation-as-code)",
        )
        trust = self.role.assume_role_policy  # always set for a role made with assumed_by
        assert trust is not None
        trust.add_statements(
            iam.PolicyStatement(actions=["sts:SetSourceIdentity"], principals=list(principals), conditions=conditions)
        )

    def _trusted_arns(self, trusted: Sequence[str | iam.IRole], allow_account_root: bool) -> list[str]:
        entries = checked_list(self, "trusted", trusted, "the broker service's role or user ARNs", non_empty=True)
        arns: list[str] = []
        for entry in entries:
            # jsii interfaces cannot be used with isinstance: anything that is not a string must have a role_arn
            arn = entry if isinstance(entry, str) else getattr(entry, "role_arn", None)
            if not isinstance(arn, str):
                raise invalid(self, "trusted", entry, "role or user ARNs (strings) or iam.IRole objects")
            if Token.is_unresolved(arn):
                arns.append(arn)
                continue
            if _ROOT_ARN_RE.fullmatch(arn):
                if not allow_account_root:
                    raise invalid(
                        self,
                        "trusted",
                        arn,
                        "the broker's own role or user ARN: a whole account lets every principal in it "
                        "with an Allow act as the broker (allow_account_root=True to mean it)",
                    )
                arns.append(arn if arn.startswith("arn:") else f"arn:{Aws.PARTITION}:iam::{arn}:root")
                continue
            if not _PRINCIPAL_ARN_RE.fullmatch(arn):
                raise invalid(
                    self,
                    "trusted",
                    arn,
                    "an IAM role or user ARN such as 'arn:aws:iam::123456789012:role/broker'; no wildcards",
                )
            arns.append(arn)
        return arns

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The role, for `grant_*` calls."""
        return self.role

    @property
    def role_arn(self) -> str:
        """The role's ARN, for the broker's configuration."""
        return self.role.role_arn
