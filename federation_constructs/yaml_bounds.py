"""Bounds on YAML structure, checked on the event stream before anything is built.

Shared by the config loader (`stacks.config`) and `federation-lint` (templates): alias bombs, deep
nesting and documents that expand to too many values are refused with work and memory proportional
to the text. Only the standard library and PyYAML: importing it costs nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["YamlLimits", "YamlShapeError", "check_yaml_shape"]


@dataclass(frozen=True)
class YamlLimits:
    """How much structure a YAML reader accepts, checked on the event stream before anything is built."""

    #: alias uses (`*name`) in the document
    aliases: int
    #: values (scalars, mappings, lists) the document expands to once its aliases are followed
    nodes: int
    #: how deep mappings and lists may nest
    depth: int


class YamlShapeError(ValueError):
    """YAML over one of its `YamlLimits`: `str()` names the limit (`uses more than 100 YAML aliases`), `line`
    is the 1-based line where it was crossed."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.line = line


def check_yaml_shape(text: str, limits: YamlLimits) -> None:
    """Refuse alias bombs, deep nesting and oversized documents from the event stream, before anything is
    built: the number of aliases, the nesting depth, and how many values the document expands to with its
    aliases. Work and memory stay proportional to the text, whatever the aliases would expand to; raises
    `YamlShapeError` (a limit) or `yaml.YAMLError` (not YAML)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    aliases = 0
    sizes: dict[str, int] = {}  # anchor -> how many values its node expands to
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, values so far) of each open collection
    seen = 0  # values so far, aliases expanded (those of open collections included)
    line = 1

    def count(size: int) -> None:
        nonlocal seen
        seen += size
        if seen > limits.nodes:
            how = " through its YAML aliases" if aliases else ""
            raise YamlShapeError(f"expands to more than {limits.nodes:,} values{how}", line)

    def add(size: int) -> None:
        if open_nodes:
            anchor, so_far = open_nodes[-1]
            open_nodes[-1] = (anchor, so_far + size)

    for event in yaml.parse(text, Loader=loader):
        mark = getattr(event, "start_mark", None)
        line = mark.line + 1 if mark is not None else line
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > limits.aliases:
                raise YamlShapeError(f"uses more than {limits.aliases} YAML aliases", line)
            size = sizes.get(str(event.anchor), 1)
            count(size)
            add(size)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            count(1)
            add(1)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_nodes.append((event.anchor, 1))
            if len(open_nodes) > limits.depth:
                raise YamlShapeError(f"nests deeper than {limits.depth} levels", line)
            count(1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = size
            add(size)  # already counted, value by value
