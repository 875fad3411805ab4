"""FED60: a role over IAM's per-role quotas. IAM refuses it at deploy time, after CloudFormation has
started (and rolls the stack back): `cdk synth` and cfn-lint accept it.

- **Managed policies**: more than 10 attached to one role (IAM's default quota "Managed policies
  attached to an IAM role", raisable to 20 on request). Counted: the role's `ManagedPolicyArns`
  entries, plus every `AWS::IAM::ManagedPolicy` of the template that attaches itself to the role
  through its own `Roles` (CDK's `iam.ManagedPolicy(roles=[...])`, `attach_to_role`, and the
  `OverflowPolicy` the CDK splits a too-large default policy into). A policy both listed and
  attaching itself counts once, as IAM attaches it once; so do identical entries.
- **Inline policies**: more than 10,240 characters for all the role's inline policies together
  (IAM's "Role policy size" quota), whitespace not counted. Counted: the role's `Policies` plus every
  `AWS::IAM::Policy` and `AWS::IAM::RolePolicy` that names the role (IAM stores an `AWS::IAM::Policy`
  as an inline policy of each role it names). Each policy counts as its policy document's JSON without
  whitespace (`policy_size`); the policy name is not counted (the construct's own synth-time check in
  `FederatedRole` counts it too, and so is a little stricter).

The roles a policy resource applies to are found as every permission rule finds them
(`federation_constructs.policy.permissions.roles_of`): by `Ref`, by the role's literal `RoleName`, by
a `ManagedPolicyArns` reference.

How a document holding CloudFormation intrinsics is counted: only what the template fixes, so that a
finding never rests on a guess. Literal joins and substitutions are flattened to their text
(`Fn::Join`, `Fn::Sub`, as `TemplateIndex.flatten` renders them); a value known only at deploy time
counts at its shortest possible length: `AWS::AccountId` 12, `AWS::Region` 9, `AWS::Partition` 3
(`aws`), `AWS::URLSuffix` 10, and anything else (a parameter, even with a default, a resource's `Ref`
or `Fn::GetAtt`, `Fn::ImportValue`, ...) 0 characters; an `Fn::If` counts as its smaller branch and
`AWS::NoValue` as absent; a policy resource or `ManagedPolicyArns` entry under a `Condition` (that may
not be created) is not counted. The size is thus a lower bound: the rule reports only when the known
characters alone exceed the quota, and says "at least" when deploy-time values were involved.

Sources: IAM and AWS STS quotas, "IAM object quotas" and "IAM and STS character limits"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); managed policies and
inline policies (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html);
AWS CDK, `Role` splits its default policy into `OverflowPolicy` managed policies when it grows too
large (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_iam.Role.html)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from weakref import WeakKeyDictionary

from federation_constructs.policy.actions import (
    INLINE_POLICIES_QUOTA,
    MANAGED_POLICIES_PER_ROLE,
    MAX_MANAGED_POLICIES_PER_ROLE,
    policy_size,
)
from federation_constructs.policy.document import flatten, is_literal
from federation_constructs.policy.permissions import roles_of
from federation_constructs.policy.template import TemplateIndex
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

#: the inline policy resources IAM stores as inline policies of the roles they name
INLINE_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::RolePolicy")
MANAGED_POLICY_TYPE = "AWS::IAM::ManagedPolicy"
#: the shortest value a pseudo parameter can take (every other deploy-time value counts 0)
SHORTEST = {"AWS::AccountId": 12, "AWS::Region": 9, "AWS::Partition": 3, "AWS::URLSuffix": 10}
QUOTAS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

_PLACEHOLDER = re.compile(r"<([^<>]*)>")
_NO_VALUE = {"Ref": "AWS::NoValue"}


class _Absent:
    """What `AWS::NoValue` (or an `Fn::If` branch of it) leaves: nothing."""


_ABSENT = _Absent()

# per template: role -> the policy resources of each kind that attach to it (read once)
_ATTACHED: WeakKeyDictionary[TemplateIndex, dict[str, dict[str, list[str]]]] = WeakKeyDictionary()
# per template: policy resource -> (its known size, whether deploy-time values were counted at their shortest)
_SIZES: WeakKeyDictionary[TemplateIndex, dict[str, tuple[int, bool]]] = WeakKeyDictionary()


def _is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (name,) = value
    return name == "Ref" or (isinstance(name, str) and name.startswith("Fn::"))


def _known_text(value: Any) -> tuple[str, bool]:
    """An intrinsic's text as far as the template fixes it (`Fn::Join` / `Fn::Sub` literal parts kept),
    each deploy-time value replaced by as many characters as it has at the least; and whether any
    deploy-time value was involved. Parameters count as unknown, defaults notwithstanding."""
    text = flatten(value, {})
    if is_literal(text):
        return text, False
    return _PLACEHOLDER.sub(lambda m: "x" * SHORTEST.get(m.group(1), 0), text), True


def _shortest(value: Any) -> tuple[Any, bool]:
    """The value as deployed at its shortest (`_ABSENT` where it may be left out), and whether a
    deploy-time value was involved."""
    if _is_intrinsic(value):
        ((name, args),) = value.items()
        if value == _NO_VALUE:
            return _ABSENT, False
        if name == "Fn::If" and isinstance(args, list) and len(args) == 3:
            branches = [_shortest(branch)[0] for branch in args[1:]]
            return min(branches, key=_size), True
        return _known_text(value)
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        unknown = False
        for key, item in value.items():
            shortest, deploy_time = _shortest(item)
            unknown |= deploy_time
            if shortest is not _ABSENT:
                found[str(key)] = shortest
        return found, unknown
    if isinstance(value, list):
        items: list[Any] = []
        unknown = False
        for item in value:
            shortest, deploy_time = _shortest(item)
            unknown |= deploy_time
            if shortest is not _ABSENT:
                items.append(shortest)
        return items, unknown
    return value, False


def _size(value: Any) -> int:
    """A (shortest) policy document's size as IAM counts it; a JSON text given as a string is counted
    as that text."""
    if value is _ABSENT or value is None:
        return 0
    if isinstance(value, str):
        return policy_size(value)
    try:
        return policy_size(value) if isinstance(value, dict) else policy_size(json.dumps(value, separators=(",", ":")))
    except (TypeError, ValueError):
        return 0


def _document_size(document: Any) -> tuple[int, bool]:
    shortest, unknown = _shortest(document)
    return _size(shortest), unknown


def _conditional(index: TemplateIndex, logical_id: str) -> bool:
    """Whether the resource is created only under a `Condition` (so it may not exist)."""
    return "Condition" in index.resources.get(logical_id, {})


def _attached(index: TemplateIndex, role_id: str) -> dict[str, list[str]]:
    """The managed and inline policy resources of the template that attach to the role (through
    `roles_of`), resources under a `Condition` left out."""
    cached = _ATTACHED.get(index)
    if cached is None:
        cached = {}
        for logical, resource in index.of_type(MANAGED_POLICY_TYPE, *INLINE_POLICY_TYPES).items():
            if _conditional(index, logical):
                continue
            kind = "managed" if resource.get("Type") == MANAGED_POLICY_TYPE else "inline"
            for role in roles_of(index, logical):
                cached.setdefault(role, {"managed": [], "inline": []})[kind].append(logical)
        _ATTACHED[index] = cached
    return cached.get(role_id, {"managed": [], "inline": []})


def _policy_resource_size(index: TemplateIndex, logical_id: str) -> tuple[int, bool]:
    sizes = _SIZES.setdefault(index, {})
    if logical_id not in sizes:
        sizes[logical_id] = _document_size(index.properties(logical_id).get("PolicyDocument"))
    return sizes[logical_id]


def _role_label(context: ResourceContext) -> str:
    name = context.properties.get("RoleName")
    return f"Role {context.logical_id}" + (f" (RoleName {name})" if is_literal(name) else "")


# --- managed policies ------------------------------------------------------------------------------


def _entries(value: Any, weight: Callable[[list[Any]], int]) -> list[Any]:
    """The entries of a list property as written; of an `Fn::If` between lists, the branch of the least
    `weight`; none for `AWS::NoValue` or another intrinsic (whose entries the template does not fix)."""
    if isinstance(value, list):
        return value
    if _is_intrinsic(value) and "Fn::If" in value:
        args = value["Fn::If"]
        if isinstance(args, list) and len(args) == 3:
            return min((_entries(branch, weight) for branch in args[1:]), key=weight)
    return []


def managed_policies(context: ResourceContext) -> tuple[list[str], list[str]]:
    """What the role gets attached: (`ManagedPolicyArns` entries that are not a managed policy of this
    template, rendered; the template's managed policies, by logical id, listed or attaching
    themselves). Identical entries, and a policy both listed and attaching itself, count once; an
    entry that may be `AWS::NoValue` (`Fn::If`) is not counted."""
    index = context.index
    arns: list[str] = []
    seen: set[str] = set()
    templated = list(_attached(index, context.logical_id)["managed"])
    for value in _entries(context.properties.get("ManagedPolicyArns"), len):
        if _shortest(value)[0] is _ABSENT:
            continue
        target = index.target(index.flatten(value)) if isinstance(value, dict) else None
        if target is not None and index.type_of(target) == MANAGED_POLICY_TYPE:
            if target not in templated:
                templated.append(target)
            continue
        key = json.dumps(value, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            arns.append(str(index.flatten(value)))
    return arns, templated


def _managed_hit(context: ResourceContext) -> Iterator[Hit]:
    arns, templated = managed_policies(context)
    count = len(arns) + len(templated)
    if count <= MANAGED_POLICIES_PER_ROLE:
        return
    parts = []
    if arns:
        parts.append(f"{len(arns)} in ManagedPolicyArns")
    if templated:
        parts.append(f"{len(templated)} AWS::IAM::ManagedPolicy of this template: {', '.join(templated)}")
    beyond = (
        f"; over the {MAX_MANAGED_POLICIES_PER_ROLE} IAM grants at most, too: it can never deploy"
        if count > MAX_MANAGED_POLICIES_PER_ROLE
        else f" (raisable to {MAX_MANAGED_POLICIES_PER_ROLE} on request: where the account's quota was raised, "
        f"acknowledge FED60[ManagedPolicies] with the quota as the reason)"
    )
    yield Hit(
        "ManagedPolicies",
        f"{_role_label(context)} holds {count} managed policies ({'; '.join(parts)}), over IAM's default quota "
        f"of {MANAGED_POLICIES_PER_ROLE} managed policies attached to a role{beyond}: IAM refuses the attachment at "
        f"deploy time and the stack rolls back. Attach fewer policies: merge customer managed policies into one, "
        f"or replace several AWS managed policies by one customer managed policy with the statements the role "
        f"needs ({QUOTAS_PAGE})",
    )


# --- inline policies -------------------------------------------------------------------------------


def _inline_policy_size(policy: Any) -> tuple[int, bool] | None:
    """An entry of a role's `Policies`: its document's size at the least (None where it may be absent)."""
    if isinstance(policy, dict) and not _is_intrinsic(policy):
        return _document_size(policy.get("PolicyDocument"))
    shortest, _ = _shortest(policy)
    return (_size(shortest.get("PolicyDocument")), True) if isinstance(shortest, dict) else None


def inline_policies(context: ResourceContext) -> list[tuple[str, int, bool]]:
    """The role's inline policies as IAM stores them: (where, size without whitespace at the least,
    whether deploy-time values were counted at their shortest), its own `Policies` first."""
    found = []

    def total(entries: list[Any]) -> int:
        return sum(size[0] for size in map(_inline_policy_size, entries) if size)

    for position, policy in enumerate(_entries(context.properties.get("Policies"), total)):
        size = _inline_policy_size(policy)
        if size is None:
            continue
        name = policy.get("PolicyName") if isinstance(policy, dict) else None
        found.append((f"Policies[{name if is_literal(name) else position}]", *size))
    for logical in _attached(context.index, context.logical_id)["inline"]:
        found.append((logical, *_policy_resource_size(context.index, logical)))
    return found


def _inline_hit(context: ResourceContext) -> Iterator[Hit]:
    policies = inline_policies(context)
    total = sum(size for _, size, _ in policies)
    if total <= INLINE_POLICIES_QUOTA:
        return
    at_least = "at least " if any(unknown for _, _, unknown in policies) else ""
    largest = sorted(policies, key=lambda p: -p[1])[:5]
    listing = ", ".join(f"{where} {size:,}" for where, size, _ in largest)
    more = f", and {len(policies) - len(largest)} more" if len(policies) > len(largest) else ""
    counted = " (values known only at deploy time counted at their shortest)" if at_least else ""
    yield Hit(
        "InlinePolicies",
        f"{_role_label(context)} holds inline policies of {at_least}{total:,} characters without whitespace "
        f"together{counted}: {listing}{more}; over IAM's quota of {INLINE_POLICIES_QUOTA:,} characters for all "
        f"inline policies of a role (AWS::IAM::Policy and AWS::IAM::RolePolicy count as inline policies of each "
        f"role they name), which cannot be raised: IAM refuses the policy at deploy time and the stack rolls back. "
        f"Move statements into a customer managed policy (AWS::IAM::ManagedPolicy, up to 6,144 characters each), "
        f"or merge statements that repeat the same actions or resources ({QUOTAS_PAGE})",
    )


def check(context: ResourceContext) -> Iterator[Hit]:
    yield from _managed_hit(context)
    yield from _inline_hit(context)


RULE = Rule(
    id="FED60",
    level="error",
    title="Role over IAM's per-role quotas: more than 10 managed policies, or inline policies over 10,240 "
    "characters (the deploy fails)",
    fix="Move inline statements into a customer managed policy; attach fewer managed policies (merge them into one "
    "customer managed policy); the managed-policy quota can be raised to 20 on request, then acknowledge "
    "FED60[ManagedPolicies] with the raised quota as the reason",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
