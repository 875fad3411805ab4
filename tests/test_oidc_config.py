"""The `oidc` config section: the example's trusts, cross-reference errors, and refusals from config."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from federation_constructs.errors import FederationValidationError
from stacks.build import build_stacks
from stacks.config import ConfigError, DeploymentConfig, load_config
from tests.support import REPO, new_app, synth, tool_env

HEAD = """\
name: demo
account: "111122223333"
region: eu-west-1
oidc:
  providers:
    - id: GitHub
      preset: github_actions
    - id: GitLab
      preset: gitlab
  roles:
"""


def config_of(tmp_path: Path, roles: str) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(roles), "    "), encoding="utf-8")
    return path


def build(config: DeploymentConfig) -> Any:
    return build_stacks(new_app(), config)


# --- the bundled example ----------------------------------------------------------------------


def test_example_trusts_one_repository_main_and_production(example_template: Template) -> None:
    gh = "token.actions.githubusercontent.com"
    example_template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Action": "sts:AssumeRoleWithWebIdentity",
                            "Condition": {
                                "StringEquals": {
                                    f"{gh}:aud": ["sts.amazonaws.com"],
                                    f"{gh}:sub": [
                                        "repo:octo-org/web-app:ref:refs/heads/main",
                                        "repo:octo-org/web-app:environment:production",
                                    ],
                                }
                            },
                        }
                    )
                ]
            }
        },
    )


def test_example_gitlab_role(example_template: Template) -> None:
    example_template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Condition": {
                                "StringEquals": {
                                    "gitlab.com:aud": ["https://gitlab.com"],
                                    "gitlab.com:sub": ["project_path:platform/infrastructure:ref_type:branch:ref:main"],
                                }
                            }
                        }
                    )
                ]
            }
        },
    )


def test_example_creates_both_providers(example_template: Template) -> None:
    urls = {r["Properties"]["Url"] for r in example_template.find_resources("AWS::IAM::OIDCProvider").values()}
    assert urls == {"https://token.actions.githubusercontent.com", "https://gitlab.com"}


# --- the config's own checks -----------------------------------------------------------------------


def test_role_naming_an_undeclared_provider(tmp_path: Path) -> None:
    path = config_of(
        tmp_path,
        """\
        - name: Deploy
          type: github
          provider: GitHb
          repositories: [octo-org/app]
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert (
        f"{path}:13: oidc.roles[0].provider: provider 'GitHb' of role 'Deploy' is not declared; declared providers: "
        "GitHub, GitLab"
    ) in str(caught.value)


def test_role_type_must_fit_the_provider(tmp_path: Path) -> None:
    path = config_of(
        tmp_path,
        """\
        - name: Deploy
          type: github
          provider: GitLab
          repositories: [octo-org/app]
        """,
    )
    with pytest.raises(ConfigError, match=r"a github role needs a github_actions provider; 'GitLab' is gitlab"):
        load_config(path)


def test_duplicate_role_names(tmp_path: Path) -> None:
    role = "- name: Deploy\n  type: github\n  provider: GitHub\n  repositories: [octo-org/app]\n"
    with pytest.raises(ConfigError, match="role name 'Deploy' is used twice"):
        load_config(config_of(tmp_path, role + role))


def test_acknowledgement_needs_a_reason(tmp_path: Path) -> None:
    path = config_of(
        tmp_path,
        """\
        - name: Deploy
          type: github
          provider: GitHub
          repositories: [octo-org/app]
          acknowledgements: {AwsSolutions-IAM4: ok}
        """,
    )
    with pytest.raises(ConfigError, match=r"acknowledgements\['AwsSolutions-IAM4'\] needs .* a reason of at least 20"):
        load_config(path)


