"""The access diff says what a change does to access: base and head reports are built from the
example's template (one synth for the session) and edited copies of it, never from new synths;
one slow test runs the real `make report BASE=<ref>` flow through scripts/report_diff.py."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from federation_constructs.proof import TrustModel, compare
from federation_constructs.report.access import build_access_report
from federation_constructs.report.diff import diff_access_reports, diff_to_html, diff_to_markdown, main
from federation_constructs.report.review import construct_paths
from stacks.federation_stack import FederationStack
from tests.support import NODE_BIN, REPO, tool_env

ACCOUNT = "111122223333"
STACK = "example-federation"
GITHUB = "token.actions.githubusercontent.com"
MAIN = "repo:octo-org/web-app:ref:refs/heads/main"

TemplateDict = dict[str, Any]


@pytest.fixture(scope="module")
def template(example_app: tuple[App, FederationStack], example_template: Template) -> TemplateDict:
    """The example's template with construct paths (as `cdk synth` writes them)."""
    data = example_template.to_json()
    for logical, path in construct_paths(example_app[0])[STACK].items():
        data["Resources"][logical].setdefault("Metadata", {})["aws:cdk:path"] = path
    return data


def report(template: TemplateDict, **kwargs: Any) -> dict[str, Any]:
    return {"stacks": [build_access_report(template, stack=STACK, account=ACCOUNT, **kwargs)]}


def edited(template: TemplateDict, edit: Callable[[TemplateDict], None]) -> TemplateDict:
    changed = copy.deepcopy(template)
    edit(changed)
    return changed


def role_id(template: TemplateDict, name: str) -> str:
    (found,) = [
        k
        for k, v in template["Resources"].items()
        if v["Type"] == "AWS::IAM::Role"
        and v.get("Metadata", {}).get("aws:cdk:path", "").startswith(f"{STACK}/{name}/")
    ]
    return found


def conditions(template: TemplateDict, name: str) -> dict[str, Any]:
    (statement,) = template["Resources"][role_id(template, name)]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    return statement["Condition"]


def any_web_app_ref(template: TemplateDict) -> None:
    condition = conditions(template, "WebAppDeploy")
    condition["StringLike"] = {f"{GITHUB}:sub": "repo:octo-org/web-app:*"}
    del condition["StringEquals"][f"{GITHUB}:sub"]


def trust(diff_report: dict[str, Any], name: str) -> dict[str, Any]:
    (role,) = [r for r in diff_report["stacks"][0]["roles"] if r["name"] == name]
    return role["trust"]


def changed(diff: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in diff["roles_changed"] if c["name"] == name]
    return found


def test_every_role_carries_its_trust_with_references_rendered(template: TemplateDict) -> None:
    document = trust(report(template), "WebAppDeploy")
    (statement,) = document["Statement"]
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"}
    assert statement["Condition"]["StringEquals"][f"{GITHUB}:sub"] == [
        MAIN,
        "repo:octo-org/web-app:environment:production",
    ]
    pool = trust(report(template), "AppIdentityPool/GuestRole")["Statement"][0]["Condition"]["StringEquals"]
    assert pool["cognito-identity.amazonaws.com:aud"].startswith("(id of identity pool AppIdentityPool")


def test_the_same_reports_are_no_change(template: TemplateDict) -> None:
    diff = diff_access_reports(report(template), report(template), base_ref="main", head_ref="feature")
    assert diff["headline"] == "No change in access" and not diff["summary"]["access_widened"]
    assert diff["roles_added"] == diff["roles_removed"] == diff["roles_changed"] == []
    assert diff_to_markdown(diff) == "## No change in access\n\nbase `main` → head `feature`\n"


def test_a_wider_subject_is_a_widened_trust_with_a_witness_only_the_head_admits(template: TemplateDict) -> None:
    base, head = report(template), report(edited(template, any_web_app_ref))
    diff = diff_access_reports(base, head)
    verdict = changed(diff, "WebAppDeploy")["trust"]
    assert verdict["status"] == "widened" and verdict["narrower"] is None
    witness = verdict["wider"]
    sub = witness["claims"][f"{GITHUB}:sub"]
    assert sub.startswith("repo:octo-org/web-app:") and sub not in (
        MAIN,
        "repo:octo-org/web-app:environment:production",
    )
    claims = witness["claims"]
    assert TrustModel(trust(head, "WebAppDeploy")).admits(witness["principal"], witness["action"], claims)
    assert not TrustModel(trust(base, "WebAppDeploy")).admits(witness["principal"], witness["action"], claims)
    assert diff["summary"]["trusts_widened"] == 1 and diff["summary"]["access_widened"]
    assert diff["headline"] == "Access WIDENED: 1 trust widened"
    markdown = diff_to_markdown(diff)
    assert markdown.startswith("## Access WIDENED: 1 trust widened\n")
    assert f"| {STACK} | WebAppDeploy | trust widened (now admitted: aud=sts.amazonaws.com, sub={sub}) |" in markdown
    assert f"sub=`{sub}`" in markdown


