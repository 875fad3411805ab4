"""Many accounts from one config: a CDK Stage per account and a service-managed StackSet for OUs.

The three-account example (`examples/multi-account.yaml`) is synthesized once, by `app.py` as a user
runs it (rule packs and reports included). Every template is then resolved for the account it lands
in, the way CloudFormation would (pseudo parameters, references to the template's own providers),
and the roles are compared across accounts and across the two forms.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from federation_constructs.assembly import load_assembly
from stacks.config import ConfigError, load_config
from tests.support import NODE_BIN, REPO, federation_lint, lint_keys, review_keys, tool_env
from tests.test_app import run_app

pytestmark = pytest.mark.slow

MULTI = REPO / "examples" / "multi-account.yaml"
HOME = "111122223333"
ACCOUNTS = {
    "dev": ("222233334444", "eu-west-1"),
    "staging": ("333344445555", "eu-west-1"),
    "prod": ("444455556666", "eu-central-1"),
}
ALL_ACCOUNTS = {HOME, *(a for a, _ in ACCOUNTS.values())}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example synthesized by `app.py`, with both rule packs: the assembly directory."""
    tmp = tmp_path_factory.mktemp("multi")
    result = run_app(tmp, MULTI)
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp / "cdk.out"


def manifest_stacks(directory: Path) -> dict[str, dict[str, Any]]:
    """display name -> {template, account, region, stack_name} for every stack, stages included."""
    return {
        s.display_name: {
            "template": s.template,
            "account": s.account or "unknown-account",
            "region": s.region or "unknown-region",
            "stack_name": s.stack_name,
        }
        for s in load_assembly(directory)
    }


