"""The access diff (`federation_constructs.report.diff`) in words: Markdown for a pull-request
comment and an HTML fragment for the HTML report. Reads the diff's data only."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from federation_constructs.proof.verdict import LABELS
from federation_constructs.report.access import session_words

__all__ = ["diff_to_html", "diff_to_markdown"]


# --- words -----------------------------------------------------------------------------------------


def _short_key(key: str) -> str:
    """`token.actions.githubusercontent.com:sub` -> `sub`; `saml:sub_type` stays."""
    head, _, claim = key.rpartition(":")
    return claim if "." in head else key


def _request_words(witness: Mapping[str, Any], *, claims_only: bool = False, code: bool = True) -> str:
    """A witness request in words: `sub=...` per claim (the issuer prefix dropped), principal and action."""
    quote = _code if code else str

    def value(v: Any) -> str:
        return "(absent)" if v is None else quote(v) if isinstance(v, str) else " and ".join(quote(x) for x in v)

    claims = ", ".join(f"{_short_key(k)}={value(v)}" for k, v in witness["claims"].items())
    if claims_only and claims:
        return claims
    return f"principal {quote(witness['principal'])}, action {witness['action']}" + (f", {claims}" if claims else "")


def _trust_line(trust: Mapping[str, Any]) -> tuple[str, str]:
    """(css-ish class, words) for a trust verdict."""
    status = trust["status"]
    if status == "unchanged":
        return "same", "trust unchanged" + (f" ({trust['detail']})" if trust["detail"] else "")
    parts = []
    if trust["wider"]:
        parts.append(f"now admitted: {_request_words(trust['wider'])}")
    if trust["narrower"]:
        parts.append(f"no longer admitted: {_request_words(trust['narrower'])}")
    if trust["detail"]:
        parts.append(trust["detail"])
    kind = {"widened": "wider", "changed": "wider", "unknown": "wider", "narrowed": "narrower"}[status]
    label = "not classified" if status == "unknown" else status
    return kind, (f"**trust {label.upper()}**: " if kind == "wider" else f"trust {label}: ") + "; ".join(parts)


def _items(change: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(class, Markdown words) for every change of one role: class `wider`, `narrower`, `same`, or `sub`
    for a detail of the item before it."""
    items: list[tuple[str, str]] = []
    if change.get("replaced"):
        items.append(("replaced", _replacement_words(change["replaced"])))
    if change["trust"]["status"] != "unchanged" or change["trust"]["detail"]:
        items.append(_trust_line(change["trust"]))
    for door in change["doors"]:
        kind = {"added": "wider", "removed": "narrower"}.get(door["change"], "same")
        items.append((kind, f"door {door['door']} {door['change']}:" if kind != "same" else f"door {door['door']}:"))
        items += [("sub", f"condition removed: {c}") for c in door["conditions_removed"]]
        items += [("sub", f"condition added: {c}") for c in door["conditions_added"]]
        items += [("sub", f"no longer: {w}") for w in door["who_removed"]]
        items += [("sub", f"now: {w}") for w in door["who_added"]]
    if change["max_session"]:
        session = change["max_session"]
        items.append(
            (
                "wider" if session["longer"] else "narrower",
                f"max session {session_words(session['base'])} → {session_words(session['head'])}"
                + (" (**longer**)" if session["longer"] else " (shorter)"),
            )
        )
    if change["session_tags"]:
        on = change["session_tags"]["head"]
        items.append(("wider" if on else "narrower", f"session tags {'now allowed' if on else 'no longer allowed'}"))
    if change["saml_role_attribute"]:
        attr = change["saml_role_attribute"]
        items.append(("same", f"SAML `Role` attribute: {_code(attr['base'])} → {_code(attr['head'])}"))
    if change["logical_id"]:
        ids = change["logical_id"]
        items.append(
            ("same", f"logical id {_code(ids['base'])} → {_code(ids['head'])}: CloudFormation replaces the role")
        )
    permissions = change["permissions"]
    items += [("wider", f"managed policy added: {_code(p)}") for p in permissions["managed_policies_added"]]
    items += [("narrower", f"managed policy removed: {_code(p)}") for p in permissions["managed_policies_removed"]]
    for verb, rows in (("added", permissions["added"]), ("removed", permissions["removed"])):
        for row in rows:
            widening = (verb == "added") == (row["effect"] == "Allow")
            when = f" when {'; '.join(row['conditions'])}" if row["conditions"] else ""
            items.append(
                (
                    "wider" if widening else "narrower",
                    f"{row['effect']} {verb}: {', '.join(_code(a) for a in row['actions'])} "
                    f"on {_code(row['resource'])}{when}",
                )
            )
    items += [("same", f"per-user prefix added: {_code(p)}") for p in permissions["per_user_prefixes_added"]]
    items += [("same", f"per-user prefix removed: {_code(p)}") for p in permissions["per_user_prefixes_removed"]]
    findings = change["findings"]
    items += [
        ("wider", f"finding newly **open**: {_code(_ident(f))} ({f['level']}): {f['detail']}")
        for f in findings["newly_open"]
    ]
    items += [
        ("same", f"finding newly acknowledged: {_code(_ident(f))}: {f['reason']}")
        for f in findings["newly_acknowledged"]
    ]
    items += [
        ("same", f"acknowledgement removed: {_code(_ident(f))} (was: {f['reason']}; now {f['now']})")
        for f in findings["acknowledgements_removed"]
    ]
    items += [
        ("same", f"acknowledgement reason changed: {_code(_ident(f))}: {f['previous_reason']} → {f['reason']}")
        for f in findings["reasons_changed"]
    ]
    items += [("narrower", f"finding no longer open: {_code(_ident(f))}") for f in findings["no_longer_open"]]
    items += [("wider", f"opt-in added: {_code(o)}") for o in change["opt_ins"]["added"]]
    items += [("narrower", f"opt-in removed: {_code(o)}") for o in change["opt_ins"]["removed"]]
    proof = change.get("proof")
    if proof:
        was = LABELS.get(str(proof["base"]), str(proof["base"])) if proof["base"] else "no declared intent"
        now = proof["head_text"] or "no declared intent"
        kind = "wider" if proof["head"] in _FAILED_PROOFS else "narrower" if proof["head"] == "proved" else "same"
        items.append((kind, f"proof: {now} (was: {was})"))
    return items