def test_a_removed_condition_is_a_widened_trust_whose_witness_leaves_the_claim_out(template: TemplateDict) -> None:
    def no_sub_type(t: TemplateDict) -> None:
        del conditions(t, "Administrator")["StringEquals"]["saml:sub_type"]

    diff = diff_access_reports(report(template), report(edited(template, no_sub_type)))
    verdict = changed(diff, "Administrator")["trust"]
    assert verdict["status"] == "widened"
    assert verdict["wider"]["claims"]["saml:sub_type"] != "persistent"
    (door,) = changed(diff, "Administrator")["doors"]
    assert door["change"] == "changed" and door["conditions_removed"] == ["StringEquals saml:sub_type = `persistent`"]


def test_the_reverse_change_is_narrowed(template: TemplateDict) -> None:
    diff = diff_access_reports(report(edited(template, any_web_app_ref)), report(template))
    verdict = changed(diff, "WebAppDeploy")["trust"]
    assert verdict["status"] == "narrowed" and verdict["wider"] is None and verdict["narrower"]
    assert not diff["summary"]["access_widened"]
    assert diff["headline"] == "Access not widened: 1 trust narrowed"


def test_wider_here_and_narrower_there_is_changed() -> None:
    def document(sub: str) -> dict[str, Any]:
        return {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": {"x:aud": "a", "x:sub": sub}},
                }
            ]
        }

    result = compare(document("one"), document("two"))
    assert result.status == "changed"
    assert result.wider and result.wider.claims["x:sub"] == "two"
    assert result.narrower and result.narrower.claims["x:sub"] == "one"
    assert compare(document("one"), document("one")).status == "unchanged"


def test_roles_added_and_removed(template: TemplateDict) -> None:
    def without_guest(t: TemplateDict) -> None:
        del t["Resources"][role_id(t, "AppIdentityPool/GuestRole")]

    small, full = report(edited(template, without_guest)), report(template)
    added = diff_access_reports(small, full)
    (role,) = added["roles_added"]
    assert (role["stack"], role["name"]) == (STACK, "AppIdentityPool/GuestRole")
    assert role["who"][0].startswith("guests (not signed in) of ") and role["opt_ins"] == []
    assert added["summary"]["access_widened"] and added["headline"].startswith("Access WIDENED: 1 role added")
    removed = diff_access_reports(full, small)
    assert [r["name"] for r in removed["roles_removed"]] == ["AppIdentityPool/GuestRole"]
    assert removed["headline"] == "Access not widened: 1 role removed"
    assert "### Role removed: `example-federation/AppIdentityPool/GuestRole`" in diff_to_markdown(removed)


def test_a_managed_policy_or_an_action_added_is_a_permission_added(template: TemplateDict) -> None:
    def admin_for_deploy(t: TemplateDict) -> None:
        t["Resources"][role_id(t, "WebAppDeploy")]["Properties"]["ManagedPolicyArns"] = [
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ]

    diff = diff_access_reports(report(template), report(edited(template, admin_for_deploy)))
    permissions = changed(diff, "WebAppDeploy")["permissions"]
    assert permissions["managed_policies_added"] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert diff["summary"]["permissions_added"] == 1 and diff["summary"]["access_widened"]

    base = report(template)
    head = copy.deepcopy(base)
    (guest,) = [r for r in head["stacks"][0]["roles"] if r["name"] == "AppIdentityPool/GuestRole"]
    guest["permissions"]["statements"].append(
        {
            "policy": "x",
            "effect": "Allow",
            "actions": ["s3:PutObject"],
            "resources": ["arn:aws:s3:::example-app-assets/public/*"],
            "conditions": [],
        }
    )
    diff = diff_access_reports(base, head)
    assert changed(diff, "AppIdentityPool/GuestRole")["permissions"]["added"] == [
        {
            "effect": "Allow",
            "resource": "arn:aws:s3:::example-app-assets/public/*",
            "conditions": [],
            "actions": ["s3:PutObject"],
        }
    ]
    assert diff["headline"] == "Access WIDENED: 1 permission added"
    assert diff_access_reports(head, base)["headline"] == "Access not widened: 1 permission removed"


