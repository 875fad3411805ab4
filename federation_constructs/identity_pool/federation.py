"""`IdentityPoolFederation`: a Cognito identity pool whose roles trust exactly this pool."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from aws_cdk import Duration, Token
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from constructs import Construct

from federation_constructs.errors import checked_bool, checked_list, checked_mapping, invalid
from federation_constructs.federated_role import checked_description, checked_role_path, checked_session_duration
from federation_constructs.identity_pool.logins import SOCIAL_PROVIDERS, CognitoLogin, IdentityPoolLogins
from federation_constructs.naming import default_role_name
from federation_constructs.proof.intent import TrustIntent, cognito_intent

__all__ = ["COGNITO_IDENTITY", "IdentityPoolFederation", "MappingRule", "RoleMapping", "guest_statement_problem"]

COGNITO_IDENTITY = "cognito-identity.amazonaws.com"
ASSUME_ACTION = "sts:AssumeRoleWithWebIdentity"
TAG_SESSION_ACTION = "sts:TagSession"

# Action names that read (the part after "service:"); anything else may change something.
_READ_VERBS = ("Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet", "Select", "Search", "Lookup", "View")
_ACTION_RE = re.compile(r"\*|[a-z0-9-]+:[A-Za-z0-9*?]+")
# a named resource: no wildcard at all, or one trailing "/*" after a literal path
_NAMED_RESOURCE = re.compile(r"arn:[^*?]+(/\*)?")
_TAG_KEY_RE = re.compile(r"[\w.:/=+\-@]{1,128}")
_POOL_NAME_RE = re.compile(r"[\w ]{1,128}")
_PREFIX_RE = re.compile(r"[A-Za-z0-9+=,.@_-]{1,128}")


@dataclass(frozen=True, kw_only=True)
class MappingRule:
    """Users whose token `claim` matches `value` get `role` (a role from `add_mapped_role`)."""

    claim: str
    match_type: Literal["Equals", "Contains", "StartsWith", "NotEqual"]
    value: str
    role: iam.IRole


@dataclass(frozen=True, kw_only=True)
class RoleMapping:
    """How users of one provider get a role: from their token (`cognito:preferred_role`, Cognito
    groups) or from rules; when nothing decides, `ambiguous` says what happens (Deny by default)."""

    provider: str
    type: Literal["Token", "Rules"]
    rules: Sequence[MappingRule] = ()
    ambiguous: Literal["Deny", "AuthenticatedRole"] = "Deny"


def guest_statement_problem(
    statement: iam.PolicyStatement, *, allow_write: bool, allow_wildcards: bool
) -> tuple[str, object] | None:
    """(field, value) of the first thing in a guest statement that needs an opt-in, or None."""
    if statement.effect == iam.Effect.DENY:
        return None
    if statement.not_actions or statement.not_resources:
        return ("statements", "NotAction/NotResource")
    for action in statement.actions:
        if not allow_wildcards and ("*" in action or "?" in action):
            return ("actions", action)
        if not _ACTION_RE.fullmatch(action):
            return ("actions", action)
        verb = action.split(":", 1)[-1]
        if not allow_write and (action == "*" or not verb.startswith(_READ_VERBS)):
            return ("actions", action)
    for resource in statement.resources:
        if not allow_wildcards and not _NAMED_RESOURCE.fullmatch(resource):
            return ("resources", resource)
    return None


class IdentityPoolFederation(Construct):
    """A Cognito identity pool and the roles it hands out, each trusting exactly this pool.

    Every role's trust: `Federated: cognito-identity.amazonaws.com`, `sts:AssumeRoleWithWebIdentity`
    (and `sts:TagSession` when principal tags are mapped), `StringEquals
    cognito-identity.amazonaws.com:aud = <this pool's id>` and `ForAnyValue:StringLike
    cognito-identity.amazonaws.com:amr = authenticated` (signed-in roles) or `unauthenticated`
    (the guest role). Without the `aud` condition any identity pool in any account could assume it.

    Secure by default: no guest access and no guest role unless `allow_guest=True`; the guest role
    starts with no permissions, and guest statements with write actions (`allow_guest_write`) or
    `*` actions/resources (`allow_guest_wildcards`) need an opt-in; the classic (basic) flow is
    off (`classic_flow=True` needs `allow_classic_flow=True`: it lets clients call STS directly for
    any role that trusts the pool, bypassing role mapping); ambiguous role mappings deny.

    Built on the L1 resources, not `aws_cognito_identitypool.IdentityPool`, which always creates a
    guest role and attaches it.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        logins: IdentityPoolLogins,
        identity_pool_name: str | None = None,
        allow_guest: bool = False,
        guest_statements: Sequence[iam.PolicyStatement] = (),
        allow_guest_write: bool = False,
        allow_guest_wildcards: bool = False,
        classic_flow: bool = False,
        allow_classic_flow: bool = False,
        principal_tags: Mapping[str, Mapping[str, str]] | None = None,
        max_session_duration: Duration | None = None,
        role_name_prefix: str | None = None,
        role_path: str | None = None,
    ) -> None:
        """Create the pool, its authenticated role and (only with `allow_guest`) its guest role.

        :param logins: the identity providers users sign in with.
        :param role_name_prefix: name the pool's roles `<prefix>-Authenticated`, `<prefix>-Guest` and
            `<prefix>-<mapped role id>` (by `federation_constructs.naming.default_role_name`), so the
            app's configuration can name them before the first deploy; default: generated names.
        :param role_path: the roles' IAM path, e.g. `/apps/` (default `/`).
        :param guest_statements: the guest role's permissions (read-only unless opted in).
        :param principal_tags: provider name -> {session tag key: token claim} (ABAC); policies then
            use `${aws:PrincipalTag/KEY}`.
        """
        super().__init__(scope, id)
        for name, flag in (
            ("allow_guest", allow_guest),
            ("allow_guest_write", allow_guest_write),
            ("allow_guest_wildcards", allow_guest_wildcards),
            ("classic_flow", classic_flow),
            ("allow_classic_flow", allow_classic_flow),
        ):
            checked_bool(self, name, flag)
        if identity_pool_name is not None and (
            not isinstance(identity_pool_name, str)
            or (not Token.is_unresolved(identity_pool_name) and not _POOL_NAME_RE.fullmatch(identity_pool_name))
        ):
            raise invalid(
                self,
                "identity_pool_name",
                identity_pool_name,
                "1-128 letters, digits, '_' and spaces (or None: generated)",
            )
        self._check_logins(logins, allow_guest)
        if role_name_prefix is not None and (
            not isinstance(role_name_prefix, str) or not _PREFIX_RE.fullmatch(role_name_prefix)
        ):
            raise invalid(
                self,
                "role_name_prefix",
                role_name_prefix,
                "1-128 letters, digits and + = , . @ _ - (or None: generated)",
            )
        self._role_path = checked_role_path(self, "role_path", role_path)
        self._role_name_prefix = role_name_prefix
        guest_statements = checked_list(self, "guest_statements", guest_statements, "iam.PolicyStatement")
        for statement in guest_statements:
            if not isinstance(statement, iam.PolicyStatement):
                raise invalid(self, "guest_statements", statement, "iam.PolicyStatement objects")
        if classic_flow and not allow_classic_flow:
            raise invalid(
                self,
                "classic_flow",
                True,
                "False, or allow_classic_flow=True as well: the classic (basic) flow lets any client "
                "call AssumeRoleWithWebIdentity for any role that trusts this pool, bypassing role "
                "mapping and the pool's choice of role",
            )
        if guest_statements and not allow_guest:
            raise invalid(
                self,
                "guest_statements",
                f"{len(guest_statements)} statements",
                "no guest statements without allow_guest=True",
            )
        for statement in guest_statements:
            problem = guest_statement_problem(
                statement, allow_write=allow_guest_write, allow_wildcards=allow_guest_wildcards
            )
            if problem:
                field, value = problem
                raise invalid(
                    self,
                    f"guest_statements.{field}",
                    value,
                    "read-only guest permissions on named resources (Get*, List*, Describe*, ... on "
                    "ARNs): write actions need allow_guest_write=True, '*' in actions or a '*' "
                    "resource needs allow_guest_wildcards=True, NotAction/NotResource is refused",
                )
        self.logins = logins
        self.principal_tags: dict[str, dict[str, str]] = self._check_principal_tags(
            {} if principal_tags is None else principal_tags
        )
        self.session_tags = bool(self.principal_tags)
        self._duration = checked_session_duration(self, max_session_duration)
        self.opt_ins: tuple[str, ...] = tuple(
            name
            for name, used in (
                ("allow_guest", allow_guest),
                ("allow_guest_write", allow_guest_write),
                ("allow_guest_wildcards", allow_guest_wildcards),
                ("allow_classic_flow", allow_classic_flow),
            )
            if used
        )

        #: role construct path -> what the role is meant to admit (`federation_constructs.proof.intent`)
        self.intents_by_role: dict[str, TrustIntent] = {}
        self.pool = cognito.CfnIdentityPool(
            self,
            "Pool",
            identity_pool_name=identity_pool_name,
            allow_unauthenticated_identities=allow_guest,
            allow_classic_flow=classic_flow,
            cognito_identity_providers=[
                cognito.CfnIdentityPool.CognitoIdentityProviderProperty(
                    provider_name=c.provider_name,
                    client_id=c.client_id,
                    server_side_token_check=c.server_side_token_check,
                )
                for c in logins.cognito
            ]
            or None,
            supported_login_providers=logins.social() or None,
            open_id_connect_provider_arns=[IdentityPoolLogins.arn_of(p) for p in logins.oidc_providers] or None,
            saml_provider_arns=[IdentityPoolLogins.arn_of(p) for p in logins.saml_providers] or None,
        )
        self.authenticated_role = self._role(
            "AuthenticatedRole", "authenticated", "signed-in users of the identity pool"
        )
        self.guest_role: iam.Role | None = None
        if allow_guest:
            self.guest_role = self._role("GuestRole", "unauthenticated", "guests (not signed in) of the identity pool")
            for statement in guest_statements:
                self.guest_role.add_to_policy(statement)
        self.mapped_roles: dict[str, iam.Role] = {}
        self._mappings: list[RoleMapping] = []
        roles = {"authenticated": self.authenticated_role.role_arn}
        if self.guest_role is not None:
            roles["unauthenticated"] = self.guest_role.role_arn
        self.attachment = cognito.CfnIdentityPoolRoleAttachment(
            self, "Roles", identity_pool_id=self.pool.ref, roles=roles
        )
        for index, (provider, tags) in enumerate(self.principal_tags.items()):
            cognito.CfnIdentityPoolPrincipalTag(
                self,
                f"PrincipalTags{index}",
                identity_pool_id=self.pool.ref,
                identity_provider_name=provider,
                principal_tags=dict(tags),
                use_defaults=False,
            )

    # --- roles ------------------------------------------------------------------------------

    @property
    def opt_ins_by_role(self) -> dict[str, list[str]]:
        """Role construct path -> the opt-ins that shape what its sessions get (for reports): guest
        opt-ins on the guest role, the classic flow on every role."""
        classic = [o for o in self.opt_ins if o == "allow_classic_flow"]
        found = {self.authenticated_role.node.path: list(classic)}
        for role in self.mapped_roles.values():
            found[role.node.path] = list(classic)
        if self.guest_role is not None:
            found[self.guest_role.node.path] = [o for o in self.opt_ins if o.startswith("allow_guest")] + classic
        return {path: names for path, names in found.items() if names}

    @property
    def identity_pool_id(self) -> str:
        """The pool's id (`REGION:GUID`)."""
        return self.pool.ref

    def trust_conditions(self, amr: str) -> dict[str, dict[str, str]]:
        """The exact trust conditions for roles of this pool: its id, and the sign-in state."""
        return {
            "StringEquals": {f"{COGNITO_IDENTITY}:aud": self.pool.ref},
            "ForAnyValue:StringLike": {f"{COGNITO_IDENTITY}:amr": amr},
        }

    def _role(self, id: str, amr: str, who: str) -> iam.Role:
        trust = iam.FederatedPrincipal(COGNITO_IDENTITY, self.trust_conditions(amr), ASSUME_ACTION)
        principal: iam.IPrincipal = trust.with_session_tags() if self.session_tags else trust
        name = None
        if self._role_name_prefix is not None:
            name = default_role_name(self._role_name_prefix, id.removesuffix("Role"), path=self._role_path)
        role = iam.Role(
            self,
            id,
            assumed_by=principal,
            max_session_duration=self._duration,
            description=f"Assumed by {who} (federation-as-code)",
            role_name=name,
            path=self._role_path,
        )
        self.intents_by_role[role.node.path] = cognito_intent(
            self.pool.ref, amr, session_tags=self.session_tags, opt_ins=self.opt_ins
        )
        return role

    def add_mapped_role(self, id: str, *, description: str | None = None) -> iam.Role:
        """A role for role mappings, with the same exact trust as the authenticated role."""
        if not isinstance(id, str) or not id.strip() or "/" in id:
            raise invalid(self, "id", id, "a construct id: a non-empty string without '/', e.g. 'Editors'")
        checked_description(self, "description", description)
        if id in self.mapped_roles or self.node.try_find_child(id) is not None:
            raise invalid(self, "id", id, "a mapped-role id not used yet in this pool")
        role = self._role(id, "authenticated", description or f"signed-in users mapped to {id}")
        self.mapped_roles[id] = role
        return role

    def add_role_mapping(self, mapping: RoleMapping) -> None:
        """Map the users of one provider to roles by token or by rules (ambiguous: Deny by default)."""
        if not isinstance(mapping, RoleMapping):
            raise invalid(self, "role_mappings", mapping, "a RoleMapping(provider=..., type='Token' or 'Rules', ...)")
        rules = checked_list(self, "role_mappings.rules", mapping.rules, "MappingRule")
        for rule in rules:
            if not isinstance(rule, MappingRule):
                raise invalid(
                    self, "role_mappings.rules", rule, "MappingRule(claim=..., match_type=..., value=..., role=...)"
                )
            for attr in ("claim", "value"):
                if not isinstance(getattr(rule, attr), str):
                    raise invalid(self, f"role_mappings.rules.{attr}", getattr(rule, attr), f"the {attr}, a string")
            if not isinstance(getattr(rule.role, "role_arn", None), str) or not hasattr(rule.role, "node"):
                raise invalid(self, "role_mappings.rules.role", rule.role, "a role from add_mapped_role()")
        known = self.logins.provider_names()
        if not isinstance(mapping.provider, str) or mapping.provider not in known:
            raise invalid(
                self,
                "role_mappings.provider",
                mapping.provider,
                f"a provider of this pool ({', '.join(sorted(known)) or 'none'}); role mappings are "
                f"supported for Cognito user pool clients (`<provider name>:<client id>`) and Google, "
                f"Facebook, Amazon and Apple",
            )
        if any(m.provider == mapping.provider for m in self._mappings):
            raise invalid(self, "role_mappings.provider", mapping.provider, "one role mapping per provider")
        if mapping.type not in ("Token", "Rules"):
            raise invalid(self, "role_mappings.type", mapping.type, "'Token' or 'Rules'")
        if mapping.ambiguous not in ("Deny", "AuthenticatedRole"):
            raise invalid(self, "role_mappings.ambiguous", mapping.ambiguous, "'Deny' or 'AuthenticatedRole'")
        if (mapping.type == "Rules") != bool(rules):
            raise invalid(
                self,
                "role_mappings.rules",
                f"{len(rules)} rules",
                "rules (1-25) for a Rules mapping, none for a Token mapping",
            )
        if len(rules) > 25:
            raise invalid(self, "role_mappings.rules", f"{len(rules)} rules", "at most 25 rules")
        own = {r.role_arn for r in self.mapped_roles.values()} | {self.authenticated_role.role_arn}
        for rule in rules:
            if rule.role.role_arn not in own:
                raise invalid(
                    self,
                    "role_mappings.rules.role",
                    rule.role.node.path,
                    "a role from add_mapped_role() (or the authenticated role): a mapped role must "
                    "trust exactly this pool",
                )
            if (
                not rule.claim
                or not rule.value
                or rule.match_type not in ("Equals", "Contains", "StartsWith", "NotEqual")
            ):
                raise invalid(
                    self,
                    "role_mappings.rules",
                    f"{rule.claim} {rule.match_type} {rule.value}",
                    "a claim, a match type (Equals, Contains, StartsWith, NotEqual) and a value",
                )
        self._mappings.append(mapping)
        self.attachment.add_property_override("RoleMappings", self.role_mappings_json())

    # --- checks -------------------------------------------------------------------------------

    def _check_logins(self, logins: IdentityPoolLogins, allow_guest: bool) -> None:
        if not isinstance(logins, IdentityPoolLogins):
            raise invalid(self, "logins", logins, "IdentityPoolLogins(...), e.g. IdentityPoolLogins(cognito=[...])")
        cognito_logins = checked_list(self, "logins.cognito", logins.cognito, "CognitoLogin")
        for index, login in enumerate(cognito_logins):
            if not isinstance(login, CognitoLogin):
                raise invalid(
                    self,
                    f"logins.cognito[{index}]",
                    login,
                    "CognitoLogin(provider_name=..., client_id=...) or CognitoLogin.from_user_pool(...)",
                )
            for attr in ("provider_name", "client_id"):
                if not isinstance(getattr(login, attr), str) or not getattr(login, attr):
                    raise invalid(self, f"logins.cognito[{index}].{attr}", getattr(login, attr), "a non-empty string")
            checked_bool(self, f"logins.cognito[{index}].server_side_token_check", login.server_side_token_check)
        for kind, accepted in (
            ("oidc_providers", "OidcProvider or iam.IOidcProvider objects"),
            ("saml_providers", "SamlProvider or iam.ISamlProvider objects"),
        ):
            arn_attr = "oidc_provider_arn" if kind == "oidc_providers" else "saml_provider_arn"
            for provider in checked_list(self, f"logins.{kind}", getattr(logins, kind), accepted):
                if not (hasattr(provider, "node") and isinstance(getattr(provider, arn_attr, None), str)):
                    raise invalid(self, f"logins.{kind}", provider, accepted)
        if logins.is_empty() and not allow_guest:
            raise invalid(
                self,
                "logins",
                "no identity providers",
                "at least one identity provider (or allow_guest=True): with neither, no one can use the pool",
            )
        for attr, (_, pattern, accepted) in SOCIAL_PROVIDERS.items():
            value = getattr(logins, attr)
            if value is not None and (
                not isinstance(value, str) or Token.is_unresolved(value) or not pattern.fullmatch(value)
            ):
                raise invalid(self, f"logins.{attr}", value, accepted)
        keys = [c.mapping_key for c in logins.cognito]
        if len(set(keys)) != len(keys):
            duplicate = next(k for k in keys if keys.count(k) > 1)
            raise invalid(self, "logins.cognito", duplicate, "each user pool client once")
        for kind in ("oidc_providers", "saml_providers"):
            paths = [getattr(p, "node", None) and p.node.path for p in getattr(logins, kind)]
            if len(set(paths)) != len(paths):
                duplicate_path = next(p for p in paths if paths.count(p) > 1)
                raise invalid(self, f"logins.{kind}", duplicate_path, "each provider once")

    def _check_principal_tags(self, tags: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
        known = self.logins.provider_names() | {c.provider_name for c in self.logins.cognito}
        checked: dict[str, dict[str, str]] = {}
        checked_mapping(self, "principal_tags", tags, "a dict of provider name -> {session tag key: token claim}")
        for provider, mapping in tags.items():
            if not isinstance(provider, str) or provider not in known:
                raise invalid(
                    self, "principal_tags", provider, f"a provider of this pool: {', '.join(sorted(known)) or 'none'}"
                )
            checked_mapping(self, f"principal_tags[{provider!r}]", mapping, "a dict of session tag key -> token claim")
            if not mapping or len(mapping) > 50:
                raise invalid(self, f"principal_tags[{provider!r}]", dict(mapping), "1-50 tag -> claim entries")
            for key, claim in mapping.items():
                if (
                    not isinstance(key, str)
                    or not _TAG_KEY_RE.fullmatch(key)
                    or key.lower().startswith("aws:")
                    or not isinstance(claim, str)
                    or not claim
                ):
                    raise invalid(
                        self,
                        f"principal_tags[{provider!r}]",
                        key,
                        "session tag keys of 1-128 characters, not starting with 'aws:', each mapped to a token claim",
                    )
            checked[provider] = dict(mapping)
        return checked

    def role_mappings_json(self) -> dict[str, dict[str, object]] | None:
        """The `RoleMappings` property as CloudFormation receives it (None when there are none)."""
        if not self._mappings:
            return None
        result: dict[str, dict[str, object]] = {}
        for index, mapping in enumerate(self._mappings):
            entry: dict[str, object] = {
                "Type": mapping.type,
                "AmbiguousRoleResolution": mapping.ambiguous,
                "IdentityProvider": mapping.provider,
            }
            if mapping.rules:
                entry["RulesConfiguration"] = {
                    "Rules": [
                        {"Claim": r.claim, "MatchType": r.match_type, "Value": r.value, "RoleARN": r.role.role_arn}
                        for r in mapping.rules
                    ]
                }
            # a template's map keys must be literal: a created user pool's name is a token
            key = mapping.provider if not Token.is_unresolved(mapping.provider) else f"Provider{index}"
            result[key] = entry
        return result
