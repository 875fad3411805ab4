"""`federation-verify` against an account in moto: the example synthesized once, deployed as synthesized,
then changed outside CloudFormation the way drift happens.

Nothing here reaches AWS: every AWS call goes to moto in-process (`mock_aws`) with fake credentials,
except the no-credentials test, which fails before any request is built. The synthesized template is
deployed with moto's CloudFormation plus the models of `tests/moto_cfn.py` (OIDC and SAML providers,
Cognito pools), so physical ids are what CloudFormation would report.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from federation_constructs.assembly import AssemblyError, load_assembly
from federation_constructs.verify import main
from federation_constructs.verify.clients import ReadOnlyClients, ReadOnlyViolation, is_read_operation
from federation_constructs.verify.live import LiveError, LiveSamlProvider, LiveStack
from federation_constructs.verify.report import Item, Report, to_json, to_text
from federation_constructs.verify.resolve import Resolver, Unresolvable, contains_marker
from federation_constructs.verify.roles import compare_trust
from federation_constructs.verify.run import Target, check_stack, verify
from federation_constructs.verify.trust import diff_trust
from scripts.saml_metadata import build_metadata, self_signed_certificate
from tests import moto_cfn
from tests.support import EXAMPLE, REPO

# moto warns about each resource type its CloudFormation skips (bucket policies, the pool's role attachment)
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse .* not supported by moto:UserWarning")

ACCOUNT = "111122223333"  # the example config's account
REGION = "eu-west-1"
STACK = "example-federation"
GITHUB = "token.actions.githubusercontent.com"
GITHUB_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"
MAIN = "repo:octo-org/web-app:ref:refs/heads/main"


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example app's cloud assembly, synthesized once for this module (no rule packs)."""
    from aws_cdk import App

    from stacks.build import build_stacks
    from stacks.config import load_config

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = App(
        outdir=str(outdir), context={"aws:cdk:disable-stack-trace": True}, builtin_cloud_formation_validation=False
    )
    build_stacks(app, load_config(EXAMPLE))
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def template(assembly: Path) -> dict[str, Any]:
    return json.loads((assembly / f"{STACK}.template.json").read_text())


def _fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No profile, config file or real credential may be read; moto's account is the example's."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An empty moto account 111122223333 with fake credentials."""
    _fake_credentials(monkeypatch)
    moto_cfn.register()
    with mock_aws():
        yield


