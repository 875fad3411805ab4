"""`access-report.html` as a string (no browser): every role in the graph data and in the per-role
sections, the summary strip's numbers, marks for opt-ins and findings, escaping of hostile values,
no external loads, and the vendored dagre file."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from federation_constructs.proof import collect_intents
from federation_constructs.report.access import build_access_report
from federation_constructs.report.graph import graph_for_stack, plain_condition
from federation_constructs.report.html import render_html, script_json, summary_counts, write_html
from federation_constructs.report.review import collect_opt_ins, construct_paths
from stacks.federation_stack import FederationStack
from tests.support import NODE_BIN, REPO

ACCOUNT = "111122223333"
PACKAGE = REPO / "federation_constructs" / "report"
VENDORED = PACKAGE / "vendor" / "dagre.min.js"
HOSTILE = "<script>alert(1)</script>"
#: A load from the network: src=/href= (any quoting) or CSS url()/@import pointing at http(s) or `//`.
EXTERNAL_LOAD = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["']?)"""
    r"""(?:https?:)?//""",
    re.I,
)


@pytest.fixture(scope="module")
def report(example_app: tuple[App, FederationStack], example_template: Template) -> dict[str, Any]:
    """The example's access report from the session's one synthesis (no rule packs ran there, so
    one acknowledgement is added by hand)."""
    app, stack = example_app
    findings = [
        {
            "status": "acknowledged",
            "pack": "AwsSolutions",
            "rule": "AwsSolutions-IAM4",
            "finding": "Policy::x",
            "path": "example-federation/Administrator/Role/Resource",
            "reason": "break glass only",
        }
    ]
    built = build_access_report(
        example_template.to_json(),
        stack=stack.stack_name,
        account=ACCOUNT,
        findings=findings,
        opt_ins=collect_opt_ins(app),
        paths=construct_paths(app).get(stack.node.path),
        intents=collect_intents(app),
    )
    return {"stacks": [built]}


@pytest.fixture(scope="module")
def page(report: dict[str, Any]) -> str:
    return render_html(report)


def graph_data(html: str) -> Any:
    (data,) = re.findall(r'<script type="application/json" id="access-graphs">(.*?)</script>', html, re.S)
    assert "<" not in data and ">" not in data
    return json.loads(data)


def hostile_report() -> dict[str, Any]:
    """One stack, three roles: hostile text everywhere the config reaches, an open finding, a failed
    proof with a counterexample, a broker door with session tags, an opt-in."""
    door = {
        "kind": "oidc",
        "issuer": "GitHub Actions",
        "provider": "arn:aws:iam::1:oidc-provider/x",
        "session_tags": False,
        "audiences": ["sts.amazonaws.com"],
        "conditions": ["StringEquals x:aud = `sts.amazonaws.com`", f"StringLike x:sub = `repo:{HOSTILE}:*`"],
        "who": [f"GitHub Actions: any workflow of `{HOSTILE}`"],
    }
    role = {
        "name": HOSTILE,
        "stack": "s</script>",
        "logical_id": "R",
        "construct_path": f"s/{HOSTILE}",
        "intent": None,
        "proof": {
            "status": "counterexample",
            "text": f"admits {HOSTILE}",
            "seconds": 0.1,
            "counterexample": {"x:sub": "</script><script>alert(2)</script>"},
        },
        "doors": [door],
        "max_session_seconds": 7200,
        "session_tags": False,
        "saml_role_attribute": None,
        "permissions": {
            "managed_policies": [],
            "services": ["s3"],
            "per_user_prefixes": [],
            "statements": [
                {
                    "policy": "P",
                    "effect": "Allow",
                    "actions": ["s3:GetObject"],
                    "resources": [f"arn:aws:s3:::b/{HOSTILE}/*"],
                    "conditions": [],
                }
            ],
        },
        "opt_ins": ["allow_any_branch"],
        "findings": [
            {
                "status": "open",
                "pack": "Federation",
                "rule": "Federation-FED3",
                "finding": HOSTILE,
                "level": "error",
                "detail": "<img src=x onerror=alert(3)>",
                "reason": "",
            },
            {
                "status": "acknowledged",
                "pack": "AwsSolutions",
                "rule": "AwsSolutions-IAM5",
                "finding": "f",
                "level": "",
                "detail": "",
                "reason": f"because {HOSTILE} -->",
            },
        ],
    }
    broker = {
        "name": "Broker/UserRole",
        "stack": "s</script>",
        "logical_id": "B",
        "construct_path": "s/Broker",
        "intent": None,
        "proof": None,
        "max_session_seconds": 3600,
        "session_tags": True,
        "saml_role_attribute": None,
        "opt_ins": [],
        "findings": [],
        "doors": [
            {
                "kind": "aws",
                "issuer": "AWS principal",
                "provider": "arn:aws:iam::1:role/broker",
                "session_tags": True,
                "conditions": ["StringLike aws:RequestTag/user = `*`"],
                "who": ["the AWS principal `arn:aws:iam::1:role/broker` (a federation broker)"],
            }
        ],
        "permissions": {"managed_policies": [], "services": [], "statements": [], "per_user_prefixes": []},
    }
    saml = {
        **copy.deepcopy(broker),
        "name": "Workforce",
        "session_tags": False,
        "saml_role_attribute": "arn:r,arn:p",
        "doors": [
            {
                "kind": "saml",
                "issuer": "SAML",
                "provider": "arn:aws:iam::1:saml-provider/idp",
                "session_tags": False,
                "conditions": ["StringEquals saml:aud = `https://signin.aws.amazon.com/saml`"],
                "who": ["users of SAML provider arn:aws:iam::1:saml-provider/idp"],
            }
        ],
    }
    return {
        "stacks": [
            {
                "stack": "s</script>",
                "account": "1",
                "roles": [role, broker, saml],
                "summary": {"roles": 3, "unacknowledged_findings": 1},
            }
        ]
    }


