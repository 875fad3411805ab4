"""`OidcRole`: a role that tokens of one OIDC issuer can assume, scoped by audience, subject and claims."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from federation_constructs.errors import (
    PresetValueError,
    checked_bool,
    checked_list,
    checked_mapping,
    invalid,
    unresolved,
)
from federation_constructs.federated_role import FederatedRole, RoleOptions
from federation_constructs.oidc.conditions import (
    checked_trust_size,
    claim_conditions,
    has_wildcard,
    is_only_wildcards,
)
from federation_constructs.oidc.issuers import OidcIssuer
from federation_constructs.oidc.provider import OidcProvider, as_issuer, issuer_of
from federation_constructs.partitions import partition_for_region
from federation_constructs.proof.intent import ClaimIntent, TrustIntent

__all__ = ["ASSUME_ACTION", "OidcRole", "preset_issuer"]

ASSUME_ACTION = "sts:AssumeRoleWithWebIdentity"
TAG_SESSION_ACTION = "sts:TagSession"


class OidcRole(FederatedRole):
    """A role that tokens of one OIDC issuer can assume, and only those the conditions name.

    The trust always pins the audience (exact match) and, for issuers where the caller picks its
    own audience (GitHub, GitLab, HCP Terraform, EKS, CircleCI, Bitbucket, custom), the subject.
    Exact values become `StringEquals`, values with `*` or `?` become `StringLike`; set operators
    (`ForAllValues:`/`ForAnyValue:`) are never used on these single-valued claims.

    Refused unless `allow_any_subject=True` says so explicitly: no subject restriction where the
    issuer requires one; a subject that is only wildcards; a subject that does not have the issuer's
    documented form; a wildcard in the subject's owner part (GitHub owner, GitLab top-level group,
    HCP Terraform organization, EKS namespace), which admits other owners' workloads.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        issuer: OidcIssuer | str | None = None,
        provider: OidcProvider | iam.IOidcProvider | None = None,
        audiences: Sequence[str] | None = None,
        subjects: Sequence[str] = (),
        conditions: Mapping[str, str | Sequence[str]] | None = None,
        allow_any_subject: bool = False,
        role_options: RoleOptions | None = None,
    ) -> None:
        """Create the role.

        :param issuer: the token issuer (a preset or an https URL); defaults to the provider's.
        :param provider: the IAM OIDC provider (an `OidcProvider`, or one imported with
            `OidcProvider.from_issuer`); none for Google, Facebook and Login with Amazon.
        :param audiences: accepted audiences, exact match; default: the issuer's default audience.
        :param subjects: accepted `sub` values; `*` and `?` make a pattern (`StringLike`).
        :param conditions: other claims the issuer exposes to IAM, claim name -> value(s).
        :param allow_any_subject: the explicit opt-in to trust without a safe subject restriction.
        :param role_options: the IAM role's options (session tags, session duration, policies, name,
            description, trust-policy quota); default `RoleOptions()`.
        """
        super().__init__(scope, id, role_options=role_options)
        self._build(
            issuer=issuer,
            provider=provider,
            audiences=audiences,
            subjects=subjects,
            conditions=conditions,
            allow_any_subject=allow_any_subject,
            opt_ins=(),
        )

    # Subclasses (the presets) call FederatedRole.__init__ first, then this, so every error can name
    # the construct path.
    def _build(
        self,
        *,
        issuer: OidcIssuer | str | None,
        provider: OidcProvider | iam.IOidcProvider | None,
        audiences: Sequence[str] | None,
        subjects: Sequence[str],
        conditions: Mapping[str, str | Sequence[str]] | None,
        allow_any_subject: bool,
        opt_ins: Sequence[str],
        intent_subjects: Sequence[str] | None = None,
        declared: Mapping[str, Any] | None = None,
    ) -> None:
        checked_bool(self, "allow_any_subject", allow_any_subject)
        self._check_provider_type(provider)
        self.issuer = self._resolve_issuer(issuer, provider)
        self.audiences: tuple[str, ...] = self._check_audiences(audiences, provider)
        self.subjects: tuple[str, ...] = self._check_subjects(subjects, conditions, allow_any_subject)
        extra = self._check_conditions(conditions)
        session_tags = self.role_options.session_tags

        values: dict[str, Sequence[str]] = {self.issuer.key(self.issuer.audience_claim): self.audiences}
        if self.subjects:
            values[self.issuer.key("sub")] = self.subjects
        for claim, claim_values in extra.items():
            values[self.issuer.key(claim)] = claim_values
        self.conditions: dict[str, dict[str, list[str]]] = claim_conditions(values)
        self.actions: tuple[str, ...] = (ASSUME_ACTION, TAG_SESSION_ACTION) if session_tags else (ASSUME_ACTION,)
        used = list(opt_ins)
        if allow_any_subject:
            used.append("allow_any_subject")
        #: opt-ins used (for reports)
        self.opt_ins: tuple[str, ...] = tuple(used)

        federated = self.issuer.web_identity_name or provider.oidc_provider_arn  # type: ignore[union-attr]
        #: what this role is meant to admit (`federation_constructs.proof.intent`), from the same
        #: resolved values as the trust: the checked audiences and subjects (a preset's subjects
        #: formatted by `federation_constructs.proof.intent` from its resolved declared values)
        self.intent: TrustIntent = self._intent(
            federated,
            self.subjects if intent_subjects is None else tuple(dict.fromkeys(intent_subjects)),
            extra,
            allow_any_subject,
            declared,
        )
        self.trust_policy_size = self._check_size(self.role_options.trust_policy_quota)
        self._create_role(
            iam.FederatedPrincipal(federated, self.conditions, ASSUME_ACTION),
            default_description=f"Assumed with {self.issuer.name} tokens (federation-as-code)",
        )

    def _intent(
        self,
        federated: str,
        subjects: Sequence[str],
        extra: Mapping[str, Sequence[str]],
        allow_any_subject: bool,
        declared: Mapping[str, Any] | None,
    ) -> TrustIntent:
        """What the user declared, as data (`federation_constructs.proof.intent`)."""

        def wild(values: Sequence[str]) -> bool:
            return any("*" in v or "?" in v for v in values)

        claims = [ClaimIntent(self.issuer.key(self.issuer.audience_claim), tuple(self.audiences))]
        if subjects and not allow_any_subject:
            claims.append(ClaimIntent(self.issuer.key("sub"), tuple(subjects), like=wild(subjects)))
        elif subjects:  # any subject allowed, but the declared patterns still bound it
            claims.append(ClaimIntent(self.issuer.key("sub"), tuple(subjects), like=True))
        for claim, values in extra.items():
            claims.append(ClaimIntent(self.issuer.key(claim), tuple(values), like=wild(values)))
        return TrustIntent(
            kind="oidc",
            federated=federated,
            action=ASSUME_ACTION,
            claims=tuple(claims),
            declared={
                "issuer": self.issuer.name,
                "audiences": list(self.audiences),
                **(dict(declared) if declared else {"subjects": list(subjects)}),
                "session_tags": self.role_options.session_tags,
            },
            opt_ins=self.opt_ins,
            other_actions=self.actions[1:],
            required_keys=tuple(self.issuer.key(c) for c in sorted(self.issuer.required_claims)),
        )

    # --- validation ------------------------------------------------------------------------

    def _check_provider_type(self, provider: object) -> None:
        # jsii interfaces cannot be used with isinstance: an imported provider is a construct with an ARN
        if provider is None or isinstance(provider, OidcProvider):
            return
        if not (hasattr(provider, "node") and isinstance(getattr(provider, "oidc_provider_arn", None), str)):
            raise invalid(
                self,
                "provider",
                provider,
                "an OidcProvider, or an iam.IOidcProvider such as OidcProvider.from_issuer(...)",
            )

    def _resolve_issuer(
        self, issuer: OidcIssuer | str | None, provider: OidcProvider | iam.IOidcProvider | None
    ) -> OidcIssuer:
        known = issuer_of(provider) if provider is not None else None
        if issuer is None:
            if known is None:
                raise invalid(
                    self,
                    "issuer",
                    None,
                    "the token issuer (an OidcIssuer preset or https URL); it can be left out only "
                    "with an OidcProvider or a provider from OidcProvider.from_issuer()",
                )
            return known
        resolved = as_issuer(self, "issuer", issuer)
        if not resolved.needs_provider:
            if provider is not None:
                raise invalid(
                    self,
                    "provider",
                    provider.node.path,
                    f"no provider: {resolved.name} is trusted directly as '{resolved.web_identity_name}'",
                )
            return resolved
        if provider is None:
            raise invalid(
                self,
                "provider",
                None,
                f"the IAM OIDC provider for {resolved.url} (an OidcProvider, or "
                f"OidcProvider.from_issuer() where the account already has one)",
            )
        if known is not None and known.url != resolved.url:
            raise invalid(
                self,
                "provider",
                provider.node.path,
                f"the provider for {resolved.url}; this provider is for {known.url}, so no token "
                f"could ever assume the role",
            )
        return resolved

    def _check_audiences(
        self, audiences: Sequence[str] | None, provider: OidcProvider | iam.IOidcProvider | None
    ) -> tuple[str, ...]:
        field = "audiences"
        values = (
            checked_list(self, field, audiences, "audiences, e.g. ['sts.amazonaws.com']")
            if audiences is not None
            else ([self.issuer.default_audience] if self.issuer.default_audience else [])
        )
        if not values:
            raise invalid(
                self,
                field,
                values,
                f"at least one audience: {self.issuer.name} has no default, and a trust without "
                f"'{self.issuer.key(self.issuer.audience_claim)}' admits every client of the issuer",
            )
        for audience in values:
            if not isinstance(audience, str) or not audience or Token.is_unresolved(audience):
                raise invalid(self, field, audience, "literal, non-empty audiences")
            if has_wildcard(audience):
                raise invalid(self, field, audience, "exact audiences: '*' and '?' are not allowed in an audience")
        if isinstance(provider, OidcProvider):
            unknown = [a for a in values if a not in provider.client_ids]
            if unknown:
                raise invalid(
                    self,
                    field,
                    unknown,
                    f"audiences that provider {provider.node.path} accepts "
                    f"({', '.join(provider.client_ids)}); STS rejects any other audience, so "
                    f"this role could never be assumed",
                )
        return tuple(dict.fromkeys(values))

    def _check_subjects(
        self, subjects: Sequence[str], conditions: Mapping[str, Any] | None, allow_any_subject: bool
    ) -> tuple[str, ...]:
        field = "subjects"
        values = checked_list(self, field, subjects, "subjects")
        if conditions is not None:
            checked_mapping(self, "conditions", conditions, "a dict of claim -> value(s), e.g. {'repository': 'o/r'}")
        if conditions and "sub" in conditions:
            raise invalid(self, "conditions", "sub", "subjects given as `subjects`, not as a condition")
        if "sub" in self.issuer.required_claims and not values and not allow_any_subject:
            raise invalid(
                self,
                field,
                values,
                f"at least one subject ({self.issuer.subject_form or 'the sub claim'}): "
                f"{self.issuer.name} lets callers choose their audience, so without a subject "
                f"every workload of the issuer could assume this role; pass allow_any_subject=True "
                f"only if that is really meant",
            )
        if "sub" not in self.issuer.claims and values:
            raise invalid(self, field, values, f"no subjects: IAM does not evaluate 'sub' for {self.issuer.name}")
        for subject in values:
            if not isinstance(subject, str) or Token.is_unresolved(subject):
                raise invalid(self, field, subject, "literal subject strings")
            if allow_any_subject:
                continue
            if is_only_wildcards(subject):
                raise invalid(
                    self,
                    field,
                    subject,
                    f"a subject that names who may assume the role "
                    f"({self.issuer.subject_form or 'an exact sub value'}); this one matches "
                    f"every token of {self.issuer.name} (allow_any_subject=True to mean it)",
                )
            if self.issuer.subject_owner_pattern is None:
                continue
            owner = self.issuer.owner_of(subject)
            if owner is None:
                raise invalid(self, field, subject, f"the form {self.issuer.subject_form}")
            if not owner or has_wildcard(owner):
                raise invalid(
                    self,
                    field,
                    subject,
                    f"a literal {self.issuer.owner_label} in the subject: a wildcard there admits "
                    f"other {self.issuer.owner_label}s' workloads (allow_any_subject=True to mean it)",
                )
        return tuple(dict.fromkeys(values))

    def _check_conditions(self, conditions: Mapping[str, str | Sequence[str]] | None) -> dict[str, list[str]]:
        checked: dict[str, list[str]] = {}
        offered = sorted(self.issuer.claims - {"sub", self.issuer.audience_claim})
        for claim, raw in (conditions or {}).items():
            if claim == self.issuer.audience_claim:
                raise invalid(self, "conditions", claim, "audiences given as `audiences`, not as a condition")
            if claim not in self.issuer.claims:
                raise invalid(
                    self,
                    "conditions",
                    claim,
                    f"a claim IAM evaluates for {self.issuer.name}: {', '.join(offered) or 'none besides aud and sub'} "
                    f"(AWS ignores other claims, so a condition on one would never match)",
                )
            values = [raw] if isinstance(raw, str) else checked_list(self, f"conditions[{claim!r}]", raw, "values")
            if not values:
                raise invalid(self, f"conditions[{claim!r}]", values, "at least one value")
            for value in values:
                if not isinstance(value, str) or Token.is_unresolved(value) or is_only_wildcards(value):
                    raise invalid(
                        self,
                        f"conditions[{claim!r}]",
                        value,
                        "literal values that restrict the claim (a value of only wildcards restricts nothing)",
                    )
            checked[claim] = values
        return checked

    def _check_size(self, quota: int) -> int:
        """The trust policy's size as IAM will count it, checked against `quota`."""
        stack = Stack.of(self)
        region, account = stack.region, stack.account
        partition = "aws" if unresolved(region) else partition_for_region(region)
        account = "123456789012" if unresolved(account) else account
        federated = self.issuer.web_identity_name or (
            f"arn:{partition}:iam::{account}:oidc-provider/{self.issuer.host_path}"
        )
        return checked_trust_size(
            self,
            federated=federated,
            actions=self.actions,
            conditions=self.conditions,
            quota=quota,
            fix="list fewer subjects, split the role",
        )


def preset_issuer(
    scope: Construct, make: Callable[[], OidcIssuer], fields: Mapping[str, str] | None = None
) -> OidcIssuer:
    """`make()`, with a preset's refusal re-raised under `scope`'s path (and the role's field names)."""
    try:
        return make()
    except PresetValueError as err:
        field = (fields or {}).get(err.field, err.field)
        raise invalid(scope, field, err.value, err.accepted) from None
