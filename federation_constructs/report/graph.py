"""The access graph of one stack's access report: identity sources -> roles -> what each role can do.

Built from the access-report JSON alone (a stack entry of `{"stacks": [...]}`), as plain data the
HTML page lays out with dagre: nodes with a kind, a title and wrapped text lines (`back-quoted`
parts are drawn bold); edges with label lines in plain words.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from federation_constructs.proof.verdict import LABELS

__all__ = ["NODE_WIDTH", "door_bucket", "graph_for_stack", "plain_condition", "role_id"]

#: Characters per line of a node's text; dagre sizes nodes from the measured lines.
NODE_WIDTH = 38
_LABEL_WIDTH = 48
_MAX_LABEL_LINES = 8

_CONDITION = re.compile(r"^(?P<op>\S+) (?P<key>\S+) = (?P<values>.*)$", re.S)
_OPERATORS = {
    "StringEquals": "is",
    "StringEqualsIgnoreCase": "is (any case)",
    "StringLike": "matches",
    "StringNotEquals": "is not",
    "StringNotLike": "does not match",
    "ArnEquals": "is",
    "ArnLike": "matches",
    "ArnNotEquals": "is not",
    "ArnNotLike": "does not match",
    "Bool": "is",
    "IpAddress": "is in",
    "NotIpAddress": "is not in",
    "DateLessThan": "is before",
    "DateGreaterThan": "is after",
    "NumericLessThan": "is below",
    "NumericLessThanEquals": "is at most",
    "NumericGreaterThan": "is above",
    "NumericGreaterThanEquals": "is at least",
    "NumericEquals": "is",
}
_SET_OPERATORS = {"ForAnyValue": "includes one that", "ForAllValues": "has only values that"}
_VARIABLES = {
    "cognito-identity.amazonaws.com:sub": "{identity id}",
    "saml:sub": "{SAML subject}",
    "saml:namequalifier": "{SAML name qualifier}",
    "aws:userid": "{user id}",
    "aws:PrincipalTag/user": "{user tag}",
    "aws:username": "{user name}",
    "aws:SourceIdentity": "{source identity}",
}
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _values(text: str) -> list[str]:
    """The back-quoted values of a report condition (`\\`a\\`, \\`b\\``), or the text itself."""
    found = re.findall(r"`([^`]*)`", text)
    return found if found else [text]


def plain_condition(condition: str) -> str:
    """A report condition (`StringEquals saml:sub_type = \\`persistent\\``) in plain words
    (`saml:sub_type is persistent`); unknown shapes come back unchanged."""
    match = _CONDITION.match(condition.strip())
    if not match:
        return condition
    op, key, values = match.group("op"), match.group("key"), _values(match.group("values"))
    shown = " or ".join(v if v else "(empty)" for v in values)
    if op == "Null":
        return f"{key} is {'absent' if values == ['true'] else 'present'}"
    qualifier, _, base = op.rpartition(":")
    if base.endswith("IfExists"):
        base, suffix = base.removesuffix("IfExists"), " (when present)"
    else:
        suffix = ""
    verb = _OPERATORS.get(base, base)
    if qualifier in _SET_OPERATORS:
        return f"{key} {_SET_OPERATORS[qualifier]} {verb} {shown}{suffix}"
    return f"{key} {verb} {shown}{suffix}"


def door_bucket(kind: str) -> str:
    """The summary bucket of a door kind: oidc, saml, cognito or other."""
    return kind if kind in ("oidc", "saml", "cognito") else "other"


def role_id(stack: str, name: str) -> str:
    """A stable HTML id for a role (the same in the graph links and the per-role sections): readable,
    and unique because names that read the same (`a/b`, `a-b`) differ in the hash suffix."""
    digest = hashlib.sha256(f"{stack}\0{name}".encode()).hexdigest()[:8]
    return "role-" + re.sub(r"[^A-Za-z0-9_-]+", "-", f"{stack}--{name}").strip("-") + "-" + digest


def _wrap(text: str, width: int = NODE_WIDTH) -> list[str]:
    """`text` in lines of at most `width` characters; a `back-quoted` part (shown bold) cut by a line
    end is closed on its line and reopened on the next, so every line has an even number of quotes."""
    lines, quoted = [], False
    for line in textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]:
        line = ("`" if quoted else "") + line
        quoted = line.count("`") % 2 == 1
        lines.append(line + ("`" if quoted else ""))
    return lines


def _label(lines: Sequence[str]) -> list[str]:
    """Edge label lines: wrapped, at most `_MAX_LABEL_LINES`, the rest counted."""
    wrapped = [part for line in lines for part in _wrap(line, _LABEL_WIDTH)]
    if len(wrapped) > _MAX_LABEL_LINES:
        more = len(wrapped) - _MAX_LABEL_LINES + 1
        wrapped = wrapped[: _MAX_LABEL_LINES - 1] + [f"… {more} more lines: see the role below"]
    return wrapped


def _source(door: Mapping[str, Any], who: str) -> tuple[str, str, str, list[str]]:
    """(key, kind, title, text lines) of the identity source behind one `who` line of a door."""
    kind, issuer = str(door.get("kind", "")), str(door.get("issuer") or door.get("kind") or "")
    provider = str(door.get("provider", ""))
    if kind == "saml":  # one node per IdP: the attributes it must send differ per role, on the edges
        arn = re.match(r"^arn:[^:]*:iam::(?P<account>[^:]*):saml-provider/(?P<name>.+)$", provider)
        lines = [f"`{arn.group('name')}`", f"in account {arn.group('account')}"] if arn else _wrap(f"`{provider}`")
        return f"saml|{provider}", "saml", "SAML identity provider", lines
    text = who.removeprefix(f"{issuer}: ")
    source_kind = {"GitHub Actions": "github", "GitLab CI": "gitlab"}.get(issuer, kind or "other")
    return f"{kind}|{provider}|{who}", source_kind, issuer, _wrap(text)


def _door_label(door: Mapping[str, Any]) -> list[str]:
    """What an edge from a source to a role says: the conditions the source node does not show."""
    kind, lines = door.get("kind"), []
    for condition in door.get("conditions", []):
        match = _CONDITION.match(condition)
        key = match.group("key") if match else ""
        if kind == "oidc" and key.endswith(":sub"):
            continue  # the subject is the source node
        if kind == "cognito" and key.endswith((":aud", ":amr")):
            continue  # pool and guest / signed-in are the source node
        if kind == "saml" and key.lower() == "saml:aud" and match:
            lines.append("sign-in through " + " or ".join(_values(match.group("values"))))
            continue
        if kind == "oidc" and key.endswith(":aud") and match:
            lines.append("audience " + plain_condition(condition).removeprefix(key + " "))
            continue
        words = plain_condition(condition)
        lines.append(f"assertion: {words}" if kind == "saml" else words)
    if door.get("session_tags"):
        lines.append("may set session tags")
    return lines


def _verb(action: str) -> str:
    """A plain verb for an IAM action name (`s3:GetObject` -> read)."""
    name = action.split(":", 1)[-1]
    if name == "*":
        return "all actions"
    for prefixes, verb in (
        (("Get", "Describe", "Head"), "read"),
        (("List",), "list"),
        (("Put", "Create", "Update", "Upload", "AbortMultipartUpload", "Copy", "Restore"), "write"),
        (("Delete",), "delete"),
    ):
        if name.startswith(prefixes):
            return verb
    return name


def _per_user(text: str) -> str:
    return _VARIABLE.sub(lambda m: _VARIABLES.get(m.group(1), "{" + m.group(1) + "}"), text)


def _target(resource: str, actions: Sequence[str]) -> tuple[str, str, str, list[str], str]:
    """(key, kind, title, text lines, path inside the target) of one statement resource."""
    negated = resource.startswith("NOT ")
    bare = resource.removeprefix("NOT ")
    s3 = re.match(r"^arn:[^:]+:s3:::(?P<bucket>[^/]+)(?:/(?P<path>.*))?$", bare)
    if s3 and not negated:
        bucket = s3.group("bucket")
        return f"s3|{bucket}", "bucket", "S3 bucket", _wrap(f"`{bucket}`"), s3.group("path") or ""
    services = sorted({a.split(":", 1)[0] for a in actions if ":" in a}) or ["any service"]
    service = ", ".join(services)
    if bare == "*" or negated:
        what = "every resource" if not negated else f"every resource except {bare}"
        return f"svc|{service}|{resource}", "service", f"{service}: {what}", [], ""
    return f"arn|{bare}", "resource", service, _wrap(f"`{bare}`"), ""


def _list_prefixes(conditions: Sequence[str]) -> list[str]:
    found: list[str] = []
    for condition in conditions:
        match = _CONDITION.match(condition)
        if match and match.group("key") == "s3:prefix" and "Not" not in match.group("op"):
            for value in _values(match.group("values")):
                shown = _per_user(value.rstrip("*")) or "(top)"
                if shown not in found:
                    found.append(shown)
    return found


def _statement_lines(statement: Mapping[str, Any], path: str) -> str:
    actions = [str(a) for a in statement.get("actions", [])]
    verbs = list(dict.fromkeys(_verb(a.removeprefix("NOT ")) for a in actions))
    verb_text = ("all but " if any(a.startswith("NOT ") for a in actions) else "") + ", ".join(verbs)
    where = _per_user(path) if path else ""
    conditions = [str(c) for c in statement.get("conditions", [])]
    if not where and "list" in verbs and (prefixes := _list_prefixes(conditions)):
        where = "prefix " + ", ".join(prefixes)
        conditions = [c for c in conditions if " s3:prefix = " not in c or c.startswith("StringNot")]
    line = f"{verb_text} {where}".strip()
    if conditions:
        line += " (with conditions)"
    return ("DENY " + line) if statement.get("effect") == "Deny" else line


def graph_for_stack(stack: Mapping[str, Any]) -> dict[str, Any]:
    """Nodes and edges of one stack entry of the access report.

    Every role is a node with `role` and `stack` set (the page gives them `data-role` and
    `data-stack`); sources and targets are shared between the roles that use them.
    """
    stack_name = str(stack.get("stack", ""))
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}

    def node(key: str, kind: str, title: str, lines: list[str], **extra: Any) -> str:
        ident = f"n{len(nodes)}" if key not in nodes else nodes[key]["id"]
        nodes.setdefault(key, {"id": ident, "kind": kind, "title": title, "lines": lines, **extra})
        return ident

    def edge(source: str, target: str, kind: str, lines: list[str]) -> None:
        entry = edges.setdefault((source, target), {"source": source, "target": target, "kind": kind, "raw": []})
        entry["raw"].extend(line for line in lines if line not in entry["raw"])

    for role in stack.get("roles", []):
        name = str(role.get("name", ""))
        findings = role.get("findings", [])
        proof = role.get("proof") or {}
        permissions = role.get("permissions", {})
        role_node = node(
            f"role|{name}",
            "role",
            name,
            [],
            role=name,
            stack=stack_name,
            href="#" + role_id(stack_name, name),
            opt_ins=list(role.get("opt_ins", [])),
            open=sum(1 for f in findings if f.get("status") == "open"),
            acknowledged=sum(1 for f in findings if f.get("status") == "acknowledged"),
            proof=proof.get("status"),
            proof_label=LABELS.get(str(proof.get("status")), proof.get("status")) if proof else None,
            session=role.get("max_session_seconds"),
            grants=bool(permissions.get("managed_policies") or permissions.get("statements")),
        )
        for door in role.get("doors", []):
            for who in door.get("who") or [door.get("provider", "")]:
                key, kind, title, lines = _source(door, str(who))
                edge(node(key, kind, title, lines, source=door.get("kind")), role_node, "trust", _door_label(door))
        for arn in permissions.get("managed_policies", []):
            policy = _wrap(f"`{str(arn).rsplit('/', 1)[-1]}`")
            edge(role_node, node(f"policy|{arn}", "policy", "managed policy", policy), "grant", ["attached"])
        for statement in permissions.get("statements", []):
            for resource in statement.get("resources", []):
                key, kind, title, lines, path = _target(str(resource), statement.get("actions", []))
                edge(role_node, node(key, kind, title, lines), "grant", [_statement_lines(statement, path)])
    out_edges = [
        {"source": e["source"], "target": e["target"], "kind": e["kind"], "label": _label(e["raw"])}
        for e in edges.values()
    ]
    return {"stack": stack_name, "nodes": list(nodes.values()), "edges": out_edges}
