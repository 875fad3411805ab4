"""`access-report.html`: the access report as one self-contained page a reviewer opens in a browser.

Built only from the access-report JSON (`{"stacks": [...]}`, see `access_report.build_access_report`),
so a saved report renders again later. The page loads nothing: CSS, the vendored dagre layout
library, the page's own drawing script and the graph data are all inline. Without JavaScript the
summary and the per-role sections are still plain HTML; with it each stack also gets its graph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any

from federation_constructs.proof.verdict import LABELS, proof_words
from federation_constructs.report.graph import door_bucket, graph_for_stack, plain_condition, role_id

__all__ = ["HTML_NAME", "render_html", "script_json", "summary_counts", "write_html"]

HTML_NAME = "access-report.html"
#: the setup sheet written next to this page (`federation_constructs.report.setup`): linked from the header,
#: always (the review writes both; a page saved without it shows a dead relative link, nothing worse)
SETUP_LINK = (
    '<p class="setup-link">What to configure on the other side of each role (IdP, CI, app): '
    '<a href="setup.md">setup.md</a></p>'
)


def _asset(*parts: str) -> str:
    return files("federation_constructs.report").joinpath(*parts).read_text(encoding="utf-8")


def script_json(value: Any) -> str:
    """`value` as JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&`
    survives, so no value can close the script or open a comment."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _inline_script(source: str) -> str:
    """Trusted JavaScript, checked before it is inlined: it must not end its own `<script>` element."""
    if "</script" in source.lower() or "<!--" in source:
        raise ValueError("inline script contains '</script' or '<!--'; it cannot be inlined safely")
    return source


def summary_counts(report: Mapping[str, Any]) -> dict[str, int]:
    """The numbers of the summary strip: roles, roles per door (oidc, saml, cognito, other; a role
    with two kinds of door counts in both), roles with opt-ins, open findings, proved roles."""
    counts = dict.fromkeys(
        ("roles", "oidc", "saml", "cognito", "other", "opt_ins", "open_findings", "proved", "with_intent"), 0
    )
    for stack in report.get("stacks", []):
        roles = stack.get("roles", [])
        counts["roles"] += len(roles)
        for role in roles:
            for bucket in {door_bucket(str(d.get("kind", ""))) for d in role.get("doors", [])}:
                counts[bucket] += 1
            counts["opt_ins"] += bool(role.get("opt_ins"))
            proof = role.get("proof") or {}
            counts["with_intent"] += bool(proof)
            counts["proved"] += proof.get("status") == "proved"
        summary = stack.get("summary") or {}
        counts["open_findings"] += int(
            summary.get(
                "unacknowledged_findings",
                sum(1 for r in roles for f in r.get("findings", []) if f.get("status") == "open"),
            )
        )
    return counts


def _hours(seconds: Any) -> str:
    if isinstance(seconds, int) and seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if isinstance(seconds, int):
        return f"{seconds // 60} min"
    return escape(str(seconds))


def _code(text: Any) -> str:
    return f"<code>{escape(str(text))}</code>"


def _plain(text: Any) -> str:
    """Report prose with `back-quoted` parts shown as code, everything escaped."""
    parts = str(text).split("`")
    return "".join(escape(p) if i % 2 == 0 else _code(p) for i, p in enumerate(parts))


def _list(items: Iterable[str], empty: str = "none") -> str:
    rows = [f"<li>{item}</li>" for item in items]
    return f"<ul>{''.join(rows)}</ul>" if rows else f'<p class="none">{escape(empty)}</p>'


def _badges(role: Mapping[str, Any]) -> str:
    findings = role.get("findings", [])
    open_count = sum(1 for f in findings if f.get("status") == "open")
    acknowledged = sum(1 for f in findings if f.get("status") == "acknowledged")
    proof = role.get("proof") or {}
    badges = []
    if proof:
        ok = proof.get("status") == "proved"
        label = LABELS.get(str(proof.get("status")), str(proof.get("status")))
        badges.append(f'<span class="badge {"ok" if ok else "bad"}">{escape(label)}</span>')
    if role.get("opt_ins"):
        badges.append(f'<span class="badge optin">opt-in: {escape(", ".join(map(str, role["opt_ins"])))}</span>')
    if open_count:
        badges.append(f'<span class="badge bad">{open_count} open finding{"s" * (open_count != 1)}</span>')
    if acknowledged:
        badges.append(f'<span class="badge ack">{acknowledged} acknowledged</span>')
    return " ".join(badges)