def _replacement_words(replaced: Mapping[str, Any]) -> str:
    """A replacement in words: why, both ARNs, and what must follow the new ARN."""
    old, new = replaced["base"].get("role_arn"), replaced["head"].get("role_arn")
    arns = f": {_code(old)} → {_code(new)}" if old and new and old != new else ""
    return f"**IAM REPLACES the role** ({replaced['reason']}){arns}. {replaced['consequences']}."


#: proof outcomes that mark a role's change as a widening in the diff's tone
_FAILED_PROOFS = ("widened", "unbounded", "dead", "unknown")


def _ident(finding: Mapping[str, Any]) -> str:
    return f"{finding['rule']}[{finding['finding']}]" if finding.get("finding") else str(finding.get("rule", ""))


def _summary_items(role: Mapping[str, Any]) -> list[str]:
    """Markdown words for a role only one side has."""
    items = [f"who: {w}" for w in role["who"]] or ["who: nobody (no federated door)"]
    items.append(
        f"max session {session_words(role['max_session_seconds'])}; session tags "
        f"{'allowed' if role['session_tags'] else 'not allowed'}"
    )
    items += [f"managed policy {_code(p)}" for p in role["managed_policies"]]
    for row in role["grants"]:
        when = f" when {'; '.join(row['conditions'])}" if row["conditions"] else ""
        actions = ", ".join(_code(a) for a in row["actions"])
        items.append(f"{row['effect']} {actions} on {_code(row['resource'])}{when}")
    items += [f"opt-in {_code(o)}" for o in role["opt_ins"]]
    if role.get("proof"):
        items.append(f"proof: {role['proof']}")
    for f in role["findings"]:
        items.append(
            f"finding **open** {_code(_ident(f))} ({f.get('level', '')}): {f.get('detail', '')}"
            if f.get("status") == "open"
            else f"acknowledged {_code(_ident(f))}: {f.get('reason', '')}"
        )
    return items


