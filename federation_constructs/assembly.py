"""What the app synthesized: the stacks of a cloud assembly (`cdk.out`), nested Stage assemblies
included, and the member templates of the StackSets they declare."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "AssemblyError",
    "StackArtifact",
    "StackSetMember",
    "load_assembly",
    "select_stacks",
    "stack_entries",
    "stack_set_members",
]

_STACK = "aws:cloudformation:stack"
_NESTED = "cdk:cloud-assembly"
_UNKNOWN = ("unknown-account", "unknown-region")


class AssemblyError(Exception):
    """An assembly that cannot be read; `str()` names the file and what was expected."""


@dataclass(frozen=True, kw_only=True)
class StackArtifact:
    """One stack of the assembly."""

    #: the artifact id (for a stack in a Stage, unique only within its nested assembly)
    artifact_id: str
    #: what the CDK CLI shows, e.g. `dev/org-federation` for a stack in the Stage `dev`
    display_name: str
    #: the deployed CloudFormation stack name
    stack_name: str
    #: the environment's account, None for an environment-agnostic stack
    account: str | None
    #: the environment's region, None for an environment-agnostic stack
    region: str | None
    template: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class StackSetMember:
    """The member template of an `AWS::CloudFormation::StackSet` declared in an assembly's stack."""

    #: `StackSetName`: member accounts name its stack instances `StackSet-<name>-<uuid>`
    name: str
    template: dict[str, Any]
    #: the regions its stack instances are deployed to (`StackInstancesGroup[].Regions`), when literal
    regions: tuple[str, ...]
    #: the stack (display name) that declares the StackSet
    declared_in: str

    @property
    def instance_prefix(self) -> str:
        """The name prefix of this StackSet's stack instances in a member account."""
        return f"StackSet-{self.name}-"


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssemblyError(f"{path}: not found; expected {what}") from None
    except OSError as err:
        raise AssemblyError(f"{path}: cannot be read ({err.strerror or err}); expected {what}") from None
    except json.JSONDecodeError as err:
        raise AssemblyError(f"{path}:{err.lineno}: not valid JSON ({err.msg}); expected {what}") from None


def _environment(artifact_id: str, value: Any, manifest: Path) -> tuple[str | None, str | None]:
    text = value if isinstance(value, str) else ""
    if not text.startswith("aws://") or text.count("/") != 3:
        raise AssemblyError(
            f"{manifest}: artifact {artifact_id!r} has environment {value!r}; expected 'aws://ACCOUNT/REGION'"
        )
    account, region = text[len("aws://") :].split("/")
    return (None if account == _UNKNOWN[0] else account), (None if region == _UNKNOWN[1] else region)


def load_assembly(directory: str | Path) -> list[StackArtifact]:
    """Every stack of the cloud assembly in `directory`, nested assemblies (CDK Stages) included, in
    manifest order. Raises `AssemblyError` naming the file for anything unreadable."""
    root = Path(directory)
    if not root.is_dir():
        raise AssemblyError(
            f"{root}: not a directory; expected a cloud assembly written by `cdk synth` (default cdk.out)"
        )
    return _load(root, seen=set())


def stack_entries(directory: str | Path) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    """(assembly directory, artifact id, manifest entry) of every stack artifact below `directory`,
    nested assemblies (CDK Stages) included, in manifest order. Raises `AssemblyError` naming the file
    for an unreadable manifest."""
    yield from _entries(Path(directory), seen=set())


def _entries(directory: Path, *, seen: set[Path]) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    resolved = directory.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    manifest = directory / "manifest.json"
    data = _read_json(manifest, "the cloud assembly manifest written by `cdk synth`")
    artifacts = data.get("artifacts") if isinstance(data, dict) else None
    if not isinstance(artifacts, dict):
        raise AssemblyError(f"{manifest}: has no 'artifacts' object; expected a cloud assembly manifest")
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            continue
        if artifact.get("type") == _NESTED:
            nested = (artifact.get("properties") or {}).get("directoryName")
            if not isinstance(nested, str):
                raise AssemblyError(f"{manifest}: nested assembly {artifact_id!r} has no properties.directoryName")
            yield from _entries(directory / nested, seen=seen)
        elif artifact.get("type") == _STACK:
            yield directory, artifact_id, artifact


def _load(directory: Path, *, seen: set[Path]) -> list[StackArtifact]:
    found: list[StackArtifact] = []
    for here, artifact_id, artifact in _entries(directory, seen=seen):
        manifest = here / "manifest.json"
        properties = artifact.get("properties") or {}
        template_file = properties.get("templateFile")
        if not isinstance(template_file, str):
            raise AssemblyError(f"{manifest}: stack {artifact_id!r} has no properties.templateFile")
        template = _read_json(here / template_file, f"the template of stack {artifact_id!r}")
        if not isinstance(template, dict):
            raise AssemblyError(f"{here / template_file}: is not a JSON object; expected a template")
        account, region = _environment(artifact_id, artifact.get("environment"), manifest)
        stack_name = properties.get("stackName")
        found.append(
            StackArtifact(
                artifact_id=artifact_id,
                display_name=str(artifact.get("displayName") or artifact_id),
                stack_name=stack_name if isinstance(stack_name, str) and stack_name else artifact_id,
                account=account,
                region=region,
                template=template,
            )
        )
    return found


def select_stacks(stacks: list[StackArtifact], *, account: str) -> list[StackArtifact]:
    """The stacks bound to `account`, and the environment-agnostic ones (they deploy anywhere)."""
    return [s for s in stacks if s.account is None or s.account == account]


def stack_set_members(stacks: list[StackArtifact]) -> list[StackSetMember]:
    """The member templates of every `AWS::CloudFormation::StackSet` with a literal `StackSetName` and
    an inline JSON `TemplateBody` (a `TemplateURL` cannot be read offline and is skipped)."""
    members: list[StackSetMember] = []
    for stack in stacks:
        resources = stack.template.get("Resources") or {}
        for logical_id, resource in resources.items():
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::CloudFormation::StackSet":
                continue
            properties = resource.get("Properties") or {}
            name, body = properties.get("StackSetName"), properties.get("TemplateBody")
            if not isinstance(name, str) or not isinstance(body, str):
                continue
            try:
                template = json.loads(body)
            except json.JSONDecodeError as err:
                raise AssemblyError(
                    f"stack {stack.display_name}: {logical_id}.TemplateBody is not valid JSON "
                    f"({err.msg}); expected the member template as a JSON string"
                ) from None
            regions = tuple(
                r
                for group in properties.get("StackInstancesGroup") or []
                if isinstance(group, dict)
                for r in group.get("Regions") or []
                if isinstance(r, str)
            )
            members.append(
                StackSetMember(
                    name=name, template=template, regions=tuple(dict.fromkeys(regions)), declared_in=stack.display_name
                )
            )
    return members
