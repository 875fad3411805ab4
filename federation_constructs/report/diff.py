"""The access diff: what a change does to who can get in and what they can do, between two
access-report.json documents (`federation_constructs.report.access`), e.g. a pull request's base
commit and its head.

Roles are matched by (stack, name). For a role in both, the trust policies are compared with the z3
solver (`federation_constructs.proof.compare`): a request the head admits and the base does not makes
the trust *widened* (that request is the witness a reviewer reads), the reverse *narrowed*, both
*changed*. Doors, session length and tags, the SAML role attribute, permissions, findings and opt-ins
are compared as sets. A role whose IAM name or path differs (`role_name` / `role_arn` of the reports,
a generated name made fixed included) is *replaced*: IAM gets a new role with a new ARN and the old
one is deleted, so everything that holds the old ARN must change with it. Output as data (`diff_access_reports`), Markdown for a pull-request comment
(`diff_to_markdown`) and an HTML fragment for the HTML report (`diff_to_html`).

CLI: `python -m federation_constructs.report.diff --base BASE.json --head HEAD.json [--base-ref REF]
[--out-dir cdk.out]` writes access-diff.json and access-diff.md (exit 0 whatever the diff says; 2 for
input it cannot read).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from federation_constructs.proof.verdict import proof_words
from federation_constructs.report.diff_render import diff_to_html, diff_to_markdown

__all__ = [
    "DIFF_JSON",
    "DIFF_MD",
    "ReportError",
    "diff_access_reports",
    "diff_to_html",
    "diff_to_markdown",
    "load_report",
    "main",
]

DIFF_JSON = "access-diff.json"
DIFF_MD = "access-diff.md"
NO_CHANGE = "No change in access"

#: summary counters in headline order: (key, singular, plural); widening ones first
_COUNTS = (
    ("roles_added", "role added", "roles added"),
    ("trusts_widened", "trust widened", "trusts widened"),
    ("trusts_changed", "trust changed (wider and narrower)", "trusts changed (wider and narrower)"),
    ("trusts_unknown", "trust change not classified", "trust changes not classified"),
    ("permissions_added", "permission added", "permissions added"),
    ("sessions_lengthened", "session lengthened", "sessions lengthened"),
    ("opt_ins_added", "opt-in added", "opt-ins added"),
    ("findings_newly_open", "finding newly open", "findings newly open"),
    ("roles_replaced", "role replaced (new ARN)", "roles replaced (new ARNs)"),
    ("roles_removed", "role removed", "roles removed"),
    ("trusts_narrowed", "trust narrowed", "trusts narrowed"),
    ("permissions_removed", "permission removed", "permissions removed"),
    ("sessions_shortened", "session shortened", "sessions shortened"),
    ("opt_ins_removed", "opt-in removed", "opt-ins removed"),
    ("findings_newly_acknowledged", "finding newly acknowledged", "findings newly acknowledged"),
    ("acknowledgements_removed", "acknowledgement removed", "acknowledgements removed"),
    ("findings_no_longer_open", "finding no longer open", "findings no longer open"),
    ("other_changes", "other change", "other changes"),
)
_WIDENING = (
    "roles_added",
    "trusts_widened",
    "trusts_changed",
    "trusts_unknown",
    "permissions_added",
    "sessions_lengthened",
    "opt_ins_added",
)


class ReportError(ValueError):
    """An access-report.json that cannot be read or does not have the report's shape."""


# --- reading ---------------------------------------------------------------------------------------


def _check_shape(report: Any, where: str) -> None:
    if not isinstance(report, dict) or not isinstance(report.get("stacks"), list):
        raise ReportError(
            f"{where}: not an access report; expected a JSON object with a 'stacks' list "
            "(the access-report.json that `make synth` writes)"
        )
    for i, stack in enumerate(report["stacks"]):
        if (
            not isinstance(stack, dict)
            or not isinstance(stack.get("stack"), str)
            or not isinstance(stack.get("roles"), list)
        ):
            raise ReportError(
                f"{where}: stacks[{i}] is not a stack report; expected an object with 'stack' "
                "(a name) and 'roles' (a list)"
            )
        for j, role in enumerate(stack["roles"]):
            if not isinstance(role, dict) or not isinstance(role.get("name"), str):
                raise ReportError(
                    f"{where}: stacks[{i}].roles[{j}] is not a role; expected an object with 'name' (a string)"
                )