def deploy(template: dict[str, Any], *, name: str = STACK) -> dict[str, str]:
    """Create the stack in moto from the synthesized template; logical id -> physical id."""
    cfn = boto3.client("cloudformation", region_name=REGION)
    with warnings.catch_warnings():  # moto warns about the types it skips (bucket policies, ...)
        warnings.simplefilter("ignore")
        logging.getLogger("moto").setLevel(logging.ERROR)
        cfn.create_stack(
            StackName=name,
            TemplateBody=json.dumps(moto_cfn.deployable(template)),
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
    summaries = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    return {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries if s["LogicalResourceId"]}


def logical(template: dict[str, Any], prefix: str, kind: str = "AWS::IAM::Role") -> str:
    (found,) = [k for k, v in template["Resources"].items() if k.startswith(prefix) and v["Type"] == kind]
    return found


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def items(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """logical id (or ARN for imported providers) -> item, over every stack of a JSON report."""
    return {i["logical_id"] or i["arn"]: i for s in document["stacks"] for i in s["items"]}


# --- the account as synthesized, and drift --------------------------------------------------------


def test_no_drift_after_deploying_exactly_the_synthesized_stack(
    aws: None, assembly: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    deploy(template)
    code, out, err = run(capsys, "--assembly", str(assembly))
    assert code == 0, out + err
    assert f"OK    stack {STACK} in {REGION}: deployed (CREATE_COMPLETE)" in out
    assert "DRIFT" not in out
    assert out.rstrip().endswith("no drift (exit 0)")
    assert f"OK    OIDC provider {GITHUB} (GitHub" in out
    assert "OK    SAML provider corp-adfs (CorpAdfs" in out
    assert "10 provider(s)/role(s): 10 ok, 0 drift" in out  # 2 OIDC, 1 SAML, 7 roles


def test_widened_trust_condition_is_drift_with_a_diff_and_an_example_request(
    aws: None, assembly: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    role = deploy(template)[logical(template, "WebAppDeployRole")]
    iam = boto3.client("iam")
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    conditions = trust["Statement"][0]["Condition"]
    del conditions["StringEquals"][f"{GITHUB}:sub"]
    conditions["StringLike"] = {f"{GITHUB}:sub": "repo:octo-org/*"}
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(trust))

    report = verify(assembly=assembly, session=boto3.Session())  # once: the solver runs twice per changed trust
    assert report.exit_code == 1
    out = to_text(report)
    assert f"DRIFT role {logical(template, 'WebAppDeployRole')}: trust-differs" in out
    assert f"- StringEquals {GITHUB}:sub = {MAIN}" in out
    assert f"- StringEquals {GITHUB}:sub = repo:octo-org/web-app:environment:production" in out
    assert f"+ StringLike {GITHUB}:sub = repo:octo-org/*" in out
    assert "live trust admits requests the app does not, e.g. principal " in out

    item = items(json.loads(to_json(report)))[logical(template, "WebAppDeployRole")]
    assert item["status"] == "trust-differs" and item["drift"]
    wider = item["facts"]["wider"]
    assert wider["status"] == "yes"
    example_sub = wider["example"].split(f"{GITHUB}:sub=")[1].split(",")[0].strip("'")
    assert example_sub.startswith("repo:octo-org/") and example_sub not in {
        MAIN,
        "repo:octo-org/web-app:environment:production",
    }
    assert item["facts"]["narrower"]["status"] == "no"  # the old subjects still match repo:octo-org/*


def test_deleted_oidc_provider_is_missing(
    aws: None, assembly: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    physical = deploy(template)
    gitlab = physical[logical(template, "GitLab", "AWS::IAM::OIDCProvider")]
    boto3.client("iam").delete_open_id_connect_provider(OpenIDConnectProviderArn=gitlab)
    code, out, _ = run(capsys, "--assembly", str(assembly))
    assert code == 1
    assert "DRIFT OIDC provider gitlab.com (GitLab" in out and f"the stack's provider {gitlab} no longer exists" in out
    assert f"OK    role {logical(template, 'InfraPipelineRole')}: ok" in out  # its trust still names the ARN


def test_session_length_changed_live_is_drift(
    aws: None, assembly: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    role = deploy(template)[logical(template, "AdministratorRole")]
    boto3.client("iam").update_role(RoleName=role, MaxSessionDuration=43200)
    code, out, _ = run(capsys, "--assembly", str(assembly))
    assert code == 1
    assert f"DRIFT role {logical(template, 'AdministratorRole')}: session-differs" in out
    assert "MaxSessionDuration: synthesized 3600 s (1 h), live 43200 s (12 h)" in out


def test_stack_not_deployed_is_drift_and_roles_are_not_compared(
    aws: None, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--assembly", str(assembly))
    assert code == 1
    assert f"DRIFT stack {STACK} in {REGION}: NOT DEPLOYED" in out
    assert "its roles cannot be compared" in out
    assert out.count("SKIP  role ") == 7
    assert f"DRIFT OIDC provider {GITHUB} (GitHub4508AE39): missing" in out
    assert f"the account has no OIDC provider for {GITHUB} (the stack would create it)" in out


def test_existing_provider_for_the_issuer_before_deploy_says_import_it(
    aws: None, assembly: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    iam = boto3.client("iam")
    iam.create_open_id_connect_provider(Url=f"https://{GITHUB}", ClientIDList=["sts.amazonaws.com"])
    iam.create_open_id_connect_provider(Url="https://GitLab.com/", ClientIDList=["https://gitlab.com"])
    code, out, _ = run(capsys, "--assembly", str(assembly), "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["stacks"][0]["status"] == "not-deployed"
    found = items(document)
    github = found[logical(template, "GitHub", "AWS::IAM::OIDCProvider")]
    gitlab = found[logical(template, "GitLab", "AWS::IAM::OIDCProvider")]
    assert github["status"] == "exists-outside-stack" and github["arn"] == GITHUB_ARN
    assert "deploying would fail (EntityAlreadyExists)" in github["details"][0]
    assert "`existing: true` on provider GitHub" in github["details"][0]
    assert gitlab["problems"] == ["missing", "duplicate-issuer"]
    assert gitlab["facts"]["near_duplicates"] == [f"arn:aws:iam::{ACCOUNT}:oidc-provider/GitLab.com/"]
    assert "only by a trailing slash or letter case" in gitlab["details"][-1]


def test_near_duplicate_of_a_deployed_provider_is_drift(
    aws: None, assembly: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    deploy(template)
    boto3.client("iam").create_open_id_connect_provider(Url=f"https://{GITHUB}/", ClientIDList=["sts.amazonaws.com"])
    code, out, _ = run(capsys, "--assembly", str(assembly))
    assert code == 1
    assert f"DRIFT OIDC provider {GITHUB} (GitHub4508AE39): duplicate-issuer" in out


def test_expired_live_saml_certificate_is_drift(
    aws: None, assembly: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The provider is replaced outside CloudFormation with metadata whose certificate has expired."""
    arn = deploy(template)[logical(template, "CorpAdfs", "AWS::IAM::SAMLProvider")]
    now = datetime.now(UTC)
    expired = build_metadata(
        certificates=[self_signed_certificate("ADFS Signing - old", now - timedelta(days=400), now - timedelta(days=5))]
    )
    iam = boto3.client("iam")
    iam.delete_saml_provider(SAMLProviderArn=arn)
    assert iam.create_saml_provider(Name="corp-adfs", SAMLMetadataDocument=expired)["SAMLProviderArn"] == arn
    code, out, _ = run(capsys, "--assembly", str(assembly), "--format", "json")
    assert code == 1
    item = items(json.loads(out))[logical(template, "CorpAdfs", "AWS::IAM::SAMLProvider")]
    assert item["problems"] == ["expired", "metadata-differs"]
    assert item["facts"]["certificates"][0]["days_left"] < 0
    assert any(
        d.startswith("the latest signing certificate expired on ") and "IAM refuses every assertion" in d
        for d in item["details"]
    )


def test_json_report_has_stable_keys_and_statuses(
    aws: None, assembly: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    deploy(template)
    code, out, _ = run(capsys, "--assembly", str(assembly), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"version", "account", "assembly", "drift", "stacks", "summary"}
    assert document["account"] == ACCOUNT and document["drift"] is False
    (stack,) = document["stacks"]
    assert {k: stack[k] for k in ("stack", "kind", "region", "status", "stack_status")} == {
        "stack": STACK,
        "kind": "stack",
        "region": REGION,
        "status": "deployed",
        "stack_status": "CREATE_COMPLETE",
    }
    statuses = {(i["kind"], i["status"]) for i in stack["items"]}
    assert statuses == {("oidc-provider", "ok"), ("saml-provider", "ok"), ("role", "ok")}
    first = stack["items"][0]
    assert set(first) == {
        "kind",
        "logical_id",
        "name",
        "arn",
        "imported",
        "status",
        "drift",
        "problems",
        "warnings",
        "details",
        "diff",
        "facts",
    }
    assert document["summary"] == {
        "stacks": 1,
        "stacks_not_deployed": 0,
        "items": 10,
        "ok": 10,
        "drift": 0,
        "warnings": 0,
        "not_compared": 0,
        "exit_code": 0,
    }


# --- errors: exit 2, one line ---------------------------------------------------------------------


def test_without_credentials_exit_2_with_one_line_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_credentials(monkeypatch)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # even a bug could reach nothing
    code, out, err = run(capsys, "--assembly", str(assembly))
    assert code == 2 and out == ""
    assert err.startswith("federation-verify: no usable AWS credentials (sts GetCallerIdentity: ")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_account_other_than_the_credentials_is_refused(
    aws: None, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--assembly", str(assembly), "--account", "444455556666")
    assert code == 2
    assert err == (
        "federation-verify: --account 444455556666 is not the credentials' account (111122223333): the live "
        "side would be the wrong account; use credentials for 444455556666 (e.g. --profile)\n"
    )


def test_missing_assembly_exits_2_and_the_tool_never_runs_an_app(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--assembly", str(tmp_path / "nowhere"))
    assert code == 2 and err.startswith(f"federation-verify: {tmp_path / 'nowhere'}: not a directory; expected a cloud")
    # the package never synthesizes a config (that would import this repository's app): `make verify` does
    with pytest.raises(SystemExit) as caught:
        main(["--config", "prod.yaml"])
    assert caught.value.code == 2 and "unrecognized arguments: --config" in capsys.readouterr().err


def test_an_aws_error_names_the_call_and_the_code(aws: None, assembly: Path, template: dict[str, Any]) -> None:
    deploy(template)
    session = boto3.Session(region_name=REGION)

    def denied(**_: Any) -> tuple[Any, dict[str, Any]]:  # answers instead of moto: the request is never sent
        return SimpleNamespace(status_code=403), {
            "Error": {"Code": "AccessDenied", "Message": "no iam:ListOpenIDConnectProviders"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    session.events.register("before-call.iam.ListOpenIDConnectProviders", denied)
    with pytest.raises(LiveError) as err:
        verify(assembly=assembly, session=session)
    assert str(err.value) == ("iam ListOpenIDConnectProviders failed: AccessDenied: no iam:ListOpenIDConnectProviders")


def test_an_unreadable_assembly_is_named(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(
        '{"artifacts": {"s": {"type": "aws:cloudformation:stack", '
        '"environment": "aws://111122223333/eu-west-1", '
        '"properties": {"templateFile": "s.template.json"}}}}'
    )
    with pytest.raises(AssemblyError, match=r"s\.template\.json: not found; expected the template of stack 's'"):
        load_assembly(tmp_path)
    (tmp_path / "s.template.json").write_text("{")
    with pytest.raises(AssemblyError, match=r"s\.template\.json:1: not valid JSON"):
        load_assembly(tmp_path)


# --- read-only ------------------------------------------------------------------------------------


def test_a_full_verification_calls_only_read_operations(aws: None, assembly: Path, template: dict[str, Any]) -> None:
    physical = deploy(template)
    iam = boto3.client("iam")
    iam.update_role(RoleName=physical[logical(template, "AdministratorRole")], MaxSessionDuration=7200)
    trust = template["Resources"][logical(template, "WebAppDeployRole")]["Properties"]["AssumeRolePolicyDocument"]
    widened = json.loads(json.dumps(trust).replace(MAIN, "repo:octo-org/*").replace("StringEquals", "StringLike"))
    widened["Statement"][0]["Principal"]["Federated"] = GITHUB_ARN
    iam.update_assume_role_policy(
        RoleName=physical[logical(template, "WebAppDeployRole")], PolicyDocument=json.dumps(widened)
    )
    session = boto3.Session(region_name=REGION)
    calls: list[tuple[str, str]] = []
    session.events.register(
        "before-call", lambda model, **_: calls.append((model.service_model.service_name, model.name))
    )
    report = verify(assembly=assembly, session=session)
    assert report.exit_code == 1  # the drift paths ran too (trust diff, solver, session)
    assert calls, "the recorder saw no call"
    assert all(is_read_operation(service, operation) for service, operation in calls), calls
    assert {op for _, op in calls} == {
        "GetCallerIdentity",
        "DescribeStacks",
        "ListStackResources",
        "ListOpenIDConnectProviders",
        "GetOpenIDConnectProvider",
        "ListSAMLProviders",
        "GetSAMLProvider",
        "GetRole",
    }


def test_the_guard_refuses_a_write_through_a_factory_client(aws: None) -> None:
    plain = boto3.client("iam")
    plain.create_role(RoleName="guarded", AssumeRolePolicyDocument="{}", MaxSessionDuration=3600)
    clients = ReadOnlyClients(session=boto3.Session(region_name=REGION))
    iam = clients.client("iam")
    with pytest.raises(ReadOnlyViolation, match="iam UpdateRole refused: this tool only reads"):
        iam.update_role(RoleName="guarded", MaxSessionDuration=43200)
    with pytest.raises(ReadOnlyViolation, match="cloudformation DeleteStack refused"):
        clients.client("cloudformation", region=REGION).delete_stack(StackName=STACK)
    assert plain.get_role(RoleName="guarded")["Role"]["MaxSessionDuration"] == 3600
    assert iam.get_role(RoleName="guarded")["Role"]["RoleName"] == "guarded"  # reads pass
    assert clients.last_call == ("iam", "GetRole")
    assert is_read_operation("sts", "GetCallerIdentity") and not is_read_operation("sts", "AssumeRole")


# --- StackSets and nested assemblies --------------------------------------------------------------


def _hand_assembly(root: Path, artifacts: dict[str, Any], templates: dict[str, dict[str, Any]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    for name, body in templates.items():
        (root / name).write_text(json.dumps(body))
    return root


def _stack_artifact(template_file: str, account: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": "aws:cloudformation:stack",
        "environment": f"aws://{account}/{REGION}",
        "properties": {"templateFile": template_file, **properties},
    }


def test_stack_set_instances_are_compared_with_the_member_template(
    aws: None, tmp_path: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """A home-account stack declaring the StackSet sits in a nested assembly (as a Stage's would), next
    to a Stage for another account; the account under test has only the StackSet's instance."""
    member = moto_cfn.deployable(template)
    stack_set = {
        "Resources": {
            "StackSet": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {
                    "StackSetName": STACK,
                    "PermissionModel": "SERVICE_MANAGED",
                    "TemplateBody": json.dumps(member),
                    "StackInstancesGroup": [
                        {"DeploymentTargets": {"OrganizationalUnitIds": ["ou-ab12-cd34ef56"]}, "Regions": [REGION]}
                    ],
                },
            }
        }
    }
    root = tmp_path / "cdk.out"
    _hand_assembly(
        root / "assembly-home",
        {"home": _stack_artifact("home.template.json", "999988887777", stackName=f"{STACK}-stackset")},
        {"home.template.json": stack_set},
    )
    _hand_assembly(
        root / "assembly-dev",
        {"dev": _stack_artifact("dev.template.json", "222233334444", stackName=STACK)},
        {"dev.template.json": template},
    )
    _hand_assembly(
        root,
        {
            "assembly-home": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-home"}},
            "assembly-dev": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-dev"}},
        },
        {},
    )
    code, out, _ = run(capsys, "--assembly", str(root))
    assert code == 1  # no instance yet: reported as not deployed, providers checked
    assert f"DRIFT stack StackSet-{STACK}-* in {REGION}: NOT DEPLOYED  [StackSet {STACK} (declared in home)]" in out

    instance = f"StackSet-{STACK}-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    deploy(template, name=instance)
    code, out, _ = run(capsys, "--assembly", str(root), "--stack-set")
    assert code == 0, out
    assert f"OK    stack {instance} in {REGION}: deployed (CREATE_COMPLETE)  [StackSet {STACK}" in out
    assert "10 ok, 0 drift" in out


def test_imported_provider_must_exist_and_unresolvable_values_are_not_guessed(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    provider = {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, f":oidc-provider/{GITHUB}"],
        ]
    }
    template = {
        "Resources": {
            "Deploy": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "MaxSessionDuration": 7200,
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "sts:AssumeRoleWithWebIdentity",
                                "Principal": {"Federated": provider},
                                "Condition": {
                                    "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": MAIN}
                                },
                            }
                        ],
                    },
                },
            }
        }
    }
    root = _hand_assembly(
        tmp_path / "cdk.out",
        {"Imp": _stack_artifact("imp.template.json", ACCOUNT, stackName="imported")},
        {"imp.template.json": template},
    )
    deploy(template, name="imported")
    code, out, _ = run(capsys, "--assembly", str(root))
    assert code == 1
    assert f"DRIFT OIDC provider {GITHUB} (imported): missing" in out and "OK    role Deploy: ok" in out
    boto3.client("iam").create_open_id_connect_provider(Url=f"https://{GITHUB}", ClientIDList=["sts.amazonaws.com"])
    code, out, _ = run(capsys, "--assembly", str(root))
    assert code == 0, out

    class Live:  # only the reads check_stack makes, for a trust moto cannot create
        def stack(self, name: str) -> LiveStack:
            return LiveStack(name=name, stack_id="id", status="CREATE_COMPLETE", physical={"Deploy": "deploy"})

        def role(self, name: str) -> dict[str, Any]:
            return {"Arn": "arn", "MaxSessionDuration": 7200, "AssumeRolePolicyDocument": {}}

        def oidc_providers(self) -> list[Any]:
            return []

        def exports(self) -> dict[str, str]:
            return {}

    unknowable = json.loads(json.dumps(template).replace('"sts.amazonaws.com"', '{"Fn::GetAtt": ["Pool", "Audience"]}'))
    report = check_stack(
        Target(stack="s", source="s", kind="stack", region=REGION, template=unknowable),
        live=Live(),
        account=ACCOUNT,
        now=datetime.now(UTC),
    )  # type: ignore[arg-type]
    role = next(i for i in report.items if i.kind == "role")
    assert role.status == "cannot-compare" and not role.drift
    assert "<Fn::GetAtt Pool.Audience>" in role.details[0]


def test_roles_show_the_arn_their_role_name_and_path_give() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }

    def role(**properties: Any) -> dict[str, Any]:
        return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust, **properties}}

    template = {
        "Resources": {
            "Named": role(RoleName="acme-ci-deploy", Path="/ci/"),
            "Plain": role(RoleName="acme-reader"),
            "PerAccount": role(RoleName={"Fn::Sub": "acme-${AWS::AccountId}-audit"}),
            "PerStack": role(RoleName={"Fn::Sub": "${AWS::StackName}-deploy"}),
            "Generated": role(Path="/ci/"),
        }
    }

    class Live:  # the reads check_stack makes; `deployed` and `roles` say what the account holds
        def __init__(self, deployed: bool, roles: dict[str, dict[str, Any]]) -> None:
            self.deployed, self.roles = deployed, roles

        def stack(self, name: str) -> LiveStack | None:
            physical = {"Named": "acme-ci-deploy", "Plain": "acme-reader", "Generated": "s-Generated-1A2B3C"}
            return (
                LiveStack(name=name, stack_id="id", status="UPDATE_COMPLETE", physical=physical)
                if self.deployed
                else None
            )

        def role(self, name: str) -> dict[str, Any] | None:
            return self.roles.get(name)

        def exports(self) -> dict[str, str]:
            return {}

    def verified(live: Live, region: str = REGION) -> tuple[dict[str, Item], str]:
        stack_report = check_stack(
            Target(stack="s", source="s", kind="stack", region=region, template=template),
            live=live,  # type: ignore[arg-type]
            account=ACCOUNT,
            now=datetime.now(UTC),
        )
        text = to_text(Report(account=ACCOUNT, assembly="cdk.out", stacks=[stack_report]))
        return {i.logical_id or "": i for i in stack_report.items}, text

    # not deployed: the template's names are all there is
    found, text = verified(Live(False, {}))
    assert (found["Named"].name, found["Named"].arn) == (
        "acme-ci-deploy",
        f"arn:aws:iam::{ACCOUNT}:role/ci/acme-ci-deploy",
    )
    assert found["Plain"].arn == f"arn:aws:iam::{ACCOUNT}:role/acme-reader"
    assert found["PerAccount"].arn == f"arn:aws:iam::{ACCOUNT}:role/acme-{ACCOUNT}-audit"
    assert (found["PerStack"].name, found["PerStack"].arn) == ("PerStack", None)  # the stack name is not known yet
    assert (found["Generated"].name, found["Generated"].arn) == ("Generated", None)
    assert (
        f"  SKIP  role Named: not-compared\n          role ARN: arn:aws:iam::{ACCOUNT}:role/ci/acme-ci-deploy\n" in text
    )
    assert "role ARN: (name set at deploy)" not in text and text.count("role ARN:") == 3
    assert verified(Live(False, {}), "cn-north-1")[0]["Plain"].arn == f"arn:aws-cn:iam::{ACCOUNT}:role/acme-reader"

    # deployed: the live ARN; a role deleted outside CloudFormation keeps the ARN it had
    live_arn = f"arn:aws:iam::{ACCOUNT}:role/ci/acme-ci-deploy"
    found, text = verified(
        Live(True, {"acme-ci-deploy": {"Arn": live_arn, "MaxSessionDuration": 3600, "AssumeRolePolicyDocument": trust}})
    )
    assert found["Named"].arn == live_arn and found["Named"].status == "ok"
    assert found["Plain"].problems == ["missing"] and found["Plain"].arn == f"arn:aws:iam::{ACCOUNT}:role/acme-reader"
    assert found["Generated"].arn == f"arn:aws:iam::{ACCOUNT}:role/ci/s-Generated-1A2B3C"
    assert f"          role ARN: arn:aws:iam::{ACCOUNT}:role/ci/s-Generated-1A2B3C\n" in text
    assert (
        found["PerStack"].problems == ["missing"] and found["PerStack"].arn == f"arn:aws:iam::{ACCOUNT}:role/s-deploy"
    )


