"""The deployment config: one YAML file, parsed into a typed model before any construct exists.

`load_config(path)` is the only entry point. It raises `ConfigError` with ONE message that names the
file, the line, the field path, the bad value and what would be accepted; the caller prints it and
exits non-zero (see `app.py`), so a bad file never ends in a Python traceback.

Sections that later issues fill (`oidc`, `saml`, `identity_pool`, `storage`) exist already so that the
schema and the error messages are stable; each refuses unknown keys like the rest of the model.
"""

from __future__ import annotations

import codecs
import collections.abc
import difflib
import functools
import gc
import json
import re
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo

from federation_constructs.naming import MAX_ROLE_NAME_LENGTH, default_role_name, role_name_problem
from federation_constructs.partitions import partition_for_region
from federation_constructs.yaml_bounds import YamlLimits, YamlShapeError, check_yaml_shape
from stacks.config_common import MAX_ROLES, NOT_CHECKED, LocatedError, RoleDefaults
from stacks.identity_pool_config import IdentityPoolSection
from stacks.oidc_config import OidcSection
from stacks.saml_config import SamlSection
from stacks.storage_config import StorageSection
from stacks.targets_config import TargetsSection

__all__ = [
    "ConfigError",
    "DeploymentConfig",
    "IdentityPoolSection",
    "OidcSection",
    "SamlSection",
    "StorageSection",
    "TargetsSection",
    "json_schema",
    "load_config",
    "partition_of",
]


class ConfigError(Exception):
    """A config file that cannot be used; `str()` is the whole, printable message."""


# --- field rules -------------------------------------------------------------------------------

_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,127}")
_ACCOUNT_RE = re.compile(r"[0-9]{12}")
_REGION_RE = re.compile(
    r"(af|ap|ca|cn|eu|eusc|il|me|mx|sa|us)(-(gov|iso|isob|isoe|isof|de))?"
    r"-(central|north|south|east|west|northeast|northwest|southeast|southwest)-[1-9][0-9]?"
)
# IAM/CloudFormation tag rules: letters (any script), digits, spaces and _ . : / = + - @
_TAG_CHARS_RE = re.compile(r"[\w\s.:/=+\-@]*")

NAME_ACCEPTED = (
    "a name that starts with a letter and holds only letters, digits and hyphens, 1-128 characters "
    "(it becomes the CloudFormation stack name), e.g. 'acme-federation'"
)
ACCOUNT_ACCEPTED = (
    'a 12-digit AWS account id written as a quoted string, e.g. account: "123456789012" '
    "(an unquoted YAML number loses leading zeros)"
)
REGION_ACCEPTED = "an AWS region code such as 'eu-west-1', 'us-east-1', 'us-gov-west-1' or 'cn-north-1'"
TAGS_ACCEPTED = (
    "a mapping of at most 50 tags, each key 1-128 and each value 0-256 characters of letters, "
    "digits, spaces and _ . : / = + - @, keys not starting with 'aws:', values quoted strings"
)


def _check_name(value: str) -> str:
    if not _NAME_RE.fullmatch(value):
        raise ValueError(NAME_ACCEPTED)
    return value


def _check_account(value: str) -> str:
    if not _ACCOUNT_RE.fullmatch(value):
        raise ValueError(ACCOUNT_ACCEPTED)
    return value


def _check_region(value: str) -> str:
    if not _REGION_RE.fullmatch(value):
        raise ValueError(REGION_ACCEPTED)
    return value


def _few_tags(value: object) -> object:
    """More than 50 tags are refused before each one is checked (one message, not one per tag)."""
    if isinstance(value, dict) and len(value) > 50:
        raise ValueError(f"{len(value):,} tags is too many; expected {TAGS_ACCEPTED}")
    return value


def _check_tags(value: dict[str, str]) -> dict[str, str]:
    if len(value) > 50:
        raise ValueError(f"{len(value)} tags is too many; expected {TAGS_ACCEPTED}")
    for key, tag_value in value.items():
        if not 1 <= len(key) <= 128 or not _TAG_CHARS_RE.fullmatch(key):
            raise ValueError(f"tag key {key!r} is not accepted; expected {TAGS_ACCEPTED}")
        if key.lower().startswith("aws:"):
            raise ValueError(f"tag key {key!r} uses the reserved 'aws:' prefix; expected {TAGS_ACCEPTED}")
        if len(tag_value) > 256 or not _TAG_CHARS_RE.fullmatch(tag_value):
            raise ValueError(f"tag {key!r} has value {tag_value!r}, which is not accepted; expected {TAGS_ACCEPTED}")
    return value


def partition_of(region: str) -> str:
    """The AWS partition that `region` belongs to (`aws`, `aws-cn`, `aws-us-gov`, ...)."""
    return partition_for_region(region)