def load_report(path: Path | str, *, label: str = "report") -> dict[str, Any]:
    """Read and shape-check one access-report.json; `label` (e.g. "base") names it in errors."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = (
            " (a commit from before the access report existed writes none: choose a newer base)"
            if label == "base"
            else " (run `make synth` first)"
        )
        raise ReportError(f"{label} report {path}: no such file{hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{label} report {path}: cannot be read: {exc}") from None
    try:
        report = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{label} report {path}: not JSON ({exc})") from None
    _check_shape(report, f"{label} report {path}")
    return cast(dict[str, Any], report)


# --- comparing one role ----------------------------------------------------------------------------


def _roles(report: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    return {
        (str(role.get("stack") or stack["stack"]), role["name"]): role
        for stack in report["stacks"]
        for role in stack["roles"]
    }


def _door_key(door: Mapping[str, Any]) -> str:
    return f"{door.get('issuer') or door.get('kind', '?')} ({door.get('provider', '?')})"


def _doors(role: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    for door in role.get("doors") or []:
        entry = found.setdefault(_door_key(door), {"conditions": [], "who": []})
        for field in ("conditions", "who"):
            entry[field] += [str(v) for v in door.get(field) or [] if str(v) not in entry[field]]
    return found


def _door_changes(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[dict[str, Any]]:
    before, after = _doors(base), _doors(head)
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, {"conditions": [], "who": []}), after.get(key, {"conditions": [], "who": []})
        change = "added" if key not in before else "removed" if key not in after else "changed"
        entry = {
            "door": key,
            "change": change,
            "conditions_added": [c for c in new["conditions"] if c not in old["conditions"]],
            "conditions_removed": [c for c in old["conditions"] if c not in new["conditions"]],
            "who_added": [w for w in new["who"] if w not in old["who"]],
            "who_removed": [w for w in old["who"] if w not in new["who"]],
        }
        if change != "changed" or any(entry[k] for k in entry if k not in ("door", "change")):
            changes.append(entry)
    return changes


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _witness(example: Any, documents: Sequence[Any]) -> dict[str, Any] | None:
    if example is None:
        return None
    # the solver works on lower-case actions: give back the spelling a trust uses
    spelled = {
        str(a).lower(): str(a)
        for d in documents
        if isinstance(d, dict)
        for s in _as_list(d.get("Statement"))
        if isinstance(s, dict)
        for a in _as_list(s.get("Action"))
        if a
    }
    return {
        "principal": example.principal,
        "action": spelled.get(example.action, example.action),
        "claims": {k: v for k, v in sorted(example.claims.items())},
    }


def _trust_change(base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, Any]:
    """The trust verdict: by the solver when both reports carry the trust policy, else by the doors' words."""
    old, new = base.get("trust"), head.get("trust")
    if old is None or new is None:
        same = _doors(base) == _doors(head) and bool(base.get("session_tags")) == bool(head.get("session_tags"))
        which = "base" if old is None else "head"
        return {
            "status": "unchanged" if same else "unknown",
            "wider": None,
            "narrower": None,
            "detail": f"the {which} report carries no trust policy (made before the access report had one): "
            f"compared by the doors' conditions, which are {'the same' if same else 'different'}",
        }
    if old == new:
        return {"status": "unchanged", "wider": None, "narrower": None, "detail": ""}
    from federation_constructs.proof.model import compare

    result = compare(old, new)
    return {
        "status": result.status,
        "wider": _witness(result.wider, (old, new)),
        "narrower": _witness(result.narrower, (old, new)),
        "detail": result.detail,
    }