def _doors_html(role: Mapping[str, Any]) -> str:
    items = []
    for door in role.get("doors", []):
        who = "".join(f"<li>{_plain(w)}</li>" for w in door.get("who", []))
        conditions = ", ".join(escape(plain_condition(str(c))) for c in door.get("conditions", [])) or "none"
        tags = " Session tags may be set." if door.get("session_tags") else ""
        items.append(
            f"<strong>{escape(str(door.get('issuer') or door.get('kind')))}</strong> "
            f"({escape(str(door.get('kind')))}, provider {_code(door.get('provider', ''))})"
            f'<ul>{who}</ul><span class="conditions">conditions: {conditions}.{tags}</span>'
        )
    return _list(items, "nobody outside the account")


def _proof_html(role: Mapping[str, Any]) -> str:
    proof = role.get("proof")
    if not proof:
        return '<p class="none">no declared intent, not proved</p>'
    status = proof.get("status")
    css = "ok" if status == "proved" else "bad"
    text = f'<p class="{css}">{_plain(proof_words(proof))}</p>'
    counterexample = proof.get("counterexample")
    if counterexample:
        caption = (
            "a declared token the trust refuses"
            if status == "within"
            else "counterexample: a token the trust admits beyond the intent"
        )
        rows = "".join(f"<tr><td>{_code(k)}</td><td>{_code(v)}</td></tr>" for k, v in counterexample.items())
        text += (
            f'<table class="counterexample"><caption>{caption}</caption>'
            f"<tr><th>claim</th><th>value</th></tr>{rows}</table>"
        )
    return text


def _permissions_html(permissions: Mapping[str, Any]) -> str:
    parts = []
    if permissions.get("managed_policies"):
        parts.append("<p>managed policies:</p>" + _list(_code(p) for p in permissions["managed_policies"]))
    if permissions.get("per_user_prefixes"):
        parts.append("<p>per-user prefixes:</p>" + _list(_code(p) for p in permissions["per_user_prefixes"]))
    rows = "".join(
        f'<tr class="{escape(str(s.get("effect", "")).lower())}"><td>{escape(str(s.get("effect", "")))}</td>'
        f"<td>{'<br>'.join(_code(a) for a in s.get('actions', []))}</td>"
        f"<td>{'<br>'.join(_code(r) for r in s.get('resources', []))}</td>"
        f"<td>{'<br>'.join(escape(plain_condition(str(c))) for c in s.get('conditions', []))}</td></tr>"
        for s in permissions.get("statements", [])
    )
    if rows:
        parts.append(
            f"<table><tr><th>effect</th><th>actions</th><th>resources</th><th>conditions</th></tr>{rows}</table>"
        )
    return "".join(parts) or '<p class="none">no permissions in this template</p>'


def _findings_html(findings: Sequence[Mapping[str, Any]]) -> str:
    if not findings:
        return '<p class="none">no findings</p>'
    rows = "".join(
        f'<tr class="{escape(str(f.get("status", "")))}"><td>{escape(str(f.get("status", "")))}</td>'
        f"<td>{_code(f.get('rule', ''))}</td><td>{_code(f.get('finding', ''))}</td>"
        f"<td>{escape(str(f.get('level', '')))}</td>"
        f"<td>{escape(str(f.get('reason') or f.get('detail') or ''))}</td></tr>"
        for f in findings
    )
    return (
        "<table><tr><th>status</th><th>rule</th><th>finding</th><th>level</th><th>reason / detail</th></tr>"
        f"{rows}</table>"
    )


def _role_html(stack: str, role: Mapping[str, Any]) -> str:
    name = str(role.get("name", ""))
    attribute = role.get("saml_role_attribute")
    facts = [
        f"<dt>max session</dt><dd>{_hours(role.get('max_session_seconds'))}</dd>",
        f"<dt>session tags</dt><dd>{'allowed' if role.get('session_tags') else 'no'}</dd>",
        f"<dt>construct</dt><dd>{_code(role.get('construct_path', ''))} "
        f"(logical id {_code(role.get('logical_id', ''))})</dd>",
    ]
    if attribute:
        facts.append(f"<dt>SAML <code>Role</code> attribute</dt><dd>{_code(attribute)}</dd>")
    opt_ins = _list((_code(o) for o in role.get("opt_ins", [])), "none")
    relies = role.get("relies_on") or []
    relies_html = f"<h4>Relies on, outside AWS</h4>{_list(_plain(r) for r in relies)}" if relies else ""
    proof = role.get("proof") or {}
    failed = proof and proof.get("status") != "proved"
    state = (
        " bad"
        if failed or any(f.get("status") == "open" for f in role.get("findings", []))
        else (" optin" if role.get("opt_ins") else "")
    )
    return (
        f'<section class="role{state}" id="{escape(role_id(stack, name))}" data-role="{escape(name)}" '
        f'data-stack="{escape(stack)}"><h3>{escape(name)} {_badges(role)}</h3>'
        f"<dl>{''.join(facts)}</dl>"
        f"<h4>Who can assume it</h4>{_doors_html(role)}"
        f"<h4>Proof against the declared intent</h4>{_proof_html(role)}"
        f"<h4>What it can do</h4>{_permissions_html(role.get('permissions', {}))}"
        f"{relies_html}<h4>Opt-ins</h4>{opt_ins}"
        f"<h4>Findings and acknowledgements</h4>{_findings_html(role.get('findings', []))}</section>"
    )


