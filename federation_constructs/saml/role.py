"""`SamlRole`: a workforce role that a SAML IdP's users assume, for the console and the CLI."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Aws, CfnMapping, Fn, Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from federation_constructs.errors import checked_list, checked_mapping, invalid, unresolved
from federation_constructs.federated_role import FederatedRole, RoleOptions
from federation_constructs.oidc.conditions import (
    checked_trust_size,
    claim_conditions,
    is_only_wildcards,
)
from federation_constructs.partitions import partition_for_region
from federation_constructs.proof.intent import saml_intent
from federation_constructs.saml.provider import SamlProvider

__all__ = [
    "GLOBAL_SIGN_IN",
    "MULTI_VALUED_SAML_KEYS",
    "SAML_KEYS",
    "SamlRole",
    "sign_in_endpoint",
]

ASSUME_ACTION = "sts:AssumeRoleWithSAML"
TAG_SESSION_ACTION = "sts:TagSession"

#: The SAML sign-in endpoint (the assertion's Recipient, tested as `SAML:aud`) per partition.
GLOBAL_SIGN_IN = {
    "aws": "https://signin.aws.amazon.com/saml",
    "aws-cn": "https://signin.amazonaws.cn/saml",
    "aws-us-gov": "https://signin.amazonaws-us-gov.com/saml",
}

#: SAML condition keys IAM evaluates in a trust policy (IAM condition-key reference, "Available
#: keys for SAML-based AWS STS federation"), lower-cased; `saml:aud` is set through `sign_in`.
SAML_KEYS = frozenset(
    {
        "saml:cn",
        "saml:commonname",
        "saml:doc",
        "saml:eduorghomepageuri",
        "saml:eduorgidentityauthnpolicyuri",
        "saml:eduorglegalname",
        "saml:eduorgsuperioruri",
        "saml:eduorgwhitepagesuri",
        "saml:edupersonaffiliation",
        "saml:edupersonassurance",
        "saml:edupersonentitlement",
        "saml:edupersonnickname",
        "saml:edupersonorgdn",
        "saml:edupersonorgunitdn",
        "saml:edupersonprimaryaffiliation",
        "saml:edupersonprimaryorgunitdn",
        "saml:edupersonprincipalname",
        "saml:edupersonscopedaffiliation",
        "saml:edupersontargetedid",
        "saml:givenname",
        "saml:iss",
        "saml:mail",
        "saml:name",
        "saml:namequalifier",
        "saml:organizationstatus",
        "saml:primarygroupsid",
        "saml:sub",
        "saml:sub_type",
        "saml:surname",
        "saml:uid",
        "saml:x500uniqueidentifier",
    }
)
#: Of those, the keys the reference marks `[]` (the value can be a list): tested with
#: `ForAnyValue:` (at least one of the user's values must match), never `ForAllValues:` (true
#: when the attribute is missing).
MULTI_VALUED_SAML_KEYS = frozenset(
    {
        "saml:commonname",
        "saml:cn",
        "saml:edupersonaffiliation",
        "saml:edupersonassurance",
        "saml:edupersonentitlement",
        "saml:edupersonnickname",
        "saml:edupersonorgunitdn",
        "saml:edupersonscopedaffiliation",
        "saml:edupersontargetedid",
        "saml:eduorghomepageuri",
        "saml:eduorgidentityauthnpolicyuri",
        "saml:eduorglegalname",
        "saml:eduorgsuperioruri",
        "saml:eduorgwhitepagesuri",
        "saml:givenname",
        "saml:mail",
        "saml:name",
        "saml:organizationstatus",
        "saml:primarygroupsid",
        "saml:surname",
        "saml:uid",
        "saml:x500uniqueidentifier",
    }
)
_REGION_RE = re.compile(r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}")
_MAPPING_ID = "FederationSamlSignIn"


def sign_in_endpoint(region: str) -> str:
    """The regional SAML sign-in endpoint of a commercial-partition region."""
    return f"https://{region}.signin.aws.amazon.com/saml"


class SamlRole(FederatedRole):
    """A role the users of one SAML IdP can assume, from the console or the CLI.

    Trust: `Federated` = the provider, `sts:AssumeRoleWithSAML` (and `sts:TagSession` only with
    `RoleOptions(session_tags=True)`), `StringEquals` on `SAML:aud` = the sign-in endpoint(s) the IdP posts
    the assertion to. `sign_in` lists them: "global" (the partition's global endpoint, resolved
    from the stack's region, or from `AWS::Partition` at deploy time for an environment-agnostic
    stack), "regional" (the stack's region), or region codes such as "eu-west-1".

    The IdP must send, for this role, the attribute `https://aws.amazon.com/SAML/Attributes/Role`
    = `idp_role_attribute` (`<role ARN>,<provider ARN>`) and a `RoleSessionName`. It may send
    `SessionDuration` (900-43200 seconds); STS caps it at this role's `max_session_duration`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: SamlProvider | iam.ISamlProvider,
        sign_in: Sequence[str] = ("global",),
        attribute_conditions: Mapping[str, str | Sequence[str]] | None = None,
        role_options: RoleOptions | None = None,
    ) -> None:
        """Create the role.

        :param provider: a `SamlProvider`, or one imported with `SamlProvider.from_arn`/`from_name`.
        :param sign_in: the sign-in endpoints the assertion may be posted to (see the class doc).
        :param attribute_conditions: SAML keys -> accepted values, e.g. {"saml:sub_type":
            "persistent"} or {"saml:edupersonentitlement": ["aws-admins"]}.
        :param role_options: the IAM role's options; default `RoleOptions()`. With
            `session_tags=True` the IdP may send `PrincipalTag:` attributes.
        """
        super().__init__(scope, id, role_options=role_options)
        # jsii interfaces cannot be used with isinstance: an imported provider is a construct with an ARN
        provider_arn = getattr(provider, "saml_provider_arn", None)
        if not (hasattr(provider, "node") and isinstance(provider_arn, str)):
            raise invalid(
                self,
                "provider",
                provider,
                "a SamlProvider, or an iam.ISamlProvider from SamlProvider.from_arn()/from_name()",
            )
        self.sign_in_endpoints: tuple[str, ...] = self._endpoints(sign_in)
        extra = self._attribute_conditions(attribute_conditions)
        session_tags = self.role_options.session_tags

        conditions: dict[str, dict[str, list[str]]] = {"StringEquals": {"SAML:aud": list(self.sign_in_endpoints)}}
        for operator, keys in claim_conditions(
            {k: v for k, v in extra.items() if k.lower() not in MULTI_VALUED_SAML_KEYS}
        ).items():
            conditions.setdefault(operator, {}).update(keys)
        for operator, keys in claim_conditions(
            {k: v for k, v in extra.items() if k.lower() in MULTI_VALUED_SAML_KEYS}
        ).items():
            conditions.setdefault(f"ForAnyValue:{operator}", {}).update(keys)
        self.conditions = conditions
        self.actions: tuple[str, ...] = (ASSUME_ACTION, TAG_SESSION_ACTION) if session_tags else (ASSUME_ACTION,)
        self.trust_policy_size = self._check_size(self.role_options.trust_policy_quota)
        self._create_role(
            iam.FederatedPrincipal(provider_arn, conditions, ASSUME_ACTION),
            default_description="Assumed with SAML assertions of the workforce IdP (federation-as-code)",
        )
        self.provider_arn = provider_arn
        #: what this role is meant to admit (`federation_constructs.proof.intent`)
        self.intent = saml_intent(
            provider_arn,
            self.sign_in_endpoints,
            {k: list(v) for k, v in extra.items()},
            MULTI_VALUED_SAML_KEYS,
            session_tags=session_tags,
        )
        #: The value of `https://aws.amazon.com/SAML/Attributes/Role` the IdP sends for this role.
        self.idp_role_attribute: str = Fn.join(",", [self.role.role_arn, provider_arn])

    def _endpoints(self, sign_in: Sequence[str]) -> tuple[str, ...]:
        entries = checked_list(self, "sign_in", sign_in, "'global', 'regional' or region codes", non_empty=True)
        stack = Stack.of(self)
        stack_region = stack.region
        region = None if unresolved(stack_region) else stack_region
        partition = partition_for_region(region) if region else None
        endpoints: list[str] = []
        for entry in entries:
            if entry == "global":
                if partition is None:
                    endpoints.append(self._global_by_partition())
                elif partition in GLOBAL_SIGN_IN:
                    endpoints.append(GLOBAL_SIGN_IN[partition])
                else:
                    raise invalid(
                        self,
                        "sign_in",
                        entry,
                        f"a partition with a known SAML sign-in endpoint "
                        f"({', '.join(GLOBAL_SIGN_IN)}); the stack is in {partition}",
                    )
                continue
            target = region if entry == "regional" else entry
            if entry == "regional" and target is None:
                raise invalid(
                    self,
                    "sign_in",
                    entry,
                    "'global' or explicit region codes: the stack has no "
                    "literal region to take the regional endpoint from",
                )
            if not isinstance(target, str) or not _REGION_RE.fullmatch(target):
                raise invalid(self, "sign_in", entry, "'global', 'regional' or a region code such as 'eu-west-1'")
            if partition_for_region(target) != "aws" or (partition is not None and partition != "aws"):
                raise invalid(
                    self,
                    "sign_in",
                    entry,
                    "'global' outside the commercial partition: regional SAML sign-in endpoints "
                    "(https://REGION.signin.aws.amazon.com/saml) exist for commercial regions only",
                )
            endpoints.append(sign_in_endpoint(target))
        return tuple(dict.fromkeys(endpoints))

    def _global_by_partition(self) -> str:
        """`Fn::FindInMap` on `AWS::Partition`: correct at deploy time in any partition."""
        stack = Stack.of(self)
        found = stack.node.try_find_child(_MAPPING_ID)
        mapping = (
            found
            if isinstance(found, CfnMapping)
            else CfnMapping(stack, _MAPPING_ID, mapping={p: {"url": u} for p, u in GLOBAL_SIGN_IN.items()})
        )
        return mapping.find_in_map(Aws.PARTITION, "url")

    def _attribute_conditions(self, conditions: Mapping[str, str | Sequence[str]] | None) -> dict[str, list[str]]:
        checked: dict[str, list[str]] = {}
        if conditions is not None:
            checked_mapping(
                self,
                "attribute_conditions",
                conditions,
                "a dict of SAML key -> value(s), e.g. {'saml:sub_type': 'persistent'}",
            )
        for key, raw in (conditions or {}).items():
            lowered = key.lower() if isinstance(key, str) else key
            if lowered == "saml:aud":
                raise invalid(self, "attribute_conditions", key, "SAML:aud set through `sign_in`, not as a condition")
            if lowered not in SAML_KEYS:
                raise invalid(
                    self,
                    "attribute_conditions",
                    key,
                    "a SAML key IAM evaluates, such as saml:sub, saml:sub_type, saml:namequalifier, "
                    "saml:iss or saml:edupersonentitlement (other attributes are not available to "
                    "a trust policy)",
                )
            values = (
                [raw] if isinstance(raw, str) else checked_list(self, f"attribute_conditions[{key!r}]", raw, "values")
            )
            if not values:
                raise invalid(self, f"attribute_conditions[{key!r}]", values, "at least one value")
            for value in values:
                if not isinstance(value, str) or Token.is_unresolved(value) or is_only_wildcards(value):
                    raise invalid(
                        self,
                        f"attribute_conditions[{key!r}]",
                        value,
                        "literal values that restrict the attribute (only wildcards restricts nothing)",
                    )
            checked[key] = values
        return checked

    def _check_size(self, quota: int) -> int:
        stack = Stack.of(self)
        account, region = stack.account, stack.region
        account = "123456789012" if unresolved(account) else account
        partition = "aws-us-gov" if unresolved(region) else partition_for_region(region)
        arn = f"arn:{partition}:iam::{account}:saml-provider/{'x' * 128}"
        longest = max(GLOBAL_SIGN_IN.values(), key=len)
        aud = [e if not unresolved(e) else longest for e in self.sign_in_endpoints]
        conditions: dict[str, Any] = {op: dict(keys) for op, keys in self.conditions.items()}
        conditions["StringEquals"]["SAML:aud"] = aud
        return checked_trust_size(
            self,
            federated=arn,
            actions=self.actions,
            conditions=conditions,
            quota=quota,
            fix="list fewer attribute values, split the role",
        )
