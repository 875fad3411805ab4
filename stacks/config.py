"""The deployment config: one YAML file, parsed into a typed model before any construct exists.

`load_config(path)` is the only entry point. It raises `ConfigError` with ONE message that names the
file, the line, the field path, the bad value and what would be accepted; the caller prints it and
exits non-zero (see `app.py`), so a bad file never ends in a Python traceback.

Sections that later issues fill (`oidc`, `saml`, `identity_pool`, `storage`) exist already so that the
schema and the error messages are stable; each refuses unknown keys like the rest of the model.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo

from federation_constructs.naming import MAX_ROLE_NAME_LENGTH, default_role_name, role_name_problem
from federation_constructs.partitions import partition_for_region
from stacks.config_common import RoleDefaults
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
_ACCOUNT_RE = re.compile(r"\d{12}")
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
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


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
    tags: Annotated[dict[str, str], AfterValidator(_check_tags)] = Field(
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
                for item in items:
                    value = getattr(item, attr)
                    here = f"{section_name}.{kind}"
                    if value in seen and seen[value] != here:
                        raise ValueError(
                            f"{value!r} is used in both {seen[value]} and {here}; provider ids and "
                            f"role names must be unique across sections (they name resources)"
                        )
                    seen.setdefault(value, here)
        singles = [
            (self.identity_pool.name if self.identity_pool else None, "identity_pool.name"),
            (self.storage.id if self.storage else None, "storage.id"),
            (self.storage.broker.id if self.storage and self.storage.broker else None, "storage.broker.id"),
        ]
        for value, here in singles:
            if value is None:
                continue
            if value in seen:
                raise ValueError(
                    f"{value!r} is used in both {seen[value]} and {here}; provider ids, role names, the "
                    f"identity pool name and the storage and broker ids must be unique across sections "
                    f"(they name resources)"
                )
            seen[value] = here
        pool = self.identity_pool
        if pool is not None:
            for section_name, wanted in (("oidc", pool.oidc_providers), ("saml", pool.saml_providers)):
                section = getattr(self, section_name)
                declared = [p.id for p in section.providers] if section else []
                for provider_id in wanted:
                    if provider_id not in declared:
                        raise ValueError(
                            f"identity_pool.{section_name}_providers: {provider_id!r} is not in "
                            f"{section_name}.providers ({', '.join(declared) or 'none declared'})"
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
        names: dict[str, str] = {}
        for section_name in ("oidc", "saml"):
            section = getattr(self, section_name)
            for index, role in enumerate(section.roles if section else []):
                names[f"{section_name}.roles[{index}] ({role.name})"] = self.role_name(role)
        pool = self.identity_pool
        if pool is not None:
            path = self.role_defaults.path
            kinds = ["Authenticated"] + (["Guest"] if pool.allow_guest else []) + list(pool.mapped_roles)
            for kind in kinds:
                names[f"identity_pool ({pool.name} {kind})"] = default_role_name(
                    self.pool_role_prefix(), kind, path=path
                )
        if self.storage is not None and self.storage.broker is not None:
            broker = self.storage.broker.id
            names[f"storage.broker ({broker})"] = default_role_name(
                self.role_name_prefix, broker, path=self.role_defaults.path
            )
        return names

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
                    raise ValueError(
                        f"{section_name}.roles[{index}].{field}: role name {name!r} is not accepted under path "
                        f"{path!r}{origin}; expected {problem}"
                    )
        default_path = self.role_defaults.path
        if default_path not in (None, "/") and len(default_path) > MAX_ROLE_NAME_LENGTH - 16:
            raise ValueError(
                f"role_defaults.path: {default_path!r} is not accepted; expected a path of at most "
                f"{MAX_ROLE_NAME_LENGTH - 16} characters: path and role name together may not exceed "
                f"{MAX_ROLE_NAME_LENGTH}, and the default names need at least 16 of them"
            )
        seen: dict[str, str] = {}
        for where, name in self.role_names().items():
            other = seen.get(name.lower())
            if other is not None:
                raise ValueError(
                    f"{where}: role name {name!r} is already the name of {other}; expected a name unique in the "
                    f"account (IAM role names are unique per account, case-insensitively): set role_name on one of them"
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
        for index, grant in enumerate(storage.grants):
            if pool is not None and grant.role == f"{pool.name}/guest" and not pool.allow_guest:
                raise ValueError(
                    f"storage.grants[{index}].role: {grant.role!r} does not exist because "
                    f"identity_pool.allow_guest is false; expected a declared role, or allow_guest: true"
                )
            if grant.role not in names:
                raise ValueError(
                    f"storage.grants[{index}].role: {grant.role!r} is not a role of this config; "
                    f"expected one of {', '.join(sorted(names)) or '(no roles declared)'}"
                )
        return self

    @model_validator(mode="after")
    def _targets(self) -> DeploymentConfig:
        """Target regions are region codes of this config's partition; global names are not repeated."""
        targets = self.targets
        if targets is None:
            return self
        regions = [(f"targets.accounts[{i}].region", t.region) for i, t in enumerate(targets.accounts)]
        if targets.organizational_units is not None:
            regions.append(("targets.organizational_units.region", targets.organizational_units.region))
        for where, region in regions:
            if region is None:
                continue
            if not _REGION_RE.fullmatch(region):
                raise ValueError(f"{where}: {region!r} is not accepted; expected {REGION_ACCEPTED}")
            if partition_of(region) != self.partition:
                raise ValueError(
                    f"{where}: {region!r} is in partition {partition_of(region)!r}, not in "
                    f"{self.partition!r} of region {self.region!r}; expected a region of the same "
                    f"partition (another partition needs a config of its own)"
                )
        many = len(targets.accounts) > 1 or targets.organizational_units is not None
        if many and self.storage is not None and self.storage.bucket_name is not None:
            raise ValueError(
                f"storage.bucket_name: {self.storage.bucket_name!r} is not accepted with targets; "
                f"expected no bucket_name (S3 bucket names are global, so every account but the "
                f"first would fail to create it; the generated name differs per account)"
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


class _DuplicateKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first given on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


_DuplicateKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _DuplicateKeyLoader.construct_mapping
)