def test_a_longer_session_is_flagged(template: TemplateDict) -> None:
    def twelve_hours(t: TemplateDict) -> None:
        t["Resources"][role_id(t, "Administrator")]["Properties"]["MaxSessionDuration"] = 43200

    diff = diff_access_reports(report(template), report(edited(template, twelve_hours)))
    assert changed(diff, "Administrator")["max_session"] == {"base": 3600, "head": 43200, "longer": True}
    assert diff["headline"] == "Access WIDENED: 1 session lengthened"
    assert "max session 1 h → 12 h (**longer**)" in diff_to_markdown(diff)


def test_findings_newly_open_acknowledged_and_acknowledgement_removed(template: TemplateDict) -> None:
    acknowledged = {
        "status": "acknowledged",
        "pack": "AwsSolutions",
        "rule": "AwsSolutions-IAM4",
        "finding": "Policy::x",
        "path": f"{STACK}/Administrator/Role/Resource",
        "reason": "break glass",
    }
    opened = {
        "status": "open",
        "pack": "Federation",
        "rule": "Federation-FED25",
        "finding": "MaxSessionDuration",
        "level": "error",
        "path": f"{STACK}/ReadOnlyConsole/Role/Resource",
        "detail": "long session",
    }
    diff = diff_access_reports(report(template, findings=[acknowledged]), report(template, findings=[opened]))
    assert [f["rule"] for f in changed(diff, "ReadOnlyConsole")["findings"]["newly_open"]] == ["Federation-FED25"]
    (removed,) = changed(diff, "Administrator")["findings"]["acknowledgements_removed"]
    assert removed["reason"] == "break glass" and removed["now"] == "no longer reported"
    assert diff["summary"]["findings_newly_open"] == 1 and diff["summary"]["acknowledgements_removed"] == 1
    back = diff_access_reports(report(template, findings=[opened]), report(template, findings=[acknowledged]))
    (new,) = changed(back, "Administrator")["findings"]["newly_acknowledged"]
    assert new["reason"] == "break glass"
    assert "finding newly acknowledged: `AwsSolutions-IAM4[Policy::x]`: break glass" in diff_to_markdown(back)


def test_opt_ins_added_widen(template: TemplateDict) -> None:
    paths = {"base": {}, "head": {f"{STACK}/WebAppDeploy": ["allow_any_ref"]}}
    diff = diff_access_reports(report(template, opt_ins=paths["base"]), report(template, opt_ins=paths["head"]))
    assert changed(diff, "WebAppDeploy")["opt_ins"] == {"added": ["allow_any_ref"], "removed": []}
    assert diff["headline"] == "Access WIDENED: 1 opt-in added"


def test_a_base_report_without_trust_is_compared_by_its_doors(template: TemplateDict) -> None:
    old = report(template)
    for role in old["stacks"][0]["roles"]:
        del role["trust"]
    same = diff_access_reports(old, report(template))
    assert same["headline"] == "No change in access"
    assert same["notes"] == [
        "the base report carries no trust policies (made before the access report had them): "
        "its trusts were compared by the doors' conditions, not by the solver"
    ]
    assert "\nNote: the base report carries no trust policies" in diff_to_markdown(same)
    diff = diff_access_reports(old, report(edited(template, any_web_app_ref)))
    verdict = changed(diff, "WebAppDeploy")["trust"]
    assert verdict["status"] == "unknown" and "base report carries no trust policy" in verdict["detail"]
    assert diff["summary"]["access_widened"]