def _who(role: Mapping[str, Any]) -> str:
    return "; ".join(role["who"]) or "no federated door"


def _table_words(change: Mapping[str, Any]) -> str:
    """One cell: the role's changes in short."""
    parts = ["REPLACED (new ARN: update every reference to the old one)"] if change.get("replaced") else []
    trust = change["trust"]
    if trust["status"] != "unchanged":
        status = "not classified" if trust["status"] == "unknown" else trust["status"]
        if trust["wider"]:
            status += f" (now admitted: {_request_words(trust['wider'], claims_only=True, code=False)})"
        elif trust["narrower"]:
            status += f" (no longer admitted: {_request_words(trust['narrower'], claims_only=True, code=False)})"
        parts.append(f"trust {status}")
    plus, minus = change["counts"]["permissions_added"], change["counts"]["permissions_removed"]
    parts += [f"{plus} permission{'s' if plus != 1 else ''} added"] if plus else []
    parts += [f"{minus} permission{'s' if minus != 1 else ''} removed"] if minus else []
    if change["max_session"]:
        s = change["max_session"]
        parts.append(f"max session {session_words(s['base'])} → {session_words(s['head'])}")
    if change["session_tags"]:
        parts.append("session tags " + ("on" if change["session_tags"]["head"] else "off"))
    findings = change["findings"]
    for kind, words in (
        ("newly_open", "newly open"),
        ("newly_acknowledged", "newly acknowledged"),
        ("acknowledgements_removed", "acknowledgement removed"),
        ("no_longer_open", "no longer open"),
    ):
        if findings[kind]:
            parts.append(f"{len(findings[kind])} finding{'s' if len(findings[kind]) != 1 else ''} {words}")
    parts += [f"opt-in +{o}" for o in change["opt_ins"]["added"]]
    parts += [f"opt-in -{o}" for o in change["opt_ins"]["removed"]]
    if change.get("proof"):
        head = change["proof"]["head"]
        parts.append(f"proof {LABELS.get(str(head), str(head)) if head else 'none'}")
    return "; ".join(parts) or "doors' wording, role attribute or logical id (see below)"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: `|` and backticks escaped, no line breaks, no raw HTML."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("`", "\\`")
        .replace("<", "&lt;")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def _code(text: str) -> str:
    """`text` as a Markdown code span whatever backticks it holds."""
    text = str(text).replace("\n", " ")
    fence = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _refs(diff: Mapping[str, Any]) -> str:
    return f"base {_code(diff.get('base_ref') or 'base')} → head {_code(diff.get('head_ref') or 'head')}"