def test_expiring_saml_certificate_is_a_warning_not_drift() -> None:
    now = datetime.now(UTC)
    metadata = build_metadata(
        certificates=[self_signed_certificate("ADFS Signing", now - timedelta(days=300), now + timedelta(days=10))]
    )
    template = {
        "Resources": {
            "Idp": {"Type": "AWS::IAM::SAMLProvider", "Properties": {"Name": "corp", "SamlMetadataDocument": metadata}}
        }
    }
    arn = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"

    class Live:
        def stack(self, name: str) -> LiveStack:
            return LiveStack(name=name, stack_id="id", status="UPDATE_COMPLETE", physical={"Idp": arn})

        def saml_providers(self) -> list[LiveSamlProvider]:
            return [LiveSamlProvider(arn=arn, name="corp", metadata=metadata, valid_until=None, create_date=None)]

        def exports(self) -> dict[str, str]:
            return {}

    report = check_stack(
        Target(stack="s", source="s", kind="stack", region=REGION, template=template),
        live=Live(),
        account=ACCOUNT,
        now=now,
    )  # type: ignore[arg-type]
    (item,) = report.items
    assert item.problems == [] and item.warnings == ["expiring"] and not report.drift
    assert item.details[0].startswith("the latest signing certificate expires in 9 day(s)")  # 10 days less a moment


