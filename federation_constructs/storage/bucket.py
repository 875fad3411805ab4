"""`UserPrefixStorage`: one bucket of user data, where each federated user reaches only their folder."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import reduce
from typing import TYPE_CHECKING, Any, Literal

from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from federation_constructs.errors import checked_bool, invalid, unresolved
from federation_constructs.policy.document import flatten
from federation_constructs.rules.acknowledge import acknowledge, acknowledge_all
from federation_constructs.storage.layout import (
    DENIED_OBJECT_ACTIONS,
    AccessLevel,
    IdentitySource,
    LayoutProblem,
    deny_other_users_listing,
    grant_statements,
    is_bucket_name,
)
from federation_constructs.storage.trust import TrustSummary, summarize_trust, underlying_role

if TYPE_CHECKING:  # imported where a key is created: aws_kms costs ~40 ms to import, most buckets have none
    from aws_cdk import aws_kms as kms

__all__ = ["NONCURRENT_VERSION_EXPIRATION", "UserPrefixStorage"]

_SECOND_FENCE_REASON = (
    "The Deny on other users' folders is a second fence: each role's identity policy alone grants only the "
    "user's own folder (the documented place for the variable). If the variable does not resolve in the bucket "
    "policy, either the statement is void (the identity policy still fences) or the Deny also covers the user's "
    "own folder (users are locked out: an outage found at first use, never another user's data)."
)

#: How long a replaced or deleted object version is kept by default.
NONCURRENT_VERSION_EXPIRATION = Duration.days(90)

_SOURCE_TRUST = {
    "cognito": ("cognito", "a Cognito identity pool role (its sessions carry cognito-identity.amazonaws.com:sub)"),
    "saml": ("saml", "a SAML role (its sessions carry saml:namequalifier and saml:sub)"),
}
_WILDCARD_REASON = (
    "Per-user prefix: the object wildcard stays below the caller's own folder, selected by a policy "
    "variable the caller cannot choose (federation-as-code UserPrefixStorage)"
)


class UserPrefixStorage(Construct):
    """A user-data bucket, secure by default, and the grants that give each user their own folder.

    The bucket: Block Public Access on all four settings, a TLS-only bucket policy (TLS 1.2 or
    newer), SSE-S3 encryption (or a KMS key with `encryption="kms"`), versioning, object ownership
    enforced (ACLs off), server access logs to a log bucket it creates (or `access_logs_bucket`),
    removal policy RETAIN and no auto-delete. `UserPrefixStorage.from_bucket_name` grants on a bucket
    that exists already.

    Grants follow the Amplify storage layout (`public/`, `protected/<id>/`, `private/<id>/`) or a
    custom `home/<id>/` one; see `grant_user_prefix`.
    """

    #: the user-data bucket (an imported one for `from_bucket_name`)
    bucket: s3.IBucket
    #: where server access logs go (None for an imported bucket)
    log_bucket: s3.IBucket | None
    #: the bucket's KMS key, with encryption="kms" (or the imported bucket's key)
    encryption_key: kms.IKey | None

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        encryption: Literal["s3", "kms"] = "s3",
        encryption_key: kms.IKey | None = None,
        access_logs_bucket: s3.IBucket | None = None,
        access_logs_prefix: str = "user-data/",
        bucket_name: str | None = None,
        noncurrent_version_expiration: Duration | None = NONCURRENT_VERSION_EXPIRATION,
    ) -> None:
        """Create the bucket (and its log bucket).

        :param encryption: "s3" (SSE-S3, the default) or "kms" (a customer managed key with
            rotation, or `encryption_key`).
        :param access_logs_bucket: where server access logs go; default a log bucket created here.
        :param bucket_name: a fixed name; default a generated one (safer for several deployments).
        :param noncurrent_version_expiration: how long overwritten or deleted versions are kept, in
            whole days (None keeps them forever).
        """
        super().__init__(scope, id)
        # Server access logs through a bucket policy (not the LogDeliveryWrite ACL, which object
        # ownership "enforced" forbids), whatever the app's feature flags say; set before any child.
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        self._start_grants(imported=False)
        if encryption not in ("s3", "kms"):
            raise invalid(self, "encryption", encryption, "'s3' (SSE-S3, the default) or 'kms'")
        if encryption_key is not None and encryption != "kms":
            raise invalid(self, "encryption_key", encryption_key, "no key unless encryption='kms'")
        self._check_key(encryption_key)
        if access_logs_bucket is not None and not (
            isinstance(getattr(access_logs_bucket, "bucket_arn", None), str) and hasattr(access_logs_bucket, "node")
        ):
            raise invalid(
                self,
                "access_logs_bucket",
                access_logs_bucket,
                "an s3.IBucket, e.g. s3.Bucket.from_bucket_name(...) (or None: a log bucket is created)",
            )
        if bucket_name is not None:
            self._check_bucket_name("bucket_name", bucket_name)
        if not isinstance(access_logs_prefix, str) or (access_logs_prefix and not access_logs_prefix.endswith("/")):
            raise invalid(self, "access_logs_prefix", access_logs_prefix, "a prefix ending with '/', e.g. 'user-data/'")
        self._check_expiration(noncurrent_version_expiration)

        if encryption == "kms":
            from aws_cdk import aws_kms as kms

            self.encryption_key = encryption_key or kms.Key(
                self,
                "Key",
                enable_key_rotation=True,
                removal_policy=RemovalPolicy.RETAIN,
                description="Encrypts the per-user data bucket (federation-as-code)",
            )
        if access_logs_bucket is None:
            created = s3.Bucket(
                self,
                "AccessLogs",
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                minimum_tls_version=1.2,
                encryption=s3.BucketEncryption.S3_MANAGED,
                versioned=True,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                removal_policy=RemovalPolicy.RETAIN,
            )
            acknowledge(
                created,
                "AwsSolutions-S1",
                "This is the access-log bucket of the user-data bucket; logging it into itself "
                "or another bucket would only log the logging",
            )
            access_logs_bucket = created
            self.log_bucket = created
        else:
            self.log_bucket = access_logs_bucket
        lifecycle = (
            [s3.LifecycleRule(id="ExpireOldVersions", noncurrent_version_expiration=noncurrent_version_expiration)]
            if noncurrent_version_expiration is not None
            else None
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=bucket_name,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            encryption=s3.BucketEncryption.KMS if self.encryption_key else s3.BucketEncryption.S3_MANAGED,
            encryption_key=self.encryption_key,
            bucket_key_enabled=True if self.encryption_key else None,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs_bucket,
            server_access_logs_prefix=access_logs_prefix or None,
            removal_policy=RemovalPolicy.RETAIN,
            auto_delete_objects=False,
            lifecycle_rules=lifecycle,
        )

    @classmethod
    def from_bucket_name(
        cls, scope: Construct, id: str, bucket_name: str, *, encryption_key: kms.IKey | None = None
    ) -> UserPrefixStorage:
        """Grant per-user folders on a bucket that exists already (its settings are not changed).

        Without a bucket policy to add to, the per-object Deny on other users' folders is not
        added; the listing Deny (in the role's policy) and the exact Allow statements still are.

        :param encryption_key: the bucket's KMS key, if it has one: grants then allow its use
            through S3.
        """
        return _ImportedUserPrefixStorage(scope, id, bucket_name=bucket_name, encryption_key=encryption_key)

    def _start_grants(self, *, imported: bool) -> None:
        """The state every grant reads and writes, before any check or child."""
        #: whether the bucket exists already (`from_bucket_name`): no bucket policy is added
        self.imported = imported
        self._grants: dict[str, set[str]] = {}
        self._roots: set[str] = set()
        self._key_modes: dict[str, set[str]] = {}
        #: role construct path -> opt-ins used in its grants (for reports)
        self.opt_ins_by_role: dict[str, list[str]] = {}
        self._object_denies: list[tuple[iam.PolicyStatement, str]] = []
        self.log_bucket = None
        self.encryption_key = None

    def _check_bucket_name(self, field: str, name: object) -> None:
        if not isinstance(name, str) or (not Token.is_unresolved(name) and not is_bucket_name(name)):
            raise invalid(
                self,
                field,
                name,
                "an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-', "
                "starting and ending with a letter or digit",
            )

    def _check_key(self, key: object) -> None:
        # jsii interfaces cannot be used with isinstance: a key is a construct with an ARN
        if key is not None and not (isinstance(getattr(key, "key_arn", None), str) and hasattr(key, "node")):
            raise invalid(self, "encryption_key", key, "a kms.IKey, e.g. kms.Key.from_key_arn(...)")

    def _check_expiration(self, expiration: object) -> None:
        if expiration is None:
            return
        accepted = "a Duration of whole days, e.g. Duration.days(90), or None (keep old versions forever)"
        if not isinstance(expiration, Duration):
            raise invalid(self, "noncurrent_version_expiration", expiration, accepted)
        if not Token.is_unresolved(expiration.to_string()):
            seconds = expiration.to_seconds()
            if seconds < 86400 or seconds % 86400:
                raise invalid(self, "noncurrent_version_expiration", f"{seconds} seconds", accepted)

    # --- grants -----------------------------------------------------------------------------

    @property
    def bucket_arn(self) -> str:
        """The bucket's ARN."""
        return self._cached("_arn", lambda: self.bucket.bucket_arn)

    def _cached(self, name: str, read: Callable[[], str]) -> str:
        # values read from the jsii kernel once per construct (each read is a round trip)
        value: str | None = self.__dict__.get(name)
        if value is None:
            value = read()
            self.__dict__[name] = value
        return value

    def _sid_prefix(self) -> str:
        return self._cached("_sid", lambda: re.sub(r"[^A-Za-z0-9]", "", self.node.id))

    @property
    def bucket_name(self) -> str:
        """The bucket's name."""
        return self.bucket.bucket_name

    def grant_user_prefix(
        self,
        grantee: iam.IGrantable,
        *,
        source: IdentitySource | None = None,
        level: AccessLevel | str,
        actions: Sequence[str],
        browse: bool = False,
        allow_guest_write: bool = False,
    ) -> iam.Grant:
        """Give `grantee`'s users their folder of `level`, with `actions` ("read", "write", "delete").

        :param grantee: an `OidcRole`, `GitHubActionsRole`, `SamlRole`, `FederationBrokerRole`, or an
            `iam.Role` (the identity pool's authenticated or guest role): an `iam.IGrantable` whose
            role, and so whose trust, this app defines.
        :param source: where the user id comes from: `IdentitySource.cognito()`, `.saml()` or
            `.principal_tag(key)`; it must be one the role's sessions carry. Not needed for public.
        :param level: `AccessLevel` or its name: "public", "protected", "private", "home/{id}/".
        :param browse: also allow listing the bucket root and the level root one level deep
            (`s3:delimiter` = "/"), as the S3 console does. This shows the names of other users'
            folders (their ids), never their files.
        :param allow_guest_write: let the guests of an identity pool write to `public/` (read only
            without it).
        :returns: the grant: `principal_statements` are the statements added to the role's policy
            (the Allows, the listing Deny, the KMS key use), `resource_statements` the Deny on other
            users' objects added to the bucket policy.
        """
        iam_role = underlying_role(grantee)
        if iam_role is None:
            raise invalid(
                self,
                "grantee",
                grantee,
                "an iam.IGrantable that is a role this app defines (OidcRole, SamlRole, "
                "FederationBrokerRole or an iam.Role such as the identity pool's authenticated role); an "
                "imported role's trust cannot be checked",
            )
        checked_bool(self, "browse", browse)
        checked_bool(self, "allow_guest_write", allow_guest_write)
        if isinstance(actions, str) or not isinstance(actions, Sequence):
            raise invalid(self, "actions", actions, "a list such as ['read', 'write']")
        for action in actions:
            if not isinstance(action, str):
                raise invalid(self, "actions", action, "read, write and/or delete")
        if source is not None and not isinstance(source, IdentitySource):
            raise invalid(self, "source", source, "IdentitySource.cognito(), .saml() or .principal_tag(key)")
        try:
            level = AccessLevel.named(level) if isinstance(level, str) else level
        except LayoutProblem as problem:
            raise invalid(self, problem.field, problem.value, problem.accepted) from None
        if not isinstance(level, AccessLevel):
            raise invalid(self, "level", level, "an AccessLevel or 'public', 'protected', 'private', 'home/{id}/'")
        trust = summarize_trust(iam_role)
        self._check_source(iam_role, trust, source, level, actions, allow_guest_write)
        key = iam_role.node.path
        self._check_root(level)
        if level.name in self._grants.get(key, set()):
            raise invalid(
                self, "level", level.name, f"a level not granted to {key} yet (grant it once, with all its actions)"
            )
        sid_prefix = self._sid_prefix()
        try:
            documents = grant_statements(
                bucket_arn=self.bucket_arn,
                level=level,
                source=source,
                capabilities=actions,
                browse=browse,
                sid_prefix=sid_prefix,
            )
            deny_list = (
                deny_other_users_listing(
                    bucket_arn=self.bucket_arn, level=level, source=source, browse=browse, sid_prefix=sid_prefix
                )
                if source is not None
                else None
            )
        except LayoutProblem as problem:
            raise invalid(self, problem.field, problem.value, problem.accepted) from None

        self._grants.setdefault(key, set()).add(level.name)
        if allow_guest_write and trust.cognito_guest and set(actions) - {"read"}:
            self.opt_ins_by_role.setdefault(key, []).append(f"allow_guest_write ({self.node.id} {level.name}/)")
        grants = [_on_principal(grantee, d) for d in documents + ([deny_list] if deny_list else [])]
        self._add_root(level.root)
        if source is not None and level.per_user and not level.shared_read:
            denied = self._deny_other_users_objects(grantee, iam_role, level, source)
            if denied is not None:
                grants.append(denied)
        self._acknowledge_wildcards(iam_role, documents, level)
        if self.encryption_key is not None:
            mode = "Write" if set(actions) - {"read"} else "Read"
            if not {mode, "Write"} & self._key_modes.setdefault(key, set()):
                self._key_modes[key].add(mode)
                grants.append(self._key_grant(grantee, self.encryption_key, writes=mode == "Write"))
        return reduce(iam.Grant.combine, grants)

    def _key_grant(self, grantee: iam.IGrantable, key: kms.IKey, *, writes: bool) -> iam.Grant:
        """Use of the bucket's KMS key through S3 only: Decrypt to read; GenerateDataKey to write
        (multipart uploads also Decrypt). Named actions, no `kms:*` wildcards."""
        stack = Stack.of(self)
        return _on_principal(
            grantee,
            {
                "Sid": f"{self._sid_prefix()}Key{'Write' if writes else 'Read'}",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"] if writes else ["kms:Decrypt"],
                "Resource": [key.key_arn],
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{stack.region}.{stack.url_suffix}"}},
            },
        )

    def _acknowledge_wildcards(self, role: iam.Role, documents: list[dict[str, object]], level: AccessLevel) -> None:
        """Acknowledge AwsSolutions-IAM5 for exactly the object wildcards these grants add, each with
        why it is bounded; any other wildcard on the role is still reported."""
        acknowledgements: list[tuple[str, str]] = []
        for document in documents:
            if document["Action"] == "s3:ListBucket":
                continue
            resources = document["Resource"] if isinstance(document["Resource"], list) else [document["Resource"]]
            for resource in resources:
                rendered = self._nag_resource(resource)
                if str(document.get("Sid", "")).endswith("ReadAll"):
                    reason = (
                        f"Level {level.name}/: by design every signed-in user of this role reads every user's "
                        f"protected folder (writes stay in the user's own folder)"
                    )
                elif level.per_user:
                    reason = _WILDCARD_REASON
                else:
                    reason = (
                        f"Level {level.name}/: a shared folder that every user of this role may use by design; "
                        f"no user segment to bound it further"
                    )
                acknowledgements.append((f"AwsSolutions-IAM5[Resource::{rendered}]", reason))
        acknowledge_all(role, acknowledgements)

    def _nag_resource(self, resource: object) -> str:
        """`resource` as cdk-nag prints it in a finding id. A resource under the bucket's ARN is
        rendered from the ARN's rendering, resolved once per bucket (a resolve is a round trip)."""
        arn = self.bucket_arn
        if isinstance(resource, str) and resource.startswith(arn) and not unresolved(resource[len(arn) :]):
            prefix = self._cached("_arn_nag", lambda: _nag_text(Stack.of(self).resolve(arn)))
            return prefix + _nag_text(resource[len(arn) :])
        return _nag_text(Stack.of(self).resolve(resource))

    def _check_source(
        self,
        role: iam.Role,
        trust: TrustSummary,
        source: IdentitySource | None,
        level: AccessLevel,
        actions: Sequence[str],
        allow_guest_write: bool,
    ) -> None:
        if trust.cognito_guest:
            if level.per_user:
                raise invalid(
                    self,
                    "level",
                    level.name,
                    f"'public' for {role.node.path}: it admits identity-pool guests, who have no "
                    f"stable identity of their own to own a folder",
                )
            if set(actions) - {"read"} and not allow_guest_write:
                raise invalid(
                    self,
                    "actions",
                    list(actions),
                    f"['read'] for {role.node.path}: it admits identity-pool guests (not signed in); "
                    f"allow_guest_write=True lets anyone on the internet write to public/",
                )
        if source is None:
            return
        if source.trust in _SOURCE_TRUST:
            needed, what = _SOURCE_TRUST[source.trust]
            if trust.kinds != {needed}:
                raise invalid(
                    self,
                    "source",
                    source.name,
                    f"an identity source {role.node.path}'s sessions carry: source "
                    f"{source.name!r} needs {what}, but the role is assumed through "
                    f"{_describe(trust)}",
                )
        elif source.trust == "tag" and not trust.session_tags:
            raise invalid(
                self,
                "source",
                source.name,
                f"an identity source {role.node.path}'s sessions carry: a principal tag needs a "
                f"trust that allows sts:TagSession (RoleOptions(session_tags=True)), and "
                f"{role.node.path} does not allow it",
            )

    def _check_root(self, level: AccessLevel) -> None:
        """Two levels whose roots nest (`home` and `home/team`) would let a user whose id is `team`
        reach the inner level's folders."""
        for other in self._roots:
            if other != level.root and (
                f"{other}/".startswith(f"{level.root}/") or f"{level.root}/".startswith(f"{other}/")
            ):
                raise invalid(
                    self,
                    "level",
                    level.name,
                    f"a level whose root does not nest with {other!r} (granted already): a user id "
                    f"equal to the inner folder would reach the other level",
                )

    def _add_root(self, root: str) -> None:
        if root in self._roots:
            return
        self._roots.add(root)
        for statement, own_root in self._object_denies:
            if own_root != root:
                statement.add_not_resources(f"{self.bucket_arn}/{root}/*")

    def _deny_other_users_objects(
        self, grantee: iam.IGrantable, role: iam.Role, level: AccessLevel, source: IdentitySource
    ) -> iam.Grant | None:
        """Bucket policy: this role's sessions may not touch objects outside their own folder of
        `level` and the other levels' roots (other users' folders of `level`, the bucket root).
        None for an imported bucket (no bucket policy to add to)."""
        if self.imported:
            return None
        arn = self.bucket_arn
        not_resources = [f"{arn}/{level.user_prefix(source)}*"] + [
            f"{arn}/{root}/*" for root in sorted(self._roots) if root != level.root
        ]
        statement = iam.PolicyStatement(
            sid=f"{self._sid_prefix()}DenyOtherUsers{len(self._object_denies) + 1}",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=list(DENIED_OBJECT_ACTIONS),
            not_resources=not_resources,
            conditions={"ArnEquals": {"aws:PrincipalArn": role.role_arn}},
        )
        grant = iam.Grant.add_statement_to_resource_policy(
            grantee=grantee,
            actions=list(DENIED_OBJECT_ACTIONS),
            resource_arns=not_resources,
            resource=self.bucket,
            statement=statement,
        )
        self._object_denies.append((statement, level.root))
        if source.name in ("cognito", "saml"):
            # FED34: a web-identity or SAML variable in a bucket policy, where AWS does not document it
            for variable in re.findall(r"\$\{([^}]+)\}", source.variable):
                acknowledge(self, f"Federation-FED34[{statement.sid}::{variable}]", _SECOND_FENCE_REASON)
        return grant


def _on_principal(grantee: iam.IGrantable, document: Mapping[str, Any]) -> iam.Grant:
    """`document` (one statement as `layout` writes it) added to `grantee`'s policy, as a grant.

    `Grant.add_to_principal` adds an Allow without a Sid; the Sid (and, for the listing Deny, the
    effect) are set on that statement before synthesis, so the policy holds exactly `document`."""
    grant = iam.Grant.add_to_principal(
        grantee=grantee,
        actions=_as_list(document["Action"]),
        resource_arns=_as_list(document["Resource"]),
        conditions=document.get("Condition"),
    )
    # no `assert_success()`: every grantee here is backed by an `iam.Role` of this app (checked by the
    # callers), whose policy always takes the statement; one round trip less per statement
    (statement,) = grant.principal_statements
    statement.sid = document["Sid"]
    if document["Effect"] == "Deny":
        statement.effect = iam.Effect.DENY
    return grant


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _nag_text(value: object) -> str:
    """A resolved CloudFormation value as cdk-nag prints it in finding ids: the rules' rendering
    (`<Logical.Attr>`, `<AWS::Partition>`) with policy variables as `<key>` too."""
    return re.sub(r"\$\{([^}]+)\}", r"<\1>", str(flatten(value)))


def _describe(trust: TrustSummary) -> str:
    names = {
        "cognito": "a Cognito identity pool",
        "saml": "SAML",
        "web_identity": "OIDC web identity",
        "aws": "sts:AssumeRole",
    }
    return " and ".join(names[k] for k in sorted(trust.kinds)) or "nothing federated"


class _ImportedUserPrefixStorage(UserPrefixStorage):
    """`UserPrefixStorage.from_bucket_name`: grants on a bucket that exists already; nothing is created."""

    def __init__(self, scope: Construct, id: str, *, bucket_name: str, encryption_key: kms.IKey | None) -> None:
        Construct.__init__(self, scope, id)  # not UserPrefixStorage.__init__, which creates the buckets
        self._start_grants(imported=True)
        self._check_bucket_name("bucket_name", bucket_name)
        self._check_key(encryption_key)
        self.bucket = s3.Bucket.from_bucket_name(self, "Bucket", bucket_name)
        self.encryption_key = encryption_key