def diff_to_markdown(diff: Mapping[str, Any]) -> str:
    """The diff as Markdown for a pull-request comment: the headline, a table of roles, then details."""
    lines = [f"## {diff['headline']}", "", _refs(diff), ""] + [f"Note: {n}." for n in diff.get("notes") or []]
    lines += [""] if diff.get("notes") else []
    rows = (
        [(r, "**added**: " + _cell(_who(r))) for r in diff["roles_added"]]
        + [(r, "removed: " + _cell(_who(r))) for r in diff["roles_removed"]]
        + [(c, _cell(_table_words(c))) for c in diff["roles_changed"]]
    )
    if not rows:
        return "\n".join(lines).rstrip() + "\n"
    lines += ["| stack | role | change |", "|---|---|---|"]
    lines += [f"| {_cell(r['stack'])} | {_cell(r['name'])} | {words} |" for r, words in rows]
    lines.append("")
    for title, roles in (("added", diff["roles_added"]), ("removed", diff["roles_removed"])):
        for role in roles:
            lines += [f"### Role {title}: {_code(role['stack'] + '/' + role['name'])}", ""]
            lines += [f"- {item}" for item in _summary_items(role)]
            lines.append("")
    for change in diff["roles_changed"]:
        lines += [f"### {_code(change['stack'] + '/' + change['name'])}", ""]
        for kind, words in _items(change):
            marked = kind == "wider" and not words.startswith("**trust")
            lines.append(f"  - {words}" if kind == "sub" else f"- {'**wider:** ' if marked else ''}{words}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- HTML ------------------------------------------------------------------------------------------

_STYLE = """
.access-diff { font-family: system-ui, sans-serif; border: 1px solid #ccc; border-radius: 6px; padding: 0 1em 1em;
  margin: 1em 0; }
.access-diff h2.wider { color: #b00020; } .access-diff h2.same { color: #444; }
.access-diff h2.narrower { color: #17692f; }
.access-diff table { border-collapse: collapse; } .access-diff td, .access-diff th { border: 1px solid #ddd;
  padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
.access-diff .wider { color: #b00020; } .access-diff li.wider, .access-diff tr.wider { font-weight: 600; }
.access-diff .narrower { color: #17692f; } .access-diff li.sub { margin-left: 1.5em; list-style: circle; }
.access-diff h2.replaced, .access-diff .replaced { color: #8a4b00; }
.access-diff li.replaced, .access-diff tr.replaced { font-weight: 600; }
.access-diff code { background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; }
"""


def _html_words(markdown_words: str) -> str:
    """Escape, then the words' `code` spans and **bold** as HTML (the escaped text holds no tags)."""
    text = html.escape(markdown_words)
    text = re.sub(r"`([^`]*)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)


def _tone(change: Mapping[str, Any]) -> str:
    """`wider` when any item of a changed role widens access, else `replaced` when IAM replaces the role,
    else `narrower` when any item narrows, else `same`."""
    kinds = {kind for kind, _ in _items(change)}
    for tone in ("wider", "replaced", "narrower"):
        if tone in kinds:
            return tone
    return "same"


def diff_to_html(diff: Mapping[str, Any]) -> str:
    """The diff as an HTML fragment (`<section class="access-diff">` with its own style); every value
    escaped. Widening items are red (class `wider`), narrowing ones green (`narrower`)."""
    e = html.escape
    summary = diff["summary"]
    changes = diff["roles_added"] or diff["roles_removed"] or diff["roles_changed"]
    tone = (
        "wider"
        if summary["access_widened"]
        else "replaced"
        if summary.get("roles_replaced")
        else "narrower"
        if changes
        else "same"
    )
    parts = [
        f'<section class="access-diff"><style>{_STYLE}</style>',
        f'<h2 class="{tone}">{e(diff["headline"])}</h2>',
        f"<p>base <code>{e(diff.get('base_ref') or 'base')}</code> → head "
        f"<code>{e(diff.get('head_ref') or 'head')}</code></p>",
    ]
    parts += [f'<p class="note">Note: {e(note)}.</p>' for note in diff.get("notes") or []]
    rows = (
        [(r, "wider", "added: " + _who(r)) for r in diff["roles_added"]]
        + [(r, "narrower", "removed: " + _who(r)) for r in diff["roles_removed"]]
        + [(c, _tone(c), _table_words(c)) for c in diff["roles_changed"]]
    )
    if rows:
        parts.append("<table><thead><tr><th>stack</th><th>role</th><th>change</th></tr></thead><tbody>")
        parts += [
            f'<tr class="{kind}"><td>{e(r["stack"])}</td><td>{e(r["name"])}</td><td>{_html_words(words)}</td></tr>'
            for r, kind, words in rows
        ]
        parts.append("</tbody></table>")
    for title, kind, roles in (("added", "wider", diff["roles_added"]), ("removed", "narrower", diff["roles_removed"])):
        for role in roles:
            where = e(role["stack"] + "/" + role["name"])
            parts.append(f'<h3 class="{kind}">Role {title}: <code>{where}</code></h3><ul>')
            parts += [f"<li>{_html_words(item)}</li>" for item in _summary_items(role)]
            parts.append("</ul>")
    for change in diff["roles_changed"]:
        parts.append(f"<h3><code>{e(change['stack'] + '/' + change['name'])}</code></h3><ul>")
        parts += [f'<li class="{kind}">{_html_words(words)}</li>' for kind, words in _items(change)]
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"