# --- the model ---------------------------------------------------------------------------------


class _Model(BaseModel):
    # strict: YAML's `yes`, `1` or `2024-01-01` never silently become strings, ids or booleans
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class ShardingConfig(_Model):
    """The per-stack budget; roles beyond it go to numbered shard stacks (see stacks/sharding.py)."""

    max_resources: int = Field(default=300, ge=20, le=450, description="resources per stack (CloudFormation: 500)")
    max_outputs: int = Field(default=180, ge=10, le=195, description="outputs per stack (CloudFormation: 200)")


class DeploymentConfig(_Model):
    """One deployment: where it goes, how it is tagged, and which federation paths it declares."""

    name: Annotated[str, AfterValidator(_check_name)] = Field(
        description=NAME_ACCEPTED, json_schema_extra={"pattern": f"^{_NAME_RE.pattern}$"}
    )
    account: Annotated[str, AfterValidator(_check_account)] = Field(
        description=ACCOUNT_ACCEPTED, json_schema_extra={"pattern": f"^{_ACCOUNT_RE.pattern}$"}
    )
    region: Annotated[str, AfterValidator(_check_region)] = Field(
        description=REGION_ACCEPTED, json_schema_extra={"pattern": f"^{_REGION_RE.pattern}$"}
    )
    tags: Annotated[dict[str, str], BeforeValidator(_few_tags), AfterValidator(_check_tags)] = Field(
        default_factory=dict, description=TAGS_ACCEPTED
    )
    oidc: OidcSection | None = Field(
        default=None, description="OIDC providers and roles: a mapping (see the OIDC section)"
    )
    saml: SamlSection | None = Field(
        default=None, description="SAML providers and roles: a mapping (see the SAML section)"
    )
    identity_pool: IdentityPoolSection | None = Field(
        default=None, description="the Cognito identity pool: a mapping (see the identity_pool section)"
    )
    storage: StorageSection | None = Field(
        default=None, description="per-user S3 storage: a mapping (see the storage section)"
    )
    sharding: ShardingConfig = Field(
        default_factory=ShardingConfig, description="per-stack budget for spreading roles over shard stacks"
    )
    role_defaults: RoleDefaults = Field(
        default_factory=RoleDefaults,
        description="name prefix, path and permissions boundary for every role (a role's own field wins)",
    )
    targets: TargetsSection | None = Field(
        default=None,
        description="accounts (one CDK Stage each) and organisational units (one StackSet) to deploy to instead "
        "of `account`; see the multi-account section",
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> DeploymentConfig:
        """Provider ids and role names become construct ids in one stack: unique across sections."""
        seen: dict[str, str] = {}
        for section_name in ("oidc", "saml"):
            section = getattr(self, section_name)
            if section is None:
                continue
            for kind, items, attr in (("providers", section.providers, "id"), ("roles", section.roles, "name")):
                for index, item in enumerate(items):
                    value = getattr(item, attr)
                    here = f"{section_name}.{kind}"
                    if value in seen and seen[value] != here:
                        raise LocatedError(
                            (section_name, kind, index, attr),
                            f"{value!r} is used in both {seen[value]} and {here}; provider ids and "
                            f"role names must be unique across sections (they name resources)",
                        )
                    seen.setdefault(value, here)
        singles = [
            (self.identity_pool.name if self.identity_pool else None, ("identity_pool", "name")),
            (self.storage.id if self.storage else None, ("storage", "id")),
            (self.storage.broker.id if self.storage and self.storage.broker else None, ("storage", "broker", "id")),
        ]
        for value, loc in singles:
            if value is None:
                continue
            here = ".".join(loc)
            if value in seen:
                raise LocatedError(
                    loc,
                    f"{value!r} is used in both {seen[value]} and {here}; provider ids, role names, the "
                    f"identity pool name and the storage and broker ids must be unique across sections "
                    f"(they name resources)",
                )
            seen[value] = here
        pool = self.identity_pool
        if pool is not None:
            for section_name, wanted in (("oidc", pool.oidc_providers), ("saml", pool.saml_providers)):
                section = getattr(self, section_name)
                declared = [p.id for p in section.providers] if section else []
                for index, provider_id in enumerate(wanted):
                    if provider_id not in declared:
                        raise LocatedError(
                            ("identity_pool", f"{section_name}_providers", index),
                            f"{provider_id!r} is not in {section_name}.providers "
                            f"({', '.join(declared) or 'none declared'})",
                        )
        return self

    # --- role names -------------------------------------------------------------------------

    @property
    def role_name_prefix(self) -> str:
        """The first part of every default role name: `role_defaults.name_prefix`, else `name`."""
        return self.role_defaults.name_prefix or self.name

    def role_path(self, role: Any) -> str | None:
        """The IAM path of a role entry: its own `path`, else `role_defaults.path` (None: `/`)."""
        return getattr(role, "path", None) or self.role_defaults.path

    def role_name(self, role: Any) -> str:
        """The IAM name of an oidc/saml role entry: its `role_name`, else the default scheme's."""
        return role.role_name or default_role_name(self.role_name_prefix, role.name, path=self.role_path(role))

    def pool_role_prefix(self) -> str:
        """What the identity pool's roles are named after (`<prefix>-<pool name>-Authenticated`, ...)."""
        pool_name = self.identity_pool.name if self.identity_pool else "IdentityPool"
        return f"{self.role_name_prefix}-{pool_name}"

    def role_names(self) -> dict[str, str]:
        """Where each role of the deployment is declared -> its IAM role name."""
        return {where: name for where, _, name in self._role_name_entries()}

    def _role_name_entries(self) -> list[tuple[str, tuple[str | int, ...], str]]:
        """(where the role is declared, the path of the key that names it, its IAM role name) per role."""
        entries: list[tuple[str, tuple[str | int, ...], str]] = []
        for section_name in ("oidc", "saml"):
            section = getattr(self, section_name)
            for index, role in enumerate(section.roles if section else []):
                key = "role_name" if role.role_name else "name"
                entries.append(
                    (
                        f"{section_name}.roles[{index}] ({role.name})",
                        (section_name, "roles", index, key),
                        self.role_name(role),
                    )
                )
        pool = self.identity_pool
        if pool is not None:
            path = self.role_defaults.path
            kinds: list[tuple[str, tuple[str | int, ...]]] = [("Authenticated", ("identity_pool",))]
            if pool.allow_guest:
                kinds.append(("Guest", ("identity_pool", "allow_guest")))
            kinds.extend((kind, ("identity_pool", "mapped_roles", i)) for i, kind in enumerate(pool.mapped_roles))
            for kind, loc in kinds:
                name = default_role_name(self.pool_role_prefix(), kind, path=path)
                entries.append((f"identity_pool ({pool.name} {kind})", loc, name))
        if self.storage is not None and self.storage.broker is not None:
            broker = self.storage.broker.id
            name = default_role_name(self.role_name_prefix, broker, path=self.role_defaults.path)
            entries.append((f"storage.broker ({broker})", ("storage", "broker", "id"), name))
        return entries

    @model_validator(mode="after")
    def _unique_role_names(self) -> DeploymentConfig:
        """IAM role names are unique per account, case-insensitively; every target account gets them all."""
        for section_name in ("oidc", "saml"):
            section = getattr(self, section_name)
            for index, role in enumerate(section.roles if section else []):
                path = self.role_path(role)
                name = self.role_name(role)
                problem = role_name_problem(name, path)
                if problem:
                    field = "role_name" if role.role_name else "path"
                    origin = "" if role.path else " (role_defaults.path)"
                    raise LocatedError(
                        (section_name, "roles", index, field),
                        f"role name {name!r} is not accepted under path {path!r}{origin}; expected {problem}",
                    )
        default_path = self.role_defaults.path
        if default_path not in (None, "/") and len(default_path) > MAX_ROLE_NAME_LENGTH - 16:
            raise LocatedError(
                ("role_defaults", "path"),
                f"{default_path!r} is not accepted; expected a path of at most "
                f"{MAX_ROLE_NAME_LENGTH - 16} characters: path and role name together may not exceed "
                f"{MAX_ROLE_NAME_LENGTH}, and the default names need at least 16 of them",
            )
        entries = self._role_name_entries()
        if len(entries) > MAX_ROLES:
            section = "saml" if self.saml is not None and self.saml.roles else "oidc"
            raise LocatedError(
                (section, "roles"),
                f"{len(entries):,} roles in all is not accepted; expected at most {MAX_ROLES:,} (IAM's highest quota "
                f"of roles per account, and every account this config deploys to gets them all)",
            )
        seen: dict[str, str] = {}
        for where, loc, name in entries:
            other = seen.get(name.lower())
            if other is not None:
                raise LocatedError(
                    loc,
                    f"role name {name!r} of {where} is already the name of {other}; expected a name unique in the "
                    f"account (IAM role names are unique per account, case-insensitively): set role_name on one of "
                    f"them",
                )
            seen[name.lower()] = where
        return self

    @model_validator(mode="after")
    def _storage_roles(self) -> DeploymentConfig:
        """Every storage grant names a role this config declares."""
        storage = self.storage
        if storage is None:
            return self
        names = [r.name for section in (self.oidc, self.saml) if section is not None for r in section.roles]
        if storage.broker is not None:
            names.append(storage.broker.id)
        pool = self.identity_pool
        if pool is not None:
            names.append(f"{pool.name}/authenticated")
            if pool.allow_guest:
                names.append(f"{pool.name}/guest")
            names.extend(f"{pool.name}/{mapped}" for mapped in pool.mapped_roles)
        known = set(names)
        for index, grant in enumerate(storage.grants):
            if pool is not None and grant.role == f"{pool.name}/guest" and not pool.allow_guest:
                raise LocatedError(
                    ("storage", "grants", index, "role"),
                    f"{grant.role!r} does not exist because identity_pool.allow_guest is false; expected a "
                    f"declared role, or allow_guest: true",
                )
            if grant.role not in known:
                raise LocatedError(
                    ("storage", "grants", index, "role"),
                    f"{grant.role!r} is not a role of this config; "
                    f"expected one of {', '.join(sorted(names)) or '(no roles declared)'}",
                )
        return self

    @model_validator(mode="after")
    def _targets(self) -> DeploymentConfig:
        """Target regions are region codes of this config's partition; global names are not repeated."""
        targets = self.targets
        if targets is None:
            return self
        regions: list[tuple[tuple[str | int, ...], str | None]] = [
            (("targets", "accounts", i, "region"), t.region) for i, t in enumerate(targets.accounts)
        ]
        if targets.organizational_units is not None:
            regions.append((("targets", "organizational_units", "region"), targets.organizational_units.region))
        for loc, region in regions:
            if region is None:
                continue
            if not _REGION_RE.fullmatch(region):
                raise LocatedError(loc, f"{region!r} is not accepted; expected {REGION_ACCEPTED}")
            if partition_of(region) != self.partition:
                raise LocatedError(
                    loc,
                    f"{region!r} is in partition {partition_of(region)!r}, not in "
                    f"{self.partition!r} of region {self.region!r}; expected a region of the same "
                    f"partition (another partition needs a config of its own)",
                )
        many = len(targets.accounts) > 1 or targets.organizational_units is not None
        if many and self.storage is not None and self.storage.bucket_name is not None:
            raise LocatedError(
                ("storage", "bucket_name"),
                f"{self.storage.bucket_name!r} is not accepted with targets; "
                f"expected no bucket_name (S3 bucket names are global, so every account but the "
                f"first would fail to create it; the generated name differs per account)",
            )
        return self

    @property
    def partition(self) -> str:
        """The AWS partition of `region`."""
        return partition_of(self.region)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the config file, for editors (committed as `schema/config.schema.json`)."""
    schema = DeploymentConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Federation deployment config"
    return schema


# --- loading and error messages ----------------------------------------------------------------

#: the largest config file read: configs are a few KB (the bundled example about 6 KB; a generated config of
#: 1,000 roles about 160 KB); a larger file is refused before it is parsed
MAX_CONFIG_BYTES = 1024 * 1024
#: the YAML structure a config may have, checked on the parser's event stream before anything is built (so an
#: alias bomb or a deep document costs no more than its text): alias uses (`*name`; a few shared blocks need a
#: handful), nesting (the deepest value of the model, oidc.roles[].statements[].conditions.OP.KEY[], is 9 levels
#: down) and values once aliases are followed (5,000 roles of 20 values each, 2,000 of 50; reading and checking
#: that many takes well under a second)
CONFIG_YAML_LIMITS = YamlLimits(aliases=50, depth=32, nodes=100_000)
#: how many problems one message lists (a generated file can have thousands of the same mistake)
MAX_PROBLEMS_LISTED = 20
#: how many errors validation collects before it stops checking further entries (see `StrictModel`)
ERROR_BUDGET = 1000

_LIMITS = (
    f"at most {CONFIG_YAML_LIMITS.aliases} aliases, {CONFIG_YAML_LIMITS.depth} levels of nesting and "
    f"{CONFIG_YAML_LIMITS.nodes:,} values; see docs/config.md, 'Checked before anything is built'"
)
_SAVE_AS_UTF8 = "expected YAML text in UTF-8 (save the file as UTF-8)"


class _DuplicateKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader (libyaml's where installed) that refuses a key given twice in one mapping (PyYAML keeps
    the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *defaults`: its keys may be overridden
                continue
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if not isinstance(key, collections.abc.Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, f"a {type(key).__name__} is not accepted as a key", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first given on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:  # `2024-13-45`: a date YAML cannot build
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark
            ) from None


_DuplicateKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _DuplicateKeyLoader.construct_mapping
)
_DuplicateKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _DuplicateKeyLoader.construct_yaml_timestamp)


def load_config(path: str | Path) -> DeploymentConfig:
    """Read, parse and validate the config at `path`; raise `ConfigError` with one clear message.

    The input is bounded before it is parsed: at most `MAX_CONFIG_BYTES` of UTF-8 text, and YAML within
    `CONFIG_YAML_LIMITS`; the model bounds every list by what AWS could deploy, and validation stops
    collecting errors after `ERROR_BUDGET` of them."""
    path = Path(path)
    text = _read(path)
    collecting = gc.isenabled()
    gc.disable()  # the parse and the checks make many objects that live to the end: collecting on the way costs a third of the time
    try:
        return _load(path, text)
    finally:
        if collecting:
            gc.enable()


def _load(path: Path, text: str) -> DeploymentConfig:
    try:
        check_yaml_shape(text, CONFIG_YAML_LIMITS)  # before anything is built from the text
        root, data = _parse(text)
    except YamlShapeError as exc:
        raise ConfigError(
            f"config error: {path}:{exc.line}: {exc}; expected a config within its limits ({_LIMITS})"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config error: {path}: {_yaml_problem(exc, text)}") from None
    except (RecursionError, MemoryError):  # not expected within the limits; never a traceback
        raise ConfigError(f"config error: {path}: is too large or too deeply nested to read ({_LIMITS})") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value PyYAML's constructors cannot build
        raise ConfigError(f"config error: {path}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"config error: {path}:1: the file holds a {type(data).__name__}; expected a mapping "
            f"with the keys {', '.join(DeploymentConfig.model_fields)}"
        )
    context = {"config_dir": str(path.parent), "errors_left": ERROR_BUDGET}
    try:
        return DeploymentConfig.model_validate(data, context=context)
    except ValidationError as exc:
        errors = _one_per_union(exc.errors(include_url=False), data)
    except (RecursionError, MemoryError):
        raise ConfigError(f"config error: {path}: is too large or too deeply nested to check ({_LIMITS})") from None
    raise ConfigError(_message(path, errors, root, data))


def _message(path: Path, errors: list[Any], root: yaml.Node | None, data: Any) -> str:
    """One line for one problem; else the count and the first `MAX_PROBLEMS_LISTED`, one per line."""
    unchecked = [err for err in errors if err["type"] == NOT_CHECKED]
    errors = [err for err in errors if err["type"] != NOT_CHECKED]
    problems: list[str] = []  # described one by one: a generated file can hold thousands of the same mistake
    described = 0
    for err in errors:
        try:
            problem = _describe(err, root, data)
        except Exception:  # noqa: BLE001 - the words are best effort; the problem is still reported, plainly
            problem = f"1: {'.'.join(str(part) for part in err['loc']) or '(top level)'}: {err.get('msg')}"
        if problem not in problems:
            if len(problems) == MAX_PROBLEMS_LISTED:
                break
            problems.append(problem)
        described += 1
    if len(problems) == 1 and not unchecked:
        return f"config error: {path}:{problems[0]}"
    listing = "".join(f"\n  {path}:{p}" for p in problems)
    if described < len(errors):
        listing += f"\n  ... and {len(errors) - described:,} more"
    if unchecked:  # validation stopped collecting: what was found so far, and that there is more
        first = _follow(tuple(unchecked[0]["loc"])).field
        listing += f"\n  ... and the rest of the file, from {first} on, was not checked"
        return f"config error: {path}: {len(errors):,} problems or more{listing}"
    return f"config error: {path}: {len(errors):,} problems{listing}"


def _read(path: Path) -> str:
    """The text of the file at `path`: at most `MAX_CONFIG_BYTES` of UTF-8, no NUL bytes."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)  # bounded even where the size is unknown (a pipe, /dev/zero)
    except FileNotFoundError:
        raise ConfigError(
            f"config error: {path}: no such file; pass an existing YAML file, "
            f"e.g. `cdk synth -c config=examples/example.yaml` or `make synth CONFIG=...`"
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"config error: {path}: is a directory; pass a YAML file such as examples/example.yaml"
        ) from None
    except OSError as exc:
        raise ConfigError(f"config error: {path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        amount = f"{size:,} bytes" if size > MAX_CONFIG_BYTES else f"more than {MAX_CONFIG_BYTES:,} bytes"
        raise ConfigError(
            f"config error: {path}: is {amount}; expected a config of at most {MAX_CONFIG_BYTES:,} bytes "
            f"(1 MiB; a config is a few KB): is it the right file?"
        )
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if raw.startswith(bom):
            raise ConfigError(f"config error: {path}:1: is {encoding} text; {_SAVE_AS_UTF8}")
    nul = raw.find(b"\0")
    if nul != -1:
        raise ConfigError(
            f"config error: {path}:{_line_at(raw, nul)}: holds a NUL byte (byte {nul:,}), so it is "
            f"binary or UTF-16/32 text; {_SAVE_AS_UTF8}"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config error: {path}:{_line_at(raw, exc.start)}: is not UTF-8 text (byte {exc.start:,} "
            f"is 0x{raw[exc.start]:02x}); {_SAVE_AS_UTF8}"
        ) from None


def _line_at(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """(the document's node tree, for line numbers; its data), from one pass of the parser."""
    loader = _DuplicateKeyLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow, e.g. a control character
        line = text.count("\n", 0, exc.position) + 1
        return f"{line}: not valid YAML: {exc.reason} (character {exc.position + 1:,} of the file)"
    mark = getattr(exc, "problem_mark", None)
    where = f"{mark.line + 1}:{mark.column + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return f"{where}not valid YAML: {detail}"


# --- one message per mistake ----------------------------------------------------------------------
#
# pydantic's error locations hold more than the file's keys: a discriminated union's tag (`('oidc', 'roles',
# 0, 'github', 'branches')`) and, for a union that is not discriminated (`str | GitHubRepositoryConfig`), the
# label of each member it tried (`repositories[0].str` and `repositories[0].GitHubRepositoryConfig.name` for
# the same mistake). `_follow` tells the file's keys from the others; `_one_per_union` keeps the errors of the
# member the value was meant for (a mapping: the model; text: the string), so one mistake is one message.


@dataclass(frozen=True)
class _Followed:
    """Where a pydantic error location leads."""

    #: the file's keys and list indexes only
    keys: tuple[Any, ...]
    #: `keys` as the user writes them: `oidc.roles[0].branches` (a list index in brackets, an integer key not)
    field: str
    #: the type at the end and the last field on the way (for what is accepted there)
    annotation: Any
    info: FieldInfo | None
    #: the first non-discriminated union on the way: (index of its member label in the location, how many
    #: file keys lead to the union's value, the union, the member the label names)
    union: tuple[int, int, Any, Any] | None


def _follow(loc: tuple[Any, ...]) -> _Followed:
    # the walk depends on the types only: list indexes do not change it (cached without them)
    shape = tuple(0 if isinstance(part, int) else part for part in loc)
    positions, indexes, annotation, info, union = _walk(shape)
    keys = tuple(loc[i] for i in positions)
    return _Followed(keys, _display_path(keys, indexes), annotation, info, union)


@functools.lru_cache(maxsize=4096)
def _walk(
    loc: tuple[Any, ...],
) -> tuple[tuple[int, ...], frozenset[int], Any, FieldInfo | None, tuple[int, int, Any, Any] | None]:
    """(where in `loc` the file's keys are, which of those keys are list indexes, the type at the end, the last
    field, the first union that `loc` passes by a member's label)."""
    positions: list[int] = []
    indexes: set[int] = set()
    current: Any = DeploymentConfig
    info: FieldInfo | None = None
    union: tuple[int, int, Any, Any] | None = None
    for index, part in enumerate(loc):
        current = _unwrap(current)
        if _is_union(current):
            member = _union_member(current, part)  # a discriminated union's tag
            if member is None:  # a member's label
                member = _label_member(current, part)
                if union is None:
                    union = (index, len(positions), current, member)
            current = member
            continue
        positions.append(index)
        if current is None:
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            current = info.annotation if info is not None else None
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        elif typing.get_origin(current) in (list, tuple):
            indexes.add(len(positions) - 1)
            current = typing.get_args(current)[0]
        else:
            current = None
    return tuple(positions), frozenset(indexes), _unwrap(current), info, union


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (Union, types.UnionType)


def _members(union: Any) -> list[Any]:
    return [a for a in typing.get_args(union) if a is not type(None)]


@functools.lru_cache(maxsize=1024)
def _union_member(union: Any, tag: Any) -> type[BaseModel] | None:
    """The member of a discriminated union whose Literal field holds `tag`."""
    for member in _members(union):
        if isinstance(member, type) and issubclass(member, BaseModel):
            for info in member.model_fields.values():
                if typing.get_origin(info.annotation) is Literal and tag in typing.get_args(info.annotation):
                    return member
    return None


@functools.lru_cache(maxsize=1024)
def _kind(annotation: Any) -> str | None:
    """What YAML value a type takes: 'mapping', 'list', 'string', 'integer', 'boolean' (None: unknown)."""
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    origin = typing.get_origin(annotation) or annotation
    if origin is Literal:
        values = typing.get_args(annotation)
        return _kind_of(values[0]) if values else None
    return {dict: "mapping", list: "list", tuple: "list", str: "string", bool: "boolean", int: "integer"}.get(
        origin  # type: ignore[call-overload]
    )


def _kind_of(value: Any) -> str | None:
    """What YAML value `value` is, in `_kind`'s words."""
    for python, kind in ((bool, "boolean"), (dict, "mapping"), (list, "list"), (str, "string"), (int, "integer")):
        if isinstance(value, python):
            return kind
    return None


# pydantic's labels for a union's members: a model's class name, else the type's name ('str',
# 'constrained-str', "literal['a']", 'list[str]', 'dict[str,str]', 'function-after[f(), str]')
_LABEL_KINDS = (("dict", "mapping"), ("list", "list"), ("tuple", "list"), ("literal[", "string"), ("str", "string"))
_LABEL_KINDS += (("bool", "boolean"), ("int", "integer"))


@functools.lru_cache(maxsize=1024)
def _label_member(union: Any, label: Any) -> Any:
    """The member of a (not discriminated) union that pydantic's `label` names, or None."""
    members = _members(union)
    for member in members:
        plain = _unwrap(member)
        if isinstance(plain, type) and issubclass(plain, BaseModel) and plain.__name__ == label:
            return member
    text = str(label).rsplit(", ", 1)[-1]  # 'function-after[_check(), str]' -> 'str]'
    for word, kind in _LABEL_KINDS:
        if word in text:
            return next((m for m in members if _kind(m) == kind), None)
    # a model wrapped by a validator: 'function-wrap[_error_budget()]' (see StrictModel)
    models = [m for m in members if _kind(m) == "mapping"]
    return models[0] if len(models) == 1 else None


def _value_at(data: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


_A = {
    "mapping": "a mapping",
    "list": "a list",
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
}


def _one_per_union(errors: list[Any], data: Any) -> list[Any]:
    """The errors with, for each value of a union that is not discriminated, only the errors of the member
    that takes the value's kind (a mapping: the model's) or, when none does, one error saying so."""
    kept: list[Any] = []
    groups: dict[tuple[Any, ...], list[tuple[Any, Any]]] = {}
    for err in errors:
        followed = _follow(tuple(err["loc"]))
        if followed.union is None:
            kept.append(err)
            continue
        label_at, keys_count, union, member = followed.union
        key = followed.keys[:keys_count]
        if key not in groups:
            groups[key] = []
            kept.append((key, tuple(err["loc"][:label_at]), union))  # where the group's errors go
        groups[key].append((member, err))
    result: list[Any] = []
    for item in kept:
        if isinstance(item, dict):
            result.append(item)
            continue
        key, loc, union = item
        value = _value_at(data, key)
        kind = _kind_of(value)
        members = [m for m, _ in groups[key]]
        chosen = next((m for m in members if m is not None and _kind(m) == kind), None)
        if chosen is not None:
            result.extend(err for m, err in groups[key] if m is chosen)
            continue
        kinds = list(dict.fromkeys(_A[k] for m in _members(union) if (k := _kind(m)) in _A))
        result.append({"type": "union_kind", "loc": loc, "input": value, "msg": "", "ctx": {"kinds": kinds}})
    return result


#: text values longer than this are quoted by their start in messages (a 1 MB name is one readable line)
_LONGEST_QUOTED = 200


def _describe(err: Any, root: yaml.Node | None, data: Any) -> str:
    """`LINE: field.path: what is wrong; expected what` for one pydantic error; a long text value is cut."""
    problem = _describe_one(err, root)
    error = (err.get("ctx") or {}).get("error")
    if isinstance(error, LocatedError):
        value = _value_at(data, _follow(tuple(err["loc"])).keys + tuple(error.loc))
    else:
        value = err.get("input")
    if isinstance(value, str) and len(value) > _LONGEST_QUOTED:
        head = repr(value[:60])
        problem = problem.replace(repr(value), f"{head[:-1]}...{head[-1]} ({len(value):,} characters)")
    return problem


def _describe_one(err: Any, root: yaml.Node | None) -> str:
    loc = tuple(err["loc"])
    followed = _follow(loc)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    error = ctx.get("error")
    if kind == "value_error" and isinstance(error, LocatedError):  # a model validator names the value's place
        keys = followed.keys + tuple(error.loc)
        field = followed.field if followed.keys else ""
        return f"{_line_of(root, keys)}: {_join(field, _display_path(tuple(error.loc)))}: {error}"
    if kind == "invalid_key" or loc[-1:] == ("[key]",):  # a key that is not text, e.g. `1: x`
        keys = followed.keys[:-1] if kind == "invalid_key" else followed.keys[:-2]
        bad = followed.keys[len(keys)] if len(followed.keys) > len(keys) else err.get("input")
        where = _display_path(keys) if keys else "(top level)"
        return f"{_line_of(root, (*keys, bad))}: {where}: key {bad!r} is not accepted; expected keys written as text"
    field = followed.field
    line = _line_of(root, followed.keys)
    if kind == "extra_forbidden":
        parent = _follow(loc[:-1]).annotation
        accepted = list(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
        hint = difflib.get_close_matches(str(loc[-1]), accepted, n=1)
        did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
        keys = ", ".join(accepted) if accepted else "none yet"
        return f"{line}: {field}: unknown key{did_you_mean}; accepted keys here: {keys}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key = ctx.get("discriminator", "").strip("'")
        tags = _tags(followed.annotation, key) or ctx.get("expected_tags", "")
        where = f"{field}.{key}" if followed.keys else key
        line = _line_of(root, (*followed.keys, key))
        if kind == "union_tag_not_found":
            return f"{line}: {where}: required key is missing; expected one of {tags}"
        return f"{line}: {where}: {ctx.get('tag')!r} is not accepted; expected one of {tags}"
    accepted = _accepted_at(followed)
    if kind == "missing":
        return f"{line}: {field}: required key is missing; expected {accepted}"
    value = err.get("input")
    if kind == "union_kind":
        return (
            f"{line}: {field}: {_short(value)} is not accepted (not {' or '.join(ctx['kinds'])}); expected {accepted}"
        )
    if kind == "too_long" and "max_length" in ctx:
        count = ctx.get("actual_length")
        many = f"{count:,} entries are" if isinstance(count, int) else "the number of entries is"
        return f"{line}: {field}: {many} too many (at most {ctx['max_length']:,}); expected {accepted}"
    if kind == "value_error":
        message = str(error if error is not None else err["msg"])
        if message == accepted:
            return f"{line}: {field}: {value!r} is not accepted; expected {accepted}"
        return f"{line}: {field}: {message}"
    why = _WHY.get(kind) or err["msg"][:1].lower() + err["msg"][1:]
    return f"{line}: {field}: {_short(value)} is not accepted ({why}); expected {accepted}"


# pydantic's words for the common type errors name internal classes; say it in YAML terms
_WHY = {
    "model_type": "not a mapping",
    "model_attributes_type": "not a mapping",
    "dict_type": "not a mapping",
    "string_type": "not a string",
    "list_type": "not a list",
    "bool_type": "not true or false",
    "int_type": "not an integer",
}


def _tags(union: Any, key: str) -> str:
    """`'github', 'gitlab', ...`: the values of a discriminated union's tag `key`."""
    if not _is_union(union):
        return ""
    tags = []
    for member in _members(union):
        info = member.model_fields.get(key) if isinstance(member, type) and issubclass(member, BaseModel) else None
        if info is not None and typing.get_origin(info.annotation) is Literal:
            tags.extend(typing.get_args(info.annotation))
    return ", ".join(repr(t) for t in tags)


def _accepted_at(followed: _Followed) -> str:
    """What the model accepts where an error points: the field's description, else a model's keys, else
    its type in YAML terms."""
    annotation = followed.annotation
    if followed.info is not None and followed.info.description:
        return followed.info.description
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"a mapping with the keys {', '.join(annotation.model_fields) or '(none yet)'}"
    if typing.get_origin(annotation) is Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(annotation))
    kind = _kind(annotation)
    if kind == "list":
        item = typing.get_args(annotation)
        inner = _kind(item[0]) if item else None
        return f"a list of {_A[inner][2:]}s" if inner in ("string", "mapping") else "a list"
    return _A.get(kind or "", "a value of the documented type")


def _display_path(keys: tuple[Any, ...], indexes: frozenset[int] | None = None) -> str:
    """`oidc.roles[0].branches` for the file's keys ('oidc', 'roles', 0, 'branches'); `indexes`: which keys are
    list indexes (default: every integer)."""
    parts = [
        f"[{part}]" if (i in indexes if indexes is not None else isinstance(part, int)) else f".{part}"
        for i, part in enumerate(keys)
    ]
    return "".join(parts).lstrip(".") or "(top level)"


def _join(field: str, more: str) -> str:
    """`oidc` + `roles[0].provider` -> `oidc.roles[0].provider`; `oidc.roles` + `[1].name` -> `oidc.roles[1].name`."""
    if not field:
        return more
    return field + more if more.startswith("[") else f"{field}.{more}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _line_of(root: yaml.Node | None, keys: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at `keys` (or of its nearest existing parent)."""
    node, line = root, 1 if root is None else root.start_mark.line + 1
    for part in keys:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if getattr(k, "value", None) == str(part)]
            if not match:
                break
            key_node, node = match[0]
            line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _unwrap(annotation: Any) -> Any:
    """Strip `Annotated[...]` and `X | None` down to the type that holds the data."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = _members(annotation)
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def main(argv: list[str] | None = None) -> int:
    """`python -m stacks.config --schema` prints the JSON Schema; `CHECK PATH` validates a file."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--schema"]:
        print(json.dumps(json_schema(), indent=2, sort_keys=True))
        return 0
    if len(args) == 2 and args[0] == "check":
        try:
            load_config(args[1])
        except ConfigError as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"{args[1]}: valid")
        return 0
    print("usage: python -m stacks.config --schema | check PATH", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