def _grants(role: Mapping[str, Any]) -> dict[tuple[str, str, tuple[str, ...]], dict[str, str]]:
    """(effect, resource, conditions) -> lower-case action -> action as written."""
    found: dict[tuple[str, str, tuple[str, ...]], dict[str, str]] = {}
    for row in (role.get("permissions") or {}).get("statements") or []:
        conditions = tuple(sorted(str(c) for c in row.get("conditions") or []))
        for resource in row.get("resources") or []:
            actions = found.setdefault((str(row.get("effect", "Allow")), str(resource), conditions), {})
            actions.update({str(a).lower(): str(a) for a in row.get("actions") or []})
    return found


def _grant_rows(
    grants: Mapping[tuple[str, str, tuple[str, ...]], Mapping[str, str]],
    other: Mapping[tuple[str, str, tuple[str, ...]], Mapping[str, str]],
) -> list[dict[str, Any]]:
    """Actions in `grants` that `other` lacks, grouped as (effect, resource, conditions) rows."""
    rows = []
    for (effect, resource, conditions), actions in sorted(grants.items()):
        missing = sorted(
            spelled for low, spelled in actions.items() if low not in other.get((effect, resource, conditions), {})
        )
        if missing:
            rows.append({"effect": effect, "resource": resource, "conditions": list(conditions), "actions": missing})
    return rows


def _set_change(base: Iterable[Any], head: Iterable[Any]) -> tuple[list[str], list[str]]:
    old, new = sorted({str(v) for v in base}), sorted({str(v) for v in head})
    return [v for v in new if v not in old], [v for v in old if v not in new]


def _permission_changes(base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, Any]:
    old, new = base.get("permissions") or {}, head.get("permissions") or {}
    managed_added, managed_removed = _set_change(old.get("managed_policies") or [], new.get("managed_policies") or [])
    services_added, services_removed = _set_change(old.get("services") or [], new.get("services") or [])
    prefixes_added, prefixes_removed = _set_change(
        old.get("per_user_prefixes") or [], new.get("per_user_prefixes") or []
    )
    before, after = _grants(base), _grants(head)
    return {
        "managed_policies_added": managed_added,
        "managed_policies_removed": managed_removed,
        "added": _grant_rows(after, before),
        "removed": _grant_rows(before, after),
        "services_added": services_added,
        "services_removed": services_removed,
        "per_user_prefixes_added": prefixes_added,
        "per_user_prefixes_removed": prefixes_removed,
    }


def _permission_counts(permissions: Mapping[str, Any]) -> tuple[int, int]:
    """(added, removed) permissions: a managed policy or one action on one resource each; a Deny
    removed counts as added access, a Deny added as removed access."""

    def count(rows: Sequence[Mapping[str, Any]], effect: str) -> int:
        return sum(len(r["actions"]) for r in rows if r["effect"] == effect)

    added = (
        len(permissions["managed_policies_added"])
        + count(permissions["added"], "Allow")
        + count(permissions["removed"], "Deny")
    )
    removed = (
        len(permissions["managed_policies_removed"])
        + count(permissions["removed"], "Allow")
        + count(permissions["added"], "Deny")
    )
    return added, removed