def _summary_html(counts: Mapping[str, int]) -> str:
    opt_ins, open_findings = counts["opt_ins"], counts["open_findings"]
    cells = [
        ("roles", "roles", counts["roles"], ""),
        ("oidc", "OIDC", counts["oidc"], ""),
        ("saml", "SAML", counts["saml"], ""),
        ("cognito", "Cognito", counts["cognito"], ""),
        ("other", "other doors", counts["other"], ""),
        ("opt_ins", "with opt-ins", opt_ins, "optin" if opt_ins else ""),
        ("open_findings", "open findings", open_findings, "bad" if open_findings else "ok"),
        ("proved", LABELS["proved"], f"{counts['proved']}/{counts['with_intent']}", ""),
    ]
    return (
        '<ul class="summary">'
        + "".join(
            f'<li class="{css}" data-count="{key}"><b>{escape(str(value))}</b> {escape(label)}</li>'
            for key, label, value, css in cells
        )
        + "</ul>"
    )


_NO_ROLES = '<p class="none">no federated roles</p>'

_LEGEND = (
    '<ul class="legend"><li><span class="swatch source"></span>identity source</li>'
    '<li><span class="swatch role"></span>role</li><li><span class="swatch target"></span>what it can do</li>'
    '<li><span class="swatch optin"></span>role uses an opt-in</li>'
    '<li><span class="swatch bad"></span>open finding or failed proof</li>'
    "<li>edge labels: the conditions, in plain words</li></ul>"
)


def render_html(
    report: Mapping[str, Any], *, diff_html: str | None = None, title: str = "Access report", setup_link: bool = True
) -> str:
    """The report (the `access-report.json` dict) as one self-contained HTML page.

    :param diff_html: an HTML fragment, already escaped, shown as "Changes since base" near the top.
    :param setup_link: link the setup sheet (`setup.md`, written beside it by `add_federation_review`).
    """
    stacks = list(report.get("stacks", []))
    graphs = [graph_for_stack(stack) for stack in stacks]
    sections = []
    for index, stack in enumerate(stacks):
        name = str(stack.get("stack", ""))
        roles = "".join(_role_html(name, role) for role in stack.get("roles", []))
        sections.append(
            f'<section class="stack" data-stack="{escape(name)}"><h2>Stack {escape(name)} '
            f"<small>account {escape(str(stack.get('account', '')))}</small></h2>"
            f'<div class="graph" data-graph="{index}"><noscript>The graph needs JavaScript; '
            f"every role is described below.</noscript></div>"
            f"{roles or _NO_ROLES}</section>"
        )
    diff = f'<section class="diff"><h2>Changes since base</h2>{diff_html}</section>' if diff_html is not None else ""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{_asset('assets', 'access_report.css')}</style></head>\n"
        f"<body><header><h1>{escape(title)}</h1>{_summary_html(summary_counts(report))}{_LEGEND}{SETUP_LINK if setup_link else ''}"
        "</header>\n"
        f"{diff}{''.join(sections)}\n"
        f'<script type="application/json" id="access-graphs">{script_json(graphs)}</script>\n'
        f"<script>{_inline_script(_asset('vendor', 'dagre.min.js'))}</script>\n"
        f"<script>{_inline_script(_asset('assets', 'access_report.js'))}</script>\n"
        "</body></html>\n"
    )


def write_html(outdir: Path | str, report: Mapping[str, Any], *, diff_html: str | None = None) -> Path:
    """Write `<outdir>/access-report.html` (see `render_html`) and return its path."""
    path = Path(outdir) / HTML_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, diff_html=diff_html), encoding="utf-8")
    return path
