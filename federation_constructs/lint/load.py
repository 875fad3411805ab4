"""What `federation-lint` reads: template files (JSON, YAML with CloudFormation's short-form tags) and
whole cloud assemblies (`cdk.out`, nested Stage assemblies and StackSet member templates included).

Pure Python: nothing here starts Node. Every input is bounded before it is parsed (size, YAML aliases,
nesting, resource count), and an input that cannot be read becomes one line naming it and the reason,
while the other inputs are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from federation_constructs.assembly import AssemblyError, StackArtifact, stack_entries, stack_set_members
from federation_constructs.report.findings import Acknowledged, acknowledged
from federation_constructs.yaml_bounds import YamlLimits, YamlShapeError, check_yaml_shape

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_RESOURCES",
    "TEMPLATE_LIMITS",
    "LintError",
    "Source",
    "YamlLimits",
    "YamlShapeError",
    "check_yaml_shape",
    "load_file",
    "load_sources",
    "parse_template",
]

#: the largest file read: CloudFormation accepts at most 1 MB of template body (through S3); this
#: leaves room for indentation
MAX_BYTES = 4 * 1024 * 1024
#: CloudFormation's limit of resources in one stack
MAX_RESOURCES = 500
#: YAML aliases a template may use (templates rarely use any)
MAX_ALIASES = 100
#: values a YAML document may expand to once its aliases are followed (alias bombs expand to billions)
MAX_NODES = 1_000_000
#: how deep mappings and lists may nest (CloudFormation templates stay well below)
MAX_DEPTH = 64


class LintError(Exception):
    """An input that cannot be linted; the message names it and the reason."""


@dataclass(frozen=True)
class Source:
    """One template to lint."""

    #: what reports name: the file, or `<file>#StackSet:<name>` for a StackSet's member template
    label: str
    #: the file the template is in (a member template: the file of the stack that declares it)
    path: Path
    #: the text lines are counted in
    text: str
    template: dict[str, Any]
    #: acknowledgements the CDK app recorded for this stack (templates read from an assembly)
    acknowledgements: tuple[Acknowledged, ...] = field(default=())
    #: a member template's StackSet resource, whose line stands for every finding in it
    declared_by: str | None = None

    def line_of(self, logical_id: str) -> int | None:
        """The line of `logical_id`'s key in the file (a member template: its StackSet's line)."""
        match = re.search(rf'^\s*"?{re.escape(self.declared_by or logical_id)}"?\s*:', self.text, re.MULTILINE)
        return self.text.count("\n", 0, match.start()) + 1 if match else None

    def construct_path(self, logical_id: str) -> str | None:
        """The CDK construct path the template records for a resource (`aws:cdk:path`), if any."""
        resource = (self.template.get("Resources") or {}).get(logical_id)
        metadata = resource.get("Metadata") if isinstance(resource, dict) else None
        path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        return path if isinstance(path, str) else None


def _yaml_loader() -> Any:
    """A safe YAML loader for CloudFormation: short-form tags become the long form (`!Ref x` ->
    `{"Ref": "x"}`, `!GetAtt a.b` -> `{"Fn::GetAtt": ["a", "b"]}`, `!Sub ...` -> `{"Fn::Sub": ...}`),
    and dates stay strings (`Version: 2012-10-17` is text to CloudFormation)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc,valid-type]
        yaml_implicit_resolvers = {
            key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for key, resolvers in base.yaml_implicit_resolvers.items()
        }

    def short_form(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix in ("Ref", "Condition"):
            return {suffix: value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {f"Fn::{suffix}": value}

    Loader.add_multi_constructor("!", short_form)
    return Loader


#: what `federation-lint` accepts in a template
TEMPLATE_LIMITS = YamlLimits(aliases=MAX_ALIASES, nodes=MAX_NODES, depth=MAX_DEPTH)


def _check_yaml_shape(text: str, name: str) -> None:
    """`check_yaml_shape` with the template limits; a template over one is a `LintError` naming it."""
    try:
        check_yaml_shape(text, TEMPLATE_LIMITS)
    except YamlShapeError as err:
        raise LintError(f"{name}: {err}; expected a CloudFormation template") from None


def _depth_within(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def parse_template(text: str, name: str) -> dict[str, Any]:
    """The template in `text` (JSON or YAML), checked to be a CloudFormation template object with
    resources within CloudFormation's limits; raises `LintError` naming `name` otherwise."""
    if not text.strip():
        raise LintError(f"{name}: is empty; expected a CloudFormation template (JSON or YAML)")
    data: Any
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise LintError(f"{name}:{err.lineno}: not valid JSON: {err.msg}") from None
        except RecursionError:
            raise LintError(
                f"{name}: nests deeper than {MAX_DEPTH} levels; expected a CloudFormation template"
            ) from None
        if not _depth_within(data, MAX_DEPTH):
            raise LintError(f"{name}: nests deeper than {MAX_DEPTH} levels; expected a CloudFormation template")
    else:
        import yaml

        try:
            _check_yaml_shape(text, name)
            data = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f":{mark.line + 1}" if mark is not None else ""
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise LintError(f"{name}{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "text" if isinstance(data, str) else type(data).__name__
        raise LintError(f"{name}: is {kind}, not a mapping; expected a CloudFormation template")
    resources = data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        hint = " (it looks like a Kubernetes manifest)" if "apiVersion" in data and "kind" in data else ""
        raise LintError(f"{name}: has no Resources mapping{hint}; expected a CloudFormation template")
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise LintError(
                f"{name}: resource {logical_id!r} has no Type; expected each resource to be a mapping "
                f"with a Type such as AWS::IAM::Role"
            )
    if len(resources) > MAX_RESOURCES:
        raise LintError(
            f"{name}: has {len(resources):,} resources; CloudFormation allows at most {MAX_RESOURCES} in one stack"
        )
    return data


def load_file(path: Path) -> Source:
    """One template file; raises `LintError` naming the file and the reason."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise LintError(f"{path}: cannot be read: {err.strerror or err}") from None
    if size > MAX_BYTES:
        raise LintError(
            f"{path}: is {size:,} bytes; expected a CloudFormation template (at most "
            f"{MAX_BYTES:,} bytes are read; CloudFormation accepts 1 MB)"
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise LintError(f"{path}: cannot be read: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise LintError(f"{path}: is not UTF-8 text (byte {err.start}); expected a CloudFormation template") from None
    return Source(label=str(path), path=path, text=text, template=parse_template(text, str(path)))


def _assembly_sources(directory: Path, errors: list[str]) -> Iterator[Source]:
    """Every stack template of the assembly in `directory` (nested Stage assemblies included), and the
    member template of every StackSet they declare, with the app's acknowledgements."""
    try:
        entries = list(stack_entries(directory))  # the manifests only: each template is read once, bounded
        acks = acknowledged(directory)
    except AssemblyError as err:
        errors.append(str(err))
        return
    for here, artifact_id, artifact in entries:
        display = str(artifact.get("displayName") or artifact_id)
        template_file = (artifact.get("properties") or {}).get("templateFile")
        if not isinstance(template_file, str):
            errors.append(f"{here / 'manifest.json'}: stack {artifact_id!r} has no properties.templateFile")
            continue
        path = here / template_file
        mine = tuple(a for a in acks if a.stack == display)
        try:
            source = load_file(path)
        except LintError as err:
            errors.append(str(err))
            continue
        yield Source(label=source.label, path=path, text=source.text, template=source.template, acknowledgements=mine)
        stack = StackArtifact(
            artifact_id=artifact_id,
            display_name=display,
            stack_name=display,
            account=None,
            region=None,
            template=source.template,
        )
        try:
            members = stack_set_members([stack])
        except AssemblyError as err:
            errors.append(str(err))
            continue
        for member in members:
            logical = next(
                (
                    k
                    for k, r in (stack.template.get("Resources") or {}).items()
                    if isinstance(r, dict) and (r.get("Properties") or {}).get("StackSetName") == member.name
                ),
                None,
            )
            label = f"{path}#StackSet:{member.name}"
            try:
                template = parse_template(json.dumps(member.template), label)
            except LintError as err:
                errors.append(str(err))
                continue
            yield Source(label=label, path=path, text=source.text, template=template, declared_by=logical)


def load_sources(paths: Sequence[str | Path]) -> tuple[list[Source], list[str]]:
    """(templates to lint, one line per input that could not be read). A directory is read as a cloud
    assembly (`cdk.out`); anything else as a template file."""
    sources: list[Source] = []
    errors: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            if not (path / "manifest.json").is_file():
                errors.append(
                    f"{path}: is a directory without manifest.json; expected a template file or a "
                    f"cloud assembly written by `cdk synth` (cdk.out)"
                )
                continue
            found = list(_assembly_sources(path, errors))
            if not found and not errors:
                errors.append(f"{path}: holds no stack templates; expected a cloud assembly with stacks")
            sources += found
            continue
        try:
            sources.append(load_file(path))
        except LintError as err:
            errors.append(str(err))
    return sources, errors