def _finding_changes(base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    def keyed(role: Mapping[str, Any]) -> dict[tuple[str, str, str], Mapping[str, Any]]:
        return {
            (str(f.get("pack", "")), str(f.get("rule", "")), str(f.get("finding", ""))): f
            for f in role.get("findings") or []
        }

    def entry(finding: Mapping[str, Any], **extra: str) -> dict[str, str]:
        found = {k: str(finding.get(k, "")) for k in ("pack", "rule", "finding", "level", "detail", "reason")}
        return {**found, **extra}

    old, new = keyed(base), keyed(head)

    def status(findings: Mapping[Any, Any], key: Any) -> Any:
        return (findings.get(key) or {}).get("status")

    changes: dict[str, list[dict[str, str]]] = {
        "newly_open": [],
        "newly_acknowledged": [],
        "acknowledgements_removed": [],
        "reasons_changed": [],
        "no_longer_open": [],
    }
    for key in sorted(set(old) | set(new)):
        was, now = status(old, key), status(new, key)
        if now == "open" and was != "open":
            changes["newly_open"].append(entry(new[key]))
        if was == "open" and now != "open":
            changes["no_longer_open"].append(entry(old[key]))
        if now == "acknowledged" and was != "acknowledged":
            changes["newly_acknowledged"].append(entry(new[key]))
        if was == "acknowledged" and now != "acknowledged":
            changes["acknowledgements_removed"].append(
                entry(old[key], now="open" if now == "open" else "no longer reported")
            )
        if was == now == "acknowledged" and old[key].get("reason") != new[key].get("reason"):
            changes["reasons_changed"].append(entry(new[key], previous_reason=str(old[key].get("reason", ""))))
    return changes


def _session(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


#: what a replacement means for whoever uses the role (the diff's JSON and its words carry it)
REPLACEMENT_CONSEQUENCES = (
    "IAM creates a new role with a new ARN and CloudFormation deletes the old one at the end of the update: "
    "sessions of the old role stop working then (IAM evaluates a session's permissions on every request, so they "
    "do not last until they expire), and every place that holds the old ARN must be updated: the IdP's Role "
    "attribute (SAML), CI workflows' role-to-assume, app and tool configuration"
)


def _role_path(arn: Any) -> str | None:
    """The IAM path of a role ARN (`/` or `/ci/`), None when the ARN is not a role's. The account and the
    partition are left out: they do not rename the role."""
    if not isinstance(arn, str) or ":role/" not in arn:
        return None
    tail = arn.split(":role/", 1)[1]
    return "/" + tail.rsplit("/", 1)[0] + "/" if "/" in tail else "/"


def _replacement(base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, Any] | None:
    """Whether IAM replaces the role: its RoleName differs (a generated name made fixed, or the reverse,
    included) or its path does. A report from before `role_name` existed says nothing about the name: no
    replacement is claimed from it."""
    if "role_name" not in base or "role_name" not in head:
        return None
    old, new = base.get("role_name"), head.get("role_name")
    reasons = []
    if old != new:
        if old is None:
            reasons.append(f"RoleName set to {new} where CloudFormation generated the name")
        elif new is None:
            reasons.append(f"RoleName {old} taken away: the name is now generated at deploy")
        else:
            reasons.append(f"RoleName changed from {old} to {new}")
    old_path, new_path = _role_path(base.get("role_arn")), _role_path(head.get("role_arn"))
    if old_path and new_path and old_path != new_path:
        reasons.append(f"Path changed from {old_path} to {new_path}")
    if not reasons:
        return None
    return {
        "base": {"role_name": old, "role_arn": base.get("role_arn")},
        "head": {"role_name": new, "role_arn": head.get("role_arn")},
        "reason": "; ".join(reasons),
        "consequences": REPLACEMENT_CONSEQUENCES,
    }


def _role_change(stack: str, name: str, base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, Any]:
    """Everything that differs between two versions of one role (empty parts are None or [])."""
    change: dict[str, Any] = {"stack": stack, "name": name}
    change["replaced"] = _replacement(base, head)
    change["logical_id"] = (
        {"base": base.get("logical_id"), "head": head.get("logical_id")}
        if base.get("logical_id") != head.get("logical_id")
        else None
    )
    change["trust"] = _trust_change(base, head)
    change["doors"] = _door_changes(base, head)
    old_s, new_s = base.get("max_session_seconds"), head.get("max_session_seconds")
    change["max_session"] = (
        None
        if old_s == new_s
        else {
            "base": old_s,
            "head": new_s,
            # a length that cannot be compared (a parameter, say) counts as longer: the reviewer looks
            "longer": not (
                (old := _session(old_s)) is not None and (new := _session(new_s)) is not None and new <= old
            ),
        }
    )
    old_t, new_t = bool(base.get("session_tags")), bool(head.get("session_tags"))
    change["session_tags"] = None if old_t == new_t else {"base": old_t, "head": new_t}
    old_a, new_a = base.get("saml_role_attribute"), head.get("saml_role_attribute")
    change["saml_role_attribute"] = None if old_a == new_a else {"base": old_a, "head": new_a}
    change["permissions"] = _permission_changes(base, head)
    change["findings"] = _finding_changes(base, head)
    added, removed = _set_change(base.get("opt_ins") or [], head.get("opt_ins") or [])
    change["opt_ins"] = {"added": added, "removed": removed}
    change["proof"] = _proof_change(base.get("proof"), head.get("proof"))
    return change


def _proof_change(base: Any, head: Any) -> dict[str, Any] | None:
    """The proof against the declared intent, when its outcome changed: both outcomes, in the words
    of `federation_constructs.proof.verdict` (the access report's words)."""
    old = base if isinstance(base, dict) else None
    new = head if isinstance(head, dict) else None
    if (old or {}).get("status") == (new or {}).get("status"):
        return None
    return {
        "base": old.get("status") if old else None,
        "head": new.get("status") if new else None,
        "base_text": proof_words(old) if old else None,
        "head_text": proof_words(new) if new else None,
    }


def _has_changes(change: Mapping[str, Any]) -> bool:
    return bool(
        change.get("replaced")
        or change["logical_id"]
        or change["trust"]["status"] != "unchanged"
        or change["doors"]
        or change["max_session"]
        or change["session_tags"]
        or change["saml_role_attribute"]
        or any(change["permissions"].values())
        or any(change["findings"].values())
        or any(change["opt_ins"].values())
        or change.get("proof")
    )


def _role_summary(stack: str, role: Mapping[str, Any]) -> dict[str, Any]:
    """A role that is only on one side: who can assume it, for how long, doing what."""
    permissions = role.get("permissions") or {}
    return {
        "stack": stack,
        "name": role["name"],
        "logical_id": role.get("logical_id"),
        "who": [str(w) for d in role.get("doors") or [] for w in d.get("who") or []],
        "doors": sorted(_doors(role)),
        "max_session_seconds": role.get("max_session_seconds"),
        "session_tags": bool(role.get("session_tags")),
        "managed_policies": list(permissions.get("managed_policies") or []),
        "grants": _grant_rows(_grants(role), {}),
        "opt_ins": list(role.get("opt_ins") or []),
        "findings": [dict(f) for f in role.get("findings") or []],
        "proof": proof_words(role["proof"]) if isinstance(role.get("proof"), dict) else None,
    }


# --- the whole diff --------------------------------------------------------------------------------


def _headline(summary: Mapping[str, Any]) -> str:
    parts = [f"{summary[key]} {one if summary[key] == 1 else many}" for key, one, many in _COUNTS if summary[key]]
    if not parts:
        return NO_CHANGE
    return ("Access WIDENED: " if summary["access_widened"] else "Access not widened: ") + ", ".join(parts)


def diff_access_reports(
    base: Mapping[str, Any], head: Mapping[str, Any], *, base_ref: str = "", head_ref: str = ""
) -> dict[str, Any]:
    """Compare two access-report.json documents (see the module doc).

    Trust, session and permission counts in the summary are over roles in both reports (an added or
    removed role is counted as such, with its content listed); findings and opt-ins are counted over
    all roles, a new role's included. `access_widened` is true when a role was added, a trust widened
    (or changed both ways, or changed in a way that could not be classified), a permission was added,
    a session lengthened or an opt-in added. A role IAM replaces (new name or path: a new ARN) is counted
    under `roles_replaced`, a change but not a widening.
    """
    _check_shape(base, "base report")
    _check_shape(head, "head report")
    before, after = _roles(base), _roles(head)
    added = [_role_summary(k[0], after[k]) for k in sorted(set(after) - set(before))]
    removed = [_role_summary(k[0], before[k]) for k in sorted(set(before) - set(after))]
    changed = []
    for key in sorted(set(before) & set(after)):
        change = _role_change(key[0], key[1], before[key], after[key])
        if _has_changes(change):
            changed.append(change)
    summary: dict[str, Any] = {key: 0 for key, _, _ in _COUNTS}
    summary["roles_added"], summary["roles_removed"] = len(added), len(removed)
    summary["roles_changed"] = len(changed)
    for change in changed:
        status = change["trust"]["status"]
        if status != "unchanged":
            summary[f"trusts_{status}"] += 1
        plus, minus = _permission_counts(change["permissions"])
        change["counts"] = {"permissions_added": plus, "permissions_removed": minus}
        summary["permissions_added"] += plus
        summary["permissions_removed"] += minus
        if change["max_session"]:
            summary["sessions_lengthened" if change["max_session"]["longer"] else "sessions_shortened"] += 1
        for kind in ("newly_open", "newly_acknowledged", "no_longer_open"):
            summary[f"findings_{kind}"] += len(change["findings"][kind])
        summary["acknowledgements_removed"] += len(change["findings"]["acknowledgements_removed"])
        summary["opt_ins_added"] += len(change["opt_ins"]["added"])
        summary["opt_ins_removed"] += len(change["opt_ins"]["removed"])
        summary["roles_replaced"] += 1 if change["replaced"] else 0
        counted = (
            change["replaced"]
            or status != "unchanged"
            or plus
            or minus
            or change["max_session"]
            or any(
                change["findings"][k]
                for k in ("newly_open", "newly_acknowledged", "no_longer_open", "acknowledgements_removed")
            )
            or any(change["opt_ins"].values())
        )
        if not counted:  # only doors' words, tags, the role attribute, a logical id or a reason changed
            summary["other_changes"] += 1
    for role in added:
        summary["findings_newly_open"] += sum(1 for f in role["findings"] if f.get("status") == "open")
        summary["findings_newly_acknowledged"] += sum(1 for f in role["findings"] if f.get("status") == "acknowledged")
        summary["opt_ins_added"] += len(role["opt_ins"])
    summary["access_widened"] = any(summary[key] for key in _WIDENING)
    notes = [
        f"the {side} report carries no trust policies (made before the access report had them): its trusts "
        "were compared by the doors' conditions, not by the solver"
        for side, roles in (("base", before), ("head", after))
        if any("trust" not in roles[k] for k in set(before) & set(after))
    ]
    return {
        "base_ref": base_ref,
        "head_ref": head_ref,
        "headline": _headline(summary),
        "summary": summary,
        "notes": notes,
        "roles_added": added,
        "roles_removed": removed,
        "roles_changed": changed,
    }


# --- CLI -------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Write access-diff.json and access-diff.md (and re-write access-report.html with the diff)."""
    parser = argparse.ArgumentParser(
        prog="python -m federation_constructs.report.diff",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--base", required=True, help="the base access-report.json (e.g. of origin/main)")
    parser.add_argument("--head", required=True, help="the head access-report.json (e.g. cdk.out/access-report.json)")
    parser.add_argument("--base-ref", default="", help="what the base is, for the headline (a git ref)")
    parser.add_argument("--head-ref", default="", help="what the head is (default: the head file's path)")
    parser.add_argument("--out-dir", default="cdk.out", help="where access-diff.json/.md go (default: cdk.out)")
    args = parser.parse_args(argv)
    try:
        base = load_report(args.base, label="base")
        head = load_report(args.head, label="head")
    except ReportError as exc:
        print(f"access diff: {exc}", file=sys.stderr)
        return 2
    diff = diff_access_reports(base, head, base_ref=args.base_ref or args.base, head_ref=args.head_ref or args.head)
    out = Path(args.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / DIFF_JSON).write_text(json.dumps(diff, indent=2) + "\n", encoding="utf-8")
        (out / DIFF_MD).write_text(diff_to_markdown(diff), encoding="utf-8")
    except OSError as exc:
        print(f"access diff: cannot write to --out-dir {out}: {exc}", file=sys.stderr)
        return 2
    print(diff["headline"])
    print(f"access diff: {out / DIFF_MD} (and {out / DIFF_JSON})")
    try:
        from federation_constructs.report.html import write_html
    except ImportError:
        print("access diff: no federation_constructs.report.html in this checkout: HTML report not written")
    else:
        print(f"access report with the diff: {write_html(out, head, diff_html=diff_to_html(diff))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