# --- the pieces: intrinsics, trust normalisation, the solver --------------------------------------


def test_resolver_knows_pseudo_parameters_physical_ids_and_role_arns_and_marks_the_rest() -> None:
    template = {
        "Mappings": {"Aud": {"aws-cn": {"saml": "https://signin.amazonaws.cn/saml"}}},
        "Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/ci/"}}},
    }
    resolver = Resolver(template=template, account="123456789012", region="cn-north-1", physical={"R": "deploy"})
    assert (
        resolver.resolve({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:x/${!var}"})
        == "arn:aws-cn:iam::123456789012:x/${var}"
    )
    assert resolver.resolve({"Fn::GetAtt": ["R", "Arn"]}) == "arn:aws-cn:iam::123456789012:role/ci/deploy"
    assert resolver.resolve({"Fn::Sub": "${R.Arn}"}) == "arn:aws-cn:iam::123456789012:role/ci/deploy"
    assert (
        resolver.resolve({"Fn::FindInMap": ["Aud", {"Ref": "AWS::Partition"}, "saml"]})
        == "https://signin.amazonaws.cn/saml"
    )
    assert resolver.resolve({"Ref": "AWS::URLSuffix"}) == "amazonaws.com.cn"
    assert resolver.resolve({"Fn::Join": ["", ["a", {"Ref": "AWS::NoValue"}, "b"]]}) == "ab"
    unknown = resolver.resolve({"Fn::Join": [":", ["x", {"Ref": "Pool"}]]})
    assert isinstance(unknown, Unresolvable) and contains_marker({"k": [unknown]}) == ["x:<Ref Pool>"]
    assert contains_marker(resolver.resolve({"Fn::If": ["C", "a", "b"]})) == ["<Fn::If>"]
    assert resolver.resolve({"Fn::ImportValue": "base:GitHubArn"}) == "<Fn::ImportValue base:GitHubArn>"
    resolver.exports = lambda: {"base:GitHubArn": GITHUB_ARN}
    assert resolver.resolve({"Fn::ImportValue": {"Fn::Sub": "base:GitHubArn"}}) == GITHUB_ARN


def test_trusts_that_iam_reads_alike_have_no_diff() -> None:
    synthesized = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithSAML",
                "Principal": {"Federated": "arn:aws:iam::1:saml-provider/x"},
                "Condition": {
                    "StringEquals": {"SAML:aud": ["https://signin.aws.amazon.com/saml"], "saml:sub_type": "persistent"}
                },
            },
            {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"AWS": "111122223333"}},
        ],
    }
    live = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "STS:AssumeRole", "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]}},
            {
                "Effect": "Allow",
                "Action": ["sts:AssumeRoleWithSAML"],
                "Principal": {"Federated": ["arn:aws:iam::1:saml-provider/x"]},
                "Condition": {
                    "stringequals": {"saml:aud": "https://signin.aws.amazon.com/saml", "SAML:SUB_TYPE": ["persistent"]}
                },
            },
        ],
    }
    assert diff_trust(synthesized, live) == []
    changed = json.loads(json.dumps(live).replace('"persistent"', '"Persistent"'))  # values are case-sensitive
    assert [c.line() for c in diff_trust(synthesized, changed)] == [
        "- StringEquals saml:sub_type = persistent",
        "+ stringequals SAML:SUB_TYPE = Persistent",
    ]


