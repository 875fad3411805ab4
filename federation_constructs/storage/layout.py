"""Per-user prefixes: access levels, identity sources and the policy statements they make.

Pure data and functions (no constructs), so the statements can be read and tested on their own.
Statements use IAM policy variables, so one policy serves 10 or 10 million users at the same size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from federation_constructs.errors import PresetValueError

__all__ = [
    "AccessLevel",
    "Capability",
    "DENIED_OBJECT_ACTIONS",
    "IdentitySource",
    "LayoutProblem",
    "OBJECT_ACTIONS",
    "deny_other_users_listing",
    "grant_statements",
    "is_bucket_name",
]

Capability = Literal["read", "write", "delete"]

#: The S3 object actions each capability grants.
OBJECT_ACTIONS: dict[str, tuple[str, ...]] = {
    "read": ("s3:GetObject",),
    "write": ("s3:PutObject", "s3:AbortMultipartUpload"),
    "delete": ("s3:DeleteObject",),
}
#: Object actions the defence-in-depth Deny covers on other users' prefixes.
DENIED_OBJECT_ACTIONS = (
    "s3:GetObject*",
    "s3:PutObject*",
    "s3:DeleteObject*",
    "s3:AbortMultipartUpload",
    "s3:RestoreObject",
)


def is_bucket_name(name: object) -> bool:
    """An S3 general purpose bucket name: 3-63 of a-z 0-9 . -, starting and ending with a letter or
    digit, no `..`."""
    return isinstance(name, str) and _BUCKET_NAME_RE.fullmatch(name) is not None and ".." not in name


_BUCKET_NAME_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_ROOT_RE = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
_USER_VARS_REFUSED = {
    "aws:username": "is not set for federated users, so the prefix would never resolve",
    "aws:userid": "ends with the role session name, which a web-identity or SAML caller chooses",
}


class LayoutProblem(PresetValueError):
    """A layout, level or identity source that would give a wrong or unsafe policy.

    A `FederationValidationError`: the message names the function that refused it (`where`, e.g.
    `AccessLevel.custom`), and `field`, `value` and `accepted` let a construct re-raise it under
    its own path."""


@dataclass(frozen=True, kw_only=True)
class IdentitySource:
    """Where a user's id comes from in the request: a policy variable the caller cannot choose.

    - `cognito()`: `${cognito-identity.amazonaws.com:sub}`, the identity id (roles of an identity pool);
    - `saml()`: `${saml:namequalifier}/${saml:sub}`, with `saml:sub_type = persistent` required
      (transient ids change every session); for SAML roles;
    - `principal_tag(key)`: `${aws:PrincipalTag/KEY}`, a session tag (OIDC roles with session
      tags, the federation broker).
    """

    name: str
    #: the policy-variable expression of the user id (may span several path segments)
    variable: str
    #: which trust this source needs: "cognito", "saml" or "tag"
    trust: Literal["cognito", "saml", "tag", "any"]
    #: conditions every statement of this source carries
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def cognito(cls) -> IdentitySource:
        return cls(name="cognito", variable="${cognito-identity.amazonaws.com:sub}", trust="cognito")

    @classmethod
    def saml(cls) -> IdentitySource:
        return cls(
            name="saml",
            variable="${saml:namequalifier}/${saml:sub}",
            trust="saml",
            conditions={"StringEquals": {"saml:sub_type": "persistent"}},
        )

    @classmethod
    def principal_tag(cls, key: str) -> IdentitySource:
        if (
            not isinstance(key, str)
            or not re.fullmatch(r"[\w.:/=+\-@]{1,128}", key, re.ASCII)
            or key.lower().startswith("aws:")
        ):
            raise LayoutProblem(
                "IdentitySource.principal_tag",
                "principal_tag",
                key,
                "a session tag key of 1-128 characters, not starting with 'aws:'",
            )
        # a tag value may contain '/', so 'bob/x' would land inside bob's folder: such values are refused
        return cls(
            name=f"tag:{key}",
            variable=f"${{aws:PrincipalTag/{key}}}",
            trust="tag",
            conditions={"StringNotLike": {f"aws:PrincipalTag/{key}": "*/*"}},
        )

    @classmethod
    def variable_of(cls, key: str, *, allow_caller_chosen_id: bool = False) -> IdentitySource:
        """Any other single policy variable, e.g. `aws:userid`; the two that do not identify a
        federated user are refused unless `allow_caller_chosen_id=True`."""
        where = "IdentitySource.variable_of"
        if not isinstance(key, str):
            raise LayoutProblem(where, "identity_source", key, "a condition key such as 'aws:PrincipalTag/user'")
        if not isinstance(allow_caller_chosen_id, bool):
            raise LayoutProblem(where, "allow_caller_chosen_id", allow_caller_chosen_id, "True or False")
        reason = _USER_VARS_REFUSED.get(key.lower())
        if reason and not allow_caller_chosen_id:
            raise LayoutProblem(
                where,
                "identity_source",
                f"${{{key}}}",
                f"an id the caller cannot choose (cognito, saml or a principal tag): "
                f"${{{key}}} {reason} (allow_caller_chosen_id=True to mean it)",
            )
        if not re.fullmatch(r"[A-Za-z0-9-]+:[\w/.-]+", key, re.ASCII):
            raise LayoutProblem(where, "identity_source", key, "a condition key such as 'aws:PrincipalTag/user'")
        return cls(name=f"var:{key}", variable=f"${{{key}}}", trust="any")


#: public has no user segment, so its statements need no identity source and carry no conditions
_NO_SOURCE = IdentitySource(name="none", variable="", trust="any")


@dataclass(frozen=True, kw_only=True)
class AccessLevel:
    """A part of the bucket and who reaches it.

    - `public()`: `public/` - every signed-in user reads and writes; guests read if granted;
    - `protected()`: `protected/<id>/` - the owner writes, every signed-in user reads;
    - `private()`: `private/<id>/` - the owner only;
    - `custom("home/{id}/")`: an owner-only layout of your own; `{id}` must be a whole segment
      followed by `/` (without it, user `abc` would also reach `abcd/`).
    """

    name: str
    #: the fixed part before the user segment, e.g. "private"
    root: str
    #: whether the level has one folder per user
    per_user: bool
    #: whether every signed-in user may read all users' folders (protected)
    shared_read: bool = False

    @classmethod
    def public(cls) -> AccessLevel:
        return cls(name="public", root="public", per_user=False)

    @classmethod
    def protected(cls) -> AccessLevel:
        return cls(name="protected", root="protected", per_user=True, shared_read=True)

    @classmethod
    def private(cls) -> AccessLevel:
        return cls(name="private", root="private", per_user=True)

    @classmethod
    def custom(cls, template: str) -> AccessLevel:
        """An owner-only level from a template such as `home/{id}/`."""
        where = "AccessLevel.custom"
        if not isinstance(template, str) or any(c in template for c in "*?$"):
            raise LayoutProblem(
                where, "layout", template, "a prefix template without wildcards or '$', e.g. 'home/{id}/'"
            )
        if template.count("{id}") != 1 or not template.endswith("{id}/"):
            raise LayoutProblem(
                where,
                "layout",
                template,
                "a template that ends with '{id}/', e.g. 'home/{id}/': the user segment must be "
                "followed by '/', or user 'abc' also reaches 'abcd/'",
            )
        root = template[: -len("/{id}/")] if template != "{id}/" else ""
        if not _ROOT_RE.fullmatch(root) or root.split("/")[0] in ("public", "protected", "private"):
            raise LayoutProblem(
                where,
                "layout",
                template,
                "a root of letters, digits, '.', '_', '-' segments before '/{id}/' that is not "
                "public, protected or private nor below them (everyone reaches public/ and reads "
                "protected/)",
            )
        return cls(name=root, root=root, per_user=True)

    @classmethod
    def named(cls, name: str) -> AccessLevel:
        """`public`, `protected`, `private`, or a custom template such as `home/{id}/`."""
        presets = {"public": cls.public, "protected": cls.protected, "private": cls.private}
        if isinstance(name, str) and name in presets:
            return presets[name]()
        if isinstance(name, str) and "{id}" in name:
            return cls.custom(name)
        raise LayoutProblem(
            "AccessLevel.named", "level", name, "public, protected, private, or a template such as 'home/{id}/'"
        )

    def user_prefix(self, source: IdentitySource) -> str:
        """`<root>/<id>/` for per-user levels, `<root>/` for public."""
        return f"{self.root}/{source.variable}/" if self.per_user else f"{self.root}/"


def _actions(capabilities: Iterable[str]) -> list[str]:
    where = "grant_statements"
    if isinstance(capabilities, str) or not isinstance(capabilities, Iterable):
        raise LayoutProblem(where, "actions", capabilities, "a list such as ['read', 'write']")
    actions: list[str] = []
    for capability in capabilities:
        if not isinstance(capability, str) or capability not in OBJECT_ACTIONS:
            raise LayoutProblem(where, "actions", capability, "read, write and/or delete")
        actions.extend(OBJECT_ACTIONS[capability])
    if not actions:
        raise LayoutProblem(where, "actions", [], "at least one of read, write, delete")
    return list(dict.fromkeys(actions))


def _check_level_and_source(where: str, level: object, source: object) -> None:
    if not isinstance(level, AccessLevel):
        raise LayoutProblem(where, "level", level, "an AccessLevel, e.g. AccessLevel.private()")
    if source is not None and not isinstance(source, IdentitySource):
        raise LayoutProblem(where, "source", source, "IdentitySource.cognito(), .saml() or .principal_tag(key)")


def _statement(sid: str, actions: list[str], resources: list[str], conditions: Mapping[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions if len(actions) > 1 else actions[0],
        "Resource": resources if len(resources) > 1 else resources[0],
    }
    if conditions:
        statement["Condition"] = {op: dict(keys) for op, keys in conditions.items()}
    return statement


def _with(
    conditions: Mapping[str, Mapping[str, Any]], extra: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {op: dict(keys) for op, keys in conditions.items()}
    for op, keys in extra.items():
        merged.setdefault(op, {}).update(keys)
    return merged


def grant_statements(
    *,
    bucket_arn: str,
    level: AccessLevel,
    source: IdentitySource | None,
    capabilities: Iterable[str],
    browse: bool = False,
    sid_prefix: str = "",
) -> list[dict[str, Any]]:
    """The Allow statements for one level: objects under the user's prefix, and listing of exactly
    the prefixes the user may see (each with its trailing '/'). `source` may be None for `public`."""
    _check_level_and_source("grant_statements", level, source)
    actions = _actions(capabilities)
    if source is None or not level.per_user:
        if level.per_user:
            raise LayoutProblem(
                "grant_statements", "source", None, f"an identity source: level {level.name!r} has one folder per user"
            )
        source = _NO_SOURCE
    own = level.user_prefix(source)
    tag = f"{sid_prefix}{re.sub(r'[^A-Za-z0-9]', '', level.name.title())}"
    statements: list[dict[str, Any]] = []
    if level.shared_read:
        # protected: the owner has the capabilities on its own folder; everyone reads the level
        statements.append(_statement(f"{tag}Own", actions, [f"{bucket_arn}/{own}*"], source.conditions))
        statements.append(
            _statement(
                f"{tag}ReadAll", list(OBJECT_ACTIONS["read"]), [f"{bucket_arn}/{level.root}/*"], source.conditions
            )
        )
        listed = [f"{level.root}/", f"{level.root}/*"]
    else:
        statements.append(_statement(f"{tag}Objects", actions, [f"{bucket_arn}/{own}*"], source.conditions))
        listed = [own, f"{own}*"]
    statements.append(
        _statement(
            f"{tag}List",
            ["s3:ListBucket"],
            [bucket_arn],
            _with(source.conditions, {"StringLike": {"s3:prefix": listed}}),
        )
    )
    if browse:
        # the bucket root and the level root, one level deep only: without the delimiter a
        # caller could list every key below - other users' file names included
        statements.append(
            _statement(
                f"{tag}Browse",
                ["s3:ListBucket"],
                [bucket_arn],
                _with(source.conditions, {"StringEquals": {"s3:prefix": ["", f"{level.root}/"], "s3:delimiter": "/"}}),
            )
        )
    return statements


def deny_other_users_listing(
    *, bucket_arn: str, level: AccessLevel, source: IdentitySource, browse: bool = False, sid_prefix: str = ""
) -> dict[str, Any] | None:
    """An explicit Deny on listing other users' folders of a per-user, owner-only level."""
    _check_level_and_source("deny_other_users_listing", level, source)
    if not level.per_user or level.shared_read:
        return None
    own = level.user_prefix(source)
    allowed = [own, f"{own}*"] + ([f"{level.root}/"] if browse else [])
    return {
        "Sid": f"{sid_prefix}{re.sub(r'[^A-Za-z0-9]', '', level.name.title())}DenyOthersList",
        "Effect": "Deny",
        "Action": "s3:ListBucket",
        "Resource": bucket_arn,
        "Condition": {"StringLike": {"s3:prefix": [f"{level.root}/*"]}, "StringNotLike": {"s3:prefix": allowed}},
    }