def test_hostile_names_are_escaped_in_html_and_markdown_cells(template: TemplateDict) -> None:
    base, head = report(template), report(edited(template, any_web_app_ref))
    for side in (base, head):
        (deploy,) = [r for r in side["stacks"][0]["roles"] if r["name"] == "WebAppDeploy"]
        deploy["name"] = "<script>alert(1)</script>|`x`"
    diff = diff_access_reports(base, head)
    fragment = diff_to_html(diff)
    assert fragment.startswith('<section class="access-diff"><style>') and fragment.rstrip().endswith("</section>")
    assert "<script>" not in fragment and "&lt;script&gt;alert(1)&lt;/script&gt;|`x`" in fragment
    assert '<li class="wider">' in fragment and '<h2 class="wider">' in fragment
    row = [line for line in diff_to_markdown(diff).splitlines() if line.startswith(f"| {STACK} |")][0]
    assert row.startswith(f"| {STACK} | &lt;script>alert(1)&lt;/script>\\|\\`x\\` | trust widened")
    narrowed = diff_to_html(diff_access_reports(head, base))
    assert '<li class="narrower">' in narrowed


def test_cli_writes_json_and_markdown_and_refuses_bad_input(
    template: TemplateDict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = tmp_path / "base.json", tmp_path / "head.json"
    base.write_text(json.dumps(report(template)))
    head.write_text(json.dumps(report(edited(template, any_web_app_ref))))
    out = tmp_path / "out"
    assert main(["--base", str(base), "--head", str(head), "--base-ref", "main", "--out-dir", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Access WIDENED: 1 trust widened\n") and str(out / "access-diff.md") in printed
    assert json.loads((out / "access-diff.json").read_text())["base_ref"] == "main"
    assert (out / "access-diff.md").read_text().startswith("## Access WIDENED")
    html_page = out / "access-report.html"
    assert html_page.is_file() and 'class="access-diff"' in html_page.read_text()

    assert main(["--base", str(tmp_path / "missing.json"), "--head", str(head), "--out-dir", str(out)]) == 2
    assert "base report" in (err := capsys.readouterr().err) and "missing.json: no such file" in err
    assert "choose a newer base" in err
    (tmp_path / "bad.json").write_text('{"stacks": [{"stack": "s", "roles": [{"nom": 1}]}]}')
    assert main(["--base", str(base), "--head", str(tmp_path / "bad.json"), "--out-dir", str(out)]) == 2
    assert "stacks[0].roles[0] is not a role; expected an object with 'name'" in capsys.readouterr().err
    (tmp_path / "text.json").write_text("not json")
    assert main(["--base", str(tmp_path / "text.json"), "--head", str(head), "--out-dir", str(out)]) == 2
    assert "not JSON" in capsys.readouterr().err


@pytest.mark.slow
def test_report_against_a_ref_synthesizes_it_and_cleans_up(tmp_path: Path) -> None:
    """`make report BASE=HEAD`'s second half: HEAD's app is synthesized from an export and diffed
    against a synth of the same commit (so the result does not depend on uncommitted work). Where
    HEAD's own app does not synthesize, the script must say so, and clean up."""
    env = tool_env()
    env.pop("PYTHONPATH", None)
    source = tmp_path / "head-src"
    source.mkdir()
    subprocess.run(f"git archive HEAD | tar -x -C {source}", shell=True, cwd=REPO, check=True)
    head_out = tmp_path / "head.out"
    head_synth = subprocess.run(
        [
            str(NODE_BIN / "cdk"),
            "synth",
            "--quiet",
            "--no-notices",
            "-o",
            str(head_out),
            "--app",
            f"{sys.executable} app.py",
        ],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    head_report = head_out / "access-report.json"
    if head_synth.returncode != 0:  # measure the script against a report of this checkout instead
        head_out.mkdir(exist_ok=True)
        head_report.write_text(json.dumps({"stacks": []}))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=REPO, capture_output=True, text=True).stdout

    def report_diff(ref: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "scripts/report_diff.py",
                "--base",
                ref,
                "--head",
                str(head_report),
                "--out-dir",
                str(tmp_path / "out"),
                "--tmp-root",
                str(scratch),
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    bad = report_diff("no-such-ref-xyz")
    assert bad.returncode == 2 and "BASE=no-such-ref-xyz is not a commit of this repository" in bad.stderr
    result = report_diff("HEAD")
    assert list(scratch.iterdir()) == []
    assert subprocess.run(["git", "worktree", "list"], cwd=REPO, capture_output=True, text=True).stdout == worktrees
    if head_synth.returncode != 0:
        assert result.returncode == 2
        assert "BASE=HEAD: synthesizing the base commit failed" in result.stderr, result.stderr
        pytest.skip(
            "HEAD's own app does not synthesize (the script said so and cleaned up): "
            + [line for line in head_synth.stderr.splitlines() if "Error" in line][-1].strip()
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No change in access\n")
    assert (tmp_path / "out" / "access-diff.md").read_text().startswith("## No change in access\n")


def test_a_proof_outcome_that_changes_is_worded_as_the_access_report_words_it(
    example_app: tuple[App, FederationStack], template: TemplateDict
) -> None:
    from federation_constructs.proof import collect_intents
    from federation_constructs.proof.verdict import proof_words

    intents = collect_intents(example_app[0])
    base = report(template, intents=intents)
    head = report(edited(template, any_web_app_ref), intents=intents)
    assert diff_access_reports(base, base)["roles_changed"] == []
    (role,) = [r for r in head["stacks"][0]["roles"] if r["name"] == "WebAppDeploy"]
    assert role["proof"]["status"] == "widened"
    diff = diff_access_reports(base, head)
    proof = changed(diff, "WebAppDeploy")["proof"]
    assert proof["base"] == "proved" and proof["head"] == "widened"
    assert proof["head_text"] == proof_words(role["proof"]) == role["proof"]["text"]
    assert proof["head_text"].startswith("WIDENED: admits requests beyond the declared intent, e.g. principal")
    markdown = diff_to_markdown(diff)
    assert f"- **wider:** proof: {role['proof']['text']} (was: proved equal)" in markdown
    assert "proof WIDENED" in markdown  # the table cell
    assert "proof: WIDENED: admits requests beyond the declared intent" in diff_to_html(diff)
    assert [c["name"] for c in diff["roles_changed"]] == ["WebAppDeploy"]  # no other proof changed


# --- a role IAM replaces: new name or path, new ARN (hand-made reports) -----------------------------

DEPLOY_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": MAIN}},
        }
    ],
}


def named_role(role_name: str | None, *, path: str = "", **extra: Any) -> dict[str, Any]:
    """One role of a hand-made access report, with the name keys the access report now writes."""
    arn = f"arn:aws:iam::{ACCOUNT}:role/{path}{role_name if role_name else '(name set at deploy)'}"
    return {
        "name": "WebAppDeploy",
        "stack": STACK,
        "logical_id": "WebAppDeployRoleAB12CD34",
        "role_name": role_name,
        "role_arn": arn,
        "trust": DEPLOY_TRUST,
        "doors": [{"kind": "oidc", "issuer": "GitHub Actions", "provider": GITHUB, "conditions": [], "who": ["x"]}],
        "max_session_seconds": 3600,
        **extra,
    }


def one_role_report(role: dict[str, Any]) -> dict[str, Any]:
    return {"stacks": [{"stack": STACK, "roles": [role]}]}


def test_a_new_role_name_is_a_replacement_in_json_headline_and_words() -> None:
    base = one_role_report(named_role("acme-web-deploy"))
    head = one_role_report(named_role("acme-web-app-deploy"))
    diff = diff_access_reports(base, head)
    replaced = changed(diff, "WebAppDeploy")["replaced"]
    assert replaced["base"] == {
        "role_name": "acme-web-deploy",
        "role_arn": f"arn:aws:iam::{ACCOUNT}:role/acme-web-deploy",
    }
    assert replaced["head"] == {
        "role_name": "acme-web-app-deploy",
        "role_arn": f"arn:aws:iam::{ACCOUNT}:role/acme-web-app-deploy",
    }
    assert replaced["reason"] == "RoleName changed from acme-web-deploy to acme-web-app-deploy"
    for words in ("new ARN", "deletes the old one", "IdP's Role attribute", "role-to-assume", "app and tool"):
        assert words in replaced["consequences"]
    assert diff["summary"]["roles_replaced"] == 1 and diff["summary"]["other_changes"] == 0
    assert not diff["summary"]["access_widened"]  # a replacement is a change, not a widening
    assert diff["headline"] == "Access not widened: 1 role replaced (new ARN)"
    markdown = diff_to_markdown(diff)
    assert markdown.startswith("## Access not widened: 1 role replaced (new ARN)\n")
    assert f"| {STACK} | WebAppDeploy | REPLACED (new ARN: update every reference to the old one) |" in markdown
    assert (
        "- **IAM REPLACES the role** (RoleName changed from acme-web-deploy to acme-web-app-deploy): "
        f"`arn:aws:iam::{ACCOUNT}:role/acme-web-deploy` → `arn:aws:iam::{ACCOUNT}:role/acme-web-app-deploy`. "
        "IAM creates a new role with a new ARN"
    ) in markdown
    assert "**wider:**" not in markdown
    fragment = diff_to_html(diff)
    assert '<h2 class="replaced">' in fragment and '<tr class="replaced">' in fragment
    assert '<li class="replaced"><strong>IAM REPLACES the role</strong>' in fragment
    assert json.loads(json.dumps(diff)) == diff  # the CLI writes it as JSON


def test_a_generated_name_made_fixed_is_a_replacement() -> None:
    diff = diff_access_reports(one_role_report(named_role(None)), one_role_report(named_role("acme-web-deploy")))
    replaced = changed(diff, "WebAppDeploy")["replaced"]
    assert replaced["base"] == {"role_name": None, "role_arn": f"arn:aws:iam::{ACCOUNT}:role/(name set at deploy)"}
    assert replaced["reason"] == "RoleName set to acme-web-deploy where CloudFormation generated the name"
    assert diff["headline"] == "Access not widened: 1 role replaced (new ARN)"
    back = diff_access_reports(one_role_report(named_role("acme-web-deploy")), one_role_report(named_role(None)))
    assert changed(back, "WebAppDeploy")["replaced"]["reason"] == (
        "RoleName acme-web-deploy taken away: the name is now generated at deploy"
    )


def test_a_new_path_is_a_replacement() -> None:
    base = one_role_report(named_role("acme-web-deploy"))
    head = one_role_report(named_role("acme-web-deploy", path="ci/"))
    replaced = changed(diff_access_reports(base, head), "WebAppDeploy")["replaced"]
    assert replaced["reason"] == "Path changed from / to /ci/"
    assert replaced["head"]["role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/ci/acme-web-deploy"
    both = diff_access_reports(
        one_role_report(named_role(None, path="ci/")), one_role_report(named_role(None, path="deploy/"))
    )
    assert changed(both, "WebAppDeploy")["replaced"]["reason"] == "Path changed from /ci/ to /deploy/"


def test_the_same_name_and_path_is_no_replacement() -> None:
    for name in ("acme-web-deploy", None):
        diff = diff_access_reports(one_role_report(named_role(name)), one_role_report(named_role(name)))
        assert diff["headline"] == "No change in access" and diff["roles_changed"] == []
    # another account or partition is not a rename of the role
    other = named_role("acme-web-deploy")
    other["role_arn"] = other["role_arn"].replace(ACCOUNT, "444455556666").replace("arn:aws:", "arn:aws-cn:")
    diff = diff_access_reports(one_role_report(named_role("acme-web-deploy")), one_role_report(other))
    assert diff["roles_changed"] == []


def test_reports_without_role_names_claim_no_replacement() -> None:
    old = named_role("acme-web-deploy")
    del old["role_name"], old["role_arn"]
    for base, head in ((old, named_role("acme-web-app-deploy")), (named_role(None), old)):
        diff = diff_access_reports(one_role_report(base), one_role_report(head))
        assert diff["roles_changed"] == [] and diff["summary"]["roles_replaced"] == 0
    # a change elsewhere is still reported, without a replacement
    longer = copy.deepcopy(old)
    longer["max_session_seconds"] = 7200
    diff = diff_access_reports(one_role_report(old), one_role_report(longer))
    assert changed(diff, "WebAppDeploy")["replaced"] is None
    assert diff["headline"] == "Access WIDENED: 1 session lengthened"


def test_a_replacement_next_to_a_widening_keeps_the_widened_headline() -> None:
    wider = copy.deepcopy(DEPLOY_TRUST)
    wider["Statement"][0]["Condition"] = {
        "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{GITHUB}:sub": "repo:octo-org/web-app:*"},
    }
    base = one_role_report(named_role("acme-web-deploy"))
    head = one_role_report(named_role("acme-web-deploy-v2", trust=wider))
    diff = diff_access_reports(base, head)
    assert diff["headline"] == "Access WIDENED: 1 trust widened, 1 role replaced (new ARN)"
    row = [line for line in diff_to_markdown(diff).splitlines() if line.startswith(f"| {STACK} |")][0]
    assert row.startswith(
        f"| {STACK} | WebAppDeploy | REPLACED (new ARN: update every reference to the old one); trust"
    )
    assert '<h2 class="wider">' in diff_to_html(diff)