def test_every_role_has_a_graph_node_and_a_section(report: dict[str, Any], page: str) -> None:
    names = [r["name"] for r in report["stacks"][0]["roles"]]
    assert len(names) == 7
    (graph,) = graph_data(page)
    assert [n["role"] for n in graph["nodes"] if n["kind"] == "role"] == names
    for name in names:
        assert f'data-role="{name}" data-stack="example-federation"' in page


def test_graph_links_sources_roles_and_what_they_can_do(page: str) -> None:
    (graph,) = graph_data(page)
    nodes = {n["id"]: n for n in graph["nodes"]}
    edges = {
        (
            nodes[e["source"]].get("role") or nodes[e["source"]]["lines"][0],
            nodes[e["target"]].get("role") or nodes[e["target"]]["lines"][0],
        ): e["label"]
        for e in graph["edges"]
    }
    saml = "`corp-adfs`"
    assert edges[(saml, "EmployeeFiles")] == [
        "sign-in through",
        "https://signin.aws.amazon.com/saml",
        "assertion: saml:sub_type is persistent",
    ]
    assert {target for source, target in edges if source == saml} == {
        "Administrator",
        "EmployeeFiles",
        "ReadOnlyConsole",
    }
    github = [n for n in nodes.values() if n["kind"] == "github"]
    assert sorted(" ".join(n["lines"]) for n in github) == [
        "jobs of repository `octo-org/web-app` that use environment `production`",
        "workflows of repository `octo-org/web-app` on branch `main`",
    ]
    assert edges[("Administrator", "`AdministratorAccess`")] == ["attached"]
    bucket = [k for k in edges if k[0] == "EmployeeFiles"]
    assert bucket and edges[bucket[0]][0].startswith("read, write, delete home/{SAML name")


def test_summary_strip_matches_the_json(report: dict[str, Any], page: str) -> None:
    summary = report["stacks"][0]["summary"]
    counts = summary_counts(report)
    assert counts["roles"] == summary["roles"] == 7
    assert counts["saml"] == summary["roles_per_door"]["SAML"] == 3
    assert counts["cognito"] == summary["roles_per_door"]["Cognito identity pool"] == 2
    assert counts["oidc"] == summary["roles_per_door"]["GitHub Actions"] + summary["roles_per_door"]["GitLab CI"]
    assert counts["other"] == 0
    assert counts["opt_ins"] == summary["roles_with_opt_ins"] == 1
    assert counts["open_findings"] == summary["unacknowledged_findings"] == 0
    for key, value in (
        ("roles", 7),
        ("oidc", 2),
        ("saml", 3),
        ("cognito", 2),
        ("other", 0),
        ("opt_ins", 1),
        ("open_findings", 0),
        ("proved", "7/7"),
    ):
        assert re.search(rf'data-count="{key}"><b>{value}</b>', page), key