def resolve(template: dict[str, Any], *, account: str, region: str) -> dict[str, Any]:
    """The template's resources and outputs with intrinsics resolved as CloudFormation would in
    `account`/`region`; a role's ARN uses its logical id as the (deploy-time) name."""
    resources = template["Resources"]

    def ref(name: str) -> str:
        pseudo = {
            "AWS::AccountId": account,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        resource = resources[name]
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::OIDCProvider":
            return f"arn:aws:iam::{account}:oidc-provider/{props['Url'].removeprefix('https://')}"
        if resource["Type"] == "AWS::IAM::SAMLProvider":
            return f"arn:aws:iam::{account}:saml-provider/{props['Name']}"
        return f"<{name}>"

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical, attribute = value["Fn::GetAtt"]
            assert attribute == "Arn" and resources[logical]["Type"] == "AWS::IAM::Role", value
            return f"arn:aws:iam::{account}:role/{logical}"
        if set(value) == {"Fn::Join"}:
            sep, parts = value["Fn::Join"]
            return sep.join(str(walk(p)) for p in parts)
        return {k: walk(v) for k, v in value.items()}

    return {"Resources": walk(resources), "Outputs": walk(template.get("Outputs", {}))}


def roles(resolved: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """logical id -> (trust, max session) of every role."""
    return {
        logical: {
            "trust": r["Properties"]["AssumeRolePolicyDocument"],
            "max": r["Properties"].get("MaxSessionDuration", 3600),
        }
        for logical, r in resolved["Resources"].items()
        if r["Type"] == "AWS::IAM::Role"
    }


def account_ids(value: Any) -> set[str]:
    return set(re.findall(r"(?<!\d)\d{12}(?!\d)", json.dumps(value))) & ALL_ACCOUNTS


def member_template(stacks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    stack_set = stacks["org-federation-stackset"]["template"]["Resources"]["StackSet"]["Properties"]
    return json.loads(stack_set["TemplateBody"])


# --- (a) one Stage per account ------------------------------------------------------------------


def test_each_account_gets_a_stage_with_the_same_stack_name(out: Path) -> None:
    stacks = manifest_stacks(out)
    for stage, (account, region) in ACCOUNTS.items():
        stack = stacks[f"{stage}/org-federation"]
        assert (stack["account"], stack["region"], stack["stack_name"]) == (account, region, "org-federation")
    # with targets, the home account holds the StackSet only: no federation stack of its own
    assert {name for name, s in stacks.items() if s["account"] == HOME} == {"org-federation-stackset"}


def test_each_account_gets_the_same_roles_with_its_own_account_in_every_arn(out: Path) -> None:
    stacks = manifest_stacks(out)
    per_account = {}
    for stage, (account, region) in ACCOUNTS.items():
        template = stacks[f"{stage}/org-federation"]["template"]
        assert account_ids(template) <= {account}, f"{stage} names another account"
        resolved = resolve(template, account=account, region=region)
        assert account_ids(resolved) == {account}
        found = roles(resolved)
        federated = {s["Principal"]["Federated"] for r in found.values() for s in r["trust"]["Statement"]}
        assert federated == {
            f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com",
            f"arn:aws:iam::{account}:saml-provider/corp-idp",
        }
        outputs = resolved["Outputs"]
        assert outputs["DeployRoleArn"]["Value"].startswith(f"arn:aws:iam::{account}:role/")
        assert outputs["ReadOnlyIdpRoleAttribute"]["Value"] == (
            f"arn:aws:iam::{account}:role/ReadOnlyRoleC3F3E2C8,arn:aws:iam::{account}:saml-provider/corp-idp"
            if "ReadOnlyRoleC3F3E2C8" in found
            else outputs["ReadOnlyIdpRoleAttribute"]["Value"]
        )
        # the same roles everywhere, once the account id is put back as a placeholder
        per_account[stage] = json.loads(json.dumps(found).replace(account, "<account>"))
    assert per_account["dev"] == per_account["staging"] == per_account["prod"]
    assert len(per_account["dev"]) == 2


def test_the_cli_selects_every_stage_with_double_star(out: Path) -> None:
    listed = subprocess.run(
        [str(NODE_BIN / "cdk"), "ls", "--app", str(out), "**"],
        cwd=REPO,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split("\n")
    assert {line.split(" ")[0] for line in listed if line} == {
        "org-federation-stackset",
        "dev/org-federation",
        "staging/org-federation",
        "prod/org-federation",
    }


def test_reports_cover_every_stage(out: Path) -> None:
    report = json.loads((out / "access-report.json").read_text())
    by_stack = {s["stack"]: s for s in report["stacks"]}
    for stage, (account, _) in ACCOUNTS.items():
        stack = by_stack[f"{stage}/org-federation"]
        assert stack["account"] == account
        assert sorted(r["name"] for r in stack["roles"]) == ["Deploy", "ReadOnly"]
        assert all(r["proof"]["status"] == "proved" for r in stack["roles"])
        ack = [f for r in stack["roles"] for f in r["findings"] if f["status"] == "acknowledged"]
        assert ack and all(f["reason"] for f in ack)
    assert json.loads((out / "rule-pack-report.json").read_text())["unacknowledged_findings"] == []


# --- (b) a StackSet for organisational units ----------------------------------------------------


def test_stack_set_is_service_managed_with_auto_deployment_to_the_ous(out: Path) -> None:
    stacks = manifest_stacks(out)
    home = stacks["org-federation-stackset"]
    assert (home["account"], home["region"]) == (HOME, "eu-west-1")
    props = home["template"]["Resources"]["StackSet"]["Properties"]
    assert props["PermissionModel"] == "SERVICE_MANAGED" and props["CallAs"] == "SELF"
    assert props["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert props["StackInstancesGroup"] == [
        {
            "DeploymentTargets": {"OrganizationalUnitIds": ["ou-ab12-cd34ef56", "ou-ab12-99887766"]},
            "Regions": ["eu-west-1"],
        }
    ]
    assert props["Capabilities"] == ["CAPABILITY_NAMED_IAM"]
    assert props["StackSetName"] == "org-federation"


def test_stack_set_member_template_fits_any_account_and_needs_no_bootstrap(out: Path) -> None:
    member = member_template(manifest_stacks(out))
    assert "Parameters" not in member and "Rules" not in member  # no CDK bootstrap in member accounts
    assert account_ids(member) == set()  # not bound to the home account (or any other)
    assert len(json.dumps(member, separators=(",", ":"))) <= 51_200


def test_stack_set_gives_each_account_the_same_roles_as_its_stage(out: Path) -> None:
    stacks = manifest_stacks(out)
    member = member_template(stacks)
    for stage, (account, _) in ACCOUNTS.items():
        from_stack_set = roles(resolve(member, account=account, region="eu-west-1"))
        from_stage = roles(resolve(stacks[f"{stage}/org-federation"]["template"], account=account, region="eu-west-1"))
        assert from_stack_set == from_stage
        assert account_ids(from_stack_set) == {account}


def test_stack_set_member_has_its_own_reports(out: Path) -> None:
    member_dir = out / "stackset-member"
    report = json.loads((member_dir / "access-report.json").read_text())
    (stack,) = report["stacks"]
    assert stack["account"] == "<account>"
    assert sorted((r["name"], r["proof"]["status"]) for r in stack["roles"]) == [
        ("Deploy", "proved"),
        ("ReadOnly", "proved"),
    ]
    packs = json.loads((member_dir / "rule-pack-report.json").read_text())
    assert packs["packs"] == ["AwsSolutions", "Federation"] and packs["unacknowledged_findings"] == []


# --- findings stop synthesis in either form -----------------------------------------------------


def _without_acknowledgement(tmp_path: Path, *, form: str) -> Path:
    text = MULTI.read_text().replace(
        "saml/adfs-example-metadata.xml", str(REPO / "examples/saml/adfs-example-metadata.xml")
    )
    text = text[: text.index("      acknowledgements:")]
    if form == "stages":
        text = re.sub(r"  organizational_units:\n    ids: \[[^\]]*\]\n", "", text)
    else:
        text = re.sub(r"  accounts:\n(    - .*\n)+", "", text)
    path = tmp_path / f"{form}.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("form", ["stages", "stack_set"])
def test_an_unacknowledged_finding_stops_synthesis(tmp_path: Path, form: str) -> None:
    result = run_app(tmp_path, _without_acknowledgement(tmp_path, form=form))
    assert result.returncode == 1, result.stderr[-2000:]
    assert "synthesis stopped: rule-pack findings are not acknowledged" in result.stderr
    out = tmp_path / "cdk.out" / ("stackset-member" if form == "stack_set" else "")
    report = json.loads((out / "validation-report.json").read_text())
    paths = {
        where["constructPath"]
        for plugin in report["pluginReports"]
        for v in plugin["violations"]
        if v["ruleName"].startswith("AwsSolutions-IAM4")
        for where in v["violatingConstructs"]
    }
    expected = (
        {"org-federation/ReadOnly/Role/Resource"}
        if form == "stack_set"
        else {f"{stage}/org-federation/ReadOnly/Role/Resource" for stage in ACCOUNTS}
    )
    assert paths == expected


# --- config refusals ----------------------------------------------------------------------------

BASE = """\
name: org-federation
account: "111122223333"
region: eu-west-1
"""


def error_of(tmp_path: Path, targets: str, extra: str = "") -> str:
    path = tmp_path / "c.yaml"
    path.write_text(BASE + "targets:\n" + textwrap.indent(textwrap.dedent(targets), "  ") + "\n" + extra)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        (
            'accounts: [{account: "222233334444"}, {account: "222233334444", region: eu-central-1}]',
            "targets.accounts[1].account: '222233334444' is already accounts[0]; expected each account once",
        ),
        (
            'accounts: [{account: "2222333344"}]',
            "targets.accounts[0].account: '2222333344' is not accepted; expected a 12-digit",
        ),
        (
            'accounts: [{account: "222233334444", name: dev}, {account: "333344445555", name: dev}]',
            "'dev' is already the name of accounts[0]; expected a unique stage name",
        ),
        (
            'accounts: [{account: "222233334444", name: 9lives}]',
            "targets.accounts[0].name: '9lives' is not accepted; expected a stage name",
        ),
        (
            'accounts: [{account: "222233334444", region: cn-north-1}]',
            "targets.accounts[0].region: 'cn-north-1' is in partition 'aws-cn', not in 'aws' of region 'eu-west-1'",
        ),
        (
            'accounts: [{account: "222233334444", region: europe}]',
            "targets.accounts[0].region: 'europe' is not accepted; expected an AWS region code",
        ),
        (
            "organizational_units: {ids: [ou-1]}",
            "targets.organizational_units.ids[0]: 'ou-1' is not accepted; expected an organisational unit id",
        ),
        ("organizational_units: {ids: []}", "targets.organizational_units.ids: [] is not accepted"),
        (
            "organizational_units: {ids: [ou-ab12-cd34ef56, ou-ab12-cd34ef56]}",
            "ids[1]: 'ou-ab12-cd34ef56' is listed twice",
        ),
        ("{}", "targets needs `accounts`, `organizational_units` or both"),
        ("acounts: []", "targets.acounts: unknown key (did you mean 'accounts'?)"),
    ],
    ids=[
        "same-account-twice",
        "bad-account",
        "same-stage-name",
        "bad-stage-name",
        "other-partition",
        "bad-region",
        "bad-ou",
        "no-ou",
        "same-ou-twice",
        "empty",
        "unknown-key",
    ],
)
def test_bad_targets_are_refused_with_field_value_and_what_is_accepted(
    tmp_path: Path, targets: str, expected: str
) -> None:
    assert expected in error_of(tmp_path, targets)


def test_a_fixed_bucket_name_is_refused_for_many_accounts(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        'accounts: [{account: "222233334444"}, {account: "333344445555"}]',
        "storage:\n  id: Files\n  bucket_name: my-user-files\n",
    )
    assert "storage.bucket_name: 'my-user-files' is not accepted with targets; expected no bucket_name" in message


def test_a_stack_set_refuses_roles_that_need_shard_stacks(tmp_path: Path) -> None:
    from federation_constructs.errors import FederationValidationError
    from stacks.build import build_deployment
    from tests.support import new_app

    roles_yaml = "".join(
        f"    - {{name: Deploy{i}, type: github, provider: GitHub, repositories: [octo-org/r{i}], branches: [main]}}\n"
        for i in range(40)
    )
    path = tmp_path / "big.yaml"
    path.write_text(
        BASE + "targets:\n  organizational_units: {ids: [ou-ab12-cd34ef56]}\n"
        "sharding: {max_resources: 20, max_outputs: 10}\n"
        "oidc:\n  providers:\n    - {id: GitHub, preset: github_actions}\n  roles:\n" + roles_yaml
    )
    with pytest.raises(FederationValidationError) as caught:
        build_deployment(new_app(), load_config(path))
    message = str(caught.value)
    assert message.startswith("targets.organizational_units: ") and "stacks is not accepted for a StackSet" in message
    assert "use targets.accounts (one Stage per account)" in message


# --- federation-verify in one target account (moto) ---------------------------------------------


@pytest.mark.filterwarnings("ignore:Tried to parse .* not supported by moto:UserWarning")
def test_verify_checks_the_stage_of_the_credentials_account_only(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In account `prod` (eu-central-1), verify picks `prod/org-federation` from the nested assembly,
    none of the other stages and not the home account's StackSet stack; deployed as synthesized: no
    drift; the prod stack's session lengthened live: drift."""
    import boto3
    from moto import mock_aws

    from federation_constructs.verify import main
    from tests import moto_cfn
    from tests.test_verify import _fake_credentials, deploy

    account, region = ACCOUNTS["prod"]
    _fake_credentials(monkeypatch)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setattr("tests.test_verify.REGION", region)
    moto_cfn.register()
    with mock_aws():
        physical = deploy(manifest_stacks(out)["prod/org-federation"]["template"], name="org-federation")
        code = main(["--assembly", str(out), "--format", "json"])
        document = json.loads(capsys.readouterr().out)
        assert code == 0, document
        assert document["account"] == account
        assert [(s["stack"], s["source"]) for s in document["stacks"]] == [("org-federation", "prod/org-federation")]
        assert document["summary"]["drift"] == 0 and document["summary"]["ok"] == 4
        role = next(k for k in physical if k.startswith("ReadOnlyRole"))
        boto3.client("iam").update_role(RoleName=physical[role], MaxSessionDuration=43200)
        code = main(["--assembly", str(out)])
        text = capsys.readouterr().out
        assert code == 1 and f"role {role}" in text and "DRIFT" in text


def test_federation_lint_reads_the_whole_assembly_stages_and_stack_set_member(out: Path) -> None:
    """`federation-lint cdk.out` as a user runs it: every stage's stack and the StackSet's member
    template (inline in the home stack), no error, the same findings as the synth-time packs."""
    code, report, stderr = federation_lint(str(out))
    assert code == 0 and report["summary"]["errors"] == 0, stderr
    files = report["files"]
    assert len([f for f in files if "#StackSet:" in f]) == 1, files
    assert {Path(f.split("#", 1)[0]).parent.name for f in files} >= {"cdk.out", "assembly-dev", "assembly-prod"}, files
    assert lint_keys(report) == review_keys(out) | review_keys(out / "stackset-member")