def load_config(path: str | Path) -> DeploymentConfig:
    """Read, parse and validate the config at `path`; raise `ConfigError` with one clear message."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config error: {path}: no such file; pass an existing YAML file, "
            f"e.g. `cdk synth -c config=examples/example.yaml` or `make synth CONFIG=...`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config error: {path}: cannot be read as UTF-8 text ({exc})") from None
    try:
        data = yaml.load(text, Loader=_DuplicateKeyLoader)  # noqa: S506 - a SafeLoader subclass
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config error: {path}: {_yaml_problem(exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"config error: {path}:1: the file holds a {type(data).__name__}; expected a mapping "
            f"with the keys {', '.join(DeploymentConfig.model_fields)}"
        )
    try:
        return DeploymentConfig.model_validate(data, context={"config_dir": str(path.parent)})
    except ValidationError as exc:
        problems = [_describe(err, root, data) for err in exc.errors()]
        if len(problems) == 1:
            raise ConfigError(f"config error: {path}:{problems[0]}") from None
        listing = "\n".join(f"  {path}:{p}" for p in problems)
        raise ConfigError(f"config error: {path}: {len(problems)} problems\n{listing}") from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"{mark.line + 1}:{mark.column + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return f"{where}not valid YAML: {detail}"


def _describe(err: Any, root: yaml.Node | None, data: Any) -> str:
    """`LINE: field.path: what is wrong; expected what` for one pydantic error."""
    loc = tuple(err["loc"])
    field = _display_path(loc)
    line = _line_of(root, loc)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = _model_at(DeploymentConfig, loc[:-1])
        accepted = list(parent.model_fields) if parent is not None else []
        hint = difflib.get_close_matches(str(loc[-1]), accepted, n=1)
        did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
        keys = ", ".join(accepted) if accepted else "none yet"
        return f"{line}: {field}: unknown key{did_you_mean}; accepted keys here: {keys}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key = ctx.get("discriminator", "").strip("'")
        tags = ctx.get("expected_tags", "")
        where = f"{field}.{key}" if field != "(top level)" else key
        line = _line_of(root, (*loc, key))
        if kind == "union_tag_not_found":
            return f"{line}: {where}: required key is missing; expected one of {tags}"
        return f"{line}: {where}: {ctx.get('tag')!r} is not accepted; expected one of {tags}"
    accepted = _description_at(DeploymentConfig, loc) or "a value of the documented type"
    if kind == "missing":
        return f"{line}: {field}: required key is missing; expected {accepted}"
    value = err.get("input")
    if kind == "value_error":
        message = str(ctx.get("error", err["msg"]))
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


def _display_path(loc: tuple[Any, ...]) -> str:
    """`oidc.roles[0].branches` for pydantic's ('oidc', 'roles', 0, 'github', 'branches')."""
    parts: list[str] = []
    current: Any = DeploymentConfig
    for part in loc:
        current = _unwrap(current)
        if typing.get_origin(current) in (Union, types.UnionType):
            member = _union_member(current, part)
            if member is not None:  # the union's tag, not a key of the file
                current = member
                continue
        parts.append(f"[{part}]" if isinstance(part, int) else f"{'.' if parts else ''}{part}")
        current, _ = _walk(current, (part,)) if current is not None else (None, None)
    return "".join(parts) or "(top level)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at `loc` (or of its nearest existing parent)."""
    node, line = root, 1 if root is None else root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if getattr(k, "value", None) == str(part)]
            if not match:
                continue  # a union tag in pydantic's path (e.g. 'github'): same node, next part
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
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, FieldInfo | None]:
    """Follow `loc` through models, dicts and lists; return the type there and its last field."""
    current: Any = model
    info: FieldInfo | None = None
    for part in loc:
        current = _unwrap(current)
        if typing.get_origin(current) in (Union, types.UnionType):
            member = _union_member(current, part)
            if member is not None:  # pydantic puts a discriminated union's tag into the path
                current = member
                continue
            return None, info
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None, None
            current = info.annotation
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        elif typing.get_origin(current) in (list, tuple):
            current = typing.get_args(current)[0]
        else:
            return None, info
    return _unwrap(current), info


def _union_member(union: Any, tag: Any) -> type[BaseModel] | None:
    """The member of a discriminated union whose Literal field holds `tag`."""
    for member in typing.get_args(union):
        if isinstance(member, type) and issubclass(member, BaseModel):
            for info in member.model_fields.values():
                if typing.get_origin(info.annotation) is Literal and tag in typing.get_args(info.annotation):
                    return member
    return None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    current, _ = _walk(model, loc)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _description_at(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    current, info = _walk(model, loc)
    if info is not None and info.description:
        return info.description
    if isinstance(current, type) and issubclass(current, BaseModel):
        return f"a mapping with the keys {', '.join(current.model_fields) or '(none yet)'}"
    return None


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