def test_a_trust_differing_in_form_only_is_said_to_be_so() -> None:
    """The solver (proof.compare) tells a real widening from a rewrite that admits the same requests."""
    synthesized = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": GITHUB_ARN},
                "Condition": {"StringEquals": {f"{GITHUB}:sub": MAIN}},
            }
        ]
    }
    rewritten = json.loads(json.dumps(synthesized).replace("StringEquals", "StringLike"))  # no wildcard: same
    item = Item(kind="role", logical_id="R", name="r")
    compare_trust(item, synthesized, rewritten, partition="aws", solver=True)
    assert item.problems == ["trust-differs"] and item.facts["wider"] == {"status": "no", "example": None}
    assert item.details == [
        "the solver finds no request admitted by one trust and not the other: the difference is in form only"
    ]


# --- the command ----------------------------------------------------------------------------------


def test_the_tool_needs_boto3_only_not_the_cdk_or_node() -> None:
    code = (
        "import sys; from federation_constructs.verify import cli, run, providers; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'constructs', 'stacks')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"federation-verify imported {result.stdout.strip()}"


def test_help_lists_the_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "federation_constructs.verify", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--config" not in result.stdout
    for option in (
        "--assembly DIR",
        "--account ID",
        "--profile NAME",
        "--region REGION",
        "--stack-set",
        "--format {text,json}",
        "--output FILE",
        "exit codes:",
    ):
        assert option in result.stdout, option
