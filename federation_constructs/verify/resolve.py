"""Template values as they are in the account: CloudFormation intrinsics resolved with what the live
stack says (physical ids, parameter values) and the target's account, region and partition.

Only what can be known for certain is resolved; anything else becomes an `Unresolvable` marker that
the comparison reports as "cannot compare" instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from federation_constructs.partitions import partition_for_region
from federation_constructs.policy.document import substitute

__all__ = ["Resolver", "Unresolvable", "contains_marker", "url_suffix"]

_URL_SUFFIXES = {"aws-cn": "amazonaws.com.cn", "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov"}
_NO_VALUE = object()


class Unresolvable(str):
    """A value that cannot be known from outside CloudFormation; its text says what it was,
    e.g. `<Ref Pool>` or `<Fn::GetAtt Users.ProviderName>`."""

    __slots__ = ()


def url_suffix(partition: str) -> str:
    """`AWS::URLSuffix` of a partition."""
    return _URL_SUFFIXES.get(partition, "amazonaws.com")


def contains_marker(value: Any) -> list[str]:
    """Every `Unresolvable` inside `value` (strings, lists, dicts, keys included)."""
    if isinstance(value, Unresolvable):
        return [str(value)]
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in contains_marker(k) + contains_marker(v)]
    if isinstance(value, list):
        return [m for v in value for m in contains_marker(v)]
    return []


@dataclass(kw_only=True)
class Resolver:
    """Resolves intrinsics in one template for one account and region."""

    template: Mapping[str, Any]
    account: str
    region: str
    #: logical id -> physical id, from the live stack (empty when it is not deployed)
    physical: Mapping[str, str] = field(default_factory=dict)
    #: parameter -> value, from the live stack
    parameters: Mapping[str, str] = field(default_factory=dict)
    stack_name: str | None = None
    #: export name -> value (`cloudformation list_exports`), asked for only when a template imports one
    exports: Callable[[], Mapping[str, str]] | None = None

    @property
    def partition(self) -> str:
        return partition_for_region(self.region)

    def _resources(self) -> Mapping[str, Any]:
        return self.template.get("Resources") or {}

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic replaced by its value or an `Unresolvable`."""
        result = self._resolve(value)
        return None if result is _NO_VALUE else result

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [r for r in (self._resolve(v) for v in value) if r is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((name, args),) = value.items()
            handler = _INTRINSICS.get(name)
            if handler is not None:
                return handler(self, args)
            if name.startswith("Fn::"):
                return Unresolvable(f"<{name}>")
        return {k: r for k, r in ((k, self._resolve(v)) for k, v in value.items()) if r is not _NO_VALUE}

    def ref(self, name: str) -> Any:
        """The value of `{"Ref": name}`."""
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": url_suffix(self.partition),
            "AWS::StackName": self.stack_name,
        }
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in pseudo and pseudo[name] is not None:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.physical:
            return self.physical[name]
        return Unresolvable(f"<Ref {name}>")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        """The value of `{"Fn::GetAtt": [logical_id, attribute]}`: only a role's `Arn` is known."""
        resource = self._resources().get(logical_id)
        name = self.physical.get(logical_id)
        if isinstance(resource, dict) and resource.get("Type") == "AWS::IAM::Role" and attribute == "Arn" and name:
            path = self._resolve((resource.get("Properties") or {}).get("Path", "/"))
            if isinstance(path, str) and not isinstance(path, Unresolvable):
                return f"arn:{self.partition}:iam::{self.account}:role{path}{name}"
        return Unresolvable(f"<Fn::GetAtt {logical_id}.{attribute}>")


def _text(value: Any) -> str | None:
    """A resolved scalar as CloudFormation would join it; None for a list or dict."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def _ref(resolver: Resolver, args: Any) -> Any:
    return resolver.ref(args) if isinstance(args, str) else Unresolvable("<Ref>")


def _get_att(resolver: Resolver, args: Any) -> Any:
    parts = args.split(".", 1) if isinstance(args, str) else args
    if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
        return resolver.get_att(parts[0], parts[1])
    return Unresolvable("<Fn::GetAtt>")


def _join(resolver: Resolver, args: Any) -> Any:
    if not (isinstance(args, list) and len(args) == 2 and isinstance(args[0], str)):
        return Unresolvable("<Fn::Join>")
    parts = resolver._resolve(args[1])
    if not isinstance(parts, list):
        return Unresolvable("<Fn::Join>")
    texts = [_text(p) for p in parts]
    if any(t is None for t in texts):
        return Unresolvable("<Fn::Join>")
    joined = args[0].join(t for t in texts if t is not None)
    return Unresolvable(joined) if any(isinstance(p, Unresolvable) for p in parts) else joined


def _sub(resolver: Resolver, args: Any) -> Any:
    def value_of(name: str, variables: Mapping[str, Any]) -> tuple[str, bool]:
        if name in variables:
            value = resolver._resolve(variables[name])
        elif "." in name and not name.startswith("AWS::"):
            value = resolver.get_att(*name.split(".", 1))
        else:
            value = resolver.ref(name)
        text = _text(value)
        if text is None:
            return f"<{name}>", True
        return text, isinstance(value, Unresolvable)

    substituted = substitute(args, value_of)
    if substituted is None:
        return Unresolvable("<Fn::Sub>")
    result, unresolved = substituted
    return Unresolvable(result) if unresolved else result


def _find_in_map(resolver: Resolver, args: Any) -> Any:
    if not (isinstance(args, list) and len(args) == 3):
        return Unresolvable("<Fn::FindInMap>")
    keys = [resolver._resolve(a) for a in args]
    if not all(isinstance(k, str) and not isinstance(k, Unresolvable) for k in keys):
        return Unresolvable("<Fn::FindInMap>")
    value: Any = resolver.template.get("Mappings") or {}
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return Unresolvable(f"<Fn::FindInMap {'.'.join(keys)}>")
        value = value[key]
    return value


def _select(resolver: Resolver, args: Any) -> Any:
    if not (isinstance(args, list) and len(args) == 2):
        return Unresolvable("<Fn::Select>")
    index, items = resolver._resolve(args[0]), resolver._resolve(args[1])
    try:
        return items[int(index)] if isinstance(items, list) else Unresolvable("<Fn::Select>")
    except (ValueError, IndexError, TypeError):
        return Unresolvable("<Fn::Select>")


def _import_value(resolver: Resolver, args: Any) -> Any:
    name = resolver._resolve(args)
    if not isinstance(name, str) or isinstance(name, Unresolvable) or resolver.exports is None:
        return Unresolvable(f"<Fn::ImportValue {name}>")
    value = resolver.exports().get(name)
    return value if value is not None else Unresolvable(f"<Fn::ImportValue {name}>")


_INTRINSICS = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Join": _join,
    "Fn::Sub": _sub,
    "Fn::FindInMap": _find_in_map,
    "Fn::Select": _select,
    "Fn::ImportValue": _import_value,
}