def test_opt_in_and_finding_are_marked(page: str) -> None:
    guest = re.search(r'<section class="role optin" id="[^"]+" data-role="AppIdentityPool/GuestRole"', page)
    assert guest, "the guest role's section is marked as using an opt-in"
    assert '<span class="badge optin">opt-in: allow_guest</span>' in page
    admin = page[page.index('data-role="Administrator"') : page.index('data-role="AppIdentityPool/AuthenticatedRole"')]
    assert '<span class="badge ack">1 acknowledged</span>' in admin and "break glass only" in admin
    (graph,) = graph_data(page)
    roles = {n["role"]: n for n in graph["nodes"] if n["kind"] == "role"}
    assert roles["AppIdentityPool/GuestRole"]["opt_ins"] == ["allow_guest"]
    assert roles["Administrator"]["acknowledged"] == 1 and roles["Administrator"]["open"] == 0
    assert "role uses an opt-in" in page and "open finding or failed proof" in page  # the legend


def test_per_role_details(page: str) -> None:
    files = page[page.index('data-role="EmployeeFiles"') : page.index('data-role="InfraPipeline"')]
    assert "<dd>8 h</dd>" in files
    assert (
        f"arn:aws:iam::{ACCOUNT}:role/federation/example-federation-EmployeeFiles,arn:aws:iam::{ACCOUNT}:saml-provider/corp-adfs"
        in files
    )
    assert "proved equal: admits every request inside the declared intent and nothing beyond it" in files
    assert "home/{SAML name qualifier}/{SAML subject}/*" in files


def test_hostile_values_are_escaped() -> None:
    report = hostile_report()
    html = render_html(report, title="<b>t</b>")
    assert HOSTILE not in html and "<img" not in html and "alert(2)</script>" not in html
    assert html.count("<script") == 3  # the graph data, dagre, the page's script: nothing injected
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>&lt;b&gt;t&lt;/b&gt;</title>" in html
    assert f'data-role="{HOSTILE.replace("<", "&lt;").replace(">", "&gt;")}"' in html
    (graph,) = graph_data(html)
    assert graph["stack"] == "s</script>" and any(n.get("role") == HOSTILE for n in graph["nodes"])


def test_hostile_report_marks_open_findings_failed_proofs_and_brokers() -> None:
    report = hostile_report()
    html = render_html(report)
    assert summary_counts(report) == {
        "roles": 3,
        "oidc": 1,
        "saml": 1,
        "cognito": 0,
        "other": 1,
        "opt_ins": 1,
        "open_findings": 1,
        "proved": 0,
        "with_intent": 1,
    }
    assert 'data-count="open_findings"><b>1</b>' in html
    assert '<section class="role bad"' in html and "1 open finding</span>" in html
    assert "counterexample: a token the trust admits beyond the intent" in html
    assert "Session tags may be set." in html
    (graph,) = graph_data(html)
    kinds = {n["kind"] for n in graph["nodes"]}
    assert {"aws", "saml", "github", "bucket", "role"} <= kinds
    broker = [e for e in graph["edges"] if e["kind"] == "trust" and "may set session tags" in e["label"]]
    assert broker and "aws:RequestTag/user matches *" in broker[0]["label"]


@pytest.mark.parametrize("page_of", ["example", "hostile"])
def test_no_external_loads(page_of: str, page: str) -> None:
    html = page if page_of == "example" else render_html(hostile_report())
    assert "https://signin.aws.amazon.com/saml" in html  # the text may name URLs; nothing loads them
    assert not EXTERNAL_LOAD.findall(html)
    assert "@import" not in html and "<link" not in html and "<iframe" not in html
    assert "default-src 'none'" in html  # and the page's CSP forbids loads anyway