def test_unknown_role_key_is_named_with_its_path(tmp_path: Path) -> None:
    path = config_of(
        tmp_path,
        """\
        - name: Deploy
          type: github
          provider: GitHub
          repositories: [octo-org/app]
          branchs: [main]
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{path}:15: oidc.roles[0].branchs: unknown key (did you mean 'branches'?)" in str(caught.value)


def test_unknown_role_type(tmp_path: Path) -> None:
    path = config_of(tmp_path, "- name: Deploy\n  type: jenkins\n  provider: GitHub\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{path}:12: oidc.roles[0].type: 'jenkins' is not accepted; expected one of 'github'" in str(caught.value)


# --- refusals from the constructs, reached through the config ---------------------------------------


def test_generic_role_with_any_subject_is_refused(tmp_path: Path) -> None:
    config = load_config(
        config_of(
            tmp_path,
            """\
        - name: Anything
          type: generic
          provider: GitLab
          subjects: ["*"]
        """,
        )
    )
    with pytest.raises(FederationValidationError) as caught:
        build(config)
    assert str(caught.value).startswith("demo/Anything: subjects='*' is not accepted; expected a subject that names")
    assert "allow_any_subject=True" in str(caught.value)


def test_github_repository_wildcard_without_opt_in_is_refused(tmp_path: Path) -> None:
    config = load_config(
        config_of(
            tmp_path,
            """\
        - name: Deploy
          type: github
          provider: GitHub
          repositories: [myorg/*]
        """,
        )
    )
    with pytest.raises(FederationValidationError) as caught:
        build(config)
    assert str(caught.value).startswith("demo/Deploy: repositories='myorg/*' is not accepted; expected an exact")
    assert "allow_repository_wildcards=True" in str(caught.value)


def test_github_repository_wildcard_with_opt_in_is_built_as_pattern(tmp_path: Path) -> None:
    config = load_config(
        config_of(
            tmp_path,
            """\
        - name: Deploy
          type: github
          provider: GitHub
          repositories: [myorg/*]
          allow_repository_wildcards: true
        """,
        )
    )
    role = build(config).oidc_roles["Deploy"]
    assert role.opt_ins == ("allow_repository_wildcards",)
    assert role.conditions["StringLike"]["token.actions.githubusercontent.com:sub"] == [
        "repo:myorg/*:ref:refs/heads/main"
    ]


SIXTY = "[" + ", ".join(f"myorg/repo-{i:02d}" for i in range(60)) + "]"


def test_sixty_repositories_exceed_the_default_trust_quota(tmp_path: Path) -> None:
    config = load_config(
        config_of(
            tmp_path,
            f"""\
        - name: Many
          type: github
          provider: GitHub
          repositories: {SIXTY}
        """,
        )
    )
    with pytest.raises(FederationValidationError) as caught:
        build(config)
    message = str(caught.value)
    assert message.startswith("demo/Many: trust policy='")
    size = int(message.split("trust policy='", 1)[1].split(" characters", 1)[0])
    assert 2048 < size <= 4096
    assert "quota of 2048 characters" in message and "trust_policy_quota=4096" in message


def test_sixty_repositories_fit_a_raised_quota(tmp_path: Path) -> None:
    config = load_config(
        config_of(
            tmp_path,
            f"""\
        - name: Many
          type: github
          provider: GitHub
          repositories: {SIXTY}
          trust_policy_quota: 4096
        """,
        )
    )
    role = build(config).oidc_roles["Many"]
    assert 2048 < role.trust_policy_size <= 4096
    assert len(role.subjects) == 60


@pytest.mark.slow
def test_app_prints_the_refusal_once_without_traceback(tmp_path: Path) -> None:
    path = config_of(
        tmp_path,
        """\
        - name: Deploy
          type: github
          provider: GitHub
          repositories: [myorg/*]
        """,
    )
    env = tool_env()
    env["CDK_OUTDIR"] = str(tmp_path / "out")
    env["CDK_CONTEXT_JSON"] = json.dumps({"config": str(path)})
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("demo/Deploy: repositories='myorg/*' is not accepted")


def test_existing_provider_is_imported_not_created(tmp_path: Path) -> None:
    path = tmp_path / "existing.yaml"
    path.write_text(
        HEAD.replace("      preset: github_actions\n", "      preset: github_actions\n      existing: true\n")
        + "    - name: Deploy\n      type: github\n      provider: GitHub\n      repositories: [octo-org/app]\n",
        encoding="utf-8",
    )
    stack = build(load_config(path))
    template = synth(stack).to_json()
    urls = [r["Properties"]["Url"] for r in template["Resources"].values() if r["Type"] == "AWS::IAM::OIDCProvider"]
    assert urls == ["https://gitlab.com"]  # GitHub's provider is the account's existing one
    (role,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    principal = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Federated"]
    assert principal == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":iam::111122223333:oidc-provider/token.actions.githubusercontent.com"],
        ]
    }


def test_bad_provider_value_is_named_by_provider_id(tmp_path: Path) -> None:
    path = tmp_path / "eks.yaml"
    providers = HEAD.replace("  roles:\n", "")
    path.write_text(
        providers + "    - id: Cluster\n      preset: eks\n      region: eu-west-1\n      cluster_id: not-an-id\n",
        encoding="utf-8",
    )
    with pytest.raises(FederationValidationError) as caught:
        build(load_config(path))
    assert str(caught.value).startswith("demo/Cluster: cluster_id='not-an-id' is not accepted; expected the 32")