def test_external_load_pattern_catches_loads() -> None:
    for load in (
        '<script src="https://cdn.example/x.js">',
        "<img src=//cdn.example/x.png>",
        "<link href='http://x/y.css'>",
        "@import url(https://x/y.css)",
        "background: url( 'https://x')",
    ):
        assert EXTERNAL_LOAD.search(load), load


def test_diff_html_is_embedded_near_the_top(page: str, report: dict[str, Any]) -> None:
    assert "Changes since base" not in page
    html = render_html(report, diff_html='<ul class="changes"><li>added role <code>X</code></li></ul>')
    assert '<h2>Changes since base</h2><ul class="changes"><li>added role <code>X</code></li></ul>' in html
    assert html.index("Changes since base") < html.index('data-role="Administrator"')


def test_write_html_writes_access_report_html(tmp_path: Path, report: dict[str, Any]) -> None:
    path = write_html(tmp_path / "out", report)
    assert path == tmp_path / "out" / "access-report.html"
    assert path.read_text(encoding="utf-8") == render_html(report)


def test_script_json_cannot_close_its_script() -> None:
    text = script_json({"a": "</script><!-- & -->"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & -->"}


def test_plain_condition_words() -> None:
    assert plain_condition("StringEquals saml:sub_type = `persistent`") == "saml:sub_type is persistent"
    assert plain_condition("ForAnyValue:StringLike c:amr = `authenticated`") == (
        "c:amr includes one that matches authenticated"
    )
    assert plain_condition("StringEquals s3:prefix = ``, `home/`") == "s3:prefix is (empty) or home/"
    assert plain_condition("Null aws:SourceIdentity = `false`") == "aws:SourceIdentity is present"
    assert plain_condition("something else") == "something else"


def test_empty_report_renders() -> None:
    html = render_html({"stacks": []})
    assert 'data-count="roles"><b>0</b>' in html and graph_for_stack({})["nodes"] == []


def test_vendored_dagre_is_the_pinned_package_and_one_self_contained_script() -> None:
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"]["@dagrejs/dagre"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "pin an exact version"
    assert f"| {pinned} |" in (PACKAGE / "vendor" / "README.md").read_text()
    source = VENDORED.read_text(encoding="utf-8")
    assert f'"{pinned}"' in source  # dagre's version string
    assert "</script" not in source.lower() and "<!--" not in source
    assert "Permission is hereby granted" in (PACKAGE / "vendor" / "dagre.LICENSE").read_text()
    installed = REPO / "node_modules" / "@dagrejs" / "dagre"
    if not (installed / "dist" / "dagre.min.js").is_file():
        pytest.skip("node_modules has no @dagrejs/dagre (run `make setup`)")
    assert json.loads((installed / "package.json").read_text())["version"] == pinned
    assert VENDORED.read_bytes() == (installed / "dist" / "dagre.min.js").read_bytes()
    assert (PACKAGE / "vendor" / "dagre.LICENSE").read_bytes() == (installed / "LICENSE").read_bytes()
    # one <script>: it lays out a graph with no module loader around it (2.x needs `require`)
    probe = (
        "const vm = require('vm'); const ctx = {}; ctx.window = ctx; vm.createContext(ctx);"
        "vm.runInContext(require('fs').readFileSync(process.argv[1], 'utf8'), ctx);"
        "const g = new ctx.dagre.graphlib.Graph(); g.setGraph({}); g.setDefaultEdgeLabel(() => ({}));"
        "g.setNode('a', {width: 9, height: 9}); g.setNode('b', {width: 9, height: 9}); g.setEdge('a', 'b');"
        "ctx.dagre.layout(g); console.log(JSON.stringify([ctx.dagre.version, g.node('b').y > g.node('a').y]));"
    )
    result = subprocess.run(
        [str(NODE_BIN / "node"), "-e", probe, str(VENDORED)], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout) == [pinned, True]


def test_package_data_ships_the_page_assets() -> None:
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "federation_constructs"
    ]
    for path in [*PACKAGE.joinpath("vendor").iterdir(), *PACKAGE.joinpath("assets").iterdir()]:
        relative = path.relative_to(PACKAGE.parent).as_posix()
        assert any(fnmatch(relative, p) for p in patterns), f"{relative} is not in package-data"
